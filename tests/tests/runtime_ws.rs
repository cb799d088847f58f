//! The realtime session against the simulator: login, typed registration, ticks, reconnect
//! with re-registration and a gap event, the 100-items rule, typed events.

use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::realtime::StockTrade;
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::ws::{GroupNo, Refresh};
use kiwoom_runtime::{
    ConnectionState, DecodeError, Error, Market, RealItem, RealtimeDecode, SessionEvent,
    TypedEvent, WsConfig,
};
use kiwoom_tests::runtime_support::local_builder;
use tokio::time::timeout;

async fn setup() -> (MockServer, kiwoom_runtime::Client) {
    let m = MockServer::start(MockConfig {
        realtime_interval: Duration::from_millis(100),
        system_frame_before_login: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = local_builder(&m.base_url(), &m.ws_url())
        .websocket(
            WsConfig::default()
                .with_reconnect_delays(Duration::from_millis(50), Duration::from_millis(500)),
        )
        .build()
        .unwrap();
    (m, c)
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

async fn next_real(events: &mut kiwoom_runtime::EventStream, item: &str) -> RealItem {
    loop {
        match events.next().await.expect("stream open") {
            SessionEvent::Real(r) if r.item == item => return r,
            _ => {}
        }
    }
}

#[tokio::test]
async fn websocket_drop_reconnects_reregisters_reports_a_gap_and_ticks_resume() {
    let (m, c) = setup().await;
    let session = c
        .realtime(Market::Domestic)
        .await
        .expect("login despite a SYSTEM frame first");
    let mut states = session.state_changes();
    session
        .subscribe::<StockTrade>(["005930", "000660"])
        .await
        .unwrap();
    assert_eq!(m.control().ws_logins(), 1);
    let before = sorted(m.control().ws_registrations());
    assert!(
        before.contains(&("0B".into(), "005930".into())),
        "{before:?}"
    );
    assert!(
        before.contains(&("0B".into(), "000660".into())),
        "{before:?}"
    );

    let mut events = session.events();
    let tick = timeout(Duration::from_secs(5), next_real(&mut events, "005930"))
        .await
        .expect("ticks arrive");
    assert_eq!(tick.kind, "0B");
    assert!(!tick.values.is_empty());

    m.control().drop_websockets();

    let gap = timeout(Duration::from_secs(10), async {
        loop {
            if let SessionEvent::Gap(g) = events.next().await.expect("stream open") {
                return g;
            }
        }
    })
    .await
    .expect("a gap event after the drop");
    assert!(gap.resubscribed, "{gap:?}");
    assert!(gap.until >= gap.since);
    assert_eq!(m.control().ws_logins(), 2, "logged in again");
    assert_eq!(
        sorted(m.control().ws_registrations()),
        before,
        "the same registrations"
    );
    timeout(Duration::from_secs(5), next_real(&mut events, "000660"))
        .await
        .expect("ticks resume after the gap");

    let seen: Vec<ConnectionState> = timeout(Duration::from_secs(2), async {
        let mut seen = Vec::new();
        while let Some(s) = states.next().await {
            seen.push(s);
            if s == ConnectionState::Connected {
                return seen;
            }
        }
        seen
    })
    .await
    .unwrap();
    assert!(
        matches!(
            seen.first(),
            Some(ConnectionState::Reconnecting { attempt: 1 })
        ),
        "{seen:?}"
    );
    assert_eq!(session.state(), ConnectionState::Connected);
    assert_eq!(session.delivery_stats().lossless_backlog, 0);

    session.close().await;
    let end = timeout(Duration::from_secs(5), async {
        while events.next().await.is_some() {}
    })
    .await;
    assert!(end.is_ok(), "event stream ends after close");
}

#[tokio::test]
async fn more_than_100_items_in_a_named_group_is_refused_before_sending() {
    let (m, c) = setup().await;
    let session = c.realtime(Market::Domestic).await.unwrap();
    let group = GroupNo::new(1).unwrap();
    let items: Vec<String> = (0..101).map(|i| format!("{:06}", 100000 + i)).collect();
    let err = session
        .subscribe_in::<StockTrade>(group, items.clone(), Refresh::Keep)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.api_id == "REG"),
        "{err}"
    );
    assert!(
        m.control().ws_registrations().is_empty(),
        "nothing was registered"
    );
    // 100 is fine.
    session
        .subscribe_in::<StockTrade>(group, items[..100].to_vec(), Refresh::Keep)
        .await
        .unwrap();
    assert_eq!(m.control().ws_registrations().len(), 100);
    // And one more in the same group is refused, because the group is full ...
    let err = session
        .subscribe_in::<StockTrade>(group, [items[100].clone()], Refresh::Keep)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    // ... unless the group is replaced (Kiwoom's refresh "0").
    session
        .subscribe_in::<StockTrade>(group, [items[100].clone()], Refresh::Replace)
        .await
        .unwrap();
    assert_eq!(
        m.control().ws_registrations(),
        vec![("0B".to_string(), items[100].clone())]
    );
}

#[tokio::test]
async fn a_session_subscription_over_100_items_is_split_into_groups() {
    let (m, c) = setup().await;
    let session = c.realtime(Market::Domestic).await.unwrap();
    let items: Vec<String> = (0..150).map(|i| format!("{:06}", 100000 + i)).collect();
    // The session sends 100 items in one group and 50 in the next; the simulator, like
    // Kiwoom (105115), also caps a connection at 100 items, so the second REG is refused
    // by the server and reported, and the first stays registered.
    let err = session
        .subscribe::<StockTrade>(items.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { api_id: "REG", .. }) && err.to_string().contains("105115"),
        "{err}"
    );
    let registered = m.control().ws_registrations();
    assert_eq!(
        registered.len(),
        100,
        "the first group of 100 was registered"
    );
    // Subscribing what is already subscribed sends nothing and succeeds.
    session
        .subscribe::<StockTrade>(items[..100].to_vec())
        .await
        .unwrap();
    assert_eq!(m.control().ws_registrations(), registered);
}

#[tokio::test]
async fn unsubscribe_removes_and_is_not_restored() {
    let (m, c) = setup().await;
    let session = c.realtime(Market::Domestic).await.unwrap();
    session
        .subscribe::<StockTrade>(["005930", "000660"])
        .await
        .unwrap();
    session.unsubscribe::<StockTrade>(["000660"]).await.unwrap();
    assert_eq!(
        m.control().ws_registrations(),
        vec![("0B".to_string(), "005930".to_string())]
    );
    let mut states = session.state_changes();
    m.control().drop_websockets();
    timeout(Duration::from_secs(10), async {
        while let Some(s) = states.next().await {
            if s == ConnectionState::Connected {
                return;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(
        m.control().ws_registrations(),
        vec![("0B".to_string(), "005930".to_string())]
    );
}

/// A hand-written typed event, standing in for the generated `RealtimeEvent`.
#[derive(Debug)]
struct Trade {
    code: String,
    price: String,
}

impl RealtimeDecode for Trade {
    fn decode_real(item: &RealItem) -> Result<Self, DecodeError> {
        let price = item
            .values
            .get("10")
            .map(str::to_owned)
            .ok_or_else(|| DecodeError {
                api_id: item.kind.clone(),
                field: "values.10".into(),
                raw: String::new(),
                reason: "missing".into(),
            })?;
        Ok(Trade {
            code: item.item.clone(),
            price,
        })
    }
}

#[tokio::test]
async fn typed_events_decode_real_items() {
    let (_m, c) = setup().await;
    let session = c.realtime(Market::Domestic).await.unwrap();
    session.subscribe::<StockTrade>(["005930"]).await.unwrap();
    let mut typed = session.events().typed::<Trade>();
    let trade = timeout(Duration::from_secs(5), async {
        loop {
            if let Some(Ok(TypedEvent::Real(t))) = typed.next().await {
                return t;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(trade.code, "005930");
    assert!(!trade.price.is_empty());
}

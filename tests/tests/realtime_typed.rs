//! Typed realtime subscriptions against the simulator: a stock type, an account-wide type
//! and a US type, with no type id, group number or refresh flag in the test's code; a
//! subscription on the wrong market's session is refused before anything is sent.

use std::time::Duration;

use futures::StreamExt;
use kiwoom_generated::realtime::{OrderFill, StockTrade, UsTrade};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::codec::Aggressor;
use kiwoom_runtime::ws::{RealtimeStream, TypedEvent, WsItem};
use kiwoom_runtime::{Client, Error, Market, RealtimeType};
use kiwoom_tests::runtime_support::local_builder;
use tokio::time::timeout;

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start(MockConfig {
        realtime_interval: Duration::from_millis(50),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    let client = local_builder(&server.base_url(), &server.ws_url())
        .build()
        .expect("client builds");
    (server, client)
}

async fn first<T: RealtimeType>(events: &mut RealtimeStream<T>) -> T {
    timeout(Duration::from_secs(10), async {
        loop {
            match events.next().await.expect("session open") {
                Ok(TypedEvent::Real(event)) => return event,
                Ok(_) => {}
                Err(e) => panic!("{} did not decode: {e}", T::TYPE),
            }
        }
    })
    .await
    .expect("an event within 10 s")
}

#[tokio::test]
async fn stock_account_and_us_types_subscribe_and_decode_by_type() {
    let (server, client) = setup().await;

    let domestic = client.realtime(Market::Domestic).await.unwrap();
    let mut trades = domestic.events_of::<StockTrade>();
    let mut fills = domestic.events_of::<OrderFill>();
    domestic
        .subscribe::<StockTrade>(["005930", "000660"])
        .await
        .unwrap();
    domestic.subscribe_account::<OrderFill>().await.unwrap();
    // Subscribing again changes nothing.
    domestic.subscribe_account::<OrderFill>().await.unwrap();
    domestic.subscribe::<StockTrade>(["005930"]).await.unwrap();

    let us = client.realtime(Market::Us).await.unwrap();
    let mut us_trades = us.events_of::<UsTrade>();
    us.subscribe::<UsTrade>([WsItem::us("NVDA", "ND")])
        .await
        .unwrap();

    assert_eq!(
        server.control().ws_registrations(),
        vec![
            ("00".to_string(), String::new()),
            ("0B".to_string(), "000660".to_string()),
            ("0B".to_string(), "005930".to_string()),
            ("FE".to_string(), "NVDA".to_string()),
        ]
    );

    let trade = first(&mut trades).await;
    assert!(["005930", "000660"].contains(&trade.item.as_str()));
    assert!(trade.current_price.is_some());
    // `15` is one print's size signed by the side that took liquidity, as Kiwoom writes it
    // ("+82", "-82"): a magnitude and a buyer or seller, never a day's volume without a side.
    let size = trade.trade_quantity.expect("15 is pushed");
    assert!(
        size.value() > 0 && size.value() < 1_000_000,
        "{}",
        size.value()
    );
    assert!(
        matches!(size.aggressor(), Aggressor::Buyer | Aggressor::Seller),
        "{:?}",
        size.aggressor()
    );
    let us_trade = first(&mut us_trades).await;
    assert_eq!(us_trade.item, "NVDA");

    server.control().push_burst(1, 0, 1).await;
    let fill = first(&mut fills).await;
    assert_eq!(fill.order_number.as_deref(), Some("0000001"));

    // Unsubscribing by type removes exactly that.
    domestic
        .unsubscribe::<StockTrade>(["000660"])
        .await
        .unwrap();
    domestic.unsubscribe_account::<OrderFill>().await.unwrap();
    us.unsubscribe::<UsTrade>([WsItem::us("NVDA", "ND")])
        .await
        .unwrap();
    assert_eq!(
        server.control().ws_registrations(),
        vec![("0B".to_string(), "005930".to_string())]
    );
}

#[tokio::test]
async fn the_wrong_market_is_refused_before_sending() {
    let (server, client) = setup().await;
    let domestic = client.realtime(Market::Domestic).await.unwrap();
    let us = client.realtime(Market::Us).await.unwrap();

    let refusals = [
        domestic
            .subscribe::<UsTrade>([WsItem::us("NVDA", "ND")])
            .await
            .unwrap_err(),
        us.subscribe::<StockTrade>(["005930"]).await.unwrap_err(),
        us.subscribe_account::<OrderFill>().await.unwrap_err(),
        // The right market with the wrong kind of item.
        domestic
            .subscribe::<StockTrade>([WsItem::us("NVDA", "ND")])
            .await
            .unwrap_err(),
        us.subscribe::<UsTrade>(["NVDA"]).await.unwrap_err(),
    ];
    for (i, err) in refusals.iter().enumerate() {
        let Error::Validation(v) = err else {
            panic!("refusal {i} is not a validation error: {err}")
        };
        assert!(
            ["FE", "0B", "00"].contains(&v.api_id),
            "names the type: {err}"
        );
        println!("refused: {err}");
    }
    assert!(refusals[0].to_string().contains("Us realtime type"));
    assert!(refusals[1].to_string().contains("Domestic realtime type"));
    assert!(
        server.control().ws_registrations().is_empty(),
        "nothing was registered"
    );
}

//! Every TR of spec/ through the generated client, against the simulator: each REST and OAuth
//! TR is called through `call_json` (typed request, the runtime's one execution path, typed
//! decode) and its answer must re-encode with every documented field; every realtime type is
//! registered over the WebSocket and its pushes must decode into the typed `RealtimeEvent`.

use std::collections::BTreeSet;
use std::time::Duration;

use codegen::spec::{Market, RealtimeItem, Spec, Transport};
use futures::StreamExt;
use kiwoom_generated::realtime::RealtimeEvent;
use kiwoom_generated::{AnyResponse, call_json};
use kiwoom_mock::{MockConfig, MockServer};
use kiwoom_runtime::Client;
use kiwoom_runtime::ws::{TypedEvent, WsItem};
use kiwoom_tests::runtime_support::local_builder;
use kiwoom_tests::spec_walk::{
    fix_up_order, missing_fields, needs_resting_order, request_body, setup_order,
};
use serde_json::Value;

fn spec() -> Spec {
    Spec::load(&codegen::spec::workspace_spec_dir()).expect("spec/ loads")
}

async fn simulator() -> (MockServer, Client) {
    let server = MockServer::start(MockConfig {
        pages: 2,
        rows_per_page: 3,
        realtime_interval: Duration::from_millis(50),
        ..MockConfig::default()
    })
    .await
    .expect("simulator starts");
    // The walk makes ~300 calls; the helper's client sets no client-side limit.
    let client = local_builder(&server.base_url(), &server.ws_url())
        .build()
        .expect("client builds");
    (server, client)
}

/// The answer as wire JSON, the way a user would serialize it.
fn wire(response: &AnyResponse) -> Value {
    serde_json::to_value(response).expect("responses serialize")
}

async fn place(client: &Client, market: Market, market_order: bool) -> String {
    let (id, _, body) = setup_order(market, market_order);
    let placed = call_json(client, id, body).await.expect("setup order");
    wire(&placed)["ord_no"]
        .as_str()
        .expect("an order number")
        .to_owned()
}

#[tokio::test]
async fn every_rest_tr_answers_and_decodes_through_the_generated_client() {
    let spec = spec();
    let (_server, client) = simulator().await;
    // Holdings, so that the sell TRs have something to sell.
    place(&client, Market::Domestic, true).await;
    place(&client, Market::Us, true).await;

    let mut walked = 0;
    let mut failures = Vec::new();
    for (_, group, tr) in spec.trs() {
        if !matches!(tr.transport, Transport::Rest | Transport::Oauth) {
            continue;
        }
        let market = group.market;
        let mut body = request_body(&tr.request, market);
        match tr.id.as_str() {
            "au10001" => {
                body.insert("grant_type".into(), "client_credentials".into());
            }
            "au10002" => {
                // Revoke a token of its own, not the one the client is using.
                let issued = call_json(
                    &client,
                    "au10001",
                    serde_json::json!({"grant_type": "client_credentials",
                                       "appkey": "app", "secretkey": "secret"}),
                )
                .await
                .expect("au10001");
                body.insert("token".into(), wire(&issued)["token"].clone());
            }
            _ => {}
        }
        let resting = if needs_resting_order(tr) {
            Some(place(&client, market, false).await)
        } else {
            None
        };
        fix_up_order(tr, market, &mut body, resting);

        walked += 1;
        match call_json(&client, &tr.id, Value::Object(body.clone())).await {
            Ok(response) => {
                assert_eq!(response.api_id(), tr.id);
                let json = wire(&response);
                let mut absent = Vec::new();
                missing_fields(
                    &tr.response,
                    json.as_object().expect("an object"),
                    "",
                    &mut absent,
                );
                if !absent.is_empty() {
                    failures.push(format!(
                        "{}: lost on re-encoding: {}",
                        tr.id,
                        absent.join(", ")
                    ));
                }
            }
            Err(error) => failures.push(format!(
                "{}: {error} (request {})",
                tr.id,
                Value::Object(body)
            )),
        }
    }
    println!("{walked} REST/OAuth TRs called through the generated client");
    assert!(walked >= 300, "only {walked} REST TRs in spec/");
    assert!(
        failures.is_empty(),
        "{} of {walked} TRs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_realtime_type_streams_and_decodes() {
    let spec = spec();
    let (_server, client) = simulator().await;
    for market in [Market::Domestic, Market::Us] {
        let mut expected = BTreeSet::new();
        let session = client
            .realtime(match market {
                Market::Us => kiwoom_runtime::Market::Us,
                _ => kiwoom_runtime::Market::Domestic,
            })
            .await
            .expect("WebSocket session");
        for (_, group, tr) in spec.trs() {
            let Some(rt) = tr.realtime.as_ref() else {
                continue;
            };
            if group.market != market || rt.item == RealtimeItem::ConditionSearch {
                continue;
            }
            let item = match rt.item {
                RealtimeItem::Stock => WsItem::from("005930"),
                RealtimeItem::Sector => WsItem::from("001"),
                RealtimeItem::UsSymbol => WsItem::us("AAPL", "ND"),
                RealtimeItem::Account | RealtimeItem::ConditionSearch => WsItem::from(""),
            };
            session
                .subscribe_raw(
                    "1",
                    [item],
                    &[rt.kind.as_str()],
                    kiwoom_runtime::ws::Refresh::Keep,
                )
                .await
                .unwrap_or_else(|e| panic!("REG {}: {e}", rt.kind));
            expected.insert(rt.kind.clone());
        }
        if market == Market::Domestic {
            // `00` (order fill) is pushed when an order is placed.
            place(&client, Market::Domestic, true).await;
        }

        let mut seen = BTreeSet::new();
        let mut events = session.events().typed::<RealtimeEvent>();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while seen != expected {
            let event = tokio::time::timeout_at(deadline, events.next())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "{market:?}: no push for {:?} within 20 s",
                        expected.difference(&seen).collect::<Vec<_>>()
                    )
                })
                .expect("the session stays open");
            match event {
                Ok(TypedEvent::Real(RealtimeEvent::Unknown(item))) => {
                    panic!("type {} decoded as Unknown", item.kind)
                }
                Ok(TypedEvent::Real(event)) => {
                    seen.insert(event.kind().to_owned());
                }
                Ok(_) => {}
                Err(error) => panic!("a push did not decode: {error}"),
            }
        }
        println!(
            "{market:?}: {} realtime types streamed and decoded",
            seen.len()
        );
        session.close().await;
    }
}

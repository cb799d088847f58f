//! WebSocket protocol tests with a plain tokio-tungstenite client (no SDK code), against the
//! crate's fixture spec.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use kiwoom_mock::{MockConfig, MockServer, fixture_spec_dir};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn config() -> MockConfig {
    MockConfig {
        spec_dir: Some(fixture_spec_dir()),
        realtime_interval: Duration::from_millis(50),
        ping_interval: Duration::from_millis(150),
        pages: 2,
        rows_per_page: 3,
        ..MockConfig::default()
    }
}

async fn token(server: &MockServer) -> String {
    let r: Value = reqwest::Client::new()
        .post(format!("{}/oauth2/token", server.base_url()))
        .header("api-id", "au10001")
        .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "b"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

async fn connect(server: &MockServer, path: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}{path}", server.ws_url()))
        .await
        .unwrap();
    ws
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next text frame, raw.
async fn next_text(ws: &mut Ws) -> String {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s");
        match msg {
            Some(Ok(Message::Text(t))) => return t.to_string(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The next frame whose `trnm` is `trnm` (others, e.g. PING or REAL, are skipped).
async fn next_of(ws: &mut Ws, trnm: &str) -> (Value, String) {
    loop {
        let raw = next_text(ws).await;
        let v: Value = serde_json::from_str(&raw).unwrap();
        if v["trnm"] == trnm {
            return (v, raw);
        }
    }
}

async fn login(ws: &mut Ws, token: &str) -> Value {
    send(ws, json!({"trnm": "LOGIN", "token": token})).await;
    next_of(ws, "LOGIN").await.0
}

#[tokio::test]
async fn login_reg_real_ping_remove() {
    let server = MockServer::start(MockConfig {
        system_frame_before_login: true,
        ..config()
    })
    .await
    .unwrap();
    let control = server.control();
    let token = token(&server).await;
    let mut ws = connect(&server, "/api/dostk/websocket").await;
    send(&mut ws, json!({"trnm": "LOGIN", "token": token})).await;
    let first: Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
    assert_eq!(
        first["trnm"], "SYSTEM",
        "the configured SYSTEM frame comes before the ack"
    );
    assert!(first["code"].is_string() && first["message"].is_string());
    let ack = next_of(&mut ws, "LOGIN").await.0;
    assert_eq!(
        ack,
        json!({"trnm": "LOGIN", "return_code": 0, "return_msg": "", "sor_yn": "Y"})
    );
    assert_eq!(control.ws_logins(), 1);

    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": ["005930", "000660"], "type": ["0B"]}]})).await;
    assert_eq!(
        next_of(&mut ws, "REG").await.0,
        json!({"trnm": "REG", "return_code": 0, "return_msg": ""})
    );
    assert_eq!(
        control.ws_registrations(),
        vec![
            ("0B".to_string(), "000660".to_string()),
            ("0B".to_string(), "005930".to_string())
        ]
    );

    let (real, raw) = next_of(&mut ws, "REAL").await;
    assert!(
        raw.starts_with("{\"data\":") && raw.ends_with("\"trnm\":\"REAL\"}"),
        "data before trnm: {raw}"
    );
    let data = real["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    let mut items: Vec<&str> = data.iter().map(|d| d["item"].as_str().unwrap()).collect();
    items.sort();
    assert_eq!(items, ["000660", "005930"]);
    for d in data {
        assert_eq!(d["type"], "0B");
        assert_eq!(d["name"], "주식체결");
        let values = d["values"]
            .as_object()
            .expect("values is a map keyed by id");
        assert_eq!(values.len(), 12, "every documented value: {values:?}");
        let price = values["10"].as_str().unwrap();
        let sig = values["25"].as_str().unwrap();
        let expected = match &price[..1] {
            "+" => "2",
            "-" => "5",
            _ => "3",
        };
        assert_eq!(sig, expected, "sign of {price} and 25={sig} agree");
        assert_eq!(values["20"].as_str().unwrap().len(), 6);
    }

    let (ping, _) = next_of(&mut ws, "PING").await;
    send(&mut ws, ping).await;

    send(
        &mut ws,
        json!({"trnm": "REMOVE", "grp_no": "1", "data": [{"item": ["005930"], "type": ["0B"]}]}),
    )
    .await;
    assert_eq!(
        next_of(&mut ws, "REMOVE").await.0,
        json!({"trnm": "REMOVE", "return_code": 0, "return_msg": ""})
    );
    assert_eq!(
        control.ws_registrations(),
        vec![("0B".to_string(), "000660".to_string())]
    );

    drop(ws);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        control.ws_registrations().is_empty(),
        "registrations die with their connection"
    );
}

#[tokio::test]
async fn bad_token_login_fails_with_embedded_code_and_closes() {
    let server = MockServer::start(config()).await.unwrap();
    let mut ws = connect(&server, "/api/dostk/websocket").await;
    let reply = login(&mut ws, "not-a-token").await;
    assert_ne!(reply["return_code"], 0);
    assert!(
        reply["return_msg"].as_str().unwrap().contains("[CODE=8005"),
        "{reply}"
    );
    let end = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap();
    assert!(matches!(end, Some(Ok(Message::Close(_))) | None), "{end:?}");
    assert_eq!(server.control().ws_logins(), 0);
}

#[tokio::test]
async fn error_frames_and_item_limits() {
    let server = MockServer::start(config()).await.unwrap();
    let token = token(&server).await;
    let mut ws = connect(&server, "/api/dostk/websocket").await;
    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": ["005930"], "type": ["0B"]}]})).await;
    let before = next_of(&mut ws, "REG").await.0;
    assert_ne!(before["return_code"], 0, "REG before LOGIN is refused");

    send(&mut ws, json!({"grp_no": "1"})).await;
    let err: Value = serde_json::from_str(&next_text(&mut ws).await).unwrap();
    assert_eq!(
        err,
        json!({"trnm": "", "return_code": 100002, "return_msg": "필수 파라미터가 누락되어 있습니다(parameter=trnm)"})
    );

    assert_eq!(login(&mut ws, &token).await["return_code"], 0);
    let codes = |n: usize, from: usize| {
        (from..from + n)
            .map(|i| format!("{i:06}"))
            .collect::<Vec<_>>()
    };
    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": codes(101, 0), "type": ["0B"]}]})).await;
    let r = next_of(&mut ws, "REG").await.0;
    assert_eq!(r["return_code"], 105118, "{r}");
    assert!(
        server.control().ws_registrations().is_empty(),
        "a refused REG registers nothing"
    );

    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": codes(60, 0), "type": ["0B"]}]})).await;
    assert_eq!(next_of(&mut ws, "REG").await.0["return_code"], 0);
    send(&mut ws, json!({"trnm": "REG", "grp_no": "2", "refresh": "1", "data": [{"item": codes(60, 100), "type": ["0B"]}]})).await;
    let r = next_of(&mut ws, "REG").await.0;
    assert_eq!(r["return_code"], 105115, "{r}");
    assert_eq!(server.control().ws_registrations().len(), 60);

    // refresh 0 replaces the group's registrations.
    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "0", "data": [{"item": ["005930"], "type": ["0B"]}]})).await;
    assert_eq!(next_of(&mut ws, "REG").await.0["return_code"], 0);
    assert_eq!(
        server.control().ws_registrations(),
        vec![("0B".to_string(), "005930".to_string())]
    );

    send(&mut ws, json!({"trnm": "REG", "grp_no": "3", "refresh": "1", "data": [{"item": ["005930"], "type": ["ZZ"]}]})).await;
    assert_ne!(
        next_of(&mut ws, "REG").await.0["return_code"],
        0,
        "unknown realtime type"
    );
}

#[tokio::test]
async fn condition_search_list_pages_and_realtime_hits() {
    let server = MockServer::start(config()).await.unwrap();
    let token = token(&server).await;
    let mut ws = connect(&server, "/api/dostk/websocket").await;
    assert_eq!(login(&mut ws, &token).await["return_code"], 0);

    send(&mut ws, json!({"trnm": "CNSRLST"})).await;
    let list = next_of(&mut ws, "CNSRLST").await.0;
    assert_eq!(list["return_code"], 0);
    let rows = list["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.as_array().is_some_and(|a| a.len() == 2)),
        "[[seq, name], ...]: {list}"
    );
    let seq = rows[0][0].as_str().unwrap().to_string();

    let mut next_key = String::new();
    let mut pages = 0;
    loop {
        let cont = if next_key.is_empty() { "N" } else { "Y" };
        send(&mut ws, json!({"trnm": "CNSRREQ", "seq": seq, "search_type": "0", "stex_tp": "K", "cont_yn": cont, "next_key": next_key})).await;
        let r = next_of(&mut ws, "CNSRREQ").await.0;
        assert_eq!(r["return_code"], 0, "{r}");
        let data = r["data"].as_array().unwrap();
        assert_eq!(data.len(), 3);
        for row in data {
            for key in ["9001", "302", "10", "25", "11", "12"] {
                assert!(row[key].is_string(), "{key} in {row}");
            }
            assert_eq!(
                row["10"].as_str().unwrap().len(),
                9,
                "zero padded to 9: {row}"
            );
        }
        pages += 1;
        if r["cont_yn"] == "Y" {
            next_key = r["next_key"].as_str().unwrap().to_string();
            assert!(!next_key.is_empty());
        } else {
            assert_eq!(r["next_key"], "");
            break;
        }
    }
    assert_eq!(pages, 2);

    send(
        &mut ws,
        json!({"trnm": "CNSRREQ", "seq": seq, "search_type": "1", "stex_tp": "K"}),
    )
    .await;
    let r = next_of(&mut ws, "CNSRREQ").await.0;
    assert_eq!(r["return_code"], 0, "{r}");
    assert!(
        r["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["jmcode"].is_string()),
        "{r}"
    );
    let (real, _) = next_of(&mut ws, "REAL").await;
    let hit = &real["data"][0];
    assert_eq!(hit["type"], "02");
    assert_eq!(hit["values"]["841"], seq.as_str());
    assert!(matches!(hit["values"]["843"].as_str(), Some("I" | "D")));
    assert_eq!(hit["values"]["9001"], hit["item"]);

    send(&mut ws, json!({"trnm": "CNSRCLR", "seq": seq})).await;
    let r = next_of(&mut ws, "CNSRCLR").await.0;
    assert_eq!(
        (r["return_code"].as_i64(), r["seq"].as_str()),
        (Some(0), Some(seq.as_str()))
    );

    send(
        &mut ws,
        json!({"trnm": "CNSRREQ", "seq": "999", "search_type": "0", "stex_tp": "K"}),
    )
    .await;
    assert_ne!(
        next_of(&mut ws, "CNSRREQ").await.0["return_code"],
        0,
        "unknown seq"
    );
}

#[tokio::test]
async fn us_socket_takes_symbol_objects_and_g_commands() {
    let server = MockServer::start(config()).await.unwrap();
    let token = token(&server).await;
    let mut ws = connect(&server, "/api/us/websocket").await;
    assert_eq!(login(&mut ws, &token).await["return_code"], 0);
    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": [{"jmcode": "AAPL", "stex_tp": "ND"}], "type": ["FE"]}]})).await;
    assert_eq!(next_of(&mut ws, "REG").await.0["return_code"], 0);
    let (real, _) = next_of(&mut ws, "REAL").await;
    let d = &real["data"][0];
    assert_eq!(
        (d["type"].as_str(), d["item"].as_str(), d["stexTp"].as_str()),
        (Some("FE"), Some("AAPL"), Some("ND"))
    );
    let price = d["values"]["10"].as_str().unwrap();
    assert_eq!(
        price.split('.').nth(1).map(str::len),
        Some(4),
        "US prices carry 4 decimals: {price}"
    );

    send(&mut ws, json!({"trnm": "GCNSRLST"})).await;
    assert_eq!(next_of(&mut ws, "GCNSRLST").await.0["return_code"], 0);
    send(&mut ws, json!({"trnm": "CNSRLST"})).await;
    assert_ne!(
        next_of(&mut ws, "CNSRLST").await.0["return_code"],
        0,
        "domestic names are not served on the US socket"
    );
}

#[tokio::test]
async fn order_events_push_type_00() {
    // The workspace spec: it documents every 00 field (the fixture keeps a few).
    let server = MockServer::start(MockConfig {
        spec_dir: None,
        ..config()
    })
    .await
    .unwrap();
    let token = token(&server).await;
    let mut ws = connect(&server, "/api/dostk/websocket").await;
    assert_eq!(login(&mut ws, &token).await["return_code"], 0);
    send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "1", "data": [{"item": [""], "type": ["00"]}]})).await;
    assert_eq!(next_of(&mut ws, "REG").await.0["return_code"], 0);
    let r: Value = reqwest::Client::new()
        .post(format!("{}/api/dostk/ordr", server.base_url()))
        .header("api-id", "kt10000")
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "4", "trde_tp": "3"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // A market buy that fills at once: 접수 (accepted), then 체결 (filled), as Kiwoom reports.
    let (accepted, _) = next_of(&mut ws, "REAL").await;
    let entry = &accepted["data"][0];
    let values = &entry["values"];
    assert_eq!(entry["type"], "00");
    assert_eq!(entry["item"], "005930");
    assert_eq!(values["9203"], r["ord_no"]);
    assert_eq!(values["913"], "접수");
    assert_eq!(values["907"], "2", "907 매도수구분: 2 = 매수");
    assert_eq!(values["905"], "+매수");
    assert_eq!(values["906"], "시장가");
    assert_eq!(values["904"], "0000000");
    assert_eq!(
        (values["910"].as_str(), values["911"].as_str()),
        (Some(""), Some(""))
    );
    let (filled, _) = next_of(&mut ws, "REAL").await;
    let values = &filled["data"][0]["values"];
    assert_eq!(values["9203"], r["ord_no"]);
    assert_eq!(values["913"], "체결");
    assert_eq!(values["911"], "4");
    assert_eq!(values["902"], "0");
    assert_eq!(values["907"], "2");
    let price: i64 = values["910"].as_str().unwrap().parse().unwrap();
    assert_eq!(values["903"], (price * 4).to_string().as_str());

    // A sell says 1 (매도), with a minus.
    reqwest::Client::new()
        .post(format!("{}/api/dostk/ordr", server.base_url()))
        .header("api-id", "kt10001")
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"}))
        .send()
        .await
        .unwrap();
    let (sold, _) = next_of(&mut ws, "REAL").await;
    let values = &sold["data"][0]["values"];
    assert_eq!(
        (values["907"].as_str(), values["905"].as_str()),
        (Some("1"), Some("-매도"))
    );
}

#[tokio::test]
async fn a_client_that_never_echoes_ping_is_disconnected() {
    let server = MockServer::start(MockConfig {
        ping_interval: Duration::from_millis(100),
        ping_echo_timeout: Duration::from_millis(300),
        ..config()
    })
    .await
    .unwrap();
    let token = token(&server).await;

    // A client that echoes stays connected well past the window.
    let mut polite = connect(&server, "/api/dostk/websocket").await;
    assert_eq!(login(&mut polite, &token).await["return_code"], 0);
    let until = tokio::time::Instant::now() + Duration::from_millis(1200);
    let mut pings = 0;
    while tokio::time::Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(200), polite.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.contains("PING") => {
                pings += 1;
                polite.send(Message::Text(t)).await.unwrap();
            }
            Ok(Some(Ok(_))) | Err(_) => {}
            Ok(other) => panic!("an echoing client was dropped: {other:?}"),
        }
    }
    assert!(pings >= 5, "{pings} PINGs in 1.2 s");

    // A client that reads but never echoes is dropped after its first PING's window.
    let mut silent = connect(&server, "/api/dostk/websocket").await;
    assert_eq!(login(&mut silent, &token).await["return_code"], 0);
    let started = tokio::time::Instant::now();
    let mut saw_ping = false;
    let end = loop {
        match tokio::time::timeout(Duration::from_secs(5), silent.next())
            .await
            .expect("the server ends the connection within 5 s")
        {
            Some(Ok(Message::Text(t))) => saw_ping |= t.contains("PING"),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => break other,
        }
    };
    let waited = started.elapsed();
    assert!(saw_ping, "the server pinged first");
    assert!(
        matches!(end, Some(Ok(Message::Close(_))) | None | Some(Err(_))),
        "{end:?}"
    );
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(2),
        "dropped after {waited:?}"
    );
}

#[tokio::test]
async fn drop_websockets_closes_without_a_close_frame() {
    let server = MockServer::start(config()).await.unwrap();
    let token = token(&server).await;
    let mut ws = connect(&server, "/api/dostk/websocket").await;
    assert_eq!(login(&mut ws, &token).await["return_code"], 0);
    server.control().drop_websockets();
    let end = loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("the socket ends")
        {
            Some(Ok(Message::Text(_))) => continue,
            other => break other,
        }
    };
    assert!(
        !matches!(end, Some(Ok(Message::Close(_)))),
        "abrupt: no close frame, got {end:?}"
    );
    assert!(matches!(end, Some(Err(_)) | None), "{end:?}");
    // A new connection works.
    let mut again = connect(&server, "/api/dostk/websocket").await;
    assert_eq!(login(&mut again, &token).await["return_code"], 0);
    assert_eq!(server.control().ws_logins(), 2);
}

#[tokio::test]
async fn every_realtime_type_of_the_workspace_spec_pushes_its_values() {
    use codegen::spec::{Market, RealtimeItem, Spec, Transport};
    let spec = Spec::load(&codegen::spec::workspace_spec_dir()).expect("spec/ loads");
    let server = MockServer::start(MockConfig {
        spec_dir: None,
        ..config()
    })
    .await
    .unwrap();
    let token = token(&server).await;
    let mut checked = 0;
    for market in [Market::Domestic, Market::Us] {
        let path = if market == Market::Us {
            "/api/us/websocket"
        } else {
            "/api/dostk/websocket"
        };
        let mut ws = connect(&server, path).await;
        assert_eq!(login(&mut ws, &token).await["return_code"], 0);
        for (_, group, tr) in spec.trs() {
            let Some(rt) = tr.realtime.as_ref() else {
                continue;
            };
            if group.market != market || tr.transport != Transport::Realtime {
                continue;
            }
            let item = match rt.item {
                RealtimeItem::Stock => json!("005930"),
                RealtimeItem::Sector => json!("001"),
                RealtimeItem::UsSymbol => json!({"jmcode": "AAPL", "stex_tp": "ND"}),
                RealtimeItem::Account | RealtimeItem::ConditionSearch => continue,
            };
            send(&mut ws, json!({"trnm": "REG", "grp_no": "1", "refresh": "0", "data": [{"item": [item], "type": [rt.kind]}]})).await;
            assert_eq!(
                next_of(&mut ws, "REG").await.0["return_code"],
                0,
                "{}",
                tr.id
            );
            let values = loop {
                let (real, _) = next_of(&mut ws, "REAL").await;
                if let Some(d) = real["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["type"] == rt.kind.as_str())
                {
                    break d["values"].as_object().unwrap().clone();
                }
            };
            for v in rt
                .values
                .iter()
                .filter(|v| v.presence != codegen::spec::Presence::Ghost)
            {
                assert!(
                    values.get(&v.wire).is_some_and(Value::is_string),
                    "{}: value {} missing",
                    tr.id,
                    v.wire
                );
            }
            checked += 1;
        }
    }
    println!("{checked} realtime types pushed every documented value");
    assert!(checked > 0);
}

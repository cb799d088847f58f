//! Redirects are never followed: an order, the keys or the token never reach the host a
//! 3xx points to. Each test runs two listeners on 127.0.0.1: the one the client is
//! configured with (it redirects) and the target of the redirect, which must see nothing.

use kiwoom_runtime::Error;
use kiwoom_tests::runtime_support::{BuyOrder, local_builder};
use kiwoom_tests::scripted::{Reply, Scripted, TOKEN_ANSWER};

/// The listener a redirect points to: answers anything with success, records everything.
async fn target() -> Scripted {
    Scripted::start_all(|req, _| {
        if req.path == "/oauth2/token" {
            Reply::ok(TOKEN_ANSWER)
        } else {
            Reply::ok(r#"{"ord_no":"0099999","return_code":0,"return_msg":"placed elsewhere"}"#)
        }
    })
    .await
}

fn redirect(status: u16, to: &str) -> Reply {
    Reply::status(status, "").header("location", to)
}

#[tokio::test]
async fn an_order_answered_307_or_308_is_outcome_unknown_and_not_followed() {
    for status in [307, 308] {
        let other = target().await;
        let to = format!("{}/api/dostk/ordr", other.base_url);
        let first = Scripted::start(move |_, _| redirect(status, &to)).await;
        let client = local_builder(&first.base_url, "ws://127.0.0.1:9")
            .build()
            .unwrap();
        let err = client
            .call(BuyOrder::limit("005930", 1, 70000))
            .await
            .unwrap_err();
        let Error::OutcomeUnknown { order, cause } = &err else {
            panic!("{status}: expected OutcomeUnknown, got {err}");
        };
        assert_eq!(
            order.stock_code.as_ref().map(|c| c.to_string()).as_deref(),
            Some("005930")
        );
        assert!(
            matches!(**cause, Error::Redirect { api_id: "kt10000", status: s } if s == status),
            "{cause}"
        );
        assert!(err.to_string().contains(&format!("HTTP {status}")), "{err}");
        assert_eq!(first.requests().len(), 1, "{status}: sent once, not resent");
        assert_eq!(
            other.requests().len(),
            0,
            "{status}: nothing reached the second listener"
        );
    }
}

#[tokio::test]
async fn au10001_answered_307_or_308_sends_the_keys_nowhere_else() {
    for status in [307, 308] {
        let other = target().await;
        let to = format!("{}/oauth2/token", other.base_url);
        let first = Scripted::start_all(move |_, _| redirect(status, &to)).await;
        let client = local_builder(&first.base_url, "ws://127.0.0.1:9")
            .build()
            .unwrap();
        let err = client.authenticate().await.unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{err}");
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        assert_eq!(first.requests().len(), 1, "{status}");
        assert_eq!(
            other.requests().len(),
            0,
            "{status}: the keys never left for the second listener"
        );
    }
}

#[tokio::test]
async fn au10002_answered_307_or_308_sends_keys_and_token_nowhere_else() {
    for status in [307, 308] {
        let other = target().await;
        let to = format!("{}/oauth2/revoke", other.base_url);
        let first = Scripted::start_all(move |req, _| match req.path.as_str() {
            "/oauth2/token" => Reply::ok(TOKEN_ANSWER),
            _ => redirect(status, &to),
        })
        .await;
        let client = local_builder(&first.base_url, "ws://127.0.0.1:9")
            .build()
            .unwrap();
        client.authenticate().await.unwrap();
        let err = client.revoke_token().await.unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{err}");
        let paths: Vec<String> = first.requests().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/oauth2/token", "/oauth2/revoke"], "{status}");
        assert_eq!(
            other.requests().len(),
            0,
            "{status}: nothing reached the second listener"
        );
    }
}

//! Runtime behaviour against a scripted local server: answers the simulator does not
//! produce (1687, 1634, a looping next-key, odd header case, string return codes).

use futures::StreamExt;
use kiwoom_runtime::Error;
use kiwoom_tests::runtime_support::{BuyOrder, DailyChart, StockInfo, local_builder};
use kiwoom_tests::scripted::{Reply, Scripted};

fn client(s: &Scripted) -> kiwoom_runtime::Client {
    local_builder(&s.base_url, "ws://127.0.0.1:9")
        .build()
        .unwrap()
}

#[tokio::test]
async fn recursive_call_1687_is_not_retried() {
    let s = Scripted::start(|_, _| {
        Reply::ok(r#"{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1687:재귀 호출이 발생하여 API 호출을 제한합니다, API ID=ka10001]"}"#)
    })
    .await;
    let err = client(&s).call(StockInfo::new("005930")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api { code, .. } if code.code() == 1687
        ),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert_eq!(s.requests().len(), 1, "1687 must not be resent");
}

#[tokio::test]
async fn batch_limit_1634_is_not_retried_though_it_looks_like_1700() {
    let s = Scripted::start(|_, _| {
        Reply::ok(r#"{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1634]"}"#)
    })
    .await;
    let err = client(&s).call(StockInfo::new("005930")).await.unwrap_err();
    assert_eq!(err.kiwoom_code().map(|c| c.code()), Some(1634), "{err}");
    assert_eq!(s.requests().len(), 1, "1634 must not be resent");
}

#[tokio::test]
async fn http_429_and_1701_are_backed_off_and_resent() {
    let s = Scripted::start(|_, n| match n {
        0 => Reply { status: 429, headers: vec![], body: r#"{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:유량=5]"}"#.into() },
        1 => Reply::ok(r#"{"return_code":"1701","return_msg":"허용된 전체 요청 개수를 초과하였습니다. 총유량=20"}"#),
        _ => Reply::ok(r#"{"return_code":"0000","return_msg":"정상","stk_nm":"삼성전자"}"#),
    })
    .await;
    let body = client(&s).call(StockInfo::new("005930")).await.unwrap();
    assert_eq!(body.0["stk_nm"], "삼성전자");
    assert_eq!(s.requests().len(), 3);
}

#[tokio::test]
async fn order_rejects_with_rc_codes_are_api_errors_not_retried() {
    let s = Scripted::start(|_, _| {
        Reply::ok(
            r#"{"return_code":20,"return_msg":"[2000](RC4007:모의투자 매매제한 종목입니다.)"}"#,
        )
    })
    .await;
    let err = client(&s)
        .call(BuyOrder::limit("005930", 1, 70000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { code, .. } if code.code() == 4007),
        "{err}"
    );
    assert_eq!(s.requests().len(), 1);
}

#[tokio::test]
async fn order_5xx_is_outcome_unknown_and_sent_once() {
    let s = Scripted::start(|_, _| Reply {
        status: 502,
        headers: vec![],
        body: "bad gateway".into(),
    })
    .await;
    let err = client(&s)
        .call(BuyOrder::limit("005930", 3, 70000))
        .await
        .unwrap_err();
    match &err {
        Error::OutcomeUnknown { order, cause } => {
            assert_eq!(order.quantity.as_ref().map(|q| q.0), Some(3));
            assert!(matches!(**cause, Error::Http { status: 502, .. }));
        }
        other => panic!("expected OutcomeUnknown, got {other}"),
    }
    assert_eq!(s.requests().len(), 1);
}

#[tokio::test]
async fn headers_sent_and_continuation_only_on_later_pages() {
    let s = Scripted::start(|_, n| {
        let r = Reply::ok(r#"{"return_code":0,"stk_dt_pole_chart_qry":[{"dt":"1"},{"dt":"2"}]}"#);
        // Mixed-case header names: must be read case-insensitively.
        match n {
            0 => r.header("Cont-Yn", "Y").header("Next-Key", "K1"),
            1 => r.header("cont-yn", "Y").header("next-key", "K2"),
            _ => r.header("cont-yn", "N").header("next-key", ""),
        }
    })
    .await;
    let rows: Vec<_> = client(&s)
        .call(DailyChart::new("005930"))
        .items()
        .collect()
        .await;
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(Result::is_ok));
    let reqs = s.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].header("api-id"), Some("ka10081"));
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer scripted-token-7e1f")
    );
    assert_eq!(
        reqs[0].header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(
        reqs[0].header("cont-yn"),
        None,
        "no continuation headers on the first call"
    );
    assert_eq!(reqs[0].header("next-key"), None);
    assert_eq!(reqs[1].header("cont-yn"), Some("Y"));
    assert_eq!(reqs[1].header("next-key"), Some("K1"));
    assert_eq!(reqs[2].header("next-key"), Some("K2"));
    let body: serde_json::Value = serde_json::from_str(&reqs[0].body).unwrap();
    assert_eq!(body["stk_cd"], "005930");
}

#[tokio::test]
async fn pager_stops_on_a_repeated_next_key() {
    let s = Scripted::start(|_, _| {
        Reply::ok(r#"{"return_code":0,"stk_dt_pole_chart_qry":[{"dt":"1"}]}"#)
            .header("cont-yn", "Y")
            .header("next-key", "SAME")
    })
    .await;
    let pages: Vec<_> = client(&s)
        .call(DailyChart::new("005930"))
        .pages()
        .collect()
        .await;
    assert_eq!(
        pages.len(),
        2,
        "first page, then the page that repeated the key; then stop"
    );
    assert_eq!(s.requests().len(), 2);
}

#[tokio::test]
async fn pager_stops_on_an_empty_next_key_and_on_max_pages() {
    let s = Scripted::start(|_, _| {
        Reply::ok(r#"{"return_code":0,"stk_dt_pole_chart_qry":[]}"#)
            .header("cont-yn", "Y")
            .header("next-key", "")
    })
    .await;
    let pages: Vec<_> = client(&s)
        .call(DailyChart::new("005930"))
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert_eq!(s.requests().len(), 1);

    let s = Scripted::start(|_, n| {
        Reply::ok(r#"{"return_code":0,"stk_dt_pole_chart_qry":[]}"#)
            .header("cont-yn", "Y")
            .header("next-key", &format!("K{n}"))
    })
    .await;
    let pages: Vec<_> = client(&s)
        .call(DailyChart::new("005930"))
        .max_pages(4)
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 4);
    assert_eq!(s.requests().len(), 4);
    let last = pages.last().unwrap().as_ref().unwrap();
    assert!(last.cont_yn);
    assert_eq!(last.next_key.as_deref(), Some("K3"));
}

#[tokio::test]
async fn pager_stops_at_the_first_error() {
    let s = Scripted::start(|_, n| match n {
        0 => Reply::ok(r#"{"return_code":0,"stk_dt_pole_chart_qry":[{"dt":"1"}]}"#).header("cont-yn", "Y").header("next-key", "K1"),
        _ => Reply::ok(r#"{"return_code":2,"return_msg":"입력 값 오류입니다[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터=base_dt]"}"#),
    })
    .await;
    let items: Vec<_> = client(&s)
        .call(DailyChart::new("005930"))
        .items()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(matches!(
        &items[1],
        Err(Error::Api { code, .. }) if code.code() == 1511
    ));
    assert_eq!(s.requests().len(), 2);
}

#[tokio::test]
async fn invalid_request_is_refused_before_sending() {
    let s = Scripted::start(|_, _| Reply::ok(r#"{"return_code":0}"#)).await;
    let c = client(&s);
    let err = c.call(StockInfo::new("")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "stk_cd"),
        "{err}"
    );
    assert!(err.to_string().contains("ka10001"));
    let first = c.call(DailyChart::new("")).pages().next().await.unwrap();
    assert!(matches!(first, Err(Error::Validation(_))));
    assert_eq!(s.requests().len(), 0);
}

#[tokio::test]
async fn malformed_body_is_a_decode_error_naming_the_tr() {
    let s = Scripted::start(|_, _| Reply::ok("<html>oops</html>")).await;
    let err = client(&s).call(StockInfo::new("005930")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode(d) if d.api_id == "ka10001" && d.raw.contains("oops")),
        "{err}"
    );
    assert_eq!(s.requests().len(), 1, "decode errors are not resent");
}

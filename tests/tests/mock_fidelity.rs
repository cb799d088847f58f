//! The simulator as clients nobody here wrote see it, with a plain HTTP client against the
//! workspace spec/: OAuth without `api-id`, unknown stock codes refused as Kiwoom documents,
//! real names (English ones for US symbols), 9-digit US order numbers, one clock for every
//! chart and quote, units as the spec declares them.

use chrono::{Datelike, Duration as Days, NaiveDate, NaiveDateTime, Timelike, Utc, Weekday};
use kiwoom_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn new(server: &MockServer) -> Api {
        let http = reqwest::Client::new();
        let base = server.base_url();
        let r: Value = http
            .post(format!("{base}/oauth2/token"))
            .json(&json!({"grant_type": "client_credentials", "appkey": "k", "secretkey": "s"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = r["token"].as_str().expect("au10001 without api-id").into();
        Api { http, base, token }
    }

    async fn call(&self, path: &str, api_id: &str, body: Value) -> Value {
        self.http
            .post(format!("{}{path}", self.base))
            .header("api-id", api_id)
            .header("authorization", format!("Bearer {}", self.token))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn magnitude(s: &str) -> i64 {
    s.trim_start_matches(['+', '-']).parse().unwrap()
}

#[tokio::test]
async fn oauth_works_without_api_id_and_other_paths_still_need_it() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let base = server.base_url();
    let keys = json!({"grant_type": "client_credentials", "appkey": "k", "secretkey": "s"});
    let issued = http
        .post(format!("{base}/oauth2/token"))
        .json(&keys)
        .send()
        .await
        .unwrap();
    assert_eq!(issued.headers()["api-id"], "au10001", "answered as au10001");
    let issued: Value = issued.json().await.unwrap();
    assert_eq!(issued["return_code"], 0, "{issued}");
    let token = s(&issued, "token").to_string();
    assert_eq!(server.control().processed("au10001"), 1);

    // Any other path without api-id: 1501, as before.
    let r: Value = http
        .post(format!("{base}/api/dostk/stkinfo"))
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({"stk_cd": "005930"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(s(&r, "return_msg").contains("[1501:"), "{r}");

    // au10002 without api-id revokes.
    let r: Value = http
        .post(format!("{base}/oauth2/revoke"))
        .json(&json!({"appkey": "k", "secretkey": "s", "token": token}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["return_code"], 0, "{r}");
    assert_eq!(server.control().processed("au10002"), 1);
    // An api-id that does not match the OAuth path is still refused (1504).
    let r: Value = http
        .post(format!("{base}/oauth2/token"))
        .header("api-id", "au10002")
        .json(&keys)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(s(&r, "return_msg").contains("[1504:"), "{r}");
}

#[tokio::test]
async fn unknown_codes_are_refused_and_known_ones_carry_real_names() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let api = Api::new(&server).await;
    for code in ["999999", "samsung"] {
        let r = api
            .call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": code}))
            .await;
        assert_eq!(r["return_code"], 2, "{r}");
        assert_eq!(
            s(&r, "return_msg"),
            format!(
                "입력 값 오류입니다[1902:종목 정보가 없습니다. 입력한 종목코드 값을 확인바랍니다. 종목코드={code}]"
            )
        );
    }
    // An order for an unknown code is refused before the book sees it.
    let r = api
        .call(
            "/api/dostk/ordr",
            "kt10000",
            json!({"dmst_stex_tp": "KRX", "stk_cd": "999999", "ord_qty": "1", "trde_tp": "3"}),
        )
        .await;
    assert!(s(&r, "return_msg").contains("[1902:"), "{r}");
    assert_eq!(server.control().processed("kt10000"), 0);

    for (code, name) in [
        ("005930", "삼성전자"),
        ("A005930", "삼성전자"),
        ("247540", "에코프로비엠"),
        ("069500", "KODEX 200"),
        ("M04020000", "금 99.99_1Kg"),
    ] {
        let r = api
            .call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": code}))
            .await;
        assert_eq!(
            (r["return_code"].as_i64(), s(&r, "stk_nm")),
            (Some(0), name)
        );
    }

    let r = api
        .call(
            "/api/us/mrkcond",
            "usa20100",
            json!({"stex_tp": "ND", "stk_cd": "NVDA"}),
        )
        .await;
    assert_eq!(r["return_code"], 0, "{r}");
    assert_eq!(
        (s(&r, "stk_nm"), s(&r, "stk_enm")),
        ("엔비디아", "NVIDIA Corporation")
    );
    // NVDA is a NASDAQ symbol: asked on NYSE it is refused with 1903.
    let r = api
        .call(
            "/api/us/mrkcond",
            "usa20100",
            json!({"stex_tp": "NY", "stk_cd": "NVDA"}),
        )
        .await;
    assert!(
        s(&r, "return_msg").ends_with("[1903:종목 정보가 없습니다. 입력한 종목코드, 거래소구분 값을 확인바랍니다. 거래소구분=NY, 종목코드=NVDA]"),
        "{r}"
    );
    // US lists name every row in English, never with the placeholder label.
    let r = api
        .call(
            "/api/us/stkinfo",
            "usa24140",
            json!({"stex_tp": "0", "sort_tp": "0", "updown_tp": "0"}),
        )
        .await;
    let rows = r["result_list"].as_array().unwrap_or_else(|| panic!("{r}"));
    assert!(!rows.is_empty());
    for row in rows {
        let english = s(row, "stk_enm");
        assert!(
            english != "종목영문명" && english.is_ascii() && english.len() > 2,
            "{row}"
        );
    }
}

#[tokio::test]
async fn us_order_numbers_have_nine_digits() {
    let server = MockServer::start(MockConfig::default()).await.unwrap();
    let api = Api::new(&server).await;
    let r = api
        .call(
            "/api/us/ordr",
            "ust20000",
            json!({"stex_tp": "ND", "stk_cd": "NVDA", "ord_qty": "1", "ord_uv": "1.00", "trde_tp": "00"}),
        )
        .await;
    assert_eq!(r["return_code"], 0, "{r}");
    let no = s(&r, "ord_no");
    assert!(
        no.len() == 9 && no.bytes().all(|b| b.is_ascii_digit()),
        "US order number {no}"
    );
    let r = api
        .call(
            "/api/us/ordr",
            "ust20003",
            json!({"orig_ord_no": no, "stex_tp": "ND", "stk_cd": "NVDA"}),
        )
        .await;
    assert_eq!(r["return_code"], 0, "{r}");
    assert_eq!(s(&r, "ord_no").len(), 9);
    let r = api
        .call(
            "/api/dostk/ordr",
            "kt10000",
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "1000", "trde_tp": "0"}),
        )
        .await;
    assert_eq!(s(&r, "ord_no").len(), 7, "domestic numbers keep 7 digits");
}

/// The latest trading minute at KST `now`, computed here independently of the simulator:
/// now during a weekday session (09:00-15:30), else the last weekday's 15:30.
fn expected_anchor(now: NaiveDateTime) -> (NaiveDate, u32) {
    let weekday = |d: NaiveDate| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let secs = now.num_seconds_from_midnight();
    let close = 15 * 3600 + 30 * 60;
    if weekday(now.date()) && secs >= 9 * 3600 {
        return (now.date(), (secs - secs % 60).min(close));
    }
    let mut day = now.date() - Days::days(1);
    while !weekday(day) {
        day -= Days::days(1);
    }
    (day, close)
}

fn kst_now() -> NaiveDateTime {
    (Utc::now() + Days::hours(9)).naive_utc()
}

fn stamp((d, secs): (NaiveDate, u32)) -> String {
    format!(
        "{}{:02}{:02}{:02}",
        d.format("%Y%m%d"),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[tokio::test]
async fn charts_and_quotes_share_the_simulator_clock() {
    let server = MockServer::start(MockConfig {
        pages: 1,
        rows_per_page: 30,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let api = Api::new(&server).await;
    let before = expected_anchor(kst_now());
    let minutes = api
        .call(
            "/api/dostk/chart",
            "ka10080",
            json!({"stk_cd": "005930", "tic_scope": "1", "upd_stkpc_tp": "1"}),
        )
        .await;
    let quote = api
        .call("/api/dostk/mrkcond", "ka10004", json!({"stk_cd": "005930"}))
        .await;
    let after = expected_anchor(kst_now());
    let rows = minutes["stk_min_pole_chart_qry"]
        .as_array()
        .unwrap_or_else(|| panic!("{minutes}"));
    let first = s(&rows[0], "cntr_tm");
    assert!(
        first == stamp(before) || first == stamp(after),
        "ka10080 without base_dt starts at {first}, the clock says {}",
        stamp(after)
    );
    let times: Vec<&str> = rows.iter().map(|r| s(r, "cntr_tm")).collect();
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "minute bars descend: {times:?}"
    );
    let tm = s(&quote, "bid_req_base_tm");
    assert!(
        [&stamp(before)[8..], &stamp(after)[8..]].contains(&tm),
        "ka10004 bid_req_base_tm {tm} is not the clock's {}",
        &stamp(after)[8..]
    );

    // The daily chart of the anchor day starts on the minute chart's day.
    let day = first[..8].to_string();
    let daily = api
        .call(
            "/api/dostk/chart",
            "ka10081",
            json!({"stk_cd": "005930", "base_dt": day, "upd_stkpc_tp": "1"}),
        )
        .await;
    let rows = daily["stk_dt_pole_chart_qry"]
        .as_array()
        .unwrap_or_else(|| panic!("{daily}"));
    assert_eq!(s(&rows[0], "dt"), day);
    // trde_prica is in 백만원 (the spec's unit): volume x close / 1,000,000.
    for row in rows {
        let close = magnitude(s(row, "cur_prc"));
        let volume: i64 = s(row, "trde_qty").parse().unwrap();
        let turnover: i64 = s(row, "trde_prica").parse().unwrap();
        assert_eq!(turnover, volume * close / 1_000_000, "{row}");
    }
}

#[tokio::test]
async fn a_fixed_clock_fixes_every_today_and_now() {
    let at = |d: &str, t: &str| {
        NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%Y%m%d %H%M%S").unwrap()
    };
    // Wednesday 2 Dec 2026, 10:05:30 KST: in the session.
    let server = MockServer::start(MockConfig {
        clock: Some(at("20261202", "100530")),
        pages: 1,
        rows_per_page: 400,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let api = Api::new(&server).await;
    let minutes = api
        .call(
            "/api/dostk/chart",
            "ka10080",
            json!({"stk_cd": "005930", "tic_scope": "1", "upd_stkpc_tp": "1"}),
        )
        .await;
    let rows = minutes["stk_min_pole_chart_qry"].as_array().unwrap();
    let times: Vec<&str> = rows.iter().map(|r| s(r, "cntr_tm")).collect();
    assert_eq!(times[0], "20261202100500", "the clock's minute");
    assert_eq!(times[1], "20261202100400");
    // 09:01 is the session's first bar; then the day before, from its close.
    let first_bar = times.iter().position(|t| *t == "20261202090100").unwrap();
    assert_eq!(times[first_bar + 1], "20261201153000");
    let quote = api
        .call("/api/dostk/mrkcond", "ka10004", json!({"stk_cd": "005930"}))
        .await;
    assert_eq!(s(&quote, "bid_req_base_tm"), "100500");

    // An order is stamped with the clock and fills at the clock day's close.
    let r = api
        .call(
            "/api/dostk/ordr",
            "kt10000",
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": "1000", "trde_tp": "0"}),
        )
        .await;
    assert_eq!(r["return_code"], 0, "{r}");
    let open = api
        .call(
            "/api/dostk/acnt",
            "ka10075",
            json!({"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}),
        )
        .await;
    assert_eq!(s(&open["oso"][0], "tm"), "100530", "{open}");

    // Saturday: the latest session is Friday's, to its close.
    let weekend = MockServer::start(MockConfig {
        clock: Some(at("20261205", "120000")),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let api = Api::new(&weekend).await;
    let minutes = api
        .call(
            "/api/dostk/chart",
            "ka10080",
            json!({"stk_cd": "005930", "tic_scope": "1", "upd_stkpc_tp": "1"}),
        )
        .await;
    assert_eq!(
        s(&minutes["stk_min_pole_chart_qry"][0], "cntr_tm"),
        "20261204153000"
    );
}

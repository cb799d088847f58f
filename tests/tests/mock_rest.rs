//! Protocol tests of the simulator's REST side, with a plain HTTP client (no SDK code), so a
//! client bug cannot hide a simulator bug. They use the simulator's small fixture spec.

use std::time::{Duration, Instant};

use kiwoom_mock::{Fault, MockConfig, MockServer, RateScope, fixture_spec_dir};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYYMMDD[HHMMSS]` as seconds since the epoch, reading the wall clock as UTC.
fn wall_secs(s: &str) -> i64 {
    let n = |a: usize, b: usize| s.get(a..b).map_or(0, |x| x.parse::<i64>().unwrap());
    days_from_civil(n(0, 4), n(4, 6), n(6, 8)) * 86_400
        + n(8, 10) * 3600
        + n(10, 12) * 60
        + n(12, 14)
}

fn is_weekend(yyyymmdd: &str) -> bool {
    // 1970-01-01 was a Thursday (weekday 3 counting Monday = 0).
    let weekday = (wall_secs(yyyymmdd) / 86_400 + 3).rem_euclid(7);
    weekday >= 5
}

fn config() -> MockConfig {
    MockConfig {
        spec_dir: Some(fixture_spec_dir()),
        ..MockConfig::default()
    }
}

struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn code(&self) -> i64 {
        self.body["return_code"].as_i64().unwrap_or(-1)
    }
    fn msg(&self) -> &str {
        self.body["return_msg"].as_str().unwrap_or("")
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<absent>")
    }
    fn s(&self, key: &str) -> &str {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} missing in {}", self.body))
    }
}

async fn issue_token(http: &reqwest::Client, base: &str) -> String {
    let r: Value = http
        .post(format!("{base}/oauth2/token"))
        .header("api-id", "au10001")
        .json(&json!({"grant_type": "client_credentials", "appkey": "app", "secretkey": "secret"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["return_code"], 0, "{r}");
    r["token"].as_str().unwrap().to_string()
}

impl Api {
    async fn new(server: &MockServer) -> Api {
        let http = reqwest::Client::new();
        let base = server.base_url();
        let token = issue_token(&http, &base).await;
        Api { base, http, token }
    }

    async fn raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: Value,
    ) -> Result<Reply, reqwest::Error> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    async fn call(&self, path: &str, api_id: &str, body: Value) -> Reply {
        self.call_with(path, api_id, &[], body).await
    }

    async fn call_with(
        &self,
        path: &str,
        api_id: &str,
        extra: &[(&str, &str)],
        body: Value,
    ) -> Reply {
        let auth = format!("Bearer {}", self.token);
        let mut headers = vec![("api-id", api_id), ("authorization", auth.as_str())];
        headers.extend_from_slice(extra);
        self.raw(path, &headers, body)
            .await
            .expect("an HTTP answer")
    }
}

fn chart_request() -> Value {
    json!({"stk_cd": "005930", "base_dt": "20250428", "upd_stkpc_tp": "1"})
}

#[tokio::test]
async fn routing_errors_name_their_code() {
    let server = MockServer::start(config()).await.unwrap();
    let api = Api::new(&server).await;
    let auth = format!("Bearer {}", api.token);

    let r = api
        .raw(
            "/api/dostk/chart",
            &[("authorization", &auth)],
            chart_request(),
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.code()), (StatusCode::OK, 2));
    assert_eq!(
        r.msg(),
        "입력 값 오류입니다[1501:API ID가 Null이거나 값이 없습니다]"
    );

    let r = api
        .call("/api/dostk/chart", "ka99999", chart_request())
        .await;
    assert_eq!(r.code(), 2);
    assert!(
        r.msg().contains("[1505:") && r.msg().contains("API ID=ka99999"),
        "{}",
        r.msg()
    );

    let r = api
        .call("/api/dostk/chart", "ka10001", json!({"stk_cd": "005930"}))
        .await;
    assert_eq!(r.code(), 2);
    assert!(
        r.msg().contains("[1504:") && r.msg().contains("URI=/api/dostk/chart"),
        "{}",
        r.msg()
    );
    assert_eq!(server.control().processed("ka10001"), 0);
}

#[tokio::test]
async fn input_errors_name_the_field() {
    let server = MockServer::start(config()).await.unwrap();
    let api = Api::new(&server).await;
    let r = api
        .call(
            "/api/dostk/chart",
            "ka10081",
            json!({"stk_cd": "005930", "upd_stkpc_tp": "1"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::OK, 2));
    assert_eq!(
        r.msg(),
        "입력 값 오류입니다[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터=base_dt]"
    );

    let r = api
        .call(
            "/api/dostk/chart",
            "ka10081",
            json!({"stk_cd": "005930", "base_dt": "", "upd_stkpc_tp": "1"}),
        )
        .await;
    assert!(
        r.msg().contains("[1511:") && r.msg().ends_with("필수입력 파라미터=base_dt]"),
        "{}",
        r.msg()
    );

    for (body, wire) in [
        (
            json!({"stk_cd": "005930", "base_dt": "2025-04-28", "upd_stkpc_tp": "1"}),
            "base_dt",
        ),
        (
            json!({"stk_cd": "0".repeat(21), "base_dt": "20250428", "upd_stkpc_tp": "1"}),
            "stk_cd",
        ),
        (
            json!({"stk_cd": "005930", "base_dt": "20250428", "upd_stkpc_tp": "7"}),
            "upd_stkpc_tp",
        ),
        (
            json!({"stk_cd": "005930", "base_dt": 20250428, "upd_stkpc_tp": "1"}),
            "base_dt",
        ),
    ] {
        let r = api.call("/api/dostk/chart", "ka10081", body).await;
        assert_eq!(r.code(), 2, "{}", r.body);
        assert!(
            r.msg().contains("[1517:") && r.msg().contains(&format!("파라미터={wire} 실패사유=")),
            "{}",
            r.msg()
        );
    }
    assert_eq!(server.control().requests("ka10081"), 6);
    assert_eq!(server.control().processed("ka10081"), 0);
}

#[tokio::test]
async fn authorization_header_and_token_errors() {
    let server = MockServer::start(config()).await.unwrap();
    let api = Api::new(&server).await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[], "[1513:"),
        (&[("authorization", "Bearer-no-space")], "[1514:"),
        (&[("authorization", "Basic abc")], "[1515:"),
        (&[("authorization", "Bearer")], "[1516:"),
        (&[("authorization", "Bearer not-a-token")], "[8005:"),
    ];
    for (auth, code) in cases {
        let mut headers = vec![("api-id", "ka10001")];
        headers.extend_from_slice(auth);
        let r = api
            .raw("/api/dostk/stkinfo", &headers, json!({"stk_cd": "005930"}))
            .await
            .unwrap();
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::OK, 3),
            "{auth:?}: {}",
            r.body
        );
        assert!(
            r.msg().starts_with("인증에 실패했습니다") && r.msg().contains(code),
            "{auth:?}: {}",
            r.msg()
        );
    }
    let r = api
        .raw(
            "/api/dostk/stkinfo",
            &[
                ("api-id", "ka10001"),
                ("authorization", "Bearer not-a-token"),
            ],
            json!({"stk_cd": "005930"}),
        )
        .await
        .unwrap();
    assert_eq!(
        r.msg(),
        "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"
    );
}

#[tokio::test]
async fn token_issue_checks_keys_and_writes_kst_expiry() {
    let server = MockServer::start(MockConfig {
        app_key: Some("my-app".into()),
        secret_key: Some("my-secret".into()),
        token_lifetime: Duration::from_secs(3600),
        ..config()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let post = |body: Value| {
        http.post(format!("{}/oauth2/token", server.base_url()))
            .header("api-id", "au10001")
            .json(&body)
            .send()
    };
    let bad: Value =
        post(json!({"grant_type": "client_credentials", "appkey": "my-app", "secretkey": "wrong"}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(bad["return_code"], 3);
    assert_eq!(
        bad["return_msg"],
        "인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]"
    );
    let ok: Value = post(
        json!({"grant_type": "client_credentials", "appkey": "my-app", "secretkey": "my-secret"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(ok["return_code"], 0);
    assert_eq!(ok["token_type"], "Bearer");
    assert!(ok["token"].as_str().unwrap().len() >= 32);
    let expires_dt = ok["expires_dt"].as_str().unwrap();
    assert_eq!(expires_dt.len(), 14);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expected = now + 9 * 3600 + 3600;
    assert!(
        (wall_secs(expires_dt) - expected).abs() < 120,
        "expires_dt {expires_dt} is not KST now + 1h"
    );
}

#[tokio::test]
async fn tokens_expire_and_revoke() {
    let server = MockServer::start(config()).await.unwrap();
    let control = server.control();
    let mut api = Api::new(&server).await;
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
            .await
            .code(),
        0
    );

    // au10002 revokes: the same token then answers 8005.
    let revoke = json!({"appkey": "app", "secretkey": "secret", "token": api.token});
    let r = api
        .raw("/oauth2/revoke", &[("api-id", "au10002")], revoke)
        .await
        .unwrap();
    assert_eq!(r.code(), 0, "{}", r.body);
    let r = api
        .call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
        .await;
    assert_eq!(
        (r.code(), r.msg()),
        (3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]")
    );

    // expire_tokens: every issued token dies, a new one works.
    api.token = issue_token(&api.http, &api.base).await;
    control.expire_tokens();
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
            .await
            .code(),
        3
    );
    api.token = issue_token(&api.http, &api.base).await;
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
            .await
            .code(),
        0
    );

    // A short lifetime runs out by itself.
    control.set_token_lifetime(Duration::from_millis(300));
    api.token = issue_token(&api.http, &api.base).await;
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
            .await
            .code(),
        0
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        api.call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
            .await
            .msg()
            .contains("[8005:")
    );
}

#[tokio::test]
async fn header_paging_walks_every_page() {
    let server = MockServer::start(MockConfig {
        pages: 3,
        rows_per_page: 20,
        ..config()
    })
    .await
    .unwrap();
    let api = Api::new(&server).await;
    let mut dates = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let extra: Vec<(&str, &str)> = match &next {
            Some(key) => vec![("cont-yn", "Y"), ("next-key", key.as_str())],
            None => vec![],
        };
        let r = api
            .call_with("/api/dostk/chart", "ka10081", &extra, chart_request())
            .await;
        assert_eq!(r.code(), 0, "{}", r.body);
        assert_eq!(r.header("api-id"), "ka10081");
        assert_eq!(r.header("user-data"), "");
        let rows = r.body["stk_dt_pole_chart_qry"].as_array().unwrap();
        assert_eq!(rows.len(), 20);
        assert_eq!(r.header("resp-cnt"), "20");
        for row in rows {
            dates.push(row["dt"].as_str().unwrap().to_string());
            let close: i64 = row["cur_prc"].as_str().unwrap().parse().unwrap();
            let (high, low): (i64, i64) = (
                row["high_pric"].as_str().unwrap().parse().unwrap(),
                row["low_pric"].as_str().unwrap().parse().unwrap(),
            );
            assert!(low <= close && close <= high, "{row}");
            let tick = match close {
                ..5_000 => 5,
                5_000..20_000 => 10,
                20_000..50_000 => 50,
                50_000..200_000 => 100,
                _ => 500,
            };
            assert_eq!(close % tick, 0, "{close} is not on a KRX tick");
        }
        pages += 1;
        match r.header("cont-yn") {
            "Y" => {
                let key = r.header("next-key").to_string();
                assert!(key.starts_with("A005930") && key.len() == 29, "{key}");
                next = Some(key);
            }
            "N" => {
                assert_eq!(r.header("next-key"), "");
                break;
            }
            other => panic!("cont-yn {other}"),
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(dates[0], "20250428");
    assert!(
        dates.windows(2).all(|w| w[0] > w[1]),
        "dates must strictly descend across pages"
    );
    assert!(is_weekend("20250426"), "2025-04-26 was a Saturday");
    assert!(!is_weekend("20250428"), "2025-04-28 was a Monday");
    for d in &dates {
        assert!(!is_weekend(d), "{d} is not a trading day");
    }
    let r = api
        .call_with(
            "/api/dostk/chart",
            "ka10081",
            &[("cont-yn", "Y"), ("next-key", "garbage")],
            chart_request(),
        )
        .await;
    assert!(
        r.msg().contains("[1517:") && r.msg().contains("파라미터=next-key"),
        "{}",
        r.msg()
    );
}

#[tokio::test]
async fn answers_are_deterministic_and_plausible() {
    let a = MockServer::start(MockConfig {
        seed: 7,
        ..config()
    })
    .await
    .unwrap();
    let b = MockServer::start(MockConfig {
        seed: 7,
        ..config()
    })
    .await
    .unwrap();
    let c = MockServer::start(MockConfig {
        seed: 8,
        ..config()
    })
    .await
    .unwrap();
    let body = json!({"stk_cd": "005930"});
    let ra = Api::new(&a)
        .await
        .call("/api/dostk/stkinfo", "ka10001", body.clone())
        .await;
    let rb = Api::new(&b)
        .await
        .call("/api/dostk/stkinfo", "ka10001", body.clone())
        .await;
    let rc = Api::new(&c)
        .await
        .call("/api/dostk/stkinfo", "ka10001", body)
        .await;
    assert_eq!(ra.body, rb.body);
    assert_ne!(ra.body, rc.body);
    assert!(
        ra.body.get("ghost_fld").is_none(),
        "ghost fields are never sent"
    );
    assert_eq!(ra.s("stk_cd"), "005930");
    assert_eq!(ra.s("stk_nm"), "삼성전자");
    assert_eq!(ra.msg(), "정상적으로 처리되었습니다");
    for r in [&ra, &rc] {
        let base: i64 = r.s("base_pric").parse().unwrap();
        let cur = r.s("cur_prc");
        let magnitude: i64 = cur.trim_start_matches(['+', '-']).parse().unwrap();
        let change: i64 = r.s("pred_pre").parse().unwrap();
        assert_eq!(magnitude - base, change, "{}", r.body);
        let (expected_sign, expected_sig) = match change.signum() {
            1 => ("+", "2"),
            -1 => ("-", "5"),
            _ => ("", "3"),
        };
        assert!(
            cur.starts_with(expected_sign) && (change != 0 || !cur.starts_with(['+', '-'])),
            "{cur} vs change {change}"
        );
        assert_eq!(r.s("pre_sig"), expected_sig);
        let rate: f64 = r.s("flu_rt").parse().unwrap();
        assert!(
            (rate - change as f64 * 100.0 / base as f64).abs() < 0.011,
            "{rate}"
        );
        assert_eq!(r.s("flu_rt").split('.').nth(1).map(str::len), Some(2));
    }
}

async fn order(api: &Api, api_id: &str, body: Value) -> Reply {
    api.call("/api/dostk/ordr", api_id, body).await
}

fn num(s: &str) -> i64 {
    s.trim_start_matches(['+', '0']).parse().unwrap_or(0)
}

#[tokio::test]
async fn orders_fill_and_show_in_inquiries_and_balances() {
    let server = MockServer::start(config()).await.unwrap();
    let api = Api::new(&server).await;
    let cash_before = num(api
        .call("/api/dostk/acnt", "kt00001", json!({"qry_tp": "2"}))
        .await
        .s("entr"));
    let price: i64 = api
        .call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
        .await
        .s("cur_prc")
        .trim_start_matches(['+', '-'])
        .parse()
        .unwrap();

    // Market buy: fills at once at the current price.
    let r = order(
        &api,
        "kt10000",
        json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "10", "trde_tp": "3"}),
    )
    .await;
    assert_eq!(
        (r.code(), r.msg()),
        (0, "모의투자 매수주문완료"),
        "{}",
        r.body
    );
    let filled_no = r.s("ord_no").to_string();
    assert!(filled_no.len() == 7 && filled_no.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(r.s("dmst_stex_tp"), "KRX");

    // A limit buy far below the price rests unfilled.
    let limit = price / 2 / 100 * 100;
    let r = order(&api, "kt10000", json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "3", "ord_uv": limit.to_string(), "trde_tp": "0"})).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let resting = r.s("ord_no").to_string();

    let fills = api
        .call(
            "/api/dostk/acnt",
            "ka10076",
            json!({"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"}),
        )
        .await;
    let rows = fills.body["cntr"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", fills.body);
    assert_eq!(rows[0]["ord_no"], filled_no.as_str());
    assert_eq!(rows[0]["cntr_qty"], "10");
    assert_eq!(rows[0]["cntr_pric"], price.to_string().as_str());
    assert_eq!(fills.header("cont-yn"), "N");

    let open = api
        .call(
            "/api/dostk/acnt",
            "ka10075",
            json!({"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}),
        )
        .await;
    let rows = open.body["oso"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", open.body);
    assert_eq!(rows[0]["ord_no"], resting.as_str());
    assert_eq!(rows[0]["oso_qty"], "3");
    assert_eq!(rows[0]["ord_pric"], limit.to_string().as_str());
    assert_eq!(rows[0]["stk_nm"], "삼성전자");

    // Cash is down by the fill; the unfilled buy reserves its amount.
    let dep = api
        .call("/api/dostk/acnt", "kt00001", json!({"qry_tp": "2"}))
        .await;
    assert_eq!(num(dep.s("entr")), cash_before - 10 * price);
    assert_eq!(
        num(dep.s("ord_alow_amt")),
        cash_before - 10 * price - 3 * limit
    );
    assert_eq!(dep.s("entr").len(), 15, "zero padded");

    let bal = api
        .call(
            "/api/dostk/acnt",
            "kt00018",
            json!({"qry_tp": "1", "dmst_stex_tp": "KRX"}),
        )
        .await;
    let rows = bal.body["acnt_evlt_remn_indv_tot"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", bal.body);
    assert_eq!(rows[0]["stk_cd"], "A005930");
    assert_eq!(num(rows[0]["rmnd_qty"].as_str().unwrap()), 10);
    assert_eq!(num(rows[0]["pur_pric"].as_str().unwrap()), price);
    assert_eq!(num(bal.s("tot_pur_amt")), 10 * price);

    // Amend the resting order up to the price: it fills, under a new number.
    let r = order(&api, "kt10002", json!({"dmst_stex_tp": "KRX", "orig_ord_no": resting, "stk_cd": "005930", "mdfy_qty": "0", "mdfy_uv": price.to_string()})).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    assert_eq!(r.s("base_orig_ord_no"), resting);
    assert_eq!(r.s("mdfy_qty"), "000000000003");
    assert_ne!(r.s("ord_no"), resting);
    let open = api
        .call(
            "/api/dostk/acnt",
            "ka10075",
            json!({"all_stk_tp": "0", "trde_tp": "0", "stex_tp": "0"}),
        )
        .await;
    assert_eq!(
        open.body["oso"].as_array().unwrap().len(),
        0,
        "{}",
        open.body
    );

    // A limit sell above the price rests; cancelling it empties the unfilled list.
    let r = order(&api, "kt10001", json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "5", "ord_uv": (price * 2).to_string(), "trde_tp": "0"})).await;
    assert_eq!(
        (r.code(), r.msg()),
        (0, "모의투자 매도주문완료"),
        "{}",
        r.body
    );
    let ask = r.s("ord_no").to_string();
    let r = order(
        &api,
        "kt10003",
        json!({"dmst_stex_tp": "KRX", "orig_ord_no": ask, "stk_cd": "005930", "cncl_qty": "0"}),
    )
    .await;
    assert_eq!(
        (r.code(), r.s("cncl_qty")),
        (0, "000000000005"),
        "{}",
        r.body
    );
    let r = order(
        &api,
        "kt10003",
        json!({"dmst_stex_tp": "KRX", "orig_ord_no": ask, "stk_cd": "005930", "cncl_qty": "0"}),
    )
    .await;
    assert_eq!(r.code(), 20, "cancelling twice is refused: {}", r.body);
    assert!(r.msg().starts_with("[2000](RC9000:"));

    // Selling more than held is refused; selling what is held fills and returns the cash.
    let r = order(
        &api,
        "kt10001",
        json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "14", "trde_tp": "3"}),
    )
    .await;
    assert_eq!(r.code(), 20, "{}", r.body);
    let r = order(
        &api,
        "kt10001",
        json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "13", "trde_tp": "3"}),
    )
    .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let bal = api
        .call(
            "/api/dostk/acnt",
            "kt00018",
            json!({"qry_tp": "1", "dmst_stex_tp": "KRX"}),
        )
        .await;
    assert_eq!(
        bal.body["acnt_evlt_remn_indv_tot"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        num(api
            .call("/api/dostk/acnt", "kt00001", json!({"qry_tp": "2"}))
            .await
            .s("entr")),
        cash_before
    );

    // A limit price off the KRX tick is refused.
    let r = order(&api, "kt10000", json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "ord_uv": (limit + 1).to_string(), "trde_tp": "0"})).await;
    assert_eq!(r.code(), 20, "{}", r.body);
}

#[tokio::test]
async fn us_orders_place_and_cancel() {
    let server = MockServer::start(config()).await.unwrap();
    let api = Api::new(&server).await;
    let r = api.call("/api/us/ordr", "ust20000", json!({"stex_tp": "ND", "stk_cd": "AAPL", "ord_qty": "2", "ord_uv": "1.0000", "trde_tp": "00"})).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    assert_eq!(r.s("stk_nm"), "애플");
    let no = r.s("ord_no").to_string();
    let r = api
        .call(
            "/api/us/ordr",
            "ust20003",
            json!({"orig_ord_no": no, "stex_tp": "ND", "stk_cd": "AAPL"}),
        )
        .await;
    assert_eq!((r.code(), r.s("cncl_ord_qty")), (0, "2"), "{}", r.body);
}

#[tokio::test]
async fn faults_that_answer() {
    let server = MockServer::start(config()).await.unwrap();
    let control = server.control();
    let api = Api::new(&server).await;
    let body = json!({"stk_cd": "005930"});

    control.inject("ka10001", Fault::Latency(Duration::from_millis(300)), 1);
    let started = Instant::now();
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", body.clone())
            .await
            .code(),
        0
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(control.processed("ka10001"), 1);

    control.inject("ka10001", Fault::Status(503), 1);
    let r = api
        .call("/api/dostk/stkinfo", "ka10001", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        control.processed("ka10001"),
        1,
        "a status fault is not processed"
    );

    control.inject("ka10001", Fault::RateLimited, 1);
    let r = api
        .call("/api/dostk/stkinfo", "ka10001", body.clone())
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, 5));
    assert!(
        r.msg()
            .starts_with("허용된 요청 개수를 초과하였습니다[1700:"),
        "{}",
        r.msg()
    );

    control.inject("ka10001", Fault::TokenInvalid, 1);
    let r = api
        .call("/api/dostk/stkinfo", "ka10001", body.clone())
        .await;
    assert_eq!(
        (r.status, r.code(), r.msg()),
        (
            StatusCode::OK,
            3,
            "인증에 실패했습니다[8005:Token이 유효하지 않습니다]"
        )
    );

    control.inject("kt10000", Fault::MalformedJson, 1);
    let r = order(
        &api,
        "kt10000",
        json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.body.as_str().expect("the body is not JSON");
    assert!(serde_json::from_str::<Value>(text).is_err() && !text.is_empty());
    assert_eq!(control.processed("kt10000"), 1, "the order was placed");

    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", body.clone())
            .await
            .code(),
        0,
        "faults are used up"
    );
    control.inject("ka10001", Fault::Status(500), 5);
    control.clear_faults();
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", body).await.code(),
        0
    );
    assert_eq!(control.processed("ka10001"), 3);
    assert_eq!(control.requests("ka10001"), 6);
}

#[tokio::test]
async fn close_before_processing_drops_the_connection_unprocessed() {
    let server = MockServer::start(config()).await.unwrap();
    let control = server.control();
    let api = Api::new(&server).await;
    control.inject("kt10000", Fault::CloseBeforeProcessing, 1);
    let auth = format!("Bearer {}", api.token);
    let err = api
        .raw(
            "/api/dostk/ordr",
            &[("api-id", "kt10000"), ("authorization", &auth)],
            json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "1", "trde_tp": "3"}),
        )
        .await
        .err()
        .expect("no HTTP answer");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    assert_eq!(
        (control.requests("kt10000"), control.processed("kt10000")),
        (1, 0)
    );
    let fills = api
        .call(
            "/api/dostk/acnt",
            "ka10076",
            json!({"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"}),
        )
        .await;
    assert_eq!(fills.body["cntr"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn close_after_processing_places_the_order_but_never_answers() {
    let server = MockServer::start(config()).await.unwrap();
    let control = server.control();
    let api = Api::new(&server).await;
    control.inject("kt10000", Fault::CloseAfterProcessing, 1);

    // A raw TCP client sees the connection end with zero bytes of response.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = json!({"dmst_stex_tp": "KRX", "stk_cd": "005930", "ord_qty": "2", "trde_tp": "3"})
        .to_string();
    let request = format!(
        "POST /api/dostk/ordr HTTP/1.1\r\nhost: 127.0.0.1\r\napi-id: kt10000\r\nauthorization: Bearer {}\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\n\r\n{}",
        api.token,
        body.len(),
        body
    );
    let mut tcp = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut received))
        .await
        .expect("the server closes the socket");
    assert!(read.is_ok() || received.is_empty(), "{read:?}");
    assert!(
        received.is_empty(),
        "got a response: {}",
        String::from_utf8_lossy(&received)
    );
    assert_eq!(control.processed("kt10000"), 1);

    // ...and yet the order exists.
    let fills = api
        .call(
            "/api/dostk/acnt",
            "ka10076",
            json!({"qry_tp": "0", "sell_tp": "0", "stex_tp": "0"}),
        )
        .await;
    let rows = fills.body["cntr"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", fills.body);
    assert_eq!(rows[0]["cntr_qty"], "2");

    // reqwest sees a transport error, not an HTTP answer.
    control.inject("kt10000", Fault::CloseAfterProcessing, 1);
    let auth = format!("Bearer {}", api.token);
    let result = api
        .raw(
            "/api/dostk/ordr",
            &[("api-id", "kt10000"), ("authorization", &auth)],
            serde_json::from_str(&body).unwrap(),
        )
        .await;
    assert!(result.is_err());
    assert_eq!(control.processed("kt10000"), 2);
}

#[tokio::test]
async fn rate_limits_answer_1700_per_scope() {
    let server = MockServer::start(config()).await.unwrap();
    let control = server.control();
    let api = Api::new(&server).await;
    control.set_rate_limit(RateScope::ApiId("ka10001".into()), 2);
    let body = json!({"stk_cd": "005930"});
    for _ in 0..2 {
        assert_eq!(
            api.call("/api/dostk/stkinfo", "ka10001", body.clone())
                .await
                .code(),
            0
        );
    }
    let r = api
        .call("/api/dostk/stkinfo", "ka10001", body.clone())
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::TOO_MANY_REQUESTS, 5));
    assert_eq!(
        r.msg(),
        "허용된 요청 개수를 초과하였습니다[1700:허용된 API 요청 개수를 초과하였습니다. 유량=2, API ID=ka10001]"
    );
    assert_eq!(control.processed("ka10001"), 2);
    // Another api-id is not limited by this scope.
    assert_eq!(
        api.call("/api/dostk/chart", "ka10081", chart_request())
            .await
            .code(),
        0
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        api.call("/api/dostk/stkinfo", "ka10001", body.clone())
            .await
            .code(),
        0,
        "the window slides"
    );

    control.set_rate_limit(RateScope::Category("/api/dostk/chart".into()), 1);
    assert_eq!(
        api.call(
            "/api/dostk/chart",
            "ka10080",
            json!({"stk_cd": "005930", "tic_scope": "1", "upd_stkpc_tp": "1"})
        )
        .await
        .code(),
        0
    );
    assert_eq!(
        api.call("/api/dostk/chart", "ka10081", chart_request())
            .await
            .code(),
        5
    );

    control.set_rate_limit(RateScope::Global, 0);
    assert_eq!(
        api.call("/api/dostk/acnt", "kt00001", json!({"qry_tp": "2"}))
            .await
            .code(),
        5
    );
}

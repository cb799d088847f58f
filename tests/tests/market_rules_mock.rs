//! The simulator's enforcement of the market rules (`MockConfig::market_rules`): with a fixed
//! clock it refuses what Kiwoom refuses, with Kiwoom's answers. Plain HTTP, no SDK code.
//! Every instant is written in UTC (KST = UTC+9), so the host's zone cannot matter.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kiwoom_mock::{MarketRulesConfig, MockConfig, MockServer, fixture_spec_dir};
use serde_json::{Value, json};

/// The UTC instant of a KST wall-clock time.
fn kst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, 0, mi, 0).unwrap() + chrono::Duration::hours(h as i64 - 9)
}

struct Api {
    _server: MockServer,
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Api {
    async fn start(now: DateTime<Utc>, extra_closures: Vec<NaiveDate>) -> Api {
        let server = MockServer::start(MockConfig {
            spec_dir: Some(fixture_spec_dir()),
            market_rules: Some(MarketRulesConfig {
                now: Some(now),
                extra_closures,
            }),
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let http = reqwest::Client::new();
        let base = server.base_url();
        let r: Value = http
            .post(format!("{base}/oauth2/token"))
            .header("api-id", "au10001")
            .json(&json!({"grant_type": "client_credentials", "appkey": "a", "secretkey": "s"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = r["token"].as_str().expect("a token").to_string();
        Api {
            _server: server,
            base,
            http,
            token,
        }
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

    async fn price(&self) -> i64 {
        let r = self
            .call("/api/dostk/stkinfo", "ka10001", json!({"stk_cd": "005930"}))
            .await;
        r["cur_prc"]
            .as_str()
            .unwrap()
            .trim_start_matches(['+', '-'])
            .parse()
            .unwrap()
    }

    async fn buy(&self, exchange: &str, trde_tp: &str, price: Option<i64>) -> Value {
        let uv = price.map(|p| p.to_string()).unwrap_or_default();
        self.call(
            "/api/dostk/ordr",
            "kt10000",
            json!({"dmst_stex_tp": exchange, "stk_cd": "005930", "ord_qty": "1", "ord_uv": uv, "trde_tp": trde_tp}),
        )
        .await
    }
}

impl Api {
    async fn cancel(&self) -> Value {
        self.call(
            "/api/dostk/ordr",
            "kt10003",
            json!({"dmst_stex_tp": "KRX", "orig_ord_no": "0000001", "stk_cd": "005930", "cncl_qty": "0"}),
        )
        .await
    }
}

fn answer(r: &Value) -> (i64, &str) {
    (
        r["return_code"].as_i64().unwrap_or(-1),
        r["return_msg"].as_str().unwrap_or(""),
    )
}

const OFF_TICK: (i64, &str) = (20, "[2000](RC4003:모의투자 호가단위 오류입니다.)");
const LIMITS: (i64, &str) = (20, "[2000](RC4004:모의투자 상하한가 오류)");
const NOT_A_BUSINESS_DAY: (i64, &str) = (20, "[2000](RC4010:모의투자 영업일이 아닙니다.)");
const BEFORE_OPEN: (i64, &str) = (20, "[2000](RC4057:모의투자 장시작전)");
const AFTER_CLOSE: (i64, &str) = (20, "[2000](RC4058:모의투자 장종료)");
const WRONG_TIME_FOR_TYPE: (i64, &str) = (20, "[2000](RC4059:모의투자 주문가능시간이 아닙니다.)");

#[tokio::test]
async fn during_the_session_prices_must_be_on_the_grid_and_within_the_limits() {
    let api = Api::start(kst(2026, 12, 2, 10, 0), vec![]).await;
    let price = api.price().await;
    assert!(price >= 2_000, "the tick is above 1 won at {price}");

    let r = api.buy("KRX", "0", Some(price)).await;
    assert_eq!(r["return_code"], 0, "{r}");
    let resting = r["ord_no"].as_str().unwrap().to_string();
    assert_eq!(
        answer(&api.buy("KRX", "3", None).await).0,
        0,
        "a market order"
    );

    assert_eq!(
        answer(&api.buy("KRX", "0", Some(price + 1)).await),
        OFF_TICK
    );
    // Multiples of 1,000 are on every band's grid: only the limit can refuse them.
    let far_above = price * 3 / 1_000 * 1_000;
    let far_below = (price / 3 / 1_000 * 1_000).max(1);
    assert_eq!(answer(&api.buy("KRX", "0", Some(far_above)).await), LIMITS);
    assert_eq!(answer(&api.buy("KRX", "0", Some(far_below)).await), LIMITS);

    // An amendment to an off-grid price is refused like a new order.
    let r = api
        .call(
            "/api/dostk/ordr",
            "kt10002",
            json!({"dmst_stex_tp": "KRX", "orig_ord_no": resting, "stk_cd": "005930", "mdfy_qty": "1", "mdfy_uv": (price + 1).to_string()}),
        )
        .await;
    assert_eq!(answer(&r), OFF_TICK);
}

#[tokio::test]
async fn outside_the_sessions_orders_are_refused() {
    let at = |h, m| Api::start(kst(2026, 12, 2, h, m), vec![]);
    let api = at(15, 35).await;
    let price = api.price().await;
    assert_eq!(answer(&api.buy("KRX", "0", Some(price)).await), AFTER_CLOSE);
    assert_eq!(answer(&api.buy("KRX", "3", None).await), AFTER_CLOSE);
    // NXT's after-market is open at 15:35, and SOR can route there.
    assert_eq!(answer(&api.buy("NXT", "0", Some(price)).await).0, 0);
    assert_eq!(answer(&api.buy("SOR", "0", Some(price)).await).0, 0);

    // A cancel is refused only when no session of the venue is open.
    let api = at(19, 0).await;
    assert_eq!(answer(&api.cancel().await), AFTER_CLOSE);

    let api = at(7, 0).await;
    assert_eq!(answer(&api.buy("KRX", "0", Some(price)).await), BEFORE_OPEN);
    let api = at(8, 45).await;
    // The opening auction takes limit orders but not 최유리지정가.
    assert_eq!(answer(&api.buy("KRX", "0", Some(price)).await).0, 0);
    assert_eq!(
        answer(&api.buy("KRX", "6", None).await),
        WRONG_TIME_FOR_TYPE
    );
}

#[tokio::test]
async fn holidays_and_one_off_closures_are_not_business_days() {
    let api = Api::start(kst(2026, 12, 25, 10, 0), vec![]).await;
    let price = api.price().await;
    assert_eq!(
        answer(&api.buy("KRX", "0", Some(price)).await),
        NOT_A_BUSINESS_DAY
    );
    let api = Api::start(kst(2026, 12, 5, 10, 0), vec![]).await;
    assert_eq!(
        answer(&api.buy("SOR", "3", None).await),
        NOT_A_BUSINESS_DAY,
        "a Saturday"
    );
    let closed = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let api = Api::start(kst(2026, 12, 2, 10, 0), vec![closed]).await;
    assert_eq!(answer(&api.buy("KRX", "3", None).await), NOT_A_BUSINESS_DAY);
}

#[tokio::test]
async fn us_orders_follow_us_eastern_hours_and_cent_ticks() {
    async fn us_buy(api: &Api, uv: &str) -> Value {
        api.call(
            "/api/us/ordr",
            "ust20000",
            json!({"stex_tp": "ND", "stk_cd": "AAPL", "ord_qty": "1", "ord_uv": uv, "trde_tp": "00"}),
        )
        .await
    }
    // 10:00 EST = 15:00 UTC on a Wednesday.
    let api = Api::start(Utc.with_ymd_and_hms(2026, 12, 2, 15, 0, 0).unwrap(), vec![]).await;
    assert_eq!(answer(&us_buy(&api, "1.005").await), OFF_TICK);
    assert_eq!(answer(&us_buy(&api, "1.0000").await).0, 0);
    // 21:00 EST: after the after-hours session.
    let api = Api::start(Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap(), vec![]).await;
    assert_eq!(answer(&us_buy(&api, "1.0000").await), AFTER_CLOSE);
}

//! kiwoom-mock: a local simulator of Kiwoom's REST API and WebSocket, driven by `spec/`.
//!
//! One port serves every REST path (dispatched on the `api-id` header, as Kiwoom does),
//! OAuth (`/oauth2/token`, `/oauth2/revoke`; the `api-id` header may be left out there, as
//! Kiwoom's servers allow and kwcli and other clients do), both WebSocket paths
//! (`/api/dostk/websocket`, `/api/us/websocket`), and the simulator's own admin endpoints
//! under `/_mock/`. Everything a test needs to run a trading flow offline and
//! deterministically, including the failures that hurt in production. The aim is to be exactly
//! as strict as Kiwoom: a client that works here should work there, and the other way round.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use kiwoom_mock::{Fault, MockConfig, MockServer};
//! let server = MockServer::start(MockConfig::default()).await?;
//! let base = server.base_url(); // http://127.0.0.1:PORT
//! server.control().inject("kt10000", Fault::CloseAfterProcessing, 1);
//! # Ok(()) }
//! ```
//!
//! # Answers
//!
//! Success: HTTP 200, the body synthesized from the TR's response fields (see `synth`) plus
//! `return_code: 0` and `return_msg`, and the response headers `api-id`, `cont-yn`,
//! `next-key`, `resp-cnt`, `user-data`. TRs with header paging serve `MockConfig::pages`
//! pages of `rows_per_page` rows; the last page has `cont-yn: N` and an empty `next-key`.
//!
//! Errors follow the captured live shapes: business errors are **HTTP 200** (Kiwoom reports
//! them in the body, so clients must read `return_code`), with a small generic
//! `return_code` and the documented 4-digit code and text in brackets in `return_msg`:
//!
//! | code | when | HTTP | return_code |
//! |---|---|---|---|
//! | 1501 | no `api-id` header | 200 | 2 |
//! | 1505 | unknown api-id | 200 | 2 |
//! | 1504 | api-id not served at this path | 200 | 2 |
//! | 1511 | required field missing or empty (`필수입력 파라미터=<wire>`) | 200 | 2 |
//! | 1517 | bad format, too long, unknown code, non-JSON body, bad next-key (`파라미터=<wire> 실패사유=...`) | 200 | 2 |
//! | 1517 | body over `MockConfig::max_body_bytes` (`파라미터=body`) | **413** | 2 |
//! | 1902 | unknown stock code in `stk_cd`/`jmcode` (`종목코드=<code>`) | 200 | 2 |
//! | 1903 | US symbol not listed on the named exchange (`거래소구분=<ex>, 종목코드=<code>`) | 200 | 2 |
//! | 1513-1516 | authorization header missing / malformed / not Bearer / no token | 200 | 3 |
//! | 8005 | token unknown, expired or revoked | 200 | 3 |
//! | 8001, 8011, 8012, 8016, 8020 | au10001/au10002 key and grant checks | 200 | 3 |
//! | 1700 | rate limit exceeded (any scope), `유량=<n>, API ID=<id>` | **429** | 5 |
//! | RC9000 | order refused by the simulated exchange (`[2000](RC9000:...)`) | 200 | 20 |
//!
//! 429 for rate limits because that is what the live server was seen to send (with
//! return_code 5); 200 everywhere else because Kiwoom's business errors are 200 (captures
//! ka10058, peers). Return code 2 for input errors, 3 for authentication and 5 for limits
//! are the captured generic codes; 20 is the captured order-reject code.
//!
//! WebSocket codes not in Kiwoom's table: 100002 (frame without `trnm`, captured), 105118
//! (more than 100 items in one group, captured text), 105115 (more than 100 items on one
//! connection, captured text); the simulator's own: 100013 (LOGIN refused, text embeds
//! `[CODE=8005:...]`, then the socket closes; or a command before LOGIN), 100001 (unknown
//! `trnm`), 100003 (unknown condition seq), 100004 (bad condition next_key), 105100 (unknown
//! realtime type).
//!
//! Where one of Kiwoom's own request examples sends what the field table refuses, the
//! simulator accepts the example's value; each such decision is listed, with its reason, in
//! [`example_decisions`]. A test sends every REST TR's documented example and expects
//! return_code 0 with every documented field (one listed exception: usa26410's example asks
//! for `NDVA`, a typo of `NVDA`).
//!
//! # Instruments and the clock
//!
//! The simulator knows a small real universe (see the `universe` module): KOSPI and KOSDAQ
//! stocks, ETFs, an ELW and the KRX gold spot product with their listed names, and US symbols
//! on NASDAQ (`ND`), NYSE (`NY`) and AMEX (`NA`) with their Korean and English (`stk_enm`)
//! names. Every code Kiwoom's request examples use is in it. A REST request naming any other
//! code is refused with 1902/1903 before anything is processed (realtime registrations are
//! not checked: they stream made-up values for any code).
//!
//! Every "today" and "now" comes from one clock, Korea's wall clock (KST) or the fixed time
//! `MockConfig::clock` gives: the latest trading day and minute (now during the 09:00-15:30
//! session, else the last session's close). Charts
//! without a date end there (minute charts at the current minute, daily charts on that day),
//! ka10004's `bid_req_base_tm` is that minute, orders are stamped with it. Values are written
//! in the spec's units (ka10081 `trde_prica` in 백만원 = volume x price / 1,000,000).
//! Order numbers have 7 digits, US ones 9 (`000012001`).
//!
//! # Orders, the market, the book and realtime 00/04
//!
//! The market, its fill rules and the account are described in `book` terms (see the `book`
//! module source and `design/simulator-market.md`). Prices walk on the tick grid when stepped
//! ([`MockControl::step_market`], or on a timer with `MockConfig::market_step_interval`);
//! market orders and limits that cross on arrival fill at once, resting limits fill in parts
//! as the price reaches them. Domestic cash, credit and gold-spot orders and US orders act on
//! the book; ka10075/ka10076/kt00007/kt00009/kt00001/kt00004/kt00018 answer from it (order
//! lists paged with `cont-yn`/`next-key`; kt00009 one row per execution, the others one row
//! per order). Each event (accepted 접수, filled 체결, amend or
//! cancel confirmed 확인, refused 거부) pushes a realtime `00` frame to the sockets that
//! registered `00`, with every field Kiwoom documents (`907` is `1` for a sell and `2` for a
//! buy, `905` reads `+매수`, `-매도`, `+매수정정`, `-매도취소`; the fill fields `909`-`911`,
//! `914`, `915` are empty until something fills), and a `04` balance frame to those that
//! registered `04`. With `MockConfig::state_file` the book survives a restart.
//!
//! # Faults, limits and bounds
//!
//! [`Fault`] (each documented with what it does to the book), [`RateScope`] and
//! [`MockControl`] steer a server in-process. The standalone binary takes the same switches as
//! flags, and any server serves them under `/_mock/` (off with `MockConfig::admin = false`):
//!
//! ```text
//! cargo run -p kiwoom-mock -- --port 8080 \
//!     --rate-limit api:kt10000=5 --rate-limit global=20 \
//!     --fault kt10000=close-after-processing*2 --fault ka10081=latency:3000
//! curl -X POST localhost:8080/_mock/faults -d '{"api_id":"kt10000","fault":"status:503","times":1}' -H 'content-type: application/json'
//! curl -X POST localhost:8080/_mock/rate-limits -d '{"scope":"api:ka10081","per_second":5}' -H 'content-type: application/json'
//! curl localhost:8080/_mock/counters/kt10000      # {"api_id":"kt10000","requests":3,"processed":2}
//! ```
//!
//! Faults: `latency:<ms>`, `status:<code>`, `close-before-processing`,
//! `close-after-processing`, `malformed-json`, `rate-limited`, `token-invalid`. Scopes:
//! `global`, `api:<api-id>`, `path:</url/path>`. Admin endpoints: `GET /_mock`,
//! `POST|DELETE /_mock/faults`, `POST|DELETE /_mock/rate-limits`,
//! `POST /_mock/tokens/expire`, `POST /_mock/websockets/drop` (`{"seconds":n}`: refuse
//! reconnects that long), `GET /_mock/counters/{api_id}`, `POST /_mock/market/step`,
//! `GET /_mock/market/{code}`, `POST /_mock/order-frames/drop`,
//! `GET /_mock/order-frames/dropped`. Realtime faults: [`MockControl::drop_order_frames`]
//! (00 frames never sent, the book still changes) and [`MockControl::drop_websockets_for`].
//!
//! Bounds, each answered clearly: a body over `MockConfig::max_body_bytes` (1 MiB) gets HTTP
//! 413 with a 1517 body, unprocessed; a connection beyond `MockConfig::max_connections` (512)
//! gets HTTP 503 with a JSON body and is closed, unread; a client that does not send a
//! request's headers within `MockConfig::header_read_timeout` (75 s, idle keep-alive
//! included) is disconnected. On the WebSocket, a client that does not echo a PING within
//! `MockConfig::ping_echo_timeout` (10 s) is disconnected, as the live server does.

mod admin;
mod api_error;
mod book;
mod catalog;
mod clock;
mod config;
mod control;
mod det;
mod embedded_spec;
pub mod example_decisions;
mod feed;
mod limits;
mod market;
mod paging;
mod rest;
mod rules;
mod server;
mod snapshot;
mod state_file;
mod switches;
mod synth;
mod tokens;
mod universe;
mod walk;
mod ws;

pub use catalog::SpecError;
pub use config::{Fault, MockConfig, RateScope};
pub use control::MockControl;
pub use rules::MarketRulesConfig;
pub use server::MockServer;
pub use snapshot::{
    BookSnapshot, SimFill, SimHolding, SimOrder, SimOrderKind, SimOrderStatus, SimSide,
};
pub use switches::{FaultSwitch, RateSwitch, SwitchError};

/// The small spec shipped with this crate for its own tests (a subset of Kiwoom's TRs in the
/// format of the workspace `spec/`).
pub fn fixture_spec_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("spec")
}

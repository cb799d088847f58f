//! kiwoom-mock: a local simulator of Kiwoom's REST API and WebSocket, driven by `spec/`.
//!
//! One port serves every REST path (dispatched on the `api-id` header, as Kiwoom does),
//! OAuth (`/oauth2/token`, `/oauth2/revoke`) and both WebSocket paths
//! (`/api/dostk/websocket`, `/api/us/websocket`). Everything a test needs to run a trading
//! flow offline and deterministically, including the failures that hurt in production.
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
//! The market, its fill rules and the account are described in [`book`](crate::book) terms:
//! see the `book` module source. Faults and limits: [`Fault`], [`RateScope`], [`MockControl`].

mod admin;
mod api_error;
mod book;
mod catalog;
mod clock;
mod config;
mod control;
mod det;
pub mod example_decisions;
mod limits;
mod market;
mod paging;
mod rest;
mod rules;
mod server;
mod switches;
mod synth;
mod tokens;
mod universe;
mod ws;

pub use catalog::SpecError;
pub use config::{Fault, MockConfig, RateScope};
pub use control::MockControl;
pub use rules::MarketRulesConfig;
pub use server::MockServer;
pub use switches::{FaultSwitch, RateSwitch, SwitchError};

/// The small spec shipped with this crate for its own tests (a subset of Kiwoom's TRs in the
/// format of the workspace `spec/`).
pub fn fixture_spec_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join("spec")
}

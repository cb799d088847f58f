//! The `kiwoom` binary run as a user runs it, against the default `simulator` profile (the
//! bundled simulator, started in the binary's own process on a loopback port): a read TR,
//! paging, the order gate, a dry run, bad flags, the real profile's gates, the catalog.

use assert_cmd::Command;
use serde_json::Value;

fn kiwoom() -> Command {
    let mut cmd = Command::cargo_bin("kiwoom").expect("the kiwoom binary builds");
    // Keys, profiles or a configuration of the test's environment must not change what
    // the profiles do: an empty configuration directory (never created by these commands).
    let config = std::env::temp_dir().join(format!("kiwoom-cli-test-{}", std::process::id()));
    cmd.env("KIWOOM_CONFIG_DIR", config)
        .env_remove("KIWOOM_APP_KEY")
        .env_remove("KIWOOM_SECRET_KEY")
        .env_remove("KIWOOM_PROFILE")
        .env_remove("KIWOOM_SIMULATOR_URL")
        .env_remove("RUST_LOG");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Refused before anything was sent (exit 2), the message carrying every one of `words`.
    fn assert_refused(&self, words: &[&str]) {
        assert_eq!(self.code, 2, "{}", self.stderr);
        for word in words {
            assert!(
                self.stderr.contains(word),
                "no {word:?} in: {}",
                self.stderr
            );
        }
    }
}

fn run(args: &[&str]) -> Run {
    run_with(kiwoom(), args)
}

fn run_with(mut cmd: Command, args: &[&str]) -> Run {
    let out = cmd.args(args).output().expect("kiwoom runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const BUY: &[&str] = &[
    "domestic",
    "order",
    "buy-stock",
    "--domestic-exchange-type",
    "krx",
    "--stock-code",
    "005930",
    "--order-quantity",
    "1",
    "--order-unit-price",
    "70000",
    "--trade-type",
    "normal",
];

fn with(base: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn a_read_tr_answers_from_the_simulator_with_no_credentials() {
    let r = run(&[
        "-o",
        "json",
        "domestic",
        "stock-info",
        "stock-info",
        "--stock-code",
        "005930",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let body: Value = serde_json::from_str(&r.stdout).expect("json output");
    assert_eq!(body["stk_cd"], "005930");
    assert_eq!(body["stk_nm"], "삼성전자");
    assert_eq!(body["return_code"], 0);
}

#[test]
fn the_table_shows_labels_and_thousands_separators() {
    let r = run(&[
        "-o",
        "table",
        "domestic",
        "chart",
        "stock-daily-chart",
        "--stock-code",
        "005930",
        "--base-date",
        "2025-09-08",
        "--adjusted-stock-price-type",
        "adjusted",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let header = r
        .stdout
        .lines()
        .find(|l| l.starts_with("current_price"))
        .expect("a row header named by the fields' Rust names");
    assert!(header.contains("trade_quantity"), "{header}");
    assert!(
        r.stdout.contains("2025-09-08"),
        "dates as dates: {}",
        r.stdout
    );
    assert!(
        r.stdout.lines().any(|l| l.contains(',')),
        "numbers grouped by thousands: {}",
        r.stdout
    );
}

fn chart_rows(extra: &[&'static str]) -> Vec<Value> {
    let args = with(
        &[
            "-o",
            "ndjson",
            "domestic",
            "chart",
            "stock-daily-chart",
            "--stock-code",
            "005930",
            "--base-date",
            "20250908",
            "--adjusted-stock-price-type",
            "1",
        ],
        extra,
    );
    let r = run(&args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    r.stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON row per line"))
        .collect()
}

#[test]
fn paging_streams_rows_of_every_page_or_of_at_most_n() {
    let config = kiwoom_mock::MockConfig::default();
    let per_page = config.rows_per_page as usize;
    let one = chart_rows(&[]);
    let two = chart_rows(&["--max-pages", "2"]);
    let all = chart_rows(&["--all-pages"]);
    assert_eq!(one.len(), per_page, "no paging flag: one page");
    assert_eq!(two.len(), 2 * per_page);
    assert_eq!(all.len(), config.pages as usize * per_page);
    // The second page continues the first (older dates), it does not repeat it.
    let dates: Vec<&str> = all.iter().map(|r| r["dt"].as_str().expect("dt")).collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(dates, sorted, "rows newest first, none repeated");

    let r = run(&[
        "--all-pages",
        "domestic",
        "stock-info",
        "stock-info",
        "--stock-code",
        "005930",
    ]);
    r.assert_refused(&["ka10001", "does not page"]);
}

#[test]
fn csv_has_a_header_of_field_names_and_one_line_per_row() {
    let r = run(&[
        "-o",
        "csv",
        "--max-pages",
        "2",
        "domestic",
        "chart",
        "stock-daily-chart",
        "--stock-code",
        "005930",
        "--base-date",
        "20250908",
        "--adjusted-stock-price-type",
        "1",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let per_page = kiwoom_mock::MockConfig::default().rows_per_page as usize;
    assert_eq!(lines.len(), 1 + 2 * per_page, "{}", r.stdout);
    let header: Vec<&str> = lines[0].split(',').collect();
    let date = header
        .iter()
        .position(|h| *h == "date")
        .expect("a date column");
    assert!(header.contains(&"current_price"), "{header:?}");
    assert_eq!(
        lines[1].split(',').nth(date),
        Some("20250908"),
        "{}",
        lines[1]
    );
}

#[test]
fn an_order_is_refused_without_the_gate() {
    let r = run(BUY);
    assert_eq!(r.code, 2, "stdout: {}", r.stdout);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("kt10000"), "{}", r.stderr);
    assert!(r.stderr.contains("--allow-orders"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);

    // The JSON escape hatch is gated the same way.
    let r = run(&[
        "call",
        "kt10000",
        "--json",
        r#"{"dmst_stex_tp":"KRX","stk_cd":"005930","ord_qty":"1","trde_tp":"3"}"#,
    ]);
    r.assert_refused(&["--allow-orders"]);
}

#[test]
fn an_order_is_placed_with_the_gate() {
    let r = run(&with(BUY, &["--allow-orders", "-o", "json"]));
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let body: Value = serde_json::from_str(&r.stdout).expect("json output");
    assert_eq!(body["return_code"], 0);
    assert!(
        body["ord_no"].as_str().is_some_and(|n| !n.is_empty()),
        "an order number: {body}"
    );
}

#[test]
fn dry_run_prints_the_validated_body_and_sends_nothing() {
    // On the real profile with no keys: anything that tried to connect would fail first.
    let r = run(&with(BUY, &["--dry-run", "--profile", "real"]));
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let shown: Value = serde_json::from_str(&r.stdout).expect("json output");
    assert_eq!(shown["api_id"], "kt10000");
    assert_eq!(shown["order"], true);
    assert_eq!(
        shown["body"],
        serde_json::json!({
            "dmst_stex_tp": "KRX",
            "stk_cd": "005930",
            "ord_qty": "1",
            "ord_uv": "70000",
            "trde_tp": "0",
        })
    );
    assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);

    // A dry run still validates.
    let r = run(&[
        "--dry-run",
        "domestic",
        "order",
        "buy-stock",
        "--domestic-exchange-type",
        "krx",
        "--stock-code",
        "005930",
        "--order-quantity",
        "0",
        "--trade-type",
        "0",
    ]);
    r.assert_refused(&["--order-quantity (ord_qty"]);
}

#[test]
fn dry_run_redacts_secrets() {
    let r = run(&[
        "--dry-run",
        "oauth",
        "token",
        "issue",
        "--grant-type",
        "client_credentials",
        "--app-key",
        "my-app-key-value",
        "--secret-key",
        "my-secret-value",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(!r.stdout.contains("my-app-key-value"), "{}", r.stdout);
    assert!(!r.stdout.contains("my-secret-value"), "{}", r.stdout);
    assert!(r.stdout.contains("<redacted>"), "{}", r.stdout);
}

#[test]
fn secret_flags_left_out_are_read_from_the_environment() {
    let mut cmd = kiwoom();
    cmd.env("KIWOOM_APP_KEY", "env-app-key")
        .env("KIWOOM_SECRET_KEY", "env-secret");
    let r = run_with(
        cmd,
        &[
            "--dry-run",
            "oauth",
            "token",
            "issue",
            "--grant-type",
            "client_credentials",
        ],
    );
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let shown: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(shown["body"]["appkey"], "<redacted>");
    assert_eq!(shown["body"]["secretkey"], "<redacted>");
    assert!(!r.stdout.contains("env-secret") && !r.stderr.contains("env-secret"));

    // Without the variables the flag is missing, named like any other.
    let r = run(&[
        "--dry-run",
        "oauth",
        "token",
        "issue",
        "--grant-type",
        "client_credentials",
    ]);
    r.assert_refused(&["--app-key (appkey"]);
}

#[test]
fn bad_flags_are_refused_naming_the_tr_and_the_field() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--order-quantity", "abc"],
            &[
                "kt10000",
                "--order-quantity (ord_qty, 주문수량)",
                "not a whole number",
            ],
        ),
        (
            &["--trade-type", "bogus"],
            &[
                "kt10000",
                "--trade-type (trde_tp, 매매구분)",
                "`bogus` is not one of",
                "0=normal (보통)",
            ],
        ),
    ];
    for (replace, expected) in cases {
        let mut args: Vec<&str> = BUY.to_vec();
        let at = args
            .iter()
            .position(|a| *a == replace[0])
            .expect("flag in BUY");
        args[at + 1] = replace[1];
        let r = run(&with(&args, &["--allow-orders"]));
        assert_eq!(r.code, 2, "{args:?}: stdout {}", r.stdout);
        for e in *expected {
            assert!(r.stderr.contains(e), "{args:?}: `{e}` not in {}", r.stderr);
        }
        assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
    }

    let r = run(&[
        "domestic",
        "chart",
        "stock-daily-chart",
        "--stock-code",
        "005930",
        "--base-date",
        "2025-13-45",
        "--adjusted-stock-price-type",
        "1",
    ]);
    r.assert_refused(&["ka10081", "--base-date (base_dt"]);

    let r = run(&[
        "domestic",
        "chart",
        "stock-daily-chart",
        "--stock-code",
        "005930",
    ]);
    r.assert_refused(&["required but missing"]);

    let r = run(&[
        "call",
        "ka10001",
        "--json",
        r#"{"stk_cd":"005930","stk_cd":"000660"}"#,
    ]);
    r.assert_refused(&["--json", "more than once"]);
}

#[test]
fn the_real_profile_needs_keys_from_the_environment_and_yes_for_orders() {
    let r = run(&[
        "--profile",
        "real",
        "domestic",
        "stock-info",
        "stock-info",
        "--stock-code",
        "005930",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("KIWOOM_APP_KEY is not set"),
        "{}",
        r.stderr
    );

    // Keys set, order allowed, but no --yes: refused before any connection; keys never shown.
    let mut cmd = kiwoom();
    cmd.env("KIWOOM_APP_KEY", "app-key-never-shown")
        .env("KIWOOM_SECRET_KEY", "secret-never-shown");
    let r = run_with(cmd, &with(BUY, &["--profile", "real", "--allow-orders"]));
    r.assert_refused(&["--yes"]);
    for text in [&r.stdout, &r.stderr] {
        assert!(!text.contains("never-shown"), "{text}");
    }
}

#[test]
fn find_and_describe_read_the_catalog() {
    let r = run(&["-o", "json", "find", "일봉", "차트"]);
    assert_eq!(r.code, 0);
    let found: Vec<Value> = serde_json::from_str(&r.stdout).expect("json");
    assert!(found.iter().any(|c| c["api_id"] == "ka10081"), "{found:?}");

    let r = run(&["-o", "json", "find", "buy", "stock"]);
    let found: Vec<Value> = serde_json::from_str(&r.stdout).expect("json");
    assert!(
        found
            .iter()
            .any(|c| c["api_id"] == "kt10000" && c["order"] == true),
        "{found:?}"
    );

    for what in [
        &["kt10000"][..],
        &["domestic", "order", "buy-stock"],
        &["domestic/order/buy-stock"],
    ] {
        let r = run(&with(&["-o", "json", "describe"], what));
        assert_eq!(r.code, 0, "{what:?}: {}", r.stderr);
        let d: Value = serde_json::from_str(&r.stdout).expect("json");
        assert_eq!(d["api_id"], "kt10000");
        assert_eq!(d["safety"], "order_write");
        let qty = d["flags"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["wire"] == "ord_qty"))
            .expect("ord_qty flag");
        assert_eq!(qty["unit"], "주");
        assert_eq!(qty["required"], true);
    }
    let r = run(&["describe", "nothing-like-this"]);
    r.assert_refused(&[]);
}

#[test]
fn stream_prints_realtime_events_until_the_count() {
    let r = run(&["-o", "ndjson", "stream", "0B", "005930", "--count", "3"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let events: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect();
    assert_eq!(events.len(), 3, "{}", r.stdout);
    for e in &events {
        assert_eq!(e["type"], "0B");
        assert_eq!(e["item"], "005930");
        // Typed by the table: a direction-signed price is its value and its direction.
        let price = &e["values"]["current_price"];
        assert!(
            price["value"].as_i64().is_some_and(|p| p > 0),
            "values by Rust name, typed: {e}"
        );
        assert!(
            ["up", "down", "unchanged"].contains(&price["direction"].as_str().unwrap_or("")),
            "{e}"
        );
    }

    let r = run(&["stream", "00", "005930"]);
    r.assert_refused(&["account-wide"]);
    let r = run(&["stream", "FE", "NVDA"]);
    r.assert_refused(&["SYMBOL:EXCHANGE"]);
}

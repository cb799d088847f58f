//! The validator on broken copies of a small valid spec (tests/fixtures/check/valid): each
//! test breaks one thing and asserts the exact messages.

use std::path::{Path, PathBuf};

fn valid() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/valid")
}

/// A temp copy of the valid spec with `edit(file, old, new)` replacements applied.
fn broken(edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for rel in [
        "domestic/chart.yaml",
        "domestic/realtime.yaml",
        "errors.yaml",
        "websocket.yaml",
    ] {
        let target = dir.path().join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(valid().join(rel), &target).expect("copy");
    }
    for (rel, old, new) in edits {
        let path = dir.path().join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(old), "fixture {rel} lacks {old:?}");
        std::fs::write(&path, text.replacen(old, new, 1)).expect("write");
    }
    dir
}

fn messages(dir: &Path) -> Vec<String> {
    codegen::check::check(dir)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_valid_fixture_passes() {
    assert_eq!(messages(&valid()), Vec::<String>::new());
}

#[test]
fn unknown_keys_are_schema_errors() {
    let dir = broken(&[(
        "domestic/chart.yaml",
        "    rust: stock_code\n    type: text\n    required: true",
        "    rust: stock_code\n    type: text\n    required: true\n    colour: red",
    )]);
    let m = messages(dir.path());
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].starts_with("domestic/chart.yaml: trs[0].request[0]: unknown field `colour`"),
        "{}",
        m[0]
    );
}

#[test]
fn duplicate_ids_and_english_names() {
    let dir = broken(&[(
        "domestic/chart.yaml",
        "- id: kt10000\n  korean_name: 주식 매수주문\n  english_name: buy_stock",
        "- id: ka10081\n  korean_name: 주식 매수주문\n  english_name: stock_daily_chart",
    )]);
    assert_eq!(
        messages(dir.path()),
        [
            "domestic/chart.yaml: ka10081: TR id is also defined in domestic/chart.yaml",
            "domestic/chart.yaml: ka10081: english_name `stock_daily_chart` is also used by ka10081 (domestic/chart.yaml)",
        ]
    );
}

#[test]
fn bad_and_colliding_rust_names() {
    let dir = broken(&[
        (
            "domestic/chart.yaml",
            "rust: current_price, type: integer }\n    - { wire: dt, korean: 일자, rust: date",
            "rust: current_price, type: integer }\n    - { wire: dt, korean: 일자, rust: current_price",
        ),
        ("domestic/chart.yaml", "rust: order_quantity", "rust: type"),
        (
            "domestic/realtime.yaml",
            "rust: execution_time",
            "rust: 20_time",
        ),
    ]);
    assert_eq!(
        messages(dir.path()),
        [
            "domestic/chart.yaml: ka10081: response.stk_dt_pole_chart_qry.dt: rust name `current_price` is used twice in `response.stk_dt_pole_chart_qry`",
            "domestic/chart.yaml: kt10000: request.ord_qty: rust name `type` is not a valid snake_case identifier (or is a keyword)",
            "domestic/realtime.yaml: 0B: values.20: rust name `20_time` is not a valid snake_case identifier (or is a keyword)",
        ]
    );
}

#[test]
fn malformed_enums() {
    let dir = broken(&[(
        "domestic/chart.yaml",
        "{ code: '1', korean: 적용, rust: Applied }",
        "{ code: '0', korean: 적용, rust: NotApplied }\n      - { code: '2', korean: 기타, rust: not_pascal }",
    )]);
    assert_eq!(
        messages(dir.path()),
        [
            "domestic/chart.yaml: ka10081: request.upd_stkpc_tp: enum `AdjustedPriceType`: code \"0\" appears twice",
            "domestic/chart.yaml: ka10081: request.upd_stkpc_tp: enum `AdjustedPriceType`: variant `NotApplied` appears twice",
            "domestic/chart.yaml: ka10081: request.upd_stkpc_tp: enum `AdjustedPriceType`: variant `not_pascal` (code \"2\") is not a valid PascalCase identifier",
        ]
    );
    let dir = broken(&[(
        "domestic/chart.yaml",
        "    type: enum\n    required: true\n    enum:",
        "    type: text\n    required: true\n    enum:",
    )]);
    assert_eq!(
        messages(dir.path()),
        ["domestic/chart.yaml: ka10081: request.upd_stkpc_tp: `enum:` on a field of type text"]
    );
}

#[test]
fn lists_need_children_and_paging_needs_its_list() {
    let dir = broken(&[
        (
            "domestic/chart.yaml",
            "    fields:\n    - { wire: cur_prc, korean: 현재가, rust: current_price, type: integer }\n    - { wire: dt, korean: 일자, rust: date, type: date }\n",
            "",
        ),
        (
            "domestic/chart.yaml",
            "  paging:\n    kind: none\n  request:\n  - { wire: ord_qty",
            "  paging:\n    kind: header\n    list: ord_no\n  request:\n  - { wire: ord_qty",
        ),
    ]);
    assert_eq!(
        messages(dir.path()),
        [
            "domestic/chart.yaml: ka10081: response.stk_dt_pole_chart_qry: list without child fields",
            "domestic/chart.yaml: kt10000: paging list `ord_no` is not a top-level list of the response",
            "domestic/chart.yaml: kt10000: paging on an order_write TR",
        ]
    );
}

#[test]
fn realtime_transport_needs_realtime() {
    let dir = broken(&[(
        "domestic/realtime.yaml",
        "  realtime:\n    type: 0B\n    item: stock\n    values:\n    - { wire: '10', korean: 현재가, rust: current_price, type: integer }\n    - { wire: '20', korean: 체결시간, rust: execution_time, type: time }\n",
        "",
    )]);
    assert_eq!(
        messages(dir.path()),
        ["domestic/realtime.yaml: 0B: transport realtime without `realtime:`"]
    );
}

#[test]
fn error_codes_are_unique() {
    let dir = broken(&[(
        "errors.yaml",
        "code: 8005, rust: TokenInvalid",
        "code: 1700, rust: TokenInvalid",
    )]);
    assert_eq!(
        messages(dir.path()),
        ["errors.yaml: 1700: code appears twice"]
    );
}

#[test]
fn group_files_live_where_their_id_says() {
    let dir = broken(&[(
        "domestic/realtime.yaml",
        "  id: domestic-realtime",
        "  id: domestic-live",
    )]);
    assert_eq!(
        messages(dir.path()),
        ["domestic/realtime.yaml: group id `domestic-live` should be `domestic-realtime`"]
    );
}

#[test]
fn lengths_must_hold_a_valid_value() {
    let dir = broken(&[
        (
            "domestic/chart.yaml",
            "    type: text\n    required: true\n  - wire: upd_stkpc_tp",
            "    type: date\n    required: true\n    max_length: 3\n  - wire: upd_stkpc_tp",
        ),
        (
            "domestic/chart.yaml",
            "    type: enum\n    required: true\n    enum:",
            "    type: enum\n    required: true\n    max_length: 1\n    enum:",
        ),
        (
            "domestic/chart.yaml",
            "{ code: '1', korean: 적용",
            "{ code: '10', korean: 적용",
        ),
        (
            "domestic/realtime.yaml",
            "rust: execution_time, type: time }",
            "rust: execution_time, type: time, max_length: 4 }",
        ),
    ]);
    assert_eq!(
        messages(dir.path()),
        [
            "domestic/chart.yaml: ka10081: request.stk_cd: max_length 3 cannot hold a valid value: a date is YYYYMMDD (8)",
            "domestic/chart.yaml: ka10081: request.upd_stkpc_tp: max_length 1 cannot hold a valid value: enum code \"10\" has 2 characters",
            "domestic/realtime.yaml: 0B: values.20: max_length 4 cannot hold a valid value: a time is HHMMSS (6)",
        ]
    );
    // A length that fits the longest code is fine.
    let dir = broken(&[(
        "domestic/chart.yaml",
        "    type: enum\n    required: true\n    enum:",
        "    type: enum\n    required: true\n    max_length: 1\n    enum:",
    )]);
    assert_eq!(messages(dir.path()), Vec::<String>::new());
}

//! spec/ against itself: what the generated code enforces or decodes must agree with
//! Kiwoom's own examples. A request example the generated `validate()` would refuse, a
//! time of day that cannot hold a US session time, or a price whose sign is read as
//! arithmetic, each breaks real use.

use codegen::import::values::fits;
use codegen::spec::{Field, Market, Sign, Spec, ValueType, workspace_spec_dir};
use serde_json::Value;

fn walk<'a>(fields: &'a [Field], out: &mut Vec<&'a Field>) {
    for f in fields {
        out.push(f);
        walk(&f.fields, out);
    }
}

/// Request examples whose value is not one of the documented codes, kept on purpose because
/// the table is the better evidence (the import reports them as `request-example-invalid`).
const EXAMPLE_KEPT_WRONG: &[(&str, &str)] = &[
    // Kiwoom's own CLI maps every choice to the 5-digit codes (all=00000) of the table.
    ("ka10017", "trde_qty_tp"),
    ("ka10018", "trde_qty_tp"),
    ("ka10019", "trde_qty_tp"),
    // `5값으로 고정` (always 5) says the table.
    ("kt50030", "mrkt_deal_tp"),
    ("kt50075", "mrkt_deal_tp"),
    // The table and Kiwoom's CLI list 1 and 2 only.
    ("usa24140", "sort_tp"),
    ("usa24140", "updown_tp"),
    ("usa24141", "sort_tp"),
    ("usa24141", "updown_tp"),
];

#[test]
fn request_examples_pass_validation() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut bad = Vec::new();
    for (_, _, tr) in spec.trs() {
        let Some(Ok(Value::Object(example))) = tr
            .examples
            .request
            .as_deref()
            .map(serde_json::from_str::<Value>)
        else {
            continue;
        };
        for (key, value) in &example {
            let (Some(field), Value::String(raw)) =
                (tr.request.iter().find(|f| &f.wire == key), value)
            else {
                continue;
            };
            let code_ok = field
                .enumeration
                .as_ref()
                .is_none_or(|e| raw.is_empty() || e.values.iter().any(|v| &v.code == raw));
            let length_ok = field
                .max_length
                .is_none_or(|m| raw.chars().count() <= m as usize);
            let kept = EXAMPLE_KEPT_WRONG.contains(&(tr.id.as_str(), key.as_str()));
            let ok = fits(field.ty, &field.codec, raw) && length_ok && (code_ok || kept);
            if !ok {
                bad.push(format!("{} request.{key} = {raw:?}", tr.id));
            }
        }
    }
    assert_eq!(bad, Vec::<String>::new());
}

#[test]
fn lengths_hold_a_valid_value() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut bad = Vec::new();
    for (_, _, tr) in spec.trs() {
        let mut all = Vec::new();
        walk(&tr.request, &mut all);
        for f in all {
            if let (Some(max), Some((need, why))) =
                (f.max_length, codegen::import::shortest_valid(f))
                && need > max as usize
            {
                bad.push(format!("{} {}: {max} < {need} ({why})", tr.id, f.wire));
            }
        }
    }
    assert_eq!(bad, Vec::<String>::new());
}

#[test]
fn us_clock_times_are_text_and_no_example_time_passes_24h() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut us_times = Vec::new();
    for (_, group, tr) in spec.trs() {
        let mut all = Vec::new();
        walk(&tr.request, &mut all);
        walk(&tr.response, &mut all);
        if let Some(rt) = &tr.realtime {
            walk(&rt.values, &mut all);
        }
        if group.market == Market::Us {
            us_times.extend(
                all.iter()
                    .filter(|f| f.ty == ValueType::Time)
                    .map(|f| format!("{} {}", tr.id, f.wire)),
            );
        }
    }
    assert_eq!(us_times, Vec::<String>::new());
    // usa20150 `cntr_tm` is Kiwoom's own 24+ hour example.
    let (_, _, tr) = spec
        .trs()
        .find(|(_, _, t)| t.id == "usa20150")
        .expect("usa20150");
    let list = tr
        .response
        .iter()
        .find(|f| f.wire == "result_list")
        .expect("result_list");
    let cntr_tm = list
        .fields
        .iter()
        .find(|f| f.wire == "cntr_tm")
        .expect("cntr_tm");
    assert_eq!(cntr_tm.ty, ValueType::Text);
    assert!(!fits(ValueType::Time, &cntr_tm.codec, "273500"));
}

#[test]
fn prices_carry_a_direction_and_changes_a_value() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let (_, _, tr) = spec
        .trs()
        .find(|(_, _, t)| t.id == "ka10001")
        .expect("ka10001");
    let sign = |wire: &str| {
        tr.response
            .iter()
            .find(|f| f.wire == wire)
            .map(|f| f.codec.sign)
            .expect(wire)
    };
    for price in [
        "cur_prc",
        "oyr_hgst",
        "oyr_lwst",
        "250hgst",
        "250lwst",
        "high_pric",
        "upl_pric",
    ] {
        assert_eq!(sign(price), Sign::Direction, "{price}");
    }
    for change in ["pred_pre", "flu_rt", "250hgst_pric_pre_rt"] {
        assert_eq!(sign(change), Sign::Value, "{change}");
    }
}

#[test]
fn ka10173_has_its_condition_search_push() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let (_, _, tr) = spec
        .trs()
        .find(|(_, _, t)| t.id == "ka10173")
        .expect("ka10173");
    let rt = tr.realtime.as_ref().expect("realtime part");
    assert_eq!(rt.kind, "02");
    let ids: Vec<&str> = rt.values.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(ids, ["841", "9001", "843", "20", "907"]);
}

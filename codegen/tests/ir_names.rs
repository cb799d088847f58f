//! Names a Rust user would write, checked over the IR built from the real spec/: no method
//! repeats the market its group already names, no type or method starts with a verb Kiwoom's
//! function names carry (`get_`, `request_`, `subscribe_`), and one code set is one enum.

use std::collections::BTreeMap;

use codegen::generate::build_api;
use codegen::ir::{Api, EnumDef};
use codegen::spec::workspace_spec_dir;

fn api() -> Api {
    build_api(&workspace_spec_dir()).expect("spec/ builds")
}

const VERBS: &[&str] = &["get_", "request_", "subscribe_"];
const TYPE_VERBS: &[&str] = &["Get", "Request", "Subscribe"];

#[test]
fn no_method_repeats_its_market_or_starts_with_a_verb() {
    let api = api();
    let mut bad = Vec::new();
    for g in &api.groups {
        for t in &g.trs {
            let market_prefix = format!("{}_", g.market);
            if t.method.starts_with(&market_prefix) || VERBS.iter().any(|v| t.method.starts_with(v))
            {
                bad.push(format!("{} {}::{}", t.api_id, g.module, t.method));
            }
            for s in [&t.request, &t.response].into_iter().chain(&t.nested) {
                let market_type = heck_pascal(&g.market);
                let verb = TYPE_VERBS.iter().any(|v| {
                    s.name.starts_with(v) && s.name[v.len()..].starts_with(char::is_uppercase)
                });
                if verb || s.name.starts_with(&market_type) && g.market != "oauth" {
                    bad.push(format!("{} {}::{}", t.api_id, g.module, s.name));
                }
            }
        }
    }
    for r in &api.realtime.types {
        if TYPE_VERBS.iter().any(|v| r.struct_name.starts_with(v))
            || r.struct_name.starts_with("Domestic")
        {
            bad.push(format!("{} realtime::{}", r.code, r.struct_name));
        }
    }
    assert!(
        bad.is_empty(),
        "names that stutter or start with a verb:\n{}",
        bad.join("\n")
    );
}

fn heck_pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

#[test]
fn one_code_set_is_one_enum() {
    let api = api();
    let mut all: Vec<(&str, &EnumDef)> = api.shared_enums.iter().map(|e| ("enums", e)).collect();
    for g in &api.groups {
        all.extend(g.enums.iter().map(|e| (g.module.as_str(), e)));
    }
    all.extend(api.realtime.enums.iter().map(|e| ("realtime", e)));
    let mut by_set: BTreeMap<Vec<(String, String)>, Vec<String>> = BTreeMap::new();
    for (home, e) in &all {
        let mut codes: Vec<(String, String)> = e
            .variants
            .iter()
            .map(|v| (v.code.clone(), v.name.clone()))
            .collect();
        codes.sort();
        by_set
            .entry(codes)
            .or_default()
            .push(format!("{home}::{}", e.name));
    }
    let dups: Vec<String> = by_set
        .iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|(codes, names)| format!("{names:?} share {codes:?}"))
        .collect();
    assert!(
        dups.is_empty(),
        "enums with the same code set:\n{}",
        dups.join("\n")
    );
    // The 1-5 price-change sign Kiwoom uses everywhere is one enum under one name.
    assert!(all.iter().any(|(_, e)| e.name == "PriceChangeSign"));
}

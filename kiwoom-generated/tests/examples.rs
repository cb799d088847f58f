//! Every official response example in spec/ decodes through `decode_response` and
//! re-encodes to the same values. Examples marked `response_invalid` are skipped.

mod common;

use codegen::spec::{Spec, Transport, workspace_spec_dir};
use kiwoom_generated::decode_response;
use serde_json::Value;

fn check(api_id: &str, body: &str, failures: &mut Vec<String>) -> bool {
    let decoded = match decode_response(api_id, body.as_bytes()) {
        Ok(decoded) => decoded,
        Err(e) => {
            failures.push(format!("{api_id}: {e}"));
            return false;
        }
    };
    let input: Value = serde_json::from_str(body).expect("examples are valid JSON");
    let output = serde_json::to_value(&decoded).expect("re-encodes");
    if let Err(diff) = common::same_values(&input, &output, api_id) {
        failures.push(format!("{api_id}: re-encoding differs at {diff}"));
        return false;
    }
    true
}

/// Examples that fail because of a spec type that must change (reported; the test fails
/// when one of these starts to pass, so the list cannot go stale).
const KNOWN_SPEC_PROBLEMS: &[(&str, &str)] = &[];

#[test]
fn every_spec_example_decodes_and_round_trips() {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (_, _, tr) in spec.trs() {
        if tr.examples.response_invalid.is_some() {
            continue;
        }
        if let Some(body) = &tr.examples.response {
            if tr.transport != Transport::Realtime {
                checked += 1;
                check(&tr.id, body, &mut failures);
            }
        }
        if let Some(body) = &tr.examples.push {
            checked += 1;
            let id = tr
                .realtime
                .as_ref()
                .map(|r| r.kind.as_str())
                .unwrap_or(&tr.id);
            check(id, body, &mut failures);
        }
    }
    for (api_id, field) in KNOWN_SPEC_PROBLEMS {
        let position = failures
            .iter()
            .position(|f| f.starts_with(&format!("{api_id}:")) && f.contains(field));
        match position {
            Some(i) => {
                println!("known spec problem: {}", failures.remove(i));
            }
            None => failures.push(format!("{api_id}: listed as a known spec problem at `{field}` but it no longer fails; remove it")),
        }
    }
    println!("{checked} examples checked, {} failed", failures.len());
    assert!(checked > 250, "only {checked} examples found");
    assert!(
        failures.is_empty(),
        "{} of {checked} examples failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

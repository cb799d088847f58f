//! Every captured live response (`../shared/captures/*.json`) decodes with no value lost.
//! Skipped, with a message, when the captures are not present.

mod common;

use kiwoom_generated::decode_response;
use serde_json::Value;

#[test]
fn every_capture_decodes_without_losing_values() {
    let dir = common::shared_dir().join("captures");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "SKIPPED: no captures at {} (they are not part of the repository)",
            dir.display()
        );
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let api_id = name.split("__").next().unwrap().to_owned();
        let body = std::fs::read(path).unwrap();
        match decode_response(&api_id, &body) {
            Ok(decoded) => {
                let input: Value = serde_json::from_slice(&body).unwrap();
                let output = serde_json::to_value(&decoded).unwrap();
                if let Err(diff) = common::same_values(&input, &output, &api_id) {
                    failures.push(format!("{name}: re-encoding differs at {diff}"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "{} captures checked, {} failed",
        paths.len(),
        failures.len()
    );
    assert!(!paths.is_empty(), "the captures folder is empty");
    assert!(
        failures.is_empty(),
        "{} of {} captures failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

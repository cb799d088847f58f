//! spec/ against Kiwoom's own documentation: every api-id and every request/response body
//! field (wire name at its depth) is transcribed, and re-importing reproduces spec/ byte for
//! byte. Kiwoom's files live outside the repository (`../shared/kiwoom`); without them the
//! test says so and passes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::spec::{Field, Spec, Transport, workspace_spec_dir};
use serde_json::Value;

fn kiwoom_json() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/kiwoom/kiwoom_api_spec.json")
}

fn available() -> bool {
    if kiwoom_json().exists() {
        true
    } else {
        println!("skipped: ../shared/kiwoom/kiwoom_api_spec.json not found");
        false
    }
}

fn paths(fields: &[Field], prefix: &str, out: &mut BTreeSet<String>) {
    for f in fields {
        let p = if prefix.is_empty() {
            f.wire.clone()
        } else {
            format!("{prefix}.{}", f.wire)
        };
        out.insert(p.clone());
        paths(&f.fields, &p, out);
    }
}

fn wires(fields: &[Field], out: &mut BTreeSet<String>) {
    for f in fields {
        out.insert(f.wire.clone());
        wires(&f.fields, out);
    }
}

/// (path from the root by depth, wire) of every non-section body row.
fn row_paths(rows: &[Value]) -> Vec<(String, String)> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for row in rows {
        if row["is_section"].as_bool() == Some(true) {
            stack.clear();
            continue;
        }
        let depth = row["depth"].as_u64().unwrap_or(0) as usize;
        let wire = row["element"].as_str().unwrap_or("").trim().to_string();
        stack.truncate(depth);
        let path = stack
            .iter()
            .chain(std::iter::once(&wire))
            .cloned()
            .collect::<Vec<_>>()
            .join(".");
        out.push((path, wire.clone()));
        while stack.len() < depth {
            stack.push(String::new());
        }
        stack.push(wire);
    }
    out
}

#[test]
fn every_api_and_body_field_is_in_spec() {
    if !available() {
        return;
    }
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(kiwoom_json()).expect("read")).expect("json");
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut ws_wires = BTreeSet::new();
    for m in &spec.websocket.messages {
        wires(&m.fields, &mut ws_wires);
    }
    let mut missing = Vec::new();
    let apis = doc["apis"].as_object().expect("apis");
    for api in apis.values() {
        let id = api["meta"]["API ID"].as_str().expect("API ID");
        let Some((_, _, tr)) = spec.trs().find(|(_, _, t)| t.id == id) else {
            missing.push(format!("{id}: TR missing"));
            continue;
        };
        let ws = matches!(
            tr.transport,
            Transport::Realtime | Transport::ConditionSearch
        );
        let mut values = BTreeSet::new();
        if let Some(rt) = &tr.realtime {
            wires(&rt.values, &mut values);
        }
        for (part, fields) in [("request", &tr.request), ("response", &tr.response)] {
            let mut known = BTreeSet::new();
            paths(fields, "", &mut known);
            let rows = api[part]["body"].as_array().expect("body rows");
            for (path, wire) in row_paths(rows) {
                let found = known.contains(&path)
                    || (ws && path.contains("values.") && values.contains(&wire))
                    || (ws && ws_wires.contains(&wire));
                if !found {
                    missing.push(format!("{id} {part}.{path}"));
                }
            }
        }
    }
    assert_eq!(apis.len(), spec.trs().count(), "TR count");
    assert!(
        missing.is_empty(),
        "not transcribed:\n{}",
        missing.join("\n")
    );
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            for f in std::fs::read_dir(&p).expect("read dir").flatten() {
                out.push(f.path().strip_prefix(dir).expect("inside").to_path_buf());
            }
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p.strip_prefix(dir).expect("inside").to_path_buf());
        }
    }
    out.sort();
    out
}

#[test]
fn reimport_reproduces_spec_byte_for_byte() {
    if !available() {
        return;
    }
    let spec = workspace_spec_dir();
    let temp = tempfile::tempdir().expect("tempdir");
    for name in [
        "glossary.yaml",
        "enum-labels.yaml",
        "overrides.yaml",
        "websocket.yaml",
        "names.yaml",
    ] {
        std::fs::copy(spec.join(name), temp.path().join(name)).expect("copy curated input");
    }
    codegen::import::import(&kiwoom_json(), None, temp.path()).expect("import");
    let expected = files(&spec);
    assert_eq!(files(temp.path()), expected, "same set of YAML files");
    let mut differ = Vec::new();
    for rel in &expected {
        let a = std::fs::read(spec.join(rel)).expect("read spec file");
        let b = std::fs::read(temp.path().join(rel)).expect("read imported file");
        if a != b {
            differ.push(rel.display().to_string());
        }
    }
    assert!(
        differ.is_empty(),
        "re-import differs from spec/ in: {differ:?} (run `cargo run -p codegen -- import <json>`)"
    );
}

//! Sanity check of the spec's value types against real server traffic: every value in the
//! captured responses must parse under the type spec/ gives its field. The captures live
//! outside the repository (`../shared/captures`); without them the test says so and passes.

use std::path::{Path, PathBuf};

use codegen::import::values::fits;
use codegen::spec::{Field, Spec, Tr, ValueType, workspace_spec_dir};
use serde_json::Value;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/captures")
}

fn walk(
    tr: &str,
    path: &str,
    map: &serde_json::Map<String, Value>,
    fields: &[Field],
    bad: &mut Vec<String>,
) {
    for (key, value) in map {
        let Some(field) = fields.iter().find(|f| &f.wire == key) else {
            continue;
        };
        let here = format!("{path}.{key}");
        match value {
            Value::Array(rows) => {
                for row in rows {
                    if let Value::Object(row) = row {
                        walk(tr, &here, row, &field.fields, bad);
                    }
                }
            }
            Value::Object(inner) => walk(tr, &here, inner, &field.fields, bad),
            Value::String(s) => {
                if !fits(field.ty, &field.codec, s) {
                    bad.push(format!(
                        "{tr} {here}: {s:?} does not parse as {:?}",
                        field.ty
                    ));
                }
                if field.ty == ValueType::Enum
                    && !s.trim().is_empty()
                    && let Some(e) = &field.enumeration
                    && !e.values.iter().any(|v| v.code == s.trim())
                {
                    println!(
                        "note: {tr} {here}: {s:?} is not a documented code of {}",
                        e.name
                    );
                }
            }
            _ => {}
        }
    }
}

fn check_realtime(tr: &Tr, frame: &Value, bad: &mut Vec<String>) {
    let Some(rt) = &tr.realtime else { return };
    for item in frame
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(Value::Object(values)) = item.get("values") {
            walk(&tr.id, "values", values, &rt.values, bad);
        }
    }
}

#[test]
fn captured_values_parse_under_the_spec_types() {
    let dir = captures_dir();
    if !dir.exists() {
        println!("skipped: ../shared/captures not found");
        return;
    }
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut bad = Vec::new();
    let mut checked = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("captures dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Some(id) = name
            .strip_suffix(".json")
            .and_then(|n| n.split("__").next())
        else {
            continue;
        };
        let Some((_, _, tr)) = spec.trs().find(|(_, _, t)| t.id == id) else {
            continue;
        };
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
            .expect("capture is JSON");
        checked += 1;
        if tr.realtime.is_some() && tr.response.is_empty() {
            check_realtime(tr, &value, &mut bad);
        } else if let Value::Object(map) = &value {
            walk(&tr.id, "response", map, &tr.response, &mut bad);
        }
    }
    println!("checked {checked} captures");
    assert!(checked > 0, "no capture matched a TR of the spec");
    assert!(
        bad.is_empty(),
        "captured values that do not parse under their spec type:\n{}",
        bad.join("\n")
    );
}

//! Comparing a body as received with its re-encoding, value by value.
//!
//! The decoder normalises Kiwoom's string forms (`+0001234` is 1234, `--1500` is -1500,
//! padding spaces are trimmed, an empty value is absent) but keeps the wire text of every
//! value it normalised, so a re-encoding must give back the same keys with the same bytes.

#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use serde_json::Value;

/// `../shared` next to the repository, where Kiwoom's documents and captures live.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

/// `Ok` when `output` writes back every key of `input` with exactly the same value (strings
/// byte for byte: `""`, `00000000`, `+41500` and `--1500` included) and invents nothing; the
/// error names the first path that differs.
pub fn same_values(input: &Value, output: &Value, path: &str) -> Result<(), String> {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    Some(vb) => same_values(va, vb, &p)?,
                    None => return Err(format!("{p}: {va} was dropped")),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    return Err(format!("{path}.{k}: {vb} was invented"));
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{path}: {} elements became {}", a.len(), b.len()));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .try_for_each(|(i, (x, y))| same_values(x, y, &format!("{path}[{i}]")))
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{path}: {a} became {b}")),
    }
}

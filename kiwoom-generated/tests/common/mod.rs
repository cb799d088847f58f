//! Comparing a body as received with its re-encoding, value by value.
//!
//! The decoder normalises Kiwoom's string forms (`+0001234` is 1234, `--1500` is -1500,
//! padding spaces are trimmed, an empty value is absent), so equality is: same keys (an
//! absent key equals an empty value), strings equal after trimming, numbers equal as numbers.

#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use rust_decimal::Decimal;
use serde_json::Value;

/// `../shared` next to the repository, where Kiwoom's documents and captures live.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"))
}

/// Absent, empty, or Kiwoom's "no date" (`00000000`, `00000000000000`), which decode to `None`.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => {
            let s = s.trim();
            s.is_empty() || (matches!(s.len(), 8 | 14) && s.bytes().all(|b| b == b'0'))
        }
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A number in Kiwoom's form, `--` meaning `-`.
fn number(v: &Value) -> Option<Decimal> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    // With two signs the second is the value's (`--1500`, `+-2076560`).
    let text = match text.as_bytes() {
        [b'+' | b'-', b'+' | b'-', ..] => text[1..].to_owned(),
        _ => text,
    };
    let text = text.strip_prefix('+').map(str::to_owned).unwrap_or(text);
    text.parse::<Decimal>().ok()
}

/// `Ok` when `output` carries every value of `input`; the error names the first path that differs.
pub fn same_values(input: &Value, output: &Value, path: &str) -> Result<(), String> {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = format!("{path}.{k}");
                match b.get(k) {
                    Some(vb) => same_values(va, vb, &p)?,
                    None if is_empty(va) => {}
                    None => return Err(format!("{p}: {va} was dropped")),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) && !is_empty(vb) {
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
        (a, b) if is_empty(a) && is_empty(b) => Ok(()),
        (Value::String(a), Value::String(b)) if a.trim() == b.trim() => Ok(()),
        (a, b) => match (number(a), number(b)) {
            (Some(x), Some(y)) if x == y => Ok(()),
            _ => Err(format!("{path}: {a} became {b}")),
        },
    }
}

//! Field-level rules: valid, non-colliding Rust names per struct, well-formed enums, lists
//! and objects with children, lengths that can hold a valid value.

use std::collections::BTreeSet;

use crate::import::{is_valid_pascal_ident, is_valid_snake_ident, shortest_valid};
use crate::spec::{Field, ValueType};

/// Where the fields live, for messages.
pub struct At<'a> {
    pub file: &'a str,
    pub tr: Option<&'a str>,
}

pub fn check_struct(
    fields: &[Field],
    path: &str,
    at: &At,
    out: &mut Vec<super::CheckError>,
    require_children: bool,
) {
    let mut rust_names: BTreeSet<&str> = BTreeSet::new();
    let mut wires: BTreeSet<&str> = BTreeSet::new();
    for f in fields {
        let here = format!("{path}.{}", f.wire);
        let mut err = |message: String| {
            out.push(super::CheckError {
                file: at.file.to_string(),
                tr: at.tr.map(str::to_string),
                field: Some(here.clone()),
                message,
            })
        };
        if f.wire.is_empty() {
            err("empty wire name".to_string());
        }
        if !wires.insert(f.wire.as_str()) {
            err(format!("wire name `{}` appears twice in `{path}`", f.wire));
        }
        if !is_valid_snake_ident(&f.rust) {
            err(format!(
                "rust name `{}` is not a valid snake_case identifier (or is a keyword)",
                f.rust
            ));
        }
        if !rust_names.insert(f.rust.as_str()) {
            err(format!("rust name `{}` is used twice in `{path}`", f.rust));
        }
        // The generated `validate()` enforces max_length: one too short for any valid value
        // makes the request impossible to send.
        if let Some(max) = f.max_length
            && let Some((need, what)) = shortest_valid(f)
            && need > max as usize
        {
            err(format!(
                "max_length {max} cannot hold a valid value: {what}"
            ));
        }
        match (f.ty, &f.enumeration) {
            (ValueType::Enum, None) => err("type enum without `enum:`".to_string()),
            (ValueType::Enum, Some(e)) => {
                if !is_valid_pascal_ident(&e.name) {
                    err(format!(
                        "enum name `{}` is not a valid PascalCase identifier",
                        e.name
                    ));
                }
                if e.values.is_empty() {
                    err(format!("enum `{}` has no values", e.name));
                }
                let mut codes = BTreeSet::new();
                let mut variants = BTreeSet::new();
                for v in &e.values {
                    if !codes.insert(v.code.as_str()) {
                        err(format!(
                            "enum `{}`: code {:?} appears twice",
                            e.name, v.code
                        ));
                    }
                    if !is_valid_pascal_ident(&v.rust) {
                        err(format!(
                            "enum `{}`: variant `{}` (code {:?}) is not a valid PascalCase identifier",
                            e.name, v.rust, v.code
                        ));
                    }
                    if !variants.insert(v.rust.as_str()) {
                        err(format!(
                            "enum `{}`: variant `{}` appears twice",
                            e.name, v.rust
                        ));
                    }
                }
            }
            (_, Some(_)) => err(format!("`enum:` on a field of type {:?}", f.ty).to_lowercase()),
            _ => {}
        }
        match f.ty {
            ValueType::List | ValueType::Object => {
                if f.fields.is_empty() && require_children {
                    err(format!(
                        "{} without child fields",
                        format!("{:?}", f.ty).to_lowercase()
                    ));
                }
            }
            _ => {
                if !f.fields.is_empty() {
                    err(format!(
                        "child fields on a {} field",
                        format!("{:?}", f.ty).to_lowercase()
                    ));
                }
            }
        }
        check_struct(&f.fields, &here, at, out, require_children);
    }
}

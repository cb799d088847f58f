//! `spec/overrides.yaml`: every hand decision, each with a reason, applied after inference so
//! that re-importing a newer Kiwoom file shows only Kiwoom's own changes. Format in spec/README.md.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_norway::Value;

use crate::spec::{ErrorClass, Field, Retry, Tr};

use super::ImportError;
use super::report::Report;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Field-level decisions: `set` is merged into the field's YAML form.
    #[serde(default)]
    pub fields: Vec<FieldOverride>,
    /// Fields whose description lists codes but which are not enums, and why.
    #[serde(default)]
    pub not_enum: Vec<NotEnum>,
    /// TR-level decisions: `set` is merged into the TR's YAML form.
    #[serde(default)]
    pub trs: Vec<TrOverride>,
    /// The curated part of spec/errors.yaml (Kiwoom gives only code and Korean message).
    #[serde(default)]
    pub errors: Vec<ErrorCuration>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOverride {
    /// A TR id, or `*` for every TR that has a field at `path`.
    pub tr: String,
    /// `request.<wire>[.<wire>...]`, `response.<wire>...` or `values.<id>` (realtime values).
    pub path: String,
    pub set: Value,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotEnum {
    /// A TR id, or `*` for every TR.
    pub tr: String,
    /// A field path, or `*` for every field (then narrow it with `description_contains`).
    pub path: String,
    /// Only fields whose description contains this text (to keep a `*` entry narrow).
    #[serde(default)]
    pub description_contains: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrOverride {
    pub tr: String,
    pub set: Value,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCuration {
    pub code: u32,
    pub rust: String,
    pub english: String,
    pub class: ErrorClass,
    #[serde(default)]
    pub retry: Retry,
}

pub fn load(path: &Path) -> Result<Overrides, ImportError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_norway::from_str(&text).map_err(|e| ImportError::parse(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Overrides::default()),
        Err(e) => Err(ImportError::io(path, e)),
    }
}

/// Tracks which overrides were used, so unused ones are reported.
#[derive(Debug, Default)]
pub struct Usage {
    pub fields: BTreeSet<usize>,
    pub not_enum: BTreeSet<usize>,
    pub trs: BTreeSet<usize>,
}

impl Overrides {
    pub fn is_not_enum(
        &self,
        tr: &str,
        path: &str,
        description: &str,
        usage: &mut Usage,
    ) -> Option<&str> {
        let (i, n) = self.not_enum.iter().enumerate().find(|(_, n)| {
            (n.tr == tr || n.tr == "*")
                && (n.path == path || n.path == "*")
                && n.description_contains
                    .as_deref()
                    .is_none_or(|d| description.contains(d))
        })?;
        usage.not_enum.insert(i);
        Some(n.reason.as_str())
    }

    /// Apply the field overrides of `tr` (after inference and the example check).
    pub fn apply_fields(&self, tr: &mut Tr, usage: &mut Usage, report: &mut Report) {
        let id = tr.id.clone();
        let mine = |o: &&FieldOverride| o.tr == id || o.tr == "*";
        for (i, o) in self.fields.iter().enumerate().filter(|(_, o)| mine(o)) {
            let Some(field) = find_field(tr, &o.path) else {
                // A `*` entry names a field that only some TRs have.
                if o.tr == "*" {
                    continue;
                }
                report.add(
                    "override-unmatched",
                    format!("{} {}: no such field ({})", o.tr, o.path, o.reason),
                );
                continue;
            };
            match merge_into(field, &o.set) {
                Ok(()) => {
                    usage.fields.insert(i);
                    report.add(
                        "override-applied",
                        format!("{id} {}: {} ({})", o.path, one_line(&o.set), o.reason),
                    );
                }
                Err(e) => report.add("override-invalid", format!("{} {}: {e}", o.tr, o.path)),
            }
        }
    }

    /// Apply the TR overrides of `tr` (before the example check, so that an example marked
    /// invalid is not used, and before the field overrides, which may refine what they add).
    pub fn apply_trs(&self, tr: &mut Tr, usage: &mut Usage, report: &mut Report) {
        let id = tr.id.clone();
        for (i, o) in self.trs.iter().enumerate().filter(|(_, o)| o.tr == id) {
            match merge_into(tr, &o.set) {
                Ok(()) => {
                    usage.trs.insert(i);
                    report.add(
                        "override-applied",
                        format!("{}: {} ({})", o.tr, one_line(&o.set), o.reason),
                    );
                }
                Err(e) => report.add("override-invalid", format!("{}: {e}", o.tr)),
            }
        }
    }

    pub fn report_unused(&self, usage: &Usage, report: &mut Report) {
        for (i, o) in self.fields.iter().enumerate() {
            if !usage.fields.contains(&i) {
                report.add("override-unused", format!("fields: {} {}", o.tr, o.path));
            }
        }
        for (i, o) in self.not_enum.iter().enumerate() {
            if !usage.not_enum.contains(&i) {
                report.add("override-unused", format!("not_enum: {} {}", o.tr, o.path));
            }
        }
        for (i, o) in self.trs.iter().enumerate() {
            if !usage.trs.contains(&i) {
                report.add("override-unused", format!("trs: {}", o.tr));
            }
        }
    }
}

fn one_line(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn find_field<'a>(tr: &'a mut Tr, path: &str) -> Option<&'a mut Field> {
    let mut parts = path.split('.');
    let root = parts.next()?;
    let mut list: &mut Vec<Field> = match root {
        "request" => &mut tr.request,
        "response" => &mut tr.response,
        "values" => &mut tr.realtime.as_mut()?.values,
        _ => return None,
    };
    let segments: Vec<&str> = parts.collect();
    let (last, init) = segments.split_last()?;
    for seg in init {
        list = &mut list.iter_mut().find(|f| f.wire == *seg)?.fields;
    }
    list.iter_mut().find(|f| f.wire == *last)
}

/// Deep-merge `set` into `target`'s serialized form and read it back (maps merge, anything
/// else replaces), so an override can set any key of the model and is checked by it.
pub fn merge_into<T: Serialize + serde::de::DeserializeOwned>(
    target: &mut T,
    set: &Value,
) -> Result<(), String> {
    let mut value = serde_norway::to_value(&*target).map_err(|e| e.to_string())?;
    merge(&mut value, set);
    *target = serde_norway::from_value(value).map_err(|e| e.to_string())?;
    Ok(())
}

fn merge(base: &mut Value, set: &Value) {
    match (base, set) {
        (Value::Mapping(b), Value::Mapping(s)) => {
            for (k, v) in s {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, s) => *b = s.clone(),
    }
}

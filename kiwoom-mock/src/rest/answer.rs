//! A successful answer and the helpers that write state into a synthesized body.

use codegen::spec::Field;
use serde_json::{Map, Value};

use crate::synth::{Num, Synth, direction, render};

/// What a processed request answers: the body (without the envelope) and paging headers.
#[derive(Debug)]
pub struct Answer {
    pub body: Map<String, Value>,
    pub return_msg: String,
    pub cont_yn: bool,
    pub next_key: String,
    pub resp_cnt: usize,
}

impl Answer {
    pub fn single(body: Map<String, Value>, return_msg: &str) -> Answer {
        Answer {
            body,
            return_msg: return_msg.to_string(),
            cont_yn: false,
            next_key: String::new(),
            resp_cnt: 1,
        }
    }
}

/// A request field's text, trimmed; empty when absent or not a string.
pub fn text<'a>(body: &'a Map<String, Value>, wire: &str) -> &'a str {
    body.get(wire)
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("")
}

/// A value from the simulator's state, rendered with the field's own codec.
pub enum Ov {
    Int(i64),
    /// A price in minor units and the previous close its direction sign is taken against.
    Price(i64, i64),
    /// Basis points of a percentage (1.50 % = 150).
    Rate(i64),
    Text(String),
}

/// Overwrite `wire` in `obj` when the spec documents it among `fields`; undocumented wires
/// are never added.
pub fn set(obj: &mut Map<String, Value>, fields: &[Field], wire: &str, ov: Ov, synth: &Synth) {
    let Some(f) = fields.iter().find(|f| f.wire == wire) else {
        return;
    };
    if !obj.contains_key(wire) {
        return;
    }
    let text = match ov {
        Ov::Int(v) => render(f, Num::int(v), None),
        Ov::Price(p, prev) => render(f, synth.price_num(p), direction(p, prev)),
        Ov::Rate(bp) => render(
            f,
            Num {
                mantissa: bp,
                frac: 2,
            },
            None,
        ),
        Ov::Text(t) => t,
    };
    obj.insert(wire.to_string(), Value::String(text));
}

/// The top-level list field a TR's rows live in.
pub fn list_field<'a>(fields: &'a [Field], paging_list: Option<&str>) -> Option<&'a Field> {
    paging_list
        .and_then(|name| fields.iter().find(|f| f.wire == name))
        .or_else(|| {
            fields
                .iter()
                .find(|f| f.ty == codegen::spec::ValueType::List)
        })
}

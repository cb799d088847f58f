//! Request lengths that contradict the field (ka20007 `base_dt` a `YYYYMMDD` date of length
//! 3, ka10019 `trde_qty_tp` of length 4 whose codes have 5 characters). The generated
//! `validate()` enforces `max_length`, so a length too short for a valid value would make a
//! valid request impossible to send. Such a length carries no information and is dropped;
//! the server still checks what it receives. Runs after the overrides, so that an enum an
//! override adds is measured too.

use serde_json::Value;

use crate::spec::{Field, Tr, ValueType};

use super::report::Report;

/// Characters a valid value needs at least, when the type or the codes say so.
pub fn shortest_valid(field: &Field) -> Option<(usize, String)> {
    match field.ty {
        ValueType::Date => Some((8, "a date is YYYYMMDD (8)".to_string())),
        ValueType::Time => Some((6, "a time is HHMMSS (6)".to_string())),
        ValueType::Datetime => Some((14, "a datetime is YYYYMMDDHHMMSS (14)".to_string())),
        ValueType::Enum => field
            .enumeration
            .as_ref()?
            .values
            .iter()
            .map(|v| v.code.as_str())
            .max_by_key(|c| c.chars().count())
            .map(|code| {
                let n = code.chars().count();
                (n, format!("enum code {code:?} has {n} characters"))
            }),
        _ => None,
    }
}

pub fn apply(tr: &mut Tr, report: &mut Report) {
    let example: Option<serde_json::Map<String, Value>> = tr
        .examples
        .request
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    for field in &mut tr.request {
        let Some(max) = field.max_length else {
            continue;
        };
        let max = max as usize;
        let mut why = Vec::new();
        if let Some((need, what)) = shortest_valid(field)
            && need > max
        {
            why.push(what);
        }
        if let Some(Value::String(v)) = example.as_ref().and_then(|e| e.get(&field.wire))
            && v.chars().count() > max
        {
            why.push(format!("Kiwoom's request example sends {v:?}"));
        }
        if !why.is_empty() {
            report.add(
                "length-contradiction",
                format!(
                    "{} request.{}: max_length {max} dropped: {}",
                    tr.id,
                    field.wire,
                    why.join("; ")
                ),
            );
            field.max_length = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Codec, EnumValue, Enumeration, Examples, Paging, Presence, RowShape};
    use crate::spec::{Safety, Transport};

    fn field(wire: &str, ty: ValueType, max: u32, codes: &[&str]) -> Field {
        Field {
            wire: wire.into(),
            korean: String::new(),
            rust: wire.into(),
            ty,
            required: true,
            presence: Presence::Optional,
            max_length: Some(max),
            description: String::new(),
            unit: None,
            codec: Codec::default(),
            role: None,
            enumeration: (!codes.is_empty()).then(|| Enumeration {
                name: "E".into(),
                values: codes
                    .iter()
                    .map(|c| EnumValue {
                        code: (*c).into(),
                        korean: String::new(),
                        rust: format!("C{c}"),
                    })
                    .collect(),
            }),
            row_shape: RowShape::Object,
            fields: Vec::new(),
        }
    }

    #[test]
    fn lengths_that_cannot_hold_a_valid_value_are_dropped_and_reported() {
        let mut tr = Tr {
            id: "ka1".into(),
            korean_name: String::new(),
            english_name: "x".into(),
            function_name: String::new(),
            summary: String::new(),
            transport: Transport::Rest,
            path: "/".into(),
            safety: Safety::Read,
            paging: Paging::None,
            order: None,
            trnm: None,
            notes: Vec::new(),
            request: vec![
                field("base_dt", ValueType::Date, 3, &[]),
                field("qty_tp", ValueType::Enum, 4, &["0000", "00100"]),
                field("stk_cd", ValueType::Text, 6, &[]),
                field("ok_dt", ValueType::Date, 8, &[]),
                field("tp", ValueType::Enum, 1, &["0", "1"]),
            ],
            response: Vec::new(),
            realtime: None,
            examples: Examples {
                request: Some(r#"{"stk_cd":"005930_NX","ok_dt":"20250101"}"#.into()),
                ..Examples::default()
            },
        };
        let mut report = Report::default();
        apply(&mut tr, &mut report);
        let kept: Vec<Option<u32>> = tr.request.iter().map(|f| f.max_length).collect();
        assert_eq!(kept, [None, None, None, Some(8), Some(1)]);
        assert_eq!(
            report.cases_of("length-contradiction"),
            [
                "ka1 request.base_dt: max_length 3 dropped: a date is YYYYMMDD (8)",
                "ka1 request.qty_tp: max_length 4 dropped: enum code \"00100\" has 5 characters",
                "ka1 request.stk_cd: max_length 6 dropped: Kiwoom's request example sends \"005930_NX\"",
            ]
        );
    }
}

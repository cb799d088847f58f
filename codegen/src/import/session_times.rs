//! Clock times of the US market. Kiwoom writes them in KST and lets the hours of one
//! session run past midnight (usa20150 `cntr_tm` `"273500"` is 03:35 the next morning), so a
//! time of day cannot hold them: every `time` of a US TR is text, with the format in `unit`,
//! and each case is reported. Datetimes keep their type: they carry the calendar date, and
//! Kiwoom's examples roll it (usa06010 `cntr_tm` `"20260624080700"`, an after-hours fill at
//! 08:07 KST written on the next day, not as hour 32 of the day before); they are reported
//! too so that the decision can be reviewed. Runs after the example check, before overrides.

use crate::spec::{Codec, Field, Market, Tr, ValueType};

use super::notes::walk;
use super::report::Report;

/// The `unit` note of a US session time (the generator shows it in the field's docs).
pub const SESSION_TIME_UNIT: &str = "HHMMSS KST; hours may run past 24 (273500 = 03:35 next day)";

pub fn apply(tr: &mut Tr, market: Market, report: &mut Report) {
    if market != Market::Us {
        return;
    }
    let id = tr.id.clone();
    let mut cases = Vec::new();
    let mut visit = |root: &str, fields: &mut Vec<Field>| {
        walk(fields, &mut |f| match f.ty {
            ValueType::Time => {
                f.ty = ValueType::Text;
                f.unit = Some(SESSION_TIME_UNIT.to_string());
                f.codec = Codec::default();
                cases.push((
                    "us-session-time",
                    format!("{id} {root} `{}` {}: time -> text", f.wire, f.korean),
                ));
            }
            ValueType::Datetime => cases.push((
                "us-session-time",
                format!(
                    "{id} {root} `{}` {}: datetime kept (the date is rolled, the hour stays < 24)",
                    f.wire, f.korean
                ),
            )),
            _ => {}
        });
    };
    visit("request", &mut tr.request);
    visit("response", &mut tr.response);
    if let Some(rt) = tr.realtime.as_mut() {
        visit("values", &mut rt.values);
    }
    for (kind, case) in cases {
        report.add(kind, case);
    }
}

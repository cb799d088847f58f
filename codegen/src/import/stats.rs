//! Statistics of the written spec (after overrides): fields per value type, per part, and
//! enum fields against fields whose description lists codes.

use crate::spec::{Field, GroupFile};

use super::enums::lists_codes;
use super::report::Report;

pub fn collect(file: &GroupFile, report: &mut Report) {
    for tr in &file.trs {
        count(&tr.request, "request", report);
        count(&tr.response, "response", report);
        if let Some(rt) = &tr.realtime {
            count(&rt.values, "realtime values", report);
        }
    }
}

fn count(fields: &[Field], part: &str, report: &mut Report) {
    for f in fields {
        report.count(&format!(
            "{part} fields typed {}",
            format!("{:?}", f.ty).to_lowercase()
        ));
        if f.enumeration.is_some() {
            report.count("enum fields (all parts)");
        }
        if lists_codes(&f.description) {
            report.count("fields with codes in the description");
        }
        count(&f.fields, part, report);
    }
}

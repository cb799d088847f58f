//! Rust field names must be unique within each struct (request, response, each list row,
//! realtime values). Clashes after translation are settled deterministically: the later
//! field (in Kiwoom's order) gets its own wire name appended, and each case is reported.

use std::collections::BTreeMap;

use crate::spec::{Field, Tr};

use super::names::finish_snake;
use super::report::Report;

pub fn settle_tr(tr: &mut Tr, report: &mut Report) {
    let id = tr.id.clone();
    settle(&mut tr.request, &format!("{id} request"), report);
    settle(&mut tr.response, &format!("{id} response"), report);
    if let Some(rt) = tr.realtime.as_mut() {
        settle(&mut rt.values, &format!("{id} values"), report);
    }
}

fn settle(fields: &mut [Field], context: &str, report: &mut Report) {
    // rust name -> the wire name that took it first.
    let mut used: BTreeMap<String, String> = BTreeMap::new();
    for f in fields.iter_mut() {
        if let Some(first) = used.get(&f.rust).cloned() {
            let mut candidate = finish_snake(&format!("{}_{}", f.rust, f.wire));
            let mut n = 2;
            while used.contains_key(&candidate) {
                candidate = format!("{}_{n}", finish_snake(&format!("{}_{}", f.rust, f.wire)));
                n += 1;
            }
            report.add(
                "name-collision",
                format!(
                    "{context}: `{first}` and `{}` both want `{}`; `{}` becomes `{candidate}`",
                    f.wire, f.rust, f.wire
                ),
            );
            f.rust = candidate;
        }
        used.insert(f.rust.clone(), f.wire.clone());
    }
    for f in fields.iter_mut() {
        let child_context = format!("{context}.{}", f.wire);
        settle(&mut f.fields, &child_context, report);
    }
}

//! The import report: every case the importer decided, repaired or could not resolve,
//! grouped by kind, printed in a stable order.

use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// kind -> cases (deduplicated, sorted when printed).
    pub cases: BTreeMap<String, Vec<String>>,
    /// Named counters (type statistics and the like), printed after the cases.
    pub stats: BTreeMap<String, usize>,
}

/// Kinds printed last, because they are the ones a reviewer acts on.
const LAST: &[&str] = &["unresolved-name"];

impl Report {
    pub fn add(&mut self, kind: &str, case: impl Into<String>) {
        self.cases
            .entry(kind.to_string())
            .or_default()
            .push(case.into());
    }

    pub fn count(&mut self, stat: &str) {
        *self.stats.entry(stat.to_string()).or_default() += 1;
    }

    pub fn cases_of(&self, kind: &str) -> &[String] {
        self.cases.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn render(&self) -> String {
        let mut cases = self.cases.clone();
        for list in cases.values_mut() {
            list.sort();
            list.dedup();
        }
        let mut out = String::new();
        let _ = writeln!(out, "== import report: counts by kind ==");
        for (kind, list) in &cases {
            let _ = writeln!(out, "{kind:>28}: {}", list.len());
        }
        let ordered = cases
            .iter()
            .filter(|(k, _)| !LAST.contains(&k.as_str()))
            .chain(cases.iter().filter(|(k, _)| LAST.contains(&k.as_str())));
        for (kind, list) in ordered {
            let _ = writeln!(out, "\n== {kind} ({}) ==", list.len());
            for case in list {
                let _ = writeln!(out, "  {case}");
            }
        }
        let _ = writeln!(out, "\n== statistics ==");
        for (stat, n) in &self.stats {
            let _ = writeln!(out, "{stat:>40}: {n}");
        }
        out
    }
}

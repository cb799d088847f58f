//! The validator of spec/: reads spec/ alone (no Kiwoom files, no network) and lists every
//! problem, each naming the file, the TR and the field.

mod fields;
mod load;
mod trs;

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

/// One problem found in spec/.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CheckError {
    /// Path relative to the spec directory (`domestic/chart.yaml`).
    pub file: String,
    /// The TR id, when the problem is inside one.
    pub tr: Option<String>,
    /// The field path (`response.stk_dt_pole_chart_qry.cur_prc`), when inside one.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(tr) = &self.tr {
            write!(f, ": {tr}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Validate the spec directory; an empty list means it is valid.
pub fn check(spec_dir: &Path) -> Vec<CheckError> {
    let mut errors = Vec::new();
    let loaded = load::load(spec_dir, &mut errors);
    trs::check_groups(&loaded.groups, &mut errors);
    if let Some(e) = &loaded.errors {
        trs::check_errors(e, &mut errors);
    }
    if let Some(ws) = &loaded.websocket {
        trs::check_websocket(ws, &mut errors);
    }
    errors.sort();
    errors.dedup();
    errors
}

pub fn run_cli(spec_dir: &Path) -> ExitCode {
    let errors = check(spec_dir);
    if errors.is_empty() {
        println!("spec check: {} is valid", spec_dir.display());
        ExitCode::SUCCESS
    } else {
        for e in &errors {
            eprintln!("{e}");
        }
        eprintln!("spec check: {} error(s)", errors.len());
        ExitCode::FAILURE
    }
}

//! spec/errors.yaml: Kiwoom's codes and Korean messages, joined with the curated English
//! names, classes and retry advice kept in spec/overrides.yaml (`errors:`).

use crate::spec::{ErrorClass, ErrorCode, ErrorsFile, Retry};

use super::kiwoom::ErrorRow;
use super::overrides::ErrorCuration;
use super::report::Report;

pub fn build(rows: &[ErrorRow], curated: &[ErrorCuration], report: &mut Report) -> ErrorsFile {
    let mut errors = Vec::new();
    for row in rows {
        let Ok(code) = row.code.trim().parse::<u32>() else {
            report.add(
                "error-code",
                format!("`{}` is not a number; skipped", row.code),
            );
            continue;
        };
        let korean = row.message.trim().to_string();
        match curated.iter().find(|c| c.code == code) {
            Some(c) => errors.push(ErrorCode {
                code,
                rust: c.rust.clone(),
                korean,
                english: c.english.clone(),
                class: c.class,
                retry: c.retry,
            }),
            None => {
                report.add("error-code", format!("{code}: no curated entry in overrides.yaml `errors`; named Code{code}, class server"));
                errors.push(ErrorCode {
                    code,
                    rust: format!("Code{code}"),
                    korean: korean.clone(),
                    english: korean,
                    class: ErrorClass::Server,
                    retry: Retry::Never,
                });
            }
        }
    }
    for c in curated {
        if !rows.iter().any(|r| r.code.trim() == c.code.to_string()) {
            report.add(
                "override-unused",
                format!("errors: {} is not in Kiwoom's table", c.code),
            );
        }
    }
    errors.sort_by_key(|e| e.code);
    ErrorsFile { errors }
}

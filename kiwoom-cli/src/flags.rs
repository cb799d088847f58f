//! Flags to the TR's wire JSON: dates, times and enum names converted to what Kiwoom reads
//! (`2025-09-08` -> `20250908`, `adjusted` -> `1`), then read and validated by the generated
//! `parse_request` / `validate`, so a flag is checked exactly like a typed request. Every
//! error names the TR and the flag before anything is sent.

use clap::ArgMatches;
use kiwoom_generated::kiwoom_runtime::ValidationError;
use kiwoom_generated::registry::{self, AnyRequest};
use serde_json::{Map, Value as Json};

use crate::catalog::{Command, Flag, Kind};
use crate::error::CliError;

/// The request of `c` from its flags, read and validated.
pub fn request(c: &Command, matches: &ArgMatches) -> Result<(AnyRequest, Json), CliError> {
    let mut body = Map::new();
    for f in c.flags {
        let given = matches.get_one::<String>(f.long).cloned();
        // A key left out is read from the environment the profiles use, so it need not be
        // typed where the process list and shell history keep it.
        let given = given.or_else(|| match f.kind {
            Kind::Secret => crate::profile::secret_from_env(f.wire),
            _ => None,
        });
        let Some(raw) = given.as_deref() else {
            if f.required {
                return Err(flag_error(c, f, "required but missing".to_owned()));
            }
            continue;
        };
        let wire = to_wire(f, raw).map_err(|problem| flag_error(c, f, problem))?;
        body.insert(f.wire.to_owned(), Json::String(wire));
    }
    let body = Json::Object(body);
    let request = parse(c, &body)?;
    Ok((request, body))
}

/// Read and validate a wire body (an object, or JSON text read strictly).
pub fn parse(c: &Command, body: &Json) -> Result<AnyRequest, CliError> {
    let request = registry::parse_request(c.api_id, body).map_err(|e| validation(c, e))?;
    request.validate().map_err(|e| validation(c, e))?;
    Ok(request)
}

/// A validation error with the flag's name beside the wire name.
pub fn validation(c: &Command, e: ValidationError) -> CliError {
    match c.flag_by_wire(e.field) {
        Some(f) => flag_error(c, f, e.problem.to_string()),
        // Errors about the body as a whole (`kiwoom call --json`: not an object, a key
        // given twice, a key the TR does not have).
        None if e.field == kiwoom_generated::kiwoom_runtime::codec::BODY => CliError::Flag {
            tr: c.label(),
            flag: "--json".to_owned(),
            problem: e.problem.to_string(),
        },
        None => CliError::Flag {
            tr: c.label(),
            flag: format!("`{}`", e.field),
            problem: e.problem.to_string(),
        },
    }
}

fn flag_error(c: &Command, f: &Flag, problem: String) -> CliError {
    CliError::Flag {
        tr: c.label(),
        flag: format!("--{} ({}, {})", f.long, f.wire, f.korean),
        problem,
    }
}

/// A flag's text as Kiwoom writes the value.
pub fn to_wire(f: &Flag, raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    match f.kind {
        Kind::Text | Kind::Secret => Ok(raw.to_owned()),
        Kind::Integer => {
            let digits: String = raw.chars().filter(|c| *c != ',' && *c != '_').collect();
            digits
                .parse::<i64>()
                .map(|_| digits.clone())
                .map_err(|_| format!("`{raw}` is not a whole number"))
        }
        Kind::Decimal => {
            let digits: String = raw.chars().filter(|c| *c != ',' && *c != '_').collect();
            let (int, frac) = digits.split_once('.').unwrap_or((&digits, "0"));
            let int = int.strip_prefix(['+', '-']).unwrap_or(int);
            if !int.is_empty()
                && int.chars().all(|c| c.is_ascii_digit())
                && frac.chars().all(|c| c.is_ascii_digit())
            {
                Ok(digits)
            } else {
                Err(format!("`{raw}` is not a decimal number"))
            }
        }
        Kind::Date => date(raw).map(|d| d.format("%Y%m%d").to_string()),
        Kind::Time => time(raw).map(|t| t.format("%H%M%S").to_string()),
        Kind::Datetime => {
            let parsed = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y%m%d%H%M%S"]
                .iter()
                .find_map(|fmt| chrono::NaiveDateTime::parse_from_str(raw, fmt).ok());
            parsed
                .map(|d| d.format("%Y%m%d%H%M%S").to_string())
                .ok_or_else(|| {
                    format!(
                        "`{raw}` is not a date and time (YYYY-MM-DDTHH:MM:SS or YYYYMMDDHHMMSS)"
                    )
                })
        }
        Kind::Enum { values, .. } => {
            let found = values
                .iter()
                .find(|v| v.code == raw)
                .or_else(|| values.iter().find(|v| v.name.eq_ignore_ascii_case(raw)))
                .or_else(|| {
                    values
                        .iter()
                        .find(|v| !v.korean.is_empty() && v.korean == raw)
                });
            match found {
                Some(v) => Ok(v.code.to_owned()),
                None => Err(format!(
                    "`{raw}` is not one of: {}",
                    values
                        .iter()
                        .map(|v| format!("{}={} ({})", v.code, v.name, v.korean))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
    }
}

/// `2025-09-08`, `20250908` or `today` (the Korean date, Kiwoom's calendar).
fn date(raw: &str) -> Result<chrono::NaiveDate, String> {
    if raw.eq_ignore_ascii_case("today") {
        let kst = chrono::FixedOffset::east_opt(9 * 3600).expect("KST is a valid offset");
        return Ok(chrono::Utc::now().with_timezone(&kst).date_naive());
    }
    ["%Y-%m-%d", "%Y%m%d"]
        .iter()
        .find_map(|fmt| chrono::NaiveDate::parse_from_str(raw, fmt).ok())
        .ok_or_else(|| format!("`{raw}` is not a date (YYYY-MM-DD, YYYYMMDD or today)"))
}

fn time(raw: &str) -> Result<chrono::NaiveTime, String> {
    ["%H:%M:%S", "%H%M%S", "%H:%M"]
        .iter()
        .find_map(|fmt| chrono::NaiveTime::parse_from_str(raw, fmt).ok())
        .ok_or_else(|| format!("`{raw}` is not a time (HH:MM:SS or HHMMSS)"))
}

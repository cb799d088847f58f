//! `kiwoom find` and `kiwoom describe`: the catalog, from the generated table.

use std::io::Write;

use serde_json::{Value as Json, json};

use crate::catalog::{self, Command, Kind};
use crate::error::CliError;
use crate::output::Format;

/// Commands where every word appears (case-insensitive) in the api-id, the Korean or English
/// name, the command path, the group, the overview or a flag's label.
pub fn find(words: &[String]) -> Vec<&'static Command> {
    let words: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    catalog::commands()
        .iter()
        .filter(|c| {
            let haystack = haystack(c);
            words.iter().all(|w| haystack.contains(w.as_str()))
        })
        .collect()
}

fn haystack(c: &Command) -> String {
    let mut text = format!(
        "{} {} {} {} {} {} {} {}",
        c.api_id,
        c.korean_name,
        // Kiwoom writes some names with spaces and some without: match both.
        c.korean_name.replace(' ', ""),
        c.english,
        c.path(),
        c.group_english,
        c.group_korean,
        c.summary
    );
    for f in c.flags {
        text.push(' ');
        text.push_str(f.korean);
        text.push(' ');
        text.push_str(f.long);
    }
    text.to_lowercase()
}

pub fn print_found(
    found: &[&Command],
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match format {
        Format::Table => {
            for c in found {
                let mark = if c.is_order() { "  [order]" } else { "" };
                writeln!(
                    out,
                    "{:<8}  {:<56}  {}{mark}",
                    c.api_id,
                    c.path(),
                    c.korean_name
                )?;
            }
            if found.is_empty() {
                eprintln!("no TR matches; try fewer words, or Korean (차트, 매수)");
            }
        }
        Format::Csv => {
            writeln!(out, "api_id,command,korean_name,safety,order")?;
            for c in found {
                writeln!(
                    out,
                    "{},{},{},{},{}",
                    c.api_id,
                    c.path(),
                    c.korean_name.replace(',', " "),
                    c.safety_name(),
                    c.is_order()
                )?;
            }
        }
        Format::Json | Format::Ndjson => {
            let items: Vec<Json> = found.iter().map(|c| summary(c)).collect();
            if format == Format::Json {
                writeln!(out, "{}", pretty(&Json::Array(items)))?;
            } else {
                for i in items {
                    writeln!(out, "{i}")?;
                }
            }
        }
    }
    Ok(())
}

fn summary(c: &Command) -> Json {
    json!({
        "api_id": c.api_id,
        "command": c.path(),
        "korean_name": c.korean_name,
        "safety": c.safety_name(),
        "order": c.is_order(),
        "paging_list": c.paging_list,
    })
}

fn pretty(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// An api-id (`ka10081`), a command path (`domestic chart stock-daily-chart`, as one
/// argument or three), or a path with slashes.
pub fn resolve(what: &[String]) -> Result<&'static Command, CliError> {
    let parts: Vec<&str> = what
        .iter()
        .flat_map(|w| w.split(|c: char| c == '/' || c.is_whitespace()))
        .filter(|p| !p.is_empty())
        .collect();
    let found = match parts.as_slice() {
        [id] => catalog::by_api_id(id),
        [market, group, name] => catalog::by_path(market, group, name),
        _ => None,
    };
    found.ok_or_else(|| {
        CliError::Usage(format!(
            "`{}` is neither an api-id nor a command path (try `kiwoom find {}`)",
            what.join(" "),
            what.last().map(String::as_str).unwrap_or_default()
        ))
    })
}

pub fn describe(c: &Command, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    if format != Format::Table {
        let mut v = summary(c);
        v["summary"] = json!(c.summary);
        v["flags"] = c
            .flags
            .iter()
            .map(|f| {
                let values = match f.kind {
                    Kind::Enum { values, .. } => values
                        .iter()
                        .map(|v| json!({"code": v.code, "name": v.name, "korean": v.korean}))
                        .collect(),
                    _ => Vec::new(),
                };
                json!({
                    "flag": format!("--{}", f.long),
                    "wire": f.wire,
                    "korean": f.korean,
                    "type": f.kind.describe(),
                    "unit": f.unit,
                    "required": f.required,
                    "max_length": f.max_length,
                    "description": f.description,
                    "values": values,
                })
            })
            .collect();
        v["response"] = c
            .response
            .iter()
            .map(|f| {
                json!({"wire": f.path, "rust": f.rust, "korean": f.korean, "type": f.ty, "unit": f.unit, "sign": f.sign})
            })
            .collect();
        writeln!(out, "{}", pretty(&v))?;
        return Ok(());
    }
    writeln!(out, "{}  {}", c.api_id, c.korean_name)?;
    writeln!(out, "command:  kiwoom {}", c.path())?;
    writeln!(out, "group:    {} ({})", c.group_english, c.group_korean)?;
    if !c.summary.is_empty() {
        writeln!(out, "summary:  {}", c.summary)?;
    }
    let order = if c.is_order() {
        "; an order: needs --allow-orders (and --yes on real)"
    } else {
        ""
    };
    writeln!(out, "safety:   {}{order}", c.safety_name())?;
    match c.paging_list {
        Some(list) => writeln!(
            out,
            "paging:   `{list}` continues (--all-pages, --max-pages N)"
        )?,
        None => writeln!(out, "paging:   none")?,
    }
    writeln!(out, "\nflags:")?;
    if c.flags.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for f in c.flags {
        let required = if f.required { "required" } else { "optional" };
        let unit = f.unit.map(|u| format!(", {u}")).unwrap_or_default();
        let length = f
            .max_length
            .map(|n| format!(", at most {n} chars"))
            .unwrap_or_default();
        writeln!(
            out,
            "  --{:<32} {:<10} {}{unit}{length}  {} [{}]",
            f.long,
            required,
            f.kind.describe(),
            f.korean,
            f.wire
        )?;
        if !f.description.is_empty() {
            writeln!(out, "      {}", f.description)?;
        }
        if let Kind::Enum { values, .. } = f.kind {
            for v in values {
                writeln!(out, "      {:<6} {:<28} {}", v.code, v.name, v.korean)?;
            }
        }
    }
    writeln!(out, "\nresponse fields:")?;
    for f in c.response {
        let unit = f.unit.map(|u| format!(" ({u})")).unwrap_or_default();
        let sign = match f.sign {
            "direction" => ", sign = direction vs previous close",
            "value" => ", signed",
            "side" => ", sign = aggressor side",
            _ => "",
        };
        writeln!(
            out,
            "  {:<40} {:<36} {}{sign}{unit}  {}",
            f.path, f.rust, f.ty, f.korean
        )?;
    }
    Ok(())
}

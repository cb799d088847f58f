//! Printing answers: `json` (the wire body, pretty), `ndjson` (one row per line, or the body
//! on one line when it has no list), `csv` (rows with a header of Rust names, values as
//! Kiwoom wrote them), `table` (for people: labels, thousands separators, direction-signed
//! prices with their direction). Paged listings print rows as pages arrive.

use std::io::{IsTerminal, Write};

use serde_json::Value as Json;

use crate::catalog::{Command, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    Csv,
    Table,
}

impl Format {
    /// The flag's value, or table on a terminal and json otherwise.
    pub fn choose(flag: Option<&str>) -> Format {
        match flag {
            Some("json") => Format::Json,
            Some("ndjson") => Format::Ndjson,
            Some("csv") => Format::Csv,
            Some("table") => Format::Table,
            _ if std::io::stdout().is_terminal() => Format::Table,
            _ => Format::Json,
        }
    }
}

/// One whole answer.
pub fn body(c: &Command, body: &Json, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Json => writeln!(out, "{}", pretty(body)),
        Format::Ndjson => match c
            .paging_list
            .and_then(|l| body.get(l))
            .and_then(Json::as_array)
        {
            Some(rows) => rows.iter().try_for_each(|r| writeln!(out, "{r}")),
            None => writeln!(out, "{body}"),
        },
        Format::Csv => csv_body(c, body, out),
        Format::Table => table_body(c, body, out),
    }
}

/// The rows of the paged list (or of the first list), or the scalars as one row.
fn csv_body(c: &Command, body: &Json, out: &mut dyn Write) -> std::io::Result<()> {
    let list = c
        .paging_list
        .and_then(|l| body.get(l).map(|v| (l, v)))
        .or_else(|| {
            body.as_object()
                .and_then(|m| m.iter().find(|(_, v)| v.is_array()))
                .map(|(k, v)| (k.as_str(), v))
        });
    match list.and_then(|(l, v)| v.as_array().map(|rows| (l, rows))) {
        Some((list, rows)) => {
            let keys = csv_keys(rows);
            csv_header(c, &format!("{list}[]."), &keys, out)?;
            rows.iter().try_for_each(|r| csv_row(&keys, r, out))
        }
        None => {
            let Json::Object(map) = body else {
                return writeln!(out, "{body}");
            };
            let keys: Vec<String> = map
                .iter()
                .filter(|(_, v)| !v.is_array() && !v.is_object())
                .map(|(k, _)| k.clone())
                .collect();
            csv_header(c, "", &keys, out)?;
            csv_row(&keys, body, out)
        }
    }
}

fn csv_keys(rows: &[Json]) -> Vec<String> {
    rows.first()
        .and_then(Json::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn csv_header(
    c: &Command,
    prefix: &str,
    keys: &[String],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    csv_record(
        keys.iter().map(|k| {
            c.field(&format!("{prefix}{k}"))
                .map_or(k.clone(), |f| f.rust.to_owned())
        }),
        out,
    )
}

fn csv_row(keys: &[String], row: &Json, out: &mut dyn Write) -> std::io::Result<()> {
    csv_record(
        keys.iter().map(|k| match row.get(k) {
            None | Some(Json::Null) => String::new(),
            Some(Json::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        }),
        out,
    )
}

/// One CSV line, RFC 4180 quoting by the `csv` crate.
fn csv_record(cells: impl IntoIterator<Item = String>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    writer.write_record(cells)?;
    writer.flush()
}

fn pretty(v: &Json) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// Rows of a paged listing, printed page by page.
pub struct RowPrinter<'c> {
    command: &'c Command,
    list: &'static str,
    format: Format,
    rows: usize,
    columns: Option<Vec<Column>>,
    csv_keys: Option<Vec<String>>,
}

impl<'c> RowPrinter<'c> {
    pub fn new(command: &'c Command, list: &'static str, format: Format) -> Self {
        RowPrinter {
            command,
            list,
            format,
            rows: 0,
            columns: None,
            csv_keys: None,
        }
    }

    /// Print the rows of one page.
    pub fn page(&mut self, body: &Json, out: &mut dyn Write) -> std::io::Result<()> {
        let empty = Vec::new();
        let rows = body
            .get(self.list)
            .and_then(Json::as_array)
            .unwrap_or(&empty);
        match self.format {
            Format::Json => {
                for r in rows {
                    let sep = if self.rows == 0 { "[\n" } else { ",\n" };
                    let text = pretty(r).replace('\n', "\n  ");
                    write!(out, "{sep}  {text}")?;
                    self.rows += 1;
                }
            }
            Format::Ndjson => {
                for r in rows {
                    writeln!(out, "{r}")?;
                    self.rows += 1;
                }
            }
            Format::Csv => {
                if self.csv_keys.is_none() && !rows.is_empty() {
                    let keys = csv_keys(rows);
                    csv_header(self.command, &format!("{}[].", self.list), &keys, out)?;
                    self.csv_keys = Some(keys);
                }
                if let Some(keys) = &self.csv_keys {
                    for r in rows {
                        csv_row(keys, r, out)?;
                        self.rows += 1;
                    }
                }
            }
            Format::Table => {
                if self.columns.is_none() && !rows.is_empty() {
                    let columns = columns(self.command, self.list, rows);
                    print_header(&columns, out)?;
                    self.columns = Some(columns);
                }
                if let Some(columns) = &self.columns {
                    for r in rows {
                        print_row(columns, r, out)?;
                        self.rows += 1;
                    }
                }
            }
        }
        out.flush()
    }

    /// Close the listing (the JSON array's bracket).
    pub fn finish(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.format == Format::Json {
            if self.rows == 0 {
                writeln!(out, "[]")?;
            } else {
                writeln!(out, "\n]")?;
            }
        }
        out.flush()
    }

    pub fn rows(&self) -> usize {
        self.rows
    }
}

struct Column {
    key: String,
    header: String,
    width: usize,
    /// `direction`, `value`, `side` or empty.
    sign: &'static str,
    ty: &'static str,
    codes: &'static [Value],
}

fn columns(c: &Command, list: &str, rows: &[Json]) -> Vec<Column> {
    let Some(Json::Object(first)) = rows.first() else {
        return Vec::new();
    };
    first
        .keys()
        .map(|key| {
            let field = c.field(&format!("{list}[].{key}"));
            let header = field.map_or(key.clone(), |f| f.rust.to_owned());
            let mut col = Column {
                key: key.clone(),
                width: width(&header),
                header,
                sign: field.map_or("", |f| f.sign),
                ty: field.map_or("text", |f| f.ty),
                codes: field.map_or(&[], |f| f.values),
            };
            for r in rows {
                col.width = col.width.max(width(&cell(&col, r.get(&col.key))));
            }
            col
        })
        .collect()
}

fn print_header(columns: &[Column], out: &mut dyn Write) -> std::io::Result<()> {
    let line: Vec<String> = columns
        .iter()
        .map(|c| pad(&c.header, c.width, false))
        .collect();
    writeln!(out, "{}", line.join("  ").trim_end())
}

fn print_row(columns: &[Column], row: &Json, out: &mut dyn Write) -> std::io::Result<()> {
    let line: Vec<String> = columns
        .iter()
        .map(|c| pad(&cell(c, row.get(&c.key)), c.width, numeric(c.ty)))
        .collect();
    writeln!(out, "{}", line.join("  ").trim_end())
}

fn numeric(ty: &str) -> bool {
    matches!(ty, "integer" | "decimal")
}

/// A value as a person reads it.
fn cell(c: &Column, v: Option<&Json>) -> String {
    let text = match v {
        None | Some(Json::Null) => return String::new(),
        Some(Json::String(s)) => s.trim().to_owned(),
        Some(other) => other.to_string(),
    };
    human(&text, c.ty, c.sign, c.codes)
}

/// A value as a person reads it, by the field's type and sign.
pub fn human(text: &str, ty: &str, sign: &str, codes: &[Value]) -> String {
    match ty {
        "enum" => codes
            .iter()
            .find(|v| v.code == text && !v.korean.is_empty())
            .map_or_else(|| text.to_owned(), |v| v.korean.to_owned()),
        "integer" | "decimal" => number(text, sign),
        "date" if text.len() == 8 && text.chars().all(|c| c.is_ascii_digit()) => {
            if text == "00000000" {
                String::new()
            } else {
                format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..])
            }
        }
        "time" if text.len() == 6 && text.chars().all(|c| c.is_ascii_digit()) => {
            format!("{}:{}:{}", &text[..2], &text[2..4], &text[4..])
        }
        _ => text.to_owned(),
    }
}

/// `-0040100` with a direction sign is `40,100 ▼`; an arithmetic `-1500` is `-1,500`.
fn number(text: &str, sign: &str) -> String {
    // Kiwoom's doubled signs (`--1500`, `+-2076560`): the last sign is the value's own.
    let mut rest = text;
    let mut signs = String::new();
    while let Some(c) = rest.chars().next().filter(|c| *c == '+' || *c == '-') {
        signs.push(c);
        rest = &rest[1..];
    }
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) {
        return text.to_owned();
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if !frac.is_empty() {
        grouped = format!("{grouped}.{frac}");
    }
    let first = signs.chars().next();
    let last = signs.chars().last();
    match sign {
        "direction" => match first {
            Some('+') => format!("{grouped} ▲"),
            Some('-') => format!("{grouped} ▼"),
            _ => grouped,
        },
        "side" => match first {
            Some('+') => format!("{grouped} buy"),
            Some('-') => format!("{grouped} sell"),
            _ => grouped,
        },
        _ => match last {
            Some('-') => format!("-{grouped}"),
            _ => grouped,
        },
    }
}

fn table_body(c: &Command, body: &Json, out: &mut dyn Write) -> std::io::Result<()> {
    let Json::Object(map) = body else {
        return writeln!(out, "{}", pretty(body));
    };
    let scalars: Vec<(String, String)> = map
        .iter()
        .filter(|(_, v)| !v.is_array() && !v.is_object())
        .map(|(k, v)| {
            let field = c.field(k);
            let label = field.map_or(k.clone(), |f| match f.unit {
                Some(u) => format!("{} ({u})", f.rust),
                None => f.rust.to_owned(),
            });
            let text = match v {
                Json::String(s) => s.trim().to_owned(),
                Json::Null => String::new(),
                other => other.to_string(),
            };
            let value = field.map_or(text.clone(), |f| human(&text, f.ty, f.sign, f.values));
            (label, value)
        })
        .collect();
    let label_width = scalars.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
    for (label, value) in &scalars {
        writeln!(out, "{}  {value}", pad(label, label_width, false))?;
    }
    for (key, value) in map {
        match value {
            Json::Array(rows) => {
                let header = c.field(key).map_or(key.as_str(), |f| f.rust);
                writeln!(out, "\n{header} ({} rows)", rows.len())?;
                let columns = columns(c, key, rows);
                if !columns.is_empty() {
                    print_header(&columns, out)?;
                    for r in rows {
                        print_row(&columns, r, out)?;
                    }
                } else {
                    for r in rows {
                        writeln!(out, "{}", r)?;
                    }
                }
            }
            Json::Object(_) => writeln!(out, "\n{key}\n{}", pretty(value))?,
            _ => {}
        }
    }
    Ok(())
}

/// Display width: Hangul and other wide characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFF00..=0xFF60).contains(&u);
            if wide { 2 } else { 1 }
        })
        .sum()
}

fn pad(s: &str, to: usize, right: bool) -> String {
    let fill = " ".repeat(to.saturating_sub(width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        let line = |cell: &str| {
            let mut out = Vec::new();
            super::csv_record([cell.to_owned()], &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(line("005930"), "005930\n");
        assert_eq!(line("a,b"), "\"a,b\"\n");
        assert_eq!(line("say \"hi\""), "\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn numbers_read_as_a_trader_reads_them() {
        assert_eq!(number("-0040100", "direction"), "40,100 ▼");
        assert_eq!(number("+41500", "direction"), "41,500 ▲");
        assert_eq!(number("40100", "direction"), "40,100");
        assert_eq!(number("-1500", "value"), "-1,500");
        assert_eq!(number("--1500", "value"), "-1,500");
        assert_eq!(number("+-2076560", "value"), "-2,076,560");
        assert_eq!(number("+82", "side"), "82 buy");
        assert_eq!(number("1234567.89", ""), "1,234,567.89");
        assert_eq!(number("000", ""), "0");
        assert_eq!(number("n/a", ""), "n/a");
    }
}

//! Rust names: field names from wire names through `spec/glossary.yaml`, enum variant names
//! from Korean labels through `spec/enum-labels.yaml`, and TR English names from Kiwoom's
//! function names. Everything not resolved is reported, never silently guessed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde::Deserialize;

use super::ImportError;
use super::report::Report;

/// `spec/glossary.yaml` (curated by hand).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Glossary {
    /// token -> English snake words (`stk` -> `stock`).
    #[serde(default)]
    pub abbreviations: BTreeMap<String, String>,
    /// Whole wire name -> Rust name (wins over tokens).
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Korean label -> English snake name, for all-digit wire names (realtime ids).
    #[serde(default)]
    pub korean: BTreeMap<String, String>,
}

/// `spec/enum-labels.yaml` (curated by hand).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnumLabels {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

pub fn load_yaml_or_default<T: Default + serde::de::DeserializeOwned>(
    path: &Path,
    report: &mut Report,
) -> Result<T, ImportError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_norway::from_str(&text).map_err(|e| ImportError::parse(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.add(
                "missing-input",
                format!("{} not found; every name falls back", path.display()),
            );
            Ok(T::default())
        }
        Err(e) => Err(ImportError::io(path, e)),
    }
}

/// One keyword list for the importer, the validator and the generator.
pub use crate::ir::is_keyword;

/// A valid snake_case Rust identifier that is not a keyword.
pub fn is_valid_snake_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
        && !is_keyword(name)
}

/// A valid PascalCase Rust type or variant name.
pub fn is_valid_pascal_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
        && name != "Self"
}

/// Split a wire name into lower-case tokens at `_`, `-`, camelCase and letter/digit boundaries.
pub fn split_tokens(piece: &str) -> Vec<String> {
    let chars: Vec<char> = piece.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = current.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_ascii_digit() != c.is_ascii_digit())
                || (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(|n| n.is_lowercase()));
            if boundary {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter().map(|t| t.to_lowercase()).collect()
}

/// The outcome of naming one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub rust: String,
    /// Tokens or labels that had no glossary entry (reported by the caller).
    pub unresolved: Vec<String>,
}

impl Glossary {
    /// The Rust name of a wire name (`korean` is the field's label, used for all-digit ids).
    pub fn field_name(&self, wire: &str, korean: &str) -> Named {
        let mut unresolved = Vec::new();
        // A whole-name entry wins, also for all-digit realtime ids: it names one id where a
        // type repeats a label (04 `924` and `951` are both `Extra Item`).
        let raw = if let Some(name) = self.names.get(wire) {
            name.clone()
        } else if wire.chars().all(|c| c.is_ascii_digit()) && !wire.is_empty() {
            let label = normalize_label(korean);
            match self.korean.get(&label) {
                Some(name) => name.clone(),
                None => {
                    unresolved.push(format!("korean `{label}`"));
                    format!("fid_{wire}")
                }
            }
        } else {
            self.translate_tokens(wire, &mut unresolved)
        };
        Named {
            rust: finish_snake(&raw),
            unresolved,
        }
    }

    fn translate_tokens(&self, wire: &str, unresolved: &mut Vec<String>) -> String {
        let mut words = Vec::new();
        for piece in wire.split(['_', '-']).filter(|p| !p.is_empty()) {
            let lower = piece.to_lowercase();
            if let Some(english) = self
                .abbreviations
                .get(&lower)
                .or_else(|| self.abbreviations.get(piece))
            {
                words.push(english.clone());
                continue;
            }
            for token in split_tokens(piece) {
                if token.chars().all(|c| c.is_ascii_digit()) {
                    words.push(token);
                } else if let Some(english) = self.abbreviations.get(&token) {
                    words.push(english.clone());
                } else {
                    unresolved.push(format!("token `{token}`"));
                    words.push(token);
                }
            }
        }
        words.join("_")
    }
}

/// Trim and collapse inner whitespace (the key form of both glossaries' Korean tables).
pub fn normalize_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Make any candidate a valid snake_case identifier: ASCII snake, no leading digit, no keyword.
pub fn finish_snake(raw: &str) -> String {
    let mut name = raw.to_snake_case();
    name = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    name = name.trim_matches('_').to_string();
    if name.is_empty() {
        name = "field".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        // `250_high` -> `high_250`: a leading number moves behind the words.
        let (digits, rest) = name.split_at(name.find('_').unwrap_or(name.len()));
        let rest = rest.trim_start_matches('_');
        name = if rest.is_empty() {
            format!("n_{digits}")
        } else {
            format!("{rest}_{digits}")
        };
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            name = format!("n_{name}");
        }
    }
    if is_keyword(&name) {
        name = match name.as_str() {
            "type" => "kind".to_string(),
            other => format!("{other}_value"),
        };
    }
    name
}

/// PascalCase of snake words.
pub fn pascal(snake: &str) -> String {
    let p = snake.to_upper_camel_case();
    if p.starts_with(|c: char| c.is_ascii_digit()) {
        format!("N{p}")
    } else {
        p
    }
}

/// Enum variant name from a Korean label.
pub fn variant_name(labels: &EnumLabels, korean: &str, code: &str) -> (String, bool) {
    let label = normalize_label(korean);
    if let Some(english) = labels.labels.get(&label) {
        let p = pascal(&finish_snake(english));
        if is_valid_pascal_ident(&p) {
            return (p, true);
        }
    }
    (code_variant(code), false)
}

/// `Code<code>` for a code that has no English label; characters that cannot be in an
/// identifier are spelled out so distinct codes stay distinct.
pub fn code_variant(code: &str) -> String {
    let mut out = String::from("Code");
    for c in code.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '%' => out.push_str("Percent"),
            '+' => out.push_str("Plus"),
            '-' => out.push_str("Minus"),
            '.' => out.push_str("Dot"),
            ' ' => out.push('_'),
            other => out.push_str(&format!("U{:X}", other as u32)),
        }
    }
    out.replace('_', "")
}

/// English names of TRs from Kiwoom's function names, unique across the whole spec.
///
/// Candidates, tried in order until a name is unique: (1) drop a leading `get_`/`list_`/
/// `subscribe_` and the market word; (2) the same with the market word `domestic_`/`us_` in
/// front; (3) keep the verb too; (4) append the api-id. Every TR of a clashing set moves to
/// its next candidate together, so the result does not depend on the order of the TRs.
pub fn english_names(
    trs: &[(String, String, bool)],
    report: &mut Report,
) -> BTreeMap<String, String> {
    // (api_id, function_name, is_us)
    let candidates: BTreeMap<&str, Vec<String>> = trs
        .iter()
        .map(|(id, function, us)| (id.as_str(), english_candidates(id, function, *us)))
        .collect();
    let mut level: BTreeMap<&str, usize> = candidates.keys().map(|k| (*k, 0)).collect();
    loop {
        let mut by_name: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (id, cands) in &candidates {
            let i = level[id].min(cands.len() - 1);
            by_name.entry(cands[i].clone()).or_default().push(id);
        }
        let clashes: Vec<(String, Vec<&str>)> = by_name
            .into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .collect();
        let mut moved = false;
        for (name, ids) in &clashes {
            for id in ids {
                if level[id] + 1 < candidates[id].len() {
                    *level.get_mut(id).expect("known id") += 1;
                    moved = true;
                }
            }
            report.add(
                "english-name-clash",
                format!(
                    "`{name}` wanted by {}; each moves to its next candidate",
                    ids.join(", ")
                ),
            );
        }
        if !moved {
            break;
        }
    }
    candidates
        .iter()
        .map(|(id, cands)| {
            (
                id.to_string(),
                cands[level[id].min(cands.len() - 1)].clone(),
            )
        })
        .collect()
}

fn english_candidates(id: &str, function: &str, us: bool) -> Vec<String> {
    let words: Vec<&str> = function.split('_').filter(|w| !w.is_empty()).collect();
    let droppable_verb = matches!(words.first(), Some(&"get" | &"list" | &"subscribe"));
    let is_market = |w: &str| matches!(w, "domestic" | "overseas" | "us");
    let market = if us { "us" } else { "domestic" };
    let (verb, rest): (Option<&str>, Vec<&str>) = match words.split_first() {
        Some((first, rest)) if !is_market(first) => (Some(*first), rest.to_vec()),
        _ => (None, words.clone()),
    };
    let body: Vec<&str> = rest.iter().copied().filter(|w| !is_market(w)).collect();
    let join = |parts: Vec<&str>| finish_snake(&parts.join("_"));
    let mut out = Vec::new();
    let short = match (droppable_verb, verb) {
        (true, _) | (false, None) => body.clone(),
        (false, Some(v)) => std::iter::once(v).chain(body.iter().copied()).collect(),
    };
    if short.is_empty() {
        out.push(finish_snake(function));
    } else {
        out.push(join(short.clone()));
    }
    out.push(join(
        std::iter::once(market)
            .chain(short.iter().copied())
            .collect(),
    ));
    if let Some(v) = verb {
        out.push(join(
            std::iter::once(v)
                .chain(std::iter::once(market))
                .chain(body.iter().copied())
                .collect(),
        ));
    }
    out.push(format!("{}_{}", out[0], id.to_lowercase()));
    let mut seen = BTreeSet::new();
    out.retain(|c| seen.insert(c.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_case_and_digits() {
        assert_eq!(split_tokens("250hgst"), vec!["250", "hgst"]);
        assert_eq!(split_tokens("listCount"), vec!["list", "count"]);
        assert_eq!(split_tokens("stexTp"), vec!["stex", "tp"]);
        assert_eq!(split_tokens("isETFName"), vec!["is", "etf", "name"]);
    }

    #[test]
    fn english_names_drop_verb_and_market_and_settle_clashes_together() {
        let trs = vec![
            (
                "ka10081".to_string(),
                "get_domestic_stock_daily_chart".to_string(),
                false,
            ),
            (
                "usa06012".to_string(),
                "get_overseas_stock_daily_chart".to_string(),
                true,
            ),
            (
                "ka10080".to_string(),
                "get_domestic_stock_minute_chart".to_string(),
                false,
            ),
            (
                "kt10000".to_string(),
                "buy_domestic_stock".to_string(),
                false,
            ),
        ];
        let mut report = Report::default();
        let names = english_names(&trs, &mut report);
        assert_eq!(names["ka10080"], "stock_minute_chart");
        assert_eq!(names["ka10081"], "domestic_stock_daily_chart");
        assert_eq!(names["usa06012"], "us_stock_daily_chart");
        assert_eq!(names["kt10000"], "buy_stock");
        assert_eq!(report.cases_of("english-name-clash").len(), 1);
    }

    #[test]
    fn glossary_translates_tokens_and_reports_the_rest() {
        let mut g = Glossary::default();
        g.abbreviations.insert("stk".into(), "stock".into());
        g.abbreviations.insert("cd".into(), "code".into());
        g.korean.insert("현재가".into(), "current_price".into());
        assert_eq!(g.field_name("stk_cd", "").rust, "stock_code");
        assert_eq!(g.field_name("10", " 현재가 ").rust, "current_price");
        g.names.insert("291".into(), "expected_price".into());
        g.korean
            .insert("예상체결가".into(), "expected_execution_price".into());
        assert_eq!(
            g.field_name("23", "예상체결가").rust,
            "expected_execution_price"
        );
        assert_eq!(g.field_name("291", "예상체결가").rust, "expected_price");
        let n = g.field_name("stk_zz", "");
        assert_eq!(
            (n.rust.as_str(), n.unresolved),
            ("stock_zz", vec!["token `zz`".to_string()])
        );
        let n = g.field_name("9999", "없는 이름");
        assert_eq!(
            (n.rust.as_str(), n.unresolved),
            ("fid_9999", vec!["korean `없는 이름`".to_string()])
        );
    }

    #[test]
    fn leading_digits_move_back_and_keywords_are_renamed() {
        assert_eq!(finish_snake("250_high"), "high_250");
        assert_eq!(finish_snake("type"), "kind");
        assert_eq!(finish_snake("match"), "match_value");
    }
}

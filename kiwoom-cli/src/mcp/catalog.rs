//! The `find` and `describe` tools: the CLI's own `find` / `describe` (its JSON output), so
//! an agent and a person see the same catalog.

use serde_json::{Value as Json, json};

use crate::error::CliError;
use crate::find;
use crate::output::Format;

/// Results beyond this are left off (`truncated`), unless the call asks for more.
const DEFAULT_LIMIT: usize = 50;

pub fn find(query: &str, limit: Option<usize>) -> Result<Json, CliError> {
    let words: Vec<String> = query.split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        return Err(CliError::Usage(
            "find: give at least one word (English or Korean)".to_owned(),
        ));
    }
    let found = find::find(&words);
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    let shown = &found[..found.len().min(limit)];
    let mut out = Vec::new();
    find::print_found(shown, Format::Json, &mut out)?;
    let trs: Json = serde_json::from_slice(&out).map_err(std::io::Error::other)?;
    Ok(json!({
        "count": found.len(),
        "truncated": found.len() > shown.len(),
        "trs": trs,
    }))
}

pub fn describe(tr: &str) -> Result<Json, CliError> {
    let c = find::resolve(&[tr.to_owned()])?;
    let mut out = Vec::new();
    find::describe(c, Format::Json, &mut out)?;
    Ok(serde_json::from_slice(&out).map_err(std::io::Error::other)?)
}

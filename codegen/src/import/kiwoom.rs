//! Kiwoom's documentation files as they are: `kiwoom_api_spec.json` and `api_commands.csv`.
//! Nothing is interpreted here.

use std::path::Path;

use serde::Deserialize;

use super::ImportError;

/// The whole `kiwoom_api_spec.json`.
#[derive(Debug, Clone)]
pub struct KiwoomDoc {
    /// In document order.
    pub apis: Vec<Api>,
    pub error_codes: Vec<ErrorRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Api {
    /// Standard keys (`API ID`, `URL`, ...) plus the overview prose stored as keys with empty
    /// values; order as in the file.
    pub meta: serde_json::Map<String, serde_json::Value>,
    pub request: Section,
    pub response: Section,
    #[serde(default)]
    pub request_example: String,
    #[serde(default)]
    pub response_example: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Section {
    // `header` rows (api-id, authorization, cont-yn, next-key) are runtime-owned and ignored.
    #[serde(default)]
    pub body: Vec<Row>,
}

/// One row of a field table. Nesting is only the `depth` number (see `tree.rs`).
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    pub element: String,
    pub depth: u8,
    #[serde(default)]
    pub is_section: bool,
    #[serde(rename = "한글명", default)]
    pub korean: String,
    #[serde(rename = "type", default)]
    pub ty: String,
    #[serde(default)]
    pub required: String,
    #[serde(default)]
    pub length: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ErrorRow {
    #[serde(rename = "오류코드")]
    pub code: String,
    #[serde(rename = "오류메시지")]
    pub message: String,
}

/// The meta keys that are not overview prose.
const STANDARD_META: &[&str] = &[
    "◀ API 리스트 이동",
    "키움 REST API",
    "API 정보",
    "메뉴 위치",
    "API 명",
    "API ID",
    "기본정보",
    "Method",
    "운영 도메인",
    "모의투자 도메인",
    "URL",
    "Format",
    "Content-Type",
    "개요",
];

impl Api {
    pub fn meta_str(&self, key: &str) -> &str {
        self.meta.get(key).and_then(|v| v.as_str()).unwrap_or("")
    }
    pub fn id(&self) -> &str {
        self.meta_str("API ID")
    }
    /// The overview prose: every non-standard meta key (Kiwoom stores the prose as keys).
    pub fn overview(&self) -> Vec<&str> {
        self.meta
            .iter()
            .filter(|(k, _)| !STANDARD_META.contains(&k.as_str()))
            .map(|(k, v)| match v.as_str() {
                Some(value) if !value.is_empty() => value,
                _ => k.as_str(),
            })
            .collect()
    }
}

pub fn read_doc(path: &Path) -> Result<KiwoomDoc, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::io(path, e))?;
    #[derive(Deserialize)]
    struct Raw {
        apis: serde_json::Map<String, serde_json::Value>,
        #[serde(default)]
        error_codes: Vec<ErrorRow>,
    }
    let raw: Raw = serde_json::from_str(&text).map_err(|e| ImportError::parse(path, e))?;
    let mut apis = Vec::with_capacity(raw.apis.len());
    for (key, value) in raw.apis {
        let api: Api = serde_json::from_value(value)
            .map_err(|e| ImportError::parse(path, format!("api `{key}`: {e}")))?;
        apis.push(api);
    }
    Ok(KiwoomDoc {
        apis,
        error_codes: raw.error_codes,
    })
}

/// One row of `api_commands.csv`.
#[derive(Debug, Clone, Default)]
pub struct Command {
    pub api_id: String,
    pub function_name: String,
    pub safety_policy: String,
    pub notes: String,
}

pub fn read_commands(path: &Path) -> Result<Vec<Command>, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError::io(path, e))?;
    let mut records = parse_csv(&text).into_iter();
    let header = records
        .next()
        .ok_or_else(|| ImportError::parse(path, "empty csv"))?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ImportError::parse(path, format!("missing column `{name}`")))
    };
    let (id, func, safety, notes) = (
        column("api_id")?,
        column("function_name")?,
        column("safety_policy")?,
        column("notes")?,
    );
    let cell = |r: &Vec<String>, i: usize| r.get(i).cloned().unwrap_or_default();
    Ok(records
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| Command {
            api_id: cell(&r, id),
            function_name: cell(&r, func),
            safety_policy: cell(&r, safety),
            notes: cell(&r, notes),
        })
        .collect())
}

/// RFC 4180 CSV: quoted cells may hold commas, doubled quotes and newlines.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

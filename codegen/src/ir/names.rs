//! Rust identifiers: case conversion, keywords and names reserved by the generated API.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Every Rust keyword, strict and reserved, 2015-2024 editions.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Request methods the generated code defines next to the field setters; a field with one of
/// these names gets a `_value` suffix (as smithy does for `send`).
pub const REQUEST_RESERVED: &[(&str, &str)] = &[
    ("new", "constructor"),
    ("validate", "TrRequest::validate"),
    ("send", "runtime call method"),
    ("pages", "runtime paging method"),
    ("items", "runtime paging method"),
    ("into_items", "PagedRequest::into_items"),
    ("order_summary", "TrRequest::order_summary"),
];

/// Response members the generated code defines.
pub const RESPONSE_RESERVED: &[(&str, &str)] = &[
    ("extra", "unknown keys are kept here"),
    ("extra_fields", "accessor of the unknown keys"),
    ("decode", "TrResponse::decode"),
];

/// Members of every realtime struct besides its values.
pub const REALTIME_RESERVED: &[(&str, &str)] = &[
    ("item", "the registered item"),
    ("name", "Kiwoom's name of the type"),
    ("extra", "unknown entry keys"),
    ("extra_values", "values with undocumented ids"),
    ("extra_fields", "accessor"),
];

/// Leading words a name never starts with: the module already says the market, and a
/// method or type is not a verb phrase (`get_stock_info`, `request_currency_exchange`,
/// `subscribe_order_book`).
const DROPPED_LEADING_WORDS: &[&str] = &["domestic", "us", "get", "request", "subscribe"];

/// The name of a REST or condition-search TR inside its group module: the importer's
/// `english_name` (unique across the whole spec, so it repeats the market) without leading
/// market words and verbs, unless `spec/names.yaml` names the TR. Uniqueness within the
/// module is checked by the IR builder.
pub fn tr_name(english_name: &str, api_id: &str, overrides: &crate::spec::NamesFile) -> String {
    if let Some(name) = overrides.trs.get(api_id) {
        return name.clone();
    }
    strip_leading(english_name, DROPPED_LEADING_WORDS)
}

/// The name of a realtime event struct. The realtime module holds both markets, so US types
/// say `us_` (`UsOrderBook`) and domestic ones say nothing (`StockTrade`, `OrderFill`).
pub fn realtime_name(
    english_name: &str,
    code: &str,
    us: bool,
    overrides: &crate::spec::NamesFile,
) -> String {
    if let Some(name) = overrides.realtime.get(code) {
        return name.clone();
    }
    let base = strip_leading(english_name, DROPPED_LEADING_WORDS);
    if us { format!("us_{base}") } else { base }
}

fn strip_leading(name: &str, words: &[&str]) -> String {
    let mut parts: Vec<&str> = name.split('_').collect();
    while parts.len() > 1 && words.contains(&parts[0]) {
        parts.remove(0);
    }
    parts.join("_")
}

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

pub fn pascal(name: &str) -> String {
    name.to_upper_camel_case()
}

pub fn snake(name: &str) -> String {
    name.to_snake_case()
}

/// `stock_code`: ASCII lower snake case starting with a letter or underscore.
pub fn is_snake_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && name != "_"
}

/// `StockDailyChart`: ASCII PascalCase starting with an upper-case letter.
pub fn is_pascal_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('A'..='Z')) && chars.all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_snake_ident("stock_code"));
        assert!(is_snake_ident("high_250d"));
        assert!(!is_snake_ident("250hgst"));
        assert!(!is_snake_ident("listCount"));
        assert!(is_pascal_ident("StockDailyChart"));
        assert!(!is_pascal_ident("stockDaily"));
        assert!(is_keyword("type") && is_keyword("gen") && !is_keyword("kind"));
        let none = crate::spec::NamesFile::default();
        assert_eq!(tr_name("domestic_buy_stock", "kt10000", &none), "buy_stock");
        assert_eq!(
            tr_name("get_domestic_stock_info", "ka10001", &none),
            "stock_info"
        );
        assert_eq!(
            tr_name("request_currency_exchange", "x", &none),
            "currency_exchange"
        );
        assert_eq!(
            tr_name("domestic_request_condition_search", "x", &none),
            "condition_search"
        );
        assert_eq!(tr_name("us_stock_info", "x", &none), "stock_info");
        assert_eq!(
            realtime_name("subscribe_us_order_book", "FT", true, &none),
            "us_order_book"
        );
        assert_eq!(
            realtime_name("domestic_order_fill", "00", false, &none),
            "order_fill"
        );
        assert_eq!(pascal("stock_daily_chart"), "StockDailyChart");
        assert_eq!(snake("condition-search"), "condition_search");
    }
}

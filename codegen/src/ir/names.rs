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
        assert_eq!(pascal("stock_daily_chart"), "StockDailyChart");
        assert_eq!(snake("condition-search"), "condition_search");
    }
}

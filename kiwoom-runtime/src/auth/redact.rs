//! Redaction of secrets in text that is about to enter an error or a log line.
//!
//! Raw answer bodies end up in [`DecodeError::raw`](crate::DecodeError) and in error
//! messages. An OAuth answer carries the token, and a hostile or broken server may echo
//! keys back anywhere, often in text that is not valid JSON (that is usually why it is
//! being reported). So this works on the text itself, not on parsed JSON: every value of a
//! key named `token`, `appkey`, `secretkey` or `authorization` (any case, quoted or not,
//! after `:` or `=`) is replaced, and the whole body of an OAuth TR is withheld.

/// What replaces a secret value.
pub const REDACTED: &str = "[REDACTED]";

/// Keys whose values are secrets wherever they appear.
const SECRET_KEYS: [&str; 4] = ["secretkey", "authorization", "appkey", "token"];

/// The TRs whose answers (and requests) carry secrets in the body: au10001 answers the
/// token, au10002 is sent the token and both keys.
pub fn is_oauth_tr(api_id: &str) -> bool {
    api_id.starts_with("au")
}

/// True when a field with this wire name (or a path ending in it) holds a secret.
pub fn is_secret_key(field: &str) -> bool {
    let last = field.rsplit(['.', ']']).next().unwrap_or(field);
    SECRET_KEYS.iter().any(|k| last.eq_ignore_ascii_case(k))
}

/// The text of a raw answer as it may appear in an error: the whole body of an OAuth TR
/// is withheld (only its size is kept); elsewhere secret values are replaced.
pub fn redact_body(api_id: &str, raw: &str) -> String {
    if is_oauth_tr(api_id) && !raw.is_empty() {
        return format!("[{api_id} answer withheld: {} bytes]", raw.len());
    }
    redact_secret_values(raw)
}

/// Replace the value of every secret key in `text`, JSON or not. A key glued to other
/// letters before it (`access_token`) counts too: a value hidden by mistake costs less
/// than a secret shown.
pub fn redact_secret_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some(key) = SECRET_KEYS
            .iter()
            .find(|k| lower.as_bytes()[i..].starts_with(k.as_bytes()))
        else {
            i += 1;
            continue;
        };
        let after_key = i + key.len();
        match value_span(bytes, after_key) {
            Some((start, end)) => {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                copied = end;
                i = end.max(after_key);
            }
            None => i = after_key,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the value after a key starts and ends: skip a closing quote, spaces, one `:` or
/// `=`, spaces, then take a quoted string (to its closing quote or the end of the text) or
/// a bare word (to `,` `}` `]` `;` `&`, a line break, or the end).
fn value_span(bytes: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let skip_spaces = |mut i: usize| {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        i
    };
    // A word that merely starts with a key (`tokens`, `token_type`) is another key.
    if bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return None;
    }
    if bytes.get(i) == Some(&b'"') || bytes.get(i) == Some(&b'\'') {
        i += 1;
    }
    i = skip_spaces(i);
    match bytes.get(i) {
        Some(b':') | Some(b'=') => i += 1,
        _ => return None,
    }
    i = skip_spaces(i);
    match bytes.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b if b == q => break,
                    _ => j += 1,
                }
            }
            let end = j.min(bytes.len());
            Some((start, end))
        }
        Some(_) => {
            let start = i;
            let mut j = start;
            while j < bytes.len()
                && !matches!(bytes[j], b',' | b'}' | b']' | b';' | b'&' | b'\n' | b'\r')
            {
                j += 1;
            }
            // Stay on a character boundary (the scan stops only at ASCII bytes, or the end).
            Some((start, j))
        }
        None => None,
    }
}

/// Replace what a message quotes (between `"`, `'` or backticks): serde and server messages
/// quote the offending value, which for a secret field is the secret.
pub fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['"', '`', '\'']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find(quote) {
            Some(close) => {
                out.push_str(REDACTED);
                out.push(quote);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(REDACTED);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replace every occurrence of the given secrets (app key, secret key, a token) in `text`.
/// For messages that come from a server and may echo what was sent.
pub fn scrub_known(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        if out.contains(s) {
            out = out.replace(s, REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "RAW-TOKEN-SECRET-4b1d9e";

    #[test]
    fn values_of_secret_keys_go_in_json_and_in_broken_json() {
        for text in [
            r#"{"expires_dt":"29991231235959","token_type":"bearer","token":"RAW-TOKEN-SECRET-4b1d9e","return_code":0} x"#,
            r#"{"token" : "RAW-TOKEN-SECRET-4b1d9e"#,
            r#"{"token":RAW-TOKEN-SECRET-4b1d9e}"#,
            r#"{'Token': 'RAW-TOKEN-SECRET-4b1d9e'}"#,
            "Authorization: Bearer RAW-TOKEN-SECRET-4b1d9e\r\nx: y",
            "token=RAW-TOKEN-SECRET-4b1d9e&a=b",
            r#"{"appkey":"RAW-TOKEN-SECRET-4b1d9e","secretkey":"RAW-TOKEN-SECRET-4b1d9e"}"#,
            r#"{"token":"RAW-TOKEN-\"SECRET-4b1d9e"}"#,
        ] {
            let out = redact_secret_values(text);
            assert!(
                !out.contains(TOKEN) && !out.contains("4b1d9e"),
                "{text} -> {out}"
            );
            assert!(out.contains(REDACTED), "{out}");
        }
    }

    #[test]
    fn other_keys_and_text_stay() {
        let text = r#"{"token_type":"bearer","return_msg":"정상","tokens":[1]}"#;
        assert_eq!(redact_secret_values(text), text);
        assert_eq!(
            redact_secret_values(r#"{"stk_cd":"005930","token":"abc"}"#),
            r#"{"stk_cd":"005930","token":"[REDACTED]"}"#
        );
    }

    #[test]
    fn oauth_bodies_are_withheld_and_secret_fields_known() {
        assert_eq!(
            redact_body("au10001", "{\"x\":1}"),
            "[au10001 answer withheld: 7 bytes]"
        );
        assert!(is_secret_key("token"));
        assert!(is_secret_key("rows[2].AppKey"));
        assert!(!is_secret_key("token_type"));
        assert_eq!(
            redact_quoted("invalid type: integer `123`, expected \"a\" or 'b"),
            "invalid type: integer `[REDACTED]`, expected \"[REDACTED]\" or '[REDACTED]"
        );
        assert_eq!(
            scrub_known("bad key APPKEY-1", &["APPKEY-1"]),
            "bad key [REDACTED]"
        );
    }
}

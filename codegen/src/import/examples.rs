//! Kiwoom's examples, repaired into valid compact JSON (quirks #44-#50). A small lenient
//! parser reads JSON and Python literals alike and records every liberty it takes, so each
//! repair is reported.

use serde_json::{Map, Value};

/// One document of an example, with the repairs it needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The `#...` marker line before it, if any (`요청`, `실시간 수신`).
    pub marker: Option<String>,
    pub value: Value,
    pub repairs: Vec<&'static str>,
}

/// Split an example at its `#` marker lines and parse each document.
pub fn parse_example(text: &str) -> Result<Vec<Parsed>, String> {
    let mut docs: Vec<(Option<String>, String)> = Vec::new();
    let mut current: (Option<String>, String) = (None, String::new());
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            if !current.1.trim().is_empty() || current.0.is_some() {
                docs.push(std::mem::take(&mut current));
            }
            current.0 = Some(trimmed.trim_start_matches('#').trim().to_string());
        } else {
            current.1.push_str(line);
            current.1.push('\n');
        }
    }
    docs.push(current);
    let mut out = Vec::new();
    for (marker, body) in docs {
        if body.trim().is_empty() {
            continue;
        }
        let mut p = Lenient {
            s: body.as_bytes(),
            text: &body,
            i: 0,
            repairs: Vec::new(),
        };
        let value = p.document()?;
        let mut repairs = p.repairs;
        if marker.is_some() {
            repairs.push("split at # section markers");
        }
        repairs.sort_unstable();
        repairs.dedup();
        out.push(Parsed {
            marker,
            value,
            repairs,
        });
    }
    if out.is_empty() {
        return Err("empty example".to_string());
    }
    Ok(out)
}

/// Compact JSON, key order preserved (the workspace serde_json keeps insertion order).
pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).expect("a Value always serializes")
}

struct Lenient<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    repairs: Vec<&'static str>,
}

impl Lenient<'_> {
    fn document(&mut self) -> Result<Value, String> {
        self.ws();
        let v = self.value()?;
        self.ws();
        if self.i < self.s.len() {
            return Err(self.err("trailing text after the document"));
        }
        Ok(v)
    }

    fn err(&self, what: &str) -> String {
        let line = self.text[..self.i.min(self.text.len())]
            .lines()
            .count()
            .max(1);
        format!("{what} at line {line}")
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string(b'"').map(Value::String),
            Some(b'\'') => {
                self.repairs.push("single-quoted Python literals");
                self.string(b'\'').map(Value::String)
            }
            Some(_) => self.bare(),
            None => Err(self.err("unexpected end")),
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.i += 1;
        let mut map = Map::new();
        loop {
            self.ws();
            if self.skip_ellipsis() {
                continue;
            }
            match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(map));
                }
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                None => return Err(self.err("unterminated object")),
                _ => {}
            }
            let key = match self.peek() {
                Some(b'"') => self.string(b'"')?,
                Some(b'\'') => {
                    self.repairs.push("single-quoted Python literals");
                    self.string(b'\'')?
                }
                _ => {
                    self.repairs.push("unquoted key");
                    self.word()
                }
            };
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected `:`"));
            }
            self.i += 1;
            let value = self.value()?;
            map.insert(key, value);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.repairs.push("trailing comma");
                    }
                }
                Some(b'}') => {}
                Some(b'"' | b'\'') => self.repairs.push("missing comma"),
                _ if self.at_ellipsis() => {}
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.skip_ellipsis() {
                continue;
            }
            match self.peek() {
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err(self.err("unterminated array")),
                _ => {}
            }
            items.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.repairs.push("trailing comma");
                    }
                }
                Some(b']') => {}
                Some(b'{' | b'[' | b'"' | b'\'') => self.repairs.push("missing comma"),
                _ if self.at_ellipsis() => {}
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }

    fn at_ellipsis(&self) -> bool {
        self.s[self.i..].starts_with(b"...") || self.s[self.i..].starts_with("…".as_bytes())
    }

    fn skip_ellipsis(&mut self) -> bool {
        if self.at_ellipsis() {
            while self.i < self.s.len() && matches!(self.s[self.i], b'.' | 0xE2 | 0x80 | 0xA6) {
                self.i += 1;
            }
            self.repairs.push("`...` ellipsis dropped");
            true
        } else {
            false
        }
    }

    fn string(&mut self, quote: u8) -> Result<String, String> {
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                c if c == quote => {
                    return String::from_utf8(out).map_err(|_| self.err("invalid UTF-8"));
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'u' => {
                            let hex = self
                                .text
                                .get(self.i..self.i + 4)
                                .ok_or_else(|| self.err("bad \\u escape"))?;
                            let code = u32::from_str_radix(hex, 16)
                                .map_err(|_| self.err("bad \\u escape"))?;
                            self.i += 4;
                            let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                b'\n' => {
                    self.repairs.push("raw newline inside a string");
                    out.push(b'\n');
                }
                c => out.push(c),
            }
        }
        Err(self.err("unterminated string"))
    }

    fn word(&mut self) -> String {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' || c == b'+' {
                self.i += 1;
            } else {
                break;
            }
        }
        self.text[start..self.i].to_string()
    }

    fn bare(&mut self) -> Result<Value, String> {
        let w = self.word();
        match w.as_str() {
            "" => Err(self.err("unexpected character")),
            "null" => Ok(Value::Null),
            "None" => {
                self.repairs.push("single-quoted Python literals");
                Ok(Value::Null)
            }
            "true" | "True" => Ok(Value::Bool(true)),
            "false" | "False" => Ok(Value::Bool(false)),
            n => serde_json::from_str::<Value>(n)
                .map_err(|_| self.err(&format!("unknown literal `{n}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_python_literals_and_trailing_commas() {
        let docs = parse_example("{'a': '1', 'b': [1, 2,],}").expect("parses");
        assert_eq!(compact(&docs[0].value), r#"{"a":"1","b":[1,2]}"#);
        assert_eq!(
            docs[0].repairs,
            vec!["single-quoted Python literals", "trailing comma"]
        );
    }

    #[test]
    fn splits_sections() {
        let docs = parse_example("#요청\n{'trnm': 'REG'}\n\n#실시간 수신\n{'trnm': 'REAL'}")
            .expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].marker.as_deref(), Some("실시간 수신"));
    }

    #[test]
    fn missing_commas_and_raw_newlines() {
        let docs = parse_example("{\"a\": \"x\"\n \"b\": \"y\nz\"}").expect("parses");
        assert_eq!(compact(&docs[0].value), r#"{"a":"x","b":"y\nz"}"#);
        assert_eq!(
            docs[0].repairs,
            vec!["missing comma", "raw newline inside a string"]
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_example("{\"a\": @}").is_err());
    }
}

//! Reading Kiwoom's answer envelope: `return_code` (an int or a numeric string) and the
//! error code embedded in `return_msg`. Success is decided by `return_code` alone; the
//! message text is never compared.

use serde::Deserialize;

use crate::error::Error;
use crate::error_code::KiwoomErrorCode;

/// `return_code` as the server sent it: `0`, `"0"`, `"0000"`, `"1700"`, `105118`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnCode {
    Number(i64),
    /// A string that is not a number (kept so the error can show it).
    Text(String),
}

impl ReturnCode {
    /// True for `0`, `"0"`, `"0000"`.
    pub fn is_success(&self) -> bool {
        matches!(self, ReturnCode::Number(0))
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ReturnCode::Number(n) => Some(*n),
            ReturnCode::Text(_) => None,
        }
    }
}

impl std::fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReturnCode::Number(n) => write!(f, "{n}"),
            ReturnCode::Text(t) => write!(f, "{t:?}"),
        }
    }
}

impl<'de> Deserialize<'de> for ReturnCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum: untagged buffers the value and tries
        // each variant in turn, and this runs on every answer.
        struct CodeVisitor;
        impl serde::de::Visitor<'_> for CodeVisitor {
            type Value = ReturnCode;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a return_code number or numeric string")
            }
            fn visit_i64<E>(self, n: i64) -> Result<ReturnCode, E> {
                Ok(ReturnCode::Number(n))
            }
            fn visit_u64<E>(self, n: u64) -> Result<ReturnCode, E> {
                Ok(match i64::try_from(n) {
                    Ok(n) => ReturnCode::Number(n),
                    Err(_) => ReturnCode::Text(n.to_string()),
                })
            }
            fn visit_f64<E>(self, f: f64) -> Result<ReturnCode, E> {
                // A float that is a whole number is still a code; anything else is kept as text.
                Ok(if f.fract() == 0.0 && f.abs() < 1e15 {
                    ReturnCode::Number(f as i64)
                } else {
                    ReturnCode::Text(f.to_string())
                })
            }
            fn visit_str<E>(self, s: &str) -> Result<ReturnCode, E> {
                Ok(parse_code_text(s))
            }
        }
        d.deserialize_any(CodeVisitor)
    }
}

/// `"0000"` -> 0, `" 1700 "` -> 1700, `"R10001"` -> Text.
pub fn parse_code_text(s: &str) -> ReturnCode {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= 18 {
        ReturnCode::Number(t.parse().unwrap_or(i64::MAX))
    } else if let Some(rest) = t.strip_prefix('-') {
        match rest.parse::<i64>() {
            Ok(n) => ReturnCode::Number(-n),
            Err(_) => ReturnCode::Text(s.to_owned()),
        }
    } else {
        ReturnCode::Text(s.to_owned())
    }
}

/// The envelope every REST answer and most WebSocket frames carry. Other keys are skipped.
#[derive(Debug, Deserialize, Default)]
pub struct Envelope {
    #[serde(default)]
    pub return_code: Option<ReturnCode>,
    #[serde(default)]
    pub return_msg: Option<String>,
}

impl Envelope {
    /// Success is `return_code == 0`, or no `return_code` at all.
    pub fn is_success(&self) -> bool {
        self.return_code.as_ref().is_none_or(ReturnCode::is_success)
    }

    /// The specific code of a failure: the one embedded in the message when there is one
    /// (`[1700:`, `RC4007:`, `CODE=8005`), else a top-level code.
    pub fn error_code(&self) -> KiwoomErrorCode {
        resolve_code(self.return_code.as_ref(), self.return_msg.as_deref())
    }
}

impl Envelope {
    /// Read the envelope of an already parsed frame (the WebSocket path) without copying
    /// the frame. A malformed `return_code` / `return_msg` is an error, never a success.
    pub(crate) fn of_value(value: &serde_json::Value) -> Result<Envelope, serde_json::Error> {
        Envelope::deserialize(value)
    }

    /// The [`Error::Api`] for a refusal; a missing `return_code` shows as `-1`.
    pub(crate) fn into_api_error(self, api_id: &'static str) -> Error {
        Error::Api {
            api_id,
            code: self.error_code(),
            return_code: self.return_code.unwrap_or(ReturnCode::Number(-1)),
            message: self.return_msg.unwrap_or_default(),
        }
    }
}

/// [`Envelope`] borrowing `return_msg` from the body: the envelope is read on every answer,
/// and an unescaped message then costs no allocation.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct BorrowedEnvelope<'a> {
    #[serde(default)]
    pub return_code: Option<ReturnCode>,
    #[serde(default, borrow)]
    pub return_msg: Option<std::borrow::Cow<'a, str>>,
}

impl BorrowedEnvelope<'_> {
    pub(crate) fn is_success(&self) -> bool {
        self.return_code.as_ref().is_none_or(ReturnCode::is_success)
    }

    pub(crate) fn error_code(&self) -> KiwoomErrorCode {
        resolve_code(self.return_code.as_ref(), self.return_msg.as_deref())
    }
}

/// See [`Envelope::error_code`]. A top-level code with nothing embedded is used as is
/// (`8005`, `"1700"`, `105118`, or a generic `20`, which maps to `Unknown(20)`).
pub fn resolve_code(return_code: Option<&ReturnCode>, msg: Option<&str>) -> KiwoomErrorCode {
    if let Some(code) = msg.and_then(code_in_message) {
        return KiwoomErrorCode::from_code(code);
    }
    match return_code.and_then(ReturnCode::as_i64) {
        Some(n) if (0..=u32::MAX as i64).contains(&n) => KiwoomErrorCode::from_code(n as u32),
        _ => KiwoomErrorCode::from_code(0),
    }
}

/// The error code embedded in a message, most specific form first:
/// `[1700:...]`, `(RC4007:...)` / `RC4007:`, `(855056:...)`, `CODE=8005`, then a bare `[1634]`.
pub fn code_in_message(msg: &str) -> Option<u32> {
    let b = msg.as_bytes();
    // Each pattern: a prefix, then 3 to 6 digits, then a required terminator (or none).
    let patterns: [(&[u8], Option<u8>); 5] = [
        (b"[", Some(b':')),
        (b"RC", Some(b':')),
        (b"(", Some(b':')),
        (b"CODE=", None),
        (b"[", Some(b']')),
    ];
    for (prefix, end) in patterns {
        let mut i = 0;
        while i + prefix.len() <= b.len() {
            if b[i..].starts_with(prefix) {
                let start = i + prefix.len();
                let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
                let after = b.get(start + digits).copied();
                let ends_ok = match end {
                    Some(e) => after == Some(e),
                    None => true,
                };
                if (3..=6).contains(&digits) && ends_ok {
                    return std::str::from_utf8(&b[start..start + digits])
                        .ok()?
                        .parse()
                        .ok();
                }
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::RetryAdvice;

    fn env(json: &str) -> Envelope {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn return_code_int_string_and_padded() {
        assert!(env(r#"{"return_code":0}"#).is_success());
        assert!(env(r#"{"return_code":"0"}"#).is_success());
        assert!(env(r#"{"return_code":"0000"}"#).is_success());
        assert!(
            env(r#"{"return_msg":"ok"}"#).is_success(),
            "absent return_code = success"
        );
        assert!(!env(r#"{"return_code":"1700"}"#).is_success());
        assert!(!env(r#"{"return_code":3}"#).is_success());
        assert!(!env(r#"{"return_code":"R10001"}"#).is_success());
        assert_eq!(env(r#"{"return_code":"1700"}"#).error_code().code(), 1700);
        assert!(
            env(r#"{"return_code":8005}"#)
                .error_code()
                .is_token_invalid()
        );
    }

    #[test]
    fn return_code_number_forms() {
        let code = |json: &str| env(json).return_code.unwrap();
        assert_eq!(code(r#"{"return_code":-3}"#), ReturnCode::Number(-3));
        assert_eq!(code(r#"{"return_code":1700.0}"#), ReturnCode::Number(1700));
        assert_eq!(
            code(r#"{"return_code":1.5}"#),
            ReturnCode::Text("1.5".into())
        );
        assert_eq!(
            code(r#"{"return_code":18446744073709551615}"#),
            ReturnCode::Text("18446744073709551615".into())
        );
        assert_eq!(code(r#"{"return_code":"-7"}"#), ReturnCode::Number(-7));
        assert!(serde_json::from_str::<Envelope>(r#"{"return_code":true}"#).is_err());
        // From an already parsed value (the WebSocket path) as from text.
        let v: serde_json::Value = serde_json::from_str(r#"{"return_code":"1700"}"#).unwrap();
        let e: Envelope = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(e.return_code, Some(ReturnCode::Number(1700)));
        assert_eq!(
            Envelope::of_value(&v).unwrap().return_code,
            Some(ReturnCode::Number(1700))
        );
        // A malformed envelope must not read as "no return_code", which is success.
        let bad: serde_json::Value =
            serde_json::from_str(r#"{"return_code":8005,"return_msg":7}"#).unwrap();
        assert!(Envelope::of_value(&bad).is_err());
    }

    #[test]
    fn borrowed_envelope_agrees_with_envelope() {
        for json in [
            r#"{"return_code":0,"return_msg":"정상적으로 처리되었습니다"}"#,
            r#"{"a":[{"return_code":5}],"return_code":"0000"}"#,
            r#"{"return_code":5,"return_msg":"초과[1700:\"유량\"=5]"}"#,
            r#"{"return_msg":"ok"}"#,
        ] {
            let owned = env(json);
            let borrowed: BorrowedEnvelope = serde_json::from_str(json).unwrap();
            assert_eq!(owned.return_code, borrowed.return_code, "{json}");
            assert_eq!(owned.return_msg.as_deref(), borrowed.return_msg.as_deref());
            assert_eq!(owned.is_success(), borrowed.is_success());
            assert_eq!(owned.error_code(), borrowed.error_code());
        }
    }

    #[test]
    fn success_never_depends_on_the_message() {
        assert!(!env(r#"{"return_code":2,"return_msg":"정상적으로 처리되었습니다"}"#).is_success());
        assert!(
            env(r#"{"return_code":0,"return_msg":"[8005:Token이 유효하지 않습니다]"}"#)
                .is_success()
        );
    }

    #[test]
    fn embedded_codes() {
        assert_eq!(
            code_in_message("인증에 실패했습니다[8005:Token이 유효하지 않습니다]"),
            Some(8005)
        );
        assert_eq!(code_in_message("LOGIN 실패 CODE=8005 MSG=..."), Some(8005));
        assert_eq!(
            code_in_message("[2000](RC4007:모의투자 매매제한 종목입니다.)"),
            Some(4007)
        );
        assert_eq!(
            code_in_message("[2000](855056:매수증거금이 부족합니다. 6주 매수가능)"),
            Some(855056)
        );
        assert_eq!(
            code_in_message("허용된 요청 개수를 초과하였습니다[1634]"),
            Some(1634)
        );
        assert_eq!(
            code_in_message(
                "허용된 요청 개수를 초과하였습니다[1700:허용된 API 요청 개수를 초과하였습니다. 유량=5, API ID=ka10081]"
            ),
            Some(1700)
        );
        assert_eq!(code_in_message("모의투자 조회완료"), None);
        assert_eq!(code_in_message("[12:short]"), None);
    }

    #[test]
    fn embedded_code_wins_over_generic_return_code() {
        let e = env(
            r#"{"return_code":3,"return_msg":"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"}"#,
        );
        assert_eq!(e.error_code().code(), 8005);
        assert_eq!(e.error_code().retry(), RetryAdvice::RefreshToken);
        let e = env(
            r#"{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:유량=5]"}"#,
        );
        assert_eq!(e.error_code().retry(), RetryAdvice::Backoff);
        let e = env(r#"{"return_code":20,"return_msg":"주문 거부"}"#);
        assert_eq!(e.error_code().code(), 20);
    }

    #[test]
    fn look_alike_limits_are_not_retried() {
        let e = env(r#"{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1634]"}"#);
        assert_eq!(e.error_code().code(), 1634);
        assert_eq!(e.error_code().retry(), RetryAdvice::Never);
        let e = env(
            r#"{"return_code":5,"return_msg":"재귀 호출[1687:재귀 호출이 발생하여 API 호출을 제한합니다]"}"#,
        );
        assert_eq!(e.error_code().code(), 1687);
        assert!(e.error_code().is_rate_limit());
        assert_eq!(e.error_code().retry(), RetryAdvice::Never);
    }
}

//! Kiwoom's error answers as the live server writes them: HTTP 200 (429 for rate limits),
//! a small generic `return_code`, and the documented 4-digit code with its Korean text in
//! brackets inside `return_msg`: `입력 값 오류입니다[1511:...필수입력 파라미터=strt_dt]`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::catalog::Catalog;

/// One Kiwoom error answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// The generic class code in `return_code`: 2 input, 3 authentication, 5 rate limit,
    /// 20 order rejected.
    pub return_code: i64,
    pub return_msg: String,
}

/// Texts for the codes the simulator emits, used when the spec's errors.yaml lacks one.
fn fallback_text(code: u32) -> &'static str {
    match code {
        1501 => "API ID가 Null이거나 값이 없습니다",
        1504 => "해당 URI에서는 지원하는 API ID가 아닙니다. API ID={?}, URI={?}",
        1505 => "해당 API ID는 존재하지 않습니다. API ID={?}",
        1511 => "필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터={?}",
        1513 => "Http Header에 authorization 필드가 설정되어 있어야 합니다",
        1514 => "입력으로 들어온 Http Header의 authorization 필드 형식이 맞지 않습니다",
        1515 => "Http Header의 authorization 필드 내 Grant Type이 미리 정의된 형식이 아닙니다",
        1516 => "Http Header의 authorization 필드 내 Token이 정의되어 있지 않습니다",
        1517 => "입력 값 형식이 올바르지 않습니다. 파라미터={?} 실패사유= {?}",
        1902 => "종목 정보가 없습니다. 입력한 종목코드 값을 확인바랍니다. 종목코드={?}",
        1903 => {
            "종목 정보가 없습니다. 입력한 종목코드, 거래소구분 값을 확인바랍니다. 거래소구분={?}, 종목코드={?}"
        }
        1700 => "허용된 API 요청 개수를 초과하였습니다. 유량={?}, API ID={?}",
        8001 => "App Key와 Secret Key 검증에 실패했습니다",
        8005 => "Token이 유효하지 않습니다",
        8011 => "Access Token을 발급하는데 실패했습니다. 입력값에 grant_type이 들어오지 않았습니다",
        8012 => "Access Token을 발급하는데 실패했습니다. grant_type의 값이 맞지 않습니다",
        _ => "예기치 못한 에러가 발생했습니다. 실패사유={?}",
    }
}

/// Fill `{?}` placeholders in order; extra arguments are dropped, missing ones left as is.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{?}") {
        out.push_str(&rest[..at]);
        match args.next() {
            Some(arg) => out.push_str(arg),
            None => out.push_str("{?}"),
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

impl ApiError {
    /// The answer for a documented 4-digit code with its `{?}` arguments.
    pub fn code(catalog: &Catalog, code: u32, args: &[&str]) -> ApiError {
        let template = catalog
            .errors
            .get(&code)
            .map_or_else(|| fallback_text(code), String::as_str);
        let text = fill(template, args);
        let (status, return_code, prefix) = match code {
            1700..=1702 => (
                StatusCode::TOO_MANY_REQUESTS,
                5,
                "허용된 요청 개수를 초과하였습니다",
            ),
            1513..=1516 | 8000..=8999 => (StatusCode::OK, 3, "인증에 실패했습니다"),
            _ => (StatusCode::OK, 2, "입력 값 오류입니다"),
        };
        ApiError {
            status,
            return_code,
            return_msg: format!("{prefix}[{code}:{text}]"),
        }
    }

    /// An order the simulated exchange refuses (unknown original order, not enough cash...).
    /// Shaped like the live `[2000](RC4007:...)` rejects, with return_code 20.
    pub fn order_reject(reason: &str) -> ApiError {
        ApiError {
            status: StatusCode::OK,
            return_code: 20,
            return_msg: format!("[2000](RC9000:{reason})"),
        }
    }

    pub fn body(&self) -> Value {
        json!({ "return_code": self.return_code, "return_msg": self.return_msg })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order() {
        assert_eq!(fill("a={?}, b={?}", &["1", "2"]), "a=1, b=2");
        assert_eq!(fill("a={?}", &[]), "a={?}");
        let e = ApiError::code(&Catalog::default(), 1511, &["strt_dt"]);
        assert_eq!(e.return_code, 2);
        assert_eq!(
            e.return_msg,
            "입력 값 오류입니다[1511:필수 입력 값에 값이 존재하지 않습니다. 필수입력 파라미터=strt_dt]"
        );
        let e = ApiError::code(&Catalog::default(), 1700, &["5", "ka10081"]);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.return_code, 5);
    }
}

//! Value types, units and codec facts decided from the docs: the description first, then the
//! unit words, then the Korean label. All rules live here, in order, so they can be read as
//! one list. Conservative by design: a number the docs do not call whole is a decimal, and
//! a field the docs say nothing about stays text.

use std::sync::LazyLock;

use regex::Regex;

use crate::spec::{Codec, Market, Sign, ValueType};

use super::enums::lists_codes;
use super::labels;

#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    pub ty: ValueType,
    pub unit: Option<String>,
    pub codec: Codec,
    /// Which rule decided (for the report and the tests).
    pub rule: &'static str,
}

static UNIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"단위\s*:\s*([^,\n]+)").expect("valid regex"));
static PAD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"0-padding[^0-9]*?(\d+)\s*자리").expect("valid regex"));
static DECIMALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"소수점\s*(?:이하\s*)?(첫째|둘째|셋째|넷째|다섯째|\d)").expect("valid regex")
});

/// Units that are whole numbers on the wire.
const WHOLE_UNITS: &[&str] = &[
    "원",
    "주",
    "천주",
    "백만원",
    "천원",
    "억원",
    "억",
    "종목수",
    "건",
    "천만",
    "백만주",
    "계약",
    "회",
];

/// Normalise Kiwoom's unit spelling (`1주` -> `주`, `1000주` -> `천주`).
pub fn normalize_unit(raw: &str) -> String {
    let u = raw.trim().trim_end_matches('.').trim();
    let u = u.split('(').next().unwrap_or(u).trim();
    match u {
        "1주" => "주".to_string(),
        "1000주" => "천주".to_string(),
        "달러" => "USD".to_string(),
        other => other.to_string(),
    }
}

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// Korean labels of amounts whose sign is arithmetic (a change, a net amount, a P&L).
pub fn label_is_arithmetic(korean: &str) -> bool {
    has_any(
        korean,
        &[
            "대비",
            "증감",
            "손익",
            "순매수",
            "순매도",
            "순매매",
            "등락",
            "변동",
            "수익",
            "차익",
            "평가손",
            "증가",
            "감소",
            "괴리",
            "대금차",
        ],
    )
}

/// Infer a scalar field. `market` matters for prices without a description (US prices have
/// decimals); `request` keeps request fields conservative (see rule 6).
pub fn infer(
    wire: &str,
    korean: &str,
    description: &str,
    market: Market,
    request: bool,
) -> Inferred {
    let d = description.trim();
    let upper = d.to_uppercase();
    let unit = UNIT.captures(d).map(|c| normalize_unit(&c[1]));
    let mut codec = Codec::default();
    if let Some(c) = PAD.captures(d) {
        codec.zero_pad = c[1].parse().ok();
    }
    if let Some(c) = DECIMALS.captures(d) {
        codec.decimals = match &c[1] {
            "첫째" => Some(1),
            "둘째" => Some(2),
            "셋째" => Some(3),
            "넷째" => Some(4),
            "다섯째" => Some(5),
            n => n.parse().ok(),
        };
    }
    let signed = d.contains("부호");
    let number = |ty, rule, codec: Codec, unit: Option<String>| {
        let mut codec = codec;
        if signed {
            codec.sign = if label_is_arithmetic(korean) || !looks_like_price(korean) {
                Sign::Value
            } else {
                Sign::Direction
            };
        }
        Inferred {
            ty,
            unit,
            codec,
            rule,
        }
    };

    // 1. Formats stated in the description.
    if upper.contains("YYYYMMDDHHMMSS") {
        return plain(ValueType::Datetime, "description YYYYMMDDHHMMSS");
    }
    // `YYYMMDD` is Kiwoom's typo for `YYYYMMDD` (kt00005 `loan_dt`); `기준 일자, YYYYMMDD`.
    if upper.contains("YYYMMDD") && !upper.contains("HH") {
        return plain(ValueType::Date, "description YYYYMMDD");
    }
    if upper.contains("HHMMSS") && !upper.contains("YYYY") && !upper.contains(':') {
        return plain(ValueType::Time, "description HHMMSS");
    }
    // 2. Scaled integers: "소수점 제거 된 100배 값" (value x100 on the wire).
    if d.contains("100배") {
        let mut c = codec.clone();
        c.scale = Some(2);
        return number(ValueType::Decimal, "description x100", c, unit);
    }
    // 3. Explicit decimals, percentages, USD, ratios, index values.
    let decimal_unit = unit
        .as_deref()
        .is_some_and(|u| has_any(u, &["%", "USD", "배", "지수", "달러"]));
    if d.contains("소수점") || decimal_unit || d.contains("백분율") {
        return number(
            ValueType::Decimal,
            "description decimal/percent/USD",
            codec,
            unit,
        );
    }
    // 4. Whole units.
    if let Some(u) = unit.as_deref()
        && WHOLE_UNITS.iter().any(|w| u == *w || u.starts_with(w))
    {
        return number(ValueType::Integer, "description whole unit", codec, unit);
    }
    // 4b. An identifier described as "N자리 숫자" (계좌번호 `고유 계좌번호 10자리 숫자`,
    //     주문번호 `7자리 숫자`) is a fixed-width digit string, not a quantity: its leading
    //     zeros matter, so it stays text.
    if unit.is_none() && labels::kind_of(korean) == Some(labels::Kind::Text) {
        return plain(ValueType::Text, "identifier written as digits");
    }
    if d.contains("숫자") || unit.is_some() {
        return number(
            ValueType::Decimal,
            "description number without a whole unit",
            codec,
            unit,
        );
    }
    // 5. Nothing said: the Korean label (`labels.rs`).
    if d.is_empty() || d == korean.trim() {
        return by_label(wire, korean, market, request, "label");
    }
    // 6. Prose that states no format, unit or codes (`현재가 - 전일종가`, `기준 일자,
    //    YYYYMMDD`, `스톱지정가주문 스톱가`): the label decides for responses. Request prose
    //    often redefines the value (`시간`: `분 입력`), so requests stay text.
    //    Any other format (`HH:mm:ss`, `YYYYMM`) is text: a wrong date is worse than none.
    let other_format = ["YYYY", "YYY", "HH", "MM"]
        .iter()
        .any(|f| upper.contains(f));
    if !request && !lists_codes(d) && !d.contains('%') && !other_format {
        return by_label(wire, korean, market, false, "label (description is prose)");
    }
    plain(ValueType::Text, "description prose")
}

fn plain(ty: ValueType, rule: &'static str) -> Inferred {
    Inferred {
        ty,
        unit: None,
        codec: Codec::default(),
        rule,
    }
}

/// Prices and index levels, whose sign is the direction against the previous close: the
/// head noun (see `labels::head_of`: no `(종가)` note, no trailing `1`..`10` or Kiwoom's
/// placeholder `n`) ends in `가` (현재가, 시가, 고가, 저가, 기준가, 상한가, 매도호가1,
/// 현재가n), or names a high or low (연중최고, 250최저), a quote (우선매도호가단위 is the best
/// ask in ka10003), a price or an index (`KOSPI200`).
fn looks_like_price(korean: &str) -> bool {
    let head = labels::head_of(korean);
    let k = head
        .strip_suffix('n')
        .filter(|h| h.chars().last().is_some_and(|c| !c.is_ascii()))
        .unwrap_or(&head);
    k.ends_with('가')
        || k.ends_with("최고")
        || k.ends_with("최저")
        || k.ends_with("호가단위")
        || k.contains("가격")
        || k.contains("지수")
        || k.starts_with("KOSPI")
        || k.starts_with("KOSDAQ")
}

/// Labels alone (the table is in `labels.rs`). Wire names that end like identifiers
/// (`_cd`, `_no`, `_nm`, `_tp`) stay text whatever the label says. Request fields never
/// become times: a request `시간` is a number of minutes (`분 입력`), not a clock time.
fn by_label(
    wire: &str,
    korean: &str,
    market: Market,
    request: bool,
    rule: &'static str,
) -> Inferred {
    let identifier = ["_cd", "_no", "_nm", "_tp"]
        .iter()
        .any(|s| wire.ends_with(s));
    let kind = labels::kind_of(korean);
    if identifier || (request && kind == Some(labels::Kind::Time)) {
        return plain(ValueType::Text, "label identifier/text");
    }
    match kind.and_then(|k| labels::typed(k, korean, market)) {
        Some((ty, codec)) => Inferred {
            ty,
            unit: None,
            codec,
            rule,
        },
        None => plain(ValueType::Text, "label identifier/text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_written_as_digits_stay_text() {
        for (wire, korean, description) in [
            ("acnt_no", "계좌번호", "고유 계좌번호 10자리 숫자"),
            ("ord_no", "주문번호", "고유 주문번호 7자리 숫자"),
            ("seq", "일련번호", "7자리 숫자"),
        ] {
            let i = infer(wire, korean, description, Market::Domestic, false);
            assert_eq!(i.ty, ValueType::Text, "{wire}");
        }
        // A count described the same way is still a number.
        let i = infer("cnt", "건수", "7자리 숫자", Market::Domestic, false);
        assert_ne!(i.ty, ValueType::Text);
    }

    #[test]
    fn descriptions_decide_first() {
        let i = infer(
            "cur_prc",
            "현재가",
            "단위: 원, 부호가 포함된 숫자",
            Market::Domestic,
            false,
        );
        assert_eq!(
            (i.ty, i.unit.as_deref(), i.codec.sign),
            (ValueType::Integer, Some("원"), Sign::Direction)
        );
        let i = infer(
            "pred_pre",
            "전일대비",
            "단위: 원, 부호가 포함된 숫자",
            Market::Domestic,
            false,
        );
        assert_eq!(i.codec.sign, Sign::Value);
        let signed = "단위: 원, 부호가 포함된 숫자";
        for price in [
            "연중최고",
            "250최저",
            "매도호가1",
            "현재가n",
            "현재가(종가)",
            "시간외단일가_매수호가5",
            "우선매도호가단위",
        ] {
            let i = infer("x", price, signed, Market::Domestic, false);
            assert_eq!(i.codec.sign, Sign::Direction, "{price}");
        }
        for change in [
            "전일대비",
            "매도호가직전대비1",
            "연중최고가 대비율",
            "순매수",
        ] {
            let i = infer("x", change, signed, Market::Domestic, false);
            assert_eq!(i.codec.sign, Sign::Value, "{change}");
        }
        let i = infer(
            "flu_rt",
            "등락율",
            "단위: %, 부호 포함 소수점 둘째 자리까지 포맷된 백분율",
            Market::Domestic,
            false,
        );
        assert_eq!((i.ty, i.codec.decimals), (ValueType::Decimal, Some(2)));
        let i = infer(
            "x",
            "x",
            "단위: 원, 좌측 0-padding 처리된 부호 포함 15자리 숫자",
            Market::Domestic,
            false,
        );
        assert_eq!((i.ty, i.codec.zero_pad), (ValueType::Integer, Some(15)));
        assert_eq!(
            infer("dt", "일자", "YYYYMMDD", Market::Domestic, false).ty,
            ValueType::Date
        );
        assert_eq!(
            infer("t", "시간", "HHmmss", Market::Domestic, false).ty,
            ValueType::Time
        );
        assert_eq!(
            infer("t", "시간", "HH:mm:ss", Market::Domestic, false).ty,
            ValueType::Text
        );
        let i = infer(
            "open_pric",
            "시가",
            "단위: 지수\n\n※ 지수 값은 소수점 제거 된 100배 값으로 제공됩니다.",
            Market::Domestic,
            false,
        );
        assert_eq!((i.ty, i.codec.scale), (ValueType::Decimal, Some(2)));
    }

    #[test]
    fn labels_are_conservative() {
        assert_eq!(
            infer("cur_prc", "현재가", "", Market::Domestic, false).ty,
            ValueType::Integer
        );
        assert_eq!(
            infer("cur_prc", "현재가", "", Market::Us, false).ty,
            ValueType::Decimal
        );
        assert_eq!(
            infer("stk_cd", "종목코드", "", Market::Domestic, false).ty,
            ValueType::Text
        );
        assert_eq!(
            infer("flu_rt", "등락율", "", Market::Domestic, false).ty,
            ValueType::Decimal
        );
        assert_eq!(
            infer("x", "비고", "", Market::Domestic, false).ty,
            ValueType::Text
        );
    }
}

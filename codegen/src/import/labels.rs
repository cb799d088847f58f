//! Value types from the Korean label alone, for fields whose description says nothing
//! decisive (a third of Kiwoom's rows have no description at all, quirk #43).
//!
//! A Korean compound noun ends in its head noun (`매도호가총잔량직전대비` is a *change*,
//! `매도거래원` a *broker*, `매도거래원수량` a *quantity*), so every rule matches the end of
//! the label, after trailing digits (`매도호가직전대비10`) and parentheses (`총평가금액(원)`)
//! are taken off. The first rule that matches decides; the table below is the whole list.
//!
//! Kiwoom's own examples still veto every decision afterwards (`example_check`), so a rule
//! that is wrong for one TR lowers that field's type instead of breaking decoding.

use crate::spec::{Codec, Market, Sign, ValueType};

/// What a label says a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Identifiers, names, codes, flags: stay text.
    Text,
    /// `YYYYMMDD`.
    Date,
    /// `HHMMSS`.
    Time,
    /// A rank or a count of things (stocks, days, trades): always whole.
    Count,
    /// A signed difference (`전일대비`, `증감`): a number whose sign is arithmetic.
    Change,
    /// A rate, ratio or other fractional measure: always decimal.
    Rate,
    /// A price: won are whole, dollars have cents.
    Price,
    /// An amount of money: won are whole, dollars have cents.
    Amount,
    /// A number of shares or contracts: whole at home, fractional shares in the US.
    Quantity,
}

/// One rule: a label whose head (see the module comment) ends with one of `ends` is `kind`.
struct Rule {
    ends: &'static [&'static str],
    kind: Kind,
}

/// The rules, in order. The first matching rule wins, so the more specific endings come
/// first (`대비` is a change before `비` is a ratio; `잔고수주합` a quantity before `합`
/// is an amount). `대비등락율` ends in `율`, so it is still a rate.
const RULES: &[Rule] = &[
    // Identifiers, names, codes and flags: 종목코드, 주문번호, 종목명, 매매구분, ETF 여부,
    // 전일대비기호, 매도거래원 (a broker's name), 연속조회키, 통화, 결산월 (a month, `12`),
    // 회차 (an issue's series label). Reading them as numbers would lose leading zeros.
    Rule {
        ends: &[
            "코드",
            "번호",
            "명",
            "구분",
            "여부",
            "상태",
            "유형",
            "기호",
            "부호",
            "분류",
            "사유",
            "거래원",
            "회원사",
            "이탈원",
            "키",
            "한글",
            "사용",
            "단위",
            "통화",
            "업종",
            "주기",
            "적요",
            "컬러",
            "ticker",
            "타입",
            "토큰",
            "정보",
            "Item",
            "종목",
            "결산월",
            "회차",
            "매체",
            "처리자",
            "처리점",
            "사번",
            "정정취소",
            "불확실성",
            "경쟁우위",
            "지수",
            "기준",
            "잔여시간",
            "당일전일",
        ],
        kind: Kind::Text,
    },
    // Ranks are whole numbers (`순위`, `키움상위순위`).
    Rule {
        ends: &["순위"],
        kind: Kind::Count,
    },
    // Dates: 기준일, 최초기준일, 대출일, 만기일, 매매일자, D1 국내결제일자.
    Rule {
        ends: &[
            "일자",
            "기준일",
            "대출일",
            "만기일",
            "만료일",
            "상장일",
            "결제일",
            "체결일",
            "거래일",
            "매매일",
            "영업일",
        ],
        kind: Kind::Date,
    },
    // Times of day: 체결시간, 주문/체결시간, 시가시간, 조회시간 (HHMMSS).
    Rule {
        ends: &["시간"],
        kind: Kind::Time,
    },
    // Sums of shares or estimated volumes, before `합` (an amount) below.
    Rule {
        ends: &["주수합", "수주합", "추정합"],
        kind: Kind::Quantity,
    },
    // Signed differences: 전일대비, 매도호가총잔량직전대비, 순매수수량증감, 등락폭,
    // 순위변화값, and net buying (`외인순매수`) which is buys minus sells.
    Rule {
        ends: &[
            "대비",
            "증감",
            "등락",
            "등락폭",
            "변화값",
            "변동",
            "순매수",
            "순매도",
        ],
        kind: Kind::Change,
    },
    // Rates and ratios, including rates of change (`대비등락율`): 체결강도, 비중, 매물비,
    // 내재변동성, 델타, K.O 접근도, 환율, NAV, DR/주 (depositary receipts per share).
    Rule {
        ends: &[
            "율",
            "률",
            "비율",
            "비중",
            "강도",
            "배수",
            "비",
            "변동성",
            "델타",
            "접근도",
            "지지점",
            "환율",
            "NAV",
            "PER",
            "PBR",
            "ROE",
            "EPS",
            "BPS",
            "DR/주",
        ],
        kind: Kind::Rate,
    },
    // Counts of things: 종목수, 상승종목수, 연속일수, 잔존일수, 횟수, 건수, 마지막틱갯수, and
    // the bare 상승/보합/하락 (numbers of rising, unchanged and falling stocks).
    Rule {
        ends: &[
            "종목수",
            "일수",
            "횟수",
            "건수",
            "갯수",
            "개수",
            "매물대수",
            "상승",
            "보합",
            "하락",
        ],
        kind: Kind::Count,
    },
    // Quantities: 거래량, 잔량, 체결량, 수량, 주식수, 거래수량/좌수.
    Rule {
        ends: &["량", "수량", "주수", "주식수", "좌수"],
        kind: Kind::Quantity,
    },
    // Prices: 현재가, 시가, 고가, 저가, 종가, 기준가, 스톱가, 예상체결가, 단가, 호가,
    // 가격대시작, 가격대끝, 손익분기점 (the break-even price).
    Rule {
        ends: &[
            "가",
            "가격",
            "단가",
            "호가",
            "가격대시작",
            "가격대끝",
            "손익분기점",
        ],
        kind: Kind::Price,
    },
    // Money: 금액, 거래대금, 손익, 매매수익, 예탁자산, 수수료, 세금, 예수금, 외화예수금잔고,
    // 수수료합, 변제합, 매도합계, 신용이자, 연체료, 거래비용, 예수금전잔, 유가금잔, 미수.
    Rule {
        ends: &[
            "금액",
            "대금",
            "손익",
            "수익",
            "자산",
            "수수료",
            "세금",
            "세",
            "세액",
            "금",
            "액",
            "잔고",
            "금잔",
            "전잔",
            "연체료",
            "이자",
            "비용",
            "합",
            "합계",
            "시가총액",
            "미수",
        ],
        kind: Kind::Amount,
    },
];

/// The kind of value a label names, or `None` when no rule matches.
pub fn kind_of(korean: &str) -> Option<Kind> {
    let head = head_of(korean);
    RULES
        .iter()
        .find(|r| r.ends.iter().any(|e| head.ends_with(e)))
        .map(|r| r.kind)
}

/// The label without parenthesised notes (`총평가금액(원)`, `수수료(외)`), trailing digits
/// (`매도호가직전대비10`) and trailing qualifiers (`괴리율 정적`).
pub(super) fn head_of(korean: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in korean.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let mut head = out
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c.is_whitespace());
    // Qualifiers after the noun: VI's `기준가격 정적`/`괴리율 동적` (static/dynamic VI),
    // `매도체결량_단건` (single trade).
    for qualifier in [" 정적", " 동적", "_단건"] {
        head = head.strip_suffix(qualifier).unwrap_or(head);
    }
    head.to_string()
}

/// Money in won is whole; dollars and other foreign currencies have cents. The label's own
/// note wins (`(원)`, `원화` / `(USD)`, `(외)`, `외화`), then the TR's market.
fn in_won(korean: &str, market: Market) -> bool {
    if korean.contains("(원") || korean.contains("원화") {
        return true;
    }
    if ["(USD)", "(외)", "외화", "달러", "USD"]
        .iter()
        .any(|w| korean.contains(w))
    {
        return false;
    }
    market != Market::Us
}

/// Type and codec of a label's kind. `None` for text.
pub fn typed(kind: Kind, korean: &str, market: Market) -> Option<(ValueType, Codec)> {
    let won = in_won(korean, market);
    let money = if won {
        ValueType::Integer
    } else {
        ValueType::Decimal
    };
    let signed = |ty| {
        Some((
            ty,
            Codec {
                sign: Sign::Value,
                ..Codec::default()
            },
        ))
    };
    let plain = |ty| Some((ty, Codec::default()));
    match kind {
        Kind::Text => None,
        Kind::Date => plain(ValueType::Date),
        Kind::Time => plain(ValueType::Time),
        Kind::Count => plain(ValueType::Integer),
        Kind::Rate => plain(ValueType::Decimal),
        Kind::Price => plain(money),
        // US share quantities can be fractional (fractional-share trading).
        Kind::Quantity if market == Market::Us => plain(ValueType::Decimal),
        Kind::Quantity => plain(ValueType::Integer),
        Kind::Amount if super::types::label_is_arithmetic(korean) => signed(money),
        Kind::Amount => plain(money),
        // A change of a quantity or price in won is whole; in dollars it has cents.
        Kind::Change => signed(money),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(k: &str) -> Option<Kind> {
        kind_of(k)
    }

    #[test]
    fn the_head_noun_decides() {
        assert_eq!(kind("매도호가총잔량직전대비"), Some(Kind::Change));
        assert_eq!(kind("매도호가직전대비10"), Some(Kind::Change));
        assert_eq!(kind("전일대비기호"), Some(Kind::Text));
        assert_eq!(kind("매도거래원1"), Some(Kind::Text));
        assert_eq!(kind("매도거래원수량1"), Some(Kind::Quantity));
        assert_eq!(kind("LP매도호가수량1"), Some(Kind::Quantity));
        assert_eq!(kind("KRX중간가대비등락율"), Some(Kind::Rate));
        assert_eq!(kind("체결강도"), Some(Kind::Rate));
        assert_eq!(kind("총평가금액(원)"), Some(Kind::Amount));
        assert_eq!(kind("잔고수주합"), Some(Kind::Quantity));
        assert_eq!(kind("수수료합"), Some(Kind::Amount));
        assert_eq!(kind("연속일수"), Some(Kind::Count));
        assert_eq!(kind("키움상위순위"), Some(Kind::Count));
        assert_eq!(kind("최초기준일"), Some(Kind::Date));
        assert_eq!(kind("주문/체결시간"), Some(Kind::Time));
        assert_eq!(kind("장시작예상잔여시간"), Some(Kind::Text));
        assert_eq!(kind("현재가(종가)"), Some(Kind::Price));
        assert_eq!(kind("시간외단일가_현재가"), Some(Kind::Price));
        assert_eq!(kind("괴리율 정적"), Some(Kind::Rate));
        assert_eq!(kind("기준가격 동적"), Some(Kind::Price));
        assert_eq!(kind("매도체결량_단건"), Some(Kind::Quantity));
        for text in [
            "종목코드",
            "종목명",
            "주문번호",
            "계좌번호",
            "통화코드",
            "거래소명",
            "매매구분명",
            "매도/매수구분",
            "결산월",
            "비고",
        ] {
            assert!(matches!(kind(text), Some(Kind::Text) | None), "{text}");
        }
    }

    #[test]
    fn a_leaked_unit_is_not_a_code_list() {
        // 04 `946` 매도/매수구분 carries `계약,주` (contracts, shares) as its description, a
        // unit copied from the volume rows; its values are side codes (`"2"`), so neither
        // the label nor the description may make it an enum with a `Week` variant.
        assert_eq!(kind_of("매도/매수구분"), Some(Kind::Text));
        assert!(!super::super::enums::lists_codes("계약,주"));
        assert!(super::super::enums::parse("계약,주").is_none_or(|p| p.codes.len() < 2));
    }

    #[test]
    fn currency_follows_the_label_then_the_market() {
        let ty = |k: &str, m| typed(kind_of(k).expect("a rule"), k, m).map(|t| t.0);
        assert_eq!(ty("수수료", Market::Domestic), Some(ValueType::Integer));
        assert_eq!(ty("수수료", Market::Us), Some(ValueType::Decimal));
        assert_eq!(ty("수수료(외)", Market::Domestic), Some(ValueType::Decimal));
        assert_eq!(ty("총손익금액(원)", Market::Us), Some(ValueType::Integer));
        assert_eq!(ty("거래량", Market::Us), Some(ValueType::Decimal));
        assert_eq!(ty("종목수", Market::Us), Some(ValueType::Integer));
        let (t, c) = typed(Kind::Change, "전일대비", Market::Domestic).expect("typed");
        assert_eq!((t, c.sign), (ValueType::Integer, Sign::Value));
    }
}

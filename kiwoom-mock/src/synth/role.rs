//! What a field means, guessed from its Korean label, wire name and codec, so that a
//! synthesized value is plausible: a price on a tick, a change that matches its sign, a
//! stock name next to its code.

use codegen::spec::{Field, Sign, ValueType};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceKind {
    Current,
    Open,
    High,
    Low,
    PrevClose,
    UpperLimit,
    LowerLimit,
    Ask,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Price(PriceKind),
    /// 전일대비: close - previous close.
    Change,
    /// 전일대비기호: 2 up, 3 flat, 5 down.
    ChangeSign,
    /// 등락율: the change in percent.
    ChangeRate,
    /// Any other percentage or ratio.
    Rate,
    Quantity,
    Amount,
    StockCode,
    StockName,
    /// 종목영문명 (`stk_enm`).
    StockEnglishName,
    OrderNo,
    AccountNo,
    Label,
    Other,
}

fn numeric(f: &Field) -> bool {
    matches!(f.ty, ValueType::Integer | ValueType::Decimal)
}

pub fn role(f: &Field) -> Role {
    let k = f.korean.as_str();
    let w = f.wire.as_str();
    if k.contains("대비기호") || k.contains("대비부호") || w.ends_with("_sig") || w == "pre_sig"
    {
        return Role::ChangeSign;
    }
    if k.contains("종목코드") || k.contains("종목번호") || w == "stk_cd" || w == "jmcode" {
        return Role::StockCode;
    }
    if k.contains("영문종목명") || k.contains("종목영문명") || w == "stk_enm" {
        return Role::StockEnglishName;
    }
    if k.contains("종목명") || w == "stk_nm" {
        return Role::StockName;
    }
    if k.contains("주문번호") || w.ends_with("ord_no") {
        return Role::OrderNo;
    }
    if k.contains("계좌번호") || w == "acnt_no" {
        return Role::AccountNo;
    }
    if !numeric(f) {
        if w.ends_with("_nm") || k.ends_with('명') || w.ends_with("_txt") {
            return Role::Label;
        }
        return Role::Other;
    }
    if k.contains("등락율") || k.contains("등락률") || w == "flu_rt" {
        return Role::ChangeRate;
    }
    if k.contains("대비")
        && !["율", "률", "%", "량", "거래", "비율"]
            .iter()
            .any(|x| k.contains(x))
        && !w.contains("qty")
    {
        return Role::Change;
    }
    if k.contains('율')
        || k.contains('률')
        || k.contains('%')
        || f.unit.as_deref() == Some("%")
        || w.ends_with("_rt")
    {
        return Role::Rate;
    }
    if k.contains("액면") {
        return Role::Other;
    }
    let won = matches!(f.unit.as_deref(), Some("원") | Some("USD") | Some("달러"));
    let extreme = (k.ends_with("최고")
        || k.ends_with("최저")
        || k.contains("최고가")
        || k.contains("최저가"))
        && !["일", "율", "률", "대비"].iter().any(|x| k.contains(x));
    if extreme && (won || f.codec.sign != Sign::None) {
        return Role::Price(price_kind(k, w));
    }
    let price_label = {
        let base = k.trim_end_matches(|c: char| {
            c == ')' || c == '(' || c.is_ascii_alphanumeric() || c.is_whitespace()
        });
        base.ends_with('가') && !base.ends_with("평가")
            || base.ends_with("가격")
            || base.ends_with("단가")
            || base.ends_with("호가")
    };
    if f.codec.sign == Sign::Direction || price_label {
        return Role::Price(price_kind(k, w));
    }
    if k.contains("수량") || k.contains('량') || w.contains("qty") || k.contains("주수") {
        return Role::Quantity;
    }
    if k.contains("금액")
        || k.contains("대금")
        || k.ends_with('액')
        || k.ends_with('금')
        || w.contains("amt")
        || w.ends_with("entr")
    {
        return Role::Amount;
    }
    Role::Other
}

fn price_kind(k: &str, w: &str) -> PriceKind {
    if k.contains("상한") || w.starts_with("upl") {
        PriceKind::UpperLimit
    } else if k.contains("하한") || w.starts_with("lst") {
        PriceKind::LowerLimit
    } else if (k.contains("시가") && !k.contains("시가총액")) || w.starts_with("open") {
        PriceKind::Open
    } else if k.contains("고가")
        || k.contains("최고")
        || w.starts_with("high")
        || w.contains("hgst")
    {
        PriceKind::High
    } else if k.contains("저가") || k.contains("최저") || w.starts_with("low") || w.contains("lwst")
    {
        PriceKind::Low
    } else if k.contains("기준")
        || k.contains("전일")
        || w.starts_with("base")
        || w.starts_with("pred_close")
    {
        PriceKind::PrevClose
    } else if k.contains("매도호가") || w.starts_with("sel") {
        PriceKind::Ask
    } else {
        PriceKind::Current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(wire: &str, korean: &str, ty: ValueType) -> Field {
        Field {
            wire: wire.into(),
            korean: korean.into(),
            rust: wire.into(),
            ty,
            required: false,
            presence: Default::default(),
            max_length: None,
            description: String::new(),
            unit: None,
            codec: Default::default(),
            role: None,
            enumeration: None,
            row_shape: Default::default(),
            fields: vec![],
        }
    }

    #[test]
    fn roles_from_labels() {
        use ValueType::*;
        assert_eq!(
            role(&field("cur_prc", "현재가", Integer)),
            Role::Price(PriceKind::Current)
        );
        assert_eq!(
            role(&field("16", "시가", Integer)),
            Role::Price(PriceKind::Open)
        );
        assert_eq!(
            role(&field("27", "(최우선)매도호가", Integer)),
            Role::Price(PriceKind::Ask)
        );
        assert_eq!(role(&field("pred_pre", "전일대비", Integer)), Role::Change);
        assert_eq!(role(&field("25", "전일대비기호", Text)), Role::ChangeSign);
        assert_eq!(role(&field("flu_rt", "등락율", Decimal)), Role::ChangeRate);
        assert_eq!(role(&field("trde_qty", "거래량", Integer)), Role::Quantity);
        assert_eq!(
            role(&field("trde_prica", "거래대금", Integer)),
            Role::Amount
        );
        assert_eq!(role(&field("evlt_amt", "평가금액", Integer)), Role::Amount);
        assert_eq!(role(&field("9001", "종목코드", Text)), Role::StockCode);
        assert_eq!(role(&field("ord_no", "주문번호", Text)), Role::OrderNo);
        let mut year_high = field("oyr_hgst", "연중최고", Integer);
        year_high.unit = Some("원".into());
        assert_eq!(role(&year_high), Role::Price(PriceKind::High));
        assert_eq!(role(&field("fav", "액면가", Integer)), Role::Other);
    }
}

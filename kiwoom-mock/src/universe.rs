//! The instruments the simulator knows: a small, real universe. A request naming any other
//! code is refused the way Kiwoom documents it (1902, or 1903 when a US exchange is named),
//! so a client bug that sends `samsung` or `999999` is caught here as it would be live.
//!
//! Every code that Kiwoom's own request examples use is in the table (`039490`, ETF
//! `069500`, ELW `57JBHH`, gold spot `M04020000`, US `NVDA`, `BA`, `AMGN`), except `NDVA`,
//! a typo of `NVDA` in Kiwoom's usa26410 example, which the live server could not know either.
//! Names are the listed ones (Korean short names, and the English issuer names for US
//! symbols); `57JBHH`'s name is the simulator's own, since Kiwoom's example names no issuer.
//! Reference prices are rough 2025 levels: the daily prices move around them.

/// What kind of instrument a code is (KRX market segment, or a US listing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Kospi,
    Kosdaq,
    Etf,
    Elw,
    /// KRX gold spot market (금현물).
    GoldSpot,
    UsStock,
    UsEtf,
}

/// One row of the table: code, Korean name, English name, kind, exchange, reference price
/// (won, or 1/10000 USD for US symbols).
pub struct Listing {
    pub code: &'static str,
    pub name: &'static str,
    pub english: &'static str,
    pub kind: Kind,
    pub exchange: &'static str,
    pub base: i64,
}

const fn krx(
    code: &'static str,
    name: &'static str,
    english: &'static str,
    kind: Kind,
    base: i64,
) -> Listing {
    Listing {
        code,
        name,
        english,
        kind,
        exchange: "KRX",
        base,
    }
}

const fn us(
    code: &'static str,
    name: &'static str,
    english: &'static str,
    exchange: &'static str,
    base: i64,
) -> Listing {
    Listing {
        code,
        name,
        english,
        kind: Kind::UsStock,
        exchange,
        base,
    }
}

/// Domestic instruments. The first rows are the ones synthesized lists cycle through first.
pub const DOMESTIC: &[Listing] = &[
    krx(
        "005930",
        "삼성전자",
        "Samsung Electronics",
        Kind::Kospi,
        56_000,
    ),
    krx("000660", "SK하이닉스", "SK hynix", Kind::Kospi, 178_000),
    krx("035420", "NAVER", "NAVER", Kind::Kospi, 191_000),
    krx("035720", "카카오", "Kakao", Kind::Kospi, 37_950),
    krx("005380", "현대차", "Hyundai Motor", Kind::Kospi, 183_500),
    krx("051910", "LG화학", "LG Chem", Kind::Kospi, 241_000),
    krx("068270", "셀트리온", "Celltrion", Kind::Kospi, 168_900),
    krx("000270", "기아", "Kia", Kind::Kospi, 87_600),
    krx(
        "105560",
        "KB금융",
        "KB Financial Group",
        Kind::Kospi,
        81_300,
    ),
    krx(
        "012330",
        "현대모비스",
        "Hyundai Mobis",
        Kind::Kospi,
        246_500,
    ),
    krx("028260", "삼성물산", "Samsung C&T", Kind::Kospi, 113_200),
    krx(
        "096770",
        "SK이노베이션",
        "SK Innovation",
        Kind::Kospi,
        95_400,
    ),
    krx(
        "039490",
        "키움증권",
        "Kiwoom Securities",
        Kind::Kospi,
        128_000,
    ),
    krx("247540", "에코프로비엠", "EcoPro BM", Kind::Kosdaq, 98_000),
    krx("086520", "에코프로", "EcoPro", Kind::Kosdaq, 55_000),
    krx("196170", "알테오젠", "Alteogen", Kind::Kosdaq, 341_500),
    krx("028300", "HLB", "HLB", Kind::Kosdaq, 58_900),
    krx("263750", "펄어비스", "Pearl Abyss", Kind::Kosdaq, 31_250),
    krx("069500", "KODEX 200", "KODEX 200", Kind::Etf, 33_000),
    krx("102110", "TIGER 200", "TIGER 200", Kind::Etf, 33_100),
    krx(
        "122630",
        "KODEX 레버리지",
        "KODEX Leverage",
        Kind::Etf,
        17_500,
    ),
    krx(
        "360750",
        "TIGER 미국S&P500",
        "TIGER US S&P500",
        Kind::Etf,
        19_800,
    ),
    krx(
        "57JBHH",
        "한국JBHH삼성전자콜",
        "KIS JBHH Samsung Elec Call",
        Kind::Elw,
        555,
    ),
    krx(
        "M04020000",
        "금 99.99_1Kg",
        "KRX Gold 99.99 1Kg",
        Kind::GoldSpot,
        158_000,
    ),
];

/// US symbols with Kiwoom's exchange codes (`ND` NASDAQ, `NY` NYSE, `NA` AMEX/NYSE Arca).
pub const US: &[Listing] = &[
    us("AAPL", "애플", "Apple Inc.", "ND", 1_985_400),
    us("NVDA", "엔비디아", "NVIDIA Corporation", "ND", 1_112_000),
    us(
        "MSFT",
        "마이크로소프트",
        "Microsoft Corporation",
        "ND",
        3_912_500,
    ),
    us("TSLA", "테슬라", "Tesla, Inc.", "ND", 2_845_300),
    us("AMZN", "아마존닷컴", "Amazon.com, Inc.", "ND", 1_873_200),
    us(
        "GOOGL",
        "알파벳 A",
        "Alphabet Inc. Class A",
        "ND",
        1_612_800,
    ),
    us(
        "META",
        "메타 플랫폼스",
        "Meta Platforms, Inc.",
        "ND",
        5_471_100,
    ),
    us("AMGN", "암젠", "Amgen Inc.", "ND", 2_853_600),
    us("KO", "코카콜라", "The Coca-Cola Company", "NY", 716_800),
    us("BA", "보잉", "The Boeing Company", "NY", 1_593_700),
    us(
        "JPM",
        "JP모건체이스",
        "JPMorgan Chase & Co.",
        "NY",
        2_408_900,
    ),
    Listing {
        kind: Kind::UsEtf,
        ..us(
            "SPY",
            "SPDR S&P 500 ETF",
            "SPDR S&P 500 ETF Trust",
            "NA",
            5_501_500,
        )
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kinds_follow_the_listing() {
        let mut codes: Vec<&str> = DOMESTIC.iter().chain(US).map(|l| l.code).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code is listed twice");
        assert!(
            US.iter()
                .all(|l| !l.english.is_empty() && l.english != "종목영문명")
        );
        assert_eq!(
            US.iter().find(|l| l.code == "SPY").unwrap().kind,
            Kind::UsEtf
        );
        assert_eq!(
            US.iter().find(|l| l.code == "AAPL").unwrap().kind,
            Kind::UsStock
        );
    }
}

//! The words the rules are written in: venue, instrument kind, side and Kiwoom's order types
//! (`trde_tp`), each convertible from the code Kiwoom puts on the wire.

use std::fmt;

/// Where an order goes: a domestic venue as in `dmst_stex_tp`, or the US market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Venue {
    /// Korea Exchange (한국거래소).
    Krx,
    /// Nextrade (넥스트레이드), the alternative trading system open since 2025-03-04.
    Nxt,
    /// Kiwoom's smart order routing between KRX and NXT: an order is possible when either is.
    Sor,
    /// A US exchange (`stex_tp` NA, ND or NY): AMEX, NASDAQ, NYSE share one set of hours.
    Us,
}

impl Venue {
    /// The venue for a Kiwoom exchange code: `KRX`, `NXT`, `SOR` (`dmst_stex_tp`) or the US
    /// exchange codes `NA`, `ND`, `NY` (`stex_tp`).
    pub fn from_code(code: &str) -> Option<Venue> {
        Some(match code.trim() {
            "KRX" => Venue::Krx,
            "NXT" => Venue::Nxt,
            "SOR" => Venue::Sor,
            "NA" | "ND" | "NY" => Venue::Us,
            _ => return None,
        })
    }

    /// True for KRX, NXT and SOR: the venues the KRX holiday calendar governs.
    pub fn is_domestic(self) -> bool {
        !matches!(self, Venue::Us)
    }
}

impl fmt::Display for Venue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Venue::Krx => "KRX",
            Venue::Nxt => "NXT",
            Venue::Sor => "SOR",
            Venue::Us => "US",
        })
    }
}

/// What is traded: it decides the tick grid and the daily price limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstrumentKind {
    /// A KOSPI or KOSDAQ stock (one tick table since 2023-01-25; limit ±30%).
    Stock,
    /// A KONEX stock (the stock tick table; limit ±15%).
    KonexStock,
    /// An exchange-traded fund (5-won tick at every price).
    Etf,
    /// An exchange-traded note (5-won tick).
    Etn,
    /// An equity-linked warrant (5-won tick; no daily price limit).
    Elw,
    /// A domestic instrument whose kind the caller does not know: a price passes the tick
    /// check when it is on the stock grid *or* on the 5-won ETF/ETN/ELW grid, so a check run
    /// without that knowledge never refuses a valid ETF price.
    DomesticUnknown,
    /// A US-listed stock or ETF (cent ticks from $1, 0.0001 below).
    UsStock,
}

/// Buy or sell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Buy,
    Sell,
}

/// Kiwoom's domestic order types, the `trde_tp` of kt10000/kt10001 (and the credit orders).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DomesticOrderType {
    /// `0` 보통 (limit).
    Limit,
    /// `3` 시장가 (market).
    Market,
    /// `5` 조건부지정가 (limit that turns into a market order at the closing auction).
    ConditionalLimit,
    /// `6` 최유리지정가 (best price on the other side).
    BestLimit,
    /// `7` 최우선지정가 (best price on the own side).
    PriorityLimit,
    /// `10` 보통(IOC).
    LimitIoc,
    /// `13` 시장가(IOC).
    MarketIoc,
    /// `16` 최유리(IOC).
    BestIoc,
    /// `20` 보통(FOK).
    LimitFok,
    /// `23` 시장가(FOK).
    MarketFok,
    /// `26` 최유리(FOK).
    BestFok,
    /// `28` 스톱지정가 (stop price in `cond_uv`, limit price in `ord_uv`).
    StopLimit,
    /// `29` 중간가 (midpoint).
    MidPrice,
    /// `30` 중간가(IOC).
    MidPriceIoc,
    /// `31` 중간가(FOK).
    MidPriceFok,
    /// `61` 장시작전시간외 (pre-market trade at the previous close, KRX 08:30–08:40).
    PreMarketClose,
    /// `62` 시간외단일가 (after-hours single price, KRX 16:00–18:00, ±10% of the close).
    AfterHoursSinglePrice,
    /// `81` 장마감후시간외 (after-market trade at the close, KRX 15:40–16:00).
    AfterMarketClose,
}

use DomesticOrderType as D;

/// Every domestic order type with its wire code, in Kiwoom's documentation order.
const DOMESTIC_CODES: &[(DomesticOrderType, &str, &str)] = &[
    (D::Limit, "0", "보통"),
    (D::Market, "3", "시장가"),
    (D::ConditionalLimit, "5", "조건부지정가"),
    (D::AfterMarketClose, "81", "장마감후시간외"),
    (D::PreMarketClose, "61", "장시작전시간외"),
    (D::AfterHoursSinglePrice, "62", "시간외단일가"),
    (D::BestLimit, "6", "최유리지정가"),
    (D::PriorityLimit, "7", "최우선지정가"),
    (D::LimitIoc, "10", "보통(IOC)"),
    (D::MarketIoc, "13", "시장가(IOC)"),
    (D::BestIoc, "16", "최유리(IOC)"),
    (D::LimitFok, "20", "보통(FOK)"),
    (D::MarketFok, "23", "시장가(FOK)"),
    (D::BestFok, "26", "최유리(FOK)"),
    (D::StopLimit, "28", "스톱지정가"),
    (D::MidPrice, "29", "중간가"),
    (D::MidPriceIoc, "30", "중간가(IOC)"),
    (D::MidPriceFok, "31", "중간가(FOK)"),
];

impl DomesticOrderType {
    /// The type for a `trde_tp` code; `None` for a code Kiwoom does not document.
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        DOMESTIC_CODES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(t, _, _)| *t)
    }

    /// The `trde_tp` code.
    pub fn code(self) -> &'static str {
        DOMESTIC_CODES
            .iter()
            .find(|(t, _, _)| *t == self)
            .map(|(_, c, _)| *c)
            .expect("every variant is in DOMESTIC_CODES")
    }

    /// Kiwoom's Korean label.
    pub fn korean(self) -> &'static str {
        DOMESTIC_CODES
            .iter()
            .find(|(t, _, _)| *t == self)
            .map(|(_, _, k)| *k)
            .expect("every variant is in DOMESTIC_CODES")
    }

    /// Every type, for tables and tests.
    pub fn all() -> impl Iterator<Item = DomesticOrderType> {
        DOMESTIC_CODES.iter().map(|(t, _, _)| *t)
    }

    /// Types whose `ord_uv` the caller chooses and the exchange matches against the tick grid
    /// and limits. Market-like types and the closing-price sessions trade at a price the
    /// exchange sets, so their price (if any) is not checked.
    pub fn takes_limit_price(self) -> bool {
        matches!(
            self,
            D::Limit
                | D::ConditionalLimit
                | D::LimitIoc
                | D::LimitFok
                | D::StopLimit
                | D::AfterHoursSinglePrice
        )
    }
}

impl fmt::Display for DomesticOrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.korean(), self.code())
    }
}

/// Kiwoom's US order types, the `trde_tp` of ust20000/ust20001.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UsOrderType {
    /// `00` 지정가.
    Limit,
    /// `03` 시장가.
    Market,
    /// `26` VWAP지정가.
    VwapLimit,
    /// `27` TWAP지정가.
    TwapLimit,
    /// `30` LOC (limit on close).
    LimitOnClose,
    /// `33` MOC (market on close).
    MarketOnClose,
    /// `34` STOP LIMIT.
    StopLimit,
    /// `35` STOP.
    Stop,
    /// `36` VWAP시장가.
    VwapMarket,
    /// `37` TWAP시장가.
    TwapMarket,
}

use UsOrderType as U;

const US_CODES: &[(UsOrderType, &str, &str)] = &[
    (U::Limit, "00", "지정가"),
    (U::Market, "03", "시장가"),
    (U::VwapLimit, "26", "VWAP지정가"),
    (U::TwapLimit, "27", "TWAP지정가"),
    (U::LimitOnClose, "30", "LOC"),
    (U::MarketOnClose, "33", "MOC"),
    (U::StopLimit, "34", "STOP LIMIT"),
    (U::Stop, "35", "STOP"),
    (U::VwapMarket, "36", "VWAP시장가"),
    (U::TwapMarket, "37", "TWAP시장가"),
];

impl UsOrderType {
    /// The type for a US `trde_tp` code (two digits, `00`).
    pub fn from_code(code: &str) -> Option<Self> {
        let code = code.trim();
        US_CODES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(t, _, _)| *t)
    }

    /// The `trde_tp` code.
    pub fn code(self) -> &'static str {
        US_CODES
            .iter()
            .find(|(t, _, _)| *t == self)
            .map(|(_, c, _)| *c)
            .expect("every variant is in US_CODES")
    }

    /// Kiwoom's label.
    pub fn label(self) -> &'static str {
        US_CODES
            .iter()
            .find(|(t, _, _)| *t == self)
            .map(|(_, _, k)| *k)
            .expect("every variant is in US_CODES")
    }

    /// Types that carry a limit price in `ord_uv`.
    pub fn takes_limit_price(self) -> bool {
        matches!(
            self,
            U::Limit | U::VwapLimit | U::TwapLimit | U::LimitOnClose | U::StopLimit
        )
    }

    /// Types that carry a stop price in `stop_pric`.
    pub fn takes_stop_price(self) -> bool {
        matches!(self, U::StopLimit | U::Stop)
    }
}

impl fmt::Display for UsOrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.label(), self.code())
    }
}

/// An order type of either market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderType {
    Domestic(DomesticOrderType),
    Us(UsOrderType),
}

impl OrderType {
    /// The type for the `trde_tp` code of an order to `venue` (domestic and US codes differ:
    /// `0` vs `00`).
    pub fn from_code(venue: Venue, code: &str) -> Option<OrderType> {
        if venue.is_domestic() {
            DomesticOrderType::from_code(code).map(OrderType::Domestic)
        } else {
            UsOrderType::from_code(code).map(OrderType::Us)
        }
    }

    /// The `trde_tp` code.
    pub fn code(self) -> &'static str {
        match self {
            OrderType::Domestic(t) => t.code(),
            OrderType::Us(t) => t.code(),
        }
    }

    /// Whether `ord_uv` is a limit price the rules apply to.
    pub fn takes_limit_price(self) -> bool {
        match self {
            OrderType::Domestic(t) => t.takes_limit_price(),
            OrderType::Us(t) => t.takes_limit_price(),
        }
    }
}

impl From<DomesticOrderType> for OrderType {
    fn from(t: DomesticOrderType) -> Self {
        OrderType::Domestic(t)
    }
}

impl From<UsOrderType> for OrderType {
    fn from(t: UsOrderType) -> Self {
        OrderType::Us(t)
    }
}

impl fmt::Display for OrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderType::Domestic(t) => t.fmt(f),
            OrderType::Us(t) => t.fmt(f),
        }
    }
}

/// What an order TR does, by api-id: the one place that maps Kiwoom's order TRs (cash,
/// credit and US) to the rules that apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderAction {
    /// A new order (kt10000/kt10001, credit kt10006/kt10007, US ust20000/ust20001).
    New(Side),
    /// A price or quantity amendment (kt10002, kt10008, ust20002): judged as a limit order at
    /// the new price.
    Amend,
    /// A cancellation (kt10003, kt10009, ust20003): judged by the calendar and whether any
    /// session of the venue is open.
    Cancel,
}

impl OrderAction {
    /// The action of an order TR; `None` for any other api-id.
    pub fn of_api_id(api_id: &str) -> Option<OrderAction> {
        Some(match api_id {
            "kt10000" | "kt10006" | "ust20000" => OrderAction::New(Side::Buy),
            "kt10001" | "kt10007" | "ust20001" => OrderAction::New(Side::Sell),
            "kt10002" | "kt10008" | "ust20002" => OrderAction::Amend,
            "kt10003" | "kt10009" | "ust20003" => OrderAction::Cancel,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for t in DomesticOrderType::all() {
            assert_eq!(DomesticOrderType::from_code(t.code()), Some(t));
        }
        for (t, c, _) in US_CODES {
            assert_eq!(UsOrderType::from_code(c), Some(*t));
        }
        assert_eq!(DomesticOrderType::from_code("99"), None);
        assert_eq!(
            OrderType::from_code(Venue::Krx, "0"),
            Some(OrderType::Domestic(DomesticOrderType::Limit))
        );
        assert_eq!(
            OrderType::from_code(Venue::Us, "00"),
            Some(OrderType::Us(UsOrderType::Limit))
        );
        assert_eq!(OrderType::from_code(Venue::Us, "0"), None);
        assert_eq!(Venue::from_code("ND"), Some(Venue::Us));
        assert_eq!(
            OrderAction::of_api_id("kt10007"),
            Some(OrderAction::New(Side::Sell))
        );
        assert_eq!(OrderAction::of_api_id("ka10001"), None);
    }
}

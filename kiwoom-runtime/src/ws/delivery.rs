//! Which realtime events may be conflated and which must reach the consumer one by one.
//!
//! A trading program can act on the newest quote of a stock and lose nothing by skipping
//! the quotes in between; it cannot skip an order fill, a balance change or a condition
//! hit. The session therefore sorts every REAL entry by its `type` into one of two classes.

use crate::tr::RealtimeItemKind;

/// How the session delivers events of one realtime type when the consumer lags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Every event, in arrival order, never dropped (account and control events).
    Lossless,
    /// Market data: only the newest undelivered value of each (type, item) is kept; the
    /// values it replaced are counted.
    Conflated,
}

/// Realtime types that carry account or control events, whatever they were registered
/// with, and even when they arrive without having been subscribed through the typed API:
///
/// - `00` order fill, `04` balance: account-wide (pushed with the order's stock as `item`,
///   so keying them by item would merge distinct fills);
/// - `F4` order confirmation, `F5` order fill (US): Kiwoom pushes them for every order of
///   the token's account "whatever item was registered" (its own words), although the
///   spec lists them per US symbol;
/// - `02`, `S2`: condition-search hits (an insert and a delete of the same stock are two
///   facts, not two values of one);
/// - `0s` market open time, `1h` VI triggered/released: rare state changes, not ticks.
pub const LOSSLESS_TYPES: &[&str] = &["00", "04", "F4", "F5", "02", "S2", "0s", "1h"];

/// The class of a type subscribed as `item`: account-wide and condition-search types are
/// lossless, the ones registered per stock, sector or US symbol are market data unless
/// listed in [`LOSSLESS_TYPES`].
pub fn delivery_of(kind: &str, item: RealtimeItemKind) -> Delivery {
    if LOSSLESS_TYPES.contains(&kind) {
        return Delivery::Lossless;
    }
    match item {
        RealtimeItemKind::Account | RealtimeItemKind::ConditionSearch => Delivery::Lossless,
        RealtimeItemKind::Stock | RealtimeItemKind::Sector | RealtimeItemKind::UsSymbol => {
            Delivery::Conflated
        }
    }
}

/// The class of a type the session knows nothing about (never subscribed through the
/// typed API): lossless, because dropping what we cannot classify could drop a fill.
/// Conflation is an optimisation the consumer opts into by subscribing a market-data type.
pub fn delivery_of_unknown(_kind: &str) -> Delivery {
    Delivery::Lossless
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_condition_types_are_lossless_market_data_is_conflated() {
        assert_eq!(
            delivery_of("0B", RealtimeItemKind::Stock),
            Delivery::Conflated
        );
        assert_eq!(
            delivery_of("0J", RealtimeItemKind::Sector),
            Delivery::Conflated
        );
        assert_eq!(
            delivery_of("FE", RealtimeItemKind::UsSymbol),
            Delivery::Conflated
        );
        assert_eq!(
            delivery_of("00", RealtimeItemKind::Account),
            Delivery::Lossless
        );
        assert_eq!(
            delivery_of("02", RealtimeItemKind::ConditionSearch),
            Delivery::Lossless
        );
        // US order events stay lossless even when a binding lists them per symbol.
        assert_eq!(
            delivery_of("F5", RealtimeItemKind::UsSymbol),
            Delivery::Lossless
        );
        assert_eq!(delivery_of_unknown("0B"), Delivery::Lossless);
    }
}

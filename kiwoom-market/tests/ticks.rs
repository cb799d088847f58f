//! The tick tables at every band edge, and rounding as a property: a rounded price is on the
//! grid, on the requested side, and less than one tick away.

use kiwoom_market::tick::{Grid, KRX_ETP, KRX_STOCK, TickTable, US_STOCK};
use kiwoom_market::{Decimal, InstrumentKind, Rounding, is_valid_price, round_price, tick_size};
use proptest::prelude::*;

fn won(v: i64) -> Decimal {
    Decimal::from(v)
}

/// (last price of the band below, its tick, band edge, tick from the edge) for the 2023 table.
const KRX_EDGES: &[(i64, i64, i64, i64)] = &[
    (1_999, 1, 2_000, 5),
    (4_999, 5, 5_000, 10),
    (19_999, 10, 20_000, 50),
    (49_999, 50, 50_000, 100),
    (199_999, 100, 200_000, 500),
    (499_999, 500, 500_000, 1_000),
];

#[test]
fn krx_stock_ticks_at_every_band_edge() {
    assert_eq!(tick_size(InstrumentKind::Stock, won(1)), won(1));
    for &(below, tick_below, edge, tick_at_edge) in KRX_EDGES {
        assert_eq!(
            tick_size(InstrumentKind::Stock, won(below)),
            won(tick_below),
            "{below}"
        );
        assert_eq!(
            tick_size(InstrumentKind::Stock, won(edge)),
            won(tick_at_edge),
            "{edge}"
        );
        // The edge itself is valid; one won above it is not (except in the 1-won band).
        assert!(is_valid_price(InstrumentKind::Stock, won(edge)), "{edge}");
        assert!(
            !is_valid_price(InstrumentKind::Stock, won(edge + 1)),
            "{}",
            edge + 1
        );
        // The last valid price below the edge is one tick of the lower band under it.
        let last = edge - tick_below;
        assert!(is_valid_price(InstrumentKind::Stock, won(last)), "{last}");
        assert_eq!(
            round_price(InstrumentKind::Stock, won(edge - 1), Rounding::Down),
            won(last)
        );
        // One won under the edge rounds up onto the edge (in the 1-won band it is valid).
        let up = if tick_below == 1 { edge - 1 } else { edge };
        assert_eq!(
            round_price(InstrumentKind::Stock, won(edge - 1), Rounding::Up),
            won(up)
        );
        // From the edge, the next valid price is one coarser tick up.
        assert_eq!(
            round_price(InstrumentKind::Stock, won(edge + 1), Rounding::Up),
            won(edge + tick_at_edge)
        );
    }
    assert_eq!(tick_size(InstrumentKind::Stock, won(5_000_000)), won(1_000));
    assert_eq!(tick_size(InstrumentKind::KonexStock, won(20_000)), won(50));
}

#[test]
fn etf_etn_elw_tick_is_five_won_everywhere() {
    for kind in [
        InstrumentKind::Etf,
        InstrumentKind::Etn,
        InstrumentKind::Elw,
    ] {
        for p in [5, 1_995, 2_000, 19_995, 20_005, 199_995, 500_005] {
            assert_eq!(tick_size(kind, won(p)), won(5), "{kind:?} {p}");
            assert!(is_valid_price(kind, won(p)), "{kind:?} {p}");
        }
        assert!(!is_valid_price(kind, won(1_999)));
    }
}

#[test]
fn us_cent_ticks_and_sub_dollar_quotes() {
    let us = |m: i64, s: u32| Decimal::new(m, s);
    assert_eq!(tick_size(InstrumentKind::UsStock, us(1, 0)), us(1, 2));
    assert_eq!(tick_size(InstrumentKind::UsStock, us(9999, 4)), us(1, 4));
    assert!(is_valid_price(InstrumentKind::UsStock, us(21304, 2)));
    assert!(
        is_valid_price(InstrumentKind::UsStock, us(1234, 4)),
        "$0.1234"
    );
    assert!(
        !is_valid_price(InstrumentKind::UsStock, us(1005, 3)),
        "$1.005"
    );
    assert!(
        !is_valid_price(InstrumentKind::UsStock, us(12345, 5)),
        "$0.12345"
    );
    assert_eq!(
        round_price(InstrumentKind::UsStock, us(99995, 5), Rounding::Up),
        us(1, 0),
        "$0.99995 rounds up onto the $1.00 edge"
    );
}

#[test]
fn unknown_domestic_kind_accepts_either_grid() {
    let g = Grid::of(InstrumentKind::DomesticUnknown);
    assert!(g.is_on_grid(won(70_100)), "stock grid");
    assert!(g.is_on_grid(won(70_005)), "ETF grid");
    assert!(!g.is_on_grid(won(70_003)));
    assert_eq!(
        g.describe(won(70_003)),
        "the 100-won stock grid or the 5-won ETF/ETN/ELW grid"
    );
}

fn assert_rounding(table: &TickTable, kind: InstrumentKind, price: Decimal) {
    let tick = table.tick_at(price);
    for rounding in [Rounding::Down, Rounding::Up, Rounding::Nearest] {
        let r = round_price(kind, price, rounding);
        assert!(
            is_valid_price(kind, r),
            "{price} {rounding:?} -> {r} off grid"
        );
        assert!(
            (r - price).abs() < tick,
            "{price} {rounding:?} -> {r}: a tick or more away"
        );
        match rounding {
            Rounding::Down => assert!(r <= price, "{price} down -> {r}"),
            Rounding::Up => assert!(r >= price, "{price} up -> {r}"),
            Rounding::Nearest => {}
        }
    }
    if is_valid_price(kind, price) {
        assert_eq!(round_price(kind, price, Rounding::Down), price);
        assert_eq!(round_price(kind, price, Rounding::Up), price);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn rounded_krx_stock_price_is_on_grid_within_one_tick(p in 1i64..3_000_000) {
        assert_rounding(&KRX_STOCK, InstrumentKind::Stock, won(p));
    }

    #[test]
    fn rounded_krx_stock_fractional_price_is_on_grid(p in 10i64..30_000_000) {
        // Prices computed by strategies are rarely whole: 70,012.3 won.
        assert_rounding(&KRX_STOCK, InstrumentKind::Stock, Decimal::new(p, 1));
    }

    #[test]
    fn rounded_etf_price_is_on_grid_within_one_tick(p in 5i64..1_000_000) {
        assert_rounding(&KRX_ETP, InstrumentKind::Etf, won(p));
    }

    #[test]
    fn rounded_us_price_is_on_grid_within_one_tick(p in 1i64..50_000_000, scale in 2u32..7) {
        assert_rounding(&US_STOCK, InstrumentKind::UsStock, Decimal::new(p, scale));
    }

    #[test]
    fn rounded_unknown_domestic_price_is_on_either_grid(p in 1i64..3_000_000) {
        let g = Grid::of(InstrumentKind::DomesticUnknown);
        let price = won(p);
        for rounding in [Rounding::Down, Rounding::Up, Rounding::Nearest] {
            let r = g.round(price, rounding);
            prop_assert!(g.is_on_grid(r));
            prop_assert!((r - price).abs() < g.max_tick_at(price));
        }
    }
}

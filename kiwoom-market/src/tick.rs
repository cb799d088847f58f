//! Tick sizes (호가가격단위) as tables, and the functions that check a price against them
//! and round one onto them.
//!
//! Bands are "from `from` (inclusive) to the next band's `from` (exclusive)", KRX's
//! 「이상 ~ 미만」: a price exactly on a band edge takes the coarser tick of the band above.
//! Every band edge is a multiple of both neighbouring ticks, so rounding inside a band never
//! leaves the grid.

use rust_decimal::Decimal;

use crate::kinds::InstrumentKind;

/// One price band: prices from `from` up to the next band's `from` move in steps of `tick`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TickBand {
    /// Lower edge (inclusive), in minor units (won, or 1/10000 USD).
    pub from: i64,
    /// Tick in minor units.
    pub tick: i64,
}

/// A tick table: bands in ascending order, prices in minor units of `scale` decimals.
#[derive(Debug, PartialEq, Eq)]
pub struct TickTable {
    /// What the grid is called in messages ("stock", "ETF/ETN/ELW", "US").
    pub name: &'static str,
    /// Decimal places of the minor unit: 0 for won, 4 for Kiwoom's US prices.
    pub scale: u32,
    /// The currency symbol messages print ("won" is written after the number).
    pub currency: Currency,
    pub bands: &'static [TickBand],
}

/// The currency of a grid, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Currency {
    Krw,
    Usd,
}

/// KOSPI, KOSDAQ and KONEX stocks, in force since 2023-01-25 (EXTURE 3.0): KRX member notices
/// of the revision (e.g. Samsung Securities' 「국내 증권/파생시장 호가가격단위 변경 안내」).
pub const KRX_STOCK: TickTable = TickTable {
    name: "stock",
    scale: 0,
    currency: Currency::Krw,
    bands: &[
        TickBand { from: 0, tick: 1 },
        TickBand {
            from: 2_000,
            tick: 5,
        },
        TickBand {
            from: 5_000,
            tick: 10,
        },
        TickBand {
            from: 20_000,
            tick: 50,
        },
        TickBand {
            from: 50_000,
            tick: 100,
        },
        TickBand {
            from: 200_000,
            tick: 500,
        },
        TickBand {
            from: 500_000,
            tick: 1_000,
        },
    ],
};

/// ETFs, ETNs and ELWs: 5 won at every price (kept unchanged by the 2023 revision).
pub const KRX_ETP: TickTable = TickTable {
    name: "ETF/ETN/ELW",
    scale: 0,
    currency: Currency::Krw,
    bands: &[TickBand { from: 0, tick: 5 }],
};

/// US stocks: $0.01 from $1.00 and $0.0001 below (SEC Regulation NMS Rule 612, the minimum
/// pricing increment). Kiwoom writes US prices with 4 decimals (`ord_uv` `201.0200` in
/// kt00xx/ust31490 answers), so both ticks are representable on the wire.
///
/// Not modelled: the half-penny ($0.005) increment the 2024 amendment of Rule 612 gives to
/// stocks with a narrow average spread (a per-symbol list re-published twice a year). A
/// half-penny limit price on such a symbol is refused here although the exchange takes it:
/// switch the tick check off for those orders.
pub const US_STOCK: TickTable = TickTable {
    name: "US",
    scale: 4,
    currency: Currency::Usd,
    bands: &[
        TickBand { from: 0, tick: 1 },
        TickBand {
            from: 10_000,
            tick: 100,
        },
    ],
};

/// How to round a price that is off the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// The highest valid price at or below.
    Down,
    /// The lowest valid price at or above.
    Up,
    /// The nearer of the two; a price exactly between rounds up.
    Nearest,
}

impl TickTable {
    fn minor(&self, v: i64) -> Decimal {
        Decimal::new(v, self.scale)
    }

    fn band(&self, price: Decimal) -> &TickBand {
        self.bands
            .iter()
            .rev()
            .find(|b| price >= self.minor(b.from))
            .unwrap_or(&self.bands[0])
    }

    /// The tick of the band `price` falls in.
    pub fn tick_at(&self, price: Decimal) -> Decimal {
        self.minor(self.band(price).tick)
    }

    /// The smallest valid price (one tick of the first band).
    pub fn min_price(&self) -> Decimal {
        self.minor(self.bands[0].tick)
    }

    /// Whether `price` is a positive multiple of its band's tick.
    pub fn is_on_grid(&self, price: Decimal) -> bool {
        price > Decimal::ZERO && (price % self.tick_at(price)).is_zero()
    }

    /// `price` moved onto the grid. A price at or below zero has no valid price below it and
    /// rounds to [`min_price`](Self::min_price) whatever the direction.
    pub fn round(&self, price: Decimal, rounding: Rounding) -> Decimal {
        if price < self.min_price() {
            return self.min_price();
        }
        let tick = self.tick_at(price);
        let down = (price / tick).floor() * tick;
        let up = (price / tick).ceil() * tick;
        let down = if down.is_zero() {
            self.min_price()
        } else {
            down
        };
        match rounding {
            Rounding::Down => down,
            Rounding::Up => up,
            Rounding::Nearest => {
                if price - down < up - price {
                    down
                } else {
                    up
                }
            }
        }
        .normalize()
    }

    /// The valid prices just below and just above an off-grid price (equal when on the grid).
    pub fn neighbours(&self, price: Decimal) -> (Decimal, Decimal) {
        (
            self.round(price, Rounding::Down),
            self.round(price, Rounding::Up),
        )
    }
}

/// The grid of an instrument kind: one table, or for [`InstrumentKind::DomesticUnknown`] the
/// union of the stock and the ETF/ETN/ELW grids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    tables: &'static [&'static TickTable],
}

impl Grid {
    /// The grid prices of `kind` must be on.
    pub fn of(kind: InstrumentKind) -> Grid {
        static STOCK: &[&TickTable] = &[&KRX_STOCK];
        static ETP: &[&TickTable] = &[&KRX_ETP];
        static UNKNOWN: &[&TickTable] = &[&KRX_STOCK, &KRX_ETP];
        static US: &[&TickTable] = &[&US_STOCK];
        Grid {
            tables: match kind {
                InstrumentKind::Stock | InstrumentKind::KonexStock => STOCK,
                InstrumentKind::Etf | InstrumentKind::Etn | InstrumentKind::Elw => ETP,
                InstrumentKind::DomesticUnknown => UNKNOWN,
                InstrumentKind::UsStock => US,
            },
        }
    }

    /// The tables this grid is the union of (one, except for an unknown domestic kind).
    pub fn tables(&self) -> &'static [&'static TickTable] {
        self.tables
    }

    /// Whether `price` is valid on any of the grid's tables.
    pub fn is_on_grid(&self, price: Decimal) -> bool {
        self.tables.iter().any(|t| t.is_on_grid(price))
    }

    /// `price` moved onto the grid (for a union: the nearest valid price of any table in the
    /// chosen direction).
    pub fn round(&self, price: Decimal, rounding: Rounding) -> Decimal {
        let down = self
            .tables
            .iter()
            .map(|t| t.round(price, Rounding::Down))
            .filter(|p| *p <= price)
            .max();
        let up = self
            .tables
            .iter()
            .map(|t| t.round(price, Rounding::Up))
            .min()
            .expect("a grid has at least one table");
        let down = down.unwrap_or(up);
        match rounding {
            Rounding::Down => down,
            Rounding::Up => up,
            Rounding::Nearest => {
                if price - down < up - price {
                    down
                } else {
                    up
                }
            }
        }
    }

    /// The valid prices just below and just above `price`.
    pub fn neighbours(&self, price: Decimal) -> (Decimal, Decimal) {
        (
            self.round(price, Rounding::Down),
            self.round(price, Rounding::Up),
        )
    }

    /// The coarsest tick any table has at `price`: how far a rounded price may move.
    pub fn max_tick_at(&self, price: Decimal) -> Decimal {
        self.tables
            .iter()
            .map(|t| t.tick_at(price))
            .max()
            .expect("a grid has at least one table")
    }

    /// A description for messages: "the 100-won grid", or for a union "the 100-won stock
    /// grid or the 5-won ETF/ETN/ELW grid".
    pub fn describe(&self, price: Decimal) -> String {
        let one = |t: &TickTable, named: bool| {
            let tick = crate::format::price(t.currency, t.tick_at(price));
            let unit = match t.currency {
                Currency::Krw => format!("{tick}-won"),
                Currency::Usd => tick,
            };
            if named {
                format!("the {unit} {} grid", t.name)
            } else {
                format!("the {unit} grid")
            }
        };
        match self.tables {
            [single] => one(single, false),
            many => many
                .iter()
                .map(|t| one(t, true))
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }

    /// The currency prices on this grid are in.
    pub fn currency(&self) -> Currency {
        self.tables[0].currency
    }
}

/// The tick for `price` of `kind` (for a domestic unknown kind: the stock tick).
pub fn tick_size(kind: InstrumentKind, price: Decimal) -> Decimal {
    Grid::of(kind).tables[0].tick_at(price)
}

/// Whether `price` is a valid price for `kind`.
pub fn is_valid_price(kind: InstrumentKind, price: Decimal) -> bool {
    Grid::of(kind).is_on_grid(price)
}

/// `price` rounded onto the grid of `kind`.
pub fn round_price(kind: InstrumentKind, price: Decimal, rounding: Rounding) -> Decimal {
    Grid::of(kind).round(price, rounding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    #[test]
    fn band_edges_are_multiples_of_both_ticks() {
        for table in [&KRX_STOCK, &US_STOCK] {
            for pair in table.bands.windows(2) {
                assert_eq!(pair[1].from % pair[0].tick, 0, "{}", table.name);
                assert_eq!(pair[1].from % pair[1].tick, 0, "{}", table.name);
            }
        }
    }

    #[test]
    fn rounding_in_each_direction() {
        let g = Grid::of(InstrumentKind::Stock);
        assert_eq!(g.round(d(70_050), Rounding::Down), d(70_000));
        assert_eq!(g.round(d(70_050), Rounding::Up), d(70_100));
        assert_eq!(g.round(d(70_050), Rounding::Nearest), d(70_100));
        assert_eq!(g.round(d(70_049), Rounding::Nearest), d(70_000));
        assert_eq!(g.round(d(19_995), Rounding::Up), d(20_000));
        assert_eq!(g.round(d(0), Rounding::Down), d(1));
        let u = Grid::of(InstrumentKind::DomesticUnknown);
        assert!(u.is_on_grid(d(12_345)), "on the ETF grid");
        assert!(!u.is_on_grid(d(70_003)));
        assert_eq!(u.neighbours(d(70_003)), (d(70_000), d(70_005)));
    }
}

//! Korean and US market rules for Kiwoom orders: tick sizes, daily price limits, trading
//! sessions and the KRX holiday calendar, and a pre-send check built from them.
//!
//! # Why a crate of its own
//!
//! - **The runtime stays TR-agnostic.** `kiwoom-runtime` knows no TR by name; tick tables,
//!   `trde_tp` codes and exchange hours are knowledge about orders, not transport.
//! - **One copy of the rules.** The client's order path (the pre-send check), the simulator
//!   (`kiwoom-mock` rejects what Kiwoom rejects), the order tracker and users' own strategy
//!   code (rounding a computed price onto the grid) all need the same tables. A table that is
//!   fixed once is fixed for all of them.
//! - **Pure data and functions, no I/O.** Nothing here reads a clock, the network or the
//!   host's time zone: every function takes the instant it judges, so tests can stand "on a
//!   holiday" or "at 15:35 KST" from any host. The only file access is the explicit
//!   [`Calendar::load`].
//!
//! # Contents
//!
//! - [`tick`]: tick tables as data ([`tick::KRX_STOCK`] since 2023-01-25, [`tick::KRX_ETP`],
//!   [`tick::US_STOCK`]), grid checks and rounding ([`round_price`], [`Rounding`]).
//! - [`limits`]: daily limits, exact from ka10001 or computed as a documented fallback.
//! - [`session`]: KRX, NXT and US session tables per kind of day, with the order types each
//!   window accepts, all in explicit time zones.
//! - [`calendar`]: the dated KRX and US calendars (`data/krx-calendar.csv`,
//!   `data/us-calendar.csv`, embedded), overridable at run time, an error past their end.
//! - [`check`]: [`OrderRequest`] → [`MarketRules::check`] → `Ok` or a [`RuleViolation`] that
//!   names the rule, the value and the nearest valid values.

pub mod calendar;
pub mod check;
pub mod format;
pub mod kinds;
pub mod limits;
pub mod session;
pub mod tick;

pub use calendar::{Calendar, CalendarError, Closure, DayKind, TradingDay};
pub use check::{Checks, MarketRules, OrderContext, OrderRequest, PriceField, RuleViolation};
pub use kinds::{
    DomesticOrderType, InstrumentKind, OrderAction, OrderType, Side, UsOrderType, Venue,
};
pub use limits::PriceLimits;
pub use session::{Exchange, MarketMoment, Phase, SessionWindow, kst};
pub use tick::{Rounding, is_valid_price, round_price, tick_size};

/// Re-exported so callers name prices with the same type.
pub use rust_decimal::Decimal;

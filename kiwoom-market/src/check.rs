//! The pre-send check: one plain order description in, `Ok` or the first rule it breaks out.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use kiwoom_market::{DomesticOrderType, InstrumentKind, MarketRules, OrderRequest, Side, Venue};
//! use rust_decimal::Decimal;
//!
//! // 2026-12-02 10:00 KST is 01:00 UTC.
//! let at = Utc.with_ymd_and_hms(2026, 12, 2, 1, 0, 0).unwrap();
//! let order = OrderRequest::new(Venue::Krx, Side::Buy, DomesticOrderType::Limit, Decimal::from(1), at)
//!     .instrument(InstrumentKind::Stock)
//!     .price(Decimal::from(70_050));
//! let err = MarketRules::default().check(&order).unwrap_err();
//! assert_eq!(err.rule(), "tick");
//! assert_eq!(err.to_string(), "tick: 70,050 is not on the 100-won grid: 70,000 or 70,100");
//! ```

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::calendar::{Calendar, CalendarError, Closure, DayKind, TradingDay};
use crate::format;
use crate::kinds::{
    DomesticOrderType, InstrumentKind, OrderAction, OrderType, Side, UsOrderType, Venue,
};
use crate::limits::{PriceLimits, band_around};
use crate::session::{Clock, Exchange, MarketMoment, Phase, exchanges_of};
use crate::tick::{Currency, Grid};

/// An order as the rules see it. Build it with [`OrderRequest::new`] or from Kiwoom's wire
/// fields with [`OrderRequest::from_wire`], then add what you know (instrument kind, limits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    pub venue: Venue,
    /// Decides the tick grid and the limit rate. Default: [`InstrumentKind::DomesticUnknown`]
    /// for domestic venues (never refuses a valid ETF price), `UsStock` for the US.
    pub instrument: InstrumentKind,
    pub side: Side,
    pub order_type: OrderType,
    /// `ord_uv`; `None` when empty (market-like types).
    pub price: Option<Decimal>,
    /// The stop price (`cond_uv` for type 28, `stop_pric` for US 34/35).
    pub stop_price: Option<Decimal>,
    pub quantity: Decimal,
    /// When the order is sent.
    pub at: DateTime<Utc>,
    /// Today's exact limits (ka10001 `upl_pric`/`lst_pric`). Preferred over `base_price`.
    pub limits: Option<PriceLimits>,
    /// The base price (usually the previous close), for computed fallback limits when
    /// `limits` is unknown. With neither, the limit check is skipped.
    pub base_price: Option<Decimal>,
    /// Today's close, for the ±10% band of the after-hours single-price session (type 62).
    pub close_price: Option<Decimal>,
}

impl OrderRequest {
    pub fn new(
        venue: Venue,
        side: Side,
        order_type: impl Into<OrderType>,
        quantity: Decimal,
        at: DateTime<Utc>,
    ) -> OrderRequest {
        OrderRequest {
            venue,
            instrument: if venue.is_domestic() {
                InstrumentKind::DomesticUnknown
            } else {
                InstrumentKind::UsStock
            },
            side,
            order_type: order_type.into(),
            price: None,
            stop_price: None,
            quantity,
            at,
            limits: None,
            base_price: None,
            close_price: None,
        }
    }

    /// An order from the strings Kiwoom's order TRs carry: the exchange code (`dmst_stex_tp`
    /// or `stex_tp`), `trde_tp`, `ord_qty`, `ord_uv` and the stop price (`cond_uv` /
    /// `stop_pric`); empty prices mean none. The instrument kind keeps its default.
    pub fn from_wire(
        side: Side,
        exchange: &str,
        trde_tp: &str,
        ord_qty: &str,
        ord_uv: &str,
        stop_price: &str,
        at: DateTime<Utc>,
    ) -> Result<OrderRequest, RuleViolation> {
        let venue = Venue::from_code(exchange).ok_or_else(|| RuleViolation::UnknownCode {
            field: "exchange",
            value: exchange.to_string(),
        })?;
        let order_type =
            OrderType::from_code(venue, trde_tp).ok_or_else(|| RuleViolation::UnknownCode {
                field: "trde_tp",
                value: trde_tp.to_string(),
            })?;
        let number = |field: &'static str, v: &str| -> Result<Option<Decimal>, RuleViolation> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.trim_start_matches('+')
                .parse::<Decimal>()
                .map(Some)
                .map_err(|_| RuleViolation::NotANumber {
                    field,
                    value: v.to_string(),
                })
        };
        let quantity = number("ord_qty", ord_qty)?.unwrap_or(Decimal::ZERO);
        let mut order = OrderRequest::new(venue, side, order_type, quantity, at);
        order.price = number("ord_uv", ord_uv)?.filter(|p| !p.is_zero());
        order.stop_price = number("stop price", stop_price)?.filter(|p| !p.is_zero());
        Ok(order)
    }

    pub fn instrument(mut self, kind: InstrumentKind) -> Self {
        self.instrument = kind;
        self
    }
    pub fn price(mut self, price: Decimal) -> Self {
        self.price = Some(price);
        self
    }
    pub fn stop_price(mut self, price: Decimal) -> Self {
        self.stop_price = Some(price);
        self
    }
    pub fn limits(mut self, limits: PriceLimits) -> Self {
        self.limits = Some(limits);
        self
    }
    pub fn base_price(mut self, price: Decimal) -> Self {
        self.base_price = Some(price);
        self
    }
    pub fn close_price(mut self, price: Decimal) -> Self {
        self.close_price = Some(price);
        self
    }
}

/// Which groups of rules run. All on by default; each can be switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checks {
    /// Quantity above zero; a price present when the order type needs one.
    pub shape: bool,
    /// The price (and stop price) on the instrument's tick grid.
    pub tick: bool,
    /// Within today's limits when known, and the ±10% band of the single-price session.
    pub price_limits: bool,
    /// The order type accepted by the venue at that time of day.
    pub session: bool,
    /// The venue trades on that date (the KRX or the US calendar). Off, the session
    /// check treats every date as an ordinary trading day.
    pub holiday: bool,
}

impl Checks {
    pub const ALL: Checks = Checks {
        shape: true,
        tick: true,
        price_limits: true,
        session: true,
        holiday: true,
    };
    pub const NONE: Checks = Checks {
        shape: false,
        tick: false,
        price_limits: false,
        session: false,
        holiday: false,
    };
}

impl Default for Checks {
    fn default() -> Self {
        Checks::ALL
    }
}

/// Which price of the order broke a price rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceField {
    Price,
    StopPrice,
}

/// The first rule an order breaks. [`rule`](Self::rule) names the rule; the message names
/// the value and the nearest valid values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleViolation {
    #[error("quantity: the quantity must be above zero, not {quantity}")]
    QuantityNotPositive { quantity: Decimal },
    #[error("price: {order_type} needs a limit price (ord_uv)")]
    PriceMissing { order_type: OrderType },
    #[error("tick: {}", off_tick(*.field, *.price, .grid, *.below, *.above, *.currency))]
    OffTick {
        field: PriceField,
        price: Decimal,
        /// "the 100-won grid", "the $0.01 grid", ...
        grid: String,
        below: Decimal,
        above: Decimal,
        currency: Currency,
    },
    #[error(
        "price-limit: {} is above today's upper limit {} (limits {}–{})",
        format::price(*.currency, *.price), format::price(*.currency, .limits.upper),
        format::price(*.currency, .limits.lower), format::price(*.currency, .limits.upper)
    )]
    AboveUpperLimit {
        price: Decimal,
        limits: PriceLimits,
        currency: Currency,
    },
    #[error(
        "price-limit: {} is below today's lower limit {} (limits {}–{})",
        format::price(*.currency, *.price), format::price(*.currency, .limits.lower),
        format::price(*.currency, .limits.lower), format::price(*.currency, .limits.upper)
    )]
    BelowLowerLimit {
        price: Decimal,
        limits: PriceLimits,
        currency: Currency,
    },
    #[error(
        "single-price-band: {} is outside the after-hours single-price band {}–{} (±10% of \
         the close {})",
        format::price(Currency::Krw, *.price), format::price(Currency::Krw, .band.lower),
        format::price(Currency::Krw, .band.upper), format::price(Currency::Krw, *.close)
    )]
    OutsideSinglePriceBand {
        price: Decimal,
        band: PriceLimits,
        close: Decimal,
    },
    #[error("holiday: {venue} does not trade on {date} ({reason}){}", next_day(.next_trading_day))]
    MarketClosed {
        venue: Venue,
        date: NaiveDate,
        reason: Closure,
        next_trading_day: Option<NaiveDate>,
    },
    #[error("session: {}", outside_session(self))]
    OutsideSession {
        venue: Venue,
        order_type: OrderType,
        date: NaiveDate,
        time: Clock,
        /// "KST" or "US Eastern".
        zone: &'static str,
        /// The windows open at that time (none, or ones that take other types).
        open_now: Vec<Phase>,
        /// Before the day's first window (Kiwoom: 장시작전) rather than after (장종료).
        before_open: bool,
        /// The next window today that takes this type, `(start, end)` local time.
        next_window: Option<(Clock, Clock)>,
    },
    #[error("order-type: {venue} has no session that takes {order_type}")]
    OrderTypeNotOnVenue { venue: Venue, order_type: OrderType },
    #[error("calendar: {0}")]
    Calendar(CalendarError),
    #[error("input: {field} {value:?} is not a known code")]
    UnknownCode { field: &'static str, value: String },
    #[error("input: {field} {value:?} is not a number")]
    NotANumber { field: &'static str, value: String },
}

fn off_tick(
    field: PriceField,
    price: Decimal,
    grid: &str,
    below: Decimal,
    above: Decimal,
    currency: Currency,
) -> String {
    let what = match field {
        PriceField::Price => "",
        PriceField::StopPrice => "stop price ",
    };
    format!(
        "{what}{} is not on {grid}: {} or {}",
        format::price(currency, price),
        format::price(currency, below),
        format::price(currency, above)
    )
}

fn next_day(next: &Option<NaiveDate>) -> String {
    next.map(|d| format!("; next trading day {d}"))
        .unwrap_or_default()
}

fn outside_session(v: &RuleViolation) -> String {
    let RuleViolation::OutsideSession {
        venue,
        order_type,
        date,
        time,
        zone,
        open_now,
        next_window,
        ..
    } = v
    else {
        return String::new();
    };
    let now = if open_now.is_empty() {
        "no session is open".to_string()
    } else {
        format!("open now: {open_now:?}")
    };
    let next = match next_window {
        Some((start, end)) => format!("it is taken {start}–{end} {zone}"),
        None => "no later window today takes it".to_string(),
    };
    format!("{venue} does not take {order_type} at {time} {zone} on {date} ({now}); {next}")
}

impl RuleViolation {
    /// The rule's short name: `quantity`, `price`, `tick`, `price-limit`,
    /// `single-price-band`, `holiday`, `session`, `order-type`, `calendar`, `input`.
    pub fn rule(&self) -> &'static str {
        match self {
            RuleViolation::QuantityNotPositive { .. } => "quantity",
            RuleViolation::PriceMissing { .. } => "price",
            RuleViolation::OffTick { .. } => "tick",
            RuleViolation::AboveUpperLimit { .. } | RuleViolation::BelowLowerLimit { .. } => {
                "price-limit"
            }
            RuleViolation::OutsideSinglePriceBand { .. } => "single-price-band",
            RuleViolation::MarketClosed { .. } => "holiday",
            RuleViolation::OutsideSession { .. } => "session",
            RuleViolation::OrderTypeNotOnVenue { .. } => "order-type",
            RuleViolation::Calendar(_) => "calendar",
            RuleViolation::UnknownCode { .. } | RuleViolation::NotANumber { .. } => "input",
        }
    }
}

/// The rules with their calendars and switches. Cheap to clone (the calendars are shared).
#[derive(Clone, Debug)]
pub struct MarketRules {
    calendar: Arc<Calendar>,
    us_calendar: Arc<Calendar>,
    checks: Checks,
}

impl Default for MarketRules {
    /// Every check, with the embedded KRX and US calendars.
    fn default() -> Self {
        MarketRules {
            calendar: Arc::new(Calendar::krx().clone()),
            us_calendar: Arc::new(Calendar::us().clone()),
            checks: Checks::ALL,
        }
    }
}

impl MarketRules {
    /// Rules with this KRX calendar (the embedded US one) and these switches.
    pub fn new(calendar: Calendar, checks: Checks) -> MarketRules {
        MarketRules {
            calendar: Arc::new(calendar),
            us_calendar: Arc::new(Calendar::us().clone()),
            checks,
        }
    }
    /// Replace the KRX calendar (KRX, NXT and SOR orders).
    pub fn with_calendar(mut self, calendar: Calendar) -> Self {
        self.calendar = Arc::new(calendar);
        self
    }
    /// Replace the US calendar.
    pub fn with_us_calendar(mut self, calendar: Calendar) -> Self {
        self.us_calendar = Arc::new(calendar);
        self
    }
    /// The calendar an exchange follows.
    pub fn calendar_of(&self, exchange: Exchange) -> &Calendar {
        match exchange {
            Exchange::Us => &self.us_calendar,
            Exchange::Krx | Exchange::Nxt => &self.calendar,
        }
    }
    pub fn with_checks(mut self, checks: Checks) -> Self {
        self.checks = checks;
        self
    }
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }
    pub fn checks(&self) -> Checks {
        self.checks
    }

    /// `Ok` when the order breaks none of the switched-on rules, else the first it breaks,
    /// in this order: shape, venue/order type, holiday, session, tick, price limits.
    pub fn check(&self, order: &OrderRequest) -> Result<(), RuleViolation> {
        let c = self.checks;
        if c.shape {
            check_shape(order)?;
        }
        if c.session || c.holiday {
            check_order_type_on_venue(order)?;
        }
        if c.holiday {
            self.check_holiday(order)?;
        }
        if c.session {
            self.check_session(order)?;
        }
        if c.tick {
            check_ticks(order)?;
        }
        if c.price_limits {
            check_limits(order)?;
        }
        Ok(())
    }

    fn check_holiday(&self, order: &OrderRequest) -> Result<(), RuleViolation> {
        let exchange = exchanges_of(order.venue)[0];
        let moment = MarketMoment::at(exchange, order.at, self.calendar_of(exchange))
            .map_err(RuleViolation::Calendar)?;
        match moment.day {
            TradingDay::Open(_) => Ok(()),
            TradingDay::Closed(reason) => {
                let next_trading_day = self
                    .calendar_of(exchange)
                    .next_trading_day(moment.date)
                    .ok();
                Err(RuleViolation::MarketClosed {
                    venue: order.venue,
                    date: moment.date,
                    reason,
                    next_trading_day,
                })
            }
        }
    }

    fn check_session(&self, order: &OrderRequest) -> Result<(), RuleViolation> {
        let mut first: Option<MarketMoment> = None;
        for exchange in exchanges_of(order.venue) {
            let mut moment = if self.checks.holiday {
                MarketMoment::at(*exchange, order.at, self.calendar_of(*exchange))
                    .map_err(RuleViolation::Calendar)?
            } else {
                // Without the calendar every date counts as an ordinary trading day.
                let mut m = MarketMoment::at(*exchange, order.at, &always_open())
                    .map_err(RuleViolation::Calendar)?;
                m.day = TradingDay::Open(DayKind::Regular);
                m
            };
            if moment.accepts(order.order_type) {
                return Ok(());
            }
            if first.is_none() {
                moment.exchange = *exchange;
                first = Some(moment);
            }
        }
        let m = first.expect("every venue has at least one exchange");
        Err(RuleViolation::OutsideSession {
            venue: order.venue,
            order_type: order.order_type,
            date: m.date,
            time: m.time,
            zone: if m.exchange == Exchange::Us {
                "US Eastern"
            } else {
                "KST"
            },
            open_now: m.open_windows().map(|w| w.phase).collect(),
            before_open: m.before_first_window(),
            next_window: m
                .next_window_for(order.order_type)
                .map(|w| (w.start, w.end)),
        })
    }
}

/// What the caller knows about the instrument beyond the order's own fields: the kind (for
/// the grid and the limit rate) and today's prices. Everything optional; unknown limits skip
/// the limit check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderContext {
    pub instrument: Option<InstrumentKind>,
    /// ka10001 `upl_pric`/`lst_pric`.
    pub limits: Option<PriceLimits>,
    /// For computed limits when `limits` is unknown.
    pub base_price: Option<Decimal>,
    /// For the single-price session's ±10% band.
    pub close_price: Option<Decimal>,
}

impl MarketRules {
    /// Check an order TR's request body as Kiwoom receives it: `field` returns a request
    /// field by wire name (`dmst_stex_tp`/`stex_tp`, `trde_tp`, `ord_qty`, `ord_uv`,
    /// `cond_uv`/`stop_pric`, `mdfy_qty`, `mdfy_uv`, `mdfy_cond_uv`). `Ok` for any api-id that
    /// is not an order TR. This is the one reading of Kiwoom's order fields, shared by the
    /// client's pre-send check and the simulator.
    pub fn check_order_tr<'a>(
        &self,
        api_id: &str,
        field: impl Fn(&str) -> Option<&'a str>,
        at: DateTime<Utc>,
        context: &OrderContext,
    ) -> Result<(), RuleViolation> {
        let Some(action) = OrderAction::of_api_id(api_id) else {
            return Ok(());
        };
        let us = api_id.starts_with("ust");
        let get = |wire: &str| field(wire).unwrap_or("").trim();
        let exchange = match (us, get(if us { "stex_tp" } else { "dmst_stex_tp" })) {
            (false, "") => "KRX",
            (true, "") => "ND",
            (_, code) => code,
        };
        let limit_code = if us {
            UsOrderType::Limit.code()
        } else {
            DomesticOrderType::Limit.code()
        };
        let stop_wire = if us { "stop_pric" } else { "cond_uv" };
        let order = match action {
            OrderAction::New(side) => OrderRequest::from_wire(
                side,
                exchange,
                get("trde_tp"),
                get("ord_qty"),
                get("ord_uv"),
                get(stop_wire),
                at,
            )?,
            OrderAction::Amend => {
                let stop = if us {
                    get(stop_wire)
                } else {
                    get("mdfy_cond_uv")
                };
                let mut order = OrderRequest::from_wire(
                    Side::Buy,
                    exchange,
                    limit_code,
                    get("mdfy_qty"),
                    get("mdfy_uv"),
                    stop,
                    at,
                )?;
                // A quantity-only amendment keeps the price: nothing to check on it.
                if order.price.is_none() {
                    order.order_type =
                        OrderType::from_code(order.venue, if us { "03" } else { "3" })
                            .expect("the market order code is known");
                }
                if order.quantity.is_zero() {
                    order.quantity = Decimal::ONE;
                }
                order
            }
            OrderAction::Cancel => {
                let venue =
                    Venue::from_code(exchange).ok_or_else(|| RuleViolation::UnknownCode {
                        field: "exchange",
                        value: exchange.to_string(),
                    })?;
                return self.check_cancel(venue, at);
            }
        };
        let mut order = order;
        if let Some(kind) = context.instrument {
            order.instrument = kind;
        }
        order.limits = context.limits;
        order.base_price = context.base_price;
        order.close_price = context.close_price;
        self.check(&order)
    }

    /// A cancellation: refused on a closed day and when no session of the venue is open
    /// (cancels are taken in every session, whatever the original order's type).
    pub fn check_cancel(&self, venue: Venue, at: DateTime<Utc>) -> Result<(), RuleViolation> {
        let probe = OrderRequest::new(venue, Side::Buy, DomesticOrderType::Limit, Decimal::ONE, at);
        if self.checks.holiday {
            self.check_holiday(&probe)?;
        }
        if !self.checks.session {
            return Ok(());
        }
        let open = always_open();
        let mut first = None;
        for exchange in exchanges_of(venue) {
            let calendar = if self.checks.holiday {
                self.calendar_of(*exchange)
            } else {
                &open
            };
            let m = MarketMoment::at(*exchange, at, calendar).map_err(RuleViolation::Calendar)?;
            if m.open_windows().next().is_some() {
                return Ok(());
            }
            first.get_or_insert(m);
        }
        let m = first.expect("every venue has at least one exchange");
        Err(RuleViolation::OutsideSession {
            venue,
            order_type: if venue.is_domestic() {
                DomesticOrderType::Limit.into()
            } else {
                UsOrderType::Limit.into()
            },
            date: m.date,
            time: m.time,
            zone: if m.exchange == Exchange::Us {
                "US Eastern"
            } else {
                "KST"
            },
            open_now: Vec::new(),
            before_open: m.before_first_window(),
            next_window: None,
        })
    }
}

/// A calendar that has no closures and covers every date: what the session check uses when
/// the holiday check is off.
fn always_open() -> Calendar {
    Calendar::parse_us("0001-01-01,covers_from,\n9999-12-31,covers_through,\n")
        .expect("a calendar with only its range parses")
}

fn check_shape(order: &OrderRequest) -> Result<(), RuleViolation> {
    if order.quantity <= Decimal::ZERO {
        return Err(RuleViolation::QuantityNotPositive {
            quantity: order.quantity,
        });
    }
    if order.order_type.takes_limit_price() && order.price.is_none() {
        return Err(RuleViolation::PriceMissing {
            order_type: order.order_type,
        });
    }
    Ok(())
}

fn check_order_type_on_venue(order: &OrderRequest) -> Result<(), RuleViolation> {
    let fits = match (order.venue, order.order_type) {
        (Venue::Us, OrderType::Us(_)) => true,
        (Venue::Us, OrderType::Domestic(_)) | (_, OrderType::Us(_)) => false,
        // The off-hours closing-price and single-price sessions are KRX's only.
        (
            Venue::Nxt,
            OrderType::Domestic(
                DomesticOrderType::PreMarketClose
                | DomesticOrderType::AfterMarketClose
                | DomesticOrderType::AfterHoursSinglePrice,
            ),
        ) => false,
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        Err(RuleViolation::OrderTypeNotOnVenue {
            venue: order.venue,
            order_type: order.order_type,
        })
    }
}

fn check_ticks(order: &OrderRequest) -> Result<(), RuleViolation> {
    let grid = Grid::of(order.instrument);
    let limit_price = order.price.filter(|_| order.order_type.takes_limit_price());
    for (field, price) in [
        (PriceField::Price, limit_price),
        (PriceField::StopPrice, order.stop_price),
    ] {
        let Some(price) = price else { continue };
        if !grid.is_on_grid(price) {
            let (below, above) = grid.neighbours(price);
            return Err(RuleViolation::OffTick {
                field,
                price,
                grid: grid.describe(price),
                below,
                above,
                currency: grid.currency(),
            });
        }
    }
    Ok(())
}

fn check_limits(order: &OrderRequest) -> Result<(), RuleViolation> {
    let Some(price) = order.price.filter(|_| order.order_type.takes_limit_price()) else {
        return Ok(());
    };
    let currency = Grid::of(order.instrument).currency();
    let limits = order.limits.or_else(|| {
        order
            .base_price
            .and_then(|base| PriceLimits::computed(order.instrument, base))
    });
    if let Some(limits) = limits {
        if price > limits.upper {
            return Err(RuleViolation::AboveUpperLimit {
                price,
                limits,
                currency,
            });
        }
        if price < limits.lower {
            return Err(RuleViolation::BelowLowerLimit {
                price,
                limits,
                currency,
            });
        }
    }
    let single_price =
        order.order_type == OrderType::Domestic(DomesticOrderType::AfterHoursSinglePrice);
    if let Some(close) = order.close_price.filter(|_| single_price) {
        let band = band_around(order.instrument, close, Decimal::new(10, 2));
        if !band.contains(price) {
            return Err(RuleViolation::OutsideSinglePriceBand { price, band, close });
        }
    }
    Ok(())
}

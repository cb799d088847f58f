//! The order TRs (domestic cash, credit and KRX gold spot, US) against the simulated book
//! (see `book`).

use serde_json::{Map, Value};

use super::answer::{Answer, Ov, set, text};
use crate::api_error::ApiError;
use crate::book::{Action, Book, NewOrder, Order, Side};
use crate::catalog::RestTr;
use crate::clock;
use crate::control::{Shared, lock};
use crate::det::Det;
use crate::market::{self, Stock, Venue};
use crate::synth::Synth;
use crate::walk;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Buy,
    Sell,
    Amend,
    Cancel,
}

fn op(api_id: &str) -> Option<Op> {
    Some(match api_id {
        "kt10000" | "kt10006" | "kt50000" | "ust20000" => Op::Buy,
        "kt10001" | "kt10007" | "kt50001" | "ust20001" => Op::Sell,
        "kt10002" | "kt10008" | "kt50002" | "ust20002" => Op::Amend,
        "kt10003" | "kt10009" | "kt50003" | "ust20003" => Op::Cancel,
        _ => return None,
    })
}

pub fn is_order(api_id: &str) -> bool {
    op(api_id).is_some()
}

/// Trade types that execute at the market (시장가, 최유리, 최우선 and their IOC/FOK forms).
fn is_market(venue: Venue, trde_tp: &str) -> bool {
    match venue {
        Venue::Krx => matches!(trde_tp, "3" | "13" | "23" | "6" | "16" | "26" | "7"),
        Venue::Us => matches!(trde_tp, "03" | "36" | "37"),
    }
}

fn int(body: &Map<String, Value>, wire: &str) -> i64 {
    text(body, wire)
        .trim_start_matches('+')
        .parse()
        .unwrap_or(0)
}

/// A price field in minor units: won, or USD with up to 4 decimals.
fn price(body: &Map<String, Value>, wire: &str, venue: Venue) -> i64 {
    let s = text(body, wire);
    match venue {
        Venue::Krx => s.parse::<f64>().map_or(0, |v| v as i64),
        Venue::Us => {
            let (i, d) = s.split_once('.').unwrap_or((s, ""));
            let frac: String = d.chars().chain(std::iter::repeat('0')).take(4).collect();
            i.parse::<i64>().unwrap_or(0) * 10_000 + frac.parse::<i64>().unwrap_or(0)
        }
    }
}

pub fn handle(
    shared: &Shared,
    entry: &RestTr,
    body: &Map<String, Value>,
) -> Result<Answer, ApiError> {
    let tr = &entry.tr;
    let op = op(&tr.id).expect("handle is called for order TRs only");
    let venue = Venue::of(entry.market);
    let seed = shared.config.seed;
    let catalog = &shared.catalog;
    // `codes::check` refused unknown codes already; an order TR without a code is a spec
    // error, answered like a missing field.
    let stock: Stock = market::find(text(body, "stk_cd"), venue)
        .ok_or_else(|| ApiError::code(catalog, 1511, &["stk_cd"]))?;
    let now = clock::now(&shared.config);
    let exchange = match venue {
        Venue::Krx => Some(text(body, "dmst_stex_tp"))
            .filter(|s| !s.is_empty())
            .unwrap_or("KRX")
            .to_string(),
        Venue::Us => Some(text(body, "stex_tp"))
            .filter(|s| !s.is_empty())
            .unwrap_or(&stock.exchange)
            .to_string(),
    };
    let reject = |reason: String| ApiError::order_reject(&reason);
    if let Some(rules) = &shared.config.market_rules {
        crate::rules::enforce(rules, &tr.id, venue, &stock, seed, body)?;
    }

    let ctx = shared.ctx();
    let mut book = lock(&shared.book);
    let side = if op == Op::Sell {
        Side::Sell
    } else {
        Side::Buy
    };
    let market_order = is_market(venue, text(body, "trde_tp"));
    let orig = text(body, "orig_ord_no").to_string();
    // What the request asks, for the 거부 frame of a refusal (it never gets a number).
    let asked = |book: &Book, qty: i64, price: i64| {
        let template = NewOrder {
            stock: stock.clone(),
            side: book.find(&orig).map_or(side, |o| o.side),
            qty,
            price,
            is_market: market_order && matches!(op, Op::Buy | Op::Sell),
            exchange: exchange.clone(),
        };
        let action = match op {
            Op::Buy | Op::Sell => Action::New,
            Op::Amend => Action::Amend,
            Op::Cancel => Action::Cancel,
        };
        let orig = if orig.is_empty() {
            market::zero_order_no(venue)
        } else {
            orig.clone()
        };
        Book::refused_order(&template, action, &orig)
    };
    let (qty_asked, price_asked, outcome) = match op {
        Op::Buy | Op::Sell => {
            let limit = price(body, "ord_uv", venue);
            if !market_order && limit <= 0 {
                return Err(ApiError::code(catalog, 1511, &["ord_uv"]));
            }
            let qty = int(body, "ord_qty");
            let outcome = if !market_order && !walk::on_grid(&stock, limit) {
                Err(format!(
                    "호가단위가 맞지 않습니다(주문단가={})",
                    text(body, "ord_uv")
                ))
            } else {
                book.place(
                    &ctx,
                    NewOrder {
                        side,
                        qty,
                        price: limit,
                        is_market: market_order,
                        exchange: exchange.clone(),
                        stock: stock.clone(),
                    },
                )
            };
            (qty, limit, outcome)
        }
        Op::Amend => {
            let qty = int(body, "mdfy_qty");
            let mut new_price = price(body, "mdfy_uv", venue);
            if new_price <= 0 {
                new_price = book.find(&orig).map_or(0, |o| o.price);
            }
            let outcome = if new_price > 0 && !walk::on_grid(&stock, new_price) {
                Err(format!(
                    "호가단위가 맞지 않습니다(정정단가={})",
                    text(body, "mdfy_uv")
                ))
            } else {
                book.amend(&ctx, &orig, &stock, qty, new_price)
            };
            (qty, new_price, outcome)
        }
        Op::Cancel => {
            let qty = int(body, "cncl_qty");
            let price = book.find(&orig).map_or(0, |o| o.price);
            (qty, price, book.cancel(&ctx, &orig, &stock, qty))
        }
    };
    let events = match outcome {
        Ok(events) => events,
        Err(reason) => {
            // The refusal is answered (return_code 20) and pushed as a 00 거부 frame
            // without an order number: nothing reached the book.
            let template = asked(&book, qty_asked, price_asked);
            let event = book.rejected(&ctx, template, &reason);
            shared.commit(&book, vec![event]);
            return Err(reject(reason));
        }
    };
    // The first event is the acceptance of the order the request created (new, amending or
    // cancelling): the one the answer names.
    let order: Order = events[0].order.clone();
    let qty_done = order.qty;
    let orig = if matches!(op, Op::Amend | Op::Cancel) {
        orig
    } else {
        String::new()
    };
    let holding = book.sellable(&stock);
    let usd = book.cash_usd;
    shared.commit(&book, events);
    drop(book);

    let synth = Synth::new(seed, venue, body).at(now);
    let det = Det::new(seed, &[&tr.id, &order.ord_no]);
    let fields = &tr.response;
    let mut out = synth.object(fields, &synth.top_row(), &det, None, true);
    set(
        &mut out,
        fields,
        "ord_no",
        Ov::Text(order.ord_no.clone()),
        &synth,
    );
    set(&mut out, fields, "base_orig_ord_no", Ov::Text(orig), &synth);
    for wire in ["mdfy_qty", "mdfy_ord_qty"] {
        if op == Op::Amend {
            set(&mut out, fields, wire, Ov::Int(qty_done), &synth);
        }
    }
    for wire in ["cncl_qty", "cncl_ord_qty"] {
        if op == Op::Cancel {
            set(&mut out, fields, wire, Ov::Int(qty_done), &synth);
        }
    }
    set(
        &mut out,
        fields,
        "stk_nm",
        Ov::Text(stock.name.clone()),
        &synth,
    );
    set(&mut out, fields, "dmst_stex_tp", Ov::Text(exchange), &synth);
    set(&mut out, fields, "poss_qty", Ov::Int(holding), &synth);
    if let Some(f) = fields.iter().find(|f| f.wire == "fc_entra") {
        out.insert(
            f.wire.clone(),
            Value::String(crate::synth::render(
                f,
                crate::synth::Num {
                    mantissa: usd,
                    frac: 4,
                },
                None,
            )),
        );
    }
    let msg = match op {
        Op::Buy => "모의투자 매수주문완료",
        Op::Sell => "모의투자 매도주문완료",
        Op::Amend => "모의투자 정정주문완료",
        Op::Cancel => "모의투자 취소주문완료",
    };
    Ok(Answer::single(out, msg))
}

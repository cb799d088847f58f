//! Account inquiries answered from the simulated book: unfilled orders (ka10075), fills
//! (ka10076), order history (kt00007, kt00009), deposit (kt00001) and balances (kt00004,
//! kt00018). Every documented field is still present: the book's facts overwrite the
//! fields they correspond to in a synthesized body. Order lists of TRs with header paging
//! (ka10075, ka10076, kt00007, kt00009) come `MockConfig::rows_per_page` rows a page with
//! `cont-yn`/`next-key`; balances come in one page. Prices are the walk's (see `walk`).
//! kt00009 lists one row per execution of an order (its rows carry 체결번호 and that
//! execution's quantity, price and time), the others one row per order (see `listing`).

use std::collections::HashMap;

use chrono::NaiveDate;
use codegen::spec::{Field, Paging};
use serde_json::{Map, Value};

use super::answer::{Answer, Ov, list_field, set, text};
use super::listing::{self, Rows};
use crate::api_error::ApiError;
use crate::book::{Action, Book, Fill, Order, Side, Status};
use crate::catalog::RestTr;
use crate::control::{Shared, lock};
use crate::det::Det;
use crate::market::{self, Quote, Stock, Venue};
use crate::synth::{Row, Synth, wire_code};

pub fn is_stateful(api_id: &str) -> bool {
    matches!(
        api_id,
        "ka10075" | "ka10076" | "kt00007" | "kt00009" | "kt00001" | "kt00004" | "kt00018"
    )
}

/// The side filter of a request (`1` sell, `2` buy, anything else both).
fn side_filter(body: &Map<String, Value>, wire: &str) -> Option<Side> {
    match text(body, wire) {
        "1" => Some(Side::Sell),
        "2" => Some(Side::Buy),
        _ => None,
    }
}

/// The day's quote with the walk's current price as its close (see `walk`).
fn walked_quote(seed: u64, book: &Book, stock: &Stock, date: NaiveDate) -> Quote {
    let q = market::quote(seed, stock, date);
    let now = book.walk.peek(seed, stock, date);
    Quote {
        close: now,
        high: q.high.max(now),
        low: q.low.min(now),
        ..q
    }
}

/// 주문유형구분 (`io_tp_nm`): the side, and for an amend or cancel what it did.
fn order_type_name(o: &Order) -> String {
    let side = match o.side {
        Side::Buy => "매수",
        Side::Sell => "매도",
    };
    match o.action {
        Action::New => format!("현금{side}"),
        Action::Amend => format!("현금{side}정정"),
        Action::Cancel => format!("현금{side}취소"),
    }
}

/// One order as a row: its quantities, its fills as one total (`cntr_qty`, `cntr_tot_amt`),
/// their average price (`cntr_pric`, `cntr_uv`), and the number and time of its latest fill
/// (`cntr_no`, `cntr_tm`), the same numbers realtime 00 sent in `909`. With `execution`
/// (kt00009, one row per execution) the 체결 columns are that execution's own: its number,
/// quantity, price and time; the order's other columns are repeated on each of its rows.
fn order_row(
    synth: &Synth,
    fields: &[Field],
    book: &Book,
    o: &Order,
    execution: Option<&Fill>,
    det: &Det,
) -> Map<String, Value> {
    let seed = synth.seed;
    let date = synth.today();
    let row = Row {
        stock: o.stock.clone(),
        quote: walked_quote(seed, book, &o.stock, date),
        date,
        secs: o.secs,
    };
    let mut obj = synth.object(fields, &row, &det.fork(&o.ord_no), None, false);
    let prev = row.quote.prev_close;
    if let Some(f) = fields.iter().find(|f| f.wire == "stk_cd") {
        set(
            &mut obj,
            fields,
            "stk_cd",
            Ov::Text(wire_code(f, &o.stock)),
            synth,
        );
    }
    let status = match (o.action, o.status) {
        (Action::Cancel, _) => "확인",
        (_, Status::Open) if o.filled_qty > 0 => "체결",
        (_, Status::Open) => "접수",
        (_, Status::Filled) => "체결",
        (_, Status::Closed) => "확인",
    };
    let trade_kind = if o.price == 0 { "시장가" } else { "보통" };
    let time = crate::synth::hhmmss(o.secs);
    // The execution the 체결 columns describe: the row's own, else the order's latest.
    let shown = execution.or_else(|| book.fills_of(&o.ord_no).last());
    let modify = match o.action {
        Action::New => "",
        Action::Amend => "정정",
        Action::Cancel => "취소",
    };
    let texts = [
        ("ord_no", o.ord_no.clone()),
        ("orig_ord_no", o.orig_ord_no.clone()),
        ("ori_ord", o.orig_ord_no.clone()),
        ("stk_nm", o.stock.name.clone()),
        ("io_tp_nm", order_type_name(o)),
        ("mdfy_cncl_tp", modify.to_string()),
        ("ord_stt", status.to_string()),
        ("trde_tp", trade_kind.to_string()),
        ("tm", time.clone()),
        ("ord_tm", time),
        ("dmst_stex_tp", o.exchange.clone()),
        (
            "cntr_no",
            shown.map_or_else(String::new, |f| f.fill_no.clone()),
        ),
        (
            "cntr_tm",
            shown.map_or_else(String::new, |f| crate::synth::hhmmss(f.secs)),
        ),
    ];
    for (wire, v) in texts {
        set(&mut obj, fields, wire, Ov::Text(v), synth);
    }
    let (filled, fill_price) = match execution {
        Some(f) => (f.qty, f.price),
        None => (o.filled_qty, o.avg_fill_price()),
    };
    for (wire, v) in [
        ("ord_qty", o.qty),
        ("oso_qty", o.unfilled()),
        ("ord_remnq", o.unfilled()),
        ("cntr_qty", filled),
        ("cnfm_qty", if o.action == Action::New { 0 } else { o.qty }),
    ] {
        set(&mut obj, fields, wire, Ov::Int(v), synth);
    }
    set(
        &mut obj,
        fields,
        "cntr_tot_amt",
        Ov::Int(o.filled_amount),
        synth,
    );
    for wire in ["ord_pric", "ord_uv"] {
        set(&mut obj, fields, wire, Ov::Price(o.price, prev), synth);
    }
    for wire in ["cntr_pric", "cntr_uv"] {
        set(&mut obj, fields, wire, Ov::Price(fill_price, prev), synth);
    }
    set(
        &mut obj,
        fields,
        "cur_prc",
        Ov::Price(row.quote.close, prev),
        synth,
    );
    obj
}

/// Where a listing continues: `None` for the first page, else the request's `next-key`.
pub struct Continue<'a> {
    pub asked: bool,
    pub key: &'a str,
}

/// The orders `keep` selects, newest first: one row per order, or (`Rows::PerExecution`,
/// kt00009) one per execution. A TR with header paging serves `MockConfig::rows_per_page`
/// rows a page; `next-key` names the book position to continue below (see `listing`), so
/// orders and fills arriving between two pages never shift or repeat the rows that follow.
fn orders_answer(
    shared: &Shared,
    synth: &Synth,
    entry: &RestTr,
    book: &Book,
    cont: &Continue<'_>,
    rows: Rows,
    keep: impl Fn(&Order) -> bool,
) -> Result<Answer, ApiError> {
    let tr = &entry.tr;
    let det = Det::new(synth.seed, &[&tr.id]);
    let mut out = synth.object(&tr.response, &synth.top_row(), &det, None, true);
    let paged = matches!(tr.paging, Paging::Header { .. });
    let key = (paged && cont.asked).then_some(cont.key);
    let per_page = if paged {
        shared.config.rows_per_page as usize
    } else {
        usize::MAX
    };
    // Each order's executions, oldest first (append-only, so an index names one for good).
    let mut executions: HashMap<&str, Vec<&Fill>> = HashMap::new();
    if rows == Rows::PerExecution {
        for f in &book.fills {
            executions.entry(f.ord_no.as_str()).or_default().push(f);
        }
    }
    let of = |i: usize| -> &[&Fill] {
        executions
            .get(book.orders[i].ord_no.as_str())
            .map_or(&[], Vec::as_slice)
    };
    let page = listing::page(
        rows,
        book.orders.len(),
        |i| of(i).len(),
        |i| {
            let o = &book.orders[i];
            o.stock.venue == Venue::Krx && keep(o)
        },
        key,
        per_page,
    )
    .map_err(|listing::BadKey| {
        ApiError::code(
            &shared.catalog,
            1517,
            &["next-key", "연속조회키가 올바르지 않습니다"],
        )
    })?;
    let mut count = 0;
    if let Some(list) = list_field(&tr.response, paging_list(&tr.paging)) {
        let rows: Vec<Value> = page
            .rows
            .iter()
            .map(|at| {
                let execution = at.execution.map(|e| of(at.order)[e]);
                let o = &book.orders[at.order];
                Value::Object(order_row(synth, &list.fields, book, o, execution, &det))
            })
            .collect();
        count = rows.len();
        out.insert(list.wire.clone(), Value::Array(rows));
    }
    Ok(Answer {
        body: out,
        return_msg: "모의투자 조회완료".into(),
        cont_yn: !page.next_key.is_empty(),
        next_key: page.next_key,
        resp_cnt: count,
    })
}

fn paging_list(p: &Paging) -> Option<&str> {
    match p {
        Paging::Header { list } | Paging::Body { list } => Some(list),
        Paging::None => None,
    }
}

fn balance_answer(synth: &Synth, entry: &RestTr, book: &Book) -> Answer {
    let tr = &entry.tr;
    let seed = synth.seed;
    let det = Det::new(seed, &[&tr.id]);
    let fields = &tr.response;
    let mut out = synth.object(fields, &synth.top_row(), &det, None, true);
    let date = synth.today();
    let holdings: Vec<_> = book
        .holdings
        .values()
        .filter(|h| h.stock.as_ref().is_some_and(|s| s.venue == Venue::Krx))
        .collect();
    let mut total_cost = 0;
    let mut total_eval = 0;
    let mut evals = Vec::new();
    for h in &holdings {
        let stock = h.stock.clone().expect("holdings record their stock");
        let q = walked_quote(seed, book, &stock, date);
        total_cost += h.cost;
        total_eval += h.qty * q.close;
        evals.push((stock, q, h.qty * q.close));
    }
    let mut count = 0;
    if let Some(list) = list_field(fields, paging_list(&tr.paging)) {
        let rf = &list.fields;
        let rows: Vec<Value> = holdings
            .iter()
            .zip(&evals)
            .map(|(h, (stock, q, eval))| {
                let row = Row {
                    stock: stock.clone(),
                    quote: *q,
                    date,
                    secs: 153_000,
                };
                let mut obj = synth.object(rf, &row, &det.fork(&stock.code), None, false);
                if let Some(f) = rf.iter().find(|f| f.wire == "stk_cd") {
                    set(&mut obj, rf, "stk_cd", Ov::Text(wire_code(f, stock)), synth);
                }
                set(&mut obj, rf, "stk_nm", Ov::Text(stock.name.clone()), synth);
                for wire in ["rmnd_qty", "setl_remn"] {
                    set(&mut obj, rf, wire, Ov::Int(h.qty), synth);
                }
                set(
                    &mut obj,
                    rf,
                    "trde_able_qty",
                    Ov::Int(book.sellable(stock)),
                    synth,
                );
                for wire in ["pur_pric", "avg_prc"] {
                    set(
                        &mut obj,
                        rf,
                        wire,
                        Ov::Price(h.avg_price(), q.prev_close),
                        synth,
                    );
                }
                set(
                    &mut obj,
                    rf,
                    "cur_prc",
                    Ov::Price(q.close, q.prev_close),
                    synth,
                );
                set(
                    &mut obj,
                    rf,
                    "pred_close_pric",
                    Ov::Price(q.prev_close, q.prev_close),
                    synth,
                );
                set(&mut obj, rf, "pur_amt", Ov::Int(h.cost), synth);
                set(&mut obj, rf, "evlt_amt", Ov::Int(*eval), synth);
                for wire in ["evltv_prft", "pl_amt"] {
                    set(&mut obj, rf, wire, Ov::Int(eval - h.cost), synth);
                }
                let rate = if h.cost == 0 {
                    0
                } else {
                    (eval - h.cost) * 10_000 / h.cost
                };
                for wire in ["prft_rt", "pl_rt"] {
                    set(&mut obj, rf, wire, Ov::Rate(rate), synth);
                }
                let weight = if total_eval == 0 {
                    0
                } else {
                    eval * 10_000 / total_eval
                };
                set(&mut obj, rf, "poss_rt", Ov::Rate(weight), synth);
                for wire in ["pur_cmsn", "sell_cmsn", "tax", "sum_cmsn"] {
                    set(&mut obj, rf, wire, Ov::Int(0), synth);
                }
                Value::Object(obj)
            })
            .collect();
        count = rows.len();
        out.insert(list.wire.clone(), Value::Array(rows));
    }
    let cash = book.cash_won;
    let ints = [
        ("tot_pur_amt", total_cost),
        ("tot_evlt_amt", total_eval),
        ("tot_est_amt", total_eval),
        ("tot_evlt_pl", total_eval - total_cost),
        ("lspft", total_eval - total_cost),
        ("prsm_dpst_aset_amt", cash + total_eval),
        ("aset_evlt_amt", cash + total_eval),
        ("entr", cash),
        ("d2_entra", cash),
        ("tot_loan_amt", 0),
        ("tot_crd_loan_amt", 0),
        ("tot_crd_ls_amt", 0),
    ];
    for (wire, v) in ints {
        set(&mut out, fields, wire, Ov::Int(v), synth);
    }
    let rate = if total_cost == 0 {
        0
    } else {
        (total_eval - total_cost) * 10_000 / total_cost
    };
    for wire in ["tot_prft_rt", "lspft_rt"] {
        set(&mut out, fields, wire, Ov::Rate(rate), synth);
    }
    Answer {
        body: out,
        return_msg: "모의투자 조회완료".into(),
        cont_yn: false,
        next_key: String::new(),
        resp_cnt: count,
    }
}

fn deposit_answer(synth: &Synth, entry: &RestTr, book: &Book) -> Answer {
    let tr = &entry.tr;
    let det = Det::new(synth.seed, &[&tr.id]);
    let fields = &tr.response;
    let mut out = synth.object(fields, &synth.top_row(), &det, None, true);
    let cash = book.cash_won;
    let free = book.orderable(Venue::Krx);
    for wire in ["entr", "d1_entra", "d2_entra"] {
        set(&mut out, fields, wire, Ov::Int(cash), synth);
    }
    for wire in [
        "ord_alow_amt",
        "pymn_alow_amt",
        "100stk_ord_alow_amt",
        "d1_pymn_alow_amt",
        "d2_pymn_alow_amt",
    ] {
        set(&mut out, fields, wire, Ov::Int(free), synth);
    }
    Answer::single(out, "모의투자 조회완료")
}

pub fn handle(
    shared: &Shared,
    entry: &RestTr,
    body: &Map<String, Value>,
    cont: &Continue<'_>,
) -> Result<Answer, ApiError> {
    let synth =
        Synth::new(shared.config.seed, Venue::Krx, body).at(crate::clock::now(&shared.config));
    let book = lock(&shared.book);
    let code = market::bare_code(text(body, "stk_cd")).to_string();
    let same_code = |o: &Order| code.is_empty() || o.stock.code == code;
    let orders = |keep: &dyn Fn(&Order) -> bool| {
        orders_answer(shared, &synth, entry, &book, cont, Rows::PerOrder, |o| {
            keep(o)
        })
    };
    let executions = |keep: &dyn Fn(&Order) -> bool| {
        orders_answer(
            shared,
            &synth,
            entry,
            &book,
            cont,
            Rows::PerExecution,
            |o| keep(o),
        )
    };
    match entry.tr.id.as_str() {
        "ka10075" => {
            let one = text(body, "all_stk_tp") == "1";
            let side = side_filter(body, "trde_tp");
            orders(&|o| {
                o.status == Status::Open
                    && (!one || same_code(o))
                    && side.is_none_or(|s| s == o.side)
            })
        }
        "ka10076" => {
            let one = text(body, "qry_tp") == "1";
            let side = side_filter(body, "sell_tp");
            orders(&|o| {
                o.filled_qty > 0 && (!one || same_code(o)) && side.is_none_or(|s| s == o.side)
            })
        }
        "kt00007" => {
            let side = side_filter(body, "sell_tp");
            orders(&|o| same_code(o) && side.is_none_or(|s| s == o.side))
        }
        "kt00009" => {
            // Its rows carry 체결번호 and that execution's quantity, price and time: one row
            // per execution. qry_tp 1 = 체결: orders with an execution only.
            let side = side_filter(body, "sell_tp");
            let filled_only = text(body, "qry_tp") == "1";
            executions(&|o| {
                same_code(o)
                    && side.is_none_or(|s| s == o.side)
                    && (!filled_only || o.filled_qty > 0)
            })
        }
        "kt00001" => Ok(deposit_answer(&synth, entry, &book)),
        _ => Ok(balance_answer(&synth, entry, &book)),
    }
}

//! Account inquiries answered from the simulated book: unfilled orders (ka10075), fills
//! (ka10076), order history (kt00007, kt00009), deposit (kt00001) and balances (kt00004,
//! kt00018). Every documented field is still present: the book's facts overwrite the
//! fields they correspond to in a synthesized body. These lists come in one page.

use codegen::spec::{Field, Paging};
use serde_json::{Map, Value};

use super::answer::{Answer, Ov, list_field, set, text};
use crate::book::{Book, Order, Side, Status};
use crate::catalog::RestTr;
use crate::control::{Shared, lock};
use crate::det::Det;
use crate::market::{self, Venue};
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

fn order_row(synth: &Synth, fields: &[Field], o: &Order, det: &Det) -> Map<String, Value> {
    let seed = synth.seed;
    let date = synth.today();
    let row = Row {
        stock: o.stock.clone(),
        quote: market::quote(seed, &o.stock, date),
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
    let side_name = match o.side {
        Side::Buy => "현금매수",
        Side::Sell => "현금매도",
    };
    let status = match o.status {
        Status::Open => "접수",
        Status::Filled => "체결",
        Status::Closed => "확인",
    };
    let trade_kind = if o.price == 0 { "시장가" } else { "보통" };
    let time = crate::synth::hhmmss(o.secs);
    let texts = [
        ("ord_no", o.ord_no.clone()),
        ("orig_ord_no", o.orig_ord_no.clone()),
        ("ori_ord", o.orig_ord_no.clone()),
        ("stk_nm", o.stock.name.clone()),
        ("io_tp_nm", side_name.to_string()),
        ("ord_stt", status.to_string()),
        ("trde_tp", trade_kind.to_string()),
        ("tm", time.clone()),
        ("ord_tm", time),
        ("dmst_stex_tp", o.exchange.clone()),
    ];
    for (wire, v) in texts {
        set(&mut obj, fields, wire, Ov::Text(v), synth);
    }
    for (wire, v) in [
        ("ord_qty", o.qty),
        ("oso_qty", o.unfilled()),
        ("ord_remnq", o.unfilled()),
        ("cntr_qty", o.filled_qty),
    ] {
        set(&mut obj, fields, wire, Ov::Int(v), synth);
    }
    set(
        &mut obj,
        fields,
        "cntr_tot_amt",
        Ov::Int(o.filled_qty * o.fill_price),
        synth,
    );
    for wire in ["ord_pric", "ord_uv"] {
        set(&mut obj, fields, wire, Ov::Price(o.price, prev), synth);
    }
    for wire in ["cntr_pric", "cntr_uv"] {
        set(&mut obj, fields, wire, Ov::Price(o.fill_price, prev), synth);
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

fn orders_answer(
    synth: &Synth,
    entry: &RestTr,
    book: &Book,
    keep: impl Fn(&Order) -> bool,
) -> Answer {
    let tr = &entry.tr;
    let det = Det::new(synth.seed, &[&tr.id]);
    let mut out = synth.object(&tr.response, &synth.top_row(), &det, None, true);
    let mut count = 0;
    if let Some(list) = list_field(&tr.response, paging_list(&tr.paging)) {
        let rows: Vec<Value> = book
            .orders
            .iter()
            .rev()
            .filter(|o| o.stock.venue == Venue::Krx && keep(o))
            .map(|o| Value::Object(order_row(synth, &list.fields, o, &det)))
            .collect();
        count = rows.len();
        out.insert(list.wire.clone(), Value::Array(rows));
    }
    Answer {
        body: out,
        return_msg: "모의투자 조회완료".into(),
        cont_yn: false,
        next_key: String::new(),
        resp_cnt: count,
    }
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
        .iter()
        .filter(|((us, _), _)| !us)
        .map(|(_, h)| h)
        .collect();
    let mut total_cost = 0;
    let mut total_eval = 0;
    let mut evals = Vec::new();
    for h in &holdings {
        let stock = h.stock.clone().expect("holdings record their stock");
        let q = market::quote(seed, &stock, date);
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

pub fn handle(shared: &Shared, entry: &RestTr, body: &Map<String, Value>) -> Answer {
    let synth =
        Synth::new(shared.config.seed, Venue::Krx, body).at(crate::clock::now(&shared.config));
    let book = lock(&shared.book);
    let code = market::bare_code(text(body, "stk_cd")).to_string();
    let same_code = |o: &Order| code.is_empty() || o.stock.code == code;
    match entry.tr.id.as_str() {
        "ka10075" => {
            let one = text(body, "all_stk_tp") == "1";
            let side = side_filter(body, "trde_tp");
            orders_answer(&synth, entry, &book, |o| {
                o.status == Status::Open
                    && (!one || same_code(o))
                    && side.is_none_or(|s| s == o.side)
            })
        }
        "ka10076" => {
            let one = text(body, "qry_tp") == "1";
            let side = side_filter(body, "sell_tp");
            orders_answer(&synth, entry, &book, |o| {
                o.filled_qty > 0 && (!one || same_code(o)) && side.is_none_or(|s| s == o.side)
            })
        }
        "kt00007" | "kt00009" => {
            let side = side_filter(body, "sell_tp");
            orders_answer(&synth, entry, &book, |o| {
                same_code(o) && side.is_none_or(|s| s == o.side)
            })
        }
        "kt00001" => deposit_answer(&synth, entry, &book),
        _ => balance_answer(&synth, entry, &book),
    }
}

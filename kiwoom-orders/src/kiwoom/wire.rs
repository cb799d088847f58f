//! Kiwoom's wire forms (JSON field names and realtime field ids, as in `spec/`) read into the
//! tracker's terms. Only wire names appear here, never generated Rust names, so renames in
//! the generated crate do not touch it.
//!
//! Kiwoom writes numbers as text with leading zeros (`"000000070000"`) and prices with a
//! direction sign (`"-70000"` = below the previous close): quantities and prices are read as
//! magnitudes.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use kiwoom_runtime::RealValues;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::ids::OrderNo;
use crate::intent::{Side, seoul};
use crate::matching::BrokerOrder;
use crate::position::BrokerPosition;
use crate::tracker::{BalanceFrame, BrokerError, BrokerFill, FrameKind, OrderFrame, Placed};

fn text(row: &Value, key: &str) -> Option<String> {
    let s = match row.get(key)? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A magnitude: sign and leading zeros dropped.
fn magnitude(s: &str) -> Option<u64> {
    let digits = s.trim().trim_start_matches(['+', '-']).replace(',', "");
    if digits.is_empty() {
        return None;
    }
    digits.parse::<u64>().ok()
}

fn int(row: &Value, key: &str) -> Option<u64> {
    magnitude(&text(row, key)?)
}

fn order_no(s: Option<String>) -> Option<OrderNo> {
    // `0000000` means "no such order" (e.g. no original order).
    let s = s?;
    if s.trim_start_matches('0').is_empty() {
        return None;
    }
    OrderNo::new(s).ok()
}

/// Stock codes come as `005930` or with a market letter (`A005930`; `J` ELW, `Q` ETN): the
/// runtime's `StockCode` drops the letter, as it does for every request.
fn stock_code(s: &str) -> String {
    kiwoom_runtime::codec::StockCode::new(s).as_str().to_owned()
}

/// Side from an order-kind text such as `+매수`, `-매도정정`, `현금매수`.
fn side_of(kind: &str) -> Option<Side> {
    if kind.contains("매수") {
        Some(Side::Buy)
    } else if kind.contains("매도") {
        Some(Side::Sell)
    } else {
        None
    }
}

fn time_on(date: NaiveDate, hhmmss: &str) -> Option<DateTime<Utc>> {
    let digits: String = hhmmss.chars().filter(char::is_ascii_digit).collect();
    let time = NaiveTime::parse_from_str(digits.get(..6)?, "%H%M%S").ok()?;
    seoul()
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The answer of an order TR: `ord_no`, and for an amend `mdfy_qty` (US `mdfy_ord_qty`),
/// for a cancel `cncl_qty` (US `cncl_ord_qty`).
pub fn placed(answer: &Value) -> Result<Placed, BrokerError> {
    let order_no = order_no(text(answer, "ord_no")).ok_or_else(|| {
        BrokerError::OutcomeUnknown("Kiwoom's answer has no order number (ord_no)".into())
    })?;
    let quantity = ["cncl_qty", "cncl_ord_qty", "mdfy_qty", "mdfy_ord_qty"]
        .into_iter()
        .find_map(|wire| int(answer, wire));
    Ok(Placed {
        order_no,
        quantity,
        raw: answer.clone(),
    })
}

/// Rows of ka10075 (`oso`): open order number and open quantity.
pub fn open_orders(rows: &[Value]) -> Vec<(OrderNo, u64)> {
    rows.iter()
        .filter_map(|r| Some((order_no(text(r, "ord_no"))?, int(r, "oso_qty").unwrap_or(0))))
        .collect()
}

/// Rows of kt00009 (`acnt_ord_cntr_prst_array`): the day's orders and their executions.
/// Kiwoom lists one row per execution (체결번호 `cntr_no`, that execution's `cntr_qty`,
/// `cntr_uv`, `cntr_tm`, the order's columns repeated) and one row with no number for an
/// order without execution. So: one order per order number (new and amending orders;
/// cancelling orders are left out, they carry no quantity of their own to match), and one
/// fill per row with a filled quantity.
pub fn history(
    account: &str,
    date: NaiveDate,
    rows: &[Value],
) -> (Vec<BrokerOrder>, Vec<BrokerFill>) {
    let mut orders = Vec::new();
    let mut listed: HashSet<OrderNo> = HashSet::new();
    let mut fills = Vec::new();
    // Rows of an order number with a quantity and no fill number, counted so far.
    let mut unnumbered: HashMap<OrderNo, usize> = HashMap::new();
    for r in rows {
        let (Some(no), Some(stock)) = (order_no(text(r, "ord_no")), text(r, "stk_cd")) else {
            continue;
        };
        let kind = text(r, "io_tp_nm").unwrap_or_default();
        let modify = text(r, "mdfy_cncl_tp").unwrap_or_default();
        let Some(side) = side_of(&kind).or_else(|| text(r, "trde_tp").as_deref().and_then(side_of))
        else {
            continue;
        };
        let stock = stock_code(&stock);
        let quantity = int(r, "ord_qty").unwrap_or(0);
        let price = int(r, "ord_uv").filter(|p| *p > 0).map(Decimal::from);
        let cancel = kind.contains("취소") || modify.contains("취소");
        if !cancel && listed.insert(no.clone()) {
            orders.push(BrokerOrder {
                account: account.to_owned(),
                order_no: no.clone(),
                orig_order_no: order_no(text(r, "orig_ord_no")),
                stock: stock.clone(),
                side,
                quantity,
                price,
                placed_at: None,
            });
        }
        if let Some(filled) = int(r, "cntr_qty").filter(|q| *q > 0) {
            // A filled quantity counts even when the row's fill number is blank or zeros:
            // dropping it would make reconciliation take the filled part for a cancelled
            // one. Such rows are keyed by their order number and their rank among its
            // numberless rows; reconciliation counts them by quantity, never by key alone.
            let fill_no = text(r, "cntr_no")
                .filter(|n| !n.trim_start_matches('0').is_empty())
                .unwrap_or_else(|| {
                    let rank = unnumbered.entry(no.clone()).or_default();
                    *rank += 1;
                    format!("row-{}-{}", no.as_str(), *rank - 1)
                });
            fills.push(BrokerFill {
                account: account.to_owned(),
                order_no: no,
                fill_no,
                stock,
                side,
                quantity: filled,
                price: int(r, "cntr_uv").map(Decimal::from).unwrap_or_default(),
                filled_at: text(r, "cntr_tm")
                    .and_then(|t| time_on(date, &t))
                    .unwrap_or_else(Utc::now),
                order_quantity: quantity,
                order_price: price,
                raw: r.clone(),
            });
        }
    }
    (orders, fills)
}

/// Rows of kt00018 (`acnt_evlt_remn_indv_tot`): quantity held and purchase price per stock.
pub fn holdings(rows: &[Value]) -> Vec<(String, BrokerPosition)> {
    rows.iter()
        .filter_map(|r| {
            let stock = stock_code(&text(r, "stk_cd")?);
            let quantity = i64::try_from(int(r, "rmnd_qty")?).ok()?;
            Some((
                stock,
                BrokerPosition {
                    quantity,
                    average_price: int(r, "pur_pric").map(Decimal::from),
                },
            ))
        })
        .collect()
}

/// A realtime type 00 entry (values keyed by field id) as an [`OrderFrame`]. `None` for
/// entries that change nothing in the journal (the acceptance of an amend or cancel request:
/// its confirmation follows as `확인`) or that lack an order number or status.
pub fn order_frame(values: &RealValues, date: NaiveDate, raw: Value) -> Option<OrderFrame> {
    let get = |id: &str| {
        values
            .get(id)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let num = |id: &str| get(id).and_then(|v| magnitude(&v));
    let status = get("913")?;
    let order_kind = get("905").unwrap_or_default();
    let amend = order_kind.contains("정정");
    let cancel = order_kind.contains("취소");
    let order_quantity = num("900").unwrap_or(0);
    let order_price = num("901").filter(|p| *p > 0).map(Decimal::from);
    let reason = get("919").unwrap_or_else(|| status.clone());
    let kind = match status.as_str() {
        "접수" if amend || cancel => return None,
        "접수" => FrameKind::Accepted,
        "체결" => FrameKind::Filled {
            fill_no: get("909")?,
            quantity: num("915")?,
            price: Decimal::from(num("914").or_else(|| num("910"))?),
            cumulative: num("911"),
        },
        "확인" if amend => FrameKind::Amended {
            quantity: order_quantity,
            price: order_price,
        },
        "확인" if cancel => FrameKind::Cancelled {
            quantity: order_quantity,
        },
        "확인" => return None,
        "취소" => FrameKind::Cancelled {
            quantity: order_quantity,
        },
        "거부" if amend => FrameKind::AmendRejected { reason },
        "거부" if cancel => FrameKind::CancelRejected { reason },
        "거부" => FrameKind::Rejected { reason },
        _ => return None,
    };
    let side = match get("907").as_deref() {
        Some("1") => Side::Sell,
        Some("2") => Side::Buy,
        _ => side_of(&order_kind)?,
    };
    Some(OrderFrame {
        kind,
        account: get("9201").unwrap_or_default(),
        order_no: order_no(get("9203"))?,
        orig_order_no: order_no(get("904")),
        stock: stock_code(&get("9001")?),
        side,
        order_quantity,
        order_price,
        cumulative_fee: num("938").map(Decimal::from),
        cumulative_tax: num("939").map(Decimal::from),
        venue: get("2135"),
        at: get("908")
            .and_then(|t| time_on(date, &t))
            .unwrap_or_else(Utc::now),
        raw,
    })
}

/// A realtime type 04 (balance) entry as a [`BalanceFrame`]: `9001` stock, `930` holding
/// quantity, `931` purchase unit price (`0` = none), `9201` account. `None` for an entry
/// without a stock or quantity, and for credit balances (`917` other than `00`): the
/// journal's position of a stock is the cash one, a credit line would compare apples with
/// pears.
pub fn balance_frame(values: &RealValues, raw: Value) -> Option<BalanceFrame> {
    let get = |id: &str| {
        values
            .get(id)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if get("917").is_some_and(|c| !c.trim_start_matches('0').is_empty()) {
        return None;
    }
    let quantity = i64::try_from(magnitude(&get("930")?)?).ok()?;
    Some(BalanceFrame {
        account: get("9201").unwrap_or_default(),
        stock: stock_code(&get("9001")?),
        position: BrokerPosition {
            quantity,
            average_price: get("931")
                .and_then(|p| magnitude(&p))
                .filter(|p| *p > 0)
                .map(Decimal::from),
        },
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    #[test]
    fn answers_give_the_order_number_and_cancelled_quantity() {
        let p =
            placed(&json!({"ord_no": "0000139", "dmst_stex_tp": "KRX", "return_code": 0})).unwrap();
        assert_eq!((p.order_no.as_str(), p.quantity), ("139", None));
        let c = placed(&json!({"ord_no": "0000140", "base_orig_ord_no": "0000139", "cncl_qty": "000000000003"})).unwrap();
        assert_eq!(c.quantity, Some(3));
        assert!(matches!(
            placed(&json!({"return_code": 0})),
            Err(BrokerError::OutcomeUnknown(_))
        ));
    }

    #[test]
    fn history_rows_give_orders_and_fills() {
        let rows = [
            json!({"ord_no": "0000139", "stk_cd": "A005930", "io_tp_nm": "+매수", "ord_qty": "000000000010",
                   "ord_uv": "000000070000", "orig_ord_no": "0000000", "cntr_no": "0000007", "cntr_qty": "000000000004",
                   "cntr_uv": "000000070000", "cntr_tm": "100512", "mdfy_cncl_tp": ""}),
            json!({"ord_no": "0000141", "stk_cd": "005930", "io_tp_nm": "+매수정정", "ord_qty": "6", "ord_uv": "69900",
                   "orig_ord_no": "0000139", "cntr_no": "", "cntr_qty": "0"}),
            json!({"ord_no": "0000142", "stk_cd": "005930", "io_tp_nm": "매수취소", "ord_qty": "6", "orig_ord_no": "0000141"}),
        ];
        let (orders, fills) = history("8123", date(), &rows);
        assert_eq!(orders.len(), 2, "the cancelling order is left out");
        assert_eq!(
            (
                orders[0].stock.as_str(),
                orders[0].side,
                orders[0].orig_order_no.clone()
            ),
            ("005930", Side::Buy, None)
        );
        assert_eq!(orders[1].orig_order_no, Some(OrderNo::new("139").unwrap()));
        assert_eq!(fills.len(), 1);
        assert_eq!(
            (fills[0].fill_no.as_str(), fills[0].quantity, fills[0].price),
            ("0000007", 4, Decimal::from(70000))
        );
        assert_eq!(fills[0].filled_at, time_on(date(), "100512").unwrap());
        assert_eq!(fills[0].filled_at.to_rfc3339(), "2026-12-02T01:05:12+00:00");
    }

    #[test]
    fn history_rows_per_execution_give_one_order_and_a_fill_each() {
        // kt00009 as Kiwoom lists it: one row per execution of an order, newest first, the
        // order's columns repeated; then an order with no execution.
        let row = |cntr_no: &str, qty: &str, uv: &str, tm: &str| {
            json!({"ord_no": "0000150", "stk_cd": "A005930", "io_tp_nm": "현금매도", "ord_qty": "0000000010",
                   "ord_uv": "0000070100", "orig_ord_no": "0000000", "cntr_no": cntr_no, "cntr_qty": qty,
                   "cntr_uv": uv, "cntr_tm": tm, "mdfy_cncl_tp": ""})
        };
        let rows = [
            row("0000031", "0000000003", "+0000070100", "10:07:02"),
            row("0000012", "0000000001", "+0000070100", "10:03:40"),
            row("", "0000000002", "0000070100", "10:02:00"),
            row("0000000", "0000000001", "0000070100", "10:01:00"),
            json!({"ord_no": "0000151", "stk_cd": "A000660", "io_tp_nm": "현금매수", "ord_qty": "0000000005",
                   "ord_uv": "0000000000", "orig_ord_no": "0000000", "cntr_no": "", "cntr_qty": "0000000000",
                   "cntr_uv": "0000000000", "cntr_tm": "", "mdfy_cncl_tp": ""}),
        ];
        let (orders, fills) = history("8123", date(), &rows);
        assert_eq!(
            orders
                .iter()
                .map(|o| (o.order_no.as_str(), o.side, o.quantity))
                .collect::<Vec<_>>(),
            [("150", Side::Sell, 10), ("151", Side::Buy, 5)],
            "one order per number, the one without execution included"
        );
        assert_eq!(
            fills
                .iter()
                .map(|f| (f.fill_no.as_str(), f.quantity, f.filled_at))
                .collect::<Vec<_>>(),
            [
                ("0000031", 3, time_on(date(), "100702").unwrap()),
                ("0000012", 1, time_on(date(), "100340").unwrap()),
                ("row-150-0", 2, time_on(date(), "100200").unwrap()),
                ("row-150-1", 1, time_on(date(), "100100").unwrap()),
            ],
            "one fill per execution row; rows without a number keep distinct keys"
        );
        assert!(fills.iter().all(|f| f.price == Decimal::from(70100)
            && f.order_no.as_str() == "150"
            && f.order_quantity == 10));
    }

    #[test]
    fn open_orders_and_holdings() {
        let open = open_orders(&[json!({"ord_no": "0000139", "oso_qty": "000000000006"})]);
        assert_eq!(open, [(OrderNo::new("139").unwrap(), 6)]);
        let held = holdings(&[
            json!({"stk_cd": "A005930", "rmnd_qty": "000000000004", "pur_pric": "000000070000"}),
        ]);
        assert_eq!(
            held,
            [(
                "005930".to_owned(),
                BrokerPosition {
                    quantity: 4,
                    average_price: Some(Decimal::from(70000))
                }
            )]
        );
    }

    #[test]
    fn realtime_04_entries_become_balance_frames() {
        // Kiwoom's own push example (spec/domestic/realtime.yaml, type 04).
        let example = values(&[
            ("9201", "1111111111"),
            ("9001", "005930"),
            ("917", "00"),
            ("302", "삼성전자"),
            ("10", "-60150"),
            ("930", "102"),
            ("931", "154116"),
            ("932", "15719834"),
            ("933", "102"),
        ]);
        let b = balance_frame(&example, json!({})).unwrap();
        assert_eq!(
            (b.account.as_str(), b.stock.as_str()),
            ("1111111111", "005930")
        );
        assert_eq!(
            b.position,
            BrokerPosition {
                quantity: 102,
                average_price: Some(Decimal::from(154116))
            }
        );
        let mut credit = example.clone();
        credit.insert("917", "33");
        assert_eq!(
            balance_frame(&credit, json!({})),
            None,
            "credit lines are not compared"
        );
        let mut flat = example.clone();
        flat.insert("930", "0");
        flat.insert("931", "0");
        let flat = balance_frame(&flat, json!({})).unwrap();
        assert_eq!(
            (flat.position.quantity, flat.position.average_price),
            (0, None)
        );
    }

    fn values(pairs: &[(&str, &str)]) -> RealValues {
        pairs.iter().copied().collect()
    }

    #[test]
    fn realtime_00_entries_become_frames() {
        let base = [
            ("9201", "8123"),
            ("9203", "0000139"),
            ("904", "0000000"),
            ("9001", "A005930"),
            ("907", "2"),
            ("900", "10"),
            ("901", "70000"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v = values(&base);
            v.extend(values(extra));
            order_frame(&v, date(), json!({}))
        };
        let accepted = with(&[("913", "접수"), ("905", "+매수"), ("908", "100500")]).unwrap();
        assert_eq!(
            (accepted.kind, accepted.side, accepted.stock.as_str()),
            (FrameKind::Accepted, Side::Buy, "005930")
        );
        assert_eq!(accepted.orig_order_no, None);

        let fill = with(&[
            ("913", "체결"),
            ("905", "+매수"),
            ("909", "7"),
            ("914", "-70000"),
            ("915", "4"),
            ("911", "6"),
            ("938", "110"),
        ])
        .unwrap();
        assert_eq!(
            fill.kind,
            FrameKind::Filled {
                fill_no: "7".into(),
                quantity: 4,
                price: Decimal::from(70000),
                cumulative: Some(6),
            }
        );
        assert_eq!(fill.cumulative_fee, Some(Decimal::from(110)));

        let amend_request = with(&[("913", "접수"), ("905", "+매수정정")]);
        assert_eq!(
            amend_request, None,
            "the confirmation (확인) is what counts"
        );
        let amended = with(&[("913", "확인"), ("905", "+매수정정"), ("904", "0000138")]).unwrap();
        assert_eq!(
            amended.kind,
            FrameKind::Amended {
                quantity: 10,
                price: Some(Decimal::from(70000))
            }
        );
        let refused =
            with(&[("913", "거부"), ("905", "매수취소"), ("919", "원주문 없음")]).unwrap();
        assert_eq!(
            refused.kind,
            FrameKind::CancelRejected {
                reason: "원주문 없음".into()
            }
        );
        assert_eq!(with(&[("905", "+매수")]), None, "no status");
    }
}

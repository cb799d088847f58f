//! Which rows one page of an order listing holds, and the `next-key` of the page after it.
//!
//! A listing runs over the book's orders newest first. ka10075, ka10076 and kt00007 give one
//! row per order; kt00009 (계좌별주문체결현황, whose rows carry 체결번호 `cntr_no` and that
//! execution's `cntr_qty`/`cntr_uv`/`cntr_tm`) gives one row per execution of an order,
//! newest execution first, and one row for an order with no execution yet.
//!
//! Keys name a position in the book, never a row count: orders are append-only, and so are
//! an order's executions, so a position keeps naming the same row however many orders and
//! fills arrive between two pages. A page continues strictly below the last row served:
//! an order placed, or an execution of the last-served order made, after that page lies
//! above the key and is not listed (the next listing has it); an execution of an older
//! order lies below and is listed. Nothing is repeated, nothing that existed is skipped.

use crate::paging;

/// One row: the book index of its order and, in a per-execution listing, the index of the
/// execution among that order's fills (oldest = 0); `None` for a per-order row or the row of
/// an order with no execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowAt {
    pub order: usize,
    pub execution: Option<usize>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Page {
    pub rows: Vec<RowAt>,
    /// Empty on the last page.
    pub next_key: String,
}

/// A `next-key` that is not one of this listing's.
#[derive(Debug, PartialEq, Eq)]
pub struct BadKey;

/// The listing's shape: one row per order, or one per execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    PerOrder,
    PerExecution,
}

/// Where a page starts: below order `order`, or (per execution) below execution `below` of
/// order `order` and then below that order.
struct Start {
    /// Orders with an index below this are listed in full.
    top: usize,
    /// The order listed in part first, and how many of its executions (the oldest) remain.
    partial: Option<(usize, usize)>,
}

fn start(rows: Rows, orders: usize, key: Option<&str>) -> Result<Start, BadKey> {
    let Some(key) = key.filter(|k| !k.trim().is_empty()) else {
        return Ok(Start {
            top: orders,
            partial: None,
        });
    };
    match rows {
        Rows::PerOrder => {
            let below = paging::position_of(key).ok_or(BadKey)?;
            Ok(Start {
                top: below.min(orders),
                partial: None,
            })
        }
        Rows::PerExecution => {
            let (order, execution) = paging::execution_of(key).ok_or(BadKey)?;
            if order >= orders {
                return Err(BadKey);
            }
            Ok(Start {
                top: order,
                partial: Some((order, execution)),
            })
        }
    }
}

/// The page that starts at `key` (`None`: the first page): at most `per_page` rows of the
/// orders `keep` selects (by book index), `executions(i)` being how many fills order `i`
/// has now.
pub fn page(
    rows: Rows,
    orders: usize,
    executions: impl Fn(usize) -> usize,
    keep: impl Fn(usize) -> bool,
    key: Option<&str>,
    per_page: usize,
) -> Result<Page, BadKey> {
    let per_page = per_page.max(1);
    let start = start(rows, orders, key)?;
    // One row more than the page holds tells whether another page follows.
    let mut out: Vec<RowAt> = Vec::with_capacity(per_page.saturating_add(1).min(256));
    let full = |out: &Vec<RowAt>| out.len() > per_page;
    if let Some((order, remaining)) = start.partial {
        if keep(order) {
            let have = executions(order).min(remaining);
            for e in (0..have).rev() {
                out.push(RowAt {
                    order,
                    execution: Some(e),
                });
                if full(&out) {
                    break;
                }
            }
        }
    }
    for order in (0..start.top).rev() {
        if full(&out) {
            break;
        }
        if !keep(order) {
            continue;
        }
        match (rows, executions(order)) {
            (Rows::PerOrder, _) | (Rows::PerExecution, 0) => out.push(RowAt {
                order,
                execution: None,
            }),
            (Rows::PerExecution, n) => {
                for e in (0..n).rev() {
                    out.push(RowAt {
                        order,
                        execution: Some(e),
                    });
                    if full(&out) {
                        break;
                    }
                }
            }
        }
    }
    let mut next_key = String::new();
    if full(&out) {
        out.truncate(per_page);
        let last = out[per_page - 1];
        next_key = match rows {
            Rows::PerOrder => paging::position_key(last.order),
            // The executions still to list of the last order are those below it; the row
            // of an order with none has nothing below it.
            Rows::PerExecution => paging::execution_key(last.order, last.execution.unwrap_or(0)),
        };
    }
    Ok(Page {
        rows: out,
        next_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(order: usize, execution: Option<usize>) -> RowAt {
        RowAt { order, execution }
    }

    /// Every page from the first, with `between` run before each later page.
    fn all(
        rows: Rows,
        fills: &mut Vec<usize>,
        per_page: usize,
        mut between: impl FnMut(&mut Vec<usize>, usize),
    ) -> Vec<RowAt> {
        let mut out = Vec::new();
        let mut key: Option<String> = None;
        for n in 0.. {
            if n > 0 {
                between(fills, n);
            }
            let f = fills.clone();
            let p = page(rows, f.len(), |i| f[i], |_| true, key.as_deref(), per_page).unwrap();
            out.extend(p.rows);
            if p.next_key.is_empty() {
                break;
            }
            key = Some(p.next_key);
        }
        out
    }

    #[test]
    fn per_order_rows_are_the_orders_newest_first() {
        let mut fills = vec![2, 0, 1];
        let rows = all(Rows::PerOrder, &mut fills, 2, |_, _| {});
        assert_eq!(rows, [at(2, None), at(1, None), at(0, None)]);
    }

    #[test]
    fn per_execution_rows_list_every_execution_and_orders_without_one() {
        let mut fills = vec![2, 0, 3];
        let rows = all(Rows::PerExecution, &mut fills, 2, |_, _| {});
        assert_eq!(
            rows,
            [
                at(2, Some(2)),
                at(2, Some(1)),
                at(2, Some(0)),
                at(1, None),
                at(0, Some(1)),
                at(0, Some(0)),
            ]
        );
    }

    #[test]
    fn fills_and_orders_between_pages_neither_repeat_nor_skip_rows() {
        // Page 1 ends inside order 2's executions; then order 2 fills again (above the key:
        // not listed), order 0 fills (below: listed), a new order arrives (above).
        let mut fills = vec![1, 0, 3];
        let rows = all(Rows::PerExecution, &mut fills, 2, |f, n| {
            if n == 1 {
                f[2] += 1;
                f[0] += 1;
                f.push(1);
            }
        });
        assert_eq!(
            rows,
            [
                at(2, Some(2)),
                at(2, Some(1)),
                at(2, Some(0)),
                at(1, None),
                at(0, Some(1)),
                at(0, Some(0)),
            ]
        );
        // An order without execution ends page 1 and fills before page 2: not listed again.
        let mut fills = vec![1, 0];
        let rows = all(Rows::PerExecution, &mut fills, 1, |f, n| {
            if n == 1 {
                f[1] = 2;
            }
        });
        assert_eq!(rows, [at(1, None), at(0, Some(0))]);
    }

    #[test]
    fn the_filter_and_bad_keys() {
        let fills = [1, 1, 1, 1];
        let p = page(Rows::PerExecution, 4, |i| fills[i], |i| i % 2 == 0, None, 1).unwrap();
        assert_eq!(p.rows, [at(2, Some(0))]);
        let p = page(
            Rows::PerExecution,
            4,
            |i| fills[i],
            |i| i % 2 == 0,
            Some(&p.next_key),
            1,
        )
        .unwrap();
        assert_eq!((p.rows, p.next_key), (vec![at(0, Some(0))], String::new()));
        for key in [
            "garbage",
            &paging::position_key(1),
            &paging::execution_key(9, 0),
        ] {
            assert_eq!(
                page(Rows::PerExecution, 4, |i| fills[i], |_| true, Some(key), 1),
                Err(BadKey),
                "{key}"
            );
        }
        assert_eq!(
            page(Rows::PerOrder, 4, |i| fills[i], |_| true, Some("C1"), 1),
            Err(BadKey)
        );
    }
}

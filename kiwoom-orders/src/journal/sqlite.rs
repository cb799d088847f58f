//! The embedded journal: one SQLite file in WAL mode, no server, no set-up.
//!
//! rusqlite is synchronous, so every call runs on tokio's blocking pool and never stalls the
//! async tasks that read realtime frames. Writes use `BEGIN IMMEDIATE`, which takes SQLite's
//! write lock at the start: two processes on one file serialise instead of failing halfway.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params, params_from_iter};

use super::migrations::SQLITE;
use super::plan::{Planned, plan};
use super::{AppendOutcome, FillRecord, Journal, OrderFilter, from_json, to_json};
use crate::error::JournalError;
use crate::event::{EventSource, Fill, NewEvent, OrderEvent};
use crate::ids::{ClientOrderId, FillKey, OrderNo};
use crate::intent::Side;
use crate::order::Order;
use crate::position::{ExecutionKey, Position};

/// How hard each commit pushes to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: a committed event survives a power cut. The default, because an
    /// event is money.
    #[default]
    Full,
    /// `synchronous=NORMAL`: survives a crash of the process, may lose the last commits on a
    /// power cut; several times faster on slow disks.
    Normal,
}

/// The SQLite journal. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct SqliteJournal {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteJournal").finish_non_exhaustive()
    }
}

impl SqliteJournal {
    /// Opens (creating if needed) the journal file with full durability.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, JournalError> {
        Self::open_with(path, SqliteDurability::Full).await
    }

    pub async fn open_with(
        path: impl AsRef<Path>,
        durability: SqliteDurability,
    ) -> Result<Self, JournalError> {
        let path = path.as_ref().to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, JournalError> {
            let mut conn = Connection::open(&path)?;
            conn.busy_timeout(Duration::from_secs(30))?;
            let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(JournalError::Schema(format!(
                    "SQLite refused WAL mode (got {mode})"
                )));
            }
            let sync = match durability {
                SqliteDurability::Full => "FULL",
                SqliteDurability::Normal => "NORMAL",
            };
            conn.execute_batch(&format!(
                "PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"
            ))?;
            migrate(&mut conn)?;
            Ok(conn)
        })
        .await
        .map_err(|e| JournalError::Worker(e.to_string()))??;
        tracing::debug!(?durability, "sqlite order journal open");
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T, F>(&self, f: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, JournalError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| JournalError::Worker("sqlite connection lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| JournalError::Worker(e.to_string()))?
    }
}

fn migrate(conn: &mut Connection) -> Result<(), JournalError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    for (version, sql) in SQLITE {
        let done: Option<i64> = tx
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()?;
        if done.is_none() {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, ts(Utc::now())],
            )?;
            tracing::info!(version, "sqlite order journal migrated");
        }
    }
    tx.commit()?;
    Ok(())
}

fn ts(at: DateTime<Utc>) -> String {
    // Fixed width, so text order is time order.
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(text: &str) -> Result<DateTime<Utc>, JournalError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| JournalError::Schema(format!("bad timestamp {text:?}: {e}")))
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn load_order(conn: &Connection, id: &str) -> Result<Option<Order>, JournalError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT snapshot FROM orders WHERE client_order_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    text.map(|t| from_json("order snapshot", &t)).transpose()
}

fn append_tx(conn: &mut Connection, event: &NewEvent) -> Result<AppendOutcome, JournalError> {
    let now = super::now();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let id = event.client_order_id.as_str();
    let before = load_order(&tx, id)?;
    let plan = match plan(before.clone(), event, now)? {
        Planned::Duplicate(order) => return Ok(AppendOutcome::Duplicate { order: *order }),
        Planned::Write(plan) => plan,
    };
    let order = &plan.order;
    let intent = &order.intent;
    if plan.is_new {
        tx.execute(
            "INSERT INTO orders (client_order_id, account, stock, trade_date, created_at, state, version, snapshot, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                intent.account,
                intent.stock,
                date(order.trade_date()),
                ts(intent.created_at),
                order.state.as_str(),
                order.version,
                to_json(order),
                ts(now)
            ],
        )?;
    } else {
        tx.execute(
            "UPDATE orders SET state = ?2, version = ?3, snapshot = ?4, updated_at = ?5 WHERE client_order_id = ?1",
            params![id, order.state.as_str(), order.version, to_json(order), ts(now)],
        )?;
    }
    for no in &plan.new_order_nos {
        let inserted = tx.execute(
            "INSERT INTO order_numbers (account, trade_date, order_no, client_order_id) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO NOTHING",
            params![intent.account, date(order.trade_date()), no.as_str(), id],
        )?;
        if inserted == 0 {
            let owner: String = tx.query_row(
                "SELECT client_order_id FROM order_numbers WHERE account = ?1 AND trade_date = ?2 AND order_no = ?3",
                params![intent.account, date(order.trade_date()), no.as_str()],
                |r| r.get(0),
            )?;
            if owner != id {
                return Err(JournalError::OrderNoTaken {
                    account: intent.account.clone(),
                    trade_date: order.trade_date(),
                    order_no: no.clone(),
                    owner: ClientOrderId::new(owner)?,
                });
            }
        }
    }
    tx.execute(
        "INSERT INTO order_events (client_order_id, order_seq, source, kind, body, raw, recorded_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            order.version,
            event.source.as_str(),
            event.kind.name(),
            to_json(&event.kind),
            to_json(&event.raw),
            ts(now)
        ],
    )?;
    let seq = tx.last_insert_rowid();
    let mut position = None;
    if let Some(fill) = &plan.fill {
        let inserted = tx.execute(
            "INSERT INTO fills (account, trade_date, order_no, fill_no, client_order_id, stock, side, quantity, price, fee, tax, filled_at, venue, event_seq, cumulative_quantity) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT DO NOTHING",
            params![
                intent.account,
                date(order.trade_date()),
                fill.order_no.as_str(),
                fill.fill_no,
                id,
                intent.stock,
                intent.side.as_str(),
                i64::try_from(fill.quantity).unwrap_or(i64::MAX),
                fill.price.to_string(),
                fill.fee.map(|d| d.to_string()),
                fill.tax.map(|d| d.to_string()),
                ts(fill.filled_at),
                fill.venue,
                seq,
                fill.cumulative_quantity.map(|q| i64::try_from(q).unwrap_or(i64::MAX))
            ],
        )?;
        if inserted == 0 {
            // The snapshot did not know the key but the table does: keep the table's word
            // and store nothing (dropping `tx` rolls back).
            let order =
                before.ok_or_else(|| JournalError::UnknownOrder(event.client_order_id.clone()))?;
            return Ok(AppendOutcome::Duplicate { order });
        }
        let current: Option<String> = tx
            .query_row(
                "SELECT snapshot FROM positions WHERE account = ?1 AND stock = ?2",
                params![intent.account, intent.stock],
                |r| r.get(0),
            )
            .optional()?;
        let mut p = match current {
            Some(text) => from_json::<Position>("position snapshot", &text)?,
            None => Position::flat(&intent.account, &intent.stock),
        };
        if p.follows(&ExecutionKey::of(fill)) {
            // The common case: the fill executed after everything folded in so far.
            p.apply(intent.side, fill);
        } else {
            // Executed before a fill already folded in (recorded late): Kiwoom's moving
            // average depends on the order, so fold the stock's fills again, this one
            // included, in execution order.
            p = Position::from_fills(
                &intent.account,
                &intent.stock,
                position_fills(&tx, &intent.account, &intent.stock)?,
            );
        }
        tx.execute(
            "INSERT INTO positions (account, stock, quantity, snapshot, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (account, stock) DO UPDATE SET quantity = excluded.quantity, snapshot = excluded.snapshot, updated_at = excluded.updated_at",
            params![p.account, p.stock, p.quantity, to_json(&p), ts(now)],
        )?;
        position = Some(p);
    }
    tx.commit()?;
    let stored = OrderEvent {
        seq,
        client_order_id: event.client_order_id.clone(),
        order_seq: plan.order.version,
        source: event.source,
        kind: event.kind.clone(),
        raw: event.raw.clone(),
        recorded_at: now,
    };
    Ok(AppendOutcome::Appended {
        event: stored,
        order: plan.order,
        position,
    })
}

/// Every fill of one (account, stock) position, with its recording sequence and side.
fn position_fills(
    conn: &Connection,
    account: &str,
    stock: &str,
) -> Result<Vec<(i64, Side, Fill)>, JournalError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {FILL_COLUMNS} FROM fills WHERE account = ?1 AND stock = ?2"
    ))?;
    let rows = stmt.query_map(params![account, stock], decode_fill)?;
    rows.map(|r| fill_record(r?).map(|f| (f.event_seq, f.side, f.fill)))
        .collect()
}

const FILL_COLUMNS: &str = "account, trade_date, order_no, fill_no, client_order_id, stock, side, quantity, price, fee, tax, filled_at, venue, event_seq, cumulative_quantity";

const EVENT_COLUMNS: &str = "seq, client_order_id, order_seq, source, body, raw, recorded_at";

fn event_row(
    row: &Row<'_>,
) -> rusqlite::Result<(i64, String, i64, String, String, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn decode_event(
    (seq, id, order_seq, source, body, raw, at): (i64, String, i64, String, String, String, String),
) -> Result<OrderEvent, JournalError> {
    Ok(OrderEvent {
        seq,
        client_order_id: ClientOrderId::new(id)?,
        order_seq,
        source: EventSource::parse(&source)
            .ok_or_else(|| JournalError::Schema(format!("unknown event source {source:?}")))?,
        kind: from_json("event body", &body)?,
        raw: from_json("event raw payload", &raw)?,
        recorded_at: parse_ts(&at)?,
    })
}

fn decode_fill(row: &Row<'_>) -> rusqlite::Result<Vec<Option<String>>> {
    (0..15)
        .map(|i| {
            row.get::<_, Option<rusqlite::types::Value>>(i)
                .map(|v| v.map(value_text))
        })
        .collect()
}

fn value_text(v: rusqlite::types::Value) -> String {
    use rusqlite::types::Value;
    match v {
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) => t,
        Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
        Value::Null => String::new(),
    }
}

fn fill_record(cols: Vec<Option<String>>) -> Result<FillRecord, JournalError> {
    let bad = |what: &str| JournalError::Schema(format!("bad fill column {what}"));
    let text = |i: usize| cols.get(i).cloned().flatten();
    let need = |i: usize, what: &str| text(i).ok_or_else(|| bad(what));
    let dec = |s: String, what: &str| s.parse::<rust_decimal::Decimal>().map_err(|_| bad(what));
    let side = match need(6, "side")?.as_str() {
        "buy" => Side::Buy,
        "sell" => Side::Sell,
        other => return Err(bad(other)),
    };
    let order_no = OrderNo::new(need(2, "order_no")?)?;
    Ok(FillRecord {
        key: FillKey {
            account: need(0, "account")?,
            trade_date: NaiveDate::parse_from_str(&need(1, "trade_date")?, "%Y-%m-%d")
                .map_err(|_| bad("trade_date"))?,
            order_no: order_no.clone(),
            fill_no: need(3, "fill_no")?,
        },
        client_order_id: ClientOrderId::new(need(4, "client_order_id")?)?,
        stock: need(5, "stock")?,
        side,
        fill: Fill {
            order_no,
            fill_no: need(3, "fill_no")?,
            quantity: need(7, "quantity")?.parse().map_err(|_| bad("quantity"))?,
            price: dec(need(8, "price")?, "price")?,
            fee: text(9).map(|s| dec(s, "fee")).transpose()?,
            tax: text(10).map(|s| dec(s, "tax")).transpose()?,
            filled_at: parse_ts(&need(11, "filled_at")?)?,
            venue: text(12),
            cumulative_quantity: text(14).and_then(|q| q.parse().ok()),
        },
        event_seq: need(13, "event_seq")?
            .parse()
            .map_err(|_| bad("event_seq"))?,
    })
}

impl Journal for SqliteJournal {
    async fn append(&self, event: NewEvent) -> Result<AppendOutcome, JournalError> {
        self.run(move |conn| append_tx(conn, &event)).await
    }

    async fn order(&self, id: &ClientOrderId) -> Result<Option<Order>, JournalError> {
        let id = id.as_str().to_owned();
        self.run(move |conn| load_order(conn, &id)).await
    }

    async fn order_by_no(
        &self,
        account: &str,
        trade_date: NaiveDate,
        order_no: &OrderNo,
    ) -> Result<Option<Order>, JournalError> {
        let (account, no) = (account.to_owned(), order_no.as_str().to_owned());
        self.run(move |conn| {
            let id: Option<String> = conn
                .query_row(
                    "SELECT client_order_id FROM order_numbers WHERE account = ?1 AND trade_date = ?2 AND order_no = ?3",
                    params![account, date(trade_date), no],
                    |r| r.get(0),
                )
                .optional()?;
            match id {
                Some(id) => load_order(conn, &id),
                None => Ok(None),
            }
        })
        .await
    }

    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, JournalError> {
        let filter = filter.clone();
        self.run(move |conn| {
            let mut sql = String::from("SELECT snapshot FROM orders WHERE 1 = 1");
            let mut args: Vec<String> = Vec::new();
            if !filter.states.is_empty() {
                let marks = vec!["?"; filter.states.len()].join(", ");
                sql.push_str(&format!(" AND state IN ({marks})"));
                args.extend(filter.states.iter().map(|s| s.as_str().to_owned()));
            }
            if let Some(account) = &filter.account {
                sql.push_str(" AND account = ?");
                args.push(account.clone());
            }
            if let Some(d) = filter.trade_date {
                sql.push_str(" AND trade_date = ?");
                args.push(date(d));
            }
            sql.push_str(" ORDER BY created_at, client_order_id");
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(params_from_iter(args), |r| r.get::<_, String>(0))?;
            rows.map(|t| from_json("order snapshot", &t?)).collect()
        })
        .await
    }

    async fn events(&self, id: &ClientOrderId) -> Result<Vec<OrderEvent>, JournalError> {
        let id = id.as_str().to_owned();
        self.run(move |conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM order_events WHERE client_order_id = ?1 ORDER BY order_seq"))?;
            let rows = stmt.query_map([id], event_row)?;
            rows.map(|r| decode_event(r?)).collect()
        })
        .await
    }

    async fn events_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<OrderEvent>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {EVENT_COLUMNS} FROM order_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after, limit], event_row)?;
            rows.map(|r| decode_event(r?)).collect()
        })
        .await
    }

    async fn fills(
        &self,
        account: Option<&str>,
        trade_date: NaiveDate,
    ) -> Result<Vec<FillRecord>, JournalError> {
        let account = account.map(str::to_owned);
        self.run(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {FILL_COLUMNS} FROM fills WHERE trade_date = ?1 AND (?2 IS NULL OR account = ?2) ORDER BY event_seq"
            ))?;
            let rows = stmt.query_map(params![date(trade_date), account], decode_fill)?;
            rows.map(|r| fill_record(r?)).collect()
        })
        .await
    }

    async fn position(&self, account: &str, stock: &str) -> Result<Option<Position>, JournalError> {
        let (account, stock) = (account.to_owned(), stock.to_owned());
        self.run(move |conn| {
            let text: Option<String> = conn
                .query_row(
                    "SELECT snapshot FROM positions WHERE account = ?1 AND stock = ?2",
                    params![account, stock],
                    |r| r.get(0),
                )
                .optional()?;
            text.map(|t| from_json("position snapshot", &t)).transpose()
        })
        .await
    }

    async fn positions(&self, account: &str) -> Result<Vec<Position>, JournalError> {
        let account = account.to_owned();
        self.run(move |conn| {
            let mut stmt =
                conn.prepare("SELECT snapshot FROM positions WHERE account = ?1 ORDER BY stock")?;
            let rows = stmt.query_map([account], |r| r.get::<_, String>(0))?;
            rows.map(|t| from_json("position snapshot", &t?)).collect()
        })
        .await
    }

    async fn claimed_order_nos(
        &self,
        account: &str,
        trade_date: NaiveDate,
    ) -> Result<HashSet<OrderNo>, JournalError> {
        let account = account.to_owned();
        self.run(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT order_no FROM order_numbers WHERE account = ?1 AND trade_date = ?2",
            )?;
            let rows = stmt.query_map(params![account, date(trade_date)], |r| {
                r.get::<_, String>(0)
            })?;
            rows.map(|n| Ok(OrderNo::new(n?)?)).collect()
        })
        .await
    }
}

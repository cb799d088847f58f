//! The shared journal: PostgreSQL, for several processes or machines trading one account.
//!
//! Each append is one transaction that locks the order's row (`SELECT ... FOR UPDATE`) and
//! then the position's row, always in that order: appends to one order from two processes
//! run one after the other, each seeing the other's result, and cannot deadlock. The unique
//! keys on fills and order numbers decide races between processes that saw the same frame.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls, Row};

use super::migrations::POSTGRES;
use super::plan::{Planned, plan};
use super::{AppendOutcome, FillRecord, Journal, OrderFilter};
use crate::error::JournalError;
use crate::event::{EventSource, Fill, NewEvent, OrderEvent};
use crate::ids::{ClientOrderId, FillKey, OrderNo};
use crate::intent::Side;
use crate::order::Order;
use crate::position::{ExecutionKey, Position};

/// Serialises schema migrations of every process that opens a journal at the same time.
const MIGRATION_LOCK: i64 = 0x6b69_776f_6f6d_0001;

/// The schema used when none is given.
pub const DEFAULT_SCHEMA: &str = "kiwoom_orders";

/// The PostgreSQL journal. Cheap to clone; clones share one connection.
#[derive(Clone)]
pub struct PostgresJournal {
    client: Arc<Mutex<Client>>,
    schema: String,
}

impl std::fmt::Debug for PostgresJournal {
    // The connection string may hold a password: it is never kept or shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresJournal")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_else(|e| Value::String(format!("serialize error: {e}")))
}

fn from_value<T: serde::de::DeserializeOwned>(
    what: &'static str,
    v: Value,
) -> Result<T, JournalError> {
    serde_json::from_value(v).map_err(|source| JournalError::Decode { what, source })
}

fn qty(q: u64) -> i64 {
    i64::try_from(q).unwrap_or(i64::MAX)
}

impl PostgresJournal {
    /// Connects and migrates the default schema (`kiwoom_orders`).
    pub async fn connect(url: &str) -> Result<Self, JournalError> {
        Self::connect_schema(url, DEFAULT_SCHEMA).await
    }

    /// Connects and keeps the journal's tables in `schema` (created if missing), so several
    /// journals (or test runs) can share one database.
    pub async fn connect_schema(url: &str, schema: &str) -> Result<Self, JournalError> {
        let valid = schema
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && schema.len() <= 63
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(JournalError::Schema(format!(
                "schema name {schema:?}: use [a-z_][a-z0-9_]*, at most 63"
            )));
        }
        let (mut client, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "postgres order journal connection ended");
            }
        });
        client
            .batch_execute(&format!("SET search_path TO \"{schema}\""))
            .await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS \"{schema}\"; \
             CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
        ))
        .await?;
        for (version, sql) in POSTGRES {
            if tx
                .query_opt(
                    "SELECT 1 FROM schema_migrations WHERE version = $1",
                    &[version],
                )
                .await?
                .is_none()
            {
                tx.batch_execute(sql).await?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())",
                    &[version],
                )
                .await?;
                tracing::info!(version, schema, "postgres order journal migrated");
            }
        }
        tx.commit().await?;
        Ok(Self {
            client: Arc::new(Mutex::new(client)),
            schema: schema.to_owned(),
        })
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Drops the journal's schema with everything in it (for tests and tear-downs).
    pub async fn drop_schema(self) -> Result<(), JournalError> {
        let client = self.client.lock().await;
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                self.schema
            ))
            .await?;
        Ok(())
    }
}

async fn append_tx(client: &mut Client, event: &NewEvent) -> Result<AppendOutcome, JournalError> {
    let now = super::now();
    let tx = client.transaction().await?;
    let id = event.client_order_id.as_str();
    let before: Option<Order> = tx
        .query_opt(
            "SELECT snapshot FROM orders WHERE client_order_id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .map(|row| from_value("order snapshot", row.get(0)))
        .transpose()?;
    let plan = match plan(before.clone(), event, now)? {
        Planned::Duplicate(order) => return Ok(AppendOutcome::Duplicate { order: *order }),
        Planned::Write(plan) => plan,
    };
    let order = &plan.order;
    let intent = &order.intent;
    let trade_date = order.trade_date();
    let snapshot = to_value(order);
    if plan.is_new {
        let inserted = tx
            .execute(
                "INSERT INTO orders (client_order_id, account, stock, trade_date, created_at, state, version, snapshot, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (client_order_id) DO NOTHING",
                &[&id, &intent.account, &intent.stock, &trade_date, &intent.created_at, &order.state.as_str(), &order.version, &snapshot, &now],
            )
            .await?;
        if inserted == 0 {
            // Another process recorded the same id between our read and our insert.
            return Err(JournalError::DuplicateClientOrderId(
                event.client_order_id.clone(),
            ));
        }
    } else {
        tx.execute(
            "UPDATE orders SET state = $2, version = $3, snapshot = $4, updated_at = $5 WHERE client_order_id = $1",
            &[&id, &order.state.as_str(), &order.version, &snapshot, &now],
        )
        .await?;
    }
    for no in &plan.new_order_nos {
        let inserted = tx
            .execute(
                "INSERT INTO order_numbers (account, trade_date, order_no, client_order_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&intent.account, &trade_date, &no.as_str(), &id],
            )
            .await?;
        if inserted == 0 {
            let owner: String = tx
                .query_one(
                    "SELECT client_order_id FROM order_numbers WHERE account = $1 AND trade_date = $2 AND order_no = $3",
                    &[&intent.account, &trade_date, &no.as_str()],
                )
                .await?
                .get(0);
            if owner != id {
                return Err(JournalError::OrderNoTaken {
                    account: intent.account.clone(),
                    trade_date,
                    order_no: no.clone(),
                    owner: ClientOrderId::new(owner)?,
                });
            }
        }
    }
    let seq: i64 = tx
        .query_one(
            "INSERT INTO order_events (client_order_id, order_seq, source, kind, body, raw, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
            &[&id, &order.version, &event.source.as_str(), &event.kind.name(), &to_value(&event.kind), &event.raw, &now],
        )
        .await?
        .get(0);
    let mut position = None;
    if let Some(fill) = &plan.fill {
        let inserted = tx
            .execute(
                "INSERT INTO fills (account, trade_date, order_no, fill_no, client_order_id, stock, side, quantity, price, fee, tax, filled_at, venue, event_seq, cumulative_quantity) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING",
                &[
                    &intent.account,
                    &trade_date,
                    &fill.order_no.as_str(),
                    &fill.fill_no,
                    &id,
                    &intent.stock,
                    &intent.side.as_str(),
                    &qty(fill.quantity),
                    &fill.price,
                    &fill.fee,
                    &fill.tax,
                    &fill.filled_at,
                    &fill.venue,
                    &seq,
                    &fill.cumulative_quantity.map(qty),
                ],
            )
            .await?;
        if inserted == 0 {
            // The table already has the key: keep its word, store nothing (rolled back on drop).
            let order =
                before.ok_or_else(|| JournalError::UnknownOrder(event.client_order_id.clone()))?;
            return Ok(AppendOutcome::Duplicate { order });
        }
        let flat = Position::flat(&intent.account, &intent.stock);
        tx.execute(
            "INSERT INTO positions (account, stock, quantity, snapshot, updated_at) VALUES ($1, $2, 0, $3, $4) ON CONFLICT DO NOTHING",
            &[&intent.account, &intent.stock, &to_value(&flat), &now],
        )
        .await?;
        let row = tx
            .query_one(
                "SELECT snapshot FROM positions WHERE account = $1 AND stock = $2 FOR UPDATE",
                &[&intent.account, &intent.stock],
            )
            .await?;
        let mut p: Position = from_value("position snapshot", row.get(0))?;
        if p.follows(&ExecutionKey::of(fill)) {
            // The common case: the fill executed after everything folded in so far.
            p.apply(intent.side, fill);
        } else {
            // Executed before a fill already folded in (recorded late): Kiwoom's moving
            // average depends on the order, so fold the stock's fills again, this one
            // included, in execution order. The position row is locked: no other append
            // to this position runs in between.
            let rows = tx
                .query(
                    &format!("SELECT {FILL_COLUMNS} FROM fills WHERE account = $1 AND stock = $2"),
                    &[&intent.account, &intent.stock],
                )
                .await?;
            let fills = rows
                .iter()
                .map(|r| decode_fill(r).map(|f| (f.event_seq, f.side, f.fill)))
                .collect::<Result<Vec<_>, _>>()?;
            p = Position::from_fills(&intent.account, &intent.stock, fills);
        }
        tx.execute(
            "UPDATE positions SET quantity = $3, snapshot = $4, updated_at = $5 WHERE account = $1 AND stock = $2",
            &[&p.account, &p.stock, &p.quantity, &to_value(&p), &now],
        )
        .await?;
        position = Some(p);
    }
    tx.commit().await?;
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

const FILL_COLUMNS: &str = "account, trade_date, order_no, fill_no, client_order_id, stock, side, quantity, price, fee, tax, filled_at, venue, event_seq, cumulative_quantity";

const EVENT_COLUMNS: &str = "seq, client_order_id, order_seq, source, body, raw, recorded_at";

fn decode_event(row: &Row) -> Result<OrderEvent, JournalError> {
    let source: String = row.get(3);
    Ok(OrderEvent {
        seq: row.get(0),
        client_order_id: ClientOrderId::new(row.get::<_, String>(1))?,
        order_seq: row.get(2),
        source: EventSource::parse(&source)
            .ok_or_else(|| JournalError::Schema(format!("unknown event source {source:?}")))?,
        kind: from_value("event body", row.get(4))?,
        raw: row.get(5),
        recorded_at: row.get::<_, DateTime<Utc>>(6),
    })
}

fn decode_fill(row: &Row) -> Result<FillRecord, JournalError> {
    let side = match row.get::<_, String>(6).as_str() {
        "buy" => Side::Buy,
        "sell" => Side::Sell,
        other => return Err(JournalError::Schema(format!("bad fill side {other:?}"))),
    };
    let order_no = OrderNo::new(row.get::<_, String>(2))?;
    let fill_no: String = row.get(3);
    Ok(FillRecord {
        key: FillKey {
            account: row.get(0),
            trade_date: row.get(1),
            order_no: order_no.clone(),
            fill_no: fill_no.clone(),
        },
        client_order_id: ClientOrderId::new(row.get::<_, String>(4))?,
        stock: row.get(5),
        side,
        fill: Fill {
            order_no,
            fill_no,
            quantity: u64::try_from(row.get::<_, i64>(7))
                .map_err(|_| JournalError::Schema("negative fill quantity".into()))?,
            price: row.get::<_, Decimal>(8),
            fee: row.get(9),
            tax: row.get(10),
            filled_at: row.get(11),
            venue: row.get(12),
            cumulative_quantity: row
                .get::<_, Option<i64>>(14)
                .and_then(|q| u64::try_from(q).ok()),
        },
        event_seq: row.get(13),
    })
}

impl Journal for PostgresJournal {
    async fn append(&self, event: NewEvent) -> Result<AppendOutcome, JournalError> {
        let mut client = self.client.lock().await;
        append_tx(&mut client, &event).await
    }

    async fn order(&self, id: &ClientOrderId) -> Result<Option<Order>, JournalError> {
        let client = self.client.lock().await;
        client
            .query_opt(
                "SELECT snapshot FROM orders WHERE client_order_id = $1",
                &[&id.as_str()],
            )
            .await?
            .map(|row| from_value("order snapshot", row.get(0)))
            .transpose()
    }

    async fn order_by_no(
        &self,
        account: &str,
        trade_date: NaiveDate,
        order_no: &OrderNo,
    ) -> Result<Option<Order>, JournalError> {
        let client = self.client.lock().await;
        client
            .query_opt(
                "SELECT o.snapshot FROM order_numbers n JOIN orders o USING (client_order_id) \
                 WHERE n.account = $1 AND n.trade_date = $2 AND n.order_no = $3",
                &[&account, &trade_date, &order_no.as_str()],
            )
            .await?
            .map(|row| from_value("order snapshot", row.get(0)))
            .transpose()
    }

    async fn orders(&self, filter: &OrderFilter) -> Result<Vec<Order>, JournalError> {
        let states: Vec<&str> = filter.states.iter().map(|s| s.as_str()).collect();
        let client = self.client.lock().await;
        let rows = client
            .query(
                "SELECT snapshot FROM orders WHERE (cardinality($1::text[]) = 0 OR state = ANY($1)) \
                 AND ($2::text IS NULL OR account = $2) AND ($3::date IS NULL OR trade_date = $3) \
                 ORDER BY created_at, client_order_id",
                &[&states, &filter.account, &filter.trade_date],
            )
            .await?;
        rows.into_iter()
            .map(|row| from_value("order snapshot", row.get(0)))
            .collect()
    }

    async fn events(&self, id: &ClientOrderId) -> Result<Vec<OrderEvent>, JournalError> {
        let client = self.client.lock().await;
        let rows = client
            .query(&format!("SELECT {EVENT_COLUMNS} FROM order_events WHERE client_order_id = $1 ORDER BY order_seq"), &[&id.as_str()])
            .await?;
        rows.iter().map(decode_event).collect()
    }

    async fn events_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<OrderEvent>, JournalError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client.lock().await;
        let rows = client
            .query(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM order_events WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                &[&after, &limit],
            )
            .await?;
        rows.iter().map(decode_event).collect()
    }

    async fn fills(
        &self,
        account: Option<&str>,
        trade_date: NaiveDate,
    ) -> Result<Vec<FillRecord>, JournalError> {
        let client = self.client.lock().await;
        let rows = client
            .query(
                &format!(
                    "SELECT {FILL_COLUMNS} FROM fills WHERE trade_date = $1 AND ($2::text IS NULL OR account = $2) ORDER BY event_seq"
                ),
                &[&trade_date, &account],
            )
            .await?;
        rows.iter().map(decode_fill).collect()
    }

    async fn position(&self, account: &str, stock: &str) -> Result<Option<Position>, JournalError> {
        let client = self.client.lock().await;
        client
            .query_opt(
                "SELECT snapshot FROM positions WHERE account = $1 AND stock = $2",
                &[&account, &stock],
            )
            .await?
            .map(|row| from_value("position snapshot", row.get(0)))
            .transpose()
    }

    async fn positions(&self, account: &str) -> Result<Vec<Position>, JournalError> {
        let client = self.client.lock().await;
        let rows = client
            .query(
                "SELECT snapshot FROM positions WHERE account = $1 ORDER BY stock",
                &[&account],
            )
            .await?;
        rows.into_iter()
            .map(|row| from_value("position snapshot", row.get(0)))
            .collect()
    }

    async fn claimed_order_nos(
        &self,
        account: &str,
        trade_date: NaiveDate,
    ) -> Result<HashSet<OrderNo>, JournalError> {
        let client = self.client.lock().await;
        let rows = client
            .query(
                "SELECT order_no FROM order_numbers WHERE account = $1 AND trade_date = $2",
                &[&account, &trade_date],
            )
            .await?;
        rows.into_iter()
            .map(|row| Ok(OrderNo::new(row.get::<_, String>(0))?))
            .collect()
    }
}

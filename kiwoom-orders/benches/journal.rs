//! Journal throughput: appended events per second, each iteration one order's life (intent,
//! acceptance, three fills = 5 events, each its own transaction) on SQLite (full and normal
//! durability) and PostgreSQL (skipped with a message when KIWOOM_TEST_POSTGRES_URL is unset).
//!
//!   cargo bench -p kiwoom-orders --bench journal -- --warm-up-time 1 --measurement-time 3

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kiwoom_orders::{
    ClientOrderId, EventKind, EventSource, Fill, Journal, NewEvent, OrderIntent, OrderNo,
    PostgresJournal, SqliteDurability, SqliteJournal,
};
use rust_decimal::Decimal;

const EVENTS_PER_ORDER: u64 = 5;

static NEXT: AtomicU64 = AtomicU64::new(1);

async fn one_order<J: Journal>(j: &J) {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let id = ClientOrderId::new(format!("bench-{n}")).unwrap();
    let intent = OrderIntent::buy("81234567", "005930", 3, Some(Decimal::from(70000)))
        .unwrap()
        .with_client_order_id(id.clone());
    j.append(NewEvent::submitted(intent)).await.unwrap();
    let order_no = OrderNo::new(n.to_string()).unwrap();
    j.append(NewEvent::new(
        id.clone(),
        EventSource::Answer,
        EventKind::Accepted {
            order_no: order_no.clone(),
        },
    ))
    .await
    .unwrap();
    for f in 0..3 {
        let fill = Fill {
            order_no: order_no.clone(),
            fill_no: f.to_string(),
            quantity: 1,
            price: Decimal::from(70000 + f),
            fee: Some(Decimal::from(10)),
            tax: None,
            filled_at: Utc::now(),
            venue: Some("KRX".into()),
            cumulative_quantity: None,
        };
        let raw = serde_json::json!({"trnm": "REAL", "type": "00", "9203": n.to_string(), "909": f.to_string()});
        j.append(
            NewEvent::new(
                id.clone(),
                EventSource::Realtime,
                EventKind::Filled { fill },
            )
            .with_raw(raw),
        )
        .await
        .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("journal_append");
    group.throughput(Throughput::Elements(EVENTS_PER_ORDER));

    for (name, durability) in [
        ("sqlite_full", SqliteDurability::Full),
        ("sqlite_normal", SqliteDurability::Normal),
    ] {
        let journal = rt
            .block_on(SqliteJournal::open_with(
                dir.path().join(format!("{name}.db")),
                durability,
            ))
            .unwrap();
        group.bench_function(name, |b| b.to_async(&rt).iter(|| one_order(&journal)));
    }

    match std::env::var("KIWOOM_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("orders_bench_{}", std::process::id());
            let journal = rt
                .block_on(PostgresJournal::connect_schema(&url, &schema))
                .unwrap();
            group.bench_function("postgres", |b| b.to_async(&rt).iter(|| one_order(&journal)));
            rt.block_on(journal.drop_schema()).unwrap();
        }
        _ => eprintln!("skipped: KIWOOM_TEST_POSTGRES_URL not set (PostgreSQL journal benchmark)"),
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

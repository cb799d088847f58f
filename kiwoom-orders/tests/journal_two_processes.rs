//! Two OS processes share one journal (a PostgreSQL schema, or one SQLite file) and both see
//! every realtime frame of the account, as two trading processes subscribed to one account
//! would. Nothing may be lost or counted twice, and an intent raced by both is recorded once.
//!
//! The parent test runs this test binary twice as children (the ignored `child` test) and
//! checks the journal after both exit.

mod common;

use std::process::Command;

use common::*;
use kiwoom_orders::{
    AppendOutcome, Journal, JournalError, NewEvent, OrderFilter, OrderState, PostgresJournal, Side,
    SqliteJournal,
};
use rust_decimal::Decimal;

const ORDERS: usize = 30;
const FILLS_PER_ORDER: u64 = 3;
const QTY: u64 = 3 * FILLS_PER_ORDER;

fn order_id(i: usize) -> String {
    format!("two-proc-{i:03}")
}

/// One process's work; returns (fills it appended, duplicate fills it saw, intent races won).
async fn work<J: Journal>(j: &J, me: usize) -> (u64, u64, u64) {
    for i in (0..ORDERS).filter(|i| i % 2 == me) {
        j.append(NewEvent::submitted(intent(
            &order_id(i),
            Side::Buy,
            "005930",
            QTY,
            Decimal::from(70000 + i as i64),
        )))
        .await
        .unwrap();
    }
    // Both race to record the same intent: exactly one may win.
    let won = match j
        .append(NewEvent::submitted(intent(
            "two-proc-race",
            Side::Sell,
            "000660",
            1,
            Decimal::from(1),
        )))
        .await
    {
        Ok(_) => 1,
        Err(JournalError::DuplicateClientOrderId(_)) => 0,
        Err(e) => panic!("intent race: {e}"),
    };
    // Wait for the other process's intents: the realtime frames of its orders reach us too.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while j
        .orders(&OrderFilter::default().account(ACCOUNT))
        .await
        .unwrap()
        .len()
        < ORDERS + 1
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the other process never recorded its intents"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Every frame of every order, each process in its own order (the second one backwards).
    let mut frames = Vec::new();
    for i in 0..ORDERS {
        let order_no = format!("{}", 1000 + i);
        frames.push(accepted(&order_id(i), &order_no));
        for f in 0..FILLS_PER_ORDER {
            frames.push(fill(
                &order_id(i),
                &order_no,
                &format!("{f}"),
                QTY / FILLS_PER_ORDER,
                Decimal::from(70000 + i as i64),
            ));
        }
    }
    if me == 1 {
        frames.reverse();
    }
    let (mut appended, mut duplicates) = (0, 0);
    for frame in frames {
        let is_fill = matches!(frame.kind, kiwoom_orders::EventKind::Filled { .. });
        match j.append(frame).await.unwrap() {
            AppendOutcome::Appended { .. } if is_fill => appended += 1,
            AppendOutcome::Duplicate { .. } => duplicates += 1,
            AppendOutcome::Appended { .. } => {}
        }
    }
    (appended, duplicates, won)
}

async fn check<J: Journal>(j: &J, outputs: &[String]) {
    let totals = outputs.iter().fold((0, 0, 0), |acc, out| {
        let line = out
            .lines()
            .find_map(|l| l.split("RESULT ").nth(1))
            .unwrap_or_else(|| panic!("child printed no RESULT:\n{out}"));
        let n: Vec<u64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
        (acc.0 + n[0], acc.1 + n[1], acc.2 + n[2])
    });
    let all_fills = ORDERS as u64 * FILLS_PER_ORDER;
    assert_eq!(
        totals.0, all_fills,
        "every fill appended exactly once across both processes"
    );
    assert_eq!(
        totals.1, all_fills,
        "every fill seen a second time was recognised as a duplicate"
    );
    assert_eq!(totals.2, 1, "exactly one process recorded the raced intent");

    let orders = j
        .orders(&OrderFilter::default().account(ACCOUNT))
        .await
        .unwrap();
    assert_eq!(orders.len(), ORDERS + 1);
    for order in orders.iter().filter(|o| o.intent.stock == "005930") {
        assert_eq!(
            (order.state, order.filled_quantity),
            (OrderState::Filled, QTY),
            "{}",
            order.id()
        );
        assert_eq!(j.rebuild(order.id()).await.unwrap().as_ref(), Some(order));
    }
    let date = orders[0].trade_date();
    let fills = j.fills(Some(ACCOUNT), date).await.unwrap();
    assert_eq!(fills.len() as u64, all_fills);
    let position = j.position(ACCOUNT, "005930").await.unwrap().unwrap();
    assert_eq!(position.quantity, (ORDERS as u64 * QTY) as i64);
    assert_eq!(position.fill_count, all_fills);
    let value: Decimal = (0..ORDERS)
        .map(|i| Decimal::from((70000 + i as i64) * QTY as i64))
        .sum();
    assert_eq!(
        position.average_price,
        value / Decimal::from(ORDERS as u64 * QTY)
    );
}

fn run_children(backend: &str, location: &str) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|me| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child",
                    "--ignored",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env("ORDERS_CHILD", format!("{backend} {me} {location}"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "child failed:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            text
        })
        .collect()
}

#[tokio::test]
#[ignore = "run by the two_processes_* tests as a child process"]
async fn child() {
    let spec = std::env::var("ORDERS_CHILD").expect("ORDERS_CHILD");
    let mut parts = spec.splitn(3, ' ');
    let (backend, me, location) = (
        parts.next().unwrap(),
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap(),
    );
    let result = match backend {
        "sqlite" => work(&SqliteJournal::open(location).await.unwrap(), me).await,
        _ => {
            let url = postgres_url().unwrap();
            work(
                &PostgresJournal::connect_schema(&url, location)
                    .await
                    .unwrap(),
                me,
            )
            .await
        }
    };
    println!("RESULT {} {} {}", result.0, result.1, result.2);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_share_one_sqlite_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let journal = SqliteJournal::open(&path).await.unwrap();
    let outputs = tokio::task::spawn_blocking({
        let path = path.to_str().unwrap().to_owned();
        move || run_children("sqlite", &path)
    })
    .await
    .unwrap();
    check(&journal, &outputs).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_share_one_postgres_journal() {
    let Some(url) = postgres_url() else { return };
    let schema = unique_schema("two_proc");
    let journal = PostgresJournal::connect_schema(&url, &schema)
        .await
        .unwrap();
    let outputs = tokio::task::spawn_blocking(move || run_children("postgres", &schema))
        .await
        .unwrap();
    check(&journal, &outputs).await;
    journal.drop_schema().await.unwrap();
}

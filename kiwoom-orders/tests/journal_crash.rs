//! A process appending to the journal is killed with SIGKILL mid-run, twice; after each kill
//! the journal reopens consistent: every snapshot equals the replay of its events, the fills
//! table holds exactly the fill events, and positions equal the fold of the fills.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use kiwoom_orders::{
    EventKind, Journal, NewEvent, OrderFilter, Position, PostgresJournal, Side, SqliteJournal,
};
use rust_decimal::Decimal;

/// Appends order lives forever (until killed), printing a line after each complete order.
async fn append_until_killed<J: Journal>(j: &J, run: &str) {
    for n in 0u64.. {
        let order = format!("crash-{run}-{n}");
        let side = if n % 3 == 2 { Side::Sell } else { Side::Buy };
        j.append(NewEvent::submitted(intent(
            &order,
            side,
            "005930",
            3,
            Decimal::from(70000 + n),
        )))
        .await
        .unwrap();
        let order_no = format!("{run}{n:06}");
        j.append(accepted(&order, &order_no)).await.unwrap();
        for f in 0..3 {
            j.append(fill(
                &order,
                &order_no,
                &f.to_string(),
                1,
                Decimal::from(70000 + n + f),
            ))
            .await
            .unwrap();
        }
        println!("ORDER {n}");
    }
}

#[tokio::test]
#[ignore = "run by the crash tests as a child process"]
async fn crash_child() {
    let spec = std::env::var("ORDERS_CRASH_CHILD").expect("ORDERS_CRASH_CHILD");
    let mut parts = spec.splitn(3, ' ');
    let (backend, run, location) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    match backend {
        "sqlite" => append_until_killed(&SqliteJournal::open(location).await.unwrap(), run).await,
        _ => {
            let url = postgres_url().unwrap();
            append_until_killed(
                &PostgresJournal::connect_schema(&url, location)
                    .await
                    .unwrap(),
                run,
            )
            .await
        }
    }
}

/// Starts the child, lets it complete `orders` orders, kills it with SIGKILL.
fn run_and_kill(backend: &str, run: &str, location: &str, orders: usize) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("ORDERS_CRASH_CHILD", format!("{backend} {run} {location}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut done = 0;
    while done < orders {
        let line = lines.next().expect("the child stopped early").unwrap();
        if line.contains("ORDER ") {
            done += 1;
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, mid-transaction most likely
    child.wait().unwrap();
}

async fn check_consistent<J: Journal>(j: &J) -> usize {
    let orders = j.orders(&OrderFilter::default()).await.unwrap();
    let mut fills = Vec::new();
    for order in &orders {
        assert_eq!(
            j.rebuild(order.id()).await.unwrap().as_ref(),
            Some(order),
            "snapshot = replay for {}",
            order.id()
        );
        for e in j.events(order.id()).await.unwrap() {
            if let EventKind::Filled { fill } = e.kind {
                fills.push((e.seq, order.intent.side, fill));
            }
        }
    }
    // The position is the fold of the fills in execution order (time, fill number; then
    // the order they were appended).
    let fill_events = fills.len();
    let position = Position::from_fills(ACCOUNT, "005930", fills);
    let date = orders.first().map(|o| o.trade_date()).unwrap();
    assert_eq!(
        j.fills(None, date).await.unwrap().len(),
        fill_events,
        "fills table = fill events"
    );
    let stored = j.position(ACCOUNT, "005930").await.unwrap().unwrap();
    assert_eq!(
        (
            stored.quantity,
            stored.average_price,
            stored.realized_pnl,
            stored.fill_count
        ),
        (
            position.quantity,
            position.average_price,
            position.realized_pnl,
            position.fill_count
        ),
        "position = fold of the fills"
    );
    orders.len()
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_journal_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let location = path.to_str().unwrap().to_owned();
    let mut seen = 0;
    for run in ["1", "2"] {
        let location = location.clone();
        tokio::task::spawn_blocking(move || run_and_kill("sqlite", run, &location, 15))
            .await
            .unwrap();
        let j = SqliteJournal::open(&path).await.unwrap();
        let n = check_consistent(&j).await;
        assert!(
            n >= seen + 15,
            "the completed orders of run {run} are all there ({n})"
        );
        seen = n;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_journal_survives_sigkill() {
    let Some(url) = postgres_url() else { return };
    let schema = unique_schema("crash");
    let j = PostgresJournal::connect_schema(&url, &schema)
        .await
        .unwrap();
    let mut seen = 0;
    for run in ["1", "2"] {
        let schema = schema.clone();
        tokio::task::spawn_blocking(move || run_and_kill("postgres", run, &schema, 15))
            .await
            .unwrap();
        let n = check_consistent(&j).await;
        assert!(
            n >= seen + 15,
            "the completed orders of run {run} are all there ({n})"
        );
        seen = n;
    }
    j.drop_schema().await.unwrap();
}

//! Storage properties below the contract: the event table refuses updates and deletes, the
//! SQLite file survives a reopen, and migrations run once.

mod common;

use common::*;
use kiwoom_orders::{Journal, NewEvent, PostgresJournal, Side, SqliteJournal};
use rust_decimal_macros::dec;

#[tokio::test]
async fn sqlite_reopens_with_its_data_and_refuses_to_rewrite_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    {
        let j = SqliteJournal::open(&path).await.unwrap();
        j.append(NewEvent::submitted(intent(
            "keep-1",
            Side::Buy,
            "005930",
            2,
            dec!(70000),
        )))
        .await
        .unwrap();
        j.append(accepted("keep-1", "11")).await.unwrap();
        j.append(fill("keep-1", "11", "1", 2, dec!(70000)))
            .await
            .unwrap();
    }
    let j = SqliteJournal::open(&path).await.unwrap();
    assert_eq!(j.events(&id("keep-1")).await.unwrap().len(), 3);
    assert_eq!(
        j.position(ACCOUNT, "005930")
            .await
            .unwrap()
            .unwrap()
            .quantity,
        2
    );

    let raw = rusqlite::Connection::open(&path).unwrap();
    let migrations: i64 = raw
        .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        migrations, 2,
        "both shipped migrations applied, reopening does not migrate again"
    );
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    for sql in [
        "UPDATE order_events SET kind = 'x'",
        "DELETE FROM order_events",
    ] {
        let err = raw.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let dup = raw.execute("INSERT INTO fills SELECT * FROM fills", []);
    assert!(dup.is_err(), "the fill key is unique in the table itself");
}

#[tokio::test]
async fn postgres_refuses_to_rewrite_events_and_migrates_once() {
    let Some(url) = postgres_url() else { return };
    let schema = unique_schema("storage");
    let j = PostgresJournal::connect_schema(&url, &schema)
        .await
        .unwrap();
    j.append(NewEvent::submitted(intent(
        "keep-2",
        Side::Sell,
        "000660",
        1,
        dec!(180000),
    )))
    .await
    .unwrap();
    let again = PostgresJournal::connect_schema(&url, &schema)
        .await
        .unwrap();
    assert_eq!(again.events(&id("keep-2")).await.unwrap().len(), 1);

    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let n: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM \"{schema}\".schema_migrations"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2, "both shipped migrations, each once");
    for sql in [
        format!("UPDATE \"{schema}\".order_events SET kind = 'x'"),
        format!("DELETE FROM \"{schema}\".order_events"),
    ] {
        let err = client.batch_execute(&sql).await.unwrap_err();
        let message = err
            .as_db_error()
            .map(|d| d.message().to_owned())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    drop(again);
    j.drop_schema().await.unwrap();
}

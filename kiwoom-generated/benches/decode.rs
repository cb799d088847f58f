//! Typed decoding against `serde_json::Value` on the same bytes, in the same run:
//! a 600-row ka10081 daily chart page and one 0B REAL frame.
//!
//! `cargo bench -p kiwoom-generated --bench decode -- --warm-up-time 1 --measurement-time 3`

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use kiwoom_generated::decode_response;

/// A realistic 600-row page of ka10081 (the page size Kiwoom returns for daily charts).
fn daily_chart_body() -> Vec<u8> {
    let mut rows = Vec::with_capacity(600);
    let mut price: i64 = 70_000;
    for i in 0..600i64 {
        let change = (i * 7919 % 2001) - 1000;
        price = (price + change).max(1000);
        let sign = if change >= 0 { "+" } else { "-" };
        let day = 20250908 - i;
        rows.push(format!(
            r#"{{"cur_prc":"{price}","trde_qty":"{qty}","trde_prica":"{amount}","dt":"{date}","open_pric":"{open}","high_pric":"{high}","low_pric":"{low}","pred_pre":"{sign}{abs}","pred_pre_sig":"{sig}","trde_tern_rt":"+0.{rate:02}"}}"#,
            qty = 9_000_000 + i * 1373,
            amount = 600_000 + i * 97,
            date = 20250101 + (day % 28),
            open = price - 100,
            high = price + 400,
            low = price - 500,
            abs = change.abs(),
            sig = if change >= 0 { 2 } else { 5 },
            rate = i % 100,
        ));
    }
    format!(r#"{{"stk_cd":"005930","stk_dt_pole_chart_qry":[{}],"return_code":0,"return_msg":"정상적으로 처리되었습니다"}}"#, rows.join(","))
        .into_bytes()
}

const REAL_0B: &str = r#"{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"20":"165208","10":"-20800","11":"-50","12":"-0.24","27":"-20800","28":"-20700","15":"+82","13":"30379732","14":"632640","16":"20850","17":"+21150","18":"-20450","25":"5","26":"-1057122","29":"-22041267850","30":"-96.64","31":"36.67","32":"44","228":"98.92","311":"17230","290":"2","691":"0","567":"000000","568":"000000","851":"","1890":"","1891":"","1892":"","1030":"","1031":"","1032":"","1071":"","1072":"","1313":"","1315":"","1316":"","1314":"","1497":"","1498":"","620":"","732":"","852":"","9081":"1"}}]}"#;

fn bench(c: &mut Criterion) {
    let chart = daily_chart_body();
    decode_response("ka10081", &chart).expect("the synthesized page decodes");
    let mut group = c.benchmark_group("ka10081_600_rows");
    group.throughput(Throughput::Bytes(chart.len() as u64));
    group.bench_with_input(BenchmarkId::new("typed", chart.len()), &chart, |b, body| {
        b.iter(|| decode_response("ka10081", black_box(body)).unwrap())
    });
    group.bench_with_input(
        BenchmarkId::new("serde_json_value", chart.len()),
        &chart,
        |b, body| b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap()),
    );
    group.finish();

    let frame = REAL_0B.as_bytes();
    decode_response("0B", frame).expect("the frame decodes");
    let mut group = c.benchmark_group("real_0b_frame");
    group.throughput(Throughput::Bytes(frame.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| decode_response("0B", black_box(frame)).unwrap())
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(frame)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Typed decoding against what a user would otherwise write, on the same bytes, in the same
//! run: a 600-row ka10081 daily chart page and one 0B REAL frame, each decoded
//!
//! - `typed`: `decode_response`, this crate's typed response (numbers parsed, signs and
//!   wire forms kept, unknown keys kept);
//! - `string_struct`: a `#[derive(Deserialize)]` struct of the same shape with `String`
//!   fields, the naive client every peer writes;
//! - `sonic_dom`: sonic-rs' DOM (`sonic_rs::Value`), the fastest untyped parse at hand;
//! - `value_btree`: `serde_json::Value` as it is without serde_json's `preserve_order`
//!   (objects in a `BTreeMap`), reproduced by [`PlainValue`] because the workspace enables
//!   `preserve_order` and cargo unifies that feature into every binary that links the
//!   runtime (the runtime keeps unknown nested objects in key order for lossless re-encode,
//!   and the spec importer keeps Kiwoom's example key order);
//! - `value_indexmap`: `serde_json::Value` as this workspace builds it (`preserve_order`).
//!
//! The chart group reports MB/s (`Throughput::Bytes`), the frame group frames/s
//! (`Throughput::Elements`); the ratios are the times of the same run divided.
//!
//! `cargo bench -p kiwoom-generated --bench decode -- --warm-up-time 1 --measurement-time 3`

use std::collections::BTreeMap;
use std::fmt;

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use kiwoom_generated::decode_response;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

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

/// One 0B (주식체결) frame: the values of Kiwoom's documented 0B example, in the key order
/// of the frames captured from the server (`data` before `trnm`, `values` before `type`,
/// `name` and `item`; the documentation writes them the other way round).
const REAL_0B: &str = include_str!("real_0b.json");

/// The naive client's ka10081 page: the same keys, every value a `String`.
#[derive(Deserialize)]
#[allow(dead_code)] // read by nobody: the bench measures building it
struct NaiveChartPage {
    stk_cd: String,
    stk_dt_pole_chart_qry: Vec<NaiveChartRow>,
    return_code: i64,
    return_msg: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NaiveChartRow {
    cur_prc: String,
    trde_qty: String,
    trde_prica: String,
    dt: String,
    open_pric: String,
    high_pric: String,
    low_pric: String,
    pred_pre: String,
    pred_pre_sig: String,
    trde_tern_rt: String,
}

/// The naive client's REAL frame: the envelope, and the 0B values by their numeric ids.
#[derive(Deserialize)]
#[allow(dead_code)]
struct NaiveRealFrame {
    trnm: String,
    data: Vec<NaiveRealEntry>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NaiveRealEntry {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    item: String,
    values: Naive0B,
}

/// Every value of the frame above, as a `String` named by its id (missing ones empty).
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)]
struct Naive0B {
    #[serde(rename = "20")]
    v20: String,
    #[serde(rename = "10")]
    v10: String,
    #[serde(rename = "11")]
    v11: String,
    #[serde(rename = "12")]
    v12: String,
    #[serde(rename = "27")]
    v27: String,
    #[serde(rename = "28")]
    v28: String,
    #[serde(rename = "15")]
    v15: String,
    #[serde(rename = "13")]
    v13: String,
    #[serde(rename = "14")]
    v14: String,
    #[serde(rename = "16")]
    v16: String,
    #[serde(rename = "17")]
    v17: String,
    #[serde(rename = "18")]
    v18: String,
    #[serde(rename = "25")]
    v25: String,
    #[serde(rename = "26")]
    v26: String,
    #[serde(rename = "29")]
    v29: String,
    #[serde(rename = "30")]
    v30: String,
    #[serde(rename = "31")]
    v31: String,
    #[serde(rename = "32")]
    v32: String,
    #[serde(rename = "228")]
    v228: String,
    #[serde(rename = "311")]
    v311: String,
    #[serde(rename = "290")]
    v290: String,
    #[serde(rename = "691")]
    v691: String,
    #[serde(rename = "567")]
    v567: String,
    #[serde(rename = "568")]
    v568: String,
    #[serde(rename = "851")]
    v851: String,
    #[serde(rename = "1890")]
    v1890: String,
    #[serde(rename = "1891")]
    v1891: String,
    #[serde(rename = "1892")]
    v1892: String,
    #[serde(rename = "1030")]
    v1030: String,
    #[serde(rename = "1031")]
    v1031: String,
    #[serde(rename = "1032")]
    v1032: String,
    #[serde(rename = "1071")]
    v1071: String,
    #[serde(rename = "1072")]
    v1072: String,
    #[serde(rename = "1313")]
    v1313: String,
    #[serde(rename = "1315")]
    v1315: String,
    #[serde(rename = "1316")]
    v1316: String,
    #[serde(rename = "1314")]
    v1314: String,
    #[serde(rename = "1497")]
    v1497: String,
    #[serde(rename = "1498")]
    v1498: String,
    #[serde(rename = "620")]
    v620: String,
    #[serde(rename = "732")]
    v732: String,
    #[serde(rename = "852")]
    v852: String,
    #[serde(rename = "9081")]
    v9081: String,
}

/// `serde_json::Value` without `preserve_order`: the same variants and the same visitor
/// (serde_json's own, objects inserted into a `BTreeMap` key by key).
#[derive(Debug, PartialEq)]
enum PlainValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<PlainValue>),
    Object(BTreeMap<String, PlainValue>),
}

impl<'de> Deserialize<'de> for PlainValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PlainValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<PlainValue, E> {
                Ok(PlainValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<PlainValue, E> {
                Ok(PlainValue::Number(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<PlainValue, E> {
                Ok(PlainValue::Number(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<PlainValue, E> {
                Ok(serde_json::Number::from_f64(v).map_or(PlainValue::Null, PlainValue::Number))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PlainValue, E> {
                Ok(PlainValue::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<PlainValue, E> {
                Ok(PlainValue::String(v))
            }
            fn visit_none<E>(self) -> Result<PlainValue, E> {
                Ok(PlainValue::Null)
            }
            fn visit_unit<E>(self) -> Result<PlainValue, E> {
                Ok(PlainValue::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PlainValue, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(PlainValue::Array(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PlainValue, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, PlainValue>()? {
                    out.insert(k, v);
                }
                Ok(PlainValue::Object(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Every decoder of one body, checked once before it is timed.
fn check(api_id: &str, body: &[u8]) {
    decode_response(api_id, body).expect("typed");
    let plain: PlainValue = serde_json::from_slice(body).expect("BTreeMap value");
    let value: serde_json::Value = serde_json::from_slice(body).expect("value");
    let sonic: sonic_rs::Value = sonic_rs::from_slice(body).expect("sonic");
    // The same document every way (the reproduced Value is no shortcut).
    assert_eq!(
        serde_json::from_str::<PlainValue>(&value.to_string()).unwrap(),
        plain
    );
    assert_eq!(
        serde_json::from_str::<PlainValue>(&sonic_rs::to_string(&sonic).unwrap()).unwrap(),
        plain
    );
}

fn bench(c: &mut Criterion) {
    let chart = daily_chart_body();
    check("ka10081", &chart);
    serde_json::from_slice::<NaiveChartPage>(&chart).expect("string struct");
    let mut group = c.benchmark_group("ka10081_600_rows");
    group.throughput(Throughput::Bytes(chart.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| decode_response("ka10081", black_box(&chart)).unwrap())
    });
    group.bench_function("string_struct", |b| {
        b.iter(|| serde_json::from_slice::<NaiveChartPage>(black_box(&chart)).unwrap())
    });
    group.bench_function("sonic_dom", |b| {
        b.iter(|| sonic_rs::from_slice::<sonic_rs::Value>(black_box(&chart)).unwrap())
    });
    group.bench_function("value_btree", |b| {
        b.iter(|| serde_json::from_slice::<PlainValue>(black_box(&chart)).unwrap())
    });
    group.bench_function("value_indexmap", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&chart)).unwrap())
    });
    group.finish();

    let frame = REAL_0B.as_bytes();
    check("0B", frame);
    serde_json::from_slice::<NaiveRealFrame>(frame).expect("string struct");
    let mut group = c.benchmark_group("real_0b_frame");
    group.throughput(Throughput::Elements(1));
    group.bench_function("typed", |b| {
        b.iter(|| decode_response("0B", black_box(frame)).unwrap())
    });
    group.bench_function("string_struct", |b| {
        b.iter(|| serde_json::from_slice::<NaiveRealFrame>(black_box(frame)).unwrap())
    });
    group.bench_function("sonic_dom", |b| {
        b.iter(|| sonic_rs::from_slice::<sonic_rs::Value>(black_box(frame)).unwrap())
    });
    group.bench_function("value_btree", |b| {
        b.iter(|| serde_json::from_slice::<PlainValue>(black_box(frame)).unwrap())
    });
    group.bench_function("value_indexmap", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(frame)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

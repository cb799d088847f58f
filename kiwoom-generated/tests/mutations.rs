//! Mutated responses never panic the decoder: they decode or return a `DecodeError`.

use codegen::spec::{Spec, Transport, workspace_spec_dir};
use kiwoom_generated::decode_response;
use proptest::prelude::*;
use serde_json::Value;

fn bodies() -> Vec<(String, String)> {
    let spec = Spec::load(&workspace_spec_dir()).expect("spec loads");
    let mut out = Vec::new();
    for (_, _, tr) in spec.trs() {
        if let (Some(body), false) = (&tr.examples.response, tr.transport == Transport::Realtime) {
            out.push((tr.id.clone(), body.clone()));
        }
        if let (Some(body), Some(rt)) = (&tr.examples.push, &tr.realtime) {
            out.push((rt.kind.clone(), body.clone()));
        }
    }
    out
}

/// Every string value of a JSON document, in document order.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// Write `values` back into the string slots of `v`, in document order.
fn put_strings(v: &mut Value, values: &mut std::vec::IntoIter<String>) {
    match v {
        Value::String(s) => *s = values.next().unwrap_or_default(),
        Value::Array(a) => a.iter_mut().for_each(|x| put_strings(x, values)),
        Value::Object(o) => o.values_mut().for_each(|x| put_strings(x, values)),
        _ => {}
    }
}

fn remove_a_key(v: &mut Value, pick: usize) {
    if let Value::Object(o) = v {
        if let Some(key) = o.keys().nth(pick % o.len().max(1)).cloned() {
            o.remove(&key);
        }
    }
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| remove_a_key(x, pick)),
        Value::Object(o) => o.values_mut().for_each(|x| remove_a_key(x, pick / 2)),
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    FlipByte(usize, u8),
    InsertChar(usize, char),
    Truncate(usize),
    SwapValues(usize, usize),
    ReplaceValue(usize, String),
    RemoveKeys(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Mutation::InsertChar(i, c)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        (any::<usize>(), "[-+0-9.a-z ]{0,12}|--[0-9]{1,20}|[0-9]{30}")
            .prop_map(|(i, s)| Mutation::ReplaceValue(i, s)),
        any::<usize>().prop_map(Mutation::RemoveKeys),
    ]
}

fn apply(body: &str, m: &Mutation) -> Vec<u8> {
    let mut bytes = body.as_bytes().to_vec();
    match m {
        Mutation::FlipByte(i, b) if !bytes.is_empty() => {
            let at = i % bytes.len();
            bytes[at] ^= b | 1;
            bytes
        }
        Mutation::InsertChar(i, c) => {
            let mut s = body.to_owned();
            let mut at = i % (s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.insert(at, *c);
            s.into_bytes()
        }
        Mutation::Truncate(i) => {
            bytes.truncate(i % (bytes.len() + 1));
            bytes
        }
        Mutation::SwapValues(a, _) | Mutation::ReplaceValue(a, _)
            if serde_json::from_str::<Value>(body).is_ok() =>
        {
            let mut v: Value = serde_json::from_str(body).unwrap();
            let mut values = Vec::new();
            strings(&v, &mut values);
            if !values.is_empty() {
                let len = values.len();
                let x = a % len;
                match m {
                    Mutation::SwapValues(_, b) => values.swap(x, b % len),
                    Mutation::ReplaceValue(_, s) => values[x] = s.clone(),
                    _ => {}
                }
                put_strings(&mut v, &mut values.into_iter());
            }
            serde_json::to_vec(&v).unwrap()
        }
        Mutation::RemoveKeys(pick) => match serde_json::from_str::<Value>(body) {
            Ok(mut v) => {
                remove_a_key(&mut v, *pick);
                serde_json::to_vec(&v).unwrap()
            }
            Err(_) => bytes,
        },
        _ => bytes,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bodies_never_panic(pick in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..4)) {
        let bodies = bodies_cached();
        let (api_id, body) = &bodies[pick % bodies.len()];
        let mut current = body.clone().into_bytes();
        for m in &mutations {
            current = apply(&String::from_utf8_lossy(&current), m);
        }
        if let Ok(decoded) = decode_response(api_id, &current) {
            // Whatever decodes also re-encodes.
            serde_json::to_vec(&decoded).expect("re-encodes");
        }
    }
}

fn bodies_cached() -> &'static [(String, String)] {
    static BODIES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    BODIES.get_or_init(bodies)
}

//! The example in each group module's docs: one call of one of the group's TRs, with
//! argument values from Kiwoom's own request example, compiled by `cargo test` as a
//! `no_run` doctest so the docs cannot name things that do not exist.

use super::{FieldTy, Group, Setter, Tr, TrKind};
use crate::spec;

/// Doc lines of a group's example, or none when no TR of the group can be built from
/// plain values (every required field a scalar).
pub fn group_example(g: &Group, market: &str, spec_trs: &[&spec::Tr]) -> Vec<String> {
    let Some((tr, args)) = g
        .trs
        .iter()
        .filter(|t| matches!(t.kind, TrKind::Rest))
        .find_map(|t| {
            let source = spec_trs.iter().find(|s| s.id == t.api_id)?;
            arguments(t, source, &g.module).map(|a| (t, a))
        })
    else {
        return Vec::new();
    };
    let module = &g.module;
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            a.replace(&format!("kiwoom_generated::{module}::"), "")
                .replace("kiwoom_generated::kiwoom_runtime::codec::", "")
        })
        .collect();
    let codec_types: Vec<&str> = ["Price", "Quantity"]
        .into_iter()
        .filter(|t| args.iter().any(|a| a.starts_with(&format!("{t}("))))
        .collect();
    let mut uses = vec![
        "use kiwoom_generated::prelude::*;".to_owned(),
        format!("use kiwoom_generated::{module}::*;"),
    ];
    if !codec_types.is_empty() {
        uses.push(format!(
            "use kiwoom_generated::kiwoom_runtime::codec::{{{}}};",
            codec_types.join(", ")
        ));
    }
    let mut doc = vec![
        String::new(),
        format!("`{}` {}:", tr.api_id, super::rustdoc_safe(&tr.korean_name)),
        String::new(),
        "```no_run".to_owned(),
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
    ];
    doc.extend(uses);
    doc.extend([
        String::new(),
        "let client = Client::builder()".to_owned(),
        "    .environment(Environment::Mock)".to_owned(),
        "    .app_key(std::env::var(\"KIWOOM_APP_KEY\")?)".to_owned(),
        "    .secret_key(std::env::var(\"KIWOOM_SECRET_KEY\")?)".to_owned(),
        "    .build()?;".to_owned(),
        format!(
            "let request = {}::new({});",
            tr.request.name,
            args.join(", ")
        ),
        format!(
            "let response = client.{market}().{}().{}(request).await?;",
            g.accessor, tr.method
        ),
        "println!(\"{response:?}\");".to_owned(),
        "# Ok(())".to_owned(),
        "# }".to_owned(),
        "```".to_owned(),
    ]);
    doc.dedup_by(|a, b| a.is_empty() && b.is_empty());
    doc
}

/// A compiled (`no_run`) example for one TR's client method, replacing the `ignore` block
/// of its docs; `None` when its request cannot be built from plain values.
pub fn method_example(g: &Group, market: &str, t: &Tr, source: &spec::Tr) -> Option<Vec<String>> {
    let module = &g.module;
    let args: Vec<String> = arguments(t, source, module)?
        .iter()
        .map(|a| {
            a.replace(&format!("kiwoom_generated::{module}::"), "")
                .replace("kiwoom_generated::kiwoom_runtime::codec::", "")
        })
        .collect();
    let mut doc = vec![
        "```no_run".to_owned(),
        "# async fn example(client: kiwoom_generated::Client) -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
    ];
    if matches!(t.paging, super::PagingDef::Header { .. }) {
        doc.push("use futures::StreamExt;".to_owned());
    }
    doc.push("use kiwoom_generated::prelude::*;".to_owned());
    doc.push(format!("use kiwoom_generated::{module}::*;"));
    for codec_type in ["Price", "Quantity"] {
        if args
            .iter()
            .any(|a| a.starts_with(&format!("{codec_type}(")))
        {
            doc.push(format!(
                "use kiwoom_generated::kiwoom_runtime::codec::{codec_type};"
            ));
        }
    }
    doc.push(String::new());
    doc.push(format!(
        "let request = {}::new({});",
        t.request.name,
        args.join(", ")
    ));
    let call = format!("client.{market}().{}().{}(request)", g.accessor, t.method);
    match &t.paging {
        super::PagingDef::Header { .. } => {
            doc.push(format!("let mut rows = {call}.items();"));
            doc.push("while let Some(row) = rows.next().await {".to_owned());
            doc.push("    println!(\"{:?}\", row?);".to_owned());
            doc.push("}".to_owned());
        }
        _ => {
            doc.push(format!("let response = {call}.await?;"));
            doc.push("println!(\"{response:?}\");".to_owned());
        }
    }
    doc.push("# Ok(())".to_owned());
    doc.push("# }".to_owned());
    doc.push("```".to_owned());
    Some(doc)
}

/// Rust expressions for the required fields of `t`, in `new`'s order.
fn arguments(t: &Tr, source: &spec::Tr, module: &str) -> Option<Vec<String>> {
    let example: serde_json::Map<String, serde_json::Value> = source
        .examples
        .request
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    t.request
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| {
            let given = example
                .get(&f.wire)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty());
            let spec_field = source.request.iter().find(|s| s.wire == f.wire)?;
            match &f.ty {
                FieldTy::Value { rust, setter, .. } => {
                    value(rust, *setter, given, spec_field, module)
                }
                _ => None,
            }
        })
        .collect()
}

fn value(
    rust: &str,
    setter: Setter,
    given: Option<&str>,
    f: &spec::Field,
    module: &str,
) -> Option<String> {
    let quoted = |s: &str| format!("{s:?}");
    if let Some(enum_name) = rust.strip_prefix("super::") {
        let code = given
            .map(str::to_owned)
            .or_else(|| Some(f.enumeration.as_ref()?.values.first()?.code.clone()))?;
        // Group modules re-export the shared enums they use.
        return Some(format!(
            "kiwoom_generated::{module}::{enum_name}::from_code({})",
            quoted(&code)
        ));
    }
    Some(match (rust, setter) {
        (_, Setter::IntoString | Setter::IntoSecret | Setter::Into) => {
            quoted(given.unwrap_or(if f.wire.contains("stk_cd") {
                "005930"
            } else {
                "0"
            }))
        }
        ("i64", _) => given
            .and_then(|g| g.parse::<i64>().ok())
            .unwrap_or(1)
            .to_string(),
        ("rust_decimal::Decimal", _) => format!(
            "{}.parse::<rust_decimal::Decimal>()?",
            quoted(given.unwrap_or("1"))
        ),
        ("chrono::NaiveDate", _) => {
            let g = given.filter(|g| g.len() == 8 && g.bytes().all(|b| b.is_ascii_digit()));
            let (y, m, d) = g
                .map(|g| {
                    (
                        &g[..4],
                        g[4..6].trim_start_matches('0'),
                        g[6..].trim_start_matches('0'),
                    )
                })
                .unwrap_or(("2025", "9", "8"));
            format!("chrono::NaiveDate::from_ymd_opt({y}, {m}, {d}).ok_or(\"date\")?")
        }
        ("kiwoom_runtime::codec::Quantity", _) => format!(
            "kiwoom_generated::kiwoom_runtime::codec::Quantity({})",
            given.and_then(|g| g.parse::<u64>().ok()).unwrap_or(1)
        ),
        ("kiwoom_runtime::codec::Price", _) => format!(
            "kiwoom_generated::kiwoom_runtime::codec::Price({})",
            given.and_then(|g| g.parse::<i64>().ok()).unwrap_or(70_000)
        ),
        _ => return None,
    })
}

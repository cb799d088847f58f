//! The public API surface generated from the real spec/, one line per TR: a change to any
//! name, type, method path or paging shows up in review.

use codegen::generate::build_api;
use codegen::ir::{PagingDef, TrKind};
use codegen::spec::workspace_spec_dir;

#[test]
fn api_surface() {
    let api = build_api(&workspace_spec_dir()).expect("spec/ builds");
    let mut lines = Vec::new();
    for g in &api.groups {
        for t in &g.trs {
            let route = match &t.kind {
                TrKind::Rest => format!("client.{}().{}().{}", g.market, g.accessor, t.method),
                TrKind::Condition { trnm } => format!("ws {trnm}"),
            };
            let paging = match &t.paging {
                PagingDef::None => "-".to_owned(),
                PagingDef::Header { field, row } => format!("header {field}: {row}"),
                PagingDef::Body { list } => format!("body {list}"),
            };
            lines.push(format!(
                "{} {route} {}::{} -> {} [{}] {:?}",
                t.api_id, g.module, t.request.name, t.response.name, paging, t.safety
            ));
        }
    }
    for r in &api.realtime.types {
        lines.push(format!(
            "{} realtime::{} (from {})",
            r.code, r.struct_name, r.api_id
        ));
    }
    for f in &api.ws_frames {
        lines.push(format!("{} ws::{}", f.api_id, f.def.name));
    }
    insta::assert_snapshot!("api_surface", lines.join("\n"));
}

//! TR-level and file-level rules.

use std::collections::BTreeMap;

use crate::import::{is_valid_pascal_ident, is_valid_snake_ident};
use crate::spec::{ErrorsFile, GroupFile, Paging, Safety, Transport, ValueType, WebsocketFile};

use super::CheckError;
use super::fields::{At, check_struct};

fn market_dir(m: crate::spec::Market) -> &'static str {
    match m {
        crate::spec::Market::Oauth => "oauth",
        crate::spec::Market::Domestic => "domestic",
        crate::spec::Market::Us => "us",
    }
}

pub fn check_groups(groups: &[(String, GroupFile)], out: &mut Vec<CheckError>) {
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut english: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut group_ids: BTreeMap<&str, &str> = BTreeMap::new();
    for (file, g) in groups {
        let file_err = |message: String| CheckError {
            file: file.clone(),
            tr: None,
            field: None,
            message,
        };
        let expected_path = format!("{}/{}.yaml", market_dir(g.group.market), g.group.category);
        if *file != expected_path {
            out.push(file_err(format!(
                "group `{}` belongs in `{expected_path}`",
                g.group.id
            )));
        }
        let expected_id = format!("{}-{}", market_dir(g.group.market), g.group.category);
        if g.group.id != expected_id {
            out.push(file_err(format!(
                "group id `{}` should be `{expected_id}`",
                g.group.id
            )));
        }
        if let Some(other) = group_ids.insert(g.group.id.as_str(), file.as_str()) {
            out.push(file_err(format!(
                "group id `{}` is also used by {other}",
                g.group.id
            )));
        }
        if g.trs.is_empty() {
            out.push(file_err("group without TRs".to_string()));
        }
        for tr in &g.trs {
            let err = |message: String| CheckError {
                file: file.clone(),
                tr: Some(tr.id.clone()),
                field: None,
                message,
            };
            if let Some(other) = ids.insert(tr.id.as_str(), file.as_str()) {
                out.push(err(format!("TR id is also defined in {other}")));
            }
            if !is_valid_snake_ident(&tr.english_name) {
                out.push(err(format!(
                    "english_name `{}` is not a valid snake_case identifier",
                    tr.english_name
                )));
            }
            if let Some((other_file, other_tr)) =
                english.insert(tr.english_name.as_str(), (file.as_str(), tr.id.as_str()))
            {
                out.push(err(format!(
                    "english_name `{}` is also used by {other_tr} ({other_file})",
                    tr.english_name
                )));
            }
            let at = At {
                file,
                tr: Some(&tr.id),
            };
            check_struct(&tr.request, "request", &at, out, true);
            check_struct(&tr.response, "response", &at, out, true);
            match (&tr.realtime, tr.transport) {
                (None, Transport::Realtime) => {
                    out.push(err("transport realtime without `realtime:`".to_string()))
                }
                (Some(_), Transport::Rest | Transport::Oauth) => {
                    out.push(err(
                        format!("`realtime:` on a {:?} TR", tr.transport).to_lowercase()
                    ))
                }
                (Some(rt), _) => {
                    check_struct(&rt.values, "values", &at, out, true);
                    if rt.values.is_empty() {
                        out.push(err("realtime without values".to_string()));
                    }
                }
                _ => {}
            }
            if tr.transport == Transport::ConditionSearch && tr.trnm.is_none() {
                out.push(err("condition_search TR without `trnm`".to_string()));
            }
            let list = match &tr.paging {
                Paging::None => None,
                Paging::Header { list } => {
                    if tr.transport != Transport::Rest {
                        out.push(err(
                            format!("header paging on a {:?} TR", tr.transport).to_lowercase()
                        ));
                    }
                    Some(list)
                }
                Paging::Body { list } => {
                    if tr.transport != Transport::ConditionSearch {
                        out.push(err(
                            format!("body paging on a {:?} TR", tr.transport).to_lowercase()
                        ));
                    }
                    Some(list)
                }
            };
            if let Some(list) = list {
                if tr.safety == Safety::OrderWrite {
                    out.push(err("paging on an order_write TR".to_string()));
                }
                if !tr
                    .response
                    .iter()
                    .any(|f| &f.wire == list && f.ty == ValueType::List)
                {
                    out.push(err(format!(
                        "paging list `{list}` is not a top-level list of the response"
                    )));
                }
            }
        }
    }
}

pub fn check_errors(errors: &ErrorsFile, out: &mut Vec<CheckError>) {
    let mut codes = BTreeMap::new();
    let mut names = BTreeMap::new();
    for e in &errors.errors {
        let err = |message: String| CheckError {
            file: "errors.yaml".to_string(),
            tr: None,
            field: Some(e.code.to_string()),
            message,
        };
        if codes.insert(e.code, ()).is_some() {
            out.push(err("code appears twice".to_string()));
        }
        if !is_valid_pascal_ident(&e.rust) {
            out.push(err(format!(
                "rust name `{}` is not a valid PascalCase identifier",
                e.rust
            )));
        }
        if names.insert(e.rust.clone(), e.code).is_some() {
            out.push(err(format!("rust name `{}` appears twice", e.rust)));
        }
    }
    if errors.errors.is_empty() {
        out.push(CheckError {
            file: "errors.yaml".to_string(),
            tr: None,
            field: None,
            message: "no error codes".to_string(),
        });
    }
}

pub fn check_websocket(ws: &WebsocketFile, out: &mut Vec<CheckError>) {
    let mut seen = BTreeMap::new();
    for m in &ws.messages {
        let key = (
            m.trnm.clone(),
            format!("{:?}", m.direction),
            format!("{:?}", m.market),
        );
        let label = format!(
            "{} {:?}{}",
            if m.trnm.is_empty() {
                "<error frame>"
            } else {
                &m.trnm
            },
            m.direction,
            m.market.map(|x| format!(" {x:?}")).unwrap_or_default()
        )
        .to_lowercase();
        if seen.insert(key, ()).is_some() {
            out.push(CheckError {
                file: "websocket.yaml".to_string(),
                tr: Some(label.clone()),
                field: None,
                message: "message defined twice".to_string(),
            });
        }
        if let Some(example) = &m.example
            && serde_json::from_str::<serde_json::Value>(example).is_err()
        {
            out.push(CheckError {
                file: "websocket.yaml".to_string(),
                tr: Some(label.clone()),
                field: None,
                message: "example is not valid JSON".to_string(),
            });
        }
        // `values` of REAL is a map whose keys each realtime TR names: no children here.
        check_struct(
            &m.fields,
            "fields",
            &At {
                file: "websocket.yaml",
                tr: Some(&label),
            },
            out,
            false,
        );
    }
}

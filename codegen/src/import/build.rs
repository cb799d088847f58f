//! One Kiwoom API -> one `Tr`: transport, safety, paging, fields (named, typed, enums), the
//! realtime part, notes and examples. Overrides and name settling come after (see mod.rs).

use std::collections::BTreeMap;

use crate::spec::{
    Codec, EnumValue, Enumeration, Examples, Field, Market, Paging, Presence, Realtime,
    RealtimeItem, RowShape, Safety, Tr, Transport, ValueType,
};

use super::enums;
use super::examples;
use super::kiwoom::{Api, Command, Row};
use super::names::{self, EnumLabels, Glossary};
use super::overrides::{Overrides, Usage};
use super::report::Report;
use super::tree::{self, Node};
use super::types;

/// Header rows are runtime-owned (api-id, authorization, cont-yn, next-key); these body keys
/// of WebSocket frames are too: the runtime writes `trnm` and reads the result envelope.
const WS_ENVELOPE: &[&str] = &["trnm", "return_code", "return_msg"];

pub struct Builder<'a> {
    pub glossary: &'a Glossary,
    pub labels: &'a EnumLabels,
    pub overrides: &'a Overrides,
    pub usage: Usage,
    pub report: Report,
    /// token or label -> places it was needed.
    pub unresolved: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Part {
    Request,
    Response,
    Values,
}

impl Part {
    fn root(self) -> &'static str {
        match self {
            Part::Request => "request",
            Part::Response => "response",
            Part::Values => "values",
        }
    }
}

pub fn transport_of(api: &Api) -> Transport {
    let url = api.meta_str("URL");
    let id = api.id();
    if url.starts_with("/oauth2") {
        Transport::Oauth
    } else if api.meta_str("운영 도메인").starts_with("wss") || url.ends_with("/websocket") {
        if id.starts_with("ka") || id.starts_with("usa") {
            Transport::ConditionSearch
        } else {
            Transport::Realtime
        }
    } else {
        Transport::Rest
    }
}

pub fn safety_of(policy: &str) -> Option<Safety> {
    match policy.trim() {
        "read" => Some(Safety::Read),
        "account_read" => Some(Safety::AccountRead),
        "order_write" => Some(Safety::OrderWrite),
        "auth_write" => Some(Safety::AuthWrite),
        _ => None,
    }
}

/// The measurement part of a notes cell: from `응답 주의:` on. The rest is Kiwoom's CLI
/// bookkeeping ("Implemented via explicit arguments.csv mapping") and not about the API.
pub fn measurement_note(notes: &str) -> Option<String> {
    notes
        .find("응답 주의:")
        .map(|i| notes[i..].trim().to_string())
}

/// HTML entities seen in the meta prose (`&#39;`, `&amp;#39;`).
pub fn unescape_html(s: &str) -> String {
    let mut out = s.to_string();
    for _ in 0..3 {
        let next = out
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&nbsp;", " ");
        if next == out {
            break;
        }
        out = next;
    }
    out
}

impl Builder<'_> {
    pub fn build_tr(
        &mut self,
        api: &Api,
        command: Option<&Command>,
        english_name: &str,
        market: Market,
    ) -> Tr {
        let id = api.id().to_string();
        let transport = transport_of(api);
        let safety = command
            .and_then(|c| safety_of(&c.safety_policy))
            .unwrap_or_else(|| {
                self.report.add(
                    "safety",
                    format!("{id}: no safety_policy in api_commands.csv; assumed read"),
                );
                Safety::Read
            });
        let summary = unescape_html(&api.overview().join("\n")).trim().to_string();
        let notes: Vec<String> = command
            .and_then(|c| measurement_note(&c.notes))
            .into_iter()
            .collect();
        let function_name = command.map(|c| c.function_name.clone()).unwrap_or_default();

        let ws = matches!(transport, Transport::Realtime | Transport::ConditionSearch);
        let mut trnm = None;
        let mut request = Vec::new();
        if transport != Transport::Realtime {
            let rows: Vec<Row> = api.request.body.clone();
            if ws {
                trnm = rows
                    .iter()
                    .find(|r| r.element == "trnm")
                    .and_then(|r| trnm_of(&r.description));
            }
            let nodes = tree::build(&rows, &format!("{id} request"), &mut self.report);
            request = self.fields(&nodes, &id, "request", Part::Request, market, ws);
        }

        let mut response = Vec::new();
        let mut realtime = None;
        let sections = tree::split_sections(&api.response.body);
        for (title, rows) in &sections {
            let context = format!(
                "{id} response{}",
                title
                    .as_ref()
                    .map(|t| format!(" section `{t}`"))
                    .unwrap_or_default()
            );
            let nodes = tree::build(rows, &context, &mut self.report);
            let push_section = title.as_deref().is_some_and(|t| t.contains("실시간"));
            if transport == Transport::Realtime || push_section {
                realtime = Some(self.realtime(&id, api, &nodes, market, transport));
            } else {
                response = self.fields(&nodes, &id, "response", Part::Response, market, ws);
            }
        }
        if sections.len() > 1 {
            self.report.add(
                "structure",
                format!(
                    "{id}: {} response sections split into reply and REAL push",
                    sections.len()
                ),
            );
        }

        let paging = paging_of(&id, transport, safety, &request, &response);
        let examples = self.examples(&id, api, transport);
        Tr {
            id,
            korean_name: api.meta_str("API 명").trim().to_string(),
            english_name: english_name.to_string(),
            function_name,
            summary,
            transport,
            path: api.meta_str("URL").to_string(),
            safety,
            paging,
            order: None,
            trnm,
            notes,
            request,
            response,
            realtime,
            examples,
        }
    }

    fn realtime(
        &mut self,
        id: &str,
        api: &Api,
        nodes: &[Node],
        market: Market,
        transport: Transport,
    ) -> Realtime {
        // data[] -> values{} -> ids.
        let values_node = find_node(nodes, "values");
        let values = match values_node {
            Some(v) => self.fields(&v.children, id, "values", Part::Values, market, true),
            None => {
                self.report.add(
                    "structure",
                    format!("{id}: realtime part has no `values` rows"),
                );
                Vec::new()
            }
        };
        if find_node(nodes, "values").is_some_and(|v| v.row.ty == "LIST") {
            self.report.add(
                "realtime-values-map",
                format!(
                    "{id}: `values` is typed LIST but is a map keyed by id on the wire (quirk #4)"
                ),
            );
        }
        let kind = if transport == Transport::ConditionSearch {
            if market == Market::Us {
                "S2".to_string()
            } else {
                "02".to_string()
            }
        } else {
            id.to_string()
        };
        let example_item = example_item(&api.request_example);
        let item = if transport == Transport::ConditionSearch {
            RealtimeItem::ConditionSearch
        } else if market == Market::Us {
            RealtimeItem::UsSymbol
        } else if example_item.as_deref() == Some("") {
            RealtimeItem::Account
        } else if api.overview().iter().any(|o| o.contains("업종")) {
            RealtimeItem::Sector
        } else {
            RealtimeItem::Stock
        };
        Realtime { kind, item, values }
    }

    fn fields(
        &mut self,
        nodes: &[Node],
        tr: &str,
        prefix: &str,
        part: Part,
        market: Market,
        ws: bool,
    ) -> Vec<Field> {
        let mut out = Vec::new();
        for node in nodes {
            let wire = node.row.element.trim();
            if ws && prefix == part.root() && WS_ENVELOPE.contains(&wire) {
                continue;
            }
            out.push(self.field(node, tr, &format!("{prefix}.{wire}"), part, market, ws));
        }
        out
    }

    fn field(
        &mut self,
        node: &Node,
        tr: &str,
        path: &str,
        part: Part,
        market: Market,
        ws: bool,
    ) -> Field {
        let row = &node.row;
        let wire = row.element.trim().to_string();
        let named = self.glossary.field_name(&wire, &row.korean);
        for u in &named.unresolved {
            self.unresolved
                .entry(u.clone())
                .or_default()
                .push(format!("{tr} {path}"));
        }
        let required = part == Part::Request && row.required.trim() == "Y";
        let presence = if part != Part::Request && row.required.trim() == "Y" {
            Presence::Required
        } else {
            Presence::Optional
        };
        let max_length = if part == Part::Request {
            row.length.trim().parse().ok()
        } else {
            None
        };
        let mut field = Field {
            wire,
            korean: row.korean.trim().to_string(),
            rust: named.rust,
            ty: ValueType::Text,
            required,
            presence,
            max_length,
            description: row.description.clone(),
            unit: None,
            codec: Codec::default(),
            role: None,
            enumeration: None,
            row_shape: RowShape::Object,
            fields: Vec::new(),
        };
        if tree::is_container(row) {
            field.ty = if row.ty == "Object" {
                ValueType::Object
            } else {
                ValueType::List
            };
            field.fields = self.fields(&node.children, tr, path, part, market, ws);
            if node.children.is_empty() {
                self.report.add(
                    "structure",
                    format!("{tr} {path}: `{}` container without children", row.ty),
                );
            }
            return field;
        }
        let inferred = types::infer(
            &field.wire,
            &field.korean,
            &row.description,
            market,
            part == Part::Request,
        );
        field.ty = inferred.ty;
        field.unit = inferred.unit;
        field.codec = inferred.codec;
        if row.description.contains("접두어") {
            field.codec.market_prefix = true;
        }
        self.enum_decision(&mut field, tr, path);
        field
    }

    fn enum_decision(&mut self, field: &mut Field, tr: &str, path: &str) {
        let desc = field.description.clone();
        let lists = enums::lists_codes(&desc);
        let Some(parsed) = enums::parse(&desc) else {
            if lists {
                self.report
                    .add("enum-not-parsed", format!("{tr} {path}: {:?}", desc));
            }
            return;
        };
        let single_clean =
            parsed.codes.len() == 1 && parsed.residue.is_empty() && !desc.contains('\n');
        if parsed.codes.len() < 2 && !single_clean {
            if lists {
                self.report
                    .add("enum-not-parsed", format!("{tr} {path}: {:?}", desc));
            }
            return;
        }
        if enums::refers_elsewhere(&desc) {
            self.report.add(
                "enum-open",
                format!("{tr} {path}: the list points elsewhere for the other codes; kept as text: {desc:?}"),
            );
            return;
        }
        if let Some(reason) = self.overrides.is_not_enum(tr, path, &desc, &mut self.usage) {
            self.report
                .add("not-enum", format!("{tr} {path}: {reason}"));
            return;
        }
        if enums::looks_like_value_examples(&parsed) {
            self.report.add("enum-not-parsed", format!("{tr} {path}: codes are value examples, not an enum (add a not_enum override): {:?}", desc));
            return;
        }
        let mut values = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for code in &parsed.codes {
            let (mut rust, labelled) = names::variant_name(self.labels, &code.label, &code.code);
            if code.label.trim().is_empty() {
                self.report.add(
                    "enum-empty-label",
                    format!(
                        "{tr} {path}: code {:?} has no label; variant `{rust}`",
                        code.code
                    ),
                );
            } else if !labelled {
                let key = format!("enum label `{}`", names::normalize_label(&code.label));
                self.unresolved
                    .entry(key)
                    .or_default()
                    .push(format!("{tr} {path} code {:?}", code.code));
            }
            if used.contains(&rust) {
                let fallback = format!(
                    "{rust}{}",
                    names::code_variant(&code.code).trim_start_matches("Code")
                );
                self.report.add(
                    "variant-collision",
                    format!(
                        "{tr} {path}: `{rust}` twice; code {:?} becomes `{fallback}`",
                        code.code
                    ),
                );
                rust = fallback;
            }
            used.push(rust.clone());
            values.push(EnumValue {
                code: code.code.clone(),
                korean: code.label.clone(),
                rust,
            });
        }
        if !parsed.residue.is_empty() {
            self.report.add(
                "enum-residue",
                format!("{tr} {path}: kept as prose: {:?}", parsed.residue),
            );
        }
        for d in &parsed.duplicates {
            self.report.add(
                "enum-duplicate-code",
                format!("{tr} {path}: code {d:?} listed twice; first label kept"),
            );
        }
        field.ty = ValueType::Enum;
        field.unit = None;
        field.codec = Codec {
            market_prefix: field.codec.market_prefix,
            ..Codec::default()
        };
        field.enumeration = Some(Enumeration {
            name: names::pascal(&field.rust),
            values,
        });
    }

    fn examples(&mut self, id: &str, api: &Api, transport: Transport) -> Examples {
        let mut ex = Examples::default();
        if transport == Transport::Realtime {
            self.report.add("example-dropped", format!("{id}: request example has the flattened `- item`/`- type` shape (quirk #25); the REG frame is in websocket.yaml"));
        } else {
            match examples::parse_example(&api.request_example) {
                Ok(docs) => {
                    for r in &docs[0].repairs {
                        self.report
                            .add("example-repair", format!("{id} request: {r}"));
                    }
                    ex.request = Some(examples::compact(&docs[0].value));
                }
                Err(e) => self
                    .report
                    .add("example-unparseable", format!("{id} request: {e}")),
            }
        }
        match examples::parse_example(&api.response_example) {
            Ok(docs) => {
                for (i, doc) in docs.iter().enumerate() {
                    for r in &doc.repairs {
                        self.report
                            .add("example-repair", format!("{id} response: {r}"));
                    }
                    let is_push = doc.value.get("trnm").and_then(|t| t.as_str()) == Some("REAL")
                        || doc.marker.as_deref().is_some_and(|m| m.contains("실시간"));
                    if is_push && i > 0 {
                        ex.push = Some(examples::compact(&doc.value));
                    } else if ex.response.is_none() {
                        ex.response = Some(examples::compact(&doc.value));
                    } else {
                        self.report.add(
                            "example-dropped",
                            format!("{id} response: extra document {i} ignored"),
                        );
                    }
                }
            }
            Err(e) => self
                .report
                .add("example-unparseable", format!("{id} response: {e}")),
        }
        ex
    }
}

fn find_node<'a>(nodes: &'a [Node], wire: &str) -> Option<&'a Node> {
    for n in nodes {
        if n.row.element == wire {
            return Some(n);
        }
        if let Some(found) = find_node(&n.children, wire) {
            return Some(found);
        }
    }
    None
}

/// `CNSRLST고정값`, `CNSRREQ 고정값` -> the message name.
fn trnm_of(description: &str) -> Option<String> {
    let name: String = description
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The `- item` value of a realtime request example (empty for account-wide types).
fn example_item(example: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(example).ok()?;
    v.get("- item").and_then(|i| i.as_str()).map(str::to_string)
}

/// Header paging for REST TRs whose response has a top-level list (never orders); body
/// paging for condition-search TRs that send `cont_yn`/`next_key` in the request body.
pub fn paging_of(
    id: &str,
    transport: Transport,
    safety: Safety,
    request: &[Field],
    response: &[Field],
) -> Paging {
    let top_list = response
        .iter()
        .find(|f| f.ty == ValueType::List)
        .map(|f| f.wire.clone());
    let _ = id;
    match (transport, top_list) {
        (Transport::Rest, Some(list)) if safety != Safety::OrderWrite => Paging::Header { list },
        (Transport::ConditionSearch, Some(list)) if request.iter().any(|f| f.wire == "cont_yn") => {
            Paging::Body { list }
        }
        _ => Paging::None,
    }
}

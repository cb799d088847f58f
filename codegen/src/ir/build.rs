//! `Spec` -> `Api`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::docs::{lines, rustdoc_safe};
use super::enums::{self, EnumUse, Home};
use super::names::{self, REALTIME_RESERVED, REQUEST_RESERVED, RESPONSE_RESERVED};
use super::*;
use crate::spec::{self, Field, FieldRole, Paging, Presence, Sign, Spec, Transport, ValueType};

/// Prefix of a placeholder type that is replaced by the enum's final name.
const ENUM_PLACEHOLDER: &str = "#enum:";

/// Wire names whose values are secrets (never printed by `Debug`).
const SECRET_WIRES: &[&str] = &["appkey", "secretkey", "token"];

pub fn build(spec: &Spec, provenance: Provenance) -> Result<Api, IrError> {
    let mut b = Builder {
        problems: Vec::new(),
        enum_uses: Vec::new(),
        names: &spec.names,
    };
    let api = b.api(spec, provenance);
    if b.problems.is_empty() {
        Ok(api)
    } else {
        b.problems.sort();
        b.problems.dedup();
        Err(IrError {
            problems: b.problems,
        })
    }
}

struct Builder<'s> {
    problems: Vec<String>,
    enum_uses: Vec<EnumUse<'s>>,
    /// `spec/names.yaml`: naming overrides.
    names: &'s spec::NamesFile,
}

/// Where a struct is being built, for names and messages.
struct Scope<'a> {
    /// `spec/domestic/chart.yaml ka10081`.
    location: String,
    home: Home,
    /// PascalCase name of the TR: `StockDailyChart`.
    owner: &'a str,
    role: Role,
}

fn source_of(path: &Path) -> String {
    let parts: Vec<String> = path
        .iter()
        .rev()
        .take(2)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    format!("spec/{}/{}", parts[1], parts[0])
}

fn market_slug(market: spec::Market) -> (&'static str, &'static str, &'static str) {
    match market {
        spec::Market::Domestic => ("domestic", "Domestic", "국내주식"),
        spec::Market::Us => ("us", "Us", "미국주식"),
        spec::Market::Oauth => ("oauth", "Oauth", "OAuth 인증"),
    }
}

impl<'s> Builder<'s> {
    fn api(&mut self, spec: &'s Spec, provenance: Provenance) -> Api {
        let mut groups = Vec::new();
        let mut realtime_types = Vec::new();
        let mut seen_groups: BTreeMap<&str, String> = BTreeMap::new();
        let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
        let mut sorted: Vec<&(std::path::PathBuf, spec::GroupFile)> = spec.groups.iter().collect();
        sorted.sort_by(|a, b| a.1.group.id.cmp(&b.1.group.id));
        for (path, file) in sorted {
            let source = source_of(path);
            let merged = self.names.groups.get(&file.group.id);
            if let Some(prev) = seen_groups.insert(&file.group.id, source.clone()) {
                self.problems.push(format!(
                    "group id `{}` is used by {prev} and {source}",
                    file.group.id
                ));
            }
            for tr in &file.trs {
                if let Some(prev) = seen_ids.insert(tr.id.clone(), format!("{source} {}", tr.id)) {
                    self.problems.push(format!(
                        "api-id `{}` is defined twice: {prev} and {source} {}",
                        tr.id, tr.id
                    ));
                }
            }
            let effective = match merged {
                Some(m) => spec::Group {
                    id: m.id.clone(),
                    market: file.group.market,
                    category: m.category.clone(),
                    korean: m.korean.clone(),
                    english: m.english.clone(),
                },
                None => file.group.clone(),
            };
            let group = self.group(&source, &effective, &file.trs, &mut realtime_types);
            if group.trs.is_empty() {
                continue;
            }
            // Groups that spec/names.yaml merges share one module, feature and client group.
            match groups.iter_mut().find(|g: &&mut Group| g.id == group.id) {
                Some(existing) => {
                    existing.trs.extend(group.trs);
                    existing.trs.sort_by(|a, b| a.api_id.cmp(&b.api_id));
                    existing.client_struct = existing.client_struct.take().or(group.client_struct);
                }
                None => groups.push(group),
            }
        }
        realtime_types
            .sort_by(|a: &RealtimeType, b| a.code.cmp(&b.code).then(a.api_id.cmp(&b.api_id)));
        let condition_trnms: BTreeSet<String> = spec
            .trs()
            .filter_map(|(_, _, tr)| tr.trnm.clone())
            .collect();
        let mut ws_frames = self.ws_frames(&spec.websocket, &condition_trnms);
        let errors = self.errors(&spec.errors);

        // Enums: settle names, then patch the placeholders.
        let resolved = enums::resolve(&self.enum_uses, &self.names.enums, &mut self.problems);
        let patch = |ty: &mut FieldTy| {
            if let FieldTy::Value { rust, .. } | FieldTy::Values { rust, .. } = ty {
                if let Some(index) = rust.strip_prefix(ENUM_PLACEHOLDER) {
                    let index: usize = index.parse().expect("placeholder index");
                    *rust = format!("super::{}", resolved.names[index]);
                }
            }
        };
        let patch_struct = |s: &mut StructDef| s.fields.iter_mut().for_each(|f| patch(&mut f.ty));
        for group in &mut groups {
            for tr in &mut group.trs {
                patch_struct(&mut tr.request);
                patch_struct(&mut tr.response);
                tr.nested.iter_mut().for_each(patch_struct);
            }
        }
        for rt in &mut realtime_types {
            rt.fields.iter_mut().for_each(|f| patch(&mut f.ty));
        }
        for frame in &mut ws_frames {
            patch_struct(&mut frame.def);
            frame.nested.iter_mut().for_each(patch_struct);
        }
        let shared_names: BTreeSet<&str> =
            resolved.shared.iter().map(|e| e.name.as_str()).collect();
        let uses_by_home = {
            let mut map: BTreeMap<Home, BTreeSet<String>> = BTreeMap::new();
            for (i, u) in self.enum_uses.iter().enumerate() {
                if shared_names.contains(resolved.names[i].as_str()) {
                    map.entry(u.home.clone())
                        .or_default()
                        .insert(resolved.names[i].clone());
                }
            }
            map
        };
        for group in &mut groups {
            let home = Home::Group(group.id.clone());
            group.enums = resolved.by_home.get(&home).cloned().unwrap_or_default();
            group.shared_enums = uses_by_home
                .get(&home)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default();
            self.check_module_names(&group.source, group);
        }
        let realtime = Realtime {
            types: realtime_types,
            enums: resolved
                .by_home
                .get(&Home::Realtime)
                .cloned()
                .unwrap_or_default(),
            shared_enums: uses_by_home
                .get(&Home::Realtime)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        };
        self.check_realtime_names(&realtime);
        let ws_enums = resolved.by_home.get(&Home::Ws).cloned().unwrap_or_default();
        let mut shared_enums = resolved.shared;
        // WebSocket frame enums live with the shared ones: the ws module is not feature-gated.
        shared_enums.extend(ws_enums);
        shared_enums.sort_by(|a, b| a.name.cmp(&b.name));
        for frame in &mut ws_frames {
            for s in std::iter::once(&mut frame.def).chain(frame.nested.iter_mut()) {
                for f in &mut s.fields {
                    if let FieldTy::Value { rust, .. } | FieldTy::Values { rust, .. } = &mut f.ty {
                        if let Some(name) = rust.strip_prefix("super::") {
                            *rust = format!("super::enums::{name}");
                        }
                    }
                }
            }
        }

        let spec_trs: Vec<&spec::Tr> = spec.trs().map(|(_, _, tr)| tr).collect();
        for group in &mut groups {
            group.example = super::examples::group_example(group, &group.market, &spec_trs);
            let examples: Vec<Option<Vec<String>>> = group
                .trs
                .iter()
                .map(|t| {
                    let source = spec_trs.iter().find(|s| s.id == t.api_id)?;
                    super::examples::method_example(group, &group.market, t, source)
                })
                .collect();
            for (t, example) in group.trs.iter_mut().zip(examples) {
                let (Some(example), Some(start)) =
                    (example, t.method_doc.iter().position(|l| l == "```ignore"))
                else {
                    continue;
                };
                let end = start
                    + t.method_doc[start..]
                        .iter()
                        .skip(1)
                        .position(|l| l == "```")
                        .map_or(0, |i| i + 2);
                t.method_doc.splice(start..end, example);
            }
        }
        let cli = super::cli::commands(&groups, &shared_enums, &spec_trs, &mut self.problems);
        let cli_streams = super::cli::streams(&realtime.types, &spec_trs);
        let markets = self.markets(&groups);
        Api {
            groups,
            markets,
            shared_enums,
            realtime,
            ws_frames,
            errors,
            cli,
            cli_streams,
            provenance,
        }
    }

    fn markets(&mut self, groups: &[Group]) -> Vec<MarketDef> {
        let mut by_market: BTreeMap<String, MarketDef> = BTreeMap::new();
        for g in groups.iter().filter(|g| g.client_struct.is_some()) {
            let korean = g.korean.split(" > ").next().unwrap_or(&g.korean).to_owned();
            let entry = by_market
                .entry(g.market.clone())
                .or_insert_with(|| MarketDef {
                    accessor: g.market.clone(),
                    struct_name: names::pascal(&g.market),
                    korean,
                    groups: Vec::new(),
                });
            entry.groups.push(g.id.clone());
        }
        by_market.into_values().collect()
    }

    fn group(
        &mut self,
        source: &str,
        g: &spec::Group,
        file_trs: &'s [spec::Tr],
        realtime: &mut Vec<RealtimeType>,
    ) -> Group {
        let (market, _, _) = market_slug(g.market);
        let expected = format!("{market}-{}", g.category);
        if g.id != expected {
            self.problems.push(format!(
                "{source}: group id `{}` should be `{expected}` (market-category)",
                g.id
            ));
        }
        let module = names::snake(&g.id);
        let accessor = names::snake(&g.category);
        if names::is_keyword(&accessor) || !names::is_snake_ident(&accessor) {
            self.problems.push(format!(
                "{source}: category `{}` does not make a method name",
                g.category
            ));
        }
        let mut trs = Vec::new();
        for tr in file_trs {
            let location = format!("{source} {}", tr.id);
            match tr.transport {
                Transport::Realtime => match &tr.realtime {
                    Some(rt) => realtime.push(self.realtime_type(&location, tr, rt, g.market)),
                    None => self.problems.push(format!(
                        "{location}: realtime TR without a `realtime:` block"
                    )),
                },
                Transport::Rest | Transport::Oauth | Transport::ConditionSearch => {
                    if let Some(t) = self.tr(&location, source, g, tr) {
                        trs.push(t);
                    }
                    if let Some(rt) = &tr.realtime {
                        realtime.push(self.realtime_type(&location, tr, rt, g.market));
                    }
                }
            }
        }
        trs.sort_by(|a, b| a.api_id.cmp(&b.api_id));
        let mut methods: BTreeMap<&str, &str> = BTreeMap::new();
        let mut files: BTreeMap<String, &str> = BTreeMap::new();
        for t in &trs {
            if let Some(prev) = files.insert(t.file.to_lowercase(), &t.api_id) {
                self.problems.push(format!(
                    "{source}: TRs {prev} and {} would share the file `{}.rs`",
                    t.api_id, t.file
                ));
            }
            if matches!(t.kind, TrKind::Rest) {
                if let Some(prev) = methods.insert(&t.method, &t.api_id) {
                    self.problems.push(format!(
                        "{source}: client method name collision: `{}` is the name of both {prev} and {} (name one in spec/names.yaml)",
                        t.method, t.api_id
                    ));
                }
            }
        }
        let has_methods = trs.iter().any(|t| matches!(t.kind, TrKind::Rest));
        Group {
            id: g.id.clone(),
            module,
            market: market.to_owned(),
            client_struct: has_methods.then(|| names::pascal(&g.id)),
            accessor,
            korean: g.korean.clone(),
            english: g.english.clone(),
            source: source.to_owned(),
            trs,
            enums: Vec::new(),
            shared_enums: Vec::new(),
            example: Vec::new(),
        }
    }

    fn tr(
        &mut self,
        location: &str,
        source: &str,
        g: &spec::Group,
        tr: &'s spec::Tr,
    ) -> Option<Tr> {
        let name = names::tr_name(&tr.english_name, &tr.id, self.names);
        if !names::is_snake_ident(&name) || names::is_keyword(&name) {
            self.problems.push(format!(
                "{location}: name `{name}` (from english_name `{}`) is not a snake_case identifier",
                tr.english_name
            ));
            return None;
        }
        let owner = names::pascal(&name);
        let home = Home::Group(g.id.clone());
        let kind = match tr.transport {
            Transport::ConditionSearch => match &tr.trnm {
                Some(trnm) => TrKind::Condition { trnm: trnm.clone() },
                None => {
                    self.problems
                        .push(format!("{location}: condition-search TR without `trnm`"));
                    return None;
                }
            },
            _ => TrKind::Rest,
        };
        let market = if g.market == spec::Market::Oauth {
            spec::Market::Domestic
        } else {
            g.market
        };
        let mut nested = Vec::new();
        let req_scope = Scope {
            location: location.to_owned(),
            home: home.clone(),
            owner: &owner,
            role: Role::Request,
        };
        let mut request = self.structure(
            &req_scope,
            format!("{owner}Request"),
            &tr.request,
            RowShape::Object,
            &mut nested,
        );
        if let TrKind::Condition { trnm } = &kind {
            // The frame's trnm is a constant of the command, not something the caller sets.
            request.fields.retain(|f| f.wire != "trnm");
            request.trnm = Some(trnm.clone());
        }
        let resp_scope = Scope {
            location: location.to_owned(),
            home,
            owner: &owner,
            role: Role::Response,
        };
        let mut response = self.structure(
            &resp_scope,
            format!("{owner}Response"),
            &tr.response,
            RowShape::Object,
            &mut nested,
        );
        add_envelope(&mut response);
        self.check_field_names(location, &response);

        let paging = match &tr.paging {
            Paging::None => PagingDef::None,
            Paging::Header { list } => {
                if tr.safety == spec::Safety::OrderWrite {
                    self.problems.push(format!(
                        "{location}: an order_write TR declares header paging; refusing to generate a pager for an order"
                    ));
                }
                if !matches!(kind, TrKind::Rest) {
                    self.problems
                        .push(format!("{location}: header paging on a WebSocket command"));
                }
                match response.fields.iter().find(|f| &f.wire == list) {
                    Some(FieldDef {
                        rust,
                        ty: FieldTy::Records { row },
                        ..
                    }) => PagingDef::Header {
                        field: rust.clone(),
                        row: row.clone(),
                    },
                    Some(_) => {
                        self.problems.push(format!(
                            "{location}: paging list `{list}` is not a list of object rows"
                        ));
                        PagingDef::None
                    }
                    None => {
                        self.problems.push(format!(
                            "{location}: paging list `{list}` is not a top-level response field"
                        ));
                        PagingDef::None
                    }
                }
            }
            Paging::Body { list } => PagingDef::Body { list: list.clone() },
        };
        let safety_variant = match tr.safety {
            spec::Safety::Read => "Read",
            spec::Safety::AccountRead => "AccountRead",
            spec::Safety::OrderWrite => "OrderWrite",
            spec::Safety::AuthWrite => "AuthWrite",
        };
        let order_summary = match (tr.order, matches!(kind, TrKind::Rest)) {
            (Some(action), true) => Some(order_summary(action, &tr.request, &request)),
            (None, true) if tr.safety == spec::Safety::OrderWrite => {
                self.problems.push(format!(
                    "{location}: an order_write TR without `order:` (run the importer)"
                ));
                None
            }
            _ => None,
        };
        let mut t = Tr {
            api_id: tr.id.clone(),
            korean_name: tr.korean_name.clone(),
            method: name.clone(),
            file: tr.id.to_lowercase(),
            variant: names::pascal(&tr.id),
            kind,
            market,
            path: tr.path.clone(),
            safety: tr.safety,
            safety_variant: safety_variant.to_owned(),
            paging,
            doc: Vec::new(),
            method_doc: Vec::new(),
            request,
            response,
            nested,
            order_summary,
        };
        if !t.file.chars().all(|c| c.is_ascii_alphanumeric())
            || !t.file.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            self.problems.push(format!(
                "{location}: api-id `{}` does not make a module file name",
                tr.id
            ));
        }
        t.doc = tr_doc(&t, tr, g, source);
        t.method_doc = method_doc(&t, tr, g);
        t.request.doc = request_doc(&t, tr);
        t.response.doc = vec![format!(
            "Response of `{}` {}.",
            t.api_id,
            rustdoc_safe(&t.korean_name)
        )];
        Some(t)
    }

    /// Build one struct and, recursively, the structs of its lists and objects.
    fn structure(
        &mut self,
        scope: &Scope<'_>,
        name: String,
        fields: &'s [Field],
        shape: RowShape,
        nested: &mut Vec<StructDef>,
    ) -> StructDef {
        let is_request = matches!(scope.role, Role::Request | Role::RequestPart);
        let list_count = count_lists(fields);
        let mut out = Vec::new();
        for f in fields {
            let field_location = format!("{} field `{}`", scope.location, f.wire);
            let mut rust = f.rust.clone();
            if !names::is_snake_ident(&rust) {
                self.problems.push(format!(
                    "{field_location}: Rust name `{rust}` is not a snake_case identifier"
                ));
            }
            if names::is_keyword(&rust) {
                self.problems.push(format!(
                    "{field_location}: Rust name `{rust}` is a Rust keyword"
                ));
            }
            let reserved = if is_request {
                REQUEST_RESERVED
            } else {
                RESPONSE_RESERVED
            };
            let mut renamed = false;
            if reserved.iter().any(|(r, _)| *r == rust) {
                rust = format!("{rust}_value");
                renamed = true;
            }
            let child_name = |suffix: &str| match scope.role {
                Role::Response if list_count == 1 && f.ty == ValueType::List => {
                    format!("{}Row", scope.owner)
                }
                Role::Response | Role::Request => {
                    format!("{}{}{suffix}", scope.owner, names::pascal(&f.rust))
                }
                Role::RequestPart | Role::ResponsePart => {
                    let parent = name.trim_end_matches("Row").trim_end_matches("Item");
                    format!("{parent}{}{suffix}", names::pascal(&f.rust))
                }
            };
            let part_role = if is_request {
                Role::RequestPart
            } else {
                Role::ResponsePart
            };
            let ty = match f.ty {
                ValueType::List => {
                    if f.fields.is_empty() {
                        self.problems
                            .push(format!("{field_location}: list without fields"));
                        continue;
                    }
                    match f.row_shape {
                        RowShape::Scalar => {
                            if f.fields.len() != 1 {
                                self.problems.push(format!("{field_location}: a scalar list needs exactly one element field"));
                                continue;
                            }
                            let element = &f.fields[0];
                            match self.value_type(
                                scope,
                                element,
                                &format!("{field_location} element"),
                            ) {
                                Some(FieldTy::Value { rust, format, .. }) => {
                                    FieldTy::Values { rust, format }
                                }
                                _ => continue,
                            }
                        }
                        shape => {
                            let row = child_name(if is_request { "Item" } else { "Row" });
                            let child_scope = Scope {
                                location: field_location.clone(),
                                home: scope.home.clone(),
                                owner: scope.owner,
                                role: part_role,
                            };
                            let s =
                                self.structure(&child_scope, row.clone(), &f.fields, shape, nested);
                            nested.push(s);
                            FieldTy::Records { row }
                        }
                    }
                }
                ValueType::Object => {
                    if f.fields.is_empty() {
                        self.problems
                            .push(format!("{field_location}: object without fields"));
                        continue;
                    }
                    let obj = child_name(if is_request { "Param" } else { "" });
                    let child_scope = Scope {
                        location: field_location.clone(),
                        home: scope.home.clone(),
                        owner: scope.owner,
                        role: part_role,
                    };
                    let s = self.structure(
                        &child_scope,
                        obj.clone(),
                        &f.fields,
                        RowShape::Object,
                        nested,
                    );
                    nested.push(s);
                    FieldTy::Object { name: obj }
                }
                _ if f.wire == "return_code" && !is_request => FieldTy::ReturnCode,
                _ => match self.value_type(scope, f, &field_location) {
                    Some(ty) => ty,
                    None => continue,
                },
            };
            let optional = if is_request {
                !f.required
            } else {
                f.presence != Presence::Required
            };
            let mut doc = field_doc(f, is_request);
            if renamed {
                doc.push(String::new());
                doc.push(format!(
                    "Named `{rust}` because `{}` is a method of the generated type.",
                    f.rust
                ));
            }
            out.push(FieldDef {
                wire: f.wire.clone(),
                rust,
                doc,
                ty,
                optional: optional || matches!(shape, RowShape::Array) && !is_request,
                required: is_request && f.required,
                max_length: f.max_length,
            });
        }
        let s = StructDef {
            name,
            role: scope.role,
            shape,
            doc: Vec::new(),
            fields: out,
            trnm: None,
        };
        self.check_field_names(&scope.location, &s);
        let mut s = s;
        if matches!(scope.role, Role::RequestPart | Role::ResponsePart) {
            s.doc = vec![format!("A row of {}.", rustdoc_safe(&scope.location))];
        }
        s
    }

    /// The Rust type and format of a scalar or enum field.
    fn value_type(&mut self, scope: &Scope<'_>, f: &'s Field, location: &str) -> Option<FieldTy> {
        let c = &f.codec;
        let mut format = FormatDef {
            scale: c.scale.unwrap_or(0),
            double_sign: c.double_sign,
            saturates: c.saturates,
            zero_pad: c.zero_pad.unwrap_or(0),
            time_digits: 6,
        };
        if f.enumeration.is_some() && f.ty != ValueType::Enum {
            self.problems.push(format!(
                "{location}: has `enum:` values but type `{:?}`",
                f.ty
            ));
        }
        let (rust, setter) = match f.ty {
            ValueType::Text if SECRET_WIRES.contains(&f.wire.as_str()) => (
                "kiwoom_runtime::codec::Secret".to_owned(),
                Setter::IntoSecret,
            ),
            ValueType::Text => ("String".to_owned(), Setter::IntoString),
            // A sign that is a direction or a trade side is not arithmetic: the value is a
            // magnitude with that fact beside it (kiwoom_runtime::codec::signed).
            ValueType::Integer | ValueType::Decimal if c.sign == Sign::Side => (
                "kiwoom_runtime::codec::SidedQuantity".to_owned(),
                Setter::Plain,
            ),
            ValueType::Integer if c.sign == Sign::Direction && format.scale == 0 => (
                "kiwoom_runtime::codec::Directed<i64>".to_owned(),
                Setter::Plain,
            ),
            ValueType::Integer | ValueType::Decimal if c.sign == Sign::Direction => (
                "kiwoom_runtime::codec::Directed<rust_decimal::Decimal>".to_owned(),
                Setter::Plain,
            ),
            ValueType::Integer if format.scale > 0 => {
                ("rust_decimal::Decimal".to_owned(), Setter::Plain)
            }
            ValueType::Integer => ("i64".to_owned(), Setter::Plain),
            ValueType::Decimal => ("rust_decimal::Decimal".to_owned(), Setter::Plain),
            ValueType::Date => ("chrono::NaiveDate".to_owned(), Setter::Plain),
            ValueType::Time => ("chrono::NaiveTime".to_owned(), Setter::Plain),
            ValueType::Datetime => ("chrono::NaiveDateTime".to_owned(), Setter::Plain),
            ValueType::Enum => {
                let Some(spec) = &f.enumeration else {
                    self.problems
                        .push(format!("{location}: type enum without `enum:` values"));
                    return None;
                };
                let index = self.enum_uses.len();
                self.enum_uses.push(EnumUse {
                    home: scope.home.clone(),
                    owner: scope.owner.to_owned(),
                    field: names::pascal(&f.rust),
                    location: location.to_owned(),
                    spec,
                });
                (format!("{ENUM_PLACEHOLDER}{index}"), Setter::Plain)
            }
            ValueType::List | ValueType::Object => {
                self.problems.push(format!(
                    "{location}: a {:?} where a single value is expected",
                    f.ty
                ));
                return None;
            }
        };
        // A field's part in an order decides a type a caller cannot swap with another.
        let (rust, setter) = match (f.role, f.ty) {
            (Some(FieldRole::StockCode), ValueType::Text) => {
                ("kiwoom_runtime::codec::StockCode".to_owned(), Setter::Into)
            }
            (Some(FieldRole::OrderNumber | FieldRole::OriginalOrderNumber), ValueType::Text) => (
                "kiwoom_runtime::codec::OrderNumber".to_owned(),
                Setter::Into,
            ),
            (Some(FieldRole::Quantity), ValueType::Integer) if format.scale == 0 => {
                ("kiwoom_runtime::codec::Quantity".to_owned(), Setter::Plain)
            }
            (Some(FieldRole::Price | FieldRole::StopPrice), ValueType::Integer)
                if format.scale == 0 =>
            {
                ("kiwoom_runtime::codec::Price".to_owned(), Setter::Plain)
            }
            (
                Some(FieldRole::Price | FieldRole::StopPrice),
                ValueType::Integer | ValueType::Decimal,
            ) => (
                "kiwoom_runtime::codec::Price<rust_decimal::Decimal>".to_owned(),
                Setter::Plain,
            ),
            (Some(role), ty) => {
                self.problems.push(format!(
                    "{location}: role {role:?} on a field of type {ty:?}"
                ));
                (rust, setter)
            }
            (None, _) => (rust, setter),
        };
        if format.scale > 0 && !matches!(f.ty, ValueType::Integer | ValueType::Decimal) {
            self.problems
                .push(format!("{location}: codec.scale on a non-numeric field"));
            format.scale = 0;
        }
        Some(FieldTy::Value {
            rust,
            format,
            setter,
        })
    }

    fn check_field_names(&mut self, location: &str, s: &StructDef) {
        let mut wires: BTreeMap<&str, &str> = BTreeMap::new();
        let mut rusts: BTreeMap<&str, &str> = BTreeMap::new();
        for f in &s.fields {
            if let Some(prev) = wires.insert(&f.wire, &f.rust) {
                self.problems.push(format!(
                    "{location}: `{}` lists wire key `{}` twice (`{prev}` and `{}`)",
                    s.name, f.wire, f.rust
                ));
            }
            if let Some(prev) = rusts.insert(&f.rust, &f.wire) {
                self.problems.push(format!(
                    "{location}: field name collision in `{}`: `{}` is the Rust name of both `{prev}` and `{}`",
                    s.name, f.rust, f.wire
                ));
            }
        }
    }

    fn check_module_names(&mut self, source: &str, g: &Group) {
        let mut types: BTreeMap<String, String> = BTreeMap::new();
        let mut add = |problems: &mut Vec<String>, name: &str, what: String| {
            if let Some(prev) = types.insert(name.to_owned(), what.clone()) {
                problems.push(format!("{source}: type name collision in module `{}`: `{name}` is both {prev} and {what}", g.module));
            }
        };
        for t in &g.trs {
            for s in [&t.request, &t.response].into_iter().chain(&t.nested) {
                add(
                    &mut self.problems,
                    &s.name,
                    format!("a struct of {}", t.api_id),
                );
            }
        }
        for e in &g.enums {
            add(
                &mut self.problems,
                &e.name,
                "an enum of this group".to_owned(),
            );
        }
        for e in &g.shared_enums {
            add(&mut self.problems, e, "a shared enum".to_owned());
        }
    }

    fn check_realtime_names(&mut self, r: &Realtime) {
        let mut types: BTreeMap<String, String> = BTreeMap::new();
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        let mut codes: BTreeMap<&str, &str> = BTreeMap::new();
        types.insert("RealtimeEvent".to_owned(), "the event enum".to_owned());
        types.insert("RealtimeFrame".to_owned(), "the frame type".to_owned());
        for t in &r.types {
            let what = format!("realtime type {} ({})", t.code, t.api_id);
            if let Some(prev) = types.insert(t.struct_name.clone(), what.clone()) {
                self.problems.push(format!(
                    "realtime: type name collision: `{}` is both {prev} and {what}",
                    t.struct_name
                ));
            }
            if let Some(prev) = files.insert(t.file.clone(), what.clone()) {
                self.problems.push(format!(
                    "realtime: file `{}.rs` is both {prev} and {what}",
                    t.file
                ));
            }
            if let Some(prev) = codes.insert(&t.code, &t.api_id) {
                self.problems.push(format!(
                    "realtime type `{}` is documented by both {prev} and {}",
                    t.code, t.api_id
                ));
            }
        }
        for e in r.enums.iter().map(|e| &e.name).chain(&r.shared_enums) {
            if let Some(prev) = types.insert(e.clone(), "an enum".to_owned()) {
                self.problems.push(format!(
                    "realtime: type name collision: `{e}` is both {prev} and an enum"
                ));
            }
        }
    }

    fn realtime_type(
        &mut self,
        location: &str,
        tr: &'s spec::Tr,
        rt: &'s spec::Realtime,
        market: spec::Market,
    ) -> RealtimeType {
        let snake = names::realtime_name(
            &tr.english_name,
            &rt.kind,
            market == spec::Market::Us,
            self.names,
        );
        let struct_name = names::pascal(&snake);
        let scope = Scope {
            location: location.to_owned(),
            home: Home::Realtime,
            owner: &struct_name,
            role: Role::ResponsePart,
        };
        let mut fields = Vec::new();
        for f in &rt.values {
            let field_location = format!("{location} realtime value `{}`", f.wire);
            if !names::is_snake_ident(&f.rust) || names::is_keyword(&f.rust) {
                self.problems.push(format!(
                    "{field_location}: Rust name `{}` is not a usable identifier",
                    f.rust
                ));
                continue;
            }
            let Some(ty) = self.value_type(&scope, f, &field_location) else {
                continue;
            };
            let rust = if REALTIME_RESERVED.iter().any(|(r, _)| *r == f.rust) {
                format!("{}_value", f.rust)
            } else {
                f.rust.clone()
            };
            fields.push(FieldDef {
                wire: f.wire.clone(),
                rust,
                doc: field_doc(f, false),
                ty,
                optional: true,
                required: false,
                max_length: None,
            });
        }
        let check = StructDef {
            name: struct_name.clone(),
            role: Role::ResponsePart,
            shape: RowShape::Object,
            doc: Vec::new(),
            fields,
            trnm: None,
        };
        self.check_field_names(location, &check);
        let ids = check
            .fields
            .iter()
            .map(|f| match realtime_id(&f.wire) {
                Some(id) => id,
                None => {
                    self.problems.push(format!(
                        "{location} realtime value `{}`: the id is not a plain number",
                        f.wire
                    ));
                    0
                }
            })
            .collect();
        let mut doc = vec![format!(
            "Realtime type `{}`: {} ({}).",
            rt.kind,
            rustdoc_safe(&tr.korean_name),
            tr.english_name.replace('_', " ")
        )];
        doc.push(String::new());
        doc.push(format!(
            "Documented by `{}`; pushed in REAL frames on `{}`.",
            tr.id, tr.path
        ));
        doc.push(format!("Registered item: {:?}. Every value is optional; ids the spec does not list are kept in `extra_values`.", rt.item));
        if !tr.summary.is_empty() {
            doc.push(String::new());
            doc.extend(lines(&tr.summary));
        }
        RealtimeType {
            code: rt.kind.clone(),
            api_id: tr.id.clone(),
            korean_name: tr.korean_name.clone(),
            file: snake,
            source: location.split(' ').next().unwrap_or_default().to_owned(),
            struct_name,
            market: if market == spec::Market::Us {
                spec::Market::Us
            } else {
                spec::Market::Domestic
            },
            item: rt.item,
            doc,
            fields: check.fields,
            ids,
        }
    }

    /// Frames the server sends that are neither REAL pushes (the realtime module) nor
    /// condition-search replies (their TRs): LOGIN, REG, REMOVE, PING, SYSTEM, errors.
    fn ws_frames(
        &mut self,
        ws: &'s spec::WebsocketFile,
        condition_trnms: &BTreeSet<String>,
    ) -> Vec<WsFrame> {
        let mut frames: BTreeMap<String, WsFrame> = BTreeMap::new();
        for m in &ws.messages {
            if m.direction == spec::WsDirection::ClientToServer
                || m.trnm == "REAL"
                || condition_trnms.contains(&m.trnm)
            {
                continue;
            }
            let market = match m.market {
                Some(spec::Market::Us) => "Us",
                Some(spec::Market::Domestic) => "Domestic",
                _ => "",
            };
            // The error frame echoes an empty trnm; the captures call it WSERR.
            let (api_id, base) = if m.trnm.is_empty() {
                ("WSERR".to_owned(), "Error".to_owned())
            } else {
                (m.trnm.clone(), names::pascal(&m.trnm.to_lowercase()))
            };
            let name = format!("{base}{market}Frame");
            let location = format!("spec/websocket.yaml {} ({:?})", m.trnm, m.direction);
            let scope = Scope {
                location: location.clone(),
                home: Home::Ws,
                owner: &name,
                role: Role::Response,
            };
            let mut nested = Vec::new();
            let mut def = self.structure(
                &scope,
                name.clone(),
                &m.fields,
                RowShape::Object,
                &mut nested,
            );
            def.doc = lines(&m.description);
            def.doc
                .insert(0, format!("The `{}` frame the server sends.", m.trnm));
            let key = format!("{api_id}{market}");
            let frame = WsFrame {
                trnm: m.trnm.clone(),
                api_id: key.clone(),
                doc: def.doc.clone(),
                def,
                nested,
            };
            if frames.insert(key.clone(), frame).is_some() {
                self.problems.push(format!(
                    "spec/websocket.yaml: two server frames for `{key}`"
                ));
            }
        }
        frames.into_values().collect()
    }

    fn errors(&mut self, file: &spec::ErrorsFile) -> Vec<ErrorCodeDef> {
        let mut out: Vec<ErrorCodeDef> = Vec::new();
        let mut codes = BTreeMap::new();
        let mut variants = BTreeMap::new();
        for e in &file.errors {
            if let Some(prev) = codes.insert(e.code, e.rust.clone()) {
                self.problems.push(format!(
                    "spec/errors.yaml: code {} listed twice ({prev} and {})",
                    e.code, e.rust
                ));
            }
            if let Some(prev) = variants.insert(e.rust.clone(), e.code) {
                self.problems.push(format!(
                    "spec/errors.yaml: variant `{}` used for codes {prev} and {}",
                    e.rust, e.code
                ));
            }
            if !names::is_pascal_ident(&e.rust) || e.rust == "Unknown" {
                self.problems.push(format!(
                    "spec/errors.yaml: code {} variant `{}` is not a usable name",
                    e.code, e.rust
                ));
            }
            let class = match e.class {
                spec::ErrorClass::Auth => "Auth",
                spec::ErrorClass::RateLimit => "RateLimit",
                spec::ErrorClass::BadInput => "BadInput",
                spec::ErrorClass::NotFound => "NotFound",
                spec::ErrorClass::Unsupported => "Unsupported",
                spec::ErrorClass::Server => "Server",
            };
            let retry = match e.retry {
                spec::Retry::Never => "Never",
                spec::Retry::Backoff => "Backoff",
                spec::Retry::RefreshToken => "RefreshToken",
            };
            out.push(ErrorCodeDef {
                code: e.code,
                variant: e.rust.clone(),
                korean: e.korean.clone(),
                english: e.english.clone(),
                class: class.to_owned(),
                retry: retry.to_owned(),
            });
        }
        out.sort_by_key(|e| e.code);
        out
    }
}

fn count_lists(fields: &[Field]) -> usize {
    fields
        .iter()
        .map(|f| usize::from(f.ty == ValueType::List) + count_lists(&f.fields))
        .sum()
}

/// Every response carries Kiwoom's envelope, listed in the tables or not.
fn add_envelope(response: &mut StructDef) {
    if !response.fields.iter().any(|f| f.wire == "return_code") {
        response.fields.push(FieldDef {
            wire: "return_code".to_owned(),
            rust: "return_code".to_owned(),
            doc: vec![
                "Kiwoom's result code (`return_code`, a JSON number): 0 on success.".to_owned(),
            ],
            ty: FieldTy::ReturnCode,
            optional: true,
            required: false,
            max_length: None,
        });
    }
    if !response.fields.iter().any(|f| f.wire == "return_msg") {
        response.fields.push(FieldDef {
            wire: "return_msg".to_owned(),
            rust: "return_msg".to_owned(),
            doc: vec!["Kiwoom's result message (`return_msg`).".to_owned()],
            ty: FieldTy::Value {
                rust: "String".to_owned(),
                format: FormatDef {
                    time_digits: 6,
                    ..FormatDef::default()
                },
                setter: Setter::IntoString,
            },
            optional: true,
            required: false,
            max_length: None,
        });
    }
}

/// The order summary from the spec's markers: the TR's `order:` and its fields' `role:`.
fn order_summary(
    action: spec::OrderAction,
    fields: &[Field],
    request: &StructDef,
) -> OrderSummaryDef {
    let pick = |role: FieldRole| {
        let wire = &fields.iter().find(|f| f.role == Some(role))?.wire;
        let f = request.fields.iter().find(|f| &f.wire == wire)?;
        match &f.ty {
            FieldTy::Value { format, rust, .. } => Some(SummaryField {
                decimal: rust.contains("Decimal"),
                rust: f.rust.clone(),
                optional: f.optional,
                format: *format,
            }),
            _ => None,
        }
    };
    OrderSummaryDef {
        action,
        stock_code: pick(FieldRole::StockCode),
        quantity: pick(FieldRole::Quantity),
        price: pick(FieldRole::Price),
        original_order_no: pick(FieldRole::OriginalOrderNumber),
    }
}

fn english_words(name: &str) -> String {
    name.replace('_', " ")
}

fn field_doc(f: &Field, is_request: bool) -> Vec<String> {
    let mut doc = vec![format!("{} (`{}`)", rustdoc_safe(&f.korean), f.wire)];
    let description = lines(&f.description);
    if !description.is_empty() {
        doc.push(String::new());
        doc.extend(description);
    }
    let mut facts = vec![format!("type {:?}", f.ty).to_lowercase()];
    if let Some(unit) = &f.unit {
        facts.push(format!("unit {}", rustdoc_safe(unit)));
    }
    match f.codec.sign {
        Sign::None => {}
        Sign::Direction => facts.push("sign = direction against the previous close".to_owned()),
        Sign::Value => facts.push("signed".to_owned()),
        Sign::Side => {
            facts.push("sign = the side that took liquidity (+ buyer, - seller)".to_owned())
        }
    }
    if let Some(scale) = f.codec.scale {
        facts.push(format!("wire integer x10^{scale}"));
    }
    if let Some(pad) = f.codec.zero_pad {
        facts.push(format!("zero-padded to {pad}"));
    }
    if f.codec.double_sign {
        facts.push("may arrive with a doubled sign (`--`)".to_owned());
    }
    if f.codec.saturates {
        facts.push("may arrive saturated at 4294967295".to_owned());
    }
    if f.codec.market_prefix {
        facts.push("may carry a market prefix letter (`A005930`)".to_owned());
    }
    if let Some(max) = f.max_length {
        facts.push(format!("at most {max} characters"));
    }
    if is_request {
        facts.push(if f.required {
            "required".to_owned()
        } else {
            "optional".to_owned()
        });
    } else {
        match f.presence {
            Presence::Required => facts.push("always sent".to_owned()),
            Presence::Optional => {}
            Presence::Ghost => facts.push("documented but not sent by the live server".to_owned()),
        }
    }
    doc.push(String::new());
    doc.push(format!("Wire: {}.", facts.join(", ")));
    doc
}

fn paging_line(t: &Tr) -> String {
    match &t.paging {
        PagingDef::None => "Paging: none (one call, one answer).".to_owned(),
        PagingDef::Header { field, .. } => {
            format!(
                "Paging: `cont-yn`/`next-key` headers; `.pages()` streams pages, `.items()` the rows of `{field}`."
            )
        }
        PagingDef::Body { list } => {
            format!("Paging: `cont_yn`/`next_key` in the frame body, over `{list}`.")
        }
    }
}

fn safety_line(t: &Tr) -> &'static str {
    match t.safety {
        spec::Safety::Read => "Safety: read (a query; retried on transient failures).",
        spec::Safety::AccountRead => {
            "Safety: account read (a query; retried on transient failures)."
        }
        spec::Safety::OrderWrite => {
            "Safety: order write (money moves: never resent once it may have reached the server)."
        }
        spec::Safety::AuthWrite => "Safety: auth write (token issue or revoke).",
    }
}

fn tr_doc(t: &Tr, tr: &spec::Tr, g: &spec::Group, source: &str) -> Vec<String> {
    let mut doc = vec![format!(
        "`{}` {}: {}.",
        t.api_id,
        rustdoc_safe(&t.korean_name),
        english_words(&tr.english_name)
    )];
    if !tr.summary.is_empty() {
        doc.push(String::new());
        doc.extend(lines(&tr.summary));
    }
    doc.push(String::new());
    doc.push(format!(
        "- Menu: {} > {}",
        rustdoc_safe(&g.korean),
        rustdoc_safe(&t.korean_name)
    ));
    match &t.kind {
        TrKind::Rest => doc.push(format!(
            "- URL: `POST {}` with header `api-id: {}`",
            t.path, t.api_id
        )),
        TrKind::Condition { trnm } => {
            doc.push(format!("- WebSocket: `{}`, frame `trnm: {trnm}`", t.path))
        }
    }
    doc.push(format!("- {}", safety_line(t)));
    doc.push(format!("- {}", paging_line(t)));
    doc.push(format!(
        "- Spec: `{source}`, Kiwoom function `{}`",
        tr.function_name
    ));
    if !tr.notes.is_empty() {
        doc.push(String::new());
        doc.push("Kiwoom's notes:".to_owned());
        for n in &tr.notes {
            doc.push(format!("- {}", rustdoc_safe(n.trim())));
        }
    }
    doc
}

fn example_args(request: &StructDef) -> String {
    request
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| match &f.ty {
            FieldTy::Value {
                setter: Setter::IntoString | Setter::IntoSecret,
                ..
            } if f.wire.contains("stk_cd") => "\"005930\"".to_owned(),
            FieldTy::Value {
                setter: Setter::IntoString | Setter::IntoSecret,
                ..
            } => "\"...\"".to_owned(),
            _ => f.rust.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn method_doc(t: &Tr, tr: &spec::Tr, g: &spec::Group) -> Vec<String> {
    let (market, _, _) = market_slug(g.market);
    let mut doc = vec![format!(
        "`{}` {}: {}.",
        t.api_id,
        rustdoc_safe(&t.korean_name),
        english_words(&tr.english_name)
    )];
    doc.push(String::new());
    doc.push(format!(
        "`POST {}`. {} {}",
        t.path,
        paging_line(t),
        safety_line(t)
    ));
    doc.push(String::new());
    doc.push("```ignore".to_owned());
    doc.push("use kiwoom_generated::prelude::*;".to_owned());
    doc.push(format!(
        "use kiwoom_generated::{}::{};",
        names::snake(&g.id),
        t.request.name
    ));
    doc.push(String::new());
    doc.push(format!(
        "let request = {}::new({});",
        t.request.name,
        example_args(&t.request)
    ));
    let call = format!(
        "client.{market}().{}().{}(request)",
        names::snake(&g.category),
        t.method
    );
    match &t.paging {
        PagingDef::Header { .. } => {
            doc.push(format!("let mut rows = {call}.items();"));
            doc.push("while let Some(row) = rows.next().await {".to_owned());
            doc.push("    println!(\"{:?}\", row?);".to_owned());
            doc.push("}".to_owned());
        }
        _ => doc.push(format!("let response = {call}.await?;")),
    }
    doc.push("```".to_owned());
    doc
}

fn request_doc(t: &Tr, tr: &spec::Tr) -> Vec<String> {
    let mut doc = t.doc.clone();
    let _ = tr;
    doc.push(String::new());
    doc.push("Required fields are the arguments of `new`; optional ones have setters.".to_owned());
    doc
}

/// A realtime value id as the number the decoder matches: digits only, no leading zero (so
/// `"010"` cannot alias `"10"`), at most 9 digits.
fn realtime_id(wire: &str) -> Option<u32> {
    let canonical = !wire.is_empty()
        && wire.len() <= 9
        && wire.bytes().all(|b| b.is_ascii_digit())
        && (wire == "0" || !wire.starts_with('0'));
    canonical.then(|| wire.parse().ok()).flatten()
}

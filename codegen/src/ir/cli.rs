//! The command line's view of the API (`kiwoom-cli`): one command per REST and OAuth TR,
//! its path, flags, and what `kiwoom describe` shows. Decided here, once, from the IR's own
//! names and the spec's facts (Korean labels, units, descriptions) that the bindings do not
//! carry; the CLI emitter only prints it.
//!
//! Command paths are the client's method path in kebab case: `client.domestic().chart()
//! .stock_daily_chart(..)` is `kiwoom domestic chart stock-daily-chart`, so a name fixed in
//! `spec/names.yaml` renames both. A flag is the request field's Rust name in kebab case
//! (`--stock-code`), so the flags read like the typed request's setters.

use std::collections::BTreeMap;

use heck::ToKebabCase;

use super::{EnumDef, FieldTy, Group, PagingDef, RealtimeType, TrKind};
use crate::spec::{self, Field, RealtimeItem, Sign, ValueType};

/// One command: `kiwoom <market> <group> <name>`.
#[derive(Debug, Clone, PartialEq)]
pub struct CliCommand {
    pub api_id: String,
    pub korean_name: String,
    /// `domestic`, `us`, `oauth`.
    pub market: String,
    /// `stock-info`.
    pub group: String,
    /// `stock-daily-chart`.
    pub name: String,
    /// Kiwoom's menu path of the group: `국내주식 > 차트`.
    pub group_korean: String,
    /// The group's English title: `Domestic stock charts`.
    pub group_english: String,
    /// The TR's English words (its method name with spaces): `stock daily chart`, for
    /// `kiwoom find`.
    pub english: String,
    /// First line of Kiwoom's overview, if any.
    pub summary: String,
    /// Kiwoom's safety policy, as the `SafetyClass` variant the TR's `TrInfo` names
    /// (`OrderWrite`: money moves, gated behind `--allow-orders`).
    pub safety: String,
    /// Wire name of the list continued through `cont-yn`/`next-key`, for header-paged TRs.
    pub paging_list: Option<String>,
    pub flags: Vec<CliFlag>,
    /// Response fields, rows flattened as `list[].field`, for `describe` and table columns.
    pub response: Vec<CliField>,
}

/// One flag: a request field.
#[derive(Debug, Clone, PartialEq)]
pub struct CliFlag {
    /// `stock-code` (the flag is `--stock-code`).
    pub long: String,
    /// `stk_cd`.
    pub wire: String,
    pub korean: String,
    pub unit: Option<String>,
    /// Kiwoom's description on one line.
    pub description: String,
    pub kind: CliKind,
    pub required: bool,
    pub max_length: Option<u32>,
}

/// What a flag's value is; the CLI parses and converts by it.
#[derive(Debug, Clone, PartialEq)]
pub enum CliKind {
    Text,
    /// An app key or secret key: never echoed.
    Secret,
    Integer,
    Decimal,
    Date,
    Time,
    Datetime,
    /// One of the documented codes, by code, by name or by Korean label.
    Enum {
        /// The generated enum's name: `AdjustedStockPriceType`.
        name: String,
        values: Vec<CliValue>,
    },
}

/// One documented code of an enum flag.
#[derive(Debug, Clone, PartialEq)]
pub struct CliValue {
    pub code: String,
    /// The variant's name in kebab case: `adjusted`.
    pub name: String,
    pub korean: String,
}

/// A response field as `describe` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CliField {
    /// `cur_prc`, or `stk_dt_pole_chart_qry[].cur_prc` inside a list.
    pub path: String,
    pub rust: String,
    pub korean: String,
    pub unit: Option<String>,
    /// `text`, `integer`, `decimal`, `date`, `time`, `datetime`, `enum`, `list`, `object`.
    pub ty: String,
    /// `direction` (the sign is the move against the previous close), `value`
    /// (arithmetic), `side` (the aggressor of a trade), or empty.
    pub sign: String,
    /// For a coded field: its documented codes and Korean labels, so a table shows `하락`,
    /// not `5`. Names are the spec's suggestions in kebab case (display only).
    pub values: Vec<CliValue>,
}

/// A realtime type `kiwoom stream` registers with REG (condition-search hits are pushed by
/// a condition search, not registered, so they have none).
#[derive(Debug, Clone, PartialEq)]
pub struct CliStream {
    /// The REAL `type`: `0B`.
    pub code: String,
    pub korean_name: String,
    /// The WebSocket it is registered on: `domestic`, `us`.
    pub market: String,
    /// What REG's item holds: `stock`, `sector`, `account` (no item), `us_symbol`.
    pub item: String,
    /// The values, `path` being the numeric id (`10`).
    pub values: Vec<CliField>,
}

/// The realtime types `kiwoom stream` can register, sorted by code.
pub fn streams(types: &[RealtimeType], spec_trs: &[&spec::Tr]) -> Vec<CliStream> {
    types
        .iter()
        .filter_map(|t| {
            let item = match t.item {
                RealtimeItem::Stock => "stock",
                RealtimeItem::Sector => "sector",
                RealtimeItem::Account => "account",
                RealtimeItem::UsSymbol => "us_symbol",
                RealtimeItem::ConditionSearch => return None,
            };
            let spec_values = spec_trs
                .iter()
                .filter_map(|s| s.realtime.as_ref())
                .find(|r| r.kind == t.code)
                .map(|r| r.values.as_slice())
                .unwrap_or_default();
            let mut values = Vec::new();
            response_fields("", spec_values, &mut values);
            // The Rust names are the IR's (unique per type), not the spec's suggestions.
            for v in &mut values {
                if let Some(f) = t.fields.iter().find(|f| f.wire == v.path) {
                    v.rust = f.rust.clone();
                }
            }
            Some(CliStream {
                code: t.code.clone(),
                korean_name: t.korean_name.clone(),
                market: match t.market {
                    spec::Market::Us => "us",
                    _ => "domestic",
                }
                .to_owned(),
                item: item.to_owned(),
                values,
            })
        })
        .collect()
}

/// Commands of every REST and OAuth TR, in group then api-id order.
pub fn commands(
    groups: &[Group],
    shared_enums: &[EnumDef],
    spec_trs: &[&spec::Tr],
    problems: &mut Vec<String>,
) -> Vec<CliCommand> {
    let by_id: BTreeMap<&str, &spec::Tr> = spec_trs.iter().map(|t| (t.id.as_str(), *t)).collect();
    let mut out = Vec::new();
    for g in groups {
        let enums: BTreeMap<&str, &EnumDef> = g
            .enums
            .iter()
            .chain(shared_enums)
            .map(|e| (e.name.as_str(), e))
            .collect();
        for t in &g.trs {
            if !matches!(t.kind, TrKind::Rest) {
                continue;
            }
            let Some(source) = by_id.get(t.api_id.as_str()) else {
                continue;
            };
            let flags = t
                .request
                .fields
                .iter()
                .filter_map(|f| {
                    let spec_field = source.request.iter().find(|s| s.wire == f.wire)?;
                    Some(CliFlag {
                        long: f.rust.to_kebab_case(),
                        wire: f.wire.clone(),
                        korean: spec_field.korean.clone(),
                        unit: spec_field.unit.clone(),
                        description: one_line(&spec_field.description),
                        kind: kind(&f.ty, spec_field, &enums).unwrap_or_else(|| {
                            problems.push(format!(
                                "{} request field `{}`: enum type `{}` not found for the command line",
                                t.api_id, f.wire, type_name(&f.ty)
                            ));
                            CliKind::Text
                        }),
                        required: f.required,
                        max_length: f.max_length,
                    })
                })
                .collect();
            let paging_list = match &t.paging {
                PagingDef::Header { field, .. } => t
                    .response
                    .fields
                    .iter()
                    .find(|f| &f.rust == field)
                    .map(|f| f.wire.clone()),
                _ => None,
            };
            let mut response = Vec::new();
            response_fields("", &source.response, &mut response);
            out.push(CliCommand {
                api_id: t.api_id.clone(),
                korean_name: t.korean_name.clone(),
                market: g.market.clone(),
                group: g.accessor.to_kebab_case(),
                name: t.method.to_kebab_case(),
                group_korean: g.korean.clone(),
                group_english: g.english.clone(),
                english: t.method.replace('_', " "),
                summary: source
                    .summary
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or_default()
                    .to_owned(),
                safety: t.safety_variant.clone(),
                paging_list,
                flags,
                response,
            });
        }
    }
    out
}

/// The flag kind follows the IR's Rust type decision (secrets, enums) and the spec's value
/// type (dates, numbers).
fn kind(ty: &FieldTy, f: &Field, enums: &BTreeMap<&str, &EnumDef>) -> Option<CliKind> {
    let rust = type_name(ty);
    if rust == "kiwoom_runtime::codec::Secret" {
        return Some(CliKind::Secret);
    }
    Some(match f.ty {
        ValueType::Enum => {
            let name = rust.trim_start_matches("super::");
            let e = enums.get(name)?;
            CliKind::Enum {
                name: e.name.clone(),
                values: e
                    .variants
                    .iter()
                    .map(|v| CliValue {
                        code: v.code.clone(),
                        name: v.name.to_kebab_case(),
                        korean: v.korean.clone(),
                    })
                    .collect(),
            }
        }
        ValueType::Integer => CliKind::Integer,
        ValueType::Decimal => CliKind::Decimal,
        ValueType::Date => CliKind::Date,
        ValueType::Time => CliKind::Time,
        ValueType::Datetime => CliKind::Datetime,
        ValueType::Text | ValueType::List | ValueType::Object => CliKind::Text,
    })
}

fn type_name(ty: &FieldTy) -> &str {
    match ty {
        FieldTy::Value { rust, .. } => rust,
        _ => "",
    }
}

fn response_fields(prefix: &str, fields: &[Field], out: &mut Vec<CliField>) {
    for f in fields {
        let path = format!("{prefix}{}", f.wire);
        out.push(CliField {
            path: path.clone(),
            rust: f.rust.clone(),
            korean: f.korean.clone(),
            unit: f.unit.clone(),
            ty: value_type_name(f.ty).to_owned(),
            sign: match f.codec.sign {
                Sign::None => "",
                Sign::Direction => "direction",
                Sign::Value => "value",
                Sign::Side => "side",
            }
            .to_owned(),
            values: f
                .enumeration
                .iter()
                .flat_map(|e| &e.values)
                .map(|v| CliValue {
                    code: v.code.clone(),
                    name: v.rust.to_kebab_case(),
                    korean: v.korean.clone(),
                })
                .collect(),
        });
        match f.ty {
            ValueType::List => response_fields(&format!("{path}[]."), &f.fields, out),
            ValueType::Object => response_fields(&format!("{path}."), &f.fields, out),
            _ => {}
        }
    }
}

fn value_type_name(t: ValueType) -> &'static str {
    match t {
        ValueType::Text => "text",
        ValueType::Integer => "integer",
        ValueType::Decimal => "decimal",
        ValueType::Date => "date",
        ValueType::Time => "time",
        ValueType::Datetime => "datetime",
        ValueType::Enum => "enum",
        ValueType::List => "list",
        ValueType::Object => "object",
    }
}

/// Kiwoom's multi-line descriptions joined on one line for `--help`.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

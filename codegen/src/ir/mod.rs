//! The intermediate representation: every decision about the generated code, made once.
//!
//! [`build`] turns a parsed [`Spec`](crate::spec::Spec) into an [`Api`]: Rust names and
//! types, the wire codec of each field, presence, feature gates, module paths, doc text,
//! enum deduplication and collision checks. Emitters only print what is decided here.
//! Everything is sorted, so the same spec always gives the same output.

mod build;
mod cli;
mod docs;
mod enums;
mod examples;
mod names;

pub use build::build;
pub use cli::{CliCommand, CliField, CliFlag, CliKind, CliStream, CliValue};
pub use docs::rustdoc_safe;
pub use names::is_keyword;

use crate::spec::{Market, RealtimeItem, RowShape, Safety};

/// The whole generated API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Groups with at least one REST, OAuth or condition-search TR, sorted by id.
    pub groups: Vec<Group>,
    /// Markets that have REST or OAuth groups, for the client's method groups.
    pub markets: Vec<MarketDef>,
    /// Enums used by more than one module, emitted once in `src/enums.rs`.
    pub shared_enums: Vec<EnumDef>,
    /// Realtime types (REAL frame `type`s), sorted by code.
    pub realtime: Realtime,
    /// WebSocket frames the server sends (`spec/websocket.yaml`), sorted by trnm.
    pub ws_frames: Vec<WsFrame>,
    pub errors: Vec<ErrorCodeDef>,
    /// The command line's commands (kiwoom-cli), one per REST and OAuth TR.
    pub cli: Vec<CliCommand>,
    /// The realtime types `kiwoom stream` registers.
    pub cli_streams: Vec<CliStream>,
    pub provenance: Provenance,
}

/// Where the spec came from, recorded in the generated `meta.rs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// sha256 over every file of `spec/` (relative path and content), in sorted order.
    pub spec_sha256: String,
    pub generator_version: String,
    /// `spec/` files in sorted order, relative to the spec directory.
    pub files: Vec<String>,
}

/// `client.domestic()`: one market's method groups.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketDef {
    /// `domestic`: the accessor method and the umbrella Cargo feature.
    pub accessor: String,
    /// `Domestic`.
    pub struct_name: String,
    pub korean: String,
    /// Ids of the groups with client methods, sorted.
    pub groups: Vec<String>,
}

/// A menu group: one module, one Cargo feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// `domestic-chart`, also the Cargo feature.
    pub id: String,
    /// `domestic_chart`.
    pub module: String,
    /// `domestic` (the umbrella feature and client accessor of the market).
    pub market: String,
    /// `chart`: the accessor on the market struct.
    pub accessor: String,
    /// `DomesticChart`: the client method group struct; `None` when no TR has a method.
    pub client_struct: Option<String>,
    pub korean: String,
    pub english: String,
    /// `spec/domestic/chart.yaml`.
    pub source: String,
    pub trs: Vec<Tr>,
    /// Enums used only by this group: `src/<module>/enums.rs`.
    pub enums: Vec<EnumDef>,
    /// Shared enums this group uses, re-exported from the group module.
    pub shared_enums: Vec<String>,
    /// Module doc lines: a compiled (`no_run`) example calling one of its TRs.
    pub example: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TrKind {
    /// REST or OAuth: `TrRequest`, a client method.
    Rest,
    /// Condition search over the WebSocket: `WsCommand` with this `trnm`.
    Condition { trnm: String },
}

/// One TR with its request, response and nested structs.
#[derive(Debug, Clone, PartialEq)]
pub struct Tr {
    pub api_id: String,
    pub korean_name: String,
    /// `stock_daily_chart`: the client method name.
    pub method: String,
    /// `ka10081`: the file of the TR inside its group module.
    pub file: String,
    /// `Ka10081`: the TR's variant of the registry's `AnyResponse`.
    pub variant: String,
    pub kind: TrKind,
    pub market: Market,
    pub path: String,
    pub safety: Safety,
    /// `SafetyClass::Read` etc.
    pub safety_variant: String,
    pub paging: PagingDef,
    /// TR-level rustdoc lines.
    pub doc: Vec<String>,
    /// Rustdoc lines for the client method.
    pub method_doc: Vec<String>,
    pub request: StructDef,
    pub response: StructDef,
    /// Rows and objects of the request and response, in field order.
    pub nested: Vec<StructDef>,
    pub order_summary: Option<OrderSummaryDef>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PagingDef {
    None,
    /// `PagedRequest` with `Item = row`, rows taken from response field `field`.
    Header {
        field: String,
        row: String,
    },
    /// Condition search continuation in the body (documented only).
    Body {
        list: String,
    },
}

/// What `order_summary()` reports for an order TR.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSummaryDef {
    /// From the TR's `order:` marker.
    pub action: crate::spec::OrderAction,
    pub stock_code: Option<SummaryField>,
    pub quantity: Option<SummaryField>,
    pub price: Option<SummaryField>,
    pub original_order_no: Option<SummaryField>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryField {
    pub rust: String,
    /// The value is a `Decimal` already (US prices), not a whole number of won.
    pub decimal: bool,
    pub optional: bool,
    pub format: FormatDef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Request,
    Response,
    /// A row or object inside a request.
    RequestPart,
    /// A row or object inside a response.
    ResponsePart,
}

/// A generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub name: String,
    pub role: Role,
    pub shape: RowShape,
    pub doc: Vec<String>,
    pub fields: Vec<FieldDef>,
    /// Condition-search requests: the frame's `trnm`, written first and not a field.
    pub trnm: Option<String>,
}

impl StructDef {
    /// True when the struct's blank value (what decoding starts from: optional fields
    /// `None`, lists empty) is also its `Default`: nothing in it must be given (requests) or
    /// be present (responses), so an empty value is a valid one.
    pub fn blank_is_default(&self) -> bool {
        match self.role {
            Role::Request | Role::RequestPart => self.fields.iter().all(|f| !f.required),
            Role::Response | Role::ResponsePart => self.fields.iter().all(|f| {
                f.optional || matches!(f.ty, FieldTy::Records { .. } | FieldTy::Values { .. })
            }),
        }
    }
}

/// A field of a generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub wire: String,
    pub rust: String,
    pub doc: Vec<String>,
    pub ty: FieldTy,
    /// `Option<T>` (responses: not `presence: required`; requests: not required).
    pub optional: bool,
    /// Requests: must be given (a `new` argument, checked by `validate`).
    pub required: bool,
    pub max_length: Option<u32>,
}

/// Where the runtime's decoder writes a field (`codec::SlotMut`) and how the field starts
/// blank; printed as the kind of the field's row in `record_table!` / `request_table!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    Int,
    Decimal,
    Text,
    Date,
    /// Any other optional value type.
    Opt,
    /// An optional generated enum.
    Code,
    /// A value that must be present (required).
    Req,
    /// A generated enum that must be present (required; blank is the code `""`).
    ReqCode,
    /// The envelope's `return_code`, a JSON number.
    Number,
    List,
    Object,
    Values,
}

impl SlotKind {
    /// The kind's name in the table macros.
    pub fn name(self) -> &'static str {
        match self {
            SlotKind::Int => "Int",
            SlotKind::Decimal => "Decimal",
            SlotKind::Text => "Text",
            SlotKind::Date => "Date",
            SlotKind::Opt => "Opt",
            SlotKind::Code => "Code",
            SlotKind::Req => "Req",
            SlotKind::ReqCode => "ReqCode",
            SlotKind::Number => "Number",
            SlotKind::List => "List",
            SlotKind::Object => "Object",
            SlotKind::Values => "Values",
        }
    }

    /// Kinds whose field is required by the kind itself.
    pub fn implies_required(self) -> bool {
        matches!(self, SlotKind::Req | SlotKind::ReqCode)
    }
}

impl FieldDef {
    /// The field's slot kind, from its type and optionality.
    pub fn slot_kind(&self) -> SlotKind {
        match &self.ty {
            FieldTy::Value { rust, .. } if self.optional => match rust.as_str() {
                "i64" => SlotKind::Int,
                "rust_decimal::Decimal" => SlotKind::Decimal,
                "String" => SlotKind::Text,
                "chrono::NaiveDate" => SlotKind::Date,
                enum_ty if is_generated_enum(enum_ty) => SlotKind::Code,
                _ => SlotKind::Opt,
            },
            FieldTy::Value { rust, .. } if is_generated_enum(rust) => SlotKind::ReqCode,
            FieldTy::Value { .. } => SlotKind::Req,
            FieldTy::ReturnCode => SlotKind::Number,
            FieldTy::Records { .. } => SlotKind::List,
            FieldTy::Object { .. } => SlotKind::Object,
            FieldTy::Values { .. } => SlotKind::Values,
        }
    }
}

/// Generated enums live in the group's or the crate's `enums` module; every other value
/// type is the runtime's or a standard one.
fn is_generated_enum(rust: &str) -> bool {
    rust.starts_with("super::") || rust.starts_with("crate::")
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldTy {
    /// A value with a `Wire` type: `rust` is its Rust type (`i64`, `super::TradeType`).
    Value {
        rust: String,
        format: FormatDef,
        setter: Setter,
    },
    /// The envelope's `return_code`: a JSON number.
    ReturnCode,
    /// A list of rows of struct `row`.
    Records { row: String },
    /// A nested object of struct `name`.
    Object { name: String },
    /// A list of bare values of Rust type `rust`.
    Values { rust: String, format: FormatDef },
}

/// How a request setter takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setter {
    /// `impl Into<String>` (text).
    IntoString,
    /// `impl Into<Secret>`.
    IntoSecret,
    /// `impl Into<T>` of the field's own type (`StockCode`, `OrderNumber` from text).
    Into,
    /// The type itself.
    Plain,
}

/// A field's codec facts, as `kiwoom_runtime::codec::Format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FormatDef {
    pub scale: u8,
    pub double_sign: bool,
    pub saturates: bool,
    pub zero_pad: u8,
    pub time_digits: u8,
}

impl FormatDef {
    pub fn is_plain(&self) -> bool {
        *self
            == FormatDef {
                time_digits: 6,
                ..FormatDef::default()
            }
    }
}

/// A generated enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub doc: Vec<String>,
    pub variants: Vec<VariantDef>,
    /// Kiwoom documents `""` itself as one of the codes (usa01980 `sign_for_prev`:
    /// `'': 보합`), so an empty value is that variant, not an absent one.
    pub empty_is_a_code: bool,
    /// Cargo features of the modules that use it (for shared enums).
    pub features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantDef {
    pub name: String,
    pub code: String,
    pub korean: String,
}

/// The realtime module.
#[derive(Debug, Clone, PartialEq)]
pub struct Realtime {
    pub types: Vec<RealtimeType>,
    /// Enums used only by realtime types.
    pub enums: Vec<EnumDef>,
    pub shared_enums: Vec<String>,
}

/// One realtime type.
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeType {
    /// `0B`.
    pub code: String,
    /// The TR that documents it: `0B`, or `ka10173` for condition-search pushes.
    pub api_id: String,
    pub korean_name: String,
    pub struct_name: String,
    /// File in `src/realtime/` (not the code: `0u` and `0U` differ only in case).
    pub file: String,
    /// `spec/domestic/realtime.yaml`.
    pub source: String,
    pub market: Market,
    pub item: RealtimeItem,
    pub doc: Vec<String>,
    /// Values keyed by numeric id (`wire`); all optional.
    pub fields: Vec<FieldDef>,
    /// The numeric id of each of `fields`, in the same order (`"10"` -> 10): the decoder
    /// dispatches on the number, a jump table, where 45 string comparisons per value made
    /// realtime decoding slow. A wire id that is not a plain number is a spec problem.
    pub ids: Vec<u32>,
}

/// A WebSocket frame sent by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct WsFrame {
    pub trnm: String,
    /// The id `decode_response` takes: the trnm, `WSERR` for the error frame.
    pub api_id: String,
    pub doc: Vec<String>,
    pub def: StructDef,
    pub nested: Vec<StructDef>,
}

/// One documented error code.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorCodeDef {
    pub code: u32,
    pub variant: String,
    pub korean: String,
    pub english: String,
    /// `ErrorClass` variant name.
    pub class: String,
    /// `RetryAdvice` variant name.
    pub retry: String,
}

/// Problems that stop generation; every one names the spec file, TR and field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("spec cannot be generated:\n{}", problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct IrError {
    pub problems: Vec<String>,
}

//! The spec as it is written in `spec/*.yaml`: plain serde structs that mirror the YAML
//! and nothing else. No decision is made here; the importer writes these, the validator
//! checks them, the IR resolves them, and the simulator reads them.
//!
//! Every key is documented in `spec/README.md`. Three key names are fixed for any tool that
//! walks the spec: `id` on every TR, `wire` and `fields` on fields.

use serde::{Deserialize, Serialize};

/// One file of `spec/<market>/<category>.yaml`: one menu group and its TRs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    pub group: Group,
    pub trs: Vec<Tr>,
}

/// A Kiwoom menu group (`국내주식 > 차트`). Becomes a module and a Cargo feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Feature and module slug, `<market>-<category>`, e.g. `domestic-chart`.
    pub id: String,
    pub market: Market,
    /// Category slug, e.g. `chart`, `account`, `realtime`.
    pub category: String,
    /// Kiwoom's menu path, e.g. `국내주식 > 차트`.
    pub korean: String,
    /// English title, e.g. `Domestic stock charts`.
    pub english: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Market {
    /// OAuth token endpoints (au10001, au10002).
    Oauth,
    Domestic,
    Us,
}

/// How a TR travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// `POST <path>` with the `api-id` header.
    Rest,
    /// `POST /oauth2/...` (token issue and revoke); no bearer token.
    Oauth,
    /// A realtime type registered with REG over the WebSocket and pushed as REAL.
    Realtime,
    /// A condition-search command over the WebSocket (`trnm` CNSRLST, GCNSRREQ, ...).
    ConditionSearch,
}

/// Kiwoom's own `safety_policy` (api_commands.csv). The runtime's retry rules depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Safety {
    Read,
    AccountRead,
    OrderWrite,
    AuthWrite,
}

/// One API (TR).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tr {
    /// The api-id: `ka10081`, `kt10000`, `0B`, `au10001`.
    pub id: String,
    /// `API 명`, e.g. `주식일봉차트조회요청`.
    pub korean_name: String,
    /// snake_case English name, from Kiwoom's function name: `stock_daily_chart`.
    pub english_name: String,
    /// Kiwoom's own English function name in api_commands.csv: `get_domestic_stock_daily_chart`.
    pub function_name: String,
    /// Kiwoom's overview prose (from `meta`), HTML entities unescaped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    pub transport: Transport,
    /// URL path: `/api/dostk/chart`, `/oauth2/token`, `/api/dostk/websocket`.
    pub path: String,
    pub safety: Safety,
    pub paging: Paging,
    /// For order TRs: what the order does (read by the runtime's outcome-unknown reports and
    /// by order trackers). Set by the importer from Kiwoom's Korean name (매수/매도/정정/취소).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderAction>,
    /// WebSocket message name for condition-search commands (`CNSRLST`, `GCNSRREQ`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trnm: Option<String>,
    /// Kiwoom's live measurements and cautions (api_commands.csv `notes`, Korean), verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Request body fields (REST, OAuth, condition search). Empty for realtime types: their
    /// registration message is the shared REG frame in `spec/websocket.yaml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<Field>,
    /// Response body fields (REST, OAuth, condition-search reply).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<Field>,
    /// Realtime values keyed by numeric id (`"10"` = 현재가). Set for realtime types, and for
    /// condition-search TRs whose hits are pushed as REAL frames (ka10173 type `02`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime: Option<Realtime>,
    /// Kiwoom's examples, repaired into valid JSON by the importer.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
}

/// Continuation of a TR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case", tag = "kind")]
pub enum Paging {
    /// One call, one answer.
    None,
    /// REST continuation through the `cont-yn`/`next-key` response and request headers;
    /// `list` is the wire name of the top-level response list that pages.
    Header { list: String },
    /// Condition search: `cont_yn`/`next_key` travel in the JSON body (ka10172, usa20281).
    Body { list: String },
}

/// The realtime part of a TR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Realtime {
    /// The `type` of the REAL frames: `0B`, `FT`, or `02`/`S2` for condition-search hits.
    #[serde(rename = "type")]
    pub kind: String,
    /// What REG's `item` holds for this type.
    pub item: RealtimeItem,
    /// The values map: `wire` is the numeric id.
    pub values: Vec<Field>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealtimeItem {
    /// A stock code (`005930`, `005930_NX`).
    Stock,
    /// A sector (업종) code.
    Sector,
    /// Account-wide (00, 04): `item` is empty, the token's account is used.
    Account,
    /// A US symbol, sent as an object `{jmcode, stex_tp}`.
    UsSymbol,
    /// Pushed by a condition search, not registered with REG.
    ConditionSearch,
}

/// Kiwoom's examples, as compact JSON text (the importer repairs and normalises them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// For realtime TRs: the REAL frame from the example's `#실시간 수신` section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<String>,
    /// Set when the example's values are provably wrong (with the reason); tests skip it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_invalid: Option<String>,
}

impl Examples {
    pub fn is_empty(&self) -> bool {
        self.request.is_none()
            && self.response.is_none()
            && self.push.is_none()
            && self.response_invalid.is_none()
    }
}

/// One field of a request, response, list row or realtime values map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The exact JSON key (`stk_cd`, `250hgst`, `10`, `listCount`).
    pub wire: String,
    /// Kiwoom's Korean label (`한글명`).
    pub korean: String,
    /// The Rust field name (snake_case, never a keyword): `stock_code`.
    pub rust: String,
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// Requests: must the caller give it. Ignored for responses (see `presence`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Responses: is it always there, sometimes, or documented but never sent.
    #[serde(default, skip_serializing_if = "Presence::is_optional")]
    pub presence: Presence,
    /// Maximum length in characters, when Kiwoom states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Kiwoom's description, verbatim.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Unit as documented: `원`, `주`, `천주`, `백만원`, `억원`, `%`, `USD`, `배`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Wire codec facts the decoder needs.
    #[serde(default, skip_serializing_if = "Codec::is_plain")]
    pub codec: Codec,
    /// What the field is in an order (stock, quantity, price, order number): decides its
    /// Rust type (`StockCode`, `Quantity`, `Price`, `OrderNumber`) and the order summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<FieldRole>,
    /// Coded values, for `type: enum`.
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enumeration: Option<Enumeration>,
    /// For `type: list`: how each row is written on the wire.
    #[serde(default, skip_serializing_if = "RowShape::is_object")]
    pub row_shape: RowShape,
    /// Children of a `list` (row fields) or `object`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

/// The value type, decided from the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// Free text or an identifier (stock code, order number, name).
    Text,
    /// A whole number; Kiwoom's leading `+`/`-` is kept as the sign.
    Integer,
    /// A decimal number (rates, %, ratios, USD prices). Never a float.
    Decimal,
    /// `YYYYMMDD`.
    Date,
    /// `HHMMSS` (or `HHMM` when `codec.time_digits` says so).
    Time,
    /// `YYYYMMDDHHMMSS`.
    Datetime,
    /// A coded value with `enum:`.
    Enum,
    /// A JSON array of rows with `fields:`.
    List,
    /// A JSON object with `fields:`.
    Object,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Always sent (au10001 `token`).
    Required,
    /// May be missing or empty.
    #[default]
    Optional,
    /// Documented, but live responses never carry it (Kiwoom's notes say so).
    Ghost,
}

impl Presence {
    pub fn is_optional(&self) -> bool {
        *self == Presence::Optional
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowShape {
    /// `{ "seq": "0", "name": "..." }`
    #[default]
    Object,
    /// `["0", "..."]`: values in the order of `fields` (CNSRLST).
    Array,
    /// Bare values (`"item": ["005930", "000660"]`); `fields` holds the one element type.
    Scalar,
}

impl RowShape {
    pub fn is_object(&self) -> bool {
        *self == RowShape::Object
    }
}

/// How a value is written on the wire, beyond its type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codec {
    /// What a leading sign means.
    #[serde(default, skip_serializing_if = "Sign::is_none")]
    pub sign: Sign,
    /// The wire integer is the value times 10^scale (`683580` with scale 2 = 6835.80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u8>,
    /// Digits after the decimal point when the wire has a point (`+198.5400` = 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Zero-padded to this many characters (`000000017598258` = 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_pad: Option<u8>,
    /// May arrive with a doubled sign (`--1500` means -1500), measured live.
    #[serde(default, skip_serializing_if = "is_false")]
    pub double_sign: bool,
    /// May arrive saturated at 4294967295 (2^32-1), measured live.
    #[serde(default, skip_serializing_if = "is_false")]
    pub saturates: bool,
    /// Stock codes that may carry a one-letter market prefix (`A005930`, `J`, `Q`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub market_prefix: bool,
}

impl Codec {
    pub fn is_plain(&self) -> bool {
        *self == Codec::default()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// No sign documented.
    #[default]
    None,
    /// The sign is the direction against the previous close; the magnitude is the value
    /// (`cur_prc: "-78800"` is 78,800 won, falling). Decoders keep the sign.
    Direction,
    /// The sign is arithmetic (changes, net amounts, P&L). Kiwoom may still put a direction
    /// sign in front of a value's own sign (`+-2076560`, see `double_sign`).
    Value,
    /// The sign is the side that took liquidity in a trade: `+82` is 82 shares bought by an
    /// aggressive buyer, `-82` 82 sold by an aggressive seller (0B 거래량). The quantity is
    /// never negative.
    Side,
}

impl Sign {
    pub fn is_none(&self) -> bool {
        *self == Sign::None
    }
}

/// A set of codes (`0:보통 , 3:시장가`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enumeration {
    /// Suggested Rust type name (PascalCase), e.g. `TradeType`. The IR settles clashes.
    pub name: String,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The exact wire code: `0`, `03`, `KRX`, `Y`.
    pub code: String,
    /// Kiwoom's label: `보통`.
    pub korean: String,
    /// Rust variant name (PascalCase): `Normal`.
    pub rust: String,
}

/// `spec/errors.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFile {
    pub errors: Vec<ErrorCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    pub code: u32,
    /// Rust variant name: `RateLimitPerApi`.
    pub rust: String,
    pub korean: String,
    pub english: String,
    pub class: ErrorClass,
    /// What a client may do when it gets this code.
    #[serde(default, skip_serializing_if = "Retry::is_never")]
    pub retry: Retry,
}

/// Whether a request that got this code may be sent again. Rate-limit and token-invalid
/// answers mean the server processed nothing, so resending is safe even for orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retry {
    /// Do not resend (bad input, 1687 recursive calls, server failures of unknown effect).
    #[default]
    Never,
    /// Back off and resend (1700, 1701, 1702).
    Backoff,
    /// Refresh the token once and resend (8005, 8031, 8103).
    RefreshToken,
}

impl Retry {
    pub fn is_never(&self) -> bool {
        *self == Retry::Never
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Credentials, token or device authentication.
    Auth,
    /// Request-rate limits.
    RateLimit,
    /// The caller's request is wrong; fix it, never retry.
    BadInput,
    /// No such instrument / API.
    NotFound,
    /// Not offered here (mock trading, corporate customers, other environment).
    Unsupported,
    /// Kiwoom-side failure.
    Server,
}

/// `spec/websocket.yaml`: the WebSocket protocol (LOGIN, REG, REMOVE, REAL, PING, SYSTEM and
/// the condition-search frames), none of which the TR tables describe fully.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsocketFile {
    pub endpoints: Vec<WsEndpoint>,
    pub messages: Vec<WsMessage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsEndpoint {
    pub market: Market,
    /// `/api/dostk/websocket` or `/api/us/websocket`.
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WsMessage {
    /// The `trnm` value: `LOGIN`, `REG`, `REAL`, `CNSRLST`, ...
    pub trnm: String,
    pub direction: WsDirection,
    /// Only on one market's socket (US items are objects, US commands are G-prefixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market: Option<Market>,
    pub description: String,
    pub fields: Vec<Field>,
    /// A frame as seen on the wire (compact JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// Why this shape differs from Kiwoom's table, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WsDirection {
    ClientToServer,
    ServerToClient,
    /// PING: sent by the server, echoed by the client.
    Both,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `spec/names.yaml`: how the generator names what the importer transcribed. The importer
/// writes Kiwoom's facts (`english_name` is a description unique across the whole spec);
/// the generator derives Rust names unique per module by the rules in `codegen/src/ir/names.rs`,
/// and this file overrides them where a rule reads badly. Renaming here needs only
/// `cargo run -p codegen`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamesFile {
    /// Group id -> the group it is generated into (`oauth-token-issue` -> `oauth-token`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub groups: std::collections::BTreeMap<String, MergedGroup>,
    /// api-id -> snake_case name of the TR's method and (PascalCase) its types.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub trs: std::collections::BTreeMap<String, String>,
    /// Realtime type (`00`, `02`, `FE`) -> snake_case name of its event struct.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub realtime: std::collections::BTreeMap<String, String>,
    /// Code sets used under several suggested enum names -> the one name they share. The key
    /// lists the set's `code:Variant` pairs sorted by code, space-separated.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub enums: std::collections::BTreeMap<String, String>,
}

/// A group generated under another group's id, module and feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergedGroup {
    /// The id of the group it joins (`oauth-token`).
    pub id: String,
    pub category: String,
    pub korean: String,
    pub english: String,
}

/// What an order TR does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Buy,
    Sell,
    Amend,
    Cancel,
    /// Money moves but no stock order (currency exchange).
    Other,
}

/// The part a field plays in an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldRole {
    /// The instrument ordered (`stk_cd`).
    StockCode,
    /// Shares ordered, amended or cancelled (`ord_qty`, `mdfy_qty`, `cncl_qty`).
    Quantity,
    /// The limit price (`ord_uv`, `mdfy_uv`).
    Price,
    /// A trigger or condition price (`cond_uv`, `stop_pric`).
    StopPrice,
    /// The order number Kiwoom assigned (`ord_no`).
    OrderNumber,
    /// The order an amendment or cancellation refers to (`orig_ord_no`).
    OriginalOrderNumber,
}

//! The types of the generated command table (`generated/catalog.rs`) and look-ups over it.
//! The table is data so the CLI builds in seconds; `tree` turns it into clap commands.

use kiwoom_generated::kiwoom_runtime::SafetyClass;

use crate::generated::catalog::COMMANDS;

/// One command: one REST or OAuth TR.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    pub api_id: &'static str,
    pub korean_name: &'static str,
    /// `domestic`, `us`, `oauth`.
    pub market: &'static str,
    pub group: &'static str,
    pub name: &'static str,
    pub group_korean: &'static str,
    pub group_english: &'static str,
    /// The TR's English words: `stock daily chart`.
    pub english: &'static str,
    /// First line of Kiwoom's overview.
    pub summary: &'static str,
    /// Kiwoom's safety policy, the one the TR's `TrInfo` carries.
    pub safety: SafetyClass,
    /// Wire name of the list that continues through `cont-yn` / `next-key`.
    pub paging_list: Option<&'static str>,
    pub flags: &'static [Flag],
    pub response: &'static [Field],
}

impl Command {
    /// Money moves: refused without `--allow-orders`.
    pub fn is_order(&self) -> bool {
        self.safety.is_order()
    }

    /// The safety policy as Kiwoom's documents name it: `read`, `account_read`,
    /// `order_write`, `auth_write`.
    pub fn safety_name(&self) -> &'static str {
        match self.safety {
            SafetyClass::Read => "read",
            SafetyClass::AccountRead => "account_read",
            SafetyClass::OrderWrite => "order_write",
            SafetyClass::AuthWrite => "auth_write",
        }
    }
}

/// A request field as a flag.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// `stock-code`: the flag is `--stock-code`.
    pub long: &'static str,
    /// `stk_cd`.
    pub wire: &'static str,
    pub korean: &'static str,
    pub unit: Option<&'static str>,
    pub description: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub max_length: Option<u32>,
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    /// Never echoed (`--dry-run` prints it redacted).
    Secret,
    Integer,
    Decimal,
    Date,
    Time,
    Datetime,
    Enum {
        name: &'static str,
        values: &'static [Value],
    },
}

impl Kind {
    /// The value placeholder in `--help`.
    pub fn placeholder(&self) -> &'static str {
        match self {
            Kind::Text => "TEXT",
            Kind::Secret => "SECRET",
            Kind::Integer => "INTEGER",
            Kind::Decimal => "DECIMAL",
            Kind::Date => "YYYY-MM-DD",
            Kind::Time => "HH:MM:SS",
            Kind::Datetime => "YYYY-MM-DDTHH:MM:SS",
            Kind::Enum { .. } => "CODE|NAME",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Kind::Enum { name, .. } => format!("enum {name}"),
            Kind::Text => "text".to_owned(),
            Kind::Secret => "secret text".to_owned(),
            Kind::Integer => "integer".to_owned(),
            Kind::Decimal => "decimal".to_owned(),
            Kind::Date => "date".to_owned(),
            Kind::Time => "time".to_owned(),
            Kind::Datetime => "date and time".to_owned(),
        }
    }
}

/// One documented code of an enum flag.
#[derive(Debug, Clone, Copy)]
pub struct Value {
    pub code: &'static str,
    /// `adjusted`.
    pub name: &'static str,
    pub korean: &'static str,
}

/// A response field, rows flattened as `list[].field`.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub path: &'static str,
    pub rust: &'static str,
    pub korean: &'static str,
    pub unit: Option<&'static str>,
    pub ty: &'static str,
    /// `direction`, `value`, `side` or empty.
    pub sign: &'static str,
    /// A coded field's documented codes (a table shows the Korean label).
    pub values: &'static [Value],
}

impl Command {
    /// `domestic chart stock-daily-chart`.
    pub fn path(&self) -> String {
        format!("{} {} {}", self.market, self.group, self.name)
    }

    /// `ka10081 (주식일봉차트조회요청)`, how errors name the TR.
    pub fn label(&self) -> String {
        format!("{} ({})", self.api_id, self.korean_name)
    }

    pub fn flag_by_wire(&self, wire: &str) -> Option<&'static Flag> {
        self.flags.iter().find(|f| f.wire == wire)
    }

    pub fn field(&self, path: &str) -> Option<&'static Field> {
        self.response.iter().find(|f| f.path == path)
    }
}

/// Every command.
pub fn commands() -> &'static [Command] {
    &COMMANDS
}

/// The command of an api-id (case-insensitive).
pub fn by_api_id(api_id: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.api_id.eq_ignore_ascii_case(api_id))
}

/// The command at `market group name`.
pub fn by_path(market: &str, group: &str, name: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.market == market && c.group == group && c.name == name)
}

/// A realtime type `kiwoom stream` registers.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// The REAL `type`: `0B`.
    pub code: &'static str,
    pub korean_name: &'static str,
    /// `domestic` or `us`: the WebSocket it is registered on.
    pub market: &'static str,
    /// `stock`, `sector`, `account` (no item) or `us_symbol`.
    pub item: &'static str,
    /// The values; `path` is the numeric id.
    pub values: &'static [Field],
}

/// The realtime type of a code (`0B`; case matters: `0u` and `0U` differ).
pub fn stream(code: &str) -> Option<&'static Stream> {
    crate::generated::catalog::STREAMS
        .iter()
        .find(|s| s.code == code)
}

pub fn streams() -> &'static [Stream] {
    &crate::generated::catalog::STREAMS
}

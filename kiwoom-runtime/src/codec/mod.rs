//! The wire codec that generated code calls: Kiwoom's string-encoded values to typed values
//! and back, and the key-matching decode machinery that keeps unknown keys.
//!
//! Kiwoom sends every value as a JSON string (`"+0001234"`, `"--1500"`, `"683580"` meaning
//! 6835.80, `"20250502"`). Generated code declares, per field, a Rust type implementing
//! [`Wire`] and a [`Format`] with the field's codec facts from the spec; everything else lives
//! here so that the generated crate stays small.
//!
//! Generated structs are data: each carries a field table and a typed accessor
//! ([`Table`]), and the hidden [`table`] machinery here decodes, encodes, validates and reads
//! requests from JSON for all of them. Decoding reads the body once with a scanner for
//! Kiwoom's shapes (borrowed strings, no allocation per number), falling back to
//! `serde_json` for anything else. A value that does not parse becomes a
//! [`DecodeError`](crate::DecodeError) naming the TR, the path
//! (`stk_dt_pole_chart_qry[3].cur_prc`) and the raw value; it is never turned into zero.

mod code_value;
mod decode;
mod encode;
mod enum_table;
mod enums;
mod format;
mod forms;
mod order;
mod place;
mod real_items;
mod realtime;
mod request;
mod scan;
mod signed;
mod stops;
#[doc(hidden)]
pub mod table;
#[doc(hidden)]
pub mod table_macro;
mod table_std;
mod validate;
mod wire;

pub use crate::code_table;
#[doc(hidden)]
pub use crate::{realtime_table, record_table, request_table};
pub use decode::{Body, Ctx, Extra, decode_body, decode_body_into};
pub use encode::{
    push, push_extra, put, put_extra, put_list, put_number, put_object, put_opt, put_scalar_list,
};
#[doc(hidden)]
pub use encode::{serialize_table, write_table_json};
pub use enum_table::CodeTable;
pub use enums::UnknownValue;
pub use format::{Format, PLAIN};
pub use forms::WireForms;
pub use order::{OrderNumber, Price, Quantity, StockCode};
#[doc(hidden)]
pub use real_items::scan_real_items;
pub use realtime::{
    RawEntry, RawValues, RealEntry, RealFrame, RealParts, RealPartsRef, RealTable,
    decode_real_item, serialize_real,
};
#[doc(hidden)]
pub use request::fill_request_body;
pub use request::{
    BODY, JsonObject, RequestRecord, deserialize_request, parse_json_strict, parse_request,
    parse_request_text, take, take_list, take_object, take_required, take_required_object,
    take_scalar_list, unknown_keys,
};
pub use signed::{Aggressor, Directed, Direction, Magnitude, SidedQuantity};
#[doc(hidden)]
pub use table::{Field, SlotMut, SlotRef, Table};
#[doc(hidden)]
pub use table_std::{debug_table, eq_table};
pub use validate::{check, check_list, validate_table};
pub use wire::{Secret, Wire, WireError};

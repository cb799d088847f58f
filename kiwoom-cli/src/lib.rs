//! `kiwoom`: every Kiwoom REST API TR from the command line.
//!
//! The commands are generated from `spec/` like the bindings (`generated/`, written by
//! `cargo run -p codegen`, never edited by hand): one per REST and OAuth TR, its flags the
//! request's fields. Flags are turned into the TR's wire JSON and read by the generated
//! `parse_request`, so a flag is validated exactly like a typed request, and sent through
//! the runtime's one call path (`call_json`) or its paging loop. See design/cli.md.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod confirm;
pub mod error;
pub mod find;
pub mod flags;
pub mod generated;
pub mod login;
pub mod mcp;
pub mod output;
pub mod profile;
pub mod record;
pub mod run;
pub mod secrets;
pub mod sim;
pub mod stream;
pub mod tree;
pub mod typed;

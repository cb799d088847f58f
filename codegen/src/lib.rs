//! kiwoom-rs code generator.
//!
//! Data flows one way: Kiwoom's JSON --`import`--> `spec/*.yaml` --`spec`--> parsed spec
//! --`ir`--> every decision made once --`emit`--> token streams --prettyplease--> files.
//! `check` validates `spec/` on its own.

pub mod check;
pub mod emit;
pub mod generate;
pub mod import;
pub mod ir;
pub mod spec;

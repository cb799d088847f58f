//! `kiwoom-cli/src/generated/`: the command line's tables, printed from the IR's
//! [`CliCommand`]s. The commands are data (static tables the CLI turns into a clap command
//! tree at start-up), not one clap struct per TR: 306 derived structs would cost the CLI's
//! build minutes, a table costs seconds. Paging by api-id is kiwoom-generated's
//! `registry::pages`, compiled once with the rest of the registry.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::{Api, CliCommand, CliField, CliFlag, CliKind, CliStream};

/// `generated/mod.rs`.
pub fn emit_mod() -> TokenStream {
    quote! {
        //! Tables and dispatch generated from spec/ for the `kiwoom` command line.
        pub mod catalog;
    }
}

/// `generated/catalog.rs`: every command with its flags and response fields.
pub fn emit_catalog(api: &Api) -> TokenStream {
    let commands = api.cli.iter().map(command);
    let count = api.cli.len();
    let streams = api.cli_streams.iter().map(stream);
    let stream_count = api.cli_streams.len();
    quote! {
        //! One command per REST and OAuth TR: its path, flags and response fields; and the
        //! realtime types `kiwoom stream` registers.

        use crate::catalog::{Command, Field, Flag, Kind, Stream, Value};

        /// Every command, in group then api-id order.
        pub static COMMANDS: [Command; #count] = [#(#commands),*];

        /// Every realtime type registered with REG, by code.
        pub static STREAMS: [Stream; #stream_count] = [#(#streams),*];
    }
}

fn opt(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn command(c: &CliCommand) -> TokenStream {
    let CliCommand {
        api_id,
        korean_name,
        market,
        group,
        name,
        group_korean,
        group_english,
        english,
        summary,
        safety,
        paging_list,
        flags,
        response,
    } = c;
    let safety = ident(safety);
    let paging_list = opt(paging_list);
    let flags = flags.iter().map(flag);
    let response = response.iter().map(field);
    quote! {
        Command {
            api_id: #api_id,
            korean_name: #korean_name,
            market: #market,
            group: #group,
            name: #name,
            group_korean: #group_korean,
            group_english: #group_english,
            english: #english,
            summary: #summary,
            safety: kiwoom_generated::kiwoom_runtime::SafetyClass::#safety,
            paging_list: #paging_list,
            flags: &[#(#flags),*],
            response: &[#(#response),*],
        }
    }
}

fn flag(f: &CliFlag) -> TokenStream {
    let CliFlag {
        long,
        wire,
        korean,
        unit,
        description,
        kind,
        required,
        max_length,
    } = f;
    let unit = opt(unit);
    let max_length = match max_length {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    };
    let kind = match kind {
        CliKind::Text => quote!(Kind::Text),
        CliKind::Secret => quote!(Kind::Secret),
        CliKind::Integer => quote!(Kind::Integer),
        CliKind::Decimal => quote!(Kind::Decimal),
        CliKind::Date => quote!(Kind::Date),
        CliKind::Time => quote!(Kind::Time),
        CliKind::Datetime => quote!(Kind::Datetime),
        CliKind::Enum { name, values } => {
            let values = values.iter().map(value);
            quote!(Kind::Enum { name: #name, values: &[#(#values),*] })
        }
    };
    quote! {
        Flag {
            long: #long,
            wire: #wire,
            korean: #korean,
            unit: #unit,
            description: #description,
            kind: #kind,
            required: #required,
            max_length: #max_length,
        }
    }
}

fn stream(s: &CliStream) -> TokenStream {
    let CliStream {
        code,
        korean_name,
        market,
        item,
        values,
    } = s;
    let values = values.iter().map(field);
    quote! {
        Stream {
            code: #code,
            korean_name: #korean_name,
            market: #market,
            item: #item,
            values: &[#(#values),*],
        }
    }
}

fn field(f: &CliField) -> TokenStream {
    let CliField {
        path,
        rust,
        korean,
        unit,
        ty,
        sign,
        values,
    } = f;
    let unit = opt(unit);
    let values = values.iter().map(value);
    quote!(Field { path: #path, rust: #rust, korean: #korean, unit: #unit, ty: #ty, sign: #sign, values: &[#(#values),*] })
}

fn value(v: &crate::ir::CliValue) -> TokenStream {
    let (code, name, korean) = (&v.code, &v.name, &v.korean);
    quote!(Value { code: #code, name: #name, korean: #korean })
}

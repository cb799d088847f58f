//! `#[non_exhaustive]` enums with an `Unknown` variant that keeps the raw code: each enum is
//! its definition plus one table (`match Enum { Variant => (code, label) }`) that the runtime's
//! `codec::code_table!` turns into its methods and trait impls.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::ir::EnumDef;

/// A whole enums file: a module doc line, the `codec` import and the enums.
pub fn emit_enum_file(doc_line: &str, enums: &[EnumDef], gated: bool) -> TokenStream {
    let doc_line = format!(" {doc_line}");
    let body = emit_enums(enums, gated);
    // With features off, every enum of the shared file may be compiled out.
    let allow = gated.then(|| quote!(#[allow(unused_imports)]));
    quote! {
        #![doc = #doc_line]
        #allow
        use kiwoom_runtime::codec;
        #body
    }
}

pub fn emit_enums(enums: &[EnumDef], gated: bool) -> TokenStream {
    let items = enums.iter().map(|e| {
        let cfg = if gated {
            super::cfg_features(&e.features)
        } else {
            quote!()
        };
        emit_enum(e, &cfg)
    });
    quote!(#(#items)*)
}

/// One enum and its table, both behind `cfg` (the features of the modules using it).
pub fn emit_enum(e: &EnumDef, cfg: &TokenStream) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc(&e.doc);
    let variants = e.variants.iter().map(|v| {
        let vdoc = doc(&[format!(
            "{} (`{}`)",
            crate::ir::rustdoc_safe(&v.korean),
            v.code
        )]);
        let vname = ident(&v.name);
        quote!(#vdoc #vname,)
    });
    // The table: `Variant => (code, label)`, expanded by the runtime's `code_table!`.
    let rows = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let code = v.code.as_str();
        let label = v.korean.as_str();
        quote!(#vname => (#code, #label))
    });
    let empty_is_a_value = e.empty_is_a_code.then(|| quote!(, empty_is_a_value));
    quote! {
        #docs
        #cfg
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A code this version does not document, kept exactly as received.
            Unknown(codec::UnknownValue),
        }

        #cfg
        codec::code_table!(match #name {
            #(#rows),*
        } #empty_is_a_value);
    }
}

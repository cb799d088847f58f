//! Response-side structs (responses, rows, objects, WebSocket frames): the struct, its
//! field table (`codec::Table`) and a one-line `Serialize`; the runtime's `codec::table`
//! decodes, re-encodes and validates every struct from its table.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{doc, ident, ty};
use crate::ir::{FieldDef, FieldTy, FormatDef, StructDef};
use crate::spec::RowShape;

/// The Rust type of a field, request or response (lists are plain `Vec`s, empty when absent).
pub fn field_type(f: &FieldDef) -> TokenStream {
    let inner = match &f.ty {
        FieldTy::Value { rust, .. } => ty(rust),
        FieldTy::ReturnCode => quote!(i64),
        FieldTy::Records { row } => {
            let row = ident(row);
            return quote!(Vec<#row>);
        }
        FieldTy::Object { name } => ty(name),
        FieldTy::Values { rust, .. } => {
            let t = ty(rust);
            return quote!(Vec<#t>);
        }
    };
    if f.optional {
        quote!(Option<#inner>)
    } else {
        inner
    }
}

/// Lists are never `Option`: an absent list is empty.
pub fn is_list(f: &FieldDef) -> bool {
    matches!(f.ty, FieldTy::Records { .. } | FieldTy::Values { .. })
}

/// The `codec::Format` of a field, named by what differs from `PLAIN`; `None` when plain.
pub fn format_expr(f: &FormatDef) -> Option<TokenStream> {
    if f.is_plain() {
        return None;
    }
    let mut e = if f.scale > 0 {
        let scale = Literal::u8_unsuffixed(f.scale);
        quote!(codec::Format::scaled(#scale))
    } else {
        quote!(codec::Format::PLAIN)
    };
    if f.double_sign {
        e = quote!(#e.double_signed());
    }
    if f.saturates {
        e = quote!(#e.saturating());
    }
    if f.zero_pad > 0 {
        let width = Literal::u8_unsuffixed(f.zero_pad);
        e = quote!(#e.zero_padded(#width));
    }
    if f.time_digits != 6 {
        let digits = Literal::u8_unsuffixed(f.time_digits);
        e = quote!(#e.time_digits(#digits));
    }
    Some(e)
}

/// Which side of the API a table describes: records keep unknown keys and wire forms.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Request,
    Record,
    /// A realtime type's values (a record's, without kept unknown keys in the struct).
    Realtime,
}

/// A row of `record_table!` / `request_table!`: `current_price: Int("cur_prc")` plus what
/// differs from a plain field (`.max(20)`, `.format(..)`, `.required()` when the kind does
/// not imply it).
fn macro_row(f: &FieldDef, side: Side) -> TokenStream {
    let name = ident(&f.rust);
    let kind = f.slot_kind();
    let kind_ident = ident(kind.name());
    let wire = f.wire.as_str();
    let mut e = quote!(#name: #kind_ident(#wire));
    let required = match side {
        Side::Request => f.required,
        Side::Record | Side::Realtime => !f.optional && !is_list(f),
    };
    assert!(
        required || !kind.implies_required(),
        "{}: a value that is neither optional nor required (IR)",
        f.rust
    );
    if required && !kind.implies_required() {
        e = quote!(#e.required());
    }
    if side == Side::Request {
        if let Some(max) = f.max_length {
            let max = u16::try_from(max).expect("a maximum length fits u16 (IR)");
            let max = Literal::u16_unsuffixed(max);
            e = quote!(#e.max(#max));
        }
    }
    let format = match &f.ty {
        FieldTy::Value { format, .. } | FieldTy::Values { format, .. } => format_expr(format),
        _ => None,
    };
    if let Some(format) = format {
        e = quote!(#e.format(#format));
    }
    e
}

/// The struct's table as a `record_table!` / `request_table!` invocation, with its options
/// (`response`, `array_rows`, `from_json = "ka10081"`, `trnm = "CNSRREQ"`).
pub fn table_macro(s: &StructDef, side: Side, options: &[TokenStream]) -> TokenStream {
    for f in &s.fields {
        if matches!(f.ty, FieldTy::Object { .. } | FieldTy::ReturnCode) {
            assert!(
                f.optional,
                "{}.{}: nested objects and return codes are optional (IR)",
                s.name, f.rust
            );
        }
    }
    let name = ident(&s.name);
    let rows = s.fields.iter().map(|f| macro_row(f, side));
    let mac = match side {
        Side::Record => quote!(record_table),
        Side::Request => quote!(request_table),
        Side::Realtime => quote!(realtime_table),
    };
    quote! {
        codec::#mac!(#name { #(#rows),* } #(, #options)*);
    }
}

/// A response-side struct and its table; `response` for the TR's response itself (adds
/// `TrResponse`).
pub fn emit_record(s: &StructDef, response: bool) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc(&s.doc);
    let fields = s.fields.iter().map(|f| {
        let fdoc = doc(&f.doc);
        let fname = ident(&f.rust);
        let fty = field_type(f);
        quote!(#fdoc pub #fname: #fty,)
    });
    let mut options = Vec::new();
    if s.blank_is_default() {
        options.push(quote!(default));
    }
    if response {
        options.push(quote!(response));
    }
    if s.shape == RowShape::Array {
        options.push(quote!(array_rows));
    }
    let table = table_macro(s, Side::Record, &options);
    quote! {
        #docs
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            extra: codec::Extra,
            forms: codec::WireForms,
        }

        #table
    }
}

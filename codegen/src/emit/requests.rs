//! Request-side structs: `new(required...)`, builder setters, the field table (from which
//! the runtime serializes, validates and reads them back from JSON).

use proc_macro2::TokenStream;
use quote::quote;

use super::records::{Side, field_type, is_list, table_macro};
use super::{doc, ident, ty};
use crate::ir::{FieldDef, FieldTy, Setter, StructDef};

/// Parameter type and conversion for `new` and setters.
fn param(f: &FieldDef) -> (TokenStream, TokenStream) {
    let name = ident(&f.rust);
    match &f.ty {
        FieldTy::Value {
            setter: Setter::IntoString,
            ..
        } => (quote!(impl Into<String>), quote!(#name.into())),
        FieldTy::Value {
            setter: Setter::IntoSecret,
            ..
        } => (quote!(impl Into<codec::Secret>), quote!(#name.into())),
        FieldTy::Value {
            setter: Setter::Into,
            rust,
            ..
        } => {
            let t = ty(rust);
            (quote!(impl Into<#t>), quote!(#name.into()))
        }
        FieldTy::Value { rust, .. } => (ty(rust), quote!(#name)),
        FieldTy::Object { name: n } => (ty(n), quote!(#name)),
        _ => (field_type(f), quote!(#name)),
    }
}

/// A request-side struct, its constructor and setters, and its table; `from_json` is the
/// TR whose errors name it when the struct is read back from JSON (REST requests).
pub fn emit_request_struct(s: &StructDef, from_json: Option<&str>) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc(&s.doc);
    let fields = s.fields.iter().map(|f| {
        let fdoc = doc(&f.doc);
        let fname = ident(&f.rust);
        let fty = field_type(f);
        quote!(#fdoc pub #fname: #fty,)
    });
    let required: Vec<&FieldDef> = s.fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let n = ident(&f.rust);
        let (t, _) = param(f);
        quote!(#n: #t)
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.rust);
        if f.required {
            match &f.ty {
                FieldTy::Value {
                    setter: Setter::IntoString | Setter::IntoSecret | Setter::Into,
                    ..
                } => quote!(#n: #n.into(),),
                _ => quote!(#n,),
            }
        } else if is_list(f) {
            quote!(#n: Vec::new(),)
        } else {
            quote!(#n: None,)
        }
    });
    let setters = s.fields.iter().filter(|f| !f.required).map(|f| {
        let n = ident(&f.rust);
        let (t, conv) = param(f);
        let set_doc = doc(&[format!(
            "Set `{}` ({}).",
            f.wire,
            f.doc.first().cloned().unwrap_or_default()
        )]);
        let value = if is_list(f) {
            conv
        } else {
            quote!(Some(#conv))
        };
        quote! {
            #set_doc
            pub fn #n(mut self, #n: #t) -> Self {
                self.#n = #value;
                self
            }
        }
    });
    // One argument per required field of the TR: Kiwoom's own parameter list.
    let many_args = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let mut options = Vec::new();
    if s.blank_is_default() {
        options.push(quote!(default));
    }
    if let Some(api_id) = from_json {
        options.push(quote!(from_json = #api_id));
    }
    if let Some(trnm) = s.trnm.as_deref() {
        options.push(quote!(trnm = #trnm));
    }
    let table = table_macro(s, Side::Request, &options);
    quote! {
        #docs
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// A request with every required field; set optional ones with the setters.
            #many_args
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }

        #table
    }
}

/// The body of `validate`: the runtime checks each field of the table in order.
pub fn validate_body(api_id: &str) -> TokenStream {
    quote!(codec::validate_table(#api_id, self))
}

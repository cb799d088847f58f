//! Request-side structs: `new(required...)`, builder setters, the field table (from which
//! the runtime serializes, validates and reads them back from JSON).

use proc_macro2::TokenStream;
use quote::quote;

use super::records::{Side, field_type, is_list, serialize_impl, table_items};
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

pub fn emit_request_struct(s: &StructDef) -> TokenStream {
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
    let default = required.is_empty().then(|| quote!(Default,));
    let items = table_items(s, Side::Request);
    let trnm = s.trnm.as_deref().map(|t| {
        quote! {
            fn trnm(&self) -> Option<&'static str> {
                Some(#t)
            }
        }
    });
    let serialize = serialize_impl(&quote!(#name));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default)]
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

        impl codec::Table for #name {
            #items
            #trnm
        }

        #serialize
    }
}

/// The body of `validate`: the runtime checks each field of the table in order.
pub fn validate_body(api_id: &str) -> TokenStream {
    quote!(codec::validate_table(#api_id, self))
}

/// `Deserialize` for a REST request struct or a row or object inside one (reading back
/// from JSON is the runtime's, from the table). `api_id` is the TR's, for the errors.
pub fn emit_request_from_json(api_id: &str, s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    quote! {
        /// Reads the wire JSON (values as strings, enum codes, dates `YYYYMMDD`). Unknown
        /// enum codes are kept; `validate()` refuses them before anything is sent.
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                codec::deserialize_request(deserializer, #api_id)
            }
        }
    }
}

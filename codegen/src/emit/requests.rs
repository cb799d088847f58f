//! Request-side structs: `new(required...)`, builder setters, wire `Serialize`, `validate`.

use proc_macro2::TokenStream;
use quote::quote;

use super::records::{field_type, is_list, put_field};
use super::{doc, format, ident, ty};
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
    let trnm = s
        .trnm
        .as_deref()
        .map(|t| quote!(map.serialize_entry("trnm", #t)?;));
    let puts = s.fields.iter().map(put_field);
    let map_binding = if s.fields.is_empty() && s.trnm.is_none() {
        quote!(map)
    } else {
        quote!(mut map)
    };
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

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let #map_binding = serializer.serialize_map(None)?;
                #trnm
                #(#puts)*
                map.end()
            }
        }
    }
}

/// The body of `validate`: one check per field, in order.
pub fn validate_body(api_id: &str, s: &StructDef) -> TokenStream {
    let checks = s.fields.iter().map(|f| {
        let n = ident(&f.rust);
        let wire = f.wire.as_str();
        let rust = f.rust.as_str();
        let required = f.required;
        match &f.ty {
            FieldTy::Value { format: fmt, .. } => {
                let fmt = format(fmt);
                let value = if f.optional {
                    quote!(self.#n.as_ref())
                } else {
                    quote!(Some(&self.#n))
                };
                let max = match f.max_length {
                    Some(m) => {
                        let m = m as usize;
                        quote!(Some(#m))
                    }
                    None => quote!(None),
                };
                quote!(codec::check(#api_id, #wire, #rust, #value, #required, #max, #fmt)?;)
            }
            FieldTy::Records { .. } | FieldTy::Values { .. } => {
                quote!(codec::check_list(#api_id, #wire, #rust, &self.#n, #required)?;)
            }
            _ => quote!(),
        }
    });
    quote!(#(#checks)* Ok(()))
}

/// `RequestRecord` (read back from wire JSON) and `Deserialize` for a REST request struct or
/// a row or object inside one. `api_id` is the TR's, for the errors.
pub fn emit_request_from_json(api_id: &str, s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let keys = s.fields.iter().map(|f| f.wire.as_str());
    let takes = s.fields.iter().map(|f| {
        let n = ident(&f.rust);
        let wire = f.wire.as_str();
        let rust = f.rust.as_str();
        let value = match &f.ty {
            FieldTy::Value { format: fmt, .. } => {
                let fmt = format(fmt);
                if f.optional {
                    quote!(codec::take(api_id, object, #wire, #rust, #fmt)?)
                } else {
                    quote!(codec::take_required(api_id, object, #wire, #rust, #fmt)?)
                }
            }
            FieldTy::Records { .. } => quote!(codec::take_list(api_id, object, #wire, #rust)?),
            FieldTy::Values { format: fmt, .. } => {
                let fmt = format(fmt);
                quote!(codec::take_scalar_list(api_id, object, #wire, #rust, #fmt)?)
            }
            FieldTy::Object { .. } => {
                if f.optional {
                    quote!(codec::take_object(api_id, object, #wire, #rust)?)
                } else {
                    quote!(codec::take_required_object(api_id, object, #wire, #rust)?)
                }
            }
            FieldTy::ReturnCode => {
                quote!(codec::take(api_id, object, #wire, #rust, codec::PLAIN)?)
            }
        };
        quote!(#n: #value,)
    });
    quote! {
        impl codec::RequestRecord for #name {
            fn from_json(
                api_id: &'static str,
                object: &codec::JsonObject,
            ) -> Result<Self, kiwoom_runtime::ValidationError> {
                codec::unknown_keys(api_id, object, &[#(#keys),*])?;
                Ok(Self { #(#takes)* })
            }
        }

        /// Reads the wire JSON (values as strings, enum codes, dates `YYYYMMDD`). Unknown
        /// enum codes are kept; `validate()` refuses them before anything is sent.
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                codec::deserialize_request(deserializer, #api_id)
            }
        }
    }
}

//! Response-side structs (responses, rows, objects, WebSocket frames): fields, the
//! key-matching decoder (`codec::Record`) and the wire-form `Serialize`.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{doc, format, ident, ty};
use crate::ir::{FieldDef, FieldTy, StructDef};
use crate::spec::RowShape;

/// Names the decoder uses for its own locals; a field with one of them gets a `_` suffix
/// as a local variable (its struct field name is unchanged).
const LOCALS: &[&str] = &[
    "map",
    "elements",
    "ctx",
    "key",
    "serializer",
    "extra",
    "forms",
];

fn local(f: &FieldDef) -> Ident {
    if LOCALS.contains(&f.rust.as_str()) {
        format_ident!("{}_", f.rust)
    } else {
        ident(&f.rust)
    }
}

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

/// A field's slot in its record's `WireForms`: its position among the record's fields (the
/// IR's order), as a literal.
pub fn slot_of(position: usize) -> TokenStream {
    let slot = u16::try_from(position).expect("a record has fewer than 65536 fields (IR)");
    let slot = proc_macro2::Literal::u16_unsuffixed(slot);
    quote!(#slot)
}

/// Lists are never `Option`: an absent list is empty.
pub fn is_list(f: &FieldDef) -> bool {
    matches!(f.ty, FieldTy::Records { .. } | FieldTy::Values { .. })
}

/// The codec format of one element of an array-shaped row.
fn element_format(f: &FieldDef) -> TokenStream {
    match &f.ty {
        FieldTy::Value { format: fmt, .. } => format(fmt),
        _ => quote!(codec::PLAIN),
    }
}

pub fn emit_record(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc(&s.doc);
    let fields = s.fields.iter().map(|f| {
        let fdoc = doc(&f.doc);
        let fname = ident(&f.rust);
        let fty = field_type(f);
        quote!(#fdoc pub #fname: #fty,)
    });
    let decode = emit_decode(s);
    let serialize = emit_serialize(s);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            extra: codec::Extra,
            forms: codec::WireForms,
        }

        impl #name {
            /// Keys the server sent that the spec does not list, with their values.
            pub fn extra_fields(&self) -> &codec::Extra {
                &self.extra
            }
        }

        #decode
        #serialize
    }
}

fn emit_decode(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let inits = s.fields.iter().map(|f| {
        let l = local(f);
        if is_list(f) {
            quote!(let mut #l = Vec::new();)
        } else {
            quote!(let mut #l = None;)
        }
    });
    let arms = s.fields.iter().enumerate().map(|(slot, f)| {
        let l = local(f);
        let wire = f.wire.as_str();
        let slot = slot_of(slot);
        let call = match &f.ty {
            FieldTy::Value { format: fmt, .. } => {
                let fmt = format(fmt);
                quote!(forms.value(&mut map, ctx, #slot, #wire, #fmt)?)
            }
            FieldTy::ReturnCode => quote!(codec::field(&mut map, ctx, #wire, codec::PLAIN)?),
            FieldTy::Records { .. } => quote!(codec::list(&mut map, ctx, #wire)?),
            FieldTy::Object { .. } => quote!(codec::object(&mut map, ctx, #wire)?),
            FieldTy::Values { format: fmt, .. } => {
                let fmt = format(fmt);
                quote!(codec::scalar_list(&mut map, ctx, #wire, #fmt)?)
            }
        };
        match &f.ty {
            FieldTy::Records { .. } | FieldTy::Values { .. } => quote!(#wire => {
                #l = #call;
                forms.list_sent(#slot, &#l);
            }),
            _ => quote!(#wire => #l = #call,),
        }
    });
    let finish = finish_fields(s);
    let seq = (s.shape == RowShape::Array).then(|| {
        let reads = s.fields.iter().enumerate().map(|(i, f)| {
            let l = local(f);
            let fmt = element_format(f);
            quote!(let #l = codec::element(&mut elements, ctx, #i, #fmt)?;)
        });
        let count = s.fields.len();
        let finish = finish_fields(s);
        quote! {
            fn decode_seq<'de, A: serde::de::SeqAccess<'de>>(
                mut elements: A,
                ctx: &codec::Ctx<'_>,
            ) -> Result<Self, A::Error> {
                #(#reads)*
                let mut extra = codec::Extra::new();
                codec::rest_elements(&mut elements, &mut extra, #count)?;
                Ok(Self { #finish extra, forms: codec::WireForms::default() })
            }
        }
    });
    quote! {
        impl codec::Record for #name {
            fn decode_map<'de, A: serde::de::MapAccess<'de>>(
                mut map: A,
                ctx: &codec::Ctx<'_>,
            ) -> Result<Self, A::Error> {
                #(#inits)*
                let mut extra = codec::Extra::new();
                let mut forms = codec::WireForms::default();
                while let Some(key) = codec::next_key(&mut map)? {
                    match &*key {
                        #(#arms)*
                        _ => codec::put_extra_value(&mut map, &mut extra, key)?,
                    }
                }
                Ok(Self { #finish extra, forms })
            }
            #seq
        }
    }
}

/// `field: local,` or, for fields that must be present, `field: require(local)?,`.
fn finish_fields(s: &StructDef) -> TokenStream {
    let items = s.fields.iter().map(|f| {
        let fname = ident(&f.rust);
        let l = local(f);
        let wire = f.wire.as_str();
        let required = !f.optional && !is_list(f);
        if required {
            quote!(#fname: codec::require(#l, ctx, #wire)?,)
        } else if l == fname {
            quote!(#fname,)
        } else {
            quote!(#fname: #l,)
        }
    });
    quote!(#(#items)*)
}

fn emit_serialize(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    if s.shape == RowShape::Array {
        let pushes = s.fields.iter().map(|f| {
            let fname = ident(&f.rust);
            let fmt = element_format(f);
            if f.optional {
                quote!(codec::push(&mut elements, self.#fname.as_ref(), #fmt)?;)
            } else {
                quote!(codec::push(&mut elements, Some(&self.#fname), #fmt)?;)
            }
        });
        return quote! {
            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    use serde::ser::SerializeSeq as _;
                    let mut elements = serializer.serialize_seq(None)?;
                    #(#pushes)*
                    codec::push_extra(&mut elements, &self.extra)?;
                    elements.end()
                }
            }
        };
    }
    let puts = s
        .fields
        .iter()
        .enumerate()
        .map(|(slot, f)| put_record_field(slot, f));
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                #(#puts)*
                codec::put_extra(&mut map, &self.extra)?;
                map.end()
            }
        }
    }
}

/// One `put` call of a decoded record's `Serialize`: values write back their kept wire text.
fn put_record_field(slot: usize, f: &FieldDef) -> TokenStream {
    let fname = ident(&f.rust);
    let wire = f.wire.as_str();
    let slot = slot_of(slot);
    match &f.ty {
        FieldTy::Value { format: fmt, .. } => {
            let fmt = format(fmt);
            if f.optional {
                quote!(self.forms.put(&mut map, #slot, #wire, self.#fname.as_ref(), #fmt)?;)
            } else {
                quote!(self.forms.put(&mut map, #slot, #wire, Some(&self.#fname), #fmt)?;)
            }
        }
        FieldTy::Records { .. } => {
            quote!(self.forms.put_list(&mut map, #slot, #wire, &self.#fname)?;)
        }
        FieldTy::Values { .. } => {
            let put = put_field(f);
            quote!(if !self.#fname.is_empty() || self.forms.get(#slot).is_some() { #put })
        }
        _ => put_field(f),
    }
}

/// One `put` call of a map-shaped `Serialize`.
pub fn put_field(f: &FieldDef) -> TokenStream {
    let fname = ident(&f.rust);
    let wire = f.wire.as_str();
    match &f.ty {
        FieldTy::Value { format: fmt, .. } => {
            let fmt = format(fmt);
            if f.optional {
                quote!(codec::put_opt(&mut map, #wire, &self.#fname, #fmt)?;)
            } else {
                quote!(codec::put(&mut map, #wire, &self.#fname, #fmt)?;)
            }
        }
        FieldTy::ReturnCode => {
            if f.optional {
                quote!(codec::put_number(&mut map, #wire, self.#fname)?;)
            } else {
                quote!(codec::put_number(&mut map, #wire, Some(self.#fname))?;)
            }
        }
        FieldTy::Records { .. } => quote!(codec::put_list(&mut map, #wire, &self.#fname)?;),
        FieldTy::Object { .. } => {
            if f.optional {
                quote!(codec::put_object(&mut map, #wire, self.#fname.as_ref())?;)
            } else {
                quote!(codec::put_object(&mut map, #wire, Some(&self.#fname))?;)
            }
        }
        FieldTy::Values { format: fmt, .. } => {
            let fmt = format(fmt);
            quote!(codec::put_scalar_list(&mut map, #wire, &self.#fname, #fmt)?;)
        }
    }
}

//! The realtime module: a typed struct per REAL type and the `RealtimeEvent` dispatcher.

use proc_macro2::TokenStream;
use quote::quote;

use super::records::{Side, table_macro};
use super::{doc, ident, ty};
use crate::ir::{FieldTy, Realtime, RealtimeType, Role, StructDef};
use crate::spec::{Market, RealtimeItem, RowShape};

pub fn emit_type(t: &RealtimeType) -> TokenStream {
    let name = ident(&t.struct_name);
    let docs = doc(&t.doc);
    let code = t.code.as_str();
    let fields = t.fields.iter().map(|f| {
        let fdoc = doc(&f.doc);
        let n = ident(&f.rust);
        let FieldTy::Value { rust, .. } = &f.ty else {
            unreachable!("realtime values are scalars (IR)")
        };
        let fty = ty(rust);
        quote!(#fdoc pub #n: Option<#fty>,)
    });
    // Realtime values are all optional: the table's accessors are those of a record.
    let def = StructDef {
        name: t.struct_name.clone(),
        role: Role::ResponsePart,
        shape: RowShape::Object,
        doc: Vec::new(),
        fields: t.fields.clone(),
        trnm: None,
    };
    assert!(
        def.blank_is_default(),
        "{}: realtime values are optional (IR)",
        def.name
    );
    let table = table_macro(&def, Side::Realtime, &[]);
    let korean = t.korean_name.as_str();
    let market = match t.market {
        Market::Us => quote!(kiwoom_runtime::Market::Us),
        _ => quote!(kiwoom_runtime::Market::Domestic),
    };
    let item = match t.item {
        RealtimeItem::Stock => quote!(kiwoom_runtime::RealtimeItemKind::Stock),
        RealtimeItem::Sector => quote!(kiwoom_runtime::RealtimeItemKind::Sector),
        RealtimeItem::Account => quote!(kiwoom_runtime::RealtimeItemKind::Account),
        RealtimeItem::UsSymbol => quote!(kiwoom_runtime::RealtimeItemKind::UsSymbol),
        RealtimeItem::ConditionSearch => quote!(kiwoom_runtime::RealtimeItemKind::ConditionSearch),
    };
    let marker = match t.item {
        RealtimeItem::Stock | RealtimeItem::Sector | RealtimeItem::UsSymbol => {
            quote!(impl kiwoom_runtime::ItemRealtimeType for #name {})
        }
        RealtimeItem::Account => quote!(impl kiwoom_runtime::AccountRealtimeType for #name {}),
        RealtimeItem::ConditionSearch => quote!(),
    };
    quote! {
        #![doc = concat!(" Realtime type `", #code, "`.")]
        use kiwoom_runtime::codec;

        #docs
        #[derive(Debug, Clone, PartialEq, Default)]
        #[non_exhaustive]
        pub struct #name {
            /// The registered item (stock, sector or symbol code; empty for account-wide types).
            pub item: String,
            /// Kiwoom's Korean name of the type, as sent.
            pub name: String,
            #(#fields)*
            extra_values: std::collections::BTreeMap<String, String>,
            extra: codec::Extra,
            forms: codec::WireForms,
        }

        impl #name {
            /// Values whose id the spec does not list, as received.
            pub fn extra_values(&self) -> &std::collections::BTreeMap<String, String> {
                &self.extra_values
            }

            /// Keys of the entry besides `type`, `name`, `item` and `values`.
            pub fn extra_fields(&self) -> &codec::Extra {
                &self.extra
            }

        }

        impl kiwoom_runtime::RealtimeType for #name {
            const TYPE: &'static str = #code;
            const KOREAN_NAME: &'static str = #korean;
            const MARKET: kiwoom_runtime::Market = #market;
            const ITEM: kiwoom_runtime::RealtimeItemKind = #item;
            fn decode_item(item: &kiwoom_runtime::RealItem) -> Result<Self, kiwoom_runtime::DecodeError> {
                codec::decode_real_item(item)
            }
        }
        #marker

        #table

        impl codec::RealTable for #name {
            fn parts(&mut self) -> codec::RealParts<'_> {
                codec::RealParts {
                    item: &mut self.item,
                    name: &mut self.name,
                    extra_values: &mut self.extra_values,
                    extra: &mut self.extra,
                    forms: &mut self.forms,
                }
            }
            fn parts_ref(&self) -> codec::RealPartsRef<'_> {
                codec::RealPartsRef {
                    item: &self.item,
                    name: &self.name,
                    extra_values: &self.extra_values,
                    extra: &self.extra,
                    forms: &self.forms,
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                codec::serialize_real(self, serializer)
            }
        }
    }
}

pub fn emit_mod(r: &Realtime) -> TokenStream {
    let mods = r.types.iter().map(|t| {
        let m = ident(&t.file);
        let s = ident(&t.struct_name);
        quote!(mod #m; pub use #m::#s;)
    });
    let enums = (!r.enums.is_empty()).then(|| {
        quote!(
            mod enums;
            pub use enums::*;
        )
    });
    let shared = r.shared_enums.iter().map(|e| {
        let e = ident(e);
        quote!(pub use super::enums::#e;)
    });
    let variants = r.types.iter().map(|t| {
        let s = ident(&t.struct_name);
        let d = doc(&[format!(
            "`{}` {} (documented by `{}`).",
            t.code,
            crate::ir::rustdoc_safe(&t.korean_name),
            t.api_id
        )]);
        quote!(#d #s(Box<#s>),)
    });
    let decode_arms = r.types.iter().map(|t| {
        let s = ident(&t.struct_name);
        let code = t.code.as_str();
        quote!(#code => <#s as codec::RealEntry>::boxed_from_entry(entry, ctx).map(Self::#s),)
    });
    let ser_arms = r.types.iter().map(|t| {
        let s = ident(&t.struct_name);
        quote!(Self::#s(event) => serde::Serialize::serialize(&**event, serializer),)
    });
    let kind_arms = r.types.iter().map(|t| {
        let s = ident(&t.struct_name);
        quote!(Self::#s(_) => <#s as kiwoom_runtime::RealtimeType>::TYPE,)
    });
    quote! {
        //! Realtime pushes (`trnm: REAL`): one typed struct per realtime type and
        //! [`RealtimeEvent`], which the runtime's WebSocket session decodes entries into.
        //!
        //! Every value is optional (Kiwoom leaves values empty outside trading hours) and
        //! ids the spec does not list are kept, so nothing the server sends is dropped.

        use kiwoom_runtime::codec;

        #(#mods)*
        #enums
        #(#shared)*


        /// One entry of a REAL frame, typed by its `type`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum RealtimeEvent {
            #(#variants)*
            /// A type this version does not know, kept as received.
            Unknown(kiwoom_runtime::RealItem),
        }

        impl RealtimeEvent {
            /// The REAL frame `type`: `0B`, `FT`, ...
            pub fn kind(&self) -> &str {
                match self {
                    #(#kind_arms)*
                    Self::Unknown(item) => &item.kind,
                }
            }
        }

        /// A whole REAL frame with typed entries.
        pub type RealtimeFrame = codec::RealFrame<RealtimeEvent>;

        impl codec::RealEntry for RealtimeEvent {
            fn from_entry(
                entry: codec::RawEntry<'_>,
                ctx: &codec::Ctx<'_>,
            ) -> Result<Self, kiwoom_runtime::DecodeError> {
                match &*entry.kind {
                    #(#decode_arms)*
                    _ => Ok(Self::Unknown(entry.into_item())),
                }
            }
        }

        impl kiwoom_runtime::RealtimeDecode for RealtimeEvent {
            fn decode_real(item: &kiwoom_runtime::RealItem) -> Result<Self, kiwoom_runtime::DecodeError> {
                codec::decode_real_item(item)
            }
        }

        impl serde::Serialize for RealtimeEvent {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::Unknown(item) => serde::Serialize::serialize(item, serializer),
                }
            }
        }
    }
}

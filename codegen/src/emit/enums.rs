//! `#[non_exhaustive]` enums with an `Unknown` variant that keeps the raw code.

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

/// One enum and its impls, each item behind `cfg` (the features of the modules using it).
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
    let names: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let codes: Vec<_> = e.variants.iter().map(|v| v.code.as_str()).collect();
    let labels: Vec<_> = e.variants.iter().map(|v| v.korean.as_str()).collect();
    let empty_is_a_value = if e.empty_is_a_code {
        quote!(
            const EMPTY_IS_A_VALUE: bool = true;
        )
    } else {
        quote!()
    };
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
        impl #name {
            /// Every documented code, in the spec's order.
            pub fn values() -> &'static [&'static str] {
                &[#(#codes),*]
            }

            /// The code as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// The variant of a wire code; undocumented codes become `Unknown`.
            pub fn from_code(code: &str) -> Self {
                match code {
                    #(#codes => Self::#names,)*
                    other => Self::Unknown(codec::UnknownValue::new(other)),
                }
            }

            /// Kiwoom's Korean label of the code.
            pub fn korean(&self) -> Option<&'static str> {
                match self {
                    #(Self::#names => Some(#labels),)*
                    Self::Unknown(_) => None,
                }
            }
        }

        #cfg
        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(code: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_code(code))
            }
        }

        #cfg
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #cfg
        impl codec::Wire for #name {
            fn parse(raw: &str, _: &codec::Format) -> Result<Self, codec::WireError> {
                Ok(Self::from_code(raw))
            }
            fn write(&self, _: &codec::Format) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(self.as_str())
            }
            fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
            #empty_is_a_value
        }
    }
}

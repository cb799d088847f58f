//! One TR's file: request, response, rows, and the trait impls from `kiwoom_runtime::tr`.

use crate::spec::OrderAction;
use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use super::records::emit_record;
use super::requests::{emit_request_struct, validate_body};
use crate::ir::{PagingDef, Role, SummaryField, Tr, TrKind};
use crate::spec::Market;

pub fn emit_tr(tr: &Tr) -> TokenStream {
    let file_doc = tr.doc.iter().map(|l| {
        let text = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote!(#![doc = #text])
    });
    // REST and OAuth requests can be read back from JSON (the registry's `parse_request`);
    // condition-search commands are WebSocket frames and are not dispatched by api-id.
    let from_json = matches!(tr.kind, TrKind::Rest).then_some(tr.api_id.as_str());
    let request = emit_request_struct(&tr.request, from_json);
    let nested = tr.nested.iter().map(|s| match s.role {
        Role::Request => emit_request_struct(s, None),
        Role::RequestPart => emit_request_struct(s, from_json),
        Role::Response | Role::ResponsePart => emit_record(s, false),
    });
    let response = emit_record(&tr.response, true);
    let traits = emit_traits(tr);
    quote! {
        #(#file_doc)*
        use kiwoom_runtime::codec;
        #request
        #response
        #(#nested)*
        #traits
    }
}

fn emit_traits(tr: &Tr) -> TokenStream {
    let req = ident(&tr.request.name);
    let resp = ident(&tr.response.name);
    let api_id = tr.api_id.as_str();
    let korean = tr.korean_name.as_str();
    let path = tr.path.as_str();
    let safety = ident(&tr.safety_variant);
    let info = quote! {
        kiwoom_runtime::TrInfo {
            api_id: #api_id,
            korean_name: #korean,
            path: #path,
            safety: kiwoom_runtime::SafetyClass::#safety,
        }
    };
    let validate = validate_body(api_id);
    match &tr.kind {
        TrKind::Rest => {
            let summary = tr.order_summary.as_ref().map(|o| {
                let action = match o.action {
                    OrderAction::Buy => quote!(Buy),
                    OrderAction::Sell => quote!(Sell),
                    OrderAction::Amend => quote!(Amend),
                    OrderAction::Cancel => quote!(Cancel),
                    OrderAction::Other => quote!(Other),
                };
                let stock = summary_value(&o.stock_code, quote!(.cloned()));
                let quantity = summary_value(&o.quantity, quote!(.copied()));
                let price = summary_value(
                    &o.price,
                    if o.price.as_ref().is_some_and(|p| p.decimal) {
                        quote!(.map(|p| p.get()))
                    } else {
                        quote!(.map(|p| rust_decimal::Decimal::from(p.get())))
                    },
                );
                let original = summary_value(&o.original_order_no, quote!(.cloned()));
                quote! {
                    fn order_summary(&self) -> Option<kiwoom_runtime::OrderSummary> {
                        Some(kiwoom_runtime::OrderSummary {
                            api_id: #api_id,
                            action: Some(kiwoom_runtime::OrderAction::#action),
                            stock_code: #stock,
                            quantity: #quantity,
                            price: #price,
                            original_order_no: #original,
                        })
                    }
                }
            });
            let paged = match &tr.paging {
                PagingDef::Header { field, row } => {
                    let field = ident(field);
                    let row = ident(row);
                    Some(quote! {
                        impl kiwoom_runtime::PagedRequest for #req {
                            type Item = #row;
                            fn into_items(page: #resp) -> Vec<#row> {
                                page.#field
                            }
                        }
                    })
                }
                _ => None,
            };
            quote! {
                impl kiwoom_runtime::TrRequest for #req {
                    const INFO: kiwoom_runtime::TrInfo = #info;
                    type Response = #resp;
                    fn validate(&self) -> Result<(), kiwoom_runtime::ValidationError> {
                        #validate
                    }
                    fn write_body(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
                        codec::write_table_json(self, out)
                    }
                    #summary
                }
                #paged
            }
        }
        TrKind::Condition { trnm } => {
            let market = match tr.market {
                Market::Us => quote!(kiwoom_runtime::Market::Us),
                _ => quote!(kiwoom_runtime::Market::Domestic),
            };
            quote! {
                impl #req {
                    /// Check required fields, lengths and codes before the frame is sent.
                    pub fn validate(&self) -> Result<(), kiwoom_runtime::ValidationError> {
                        #validate
                    }
                }
                impl kiwoom_runtime::WsCommand for #req {
                    const INFO: kiwoom_runtime::TrInfo = #info;
                    const TRNM: &'static str = #trnm;
                    const MARKET: kiwoom_runtime::Market = #market;
                    type Reply = #resp;
                }
            }
        }
    }
}

/// `self.field` as an `Option<&T>`, converted by `convert`; `None` when the TR has no such field.
fn summary_value(field: &Option<SummaryField>, convert: TokenStream) -> TokenStream {
    match field {
        None => quote!(None),
        Some(f) => {
            let n = ident(&f.rust);
            let value = if f.optional {
                quote!(self.#n.as_ref())
            } else {
                quote!(Some(&self.#n))
            };
            quote!(#value #convert)
        }
    }
}

//! `src/client.rs`: `KiwoomApi`, the extension trait on `kiwoom_runtime::Client` that groups
//! one method per REST/OAuth TR as `client.<market>().<category>().<method>(request)`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::ir::{Api, Group, TrKind};

pub fn emit_client(api: &Api) -> TokenStream {
    let trait_methods = api.markets.iter().map(|m| {
        let acc = ident(&m.accessor);
        let s = ident(&m.struct_name);
        let d = doc(&[format!("{} ({}) TRs, by menu group.", m.korean, m.accessor)]);
        quote!(#d fn #acc(&self) -> #s<'_>;)
    });
    let impl_methods = api.markets.iter().map(|m| {
        let acc = ident(&m.accessor);
        let s = ident(&m.struct_name);
        quote!(fn #acc(&self) -> #s<'_> { #s { client: self } })
    });
    let markets = api.markets.iter().map(|m| {
        let s = ident(&m.struct_name);
        let d = doc(&[format!(
            "{} TRs: one accessor per menu group (each behind its Cargo feature).",
            m.korean
        )]);
        let accessors = m.groups.iter().map(|id| {
            let g = api
                .groups
                .iter()
                .find(|g| &g.id == id)
                .expect("market group exists (IR)");
            let gs = ident(
                g.client_struct
                    .as_deref()
                    .expect("client group has a struct (IR)"),
            );
            let acc = ident(&g.accessor);
            let feature = g.id.as_str();
            let d = doc(&[format!(
                "{} ({}): feature `{feature}`.",
                crate::ir::rustdoc_safe(&g.korean),
                g.english
            )]);
            quote! {
                #d
                #[cfg(feature = #feature)]
                pub fn #acc(&self) -> #gs<'a> {
                    #gs { client: self.client }
                }
            }
        });
        quote! {
            #d
            #[derive(Clone, Copy)]
            pub struct #s<'a> {
                client: &'a kiwoom_runtime::Client,
            }

            impl<'a> #s<'a> {
                /// The client these methods call through.
                pub fn client(&self) -> &'a kiwoom_runtime::Client {
                    self.client
                }
                #(#accessors)*
            }
        }
    });
    let groups = api
        .groups
        .iter()
        .filter(|g| g.client_struct.is_some())
        .map(emit_group);
    quote! {
        //! One method per REST and OAuth TR, grouped by market and menu group:
        //! `client.domestic().chart().stock_daily_chart(request)`.
        //!
        //! Each method only prepares a [`kiwoom_runtime::Call`]; nothing is sent until it is
        //! awaited (or `send()`, `pages()`, `items()` is called). Bring the methods into
        //! scope with `use kiwoom_generated::prelude::*;`.
        //!
        //! ```no_run
        //! # async fn example(client: kiwoom_generated::Client) -> Result<(), kiwoom_generated::Error> {
        //! use kiwoom_generated::domestic_stock_info::StockInfoRequest;
        //! use kiwoom_generated::prelude::*;
        //!
        //! let info = client.domestic().stock_info().stock_info(StockInfoRequest::new("005930")).await?;
        //! if let Some(price) = info.current_price {
        //!     println!("{} won, {:?}", price.value(), price.direction());
        //! }
        //! # Ok(())
        //! # }
        //! ```

        /// TR methods on [`kiwoom_runtime::Client`], grouped by market.
        pub trait KiwoomApi {
            #(#trait_methods)*
        }

        impl KiwoomApi for kiwoom_runtime::Client {
            #(#impl_methods)*
        }

        #(#markets)*
        #(#groups)*
    }
}

fn emit_group(g: &Group) -> TokenStream {
    let s = ident(g.client_struct.as_deref().expect("filtered"));
    let feature = g.id.as_str();
    let module = ident(&g.module);
    let d = doc(&[format!(
        "{} ({}): `{}`.",
        crate::ir::rustdoc_safe(&g.korean),
        g.english,
        g.source
    )]);
    let methods = g.trs.iter().filter(|t| matches!(t.kind, TrKind::Rest)).map(|t| {
        let m = ident(&t.method);
        let req = ident(&t.request.name);
        let d = doc(&t.method_doc);
        // `#[inline]`: compiled in the crate that calls the method, so the generated crate
        // does not build a `Call` of every TR for callers that name a few.
        quote! {
            #d
            #[inline]
            pub fn #m(&self, request: super::#module::#req) -> kiwoom_runtime::Call<super::#module::#req> {
                self.client.call(request)
            }
        }
    });
    quote! {
        #d
        #[cfg(feature = #feature)]
        #[derive(Clone, Copy)]
        pub struct #s<'a> {
            client: &'a kiwoom_runtime::Client,
        }

        #[cfg(feature = #feature)]
        impl #s<'_> {
            #(#methods)*
        }
    }
}

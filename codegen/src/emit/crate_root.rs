//! `src/lib.rs`, the group modules' `mod.rs` and the shared `enums.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::ir::{Api, Group};

pub fn emit_lib(api: &Api) -> TokenStream {
    let groups = api.groups.iter().map(|g| {
        let m = ident(&g.module);
        let feature = g.id.as_str();
        let d = doc(&[format!(
            "{} ({}): feature `{feature}`.",
            crate::ir::rustdoc_safe(&g.korean),
            g.english
        )]);
        quote!(#d #[cfg(feature = #feature)] pub mod #m;)
    });
    let enums = (!api.shared_enums.is_empty()).then(|| {
        quote!(
            pub mod enums;
        )
    });
    let realtime = (!api.realtime.types.is_empty()).then(|| {
        quote!(
            #[cfg(feature = "realtime")]
            pub mod realtime;
        )
    });
    let client = (!api.markets.is_empty()).then(|| {
        quote!(
            pub mod client;
            pub use client::KiwoomApi;
        )
    });
    let prelude_client = (!api.markets.is_empty()).then(|| {
        quote!(
            pub use super::client::KiwoomApi;
        )
    });
    let prelude_realtime = (!api.realtime.types.is_empty()).then(|| {
        quote!(
            #[cfg(feature = "realtime")]
            pub use super::realtime::RealtimeEvent;
        )
    });
    let rest_count: usize = api.groups.iter().map(|g| g.trs.len()).sum();
    let summary = format!(
        " Typed bindings for {rest_count} Kiwoom REST, OAuth and condition-search TRs and {} realtime types.",
        api.realtime.types.len()
    );
    quote! {
        #![doc = #summary]
        //!
        //! Generated from `spec/` by `cargo run -p codegen`; never edited by hand. Each TR is a
        //! request struct, a response struct and implementations of the traits in
        //! `kiwoom_runtime::tr`; the runtime (re-exported here) does all the I/O.
        //!
        //! Prices are [`codec::Directed`](kiwoom_runtime::codec::Directed): the price a
        //! trader reads (never negative) and its direction against the previous close, which
        //! Kiwoom writes as the sign. Order inputs are distinct types (`Quantity`, `Price`,
        //! `StockCode`, `OrderNumber`), so swapped arguments do not compile.
        //!
        //! ```no_run
        //! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
        //! use futures::StreamExt;
        //! use kiwoom_generated::domestic_chart::{AdjustedStockPriceType, StockDailyChartRequest};
        //! use kiwoom_generated::prelude::*;
        //!
        //! let client = Client::builder()
        //!     .environment(Environment::Mock) // Kiwoom's mock-trading servers; Real for production
        //!     .app_key(std::env::var("KIWOOM_APP_KEY")?)
        //!     .secret_key(std::env::var("KIWOOM_SECRET_KEY")?)
        //!     .build()?;
        //! let date = chrono::NaiveDate::from_ymd_opt(2025, 9, 8).ok_or("date")?;
        //! let request = StockDailyChartRequest::new("005930", date, AdjustedStockPriceType::Adjusted);
        //! let mut candles = client.domestic().chart().stock_daily_chart(request).max_pages(3).items();
        //! while let Some(candle) = candles.next().await {
        //!     let candle = candle?;
        //!     println!("{:?}: close {:?}", candle.date, candle.current_price);
        //! }
        //! # Ok(())
        //! # }
        //! ```
        //!
        //! Cargo features: one per menu group (`domestic-chart`, `us-account`, ...), one per
        //! market (`domestic`, `us`, `oauth`), `realtime`, and `full` (the default).

        pub use kiwoom_runtime;
        pub use kiwoom_runtime::{
            Call, Client, ClientBuilder, DecodeError, Environment, Error, ItemStream, KiwoomErrorCode, Page, PageStream,
            TrInfo, ValidationError,
        };

        #client
        #enums
        pub mod meta;
        pub mod registry;
        pub mod ws;
        #realtime
        #(#groups)*

        pub use registry::{AnyRequest, AnyResponse, call_json, decode_response, pages_json, parse_request};

        /// `use kiwoom_generated::prelude::*;` brings the client methods, the TR traits, the
        /// realtime subscription types and the typed order inputs.
        pub mod prelude {
            #prelude_client
            #prelude_realtime
            pub use kiwoom_runtime::codec::{Directed, Direction, OrderNumber, Price, Quantity, StockCode};
            pub use kiwoom_runtime::ws::TypedEvent;
            pub use kiwoom_runtime::{
                AccountRealtimeType, Client, Environment, Error, ItemRealtimeType, Market, PagedRequest,
                RealtimeDecode, RealtimeType, TrRequest, TrResponse, WsCommand,
            };
        }
    }
}

pub fn emit_group_mod(g: &Group) -> TokenStream {
    let title = format!(" {} ({}).", crate::ir::rustdoc_safe(&g.korean), g.english);
    let facts = format!(
        " {} TRs from `{}`; Cargo feature `{}`.",
        g.trs.len(),
        g.source,
        g.id
    );
    let mods = g.trs.iter().map(|t| {
        let m = ident(&t.file);
        let names = std::iter::once(&t.request.name)
            .chain(std::iter::once(&t.response.name))
            .chain(t.nested.iter().map(|s| &s.name))
            .map(|n| ident(n));
        quote!(mod #m; pub use #m::{#(#names),*};)
    });
    let enums = (!g.enums.is_empty()).then(|| {
        quote!(
            mod enums;
            pub use enums::*;
        )
    });
    let shared = (!g.shared_enums.is_empty()).then(|| {
        let names = g.shared_enums.iter().map(|n| ident(n));
        quote!(pub use super::enums::{#(#names),*};)
    });
    let example = g.example.iter().map(|line| {
        let line = format!(" {line}");
        quote!(#![doc = #line])
    });
    quote! {
        #![doc = #title]
        //!
        #![doc = #facts]
        #(#example)*
        #(#mods)*
        #enums
        #shared
    }
}

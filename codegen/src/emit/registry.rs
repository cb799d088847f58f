//! `src/registry.rs`: decode any TR's body by api-id, and the table of TRs.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::Api;

pub fn emit_registry(api: &Api) -> TokenStream {
    let mut variants = Vec::new();
    let mut ser_arms = Vec::new();
    let mut id_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut infos = Vec::new();
    let mut ids = Vec::new();
    let mut req_variants = Vec::new();
    let mut req_id_arms = Vec::new();
    let mut req_ser_arms = Vec::new();
    let mut req_validate_arms = Vec::new();
    let mut parse_arms = Vec::new();
    let mut call_arms = Vec::new();
    let mut ws_command_arms = Vec::new();
    for g in &api.groups {
        let feature = g.id.as_str();
        let module = ident(&g.module);
        for t in &g.trs {
            let v = ident(&t.variant);
            let resp = ident(&t.response.name);
            let req = ident(&t.request.name);
            let api_id = t.api_id.as_str();
            let d = format!(" `{api_id}` {}", t.korean_name);
            variants.push(
                quote!(#[doc = #d] #[cfg(feature = #feature)] #v(Box<super::#module::#resp>),),
            );
            ser_arms.push(quote!(#[cfg(feature = #feature)] Self::#v(r) => serde::Serialize::serialize(r, serializer),));
            id_arms.push(quote!(#[cfg(feature = #feature)] Self::#v(_) => #api_id,));
            decode_arms.push(quote! {
                #[cfg(feature = #feature)]
                #api_id => codec::decode_body(api_id, body).map(|r| AnyResponse::#v(Box::new(r))),
            });
            let info = match t.kind {
                crate::ir::TrKind::Rest => {
                    let d = format!(" `{api_id}` {}", t.korean_name);
                    req_variants.push(
                        quote!(#[doc = #d] #[cfg(feature = #feature)] #v(Box<super::#module::#req>),),
                    );
                    req_id_arms.push(quote!(#[cfg(feature = #feature)] Self::#v(_) => #api_id,));
                    req_ser_arms.push(quote!(#[cfg(feature = #feature)] Self::#v(r) => serde::Serialize::serialize(r, serializer),));
                    req_validate_arms.push(quote!(#[cfg(feature = #feature)] Self::#v(r) => kiwoom_runtime::TrRequest::validate(r.as_ref()),));
                    parse_arms.push(quote! {
                        #[cfg(feature = #feature)]
                        #api_id => codec::parse_request(#api_id, body).map(|r| AnyRequest::#v(Box::new(r))),
                    });
                    call_arms.push(quote! {
                        #[cfg(feature = #feature)]
                        AnyRequest::#v(r) => client.send_boxed(r, |r| AnyResponse::#v(Box::new(r))),
                    });
                    quote!(<super::#module::#req as kiwoom_runtime::TrRequest>::INFO)
                }
                crate::ir::TrKind::Condition { .. } => {
                    ws_command_arms
                        .push(quote!(#[cfg(feature = #feature)] #api_id => Some(#api_id),));
                    quote!(<super::#module::#req as kiwoom_runtime::WsCommand>::INFO)
                }
            };
            infos.push(quote!(#[cfg(feature = #feature)] out.push(#info);));
            ids.push(quote!(#[cfg(feature = #feature)] out.push(#api_id);));
        }
    }
    let real_ids: Vec<&str> = {
        let mut v: Vec<&str> = api
            .realtime
            .types
            .iter()
            .flat_map(|t| [t.code.as_str(), t.api_id.as_str()])
            .collect();
        // A condition-search TR (ka10173) decodes its reply by its own id; its pushes by type.
        v.retain(|id| {
            !api.groups
                .iter()
                .any(|g| g.trs.iter().any(|t| t.api_id == *id))
        });
        v.sort();
        v.dedup();
        v
    };
    let realtime = (!real_ids.is_empty()).then(|| {
        ids.push(quote!(#[cfg(feature = "realtime")] out.extend([#(#real_ids),*]);));
        variants.push(quote!(/// A REAL frame (any realtime type).
            #[cfg(feature = "realtime")] Real(Box<super::realtime::RealtimeFrame>),));
        ser_arms.push(quote!(#[cfg(feature = "realtime")] Self::Real(r) => serde::Serialize::serialize(r, serializer),));
        id_arms.push(quote!(#[cfg(feature = "realtime")] Self::Real(_) => "REAL",));
        decode_arms.push(quote! {
            #[cfg(feature = "realtime")]
            #(#real_ids)|* => decode_push(api_id, body).map(|r| AnyResponse::Real(Box::new(r))),
        });
        quote! {
            /// Decode a whole REAL frame (`{"trnm":"REAL","data":[...]}`) into typed events.
            #[cfg(feature = "realtime")]
            pub fn decode_push(api_id: &str, body: &[u8]) -> Result<super::realtime::RealtimeFrame, kiwoom_runtime::DecodeError> {
                codec::decode_body(api_id, body)
            }
        }
    });
    for f in &api.ws_frames {
        let v = ident(&f.def.name);
        let api_id = f.api_id.as_str();
        let d = format!(
            " WebSocket `{}` frame",
            if f.trnm.is_empty() { "error" } else { &f.trnm }
        );
        variants.push(quote!(#[doc = #d] #v(Box<super::ws::#v>),));
        ser_arms.push(quote!(Self::#v(r) => serde::Serialize::serialize(r, serializer),));
        id_arms.push(quote!(Self::#v(_) => #api_id,));
        decode_arms.push(quote!(#api_id => codec::decode_body(api_id, body).map(|r| AnyResponse::#v(Box::new(r))),));
        ids.push(quote!(out.push(#api_id);));
    }
    // WebSocket frames are never feature-gated, so the enum is never empty when they exist.
    let fallback = api
        .ws_frames
        .is_empty()
        .then(|| quote!(_ => unreachable!("AnyResponse has no variants without features"),));
    let requests = emit_requests(
        &req_variants,
        &req_id_arms,
        &req_ser_arms,
        &req_validate_arms,
        &parse_arms,
        &call_arms,
        &ws_command_arms,
    );
    quote! {
        //! Dispatch by api-id, for tools, scripts and tests: decode any body, read and call any
        //! REST or OAuth request from JSON, and the table of TRs.
        //!
        //! Every arm below is behind its group's Cargo feature, so the few `#[allow]`s here
        //! are about feature subsets, not the code: with some groups off a wildcard arm
        //! covers what is left (`unreachable_patterns` when all are on), a table built by
        //! gated `push`es may get none (`vec_init_then_push`, `unused_mut`), and a parameter
        //! may go unread (`unused_variables`). Each allow sits on the one item it covers.

        use kiwoom_runtime::codec;

        /// A decoded body of any TR, realtime frame or WebSocket frame; serializes back to
        /// the wire form.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum AnyResponse {
            #(#variants)*
        }

        impl AnyResponse {
            /// The api-id (or frame name) this body was decoded as.
            pub fn api_id(&self) -> &'static str {
                match self {
                    #(#id_arms)*
                    #fallback
                }
            }
        }

        impl serde::Serialize for AnyResponse {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    #fallback
                }
            }
        }

        /// Decode `body` as the answer of `api_id`: a TR's response body, a condition-search
        /// reply, a whole REAL frame for a realtime type (`0B`), or a WebSocket frame
        /// (`LOGIN`, `REG`, `SYSTEM`, `WSERR` ...). TRs whose feature is off are unknown.
        pub fn decode_response(api_id: &str, body: &[u8]) -> Result<AnyResponse, kiwoom_runtime::DecodeError> {
            match api_id {
                #(#decode_arms)*
                _ => Err(kiwoom_runtime::DecodeError {
                    api_id: api_id.to_owned(),
                    field: "<api-id>".to_owned(),
                    raw: api_id.to_owned(),
                    reason: "unknown api-id, or its Cargo feature is off".to_owned(),
                }),
            }
        }

        #realtime

        #requests

        /// Every api-id `decode_response` accepts with the enabled features.
        #[allow(clippy::vec_init_then_push, unused_mut)] // each entry has its own feature gate
        pub fn api_ids() -> Vec<&'static str> {
            let mut out = Vec::new();
            #(#ids)*
            out
        }

        /// Static facts of every REST, OAuth and condition-search TR with the enabled features.
        #[allow(clippy::vec_init_then_push, unused_mut)] // each entry has its own feature gate
        pub fn trs() -> Vec<kiwoom_runtime::TrInfo> {
            let mut out = Vec::new();
            #(#infos)*
            out
        }
    }
}

/// `AnyRequest`, `parse_request` and `call_json`: any REST or OAuth TR by api-id, from JSON.
fn emit_requests(
    variants: &[TokenStream],
    id_arms: &[TokenStream],
    ser_arms: &[TokenStream],
    validate_arms: &[TokenStream],
    parse_arms: &[TokenStream],
    call_arms: &[TokenStream],
    ws_command_arms: &[TokenStream],
) -> TokenStream {
    // Every arm is feature-gated: with the REST features off the enum is empty and the
    // parameters unused, hence the wildcard arms and `allow(unused_variables)` below.
    let empty = quote!(#[allow(unreachable_patterns)] _ => unreachable!("AnyRequest has no variants with these features"),);
    quote! {
        /// A typed request of any REST or OAuth TR, as read by [`parse_request`].
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum AnyRequest {
            #(#variants)*
        }

        impl AnyRequest {
            /// The api-id of the TR.
            pub fn api_id(&self) -> &'static str {
                match self {
                    #(#id_arms)*
                    #empty
                }
            }

            /// The TR's own `validate()`: required fields, lengths, documented codes.
            pub fn validate(&self) -> Result<(), kiwoom_runtime::ValidationError> {
                match self {
                    #(#validate_arms)*
                    #empty
                }
            }
        }

        impl serde::Serialize for AnyRequest {
            #[allow(unused_variables)]
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    #empty
                }
            }
        }

        /// The api-id of a condition-search command (a WebSocket frame, not a REST call).
        fn ws_command(api_id: &str) -> Option<&'static str> {
            match api_id {
                #(#ws_command_arms)*
                _ => None,
            }
        }

        /// Read a REST or OAuth TR's request from its wire JSON (values as strings, enum codes,
        /// dates `YYYYMMDD`). A value that does not parse, a missing required field or a key
        /// the TR does not have is an error naming the TR and field; an undocumented enum code
        /// is kept, and [`AnyRequest::validate`] refuses it. Unknown api-ids (or TRs whose
        /// Cargo feature is off) and condition-search commands are errors with field `api-id`.
        #[allow(unused_variables)]
        pub fn parse_request(api_id: &str, body: &serde_json::Value) -> Result<AnyRequest, kiwoom_runtime::ValidationError> {
            match api_id {
                #(#parse_arms)*
                _ => Err(kiwoom_runtime::ValidationError {
                    api_id: ws_command(api_id).unwrap_or("<api-id>"),
                    field: "api-id",
                    rust_name: "api_id",
                    problem: kiwoom_runtime::ValidationProblem::Invalid {
                        reason: match ws_command(api_id) {
                            Some(_) => format!("`{api_id}` is a condition-search command sent over the WebSocket, not a REST call"),
                            None => format!("unknown api-id `{api_id}`, or its Cargo feature is off"),
                        },
                    },
                }),
            }
        }

        /// Call any REST or OAuth TR by api-id with a JSON body, for tools and scripts: the
        /// body is read with [`parse_request`] (errors are `Error::Validation`, nothing is
        /// sent), then sent exactly like a typed call (`validate()`, retries, money safety),
        /// and the answer comes back as [`AnyResponse`].
        ///
        /// Pass the body as its JSON text (`serde_json::Value::String(text)`, e.g.
        /// `text.into()`) when it comes from a user or a file: the text is parsed strictly
        /// and a key given twice is refused before anything is sent. A parsed `Value` has
        /// already kept only the last of two equal keys.
        #[allow(unused_variables)]
        pub async fn call_json(client: &kiwoom_runtime::Client, api_id: &str, request: serde_json::Value) -> Result<AnyResponse, kiwoom_runtime::Error> {
            // Each arm only boxes its call: the match's own future stays a pointer wide,
            // where awaiting every arm inline made it megabytes (a debug build's thread
            // stack overflowed with all features on).
            let call: kiwoom_runtime::call::BoxedSend<AnyResponse> = match parse_request(api_id, &request)? {
                #(#call_arms)*
                #[allow(unreachable_patterns)]
                _ => unreachable!("parse_request returns only enabled TRs"),
            };
            call.await
        }
    }
}

//! The `registry!` macro behind the generated crate's `registry` module: dispatch by api-id
//! written once, driven by one table per group.
//!
//! The generated `registry.rs` is only the tables: under `rest`, per group its module, its
//! Cargo feature and one row per TR (`Variant "api-id" "Korean name": Request => Response`,
//! `, paged` when the TR pages by `cont-yn` / `next-key`); under `websocket` the same for
//! condition searches (commands sent over the WebSocket); then the realtime ids and the
//! WebSocket frames. Spelled out per TR
//! the same dispatch was nine parallel matches of 337 arms.
//!
//! Every arm the macro writes is behind its group's feature, so the few `#[allow]`s are
//! about feature subsets: with some groups off a wildcard arm covers what is left
//! (`unreachable_patterns` when all are on), a table built by gated `push`es may get none
//! (`vec_init_then_push`, `unused_mut`), and a parameter may go unread
//! (`unused_variables`).

/// Expands the generated crate's registry tables into `AnyResponse`, `AnyRequest`,
/// `decode_response`, `decode_push`, `parse_request`, `call_json`, `pages`, `pages_json`,
/// `api_ids` and `trs`. For generated code only: its input format follows the generator.
#[doc(hidden)]
#[macro_export]
macro_rules! registry {
    (
        rest {
            $(
                $module:ident $feature:literal {
                    $($v:ident $id:literal $ko:literal: $req:ident => $resp:ident $(, $paged:ident)?;)*
                }
            )*
        }
        websocket {
            $(
                $cmodule:ident $cfeature:literal {
                    $($cv:ident $cid:literal $cko:literal: $creq:ident => $cresp:ident;)*
                }
            )*
        }
        $(realtime $real:ident [$($rid:literal)*])?
        frames {
            $($fv:ident $fid:literal $fdoc:literal;)*
        }
    ) => {
        /// A decoded body of any TR, realtime frame or WebSocket frame; serializes back to
        /// the wire form.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum AnyResponse {
            $($(
                #[doc = concat!(" `", $id, "` ", $ko)]
                #[cfg(feature = $feature)]
                $v(Box<super::$module::$resp>),
            )*)*
            $($(
                #[doc = concat!(" `", $cid, "` ", $cko)]
                #[cfg(feature = $cfeature)]
                $cv(Box<super::$cmodule::$cresp>),
            )*)*
            $(
                /// A REAL frame (any realtime type).
                #[cfg(feature = "realtime")]
                $real(Box<super::realtime::RealtimeFrame>),
            )?
            $(
                #[doc = concat!(" WebSocket `", $fdoc, "` frame")]
                $fv(Box<super::ws::$fv>),
            )*
        }

        impl AnyResponse {
            /// The api-id (or frame name) this body was decoded as.
            pub fn api_id(&self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feature)] Self::$v(_) => $id,)*)*
                    $($(#[cfg(feature = $cfeature)] Self::$cv(_) => $cid,)*)*
                    $(#[cfg(feature = "realtime")] Self::$real(_) => "REAL",)?
                    $(Self::$fv(_) => $fid,)*
                    #[allow(unreachable_patterns)]
                    _ => unreachable!("AnyResponse has no variants without features"),
                }
            }
        }

        impl ::serde::Serialize for AnyResponse {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $($(#[cfg(feature = $feature)] Self::$v(r) => ::serde::Serialize::serialize(r, serializer),)*)*
                    $($(#[cfg(feature = $cfeature)] Self::$cv(r) => ::serde::Serialize::serialize(r, serializer),)*)*
                    $(#[cfg(feature = "realtime")] Self::$real(r) => ::serde::Serialize::serialize(r, serializer),)?
                    $(Self::$fv(r) => ::serde::Serialize::serialize(r, serializer),)*
                    #[allow(unreachable_patterns)]
                    _ => unreachable!("AnyResponse has no variants without features"),
                }
            }
        }

        /// Decode `body` as the answer of `api_id`: a TR's response body, a condition-search
        /// reply, a whole REAL frame for a realtime type (`0B`), or a WebSocket frame
        /// (`LOGIN`, `REG`, `SYSTEM`, `WSERR` ...). TRs whose feature is off are unknown.
        pub fn decode_response(
            api_id: &str,
            body: &[u8],
        ) -> Result<AnyResponse, $crate::DecodeError> {
            match api_id {
                $($(
                    #[cfg(feature = $feature)]
                    $id => {
                        let mut r = Box::new(<super::$module::$resp as $crate::codec::Table>::blank());
                        match $crate::codec::decode_body_into($id, body, &mut *r) { Ok(()) => Ok(AnyResponse::$v(r)), Err(e) => Err(e) }
                    }
                )*)*
                $($(
                    #[cfg(feature = $cfeature)]
                    $cid => {
                        let mut r = Box::new(<super::$cmodule::$cresp as $crate::codec::Table>::blank());
                        match $crate::codec::decode_body_into($cid, body, &mut *r) { Ok(()) => Ok(AnyResponse::$cv(r)), Err(e) => Err(e) }
                    }
                )*)*
                $(
                    #[cfg(feature = "realtime")]
                    $($rid)|* => decode_push(api_id, body).map(|r| AnyResponse::$real(Box::new(r))),
                )?
                $($fid => $crate::codec::decode_body(api_id, body).map(|r| AnyResponse::$fv(Box::new(r))),)*
                _ => Err($crate::DecodeError {
                    api_id: api_id.to_owned(),
                    field: "<api-id>".to_owned(),
                    raw: api_id.to_owned(),
                    reason: "unknown api-id, or its Cargo feature is off".to_owned(),
                }),
            }
        }

        $(
            /// Decode a whole REAL frame (`{"trnm":"REAL","data":[...]}`) into typed events.
            #[cfg(feature = "realtime")]
            pub fn decode_push(
                api_id: &str,
                body: &[u8],
            ) -> Result<super::realtime::RealtimeFrame, $crate::DecodeError> {
                let _ = stringify!($real); // `$real` makes this item exist only with realtime types
                $crate::codec::decode_body(api_id, body)
            }
        )?

        /// A typed request of any REST or OAuth TR, as read by [`parse_request`].
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum AnyRequest {
            $($(
                #[doc = concat!(" `", $id, "` ", $ko)]
                #[cfg(feature = $feature)]
                $v(Box<super::$module::$req>),
            )*)*
        }

        impl AnyRequest {
            /// The api-id of the TR.
            pub fn api_id(&self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feature)] Self::$v(_) => $id,)*)*
                    #[allow(unreachable_patterns)]
                    _ => unreachable!("AnyRequest has no variants with these features"),
                }
            }

            /// The TR's `validate()`: required fields, lengths, documented codes (through
            /// its field table, as every generated `validate()` and the dispatch do).
            pub fn validate(&self) -> Result<(), $crate::ValidationError> {
                let request = self.erased();
                $crate::codec::validate_table(request.info.api_id, request.table)
            }

            /// The request past its type, for the runtime's one dispatch path.
            #[allow(unreachable_code)] // with no REST group on
            fn erased(&self) -> $crate::call::TableRequest<'_> {
                let (info, table, order): (&'static $crate::TrInfo, &dyn $crate::codec::Table, Option<$crate::OrderSummary>) = match self {
                    $($(#[cfg(feature = $feature)] Self::$v(r) => (
                        &<super::$module::$req as $crate::TrRequest>::INFO,
                        &**r,
                        $crate::TrRequest::order_summary(r.as_ref()),
                    ),)*)*
                    #[allow(unreachable_patterns)]
                    _ => unreachable!("AnyRequest has no variants with these features"),
                };
                $crate::call::TableRequest { info, table, order, decode: decode_boxed }
            }

            /// Whether the TR pages by `cont-yn` / `next-key`.
            fn is_paged(&self) -> bool {
                match self {
                    $($($(#[cfg(feature = $feature)] Self::$v(_) => $crate::__registry_paged!($paged),)?)*)*
                    #[allow(unreachable_patterns)]
                    _ => false,
                }
            }
        }

        /// [`decode_response`] boxed, the decoder the runtime's dispatch path calls.
        #[allow(dead_code)] // with no REST group on, nothing sends
        fn decode_boxed(
            api_id: &'static str,
            body: &[u8],
        ) -> Result<Box<dyn ::std::any::Any + Send>, $crate::DecodeError> {
            match decode_response(api_id, body) {
                Ok(response) => Ok(Box::new(response)),
                Err(e) => Err(e),
            }
        }

        impl ::serde::Serialize for AnyRequest {
            #[allow(unused_variables)]
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $($(#[cfg(feature = $feature)] Self::$v(r) => ::serde::Serialize::serialize(r, serializer),)*)*
                    #[allow(unreachable_patterns)]
                    _ => unreachable!("AnyRequest has no variants with these features"),
                }
            }
        }

        /// The api-id of a condition-search command (a WebSocket frame, not a REST call).
        fn ws_command(api_id: &str) -> Option<&'static str> {
            match api_id {
                $($(#[cfg(feature = $cfeature)] $cid => Some($cid),)*)*
                _ => None,
            }
        }

        /// Read a REST or OAuth TR's request from its wire JSON (values as strings, enum
        /// codes, dates `YYYYMMDD`). A value that does not parse, a missing required field or
        /// a key the TR does not have is an error naming the TR and field; an undocumented
        /// enum code is kept, and [`AnyRequest::validate`] refuses it. Unknown api-ids (or TRs
        /// whose Cargo feature is off) and condition-search commands are errors with field
        /// `api-id`.
        #[allow(unused_variables)]
        pub fn parse_request(
            api_id: &str,
            body: &::serde_json::Value,
        ) -> Result<AnyRequest, $crate::ValidationError> {
            match api_id {
                $($(
                    #[cfg(feature = $feature)]
                    $id => {
                        let mut r = Box::new(<super::$module::$req as $crate::codec::Table>::blank());
                        match $crate::codec::fill_request_body($id, body, &mut *r) { Ok(()) => Ok(AnyRequest::$v(r)), Err(e) => Err(e) }
                    }
                )*)*
                _ => Err($crate::ValidationError {
                    api_id: ws_command(api_id).unwrap_or("<api-id>"),
                    field: "api-id",
                    rust_name: "api_id",
                    problem: $crate::ValidationProblem::Invalid {
                        reason: match ws_command(api_id) {
                            Some(_) => format!(
                                "`{api_id}` is a condition-search command sent over the WebSocket, not a REST call"
                            ),
                            None => format!("unknown api-id `{api_id}`, or its Cargo feature is off"),
                        },
                    },
                }),
            }
        }

        /// Send a typed request of any REST or OAuth TR exactly like a typed call.
        fn send(client: &$crate::Client, request: AnyRequest) -> $crate::call::BoxedSend<AnyResponse> {
            $crate::call::send_table(client, request.erased(), $crate::call::unbox::<AnyResponse>)
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
        pub async fn call_json(
            client: &$crate::Client,
            api_id: &str,
            request: ::serde_json::Value,
        ) -> Result<AnyResponse, $crate::Error> {
            let request = parse_request(api_id, &request)?;
            send(client, request).await
        }

        /// The pages of a header-paged TR (`cont-yn` / `next-key`), each as
        /// [`AnyResponse`], fetched through the runtime's one paging loop one at a time as
        /// the stream is polled; at most `max_pages` when given. A TR that does not page
        /// gives its request back (send it with [`call_json`]'s single call instead).
        #[allow(unused_variables)]
        pub fn pages(
            client: &$crate::Client,
            request: AnyRequest,
            max_pages: Option<usize>,
        ) -> Result<$crate::call::BoxedPages<AnyResponse>, AnyRequest> {
            if !request.is_paged() {
                return Err(request);
            }
            Ok($crate::call::pages_table(client, request.erased(), max_pages, $crate::call::unbox::<AnyResponse>))
        }

        /// [`call_json`] for listings: the pages of any REST or OAuth TR by api-id with a
        /// JSON body, read with [`parse_request`] (errors are `Error::Validation`, nothing is
        /// sent). A header-paged TR follows `cont-yn` / `next-key` (see [`pages`]); any other
        /// TR is a stream of its one answer, so a tool can treat every TR alike.
        pub fn pages_json(
            client: &$crate::Client,
            api_id: &str,
            request: ::serde_json::Value,
            max_pages: Option<usize>,
        ) -> Result<$crate::call::BoxedPages<AnyResponse>, $crate::Error> {
            let request = parse_request(api_id, &request)?;
            Ok(match pages(client, request, max_pages) {
                Ok(pages) => pages,
                Err(single) => $crate::call::single_page(send(client, single)),
            })
        }

        /// Every api-id `decode_response` accepts with the enabled features.
        #[allow(clippy::vec_init_then_push, unused_mut)] // each entry has its own feature gate
        pub fn api_ids() -> Vec<&'static str> {
            let mut out = Vec::new();
            $($(#[cfg(feature = $feature)] out.push($id);)*)*
            $($(#[cfg(feature = $cfeature)] out.push($cid);)*)*
            $(#[cfg(feature = "realtime")] out.extend([$($rid),*]);)?
            $(out.push($fid);)*
            out
        }

        /// Static facts of every REST, OAuth and condition-search TR with the enabled
        /// features.
        #[allow(clippy::vec_init_then_push, unused_mut)] // each entry has its own feature gate
        pub fn trs() -> Vec<$crate::TrInfo> {
            let mut out = Vec::new();
            $($(
                #[cfg(feature = $feature)]
                out.push(<super::$module::$req as $crate::TrRequest>::INFO);
            )*)*
            $($(
                #[cfg(feature = $cfeature)]
                out.push(<super::$cmodule::$creq as $crate::WsCommand>::INFO);
            )*)*
            out
        }
    };
}

/// `true` for a registry row marked `, paged` (the registry's `is_paged`).
#[doc(hidden)]
#[macro_export]
macro_rules! __registry_paged {
    (paged) => {
        true
    };
}

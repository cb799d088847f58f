//! Frames the WebSocket server sends besides REAL pushes and condition-search replies.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use super::records::emit_record;
use crate::ir::WsFrame;

pub fn emit_ws(frames: &[WsFrame]) -> TokenStream {
    let items = frames.iter().map(|f| {
        let def = emit_record(&f.def, false);
        let nested = f.nested.iter().map(|s| emit_record(s, false));
        let name = ident(&f.def.name);
        quote! {
            #def
            #(#nested)*
            impl kiwoom_runtime::TrResponse for #name {
                fn decode(api_id: &'static str, body: &[u8]) -> Result<Self, kiwoom_runtime::DecodeError> {
                    codec::decode_body(api_id, body)
                }
            }
        }
    });
    quote! {
        //! WebSocket frames the server sends that are neither REAL pushes (the `realtime` module)
        //! nor condition-search replies (their TRs): LOGIN, REG/REMOVE acknowledgements,
        //! PING, SYSTEM notices and error frames. From `spec/websocket.yaml`.
        use kiwoom_runtime::codec;
        #(#items)*
    }
}

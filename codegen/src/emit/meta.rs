//! `src/meta.rs`: where the generated code came from.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Api;

pub fn emit_meta(api: &Api) -> TokenStream {
    let sha = api.provenance.spec_sha256.as_str();
    let version = api.provenance.generator_version.as_str();
    let files = &api.provenance.files;
    let trs = api.groups.iter().map(|g| g.trs.len()).sum::<usize>()
        + api
            .realtime
            .types
            .iter()
            .filter(|t| t.api_id == t.code)
            .count();
    let trs = proc_macro2::Literal::usize_unsuffixed(trs);
    quote! {
        //! Provenance of this crate's code: the spec it was generated from and the generator.

        /// sha256 over every file of `spec/` (relative path, NUL, content, NUL), in sorted order.
        pub const SPEC_SHA256: &str = #sha;
        /// Version of the `codegen` crate that wrote this code.
        pub const GENERATOR_VERSION: &str = #version;
        /// The `spec/` files that were hashed, in order.
        pub const SPEC_FILES: &[&str] = &[#(#files),*];
        /// TRs (api-ids) in the spec, REST, OAuth, condition search and realtime.
        pub const TR_COUNT: usize = #trs;
    }
}

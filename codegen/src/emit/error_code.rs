//! `kiwoom-runtime/src/error_code.rs`: `KiwoomErrorCode` from `spec/errors.yaml`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc, ident};
use crate::ir::{ErrorCodeDef, rustdoc_safe};

pub fn emit_error_codes(errors: &[ErrorCodeDef]) -> TokenStream {
    let variants = errors.iter().map(|e| {
        let d = doc(&[
            format!("{}: {}", e.code, rustdoc_safe(&e.english)),
            String::new(),
            rustdoc_safe(&e.korean),
        ]);
        let v = ident(&e.variant);
        quote!(#d #v,)
    });
    let names: Vec<_> = errors.iter().map(|e| ident(&e.variant)).collect();
    let name_strs: Vec<_> = errors.iter().map(|e| e.variant.as_str()).collect();
    let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
    let classes: Vec<_> = errors.iter().map(|e| ident(&e.class)).collect();
    let retries: Vec<_> = errors.iter().map(|e| ident(&e.retry)).collect();
    let korean: Vec<_> = errors.iter().map(|e| e.korean.as_str()).collect();
    let english: Vec<_> = errors.iter().map(|e| e.english.as_str()).collect();
    quote! {
        //! Kiwoom's documented error codes and how the runtime treats each.
        //!
        //! Generated from `spec/errors.yaml`. Kiwoom's 4-digit code arrives inside
        //! `return_msg` (`[1700:...]`); `return_code` itself is only a category.
        //!
        //! Match on [`KiwoomErrorCode::code`] or the predicates rather than on
        //! `Unknown`: a later spec may document a code that is `Unknown` today.

        use std::fmt;

        /// One of Kiwoom's documented error codes, or an undocumented one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum KiwoomErrorCode {
            #(#variants)*
            /// Any code the documentation does not list (RC4007, 105115, ...).
            Unknown(UnknownCode),
        }

        /// An undocumented error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct UnknownCode(u32);

        impl UnknownCode {
            pub fn code(&self) -> u32 {
                self.0
            }
        }

        /// What kind of failure a code reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorClass {
            /// Credentials, token or device authentication.
            Auth,
            /// Request-rate limits.
            RateLimit,
            /// The request is wrong; fix it, never retry.
            BadInput,
            /// No such instrument or API.
            NotFound,
            /// Not offered here (mock trading, corporate customers, other environment).
            Unsupported,
            /// Kiwoom-side failure.
            Server,
            /// An undocumented code.
            Unknown,
        }

        /// Whether a request that got this code may be sent again.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RetryAdvice {
            /// Do not resend.
            Never,
            /// Not processed because of a rate limit: back off and resend.
            Backoff,
            /// Not processed because the token is invalid: refresh it once and resend.
            RefreshToken,
        }

        impl KiwoomErrorCode {
            /// Every documented code, in ascending order.
            pub const DOCUMENTED: &'static [u32] = &[#(#codes),*];

            pub fn from_code(code: u32) -> Self {
                match code {
                    #(#codes => Self::#names,)*
                    other => Self::Unknown(UnknownCode(other)),
                }
            }

            pub fn code(&self) -> u32 {
                match self {
                    #(Self::#names => #codes,)*
                    Self::Unknown(code) => code.0,
                }
            }

            pub fn class(&self) -> ErrorClass {
                match self {
                    #(Self::#names => ErrorClass::#classes,)*
                    Self::Unknown(_) => ErrorClass::Unknown,
                }
            }

            /// From `spec/errors.yaml` `retry`; `Never` for undocumented codes.
            pub fn retry(&self) -> RetryAdvice {
                match self {
                    #(Self::#names => RetryAdvice::#retries,)*
                    Self::Unknown(_) => RetryAdvice::Never,
                }
            }

            pub fn korean_message(&self) -> Option<&'static str> {
                match self {
                    #(Self::#names => Some(#korean),)*
                    Self::Unknown(_) => None,
                }
            }

            pub fn english_message(&self) -> Option<&'static str> {
                match self {
                    #(Self::#names => Some(#english),)*
                    Self::Unknown(_) => None,
                }
            }

            /// A request-rate limit (1687 too: it is a limit, but not retryable).
            pub fn is_rate_limit(&self) -> bool {
                self.class() == ErrorClass::RateLimit
            }

            pub fn is_auth(&self) -> bool {
                self.class() == ErrorClass::Auth
            }

            pub fn is_retryable(&self) -> bool {
                self.retry() != RetryAdvice::Never
            }

            pub fn is_token_invalid(&self) -> bool {
                self.retry() == RetryAdvice::RefreshToken
            }

            fn name(&self) -> &'static str {
                match self {
                    #(Self::#names => #name_strs,)*
                    Self::Unknown(_) => "Unknown",
                }
            }
        }

        impl fmt::Display for KiwoomErrorCode {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} ({})", self.code(), self.name())
            }
        }

        #[cfg(test)]
        mod tests {
            use super::*;

            #[test]
            fn every_documented_code_round_trips() {
                for &code in KiwoomErrorCode::DOCUMENTED {
                    let parsed = KiwoomErrorCode::from_code(code);
                    assert!(!matches!(parsed, KiwoomErrorCode::Unknown(_)), "{code}");
                    assert_eq!(parsed.code(), code);
                    assert!(parsed.korean_message().is_some());
                }
                assert_eq!(KiwoomErrorCode::from_code(4007).code(), 4007);
                assert_eq!(KiwoomErrorCode::from_code(4007).retry(), RetryAdvice::Never);
            }
        }
    }
}

//! Support for generated enums.

use std::fmt;

/// A code that the spec does not document, kept exactly as received.
///
/// Opaque on purpose: match on the enum's `as_str()` rather than on this value, so that
/// code keeps working when a later spec documents the code as a variant.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// Used by generated `from_code`; not meant to be called directly.
    #[doc(hidden)]
    pub fn new(code: &str) -> Self {
        UnknownValue(code.into())
    }

    /// The raw code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

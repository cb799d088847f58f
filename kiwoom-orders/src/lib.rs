//! Order tracking (work in progress).

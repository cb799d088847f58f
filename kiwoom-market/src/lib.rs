//! Market rules (work in progress).

//! What the order journal measures, through the [`metrics`] facade crate (the runtime's
//! `kiwoom_runtime::metrics` documents every metric of the project in one list, this one
//! included, and its `describe()` describes it).
//!
//! Only [`Ledger::record`](crate::Ledger::record) counts: it is the path the tracker and
//! reconciliation write through. Nothing is installed here; without a recorder a count
//! costs an atomic load.

use crate::journal::AppendOutcome;

/// Events offered to the journal, by event kind and what the append did.
pub const JOURNAL_EVENTS: &str = "kiwoom_journal_events_total";

/// `appended` (stored and published) or `duplicate` (already counted: nothing stored).
pub(crate) fn count_append(kind: &'static str, outcome: &AppendOutcome) {
    let outcome = match outcome {
        AppendOutcome::Appended { .. } => "appended",
        AppendOutcome::Duplicate { .. } => "duplicate",
    };
    metrics::counter!(JOURNAL_EVENTS, "kind" => kind, "outcome" => outcome).increment(1);
}

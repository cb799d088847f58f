//! The adapter to Kiwoom: the generated client as a [`Broker`](crate::tracker::Broker), and
//! the runtime's realtime session as frames and gaps. The one place that knows Kiwoom's
//! api-ids and wire names.

#[cfg(feature = "kiwoom")]
mod broker;
#[cfg(feature = "kiwoom")]
mod realtime;
pub mod wire;

#[cfg(feature = "kiwoom")]
pub use broker::KiwoomBroker;
#[cfg(feature = "kiwoom")]
pub use realtime::Followed;

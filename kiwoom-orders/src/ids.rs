//! Identifiers: the client's own order id, Kiwoom's order number and the key of a fill.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::ModelError;

/// The id the client gives an order before it is sent. It is the journal's primary key, so
/// an intent recorded twice under one id is refused instead of being sent twice.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientOrderId(String);

impl ClientOrderId {
    /// Longest id accepted; bounded so it fits any index comfortably.
    pub const MAX_LEN: usize = 64;

    /// A new id: a UUIDv7, so ids sort by creation time and never collide across processes.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// An id chosen by the user (for example a strategy's own reference).
    pub fn new(id: impl Into<String>) -> Result<Self, ModelError> {
        let id = id.into();
        if id.is_empty() || id.len() > Self::MAX_LEN || id.chars().any(char::is_control) {
            return Err(ModelError::InvalidClientOrderId(id));
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientOrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Kiwoom's order number (`ord_no`). Kiwoom restarts the numbering every trading day, so a
/// number alone names an order only together with the account and the trading date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderNo(String);

impl OrderNo {
    /// Leading zeros are dropped: Kiwoom writes the same number as `0000123` in one answer
    /// and `123` in another, and both must find the same order.
    pub fn new(no: impl AsRef<str>) -> Result<Self, ModelError> {
        let raw = no.as_ref().trim();
        if raw.is_empty() {
            return Err(ModelError::InvalidOrderNo(raw.to_owned()));
        }
        let trimmed = raw.trim_start_matches('0');
        Ok(Self(
            if trimmed.is_empty() { "0" } else { trimmed }.to_owned(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What makes a fill unique: the same execution seen twice (a duplicated or replayed realtime
/// 00 frame, or the same fill found again by a query) has the same key and is counted once.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FillKey {
    pub account: String,
    pub trade_date: NaiveDate,
    pub order_no: OrderNo,
    pub fill_no: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_unique_and_sort_by_time() {
        let a = ClientOrderId::generate();
        let b = ClientOrderId::generate();
        assert_ne!(a, b);
        assert!(a < b, "UUIDv7 ids sort by creation: {a} then {b}");
    }

    #[test]
    fn user_ids_are_checked() {
        assert!(ClientOrderId::new("strategy-7/001").is_ok());
        assert!(ClientOrderId::new("").is_err());
        assert!(ClientOrderId::new("x".repeat(65)).is_err());
        assert!(ClientOrderId::new("a\nb").is_err());
    }

    #[test]
    fn order_numbers_ignore_leading_zeros() {
        assert_eq!(
            OrderNo::new("0000123").unwrap(),
            OrderNo::new("123").unwrap()
        );
        assert_eq!(OrderNo::new("0000000").unwrap().as_str(), "0");
        assert!(OrderNo::new("  ").is_err());
    }
}

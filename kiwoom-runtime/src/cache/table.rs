//! Which TRs the response cache may serve, and for how long by default.
//!
//! The generated metadata cannot tell reference data from quotes: Kiwoom's `safety_policy`
//! marks both `read`, they share URL paths (`/api/dostk/stkinfo` serves the listed-stock
//! list ka10099 and the live quote page ka10001), and paging says nothing about freshness.
//! So the cacheable TRs are this explicit table, and a TR is served from the cache only
//! when it is in the table (or added by the caller) AND its generated
//! [`SafetyClass`](crate::tr::SafetyClass) is `Read`: an account or order TR is never
//! cached, whatever the table or the configuration says.

use std::time::Duration;

/// Groups of reference TRs sharing a default time to live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheGroup {
    /// Lists and details of listed instruments (codes, names, listed shares, previous close,
    /// state flags): they change once a trading day. Default TTL 1 hour.
    Instruments,
    /// Code tables (sectors, brokers, indices, exchanges, ETF categories): they change a
    /// few times a year. Default TTL 24 hours.
    CodeTables,
}

impl CacheGroup {
    pub const ALL: [CacheGroup; 2] = [CacheGroup::Instruments, CacheGroup::CodeTables];

    /// The default time to live of the group.
    pub const fn default_ttl(self) -> Duration {
        match self {
            CacheGroup::Instruments => Duration::from_secs(60 * 60),
            CacheGroup::CodeTables => Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// The reference-data TRs of the spec, each with its group. Every one is `read` in the
/// spec; none carries a live price (ka10099/ka10100 carry the previous close, which moves
/// once a day).
pub const REFERENCE_TRS: &[(&str, CacheGroup)] = &[
    // 종목정보 리스트: every listed stock of a market.
    ("ka10099", CacheGroup::Instruments),
    // 종목정보 조회: one stock's listing facts.
    ("ka10100", CacheGroup::Instruments),
    // 업종코드 리스트: sector codes of a market.
    ("ka10101", CacheGroup::CodeTables),
    // 회원사 리스트: broker (member firm) codes.
    ("ka10102", CacheGroup::CodeTables),
    // 미국주식 거래소구분 조회: a US symbol's exchange.
    ("usa10098", CacheGroup::Instruments),
    // 미국주식 종목리스트: every US symbol of an exchange.
    ("usa10099", CacheGroup::Instruments),
    // 미국주식 종목 조회: one US symbol's listing facts.
    ("usa10100", CacheGroup::Instruments),
    // 미국주식 업종리스트: US sector codes.
    ("usa10101", CacheGroup::CodeTables),
    // 미국지수 리스트: US index codes.
    ("usa10102", CacheGroup::CodeTables),
    // 미국 ETF,ETN 리스트.
    ("usa10104", CacheGroup::Instruments),
    // 미국 ETF 카테고리 리스트.
    ("usa10105", CacheGroup::CodeTables),
];

/// The group of a reference TR, if it is one.
pub fn reference_group(api_id: &str) -> Option<CacheGroup> {
    REFERENCE_TRS
        .iter()
        .find(|(id, _)| *id == api_id)
        .map(|(_, g)| *g)
}

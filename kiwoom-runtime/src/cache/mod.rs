//! An opt-in response cache for reference data (stock lists, code tables), so a bot that
//! asks for the same list every minute spends its 5-per-second budget on something else.
//!
//! ```no_run
//! # use kiwoom_runtime::{Client, Environment, cache::{CacheConfig, CacheGroup}};
//! # use std::time::Duration;
//! let client = Client::builder()
//!     .environment(Environment::Mock)
//!     .app_key("...")
//!     .secret_key("...")
//!     .response_cache(
//!         CacheConfig::reference_data()
//!             .group_ttl(CacheGroup::Instruments, Duration::from_secs(600))
//!             .max_bytes(16 * 1024 * 1024),
//!     )
//!     .build()?;
//! # Ok::<(), kiwoom_runtime::Error>(())
//! ```
//!
//! - Off unless configured. What is cacheable is [`table::REFERENCE_TRS`] plus what the
//!   caller adds with [`CacheConfig::tr`]; whatever the configuration says, only TRs whose
//!   generated safety class is [`SafetyClass::Read`] are ever served from it: account and
//!   order TRs always go to the server.
//! - Keyed by api-id, the request body as sent and the page's `next-key`: two requests that
//!   differ in any field are two entries; each page of a paged list is its own entry.
//! - Time to live per group (or per TR), fixed at insertion; a size bound in bytes of
//!   stored answers (least recently and frequently used entries go first, moka's TinyLFU).
//! - Only successful answers are kept; an error is never cached. The raw answer is kept and
//!   decoded on each hit, so a hit returns the same typed value a fresh call would.
//! - Hits and misses are counted in `kiwoom_cache_lookups_total`.

pub mod table;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::call::{AnyPage, Decoder, Page};
use crate::tr::{SafetyClass, TrInfo};
pub use table::CacheGroup;

/// Default [`CacheConfig::max_bytes`]: room for every reference list several times over
/// (the largest, ka10099 for KOSPI, is about 1 MB).
pub const DEFAULT_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// What to cache and for how long. Given to `ClientBuilder::response_cache`.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    group_ttl: HashMap<CacheGroup, Duration>,
    /// Per-TR times to live set by the caller; zero removes the TR.
    per_tr: HashMap<String, Duration>,
    max_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self::reference_data()
    }
}

impl CacheConfig {
    /// The reference TRs of [`table::REFERENCE_TRS`] with their groups' default times to
    /// live, bounded by [`DEFAULT_CACHE_BYTES`].
    pub fn reference_data() -> Self {
        CacheConfig {
            group_ttl: CacheGroup::ALL
                .iter()
                .map(|g| (*g, g.default_ttl()))
                .collect(),
            per_tr: HashMap::new(),
            max_bytes: DEFAULT_CACHE_BYTES,
        }
    }

    /// The time to live of a group's TRs; zero leaves the group out.
    pub fn group_ttl(mut self, group: CacheGroup, ttl: Duration) -> Self {
        self.group_ttl.insert(group, ttl);
        self
    }

    /// Cache one more TR (or change one's time to live; zero leaves it out). Only a TR
    /// whose safety class is `Read` is ever served from the cache: naming an account or
    /// order TR here has no effect. Useful for a short TTL on a quote page several tasks
    /// read at once (`tr("ka10001", Duration::from_secs(1))`).
    pub fn tr(mut self, api_id: impl Into<String>, ttl: Duration) -> Self {
        self.per_tr.insert(api_id.into(), ttl);
        self
    }

    /// The bound on stored answer bytes (at least 1 KiB).
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n.max(1024);
        self
    }

    /// The time to live of each cacheable api-id.
    fn resolve(&self) -> HashMap<String, Duration> {
        let mut ttls: HashMap<String, Duration> = table::REFERENCE_TRS
            .iter()
            .filter_map(|(id, g)| Some(((*id).to_owned(), *self.group_ttl.get(g)?)))
            .collect();
        ttls.extend(self.per_tr.iter().map(|(k, v)| (k.clone(), *v)));
        ttls.retain(|_, ttl| !ttl.is_zero());
        ttls
    }
}

/// The cache of one client (shared by its clones). Reached with `Client::response_cache`.
#[derive(Clone)]
pub struct ResponseCache {
    entries: moka::sync::Cache<Key, Arc<Entry>>,
    ttls: Arc<HashMap<String, Duration>>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.entries.entry_count())
            .field("cacheable_trs", &self.ttls.len())
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    api_id: &'static str,
    next_key: Option<Box<str>>,
    body: Box<[u8]>,
}

#[derive(Debug)]
struct Entry {
    body: Bytes,
    cont_yn: bool,
    next_key: Option<String>,
    resp_cnt: Option<u32>,
    ttl: Duration,
}

/// Each entry lives for its own TR's time to live, counted from its insertion.
struct PerEntryTtl;

impl moka::Expiry<Key, Arc<Entry>> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &Key,
        value: &Arc<Entry>,
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &Key,
        value: &Arc<Entry>,
        _updated_at: std::time::Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

impl ResponseCache {
    pub fn new(config: &CacheConfig) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(config.max_bytes)
            // Weighed by what is stored: the answer and the request body of the key.
            .weigher(|k: &Key, v: &Arc<Entry>| {
                let bytes = v.body.len() + k.body.len() + 128;
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .build();
        ResponseCache {
            entries,
            ttls: Arc::new(config.resolve()),
        }
    }

    /// How long answers of this TR are kept; `None` when it is never cached (not
    /// configured, or not a `Read` TR).
    pub fn ttl_of(&self, info: &TrInfo) -> Option<Duration> {
        if info.safety != SafetyClass::Read {
            return None;
        }
        self.ttls.get(info.api_id).copied()
    }

    /// Forget every stored answer (e.g. after the market's daily listing update).
    pub fn invalidate_all(&self) {
        self.entries.invalidate_all();
    }

    /// Answers stored now (expired ones may count until the cache's housekeeping runs).
    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// The place of one request's answer, when its TR is cacheable.
    pub(crate) fn slot(&self, info: &TrInfo, body: &[u8], next_key: Option<&str>) -> Option<Slot> {
        let ttl = self.ttl_of(info)?;
        Some(Slot {
            cache: self.clone(),
            key: Key {
                api_id: info.api_id,
                next_key: next_key.map(Into::into),
                body: body.into(),
            },
            ttl,
        })
    }
}

/// Where one request's answer is (or will be) kept.
pub(crate) struct Slot {
    cache: ResponseCache,
    key: Key,
    ttl: Duration,
}

impl Slot {
    /// The stored answer, decoded by `decode`, with its continuation headers; counts a hit
    /// or a miss.
    pub(crate) fn get(&self, api_id: &'static str, decode: Decoder) -> Option<AnyPage> {
        let page = self.cache.entries.get(&self.key).and_then(|e| {
            // It decoded when it was stored; a failure now would be a decoder change
            // within the process, so go to the server rather than fail.
            let body = decode(api_id, &e.body).ok()?;
            Some(Page {
                body,
                cont_yn: e.cont_yn,
                next_key: e.next_key.clone(),
                resp_cnt: e.resp_cnt,
            })
        });
        crate::metrics::cache_lookup(api_id, page.is_some());
        page
    }

    /// Keep a decoded answer (its bytes: a hit decodes them again into a fresh value).
    pub(crate) fn store(&self, body: Bytes, page: &AnyPage) {
        let entry = Entry {
            body,
            cont_yn: page.cont_yn,
            next_key: page.next_key.clone(),
            resp_cnt: page.resp_cnt,
            ttl: self.ttl,
        };
        self.cache.entries.insert(self.key.clone(), Arc::new(entry));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO_READ: TrInfo = TrInfo {
        api_id: "ka10099",
        korean_name: "",
        path: "/api/dostk/stkinfo",
        safety: SafetyClass::Read,
    };

    #[test]
    fn only_read_trs_in_the_table_or_added_are_cacheable() {
        let cache = ResponseCache::new(
            &CacheConfig::reference_data()
                .tr("ka10001", Duration::from_secs(1))
                .tr("kt00018", Duration::from_secs(60))
                .tr("kt10000", Duration::from_secs(60))
                .group_ttl(CacheGroup::CodeTables, Duration::ZERO),
        );
        assert_eq!(
            cache.ttl_of(&INFO_READ),
            Some(CacheGroup::Instruments.default_ttl())
        );
        let with = |api_id, safety| TrInfo {
            api_id,
            safety,
            ..INFO_READ
        };
        assert_eq!(
            cache.ttl_of(&with("ka10001", SafetyClass::Read)),
            Some(Duration::from_secs(1))
        );
        // Configured, but an account read and an order: never.
        assert_eq!(
            cache.ttl_of(&with("kt00018", SafetyClass::AccountRead)),
            None
        );
        assert_eq!(
            cache.ttl_of(&with("kt10000", SafetyClass::OrderWrite)),
            None
        );
        // A group turned off, and a read TR nobody named.
        assert_eq!(cache.ttl_of(&with("ka10101", SafetyClass::Read)), None);
        assert_eq!(cache.ttl_of(&with("ka10081", SafetyClass::Read)), None);
    }

    #[test]
    fn every_table_entry_names_a_distinct_api_id() {
        let mut seen = std::collections::HashSet::new();
        for (id, _) in table::REFERENCE_TRS {
            assert!(seen.insert(*id), "{id} twice");
            assert!(!id.starts_with("kt") && !id.starts_with("ust"), "{id}");
        }
    }
}

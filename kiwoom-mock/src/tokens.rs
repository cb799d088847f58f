//! Access tokens issued by au10001: valid until their lifetime ends, until au10002 revokes
//! them, or until a test calls `MockControl::expire_tokens`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{FixedOffset, Utc};

use crate::det::Det;

#[derive(Debug)]
struct TokenState {
    expires_at: Instant,
    revoked: bool,
}

#[derive(Debug)]
pub struct TokenStore {
    seed: u64,
    issued: u64,
    lifetime: Duration,
    tokens: HashMap<String, TokenState>,
}

/// A freshly issued token and its `expires_dt` (KST wall clock, `YYYYMMDDHHMMSS`).
pub struct Issued {
    pub token: String,
    pub expires_dt: String,
}

/// `now + lifetime` as Kiwoom writes it: KST (UTC+9) whatever the host's zone.
pub fn kst_expiry(lifetime: Duration) -> String {
    let kst = FixedOffset::east_opt(9 * 3600).expect("+09:00 is a valid offset");
    let at =
        Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::days(3650));
    at.with_timezone(&kst).format("%Y%m%d%H%M%S").to_string()
}

impl TokenStore {
    pub fn new(seed: u64, lifetime: Duration) -> TokenStore {
        TokenStore {
            seed,
            issued: 0,
            lifetime,
            tokens: HashMap::new(),
        }
    }

    pub fn set_lifetime(&mut self, lifetime: Duration) {
        self.lifetime = lifetime;
    }

    pub fn issue(&mut self) -> Issued {
        self.issued += 1;
        let mut det = Det::new(self.seed, &["token", &self.issued.to_string()]);
        let token: String = (0..4).map(|_| format!("{:016x}", det.next_u64())).collect();
        self.tokens.insert(
            token.clone(),
            TokenState {
                expires_at: Instant::now() + self.lifetime,
                revoked: false,
            },
        );
        Issued {
            token,
            expires_dt: kst_expiry(self.lifetime),
        }
    }

    pub fn is_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|t| !t.revoked && Instant::now() < t.expires_at)
    }

    /// Revoke a token; false if it was never issued here.
    pub fn revoke(&mut self, token: &str) -> bool {
        match self.tokens.get_mut(token) {
            Some(t) => {
                t.revoked = true;
                true
            }
            None => false,
        }
    }

    pub fn expire_all(&mut self) {
        let now = Instant::now();
        for t in self.tokens.values_mut() {
            t.expires_at = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let mut store = TokenStore::new(1, Duration::from_secs(60));
        let a = store.issue();
        let b = store.issue();
        assert_ne!(a.token, b.token);
        assert_eq!(a.expires_dt.len(), 14);
        assert!(store.is_valid(&a.token));
        assert!(store.revoke(&a.token));
        assert!(!store.is_valid(&a.token));
        assert!(store.is_valid(&b.token));
        store.expire_all();
        assert!(!store.is_valid(&b.token));
        assert!(!store.is_valid("never-issued"));
    }

    #[test]
    fn expiry_is_kst() {
        let kst_now = (Utc::now() + chrono::Duration::hours(9))
            .format("%Y%m%d%H")
            .to_string();
        assert!(kst_expiry(Duration::ZERO).starts_with(&kst_now[..8]));
    }
}

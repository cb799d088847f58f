//! An issued access token and the reading of its `expires_dt`.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

/// Korea Standard Time, UTC+9 all year (no daylight saving since 1988).
const KST_OFFSET_SECONDS: i32 = 9 * 3600;

/// Read Kiwoom's `expires_dt` (`YYYYMMDDHHMMSS`) as KST wall-clock time, whatever the
/// host's zone. Peers that read it as host-local time keep a dead token for up to 9 hours
/// on a UTC host.
pub fn parse_expires_dt(raw: &str) -> Result<DateTime<Utc>, String> {
    let naive = NaiveDateTime::parse_from_str(raw.trim(), "%Y%m%d%H%M%S")
        .map_err(|e| format!("expires_dt {raw:?} is not YYYYMMDDHHMMSS: {e}"))?;
    let kst = FixedOffset::east_opt(KST_OFFSET_SECONDS).expect("UTC+9 is a valid offset");
    kst.from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("expires_dt {raw:?} is not a valid KST time"))
}

/// A live token. Its Debug output never shows the token itself.
pub struct AccessToken {
    secret: SecretString,
    /// `Bearer <token>`, built once and marked sensitive so HTTP logging redacts it.
    header: HeaderValue,
    pub(crate) expires_at: DateTime<Utc>,
    /// When to start replacing it (server clock): `expires_at` minus the refresh margin,
    /// the margin shrunk to a quarter of the token's lifetime for short-lived tokens.
    pub(crate) refresh_at: DateTime<Utc>,
    /// Increases with every token this client installs; tells a stale token from a new one.
    pub(crate) generation: u64,
}

impl AccessToken {
    #[cfg(test)]
    pub(crate) fn new(
        secret: SecretString,
        expires_at: DateTime<Utc>,
        generation: u64,
    ) -> Result<Self, String> {
        Self::with_refresh_at(secret, expires_at, expires_at, generation)
    }

    pub(crate) fn with_refresh_at(
        secret: SecretString,
        expires_at: DateTime<Utc>,
        refresh_at: DateTime<Utc>,
        generation: u64,
    ) -> Result<Self, String> {
        let mut header = HeaderValue::try_from(format!("Bearer {}", secret.expose_secret()))
            .map_err(|_| {
                "the token contains characters not allowed in an HTTP header".to_owned()
            })?;
        header.set_sensitive(true);
        Ok(AccessToken {
            secret,
            header,
            expires_at,
            refresh_at,
            generation,
        })
    }

    pub(crate) fn header(&self) -> &HeaderValue {
        &self.header
    }

    pub(crate) fn secret(&self) -> &SecretString {
        &self.secret
    }

    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Whether the token should be replaced at `now`, refreshing `margin` ahead of expiry.
    pub fn needs_refresh(&self, now: DateTime<Utc>, margin: std::time::Duration) -> bool {
        needs_refresh(self.expires_at, now, margin)
    }
}

/// The margin actually used for a token living `lifetime`: the configured one, but never
/// more than a quarter of the lifetime, so a short-lived token (Kiwoom's mock server issues
/// them) is used for most of its life instead of being replaced at once, by every caller.
pub(crate) fn effective_margin(
    margin: std::time::Duration,
    lifetime: chrono::Duration,
) -> chrono::Duration {
    let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::MAX);
    margin.min(lifetime / 4).max(chrono::Duration::zero())
}

pub(crate) fn needs_refresh(
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    margin: std::time::Duration,
) -> bool {
    let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::MAX);
    now.checked_add_signed(margin)
        .is_none_or(|t| t >= expires_at)
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[REDACTED]")
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .field("generation", &self.generation)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn expires_dt_is_kst_whatever_the_host_zone() {
        // 2025-07-26 05:51:49 KST is 2025-07-25 20:51:49 UTC. The conversion uses a fixed
        // UTC+9 offset, so neither TZ nor the host's zone database can change the result.
        let t = parse_expires_dt("20250726055149").unwrap();
        assert_eq!(t, Utc.with_ymd_and_hms(2025, 7, 25, 20, 51, 49).unwrap());
        assert_eq!(t.to_rfc3339(), "2025-07-25T20:51:49+00:00");
    }

    #[test]
    fn expires_dt_rejects_other_shapes() {
        assert!(parse_expires_dt("2025-07-26 05:51:49").is_err());
        assert!(parse_expires_dt("20251340000000").is_err());
        assert!(parse_expires_dt("").is_err());
    }

    #[test]
    fn refresh_margin_with_a_fixed_clock() {
        let exp = parse_expires_dt("20250726090000").unwrap(); // 00:00 UTC
        let now = Utc.with_ymd_and_hms(2025, 7, 25, 23, 54, 0).unwrap(); // 6 min before
        assert!(!needs_refresh(exp, now, Duration::from_secs(300)));
        let now = Utc.with_ymd_and_hms(2025, 7, 25, 23, 55, 0).unwrap(); // 5 min before
        assert!(needs_refresh(exp, now, Duration::from_secs(300)));
        // A host that (wrongly) read the time as UTC would think 9 more hours remain.
        let now = Utc.with_ymd_and_hms(2025, 7, 26, 1, 0, 0).unwrap();
        assert!(needs_refresh(exp, now, Duration::ZERO));
    }

    #[test]
    fn margin_shrinks_for_short_tokens() {
        let five_min = Duration::from_secs(300);
        assert_eq!(
            effective_margin(five_min, chrono::Duration::seconds(60)),
            chrono::Duration::seconds(15)
        );
        assert_eq!(
            effective_margin(five_min, chrono::Duration::hours(24)),
            chrono::Duration::seconds(300)
        );
        assert_eq!(
            effective_margin(five_min, chrono::Duration::seconds(-5)),
            chrono::Duration::zero()
        );
    }

    #[test]
    fn debug_redacts() {
        let t = AccessToken::new("tok-SECRET-123".into(), Utc::now(), 1).unwrap();
        let s = format!("{t:?}");
        assert!(!s.contains("tok-SECRET-123"), "{s}");
        assert!(!format!("{:?}", t.header()).contains("tok-SECRET-123"));
    }
}

//! Principals resolved recently (会话缓存), so that a signed-in caller's every request does not
//! read the session and the account again.
//!
//! An entry is used only while all of these hold; otherwise the session is read as before:
//! - nothing changed an account or ended a session through this node's store since it was read
//!   ([`shenpi_store::Store::identity_generation`]): a logout, a disabled account or new roles
//!   apply to the very next request;
//! - the session is not past its idle expiry, and its last touch is under a minute old (the
//!   slow path touches it, as it always did);
//! - it was read less than [`FRESH`] ago, which bounds how long a change made by another node
//!   (several `shenpi serve` on one PostgreSQL) or by the CLI takes to reach this one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::Principal;

/// How long an entry is trusted regardless of this node's own changes.
pub const FRESH: Duration = Duration::from_secs(2);
/// Entries kept at most; past that the cache starts again empty.
const CAPACITY: usize = 10_000;

struct Entry {
    principal: Principal,
    generation: u64,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    read_at: Instant,
}

/// Session hash → the principal resolved from it.
#[derive(Default)]
pub struct PrincipalCache(Mutex<HashMap<String, Entry>>);

impl PrincipalCache {
    /// The cached principal of `hash`, if it may still be used at `now` with the store at
    /// `generation`.
    pub fn get(&self, hash: &str, generation: u64, now: DateTime<Utc>) -> Option<Principal> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let e = map.get(hash)?;
        let usable = e.generation == generation
            && now < e.expires_at
            && now - e.last_seen_at < chrono::Duration::seconds(60)
            && now >= e.last_seen_at
            && e.read_at.elapsed() < FRESH;
        usable.then(|| e.principal.clone())
    }

    /// Remembers `principal`, read when the store was at `generation`.
    pub fn put(
        &self,
        principal: &Principal,
        generation: u64,
        expires_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
    ) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            principal.session_hash.clone(),
            Entry {
                principal: principal.clone(),
                generation,
                expires_at,
                last_seen_at,
                read_at: Instant::now(),
            },
        );
    }

    /// Forgets the session `hash` (signed out).
    pub fn forget(&self, hash: &str) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal() -> Principal {
        let mut user = shenpi_store::testsuite::sample_user("clerk", "370202");
        user.id = "u1".into();
        Principal {
            user,
            session_hash: "h1".into(),
            csrf_token: "c".into(),
        }
    }

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + s, 0).unwrap_or_default()
    }

    #[test]
    fn an_entry_is_used_only_while_nothing_says_it_is_stale() {
        let cache = PrincipalCache::default();
        cache.put(&principal(), 7, t(1800), t(0));
        assert!(cache.get("h1", 7, t(10)).is_some());
        // Another session, a changed account or ended session, an expired or untouched one.
        assert!(cache.get("h2", 7, t(10)).is_none());
        assert!(cache.get("h1", 8, t(10)).is_none());
        assert!(cache.get("h1", 7, t(1800)).is_none());
        assert!(cache.get("h1", 7, t(60)).is_none());
        // A clock set back before the last touch is not trusted either.
        assert!(cache.get("h1", 7, t(-1)).is_none());
        cache.forget("h1");
        assert!(cache.get("h1", 7, t(10)).is_none());
    }
}

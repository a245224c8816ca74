//! Published item versions (事项版本) kept in memory once read. A version never changes after
//! it is published (the store only inserts version rows), so what one node has read stays
//! true on every node; only *which* version is in force needs the database. The cache is
//! bounded: when full it starts again empty.

use shenpi_domain::catalog::version::ItemVersion;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The most versions kept.
const MAX_VERSIONS: usize = 1024;

/// Parsed published versions by (item code, version).
#[derive(Default)]
pub(crate) struct VersionCache(RwLock<HashMap<(String, u32), Arc<ItemVersion>>>);

impl VersionCache {
    pub(crate) fn get(&self, code: &str, version: u32) -> Option<Arc<ItemVersion>> {
        let map = self.0.read().unwrap_or_else(|p| p.into_inner());
        map.get(&(code.to_string(), version)).cloned()
    }

    /// Keeps the versions just read from the store.
    pub(crate) fn keep(&self, versions: &[ItemVersion]) {
        let mut map = self.0.write().unwrap_or_else(|p| p.into_inner());
        if map.len() + versions.len() > MAX_VERSIONS {
            map.clear();
        }
        for v in versions.iter().take(MAX_VERSIONS) {
            map.entry((v.code.clone(), v.version))
                .or_insert_with(|| Arc::new(v.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use shenpi_domain::catalog::version::ItemState;

    fn v(code: &str, version: u32) -> ItemVersion {
        ItemVersion {
            code: code.into(),
            version,
            state: ItemState::Active,
            effective_from: "2026-01-01".parse().unwrap(),
            item: shenpi_domain::catalog::example::example_item(),
            proposal_id: "p".into(),
            published_by: "admin".into(),
            published_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn versions_are_found_by_code_and_number_and_the_cache_stays_bounded() {
        let c = VersionCache::default();
        assert!(c.get("A", 1).is_none());
        c.keep(&[v("A", 1), v("A", 2)]);
        assert_eq!(c.get("A", 2).unwrap().version, 2);
        assert!(c.get("A", 3).is_none());
        assert!(c.get("B", 1).is_none());
        let many: Vec<_> = (0..MAX_VERSIONS as u32).map(|n| v("B", n)).collect();
        c.keep(&many);
        assert!(c.0.read().unwrap().len() <= MAX_VERSIONS);
        assert!(c.get("A", 1).is_none(), "started again empty");
        assert!(c.get("B", 7).is_some());
    }
}

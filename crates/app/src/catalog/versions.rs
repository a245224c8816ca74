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
            map.entry((v.item.code.clone(), v.version))
                .or_insert_with(|| Arc::new(v.clone()));
        }
    }
}

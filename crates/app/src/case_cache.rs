//! Case documents as this node's last step left them (案卷文档缓存), so that the next step on
//! the case need not parse its JSON again while it holds the store's writer lock.
//!
//! A step still reads the case row in its own transaction; the cached record is used only when
//! the row's document is byte for byte the one the record was written as. So the cache never
//! decides what a step sees: any other writer, on this node or another, changes the document
//! and the step parses it as before. An entry is taken out by the step that uses it and put
//! back, as the step left the case, once that step has committed. At most [`CAPACITY`] cases
//! are kept; the oldest go first.

use crate::cases::{CaseRecord, record_of};
use crate::error::AppError;
use shenpi_store::model::StoredCase;
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

/// The most case documents kept (about 10 kB each with their JSON).
pub const CAPACITY: usize = 1024;

/// A record and the JSON text it was stored as.
struct Entry {
    json: String,
    record: CaseRecord,
    /// Which put made it, so an eviction of an older put of the same case leaves it alone.
    generation: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Puts in order, oldest first: (case id, generation).
    order: VecDeque<(String, u64)>,
    next: u64,
    /// Takes answered from the cache.
    hits: u64,
}

/// Recently stepped case documents, by case id.
#[derive(Default)]
pub(crate) struct CaseCache(Mutex<Inner>);

impl CaseCache {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The record of `stored`: the cached one if its JSON is exactly `stored`'s document
    /// (taken out of the cache), else the document parsed.
    pub(crate) fn take(&self, stored: &StoredCase) -> Result<CaseRecord, AppError> {
        let mut g = self.inner();
        match g.entries.remove(&stored.id) {
            Some(e) if e.json == stored.json => {
                g.hits += 1;
                Ok(e.record)
            }
            _ => {
                drop(g);
                record_of(stored)
            }
        }
    }

    /// Keeps `record`, committed as the document `json`.
    pub(crate) fn put(&self, json: String, record: CaseRecord) {
        // What a step would parse from the document is what it gets from here: checked in
        // every test that steps a case.
        debug_assert_eq!(
            serde_json::from_str::<CaseRecord>(&json).ok().as_ref(),
            Some(&record),
            "a case document does not read back as the record it was written from"
        );
        let mut g = self.inner();
        let inner = &mut *g;
        let generation = inner.next;
        inner.next += 1;
        inner.order.push_back((record.id.clone(), generation));
        inner.entries.insert(
            record.id.clone(),
            Entry {
                json,
                record,
                generation,
            },
        );
        // Every entry's latest put is in `order`, so bounding `order` bounds the entries.
        while inner.order.len() > CAPACITY {
            let Some((id, generation)) = inner.order.pop_front() else {
                break;
            };
            if inner
                .entries
                .get(&id)
                .is_some_and(|e| e.generation == generation)
            {
                inner.entries.remove(&id);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner().entries.len()
    }

    #[cfg(test)]
    fn hits(&self) -> u64 {
        self.inner().hits
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn record(id: &str, note: &str) -> CaseRecord {
        serde_json::from_value(serde_json::json!({
            "id": id, "number": "370202202611300000001", "region": "370202",
            "item_code": "QDJS00501-01", "item_version": 1, "item_name": "建筑工程施工许可证核发",
            "applicant_id": "u1", "applicant_name": "张测试", "applicant_mobile": null,
            "status": "under_review", "form": {}, "materials": {}, "received_on": "2026-11-30",
            "promised_days": 3, "statutory_days": 7,
            "timeline": [{"at": "2026-11-30T01:00:00Z", "status": "under_review",
                          "actor": "clerk", "note": note}]
        }))
        .unwrap()
    }

    fn stored(r: &CaseRecord, revision: i64) -> StoredCase {
        crate::cases::stored_of(r, "key", revision, chrono::Utc::now()).unwrap()
    }

    #[test]
    fn the_cached_record_is_used_only_for_the_exact_document_it_was_stored_as() {
        let cache = CaseCache::default();
        let a = record("c1", "同意");
        let row = stored(&a, 2);
        cache.put(row.json.clone(), a.clone());
        assert_eq!(
            cache.take(&row).unwrap(),
            a,
            "same document: the cached record"
        );
        assert_eq!(cache.hits(), 1);
        // Taken out: the next take parses.
        assert_eq!(cache.take(&row).unwrap(), a);
        assert_eq!(cache.hits(), 1);

        // Another writer changed the document (even at the same revision): parsed afresh.
        cache.put(row.json.clone(), a.clone());
        let other = stored(&record("c1", "另一节点的意见"), 2);
        assert_eq!(cache.take(&other).unwrap(), record("c1", "另一节点的意见"));
        assert_eq!(cache.hits(), 1);
        assert_eq!(cache.len(), 0);

        // A broken document is still an error, not a cached record.
        cache.put(row.json.clone(), a);
        let mut broken = row.clone();
        broken.json = "{".into();
        assert!(cache.take(&broken).is_err());
        assert_eq!(cache.hits(), 1);
    }

    #[test]
    fn at_most_capacity_cases_are_kept_and_the_oldest_go_first() {
        let cache = CaseCache::default();
        for i in 0..CAPACITY + 10 {
            let r = record(&format!("c{i}"), "同意");
            let row = stored(&r, 1);
            cache.put(row.json, r);
        }
        assert_eq!(cache.len(), CAPACITY);
        // The first ten went; the newest is there.
        assert!(!cache.inner().entries.contains_key("c0"));
        assert!(!cache.inner().entries.contains_key("c9"));
        assert!(cache.inner().entries.contains_key("c10"));
        assert!(
            cache
                .inner()
                .entries
                .contains_key(&format!("c{}", CAPACITY + 9))
        );

        // One case stepped over and over stays one entry, and is not evicted by its own
        // older puts.
        let hot = record("hot", "同意");
        let row = stored(&hot, 1);
        let before = cache.hits();
        for _ in 0..3 * CAPACITY {
            cache.put(row.json.clone(), hot.clone());
            assert_eq!(cache.take(&row).unwrap(), hot);
            cache.put(row.json.clone(), hot.clone());
        }
        assert_eq!(cache.hits() - before, 3 * CAPACITY as u64);
        assert!(cache.len() <= CAPACITY);
        assert!(cache.inner().order.len() <= CAPACITY);
        assert!(cache.inner().entries.contains_key("hot"));
    }
}

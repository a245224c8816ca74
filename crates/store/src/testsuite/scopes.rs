//! The shared suite's business-scope catalogue check: versions are kept, the newest is read
//! back whole, and a version is written once.

use super::t0;
use crate::model::ScopeCatalogVersion;
use crate::{Store, StoreError};

fn catalog(version: i64) -> ScopeCatalogVersion {
    ScopeCatalogVersion {
        version,
        label: format!("2026-{version:02}"),
        source: "目录.csv".into(),
        entries: 2,
        json: format!("{{\"version\":\"{version}\",\"entries\":[]}}"),
        sha256: "ab".repeat(32),
        imported_by: "steward".into(),
        imported_at: t0(),
    }
}

pub(super) async fn scope_catalogs_are_versioned(store: &dyn Store) {
    let mut tx = store.read().await.unwrap();
    let before = tx
        .latest_scope_catalog()
        .await
        .unwrap()
        .map(|c| c.version)
        .unwrap_or(0);
    drop(tx);
    let (a, b) = (before + 1, before + 2);
    let mut tx = store.begin().await.unwrap();
    tx.insert_scope_catalog(&catalog(a)).await.unwrap();
    tx.insert_scope_catalog(&catalog(b)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_scope_catalog(&catalog(b)).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.latest_scope_catalog().await.unwrap(), Some(catalog(b)));
}

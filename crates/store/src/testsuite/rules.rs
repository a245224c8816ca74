//! The shared suite's rule check: versions are kept, the newest of each key is listed, and a
//! version is written once.

use super::t0;
use crate::model::RuleVersion;
use crate::{Store, StoreError};

fn rule(key: &str, version: i64) -> RuleVersion {
    RuleVersion {
        key: key.into(),
        version,
        name: "施工劳务资质备案自动审批".into(),
        purpose: "auto_approval".into(),
        document: format!("{{\"v\":{version}}}"),
        tests: "[]".into(),
        created_by: "admin".into(),
        created_at: t0(),
    }
}

pub(super) async fn rules_are_versioned(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_rule(&rule("suite-a", 1)).await.unwrap();
    tx.insert_rule(&rule("suite-a", 2)).await.unwrap();
    tx.insert_rule(&rule("suite-b", 1)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_rule(&rule("suite-a", 2)).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.latest_rule("suite-a").await.unwrap(),
        Some(rule("suite-a", 2))
    );
    assert_eq!(tx.latest_rule("suite-x").await.unwrap(), None);
    let all = tx.rules().await.unwrap();
    let mine: Vec<(String, i64)> = all
        .into_iter()
        .filter(|r| r.key.starts_with("suite-"))
        .map(|r| (r.key, r.version))
        .collect();
    assert_eq!(
        mine,
        [("suite-a".to_string(), 2), ("suite-b".to_string(), 1)]
    );
}

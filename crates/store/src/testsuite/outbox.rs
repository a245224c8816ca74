//! The shared suite's checks of partner systems and durable jobs: request nonces and partner
//! events, the webhook outbox (deliveries) and case wake-ups, each claimed by one claimant at a
//! time also when two claim concurrently.

use super::t0;
use super::writers::futures_join;
use crate::model::*;
use crate::{Store, StoreError};

/// Partners are unique by key and app key; a nonce and a report key are taken once.
pub(super) async fn partners_nonces_and_events(store: &dyn Store) {
    let p = Partner {
        key: "suite-water".into(),
        name: "示例供水公司".into(),
        app_key: "ak-suite-water".into(),
        secret: "00".repeat(32),
        webhook_url: None,
        active: true,
        created_at: t0(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_partner(&p).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let dup = Partner {
        key: "suite-other".into(),
        ..p.clone()
    };
    assert!(
        matches!(tx.insert_partner(&dup).await, Err(StoreError::Conflict(_))),
        "app key taken"
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let changed = Partner {
        webhook_url: Some("http://127.0.0.1:9/hook".into()),
        ..p.clone()
    };
    tx.update_partner(&changed).await.unwrap();
    assert_eq!(
        tx.partner_by_app_key("ak-suite-water").await.unwrap(),
        Some(changed.clone())
    );
    assert_eq!(
        tx.partner("suite-water").await.unwrap(),
        Some(changed.clone())
    );
    assert!(tx.partners().await.unwrap().contains(&changed));
    assert!(tx.use_nonce("ak-suite-water", "n1", t0()).await.unwrap());
    assert!(
        !tx.use_nonce("ak-suite-water", "n1", t0()).await.unwrap(),
        "a replay"
    );
    assert!(
        tx.use_nonce("ak-other", "n1", t0()).await.unwrap(),
        "nonces are per client"
    );
    assert_eq!(
        tx.prune_nonces(t0() + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        2
    );
    assert!(
        tx.use_nonce("ak-suite-water", "n1", t0()).await.unwrap(),
        "pruned"
    );
    assert!(
        tx.record_partner_event("suite-water", "r1", "c1", t0())
            .await
            .unwrap()
    );
    assert!(
        !tx.record_partner_event("suite-water", "r1", "c1", t0())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

fn delivery(n: usize) -> Delivery {
    Delivery {
        id: crate::new_id(),
        partner_key: "suite-water".into(),
        event: "subcase.assigned".into(),
        case_id: format!("c{n}"),
        idempotency_key: format!("suite-d{n}"),
        body: "{}".into(),
        status: "pending".into(),
        attempts: 0,
        next_attempt_at: t0(),
        locked_until: None,
        last_error: None,
        created_at: t0(),
        delivered_at: None,
    }
}

/// Deliveries are queued once per key and claimed by one claimant at a time, also when two
/// claim concurrently (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
pub(super) async fn deliveries_are_claimed_once(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    for n in 0..40 {
        assert!(tx.insert_delivery(&delivery(n)).await.unwrap());
    }
    assert!(
        !tx.insert_delivery(&delivery(0)).await.unwrap(),
        "queued once"
    );
    tx.commit().await.unwrap();
    let now = t0() + chrono::Duration::seconds(1);
    let lease = now + chrono::Duration::seconds(60);
    let claim = |limit: i64| async move {
        let mut got = vec![];
        loop {
            let mut tx = store.begin().await.unwrap();
            let batch = tx.claim_deliveries(now, lease, limit).await.unwrap();
            tx.commit().await.unwrap();
            if batch.is_empty() {
                break;
            }
            got.extend(batch.into_iter().map(|d| d.idempotency_key));
        }
        got
    };
    let (a, b) = futures_join(claim(3), claim(4)).await;
    let mut all: Vec<String> = a.iter().chain(b.iter()).cloned().collect();
    all.sort();
    let mut unique = all.clone();
    unique.dedup();
    assert_eq!(all.len(), unique.len(), "no delivery claimed twice");
    assert_eq!(
        all.iter().filter(|k| k.starts_with("suite-d")).count(),
        40,
        "every delivery claimed"
    );
    // A lease that ran out may be claimed again; a delivered one never.
    let mut tx = store.begin().await.unwrap();
    let later = lease + chrono::Duration::seconds(1);
    let again = tx
        .claim_deliveries(later, later + chrono::Duration::seconds(60), 1)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    let mut d = again[0].clone();
    d.status = "delivered".into();
    d.attempts = 1;
    d.delivered_at = Some(later);
    tx.update_delivery(&d).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let log = tx.deliveries_of("suite-water", 100).await.unwrap();
    assert_eq!(log.len(), 40);
    assert_eq!(log.iter().filter(|x| x.status == "delivered").count(), 1);
    let far = later + chrono::Duration::seconds(600);
    let rest = tx
        .claim_deliveries(far, far + chrono::Duration::seconds(60), 100)
        .await
        .unwrap();
    assert_eq!(rest.len(), 39, "the delivered one is not claimed again");
    assert!(rest.iter().all(|x| x.id != d.id));
    tx.commit().await.unwrap();
}

/// Cases due to wake are claimed by one claimant at a time, also concurrently; storing a case
/// again sets its next wake-up and frees the lease.
pub(super) async fn wakeups_are_claimed_once(store: &dyn Store) {
    let due = t0() + chrono::Duration::hours(1);
    let mut tx = store.begin().await.unwrap();
    for n in 0..30 {
        tx.insert_case(&StoredCase {
            id: format!("wake-{n:02}"),
            number: format!("37020220261128{:07}W", 900 + n),
            region_code: "370202".into(),
            item_code: "QD-1".into(),
            item_version: 1,
            applicant_id: "u-wake".into(),
            status: "under_review".into(),
            idempotency_key: format!("wake-{n}"),
            json: "{}".into(),
            revision: 1,
            submitted_at: t0(),
            wake_at: Some(due + chrono::Duration::seconds(n)),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.claim_wakeups(t0(), due, 100).await.unwrap().is_empty(),
        "not due yet"
    );
    tx.commit().await.unwrap();
    let now = due + chrono::Duration::seconds(100);
    let lease = now + chrono::Duration::seconds(60);
    let claim = |limit: i64| async move {
        let mut got = vec![];
        loop {
            let mut tx = store.begin().await.unwrap();
            let batch = tx.claim_wakeups(now, lease, limit).await.unwrap();
            tx.commit().await.unwrap();
            if batch.is_empty() {
                break;
            }
            got.extend(batch);
        }
        got
    };
    let (a, b) = futures_join(claim(2), claim(3)).await;
    let mut all: Vec<String> = a
        .into_iter()
        .chain(b)
        .filter(|id| id.starts_with("wake-"))
        .collect();
    all.sort();
    let n = all.len();
    all.dedup();
    assert_eq!(n, all.len(), "no case claimed twice");
    assert_eq!(n, 30);
    // Stored again with its next wake-up: free, and due again only then.
    let mut tx = store.begin().await.unwrap();
    let mut c = tx.case_by_id("wake-00").await.unwrap().unwrap();
    c.revision = 2;
    c.wake_at = Some(now + chrono::Duration::seconds(10));
    tx.update_case(&c, 1).await.unwrap();
    assert_eq!(
        tx.case_by_id("wake-00").await.unwrap().unwrap().wake_at,
        c.wake_at
    );
    assert!(tx.claim_wakeups(now, lease, 100).await.unwrap().is_empty());
    let later = now + chrono::Duration::seconds(11);
    assert_eq!(
        tx.claim_wakeups(later, later, 100).await.unwrap(),
        vec!["wake-00".to_string()]
    );
    tx.commit().await.unwrap();
}

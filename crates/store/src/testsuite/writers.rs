//! Transactions and the audit chain: a rollback leaves no trace, chains grow per region and
//! several in one transaction, the identity generation moves only on commit, and writers side
//! by side (some of them failing) keep what they committed and the chain intact.

use super::{draft, sample_user};
use crate::audit::verify_chain;
use crate::model::AuditFilter;
use crate::{Store, StoreError};

pub(super) async fn rolled_back_changes_leave_no_trace(store: &dyn Store) {
    let before = {
        let mut tx = store.read().await.unwrap();
        tx.audit_chain("370203").await.unwrap().0.len()
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&sample_user("never-committed", "370203"))
        .await
        .unwrap();
    tx.append_audit(draft("370203", "user.create"))
        .await
        .unwrap();
    drop(tx); // no commit
    let mut tx = store.read().await.unwrap();
    assert!(
        tx.user_by_username("never-committed")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(tx.audit_chain("370203").await.unwrap().0.len(), before);
}

pub(super) async fn audit_chain_grows_per_region_and_verifies(store: &dyn Store) {
    for (region, n) in [("370212", 3), ("370213", 2)] {
        for i in 0..n {
            let mut tx = store.begin().await.unwrap();
            let e = tx
                .append_audit(draft(region, &format!("test.step{i}")))
                .await
                .unwrap();
            assert_eq!(e.chain_seq, i + 1);
            tx.commit().await.unwrap();
        }
    }
    let mut tx = store.read().await.unwrap();
    let regions = tx.audit_regions().await.unwrap();
    assert!(regions.contains(&"370212".to_string()));
    for r in regions {
        let (entries, head) = tx.audit_chain(&r).await.unwrap();
        verify_chain(&r, &entries, head.as_ref()).unwrap();
    }
    let page = tx
        .list_audit(
            &AuditFilter {
                region_code: Some("370212".into()),
                action_prefix: Some("test.".into()),
                ..Default::default()
            },
            1,
            2,
        )
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].details["名称"], "测试");
}

/// A step audits several entries in one transaction, in more than one region: each chain goes
/// on from its head, reads in the same transaction see the moved head, and a transaction
/// rolled back leaves the heads where they were.
pub(super) async fn one_transaction_extends_several_chains(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let mut seqs = vec![];
    for (i, region) in ["370281", "370283", "370281", "370281", "370283"]
        .iter()
        .enumerate()
    {
        let e = tx
            .append_audit(draft(region, &format!("multi.{i}")))
            .await
            .unwrap();
        seqs.push(e.chain_seq);
    }
    assert_eq!(seqs, [1, 1, 2, 3, 2]);
    let (entries, head) = tx.audit_chain("370281").await.unwrap();
    assert_eq!(head.as_ref().map(|h| h.last_seq), Some(3));
    verify_chain("370281", &entries, head.as_ref()).unwrap();
    // Appended after a read of the heads, still in the same transaction.
    let e = tx.append_audit(draft("370281", "multi.5")).await.unwrap();
    assert_eq!(e.chain_seq, 4);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    for i in 0..3 {
        tx.append_audit(draft("370281", &format!("rolled.{i}")))
            .await
            .unwrap();
    }
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let e = tx.append_audit(draft("370281", "after")).await.unwrap();
    assert_eq!(e.chain_seq, 5, "the rolled-back entries left no trace");
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    for region in ["370281", "370283"] {
        let (entries, head) = tx.audit_chain(region).await.unwrap();
        verify_chain(region, &entries, head.as_ref()).unwrap();
    }
    let (entries, _) = tx.audit_chain("370281").await.unwrap();
    assert_eq!(entries.len(), 5);
}

/// The identity generation moves when a change to an account or a session commits, not before
/// and not for a rollback, so what was read about a caller can be known stale.
pub(super) async fn identity_changes_move_the_generation(store: &dyn Store) {
    let u = sample_user("suite-generation", "370202");
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&u).await.unwrap();
    tx.commit().await.unwrap();

    let g0 = store.identity_generation();
    let mut tx = store.begin().await.unwrap();
    let mut changed = u.clone();
    changed.disabled = true;
    tx.update_user(&changed).await.unwrap();
    assert_eq!(store.identity_generation(), g0, "not before commit");
    drop(tx);
    assert_eq!(store.identity_generation(), g0, "not for a rollback");

    let mut tx = store.begin().await.unwrap();
    tx.update_user(&changed).await.unwrap();
    tx.commit().await.unwrap();
    let g1 = store.identity_generation();
    assert!(g1 > g0);

    let mut tx = store.begin().await.unwrap();
    tx.delete_user_sessions(&u.id, None).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.identity_generation() > g1);

    // Reading and unrelated writes leave it alone.
    let g2 = store.identity_generation();
    let mut tx = store.begin().await.unwrap();
    tx.user_by_id(&u.id).await.unwrap();
    tx.append_audit(draft("370202", "unrelated")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.identity_generation(), g2);
}

pub(super) async fn concurrent_writers_keep_the_chain_intact(store: &dyn Store) {
    let region = "370214";
    let tasks = (0..8).map(|i| async move {
        let mut tx = store.begin().await.unwrap();
        tx.append_audit(draft(region, &format!("concurrent.{i}")))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    });
    futures_join_all(tasks).await;
    let mut tx = store.read().await.unwrap();
    let (entries, head) = tx.audit_chain(region).await.unwrap();
    assert_eq!(entries.len(), 8);
    verify_chain(region, &entries, head.as_ref()).unwrap();
}

/// Writers side by side, some of which fail (a duplicate username, a transaction dropped
/// without commit): what the others committed stays, each is readable as soon as its commit
/// returns, and nothing of the failed ones is left (on SQLite they share group commits).
pub(super) async fn a_failed_writer_leaves_the_others_committed(store: &dyn Store) {
    let region = "370215";
    let tasks = (0..12).map(|i| async move {
        let name = format!("side-by-side-{i}");
        let mut tx = store.begin().await.unwrap();
        match i % 4 {
            // Fails on the username of writer 0 once that committed; a writer that gets there
            // first drops its insert, so writer 0 always commits.
            3 => {
                let taken = tx.insert_user(&sample_user("side-by-side-0", region)).await;
                drop(tx);
                if taken.is_ok() {
                    return;
                }
                assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
            }
            // Dropped after writing: rolled back.
            2 => {
                tx.insert_user(&sample_user(&name, region)).await.unwrap();
                tx.append_audit(draft(region, "dropped")).await.unwrap();
                drop(tx);
            }
            _ => {
                tx.insert_user(&sample_user(&name, region)).await.unwrap();
                tx.append_audit(draft(region, "committed")).await.unwrap();
                tx.commit().await.unwrap();
                // Acknowledged means stored: a fresh reader sees it at once.
                let mut r = store.read().await.unwrap();
                assert!(r.user_by_username(&name).await.unwrap().is_some(), "{name}");
            }
        }
    });
    futures_join_all(tasks).await;
    let mut tx = store.read().await.unwrap();
    for i in (0..12).filter(|i| i % 4 <= 1) {
        assert!(
            tx.user_by_username(&format!("side-by-side-{i}"))
                .await
                .unwrap()
                .is_some()
        );
    }
    for i in (0..12).filter(|i| i % 4 == 2) {
        assert!(
            tx.user_by_username(&format!("side-by-side-{i}"))
                .await
                .unwrap()
                .is_none()
        );
    }
    let (entries, head) = tx.audit_chain(region).await.unwrap();
    assert!(entries.iter().all(|e| e.action == "committed"));
    assert_eq!(entries.len(), 6, "writers 0, 1, 4, 5, 8 and 9");
    verify_chain(region, &entries, head.as_ref()).unwrap();
}

/// Runs futures concurrently on the current task (no extra dependency).
async fn futures_join_all<F: std::future::Future<Output = ()>>(futs: impl Iterator<Item = F>) {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for slot in pending.iter_mut() {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    all_done = false;
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}

/// Polls two futures to completion concurrently (the suite has no async runtime helpers).
pub(super) async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    let mut ra = None;
    let mut rb = None;
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    match (ra, rb) {
        (Some(x), Some(y)) => (x, y),
        _ => unreachable!("both ready"),
    }
}

//! The shared storage test suite: every engine runs these same checks (Temporal's
//! `persistence-tests` idea). Engine crates call [`run_all`] from their tests with a fresh,
//! migrated store.
//!
//! Functions panic on failure, like test assertions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::audit::verify_chain;
use crate::model::*;
use crate::{Store, StoreError};
use chrono::{Duration, TimeZone, Utc};
use shenpi_domain::org::Role;

mod batch;
mod cases;
mod certs;
mod outbox;
mod registry;
mod rules;
mod scopes;
use cases::*;

pub(crate) fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap()
}

/// A user record for tests.
pub fn sample_user(username: &str, region: &str) -> User {
    User {
        id: crate::new_id(),
        username: username.into(),
        display_name: format!("测试用户 {username}"),
        kind: AccountKind::Staff,
        roles: vec![Role::Clerk, Role::Reviewer],
        region_code: region.into(),
        department_id: None,
        password_hash: "$argon2id$dummy".into(),
        id_number: Some("34052419800101001X".into()),
        mobile: Some("13812345678".into()),
        uscc: None,
        enterprise_name: None,
        disabled: false,
        totp_secret: None,
        totp_enabled: false,
        totp_exempt: false,
        created_at: t0(),
        password_changed_at: t0(),
        totp_last_step: 0,
    }
}

fn draft(region: &str, action: &str) -> AuditDraft {
    AuditDraft {
        region_code: region.into(),
        actor_id: Some("tester".into()),
        actor_name: Some("tester".into()),
        action: action.into(),
        object_type: "test".into(),
        object_id: "1".into(),
        client_ip: Some("127.0.0.1".into()),
        outcome: "success".into(),
        details: serde_json::json!({"n": 1, "名称": "测试"}),
        trace_id: None,
        at: t0(),
    }
}

/// Runs every check of the suite against `store` (fresh and migrated).
pub async fn run_all(store: &dyn Store) {
    migrations_are_idempotent(store).await;
    users_round_trip_and_usernames_are_unique(store).await;
    rolled_back_changes_leave_no_trace(store).await;
    sessions_expire_and_end(store).await;
    organisation_upserts(store).await;
    audit_chain_grows_per_region_and_verifies(store).await;
    one_transaction_extends_several_chains(store).await;
    identity_changes_move_the_generation(store).await;
    login_failures_are_counted_per_address(store).await;
    calendar_years_are_stored(store).await;
    blobs_are_content_addressed(store).await;
    concurrent_writers_keep_the_chain_intact(store).await;
    a_failed_writer_leaves_the_others_committed(store).await;
    catalog_versions_implementations_and_proposals(store).await;
    material_files_round_trip(store).await;
    cases_and_their_sequences(store).await;
    tasks_round_trip(store).await;
    workbench_round_trip(store).await;
    seal_keys_one_active_per_region(store).await;
    cases::bundles_round_trip(store).await;
    outbox::partners_nonces_and_events(store).await;
    outbox::deliveries_are_claimed_once(store).await;
    outbox::wakeups_are_claimed_once(store).await;
    batch::batches_write_what_single_rows_write(store).await;
    rules::rules_are_versioned(store).await;
    registry::registry_records_are_replaced_and_found_by_name(store).await;
    scopes::scope_catalogs_are_versioned(store).await;
    certs::certificates_and_keys_are_kept(store).await;
    certs::enterprise_grants_are_kept_and_revoked(store).await;
    certs::proactive_cases_are_offered_once(store).await;
}

async fn migrations_are_idempotent(store: &dyn Store) {
    assert_eq!(
        store.migrate().await.unwrap(),
        0,
        "second migrate applies nothing"
    );
    store.ping().await.unwrap();
}

async fn users_round_trip_and_usernames_are_unique(store: &dyn Store) {
    let u = sample_user("suite-user", "370202");
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&u).await.unwrap();
    tx.append_audit(draft("370202", "user.create"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let got = tx.user_by_username("suite-user").await.unwrap().unwrap();
    assert_eq!(got, u);
    assert_eq!(
        tx.user_by_id(&u.id).await.unwrap().unwrap().username,
        "suite-user"
    );
    assert!(tx.user_by_username("nobody").await.unwrap().is_none());
    drop(tx);

    let mut dup = sample_user("suite-user", "370203");
    dup.id = crate::new_id();
    let mut tx = store.begin().await.unwrap();
    let err = tx.insert_user(&dup).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    drop(tx);

    let mut changed = u.clone();
    changed.disabled = true;
    changed.roles = vec![Role::Approver];
    changed.totp_secret = Some("JBSWY3DPEHPK3PXP".into());
    changed.totp_last_step = 59_000_000;
    let mut tx = store.begin().await.unwrap();
    tx.update_user(&changed).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.user_by_id(&u.id).await.unwrap().unwrap(), changed);
    let page = tx.list_users(Some("370202"), 1, 10).await.unwrap();
    assert!(page.items.iter().any(|x| x.id == u.id));
    assert!(page.items.iter().all(|x| x.region_code == "370202"));
}

async fn rolled_back_changes_leave_no_trace(store: &dyn Store) {
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

async fn sessions_expire_and_end(store: &dyn Store) {
    let u = sample_user("session-user", "370211");
    let mk = |hash: &str| Session {
        token_hash: hash.into(),
        user_id: u.id.clone(),
        channel: "api".into(),
        csrf_token: "csrf".into(),
        client_ip: "10.0.0.1".into(),
        created_at: t0(),
        last_seen_at: t0(),
        expires_at: t0() + Duration::minutes(15),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_user(&u).await.unwrap();
    for h in ["h1", "h2", "h3"] {
        tx.insert_session(&mk(h)).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let later = t0() + Duration::minutes(10);
    tx.touch_session("h1", later, later + Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(
        tx.session_by_hash("h1").await.unwrap().unwrap().expires_at,
        later + Duration::minutes(15)
    );
    assert!(tx.delete_session("h3").await.unwrap());
    assert!(!tx.delete_session("h3").await.unwrap());
    assert_eq!(tx.delete_user_sessions(&u.id, Some("h1")).await.unwrap(), 1);
    assert_eq!(tx.count_user_sessions(&u.id).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

async fn organisation_upserts(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_region(&Region {
        code: "370200".into(),
        name: "青岛市".into(),
        parent: None,
    })
    .await
    .unwrap();
    tx.upsert_region(&Region {
        code: "370202".into(),
        name: "市南区".into(),
        parent: Some("370200".into()),
    })
    .await
    .unwrap();
    let d = Department {
        id: "370202-spj".into(),
        region_code: "370202".into(),
        name_zh: "市南区行政审批服务局".into(),
        name_en: "Shinan Approval Bureau".into(),
    };
    tx.upsert_department(&d).await.unwrap();
    tx.upsert_department(&d).await.unwrap();
    tx.upsert_window(&ServiceWindow {
        id: "w1".into(),
        region_code: "370202".into(),
        department_id: d.id.clone(),
        number: "A01".into(),
        name: "综合受理窗口".into(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert!(tx.list_regions().await.unwrap().len() >= 2);
    assert_eq!(
        tx.list_departments(Some("370202")).await.unwrap(),
        vec![d.clone()]
    );
    assert_eq!(tx.department("370202-spj").await.unwrap(), Some(d));
    assert_eq!(tx.list_windows(Some("370202")).await.unwrap().len(), 1);
}

async fn audit_chain_grows_per_region_and_verifies(store: &dyn Store) {
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
async fn one_transaction_extends_several_chains(store: &dyn Store) {
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
async fn identity_changes_move_the_generation(store: &dyn Store) {
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

async fn login_failures_are_counted_per_address(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    for (ip, m) in [
        ("1.1.1.1", 1),
        ("1.1.1.1", 2),
        ("2.2.2.2", 3),
        ("1.1.1.1", 30),
    ] {
        tx.record_login_failure(&LoginFailure {
            username: "lock-me".into(),
            client_ip: ip.into(),
            at: t0() + Duration::minutes(m),
        })
        .await
        .unwrap();
    }
    let since = t0() + Duration::minutes(2);
    assert_eq!(
        tx.login_failures_since("lock-me", Some("1.1.1.1"), since)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        tx.login_failures_since("lock-me", None, since)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        tx.clear_login_failures("lock-me", Some("2.2.2.2"))
            .await
            .unwrap(),
        1
    );
    tx.insert_alert(&SecurityAlert {
        id: crate::new_id(),
        kind: "login.many_addresses".into(),
        subject: "lock-me".into(),
        details: serde_json::json!({"addresses": 3}),
        at: t0(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.list_alerts(10).await.unwrap()[0].subject, "lock-me");
}

async fn calendar_years_are_stored(store: &dyn Store) {
    let y = StoredCalendarYear {
        year: 2027,
        json: r#"{"year":2027,"holidays":[],"workdays":[]}"#.into(),
        updated_at: t0(),
        updated_by: Some("admin".into()),
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_calendar_year(&y).await.unwrap();
    tx.upsert_calendar_year(&y).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.list_calendar_years().await.unwrap(), vec![y]);
}

async fn blobs_are_content_addressed(store: &dyn Store) {
    let blobs = store.blobs();
    let k1 = blobs.put("申请材料".as_bytes()).await.unwrap();
    let k2 = blobs.put("申请材料".as_bytes()).await.unwrap();
    assert_eq!(k1, k2);
    assert_eq!(blobs.get(&k1).await.unwrap(), "申请材料".as_bytes());
    let missing = blobs.get(&"0".repeat(64)).await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)));
}

async fn concurrent_writers_keep_the_chain_intact(store: &dyn Store) {
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
async fn a_failed_writer_leaves_the_others_committed(store: &dyn Store) {
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

async fn catalog_versions_implementations_and_proposals(store: &dyn Store) {
    use shenpi_domain::catalog::example::example_item;
    use shenpi_domain::catalog::local::{Implementation, LocalElements};
    use shenpi_domain::catalog::proposal::{Operation, Proposal, ProposalStatus};
    use shenpi_domain::catalog::version::{ItemState, ItemVersion};
    let item = example_item();
    let version = |n: u32, from: &str| ItemVersion {
        code: item.code.clone(),
        version: n,
        state: ItemState::Active,
        effective_from: from.parse().unwrap(),
        item: item.clone(),
        proposal_id: "p".into(),
        published_by: "admin".into(),
        published_at: t0(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_item_version(&version(1, "2026-01-01"))
        .await
        .unwrap();
    tx.insert_item_version(&version(2, "2026-12-01"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let dup = tx
        .insert_item_version(&version(2, "2027-01-01"))
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    drop(tx);
    let mut tx = store.read().await.unwrap();
    let vs = tx.item_versions(&item.code).await.unwrap();
    assert_eq!(vs.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(vs[1], version(2, "2026-12-01"));
    assert_eq!(tx.all_item_versions().await.unwrap().len(), 2);
    drop(tx);

    let mut imp = Implementation {
        code: item.code.clone(),
        region_code: "370202".into(),
        local: LocalElements {
            place: "市南区行政审批服务大厅".into(),
            ..Default::default()
        },
        imported_key: None,
        claimed_by: "regadmin".into(),
        claimed_at: t0(),
        updated_at: t0(),
        revision: 1,
    };
    let mut tx = store.begin().await.unwrap();
    tx.save_implementation(&imp, None).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.save_implementation(&imp, None).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    imp.local.hours = "工作日".into();
    imp.revision = 2;
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.save_implementation(&imp, Some(7)).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.save_implementation(&imp, Some(1)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.implementation(&item.code, "370202").await.unwrap(),
        Some(imp.clone())
    );
    assert_eq!(
        tx.implementations(None, Some("370202"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        tx.implementations(Some("nope"), None)
            .await
            .unwrap()
            .is_empty()
    );
    drop(tx);

    let mut p = Proposal {
        id: crate::new_id(),
        operation: Operation::Add,
        title: "新增事项".into(),
        reason: String::new(),
        targets: vec![],
        drafts: vec![item.clone()],
        effective_from: "2026-12-01".parse().unwrap(),
        districts: vec!["370202".into()],
        status: ProposalStatus::Draft,
        reviews: vec![],
        override_reason: None,
        created_by: "admin".into(),
        created_at: t0(),
        updated_at: t0(),
        revision: 1,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_proposal(&p).await.unwrap();
    tx.commit().await.unwrap();
    p.status = ProposalStatus::Submitted;
    p.revision = 2;
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.update_proposal(&p, 5).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.update_proposal(&p, 1).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.proposal(&p.id).await.unwrap(), Some(p.clone()));
    assert_eq!(
        tx.list_proposals(Some("submitted"), 1, 10)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        tx.list_proposals(Some("draft"), 1, 10).await.unwrap().total,
        0
    );
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

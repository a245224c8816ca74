//! The shared storage test suite: every engine runs these same checks (Temporal's
//! `persistence-tests` idea). Engine crates call [`run_all`] from their tests with a fresh,
//! migrated store.
//!
//! Functions panic on failure, like test assertions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
mod writers;
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
    writers::rolled_back_changes_leave_no_trace(store).await;
    sessions_expire_and_end(store).await;
    organisation_upserts(store).await;
    writers::audit_chain_grows_per_region_and_verifies(store).await;
    writers::one_transaction_extends_several_chains(store).await;
    writers::identity_changes_move_the_generation(store).await;
    login_failures_are_counted_per_address(store).await;
    calendar_years_are_stored(store).await;
    blobs_are_content_addressed(store).await;
    writers::concurrent_writers_keep_the_chain_intact(store).await;
    writers::a_failed_writer_leaves_the_others_committed(store).await;
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
    assert_eq!(
        tx.item_version_numbers(&item.code).await.unwrap(),
        vec![1, 2]
    );
    assert!(tx.item_version_numbers("NONE").await.unwrap().is_empty());
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

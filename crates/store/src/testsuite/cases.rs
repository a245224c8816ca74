//! The shared suite's case-handling checks: cases and their number sequences, material files,
//! tasks, the workbench (assigned tasks, co-signers, copies, notifications, drafts), seal keys
//! and bundles.

use super::t0;
use crate::model::*;
use crate::{Store, StoreError};

pub(super) async fn seal_keys_one_active_per_region(store: &dyn Store) {
    let k = |id: &str| SealKeyRecord {
        key_id: id.into(),
        region_code: "370202".into(),
        department: "青岛市市南区行政审批服务局".into(),
        public_key: "04ab".into(),
        secret: "00".into(),
        created_at: t0(),
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.active_seal_key("370202").await.unwrap(), None);
    assert!(tx.insert_seal_key(&k("k1")).await.unwrap());
    assert!(
        !tx.insert_seal_key(&k("k2")).await.unwrap(),
        "one active key per region"
    );
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.active_seal_key("370202").await.unwrap(), Some(k("k1")));
    assert_eq!(tx.seal_key("k1").await.unwrap(), Some(k("k1")));
    assert_eq!(tx.seal_key("k2").await.unwrap(), None);
    assert_eq!(tx.seal_keys().await.unwrap().len(), 1);
}

pub(super) async fn workbench_round_trip(store: &dyn Store) {
    let parent = crate::new_id();
    let t = Task {
        id: crate::new_id(),
        case_id: "c9".into(),
        region_code: "370202".into(),
        step: "review".into(),
        name: "审查".into(),
        candidate_role: "reviewer".into(),
        assignee: Some("wang".into()),
        status: "open".into(),
        outcome: None,
        opinion: None,
        completed_by: None,
        due_on: None,
        created_at: t0(),
        completed_at: None,
        revision: 1,
        engine_task: None,
        owner: Some("li".into()),
        kind: "cosign".into(),
        parent_id: Some(parent.clone()),
        department_id: Some("370202-jtj".into()),
    };
    let copy = TaskCopy {
        id: crate::new_id(),
        task_id: t.id.clone(),
        case_id: "c9".into(),
        recipient: "zhao".into(),
        sent_by: "wang".into(),
        note: "请阅".into(),
        created_at: t0(),
        read_at: None,
    };
    let note = |key: Option<&str>| Notification {
        id: crate::new_id(),
        recipient: "role:reviewer@370202".into(),
        case_id: Some("c9".into()),
        kind: "sla_yellow".into(),
        once_key: key.map(str::to_string),
        title: "预警".into(),
        body: "剩余 1 个工作日".into(),
        created_at: t0(),
        read_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_task(&t).await.unwrap();
    assert!(tx.insert_copy(&copy).await.unwrap());
    let again = TaskCopy {
        id: crate::new_id(),
        ..copy.clone()
    };
    assert!(
        !tx.insert_copy(&again).await.unwrap(),
        "same task, same person: one copy"
    );
    assert!(
        tx.insert_notification(&note(Some("c9:yellow")))
            .await
            .unwrap()
    );
    assert!(
        !tx.insert_notification(&note(Some("c9:yellow")))
            .await
            .unwrap(),
        "once per key"
    );
    assert!(tx.insert_notification(&note(None)).await.unwrap());
    assert!(tx.insert_notification(&note(None)).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.open_tasks_assigned("wang", 10).await.unwrap(),
        vec![t.clone()]
    );
    assert!(tx.open_tasks_assigned("li", 10).await.unwrap().is_empty());
    assert_eq!(tx.child_tasks(&parent).await.unwrap(), vec![t.clone()]);
    assert_eq!(tx.copies_for("zhao", 10).await.unwrap(), vec![copy.clone()]);
    assert!(
        !tx.mark_copy_read(&copy.id, "wang", t0()).await.unwrap(),
        "not the recipient"
    );
    assert!(tx.mark_copy_read(&copy.id, "zhao", t0()).await.unwrap());
    let who = vec!["zhao".to_string(), "role:reviewer@370202".to_string()];
    let notes = tx.notifications_for("zhao", &who, 10).await.unwrap();
    assert_eq!(notes.len(), 3);
    assert!(notes.iter().all(|n| n.read_at.is_none()));
    assert!(
        tx.mark_notification_read(&notes[0].id, "zhao", &who, t0())
            .await
            .unwrap()
    );
    assert!(
        !tx.mark_notification_read(&notes[0].id, "zhao", &who, t0())
            .await
            .unwrap(),
        "read once"
    );
    let read =
        |v: Vec<Notification>, id: &str| v.into_iter().find(|n| n.id == id).and_then(|n| n.read_at);
    let mine = tx.notifications_for("zhao", &who, 10).await.unwrap();
    assert_eq!(read(mine, &notes[0].id), Some(t0()));
    // Another member of the role pool has not read it.
    let qian = vec!["qian".to_string(), "role:reviewer@370202".to_string()];
    let theirs = tx.notifications_for("qian", &qian, 10).await.unwrap();
    assert_eq!(theirs.len(), 3);
    assert_eq!(read(theirs, &notes[0].id), None, "read per reader");
    assert!(
        !tx.mark_notification_read(&notes[0].id, "li", &["li".to_string()], t0())
            .await
            .unwrap(),
        "not addressed to li"
    );
    assert!(
        tx.notifications_for("zhao", &["zhao".to_string()], 10)
            .await
            .unwrap()
            .is_empty()
    );

    let mut d = Draft {
        id: crate::new_id(),
        owner_id: "u1".into(),
        item_code: "X".into(),
        region_code: "370202".into(),
        json: "{}".into(),
        created_at: t0(),
        updated_at: t0(),
        revision: 1,
    };
    tx.insert_draft(&d).await.unwrap();
    d.json = r#"{"form":{"a":1}}"#.into();
    d.revision = 2;
    assert!(matches!(
        tx.update_draft(&d, 7).await,
        Err(StoreError::Conflict(_))
    ));
    tx.update_draft(&d, 1).await.unwrap();
    assert_eq!(tx.draft(&d.id).await.unwrap(), Some(d.clone()));
    assert_eq!(tx.drafts_of("u1", 10).await.unwrap(), vec![d.clone()]);
    assert!(tx.delete_draft(&d.id).await.unwrap());
    assert!(!tx.delete_draft(&d.id).await.unwrap());
    assert_eq!(tx.draft(&d.id).await.unwrap(), None);
    tx.commit().await.unwrap();
}

pub(super) async fn tasks_round_trip(store: &dyn Store) {
    let mut t = Task {
        id: crate::new_id(),
        case_id: "c1".into(),
        region_code: "370202".into(),
        step: "accept".into(),
        name: "受理".into(),
        candidate_role: "clerk".into(),
        assignee: None,
        status: "open".into(),
        outcome: None,
        opinion: None,
        completed_by: None,
        due_on: Some("2026-12-04".parse().unwrap()),
        created_at: t0(),
        completed_at: None,
        revision: 1,
        engine_task: Some(7),
        owner: None,
        kind: "step".into(),
        parent_id: None,
        department_id: None,
    };
    // Two more open tasks of the same role and region: one of 交通运输局, one of 审批局.
    let of_dept = |dept: &str| Task {
        id: crate::new_id(),
        case_id: "c1".into(),
        department_id: Some(format!("370202-{dept}")),
        engine_task: None,
        ..t.clone()
    };
    let (jtj, spj) = (of_dept("jtj"), of_dept("spj"));
    let mut tx = store.begin().await.unwrap();
    tx.insert_task(&t).await.unwrap();
    tx.insert_task(&jtj).await.unwrap();
    tx.insert_task(&spj).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let roles = vec!["clerk".to_string()];
    let ids = |v: Vec<Task>| {
        let mut ids: Vec<String> = v.into_iter().map(|t| t.id).collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        ids(tx
            .open_tasks(&roles, Some("370202"), None, 10)
            .await
            .unwrap()),
        sorted(vec![t.id.clone(), jtj.id.clone(), spj.id.clone()]),
        "without a department: every task of the role"
    );
    assert_eq!(
        ids(tx
            .open_tasks(&roles, Some("370202"), Some("370202-jtj"), 10)
            .await
            .unwrap()),
        sorted(vec![t.id.clone(), jtj.id.clone()]),
        "a department's staff: its tasks and those of no department"
    );
    assert_eq!(tx.task(&jtj.id).await.unwrap(), Some(jtj.clone()));
    assert_eq!(tx.task(&t.id).await.unwrap(), Some(t.clone()));
    assert!(
        tx.open_tasks(&roles, Some("370203"), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    drop(tx);
    // The two department tasks are done with; the rest of the suite sees `t` only.
    let mut tx = store.begin().await.unwrap();
    for mut x in [jtj, spj] {
        x.status = "cancelled".into();
        x.revision = 2;
        tx.update_task(&x, 1).await.unwrap();
    }
    // Inside the transaction that changed them, the case's open tasks are as it left them.
    assert_eq!(tx.open_tasks_of_case("c1").await.unwrap(), vec![t.clone()]);
    tx.commit().await.unwrap();
    t.status = "completed".into();
    t.outcome = Some("accept".into());
    t.completed_at = Some(t0());
    t.revision = 2;
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.update_task(&t, 5).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.update_task(&t, 1).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.task(&t.id).await.unwrap(), Some(t.clone()));
    assert!(
        tx.open_tasks(&roles, None, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(tx.tasks_of_case("c1").await.unwrap().len(), 3);
    assert!(tx.open_tasks_of_case("c1").await.unwrap().is_empty());
    assert!(tx.open_tasks_of_case("none").await.unwrap().is_empty());
    assert!(
        tx.tasks_completed_by("nobody", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub(super) async fn cases_and_their_sequences(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_case_seq("370202", "20261128").await.unwrap(), 1);
    assert_eq!(tx.next_case_seq("370202", "20261128").await.unwrap(), 2);
    assert_eq!(tx.next_case_seq("370203", "20261128").await.unwrap(), 1);
    let mut c = StoredCase {
        id: crate::new_id(),
        number: "370202202611280000021".into(),
        region_code: "370202".into(),
        item_code: "QD-1".into(),
        item_version: 1,
        applicant_id: "u1".into(),
        status: "submitted".into(),
        idempotency_key: "k1".into(),
        json: "{}".into(),
        revision: 1,
        submitted_at: t0(),
        wake_at: None,
    };
    tx.insert_case(&c).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    // Other checks of the suite may have left open cases of their own in the store.
    let has = |v: Vec<StoredCase>, id: &str| v.iter().any(|c| c.id == id);
    assert!(has(
        tx.open_cases(Some("370202"), 5000).await.unwrap(),
        &c.id
    ));
    assert!(has(tx.open_cases(None, 5000).await.unwrap(), &c.id));
    assert!(
        !has(tx.open_cases(Some("370203"), 5000).await.unwrap(), &c.id),
        "another region's case"
    );
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let mut dup = c.clone();
    dup.id = crate::new_id();
    dup.number = "370202202611280000039".into();
    assert!(
        matches!(tx.insert_case(&dup).await, Err(StoreError::Conflict(_))),
        "same idempotency key"
    );
    drop(tx);
    c.status = "withdrawn".into();
    c.revision = 2;
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.update_case(&c, 9).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.update_case(&c, 1).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.case_by_id(&c.id).await.unwrap(), Some(c.clone()));
    assert_eq!(tx.case_by_number(&c.number).await.unwrap(), Some(c.clone()));
    assert_eq!(
        tx.case_by_idempotency("u1", "k1").await.unwrap(),
        Some(c.clone())
    );
    assert_eq!(tx.cases_of("u1", 1, 10).await.unwrap().total, 1);
    assert!(
        tx.open_cases(Some("370202"), 10).await.unwrap().is_empty(),
        "a withdrawn case is not open"
    );
}

pub(super) async fn material_files_round_trip(store: &dyn Store) {
    let f = MaterialFile {
        id: crate::new_id(),
        owner_id: "u1".into(),
        region_code: "370202".into(),
        name: "营业执照.pdf".into(),
        kind: "pdf".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        blob_key: "cd".repeat(32),
        created_at: t0(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_material_file(&f).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.material_file(&f.id).await.unwrap(), Some(f));
    assert_eq!(tx.material_file("nope").await.unwrap(), None);
}

/// Bundle configurations keep their revision; bundle cases are unique per applicant key.
pub(super) async fn bundles_round_trip(store: &dyn Store) {
    use crate::model::{StoredBundle, StoredBundleCase};
    let b = StoredBundle {
        code: "suite-bundle".into(),
        json: "{\"code\":\"suite-bundle\"}".into(),
        revision: 1,
        updated_by: "admin".into(),
        updated_at: t0(),
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_bundle(&b, None).await.unwrap();
    tx.commit().await.unwrap();
    // A failed statement ends a PostgreSQL transaction: each refusal in its own.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.upsert_bundle(&b, None).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let v2 = StoredBundle {
        json: "{\"code\":\"suite-bundle\",\"v\":2}".into(),
        revision: 2,
        ..b.clone()
    };
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.upsert_bundle(&v2, Some(7)).await,
        Err(StoreError::Conflict(_))
    ));
    tx.upsert_bundle(&v2, Some(1)).await.unwrap();
    tx.commit().await.unwrap();
    let c = StoredBundleCase {
        id: crate::new_id(),
        number: "370202202611280000099X".into(),
        bundle_code: b.code.clone(),
        applicant_id: "u-bundle".into(),
        region_code: "370202".into(),
        idempotency_key: "k1".into(),
        json: "{}".into(),
        created_at: t0(),
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.bundle("suite-bundle").await.unwrap(), Some(v2.clone()));
    assert!(tx.bundles().await.unwrap().contains(&v2));
    assert_eq!(tx.bundle("nope").await.unwrap(), None);
    tx.insert_bundle_case(&c).await.unwrap();
    tx.commit().await.unwrap();
    let again = StoredBundleCase {
        id: crate::new_id(),
        number: "370202202611280000100X".into(),
        ..c.clone()
    };
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_bundle_case(&again).await,
        Err(StoreError::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.bundle_case(&c.id).await.unwrap(), Some(c.clone()));
    assert_eq!(
        tx.bundle_case_by_idempotency("u-bundle", "k1")
            .await
            .unwrap(),
        Some(c.clone())
    );
    assert_eq!(
        tx.bundle_case_by_idempotency("u-bundle", "k2")
            .await
            .unwrap(),
        None
    );
    assert_eq!(tx.bundle_cases_of("u-bundle", 10).await.unwrap(), vec![c]);
    assert!(
        tx.bundle_cases_of("someone-else", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

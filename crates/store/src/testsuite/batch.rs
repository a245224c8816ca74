//! The shared suite's group-commit check: a [`StepBatch`] writes what the single-row methods
//! write (cases, tasks, a continuous audit chain, outbox rows), in chunks larger than one
//! statement takes, and a stale revision anywhere leaves nothing behind.

use super::{draft, t0};
use crate::audit::verify_chain;
use crate::model::*;
use crate::{Store, StoreError};

fn case(n: usize) -> StoredCase {
    StoredCase {
        id: crate::new_id(),
        number: format!("B-suite-{n:06}"),
        region_code: "370285".into(),
        item_code: "QD-B".into(),
        item_version: 1,
        applicant_id: "batch-suite".into(),
        status: "under_review".into(),
        idempotency_key: format!("batch-{n}"),
        json: format!("{{\"n\":{n},\"名\":\"批量\"}}"),
        revision: 1,
        submitted_at: t0(),
        wake_at: n.is_multiple_of(2).then(t0),
    }
}

fn task(case_id: &str, n: i64) -> Task {
    Task {
        id: crate::new_id(),
        case_id: case_id.into(),
        region_code: "370285".into(),
        step: "review".into(),
        name: "审查".into(),
        candidate_role: "reviewer".into(),
        assignee: None,
        status: "open".into(),
        outcome: None,
        opinion: None,
        completed_by: None,
        due_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default()),
        created_at: t0(),
        completed_at: None,
        revision: 1,
        engine_task: Some(n),
        owner: None,
        kind: "step".into(),
        parent_id: None,
        department_id: (n % 2 == 0).then(|| "370285-jtj".to_string()),
    }
}

fn outbox(case_id: &str, key: &str) -> Delivery {
    Delivery {
        id: crate::new_id(),
        partner_key: "batch-suite".into(),
        event: "case.step".into(),
        case_id: case_id.into(),
        idempotency_key: key.into(),
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

pub(super) async fn batches_write_what_single_rows_write(store: &dyn Store) {
    // More rows than one statement may bind (tasks: 20 columns, 30,000 parameters at most).
    let cases: Vec<StoredCase> = (0..1700).map(case).collect();
    let tasks: Vec<Task> = cases
        .iter()
        .enumerate()
        .map(|(n, c)| task(&c.id, n as i64))
        .collect();
    // An earlier single entry in one chain: the batch continues it.
    let mut tx = store.begin().await.unwrap();
    tx.append_audit(draft("370285", "batch.before"))
        .await
        .unwrap();
    tx.insert_delivery(&outbox(&cases[0].id, "batch-k0"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut audit = vec![];
    for n in 0..2100u32 {
        let region = if n.is_multiple_of(3) {
            "370286"
        } else {
            "370285"
        };
        audit.push(draft(region, &format!("batch.step{n}")));
    }
    let deliveries: Vec<Delivery> = (0..5)
        .map(|n| outbox(&cases[n].id, &format!("batch-k{n}")))
        .collect();
    let mut tx = store.begin().await.unwrap();
    tx.write_batch(StepBatch {
        new_cases: cases.clone(),
        new_tasks: tasks.clone(),
        audit,
        deliveries,
        ..Default::default()
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    for n in [0, 1, 1699] {
        assert_eq!(
            tx.case_by_id(&cases[n].id).await.unwrap().as_ref(),
            Some(&cases[n])
        );
        assert_eq!(
            tx.tasks_of_case(&cases[n].id).await.unwrap(),
            vec![tasks[n].clone()]
        );
    }
    for (region, n) in [("370285", 1 + 1400), ("370286", 700)] {
        let (entries, head) = tx.audit_chain(region).await.unwrap();
        assert_eq!(entries.len(), n, "{region}");
        verify_chain(region, &entries, head.as_ref()).unwrap();
    }
    let (entries, _) = tx.audit_chain("370285").await.unwrap();
    assert_eq!(entries[0].action, "batch.before");
    assert_eq!(entries[1].action, "batch.step1", "drafts keep their order");
    let out = tx.deliveries_of("batch-suite", 100).await.unwrap();
    assert_eq!(
        out.len(),
        5,
        "the existing key is skipped, the other four added"
    );
    drop(tx);

    // Changes: two cases move on and their tasks close.
    let mut changed = vec![];
    let mut closed = vec![];
    for n in [0, 1] {
        let mut c = cases[n].clone();
        c.status = "decided".into();
        c.json = "{\"done\":true}".into();
        c.revision = 2;
        c.wake_at = None;
        changed.push((c, 1));
        let mut t = tasks[n].clone();
        t.status = "completed".into();
        t.outcome = Some("approve".into());
        t.completed_by = Some("u-reviewer".into());
        t.completed_at = Some(t0());
        t.revision = 2;
        closed.push((t, 1));
    }
    let mut tx = store.begin().await.unwrap();
    tx.write_batch(StepBatch {
        cases: changed.clone(),
        tasks: closed.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    for n in 0..2 {
        assert_eq!(
            tx.case_by_id(&cases[n].id).await.unwrap(),
            Some(changed[n].0.clone())
        );
        assert_eq!(
            tx.task(&tasks[n].id).await.unwrap(),
            Some(closed[n].0.clone())
        );
    }
    drop(tx);

    // A stale revision in the batch: a conflict, and after the rollback nothing has changed.
    let mut stale = changed[0].0.clone();
    stale.status = "withdrawn".into();
    stale.revision = 3;
    let mut fresh = cases[2].clone();
    fresh.status = "decided".into();
    fresh.revision = 2;
    let mut tx = store.begin().await.unwrap();
    let r = tx
        .write_batch(StepBatch {
            cases: vec![(fresh, 1), (stale, 1)],
            audit: vec![draft("370285", "batch.lost")],
            ..Default::default()
        })
        .await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    drop(tx);
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.case_by_id(&cases[2].id).await.unwrap(),
        Some(cases[2].clone())
    );
    assert_eq!(
        tx.case_by_id(&cases[0].id).await.unwrap(),
        Some(changed[0].0.clone())
    );
    let (entries, head) = tx.audit_chain("370285").await.unwrap();
    assert_eq!(entries.len(), 1401, "the rolled-back entry is gone");
    verify_chain("370285", &entries, head.as_ref()).unwrap();
}

//! Runs the shared store suite on SQLite always and on PostgreSQL when
//! `SHENPI_TEST_DATABASE_URL` is set, plus engine-level checks (append-only audit table).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_store::Store;
use shenpi_store_sql::SqlStore;

async fn sqlite() -> (SqlStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqlStore::open_sqlite(dir.path()).await.unwrap();
    assert_eq!(s.migrate().await.unwrap(), 22);
    (s, dir)
}

async fn postgres() -> Option<SqlStore> {
    let url = std::env::var("SHENPI_TEST_DATABASE_URL").ok()?;
    let schema = format!("t_{}", shenpi_store::new_id().replace('-', ""));
    let s = SqlStore::open_postgres_in_schema(&url, Some(&schema))
        .await
        .unwrap();
    assert_eq!(s.migrate().await.unwrap(), 22);
    Some(s)
}

#[tokio::test]
async fn sqlite_passes_the_shared_suite() {
    let (s, _dir) = sqlite().await;
    shenpi_store::testsuite::run_all(&s).await;
}

#[tokio::test]
async fn postgres_passes_the_shared_suite() {
    let Some(s) = postgres().await else {
        eprintln!("SHENPI_TEST_DATABASE_URL not set: PostgreSQL suite skipped");
        return;
    };
    shenpi_store::testsuite::run_all(&s).await;
}

async fn audit_rows_cannot_be_changed_through_sql(s: &SqlStore) {
    let mut tx = s.begin().await.unwrap();
    tx.append_audit(shenpi_store::model::AuditDraft {
        region_code: "370202".into(),
        actor_id: None,
        actor_name: None,
        action: "x".into(),
        object_type: "t".into(),
        object_id: "1".into(),
        client_ip: None,
        outcome: "success".into(),
        details: serde_json::json!({}),
        trace_id: None,
        at: chrono::Utc::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(
        s.exec_raw("UPDATE audit_entries SET outcome = 'failure'")
            .await
            .is_err()
    );
    assert!(s.exec_raw("DELETE FROM audit_entries").await.is_err());
}

#[tokio::test]
async fn the_audit_table_is_append_only_on_both_engines() {
    let (s, _dir) = sqlite().await;
    audit_rows_cannot_be_changed_through_sql(&s).await;
    if let Some(pg) = postgres().await {
        audit_rows_cannot_be_changed_through_sql(&pg).await;
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_full_sync_and_backs_up_online() {
    let (s, dir) = sqlite().await;
    assert_eq!(s.query_text("PRAGMA journal_mode").await.unwrap(), "wal");
    // 2 = FULL.
    assert_eq!(s.query_text("PRAGMA synchronous").await.unwrap(), "2");
    assert_eq!(s.query_text("PRAGMA foreign_keys").await.unwrap(), "1");
    shenpi_store::testsuite::run_all(&s).await;
    let backup = dir.path().join("copy.db");
    s.backup_to(&backup).await.unwrap();
    assert!(
        s.backup_to(&backup).await.is_err(),
        "never overwrites a backup"
    );
    let copy = SqlStore::open_sqlite(&{
        let d = dir.path().join("restored");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(&backup, d.join("shenpi.db")).unwrap();
        d
    })
    .await
    .unwrap();
    let mut tx = copy.read().await.unwrap();
    assert!(tx.user_by_username("suite-user").await.unwrap().is_some());
}

/// Writers side by side on SQLite share commits (group commit): fewer batches than steps, every
/// step acknowledged only once stored, and a batch survives a reopen (it was on disk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writers_side_by_side_share_commits() {
    let (s, dir) = sqlite().await;
    let s = std::sync::Arc::new(s);
    let (b0, n0) = s.group_commits().unwrap();
    let mut handles = vec![];
    for i in 0..64 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let name = format!("grouped-{i}");
            let mut tx = s.begin().await.unwrap();
            tx.insert_user(&shenpi_store::testsuite::sample_user(&name, "370202"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let mut r = s.read().await.unwrap();
            assert!(r.user_by_username(&name).await.unwrap().is_some());
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let (b1, n1) = s.group_commits().unwrap();
    assert_eq!(n1 - n0, 64, "every step committed once");
    assert!(b1 - b0 < 64, "{} batches for 64 steps", b1 - b0);
    assert!(b1 > b0);
    s.close().await;
    let again = SqlStore::open_sqlite(dir.path()).await.unwrap();
    let mut r = again.read().await.unwrap();
    for i in 0..64 {
        assert!(
            r.user_by_username(&format!("grouped-{i}"))
                .await
                .unwrap()
                .is_some()
        );
    }
}

/// The SQLite writer commits to the log without waiting for the disk and the syncer flushes
/// the log before any step of the batch is acknowledged. When a flush fails (here the log
/// file is gone from under the store), the step is not acknowledged, and from then on every
/// read and write fails: what the page cache holds is unknown, and the failed batch must not
/// be shown.
#[tokio::test]
async fn sqlite_a_failed_log_flush_fails_the_step_and_every_later_read_and_write() {
    let (s, dir) = sqlite().await;
    // Readers and tooling keep `synchronous=FULL`; only the writer defers to the syncer.
    assert_eq!(s.query_text("PRAGMA synchronous").await.unwrap(), "2");
    let mut tx = s.begin().await.unwrap();
    tx.insert_user(&shenpi_store::testsuite::sample_user(
        "before-flush",
        "370202",
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.group_commits().unwrap().1, 1, "acknowledged once flushed");
    std::fs::remove_file(dir.path().join("shenpi.db-wal")).unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.insert_user(&shenpi_store::testsuite::sample_user(
        "lost-flush",
        "370202",
    ))
    .await
    .unwrap();
    let err = tx.commit().await.unwrap_err();
    assert!(err.to_string().contains("flushing the log"), "{err}");
    let err = s.begin().await.err().expect("writes refused");
    assert!(err.to_string().contains("restart the node"), "{err}");
    let err = s.read().await.err().expect("reads refused");
    assert!(err.to_string().contains("restart the node"), "{err}");
    let backup = dir.path().join("after-failure.db");
    assert!(
        s.backup_to(&backup).await.is_err(),
        "no backup of it either"
    );
    assert!(!backup.exists());
    assert_eq!(s.group_commits().unwrap().1, 1, "nothing more counted");
}

/// SQLite read transactions run on the async worker itself, so one that tried to write must
/// fail at once (its connection is `query_only`) rather than wait there for the write lock;
/// the writer is unaffected, and the savepoints' sub-journal is kept in memory.
#[tokio::test]
async fn sqlite_read_transactions_cannot_write() {
    let (s, _dir) = sqlite().await;
    assert_eq!(s.query_text("PRAGMA query_only").await.unwrap(), "1");
    let mut read = s.read().await.unwrap();
    let err = read.next_case_seq("370202", "20261129").await.unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
    drop(read);
    let mut tx = s.begin().await.unwrap();
    assert_eq!(s.query_text("PRAGMA temp_store").await.unwrap(), "2");
    assert_eq!(tx.next_case_seq("370202", "20261129").await.unwrap(), 1);
    tx.commit().await.unwrap();
    // Tooling writes on a connection of its own.
    assert_eq!(
        s.exec_raw("UPDATE case_sequences SET last = 7")
            .await
            .unwrap(),
        1
    );
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.next_case_seq("370202", "20261129").await.unwrap(), 8);
    tx.commit().await.unwrap();
}

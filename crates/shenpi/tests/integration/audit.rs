//! The audit trail: every state change and sign-in is recorded, and `verify` detects edited,
//! deleted and reordered entries (rows changed directly in the database).

use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

async fn drop_append_only_guard(app: &TestApp) {
    let sql = if app.engine == "postgres" {
        "DROP TRIGGER audit_entries_no_update ON audit_entries"
    } else {
        "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;"
    };
    app.store.exec_raw(sql).await.unwrap();
}

async fn broken_at(app: &TestApp) -> (i64, String) {
    let reports = app.app.verify_audit().await.unwrap();
    let bad: Vec<_> = reports.iter().filter(|r| !r.ok).collect();
    assert_eq!(bad.len(), 1, "exactly the tampered chain is broken");
    assert_eq!(bad[0].region_code, "370202");
    let b = bad[0].first_break.clone().unwrap();
    (b.chain_seq, b.reason)
}

#[tokio::test]
async fn sign_ins_and_changes_are_chained_and_verify_intact() {
    let app = spawn_app().await;
    let _ = login_with(&app, "clerk-370202", "bad#Pass1", None).await;
    let token = login(&app, "clerk-370202").await;
    post(&app, &token, "/api/v1/auth/logout", json!({})).await;
    let auditor = login(&app, "auditor").await;
    let v: Value = get(&app, &auditor, "/api/v1/audit?region=370202&action=auth.")
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<(&str, &str)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("auth.logout", "success"),
            ("auth.login", "success"),
            ("auth.login", "failure")
        ]
    );
    let e = &v["items"][0];
    assert_eq!(e["client_ip"], "127.0.0.1");
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    let v: Value = get(&app, &auditor, "/api/v1/audit/verify")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["regions"].as_array().unwrap().len() >= 11);
}

#[tokio::test]
async fn verify_names_an_edited_entry() {
    let app = spawn_app().await;
    drop_append_only_guard(&app).await;
    app.store
        .exec_raw("UPDATE audit_entries SET outcome = 'failure' WHERE region_code = '370202' AND chain_seq = 2")
        .await
        .unwrap();
    let (seq, reason) = broken_at(&app).await;
    assert_eq!(seq, 2);
    assert!(reason.contains("hash"), "{reason}");
}

#[tokio::test]
async fn verify_names_a_deleted_entry() {
    let app = spawn_app().await;
    drop_append_only_guard(&app).await;
    app.store
        .exec_raw("DELETE FROM audit_entries WHERE region_code = '370202' AND chain_seq = 3")
        .await
        .unwrap();
    assert_eq!(broken_at(&app).await.0, 3);
}

#[tokio::test]
async fn verify_names_reordered_entries() {
    let app = spawn_app().await;
    drop_append_only_guard(&app).await;
    for sql in [
        "UPDATE audit_entries SET chain_seq = -1 WHERE region_code = '370202' AND chain_seq = 2",
        "UPDATE audit_entries SET chain_seq = 2 WHERE region_code = '370202' AND chain_seq = 3",
        "UPDATE audit_entries SET chain_seq = 3 WHERE region_code = '370202' AND chain_seq = -1",
    ] {
        app.store.exec_raw(sql).await.unwrap();
    }
    assert_eq!(broken_at(&app).await.0, 2);
}

#[tokio::test]
async fn verify_notices_the_newest_entry_removed() {
    let app = spawn_app().await;
    drop_append_only_guard(&app).await;
    app.store
        .exec_raw("DELETE FROM audit_entries WHERE region_code = '370202' AND chain_seq = (SELECT MAX(chain_seq) FROM audit_entries WHERE region_code = '370202')")
        .await
        .unwrap();
    let (_, reason) = broken_at(&app).await;
    assert!(reason.contains("head"), "{reason}");
}

//! Sealed notices: every acceptance outcome and decision yields a PDF with Chinese text sealed
//! with the region's SM2 key; the seal verifies over the API and on the command line, a changed
//! byte does not; a character no font has is refused and nothing changes; the applicant's
//! download of the decision is its electronic delivery and closes the case.

use super::cases::{open_task, submit};
use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

async fn case(app: &TestApp, token: &str, id: &str) -> Value {
    get(app, token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

async fn complete(app: &TestApp, token: &str, number: &str, body: Value) -> reqwest::Response {
    let t = open_task(app, token, number).await;
    let tid = t["task"]["id"].as_str().unwrap();
    post(app, token, &format!("/api/v1/tasks/{tid}/complete"), body).await
}

async fn download(app: &TestApp, token: &str, id: &str, notice: &str) -> Vec<u8> {
    let r = get(app, token, &format!("/api/v1/cases/{id}/notices/{notice}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    r.bytes().await.unwrap().to_vec()
}

async fn verify(bytes: Vec<u8>, app: &TestApp) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/notices/verify"))
        .body(bytes)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn notices_are_sealed_verifiable_and_the_decision_download_closes_the_case() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "n-1").await;
    let id = created["id"].as_str().unwrap().to_string();
    let number = created["number"].as_str().unwrap().to_string();
    let clerk = login(&app, "clerk-370202").await;
    // A character no font has: refused, nothing changes.
    let v = assert_error(
        complete(
            &app,
            &clerk,
            &number,
            json!({"outcome": "request_supplement", "opinion": "请补充\u{E000}"}),
        )
        .await,
        422,
        "NOTICE_UNRENDERABLE",
    )
    .await;
    assert_eq!(v["details"]["code_points"], json!(["U+E000"]));
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["status"], "submitted");
    assert_eq!(c["open_tasks"][0]["step"], "accept");
    assert_eq!(c["open_tasks"][0]["claimed"], false);
    assert!(
        !open_task(&app, &clerk, &number).await.is_null(),
        "the task is still open"
    );

    complete(
        &app,
        &clerk,
        &number,
        json!({"outcome": "request_supplement", "opinion": "施工合同盖章页；项目负责人身份证明"}),
    )
    .await;
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["notices"][0]["title"], "一次性补正告知书");
    post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/supplement"),
        json!({}),
    )
    .await;
    complete(
        &app,
        &clerk,
        &number,
        json!({"outcome": "accept", "opinion": "予以受理"}),
    )
    .await;
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["notices"][1]["title"], "受理通知书");
    let accept_id = c["notices"][1]["id"].as_str().unwrap().to_string();
    let pdf = download(&app, &citizen, &id, &accept_id).await;
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf).contains("%SHENPI-SEAL v1 SM2-SM3"));
    let ok: Value = verify(pdf.clone(), &app).await.json().await.unwrap();
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["department"], "青岛市市南区行政审批服务局");
    assert_eq!(ok["key_id"], c["notices"][1]["key_id"]);
    let keys: Value = client()
        .get(app.url("/api/v1/seal-keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys["keys"].as_array().unwrap().len(),
        1,
        "one key per region, reused"
    );
    assert!(keys.to_string().find("secret").is_none());
    // One changed byte anywhere in the document breaks the seal.
    let mut tampered = pdf.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    assert_error(verify(tampered, &app).await, 422, "NOTICE_SEAL_INVALID").await;
    assert_error(
        verify(b"%PDF-1.7 not sealed".to_vec(), &app).await,
        422,
        "NOTICE_SEAL_INVALID",
    )
    .await;
    // Nobody else's.
    let other = login(&app, "enterprise").await;
    let r = get(
        &app,
        &other,
        &format!("/api/v1/cases/{id}/notices/{accept_id}"),
    )
    .await;
    assert!(r.status() == 404 || r.status() == 403, "{}", r.status());

    let reviewer = login(&app, "reviewer-370202").await;
    complete(
        &app,
        &reviewer,
        &number,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    let approver = login(&app, "approver-370202").await;
    complete(
        &app,
        &approver,
        &number,
        json!({"outcome": "approve", "opinion": "准予行政许可。"}),
    )
    .await;
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["status"], "granted");
    let decision = c["notices"][2].clone();
    assert_eq!(decision["title"], "准予行政许可决定书");
    let did = decision["id"].as_str().unwrap().to_string();
    // Staff reading it is not delivery; the applicant's download is.
    download(&app, &approver, &id, &did).await;
    assert_eq!(case(&app, &citizen, &id).await["status"], "granted");
    let pdf = download(&app, &citizen, &id, &did).await;
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["status"], "closed");
    assert!(c["timeline"].to_string().contains("电子送达"));
    download(&app, &citizen, &id, &did).await;
    assert_eq!(case(&app, &citizen, &id).await["status"], "closed");

    // `shenpi notice verify` checks the same file against the database's keys.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("decision.pdf");
    std::fs::write(&good, &pdf).unwrap();
    let bad = dir.path().join("bad.pdf");
    let mut b = pdf.clone();
    b[100] ^= 1;
    std::fs::write(&bad, &b).unwrap();
    let Some(data) = app.data_dir.clone() else {
        eprintln!("notice verify CLI: checked on SQLite only (the PostgreSQL run uses a schema)");
        return;
    };
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shenpi"))
            .arg("--data-dir")
            .arg(&data)
            .args(["notice", "verify"])
            .arg(file)
            .env_remove("SHENPI_DATABASE_URL")
            .env("SHENPI_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run(&good);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("签章有效"));
    assert!(!run(&bad).status.success());
}

/// A citizen's case accepted by the clerk: (the citizen's token, the case id).
async fn accepted(app: &TestApp, key: &str) -> (String, String) {
    let citizen = login(app, "citizen").await;
    let created = submit(app, &citizen, key).await;
    let number = created["number"].as_str().unwrap();
    let clerk = login(app, "clerk-370202").await;
    let r = complete(
        app,
        &clerk,
        number,
        json!({"outcome": "accept", "opinion": "予以受理"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    (citizen, created["id"].as_str().unwrap().to_string())
}

/// A step acknowledges before its notice is typeset: the notice is listed at once (number, key)
/// and unsealed; the notice job seals it after the step has committed, once; the stored PDF is
/// the one whose SHA-256 the case lists, and it verifies.
#[tokio::test]
async fn the_notice_job_seals_notices_after_the_step_commits() {
    let app = spawn_app().await;
    let (citizen, id) = accepted(&app, "n-job").await;
    let c = case(&app, &citizen, &id).await;
    let n = &c["notices"][0];
    assert_eq!(n["title"], "受理通知书");
    assert_eq!(n["sealed"], false);
    assert_eq!(n["sha256"], "");
    assert_eq!(n["key_id"].as_str().unwrap().len(), 16, "{n}");

    // The job (woken by the step in `shenpi serve`; called here) seals it, once.
    assert_eq!(
        app.app.fire_due_timers().await.unwrap(),
        0,
        "no timer fired"
    );
    let c = case(&app, &citizen, &id).await;
    let n = c["notices"][0].clone();
    assert_eq!(n["sealed"], true);
    let sha = n["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);
    assert_eq!(app.app.seal_pending_notices(&id).await.unwrap(), 0);
    assert_eq!(c["status"], "under_review", "sealing changed nothing else");

    let pdf = download(&app, &citizen, &id, n["id"].as_str().unwrap()).await;
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&pdf)), sha);
    let ok: Value = verify(pdf, &app).await.json().await.unwrap();
    assert_eq!(ok["valid"], true);
    assert_eq!(ok["key_id"], n["key_id"]);
}

/// After a rush, the notice job seals every pending notice, not only those of its first scan:
/// it scans again while a scan stopped at its size with cases still due. Here scans of one
/// case each: one scan seals one case's notices and says more may be due; the job seals the
/// other two.
#[tokio::test]
async fn the_notice_job_scans_again_while_a_scan_stops_at_its_size() {
    let app = spawn_app().await;
    let mut citizen = String::new();
    let mut ids = vec![];
    for i in 0..3 {
        let (token, id) = accepted(&app, &format!("n-rush-{i}")).await;
        citizen = token;
        ids.push(id);
    }
    // Quiet again (two seconds without requests), as the job waits for.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert!(app.app.requests_per_second() < 20.0);
    let first = app.app.scan_wakeups(1).await.unwrap();
    assert_eq!((first.sealed, first.more), (1, true), "{first:?}");
    assert_eq!(
        app.app.notice_job_in_scans_of(1).await.unwrap(),
        2,
        "the other two cases' notices, one scan each"
    );
    for id in &ids {
        let c = case(&app, &citizen, id).await;
        assert_eq!(c["notices"][0]["sealed"], true, "{id}");
    }
    let last = app.app.scan_wakeups(1).await.unwrap();
    assert_eq!((last.sealed, last.more), (0, false), "{last:?}");
}

/// While the node is busy (here: 200 requests in a row), the scan fires timers but leaves
/// notices to wait, so sealing competes with nobody; once the node is quiet they are sealed. A
/// notice opened meanwhile is sealed on demand (tested above).
#[tokio::test]
async fn a_busy_node_leaves_notices_for_a_quiet_moment() {
    let app = spawn_app().await;
    let (citizen, id) = accepted(&app, "n-busy").await;
    for _ in 0..200 {
        assert_eq!(get(&app, "", "/healthz").await.status(), 200);
    }
    assert!(app.app.requests_per_second() >= 20.0);
    assert_eq!(app.app.fire_due_timers().await.unwrap(), 0);
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["notices"][0]["sealed"], false, "left for a quiet moment");
    // Two seconds with nothing but that one read: quiet again; the busy scan's short claim
    // has run out.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    app.clock.advance(chrono::Duration::seconds(3));
    assert!(app.app.requests_per_second() < 20.0);
    app.app.fire_due_timers().await.unwrap();
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["notices"][0]["sealed"], true);
}

/// A notice the job cannot seal (here: its seal key is gone) is retried a few times, each
/// failure recorded; then the case stops waking for it and the download says why (422), so a
/// broken notice neither spins the job nor fails silently.
#[tokio::test]
async fn a_notice_that_cannot_be_sealed_stops_being_retried_and_says_why() {
    let app = spawn_app().await;
    let (citizen, id) = accepted(&app, "n-broken").await;
    // Point the pending notice at a seal key that does not exist.
    let store: &dyn shenpi_store::Store = &*app.store;
    let mut tx = store.begin().await.unwrap();
    let mut stored = tx.case_by_id(&id).await.unwrap().unwrap();
    let mut doc: Value = serde_json::from_str(&stored.json).unwrap();
    doc["notices"][0]["key_id"] = json!("0000000000000000");
    stored.json = doc.to_string();
    stored.revision += 1;
    tx.update_case(&stored, stored.revision - 1).await.unwrap();
    tx.commit().await.unwrap();

    for attempt in 1..=shenpi_app::notices::MAX_SEAL_ATTEMPTS {
        assert_eq!(app.app.seal_pending_notices(&id).await.unwrap(), 0);
        let mut tx = store.read().await.unwrap();
        let stored = tx.case_by_id(&id).await.unwrap().unwrap();
        let doc: Value = serde_json::from_str(&stored.json).unwrap();
        assert_eq!(doc["notices"][0]["seal_attempts"], attempt);
        assert!(
            doc["notices"][0]["seal_error"]
                .as_str()
                .unwrap()
                .contains("seal key"),
            "{doc}"
        );
        if attempt < shenpi_app::notices::MAX_SEAL_ATTEMPTS {
            assert!(stored.wake_at.is_some(), "retried");
        } else {
            assert!(stored.wake_at.is_none(), "no longer woken for it");
        }
    }
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["notices"][0]["sealed"], false);
    let r = get(
        &app,
        &citizen,
        &format!(
            "/api/v1/cases/{id}/notices/{}",
            c["notices"][0]["id"].as_str().unwrap()
        ),
    )
    .await;
    let v = assert_error(r, 422, "NOTICE_UNRENDERABLE").await;
    assert_eq!(
        v["details"]["attempts"],
        shenpi_app::notices::MAX_SEAL_ATTEMPTS
    );
}

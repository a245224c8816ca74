//! The workbench actions with specified behaviour (../shared/UX.md): 驳回 to the previous step,
//! to the applicant (clock paused) and to a chosen step (also out of parallel branches), 取回
//! while the next step is unclaimed, 转办, 委派 and getting it back, 加签, supervisor
//! reassignment, 抄送, batch handling only for acceptance and approval, counters, one warning
//! per threshold, application drafts and the incident list.

use super::cases::{ITEM, materials_for, open_task, submit};
use super::common::*;
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

/// The id of the caller's open task of case `number` (panics when there is none).
async fn task_id(app: &TestApp, token: &str, number: &str) -> String {
    let t = open_task(app, token, number).await;
    t["task"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no open task of {number}: {t}"))
        .to_string()
}

async fn complete(app: &TestApp, token: &str, tid: &str, body: Value) -> reqwest::Response {
    post(app, token, &format!("/api/v1/tasks/{tid}/complete"), body).await
}

async fn act(
    app: &TestApp,
    token: &str,
    tid: &str,
    action: &str,
    body: Value,
) -> reqwest::Response {
    post(app, token, &format!("/api/v1/tasks/{tid}/{action}"), body).await
}

async fn case(app: &TestApp, token: &str, id: &str) -> Value {
    get(app, token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// A submitted case accepted by the clerk: (id, number).
async fn accepted_case(app: &TestApp, key: &str) -> (String, String) {
    let citizen = login(app, "citizen").await;
    let created = submit(app, &citizen, key).await;
    let (id, number) = (
        created["id"].as_str().unwrap().to_string(),
        created["number"].as_str().unwrap().to_string(),
    );
    let clerk = login(app, "clerk-370202").await;
    let tid = task_id(app, &clerk, &number).await;
    let r = complete(
        app,
        &clerk,
        &tid,
        json!({"outcome": "accept", "opinion": "予以受理"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    (id, number)
}

#[tokio::test]
async fn a_return_goes_to_the_previous_step_or_to_the_applicant_with_the_clock_paused() {
    let app = spawn_app().await;
    let (id, number) = accepted_case(&app, "ret-1").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let approver = login(&app, "approver-370202").await;
    let citizen = login(&app, "citizen").await;
    // No earlier step than review after acceptance: only the applicant is a target.
    let review = task_id(&app, &reviewer, &number).await;
    let v = assert_error(
        complete(
            &app,
            &reviewer,
            &review,
            json!({"outcome": "return", "opinion": "x", "target": "previous"}),
        )
        .await,
        422,
        "RETURN_TARGET_INVALID",
    )
    .await;
    assert_eq!(v["details"]["allowed"], json!(["applicant"]));
    complete(
        &app,
        &reviewer,
        &review,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;

    // The approver returns to the previous step, with reasons.
    let decide = task_id(&app, &approver, &number).await;
    assert_error(
        complete(
            &app,
            &approver,
            &decide,
            json!({"outcome": "return", "target": "previous"}),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let v = assert_error(
        complete(
            &app,
            &approver,
            &decide,
            json!({"outcome": "return", "opinion": "x", "target": "accept"}),
        )
        .await,
        422,
        "RETURN_TARGET_INVALID",
    )
    .await;
    assert_eq!(
        v["details"]["allowed"],
        json!(["applicant", "previous", "review"])
    );
    let r = complete(
        &app,
        &approver,
        &decide,
        json!({"outcome": "return", "opinion": "请核实施工合同金额", "target": "previous"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(open_task(&app, &approver, &number).await.is_null());
    let review = task_id(&app, &reviewer, &number).await;
    let c = case(&app, &citizen, &id).await;
    assert_eq!(c["status"], "under_review");
    assert!(
        c["timeline"].to_string().contains("退回至「审查"),
        "{}",
        c["timeline"]
    );
    let before: chrono::NaiveDate = c["sla"]["promised_deadline"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // The reviewer returns the case to the applicant: the clock stops until the supplement.
    let r = complete(
        &app,
        &reviewer,
        &review,
        json!({"outcome": "return", "opinion": "请补充施工合同盖章页", "target": "applicant"}),
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["status"],
        "review_supplement"
    );
    let notes: Value = get(&app, &citizen, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        notes["items"].to_string().contains("请补充施工合同盖章页"),
        "{notes}"
    );
    app.clock
        .set(shenpi_testkit::start_time() + Duration::days(7));
    let citizen = login(&app, "citizen").await;
    let r = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/supplement"),
        json!({}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "under_review");
    // The reviewer who returned it has the task back; the deadline moved by the paused days.
    let reviewer = login(&app, "reviewer-370202").await;
    let back = open_task(&app, &reviewer, &number).await;
    assert_eq!(back["task"]["step"], "review");
    assert_eq!(back["task"]["assignee"], "reviewer-370202");
    let c = case(&app, &citizen, &id).await;
    let after: chrono::NaiveDate = c["sla"]["promised_deadline"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(after > before, "{before} → {after}");
    assert_eq!(c["pauses"][0]["reason"], "审查补正");
}

#[tokio::test]
async fn take_back_only_while_the_next_step_is_unclaimed() {
    let app = spawn_app().await;
    let (_, number) = accepted_case(&app, "tb-1").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let approver = login(&app, "approver-370202").await;
    let clerk = login(&app, "clerk-370202").await;
    let review = task_id(&app, &reviewer, &number).await;
    complete(
        &app,
        &reviewer,
        &review,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    assert!(!open_task(&app, &approver, &number).await.is_null());
    // Someone else cannot take it back; the reviewer can.
    assert_error(
        act(&app, &clerk, &review, "take-back", json!({})).await,
        404,
        "TASK_NOT_FOUND",
    )
    .await;
    let again: Value = act(&app, &reviewer, &review, "take-back", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["status"], "open");
    assert_eq!(again["assignee"], "reviewer-370202");
    assert!(
        open_task(&app, &approver, &number).await.is_null(),
        "the decide task is withdrawn"
    );
    let review = again["id"].as_str().unwrap().to_string();
    complete(
        &app,
        &reviewer,
        &review,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    // Once the approver has claimed the next step, it is too late.
    let decide = task_id(&app, &approver, &number).await;
    act(&app, &approver, &decide, "claim", json!({})).await;
    assert_error(
        act(&app, &reviewer, &review, "take-back", json!({})).await,
        409,
        "TAKE_BACK_NOT_POSSIBLE",
    )
    .await;
    // Acceptance is a legal act with its notice: never taken back.
    let done: Value = get(&app, &clerk, "/api/v1/tasks?view=done")
        .await
        .json()
        .await
        .unwrap();
    let accept = done["items"][0]["id"].as_str().unwrap().to_string();
    assert_error(
        act(&app, &clerk, &accept, "take-back", json!({})).await,
        409,
        "TAKE_BACK_NOT_POSSIBLE",
    )
    .await;
}

#[tokio::test]
async fn transfer_delegation_co_signing_and_reassignment() {
    let app = spawn_app().await;
    let (id, number) = accepted_case(&app, "hand-1").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let reviewer2 = login(&app, "reviewer2-370202").await;
    let approver = login(&app, "approver-370202").await;
    let review = task_id(&app, &reviewer, &number).await;
    // 转办 only to a colleague of the step's role in the same region.
    assert_error(
        act(
            &app,
            &reviewer,
            &review,
            "transfer",
            json!({"to": "clerk-370202"}),
        )
        .await,
        422,
        "ASSIGNEE_INVALID",
    )
    .await;
    assert_error(
        act(
            &app,
            &reviewer,
            &review,
            "transfer",
            json!({"to": "reviewer-370203"}),
        )
        .await,
        422,
        "ASSIGNEE_INVALID",
    )
    .await;
    assert_error(
        act(
            &app,
            &reviewer,
            &review,
            "transfer",
            json!({"to": "nobody"}),
        )
        .await,
        422,
        "ASSIGNEE_INVALID",
    )
    .await;
    let r = act(
        &app,
        &reviewer,
        &review,
        "transfer",
        json!({"to": "reviewer2-370202", "note": "休假"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(
        open_task(&app, &reviewer, &number).await.is_null(),
        "no longer theirs"
    );
    assert_eq!(task_id(&app, &reviewer2, &number).await, review);

    // 委派: the delegate resolves it, and it is back with the owner; the owner may take it back.
    act(
        &app,
        &reviewer2,
        &review,
        "delegate",
        json!({"to": "approver-370202", "note": "请核实"}),
    )
    .await;
    assert_eq!(task_id(&app, &approver, &number).await, review);
    assert_error(
        complete(
            &app,
            &approver,
            &review,
            json!({"outcome": "approve", "opinion": "同意"}),
        )
        .await,
        409,
        "TASK_DELEGATED",
    )
    .await;
    assert_error(
        act(&app, &approver, &review, "resolve", json!({})).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let t: Value = act(
        &app,
        &approver,
        &review,
        "resolve",
        json!({"opinion": "已核实合同金额"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(t["assignee"], "reviewer2-370202");
    assert!(t["owner"].is_null());
    act(
        &app,
        &reviewer2,
        &review,
        "delegate",
        json!({"to": "reviewer-370202"}),
    )
    .await;
    let t: Value = act(&app, &reviewer2, &review, "resolve", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["assignee"], "reviewer2-370202", "the owner took it back");

    // 加签: no completion before the co-signer answers.
    act(
        &app,
        &reviewer2,
        &review,
        "add-signer",
        json!({"to": "reviewer-370202", "note": "请会核"}),
    )
    .await;
    assert_error(
        complete(
            &app,
            &reviewer2,
            &review,
            json!({"outcome": "approve", "opinion": "同意"}),
        )
        .await,
        409,
        "COSIGN_PENDING",
    )
    .await;
    let cosign = open_task(&app, &reviewer, &number).await;
    assert_eq!(cosign["task"]["kind"], "cosign");
    let cid = cosign["task"]["id"].as_str().unwrap().to_string();
    assert_error(
        complete(
            &app,
            &reviewer,
            &cid,
            json!({"outcome": "return", "opinion": "x"}),
        )
        .await,
        422,
        "OUTCOME_NOT_ALLOWED",
    )
    .await;
    complete(
        &app,
        &reviewer,
        &cid,
        json!({"outcome": "approve", "opinion": "同意，金额已核"}),
    )
    .await;
    let r = complete(
        &app,
        &reviewer2,
        &review,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let citizen = login(&app, "citizen").await;
    let timeline = case(&app, &citizen, &id).await["timeline"].to_string();
    for words in [
        "转办给",
        "委派给",
        "委派办理意见：已核实合同金额",
        "收回委派",
        "加签意见（同意）：同意，金额已核",
    ] {
        assert!(timeline.contains(words), "{words} missing in {timeline}");
    }

    // 改派 by the supervisor, with a reason; not by a colleague.
    let decide = task_id(&app, &approver, &number).await;
    act(&app, &approver, &decide, "claim", json!({})).await;
    let sup = login(&app, "deptadmin-370202").await;
    assert_error(
        act(
            &app,
            &reviewer,
            &decide,
            "reassign",
            json!({"to": "approver-370202", "note": "x"}),
        )
        .await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_error(
        act(
            &app,
            &sup,
            &decide,
            "reassign",
            json!({"to": "reviewer-370202", "note": "请假"}),
        )
        .await,
        422,
        "ASSIGNEE_INVALID",
    )
    .await;
    assert_error(
        act(
            &app,
            &sup,
            &decide,
            "reassign",
            json!({"to": "approver-370202"}),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_error(
        act(
            &app,
            &sup,
            &decide,
            "reassign",
            json!({"to": "approver-370202", "note": "请假"}),
        )
        .await,
        422,
        "ASSIGNEE_INVALID",
    )
    .await;
    let (_, other) = accepted_case(&app, "hand-2").await;
    let pool = task_id(&app, &reviewer, &other).await;
    let t: Value = act(
        &app,
        &sup,
        &pool,
        "reassign",
        json!({"to": "reviewer2-370202", "note": "审核员请假"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(t["assignee"], "reviewer2-370202");
    assert!(open_task(&app, &reviewer, &other).await.is_null());
    assert_eq!(task_id(&app, &reviewer2, &other).await, pool);
    let v = act(
        &app,
        &sup,
        &review,
        "reassign",
        json!({"to": "reviewer-370202", "note": "请假"}),
    )
    .await;
    assert_error(v, 409, "TASK_CLOSED").await;
    let audit: Value = get(
        &app,
        &login(&app, "auditor").await,
        "/api/v1/audit?region=370202",
    )
    .await
    .json()
    .await
    .unwrap();
    let actions = audit.to_string();
    for a in [
        "task.transfer",
        "task.delegate",
        "task.resolve",
        "task.add_signer",
        "task.reassign",
    ] {
        assert!(actions.contains(a), "{a} not audited");
    }
}

#[tokio::test]
async fn copies_batches_counters_warnings_and_drafts() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let clerk = login(&app, "clerk-370202").await;
    let mut numbers = vec![];
    for k in 0..3 {
        numbers.push(
            submit(&app, &citizen, &format!("b-{k}")).await["number"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut tasks = vec![];
    for n in &numbers {
        tasks.push(task_id(&app, &clerk, n).await);
    }
    // 抄送 to a colleague; not to an applicant.
    assert_error(
        act(&app, &clerk, &tasks[0], "copy", json!({"to": ["citizen"]})).await,
        422,
        "ASSIGNEE_INVALID",
    )
    .await;
    let sent: Value = act(
        &app,
        &clerk,
        &tasks[0],
        "copy",
        json!({"to": ["reviewer2-370202"], "note": "请阅"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(sent["sent"], 1);
    let reviewer2 = login(&app, "reviewer2-370202").await;
    let counts: Value = get(&app, &reviewer2, "/api/v1/tasks/counts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["copies_unread"], 1);
    let copies: Value = get(&app, &reviewer2, "/api/v1/tasks?view=copies")
        .await
        .json()
        .await
        .unwrap();
    let copy = copies["items"][0]["id"].as_str().unwrap().to_string();
    post(
        &app,
        &reviewer2,
        &format!("/api/v1/copies/{copy}/read"),
        json!({}),
    )
    .await;
    let counts: Value = get(&app, &reviewer2, "/api/v1/tasks/counts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["copies_unread"], 0);

    // Batch: refusals need individual reasons; acceptance in bulk, each task on its own.
    assert_error(
        post(
            &app,
            &clerk,
            "/api/v1/tasks/batch",
            json!({"tasks": tasks, "outcome": "refuse_to_accept", "opinion": "x"}),
        )
        .await,
        422,
        "BATCH_NOT_ALLOWED",
    )
    .await;
    let mut with_bogus = tasks.clone();
    with_bogus.push("no-such-task".into());
    let v: Value = post(
        &app,
        &clerk,
        "/api/v1/tasks/batch",
        json!({"tasks": with_bogus, "outcome": "accept", "opinion": "予以受理"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.iter().filter(|r| r["ok"] == true).count(), 3);
    assert_eq!(results[3]["error"], "TASK_NOT_FOUND");
    let reviewer = login(&app, "reviewer-370202").await;
    let counts: Value = get(&app, &reviewer, "/api/v1/tasks/counts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["todo"], 3);
    assert_eq!(counts["yellow"], 0);

    // One warning per threshold: scanning twice sends nothing new.
    assert_eq!(app.app.scan_deadlines().await.unwrap(), 0, "all green");
    let deadline: chrono::NaiveDate =
        open_task(&app, &reviewer, &numbers[0]).await["sla"]["promised_deadline"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    let days = (deadline - chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()).num_days();
    app.clock
        .set(shenpi_testkit::start_time() + Duration::days(days));
    let sent = app.app.scan_deadlines().await.unwrap();
    assert_eq!(
        sent, 6,
        "yellow to the reviewers' pool and the supervisor, for 3 cases"
    );
    assert_eq!(
        app.app.scan_deadlines().await.unwrap(),
        0,
        "once per threshold"
    );
    let reviewer = login(&app, "reviewer-370202").await;
    let notes: Value = get(&app, &reviewer, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "sla_yellow")
            .count(),
        3
    );
    let counts: Value = get(&app, &reviewer, "/api/v1/tasks/counts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["yellow"], 3);
    // The menu's counter (polled by htmx) says the same, coloured by the most urgent task.
    let (status, badge) = super::processes::page(&app, "reviewer-370202", "/tasks/counts").await;
    assert_eq!(status, 200);
    assert!(
        badge.contains(r#"class="badge yellow""#)
            && badge.contains(&format!(r#"data-todo="{}""#, counts["todo"])),
        "{badge}"
    );
    let (_, menu) = super::processes::page(&app, "reviewer-370202", "/tasks").await;
    assert!(menu.contains(
        r##"hx-get="/tasks/counts" hx-trigger="load, every 30s" hx-select="#todo-badge""##
    ));
    assert!(badge.contains(r#"id="todo-badge""#));
    // A warning to the reviewers' pool is read by each reviewer on their own.
    let reviewer2 = login(&app, "reviewer2-370202").await;
    let unread = |token: String| {
        let app = &app;
        async move {
            get(app, &token, "/api/v1/tasks/counts")
                .await
                .json::<Value>()
                .await
                .unwrap()["notifications_unread"]
                .as_u64()
                .unwrap()
        }
    };
    let (mine, theirs) = (
        unread(reviewer.clone()).await,
        unread(reviewer2.clone()).await,
    );
    assert!(mine >= 3 && theirs >= 3, "{mine} {theirs}");
    let pool_note = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "sla_yellow" && n["recipient"] == "role:reviewer@370202")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/notifications/{pool_note}/read"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(unread(reviewer.clone()).await, mine - 1);
    assert_eq!(
        unread(reviewer2.clone()).await,
        theirs,
        "still unread for the colleague"
    );
    app.clock
        .set(shenpi_testkit::start_time() + Duration::days(days + 3));
    let citizen = login(&app, "citizen").await;
    assert_eq!(app.app.scan_deadlines().await.unwrap(), 6, "red, once");
    assert_eq!(app.app.scan_deadlines().await.unwrap(), 0);
    let sup = login(&app, "deptadmin-370202").await;
    let notes: Value = get(&app, &sup, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    let nid = notes["items"][0]["id"].as_str().unwrap().to_string();
    assert_error(
        post(
            &app,
            &citizen,
            &format!("/api/v1/notifications/{nid}/read"),
            json!({}),
        )
        .await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_eq!(
        post(
            &app,
            &sup,
            &format!("/api/v1/notifications/{nid}/read"),
            json!({})
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn drafts_are_private_and_end_with_the_submission() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let enterprise = login(&app, "enterprise").await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/drafts",
        json!({"item_code": ITEM, "region": "370202", "form": {"project": "示例项目"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    let id = d["id"].as_str().unwrap().to_string();
    assert_error(
        post(
            &app,
            &citizen,
            "/api/v1/drafts",
            json!({"item_code": ITEM, "region": "999999"}),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_error(
        post(
            &app,
            &citizen,
            "/api/v1/drafts",
            json!({"item_code": ITEM, "region": "370202", "surprise": 1}),
        )
        .await,
        422,
        "INVALID_FIELD",
    )
    .await;
    assert_error(
        get(&app, &enterprise, &format!("/api/v1/drafts/{id}")).await,
        404,
        "DRAFT_NOT_FOUND",
    )
    .await;
    let (situation, files) = materials_for(&app, &citizen).await;
    let r = client()
        .put(app.url(&format!("/api/v1/drafts/{id}")))
        .bearer_auth(&citizen)
        .json(&json!({"item_code": ITEM, "region": "370202", "situation": situation, "materials": files, "form": {"project": "示例项目二"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["revision"], 2);
    let list: Value = get(&app, &citizen, "/api/v1/drafts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["form"]["project"], "示例项目二");
    assert!(
        get(&app, &enterprise, "/api/v1/drafts")
            .await
            .json::<Value>()
            .await
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = post(&app, &citizen, "/api/v1/cases", json!({"item_code": ITEM, "region": "370202", "situation": situation, "materials": files, "idempotency_key": "from-draft", "draft_id": id})).await;
    assert_eq!(r.status(), 201);
    assert_error(
        get(&app, &citizen, &format!("/api/v1/drafts/{id}")).await,
        404,
        "DRAFT_NOT_FOUND",
    )
    .await;
}

/// start → 初审 → fork → (核查甲 ‖ 核查乙) → join → 决定 → end.
const PARALLEL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d">
  <bpmn:process id="parallel-review" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prelim"/>
    <bpmn:userTask id="prelim" name="初审" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prelim" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="check_a"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="check_b"/>
    <bpmn:userTask id="check_a" name="核查甲" shenpi:role="reviewer"/>
    <bpmn:userTask id="check_b" name="核查乙" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f5" sourceRef="check_a" targetRef="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="check_b" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="decide"/>
    <bpmn:userTask id="decide" name="决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f8" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

/// Uploads `xml` and makes [`ITEM`] use process `key` from today.
pub(super) async fn use_process(app: &TestApp, xml: &str, key: &str) {
    let admin = login(app, "admin").await;
    let r = client()
        .post(app.url("/api/v1/processes"))
        .bearer_auth(&admin)
        .header("content-type", "application/xml")
        .body(xml.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let current: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut changed = current["item"].clone();
    changed["process_key"] = json!(key);
    let p: Value = post(app, &admin, "/api/v1/proposals", json!({"operation": "change", "title": "启用流程", "targets": [ITEM], "drafts": [changed], "effective_from": "2026-11-28"}))
        .await
        .json()
        .await
        .unwrap();
    let pid = p["id"].as_str().unwrap();
    post(
        app,
        &admin,
        &format!("/api/v1/proposals/{pid}/submit"),
        json!({}),
    )
    .await;
    post(
        app,
        &admin,
        &format!("/api/v1/proposals/{pid}/override"),
        json!({"reason": "测试"}),
    )
    .await;
    let r = post(
        app,
        &admin,
        &format!("/api/v1/proposals/{pid}/publish"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

/// The open tasks of a case for a token, by step.
async fn steps(app: &TestApp, token: &str, number: &str) -> Vec<(String, String)> {
    let v: Value = get(app, token, "/api/v1/tasks").await.json().await.unwrap();
    let mut out: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["case_number"] == number)
        .map(|i| {
            (
                i["task"]["step"].as_str().unwrap().to_string(),
                i["task"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn returns_and_take_back_inside_a_bpmn_process_with_parallel_branches() {
    let app = spawn_app().await;
    use_process(&app, PARALLEL, "parallel-review").await;
    let (_, number) = accepted_case(&app, "par-1").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let approver = login(&app, "approver-370202").await;
    let s = steps(&app, &reviewer, &number).await;
    assert_eq!(s.len(), 1);
    let prelim = s[0].1.clone();
    complete(
        &app,
        &reviewer,
        &prelim,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    let s = steps(&app, &reviewer, &number).await;
    assert_eq!(
        s.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["check_a", "check_b"]
    );
    // 取回 of the last engine step: both branches are withdrawn, 初审 reopens.
    let again: Value = act(&app, &reviewer, &prelim, "take-back", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["step"], "prelim");
    let s = steps(&app, &reviewer, &number).await;
    assert_eq!(
        s.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["prelim"]
    );
    complete(
        &app,
        &reviewer,
        &s[0].1,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    let s = steps(&app, &reviewer, &number).await;
    complete(
        &app,
        &reviewer,
        &s[0].1,
        json!({"outcome": "approve", "opinion": "甲核查通过"}),
    )
    .await;
    // 驳回 out of a parallel branch to 初审: the other branch is withdrawn too.
    let v = assert_error(
        complete(
            &app,
            &reviewer,
            &s[1].1,
            json!({"outcome": "return", "opinion": "x", "target": "decide"}),
        )
        .await,
        422,
        "RETURN_TARGET_INVALID",
    )
    .await;
    assert_eq!(
        v["details"]["allowed"],
        json!(["applicant", "previous", "check_a", "prelim"])
    );
    let r = complete(
        &app,
        &reviewer,
        &s[1].1,
        json!({"outcome": "return", "opinion": "初审意见不完整", "target": "prelim"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let s = steps(&app, &reviewer, &number).await;
    assert_eq!(
        s.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["prelim"],
        "one token at 初审, nothing else open"
    );
    complete(
        &app,
        &reviewer,
        &s[0].1,
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    for (_, tid) in steps(&app, &reviewer, &number).await {
        complete(
            &app,
            &reviewer,
            &tid,
            json!({"outcome": "approve", "opinion": "通过"}),
        )
        .await;
    }
    // From the decision back to the previous step (the last branch completed), then on to a grant.
    let decide = steps(&app, &approver, &number).await;
    assert_eq!(decide.len(), 1, "the join fired once");
    let r = complete(
        &app,
        &approver,
        &decide[0].1,
        json!({"outcome": "return", "opinion": "请补充核查", "target": "previous"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let s = steps(&app, &reviewer, &number).await;
    assert_eq!(s.len(), 1);
    assert!(s[0].0 == "check_a" || s[0].0 == "check_b", "{s:?}");
    assert!(steps(&app, &approver, &number).await.is_empty());
}

/// The answers to a submission and to a completed step name the steps the case now waits on,
/// so a client goes on without reading the case again; the last step leaves none.
#[tokio::test]
async fn each_answer_names_the_step_the_case_waits_on_next() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let case = submit(&app, &citizen, "next-steps").await;
    let open = case["open_tasks"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{case}");
    assert_eq!(
        (open[0]["step"].as_str(), open[0]["role"].as_str()),
        (Some("accept"), Some("clerk"))
    );
    let mut task = open[0]["id"].as_str().unwrap().to_string();
    for (user, outcome, status, next) in [
        ("clerk-370202", "accept", "under_review", Some("review")),
        ("reviewer-370202", "approve", "under_review", Some("decide")),
        ("approver-370202", "approve", "granted", None),
    ] {
        let token = login(&app, user).await;
        let r = post(
            &app,
            &token,
            &format!("/api/v1/tasks/{task}/complete"),
            json!({"outcome": outcome, "opinion": "同意"}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["status"], status, "{v}");
        let open = v["open_tasks"].as_array().unwrap();
        assert_eq!(open.first().and_then(|t| t["step"].as_str()), next, "{v}");
        if let Some(t) = open.first() {
            // The step named is the one the next official finds on the case.
            let next_token = login(
                &app,
                if next == Some("review") {
                    "reviewer-370202"
                } else {
                    "approver-370202"
                },
            )
            .await;
            let seen = get(
                &app,
                &next_token,
                &format!("/api/v1/cases/{}", v["case"].as_str().unwrap()),
            )
            .await
            .json::<Value>()
            .await
            .unwrap();
            assert_eq!(seen["open_tasks"][0]["id"], t["id"]);
            task = t["id"].as_str().unwrap().to_string();
        }
    }
}

//! Applications: submission pinned to the item version in force, idempotency, required
//! materials, the acceptance deadline (Art. 32), withdrawal, privacy and the progress look-up.

use super::common::*;
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

pub(crate) const ITEM: &str = "QDJS00501-01"; // 建筑工程施工许可证核发

/// Uploads a PDF for every upload-sourced material the first situation needs.
pub(crate) async fn materials_for(
    app: &TestApp,
    token: &str,
) -> (String, serde_json::Map<String, Value>) {
    let item: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}?region=370202")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let situation = &item["item"]["situations"][0];
    let selected: Vec<&str> = situation["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let mut files = serde_json::Map::new();
    for m in item["item"]["materials"].as_array().unwrap() {
        let key = m["key"].as_str().unwrap();
        let needed = m["always_required"].as_bool().unwrap() || selected.contains(&key);
        if needed && m["source"]["kind"] == "upload" {
            let r = client()
                .post(app.url(&format!("/api/v1/materials?name={key}.pdf")))
                .bearer_auth(token)
                .body(format!("%PDF-1.7 {key}").into_bytes())
                .send()
                .await
                .unwrap();
            let v: Value = r.json().await.unwrap();
            files.insert(key.to_string(), v["id"].clone());
        }
    }
    (situation["key"].as_str().unwrap().to_string(), files)
}

/// Submits a complete application for the first situation of [`ITEM`] in 市南区.
pub(crate) async fn submit(app: &TestApp, token: &str, key: &str) -> Value {
    let (situation, files) = materials_for(app, token).await;
    let body = json!({"item_code": ITEM, "region": "370202", "situation": situation, "materials": files, "idempotency_key": key});
    let r = post(app, token, "/api/v1/cases", body).await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

#[tokio::test]
async fn an_application_becomes_a_case_pinned_to_its_item_version() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let (situation, files) = materials_for(&app, &citizen).await;
    let body = json!({"item_code": ITEM, "region": "370202", "situation": situation, "form": {"project": "示例项目"},
        "materials": files, "idempotency_key": "k-1"});
    let r = post(&app, &citizen, "/api/v1/cases", body.clone()).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let number = created["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("37020220261128"), "{number}");
    assert!(shenpi_domain::case::number::CaseNumber::parse(&number).is_some());
    // The same key again gives the same case, not a second one.
    let again = post(&app, &citizen, "/api/v1/cases", body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], created["id"]);
    let id = created["id"].as_str().unwrap();
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (case["status"].clone(), case["item_version"].clone()),
        (json!("submitted"), json!(1))
    );
    // Received on Saturday 2026-11-28: the decision is due five working days later, on Friday.
    assert_eq!(case["deadlines"]["acceptance_due"], "2026-12-04");
    assert_eq!(case["deadlines"]["deemed_accepted"], false);

    // A newer version of the item is published; the case keeps version 1.
    let admin = login(&app, "admin").await;
    let current: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut changed = current["item"].clone();
    changed["promised_limit_days"] =
        json!(current["item"]["promised_limit_days"].as_u64().unwrap() - 1);
    let p: Value = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "change", "title": "压缩时限", "targets": [ITEM],
        "drafts": [changed], "effective_from": "2026-11-28"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let pid = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{pid}/submit"),
        json!({}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{pid}/override"),
        json!({"reason": "测试"}),
    )
    .await;
    assert_eq!(
        post(
            &app,
            &admin,
            &format!("/api/v1/proposals/{pid}/publish"),
            json!({})
        )
        .await
        .status(),
        200
    );
    let now: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], 2);
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["item_version"], 1);
    let pinned: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}/versions/1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        pinned["item"]["promised_limit_days"],
        current["item"]["promised_limit_days"]
    );

    // Nobody decided within five working days: the case counts as accepted on receipt.
    app.clock.advance(Duration::days(7));
    let case: Value = get(
        &app,
        &login(&app, "citizen").await,
        &format!("/api/v1/cases/{id}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(case["deadlines"]["deemed_accepted"], true);
}

#[tokio::test]
async fn missing_materials_and_bad_applications_are_refused() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let (situation, _) = materials_for(&app, &citizen).await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": ITEM, "region": "370202", "situation": situation,
        "idempotency_key": "k-2"}),
    )
    .await;
    let v = assert_error(r, 422, "MATERIALS_MISSING").await;
    assert!(!v["details"]["missing"].as_array().unwrap().is_empty());
    // A file must be the applicant's own upload: one that does not exist, or another
    // applicant's, is refused and no case is made.
    let (_, files) = materials_for(&app, &citizen).await;
    let enterprise = login(&app, "enterprise").await;
    let (_, theirs) = materials_for(&app, &enterprise).await;
    let key = files.keys().next().unwrap().clone();
    for other in [json!("no-such-file"), theirs[&key].clone()] {
        let mut named = files.clone();
        named.insert(key.clone(), other);
        let r = post(
            &app,
            &citizen,
            "/api/v1/cases",
            json!({"item_code": ITEM, "region": "370202", "situation": situation,
                   "materials": named, "idempotency_key": "k-files"}),
        )
        .await;
        let v = assert_error(r, 422, "VALIDATION_FAILED").await;
        assert_eq!(v["details"]["reason_code"], "MATERIAL_FILE_UNKNOWN", "{v}");
    }
    let mine: Value = get(&app, &citizen, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 0, "{mine}");
    let r = post(&app, &citizen, "/api/v1/cases", json!({"item_code": ITEM, "region": "370202", "situation": "nope", "idempotency_key": "k-3"})).await;
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": "NOPE", "region": "370202", "idempotency_key": "k-4"}),
    )
    .await;
    assert_error(r, 404, "ITEM_NOT_FOUND").await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": ITEM, "region": "370202", "idempotency_key": ""}),
    )
    .await;
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let clerk = login(&app, "clerk-370202").await;
    assert_error(
        post(&app, &clerk, "/api/v1/cases", json!({})).await,
        403,
        "FORBIDDEN",
    )
    .await;
}

#[tokio::test]
async fn cases_are_private_withdrawable_and_traceable_by_number() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-5").await;
    let id = created["id"].as_str().unwrap();
    let number = created["number"].as_str().unwrap();
    let enterprise = login(&app, "enterprise").await;
    assert_error(
        get(&app, &enterprise, &format!("/api/v1/cases/{id}")).await,
        404,
        "CASE_NOT_FOUND",
    )
    .await;
    assert_eq!(
        get(
            &app,
            &login(&app, "clerk-370202").await,
            &format!("/api/v1/cases/{id}")
        )
        .await
        .status(),
        200
    );
    assert_error(
        get(
            &app,
            &login(&app, "clerk-370203").await,
            &format!("/api/v1/cases/{id}"),
        )
        .await,
        404,
        "CASE_NOT_FOUND",
    )
    .await;
    let mine: Value = get(&app, &citizen, "/api/v1/cases?mine=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 1);

    let p: Value = client()
        .get(app.url(&format!(
            "/api/v1/cases/progress?number={number}&name=张测试"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (p["applicant"].clone(), p["status"].clone()),
        (json!("张**"), json!("submitted"))
    );
    assert!(
        !p.to_string().contains("13800000000"),
        "the phone is masked"
    );
    let p: Value = client()
        .get(app.url(&format!(
            "/api/v1/cases/progress?number={number}&phone=13800000000"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["mobile"], "138****0000");
    let r = client()
        .get(app.url(&format!("/api/v1/cases/progress?number={number}&name=李四")))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "CASE_NOT_FOUND").await;
    let r = client()
        .get(app.url("/api/v1/cases/progress?number=garbage&name=张测试"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "CASE_NOT_FOUND").await;

    let w = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/withdraw"),
        json!({"reason": "不再需要"}),
    )
    .await;
    assert_eq!(w.json::<Value>().await.unwrap()["status"], "withdrawn");
    let again = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/withdraw"),
        json!({}),
    )
    .await;
    assert_error(again, 409, "CASE_WRONG_STATUS").await;
}

#[tokio::test]
async fn the_applicant_sees_the_timeline_and_anyone_can_look_up_progress() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-6").await;
    let (id, number) = (
        created["id"].as_str().unwrap(),
        created["number"].as_str().unwrap(),
    );
    let out = page_session(&app, "citizen").await;
    let cookie = format!("shenpi_session={}", out.token);
    let list = client()
        .get(app.url("/cases"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(number) && list.contains("已提交"));
    let page = client()
        .get(app.url(&format!("/cases/{id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("class=\"current\">申请")
            && page.contains("2026-12-04")
            && page.contains("id=\"withdraw\"")
    );
    let public = client()
        .get(app.url(&format!("/progress?number={number}&who=张测试")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains("id=\"progress-result\"")
            && public.contains("张**")
            && !public.contains("张测试<")
    );
    let wrong = client()
        .get(app.url(&format!("/progress?number={number}&who=王五")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(wrong.contains("办件不存在"));
}

pub(crate) async fn open_task(app: &TestApp, token: &str, number: &str) -> Value {
    let v: Value = get(app, token, "/api/v1/tasks").await.json().await.unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_number"] == number)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_case_goes_through_supplement_acceptance_review_and_decision() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-7").await;
    let (id, number) = (
        created["id"].as_str().unwrap().to_string(),
        created["number"].as_str().unwrap().to_string(),
    );
    let clerk = login(&app, "clerk-370202").await;
    let other_clerk = login(&app, "clerk-370203").await;
    assert!(
        open_task(&app, &other_clerk, &number).await.is_null(),
        "another district's clerk does not see it"
    );
    let task = open_task(&app, &clerk, &number).await;
    let tid = task["task"]["id"].as_str().unwrap().to_string();
    let complete = |token: String, tid: String, body: Value| {
        let app = &app;
        async move { post(app, &token, &format!("/api/v1/tasks/{tid}/complete"), body).await }
    };
    // Only outcomes of the step; someone else's task does not exist for them.
    assert_error(
        complete(clerk.clone(), tid.clone(), json!({"outcome": "approve"})).await,
        422,
        "OUTCOME_NOT_ALLOWED",
    )
    .await;
    assert_error(
        complete(
            other_clerk.clone(),
            tid.clone(),
            json!({"outcome": "accept"}),
        )
        .await,
        404,
        "TASK_NOT_FOUND",
    )
    .await;
    assert_error(
        complete(
            clerk.clone(),
            tid.clone(),
            json!({"outcome": "request_supplement"}),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let r = complete(
        clerk.clone(),
        tid.clone(),
        json!({"outcome": "request_supplement", "opinion": "请补充：施工合同盖章页"}),
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["status"],
        "awaiting_supplement"
    );
    assert_error(
        complete(clerk.clone(), tid.clone(), json!({"outcome": "accept"})).await,
        409,
        "TASK_CLOSED",
    )
    .await;
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["supplement_request"], "请补充：施工合同盖章页");
    let r = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/supplement"),
        json!({}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "submitted");

    let tid = open_task(&app, &clerk, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = complete(
        clerk.clone(),
        tid,
        json!({"outcome": "accept", "opinion": "申请材料齐全、符合法定形式，予以受理。"}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "under_review");
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["accepted_on"], "2026-11-28");
    assert_eq!(case["sla"]["colour"], "green");

    let reviewer = login(&app, "reviewer-370202").await;
    let task = open_task(&app, &reviewer, &number).await;
    assert_eq!(task["sla"]["colour"], "green");
    complete(
        reviewer.clone(),
        task["task"]["id"].as_str().unwrap().to_string(),
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    let approver = login(&app, "approver-370202").await;
    let task = open_task(&app, &approver, &number).await;
    let r = complete(
        approver.clone(),
        task["task"]["id"].as_str().unwrap().to_string(),
        json!({"outcome": "approve", "opinion": "准予行政许可。"}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "granted");
    let w = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/withdraw"),
        json!({}),
    )
    .await;
    assert_error(w, 409, "CASE_WRONG_STATUS").await;
}

#[tokio::test]
async fn the_warning_turns_yellow_then_red_on_the_fake_clock() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-8").await;
    let number = created["number"].as_str().unwrap().to_string();
    let clerk = login(&app, "clerk-370202").await;
    let tid = open_task(&app, &clerk, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        &app,
        &clerk,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "accept"}),
    )
    .await;
    let reviewer_sla = |days: i64| {
        let app = &app;
        let number = number.clone();
        async move {
            app.clock
                .set(shenpi_testkit::start_time() + Duration::days(days));
            let reviewer = login(app, "reviewer-370202").await;
            open_task(app, &reviewer, &number).await["sla"].clone()
        }
    };
    let first = reviewer_sla(0).await;
    assert_eq!(first["colour"], "green");
    let deadline: chrono::NaiveDate = first["promised_deadline"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let to_deadline =
        (deadline - chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()).num_days();
    assert_eq!(reviewer_sla(to_deadline).await["colour"], "yellow");
    let late = reviewer_sla(to_deadline + 3).await;
    assert_eq!(late["colour"], "red");
    // The supervision list of the district shows it red; another district's does not show it.
    let reg = login(&app, "regadmin-370202").await;
    let v: Value = get(&app, &reg, "/api/v1/supervision")
        .await
        .json()
        .await
        .unwrap();
    let line = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["number"] == number.as_str())
        .cloned()
        .unwrap();
    assert_eq!(line["sla"]["colour"], "red");
    let other: Value = get(
        &app,
        &login(&app, "regadmin-370203").await,
        "/api/v1/supervision",
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        other["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["number"] != number.as_str())
    );
    assert_error(
        get(&app, &reg, "/api/v1/supervision?region=370203").await,
        403,
        "FORBIDDEN",
    )
    .await;
}

const PROCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d">
  <bpmn:process id="permit-review" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="审查" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>
    <bpmn:userTask id="decide" name="决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

#[tokio::test]
async fn an_item_with_a_bpmn_process_runs_on_the_engine_after_acceptance() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let upload = |xml: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            client()
                .post(app.url("/api/v1/processes"))
                .bearer_auth(&admin)
                .header("content-type", "application/xml")
                .body(xml)
                .send()
                .await
                .unwrap()
        }
    };
    // The bench file has a script task: refused, naming the element and its line.
    let bench = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/bench/approval.bpmn"
    ))
    .unwrap_or_else(|_| {
        PROCESS
            .replace("userTask id=\"review\"", "scriptTask id=\"check\"")
            .replace("shenpi:role=\"reviewer\"/>", "/>")
    });
    let v = assert_error(upload(bench).await, 422, "PROCESS_INVALID").await;
    assert!(
        v["details"]["reason"].as_str().unwrap().contains("check"),
        "{v}"
    );
    let v = assert_error(
        upload(PROCESS.replace("shenpi:role=\"reviewer\"", "")).await,
        422,
        "PROCESS_INVALID",
    )
    .await;
    assert!(
        v["details"]["reason"].as_str().unwrap().contains("review"),
        "{v}"
    );
    assert_error(upload("<not-xml".into()).await, 422, "PROCESS_INVALID").await;
    // A department must exist (by slug or id).
    let v = assert_error(
        upload(PROCESS.replace(
            "shenpi:role=\"approver\"",
            "shenpi:role=\"approver\" shenpi:department=\"nosuch\"",
        ))
        .await,
        422,
        "PROCESS_INVALID",
    )
    .await;
    let reason = v["details"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("line 8") && reason.contains("nosuch"),
        "{v}"
    );
    let r = upload(PROCESS.replace(
        "shenpi:role=\"approver\"",
        "shenpi:role=\"approver\" shenpi:department=\"spj\"",
    ))
    .await;
    assert_eq!(r.status(), 201, "an existing department");
    let r = upload(PROCESS.into()).await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"key": "permit-review", "version": 2})
    );

    // The item now uses the process (a catalog change, effective today).
    let current: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut changed = current["item"].clone();
    changed["process_key"] = json!("permit-review");
    let p: Value = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "change", "title": "启用流程", "targets": [ITEM],
        "drafts": [changed], "effective_from": "2026-11-28"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let pid = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{pid}/submit"),
        json!({}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{pid}/override"),
        json!({"reason": "测试"}),
    )
    .await;
    assert_eq!(
        post(
            &app,
            &admin,
            &format!("/api/v1/proposals/{pid}/publish"),
            json!({})
        )
        .await
        .status(),
        200
    );

    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-bpmn").await;
    let (id, number) = (
        created["id"].as_str().unwrap().to_string(),
        created["number"].as_str().unwrap().to_string(),
    );
    let clerk = login(&app, "clerk-370202").await;
    let tid = open_task(&app, &clerk, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        &app,
        &clerk,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "accept"}),
    )
    .await;
    let reviewer = login(&app, "reviewer-370202").await;
    let task = open_task(&app, &reviewer, &number).await;
    assert_eq!(
        task["task"]["step"], "review",
        "the task comes from the BPMN process"
    );
    assert!(task["task"]["engine_task"].is_number());
    let tid = task["task"]["id"].as_str().unwrap().to_string();
    assert_error(
        post(
            &app,
            &reviewer,
            &format!("/api/v1/tasks/{tid}/complete"),
            json!({"outcome": "accept"}),
        )
        .await,
        422,
        "OUTCOME_NOT_ALLOWED",
    )
    .await;
    post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    let approver = login(&app, "approver-370202").await;
    let task = open_task(&app, &approver, &number).await;
    assert_eq!(task["task"]["step"], "decide");
    let tid = task["task"]["id"].as_str().unwrap().to_string();
    let r = post(&app, &approver, &format!("/api/v1/tasks/{tid}/complete"), json!({"outcome": "deny", "opinion": "不符合《中华人民共和国建筑法》规定的条件，不予许可。"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "denied");
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "denied");
}

#[tokio::test]
async fn a_clerk_accepts_from_the_to_do_page_with_a_standard_opinion() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-page").await;
    let id = created["id"].as_str().unwrap();
    let out = page_session(&app, "clerk-370202").await;
    let cookie = format!("shenpi_session={}", out.token);
    let html = client()
        .get(app.url("/tasks"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(created["number"].as_str().unwrap()) && html.contains("一次性补正告知"));
    let start = html.find("action=\"/tasks/").unwrap() + 15;
    let tid = html[start..].split('/').next().unwrap().to_string();
    let phrase = html
        .split("name=\"phrase\"")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .nth(2)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = client()
        .post(app.url(&format!("/tasks/{tid}/complete")))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", out.csrf_token.as_str()),
            ("outcome", "accept"),
            ("phrase", phrase.as_str()),
            ("opinion", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "under_review");
    let last = case["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["note"],
        phrase.as_str(),
        "the standard phrase became the opinion"
    );
}

#[tokio::test]
async fn a_special_procedure_pauses_the_clock() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-sp").await;
    let (id, number) = (
        created["id"].as_str().unwrap().to_string(),
        created["number"].as_str().unwrap().to_string(),
    );
    let clerk = login(&app, "clerk-370202").await;
    let tid = open_task(&app, &clerk, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    post(
        &app,
        &clerk,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "accept"}),
    )
    .await;
    let reviewer = login(&app, "reviewer-370202").await;
    let before: Value = get(&app, &reviewer, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let deadline_before = before["sla"]["promised_deadline"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/api/v1/cases/{id}/special-procedure");
    assert_error(
        post(
            &app,
            &clerk,
            &url,
            json!({"action": "begin", "name": "专家评审"}),
        )
        .await,
        403,
        "FORBIDDEN",
    )
    .await;
    // A reviewer of another department (交通运输局) may not pause this 审批局 case.
    let other = login(&app, "reviewer-jtj-370202").await;
    assert_error(
        post(
            &app,
            &other,
            &url,
            json!({"action": "begin", "name": "专家评审"}),
        )
        .await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_error(
        post(&app, &reviewer, &url, json!({"action": "begin"})).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let v: Value = post(
        &app,
        &reviewer,
        &url,
        json!({"action": "begin", "name": "专家评审", "reason": "建设规模较大，需组织专家论证", "days": 10}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["status"], "special_procedure");
    // The applicant is told in writing: a sealed 特别程序告知书 on the case.
    let notice = v["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "special_procedure")
        .cloned()
        .unwrap();
    assert_eq!(notice["title"], "特别程序告知书");
    let pdf = get(&app, &reviewer, notice["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_error(
        post(
            &app,
            &reviewer,
            &url,
            json!({"action": "begin", "name": "再次"}),
        )
        .await,
        409,
        "CASE_WRONG_STATUS",
    )
    .await;
    // Two weeks of expert review (Mon 11-30 … Fri 12-11 are 10 working days) do not count.
    app.clock.advance(Duration::days(13));
    let reviewer = login(&app, "reviewer-370202").await;
    let v: Value = post(&app, &reviewer, &url, json!({"action": "end"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "under_review");
    assert_eq!(v["pauses"][0]["to"], "2026-12-11");
    let after = v["sla"]["promised_deadline"].as_str().unwrap().to_string();
    let cal = shenpi_domain::calendar::Calendar::builtin();
    let moved = cal
        .working_days_between(deadline_before.parse().unwrap(), after.parse().unwrap())
        .unwrap();
    assert_eq!(moved, 10, "{deadline_before} → {after}");
}

#[tokio::test]
async fn a_claimed_task_belongs_to_its_claimant_until_released() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-claim").await;
    let number = created["number"].as_str().unwrap().to_string();
    // A second clerk of the same district.
    app.app
        .create_user_cli(shenpi_app::users::NewUser {
            username: "clerk2-370202".into(),
            display_name: "第二窗口".into(),
            password: "Strong#Pass1".into(),
            roles: vec![shenpi_domain::org::Role::Clerk],
            region_code: "370202".into(),
            department_id: None,
            mobile: None,
            id_number: None,
        })
        .await
        .unwrap();
    let first = login(&app, "clerk-370202").await;
    let second = login_with(&app, "clerk2-370202", "Strong#Pass1", None)
        .await
        .unwrap();
    let tid = open_task(&app, &first, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r: Value = post(
        &app,
        &first,
        &format!("/api/v1/tasks/{tid}/claim"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(r["assignee"], "clerk-370202");
    assert!(
        open_task(&app, &second, &number).await.is_null(),
        "others no longer see it"
    );
    assert_error(
        post(
            &app,
            &second,
            &format!("/api/v1/tasks/{tid}/claim"),
            json!({}),
        )
        .await,
        409,
        "TASK_CLAIMED",
    )
    .await;
    assert_error(
        post(
            &app,
            &second,
            &format!("/api/v1/tasks/{tid}/complete"),
            json!({"outcome": "accept"}),
        )
        .await,
        409,
        "TASK_CLAIMED",
    )
    .await;
    post(
        &app,
        &first,
        &format!("/api/v1/tasks/{tid}/release"),
        json!({}),
    )
    .await;
    assert!(!open_task(&app, &second, &number).await.is_null());
    let r = post(
        &app,
        &second,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "accept"}),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "under_review");
    let done: Value = get(&app, &second, "/api/v1/tasks?done=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["items"][0]["id"], tid.as_str(), "已办 lists it");
    let none: Value = get(&app, &first, "/api/v1/tasks?done=true")
        .await
        .json()
        .await
        .unwrap();
    assert!(none["items"].as_array().unwrap().is_empty());
}

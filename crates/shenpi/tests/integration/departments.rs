//! Departments (部门) route the workbench (issue 5: "an applicant submits the utility bundle;
//! the clerk accepts; reviewers in two departments act"): a task belongs to its item's
//! department, or to the one its BPMN user task names; staff of a department see and act on
//! that department's tasks only (and on acceptance, which belongs to none); another
//! department's task is not found; a task is handed over only inside its department.

use super::bundles::uploads;
use super::cases::{open_task, submit};
use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

const UTILITY: &str = "utility-hookup-12";
/// 公路涉路施工许可, an item of 交通运输局.
const HIGHWAY: &str = "QDJT00101-01";

/// The case numbers in the caller's to-do list.
async fn todo_numbers(app: &TestApp, token: &str) -> Vec<String> {
    let v: Value = get(app, token, "/api/v1/tasks").await.json().await.unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_number"].as_str().unwrap().to_string())
        .collect()
}

/// Completes the caller's open task of case `number` with `outcome`; asserts it went through.
async fn complete(app: &TestApp, token: &str, number: &str, outcome: &str) {
    let tid = open_task(app, token, number).await["task"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no open task of {number}"))
        .to_string();
    let r = post(
        app,
        token,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": outcome, "opinion": "符合条件，同意。"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{number} {outcome}");
}

#[tokio::test]
async fn reviewers_of_two_departments_act_on_their_parts_of_the_utility_bundle() {
    let app = spawn_app().await;
    let b: Value = client()
        .get(app.url(&format!("/api/v1/bundles/{UTILITY}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(b["departments"], json!(["spj", "jtj"]));

    // Water, with road digging and a highway crossing: three items of the approval bureau,
    // one of the transport bureau, one utility company.
    let citizen = login(&app, "citizen").await;
    let chosen = [
        "QDJS00302-01",
        "QDSZ00101-01",
        "QDSZ00102-01",
        HIGHWAY,
        "QDGY00101-01",
    ];
    let files = uploads(&app, &citizen, &b, &chosen).await;
    let r = post(
        &app,
        &citizen,
        &format!("/api/v1/bundles/{UTILITY}/applications"),
        json!({"region": "370202",
               "answers": {"services": ["water"], "dig_road": ["yes"], "green": ["no"], "highway": ["yes"]},
               "form": {"project_name": "青岛示例科技园四期", "address": "370202 市南区示例路 4 号",
                        "contact": "钱示例", "contact_phone": "13600000000"},
               "materials": files, "idempotency_key": "two-departments"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let bundle_id = v["id"].as_str().unwrap().to_string();
    let subs = v["sub_cases"].as_array().unwrap().clone();
    let codes: Vec<&str> = subs
        .iter()
        .map(|s| s["item_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, chosen);
    let number = |code: &str| {
        subs.iter().find(|s| s["item_code"] == code).unwrap()["number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let highway = number(HIGHWAY);
    let bureau: Vec<String> = chosen[..3].iter().map(|c| number(c)).collect();

    // The comprehensive window accepts for both departments.
    let clerk = login(&app, "clerk-370202").await;
    for n in bureau.iter().chain([&highway]) {
        complete(&app, &clerk, n, "accept").await;
    }

    // Each department's reviewer sees its own sub-cases only.
    let reviewer = login(&app, "reviewer-370202").await;
    let jtj_reviewer = login(&app, "reviewer-jtj-370202").await;
    let mine = todo_numbers(&app, &reviewer).await;
    assert!(bureau.iter().all(|n| mine.contains(n)), "{mine:?}");
    assert!(!mine.contains(&highway), "the transport bureau's task");
    assert_eq!(
        todo_numbers(&app, &jtj_reviewer).await,
        vec![highway.clone()]
    );
    let task = open_task(&app, &jtj_reviewer, &highway).await["task"].clone();
    assert_eq!(task["department_id"], "370202-jtj");
    assert_eq!(
        open_task(&app, &reviewer, &bureau[0]).await["task"]["department_id"],
        "370202-spj"
    );
    let counts: Value = get(&app, &jtj_reviewer, "/api/v1/tasks/counts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["todo"], 1);

    // Another department's task is not found: to complete, claim or hand over.
    let tid = task["id"].as_str().unwrap().to_string();
    for (action, body) in [
        ("complete", json!({"outcome": "approve", "opinion": "同意"})),
        ("claim", json!({})),
        (
            "transfer",
            json!({"to": "reviewer2-370202", "note": "请协助"}),
        ),
    ] {
        let r = post(
            &app,
            &reviewer,
            &format!("/api/v1/tasks/{tid}/{action}"),
            body,
        )
        .await;
        assert_error(r, 404, "TASK_NOT_FOUND").await;
    }
    let spj_task = open_task(&app, &reviewer, &bureau[0]).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        &app,
        &jtj_reviewer,
        &format!("/api/v1/tasks/{spj_task}/complete"),
        json!({"outcome": "approve", "opinion": "同意"}),
    )
    .await;
    assert_error(r, 404, "TASK_NOT_FOUND").await;
    // The task stays in its department: no transfer to the approval bureau's reviewer.
    let r = post(
        &app,
        &jtj_reviewer,
        &format!("/api/v1/tasks/{tid}/transfer"),
        json!({"to": "reviewer-370202", "note": "请协助"}),
    )
    .await;
    assert_error(r, 422, "ASSIGNEE_INVALID").await;
    let r = post(
        &app,
        &login(&app, "deptadmin-370202").await,
        &format!("/api/v1/tasks/{tid}/reassign"),
        json!({"to": "reviewer2-370202", "note": "请假"}),
    )
    .await;
    assert_error(r, 404, "TASK_NOT_FOUND").await;

    // Both departments review and decide; the sub-cases move on.
    for n in &bureau {
        complete(&app, &reviewer, n, "approve").await;
    }
    complete(&app, &jtj_reviewer, &highway, "approve").await;
    let approver = login(&app, "approver-370202").await;
    let jtj_approver = login(&app, "approver-jtj-370202").await;
    assert!(!todo_numbers(&app, &approver).await.contains(&highway));
    assert_eq!(
        todo_numbers(&app, &jtj_approver).await,
        vec![highway.clone()]
    );
    for n in &bureau {
        complete(&app, &approver, n, "approve").await;
    }
    complete(&app, &jtj_approver, &highway, "approve").await;
    let view: Value = get(&app, &citizen, &format!("/api/v1/bundle-cases/{bundle_id}"))
        .await
        .json()
        .await
        .unwrap();
    for s in view["sub_cases"].as_array().unwrap() {
        if s["item_code"] != "QDGY00101-01" {
            assert_eq!(s["status"], "granted", "{s}");
        }
    }
    assert_eq!(
        view["status"], "in_progress",
        "the water company is still at work"
    );
}

/// The decision step of a process naming 交通运输局 (`shenpi:department="jtj"`).
const CROSS_DEPARTMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d">
  <bpmn:process id="cross-department" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="审查" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>
    <bpmn:userTask id="decide" name="交通运输局会同决定" shenpi:role="approver" shenpi:department="jtj"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

#[tokio::test]
async fn a_bpmn_user_task_goes_to_the_department_it_names() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    super::processes::upload(&app, &admin, CROSS_DEPARTMENT).await;
    // 建筑工程施工许可证核发 (审批局) runs on it.
    super::processes::use_process(&app, &admin, "cross-department").await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-cross").await;
    let number = created["number"].as_str().unwrap().to_string();
    complete(&app, &login(&app, "clerk-370202").await, &number, "accept").await;

    // The review has no department named: the item's (审批局).
    let reviewer = login(&app, "reviewer-370202").await;
    assert!(
        todo_numbers(&app, &login(&app, "reviewer-jtj-370202").await)
            .await
            .is_empty()
    );
    let review = open_task(&app, &reviewer, &number).await;
    assert_eq!(review["task"]["department_id"], "370202-spj");
    complete(&app, &reviewer, &number, "approve").await;

    // The decision goes to the transport bureau's approver.
    let approver = login(&app, "approver-370202").await;
    assert!(open_task(&app, &approver, &number).await.is_null());
    let jtj_approver = login(&app, "approver-jtj-370202").await;
    let decide = open_task(&app, &jtj_approver, &number).await;
    assert_eq!(decide["task"]["step"], "decide");
    assert_eq!(decide["task"]["department_id"], "370202-jtj");
    complete(&app, &jtj_approver, &number, "approve").await;
    let id = created["id"].as_str().unwrap();
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["status"], "granted");
}

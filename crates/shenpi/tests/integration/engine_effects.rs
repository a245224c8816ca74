//! A case's process moves on more than people: called processes (子流程), messages from outside
//! systems, replies to service calls, timers — and refuses what cannot work (an unknown
//! platform action at upload, a message nothing waits for, processes calling each other).

use super::cases::{ITEM, open_task, submit};
use super::common::*;
use super::processes::{complete, page, upload, use_process};
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:shenpi="urn:shenpi:bpmn:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d">"#;

/// The called process: one expert review by a reviewer.
fn expert_review() -> String {
    format!(
        r#"{HEAD}
  <bpmn:process id="expert-review" name="专家评审" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="expert"/>
    <bpmn:userTask id="expert" name="专家评审意见" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="expert" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"#
    )
}

/// Notify the applicant → expert review (called) → fee paid (message keyed by the item code)
/// → two days of publicity (timer) → hand to the archive system (waits for its reply) → decide.
fn permit_full() -> String {
    format!(
        r#"{HEAD}
  <bpmn:process id="permit-full" name="施工许可全流程" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="tell"/>
    <bpmn:serviceTask id="tell" name="告知申请人">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="notify"/>
        <zeebe:ioMapping><zeebe:input source="=&quot;您的申请已进入专家评审&quot;" target="message"/></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="tell" targetRef="experts"/>
    <bpmn:callActivity id="experts" name="专家评审">
      <bpmn:extensionElements><zeebe:calledElement processId="expert-review"/></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f3" sourceRef="experts" targetRef="paid"/>
    <bpmn:intermediateCatchEvent id="paid" name="缴费确认">
      <bpmn:messageEventDefinition id="md" messageRef="m_paid"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="publicity"/>
    <bpmn:intermediateCatchEvent id="publicity" name="公示期">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P2D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="publicity" targetRef="archive"/>
    <bpmn:serviceTask id="archive" name="推送档案系统">
      <bpmn:extensionElements><zeebe:taskDefinition type="send_external"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f6" sourceRef="archive" targetRef="decide"/>
    <bpmn:userTask id="decide" name="审批决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f7" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmn:message id="m_paid" name="fee_paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=item_code"/></bpmn:extensionElements>
  </bpmn:message>
</bpmn:definitions>"#
    )
}

/// The case as `token` sees it.
async fn case(app: &TestApp, token: &str, id: &str) -> Value {
    let r = get(app, token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The kinds of what the case waits for besides people.
fn waits(c: &Value) -> Vec<String> {
    c["waiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Submits and accepts a case of [`ITEM`]; returns (id, number).
async fn accepted_case(app: &TestApp, key: &str) -> (String, String) {
    let citizen = login(app, "citizen").await;
    let created = submit(app, &citizen, key).await;
    let id = created["id"].as_str().unwrap().to_string();
    let number = created["number"].as_str().unwrap().to_string();
    complete(app, "clerk-370202", &number, "accept").await;
    (id, number)
}

#[tokio::test]
async fn a_case_runs_a_called_process_then_waits_for_a_message_a_timer_and_an_outside_reply() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    upload(&app, &admin, &expert_review()).await;
    upload(&app, &admin, &permit_full()).await;
    use_process(&app, &admin, "permit-full").await;
    let (id, number) = accepted_case(&app, "k-effects").await;

    // The notify action reached the applicant; the called process opened the expert's task.
    let citizen = login(&app, "citizen").await;
    let notes: Value = get(&app, &citizen, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        notes.to_string().contains("您的申请已进入专家评审"),
        "{notes}"
    );
    let reviewer = login(&app, "reviewer-370202").await;
    let task = open_task(&app, &reviewer, &number).await;
    assert_eq!(task["task"]["step"], "expert", "{task}");
    let c = case(&app, &reviewer, &id).await;
    assert_eq!(waits(&c), ["called_process"]);
    assert!(c["timeline"].to_string().contains("启动子流程 专家评审"));

    // Nothing waits for the fee yet: the message is refused and nothing changes.
    let paid = json!({"name": "fee_paid", "correlation_key": ITEM, "variables": {"fee": 200}});
    let path = format!("/api/v1/cases/{id}/messages");
    let r = post(&app, &admin, &path, paid.clone()).await;
    assert_error(r, 409, "MESSAGE_NOT_CORRELATED").await;

    // The expert approves: the called process ends and the case waits for the fee.
    complete(&app, "reviewer-370202", &number, "approve").await;
    let c = case(&app, &reviewer, &id).await;
    assert_eq!(waits(&c), ["message"], "{}", c["waiting"]);
    assert_eq!(c["waiting"][0]["correlation_key"], ITEM);
    let (status, html) = page(&app, "reviewer-370202", &format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("等待消息 fee_paid（关联键 {ITEM}）")),
        "{html}"
    );
    let (_, html) = page(&app, "citizen", &format!("/cases/{id}")).await;
    assert!(!html.contains("流程等待"), "staff only");
    assert!(
        c["timeline"]
            .to_string()
            .contains("子流程 expert-review 办结")
    );
    assert!(open_task(&app, &reviewer, &number).await.is_null());

    // Only the city admin may report it, only with the right key, and only once.
    let r = post(&app, &reviewer, &path, paid.clone()).await;
    assert_eq!(r.status(), 403);
    let wrong = json!({"name": "fee_paid", "correlation_key": "QD-OTHER"});
    assert_error(
        post(&app, &admin, &path, wrong).await,
        409,
        "MESSAGE_NOT_CORRELATED",
    )
    .await;
    let r = post(&app, &admin, &path, json!({"name": "  "})).await;
    assert_eq!(r.status(), 422);
    let r = post(&app, &admin, &path, paid.clone()).await;
    assert_eq!(r.status(), 200);
    assert_error(
        post(&app, &admin, &path, paid).await,
        409,
        "MESSAGE_NOT_CORRELATED",
    )
    .await;

    // Two days of publicity: the timer is not due before, and fires once after.
    let c = case(&app, &reviewer, &id).await;
    assert_eq!(waits(&c), ["timer"]);
    assert_eq!(app.app.fire_due_timers().await.unwrap(), 0);
    app.clock
        .set(shenpi_testkit::start_time() + Duration::days(2) + Duration::minutes(1));
    assert_eq!(app.app.fire_due_timers().await.unwrap(), 1);
    assert_eq!(app.app.fire_due_timers().await.unwrap(), 0, "fired once");

    // The archive system's reply: a wrong call id is refused; the right one moves on.
    let admin = login(&app, "admin").await;
    let approver = login(&app, "approver-370202").await;
    let c = case(&app, &approver, &id).await;
    assert_eq!(waits(&c), ["service"]);
    let call = c["waiting"][0]["call"].as_u64().unwrap();
    let replies = format!("/api/v1/cases/{id}/service-replies");
    let r = post(
        &app,
        &admin,
        &replies,
        json!({"instance": 0, "call": call + 100, "outcome": "completed"}),
    )
    .await;
    assert_error(r, 404, "SERVICE_CALL_NOT_FOUND").await;
    let r = post(
        &app,
        &admin,
        &replies,
        json!({"instance": 0, "call": call, "outcome": "failed"}),
    )
    .await;
    assert_eq!(r.status(), 422, "a failure needs a reason");
    assert!(open_task(&app, &approver, &number).await.is_null());
    let r = post(
        &app,
        &admin,
        &replies,
        json!({"instance": 0, "call": call, "outcome": "completed", "variables": {"archive_no": "DA-1"}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        waits(&case(&app, &approver, &id).await),
        Vec::<String>::new()
    );

    complete(&app, "approver-370202", &number, "approve").await;
    let c = case(&app, &approver, &id).await;
    assert_eq!(c["status"], "granted");
    assert!(
        c["notices"].to_string().contains("准予"),
        "{}",
        c["notices"]
    );
    let auditor = login(&app, "auditor").await;
    let audit: Value = get(&app, &auditor, "/api/v1/audit?action=case.timer")
        .await
        .json()
        .await
        .unwrap();
    assert!(audit.to_string().contains(&number), "{audit}");
}

#[tokio::test]
async fn a_boundary_timer_on_a_call_activity_terminates_the_called_process_and_its_tasks() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    upload(&app, &admin, &expert_review()).await;
    let xml = format!(
        r#"{HEAD}
  <bpmn:process id="permit-timeout" name="限时评审" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="experts"/>
    <bpmn:callActivity id="experts" name="专家评审">
      <bpmn:extensionElements><zeebe:calledElement processId="expert-review"/></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:boundaryEvent id="late" name="超过一天" attachedToRef="experts">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="experts" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="escalate"/>
    <bpmn:userTask id="escalate" name="超时处理" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="end2"/>
    <bpmn:endEvent id="end"/>
    <bpmn:endEvent id="end2"/>
  </bpmn:process>
</bpmn:definitions>"#
    );
    upload(&app, &admin, &xml).await;
    use_process(&app, &admin, "permit-timeout").await;
    let (id, number) = accepted_case(&app, "k-timeout").await;
    let reviewer = login(&app, "reviewer-370202").await;
    assert_eq!(
        open_task(&app, &reviewer, &number).await["task"]["step"],
        "expert"
    );

    app.clock
        .set(shenpi_testkit::start_time() + Duration::days(1) + Duration::minutes(1));
    assert_eq!(app.app.fire_due_timers().await.unwrap(), 1);
    let reviewer = login(&app, "reviewer-370202").await;
    assert!(
        open_task(&app, &reviewer, &number).await.is_null(),
        "the expert's task is withdrawn with the called process"
    );
    let approver = login(&app, "approver-370202").await;
    assert_eq!(
        open_task(&app, &approver, &number).await["task"]["step"],
        "escalate"
    );
    let c = case(&app, &approver, &id).await;
    assert_eq!(waits(&c), Vec::<String>::new());
    assert_eq!(
        c["open_tasks"].as_array().unwrap().len(),
        1,
        "{}",
        c["open_tasks"]
    );
    complete(&app, "approver-370202", &number, "approve").await;
    assert_eq!(case(&app, &approver, &id).await["status"], "granted");
}

#[tokio::test]
async fn processes_calling_each_other_end_as_an_incident_not_a_loop() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let called = |id: &str, calls: Option<&str>| {
        let middle = match calls {
            Some(k) => format!(
                r#"<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>
    <bpmn:callActivity id="c" calledElement="{k}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="c" targetRef="e"/>"#
            ),
            None => r#"<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/>"#.to_string(),
        };
        format!(
            r#"{HEAD}<bpmn:process id="{id}" isExecutable="true"><bpmn:startEvent id="s"/>{middle}<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>"#
        )
    };
    upload(&app, &admin, &called("ping", None)).await;
    upload(&app, &admin, &called("pong", Some("ping"))).await;
    upload(&app, &admin, &called("ping", Some("pong"))).await; // ping v2 → pong → ping v2 …
    use_process(&app, &admin, "ping").await;
    let (id, number) = accepted_case(&app, "k-loop").await;

    let c = case(&app, &admin, &id).await;
    assert_eq!(c["status"], "under_review");
    assert!(
        c["timeline"].to_string().contains("流程异常"),
        "{}",
        c["timeline"]
    );
    let incidents: Value = get(&app, &admin, "/api/v1/incidents")
        .await
        .json()
        .await
        .unwrap();
    let listed = incidents["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_number"] == number)
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        listed["reason"]
            .as_str()
            .unwrap()
            .contains("nested more than 8"),
        "{incidents}"
    );
}

#[tokio::test]
async fn an_unknown_platform_action_is_refused_at_upload_with_its_line() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let xml = format!(
        r#"{HEAD}
  <bpmn:process id="rocket" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="launch"/>
    <bpmn:serviceTask id="launch"><bpmn:extensionElements><zeebe:taskDefinition type="launch_rocket"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="launch" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"#
    );
    let r = client()
        .post(app.url("/api/v1/processes"))
        .bearer_auth(&admin)
        .header("content-type", "application/xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    let v = assert_error(r, 422, "PROCESS_INVALID").await;
    let reason = v["details"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("line 6")
            && reason.contains("launch_rocket")
            && reason.contains("send_external"),
        "{reason}"
    );
}

#[tokio::test]
async fn inside_a_called_process_a_completion_can_be_taken_back_and_a_return_stays_in_it() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let child = format!(
        r#"{HEAD}
  <bpmn:process id="two-step" name="两级审查" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="first"/>
    <bpmn:userTask id="first" name="初审" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="复核" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"#
    );
    let parent = format!(
        r#"{HEAD}
  <bpmn:process id="permit-nested" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:callActivity id="review" name="审查" calledElement="two-step"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>
    <bpmn:userTask id="decide" name="审批决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#
    );
    upload(&app, &admin, &child).await;
    upload(&app, &admin, &parent).await;
    use_process(&app, &admin, "permit-nested").await;
    let (id, number) = accepted_case(&app, "k-nested").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let step_of = |t: &Value| t["task"]["step"].as_str().unwrap_or_default().to_string();

    // 取回: the first review is taken back while the second is unclaimed.
    let first = open_task(&app, &reviewer, &number).await;
    assert_eq!(step_of(&first), "first");
    complete(&app, "reviewer-370202", &number, "approve").await;
    assert_eq!(
        step_of(&open_task(&app, &reviewer, &number).await),
        "second"
    );
    let done_id = first["task"]["id"].as_str().unwrap();
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{done_id}/take-back"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let again = open_task(&app, &reviewer, &number).await;
    assert_eq!(step_of(&again), "first");
    let c = case(&app, &reviewer, &id).await;
    assert_eq!(
        c["open_tasks"].as_array().unwrap().len(),
        1,
        "{}",
        c["open_tasks"]
    );

    // 驳回 from the second review goes back to the first, inside the called process.
    complete(&app, "reviewer-370202", &number, "approve").await;
    let second = open_task(&app, &reviewer, &number).await;
    let sid = second["task"]["id"].as_str().unwrap();
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{sid}/complete"),
        json!({"outcome": "return", "target": "previous", "opinion": "初审意见不完整"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(step_of(&open_task(&app, &reviewer, &number).await), "first");

    // Through both reviews the called process ends; the decision cannot return into it.
    complete(&app, "reviewer-370202", &number, "approve").await;
    complete(&app, "reviewer-370202", &number, "approve").await;
    let approver = login(&app, "approver-370202").await;
    let decide = open_task(&app, &approver, &number).await;
    assert_eq!(step_of(&decide), "decide");
    let did = decide["task"]["id"].as_str().unwrap();
    let r = post(
        &app,
        &approver,
        &format!("/api/v1/tasks/{did}/complete"),
        json!({"outcome": "return", "target": "first", "opinion": "重审"}),
    )
    .await;
    let v = assert_error(r, 422, "RETURN_TARGET_INVALID").await;
    assert_eq!(v["details"]["allowed"], json!(["applicant"]));
    complete(&app, "approver-370202", &number, "approve").await;
    assert_eq!(case(&app, &approver, &id).await["status"], "granted");
}

#[tokio::test]
async fn taking_back_the_deciding_signature_of_a_countersign_reopens_the_other_signers() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let xml = format!(
        r#"{HEAD}
  <bpmn:process id="permit-sign" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pick"/>
    <bpmn:serviceTask id="pick" shenpi:action="evaluate">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:output source='=["a", "b"]' target="signers"/></zeebe:ioMapping></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="pick" targetRef="sign"/>
    <bpmn:userTask id="sign" name="会审（或签）" shenpi:role="reviewer" shenpi:countersign="any">
      <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer"/></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics/>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="decide"/>
    <bpmn:userTask id="decide" name="审批决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#
    );
    upload(&app, &admin, &xml).await;
    use_process(&app, &admin, "permit-sign").await;
    let (id, number) = accepted_case(&app, "k-sign").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let open_steps = |c: &Value| {
        let mut v: Vec<String> = c["open_tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["step"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        open_steps(&case(&app, &reviewer, &id).await),
        ["sign", "sign"]
    );

    // One signature decides 或签: the other signer's task is withdrawn, the decision opens.
    let first = open_task(&app, &reviewer, &number).await;
    // The answer names the steps the case waits on as the step left them: the other signer's
    // task, withdrawn in the same step, is not among them.
    let r = post(
        &app,
        &reviewer,
        &format!(
            "/api/v1/tasks/{}/complete",
            first["task"]["id"].as_str().unwrap()
        ),
        json!({"outcome": "approve", "opinion": "符合条件，同意。"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(open_steps(&answer), ["decide"], "{answer}");
    assert_eq!(open_steps(&case(&app, &reviewer, &id).await), ["decide"]);

    // 取回 brings back both signatures, not only the one taken back.
    let done_id = first["task"]["id"].as_str().unwrap();
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{done_id}/take-back"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        open_steps(&case(&app, &reviewer, &id).await),
        ["sign", "sign"]
    );
    complete(&app, "reviewer-370202", &number, "approve").await;
    complete(&app, "approver-370202", &number, "approve").await;
    assert_eq!(case(&app, &reviewer, &id).await["status"], "granted");
}

#[tokio::test]
async fn the_process_stands_still_while_the_case_is_with_the_applicant() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let xml = format!(
        r#"{HEAD}
  <bpmn:process id="permit-paid" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="review"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="paid"/>
    <bpmn:userTask id="review" name="审查" shenpi:role="reviewer"/>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition id="md" messageRef="m"/></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="paid" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="decide"/>
    <bpmn:userTask id="decide" name="审批决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f7" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmn:message id="m" name="fee_paid"/>
</bpmn:definitions>"#
    );
    upload(&app, &admin, &xml).await;
    use_process(&app, &admin, "permit-paid").await;
    let (id, number) = accepted_case(&app, "k-paid").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let tid = open_task(&app, &reviewer, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "return", "target": "applicant", "opinion": "请补充缴费凭证"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let path = format!("/api/v1/cases/{id}/messages");
    let r = post(&app, &admin, &path, json!({"name": "fee_paid"})).await;
    assert_error(r, 409, "CASE_WRONG_STATUS").await;

    let citizen = login(&app, "citizen").await;
    let r = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/supplement"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(&app, &admin, &path, json!({"name": "fee_paid"})).await;
    assert_eq!(r.status(), 200);
    complete(&app, "reviewer-370202", &number, "approve").await;
    let approver = login(&app, "approver-370202").await;
    assert_eq!(
        open_task(&app, &approver, &number).await["task"]["step"],
        "decide"
    );
}

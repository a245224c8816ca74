//! Call activities: the engine asks the caller to start the called process
//! ([`Effect::StartCall`]), waits, and resumes on `CompleteCall` / `FailCall`; boundary events
//! on call activities; the called-process list checked at upload. Files as Camunda Modeler
//! saves them for Camunda 8 (`zeebe:calledElement`) and Camunda 7 (`calledElement`,
//! `camunda:in` / `camunda:out`).

use chrono::Duration;
use serde_json::json;
use shenpi_workflow::{
    Command, Effect, EngineError, Event, NodeKind, ParseError, Process, State, Step, Variables,
    parse_bpmn, step,
};

use crate::support::{bpmn_with, complete, deliver, empty, load, now, open, start, vars};

/// The one `StartCall` effect of a step: (call id, process key, variables).
fn started(s: &Step) -> (u64, String, Variables) {
    let calls: Vec<_> = s
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartCall {
                call,
                process_key,
                variables,
                ..
            } => Some((*call, process_key.clone(), variables.clone())),
            _ => None,
        })
        .collect();
    match calls.as_slice() {
        [one] => one.clone(),
        other => panic!("expected one StartCall, got {other:?}"),
    }
}

fn finish(p: &Process, s: &Step, call: u64, v: serde_json::Value) -> Result<Step, EngineError> {
    step(
        p,
        &s.instance,
        Command::CompleteCall {
            call,
            variables: vars(v),
        },
        now(),
    )
}

fn licence() -> (Process, Step) {
    let p = load("licence_calls_zeebe.bpmn");
    let s = start(
        &p,
        json!({"form": {"address": "香港中路 1 号"}, "caseId": 9}),
    );
    (p, s)
}

#[test]
fn the_called_processes_of_a_definition_are_listed_for_the_upload_check() {
    let p = load("licence_calls_zeebe.bpmn");
    assert_eq!(p.called_processes(), ["issue-licence", "site-inspection"]);
    let NodeKind::CallActivity(inspect) = &p.nodes[p.node_by_id("inspect").unwrap()].kind else {
        panic!()
    };
    assert_eq!(inspect.process_key, "site-inspection");
    assert!(inspect.propagate_all_parent && !inspect.propagate_all_child);
    assert_eq!(
        (
            inspect.inputs[0].target.as_str(),
            inspect.inputs[0].source.source()
        ),
        ("site", "form.address")
    );
    let c7 = load("inspection_camunda7.bpmn");
    assert_eq!(c7.called_processes(), ["site-inspection"]);
    assert!(load("bundle.bpmn").called_processes().is_empty());
}

#[test]
fn a_call_activity_starts_the_called_process_and_resumes_with_its_output() {
    let (p, s) = licence();
    let (call, key, input) = started(&s);
    assert_eq!(key, "site-inspection");
    assert_eq!(input["site"], json!("香港中路 1 号"));
    assert_eq!(input["caseId"], json!(9), "all parent variables by default");
    assert_eq!(s.instance.pending_calls(), [call]);
    assert!(s.events.contains(&Event::CallStarted {
        call,
        node: p.node_by_id("inspect").unwrap(),
        process_key: key.clone()
    }));
    // Output mappings only (propagateAllChildVariables="false").
    let s = finish(&p, &s, call, json!({"result": "pass", "inspector": "李四"})).unwrap();
    assert_eq!(s.instance.variables["inspection_result"], json!("pass"));
    assert!(!s.instance.variables.contains_key("inspector"));
    assert!(
        s.instance.timers.is_empty() && s.instance.subscriptions.is_empty(),
        "the call activity's boundary events closed with it"
    );
    let (issue, key, _) = started(&s);
    assert_eq!(key, "issue-licence");
    // All child variables (propagateAllChildVariables="true").
    let s = finish(&p, &s, issue, json!({"licence_no": "QD-1"})).unwrap();
    assert_eq!(s.instance.variables["licence_no"], json!("QD-1"));
    let (archive, key, input) = started(&s);
    assert_eq!(key, "site-inspection");
    assert!(input.is_empty(), "propagateAllParentVariables=\"false\"");
    let s = finish(&p, &s, archive, json!({"noise": 1})).unwrap();
    assert!(!s.instance.variables.contains_key("noise"));
    assert_eq!(s.instance.state, State::Completed);
    assert_eq!(
        finish(&p, &s, archive, empty()),
        Err(EngineError::NotRunning { state: "completed" })
    );
}

#[test]
fn completing_an_unknown_call_or_a_service_call_as_a_called_process_is_refused() {
    let (p, s) = licence();
    let (call, ..) = started(&s);
    assert_eq!(
        finish(&p, &s, call + 50, empty()),
        Err(EngineError::NoSuchCall { call: call + 50 })
    );
    let r = step(
        &p,
        &s.instance,
        Command::ServiceCompleted {
            call,
            variables: Variables::new(),
        },
        now(),
    );
    assert_eq!(r, Err(EngineError::NoSuchCall { call }));
}

#[test]
fn an_interrupting_boundary_timer_cancels_the_called_process() {
    let (p, s) = licence();
    let (call, ..) = started(&s);
    let timer = s.instance.timers[0].id;
    let early = step(
        &p,
        &s.instance,
        Command::FireTimer { timer },
        now() + Duration::days(9),
    );
    assert!(matches!(early, Err(EngineError::TimerNotDue { .. })));
    let s = step(
        &p,
        &s.instance,
        Command::FireTimer { timer },
        now() + Duration::days(10),
    )
    .unwrap();
    let inspect = p.node_by_id("inspect").unwrap();
    assert_eq!(
        s.effects,
        [Effect::CancelCall {
            call,
            node: inspect
        }]
    );
    assert!(s.instance.pending_calls().is_empty() && s.instance.subscriptions.is_empty());
    assert_eq!(open(&p, &s.instance), ["escalate"]);
    assert_eq!(
        finish(&p, &s, call, empty()),
        Err(EngineError::NoSuchCall { call }),
        "a late report of the cancelled call is refused"
    );
    let s = complete(&p, &s.instance, "escalate", empty());
    assert_eq!(s.instance.state, State::Completed);
}

#[test]
fn a_non_interrupting_boundary_message_on_a_call_activity_leaves_the_call_running() {
    let (p, s) = licence();
    let (call, ..) = started(&s);
    let s = deliver(&p, &s.instance, "inspection-delayed", Some("9"), empty()).unwrap();
    assert!(s.effects.is_empty());
    assert_eq!(s.instance.pending_calls(), [call]);
    assert!(
        s.events
            .iter()
            .any(|e| matches!(e, Event::EndReached { node } if p.nodes[*node].id == "end_delayed"))
    );
    let s = finish(&p, &s, call, json!({"result": "pass"})).unwrap();
    assert_eq!(started(&s).1, "issue-licence");
}

#[test]
fn a_failed_called_process_is_an_incident_at_the_call_activity() {
    let (p, s) = licence();
    let (call, ..) = started(&s);
    let s = step(
        &p,
        &s.instance,
        Command::FailCall {
            call,
            reason: "terminated by an administrator".into(),
        },
        now(),
    )
    .unwrap();
    let State::Incident { node, reason } = &s.instance.state else {
        panic!("{:?}", s.instance.state)
    };
    assert_eq!(p.nodes[*node].id, "inspect");
    assert!(
        reason.contains("terminated by an administrator"),
        "{reason}"
    );
    assert_eq!(
        s.instance.pending_calls(),
        [call],
        "the token stays where the case stopped"
    );
    assert_eq!(
        finish(&p, &s, call, empty()),
        Err(EngineError::NotRunning {
            state: "in incident"
        })
    );
}

#[test]
fn an_output_mapping_that_fails_is_an_incident_not_a_lost_token() {
    let p = parse_bpmn(&bpmn_with(
        "",
        r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="c"/>
      <callActivity id="c"><extensionElements><zeebe:calledElement processId="child"/>
        <zeebe:ioMapping><zeebe:output source="=len(items)" target="n"/></zeebe:ioMapping>
      </extensionElements></callActivity>
      <sequenceFlow id="f2" sourceRef="c" targetRef="e"/><endEvent id="e"/>"#,
    ))
    .unwrap();
    let s = start(&p, empty());
    let (c, ..) = started(&s);
    let s = finish(&p, &s, c, json!({"items": 5})).unwrap();
    assert!(
        matches!(s.instance.state, State::Incident { ref reason, .. } if reason.contains("mapping `n`")),
        "{:?}",
        s.instance.state
    );
    assert_eq!(
        s.instance.pending_calls(),
        [c],
        "the token stays at the call activity"
    );
}

#[test]
fn the_camunda_7_file_maps_variables_with_camunda_in_and_out() {
    let p = load("inspection_camunda7.bpmn");
    let s = start(&p, json!({"address": "香港中路 1 号", "applicant": "张三"}));
    let (call, key, input) = started(&s);
    assert_eq!(key, "site-inspection");
    assert_eq!(input["site"], json!("香港中路 1 号"));
    assert_eq!(
        input["applicant"],
        json!("张三"),
        "<camunda:in variables=\"all\"/>"
    );
    let s = finish(&p, &s, call, json!({"result": "pass", "inspector": "李四"})).unwrap();
    assert_eq!(s.instance.variables["inspection_result"], json!("pass"));
    assert!(
        !s.instance.variables.contains_key("inspector"),
        "no <camunda:out variables=\"all\"/>"
    );
    assert_eq!(s.instance.state, State::Running);
}

fn call_err(call: &str) -> ParseError {
    parse_bpmn(&bpmn_with(
        "",
        &format!(
            r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="c"/>{call}
      <sequenceFlow id="f2" sourceRef="c" targetRef="e"/><endEvent id="e"/>"#
        ),
    ))
    .unwrap_err()
}

#[test]
fn a_call_activity_without_a_static_called_process_is_refused() {
    let e = call_err(r#"<callActivity id="c"/>"#);
    assert!(
        matches!(e, ParseError::MissingAttribute { ref id, attribute: "calledElement", .. } if id == "c"),
        "{e:?}"
    );
    let e = call_err(
        r#"<callActivity id="c"><extensionElements><zeebe:calledElement processId="=&quot;x-&quot; + region"/></extensionElements></callActivity>"#,
    );
    assert!(
        matches!(e, ParseError::InvalidAttribute { ref id, attribute: "processId", .. } if id == "c"),
        "{e:?}"
    );
    let e = call_err(r#"<callActivity id="c" calledElement="${key}"/>"#);
    assert!(
        matches!(
            e,
            ParseError::InvalidAttribute {
                attribute: "calledElement",
                ..
            }
        ),
        "{e:?}"
    );
    let e = call_err(
        r#"<callActivity id="c" calledElement="child"><multiInstanceLoopCharacteristics/></callActivity>"#,
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref what, .. } if what.as_deref() == Some("multiInstanceLoopCharacteristics")),
        "{e:?}"
    );
}

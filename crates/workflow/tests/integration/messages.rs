//! Message events: intermediate message catch events, receive tasks and message boundary events
//! (interrupting and not), in files saved by Camunda Modeler for Camunda 8 (with
//! `zeebe:subscription` correlation keys) and Camunda 7 (names only).

use chrono::Duration;
use serde_json::json;
use shenpi_workflow::{
    Command, EngineError, Event, Instance, NodeKind, ParseError, State, Wait, parse_bpmn, step,
};

use crate::support::{bpmn_with, complete, deliver, empty, load, now, open, start, waiting};

fn ids(p: &shenpi_workflow::Process, events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::EndReached { node } => Some(p.nodes[*node].id.clone()),
            _ => None,
        })
        .collect()
}

fn payment_started() -> (shenpi_workflow::Process, Instance) {
    let p = load("payment_zeebe.bpmn");
    let s = start(&p, json!({"orderId": "order-7", "caseId": 42, "fee": 100}));
    (p, s.instance)
}

#[test]
fn the_camunda_8_file_declares_its_messages_with_correlation_keys() {
    let p = load("payment_zeebe.bpmn");
    assert_eq!(
        p.message_names(),
        [
            "applicant-reminder",
            "case-withdrawn",
            "documents-ready",
            "payment-received"
        ]
    );
    let NodeKind::ReceiveTask { message } = &p.nodes[p.node_by_id("await_payment").unwrap()].kind
    else {
        panic!()
    };
    assert_eq!(message.name, "payment-received");
    assert_eq!(
        message.correlation_key.as_ref().map(|k| k.source()),
        Some("orderId")
    );
    let NodeKind::BoundaryMessage {
        attached_to,
        interrupting,
        ..
    } = p.nodes[p.node_by_id("reminder").unwrap()].kind
    else {
        panic!()
    };
    assert_eq!(
        (p.nodes[attached_to].id.as_str(), interrupting),
        ("review", false)
    );
    assert!(matches!(
        p.nodes[p.node_by_id("documents").unwrap()].kind,
        NodeKind::MessageCatch { .. }
    ));
}

#[test]
fn a_receive_task_and_a_catch_event_wait_for_their_messages_with_the_key_evaluated_on_arrival() {
    let (p, i) = payment_started();
    // The user task's boundary messages subscribe with the case id (a number, written as text).
    assert_eq!(
        waiting(&p, &i),
        [
            (
                "withdrawn".into(),
                "case-withdrawn".into(),
                Some("42".into())
            ),
            (
                "reminder".into(),
                "applicant-reminder".into(),
                Some("42".into())
            )
        ]
    );
    let s = complete(&p, &i, "review", empty());
    assert_eq!(
        waiting(&p, &s.instance),
        [(
            "await_payment".into(),
            "payment-received".into(),
            Some("order-7".into())
        )],
        "the review's boundary subscriptions closed with it"
    );
    assert_eq!(s.instance.timers.len(), 1, "the receive task's 7-day timer");
    assert!(s.events.iter().any(
        |e| matches!(e, Event::MessageAwaited { correlation_key: Some(k), .. } if k == "order-7")
    ));
    let s = deliver(
        &p,
        &s.instance,
        "payment-received",
        Some("order-7"),
        json!({"paid": 100}),
    )
    .unwrap();
    assert_eq!(s.instance.variables["paid"], json!(100));
    assert!(
        s.instance.timers.is_empty(),
        "the boundary timer closed with the task"
    );
    assert_eq!(
        waiting(&p, &s.instance),
        [(
            "documents".into(),
            "documents-ready".into(),
            Some("order-7".into())
        )]
    );
    let s = deliver(&p, &s.instance, "documents-ready", Some("order-7"), empty()).unwrap();
    assert_eq!(s.instance.state, State::Completed);
    assert_eq!(ids(&p, &s.events), ["end"]);
}

#[test]
fn message_variables_are_merged_before_the_next_gateway_decides() {
    let (p, i) = payment_started();
    let s = complete(&p, &i, "review", empty());
    let s = deliver(
        &p,
        &s.instance,
        "payment-received",
        Some("order-7"),
        json!({"paid": 50}),
    )
    .unwrap();
    assert_eq!(s.instance.state, State::Completed);
    assert_eq!(ids(&p, &s.events), ["end_short"]);
}

#[test]
fn a_message_that_nothing_waits_for_is_refused_and_changes_nothing() {
    let (p, i) = payment_started();
    let s = complete(&p, &i, "review", empty());
    let wrong_key = deliver(
        &p,
        &s.instance,
        "payment-received",
        Some("order-8"),
        empty(),
    );
    assert_eq!(
        wrong_key,
        Err(EngineError::MessageNotCorrelated {
            name: "payment-received".into(),
            correlation_key: Some("order-8".into())
        })
    );
    assert!(
        wrong_key.unwrap_err().to_string().contains("order-8"),
        "the error names the key"
    );
    let no_key = deliver(&p, &s.instance, "payment-received", None, empty());
    assert!(
        matches!(no_key, Err(EngineError::MessageNotCorrelated { .. })),
        "a keyed subscription needs the key: {no_key:?}"
    );
    let not_yet = deliver(&p, &s.instance, "documents-ready", Some("order-7"), empty());
    assert!(
        matches!(not_yet, Err(EngineError::MessageNotCorrelated { .. })),
        "{not_yet:?}"
    );
    let done = deliver(
        &p,
        &s.instance,
        "payment-received",
        Some("order-7"),
        json!({"paid": 100}),
    )
    .unwrap();
    let done = deliver(
        &p,
        &done.instance,
        "documents-ready",
        Some("order-7"),
        empty(),
    )
    .unwrap();
    assert_eq!(
        deliver(
            &p,
            &done.instance,
            "documents-ready",
            Some("order-7"),
            empty()
        ),
        Err(EngineError::NotRunning { state: "completed" })
    );
}

#[test]
fn an_interrupting_boundary_message_closes_the_task_and_its_other_subscriptions() {
    let (p, i) = payment_started();
    let s = deliver(
        &p,
        &i,
        "case-withdrawn",
        Some("42"),
        json!({"why": "moved"}),
    )
    .unwrap();
    assert_eq!(s.instance.state, State::Completed);
    assert!(s.instance.tasks.is_empty() && s.instance.subscriptions.is_empty());
    assert!(
        s.events
            .iter()
            .any(|e| matches!(e, Event::TaskCancelled { .. }))
    );
    assert_eq!(ids(&p, &s.events), ["end_withdrawn"]);
    assert_eq!(s.instance.variables["why"], json!("moved"));
}

#[test]
fn a_non_interrupting_boundary_message_leaves_the_task_open_and_can_fire_again() {
    let (p, i) = payment_started();
    let s = deliver(&p, &i, "applicant-reminder", Some("42"), empty()).unwrap();
    assert_eq!(open(&p, &s.instance), ["review"]);
    assert_eq!(ids(&p, &s.events), ["end_reminded"]);
    let s = deliver(&p, &s.instance, "applicant-reminder", Some("42"), empty()).unwrap();
    assert_eq!(open(&p, &s.instance), ["review"]);
    assert_eq!(s.instance.state, State::Running);
    let s = complete(&p, &s.instance, "review", empty());
    assert_eq!(
        deliver(&p, &s.instance, "applicant-reminder", Some("42"), empty()),
        Err(EngineError::MessageNotCorrelated {
            name: "applicant-reminder".into(),
            correlation_key: Some("42".into())
        }),
        "the subscription closed with the task"
    );
}

#[test]
fn a_boundary_timer_on_a_receive_task_cancels_the_wait() {
    let (p, i) = payment_started();
    let s = complete(&p, &i, "review", empty());
    let timer = s.instance.timers[0].id;
    let s = step(
        &p,
        &s.instance,
        Command::FireTimer { timer },
        now() + Duration::days(7),
    )
    .unwrap();
    assert_eq!(s.instance.state, State::Completed);
    assert!(s.events.iter().any(
        |e| matches!(e, Event::ActivityCancelled { node, .. } if p.nodes[*node].id == "await_payment")
    ));
    assert_eq!(ids(&p, &s.events), ["end_timeout"]);
    assert!(s.instance.subscriptions.is_empty());
}

#[test]
fn the_camunda_7_file_correlates_by_name_alone() {
    let p = load("inspection_camunda7.bpmn");
    let s = start(&p, json!({"address": "香港中路 1 号"}));
    let call = s.instance.pending_calls()[0];
    let s = step(
        &p,
        &s.instance,
        Command::CompleteCall {
            call,
            variables: crate::support::vars(json!({"result": "pass"})),
        },
        now(),
    )
    .unwrap();
    assert_eq!(
        waiting(&p, &s.instance),
        [("await_report".into(), "expert-report".into(), None)]
    );
    // Without a declared key any key the caller passes is irrelevant: the instance is addressed.
    let s = deliver(&p, &s.instance, "expert-report", Some("anything"), empty()).unwrap();
    let s = deliver(&p, &s.instance, "fee-paid", None, json!({"fee_paid": true})).unwrap();
    assert_eq!(open(&p, &s.instance), ["decide"]);
    let s = complete(&p, &s.instance, "decide", json!({"approved": true}));
    assert_eq!(s.instance.state, State::Completed);
    assert_eq!(ids(&p, &s.events), ["end"]);
}

const TWO_WAITS: &str = r#"<startEvent id="s"/><sequenceFlow id="f0" sourceRef="s" targetRef="split"/>
  <parallelGateway id="split"/>
  <sequenceFlow id="fa" sourceRef="split" targetRef="a"/><sequenceFlow id="fb" sourceRef="split" targetRef="b"/>
  <intermediateCatchEvent id="a"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
  <receiveTask id="b" messageRef="m"/>
  <sequenceFlow id="ja" sourceRef="a" targetRef="join"/><sequenceFlow id="jb" sourceRef="b" targetRef="join"/>
  <parallelGateway id="join"/><sequenceFlow id="f9" sourceRef="join" targetRef="e"/><endEvent id="e"/>"#;

#[test]
fn one_delivery_moves_exactly_one_waiting_token_the_oldest() {
    let p = parse_bpmn(&bpmn_with(r#"<message id="m" name="signed"/>"#, TWO_WAITS)).unwrap();
    let s = start(&p, empty());
    let waits: Vec<_> = s
        .instance
        .tokens
        .iter()
        .filter(|t| t.wait == Wait::Message)
        .map(|t| p.nodes[t.node].id.as_str())
        .collect();
    assert_eq!(waits, ["a", "b"]);
    let s = deliver(&p, &s.instance, "signed", None, empty()).unwrap();
    assert_eq!(
        waiting(&p, &s.instance),
        [("b".into(), "signed".into(), None)]
    );
    assert_eq!(s.instance.state, State::Running);
    let s = deliver(&p, &s.instance, "signed", None, empty()).unwrap();
    assert_eq!(s.instance.state, State::Completed);
    let joins = s
        .instance
        .history
        .iter()
        .filter(
            |r| matches!(r.event, Event::GatewayTaken { node, .. } if p.nodes[node].id == "join"),
        )
        .count();
    assert_eq!(joins, 1);
}

#[test]
fn a_correlation_key_that_is_not_text_or_a_number_is_an_incident_at_the_event() {
    let p = parse_bpmn(&bpmn_with(
        r#"<message id="m" name="signed"><extensionElements><zeebe:subscription correlationKey="=order"/></extensionElements></message>"#,
        TWO_WAITS,
    ))
    .unwrap();
    let s = start(&p, json!({"order": {"id": 1}}));
    let State::Incident { node, reason } = &s.instance.state else {
        panic!("{:?}", s.instance.state)
    };
    assert_eq!(p.nodes[*node].id, "a");
    assert!(reason.contains("correlation key"), "{reason}");
}

#[test]
fn an_instance_waiting_for_a_message_round_trips_through_json_and_old_instances_load() {
    let (_, i) = payment_started();
    let json = serde_json::to_string(&i).unwrap();
    let back: Instance = serde_json::from_str(&json).unwrap();
    assert_eq!(back, i);
    assert_eq!(back.subscriptions.len(), 2);
    let old = r#"{"state":{"state":"running"},"tokens":[],"tasks":[],"variables":{},"history":[],"next_id":3}"#;
    let old: Instance = serde_json::from_str(old).unwrap();
    assert!(old.subscriptions.is_empty());
    let command = Command::CorrelateMessage {
        name: "signed".into(),
        correlation_key: Some("k".into()),
        variables: Default::default(),
    };
    let text = serde_json::to_string(&command).unwrap();
    assert_eq!(serde_json::from_str::<Command>(&text).unwrap(), command);
}

fn parse_err(definitions: &str, body: &str) -> ParseError {
    parse_bpmn(&bpmn_with(definitions, body)).unwrap_err()
}

const CATCH: &str = r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="w"/>
  <intermediateCatchEvent id="w"><messageEventDefinition messageRef="REF"/></intermediateCatchEvent>
  <sequenceFlow id="f2" sourceRef="w" targetRef="e"/><endEvent id="e"/>"#;

#[test]
fn a_message_reference_must_name_a_declared_message_with_a_name() {
    let e = parse_err(
        r#"<message id="m" name="x"/>"#,
        &CATCH.replace("REF", "nowhere"),
    );
    assert!(
        matches!(e, ParseError::InvalidAttribute { ref id, attribute: "messageRef", ref value, .. } if id == "w" && value == "nowhere"),
        "{e:?}"
    );
    let e = parse_err(r#"<message id="m"/>"#, &CATCH.replace("REF", "m"));
    assert!(
        matches!(e, ParseError::MissingAttribute { ref id, attribute: "name", .. } if id == "m"),
        "{e:?}"
    );
    let e = parse_err(
        r#"<message id="m" name="x"><extensionElements><zeebe:subscription correlationKey="=a &lt;"/></extensionElements></message>"#,
        &CATCH.replace("REF", "m"),
    );
    assert!(
        matches!(e, ParseError::BadExpression { ref id, .. } if id == "m"),
        "{e:?}"
    );
    let e = parse_err(
        "",
        r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="r"/>
      <receiveTask id="r"/><sequenceFlow id="f2" sourceRef="r" targetRef="e"/><endEvent id="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::MissingAttribute { ref id, attribute: "messageRef", .. } if id == "r"),
        "{e:?}"
    );
}

#[test]
fn message_start_events_throw_events_and_event_based_gateways_are_still_refused() {
    let defs = r#"<message id="m" name="x"/>"#;
    let e = parse_err(
        defs,
        r#"<startEvent id="s"><messageEventDefinition messageRef="m"/></startEvent>
      <sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref what, .. } if what.as_deref() == Some("messageEventDefinition")),
        "{e:?}"
    );
    let e = parse_err(
        defs,
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g"/>
      <eventBasedGateway id="g"/><sequenceFlow id="h" sourceRef="g" targetRef="w"/>
      <intermediateCatchEvent id="w"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
      <sequenceFlow id="i" sourceRef="w" targetRef="e"/><endEvent id="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref tag, ref id, .. } if tag == "eventBasedGateway" && id == "g"),
        "{e:?}"
    );
    let e = parse_err(
        defs,
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/>
      <intermediateThrowEvent id="t"><messageEventDefinition messageRef="m"/></intermediateThrowEvent>
      <sequenceFlow id="g" sourceRef="t" targetRef="e"/><endEvent id="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref tag, .. } if tag == "intermediateThrowEvent"),
        "{e:?}"
    );
    let e = parse_err(
        defs,
        &CATCH.replace(
            r#"<messageEventDefinition messageRef="REF"/>"#,
            r#"<signalEventDefinition/>"#,
        ),
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref what, .. } if what.as_deref() == Some("signalEventDefinition")),
        "{e:?}"
    );
}

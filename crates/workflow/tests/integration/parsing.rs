use shenpi_workflow::{NodeKind, ParseError, parse_bpmn};

use crate::support::{bpmn, data, load};

#[test]
fn the_bench_approval_file_is_refused_naming_its_script_task_and_line() {
    let err = parse_bpmn(&data("approval.bpmn")).unwrap_err();
    assert_eq!(
        err,
        ParseError::Unsupported {
            id: "check".into(),
            tag: "scriptTask".into(),
            line: 10,
            what: None
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("check") && message.contains("scriptTask") && message.contains("line 10"),
        "{message}"
    );
}

#[test]
fn the_bench_bundle_file_parses_with_twelve_agencies_between_a_split_and_a_join() {
    let p = load("bundle.bpmn");
    let split = &p.nodes[p.node_by_id("split").unwrap()];
    let join = &p.nodes[p.node_by_id("join").unwrap()];
    assert_eq!((split.outgoing.len(), join.incoming.len()), (12, 12));
    assert_eq!(
        p.nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::UserTask(_)))
            .count(),
        13
    );
}

#[test]
fn the_zeebe_variant_binds_check_to_evaluate_with_its_mapping_and_reads_shenpi_attributes() {
    let p = load("approval_evaluate.bpmn");
    let NodeKind::ServiceTask(check) = &p.nodes[p.node_by_id("check").unwrap()].kind else {
        panic!()
    };
    assert_eq!(check.action, "evaluate");
    assert_eq!(
        (
            check.mappings[0].target.as_str(),
            check.mappings[0].source.source()
        ),
        ("auto", "amount < 1000")
    );
    let NodeKind::UserTask(accept) = &p.nodes[p.node_by_id("accept").unwrap()].kind else {
        panic!()
    };
    assert_eq!(accept.role.as_deref(), Some("clerk"));
    assert_eq!(accept.department.as_deref(), Some("370202-zwfw"));
    assert_eq!(accept.duration_days, Some(5));
}

#[test]
fn the_camunda_7_variant_reads_the_action_and_candidate_groups() {
    let p = load("approval_condition.bpmn");
    let NodeKind::ServiceTask(check) = &p.nodes[p.node_by_id("check").unwrap()].kind else {
        panic!()
    };
    assert_eq!(check.action, "evaluate");
    let NodeKind::UserTask(review) = &p.nodes[p.node_by_id("review").unwrap()].kind else {
        panic!()
    };
    assert_eq!(review.candidate_groups, ["reviewer", "legal"]);
}

#[test]
fn a_zeebe_task_definition_names_the_action_of_a_service_task() {
    let xml = bpmn(
        r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <serviceTask id="t"><extensionElements><zeebe:taskDefinition type="issue-certificate"/></extensionElements></serviceTask>
      <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>"#,
    );
    let p = parse_bpmn(&xml).unwrap();
    let NodeKind::ServiceTask(t) = &p.nodes[1].kind else {
        panic!()
    };
    assert_eq!(t.action, "issue-certificate");
}

fn err(body: &str) -> ParseError {
    parse_bpmn(&bpmn(body)).unwrap_err()
}

#[test]
fn a_process_without_a_start_event_is_refused() {
    assert_eq!(
        err(
            r#"<userTask id="t"/><sequenceFlow id="f" sourceRef="t" targetRef="e"/><endEvent id="e"/>"#
        ),
        ParseError::NoStart
    );
}

#[test]
fn an_element_unreachable_from_the_start_is_refused() {
    let e = err(
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>
      <userTask id="orphan"/><sequenceFlow id="g" sourceRef="orphan" targetRef="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::Unreachable { ref id, line: 6 } if id == "orphan"),
        "{e:?}"
    );
}

#[test]
fn a_flow_to_an_unknown_id_is_refused() {
    let e = err(r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>"#);
    assert!(
        matches!(e, ParseError::UnknownReference { ref reference, .. } if reference == "nowhere"),
        "{e:?}"
    );
}

#[test]
fn a_process_whose_end_cannot_be_reached_is_refused() {
    let e = err(
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/><userTask id="t"/>"#,
    );
    assert!(
        matches!(e, ParseError::NoEndReachable { ref id, .. } if id == "s"),
        "{e:?}"
    );
}

#[test]
fn a_timer_start_event_is_refused_rather_than_run_as_a_plain_start() {
    let e = err(
        r#"<startEvent id="s"><timerEventDefinition/></startEvent><sequenceFlow id="f" sourceRef="s" targetRef="e"/><endEvent id="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref what, .. } if what.as_deref() == Some("timerEventDefinition")),
        "{e:?}"
    );
}

#[test]
fn a_sub_process_is_refused_naming_its_tag() {
    let e = err(
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="sub"/><subProcess id="sub"/>"#,
    );
    assert!(
        matches!(e, ParseError::Unsupported { ref tag, .. } if tag == "subProcess"),
        "{e:?}"
    );
}

#[test]
fn a_bad_condition_is_refused_at_parse_time_naming_the_flow() {
    let e = err(
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="e"><conditionExpression>amount &lt;</conditionExpression></sequenceFlow><endEvent id="e"/>"#,
    );
    assert!(
        matches!(e, ParseError::BadExpression { ref id, .. } if id == "f"),
        "{e:?}"
    );
}

#[test]
fn a_default_flow_that_does_not_leave_the_gateway_is_refused() {
    let e = err(
        r#"<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g"/>
      <exclusiveGateway id="g" default="f"/><sequenceFlow id="h" sourceRef="g" targetRef="e"/><endEvent id="e"/>"#,
    );
    assert!(matches!(e, ParseError::BadDefault { .. }), "{e:?}");
}

#[test]
fn malformed_xml_is_refused_with_its_line() {
    let e = parse_bpmn("<definitions>\n<process>\n</wrong>").unwrap_err();
    assert!(matches!(e, ParseError::Xml { line: 3, .. }), "{e:?}");
}

#[test]
fn a_parsed_process_round_trips_through_json() {
    let p = load("approval_evaluate.bpmn");
    let json = serde_json::to_string(&p).unwrap();
    let back: shenpi_workflow::Process = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

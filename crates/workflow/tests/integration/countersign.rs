use serde_json::json;
use shenpi_workflow::{
    Command, EngineError, Event, NodeKind, OnReject, Process, Rule, State, parse_bpmn, step,
};

use crate::support::{bpmn, complete, empty, now, open, start, vars};

/// accept → countersign `sign` over `signers` → gateway on `approved` → issue | refuse.
fn process(rule: &str, on_reject: &str) -> Process {
    parse_bpmn(&bpmn(&format!(
        r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="accept"/>
      <userTask id="accept"/><sequenceFlow id="f2" sourceRef="accept" targetRef="sign"/>
      <userTask id="sign" shenpi:countersign="{rule}" shenpi:onReject="{on_reject}">
        <extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer"/></extensionElements>
        <multiInstanceLoopCharacteristics/></userTask>
      <sequenceFlow id="f3" sourceRef="sign" targetRef="gw"/>
      <exclusiveGateway id="gw" default="no"/>
      <sequenceFlow id="yes" sourceRef="gw" targetRef="issue"><conditionExpression>=approved</conditionExpression></sequenceFlow>
      <sequenceFlow id="no" sourceRef="gw" targetRef="refuse"/>
      <userTask id="issue"/><userTask id="refuse"/>
      <sequenceFlow id="f4" sourceRef="issue" targetRef="e"/><sequenceFlow id="f5" sourceRef="refuse" targetRef="e"/>
      <endEvent id="e"/>"#
    )))
    .unwrap()
}

fn at_sign(p: &Process) -> shenpi_workflow::Instance {
    let s = start(p, json!({"signers": ["王", "李", "张"]}));
    complete(p, &s.instance, "accept", empty()).instance
}

fn sign(
    p: &Process,
    i: &shenpi_workflow::Instance,
    k: usize,
    approved: bool,
) -> shenpi_workflow::Step {
    let task = i
        .tasks
        .iter()
        .filter(|t| t.countersign.is_some())
        .nth(k)
        .unwrap()
        .id;
    step(
        p,
        i,
        Command::CompleteTask {
            task,
            variables: vars(json!({"approved": approved})),
        },
        now(),
    )
    .unwrap()
}

#[test]
fn a_countersign_opens_one_task_per_signer_with_its_element() {
    let p = process("all", "terminate");
    let i = at_sign(&p);
    assert_eq!(open(&p, &i), ["sign", "sign", "sign"]);
    let elements: Vec<_> = i.tasks.iter().map(|t| t.element.clone().unwrap()).collect();
    assert_eq!(elements, [json!("王"), json!("李"), json!("张")]);
}

#[test]
fn huiqian_all_is_approved_only_when_every_signer_approves() {
    let p = process("all", "terminate");
    let i = at_sign(&p);
    let i = sign(&p, &i, 0, true).instance;
    let i = sign(&p, &i, 0, true).instance;
    assert_eq!(open(&p, &i), ["sign"]);
    let s = sign(&p, &i, 0, true);
    assert!(s.events.contains(&Event::CountersignDecided {
        node: p.node_by_id("sign").unwrap(),
        approved: true
    }));
    assert_eq!(open(&p, &s.instance), ["issue"]);
}

#[test]
fn a_single_rejection_with_terminate_rejects_at_once_and_closes_the_other_tasks() {
    let p = process("all", "terminate");
    let i = at_sign(&p);
    let s = sign(&p, &i, 1, false);
    assert_eq!(open(&p, &s.instance), ["refuse"]);
    assert_eq!(
        s.events
            .iter()
            .filter(|e| matches!(e, Event::TaskCancelled { .. }))
            .count(),
        2
    );
    assert!(s.instance.countersigns.is_empty());
}

#[test]
fn a_single_rejection_with_return_sends_the_case_back_to_the_previous_task() {
    let p = process("all", "return");
    let NodeKind::UserTask(t) = &p.nodes[p.node_by_id("sign").unwrap()].kind else {
        panic!()
    };
    assert_eq!(
        t.countersign.as_ref().unwrap().on_reject,
        OnReject::Return {
            to: p.node_by_id("accept").unwrap()
        }
    );
    let i = at_sign(&p);
    let s = sign(&p, &i, 0, false);
    assert_eq!(open(&p, &s.instance), ["accept"]);
    let s = complete(&p, &s.instance, "accept", empty());
    assert_eq!(
        open(&p, &s.instance),
        ["sign", "sign", "sign"],
        "the countersign starts afresh"
    );
}

#[test]
fn with_stay_the_others_continue_and_the_rule_decides_when_certain() {
    let p = process("60%", "stay");
    let NodeKind::UserTask(t) = &p.nodes[p.node_by_id("sign").unwrap()].kind else {
        panic!()
    };
    assert_eq!(t.countersign.as_ref().unwrap().rule, Rule::Percent(60));
    let i = at_sign(&p);
    let i = sign(&p, &i, 0, false).instance;
    assert_eq!(open(&p, &i), ["sign", "sign"], "2 of 3 can still approve");
    let i = sign(&p, &i, 0, true).instance;
    let s = sign(&p, &i, 0, true);
    assert_eq!(open(&p, &s.instance), ["issue"]);
    let i = sign(&p, &at_sign(&p), 0, false).instance;
    let s = sign(&p, &i, 0, false);
    assert_eq!(
        open(&p, &s.instance),
        ["refuse"],
        "two rejections of three make 60% (2 of 3) impossible"
    );
}

#[test]
fn huoqian_any_is_decided_by_the_first_approval() {
    let p = process("any", "stay");
    let i = at_sign(&p);
    let i = sign(&p, &i, 2, false).instance;
    let s = sign(&p, &i, 0, true);
    assert_eq!(open(&p, &s.instance), ["issue"]);
    assert_eq!(s.instance.variables["approved"], json!(true));
}

#[test]
fn a_non_boolean_outcome_is_refused_and_an_empty_signer_list_is_an_incident() {
    let p = process("all", "terminate");
    let i = at_sign(&p);
    let task = i.tasks[0].id;
    let r = step(
        &p,
        &i,
        Command::CompleteTask {
            task,
            variables: vars(json!({"approved": "yes"})),
        },
        now(),
    );
    assert_eq!(
        r,
        Err(EngineError::BadOutcome {
            task,
            variable: "approved".into()
        })
    );
    let s = start(&p, json!({"signers": []}));
    let s = complete(&p, &s.instance, "accept", empty());
    assert!(matches!(s.instance.state, State::Incident { .. }));
}

#[test]
fn unknown_rules_and_sequential_countersigns_are_refused() {
    assert!(
        parse_bpmn(&bpmn(
            r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <userTask id="t" shenpi:countersign="most"><multiInstanceLoopCharacteristics/></userTask>
      <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>"#
        ))
        .is_err()
    );
    assert!(
        parse_bpmn(&bpmn(
            r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <userTask id="t"><multiInstanceLoopCharacteristics isSequential="true"/></userTask>
      <sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>"#
        ))
        .is_err()
    );
}

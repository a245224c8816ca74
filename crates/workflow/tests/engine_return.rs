//! 驳回 to an earlier user task: every open task, token and wait of the instance is withdrawn —
//! other parallel branches and countersign members too — and one token resumes at the target.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use shenpi_workflow::{Command, Event, Instance, State, Variables, parse_bpmn, step};

const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prelim"/>
    <bpmn:userTask id="prelim" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="prelim" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="a"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="b"/>
    <bpmn:userTask id="a" shenpi:role="reviewer"/>
    <bpmn:userTask id="b" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f5" sourceRef="a" targetRef="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="b" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

fn node_of(p: &shenpi_workflow::Process, i: &Instance, task: u64) -> String {
    p.nodes[i.task(task).unwrap().node].id.clone()
}

#[test]
fn a_return_out_of_a_parallel_branch_withdraws_the_other_branch_and_the_join_still_fires_once() {
    let p = parse_bpmn(XML).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
    let s = step(
        &p,
        &Instance::new(),
        Command::Start {
            variables: Variables::new(),
        },
        now,
    )
    .unwrap();
    let first = s.instance.tasks[0].id;
    let s = step(
        &p,
        &s.instance,
        Command::CompleteTask {
            task: first,
            variables: Variables::new(),
        },
        now,
    )
    .unwrap();
    assert_eq!(s.instance.tasks.len(), 2);
    // Branch a is done and waits at the join; b returns to prelim.
    let a = s
        .instance
        .tasks
        .iter()
        .find(|t| node_of(&p, &s.instance, t.id) == "a")
        .unwrap()
        .id;
    let s = step(
        &p,
        &s.instance,
        Command::CompleteTask {
            task: a,
            variables: Variables::new(),
        },
        now,
    )
    .unwrap();
    assert_eq!(s.instance.tokens.len(), 2, "one at the join, one at b");
    let s = step(
        &p,
        &s.instance,
        Command::ReturnTo {
            element: "prelim".into(),
        },
        now,
    )
    .unwrap();
    assert_eq!(s.instance.tokens.len(), 1, "the join token went too");
    assert_eq!(s.instance.tasks.len(), 1);
    assert_eq!(node_of(&p, &s.instance, s.instance.tasks[0].id), "prelim");
    assert!(
        s.events
            .iter()
            .any(|e| matches!(e, Event::TaskCancelled { .. }))
    );
    assert!(s.events.iter().any(|e| matches!(e, Event::Returned { .. })));
    // Only user tasks are targets.
    assert!(matches!(
        step(
            &p,
            &s.instance,
            Command::ReturnTo {
                element: "fork".into()
            },
            now
        ),
        Err(shenpi_workflow::EngineError::NoSuchElement { .. })
    ));
    // Run through again: the join fires exactly once and the instance completes.
    let mut i = s.instance;
    while let Some(t) = i.tasks.first().map(|t| t.id) {
        i = step(
            &p,
            &i,
            Command::CompleteTask {
                task: t,
                variables: Variables::new(),
            },
            now,
        )
        .unwrap()
        .instance;
    }
    assert_eq!(i.state, State::Completed);
    let joins = i
        .history
        .iter()
        .filter(
            |r| matches!(&r.event, Event::GatewayTaken { node, .. } if p.nodes[*node].id == "join"),
        )
        .count();
    assert_eq!(joins, 1);
}

//! Helpers shared by the integration tests.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};
use shenpi_workflow::{Command, Instance, Process, Step, Variables, parse_bpmn, step};

pub fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn load(name: &str) -> Process {
    parse_bpmn(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 16, 9, 0, 0).unwrap()
}

pub fn vars(v: Value) -> Variables {
    match v {
        Value::Object(m) => m,
        _ => panic!("variables must be an object"),
    }
}

pub fn start(p: &Process, v: Value) -> Step {
    step(
        p,
        &Instance::new(),
        Command::Start { variables: vars(v) },
        now(),
    )
    .unwrap()
}

/// Completes the open task at node `id`.
pub fn complete(p: &Process, i: &Instance, id: &str, v: Value) -> Step {
    let node = p.node_by_id(id).unwrap();
    let task = i
        .tasks
        .iter()
        .find(|t| t.node == node)
        .unwrap_or_else(|| panic!("no open task at {id}: {i:?}"))
        .id;
    step(
        p,
        i,
        Command::CompleteTask {
            task,
            variables: vars(v),
        },
        now(),
    )
    .unwrap()
}

/// BPMN ids of the open tasks.
pub fn open(p: &Process, i: &Instance) -> Vec<String> {
    i.tasks.iter().map(|t| p.nodes[t.node].id.clone()).collect()
}

pub fn empty() -> Value {
    json!({})
}

/// Wraps flow elements in a BPMN document.
pub fn bpmn(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <process id="p" isExecutable="true">
{body}
  </process>
</definitions>"#
    )
}

/// Wraps flow elements in a BPMN document with `definitions`-level elements (messages) after
/// the process, as the modellers save them; both `camunda:` and `zeebe:` are declared.
pub fn bpmn_with(definitions: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
  <process id="p" isExecutable="true">
{body}
  </process>
{definitions}
</definitions>"#
    )
}

/// Delivers message `name` (with an optional correlation key) to the instance.
pub fn deliver(
    p: &Process,
    i: &Instance,
    name: &str,
    key: Option<&str>,
    v: Value,
) -> Result<Step, shenpi_workflow::EngineError> {
    step(
        p,
        i,
        Command::CorrelateMessage {
            name: name.to_owned(),
            correlation_key: key.map(str::to_owned),
            variables: vars(v),
        },
        now(),
    )
}

/// BPMN ids of the nodes whose subscriptions are open, with their message and key.
pub fn waiting(p: &Process, i: &Instance) -> Vec<(String, String, Option<String>)> {
    i.subscriptions
        .iter()
        .map(|s| {
            (
                p.nodes[s.node].id.clone(),
                s.message.clone(),
                s.correlation_key.clone(),
            )
        })
        .collect()
}

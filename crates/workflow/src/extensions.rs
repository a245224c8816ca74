//! Modeller extension attributes: assignment of user tasks and bindings of service tasks.
//!
//! Read, in this order of precedence:
//! - user tasks: `shenpi:role`, `shenpi:department`, `shenpi:durationDays` (working days);
//!   candidate groups from `camunda:candidateGroups` (Camunda 7) or
//!   `<zeebe:assignmentDefinition candidateGroups>` (Camunda 8);
//! - service tasks: the action from `shenpi:action`, `<zeebe:taskDefinition type>`,
//!   `camunda:topic` (when `camunda:type="external"`) or `camunda:type`; mappings from
//!   `<zeebe:ioMapping>` (`input`/`output` with `source` and `target`) or
//!   `<camunda:inputOutput>` (`inputParameter`/`outputParameter` with `name` and a text body; a
//!   Camunda 7 `${…}` wrapper is removed).
//!
//! - countersigns (会签 / 或签): a parallel `multiInstanceLoopCharacteristics` on a user task with
//!   the collection in `camunda:collection` + `camunda:elementVariable` or
//!   `<zeebe:loopCharacteristics inputCollection inputElement>`, and `shenpi:countersign`
//!   (`all` — the default —, `any`, or a percentage `60%`), `shenpi:onReject` (`return`,
//!   `terminate` — the default —, `stay`), `shenpi:returnTo` and `shenpi:resultVariable`.
//!
//! - call activities: the called process from `<zeebe:calledElement processId
//!   propagateAllParentVariables propagateAllChildVariables>` (Camunda 8; both default `true`,
//!   child variables are not all propagated when output mappings exist) with `<zeebe:ioMapping>`
//!   inputs and outputs, or `calledElement` (Camunda 7) with `<camunda:in>` / `<camunda:out>`
//!   (`variables="all"`, or `source` / `sourceExpression` and `target`). The key must be static:
//!   expressions (`=…`, `${…}`) are refused so the application can check the called processes
//!   at upload.
//!
//! Other `camunda:` and `zeebe:` attributes are ignored.

use roxmltree::Node as XmlNode;

use crate::error::ParseError;
use crate::expr::Expression;
use crate::model::{CallActivity, Countersign, Mapping, OnReject, Rule, ServiceTask, UserTask};
use crate::parse::{BPMN_NS, CAMUNDA_NS, SHENPI_NS, ZEEBE_NS};

/// Elements in namespace `ns` named `local` inside the `extensionElements` of `el`.
fn ext<'a, 'i: 'a>(
    el: XmlNode<'a, 'i>,
    ns: &'static str,
    local: &'static str,
) -> impl Iterator<Item = XmlNode<'a, 'i>> {
    el.children()
        .filter(|n| {
            n.is_element()
                && n.tag_name().name() == "extensionElements"
                && n.tag_name().namespace() == Some(BPMN_NS)
        })
        .flat_map(|e| e.descendants())
        .filter(move |n| {
            n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == local
        })
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads the assignment of a `userTask`.
pub fn user_task(el: XmlNode, id: &str, line: u32) -> Result<UserTask, ParseError> {
    let mut task = UserTask {
        role: el.attribute((SHENPI_NS, "role")).map(str::to_owned),
        department: el.attribute((SHENPI_NS, "department")).map(str::to_owned),
        ..UserTask::default()
    };
    if let Some(groups) = el.attribute((CAMUNDA_NS, "candidateGroups")) {
        task.candidate_groups = split_list(groups);
    } else if let Some(groups) =
        ext(el, ZEEBE_NS, "assignmentDefinition").find_map(|a| a.attribute("candidateGroups"))
    {
        task.candidate_groups = split_list(groups);
    }
    if let Some(days) = el.attribute((SHENPI_NS, "durationDays")) {
        task.duration_days =
            Some(
                days.trim()
                    .parse()
                    .map_err(|_| ParseError::InvalidAttribute {
                        id: id.to_owned(),
                        attribute: "shenpi:durationDays",
                        value: days.to_owned(),
                        reason: "a whole number of working days".to_owned(),
                        line,
                    })?,
            );
    }
    Ok(task)
}

/// Reads the action binding and mappings of a `serviceTask`.
pub fn service_task(el: XmlNode, id: &str, line: u32) -> Result<ServiceTask, ParseError> {
    let camunda = match el.attribute((CAMUNDA_NS, "type")) {
        Some("external") => el.attribute((CAMUNDA_NS, "topic")),
        other => other,
    };
    let action = el
        .attribute((SHENPI_NS, "action"))
        .or_else(|| ext(el, ZEEBE_NS, "taskDefinition").find_map(|t| t.attribute("type")))
        .or(camunda)
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ParseError::MissingAttribute {
            id: id.to_owned(),
            tag: "serviceTask".to_owned(),
            attribute: "shenpi:action",
            line,
        })?
        .to_owned();
    let mut mappings = Vec::new();
    for io in ext(el, ZEEBE_NS, "ioMapping") {
        for m in io.children().filter(XmlNode::is_element) {
            let (Some(source), Some(target)) = (m.attribute("source"), m.attribute("target"))
            else {
                continue;
            };
            mappings.push(mapping(target, source, id, line)?);
        }
    }
    for io in ext(el, CAMUNDA_NS, "inputOutput") {
        for m in io.children().filter(XmlNode::is_element) {
            let Some(name) = m.attribute("name") else {
                continue;
            };
            let text: String = m
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            let text = text.trim();
            let text = text
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .unwrap_or(text);
            mappings.push(mapping(name, text, id, line)?);
        }
    }
    Ok(ServiceTask { action, mappings })
}

/// Reads the called process and variable mappings of a `callActivity`.
pub fn call_activity(el: XmlNode, id: &str, line: u32) -> Result<CallActivity, ParseError> {
    let invalid = |attribute: &'static str, value: &str| ParseError::InvalidAttribute {
        id: id.to_owned(),
        attribute,
        value: value.to_owned(),
        reason: "a static process id (expressions are not supported: the called process must be \
                 known at upload)"
            .to_owned(),
        line,
    };
    let static_key = |attribute: &'static str, key: &str| {
        let key = key.trim();
        if key.is_empty() || key.starts_with('=') || key.contains("${") || key.contains("#{") {
            Err(invalid(attribute, key))
        } else {
            Ok(key.to_owned())
        }
    };
    if let Some(zeebe) = ext(el, ZEEBE_NS, "calledElement").next() {
        let key = zeebe
            .attribute("processId")
            .ok_or_else(|| ParseError::MissingAttribute {
                id: id.to_owned(),
                tag: "zeebe:calledElement".to_owned(),
                attribute: "processId",
                line,
            })?;
        let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
        for io in ext(el, ZEEBE_NS, "ioMapping") {
            for m in io.children().filter(XmlNode::is_element) {
                let (Some(source), Some(target)) = (m.attribute("source"), m.attribute("target"))
                else {
                    continue;
                };
                match m.tag_name().name() {
                    "input" => inputs.push(mapping(target, source, id, line)?),
                    "output" => outputs.push(mapping(target, source, id, line)?),
                    _ => {}
                }
            }
        }
        return Ok(CallActivity {
            process_key: static_key("processId", key)?,
            propagate_all_parent: zeebe.attribute("propagateAllParentVariables") != Some("false"),
            propagate_all_child: zeebe.attribute("propagateAllChildVariables") != Some("false")
                && outputs.is_empty(),
            inputs,
            outputs,
        });
    }
    let key = el
        .attribute("calledElement")
        .ok_or_else(|| ParseError::MissingAttribute {
            id: id.to_owned(),
            tag: "callActivity".to_owned(),
            attribute: "calledElement",
            line,
        })?;
    let mut call = CallActivity {
        process_key: static_key("calledElement", key)?,
        propagate_all_parent: false,
        propagate_all_child: false,
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    for (local, output) in [("in", false), ("out", true)] {
        for m in ext(el, CAMUNDA_NS, local) {
            if m.attribute("variables") == Some("all") {
                if output {
                    call.propagate_all_child = true;
                } else {
                    call.propagate_all_parent = true;
                }
                continue;
            }
            let source = m.attribute("source").or_else(|| {
                m.attribute("sourceExpression").map(|e| {
                    let e = e.trim();
                    e.strip_prefix("${")
                        .and_then(|e| e.strip_suffix('}'))
                        .unwrap_or(e)
                })
            });
            let (Some(source), Some(target)) = (source, m.attribute("target")) else {
                continue; // `businessKey` and other forms carry no variable
            };
            let list = if output {
                &mut call.outputs
            } else {
                &mut call.inputs
            };
            list.push(mapping(target, source, id, line)?);
        }
    }
    Ok(call)
}

fn mapping(target: &str, source: &str, id: &str, line: u32) -> Result<Mapping, ParseError> {
    Ok(Mapping {
        target: target.to_owned(),
        source: expression(source, id, line)?,
    })
}

/// Compiles an expression found on element `id`.
pub fn expression(source: &str, id: &str, line: u32) -> Result<Expression, ParseError> {
    Expression::parse(source).map_err(|reason| ParseError::BadExpression {
        id: id.to_owned(),
        expression: source.trim().to_owned(),
        reason,
        line,
    })
}

/// Reads a countersign declaration; also returns `shenpi:returnTo` for the parser to resolve.
pub fn countersign(
    el: XmlNode,
    id: &str,
    line: u32,
) -> Result<Option<(Countersign, Option<String>)>, ParseError> {
    let Some(mi) = el.children().find(|n| {
        n.is_element()
            && n.tag_name().namespace() == Some(BPMN_NS)
            && n.tag_name().name() == "multiInstanceLoopCharacteristics"
    }) else {
        return Ok(None);
    };
    let invalid =
        |attribute: &'static str, value: &str, reason: &str| ParseError::InvalidAttribute {
            id: id.to_owned(),
            attribute,
            value: value.to_owned(),
            reason: reason.to_owned(),
            line,
        };
    if mi.attribute("isSequential") == Some("true") {
        return Err(invalid(
            "isSequential",
            "true",
            "false: sequential multi-instance is not supported",
        ));
    }
    let zeebe = ext(el, ZEEBE_NS, "loopCharacteristics").next();
    let collection = mi
        .attribute((CAMUNDA_NS, "collection"))
        .or_else(|| zeebe.and_then(|z| z.attribute("inputCollection")))
        .ok_or(ParseError::MissingAttribute {
            id: id.to_owned(),
            tag: "multiInstanceLoopCharacteristics".to_owned(),
            attribute: "camunda:collection",
            line,
        })?;
    let collection = collection
        .strip_prefix("${")
        .and_then(|c| c.strip_suffix('}'))
        .unwrap_or(collection);
    let element = mi
        .attribute((CAMUNDA_NS, "elementVariable"))
        .or_else(|| zeebe.and_then(|z| z.attribute("inputElement")))
        .map(str::to_owned);
    let rule = match el.attribute((SHENPI_NS, "countersign")).map(str::trim) {
        None | Some("all") => Rule::All,
        Some("any") => Rule::Any,
        Some(p) => match p
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<u8>().ok())
        {
            Some(n @ 1..=100) => Rule::Percent(n),
            _ => {
                return Err(invalid(
                    "shenpi:countersign",
                    p,
                    "`all`, `any` or a percentage from 1% to 100%",
                ));
            }
        },
    };
    let on_reject = match el.attribute((SHENPI_NS, "onReject")).map(str::trim) {
        None | Some("terminate") => OnReject::Terminate,
        Some("stay") => OnReject::Stay,
        Some("return") => OnReject::Return { to: usize::MAX }, // resolved by the parser
        Some(other) => {
            return Err(invalid(
                "shenpi:onReject",
                other,
                "`return`, `terminate` or `stay`",
            ));
        }
    };
    let countersign = Countersign {
        collection: expression(collection, id, line)?,
        element,
        rule,
        on_reject,
        result: el
            .attribute((SHENPI_NS, "resultVariable"))
            .unwrap_or("approved")
            .to_owned(),
    };
    Ok(Some((
        countersign,
        el.attribute((SHENPI_NS, "returnTo")).map(str::to_owned),
    )))
}

//! BPMN 2.0 XML → [`Process`], as bpmn.io and Camunda Modeler (7 and 8) save it.
//!
//! Only the executable subset listed in the crate docs is accepted; every other flow element is
//! refused with its id, tag and line, so an integrator can fix the diagram rather than discover
//! at run time that a step was silently skipped. Diagram interchange (`bpmndi`), documentation,
//! lanes, text annotations and associations are ignored. Graph checks live in [`crate::check`].

use std::collections::HashMap;

use roxmltree::{Document, Node as XmlNode};

use crate::check;
use crate::error::ParseError;
use crate::expr::Expression;
use crate::extensions::{call_activity, countersign, expression, service_task, user_task};
use crate::message::{declared_messages, message_ref};
use crate::model::{Flow, Message, Node, NodeKind, OnReject, Process};
use crate::resolve::{attach, resolve_return};
use crate::timer::{event_definition, timer_definition};

/// BPMN 2.0 model namespace.
pub const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
/// Camunda 7 extension namespace.
pub const CAMUNDA_NS: &str = "http://camunda.org/schema/1.0/bpmn";
/// Camunda 8 (Zeebe) extension namespace.
pub const ZEEBE_NS: &str = "http://camunda.org/schema/zeebe/1.0";
/// shenpi's extension namespace: `shenpi:role`, `shenpi:department`, `shenpi:durationDays`,
/// `shenpi:action`.
pub const SHENPI_NS: &str = "urn:shenpi:bpmn:1.0";

/// Children of `process` that carry no behaviour and are skipped.
const IGNORED: &[&str] = &[
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "group",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "property",
    "ioSpecification",
];

/// Parses and checks the first process of a BPMN document.
pub fn parse_bpmn(xml: &str) -> Result<Process, ParseError> {
    let doc = Document::parse(xml).map_err(|e| ParseError::Xml {
        message: e.to_string(),
        line: e.pos().row,
    })?;
    let root = doc.root_element();
    if !is_bpmn(root, "definitions") {
        return Err(ParseError::NotBpmn);
    }
    let process = root
        .children()
        .find(|n| is_bpmn(*n, "process"))
        .ok_or(ParseError::NoProcess)?;
    let mut builder = Builder {
        doc: &doc,
        messages: declared_messages(&doc, root)?,
        nodes: Vec::new(),
        index: HashMap::new(),
        raw_flows: Vec::new(),
        returns: Vec::new(),
    };
    for child in process.children().filter(XmlNode::is_element) {
        builder.element(child)?;
    }
    let process = builder.finish(process)?;
    check::check(&process)?;
    Ok(process)
}

fn is_bpmn(node: XmlNode, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && node.tag_name().namespace() == Some(BPMN_NS)
}

struct RawFlow {
    id: String,
    source: String,
    target: String,
    condition: Option<Expression>,
    line: u32,
}

/// Collects nodes and flows of one process.
struct Builder<'a, 'i> {
    doc: &'a Document<'i>,
    /// `message` elements of `definitions`, by id.
    messages: HashMap<String, Message>,
    nodes: Vec<(Node, Option<String>)>,
    index: HashMap<String, usize>,
    raw_flows: Vec<RawFlow>,
    /// Countersigns with `onReject="return"` and their `shenpi:returnTo`, if given.
    returns: Vec<(usize, Option<String>)>,
}

impl Builder<'_, '_> {
    fn line(&self, node: XmlNode) -> u32 {
        self.doc.text_pos_at(node.range().start).row
    }

    fn element(&mut self, el: XmlNode) -> Result<(), ParseError> {
        let tag = el.tag_name().name();
        if el.tag_name().namespace() != Some(BPMN_NS) {
            return Ok(()); // foreign extension elements directly under process
        }
        if IGNORED.contains(&tag) {
            return Ok(());
        }
        let line = self.line(el);
        let id = el.attribute("id").unwrap_or_default().to_owned();
        let unsupported = || ParseError::Unsupported {
            id: id.clone(),
            tag: tag.to_owned(),
            line,
            what: None,
        };
        if id.is_empty() {
            return Err(ParseError::MissingAttribute {
                id: String::new(),
                tag: tag.to_owned(),
                attribute: "id",
                line,
            });
        }
        // A reference resolved once every node is known: a gateway's `default`, a boundary
        // event's `attachedToRef`.
        let mut default = None;
        let kind = match tag {
            "sequenceFlow" => return self.flow(el, id, line),
            "startEvent" | "endEvent" => {
                refuse_children(el, &id, tag, line)?;
                if tag == "startEvent" {
                    NodeKind::Start
                } else {
                    NodeKind::End
                }
            }
            "userTask" => {
                refuse_children(el, &id, tag, line)?;
                let mut task = user_task(el, &id, line)?;
                if let Some((countersign, return_to)) = countersign(el, &id, line)? {
                    if matches!(countersign.on_reject, OnReject::Return { .. }) {
                        self.returns.push((self.nodes.len(), return_to));
                    }
                    task.countersign = Some(countersign);
                }
                NodeKind::UserTask(task)
            }
            "serviceTask" => {
                refuse_children(el, &id, tag, line)?;
                NodeKind::ServiceTask(service_task(el, &id, line)?)
            }
            "exclusiveGateway" | "inclusiveGateway" => {
                default = el.attribute("default").map(str::to_owned);
                if tag == "exclusiveGateway" {
                    NodeKind::Exclusive { default: None }
                } else {
                    NodeKind::Inclusive { default: None }
                }
            }
            "parallelGateway" => NodeKind::Parallel,
            "receiveTask" => {
                refuse_children(el, &id, tag, line)?;
                NodeKind::ReceiveTask {
                    message: message_ref(&self.messages, el, &id, tag, line)?,
                }
            }
            "callActivity" => {
                refuse_children(el, &id, tag, line)?;
                NodeKind::CallActivity(call_activity(el, &id, line)?)
            }
            "intermediateCatchEvent" | "boundaryEvent" => {
                let definition = event_definition(el, &id, tag, line)?;
                let boundary = tag == "boundaryEvent";
                let interrupting = el.attribute("cancelActivity") != Some("false");
                if boundary {
                    default = el.attribute("attachedToRef").map(str::to_owned);
                }
                let attached_to = usize::MAX; // resolved in `finish`
                match (definition.tag_name().name(), boundary) {
                    ("timerEventDefinition", false) => NodeKind::TimerCatch {
                        timer: timer_definition(definition, &id, tag, line)?,
                    },
                    ("timerEventDefinition", true) => NodeKind::BoundaryTimer {
                        attached_to,
                        timer: timer_definition(definition, &id, tag, line)?,
                        interrupting,
                    },
                    ("messageEventDefinition", false) => NodeKind::MessageCatch {
                        message: message_ref(&self.messages, definition, &id, tag, line)?,
                    },
                    ("messageEventDefinition", true) => NodeKind::BoundaryMessage {
                        attached_to,
                        message: message_ref(&self.messages, definition, &id, tag, line)?,
                        interrupting,
                    },
                    (other, _) => {
                        return Err(ParseError::Unsupported {
                            id,
                            tag: tag.to_owned(),
                            line,
                            what: Some(other.to_owned()),
                        });
                    }
                }
            }
            _ => return Err(unsupported()),
        };
        if self.index.insert(id.clone(), self.nodes.len()).is_some() {
            return Err(ParseError::DuplicateId { id, line });
        }
        let node = Node {
            id,
            name: el.attribute("name").map(str::to_owned),
            kind,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            boundaries: Vec::new(),
            line,
        };
        self.nodes.push((node, default));
        Ok(())
    }

    fn flow(&mut self, el: XmlNode, id: String, line: u32) -> Result<(), ParseError> {
        let attr = |name: &'static str| {
            el.attribute(name)
                .map(str::to_owned)
                .ok_or_else(|| ParseError::MissingAttribute {
                    id: id.clone(),
                    tag: "sequenceFlow".to_owned(),
                    attribute: name,
                    line,
                })
        };
        let (source, target) = (attr("sourceRef")?, attr("targetRef")?);
        let condition = match el.children().find(|n| is_bpmn(*n, "conditionExpression")) {
            Some(c) => {
                let text: String = c
                    .descendants()
                    .filter(|n| n.is_text())
                    .filter_map(|n| n.text())
                    .collect();
                Some(expression(&text, &id, line)?)
            }
            None => None,
        };
        self.raw_flows.push(RawFlow {
            id,
            source,
            target,
            condition,
            line,
        });
        Ok(())
    }

    fn finish(self, process: XmlNode) -> Result<Process, ParseError> {
        let Builder {
            nodes,
            index,
            raw_flows,
            returns,
            ..
        } = self;
        let (mut nodes, defaults): (Vec<Node>, Vec<Option<String>>) = nodes.into_iter().unzip();
        let mut flows = Vec::with_capacity(raw_flows.len());
        let mut flow_index = HashMap::new();
        for raw in raw_flows {
            let lookup = |reference: &str| {
                index
                    .get(reference)
                    .copied()
                    .ok_or_else(|| ParseError::UnknownReference {
                        flow: raw.id.clone(),
                        reference: reference.to_owned(),
                        line: raw.line,
                    })
            };
            let (source, target) = (lookup(&raw.source)?, lookup(&raw.target)?);
            let f = flows.len();
            if flow_index.insert(raw.id.clone(), f).is_some() || index.contains_key(&raw.id) {
                return Err(ParseError::DuplicateId {
                    id: raw.id,
                    line: raw.line,
                });
            }
            nodes[source].outgoing.push(f);
            nodes[target].incoming.push(f);
            flows.push(Flow {
                id: raw.id,
                source,
                target,
                condition: raw.condition,
            });
        }
        for (n, default) in defaults.into_iter().enumerate() {
            let Some(default) = default else { continue };
            if matches!(
                nodes[n].kind,
                NodeKind::BoundaryTimer { .. } | NodeKind::BoundaryMessage { .. }
            ) {
                attach(&mut nodes, &index, n, &default)?;
                continue;
            }
            let node = &mut nodes[n];
            let f = flow_index
                .get(&default)
                .copied()
                .filter(|f| node.outgoing.contains(f))
                .ok_or_else(|| ParseError::BadDefault {
                    gateway: node.id.clone(),
                    flow: default.clone(),
                    line: node.line,
                })?;
            if let NodeKind::Exclusive { default } | NodeKind::Inclusive { default } =
                &mut node.kind
            {
                *default = Some(f);
            }
        }
        for (n, to) in returns {
            resolve_return(&mut nodes, &flows, &index, n, to)?;
        }
        let starts: Vec<usize> = (0..nodes.len())
            .filter(|&n| matches!(nodes[n].kind, NodeKind::Start))
            .collect();
        let start = match starts.as_slice() {
            [] => return Err(ParseError::NoStart),
            [one] => *one,
            many => {
                return Err(ParseError::SeveralStarts {
                    ids: many.iter().map(|&n| nodes[n].id.clone()).collect(),
                });
            }
        };
        Ok(Process {
            id: process.attribute("id").unwrap_or_default().to_owned(),
            name: process.attribute("name").map(str::to_owned),
            nodes,
            flows,
            start,
        })
    }
}

/// Refuses event definitions and loop characteristics we would otherwise silently ignore.
fn refuse_children(el: XmlNode, id: &str, tag: &str, line: u32) -> Result<(), ParseError> {
    for child in el
        .children()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(BPMN_NS))
    {
        let name = child.tag_name().name();
        let countersign = tag == "userTask" && name == "multiInstanceLoopCharacteristics";
        if name.ends_with("EventDefinition")
            || (name.ends_with("LoopCharacteristics") && !countersign)
        {
            return Err(ParseError::Unsupported {
                id: id.to_owned(),
                tag: tag.to_owned(),
                line,
                what: Some(name.to_owned()),
            });
        }
    }
    Ok(())
}

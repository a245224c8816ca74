//! Message events: declarations, subscriptions and correlation.
//!
//! A process waits for a message at an intermediate message catch event, a receive task, or a
//! message boundary event of an active activity. Messages are declared at `definitions` level
//! (`<message id name>`) and referred to by `messageRef`; Camunda 8 (Zeebe) adds
//! `<zeebe:subscription correlationKey="=orderId"/>` in the message's `extensionElements`,
//! Camunda 7 correlates by name alone.
//!
//! When a token arrives, the engine opens a [`Subscription`] with the message name and, if the
//! message declares a correlation key, its value then (a string, or a number written as text;
//! anything else is an incident). It is not updated when variables change later.
//!
//! [`Command::CorrelateMessage`](crate::Command::CorrelateMessage) delivers a message to one
//! instance. It is correlated to **exactly one** subscription — the oldest matching one — as
//! Camunda does: Zeebe correlates a message at most once per process instance, and Camunda 7's
//! `correlate()` moves a single execution. Its variables are merged into the instance before the
//! token moves on (so conditions after the event can read them). If nothing matches, the command
//! is refused with [`EngineError::MessageNotCorrelated`] and the instance is unchanged: a
//! message is never silently lost, the caller decides whether to keep it and retry.
//!
//! An interrupting boundary message closes its activity (and its other subscriptions and
//! timers); a non-interrupting one leaves the activity open and its subscription stays open, so
//! each further matching message starts one more token on the boundary path, until the activity
//! ends.

use std::collections::HashMap;

use roxmltree::{Document, Node as XmlNode};
use serde_json::Value;

use crate::engine::Run;
use crate::error::{EngineError, ParseError};
use crate::expr::Variables;
use crate::extensions::expression;
use crate::instance::{Event, Subscription, Wait};
use crate::model::{Message, NodeIdx, NodeKind};
use crate::parse::{BPMN_NS, ZEEBE_NS};

/// The `message` elements of `definitions`, by id.
pub(crate) fn declared_messages(
    doc: &Document,
    definitions: XmlNode,
) -> Result<HashMap<String, Message>, ParseError> {
    let mut messages = HashMap::new();
    for el in definitions.children().filter(|n| {
        n.is_element()
            && n.tag_name().name() == "message"
            && n.tag_name().namespace() == Some(BPMN_NS)
    }) {
        let line = doc.text_pos_at(el.range().start).row;
        let id = el.attribute("id").unwrap_or_default().to_owned();
        let missing = |attribute| ParseError::MissingAttribute {
            id: id.clone(),
            tag: "message".to_owned(),
            attribute,
            line,
        };
        if id.is_empty() {
            return Err(missing("id"));
        }
        let name = el
            .attribute("name")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| missing("name"))?
            .to_owned();
        let key = el
            .children()
            .filter(|n| {
                n.is_element()
                    && n.tag_name().name() == "extensionElements"
                    && n.tag_name().namespace() == Some(BPMN_NS)
            })
            .flat_map(|e| e.children())
            .find(|n| {
                n.is_element()
                    && n.tag_name().name() == "subscription"
                    && n.tag_name().namespace() == Some(ZEEBE_NS)
            })
            .and_then(|s| s.attribute("correlationKey"))
            .filter(|k| !k.trim().is_empty());
        let correlation_key = key.map(|k| expression(k, &id, line)).transpose()?;
        let message = Message {
            name,
            correlation_key,
        };
        if messages.insert(id.clone(), message).is_some() {
            return Err(ParseError::DuplicateId { id, line });
        }
    }
    Ok(messages)
}

/// The message `el` (a `receiveTask` or a `messageEventDefinition`) refers to by `messageRef`.
pub(crate) fn message_ref(
    messages: &HashMap<String, Message>,
    el: XmlNode,
    id: &str,
    tag: &str,
    line: u32,
) -> Result<Message, ParseError> {
    let reference = el
        .attribute("messageRef")
        .ok_or_else(|| ParseError::MissingAttribute {
            id: id.to_owned(),
            tag: tag.to_owned(),
            attribute: "messageRef",
            line,
        })?;
    messages
        .get(reference)
        .cloned()
        .ok_or_else(|| ParseError::InvalidAttribute {
            id: id.to_owned(),
            attribute: "messageRef",
            value: reference.to_owned(),
            reason: "the id of a `message` declared in `definitions`".to_owned(),
            line,
        })
}

/// The message a catch event, receive task or boundary event waits for.
fn awaited(kind: &NodeKind) -> Option<&Message> {
    match kind {
        NodeKind::MessageCatch { message }
        | NodeKind::ReceiveTask { message }
        | NodeKind::BoundaryMessage { message, .. } => Some(message),
        _ => None,
    }
}

impl Run<'_> {
    /// The subscription `token` would open at `node` (its correlation key evaluated now), or
    /// the reason for an incident.
    pub(crate) fn subscription(
        &mut self,
        node: NodeIdx,
        token: u64,
    ) -> Result<Subscription, String> {
        let process = self.process;
        let message = awaited(&process.nodes[node].kind)
            .ok_or_else(|| format!("`{}` waits for no message", process.nodes[node].id))?;
        let correlation_key = match &message.correlation_key {
            None => None,
            Some(key) => {
                self.ctx.load(&self.inst.variables);
                match key.eval(&self.ctx) {
                    Ok(Value::String(s)) => Some(s),
                    Ok(Value::Number(n)) => Some(n.to_string()),
                    Ok(other) => {
                        return Err(format!(
                            "correlation key `{}` of message `{}` gave {other}, not a string or number",
                            key.source(),
                            message.name
                        ));
                    }
                    Err(e) => {
                        return Err(format!(
                            "correlation key of message `{}`: {e}",
                            message.name
                        ));
                    }
                }
            }
        };
        Ok(Subscription {
            node,
            token,
            message: message.name.clone(),
            correlation_key,
        })
    }

    /// Opens a subscription (recording it in the events).
    pub(crate) fn subscribe(&mut self, sub: Subscription) {
        self.events.push(Event::MessageAwaited {
            token: sub.token,
            node: sub.node,
            message: sub.message.clone(),
            correlation_key: sub.correlation_key.clone(),
        });
        self.inst.subscriptions.push(sub);
    }

    /// A token arrives at a message catch event or receive task: it waits for the message.
    pub(crate) fn enter_message_wait(&mut self, node: NodeIdx, via: Option<crate::FlowIdx>) {
        let token = self.new_token(node, via, Wait::Message);
        match self.subscription(node, token) {
            Ok(sub) => {
                self.subscribe(sub);
                self.arm_boundaries(node, token);
            }
            Err(reason) => self.incident(node, reason),
        }
    }

    /// Delivers a message: see the module docs.
    pub(crate) fn correlate(
        &mut self,
        name: String,
        correlation_key: Option<String>,
        variables: Variables,
    ) -> Result<(), EngineError> {
        let Some(i) = self
            .inst
            .subscriptions
            .iter()
            .position(|s| s.matches(&name, correlation_key.as_deref()))
        else {
            return Err(EngineError::MessageNotCorrelated {
                name,
                correlation_key,
            });
        };
        let sub = self.inst.subscriptions[i].clone();
        self.merge(variables);
        self.events.push(Event::MessageCorrelated {
            token: sub.token,
            node: sub.node,
            message: sub.message,
        });
        match self.process.nodes[sub.node].kind {
            NodeKind::BoundaryMessage { interrupting, .. } => {
                if interrupting {
                    self.cancel_activity(sub.token);
                }
            }
            _ => {
                self.take_token(sub.token, Wait::Message)
                    .ok_or(EngineError::WrongProcess)?;
                self.disarm(sub.token);
            }
        }
        self.leave(sub.node);
        Ok(())
    }
}

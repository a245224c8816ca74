//! The checked process model: what [`crate::parse`] produces and [`crate::step`] walks.
//!
//! A [`Process`] is pure data. Nodes and flows refer to each other by index, so stepping never
//! looks anything up by string; the BPMN ids are kept for events, errors and the diagram viewer.
//! A `Process` is only built by the parser, which guarantees the invariants listed on the type.

use serde::{Deserialize, Serialize};

use crate::expr::Expression;
use crate::timer::TimerSpec;

/// Index of a node in [`Process::nodes`].
pub type NodeIdx = usize;
/// Index of a flow in [`Process::flows`].
pub type FlowIdx = usize;

/// A parsed and checked executable process.
///
/// Invariants (established by [`crate::parse_bpmn`]): exactly one start event; every node is
/// reachable from it; an end event is reachable from every node; every flow joins two existing
/// nodes; `default` flows of gateways are outgoing flows of that gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Process {
    /// The BPMN `process/@id`.
    pub id: String,
    /// The BPMN `process/@name`, if any.
    pub name: Option<String>,
    /// All flow nodes, in document order.
    pub nodes: Vec<Node>,
    /// All sequence flows, in document order (the order exclusive gateways test conditions in).
    pub flows: Vec<Flow>,
    /// The start event.
    pub start: NodeIdx,
}

impl Process {
    /// The node with BPMN id `id`.
    pub fn node_by_id(&self, id: &str) -> Option<NodeIdx> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The keys of the processes this process calls (its call activities), sorted, without
    /// duplicates: the application checks at upload that each exists.
    pub fn called_processes(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::CallActivity(call) => Some(call.process_key.as_str()),
                _ => None,
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// The names of the messages this process waits for (catch events, receive tasks and
    /// boundary events), sorted, without duplicates.
    pub fn message_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .nodes
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::MessageCatch { message }
                | NodeKind::ReceiveTask { message }
                | NodeKind::BoundaryMessage { message, .. } => Some(message.name.as_str()),
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// One flow node (event, task or gateway).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Node {
    /// The BPMN id.
    pub id: String,
    /// The label drawn in the modeller.
    pub name: Option<String>,
    /// What the node does.
    pub kind: NodeKind,
    /// Incoming flows, document order.
    pub incoming: Vec<FlowIdx>,
    /// Outgoing flows, document order.
    pub outgoing: Vec<FlowIdx>,
    /// Boundary events attached to this node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boundaries: Vec<NodeIdx>,
    /// Line of the element in the source XML (1-based), for messages.
    pub line: u32,
}

/// The supported BPMN elements.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeKind {
    /// `startEvent` (none start).
    Start,
    /// `endEvent` (none end): consumes the token.
    End,
    /// `userTask`: waits for a person.
    UserTask(UserTask),
    /// `serviceTask`: a named platform action.
    ServiceTask(ServiceTask),
    /// `exclusiveGateway`: one way out (first true condition in document order, else `default`).
    Exclusive {
        /// The `default` flow.
        default: Option<FlowIdx>,
    },
    /// `intermediateCatchEvent` with a `timerEventDefinition`: waits until the timer fires.
    TimerCatch {
        /// When it fires.
        timer: TimerSpec,
    },
    /// `boundaryEvent` with a `timerEventDefinition` on an activity that waits (a user task
    /// that is not a countersign, a service task, a receive task or a call activity).
    BoundaryTimer {
        /// The activity it is attached to.
        attached_to: NodeIdx,
        /// When it fires, counted from the activity's start.
        timer: TimerSpec,
        /// `cancelActivity`: firing closes the activity (default), or leaves it open.
        interrupting: bool,
    },
    /// `intermediateCatchEvent` with a `messageEventDefinition`: waits for the message.
    MessageCatch {
        /// The message it waits for.
        message: Message,
    },
    /// `receiveTask`: an activity that waits for the message (boundary events may attach to it).
    ReceiveTask {
        /// The message it waits for.
        message: Message,
    },
    /// `boundaryEvent` with a `messageEventDefinition` on an activity that waits (as
    /// [`NodeKind::BoundaryTimer`]).
    BoundaryMessage {
        /// The activity it is attached to.
        attached_to: NodeIdx,
        /// The message that triggers it while the activity is active.
        message: Message,
        /// `cancelActivity`: the message closes the activity (default); or it leaves the activity
        /// open, and the subscription stays open for further messages until the activity ends.
        interrupting: bool,
    },
    /// `callActivity`: starts another process (see [`crate::Effect::StartCall`]) and waits for it.
    CallActivity(CallActivity),
    /// `parallelGateway`: all ways out; joins wait for one token per incoming flow.
    Parallel,
    /// `inclusiveGateway`: every matching way out; joins wait for every token that can still arrive.
    Inclusive {
        /// The `default` flow.
        default: Option<FlowIdx>,
    },
}

/// Who may handle a user task and how long they have.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserTask {
    /// `camunda:candidateGroups` or `zeebe:assignmentDefinition candidateGroups`, comma separated.
    pub candidate_groups: Vec<String>,
    /// `shenpi:role`.
    pub role: Option<String>,
    /// `shenpi:department`.
    pub department: Option<String>,
    /// `shenpi:durationDays`: time limit in working days (ISO 8601 has no working days).
    pub duration_days: Option<u32>,
    /// Multi-instance (会签 / 或签), from `multiInstanceLoopCharacteristics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countersign: Option<Countersign>,
}

/// A parallel multi-instance user task: one task per element of a collection, decided by a
/// completion rule; see [`crate::countersign`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Countersign {
    /// The collection of signers (`camunda:collection` or `zeebe:loopCharacteristics
    /// inputCollection`), an expression giving a non-empty array.
    pub collection: Expression,
    /// Variable each task receives its element in (`camunda:elementVariable` / `inputElement`).
    pub element: Option<String>,
    /// `shenpi:countersign`: how many approvals decide.
    pub rule: Rule,
    /// `shenpi:onReject`: what a rejection does.
    pub on_reject: OnReject,
    /// `shenpi:resultVariable` (default `approved`): set to the outcome when the countersign ends.
    pub result: String,
}

/// How many approvals a countersign needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// 会签: every signer (`all`).
    All,
    /// 或签: any one signer (`any`).
    Any,
    /// At least this percentage of signers, rounded up (`60%`).
    Percent(u8),
}

/// What a single rejection inside a countersign does (never left undefined).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnReject {
    /// `return`: close the other tasks and send the case back to this earlier user task
    /// (`shenpi:returnTo`, by default the nearest user task before the countersign).
    Return {
        /// The user task to return to.
        to: NodeIdx,
    },
    /// `terminate` (一票否决): close the other tasks; the countersign ends rejected.
    Terminate,
    /// `stay`: the others continue; the rule decides once the outcome is certain.
    Stay,
}

/// A message declared at `definitions` level (`<message id name>`) as a catch event, receive task
/// or boundary event refers to it with `messageRef`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    /// `message/@name`: what a delivered message must be called.
    pub name: String,
    /// `<zeebe:subscription correlationKey>` (Camunda 8): evaluated when the token arrives; a
    /// delivered message must then carry the same key. Camunda 7 messages have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_key: Option<Expression>,
}

/// A call activity: the process it starts and the variables that cross over.
///
/// Input: every parent variable if `propagate_all_parent`, then the `inputs` (evaluated over
/// the parent's variables). Output, when the called instance completes: every child variable
/// if `propagate_all_child`, then the `outputs` (evaluated over the child's variables).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallActivity {
    /// The key (BPMN process id) of the called process: `calledElement` (Camunda 7) or
    /// `<zeebe:calledElement processId>` (Camunda 8). Always a static key, never an expression,
    /// so the application can check at upload that it exists ([`Process::called_processes`]).
    pub process_key: String,
    /// Zeebe `propagateAllParentVariables` (default `true`); Camunda 7
    /// `<camunda:in variables="all"/>`.
    pub propagate_all_parent: bool,
    /// Zeebe `propagateAllChildVariables` (default `true`, ignored when output mappings exist);
    /// Camunda 7 `<camunda:out variables="all"/>`.
    pub propagate_all_child: bool,
    /// Zeebe `<zeebe:input>` / Camunda 7 `<camunda:in source|sourceExpression target>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Mapping>,
    /// Zeebe `<zeebe:output>` / Camunda 7 `<camunda:out source|sourceExpression target>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Mapping>,
}

/// A service task bound to a named platform action.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceTask {
    /// The action name (`evaluate` is built in; others become [`crate::Effect::CallService`]).
    pub action: String,
    /// Variable name ← expression: for `evaluate` they are set on the instance; for other actions
    /// they are evaluated and sent as the call's input.
    pub mappings: Vec<Mapping>,
}

/// `target = source` where `source` is an expression over the instance variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mapping {
    /// Variable to set.
    pub target: String,
    /// Expression that computes it.
    pub source: Expression,
}

/// A sequence flow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flow {
    /// The BPMN id.
    pub id: String,
    /// Source node.
    pub source: NodeIdx,
    /// Target node.
    pub target: NodeIdx,
    /// `conditionExpression`, if any.
    pub condition: Option<Expression>,
}

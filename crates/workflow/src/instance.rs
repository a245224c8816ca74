//! Instance state, commands, events and effects: all plain, serializable data.
//!
//! An [`Instance`] is everything the engine needs to continue a case; the caller stores it
//! (memory, JSON column, …) and hands it back with the next [`Command`]. Ids of tasks, service
//! calls and called processes are token ids, unique within the instance.
//!
//! Fields added after the first release (`timers`, `countersigns`, `subscriptions`) default to
//! empty, so instances stored by an older version still load.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::expr::Variables;
use crate::model::{FlowIdx, NodeIdx};

/// The state of one process instance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Lifecycle state.
    pub state: State,
    /// Every live token, in creation order.
    pub tokens: Vec<Token>,
    /// Open user tasks (each also a token waiting in [`Wait::Task`]).
    pub tasks: Vec<Task>,
    /// Scheduled timers (intermediate timer events and boundary timers of open tasks): the caller
    /// sends [`Command::FireTimer`] once `due` has passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timers: Vec<Timer>,
    /// Countersigns in progress.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countersigns: Vec<CountersignState>,
    /// Open message subscriptions (message catch events, receive tasks, and message boundary
    /// events of active activities), oldest first: the caller delivers messages with
    /// [`Command::CorrelateMessage`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<Subscription>,
    /// Process variables.
    pub variables: Variables,
    /// What happened, in order.
    pub history: Vec<Record>,
    /// Next token id.
    pub next_id: u64,
}

impl Instance {
    /// A fresh instance, waiting for [`Command::Start`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The open task with id `task`.
    pub fn task(&self, task: u64) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == task)
    }

    /// Ids of the called processes this instance waits for (see [`Effect::StartCall`]).
    pub fn pending_calls(&self) -> Vec<u64> {
        self.tokens
            .iter()
            .filter(|t| t.wait == Wait::CalledProcess)
            .map(|t| t.id)
            .collect()
    }
}

/// Lifecycle of an instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Created, not started.
    #[default]
    Ready,
    /// Waiting on people or services.
    Running,
    /// Every token reached an end event.
    Completed,
    /// Stopped on a fault that needs an administrator (no matching flow, a failing expression,
    /// a failed service, a join that can never fire). Tokens are kept as they were.
    Incident {
        /// The node where it happened.
        node: NodeIdx,
        /// What went wrong.
        reason: String,
    },
}

impl State {
    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            State::Ready => "ready",
            State::Running => "running",
            State::Completed => "completed",
            State::Incident { .. } => "in incident",
        }
    }
}

/// A token resting at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Unique within the instance; also the id of its task or service call.
    pub id: u64,
    /// Where it rests.
    pub node: NodeIdx,
    /// The flow it arrived by (joins count arrivals per flow).
    pub via: Option<FlowIdx>,
    /// What it waits for.
    pub wait: Wait,
}

/// What a resting token waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wait {
    /// A person to complete the user task.
    Task,
    /// The platform to report a service call.
    Call,
    /// Other tokens to arrive at a joining gateway.
    Join,
    /// An intermediate timer event to fire.
    Timer,
    /// A message, at a message catch event or receive task (see [`Instance::subscriptions`]).
    Message,
    /// A called process to complete, at a call activity (see [`Effect::StartCall`]).
    CalledProcess,
}

/// An open user task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Task id (= token id).
    pub id: u64,
    /// The user task node.
    pub node: NodeIdx,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// The countersign this task is one signature of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countersign: Option<u64>,
    /// This signer's element of the countersign collection (e.g. the signer's user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<serde_json::Value>,
}

/// A countersign in progress (its tasks are the open tasks with this `countersign` id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountersignState {
    /// Countersign id.
    pub id: u64,
    /// The multi-instance user task.
    pub node: NodeIdx,
    /// Approvals that decide it.
    pub needed: u32,
    /// Approvals so far.
    pub approved: u32,
    /// Rejections so far.
    pub rejected: u32,
}

/// A scheduled timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Timer id (unique within the instance, like token ids).
    pub id: u64,
    /// The timer event node (intermediate or boundary).
    pub node: NodeIdx,
    /// The token it belongs to: the waiting token, or the task's token for a boundary timer.
    pub token: u64,
    /// When it may fire.
    pub due: DateTime<Utc>,
}

/// A message the instance waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The event that catches it: a message catch event, receive task or boundary event.
    pub node: NodeIdx,
    /// The waiting token, or the activity's token for a boundary event.
    pub token: u64,
    /// The message name.
    pub message: String,
    /// The correlation key, evaluated when the token arrived; a delivered message must carry
    /// the same key. `None` when the message declares no key (matched by name alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_key: Option<String>,
}

impl Subscription {
    /// Whether a message `name` with `key` is for this subscription: same name, and the same
    /// key if the subscription has one (a message without a key matches only keyless ones).
    pub fn matches(&self, name: &str, key: Option<&str>) -> bool {
        self.message == name
            && match &self.correlation_key {
                None => true,
                Some(own) => key == Some(own.as_str()),
            }
    }
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub event: Event,
}

/// Something to do to an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Start a [`State::Ready`] instance with initial variables.
    Start { variables: Variables },
    /// A person completed an open task, setting these variables.
    CompleteTask { task: u64, variables: Variables },
    /// The platform finished a [`Effect::CallService`], with output variables.
    ServiceCompleted { call: u64, variables: Variables },
    /// The platform gave up on a service call: the instance becomes an incident.
    ServiceFailed { call: u64, reason: String },
    /// A timer is due (refused before its due time).
    FireTimer { timer: u64 },
    /// 驳回 to an earlier user task (by element id): every open task, token, timer and
    /// countersign is withdrawn — other parallel branches and countersign members too — and
    /// the process resumes with one token at `element`.
    ReturnTo { element: String },
    /// A message for this instance. It is correlated to exactly one subscription — the oldest
    /// whose name and correlation key match (see [`Subscription::matches`]) — as Camunda does
    /// (a message is correlated once per instance); its variables are merged into the instance.
    /// Refused with [`crate::EngineError::MessageNotCorrelated`] when nothing waits for it, so
    /// the caller learns the message was not taken (and may keep it for later).
    CorrelateMessage {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correlation_key: Option<String>,
        variables: Variables,
    },
    /// The process started by [`Effect::StartCall`] completed with these (child) variables:
    /// the call activity's output is merged and the token moves on.
    CompleteCall { call: u64, variables: Variables },
    /// The called process ended abnormally (terminated, or could not be started): the instance
    /// becomes an incident at the call activity.
    FailCall { call: u64, reason: String },
}

/// What happened during a step (also appended to [`Instance::history`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The instance started.
    Started,
    /// A user task opened.
    TaskCreated { task: u64, node: NodeIdx },
    /// A user task was completed.
    TaskCompleted { task: u64, node: NodeIdx },
    /// A service task ran inline (`evaluate`) or its call was reported done.
    ServiceDone { node: NodeIdx },
    /// A platform action was requested (see [`Effect::CallService`]).
    ServiceCalled { call: u64, node: NodeIdx },
    /// A gateway sent tokens along these flows (a join fired, or a split chose).
    GatewayTaken { node: NodeIdx, flows: Vec<FlowIdx> },
    /// A timer was scheduled.
    TimerScheduled {
        timer: u64,
        node: NodeIdx,
        due: DateTime<Utc>,
    },
    /// A timer fired.
    TimerFired { timer: u64, node: NodeIdx },
    /// An open task was closed by an interrupting boundary event or a countersign decision.
    TaskCancelled { task: u64, node: NodeIdx },
    /// A service call, called process or receive task was closed by an interrupting boundary
    /// event (for calls, see [`Effect::CancelCall`]).
    ActivityCancelled { token: u64, node: NodeIdx },
    /// A subscription opened: `token` waits at `node` for message `message` (with this key).
    MessageAwaited {
        token: u64,
        node: NodeIdx,
        message: String,
        correlation_key: Option<String>,
    },
    /// A delivered message was correlated to the subscription of `token` at `node`.
    MessageCorrelated {
        token: u64,
        node: NodeIdx,
        message: String,
    },
    /// A call activity started a called process (see [`Effect::StartCall`]).
    CallStarted {
        call: u64,
        node: NodeIdx,
        process_key: String,
    },
    /// The called process completed.
    CallCompleted { call: u64, node: NodeIdx },
    /// A countersign was decided (all its other tasks closed).
    CountersignDecided { node: NodeIdx, approved: bool },
    /// A rejection in a countersign sent the case back to an earlier task.
    Returned { node: NodeIdx, to: NodeIdx },
    /// A token reached an end event.
    EndReached { node: NodeIdx },
    /// The last token ended.
    Completed,
    /// The instance stopped on a fault.
    Incident { node: NodeIdx, reason: String },
}

/// Work for the caller: the engine never does I/O.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Run platform action `action` with `input`, then send [`Command::ServiceCompleted`] (or
    /// [`Command::ServiceFailed`]) with `call`.
    CallService {
        call: u64,
        node: NodeIdx,
        action: String,
        input: Variables,
    },
    /// Start an instance of process `process_key` with `variables`, then send
    /// [`Command::CompleteCall`] (or [`Command::FailCall`]) with `call` when it ends.
    StartCall {
        call: u64,
        node: NodeIdx,
        process_key: String,
        variables: Variables,
    },
    /// An interrupting boundary event closed the activity waiting on `call`: stop the service
    /// call or terminate the called process instance; a later report for `call` is refused.
    CancelCall { call: u64, node: NodeIdx },
}

/// The result of [`crate::step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The instance after the command and every automatic step it caused.
    pub instance: Instance,
    /// What happened, in order.
    pub events: Vec<Event>,
    /// What the caller must do.
    pub effects: Vec<Effect>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(key: Option<&str>) -> Subscription {
        Subscription {
            node: 0,
            token: 1,
            message: "paid".into(),
            correlation_key: key.map(str::to_owned),
        }
    }

    #[test]
    fn a_keyed_subscription_needs_the_same_key_and_a_keyless_one_the_name_only() {
        assert!(sub(Some("o-1")).matches("paid", Some("o-1")));
        assert!(!sub(Some("o-1")).matches("paid", Some("o-2")));
        assert!(!sub(Some("o-1")).matches("paid", None));
        assert!(sub(None).matches("paid", None));
        assert!(sub(None).matches("paid", Some("anything")));
        assert!(!sub(None).matches("refunded", None));
    }
}

//! Instance state, commands, events and effects: all plain, serializable data.
//!
//! An [`Instance`] is everything the engine needs to continue a case; the caller stores it
//! (memory, JSON column, …) and hands it back with the next [`Command`]. Ids of tasks and
//! service calls are token ids, unique within the instance.

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
    /// An open task was closed by an interrupting boundary timer.
    TaskCancelled { task: u64, node: NodeIdx },
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

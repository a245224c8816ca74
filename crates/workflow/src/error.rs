//! Errors of the engine: [`ParseError`] when a process is uploaded, [`EngineError`] when a
//! command does not apply to an instance. Both name the BPMN element so the caller can show it.
//! (Run-time faults of a *valid* command — no matching flow, a failing expression — are not
//! errors: the instance becomes an incident, see [`crate::State::Incident`].)

use thiserror::Error;

/// Why a BPMN document was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// Not well-formed XML.
    #[error("line {line}: the file is not well-formed XML: {message}")]
    Xml { message: String, line: u32 },
    /// The root is not a BPMN 2.0 `definitions` element.
    #[error("the file is not BPMN 2.0 (the root must be `definitions` in namespace {ns})", ns = crate::parse::BPMN_NS)]
    NotBpmn,
    /// No `process` element.
    #[error("the file has no `process` element")]
    NoProcess,
    /// An element (or a part of it, `what`) the engine does not execute.
    #[error("line {line}: element `{id}` is a `{tag}`{}, which this engine does not support", what.as_ref().map(|w| format!(" with `{w}`")).unwrap_or_default())]
    Unsupported {
        id: String,
        tag: String,
        line: u32,
        what: Option<String>,
    },
    /// A required attribute is missing.
    #[error("line {line}: `{tag}` `{id}` has no `{attribute}`")]
    MissingAttribute {
        id: String,
        tag: String,
        attribute: &'static str,
        line: u32,
    },
    /// An attribute has an unusable value.
    #[error("line {line}: `{attribute}=\"{value}\"` on `{id}` must be {reason}")]
    InvalidAttribute {
        id: String,
        attribute: &'static str,
        value: String,
        reason: String,
        line: u32,
    },
    /// Two elements share an id.
    #[error("line {line}: the id `{id}` is used twice")]
    DuplicateId { id: String, line: u32 },
    /// A condition or mapping does not compile.
    #[error("line {line}: expression `{expression}` on `{id}` is invalid: {reason}")]
    BadExpression {
        id: String,
        expression: String,
        reason: String,
        line: u32,
    },
    /// A flow points at an id that is not a supported element of the process.
    #[error(
        "line {line}: sequence flow `{flow}` refers to `{reference}`, which is not an element of the process"
    )]
    UnknownReference {
        flow: String,
        reference: String,
        line: u32,
    },
    /// A gateway's `default` is not one of its outgoing flows.
    #[error(
        "line {line}: the default flow `{flow}` of gateway `{gateway}` is not one of its outgoing flows"
    )]
    BadDefault {
        gateway: String,
        flow: String,
        line: u32,
    },
    /// No start event.
    #[error("the process has no start event")]
    NoStart,
    /// More than one start event.
    #[error("the process has several start events ({}); exactly one is supported", ids.join(", "))]
    SeveralStarts { ids: Vec<String> },
    /// An element cannot be reached from the start event.
    #[error("line {line}: element `{id}` cannot be reached from the start event")]
    Unreachable { id: String, line: u32 },
    /// No end event can be reached from an element (a dead end or an endless loop).
    #[error("line {line}: no end event can be reached from element `{id}`")]
    NoEndReachable { id: String, line: u32 },
}

/// Why a command was refused; the instance is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// `Start` on an instance that has already started.
    #[error("the instance has already started")]
    AlreadyStarted,
    /// A command on an instance that is completed or in incident.
    #[error("the instance is {state} and accepts no more commands")]
    NotRunning { state: &'static str },
    /// No open task with this id.
    #[error("there is no open task {task}")]
    NoSuchTask { task: u64 },
    /// No pending service call (or called process, for call commands) with this id.
    #[error("there is no pending call {call}")]
    NoSuchCall { call: u64 },
    /// A delivered message matched no open subscription: nothing was changed.
    #[error("no subscription of the instance waits for message `{name}`{}", correlation_key.as_ref().map(|k| format!(" with correlation key `{k}`")).unwrap_or_default())]
    MessageNotCorrelated {
        name: String,
        correlation_key: Option<String>,
    },
    /// A countersign task was completed with a non-boolean outcome.
    #[error("task {task} is a countersign: `{variable}` must be true or false")]
    BadOutcome { task: u64, variable: String },
    /// No user task with this element id (a return target).
    #[error("there is no user task `{element}` in the process")]
    NoSuchElement { element: String },
    /// No scheduled timer with this id.
    #[error("there is no scheduled timer {timer}")]
    NoSuchTimer { timer: u64 },
    /// The timer is not due yet.
    #[error("timer {timer} is not due before {due}")]
    TimerNotDue {
        timer: u64,
        due: chrono::DateTime<chrono::Utc>,
    },
    /// The instance references a node the process does not have (wrong process version).
    #[error("the instance does not belong to this process version")]
    WrongProcess,
}

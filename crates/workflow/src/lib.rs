//! # shenpi-workflow — the BPMN 2.0 engine of shenpi
//!
//! Owns: reading BPMN 2.0 XML as bpmn.io / Camunda Modeler save it into a checked [`Process`],
//! and stepping process instances deterministically. It knows nothing of HTTP, SQL, users or
//! the calendar, and never reads the clock: time is a parameter of [`step`], instances are
//! plain data the caller stores, and work outside the engine is returned as [`Effect`]s — a
//! platform action, or another process to start for a call activity (the engine never looks
//! processes up; [`Process::called_processes`] lists the keys to check at upload).
//!
//! ## Supported BPMN subset
//! `startEvent` and `endEvent` (none), `userTask`, `serviceTask` (a named platform action;
//! `evaluate` is built in and sets variables from expressions), `exclusiveGateway` and
//! `inclusiveGateway` (with `default`), `parallelGateway`, countersigns 会签 / 或签 (parallel
//! multi-instance user tasks with a declared rejection rule, see [`countersign`]), timer events
//! (`intermediateCatchEvent`, and interrupting or not `boundaryEvent`; see [`timer`]), message
//! events (`intermediateCatchEvent`, `receiveTask`, and interrupting or not `boundaryEvent`,
//! with `message` declarations and Zeebe correlation keys; see [`message`]), `callActivity`
//! (the caller starts the called process, see [`call`]), `sequenceFlow` with
//! `conditionExpression` in the ZEN expression language ([`expr`]). Boundary events attach to
//! user tasks (not countersigns), service tasks, receive tasks and call activities. Extension
//! attributes are described in [`extensions`]. Anything else inside a process — script tasks,
//! sub-processes, event-based gateways, message start, throw and end events, signal and error
//! events, sequential multi-instance — is refused with its id, tag and line.
//!
//! ## Layout
//! - [`model`]: the checked process; [`parse`], [`extensions`], [`timer`], [`check`]: XML → model.
//! - [`instance`]: instance state, commands, events, effects; [`engine`]: [`step`], with
//!   gateway semantics in a private `gateway` module, countersigns in [`countersign`], message
//!   correlation in [`message`] and call activities in [`call`].
//! - [`expr`]: expressions; [`error`]: errors.
//!
//! ## Example
//! ```
//! use shenpi_workflow::{parse_bpmn, step, Command, Instance, State};
//! let xml = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
//!   <process id="p"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
//!   <userTask id="t"/><sequenceFlow id="f2" sourceRef="t" targetRef="e"/><endEvent id="e"/>
//!   </process></definitions>"#;
//! let process = parse_bpmn(xml)?;
//! let now = chrono::DateTime::UNIX_EPOCH;
//! let s = step(&process, &Instance::new(), Command::Start { variables: Default::default() }, now)?;
//! let task = s.instance.tasks[0].id;
//! let s = step(&process, &s.instance, Command::CompleteTask { task, variables: Default::default() }, now)?;
//! assert_eq!(s.instance.state, State::Completed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod call;
pub mod check;
pub mod countersign;
pub mod engine;
pub mod error;
pub mod expr;
pub mod extensions;
mod gateway;
pub mod instance;
pub mod message;
pub mod model;
pub mod parse;
mod resolve;
pub mod timer;

pub use engine::{EVALUATE, apply, step};
pub use error::{EngineError, ParseError};
pub use expr::{Expression, Variables};
pub use instance::{
    Command, Effect, Event, Instance, Record, State, Step, Subscription, Task, Timer, Token, Wait,
};
pub use model::{
    CallActivity, Countersign, Flow, FlowIdx, Mapping, Message, Node, NodeIdx, NodeKind, OnReject,
    Process, Rule, ServiceTask, UserTask,
};
pub use parse::parse_bpmn;
pub use timer::TimerSpec;

//! The deterministic executor: `(process, instance, command, now) → (instance', events, effects)`.
//!
//! A command is applied to a copy of the instance; automatic nodes (gateways, `evaluate`
//! service tasks, events) then run until every token waits on a person, a service call, a
//! timer, a message, a called process or a join. Messages are in [`crate::message`], call
//! activities in [`crate::call`], countersigns in [`crate::countersign`].
//! Same inputs, same outputs: no clock reads, no randomness, no I/O, no hash-order iteration.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::error::EngineError;
use crate::expr::{Context, Variables};
use crate::gateway;
use crate::instance::{
    Command, Effect, Event, Instance, Record, State, Step, Task, Timer, Token, Wait,
};
use crate::model::{FlowIdx, NodeIdx, NodeKind, Process, UserTask};

/// Name of the built-in action that sets variables from its mappings inline.
pub const EVALUATE: &str = "evaluate";

/// Automatic moves allowed per step before the instance is declared an incident (an endless
/// loop of gateways and `evaluate` tasks).
const MAX_MOVES: usize = 100_000;

/// Applies `command` to (a copy of) `instance`.
pub fn step(
    process: &Process,
    instance: &Instance,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Step, EngineError> {
    apply(process, instance.clone(), command, now)
}

/// Like [`step`], consuming the instance (saves a copy when the caller does not keep it).
pub fn apply(
    process: &Process,
    instance: Instance,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Step, EngineError> {
    if instance
        .tokens
        .iter()
        .any(|t| t.node >= process.nodes.len())
    {
        return Err(EngineError::WrongProcess);
    }
    let mut run = Run {
        process,
        inst: instance,
        events: Vec::new(),
        effects: Vec::new(),
        ctx: Context::new(),
        now,
        queue: VecDeque::new(),
        moves: 0,
    };
    run.command(command)?;
    run.settle();
    let Run {
        mut inst,
        events,
        effects,
        ..
    } = run;
    inst.history.extend(events.iter().map(|e| Record {
        at: now,
        event: e.clone(),
    }));
    Ok(Step {
        instance: inst,
        events,
        effects,
    })
}

pub(crate) struct Run<'p> {
    pub(crate) process: &'p Process,
    pub(crate) inst: Instance,
    pub(crate) events: Vec<Event>,
    pub(crate) effects: Vec<Effect>,
    pub(crate) ctx: Context,
    pub(crate) now: DateTime<Utc>,
    /// Tokens in flight: (node entered, flow taken).
    pub(crate) queue: VecDeque<(NodeIdx, Option<FlowIdx>)>,
    moves: usize,
}

impl Run<'_> {
    fn command(&mut self, command: Command) -> Result<(), EngineError> {
        match (&self.inst.state, command) {
            (State::Ready, Command::Start { variables }) => {
                self.inst.state = State::Running;
                self.inst.variables = variables;
                self.events.push(Event::Started);
                self.queue.push_back((self.process.start, None));
                Ok(())
            }
            (State::Ready, _) => Err(EngineError::NotRunning { state: "ready" }),
            (State::Running, Command::Start { .. }) => Err(EngineError::AlreadyStarted),
            (State::Running, Command::CompleteTask { task, variables }) => {
                let i = self.inst.tasks.iter().position(|t| t.id == task);
                let i = i.ok_or(EngineError::NoSuchTask { task })?;
                let outcome = self.countersign_outcome(&self.inst.tasks[i], &variables)?;
                let record = self.inst.tasks.remove(i);
                self.take_token(task, Wait::Task);
                self.disarm(task);
                self.merge(variables);
                let node = record.node;
                self.events.push(Event::TaskCompleted { task, node });
                match (record.countersign, outcome) {
                    (Some(cs), Some(approved)) => self.countersign_signed(cs, approved),
                    _ => self.leave(node),
                }
                Ok(())
            }
            (State::Running, Command::ServiceCompleted { call, variables }) => {
                let token = self
                    .take_token(call, Wait::Call)
                    .ok_or(EngineError::NoSuchCall { call })?;
                self.disarm(call);
                self.merge(variables);
                self.events.push(Event::ServiceDone { node: token.node });
                self.leave(token.node);
                Ok(())
            }
            (State::Running, Command::ServiceFailed { call, reason }) => {
                let token = self
                    .take_token(call, Wait::Call)
                    .ok_or(EngineError::NoSuchCall { call })?;
                // Keep the token where it was: the incident shows where the case stopped.
                self.inst.tokens.push(token);
                self.incident(token.node, format!("service call failed: {reason}"));
                Ok(())
            }
            (State::Running, Command::FireTimer { timer }) => self.fire_timer(timer),
            (State::Running, Command::ReturnTo { element }) => self.return_to(&element),
            (
                State::Running,
                Command::CorrelateMessage {
                    name,
                    correlation_key,
                    variables,
                },
            ) => self.correlate(name, correlation_key, variables),
            (State::Running, Command::CompleteCall { call, variables }) => {
                self.complete_call(call, variables)
            }
            (State::Running, Command::FailCall { call, reason }) => self.fail_call(call, &reason),
            (state, _) => Err(EngineError::NotRunning {
                state: state.name(),
            }),
        }
    }

    fn return_to(&mut self, element: &str) -> Result<(), EngineError> {
        let to = self
            .process
            .nodes
            .iter()
            .position(|n| n.id == element && matches!(n.kind, NodeKind::UserTask(_)))
            .ok_or_else(|| EngineError::NoSuchElement {
                element: element.to_string(),
            })?;
        let from = self.inst.tasks.first().map(|t| t.node).unwrap_or(to);
        // Every activity closes as if interrupted (calls are cancelled by effect); tokens
        // waiting at joins, and what is left of countersigns, go with them.
        let tokens: Vec<u64> = self.inst.tokens.iter().map(|t| t.id).collect();
        for token in tokens {
            self.cancel_activity(token);
        }
        self.inst.tokens.clear();
        self.inst.tasks.clear();
        self.inst.timers.clear();
        self.inst.subscriptions.clear();
        self.inst.countersigns.clear();
        self.events.push(Event::Returned { node: from, to });
        self.queue.push_back((to, None));
        Ok(())
    }

    fn schedule(&mut self, node: NodeIdx, token: u64, due: DateTime<Utc>) {
        let timer = self.inst.next_id;
        self.inst.next_id += 1;
        self.inst.timers.push(Timer {
            id: timer,
            node,
            token,
            due,
        });
        self.events.push(Event::TimerScheduled { timer, node, due });
    }

    fn fire_timer(&mut self, id: u64) -> Result<(), EngineError> {
        let i = self
            .inst
            .timers
            .iter()
            .position(|t| t.id == id)
            .ok_or(EngineError::NoSuchTimer { timer: id })?;
        let timer = self.inst.timers[i];
        if self.now < timer.due {
            return Err(EngineError::TimerNotDue {
                timer: id,
                due: timer.due,
            });
        }
        self.inst.timers.remove(i);
        self.events.push(Event::TimerFired {
            timer: id,
            node: timer.node,
        });
        match self.process.nodes[timer.node].kind {
            NodeKind::BoundaryTimer { interrupting, .. } => {
                if interrupting {
                    self.cancel_activity(timer.token);
                }
                self.leave(timer.node);
            }
            _ => {
                self.take_token(timer.token, Wait::Timer)
                    .ok_or(EngineError::WrongProcess)?;
                self.leave(timer.node);
            }
        }
        Ok(())
    }

    /// Opens the boundary events of the activity `node` whose token `token` just started
    /// waiting: schedules timers, opens message subscriptions (an incident if a correlation key
    /// cannot be evaluated).
    pub(crate) fn arm_boundaries(&mut self, node: NodeIdx, token: u64) {
        let process = self.process;
        for &b in &process.nodes[node].boundaries {
            match &process.nodes[b].kind {
                NodeKind::BoundaryTimer { timer, .. } => {
                    self.schedule(b, token, timer.due(self.now));
                }
                NodeKind::BoundaryMessage { .. } => match self.subscription(b, token) {
                    Ok(sub) => self.subscribe(sub),
                    Err(reason) => return self.incident(b, reason),
                },
                _ => {}
            }
        }
    }

    /// Closes the timers and subscriptions that belong to `token` (its activity ended).
    pub(crate) fn disarm(&mut self, token: u64) {
        self.inst.timers.retain(|t| t.token != token);
        self.inst.subscriptions.retain(|s| s.token != token);
    }

    /// Closes the activity waiting on `token` for an interrupting boundary event: its task, its
    /// service call or called process ([`Effect::CancelCall`]), or its receive task, and every
    /// timer and subscription of it.
    pub(crate) fn cancel_activity(&mut self, token: u64) {
        let Some(i) = self.inst.tokens.iter().position(|t| t.id == token) else {
            return;
        };
        let t = self.inst.tokens.remove(i);
        self.disarm(token);
        match t.wait {
            Wait::Task => {
                self.inst.tasks.retain(|task| task.id != token);
                self.events.push(Event::TaskCancelled {
                    task: token,
                    node: t.node,
                });
            }
            Wait::Call | Wait::CalledProcess => {
                self.events.push(Event::ActivityCancelled {
                    token,
                    node: t.node,
                });
                self.effects.push(Effect::CancelCall {
                    call: token,
                    node: t.node,
                });
            }
            Wait::Message | Wait::Timer | Wait::Join => {
                self.events.push(Event::ActivityCancelled {
                    token,
                    node: t.node,
                });
            }
        }
    }

    pub(crate) fn take_token(&mut self, id: u64, wait: Wait) -> Option<Token> {
        let i = self
            .inst
            .tokens
            .iter()
            .position(|t| t.id == id && t.wait == wait)?;
        Some(self.inst.tokens.remove(i))
    }

    pub(crate) fn merge(&mut self, variables: Variables) {
        if !variables.is_empty() {
            self.inst.variables.extend(variables);
            self.ctx.invalidate();
        }
    }

    pub(crate) fn incident(&mut self, node: NodeIdx, reason: String) {
        if matches!(self.inst.state, State::Running) {
            self.events.push(Event::Incident {
                node,
                reason: reason.clone(),
            });
            self.inst.state = State::Incident { node, reason };
        }
        self.queue.clear();
    }

    pub(crate) fn running(&self) -> bool {
        matches!(self.inst.state, State::Running)
    }

    /// Runs automatic moves until nothing can move, then decides completion or deadlock.
    fn settle(&mut self) {
        loop {
            while let Some((node, via)) = self.queue.pop_front() {
                if !self.running() {
                    return;
                }
                self.moves += 1;
                if self.moves > MAX_MOVES {
                    let reason = format!(
                        "more than {MAX_MOVES} automatic moves in one step (endless loop?)"
                    );
                    return self.incident(node, reason);
                }
                self.enter(node, via);
            }
            if !self.running() {
                return;
            }
            match gateway::ready_inclusive_join(self.process, &self.inst.tokens) {
                Some(join) => self.fire_join(join),
                None => break,
            }
        }
        if self.inst.tokens.is_empty() {
            self.inst.state = State::Completed;
            self.events.push(Event::Completed);
        } else if let Some(t) = self.inst.tokens.iter().find(|t| t.wait == Wait::Join)
            && self.inst.tokens.iter().all(|t| t.wait == Wait::Join)
        {
            let reason = "the join waits for tokens that can no longer arrive".to_owned();
            self.incident(t.node, reason);
        }
    }

    pub(crate) fn new_token(&mut self, node: NodeIdx, via: Option<FlowIdx>, wait: Wait) -> u64 {
        let id = self.inst.next_id;
        self.inst.next_id += 1;
        self.inst.tokens.push(Token {
            id,
            node,
            via,
            wait,
        });
        id
    }

    fn enter(&mut self, node: NodeIdx, via: Option<FlowIdx>) {
        let process = self.process;
        let n = &process.nodes[node];
        match &n.kind {
            NodeKind::Start => self.leave(node),
            NodeKind::End => self.events.push(Event::EndReached { node }),
            NodeKind::UserTask(UserTask {
                countersign: Some(cs),
                ..
            }) => self.enter_countersign(node, cs),
            NodeKind::UserTask(_) => {
                let task = self.new_token(node, via, Wait::Task);
                self.inst.tasks.push(Task {
                    id: task,
                    node,
                    created_at: self.now,
                    countersign: None,
                    element: None,
                });
                self.events.push(Event::TaskCreated { task, node });
                self.arm_boundaries(node, task);
            }
            NodeKind::ServiceTask(service) => {
                let mut values = Variables::new();
                for m in &service.mappings {
                    self.ctx.load(&self.inst.variables);
                    match m.source.eval(&self.ctx) {
                        Ok(v) => {
                            values.insert(m.target.clone(), v);
                        }
                        Err(e) => {
                            return self.incident(node, format!("mapping `{}`: {e}", m.target));
                        }
                    }
                }
                if service.action == EVALUATE {
                    self.merge(values);
                    self.events.push(Event::ServiceDone { node });
                    self.leave(node);
                } else {
                    let call = self.new_token(node, via, Wait::Call);
                    self.arm_boundaries(node, call);
                    if !self.running() {
                        return; // a boundary's correlation key failed: nothing was called
                    }
                    self.events.push(Event::ServiceCalled { call, node });
                    let action = service.action.clone();
                    self.effects.push(Effect::CallService {
                        call,
                        node,
                        action,
                        input: values,
                    });
                }
            }
            NodeKind::TimerCatch { timer } => {
                let token = self.new_token(node, via, Wait::Timer);
                self.schedule(node, token, timer.due(self.now));
            }
            NodeKind::MessageCatch { .. } | NodeKind::ReceiveTask { .. } => {
                self.enter_message_wait(node, via);
            }
            NodeKind::CallActivity(call) => self.enter_call(node, via, call),
            // Boundary events have no incoming flows; they are left through `fire_timer` and
            // `correlate`.
            NodeKind::BoundaryTimer { .. } | NodeKind::BoundaryMessage { .. } => self.leave(node),
            NodeKind::Parallel | NodeKind::Inclusive { .. } if n.incoming.len() > 1 => {
                self.new_token(node, via, Wait::Join);
                if matches!(n.kind, NodeKind::Parallel)
                    && gateway::parallel_join_ready(n, &self.inst.tokens, node)
                {
                    self.fire_join(node);
                }
            }
            NodeKind::Parallel | NodeKind::Inclusive { .. } | NodeKind::Exclusive { .. } => {
                self.split(node);
            }
        }
    }

    /// Consumes one waiting token per incoming flow of `join` and splits.
    fn fire_join(&mut self, join: NodeIdx) {
        for &f in &self.process.nodes[join].incoming {
            if let Some(i) = self
                .inst
                .tokens
                .iter()
                .position(|t| t.node == join && t.via == Some(f))
            {
                self.inst.tokens.remove(i);
            }
        }
        self.split(join);
    }

    /// Chooses the outgoing flows of a gateway and sends a token along each.
    fn split(&mut self, node: NodeIdx) {
        match gateway::choose(self, node) {
            Ok(flows) => {
                for &f in &flows {
                    self.queue
                        .push_back((self.process.flows[f].target, Some(f)));
                }
                self.events.push(Event::GatewayTaken { node, flows });
            }
            Err(reason) => self.incident(node, reason),
        }
    }

    /// Leaves an activity or event: every outgoing flow whose condition (if any) holds.
    pub(crate) fn leave(&mut self, node: NodeIdx) {
        match gateway::conditional_outgoing(self, node) {
            Ok(flows) if !flows.is_empty() => {
                for f in flows {
                    self.queue
                        .push_back((self.process.flows[f].target, Some(f)));
                }
            }
            Ok(_) => self.incident(node, "no outgoing flow's condition holds".to_owned()),
            Err(reason) => self.incident(node, reason),
        }
    }
}

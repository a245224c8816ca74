//! Driving the workflow engine for a case: every engine command of a case goes through
//! [`App::drive`], which steps the instance, carries out the engine's effects, and keeps the
//! task rows in line with the open engine tasks.
//!
//! A case runs one *root* instance (its item's process) and, for each call activity reached, a
//! *called* instance ([`ChildCall`]) of the latest version of the called process. Instance
//! number 0 is the root, `n` is `CaseRecord::calls[n - 1]`. A task row points at its engine task
//! with a [`handle`]: the instance number and the engine task id in one integer, so rows of
//! cases stored before called processes existed read unchanged (instance 0).
//!
//! Effects:
//! - `CallService`: the platform action ([`ServiceAction`]) named by the service task. `notify`
//!   sends the applicant a notification and completes at once. `send_external` waits for the
//!   outside system's reply, `cross_check` and `issue_certificate` wait likewise until the
//!   issues that implement them land; the reply comes through
//!   `POST /api/v1/cases/{id}/service-replies` ([`App::reply_service_call`]).
//! - `StartCall`: a called instance starts (nested at most [`MAX_CALL_DEPTH`] deep). When it
//!   completes, its variables go back to the caller (`CompleteCall`); an incident in it fails
//!   the call (`FailCall`), which makes the caller an incident too — on the admin list.
//! - `CancelCall`: the called instance, and those it called, are terminated.
//!
//! After the commands, open task rows whose engine task no longer exists (an interrupting
//! boundary event, a return, a terminated called process) are cancelled, with their co-signers;
//! rows for the new engine tasks are returned for the caller to insert.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_store::model::Task;
use shenpi_workflow::{Command, Effect, EngineError, Instance, Process, State, Variables};

use crate::cases::{CaseRecord, TimelineEntry};
use crate::{App, AppError};

/// How deep called processes may nest (a calls b calls c …); deeper calls fail, so that two
/// processes calling each other end as an incident instead of running forever.
pub const MAX_CALL_DEPTH: usize = 8;

/// Engine commands one drive may run (the command, and every report it causes).
const MAX_COMMANDS: usize = 10_000;

/// What a drive produced: task rows to insert, and the rows it withdrew (cancelled), which a
/// 取回 of the step reopens.
#[derive(Debug, Default)]
pub(crate) struct Driven {
    pub rows: Vec<Task>,
    pub withdrawn: Vec<String>,
}

/// A called process (子流程) started by a call activity of the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildCall {
    /// The calling instance's number (0 = the case's own process).
    pub parent: u32,
    /// The call id in the calling instance (the call activity's token).
    pub call: u64,
    /// The called process: key and the version that was latest when the call started.
    pub process: (String, i64),
    /// The called instance.
    pub instance: Instance,
    /// Terminated: an interrupting boundary event or a return closed the call activity.
    #[serde(default)]
    pub cancelled: bool,
}

/// A platform action a BPMN service task may name (besides `evaluate`, built into the engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceAction {
    /// `notify`: a notification to the applicant (`title`, `message` from the task's input).
    Notify,
    /// `send_external`: hand the case to an outside system and wait for its reply.
    SendExternal,
    /// `cross_check` (数据核验): check the application against shared data. Waits for a reply
    /// until the rules issue implements it.
    CrossCheck,
    /// `issue_certificate` (出证): issue the electronic certificate. Waits for a reply until the
    /// certificates issue implements it.
    IssueCertificate,
}

impl ServiceAction {
    /// Every action, by its name in BPMN (`zeebe:taskDefinition type`, `camunda:topic`, …).
    pub const ALL: [(&'static str, ServiceAction); 4] = [
        ("notify", ServiceAction::Notify),
        ("send_external", ServiceAction::SendExternal),
        ("cross_check", ServiceAction::CrossCheck),
        ("issue_certificate", ServiceAction::IssueCertificate),
    ];

    /// The action named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
    }

    /// The Chinese name, for the timeline.
    pub fn name_zh(self) -> &'static str {
        match self {
            ServiceAction::Notify => "通知申请人",
            ServiceAction::SendExternal => "外部系统办理",
            ServiceAction::CrossCheck => "数据核验",
            ServiceAction::IssueCertificate => "出具电子证照",
        }
    }
}

/// Bits of a [`handle`] that hold the engine task id.
const TASK_BITS: u32 = 40;

/// The handle of engine task `task` of instance `scope`, as stored in `Task::engine_task`.
pub fn handle(scope: u32, task: u64) -> Option<i64> {
    if task >> TASK_BITS != 0 {
        return None;
    }
    i64::try_from((u64::from(scope) << TASK_BITS) | task).ok()
}

/// The instance number and engine task id of a [`handle`].
pub fn split(handle: i64) -> (u32, u64) {
    let h = u64::try_from(handle).unwrap_or_default();
    let scope = u32::try_from(h >> TASK_BITS).unwrap_or(u32::MAX);
    (scope, h & ((1 << TASK_BITS) - 1))
}

/// The process (key, version) of instance `scope`.
fn process_of(c: &CaseRecord, scope: u32) -> Option<(String, i64)> {
    match scope {
        0 => c.process.clone(),
        n => c.calls.get(n as usize - 1).map(|k| k.process.clone()),
    }
}

/// Instance `scope`, unless it was terminated.
pub(crate) fn instance_of(c: &CaseRecord, scope: u32) -> Option<&Instance> {
    match scope {
        0 => c.instance.as_ref(),
        n => c
            .calls
            .get(n as usize - 1)
            .filter(|k| !k.cancelled)
            .map(|k| &k.instance),
    }
}

fn instance_mut(c: &mut CaseRecord, scope: u32) -> Option<&mut Instance> {
    match scope {
        0 => c.instance.as_mut(),
        n => c.calls.get_mut(n as usize - 1).map(|k| &mut k.instance),
    }
}

/// Every live instance of the case with its number: the root, then running called ones.
pub(crate) fn live_instances(c: &CaseRecord) -> Vec<(u32, &Instance)> {
    let mut out: Vec<(u32, &Instance)> = c.instance.iter().map(|i| (0, i)).collect();
    for (i, k) in c.calls.iter().enumerate() {
        if !k.cancelled {
            out.push((u32::try_from(i + 1).unwrap_or(u32::MAX), &k.instance));
        }
    }
    out
}

/// How many calls deep instance `scope` is (the root is 0).
fn depth(c: &CaseRecord, mut scope: u32) -> usize {
    let mut d = 0;
    while scope != 0 && d <= MAX_CALL_DEPTH {
        scope = c
            .calls
            .get(scope as usize - 1)
            .map(|k| k.parent)
            .unwrap_or(0);
        d += 1;
    }
    d
}

/// Terminates the called instance of `call` in `parent` and everything it called.
fn terminate(c: &mut CaseRecord, parent: u32, call: u64) {
    let mut stack = vec![(parent, call)];
    while let Some((parent, call)) = stack.pop() {
        for (i, k) in c.calls.iter_mut().enumerate() {
            if k.parent == parent && k.call == call && !k.cancelled {
                k.cancelled = true;
                let me = u32::try_from(i + 1).unwrap_or(u32::MAX);
                stack.extend(k.instance.pending_calls().into_iter().map(|c| (me, c)));
            }
        }
    }
}

fn note(c: &mut CaseRecord, now: DateTime<Utc>, note: String) {
    c.timeline.push(TimelineEntry {
        at: now,
        status: c.status,
        actor: "workflow".into(),
        note,
        attachments: vec![],
    });
}

impl App {
    /// Runs `command` on instance `scope` of the case and everything it causes (see the module
    /// docs). `refuse` maps the engine's refusal of `command` itself; a later refusal is a bug.
    /// `except` is a task row the caller closes itself. Returns the task rows to insert.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn drive(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &mut CaseRecord,
        scope: u32,
        command: Command,
        except: Option<&str>,
        now: DateTime<Utc>,
        refuse: &(dyn Fn(EngineError) -> AppError + Sync),
    ) -> Result<Driven, AppError> {
        let mut processes: HashMap<(String, i64), Process> = HashMap::new();
        let mut queue = VecDeque::from([(scope, command)]);
        let mut rows = vec![];
        let mut first = true;
        let mut count = 0;
        while let Some((scope, command)) = queue.pop_front() {
            count += 1;
            if count > MAX_COMMANDS {
                // A runaway process (e.g. called processes fanning out): stop it where it is,
                // as an incident on the admin list.
                if let Some(root) = c.instance.as_mut() {
                    root.state = State::Incident {
                        node: 0,
                        reason: format!("more than {MAX_COMMANDS} engine steps at once"),
                    };
                }
                break;
            }
            let Some(instance) = instance_of(c, scope).cloned() else {
                if first {
                    // A task or call of a called process that was terminated meanwhile.
                    return Err(refuse(EngineError::WrongProcess));
                }
                continue; // a terminated called process: reports for it are dropped
            };
            if !first && !matches!(instance.state, State::Running | State::Ready) {
                continue; // an incident stopped the instance meanwhile
            }
            let key = process_of(c, scope)
                .ok_or_else(|| AppError::Internal("case instance without process".into()))?;
            if !processes.contains_key(&key) {
                let (_, p) = self
                    .load_process(&key.0, Some(key.1))
                    .await?
                    .ok_or_else(|| AppError::Internal("process version missing".into()))?;
                processes.insert(key.clone(), p);
            }
            let process = &processes[&key];
            let known: Vec<u64> = instance.tasks.iter().map(|t| t.id).collect();
            let step = match shenpi_workflow::step(process, &instance, command, now) {
                Ok(s) => s,
                Err(e) if first => return Err(refuse(e)),
                Err(e) => return Err(AppError::Internal(format!("workflow: {e}"))),
            };
            first = false;
            rows.extend(self.engine_rows(c, process, scope, &step.instance, &known, now));
            let state = step.instance.state.clone();
            let variables = step.instance.variables.clone();
            if let Some(slot) = instance_mut(c, scope) {
                *slot = step.instance;
            }
            if scope > 0
                && let Some(k) = c.calls.get(scope as usize - 1)
            {
                let (parent, call, name) = (k.parent, k.call, k.process.0.clone());
                match state {
                    State::Completed => {
                        note(c, now, format!("子流程 {name} 办结"));
                        queue.push_back((parent, Command::CompleteCall { call, variables }));
                    }
                    State::Incident { reason, .. } => {
                        let reason = format!("子流程 {name}：{reason}");
                        queue.push_back((parent, Command::FailCall { call, reason }));
                    }
                    _ => {}
                }
            }
            for effect in step.effects {
                match effect {
                    Effect::CallService {
                        call,
                        action,
                        input,
                        ..
                    } => match ServiceAction::parse(&action) {
                        Some(ServiceAction::Notify) => {
                            self.service_notify(tx, c, &input, now).await?;
                            let variables = Variables::new();
                            queue.push_back((scope, Command::ServiceCompleted { call, variables }));
                        }
                        Some(a) => note(
                            c,
                            now,
                            format!("等待{}答复（调用 {scope}:{call}）", a.name_zh()),
                        ),
                        None => {
                            let reason = format!("unknown platform action `{action}`");
                            queue.push_back((scope, Command::ServiceFailed { call, reason }));
                        }
                    },
                    Effect::StartCall {
                        call,
                        process_key,
                        variables,
                        ..
                    } => {
                        let latest = if depth(c, scope) >= MAX_CALL_DEPTH {
                            None
                        } else {
                            self.load_process(&process_key, None).await?
                        };
                        let Some((pv, p)) = latest else {
                            let reason = format!(
                                "called process `{process_key}` is missing or nested more than {MAX_CALL_DEPTH} deep"
                            );
                            queue.push_back((scope, Command::FailCall { call, reason }));
                            continue;
                        };
                        note(
                            c,
                            now,
                            format!(
                                "启动子流程 {}（{} v{}）",
                                p.name.clone().unwrap_or_else(|| pv.key.clone()),
                                pv.key,
                                pv.version
                            ),
                        );
                        processes.insert((pv.key.clone(), pv.version), p);
                        c.calls.push(ChildCall {
                            parent: scope,
                            call,
                            process: (pv.key, pv.version),
                            instance: Instance::new(),
                            cancelled: false,
                        });
                        let child = u32::try_from(c.calls.len())
                            .map_err(|e| AppError::Internal(e.to_string()))?;
                        queue.push_back((child, Command::Start { variables }));
                    }
                    Effect::CancelCall { call, .. } => terminate(c, scope, call),
                }
            }
        }
        let live = live_handles(c);
        rows.retain(|r| r.engine_task.is_some_and(|h| live.contains(&h)));
        let withdrawn = self.withdraw_stale(tx, c, &live, except).await?;
        Ok(Driven { rows, withdrawn })
    }

    /// Cancels the open rows of engine tasks that are no longer open, and their co-signers;
    /// returns their ids.
    async fn withdraw_stale(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        live: &HashSet<i64>,
        except: Option<&str>,
    ) -> Result<Vec<String>, AppError> {
        let open: Vec<Task> = tx
            .tasks_of_case(&c.id)
            .await?
            .into_iter()
            .filter(|t| t.status == "open" && Some(t.id.as_str()) != except)
            .collect();
        let stale: HashSet<String> = open
            .iter()
            .filter(|t| t.kind == "step" && t.engine_task.is_some_and(|h| !live.contains(&h)))
            .map(|t| t.id.clone())
            .collect();
        let mut withdrawn = vec![];
        for mut t in open {
            let gone = stale.contains(&t.id)
                || t.parent_id.as_ref().is_some_and(|p| stale.contains(p)) && t.kind == "cosign";
            if gone {
                let rev = t.revision;
                t.status = "cancelled".into();
                t.revision += 1;
                tx.update_task(&t, rev)
                    .await
                    .map_err(crate::catalog::stale)?;
                withdrawn.push(t.id);
            }
        }
        Ok(withdrawn)
    }

    /// The `notify` action: a notification to the applicant.
    async fn service_notify(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        input: &Variables,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let Some(applicant) = tx.user_by_id(&c.applicant_id).await? else {
            return Ok(());
        };
        let text = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_owned);
        let title = text("title").unwrap_or_else(|| format!("{} {}", c.number, c.item_name));
        let body = text("message").unwrap_or_else(|| "您的办件有新的进展，请查看。".into());
        tx.insert_notification(&crate::notify::message(
            applicant.username,
            c,
            "status",
            None,
            title,
            body,
            now,
        ))
        .await?;
        Ok(())
    }
}

/// Handles of every open engine task of the live instances.
fn live_handles(c: &CaseRecord) -> HashSet<i64> {
    live_instances(c)
        .into_iter()
        .flat_map(|(scope, i)| i.tasks.iter().filter_map(move |t| handle(scope, t.id)))
        .collect()
}

/// What a case's live instances wait for besides people: service replies, messages, timers
/// and called processes (shown with the case, `GET /api/v1/cases/{id}`).
pub fn waiting(c: &CaseRecord) -> Vec<Value> {
    let mut out = vec![];
    for (scope, i) in live_instances(c) {
        let process = process_of(c, scope).map(|p| p.0).unwrap_or_default();
        for t in &i.tokens {
            match t.wait {
                shenpi_workflow::Wait::Call => out.push(json!({
                    "kind": "service", "instance": scope, "call": t.id, "process": process})),
                shenpi_workflow::Wait::CalledProcess => {
                    out.push(json!({
                    "kind": "called_process", "instance": scope, "call": t.id, "process": process}))
                }
                _ => {}
            }
        }
        for s in &i.subscriptions {
            out.push(
                json!({"kind": "message", "instance": scope, "message": s.message,
                "correlation_key": s.correlation_key, "process": process}),
            );
        }
        for t in &i.timers {
            out.push(
                json!({"kind": "timer", "instance": scope, "timer": t.id, "due": t.due,
                "process": process}),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_keeps_the_instance_and_the_task_apart() {
        assert_eq!(handle(0, 7), Some(7), "root tasks keep their plain id");
        let h = handle(3, 12).unwrap();
        assert_eq!(split(h), (3, 12));
        assert_eq!(split(7), (0, 7));
        assert_eq!(handle(1, 1 << 40), None);
    }

    #[test]
    fn every_action_has_a_unique_name() {
        for (name, a) in ServiceAction::ALL {
            assert_eq!(ServiceAction::parse(name), Some(a));
        }
        assert_eq!(ServiceAction::parse("evaluate"), None);
    }
}

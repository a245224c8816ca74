//! Tasks of cases whose item names a BPMN process: the workflow engine starts after
//! acceptance, its open user tasks become task rows, and the end of the process decides.
//! Besides people, a case's process moves on messages ([`App::correlate_message`]), replies
//! to service calls ([`App::reply_service_call`]) and timers ([`App::fire_due_timers`]); every
//! engine command goes through [`App::drive`](super::drive).

use super::drive::{handle, instance_of, live_instances, split, waiting};
use super::{Outcome, new_task};

use crate::cases::{CaseRecord, TimelineEntry, Undo, record_of, stored_of};
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::{StoredCase, Task};

impl App {
    /// Starts the item's BPMN process for an accepted case, if the item names one that exists;
    /// returns the task rows of the instance's open user tasks.
    pub(super) async fn start_process(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &mut CaseRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Task>>, AppError> {
        let item = self.item_version(&c.item_code, c.item_version).await?.item;
        // A routing rule's choice wins over the item's own process; the built-in steps have none.
        let routed = crate::decisions::routed_process(&c.decisions).map(str::to_owned);
        let Some(key) = routed
            .or(item.process_key)
            .filter(|k| k != crate::diagram::BUILTIN_KEY)
        else {
            return Ok(None);
        };
        let Some((pv, _)) = self.load_process(&key, None).await? else {
            return Ok(None);
        };
        let mut vars = shenpi_workflow::Variables::new();
        vars.insert("form".into(), c.form.clone());
        vars.insert("item_code".into(), json!(c.item_code));
        vars.insert(
            "decisions".into(),
            crate::decisions::process_variables(&c.decisions),
        );
        c.process = Some((pv.key.clone(), pv.version));
        c.instance = Some(shenpi_workflow::Instance::new());
        let start = shenpi_workflow::Command::Start { variables: vars };
        let refuse = |e: shenpi_workflow::EngineError| AppError::Internal(format!("workflow: {e}"));
        let rows = self.drive(tx, c, 0, start, None, now, &refuse).await?.rows;
        note_incident(c, false, now);
        conclude(c)?;
        Ok(Some(rows))
    }

    /// Task rows for the open user tasks of instance `scope` not in `known`, their department
    /// as the process names it (routed when they are stored).
    pub(super) fn engine_rows(
        &self,
        c: &CaseRecord,
        process: &shenpi_workflow::Process,
        scope: u32,
        instance: &shenpi_workflow::Instance,
        known: &[u64],
        now: DateTime<Utc>,
    ) -> Vec<Task> {
        let due = self.case_sla(c).ok().flatten().map(|s| s.promised_deadline);
        instance
            .tasks
            .iter()
            .filter(|t| !known.contains(&t.id))
            .map(|t| {
                let node = process.nodes.get(t.node);
                let mut row = new_task(c, node.map(|n| n.id.as_str()).unwrap_or("task"), due, now);
                row.name = format!(
                    "{}：{}",
                    node.and_then(|n| n.name.clone())
                        .unwrap_or_else(|| "办理".into()),
                    c.item_name
                );
                row.candidate_role = crate::processes::task_role(process, t.node)
                    .unwrap_or_else(|| "reviewer".into());
                // As the process names it; [`App::route_tasks`] makes it a department id.
                row.department_id = crate::processes::task_department(process, t.node);
                row.engine_task = handle(scope, t.id);
                row
            })
            .collect()
    }

    /// Completes a task of a BPMN process: the engine steps; new tasks open; when the process
    /// ends, `approved` (set by the last decision) grants or denies. The instances before the
    /// step are kept so that its actor can take the completion back (取回).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn complete_engine_task(
        &self,
        mut tx: Box<dyn shenpi_store::Tx>,
        p: &Principal,
        mut task: Task,
        engine_task: i64,
        mut c: CaseRecord,
        stored: shenpi_store::model::StoredCase,
        outcome: Outcome,
        opinion: &str,
        attachments: Vec<String>,
        meta: &RequestMeta,
    ) -> Result<super::StepDone, AppError> {
        if !matches!(outcome, Outcome::Approve | Outcome::Deny) {
            return Err(AppError::rule(
                ErrorCode::OUTCOME_NOT_ALLOWED,
                json!({"step": task.step, "allowed": ["approve", "deny", "return"]}),
            ));
        }
        let now = self.clock.now();
        let mut before = Undo {
            task_id: task.id.clone(),
            instance: c
                .instance
                .clone()
                .ok_or_else(|| AppError::Internal("case without instance".into()))?,
            calls: c.calls.clone(),
            reopen: vec![],
        };
        let mut vars = shenpi_workflow::Variables::new();
        vars.insert("approved".into(), json!(outcome == Outcome::Approve));
        vars.insert("opinion".into(), json!(opinion));
        let (scope, id) = split(engine_task);
        let command = shenpi_workflow::Command::CompleteTask {
            task: id,
            variables: vars,
        };
        let refuse = |e: shenpi_workflow::EngineError| {
            AppError::rule(ErrorCode::TASK_CLOSED, json!({"reason": e.to_string()}))
        };
        let driven = self
            .drive(
                &mut tx,
                &mut c,
                scope,
                command,
                Some(&task.id),
                now,
                &refuse,
            )
            .await?;
        before.reopen = driven.withdrawn;
        let mut new_rows = driven.rows;
        for row in &mut new_rows {
            row.parent_id = Some(task.id.clone());
        }
        note_incident(&mut c, is_incident(Some(&before.instance)), now);
        conclude(&mut c)?;
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: opinion.to_string(),
            attachments,
        });
        c.undo = Some(before);
        super::close_task(&mut task, outcome.as_str(), opinion, p, now);
        self.finish_step(tx, p, task, c, &stored, new_rows, meta)
            .await
    }
}

/// When the case's own process has ended: `approved` (set by the last decision) grants or
/// denies the case.
fn conclude(c: &mut CaseRecord) -> Result<(), AppError> {
    let Some(instance) = &c.instance else {
        return Ok(());
    };
    if instance.state != shenpi_workflow::State::Completed
        || !matches!(
            c.status,
            CaseStatus::UnderReview | CaseStatus::ReviewSupplement
        )
    {
        return Ok(());
    }
    let approved = instance
        .variables
        .get("approved")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let event = if approved {
        CaseEvent::Grant
    } else {
        CaseEvent::Deny
    };
    c.status = transition(c.status, event)
        .map_err(|e| AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from})))?;
    Ok(())
}

/// Whether the case's own process stands in an incident.
pub(super) fn is_incident(instance: Option<&shenpi_workflow::Instance>) -> bool {
    matches!(
        instance.map(|i| &i.state),
        Some(shenpi_workflow::State::Incident { .. })
    )
}

/// Writes on the timeline that the case's own process went into an incident, once: when it was
/// not in one before (`was`).
fn note_incident(c: &mut CaseRecord, was: bool, now: DateTime<Utc>) {
    if was {
        return;
    }
    if let Some(shenpi_workflow::State::Incident { reason, .. }) =
        c.instance.as_ref().map(|i| &i.state)
    {
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: "workflow".into(),
            note: format!("流程异常，已转管理员处理：{reason}"),
            attachments: vec![],
        });
    }
}

impl App {
    /// 驳回 inside a BPMN process to the earlier task `back_to` of the same instance: the engine
    /// withdraws every open task of that instance (parallel branches and countersign members
    /// too; called processes are terminated) and reopens the target; the withdrawn task rows
    /// are cancelled. Returns the new task rows.
    pub(super) async fn engine_return(
        &self,
        c: &mut CaseRecord,
        tx: &mut Box<dyn shenpi_store::Tx>,
        task: &Task,
        back_to: &Task,
        now: DateTime<Utc>,
    ) -> Result<Vec<Task>, AppError> {
        let invalid = |reason: String| {
            AppError::rule(
                ErrorCode::RETURN_TARGET_INVALID,
                json!({"target": back_to.step, "reason": reason}),
            )
        };
        let scope = task.engine_task.map(split).unwrap_or_default().0;
        if back_to.engine_task.map(split).map(|s| s.0) != Some(scope) {
            return Err(invalid(
                "the target step belongs to another (called) process".into(),
            ));
        }
        let command = shenpi_workflow::Command::ReturnTo {
            element: back_to.step.clone(),
        };
        let refuse = |e: shenpi_workflow::EngineError| invalid(e.to_string());
        let rows = self
            .drive(tx, c, scope, command, Some(&task.id), now, &refuse)
            .await?
            .rows;
        c.undo = None;
        Ok(rows)
    }
}

/// A message for a case (`POST /api/v1/cases/{id}/messages`): what an outside system or an
/// administrator reports, e.g. a fee paid or an expert opinion received.
#[derive(Debug, Clone, Deserialize)]
pub struct MessageIn {
    pub name: String,
    #[serde(default)]
    pub correlation_key: Option<String>,
    #[serde(default)]
    pub variables: shenpi_workflow::Variables,
}

/// The reply to a pending service call (`POST /api/v1/cases/{id}/service-replies`).
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceReply {
    /// The instance number (0 = the case's own process) and call id, as the case's `waiting`
    /// list shows them.
    #[serde(default)]
    pub instance: u32,
    pub call: u64,
    /// `completed`, or `failed` (the case becomes an incident).
    pub outcome: ServiceOutcome,
    #[serde(default)]
    pub variables: shenpi_workflow::Variables,
    #[serde(default)]
    pub reason: String,
}

/// How a service call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceOutcome {
    Completed,
    Failed,
}

impl App {
    /// Delivers a message to the case: to the oldest matching subscription of its own process,
    /// else of its running called processes. Nothing waiting for it → `MESSAGE_NOT_CORRELATED`,
    /// and nothing changes.
    pub async fn correlate_message(
        &self,
        p: &Principal,
        case_id: &str,
        msg: &MessageIn,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        authorize(p, Action::ProcessManage, None)?;
        let name = msg.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid_text(
                "name",
                "MESSAGE_NAME_INVALID",
                "消息名称不能为空，且不超过 200 字",
                "The message name must be 1 to 200 characters",
            ));
        }
        let key = msg.correlation_key.as_deref().map(str::trim);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (stored, mut c) = self.running_case(&mut tx, case_id).await?;
        let scope = live_instances(&c)
            .into_iter()
            .filter(|(_, i)| i.state == shenpi_workflow::State::Running)
            .find(|(_, i)| i.subscriptions.iter().any(|s| s.matches(name, key)))
            .map(|(scope, _)| scope);
        let not_correlated = || {
            AppError::rule(
                ErrorCode::MESSAGE_NOT_CORRELATED,
                json!({"name": name, "correlation_key": key, "waiting": waiting(&c)}),
            )
        };
        let Some(scope) = scope else {
            return Err(not_correlated());
        };
        let command = shenpi_workflow::Command::CorrelateMessage {
            name: name.to_string(),
            correlation_key: key.map(str::to_owned),
            variables: msg.variables.clone(),
        };
        let refuse = |e: shenpi_workflow::EngineError| {
            AppError::rule(
                ErrorCode::MESSAGE_NOT_CORRELATED,
                json!({"name": name, "reason": e.to_string()}),
            )
        };
        let rows = self
            .drive(&mut tx, &mut c, scope, command, None, now, &refuse)
            .await?
            .rows;
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: format!("收到消息 {name}"),
            attachments: vec![],
        });
        let details = json!({"message": name, "instance": scope});
        self.commit_engine(tx, Some(p), c, &stored, rows, "case.message", details, meta)
            .await
    }

    /// Reports the end of a pending service call (`send_external`, and the actions that wait
    /// for their implementation): `completed` with output variables, or `failed` with a reason.
    pub async fn reply_service_call(
        &self,
        p: &Principal,
        case_id: &str,
        reply: &ServiceReply,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        authorize(p, Action::ProcessManage, None)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (stored, mut c) = self.running_case(&mut tx, case_id).await?;
        let not_found = || {
            AppError::rule(
                ErrorCode::SERVICE_CALL_NOT_FOUND,
                json!({"instance": reply.instance, "call": reply.call}),
            )
        };
        let pending = instance_of(&c, reply.instance).is_some_and(|i| {
            i.tokens
                .iter()
                .any(|t| t.id == reply.call && t.wait == shenpi_workflow::Wait::Call)
        });
        if !pending {
            return Err(not_found());
        }
        let reason: String = reply.reason.trim().chars().take(500).collect();
        let (command, note) = match reply.outcome {
            ServiceOutcome::Completed => (
                shenpi_workflow::Command::ServiceCompleted {
                    call: reply.call,
                    variables: reply.variables.clone(),
                },
                "服务调用已答复".to_string(),
            ),
            ServiceOutcome::Failed => {
                if reason.is_empty() {
                    return Err(AppError::invalid_text(
                        "reason",
                        "OPINION_REQUIRED",
                        "服务调用失败须写明原因",
                        "A failed service call needs a reason",
                    ));
                }
                (
                    shenpi_workflow::Command::ServiceFailed {
                        call: reply.call,
                        reason: reason.clone(),
                    },
                    format!("服务调用失败：{reason}"),
                )
            }
        };
        let refuse = |_| not_found();
        let rows = self
            .drive(&mut tx, &mut c, reply.instance, command, None, now, &refuse)
            .await?
            .rows;
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note,
            attachments: vec![],
        });
        let details = json!({"instance": reply.instance, "call": reply.call,
            "outcome": format!("{:?}", reply.outcome).to_lowercase()});
        self.commit_engine(
            tx,
            Some(p),
            c,
            &stored,
            rows,
            "case.service_reply",
            details,
            meta,
        )
        .await
    }

    /// Fires timer `timer` of instance `scope` of case `case_id` if it is still armed.
    pub(super) async fn fire_timer(
        &self,
        case_id: &str,
        scope: u32,
        timer: u64,
    ) -> Result<bool, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // Read again: another scan or node may have moved the case on.
        let Some(stored) = tx.case_by_id(case_id).await? else {
            return Ok(false);
        };
        let mut c = record_of(&stored)?;
        let armed = c.status == CaseStatus::UnderReview
            && instance_of(&c, scope).is_some_and(|i| {
                i.state == shenpi_workflow::State::Running && i.timers.iter().any(|t| t.id == timer)
            });
        if !armed {
            return Ok(false);
        }
        let command = shenpi_workflow::Command::FireTimer { timer };
        let refuse = |e: shenpi_workflow::EngineError| AppError::Internal(e.to_string());
        let rows = self
            .drive(&mut tx, &mut c, scope, command, None, now, &refuse)
            .await?
            .rows;
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: "workflow".into(),
            note: "定时事件触发".into(),
            attachments: vec![],
        });
        let details = json!({"instance": scope, "timer": timer});
        let meta = RequestMeta::system();
        self.commit_engine(tx, None, c, &stored, rows, "case.timer", details, &meta)
            .await?;
        Ok(true)
    }

    /// The case `case_id` if it runs a process and is under review. While it is with the
    /// applicant (审查补正) the process stands still: messages and replies are refused then.
    async fn running_case(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        case_id: &str,
    ) -> Result<(StoredCase, CaseRecord), AppError> {
        let stored = tx
            .case_by_id(case_id)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({"id": case_id})))?;
        let c = record_of(&stored)?;
        if c.instance.is_none() || c.status != CaseStatus::UnderReview {
            return Err(AppError::rule(
                ErrorCode::CASE_WRONG_STATUS,
                json!({"status": c.status}),
            ));
        }
        Ok((stored, c))
    }

    /// Stores an engine change that no task completion carries (a message, a service reply, a
    /// timer): new task rows, the case (its decision and notice if the process ended), the
    /// applicant's and the admins' notifications, the audit entry; commits.
    #[allow(clippy::too_many_arguments)]
    async fn commit_engine(
        &self,
        mut tx: Box<dyn shenpi_store::Tx>,
        actor: Option<&Principal>,
        mut c: CaseRecord,
        stored: &StoredCase,
        mut rows: Vec<Task>,
        action: &str,
        details: serde_json::Value,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        let now = self.clock.now();
        let before = c.status;
        let was_incident = is_incident(record_of(stored)?.instance.as_ref());
        note_incident(&mut c, was_incident, now);
        conclude(&mut c)?;
        // What the instances were before is gone now: no 取回 across this change.
        c.undo = None;
        if before != c.status {
            let reasons = c
                .instance
                .as_ref()
                .and_then(|i| i.variables.get("opinion"))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            self.issue_notice_for(&mut tx, &mut c, before, &reasons)
                .await?;
        }
        self.route_tasks(&mut tx, &c, &mut rows).await?;
        for t in &rows {
            tx.insert_task(t).await?;
        }
        let updated = stored_of(
            &c,
            &stored.idempotency_key,
            stored.revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&updated, stored.revision)
            .await
            .map_err(crate::catalog::stale)?;
        if before != c.status {
            self.notify_applicant(&mut tx, &c, now).await?;
        }
        if let Some(shenpi_workflow::State::Incident { reason, .. }) =
            c.instance.as_ref().map(|i| &i.state)
            && !was_incident
        {
            self.notify_incident(&mut tx, &c, reason, now).await?;
        }
        let mut details = details;
        details["case"] = json!(c.number);
        details["status"] = json!(c.status);
        tx.append_audit(meta.audit(
            now,
            &c.region,
            actor.map(|p| &p.user),
            action,
            ("case", &c.id),
            "success",
            details,
        ))
        .await?;
        tx.commit().await?;
        self.notices_issued(&c);
        Ok(c)
    }
}

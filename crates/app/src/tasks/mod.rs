//! Tasks (待办) and the built-in approval steps: 受理 (accept) by a window clerk, 审查 (review)
//! by a reviewer, 决定 (decide) by an approver — the shape of the standard `approval` workload.
//! Items whose process is defined in BPMN run on the workflow engine instead (the engine
//! creates the same task rows); every legal status change goes through
//! [`shenpi_domain::case::lifecycle::transition`].
//!
//! - [`engine`]: tasks of cases whose item runs a BPMN process; [`drive`]: stepping its
//!   instances and carrying out what the engine asks for (actions, called processes).
//! - [`oversight`]: special procedures that pause the clock, and e-supervision (电子监察).
//! - [`open_steps`]: the steps a case waits on, as a step leaves them and as applicants see them.
//! - [`wakeups`]: the scan of due cases: pending notices sealed, due workflow timers fired.
//! - [`route`]: the department (部门) each new task belongs to; staff of a department see and
//!   act on its tasks and on tasks of none ([`crate::policy::in_department_scope`]).

mod actions;
pub mod drive;
mod engine;
mod open_steps;
mod oversight;
mod route;
mod wakeups;
mod workbench;

pub use actions::Handover;
pub use engine::{MessageIn, ServiceOutcome, ServiceReply};
pub use open_steps::{StepDone, open_task_view};
pub use wakeups::{SCAN_CASES, WakeupScan};
pub use workbench::{BATCH_OUTCOMES, BatchResult, Counters};

pub use oversight::SupervisedCase;

use crate::cases::{CaseRecord, TimelineEntry, record_of, stored_of};
use crate::policy::{in_department_scope, in_region_scope};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shenpi_domain::case::deadline::{CaseClock, SlaRules, SlaStatus};
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::Task;

/// What a person decides on a task: `POST /api/v1/tasks/{id}/complete`.
#[derive(Debug, Clone, Deserialize)]
pub struct Completion {
    pub outcome: Outcome,
    /// The opinion (意见), usually a standard phrase of the item, edited.
    #[serde(default)]
    pub opinion: String,
    /// For `return` (驳回/退回): `previous`, `applicant`, or the step id of an earlier step.
    #[serde(default)]
    pub target: Option<String>,
    /// Files (ids of uploaded materials) attached to the opinion.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl Completion {
    /// An outcome with an opinion, nothing else.
    pub fn new(outcome: Outcome, opinion: &str) -> Self {
        Completion {
            outcome,
            opinion: opinion.to_string(),
            target: None,
            attachments: vec![],
        }
    }
}

/// The closed list of task outcomes; each step allows some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 受理
    Accept,
    /// 一次性补正告知
    RequestSupplement,
    /// 不予受理
    RefuseToAccept,
    /// 审查通过 / 准予
    Approve,
    /// 不予
    Deny,
    /// 驳回/退回: to the previous step, to the applicant or to a chosen earlier step.
    Return,
}

impl Outcome {
    /// The stable name (as in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accept => "accept",
            Outcome::RequestSupplement => "request_supplement",
            Outcome::RefuseToAccept => "refuse_to_accept",
            Outcome::Approve => "approve",
            Outcome::Deny => "deny",
            Outcome::Return => "return",
        }
    }
}

/// The outcomes a task allows: its step's, a BPMN task's, or a co-signer's.
pub fn allowed_outcomes(task: &Task) -> &'static [Outcome] {
    if task.kind == "cosign" {
        return &[Outcome::Approve, Outcome::Deny];
    }
    if task.engine_task.is_some() {
        return &[Outcome::Approve, Outcome::Deny, Outcome::Return];
    }
    STEPS
        .iter()
        .find(|s| s.0 == task.step)
        .map(|s| s.3)
        .unwrap_or(&[])
}

/// Marks `task` completed by the caller.
pub(crate) fn close_task(
    task: &mut Task,
    outcome: &str,
    opinion: &str,
    p: &Principal,
    now: DateTime<Utc>,
) {
    task.status = "completed".into();
    task.outcome = Some(outcome.to_string());
    task.opinion = Some(opinion.to_string());
    task.completed_by = Some(p.user.username.clone());
    task.completed_at = Some(now);
}

/// The steps of the built-in process: (step, name, candidate role, allowed outcomes).
const STEPS: &[(&str, &str, &str, &[Outcome])] = &[
    (
        "accept",
        "受理",
        "clerk",
        &[
            Outcome::Accept,
            Outcome::RequestSupplement,
            Outcome::RefuseToAccept,
        ],
    ),
    (
        "review",
        "审查",
        "reviewer",
        &[Outcome::Approve, Outcome::Deny, Outcome::Return],
    ),
    (
        "decide",
        "决定",
        "approver",
        &[Outcome::Approve, Outcome::Deny, Outcome::Return],
    ),
];

/// A new open task of `step` for a case.
pub(crate) fn new_task(
    c: &CaseRecord,
    step: &str,
    due_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Task {
    let (name, role) = STEPS
        .iter()
        .find(|s| s.0 == step)
        .map(|s| (s.1, s.2))
        .unwrap_or(("办理", "clerk"));
    Task {
        id: shenpi_store::new_id(),
        case_id: c.id.clone(),
        region_code: c.region.clone(),
        step: step.to_string(),
        name: format!("{name}：{}", c.item_name),
        candidate_role: role.to_string(),
        assignee: None,
        status: "open".into(),
        outcome: None,
        opinion: None,
        completed_by: None,
        due_on,
        created_at: now,
        completed_at: None,
        revision: 1,
        engine_task: None,
        owner: None,
        kind: "step".into(),
        parent_id: None,
        department_id: None,
    }
}

/// A task in a to-do list, with the case's SLA when the clock runs.
#[derive(Debug, Clone, Serialize)]
pub struct TodoItem {
    pub task: Task,
    pub case_number: String,
    pub sla: Option<SlaStatus>,
}

impl App {
    /// The SLA of an accepted case today.
    pub fn case_sla(&self, c: &CaseRecord) -> Result<Option<SlaStatus>, AppError> {
        let Some(accepted_on) = c.accepted_on else {
            return Ok(None);
        };
        if !matches!(
            c.status,
            CaseStatus::UnderReview | CaseStatus::SpecialProcedure
        ) {
            return Ok(None);
        }
        let clock = CaseClock {
            accepted_on,
            promised_days: c.promised_days,
            statutory_days: c.statutory_days,
            pauses: c.pauses.clone(),
        };
        Ok(Some(clock.status(
            &self.calendar(),
            self.today(),
            SlaRules::default(),
        )?))
    }

    /// The caller's to-do list (待办): open tasks for their roles in their region scope and, for
    /// staff of a department, of their department (or of none); the least remaining time first.
    pub async fn todo(&self, p: &Principal) -> Result<Vec<TodoItem>, AppError> {
        let roles: Vec<String> = p
            .user
            .roles
            .iter()
            .map(|r| r.as_str().to_string())
            .collect();
        let region = crate::policy::default_region_filter(p);
        let (tasks, cases) = {
            let mut tx = self.store.read().await?;
            let department = p.user.department_id.as_deref();
            let mut tasks = tx
                .open_tasks(&roles, region.as_deref(), department, 200)
                .await?;
            for t in tx.open_tasks_assigned(&p.user.username, 200).await? {
                if !tasks.iter().any(|k| k.id == t.id) {
                    tasks.push(t);
                }
            }
            let mut cases = vec![];
            for t in &tasks {
                cases.push(tx.case_by_id(&t.case_id).await?);
            }
            (tasks, cases)
        };
        let mut out = vec![];
        for (t, c) in tasks.into_iter().zip(cases) {
            let Some(c) = c else { continue };
            if t.assignee.as_ref().is_some_and(|a| a != &p.user.username) {
                continue;
            }
            let record = record_of(&c)?;
            out.push(TodoItem {
                sla: self.case_sla(&record)?,
                case_number: record.number,
                task: t,
            });
        }
        out.sort_by_key(|i| {
            (
                i.sla.as_ref().map(|s| s.remaining_days).unwrap_or(i64::MAX),
                i.task.due_on,
                i.task.created_at,
            )
        });
        Ok(out)
    }

    /// Completes a task with an outcome the step allows, moving the case on, in one transaction.
    ///
    /// A delegated task (委派) is resolved by its delegate, not completed; a task whose co-signers
    /// (加签) have not answered cannot be completed; a co-signer's task records an opinion only.
    pub async fn complete_task(
        &self,
        p: &Principal,
        task_id: &str,
        done: &Completion,
        meta: &RequestMeta,
    ) -> Result<StepDone, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let outcome = done.outcome;
        // A decision that grants issues a certificate with two signatures: most of their cost
        // is paid here, before the write transaction.
        if outcome == Outcome::Approve {
            self.cert_keys.prepare(2);
        }
        let mut tx = self.store.begin().await?;
        let not_found = || AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id}));
        let mut task = my_open_task(&mut tx, p, task_id).await?;
        if task.owner.is_some() {
            return Err(AppError::rule(
                ErrorCode::TASK_DELEGATED,
                json!({"owner": task.owner}),
            ));
        }
        let allowed = allowed_outcomes(&task);
        if !allowed.contains(&outcome) {
            return Err(AppError::rule(
                ErrorCode::OUTCOME_NOT_ALLOWED,
                json!({"step": task.step, "allowed": allowed}),
            ));
        }
        let opinion: String = done.opinion.trim().chars().take(2000).collect();
        if matches!(
            outcome,
            Outcome::RequestSupplement | Outcome::RefuseToAccept | Outcome::Deny | Outcome::Return
        ) && opinion.is_empty()
        {
            return Err(AppError::invalid_text(
                "opinion",
                "OPINION_REQUIRED",
                "补正、退回、不予受理和不予许可须写明内容和理由",
                "A supplement request, return or refusal needs its content and reasons",
            ));
        }
        let attachments = self.check_attachments(p, &done.attachments).await?;
        let pending = tx
            .child_tasks(&task.id)
            .await?
            .into_iter()
            .filter(|t| t.kind == "cosign" && t.status == "open")
            .count();
        if pending > 0 {
            return Err(AppError::rule(
                ErrorCode::COSIGN_PENDING,
                json!({"pending": pending}),
            ));
        }
        let stored = tx.case_by_id(&task.case_id).await?.ok_or_else(not_found)?;
        let mut c = self.case_cache.take(&stored)?;
        if task.kind == "cosign" {
            let verdict = if outcome == Outcome::Approve {
                "同意"
            } else {
                "不同意"
            };
            c.timeline.push(TimelineEntry {
                at: now,
                status: c.status,
                actor: p.user.username.clone(),
                note: format!("加签意见（{verdict}）：{opinion}"),
                attachments,
            });
            close_task(&mut task, "cosign", &opinion, p, now);
            return self
                .finish_step(tx, p, task, c, &stored, vec![], meta)
                .await;
        }
        if outcome == Outcome::Return {
            return self
                .return_task(
                    tx,
                    p,
                    task,
                    c,
                    &stored,
                    done.target.as_deref(),
                    &opinion,
                    attachments,
                    meta,
                )
                .await;
        }
        if let Some(engine_task) = task.engine_task {
            return self
                .complete_engine_task(
                    tx,
                    p,
                    task,
                    engine_task,
                    c,
                    stored,
                    outcome,
                    &opinion,
                    attachments,
                    meta,
                )
                .await;
        }
        let (event, next) = match (task.step.as_str(), outcome) {
            ("accept", Outcome::Accept) => (Some(CaseEvent::Accept), Some("review")),
            ("accept", Outcome::RequestSupplement) => (Some(CaseEvent::RequestSupplement), None),
            ("accept", Outcome::RefuseToAccept) => (Some(CaseEvent::RefuseToAccept), None),
            ("review", _) => (None, Some("decide")),
            ("decide", Outcome::Approve) => (Some(CaseEvent::Grant), None),
            ("decide", _) => (Some(CaseEvent::Deny), None),
            _ => (None, None),
        };
        if let Some(e) = event {
            c.status = transition(c.status, e).map_err(|e| {
                AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from}))
            })?;
        }
        match outcome {
            Outcome::Accept => c.accepted_on = Some(today),
            Outcome::RequestSupplement => c.supplement_request = Some(opinion.clone()),
            _ => {}
        }
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: opinion.clone(),
            attachments,
        });
        close_task(&mut task, outcome.as_str(), &opinion, p, now);
        // After acceptance, an item with a BPMN process runs on the workflow engine.
        let engine_tasks = if outcome == Outcome::Accept {
            self.start_process(&mut tx, &mut c, now).await?
        } else {
            None
        };
        let mut new_tasks = match (engine_tasks, next) {
            (Some(rows), _) => rows,
            (None, Some(step)) => {
                let due = self.case_sla(&c)?.map(|s| s.promised_deadline);
                vec![new_task(&c, step, due, now)]
            }
            (None, None) => vec![],
        };
        for t in &mut new_tasks {
            t.parent_id = Some(task.id.clone());
        }
        self.finish_step(tx, p, task, c, &stored, new_tasks, meta)
            .await
    }

    /// Stores a completed task, the tasks it opened and the case, with the audit entry and the
    /// applicant's notifications, and commits.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn finish_step(
        &self,
        mut tx: Box<dyn shenpi_store::Tx>,
        p: &Principal,
        mut task: Task,
        mut c: CaseRecord,
        stored: &shenpi_store::model::StoredCase,
        mut new_tasks: Vec<Task>,
        meta: &RequestMeta,
    ) -> Result<StepDone, AppError> {
        let now = self.clock.now();
        let before = crate::cases::status_of(stored)?;
        self.route_tasks(&mut tx, &c, &mut new_tasks).await?;
        if before != c.status {
            let opinion = task.opinion.clone().unwrap_or_default();
            self.issue_notice_for(&mut tx, &mut c, before, &opinion)
                .await?;
        }
        let task_rev = task.revision;
        task.revision += 1;
        tx.update_task(&task, task_rev)
            .await
            .map_err(crate::catalog::stale)?;
        for t in &new_tasks {
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
            && !engine::is_incident(record_of(stored)?.instance.as_ref())
        {
            self.notify_incident(&mut tx, &c, reason, now).await?;
        }
        tx.append_audit(meta.audit(now, &c.region, Some(&p.user), "task.complete", ("task", &task.id), "success",
            json!({"case": c.number, "step": task.step, "outcome": task.outcome, "status": c.status, "process": c.process})))
            .await?;
        let open_tasks = tx.open_tasks_of_case(&c.id).await?;
        tx.commit().await?;
        self.case_cache.put(updated.json, c.clone());
        self.notices_issued(&c);
        Ok(StepDone {
            case: c,
            open_tasks,
        })
    }

    /// The attachments of an opinion: files the caller uploaded.
    async fn check_attachments(
        &self,
        p: &Principal,
        ids: &[String],
    ) -> Result<Vec<String>, AppError> {
        if ids.len() > 20 {
            return Err(AppError::invalid_text(
                "attachments",
                "TOO_MANY_ATTACHMENTS",
                "附件不能超过 20 个",
                "At most 20 attachments",
            ));
        }
        for id in ids {
            let f = self.material(p, id).await?;
            if f.owner_id != p.user.id {
                return Err(AppError::NotFound("material".into()));
            }
        }
        Ok(ids.to_vec())
    }

    /// The applicant answers a supplement request once: the case goes back to acceptance.
    pub async fn supplement_case(
        &self,
        p: &Principal,
        case_id: &str,
        materials: std::collections::BTreeMap<String, String>,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        let (mut c, revision) = self.case(p, case_id).await?;
        if c.applicant_id != p.user.id {
            return Err(AppError::Forbidden("case.supplement".into()));
        }
        for file_id in materials.values() {
            let f = self.material(p, file_id).await?;
            if f.owner_id != p.user.id {
                return Err(AppError::Forbidden("case.supplement".into()));
            }
        }
        let during_review = c.status == CaseStatus::ReviewSupplement;
        c.status = transition(c.status, CaseEvent::Supplemented)
            .map_err(|e| AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from})))?;
        c.materials.extend(materials);
        let now = self.clock.now();
        let today = self.today();
        if during_review && let Some(pause) = c.pauses.last_mut().filter(|p| p.to.is_none()) {
            pause.to = Some(today);
        }
        let back = if during_review {
            c.returned_from.take()
        } else {
            None
        };
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: "已补正".into(),
            attachments: vec![],
        });
        let mut tx = self.store.begin().await?;
        let stored = tx
            .case_by_id(case_id)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({})))?;
        let updated = stored_of(
            &c,
            &stored.idempotency_key,
            revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&updated, revision)
            .await
            .map_err(crate::catalog::stale)?;
        if let Some(back) = back {
            // The step that returned the case to the applicant takes it up again.
            let due = self.case_sla(&c)?.map(|s| s.promised_deadline);
            let mut t = new_task(&c, &back.step, due, now);
            t.name = back.name;
            t.candidate_role = back.role;
            t.engine_task = back.engine_task;
            t.assignee = Some(back.by);
            t.department_id = back.department;
            self.route_tasks(&mut tx, &c, std::slice::from_mut(&mut t))
                .await?;
            tx.insert_task(&t).await?;
        } else if c.partner.is_some() {
            // A partner's sub-case: the partner gets the supplement by webhook.
            self.queue_delivery(&mut tx, &c, "subcase.supplemented")
                .await?;
        } else {
            // Acceptance is due five working days after the complete supplement arrived.
            let due = shenpi_domain::case::deadline::acceptance_due(&self.calendar(), today)?;
            tx.insert_task(&new_task(&c, "accept", Some(due), now))
                .await?;
        }
        tx.append_audit(meta.audit(
            now,
            &c.region,
            Some(&p.user),
            "case.supplement",
            ("case", case_id),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        Ok(c)
    }
}
impl App {
    /// Claims (签收) or releases an open task of the caller's role and region. A claimed task is
    /// shown to and completed by the claimant only.
    pub async fn claim_task(
        &self,
        p: &Principal,
        task_id: &str,
        claim: bool,
        meta: &RequestMeta,
    ) -> Result<Task, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut task = my_open_task(&mut tx, p, task_id).await?;
        task.assignee = claim.then(|| p.user.username.clone());
        let rev = task.revision;
        task.revision += 1;
        tx.update_task(&task, rev)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            &task.region_code,
            Some(&p.user),
            if claim { "task.claim" } else { "task.release" },
            ("task", task_id),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }
}

impl App {
    /// The tasks the caller completed (已办), newest first.
    pub async fn done_tasks(&self, p: &Principal) -> Result<Vec<Task>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx.tasks_completed_by(&p.user.username, 100).await?)
    }
}

/// The open task `task_id` if the caller may act on it: assigned to them (claimed, transferred,
/// delegated, co-signing), or of their role, region and department (see
/// [`in_department_scope`]) and not assigned to someone else. Anyone else's task is reported
/// as missing.
pub(crate) async fn my_open_task(
    tx: &mut Box<dyn shenpi_store::Tx>,
    p: &Principal,
    task_id: &str,
) -> Result<Task, AppError> {
    let not_found = || AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id}));
    let task = tx.task(task_id).await?.ok_or_else(not_found)?;
    let assigned_to_me = task.assignee.as_deref() == Some(p.user.username.as_str());
    let mine = assigned_to_me
        || (p
            .user
            .roles
            .iter()
            .any(|r| r.as_str() == task.candidate_role)
            && in_region_scope(p, &task.region_code)
            && in_department_scope(p, task.department_id.as_deref()));
    if !mine {
        return Err(not_found());
    }
    if task.status != "open" {
        return Err(AppError::rule(
            ErrorCode::TASK_CLOSED,
            json!({"id": task_id}),
        ));
    }
    if task
        .assignee
        .as_ref()
        .is_some_and(|a| a != &p.user.username)
    {
        return Err(AppError::rule(
            ErrorCode::TASK_CLAIMED,
            json!({"id": task_id}),
        ));
    }
    Ok(task)
}

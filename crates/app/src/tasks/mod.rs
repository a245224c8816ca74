//! Tasks (待办) and the built-in approval steps: 受理 (accept) by a window clerk, 审查 (review)
//! by a reviewer, 决定 (decide) by an approver — the shape of the standard `approval` workload.
//! Items whose process is defined in BPMN run on the workflow engine instead (the engine
//! creates the same task rows); every legal status change goes through
//! [`shenpi_domain::case::lifecycle::transition`].
//!
//! - [`engine`]: tasks of cases whose item runs a BPMN process.
//! - [`oversight`]: special procedures that pause the clock, and e-supervision (电子监察).

mod engine;
mod oversight;

pub use oversight::SupervisedCase;

use crate::cases::{CaseRecord, TimelineEntry, record_of, stored_of};
use crate::policy::in_region_scope;
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shenpi_domain::case::deadline::{CaseClock, SlaRules, SlaStatus};
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::Task;

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
        &[Outcome::Approve, Outcome::Deny],
    ),
    (
        "decide",
        "决定",
        "approver",
        &[Outcome::Approve, Outcome::Deny],
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

    /// The caller's to-do list (待办): open tasks for their roles in their region scope, the
    /// least remaining time first.
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
            let tasks = tx.open_tasks(&roles, region.as_deref(), 200).await?;
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
    pub async fn complete_task(
        &self,
        p: &Principal,
        task_id: &str,
        outcome: Outcome,
        opinion: &str,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let mut tx = self.store.begin().await?;
        let not_found = || AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id}));
        let mut task = my_open_task(&mut tx, p, task_id).await?;
        let allowed = if task.engine_task.is_some() {
            &[Outcome::Approve, Outcome::Deny][..]
        } else {
            STEPS
                .iter()
                .find(|s| s.0 == task.step)
                .map(|s| s.3)
                .unwrap_or(&[])
        };
        if !allowed.contains(&outcome) {
            return Err(AppError::rule(
                ErrorCode::OUTCOME_NOT_ALLOWED,
                json!({"step": task.step, "allowed": allowed}),
            ));
        }
        let opinion = opinion.trim();
        if matches!(
            outcome,
            Outcome::RequestSupplement | Outcome::RefuseToAccept | Outcome::Deny
        ) && opinion.is_empty()
        {
            return Err(AppError::invalid_text(
                "opinion",
                "OPINION_REQUIRED",
                "补正、不予受理和不予许可须写明内容和理由",
                "A supplement request or refusal needs its content and reasons",
            ));
        }
        let stored = tx.case_by_id(&task.case_id).await?.ok_or_else(not_found)?;
        let mut c = record_of(&stored)?;
        if let Some(engine_task) = task.engine_task {
            return self
                .complete_engine_task(tx, p, task, engine_task, c, stored, outcome, opinion, meta)
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
            Outcome::RequestSupplement => c.supplement_request = Some(opinion.to_string()),
            _ => {}
        }
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: opinion.chars().take(2000).collect(),
        });
        task.status = "completed".into();
        task.outcome = Some(
            serde_json::to_value(outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        );
        task.opinion = Some(opinion.chars().take(2000).collect());
        task.completed_by = Some(p.user.username.clone());
        task.completed_at = Some(now);
        let task_rev = task.revision;
        task.revision += 1;
        tx.update_task(&task, task_rev)
            .await
            .map_err(crate::catalog::stale)?;
        // After acceptance, an item with a BPMN process runs on the workflow engine.
        let engine_tasks = if outcome == Outcome::Accept {
            self.start_process(&mut c, now).await?
        } else {
            None
        };
        match (engine_tasks, next) {
            (Some(rows), _) => {
                for t in rows {
                    tx.insert_task(&t).await?;
                }
            }
            (None, Some(step)) => {
                let due = self.case_sla(&c)?.map(|s| s.promised_deadline);
                tx.insert_task(&new_task(&c, step, due, now)).await?;
            }
            (None, None) => {}
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
        tx.append_audit(meta.audit(now, &c.region, Some(&p.user), "task.complete", ("task", task_id), "success",
            json!({"case": c.number, "step": task.step, "outcome": task.outcome, "status": c.status})))
            .await?;
        tx.commit().await?;
        Ok(c)
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
        c.status = transition(c.status, CaseEvent::Supplemented)
            .map_err(|e| AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from})))?;
        c.materials.extend(materials);
        let now = self.clock.now();
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: "已补正".into(),
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
        // Acceptance is due five working days after the complete supplement arrived.
        let due = shenpi_domain::case::deadline::acceptance_due(&self.calendar(), self.today())?;
        tx.insert_task(&new_task(&c, "accept", Some(due), now))
            .await?;
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

/// The open task `task_id` if the caller may act on it: their role and region, and not claimed
/// by someone else. Anyone else's task is reported as missing.
async fn my_open_task(
    tx: &mut Box<dyn shenpi_store::Tx>,
    p: &Principal,
    task_id: &str,
) -> Result<Task, AppError> {
    let not_found = || AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id}));
    let task = tx.task(task_id).await?.ok_or_else(not_found)?;
    let mine = p
        .user
        .roles
        .iter()
        .any(|r| r.as_str() == task.candidate_role)
        && in_region_scope(p, &task.region_code);
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

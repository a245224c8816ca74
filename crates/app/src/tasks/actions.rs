//! The workbench actions officials expect (../shared/UX.md), each with one specified behaviour:
//!
//! - 驳回/退回 ([`Outcome::Return`]): to the previous step, to the applicant (审查补正, the clock
//!   pauses by default), or to a chosen earlier step. Out of a BPMN process every open task of
//!   the case — other parallel branches and countersign members too — is withdrawn and the
//!   process resumes at the chosen step.
//! - 取回 (take back): the actor of the last completion takes it back while every task it opened
//!   is still open and unclaimed; those tasks are withdrawn and the actor's task reopens.
//! - 转办 (transfer): the holder hands the task to a colleague of the step's role; it is theirs.
//! - 委派 (delegate): the holder asks a colleague to handle it; the delegate writes an opinion and
//!   resolves it (办理完毕), which hands it back; the owner may also take it back (收回) first.
//!   Only the owner completes the task.
//! - 加签 (add a signer): the holder asks a colleague's opinion before deciding; the task cannot
//!   be completed until every co-signer has answered (同意/不同意, recorded on the timeline).
//! - 改派 (reassign): a supervisor gives an absent colleague's task to someone else, with a reason.
//!
//! A task stays in its department (部门): 转办, 委派 and 改派 go to colleagues of that
//! department (or of none); 加签 may ask a colleague of another department for an opinion.
//!
//! Every action is audited and leaves the case's timeline readable.

use super::{Outcome, close_task, my_open_task, new_task};
use crate::cases::{CaseRecord, ReturnPoint, TimelineEntry, record_of, stored_of};
use crate::policy::{in_department_scope, in_region_scope};
use crate::{App, AppError, Principal, RequestMeta};
use serde_json::json;
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::org::Role;
use shenpi_store::model::{StoredCase, Task, User};

/// The roles that handle case steps.
const HANDLING: [Role; 3] = [Role::Clerk, Role::Reviewer, Role::Approver];

/// What can be done to a task by someone other than its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// 转办
    Transfer,
    /// 委派
    Delegate,
    /// 加签
    AddSigner,
    /// 改派 by a supervisor
    Reassign,
}

impl Handover {
    fn audit_action(self) -> &'static str {
        match self {
            Handover::Transfer => "task.transfer",
            Handover::Delegate => "task.delegate",
            Handover::AddSigner => "task.add_signer",
            Handover::Reassign => "task.reassign",
        }
    }
}

/// A staff account that may take a task of `region` (with `role` when the step needs it).
async fn colleague(
    tx: &mut Box<dyn shenpi_store::Tx>,
    username: &str,
    region: &str,
    role: Option<&str>,
) -> Result<User, AppError> {
    let invalid = || AppError::rule(ErrorCode::ASSIGNEE_INVALID, json!({"to": username}));
    let u = tx
        .user_by_username(username.trim())
        .await?
        .ok_or_else(invalid)?;
    let fits = match role {
        Some(role) => u.roles.iter().any(|r| r.as_str() == role),
        None => u.roles.iter().any(|r| HANDLING.contains(r)),
    };
    if u.disabled || !fits || u.region_code != region {
        return Err(invalid());
    }
    Ok(u)
}

impl App {
    /// 转办 / 委派 / 加签 / 改派 of task `task_id` to the colleague `to`.
    pub async fn hand_over(
        &self,
        p: &Principal,
        task_id: &str,
        how: Handover,
        to: &str,
        note: &str,
        meta: &RequestMeta,
    ) -> Result<Task, AppError> {
        let now = self.clock.now();
        let note: String = note.trim().chars().take(500).collect();
        let mut tx = self.store.begin().await?;
        let mut task = if how == Handover::Reassign {
            crate::policy::authorize(p, crate::policy::Action::Supervise, None)?;
            let t = tx
                .task(task_id)
                .await?
                .filter(|t| {
                    in_region_scope(p, &t.region_code)
                        && in_department_scope(p, t.department_id.as_deref())
                })
                .ok_or_else(|| AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id})))?;
            if t.status != "open" {
                return Err(AppError::rule(
                    ErrorCode::TASK_CLOSED,
                    json!({"id": task_id}),
                ));
            }
            if note.is_empty() {
                return Err(AppError::invalid_text(
                    "reason",
                    "REASON_REQUIRED",
                    "改派须写明原因（如：请假）",
                    "Give the reason for the reassignment (e.g. leave)",
                ));
            }
            t
        } else {
            my_open_task(&mut tx, p, task_id).await?
        };
        if task.kind == "cosign" && how != Handover::Reassign {
            return Err(AppError::rule(
                ErrorCode::OUTCOME_NOT_ALLOWED,
                json!({"step": "cosign"}),
            ));
        }
        if task.owner.is_some() && how != Handover::Reassign {
            return Err(AppError::rule(
                ErrorCode::TASK_DELEGATED,
                json!({"owner": task.owner}),
            ));
        }
        let role = match how {
            Handover::Transfer | Handover::Reassign => Some(task.candidate_role.as_str()),
            Handover::Delegate | Handover::AddSigner => None,
        };
        let target = colleague(&mut tx, to, &task.region_code, role).await?;
        // The task stays in its department (部门) unless a colleague's opinion is asked (加签).
        let other_department = match (&target.department_id, &task.department_id) {
            (Some(theirs), Some(its)) => theirs != its,
            _ => false,
        };
        if other_department && how != Handover::AddSigner {
            return Err(AppError::rule(
                ErrorCode::ASSIGNEE_INVALID,
                json!({"to": to, "department": task.department_id}),
            ));
        }
        if target.username == p.user.username || task.assignee.as_deref() == Some(to) {
            return Err(AppError::rule(
                ErrorCode::ASSIGNEE_INVALID,
                json!({"to": to}),
            ));
        }
        let stored = tx
            .case_by_id(&task.case_id)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({})))?;
        let mut c = record_of(&stored)?;
        let verb = match how {
            Handover::Transfer => "转办给",
            Handover::Delegate => "委派给",
            Handover::AddSigner => "加签：请",
            Handover::Reassign => "改派给",
        };
        let mut line = format!("{}{verb}{}", task.name, target.display_name);
        if !note.is_empty() {
            line.push_str(&format!("（{note}）"));
        }
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: line,
            attachments: vec![],
        });
        let rev = task.revision;
        match how {
            Handover::Transfer | Handover::Reassign => {
                task.assignee = Some(target.username.clone());
                task.owner = None;
            }
            Handover::Delegate => {
                task.owner = Some(p.user.username.clone());
                task.assignee = Some(target.username.clone());
            }
            Handover::AddSigner => {
                // The holder keeps the task (claimed, so the co-signature is theirs to wait for).
                task.assignee = Some(p.user.username.clone());
                let role = target
                    .roles
                    .iter()
                    .find(|r| HANDLING.contains(r))
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_else(|| task.candidate_role.clone());
                let mut cosign = new_task(&c, &task.step, task.due_on, now);
                cosign.name = format!("加签：{}", task.name);
                cosign.kind = "cosign".into();
                cosign.candidate_role = role;
                cosign.assignee = Some(target.username.clone());
                cosign.parent_id = Some(task.id.clone());
                cosign.department_id = task.department_id.clone();
                tx.insert_task(&cosign).await?;
            }
        }
        task.revision += 1;
        tx.update_task(&task, rev)
            .await
            .map_err(crate::catalog::stale)?;
        let updated = stored_of(
            &c,
            &stored.idempotency_key,
            stored.revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&updated, stored.revision)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            &task.region_code,
            Some(&p.user),
            how.audit_action(),
            ("task", task_id),
            "success",
            json!({"case": c.number, "to": target.username, "note": note}),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// 委派 ends: the delegate resolves the task with an opinion (办理完毕, handing it back), or the
    /// owner takes it back (收回) before that.
    pub async fn end_delegation(
        &self,
        p: &Principal,
        task_id: &str,
        opinion: &str,
        meta: &RequestMeta,
    ) -> Result<Task, AppError> {
        let now = self.clock.now();
        let opinion: String = opinion.trim().chars().take(2000).collect();
        let mut tx = self.store.begin().await?;
        let not_found = || AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id}));
        let mut task = tx.task(task_id).await?.ok_or_else(not_found)?;
        let me = p.user.username.as_str();
        let Some(owner) = task.owner.clone() else {
            return Err(AppError::rule(
                ErrorCode::OUTCOME_NOT_ALLOWED,
                json!({"step": "not delegated"}),
            ));
        };
        let by_delegate = task.assignee.as_deref() == Some(me);
        if task.status != "open" || (!by_delegate && owner != me) {
            return Err(not_found());
        }
        if by_delegate && opinion.is_empty() {
            return Err(AppError::invalid_text(
                "opinion",
                "OPINION_REQUIRED",
                "请写明办理意见后交回",
                "Write your opinion before handing the task back",
            ));
        }
        let stored = tx.case_by_id(&task.case_id).await?.ok_or_else(not_found)?;
        let mut c = record_of(&stored)?;
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: me.to_string(),
            note: if by_delegate {
                format!("委派办理意见：{opinion}")
            } else {
                "收回委派".to_string()
            },
            attachments: vec![],
        });
        let rev = task.revision;
        task.assignee = Some(owner);
        task.owner = None;
        task.revision += 1;
        tx.update_task(&task, rev)
            .await
            .map_err(crate::catalog::stale)?;
        let updated = stored_of(
            &c,
            &stored.idempotency_key,
            stored.revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&updated, stored.revision)
            .await
            .map_err(crate::catalog::stale)?;
        let action = if by_delegate {
            "task.resolve"
        } else {
            "task.recall_delegation"
        };
        tx.append_audit(meta.audit(
            now,
            &task.region_code,
            Some(&p.user),
            action,
            ("task", task_id),
            "success",
            json!({"case": c.number}),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// 取回: the caller takes back their completion of `task_id` while every task it opened is
    /// open and unclaimed and the case's status did not change with it.
    pub async fn take_back(
        &self,
        p: &Principal,
        task_id: &str,
        meta: &RequestMeta,
    ) -> Result<Task, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let not_found = || AppError::rule(ErrorCode::TASK_NOT_FOUND, json!({"id": task_id}));
        let done = tx.task(task_id).await?.ok_or_else(not_found)?;
        if done.completed_by.as_deref() != Some(p.user.username.as_str())
            || done.status != "completed"
            || done.kind != "step"
        {
            return Err(not_found());
        }
        let refuse =
            |why: &str| AppError::rule(ErrorCode::TAKE_BACK_NOT_POSSIBLE, json!({"reason": why}));
        let stored = tx.case_by_id(&done.case_id).await?.ok_or_else(not_found)?;
        let mut c = record_of(&stored)?;
        if c.status != CaseStatus::UnderReview || done.step == "accept" {
            return Err(refuse(
                "the case has moved on (受理、决定和退回申请人不能取回)",
            ));
        }
        let next = tx.child_tasks(&done.id).await?;
        if next.is_empty()
            || next
                .iter()
                .any(|t| t.status != "open" || t.assignee.is_some())
        {
            return Err(refuse("the next step is claimed or done"));
        }
        if done.engine_task.is_some() {
            // Only the last engine step can be undone: anything later would be lost.
            match c.undo.take() {
                Some(u) if u.task_id == done.id => {
                    c.instance = Some(u.instance);
                    c.calls = u.calls;
                    for id in u.reopen {
                        if let Some(mut t) = tx.task(&id).await?
                            && t.status == "cancelled"
                        {
                            let rev = t.revision;
                            t.status = "open".into();
                            t.revision += 1;
                            tx.update_task(&t, rev)
                                .await
                                .map_err(crate::catalog::stale)?;
                        }
                    }
                }
                _ => return Err(refuse("another step was completed since")),
            }
        }
        for mut t in next {
            let rev = t.revision;
            t.status = "cancelled".into();
            t.revision += 1;
            tx.update_task(&t, rev)
                .await
                .map_err(crate::catalog::stale)?;
        }
        let mut again = done.clone();
        again.id = shenpi_store::new_id();
        again.status = "open".into();
        again.outcome = None;
        again.opinion = None;
        again.completed_by = None;
        again.completed_at = None;
        again.created_at = now;
        again.revision = 1;
        again.assignee = Some(p.user.username.clone());
        tx.insert_task(&again).await?;
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: format!("取回：{}", done.name),
            attachments: vec![],
        });
        let updated = stored_of(
            &c,
            &stored.idempotency_key,
            stored.revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&updated, stored.revision)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            &done.region_code,
            Some(&p.user),
            "task.take_back",
            ("task", task_id),
            "success",
            json!({"case": c.number, "reopened": again.id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(again)
    }

    /// 驳回/退回 of an open task (see the module docs for the targets).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn return_task(
        &self,
        mut tx: Box<dyn shenpi_store::Tx>,
        p: &Principal,
        mut task: Task,
        mut c: CaseRecord,
        stored: &StoredCase,
        target: Option<&str>,
        opinion: &str,
        attachments: Vec<String>,
        meta: &RequestMeta,
    ) -> Result<super::StepDone, AppError> {
        let now = self.clock.now();
        let history = tx.tasks_of_case(&c.id).await?;
        // The instance (the case's process or a called one) of an engine task.
        let scope = |t: &Task| t.engine_task.map(|h| super::drive::split(h).0);
        // Earlier steps after acceptance, most recently completed first; within a process,
        // the steps of the same instance.
        let mut earlier: Vec<&Task> = history
            .iter()
            .filter(|t| {
                t.status == "completed"
                    && scope(t) == scope(&task)
                    && t.kind == "step"
                    && t.step != "accept"
                    && t.step != task.step
                    && t.outcome.as_deref() != Some("return")
            })
            .collect();
        // Most recent first; ids (UUIDv7) order completions within the same instant.
        earlier.sort_by(|a, b| (b.completed_at, &b.id).cmp(&(a.completed_at, &a.id)));
        let mut steps: Vec<&str> = vec![];
        for t in &earlier {
            if !steps.contains(&t.step.as_str()) {
                steps.push(&t.step);
            }
        }
        let target = target.map(str::trim).unwrap_or("previous");
        let invalid = || {
            let mut allowed = vec!["applicant"];
            if !steps.is_empty() {
                allowed.push("previous");
            }
            allowed.extend(steps.iter().copied());
            AppError::rule(
                ErrorCode::RETURN_TARGET_INVALID,
                json!({"target": target, "allowed": allowed}),
            )
        };
        let mut new_tasks = vec![];
        if target == "applicant" {
            c.status = transition(c.status, CaseEvent::RequestSupplement).map_err(|e| {
                AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from}))
            })?;
            if self.settings.review_supplement_pauses_clock {
                c.pauses.push(shenpi_domain::case::deadline::Pause {
                    from: self.today(),
                    to: None,
                    reason: "审查补正".into(),
                });
            }
            c.supplement_request = Some(opinion.to_string());
            c.returned_from = Some(ReturnPoint {
                step: task.step.clone(),
                name: task.name.clone(),
                role: task.candidate_role.clone(),
                engine_task: task.engine_task,
                by: p.user.username.clone(),
                department: task.department_id.clone(),
            });
            c.timeline.push(TimelineEntry {
                at: now,
                status: c.status,
                actor: p.user.username.clone(),
                note: format!("退回申请人补正：{opinion}"),
                attachments,
            });
        } else {
            let step = if target == "previous" {
                steps.first().copied().ok_or_else(invalid)?
            } else {
                steps
                    .iter()
                    .copied()
                    .find(|s| *s == target)
                    .ok_or_else(invalid)?
            };
            let back_to = earlier
                .iter()
                .find(|t| t.step == step)
                .copied()
                .cloned()
                .ok_or_else(invalid)?;
            if task.engine_task.is_some() {
                new_tasks = self
                    .engine_return(&mut c, &mut tx, &task, &back_to, now)
                    .await?;
            } else {
                let due = self.case_sla(&c)?.map(|s| s.promised_deadline);
                let mut t = new_task(&c, &back_to.step, due, now);
                t.name = back_to.name.clone();
                t.candidate_role = back_to.candidate_role.clone();
                new_tasks.push(t);
            }
            for t in &mut new_tasks {
                t.parent_id = Some(task.id.clone());
            }
            c.timeline.push(TimelineEntry {
                at: now,
                status: c.status,
                actor: p.user.username.clone(),
                note: format!("退回至「{}」：{opinion}", back_to.name),
                attachments,
            });
        }
        close_task(&mut task, Outcome::Return.as_str(), opinion, p, now);
        self.finish_step(tx, p, task, c, stored, new_tasks, meta)
            .await
    }
}

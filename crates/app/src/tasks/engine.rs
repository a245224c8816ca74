//! Tasks of cases whose item names a BPMN process: the workflow engine starts after
//! acceptance, its open user tasks become task rows, and the end of the process decides.

use super::{Outcome, new_task};

use crate::cases::{CaseRecord, TimelineEntry, Undo};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, Utc};
use serde_json::json;
use shenpi_domain::case::lifecycle::{CaseEvent, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::Task;

impl App {
    /// Starts the item's BPMN process for an accepted case, if the item names one that exists;
    /// returns the task rows of the instance's open user tasks.
    pub(super) async fn start_process(
        &self,
        c: &mut CaseRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Task>>, AppError> {
        let item = self.item_version(&c.item_code, c.item_version).await?.item;
        let Some(key) = item.process_key else {
            return Ok(None);
        };
        let Some((pv, process)) = self.load_process(&key, None).await? else {
            return Ok(None);
        };
        let mut vars = shenpi_workflow::Variables::new();
        vars.insert("form".into(), c.form.clone());
        vars.insert("item_code".into(), json!(c.item_code));
        let step = shenpi_workflow::step(
            &process,
            &shenpi_workflow::Instance::new(),
            shenpi_workflow::Command::Start { variables: vars },
            now,
        )
        .map_err(|e| AppError::Internal(format!("workflow: {e}")))?;
        c.process = Some((pv.key.clone(), pv.version));
        let rows = self.engine_rows(c, &process, &step.instance, &[], now);
        c.instance = Some(step.instance);
        Ok(Some(rows))
    }

    /// Task rows for the instance's open user tasks not yet known.
    fn engine_rows(
        &self,
        c: &CaseRecord,
        process: &shenpi_workflow::Process,
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
                row.engine_task = i64::try_from(t.id).ok();
                row
            })
            .collect()
    }

    /// Completes a task of a BPMN process: the engine steps; new tasks open; when the process
    /// ends, `approved` (set by the last decision) grants or denies. The instance before the
    /// step is kept so that its actor can take the completion back (取回).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn complete_engine_task(
        &self,
        tx: Box<dyn shenpi_store::Tx>,
        p: &Principal,
        mut task: Task,
        engine_task: i64,
        mut c: CaseRecord,
        stored: shenpi_store::model::StoredCase,
        outcome: Outcome,
        opinion: &str,
        attachments: Vec<String>,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        if !matches!(outcome, Outcome::Approve | Outcome::Deny) {
            return Err(AppError::rule(
                ErrorCode::OUTCOME_NOT_ALLOWED,
                json!({"step": task.step, "allowed": ["approve", "deny", "return"]}),
            ));
        }
        let now = self.clock.now();
        let (process, instance) = self.case_process(&c).await?;
        let known: Vec<u64> = instance.tasks.iter().map(|t| t.id).collect();
        let mut vars = shenpi_workflow::Variables::new();
        vars.insert("approved".into(), json!(outcome == Outcome::Approve));
        vars.insert("opinion".into(), json!(opinion));
        let id = u64::try_from(engine_task).map_err(|e| AppError::Internal(e.to_string()))?;
        let step = shenpi_workflow::step(
            &process,
            &instance,
            shenpi_workflow::Command::CompleteTask {
                task: id,
                variables: vars,
            },
            now,
        )
        .map_err(|e| AppError::rule(ErrorCode::TASK_CLOSED, json!({"reason": e.to_string()})))?;
        let mut new_rows = self.engine_rows(&c, &process, &step.instance, &known, now);
        for row in &mut new_rows {
            row.parent_id = Some(task.id.clone());
        }
        let event = match &step.instance.state {
            shenpi_workflow::State::Completed => {
                let approved = step
                    .instance
                    .variables
                    .get("approved")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                Some(if approved {
                    CaseEvent::Grant
                } else {
                    CaseEvent::Deny
                })
            }
            _ => None,
        };
        if let shenpi_workflow::State::Incident { reason, .. } = &step.instance.state {
            c.timeline.push(TimelineEntry {
                at: now,
                status: c.status,
                actor: "workflow".into(),
                note: format!("流程异常，已转管理员处理：{reason}"),
                attachments: vec![],
            });
        }
        if let Some(e) = event {
            c.status = transition(c.status, e).map_err(|e| {
                AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from}))
            })?;
        }
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: opinion.to_string(),
            attachments,
        });
        c.undo = Some(Undo {
            task_id: task.id.clone(),
            instance,
        });
        c.instance = Some(step.instance);
        super::close_task(&mut task, outcome.as_str(), opinion, p, now);
        self.finish_step(tx, p, task, c, &stored, new_rows, meta)
            .await
    }

    /// The process definition and instance a case runs on.
    pub(super) async fn case_process(
        &self,
        c: &CaseRecord,
    ) -> Result<(shenpi_workflow::Process, shenpi_workflow::Instance), AppError> {
        let (key, version) = c
            .process
            .clone()
            .ok_or_else(|| AppError::Internal("case without process".into()))?;
        let (_, process) = self
            .load_process(&key, Some(version))
            .await?
            .ok_or_else(|| AppError::Internal("process version missing".into()))?;
        let instance = c
            .instance
            .clone()
            .ok_or_else(|| AppError::Internal("case without instance".into()))?;
        Ok((process, instance))
    }
}

impl App {
    /// 驳回 inside a BPMN process to the earlier task `back_to`: the engine withdraws every open
    /// task of the instance (parallel branches and countersign members too) and reopens the
    /// target; the withdrawn task rows are cancelled. Returns the new task rows.
    pub(super) async fn engine_return(
        &self,
        c: &mut CaseRecord,
        tx: &mut Box<dyn shenpi_store::Tx>,
        task: &Task,
        back_to: &Task,
        now: DateTime<Utc>,
    ) -> Result<Vec<Task>, AppError> {
        let (process, instance) = self.case_process(c).await?;
        let known: Vec<u64> = instance.tasks.iter().map(|t| t.id).collect();
        let step = shenpi_workflow::step(
            &process,
            &instance,
            shenpi_workflow::Command::ReturnTo {
                element: back_to.step.clone(),
            },
            now,
        )
        .map_err(|e| {
            AppError::rule(
                ErrorCode::RETURN_TARGET_INVALID,
                json!({"target": back_to.step, "reason": e.to_string()}),
            )
        })?;
        for mut other in tx.tasks_of_case(&c.id).await? {
            if other.status == "open" && other.id != task.id {
                let rev = other.revision;
                other.status = "cancelled".into();
                other.revision += 1;
                tx.update_task(&other, rev)
                    .await
                    .map_err(crate::catalog::stale)?;
            }
        }
        let rows = self.engine_rows(c, &process, &step.instance, &known, now);
        c.undo = None;
        c.instance = Some(step.instance);
        Ok(rows)
    }
}

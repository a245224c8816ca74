//! The rest of the workbench (统一待办): copies (抄送) of a case for colleagues, batch handling
//! where the law allows it, and the counters shown live on every official's page.

use super::{Completion, Outcome, my_open_task};
use crate::notify::recipients_of;
use crate::{App, AppError, Principal, RequestMeta};
use serde::Serialize;
use serde_json::json;
use shenpi_domain::case::deadline::SlaColour;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::TaskCopy;

/// Outcomes a batch may give: acceptance and approval only. A refusal, a return or a supplement
/// request needs reasons written for the case at hand (行政许可法 Art. 32, 38), so never in bulk.
pub const BATCH_OUTCOMES: [Outcome; 2] = [Outcome::Accept, Outcome::Approve];

/// At most this many tasks in one batch.
pub const BATCH_LIMIT: usize = 50;

/// One task's result in a batch.
#[derive(Debug, Clone, Serialize)]
pub struct BatchResult {
    pub task: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The numbers on the workbench.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counters {
    /// 待办
    pub todo: usize,
    /// of which yellow
    pub yellow: usize,
    /// of which red
    pub red: usize,
    /// 抄送 not yet read
    pub copies_unread: usize,
    /// notifications not yet read
    pub notifications_unread: usize,
}

impl App {
    /// 抄送: sends a copy of the task's case to colleagues of the region, for information.
    pub async fn copy_task(
        &self,
        p: &Principal,
        task_id: &str,
        to: &[String],
        note: &str,
        meta: &RequestMeta,
    ) -> Result<usize, AppError> {
        if to.is_empty() || to.len() > 20 {
            return Err(AppError::invalid_text(
                "to",
                "RECIPIENTS_INVALID",
                "请选择 1 至 20 位抄送人",
                "Choose 1 to 20 recipients",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let task = my_open_task(&mut tx, p, task_id).await?;
        let mut sent = 0;
        for name in to {
            let u = tx
                .user_by_username(name.trim())
                .await?
                .filter(|u| {
                    !u.disabled
                        && u.region_code == task.region_code
                        && !u.roles.iter().any(|r| r.is_applicant())
                })
                .ok_or_else(|| AppError::rule(ErrorCode::ASSIGNEE_INVALID, json!({"to": name})))?;
            let copy = TaskCopy {
                id: shenpi_store::new_id(),
                task_id: task.id.clone(),
                case_id: task.case_id.clone(),
                recipient: u.username,
                sent_by: p.user.username.clone(),
                note: note.trim().chars().take(500).collect(),
                created_at: now,
                read_at: None,
            };
            if tx.insert_copy(&copy).await? {
                sent += 1;
            }
        }
        tx.append_audit(meta.audit(
            now,
            &task.region_code,
            Some(&p.user),
            "task.copy",
            ("task", task_id),
            "success",
            json!({"to": to, "sent": sent}),
        ))
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// The copies (抄送) sent to the caller, newest first.
    pub async fn copies(&self, p: &Principal) -> Result<Vec<TaskCopy>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx.copies_for(&p.user.username, 100).await?)
    }

    /// Marks a copy read (阅).
    pub async fn read_copy(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let known = tx
            .copies_for(&p.user.username, 500)
            .await?
            .iter()
            .any(|c| c.id == id);
        if !known {
            return Err(AppError::rule(ErrorCode::NOT_FOUND, json!({"id": id})));
        }
        tx.mark_copy_read(id, &p.user.username, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Completes several tasks with one outcome, each on its own (one failing task does not
    /// stop the others), only for [`BATCH_OUTCOMES`].
    pub async fn complete_batch(
        &self,
        p: &Principal,
        task_ids: &[String],
        outcome: Outcome,
        opinion: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<BatchResult>, AppError> {
        if !BATCH_OUTCOMES.contains(&outcome) {
            return Err(AppError::rule(
                ErrorCode::BATCH_NOT_ALLOWED,
                json!({"outcome": outcome, "allowed": BATCH_OUTCOMES}),
            ));
        }
        if task_ids.is_empty() || task_ids.len() > BATCH_LIMIT {
            return Err(AppError::invalid_text(
                "tasks",
                "BATCH_SIZE_INVALID",
                "批量办理须选择 1 至 50 个任务",
                "A batch holds 1 to 50 tasks",
            ));
        }
        let mut out = vec![];
        for id in task_ids {
            let done = Completion::new(outcome, opinion);
            out.push(match self.complete_task(p, id, &done, meta).await {
                Ok(done) => BatchResult {
                    task: id.clone(),
                    ok: true,
                    case_number: Some(done.case.number),
                    error: None,
                },
                Err(e) if !e.is_internal() => BatchResult {
                    task: id.clone(),
                    ok: false,
                    case_number: None,
                    error: Some(e.public().code.code.to_string()),
                },
                Err(e) => return Err(e),
            });
        }
        Ok(out)
    }

    /// The workbench counters of the caller.
    pub async fn counters(&self, p: &Principal) -> Result<Counters, AppError> {
        let todo = self.todo(p).await?;
        let mut n = Counters {
            todo: todo.len(),
            ..Counters::default()
        };
        for i in &todo {
            match i.sla.as_ref().map(|s| s.colour) {
                Some(SlaColour::Yellow) => n.yellow += 1,
                Some(SlaColour::Red) => n.red += 1,
                _ => {}
            }
        }
        let mut tx = self.store.read().await?;
        n.copies_unread = tx
            .copies_for(&p.user.username, 500)
            .await?
            .iter()
            .filter(|c| c.read_at.is_none())
            .count();
        n.notifications_unread = tx
            .notifications_for(&p.user.username, &recipients_of(p), 500)
            .await?
            .iter()
            .filter(|c| c.read_at.is_none())
            .count();
        Ok(n)
    }
}

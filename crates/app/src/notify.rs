//! Notifications in the platform (站内通知): the applicant hears of every change of their case's
//! status (受理, 补正, 决定 …); handlers and supervisors get one warning per threshold (yellow,
//! red, statutory overdue) per case; administrators hear of workflow incidents (流程异常).
//!
//! A recipient is a user name, or `role:<role>@<region>` for everyone of a role in a region.
//! Messages that must be sent once carry a `once_key` that the store keeps unique.

use crate::cases::{CaseRecord, record_of};
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use shenpi_domain::case::deadline::SlaColour;
use shenpi_domain::case::lifecycle::CaseStatus;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::Notification;

/// Everyone of `role` in `region`.
pub fn role_recipient(role: &str, region: &str) -> String {
    format!("role:{role}@{region}")
}

/// The recipients that reach `p`: their user name, each of their roles in their region, and
/// the certificate holders they are (their USCC, their ID number).
pub fn recipients_of(p: &Principal) -> Vec<String> {
    let mut out = vec![p.user.username.clone()];
    out.extend(
        [p.user.uscc.as_deref(), p.user.id_number.as_deref()]
            .into_iter()
            .flatten()
            .map(crate::certs::remind::holder_recipient),
    );
    out.extend(
        p.user
            .roles
            .iter()
            .map(|r| role_recipient(r.as_str(), &p.user.region_code)),
    );
    out
}

/// A workflow incident for the admin list (流程异常).
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub case_id: String,
    pub case_number: String,
    pub item_name: String,
    pub region: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    /// Whether the instance is still stopped.
    pub open: bool,
}

pub(crate) fn message(
    recipient: String,
    c: &CaseRecord,
    kind: &str,
    once_key: Option<String>,
    title: String,
    body: String,
    now: DateTime<Utc>,
) -> Notification {
    Notification {
        id: shenpi_store::new_id(),
        recipient,
        case_id: Some(c.id.clone()),
        kind: kind.to_string(),
        once_key,
        title,
        body,
        created_at: now,
        read_at: None,
    }
}

impl App {
    /// Tells the applicant the case's new status, inside the caller's transaction.
    pub(crate) async fn notify_applicant(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let Some(applicant) = tx.user_by_id(&c.applicant_id).await? else {
            return Ok(());
        };
        let (kind, body) = match c.status {
            CaseStatus::AwaitingSupplement | CaseStatus::ReviewSupplement => (
                "supplement",
                format!(
                    "请按补正告知补齐材料后提交：{}",
                    c.supplement_request.clone().unwrap_or_default()
                ),
            ),
            CaseStatus::UnderReview => ("status", "申请已受理，正在审查。".to_string()),
            CaseStatus::NotAccepted => (
                "decision",
                "申请不予受理，请查看不予受理决定书。".to_string(),
            ),
            CaseStatus::Granted | CaseStatus::Denied => (
                "decision",
                "审批决定已作出，请查看并下载决定书。".to_string(),
            ),
            _ => ("status", format!("办件状态：{}", c.status.name_zh())),
        };
        let title = format!("{} {}：{}", c.number, c.item_name, c.status.name_zh());
        tx.insert_notification(&message(
            applicant.username,
            c,
            kind,
            None,
            title,
            body,
            now,
        ))
        .await?;
        Ok(())
    }

    /// Tells the city administrators that a case's process stopped (once per case and reason).
    pub(crate) async fn notify_incident(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let key = format!("incident:{}:{}", c.id, c.timeline.len());
        tx.insert_notification(&message(
            role_recipient("city_admin", shenpi_domain::regions::QINGDAO_CITY),
            c,
            "incident",
            Some(key),
            format!("流程异常：{} {}", c.number, c.item_name),
            reason.to_string(),
            now,
        ))
        .await?;
        Ok(())
    }

    /// Looks at every open case and sends each warning (yellow, red, statutory overdue) once per
    /// case; returns how many were sent. Run by the server every minute, and by tests.
    pub async fn scan_deadlines(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let cases = {
            let mut tx = self.store.read().await?;
            tx.open_cases(None, 10_000).await?
        };
        let mut sent = 0;
        for stored in cases {
            let c = record_of(&stored)?;
            let Some(sla) = self.case_sla(&c)? else {
                continue;
            };
            let mut due: Vec<(&str, String, String)> = vec![];
            if matches!(sla.colour, SlaColour::Yellow | SlaColour::Red) {
                due.push((
                    "sla_yellow",
                    "办件即将到期（黄灯预警）".into(),
                    format!(
                        "剩余 {} 个工作日，承诺期限 {}",
                        sla.remaining_days, sla.promised_deadline
                    ),
                ));
            }
            if sla.colour == SlaColour::Red {
                due.push((
                    "sla_red",
                    "办件已超承诺时限（红灯）".into(),
                    format!("已超过承诺期限 {}", sla.promised_deadline),
                ));
            }
            if sla.statutory_overdue {
                due.push((
                    "statutory_overdue",
                    "办件已超法定时限".into(),
                    format!("法定期限 {} 已过", sla.statutory_deadline),
                ));
            }
            if due.is_empty() {
                continue;
            }
            let mut tx = self.store.begin().await?;
            let holders: Vec<String> = tx
                .tasks_of_case(&c.id)
                .await?
                .into_iter()
                .filter(|t| t.status == "open")
                .map(|t| {
                    t.assignee
                        .unwrap_or_else(|| role_recipient(&t.candidate_role, &t.region_code))
                })
                .collect();
            for (kind, title, body) in due {
                let mut to = holders.clone();
                to.push(role_recipient("dept_admin", &c.region));
                to.sort();
                to.dedup();
                for who in to {
                    let key = format!("{kind}:{}:{who}", c.id);
                    let title = format!("{title}：{} {}", c.number, c.item_name);
                    if tx
                        .insert_notification(&message(
                            who,
                            &c,
                            kind,
                            Some(key),
                            title,
                            body.clone(),
                            now,
                        ))
                        .await?
                    {
                        sent += 1;
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(sent)
    }

    /// The caller's notifications, newest first.
    pub async fn notifications(&self, p: &Principal) -> Result<Vec<Notification>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .notifications_for(&p.user.username, &recipients_of(p), 100)
            .await?)
    }

    /// Marks a notification of the caller read.
    pub async fn read_notification(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx
            .mark_notification_read(id, &p.user.username, &recipients_of(p), now)
            .await?
        {
            let mine = tx
                .notifications_for(&p.user.username, &recipients_of(p), 500)
                .await?
                .iter()
                .any(|n| n.id == id);
            if !mine {
                return Err(AppError::rule(ErrorCode::NOT_FOUND, json!({"id": id})));
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Workflow incidents (流程异常) for administrators, newest first.
    pub async fn incidents(&self, p: &Principal) -> Result<Vec<Incident>, AppError> {
        authorize(p, Action::ProcessManage, None)?;
        let mut tx = self.store.read().await?;
        let notes = tx
            .notifications_for(
                &p.user.username,
                &[role_recipient(
                    "city_admin",
                    shenpi_domain::regions::QINGDAO_CITY,
                )],
                500,
            )
            .await?;
        let mut out = vec![];
        for n in notes.into_iter().filter(|n| n.kind == "incident") {
            let Some(case_id) = n.case_id.clone() else {
                continue;
            };
            let Some(stored) = tx.case_by_id(&case_id).await? else {
                continue;
            };
            let c = record_of(&stored)?;
            let open = matches!(
                c.instance.as_ref().map(|i| &i.state),
                Some(shenpi_workflow::State::Incident { .. })
            );
            out.push(Incident {
                case_id,
                case_number: c.number,
                item_name: c.item_name,
                region: c.region,
                reason: n.body,
                at: n.created_at,
                open,
            });
        }
        Ok(out)
    }
}

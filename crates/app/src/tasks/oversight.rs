//! Oversight of running cases: special procedures (特别程序) that pause the clock, and the
//! e-supervision list (电子监察) of open cases with their warnings.

use crate::cases::{CaseRecord, TimelineEntry, record_of, stored_of};
use crate::policy::in_region_scope;
use crate::{App, AppError, Principal, RequestMeta};
use serde::Serialize;
use serde_json::json;
use shenpi_domain::case::deadline::SlaStatus;
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;

/// One line of the supervision list.
#[derive(Debug, Clone, Serialize)]
pub struct SupervisedCase {
    pub id: String,
    pub number: String,
    pub region: String,
    pub item_name: String,
    pub status: CaseStatus,
    pub sla: Option<SlaStatus>,
    /// No acceptance decision within five working days: deemed accepted on receipt (Art. 32).
    pub deemed_accepted: bool,
}

impl App {
    /// E-supervision (电子监察): every open case in the caller's scope with its warning colour,
    /// overdue first; nothing open is left out.
    pub async fn supervision(
        &self,
        p: &Principal,
        region: Option<&str>,
    ) -> Result<Vec<SupervisedCase>, AppError> {
        let region = region
            .map(str::to_string)
            .or_else(|| crate::policy::default_region_filter(p));
        crate::policy::authorize(p, crate::policy::Action::Supervise, region.as_deref())?;
        let stored = {
            let mut tx = self.store.read().await?;
            tx.open_cases(region.as_deref(), 5000).await?
        };
        let mut out = vec![];
        for s in stored {
            let c = record_of(&s)?;
            let (_, deemed) = self.acceptance_deadline(&c)?;
            out.push(SupervisedCase {
                sla: self.case_sla(&c)?,
                deemed_accepted: deemed,
                id: c.id,
                number: c.number,
                region: c.region,
                item_name: c.item_name,
                status: c.status,
            });
        }
        out.sort_by_key(|c| {
            (
                c.sla.as_ref().map(|s| s.remaining_days).unwrap_or(i64::MAX),
                !c.deemed_accepted,
            )
        });
        Ok(out)
    }
}

impl App {
    /// Begins or ends a special procedure (特别程序: hearing, expert review, inspection …): the
    /// clock stands still meanwhile (行政许可法 Art. 45) and the applicant is told in writing.
    pub async fn special_procedure(
        &self,
        p: &Principal,
        case_id: &str,
        begin: bool,
        name: &str,
        (reason, days): (&str, u32),
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        let staff_step = p.user.roles.iter().any(|r| {
            matches!(
                r,
                shenpi_domain::org::Role::Reviewer | shenpi_domain::org::Role::Approver
            )
        });
        let (mut c, revision) = self.case(p, case_id).await?;
        if !staff_step || !in_region_scope(p, &c.region) {
            return Err(AppError::Forbidden("case.special_procedure".into()));
        }
        // Staff of a department act only on cases with an open step of their department.
        if p.user.department_id.is_some() {
            let tasks = {
                let mut tx = self.store.read().await?;
                tx.tasks_of_case(case_id).await?
            };
            let mine = tasks.iter().any(|t| {
                t.status == "open"
                    && crate::policy::in_department_scope(p, t.department_id.as_deref())
            });
            if !mine {
                return Err(AppError::Forbidden("case.special_procedure".into()));
            }
        }
        let name = name.trim();
        if begin && (name.is_empty() || name.chars().count() > 100) {
            return Err(AppError::invalid_text(
                "name",
                "PROCEDURE_NAME_INVALID",
                "请写明特别程序（如：专家评审）",
                "Name the special procedure (e.g. expert review)",
            ));
        }
        let today = self.today();
        let now = self.clock.now();
        let event = if begin {
            CaseEvent::BeginSpecialProcedure
        } else {
            CaseEvent::EndSpecialProcedure
        };
        c.status = transition(c.status, event)
            .map_err(|e| AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from})))?;
        let note = if begin {
            c.pauses.push(shenpi_domain::case::deadline::Pause {
                from: today,
                to: None,
                reason: name.to_string(),
            });
            format!("进入特别程序：{name}（所需时间不计入办理时限，已书面告知申请人）")
        } else {
            if let Some(last) = c.pauses.last_mut() {
                last.to = Some(today);
            }
            "特别程序结束，恢复计时".to_string()
        };
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note,
            attachments: vec![],
        });
        let mut tx = self.store.begin().await?;
        if begin {
            // The applicant is told in writing (特别程序告知书), sealed like every notice.
            let special = shenpi_notice::SpecialProcedure {
                kind: name.to_string(),
                reason: if reason.trim().is_empty() {
                    "依法需要".to_string()
                } else {
                    reason.trim().chars().take(500).collect()
                },
                working_days: days.min(365),
            };
            self.issue_special_notice(&mut tx, &mut c, special).await?;
        }
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
        tx.append_audit(meta.audit(
            now,
            &c.region,
            Some(&p.user),
            if begin {
                "case.special_procedure.begin"
            } else {
                "case.special_procedure.end"
            },
            ("case", case_id),
            "success",
            json!({"name": name}),
        ))
        .await?;
        tx.commit().await?;
        self.notices_issued(&c);
        Ok(c)
    }
}

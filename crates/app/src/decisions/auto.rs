//! Unattended approval (无人干预自助办 / 秒批): once a case whose item binds an
//! automatic-approval rule is stored, the platform itself works its steps.
//!
//! - Every check passed: the platform accepts, reviews and decides at once; the decision
//!   issues the sealed 准予 decision document like any other, with the rule's explanation as
//!   the opinion.
//! - Any check failed, the rule missing or a registry down: the platform accepts (the
//!   application is complete: its materials come from shared data) and the review step waits
//!   for a reviewer, with the failed checks in the acceptance opinion and in the stored decision.
//!
//! The platform acts as the principal [`AUTO_ACTOR`], with the handling roles in the case's
//! region only; its steps are audited and shown like a person's.

use crate::cases::CaseRecord;
use crate::tasks::{Completion, Outcome, StepDone};
use crate::{App, AppError, Principal, RequestMeta};
use shenpi_domain::org::Role;
use shenpi_store::model::{AccountKind, User};

/// The username the platform's automatic steps are recorded under.
pub const AUTO_ACTOR: &str = "auto-approval";

/// At most this many steps are worked automatically (accept, review, decide and spares).
const MAX_STEPS: usize = 6;

fn auto_principal(region: &str, at: chrono::DateTime<chrono::Utc>) -> Principal {
    Principal {
        user: User {
            id: format!("system:{AUTO_ACTOR}"),
            username: AUTO_ACTOR.into(),
            display_name: "自动审批（系统）".into(),
            kind: AccountKind::Staff,
            roles: vec![Role::Clerk, Role::Reviewer, Role::Approver],
            region_code: region.into(),
            department_id: None,
            password_hash: String::new(),
            id_number: None,
            mobile: None,
            uscc: None,
            enterprise_name: None,
            disabled: true,
            totp_secret: None,
            totp_enabled: false,
            totp_exempt: false,
            created_at: at,
            password_changed_at: at,
            totp_last_step: 0,
        },
        session_hash: String::new(),
        csrf_token: String::new(),
    }
}

impl App {
    /// Works the steps of a just-submitted case with an automatic-approval decision, from its
    /// `open_tasks`; returns the case as it stands afterwards, with its open tasks (unchanged
    /// without such a decision).
    pub(crate) async fn run_unattended(
        &self,
        case: CaseRecord,
        open_tasks: Vec<shenpi_store::model::Task>,
        meta: &RequestMeta,
    ) -> Result<StepDone, AppError> {
        let Some(d) = case
            .decisions
            .iter()
            .find(|d| d.purpose == "auto_approval")
            .cloned()
        else {
            return Ok(StepDone { case, open_tasks });
        };
        let p = auto_principal(&case.region, self.clock.now());
        let approves = d.approves();
        let mut last = StepDone { case, open_tasks };
        for _ in 0..MAX_STEPS {
            let open = last
                .open_tasks
                .iter()
                .find(|t| t.status == "open" && t.kind != "cosign")
                .cloned();
            let Some(task) = open else { break };
            let accept = task.step == "accept";
            if !approves && !accept {
                break;
            }
            let opinion = if !approves {
                let mut lines = vec!["系统自动核验未通过，已转人工审查：".to_owned()];
                for (i, f) in d.failed.iter().enumerate() {
                    lines.push(format!("{}. {}：{}", i + 1, f.check, f.reason));
                }
                if let Some(e) = &d.error {
                    lines.push(e.clone());
                }
                lines.join("\n")
            } else if d.explanation.is_empty() {
                "经系统自动核验，符合条件。".to_owned()
            } else {
                d.explanation.clone()
            };
            let outcome = if accept {
                Outcome::Accept
            } else {
                Outcome::Approve
            };
            match self
                .complete_task(&p, &task.id, &Completion::new(outcome, &opinion), meta)
                .await
            {
                Ok(next) => last = next,
                Err(e) => {
                    // A step the platform may not work (another role, a claimed task) is left
                    // to people; the case is stored either way.
                    tracing::warn!(case = %last.case.number, step = %task.step, error = %e, "unattended step not taken");
                    break;
                }
            }
            if accept && !approves {
                break;
            }
        }
        Ok(last)
    }
}

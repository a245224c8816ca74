//! The steps a case waits on (its open tasks): as a completed step leaves them, so that its
//! answer need not read them again, and as the applicant or an integrating system sees them.

use crate::cases::CaseRecord;
use crate::{App, AppError};
use serde_json::json;
use shenpi_store::model::Task;

/// What a completed step leaves: the case, and the steps it now waits on (its open tasks), as
/// the step's own transaction saw them — so an answer need not read the case's tasks again.
#[derive(Debug, Clone)]
pub struct StepDone {
    pub case: CaseRecord,
    pub open_tasks: Vec<Task>,
}

/// An open step as its applicant (or an integrating system) may see it: step, name, role, and
/// whether someone has it in hand (names of officials are not shown).
pub fn open_task_view(t: &Task) -> serde_json::Value {
    json!({"id": t.id, "step": t.step, "name": t.name, "role": t.candidate_role,
           "claimed": t.assignee.is_some(), "due_on": t.due_on, "kind": t.kind})
}

impl App {
    /// The open steps of a case, as its applicant may see them ([`open_task_view`]).
    pub async fn case_open_tasks(&self, case_id: &str) -> Result<Vec<serde_json::Value>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .open_tasks_of_case(case_id)
            .await?
            .iter()
            .map(open_task_view)
            .collect())
    }
}

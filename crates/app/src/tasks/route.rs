//! Routing tasks to departments (部门). A step of a case belongs to the department its BPMN
//! user task names (`shenpi:department`: a slug such as `jtj`, made `<case region>-jtj`, or a
//! full id such as `370202-jtj`), else to the item's department in the case's region
//! (`<case region>-<item department>`).
//!
//! Acceptance (受理) belongs to no department: the comprehensive window (综合受理) of the
//! approval bureau accepts applications for every department of the region, so any clerk of
//! the region takes it. A department that does not exist in the organisation leaves the task to
//! every department of the region (as before tasks had departments), so no case is stranded.
//! Co-signers' tasks (加签) keep the department of the task that asked; they are assigned to
//! the co-signer anyway.

use crate::cases::CaseRecord;
use crate::{App, AppError};
use shenpi_store::model::Task;

/// Whether a row is routed: a process step other than the built-in acceptance.
fn routed(t: &Task) -> bool {
    t.kind == "step" && !(t.step == "accept" && t.engine_task.is_none())
}

/// The department id a task names: a full id as it is, a slug in the case's region.
fn department_id(region: &str, named: &str) -> String {
    if named.contains('-') {
        named.to_string()
    } else {
        format!("{region}-{named}")
    }
}

impl App {
    /// Sets the department of new task rows before they are stored: what each row names (see
    /// the module docs), else the item's, kept only when that department exists.
    pub(crate) async fn route_tasks(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        rows: &mut [Task],
    ) -> Result<(), AppError> {
        let mut item_department: Option<Option<String>> = None;
        for row in rows.iter_mut().filter(|t| routed(t)) {
            let named = match row.department_id.take() {
                Some(d) => Some(d),
                None => {
                    if item_department.is_none() {
                        let cached = self.versions.get(&c.item_code, c.item_version);
                        let department = match cached {
                            Some(v) => Some(v.item.department.clone()),
                            // Read in the step's own transaction: a second pool connection
                            // while this one is held could run a busy PostgreSQL pool dry.
                            None => {
                                let versions = tx.item_versions(&c.item_code).await?;
                                self.versions.keep(&versions);
                                versions
                                    .into_iter()
                                    .find(|v| v.version == c.item_version)
                                    .map(|v| v.item.department)
                            }
                        };
                        item_department = Some(department);
                    }
                    item_department.clone().flatten()
                }
            };
            if let Some(named) = named.filter(|d| !d.trim().is_empty()) {
                let id = department_id(&c.region, named.trim());
                // Only a department of the case's region can work it (a full id of another
                // region would leave the task to no one).
                row.department_id = tx
                    .department(&id)
                    .await?
                    .filter(|d| d.region_code == c.region)
                    .map(|d| d.id);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_a_department_of_the_case_region_and_a_full_id_stays() {
        assert_eq!(department_id("370202", "jtj"), "370202-jtj");
        assert_eq!(department_id("370202", "370200-jtj"), "370200-jtj");
    }
}

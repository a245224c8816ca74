//! Process diagrams (流程图): the list of stored BPMN process versions, one version's XML, and a
//! case's diagram with its current and completed steps.
//!
//! A case on a BPMN process is drawn from the version it runs on; the other cases run the
//! built-in steps 受理 → 审查 → 决定, drawn from [`BUILTIN_BPMN`], whose element ids are the
//! `step` values of their task rows. The browser (bpmn-js) draws only what the file's diagram
//! interchange (BPMNDI) describes: [`has_diagram`] tells whether there is any.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use shenpi_domain::case::lifecycle::CaseStatus;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::ProcessVersion;
use shenpi_workflow::Event;

/// The built-in approval process (受理 → 审查 → 决定) as BPMN with diagram interchange.
pub const BUILTIN_BPMN: &str = include_str!("../data/builtin-approval.bpmn");

/// The process id of [`BUILTIN_BPMN`].
pub const BUILTIN_KEY: &str = "builtin-approval";

/// Whether a BPMN file carries diagram interchange with at least one shape (what bpmn-js draws).
pub fn has_diagram(xml: &str) -> bool {
    xml.contains("BPMNDiagram") && xml.contains("BPMNShape")
}

/// The BPMN `process/@name` of a file, if it parses and has one.
pub fn process_name(xml: &str) -> Option<String> {
    shenpi_workflow::parse_bpmn(xml).ok().and_then(|pr| pr.name)
}

/// One stored process version, for lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessSummary {
    pub key: String,
    pub version: i64,
    /// The BPMN `process/@name`, if any.
    pub name: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Whether the file has BPMNDI shapes (can be drawn).
    pub has_diagram: bool,
}

/// Where a case's diagram comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiagramSource {
    /// The built-in steps ([`BUILTIN_BPMN`]).
    Builtin,
    /// A stored BPMN process version.
    Process { key: String, version: i64 },
}

/// A case's diagram: the BPMN XML and the element ids to highlight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDiagram {
    pub case_id: String,
    pub number: String,
    pub item_name: String,
    pub status: CaseStatus,
    pub source: DiagramSource,
    #[serde(skip)]
    pub xml: String,
    /// Elements with an open task (the current steps).
    pub current: Vec<String>,
    /// Elements already passed (completed steps, and events and gateways the engine went
    /// through), never also current.
    pub done: Vec<String>,
}

fn push_unique(v: &mut Vec<String>, id: &str) {
    if !v.iter().any(|x| x == id) {
        v.push(id.to_string());
    }
}

impl App {
    /// Every stored process version, by key, newest version first.
    pub async fn processes(&self, p: &Principal) -> Result<Vec<ProcessSummary>, AppError> {
        authorize(p, Action::ProcessManage, None)?;
        let all = {
            let mut tx = self.store.read().await?;
            tx.list_processes().await?
        };
        Ok(all
            .into_iter()
            .map(|pv| ProcessSummary {
                name: process_name(&pv.xml),
                has_diagram: has_diagram(&pv.xml),
                key: pv.key,
                version: pv.version,
                created_by: pv.created_by,
                created_at: pv.created_at,
            })
            .collect())
    }

    /// One stored process version with its XML; `NOT_FOUND` for an unknown key or version.
    pub async fn process_version(
        &self,
        p: &Principal,
        key: &str,
        version: i64,
    ) -> Result<ProcessVersion, AppError> {
        authorize(p, Action::ProcessManage, None)?;
        let pv = {
            let mut tx = self.store.read().await?;
            tx.process_version(key, version).await?
        };
        pv.ok_or_else(|| {
            AppError::rule(
                ErrorCode::NOT_FOUND,
                json!({"process": key, "version": version}),
            )
        })
    }

    /// The diagram of a case for staff who may see the case: its process version (or the
    /// built-in steps), the steps with an open task, and the steps already done.
    pub async fn case_diagram(&self, p: &Principal, id: &str) -> Result<CaseDiagram, AppError> {
        let (c, _) = self.case(p, id).await?;
        authorize(p, Action::StaffRead, Some(&c.region))?;
        let tasks = {
            let mut tx = self.store.read().await?;
            tx.tasks_of_case(&c.id).await?
        };
        let mut current = vec![];
        let mut done = vec![];
        for t in &tasks {
            if t.status == "open" {
                push_unique(&mut current, &t.step);
            } else {
                push_unique(&mut done, &t.step);
            }
        }
        let (source, xml) = match &c.process {
            Some((key, version)) => {
                let (pv, process) = self
                    .load_process(key, Some(*version))
                    .await?
                    .ok_or_else(|| AppError::Internal("process version missing".into()))?;
                let node_id = |n: usize| process.nodes.get(n).map(|n| n.id.as_str());
                if let Some(instance) = &c.instance {
                    for r in &instance.history {
                        let node = match &r.event {
                            Event::Started => Some(process.start),
                            Event::TaskCompleted { node, .. }
                            | Event::ServiceDone { node }
                            | Event::GatewayTaken { node, .. }
                            | Event::TimerFired { node, .. }
                            | Event::CountersignDecided { node, .. }
                            | Event::EndReached { node } => Some(*node),
                            _ => None,
                        };
                        if let Some(id) = node.and_then(node_id) {
                            push_unique(&mut done, id);
                        }
                    }
                }
                (
                    DiagramSource::Process {
                        key: pv.key.clone(),
                        version: pv.version,
                    },
                    pv.xml,
                )
            }
            None => {
                push_unique(&mut done, "submit");
                if current.is_empty()
                    && matches!(
                        c.status,
                        CaseStatus::Granted
                            | CaseStatus::Denied
                            | CaseStatus::Delivered
                            | CaseStatus::Closed
                    )
                {
                    push_unique(&mut done, "end");
                }
                (DiagramSource::Builtin, BUILTIN_BPMN.to_string())
            }
        };
        done.retain(|d| !current.contains(d));
        Ok(CaseDiagram {
            case_id: c.id,
            number: c.number,
            item_name: c.item_name,
            status: c.status,
            source,
            xml,
            current,
            done,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_process_parses_and_draws_the_three_steps() {
        let process = shenpi_workflow::parse_bpmn(BUILTIN_BPMN).unwrap();
        assert_eq!(process.id, BUILTIN_KEY);
        assert_eq!(process.name.as_deref(), Some("标准审批流程（内置）"));
        for (step, name) in [("accept", "受理"), ("review", "审查"), ("decide", "决定")] {
            let n = process.node_by_id(step).unwrap();
            assert_eq!(process.nodes[n].name.as_deref(), Some(name));
            assert!(
                BUILTIN_BPMN.contains(&format!("bpmnElement=\"{step}\"")),
                "{step} has a shape"
            );
        }
        assert!(has_diagram(BUILTIN_BPMN));
    }

    #[test]
    fn a_file_without_shapes_has_no_diagram() {
        let bare = r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
            <bpmn:process id="p"><bpmn:startEvent id="s"/></bpmn:process></bpmn:definitions>"#;
        assert!(!has_diagram(bare));
    }
}

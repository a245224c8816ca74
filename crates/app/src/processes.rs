//! Process management (流程管理): BPMN files uploaded as they come from bpmn.io / Camunda
//! Modeler, checked against the organisation (every user task names a staff role), versioned;
//! running cases stay on the version they started with.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use serde_json::json;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::org::Role;
use shenpi_store::model::ProcessVersion;
use shenpi_workflow::model::NodeKind;
use shenpi_workflow::{ParseError, Process, parse_bpmn};

/// The staff role a user task is offered to: `shenpi:role`, else the first candidate group.
pub fn task_role(process: &Process, node: usize) -> Option<String> {
    match process.nodes.get(node).map(|n| &n.kind) {
        Some(NodeKind::UserTask(u)) => u
            .role
            .clone()
            .or_else(|| u.candidate_groups.first().cloned()),
        _ => None,
    }
}

/// The department a user task names (`shenpi:department`: a slug such as `jtj`, or a full id
/// such as `370202-jtj`), if any.
pub fn task_department(process: &Process, node: usize) -> Option<String> {
    match process.nodes.get(node).map(|n| &n.kind) {
        Some(NodeKind::UserTask(u)) => u.department.clone(),
        _ => None,
    }
}

fn parse_error(e: &ParseError) -> AppError {
    AppError::rule(ErrorCode::PROCESS_INVALID, json!({"reason": e.to_string()}))
}

impl App {
    /// Checks and stores a new version of the process whose BPMN id is the key.
    pub async fn upload_process(
        &self,
        p: &Principal,
        xml: &str,
        meta: &RequestMeta,
    ) -> Result<ProcessVersion, AppError> {
        authorize(p, Action::ProcessManage, None)?;
        self.store_process(Some(&p.user), xml, meta).await
    }

    /// Loads the demo processes that are not stored yet (e.g. the joint review a routing rule
    /// of the demo chooses); returns how many.
    pub async fn load_demo_processes(&self) -> Result<usize, AppError> {
        const DEMO: [(&str, &str); 1] = [(
            "road-excavation-joint",
            include_str!("../data/road-excavation-joint.bpmn"),
        )];
        let mut n = 0;
        for (key, xml) in DEMO {
            let stored = {
                let mut tx = self.store.read().await?;
                tx.latest_process(key).await?
            };
            if stored.is_none() {
                self.store_process(None, xml, &RequestMeta::cli()).await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Checks and stores a process version, by `user` (None: the platform, for the demo).
    async fn store_process(
        &self,
        user: Option<&shenpi_store::model::User>,
        xml: &str,
        meta: &RequestMeta,
    ) -> Result<ProcessVersion, AppError> {
        let process = parse_bpmn(xml).map_err(|e| parse_error(&e))?;
        for (i, n) in process.nodes.iter().enumerate() {
            if let NodeKind::ServiceTask(s) = &n.kind
                && s.action != shenpi_workflow::EVALUATE
                && crate::tasks::drive::ServiceAction::parse(&s.action).is_none()
            {
                let known: Vec<&str> = crate::tasks::drive::ServiceAction::ALL
                    .iter()
                    .map(|(name, _)| *name)
                    .collect();
                return Err(AppError::rule(
                    ErrorCode::PROCESS_INVALID,
                    json!({
                        "reason": format!("line {}: service task `{}` names the platform action `{}`, which does not exist (evaluate, {})", n.line, n.id, s.action, known.join(", "))
                    }),
                ));
            }
            if let NodeKind::UserTask(_) = n.kind {
                let ok = task_role(&process, i)
                    .and_then(|r| Role::parse(&r))
                    .is_some_and(|r| !r.is_applicant());
                if !ok {
                    return Err(AppError::rule(
                        ErrorCode::PROCESS_INVALID,
                        json!({
                            "reason": format!("line {}: user task `{}` names no staff role (shenpi:role or candidateGroups: clerk, reviewer, approver, …)", n.line, n.id)
                        }),
                    ));
                }
            }
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // A user task's department (`shenpi:department`, a slug such as `spj`, or a full id such
        // as `370200-spj`) must exist; without one, the task belongs to the item's department.
        for n in &process.nodes {
            if let NodeKind::UserTask(u) = &n.kind
                && let Some(dept) = &u.department
            {
                let city = format!("{}-{dept}", shenpi_domain::regions::QINGDAO_CITY);
                if tx.department(dept).await?.is_none() && tx.department(&city).await?.is_none() {
                    return Err(AppError::rule(
                        ErrorCode::PROCESS_INVALID,
                        json!({"reason": format!("line {}: user task `{}` names the department `{dept}`, which does not exist", n.line, n.id)}),
                    ));
                }
            }
        }
        // Every called process (call activity) must exist already; a process may not call itself.
        for key in process.called_processes() {
            if key == process.id || tx.latest_process(key).await?.is_none() {
                return Err(AppError::rule(
                    ErrorCode::PROCESS_INVALID,
                    json!({"reason": format!("call activity calls process `{key}`, which is not uploaded (or is this process itself)")}),
                ));
            }
        }
        let version = tx
            .latest_process(&process.id)
            .await?
            .map(|v| v.version + 1)
            .unwrap_or(1);
        let pv = ProcessVersion {
            key: process.id.clone(),
            version,
            xml: xml.to_string(),
            created_by: user.map_or_else(|| "demo".to_owned(), |u| u.username.clone()),
            created_at: now,
        };
        tx.insert_process(&pv).await?;
        tx.append_audit(meta.audit(
            now,
            shenpi_domain::regions::QINGDAO_CITY,
            user,
            "process.upload",
            ("process", &pv.key),
            "success",
            json!({"version": version}),
        ))
        .await?;
        tx.commit().await?;
        Ok(pv)
    }

    /// A stored process version, parsed.
    pub(crate) async fn load_process(
        &self,
        key: &str,
        version: Option<i64>,
    ) -> Result<Option<(ProcessVersion, Process)>, AppError> {
        let pv = {
            let mut tx = self.store.read().await?;
            match version {
                Some(v) => tx.process_version(key, v).await?,
                None => tx.latest_process(key).await?,
            }
        };
        let Some(pv) = pv else { return Ok(None) };
        let process = parse_bpmn(&pv.xml).map_err(|e| parse_error(&e))?;
        Ok(Some((pv, process)))
    }
}

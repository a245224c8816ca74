//! Applications and cases (申请/办件): submission against the item version in force (pinned),
//! idempotent by the applicant's key, case numbers, the applicant's withdrawal, and the public
//! progress look-up by number plus name or phone. Acceptance decisions and review steps run on
//! the workflow engine (next step of this issue).

use crate::catalog::read::EffectiveItem;
use crate::policy::{Action, authorize, in_region_scope};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::case::deadline::acceptance_due;
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::case::number::CaseNumber;
use shenpi_domain::catalog::material::MaterialSource;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::mask::{mask_mobile, mask_name};
use shenpi_store::model::{Page, StoredCase};
use std::collections::BTreeMap;

/// What an applicant submits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub item_code: String,
    pub region: String,
    #[serde(default)]
    pub situation: Option<String>,
    /// The business form (JSON object; validated against the item's form in the rules issue).
    #[serde(default)]
    pub form: Value,
    /// Material key → uploaded file id.
    #[serde(default)]
    pub materials: BTreeMap<String, String>,
    pub idempotency_key: String,
    /// The draft this application was completed from; it is removed on submission.
    #[serde(default)]
    pub draft_id: Option<String>,
}

/// What a new case is besides the application: its id (fixed before the rules decide, so
/// their registry pulls name it), the bundle case (联办件) and partner of a sub-case, and the
/// decisions of the item's rules.
pub(crate) struct NewCase {
    pub id: String,
    pub bundle_case: Option<String>,
    pub partner: Option<String>,
    pub decisions: Vec<crate::decisions::DecisionRecord>,
    pub shared_materials: Vec<crate::prefill::SharedMaterial>,
    /// Every registry pull behind the case (audited with it).
    pub pulls: Vec<crate::datasources::DataPull>,
}

/// One line of a case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub status: CaseStatus,
    pub actor: String,
    #[serde(default)]
    pub note: String,
    /// Files attached to the step's opinion (material file ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// The case document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: String,
    pub number: String,
    pub region: String,
    pub item_code: String,
    pub item_version: u32,
    pub item_name: String,
    pub situation: Option<String>,
    pub applicant_id: String,
    pub applicant_name: String,
    pub applicant_mobile: Option<String>,
    pub status: CaseStatus,
    pub form: Value,
    pub materials: BTreeMap<String, String>,
    /// The day the application was received (Asia/Shanghai).
    pub received_on: NaiveDate,
    pub promised_days: u32,
    pub statutory_days: u32,
    pub timeline: Vec<TimelineEntry>,
    /// The day the case was accepted: the deadline clock starts the next working day.
    #[serde(default)]
    pub accepted_on: Option<NaiveDate>,
    /// What the one-time supplement notice (一次性补正告知) asked for.
    #[serde(default)]
    pub supplement_request: Option<String>,
    /// The BPMN process (key, version) the case runs on after acceptance, if its item has one.
    #[serde(default)]
    pub process: Option<(String, i64)>,
    /// The workflow instance (plain data of the engine).
    #[serde(default)]
    pub instance: Option<shenpi_workflow::Instance>,
    /// Called processes (子流程) started by call activities; instance `n` is `calls[n - 1]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<crate::tasks::drive::ChildCall>,
    /// Special procedures (特别程序) that paused the clock.
    #[serde(default)]
    pub pauses: Vec<shenpi_domain::case::deadline::Pause>,
    /// The step that returned the case to the applicant (审查补正); it resumes the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned_from: Option<ReturnPoint>,
    /// The workflow instance before the last engine step, so its actor can take it back (取回).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<Undo>,
    /// Sealed notices (受理通知书, 补正告知书, 决定书 …) issued for the case.
    #[serde(default)]
    pub notices: Vec<NoticeRef>,
    /// The bundle case (联办件) this case is a sub-case of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_case: Option<String>,
    /// The partner system (e.g. a utility company) that handles this sub-case instead of a
    /// department: it gets the case by webhook and reports progress; no workbench task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    /// Decisions of the item's rules (规则决策) with their traces and data sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<crate::decisions::DecisionRecord>,
    /// Materials fetched from shared data or e-certificates instead of the applicant (免提交),
    /// with their provenance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_materials: Vec<crate::prefill::SharedMaterial>,
}

/// Where a case returned to the applicant resumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnPoint {
    pub step: String,
    pub name: String,
    pub role: String,
    pub engine_task: Option<i64>,
    /// Who returned it (they get the task back).
    pub by: String,
    /// 部门: the department of the returned task (cases returned before tasks had departments
    /// have none, and the step is routed again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// The workflow instance before a completion, for 取回.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undo {
    pub task_id: String,
    pub instance: shenpi_workflow::Instance,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<crate::tasks::drive::ChildCall>,
    /// Task rows the completion withdrew (e.g. the other signers of a decided countersign):
    /// reopened by 取回.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reopen: Vec<String>,
}

/// A sealed notice stored with the case (the PDF is a blob).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeRef {
    pub id: String,
    /// e.g. `acceptance`, `supplement_request`, `refusal_to_accept`, `grant`, `denial`.
    pub kind: String,
    pub title: String,
    /// 文号
    pub doc_number: String,
    pub blob_key: String,
    pub sha256: String,
    pub key_id: String,
    pub issued_at: DateTime<Utc>,
    /// The notice's content while it waits to be typeset and sealed by the notice job (after
    /// the step that issued it has committed); `blob_key` and `sha256` are empty until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<shenpi_notice::NoticeData>,
    /// Failed attempts of the notice job to seal it, and the last error.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seal_attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_error: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

pub(crate) fn record_of(stored: &StoredCase) -> Result<CaseRecord, AppError> {
    serde_json::from_str(&stored.json)
        .map_err(|e| AppError::Internal(format!("case document: {e}")))
}

/// The status a stored case was saved with: its `status` column, written by [`stored_of`] from
/// the same record, so the document need not be parsed again for it.
pub(crate) fn status_of(stored: &StoredCase) -> Result<CaseStatus, AppError> {
    match serde_json::from_value(serde_json::Value::String(stored.status.clone())) {
        Ok(status) => Ok(status),
        Err(_) => Ok(record_of(stored)?.status),
    }
}

pub(crate) fn stored_of(
    c: &CaseRecord,
    key: &str,
    revision: i64,
    submitted_at: DateTime<Utc>,
) -> Result<StoredCase, AppError> {
    Ok(StoredCase {
        id: c.id.clone(),
        number: c.number.clone(),
        region_code: c.region.clone(),
        item_code: c.item_code.clone(),
        item_version: i64::from(c.item_version),
        applicant_id: c.applicant_id.clone(),
        status: serde_json::to_value(c.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        idempotency_key: key.to_string(),
        json: serde_json::to_string(c).map_err(|e| AppError::Internal(e.to_string()))?,
        revision,
        submitted_at,
        wake_at: wake_at(c),
    })
}

/// When the case next needs waking: at once while a notice waits to be sealed, else the
/// earliest due timer of its running instances while it is under review (timers wait while the
/// case is with the applicant).
fn wake_at(c: &CaseRecord) -> Option<DateTime<Utc>> {
    let notice = c
        .notices
        .iter()
        .filter(|n| n.pending.is_some() && n.seal_attempts < crate::notices::MAX_SEAL_ATTEMPTS)
        .map(|n| n.issued_at)
        .min();
    let timer = if c.status == CaseStatus::UnderReview {
        crate::tasks::drive::live_instances(c)
            .into_iter()
            .filter(|(_, i)| i.state == shenpi_workflow::State::Running)
            .flat_map(|(_, i)| i.timers.iter().map(|t| t.due))
            .min()
    } else {
        None
    };
    notice.into_iter().chain(timer).min()
}

/// What a submission leaves: the case, whether this call made it (`false`: the idempotency key
/// named a case submitted before), and the steps it waits on (its open tasks).
#[derive(Debug, Clone)]
pub struct Submitted {
    pub case: CaseRecord,
    pub created: bool,
    pub open_tasks: Vec<shenpi_store::model::Task>,
}

impl App {
    /// Submits an application: a new case in status 已提交, or the case already created with the
    /// same idempotency key (`created: false`).
    pub async fn submit_application(
        &self,
        p: &Principal,
        a: Application,
        meta: &RequestMeta,
    ) -> Result<Submitted, AppError> {
        authorize(p, Action::CaseApply, None)?;
        let key = a.idempotency_key.trim();
        if key.is_empty() || key.len() > 64 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::invalid_text(
                "idempotency_key",
                "IDEMPOTENCY_KEY_INVALID",
                "请提供 1–64 位的防重复提交标识",
                "Give an idempotency key of 1–64 printable characters",
            ));
        }
        if let Some(existing) = self.submitted_before(p, key).await? {
            return Ok(existing);
        }
        let effective = self.check_application(p, &a).await?;
        let case_id = shenpi_store::new_id();
        let purpose = crate::datasources::Purpose {
            case_id: Some(case_id.clone()),
            reason: "免提交材料调取".into(),
        };
        let (shared_materials, mut pulls) = self
            .fetch_shared_materials(
                &effective.version.item,
                a.situation.as_deref(),
                &p.user,
                &a.form,
                &purpose,
            )
            .await?;
        let decisions = self
            .decide_item_rules(
                &effective.version.item,
                a.situation.as_deref(),
                p.user.uscc.as_deref(),
                &a.form,
                &case_id,
            )
            .await?;
        let mut tx = self.store.begin().await?;
        if let Some(d) = decisions.first() {
            pulls.extend(d.data_sources.iter().cloned());
        }
        let new = NewCase {
            id: case_id,
            bundle_case: None,
            partner: None,
            decisions,
            shared_materials,
            pulls,
        };
        let Some((record, open_tasks)) = self
            .insert_application(&mut tx, p, &a, &effective, new, meta)
            .await?
        else {
            drop(tx);
            return self
                .submitted_before(p, key)
                .await?
                .ok_or_else(|| AppError::Conflict("case".into()));
        };
        if let Some(id) = &a.draft_id
            && tx.draft(id).await?.is_some_and(|d| d.owner_id == p.user.id)
        {
            tx.delete_draft(id).await?;
        }
        tx.commit().await?;
        let done = self.run_unattended(record, open_tasks, meta).await?;
        Ok(Submitted {
            case: done.case,
            created: true,
            open_tasks: done.open_tasks,
        })
    }

    /// The case the applicant already submitted with this idempotency key, with its open tasks.
    async fn submitted_before(
        &self,
        p: &Principal,
        key: &str,
    ) -> Result<Option<Submitted>, AppError> {
        let mut tx = self.store.read().await?;
        let Some(existing) = tx.case_by_idempotency(&p.user.id, key).await? else {
            return Ok(None);
        };
        Ok(Some(Submitted {
            case: record_of(&existing)?,
            created: false,
            open_tasks: tx.open_tasks_of_case(&existing.id).await?,
        }))
    }

    /// Checks an application against the item version in force: situation, form, materials
    /// (every required upload present, every file the applicant's own).
    pub(crate) async fn check_application(
        &self,
        p: &Principal,
        a: &Application,
    ) -> Result<EffectiveItem, AppError> {
        let effective = self.catalog_item(&a.item_code, &a.region).await?;
        if effective.version.state != shenpi_domain::catalog::version::ItemState::Active {
            return Err(AppError::rule(
                ErrorCode::ITEM_NOT_FOUND,
                json!({"code": a.item_code, "state": effective.version.state}),
            ));
        }
        let item = &effective.version.item;
        if !item.situations.is_empty() && a.situation.is_none() {
            return Err(AppError::invalid_text(
                "situation",
                "SITUATION_REQUIRED",
                "请选择办理情形",
                "Choose a handling situation",
            ));
        }
        if let Some(s) = &a.situation
            && !item.situations.iter().any(|x| &x.key == s)
        {
            return Err(AppError::invalid_text(
                "situation",
                "SITUATION_UNKNOWN",
                "该事项没有这个办理情形",
                "The item has no such situation",
            ));
        }
        crate::forms::check_form(item, a.situation.as_deref(), &a.form)?;
        // The enterprise named on the form: the applicant's own, or one they are agent of.
        self.check_acts_for(p, &a.form).await?;
        let needed = item.materials_for(a.situation.as_deref());
        for key in a.materials.keys() {
            if !needed.iter().any(|m| &m.key == key) {
                return Err(AppError::invalid_text(
                    "materials",
                    "MATERIAL_UNKNOWN",
                    &format!("该情形不需要材料 {key}"),
                    &format!("The situation does not ask for material {key}"),
                ));
            }
        }
        let missing: Vec<&str> = needed
            .iter()
            .filter(|m| m.source == MaterialSource::Upload && !a.materials.contains_key(&m.key))
            .map(|m| m.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(AppError::rule(
                ErrorCode::MATERIALS_MISSING,
                json!({"missing": missing}),
            ));
        }
        // Every file named must be the applicant's own upload (all read in one transaction).
        if !a.materials.is_empty() {
            let mut tx = self.store.read().await?;
            for file_id in a.materials.values() {
                let mine = tx
                    .material_file(file_id)
                    .await?
                    .is_some_and(|f| f.owner_id == p.user.id);
                if !mine {
                    return Err(AppError::invalid_text(
                        "materials",
                        "MATERIAL_FILE_UNKNOWN",
                        "材料文件不存在或不属于您",
                        "A material file does not exist or is not yours",
                    ));
                }
            }
        }
        Ok(effective)
    }

    /// Stores a checked application as a new case with its acceptance task and audit entry, in
    /// `tx`, and returns it with the tasks it opened; `None` when the applicant's idempotency key
    /// is taken. `bundle_case` links a
    /// sub-case to its bundle case (联办件); a sub-case handled by a `partner` gets no
    /// acceptance task but a webhook delivery to the partner.
    pub(crate) async fn insert_application(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        p: &Principal,
        a: &Application,
        effective: &EffectiveItem,
        new: NewCase,
        meta: &RequestMeta,
    ) -> Result<Option<(CaseRecord, Vec<shenpi_store::model::Task>)>, AppError> {
        let item = &effective.version.item;
        let key = a.idempotency_key.trim();
        let now = self.clock.now();
        let today = self.today();
        let seq = tx
            .next_case_seq(&a.region, &today.format("%Y%m%d").to_string())
            .await?;
        let number = CaseNumber::new(&a.region, today, seq)
            .ok_or_else(|| AppError::Internal("case number sequence exhausted".into()))?;
        let record = CaseRecord {
            id: new.id,
            number: number.to_string(),
            region: a.region.clone(),
            item_code: item.code.clone(),
            item_version: effective.version.version,
            item_name: item.name.clone(),
            situation: a.situation.clone(),
            applicant_id: p.user.id.clone(),
            applicant_name: p.user.display_name.clone(),
            applicant_mobile: p.user.mobile.clone(),
            status: transition(CaseStatus::Draft, CaseEvent::Submit)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            form: if a.form.is_null() {
                json!({})
            } else {
                a.form.clone()
            },
            materials: a.materials.clone(),
            received_on: today,
            promised_days: item.promised_limit_for(a.situation.as_deref()),
            statutory_days: item.statutory_limit_days,
            timeline: vec![TimelineEntry {
                at: now,
                status: CaseStatus::Submitted,
                actor: p.user.username.clone(),
                note: String::new(),
                attachments: vec![],
            }],
            accepted_on: None,
            supplement_request: None,
            process: None,
            instance: None,
            calls: vec![],
            pauses: vec![],
            returned_from: None,
            undo: None,
            notices: vec![],
            bundle_case: new.bundle_case,
            partner: new.partner,
            decisions: new.decisions,
            shared_materials: new.shared_materials,
        };
        match tx.insert_case(&stored_of(&record, key, 1, now)?).await {
            Err(shenpi_store::StoreError::Conflict(_)) => return Ok(None),
            r => r?,
        }
        tx.append_audit(meta.audit(now, &record.region, Some(&p.user), "case.submit", ("case", &record.id), "success",
            json!({"number": record.number, "item": record.item_code, "version": record.item_version})))
            .await?;
        // Every registry pull behind the case, audited with the case.
        for pull in &new.pulls {
            let purpose = crate::datasources::Purpose {
                case_id: Some(record.id.clone()),
                reason: pull.purpose.clone(),
            };
            tx.append_audit(pull.audit(meta, &record.region, Some(&p.user), &purpose))
                .await?;
        }
        let mut opened = vec![];
        if record.partner.is_some() {
            self.queue_delivery(tx, &record, "subcase.assigned").await?;
        } else {
            let due = acceptance_due(&self.calendar(), today)?;
            let task = crate::tasks::new_task(&record, "accept", Some(due), now);
            tx.insert_task(&task).await?;
            opened.push(task);
        }
        Ok(Some((record, opened)))
    }

    /// A case, for its applicant or staff of its region.
    pub async fn case(&self, p: &Principal, id: &str) -> Result<(CaseRecord, i64), AppError> {
        let stored = {
            let mut tx = self.store.read().await?;
            tx.case_by_id(id).await?
        };
        let not_found = || AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({"id": id}));
        let stored = stored.ok_or_else(not_found)?;
        let staff = !p.user.roles.iter().any(|r| r.is_applicant());
        if stored.applicant_id != p.user.id && !(staff && in_region_scope(p, &stored.region_code)) {
            return Err(not_found());
        }
        Ok((record_of(&stored)?, stored.revision))
    }

    /// When the acceptance decision is due, and whether the case already counts as accepted on
    /// receipt because that day passed (行政许可法 Art. 32).
    pub fn acceptance_deadline(&self, c: &CaseRecord) -> Result<(NaiveDate, bool), AppError> {
        let due = acceptance_due(&self.calendar(), c.received_on)?;
        let pending = matches!(c.status, CaseStatus::Submitted);
        Ok((due, pending && self.today() > due))
    }

    /// The applicant's cases, newest first.
    pub async fn my_cases(&self, p: &Principal, page: i64) -> Result<Page<CaseRecord>, AppError> {
        let mut tx = self.store.read().await?;
        tx.cases_of(&p.user.id, page, 20)
            .await?
            .try_map(|s| record_of(&s))
    }

    /// The applicant withdraws (撤回) before the decision.
    pub async fn withdraw_case(
        &self,
        p: &Principal,
        id: &str,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<CaseRecord, AppError> {
        let (mut c, revision) = self.case(p, id).await?;
        if c.applicant_id != p.user.id {
            return Err(AppError::Forbidden("case.withdraw".into()));
        }
        c.status = transition(c.status, CaseEvent::Withdraw)
            .map_err(|e| AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from})))?;
        let now = self.clock.now();
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: p.user.username.clone(),
            note: reason.chars().take(500).collect(),
            attachments: vec![],
        });
        let mut tx = self.store.begin().await?;
        let key = tx
            .case_by_id(id)
            .await?
            .map(|s| s.idempotency_key)
            .unwrap_or_default();
        let stored = stored_of(&c, &key, revision + 1, now)?;
        tx.update_case(&stored, revision)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            &c.region,
            Some(&p.user),
            "case.withdraw",
            ("case", id),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The public progress look-up: number plus the applicant's name or mobile; the answer is
    /// masked. A wrong pair is answered exactly like an unknown number.
    pub async fn case_progress(
        &self,
        number: &str,
        name_or_phone: &str,
    ) -> Result<Value, AppError> {
        let not_found = || AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({}));
        let number = CaseNumber::parse(number).ok_or_else(not_found)?;
        let stored = {
            let mut tx = self.store.read().await?;
            tx.case_by_number(number.as_str()).await?
        };
        let c = record_of(&stored.ok_or_else(not_found)?)?;
        let who = name_or_phone.trim();
        let matches = !who.is_empty()
            && (c.applicant_name == who || c.applicant_mobile.as_deref() == Some(who));
        if !matches {
            return Err(not_found());
        }
        Ok(json!({
            "number": c.number,
            "item": c.item_name,
            "status": c.status,
            "status_zh": c.status.name_zh(),
            "applicant": mask_name(&c.applicant_name),
            "mobile": c.applicant_mobile.as_deref().map(mask_mobile),
            "timeline": c.timeline.iter().map(|t| json!({"at": t.at.to_rfc3339(), "status": t.status, "status_zh": t.status.name_zh()})).collect::<Vec<_>>(),
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn stored(status: &str, json: &str) -> StoredCase {
        StoredCase {
            id: "c".into(),
            number: "n".into(),
            region_code: "370202".into(),
            item_code: "i".into(),
            item_version: 1,
            applicant_id: "a".into(),
            status: status.into(),
            idempotency_key: "k".into(),
            json: json.into(),
            revision: 1,
            submitted_at: chrono::Utc::now(),
            wake_at: None,
        }
    }

    #[test]
    fn the_status_comes_from_its_column_and_the_document_only_when_the_column_is_unknown() {
        // The column alone: the document is not read (it is not even a case here).
        assert_eq!(
            status_of(&stored("under_review", "{}")).unwrap(),
            CaseStatus::UnderReview
        );
        assert_eq!(
            status_of(&stored("granted", "{}")).unwrap(),
            CaseStatus::Granted
        );
        // An unknown column falls back to the document, which must then be a case.
        assert!(status_of(&stored("nonsense", "{}")).is_err());
    }
}

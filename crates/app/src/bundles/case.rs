//! The bundle case (联办件): its combined status, deadline, timeline and results, one
//! supplement for every department that asked, and the sealed combined result.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::bundle::{Answers, BundleStatus, Handler, meaning_zh};
use shenpi_domain::case::lifecycle::CaseStatus;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::StoredBundleCase;

use crate::cases::record_of;
use crate::policy::in_region_scope;
use crate::{App, AppError, Principal, RequestMeta};

/// A sub-case of a bundle case, as stored with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubCaseRef {
    pub case_id: String,
    pub number: String,
    pub item_code: String,
    pub item_name: String,
    pub handler: Handler,
}

/// The bundle case document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleCaseRecord {
    pub bundle_name: String,
    pub answers: Answers,
    pub form: Value,
    pub sub_cases: Vec<SubCaseRef>,
}

/// A sub-case as the bundle case shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SubCaseView {
    pub case_id: String,
    pub number: String,
    pub item_code: String,
    pub item_name: String,
    pub handler: Handler,
    pub status: CaseStatus,
    pub status_zh: &'static str,
    /// What this sub-case's status means for the bundle.
    pub meaning_zh: &'static str,
    pub promised_deadline: Option<NaiveDate>,
}

/// One line of the combined timeline.
#[derive(Debug, Clone, Serialize)]
pub struct BundleTimelineEntry {
    pub at: DateTime<Utc>,
    pub item_name: String,
    pub status: CaseStatus,
    pub note: String,
}

/// A result (decision notice) of a sub-case.
#[derive(Debug, Clone, Serialize)]
pub struct BundleResult {
    pub item_name: String,
    pub title: String,
    pub doc_number: String,
    pub url: String,
}

/// The bundle case (`GET /api/v1/bundle-cases/{id}`): combined status, deadline, timeline and
/// results of its sub-cases.
#[derive(Debug, Clone, Serialize)]
pub struct BundleCaseView {
    pub id: String,
    pub number: String,
    pub bundle_code: String,
    pub bundle_name: String,
    pub region: String,
    pub status: BundleStatus,
    pub status_zh: &'static str,
    /// The latest promised deadline of the sub-cases being handled.
    pub deadline: Option<NaiveDate>,
    pub sub_cases: Vec<SubCaseView>,
    pub timeline: Vec<BundleTimelineEntry>,
    pub results: Vec<BundleResult>,
    pub created_at: DateTime<Utc>,
}

impl App {
    /// The applicant answers every department that asked for a supplement at once: each file
    /// (by combined material key) goes to every sub-case awaiting a supplement whose item asks
    /// for a material of that name. Each sub-case then resumes as a supplement answered alone.
    pub async fn supplement_bundle_case(
        &self,
        p: &Principal,
        id: &str,
        materials: BTreeMap<String, String>,
        meta: &RequestMeta,
    ) -> Result<BundleCaseView, AppError> {
        let view = self.bundle_case(p, id).await?;
        let stored = {
            let mut tx = self.store.read().await?;
            tx.bundle_case(id).await?
        }
        .ok_or_else(|| AppError::rule(ErrorCode::BUNDLE_CASE_NOT_FOUND, json!({"id": id})))?;
        if stored.applicant_id != p.user.id {
            return Err(AppError::Forbidden("bundle.supplement".into()));
        }
        let waiting: Vec<&SubCaseView> = view
            .sub_cases
            .iter()
            .filter(|s| {
                matches!(
                    s.status,
                    CaseStatus::AwaitingSupplement | CaseStatus::ReviewSupplement
                )
            })
            .collect();
        if waiting.is_empty() {
            return Err(AppError::rule(
                ErrorCode::CASE_WRONG_STATUS,
                json!({"status": view.status}),
            ));
        }
        // Per waiting sub-case: its own material key for each combined key it uses.
        let mut plan = vec![];
        let mut used = std::collections::BTreeSet::new();
        for s in &waiting {
            let (c, _) = self.case(p, &s.case_id).await?;
            let item = self.item_version(&c.item_code, c.item_version).await?.item;
            let mut own = BTreeMap::new();
            for m in item.materials_for(c.situation.as_deref()) {
                let key = shenpi_domain::bundle::material_key(&m.name);
                if let Some(file) = materials.get(&key) {
                    own.insert(m.key.clone(), file.clone());
                    used.insert(key);
                }
            }
            plan.push((s.case_id.clone(), own));
        }
        if let Some(k) = materials.keys().find(|k| !used.contains(*k)) {
            return Err(AppError::invalid_text(
                "materials",
                "MATERIAL_UNKNOWN",
                &format!("待补正的事项都不需要材料 {k}"),
                &format!("No sub-case awaiting a supplement asks for material {k}"),
            ));
        }
        if materials.is_empty() {
            return Err(AppError::invalid_text(
                "materials",
                "MATERIALS_EMPTY",
                "请至少上传一份补正材料",
                "Upload at least one supplementary file",
            ));
        }
        for (case_id, own) in plan {
            self.supplement_case(p, &case_id, own, meta).await?;
        }
        self.bundle_case(p, id).await
    }

    /// The combined result (联办结果告知书) of a bundle case whose sub-cases have all ended: one
    /// sealed PDF listing every item's result and who handled it.
    pub async fn bundle_result_pdf(
        &self,
        p: &Principal,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<(String, Vec<u8>), AppError> {
        let view = self.bundle_case(p, id).await?;
        if !matches!(
            view.status,
            BundleStatus::Completed | BundleStatus::PartlyCompleted | BundleStatus::Refused
        ) {
            return Err(AppError::rule(
                ErrorCode::CASE_WRONG_STATUS,
                json!({"status": view.status}),
            ));
        }
        // Every sub-case has the same applicant: one read for the name.
        let first = view
            .sub_cases
            .first()
            .map(|s| s.case_id.as_str())
            .unwrap_or_default();
        let applicant = self.case(p, first).await?.0.applicant_name;
        let mut lines = vec![];
        for s in &view.sub_cases {
            let by = match &s.handler {
                Handler::Department(_) => crate::notices::department_of(&view.region),
                Handler::Partner(k) => {
                    let mut tx = self.store.read().await?;
                    tx.partner(k)
                        .await?
                        .map(|x| x.name)
                        .unwrap_or_else(|| k.clone())
                }
            };
            let result = match s.status {
                CaseStatus::Granted | CaseStatus::Delivered | CaseStatus::Closed => {
                    "准予办理／已办结"
                }
                CaseStatus::Denied => "不予办理",
                CaseStatus::NotAccepted => "不予受理",
                CaseStatus::Withdrawn => "已撤回",
                _ => "办理中",
            };
            lines.push(format!(
                "{}（{}）：{result}，承办单位：{by}",
                s.item_name, s.number
            ));
        }
        let today = self.today();
        let received_on = (view.created_at + chrono::Duration::hours(8)).date_naive();
        let data = shenpi_notice::NoticeData {
            kind: shenpi_notice::NoticeKind::BundleResult,
            document_number: format!("青审批联字〔{}〕{}号", today.format("%Y"), view.number),
            case_number: view.number.clone(),
            applicant,
            item: view.bundle_name.clone(),
            department: crate::notices::department_of(&view.region),
            date: today,
            received_on,
            accepted_on: None,
            promised_days: None,
            statutory_days: None,
            lines,
            opinion: String::new(),
            phone: crate::notices::COMPLAINT_PHONE.into(),
            special_procedure: None,
        };
        let pdf = shenpi_notice::render(&data).map_err(|e| match e {
            shenpi_notice::NoticeError::MissingGlyphs { chars } => AppError::rule(
                ErrorCode::NOTICE_UNRENDERABLE,
                json!({"chars": chars.iter().map(|c| c.to_string()).collect::<Vec<_>>()}),
            ),
            other => AppError::Internal(format!("notice: {other}")),
        })?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (key, _) = self.seal_key_for(&mut tx, &view.region).await?;
        let sealed = shenpi_notice::seal(&pdf, &key);
        tx.append_audit(meta.audit(
            now,
            &view.region,
            Some(&p.user),
            "bundle.result",
            ("bundle_case", id),
            "success",
            json!({"number": view.number, "status": view.status}),
        ))
        .await?;
        tx.commit().await?;
        Ok((format!("{}-联办结果告知书.pdf", view.number), sealed))
    }

    /// The caller's bundle cases, newest first (for 我的办件).
    pub async fn my_bundle_cases(&self, p: &Principal) -> Result<Vec<BundleCaseView>, AppError> {
        let stored = {
            let mut tx = self.store.read().await?;
            tx.bundle_cases_of(&p.user.id, 100).await?
        };
        let mut out = vec![];
        for s in &stored {
            out.push(self.bundle_case_view(s).await?);
        }
        Ok(out)
    }

    /// A bundle case, for its applicant or staff of its region.
    pub async fn bundle_case(&self, p: &Principal, id: &str) -> Result<BundleCaseView, AppError> {
        let stored = {
            let mut tx = self.store.read().await?;
            tx.bundle_case(id).await?
        };
        let missing = || AppError::rule(ErrorCode::BUNDLE_CASE_NOT_FOUND, json!({"id": id}));
        let stored = stored.ok_or_else(missing)?;
        let staff = !p.user.roles.iter().any(|r| r.is_applicant());
        if stored.applicant_id != p.user.id && !(staff && in_region_scope(p, &stored.region_code)) {
            return Err(missing());
        }
        self.bundle_case_view(&stored).await
    }

    pub(super) async fn bundle_case_view(
        &self,
        stored: &StoredBundleCase,
    ) -> Result<BundleCaseView, AppError> {
        let record: BundleCaseRecord = serde_json::from_str(&stored.json)
            .map_err(|e| AppError::Internal(format!("bundle case: {e}")))?;
        let mut subs = vec![];
        let mut timeline = vec![];
        let mut results = vec![];
        let mut statuses = vec![];
        let mut deadline: Option<NaiveDate> = None;
        for s in &record.sub_cases {
            let c = {
                let mut tx = self.store.read().await?;
                tx.case_by_id(&s.case_id).await?
            }
            .ok_or_else(|| AppError::Internal("bundle sub-case missing".into()))?;
            let c = record_of(&c)?;
            let sla = self.case_sla(&c)?;
            let promised = sla.as_ref().map(|x| x.promised_deadline);
            if !matches!(
                c.status,
                CaseStatus::Granted
                    | CaseStatus::Delivered
                    | CaseStatus::Closed
                    | CaseStatus::Denied
                    | CaseStatus::NotAccepted
                    | CaseStatus::Withdrawn
            ) && let Some(d) = promised
            {
                deadline = Some(deadline.map_or(d, |x| x.max(d)));
            }
            statuses.push(c.status);
            for t in &c.timeline {
                timeline.push(BundleTimelineEntry {
                    at: t.at,
                    item_name: c.item_name.clone(),
                    status: t.status,
                    note: t.note.clone(),
                });
            }
            for n in c
                .notices
                .iter()
                .filter(|n| matches!(n.kind.as_str(), "grant" | "denial" | "refusal_to_accept"))
            {
                results.push(BundleResult {
                    item_name: c.item_name.clone(),
                    title: n.title.clone(),
                    doc_number: n.doc_number.clone(),
                    url: format!("/api/v1/cases/{}/notices/{}", c.id, n.id),
                });
            }
            subs.push(SubCaseView {
                case_id: c.id.clone(),
                number: c.number.clone(),
                item_code: c.item_code.clone(),
                item_name: c.item_name.clone(),
                handler: s.handler.clone(),
                status: c.status,
                status_zh: c.status.name_zh(),
                meaning_zh: meaning_zh(c.status),
                promised_deadline: promised,
            });
        }
        timeline.sort_by_key(|t| t.at);
        let status = BundleStatus::of(&statuses);
        Ok(BundleCaseView {
            id: stored.id.clone(),
            number: stored.number.clone(),
            bundle_code: stored.bundle_code.clone(),
            bundle_name: record.bundle_name,
            region: stored.region_code.clone(),
            status,
            status_zh: status.name_zh(),
            deadline,
            sub_cases: subs,
            timeline,
            results,
            created_at: stored.created_at,
        })
    }
}

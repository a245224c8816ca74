//! Bundles (一件事 / 一事全办) as use cases: the configured bundles (public), their
//! configuration by the city admin (checked against the catalog, every problem listed), one
//! application that opens every chosen item as a sub-case in one transaction, and the bundle
//! case (联办件) with its combined status, deadline, timeline and results.
//!
//! The rules themselves (selection by answers, the deduplicated material list, the combined
//! status, cycles of included bundles) are pure, in [`shenpi_domain::bundle`].

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::bundle::{
    Answers, Bundle, BundleItem, BundleStatus, CombinedMaterial, Handler, Question, SharedField,
    combined_materials, meaning_zh, select,
};
use shenpi_domain::case::lifecycle::CaseStatus;
use shenpi_domain::case::number::CaseNumber;
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::regions::QINGDAO_CITY;
use shenpi_store::model::{StoredBundle, StoredBundleCase};

use crate::cases::{Application, record_of};
use crate::policy::{Action, authorize, in_region_scope};
use crate::{App, AppError, Principal, RequestMeta};

/// The demo bundles: the 12-in-1 utility hook-up, its "+N" extension, company opening.
const DEMO_BUNDLES: &str = include_str!("../data/demo_bundles.json");

/// An item of a bundle as shown: with the item's and situation's names.
#[derive(Debug, Clone, Serialize)]
pub struct BundleItemView {
    pub item_code: String,
    pub item_name: String,
    pub situation: Option<String>,
    pub situation_name: Option<String>,
    pub handler: Handler,
    pub when: Option<shenpi_domain::bundle::Condition>,
}

/// A bundle as shown (`GET /api/v1/bundles/{code}`): every item (included bundles' too), the
/// departments and partners, the questions and the combined material list of all items.
#[derive(Debug, Clone, Serialize)]
pub struct BundleView {
    pub code: String,
    pub name: String,
    pub description: String,
    pub revision: i64,
    pub includes: Vec<String>,
    pub questions: Vec<Question>,
    pub shared_fields: Vec<SharedField>,
    pub items: Vec<BundleItemView>,
    /// Departments (部门) and partners (e.g. utility companies), each once.
    pub departments: Vec<String>,
    pub partners: Vec<String>,
    /// Uploads of all items, materials of the same name once.
    pub materials: Vec<CombinedMaterial>,
}

/// One application for a bundle: `POST /api/v1/bundles/{code}/applications`.
#[derive(Debug, Clone, Deserialize)]
pub struct BundleApplication {
    pub region: String,
    /// Question key → chosen values (one for a single-choice question).
    #[serde(default)]
    pub answers: Answers,
    /// The shared fields, entered once for every item.
    #[serde(default)]
    pub form: Value,
    /// Combined material key (`m1`, `m2` …) → uploaded file id.
    #[serde(default)]
    pub materials: BTreeMap<String, String>,
    pub idempotency_key: String,
}

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

fn parse(b: &StoredBundle) -> Result<Bundle, AppError> {
    serde_json::from_str(&b.json).map_err(|e| AppError::Internal(format!("bundle {}: {e}", b.code)))
}

fn not_found(code: &str) -> AppError {
    AppError::rule(ErrorCode::BUNDLE_NOT_FOUND, json!({"code": code}))
}

impl App {
    /// Stores the demo bundles when there are none; returns how many were stored.
    pub async fn load_demo_bundles(&self) -> Result<usize, AppError> {
        let bundles: Vec<Bundle> = serde_json::from_str(DEMO_BUNDLES)
            .map_err(|e| AppError::Internal(format!("demo bundles: {e}")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx.bundles().await?.is_empty() {
            return Ok(0);
        }
        for b in &bundles {
            let json = serde_json::to_string(b).map_err(|e| AppError::Internal(e.to_string()))?;
            tx.upsert_bundle(
                &StoredBundle {
                    code: b.code.clone(),
                    json,
                    revision: 1,
                    updated_by: "demo".into(),
                    updated_at: now,
                },
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(bundles.len())
    }

    /// Every stored bundle by code, with its revision.
    async fn all_bundles(&self) -> Result<BTreeMap<String, (Bundle, i64)>, AppError> {
        let mut tx = self.store.read().await?;
        let mut out = BTreeMap::new();
        for b in tx.bundles().await? {
            out.insert(b.code.clone(), (parse(&b)?, b.revision));
        }
        Ok(out)
    }

    /// The catalog items in force (citywide standard) with these codes; missing ones left out.
    async fn items_in_force(
        &self,
        codes: impl Iterator<Item = &str>,
    ) -> Result<HashMap<String, ServiceItem>, AppError> {
        let mut out = HashMap::new();
        for code in codes {
            match self.catalog_item(code, QINGDAO_CITY).await {
                Ok(e) if e.version.state == shenpi_domain::catalog::version::ItemState::Active => {
                    out.insert(code.to_string(), e.version.item);
                }
                Ok(_) | Err(AppError::Rule(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    async fn view(
        &self,
        b: &Bundle,
        revision: i64,
        all: &BTreeMap<String, (Bundle, i64)>,
    ) -> Result<BundleView, AppError> {
        let lookup = |code: &str| all.get(code).map(|(b, _)| b.clone());
        let items = b.all_items(&lookup);
        let catalog = self
            .items_in_force(items.iter().map(|i| i.item_code.as_str()))
            .await?;
        let chosen: Vec<(&BundleItem, &ServiceItem)> = items
            .iter()
            .filter_map(|i| catalog.get(&i.item_code).map(|it| (i, it)))
            .collect();
        let mut departments = vec![];
        let mut partners = vec![];
        for i in &items {
            let (list, key) = match &i.handler {
                Handler::Department(k) => (&mut departments, k),
                Handler::Partner(k) => (&mut partners, k),
            };
            if !list.contains(key) {
                list.push(key.clone());
            }
        }
        Ok(BundleView {
            code: b.code.clone(),
            name: b.name.clone(),
            description: b.description.clone(),
            revision,
            includes: b.includes.clone(),
            questions: b.all_questions(&lookup),
            shared_fields: b.shared_fields.clone(),
            materials: combined_materials(&chosen),
            items: items
                .iter()
                .map(|i| {
                    let it = catalog.get(&i.item_code);
                    BundleItemView {
                        item_code: i.item_code.clone(),
                        item_name: it.map(|x| x.name.clone()).unwrap_or_default(),
                        situation: i.situation.clone(),
                        situation_name: it.and_then(|x| {
                            x.situations
                                .iter()
                                .find(|s| Some(&s.key) == i.situation.as_ref())
                                .map(|s| s.name.clone())
                        }),
                        handler: i.handler.clone(),
                        when: i.when.clone(),
                    }
                })
                .collect(),
            departments,
            partners,
        })
    }

    /// Every bundle (public).
    pub async fn bundles(&self) -> Result<Vec<BundleView>, AppError> {
        let all = self.all_bundles().await?;
        let mut out = vec![];
        for (b, rev) in all.values() {
            out.push(self.view(b, *rev, &all).await?);
        }
        Ok(out)
    }

    /// One bundle (public).
    pub async fn bundle(&self, code: &str) -> Result<BundleView, AppError> {
        let all = self.all_bundles().await?;
        let (b, rev) = all.get(code).ok_or_else(|| not_found(code))?;
        self.view(b, *rev, &all).await
    }

    /// Creates (`revision` None) or changes (at `revision`) a bundle (city admin): checked
    /// against the catalog in force and the other bundles; every problem is listed and nothing
    /// is saved when there is one. A "+N" item is added this way, without code.
    pub async fn save_bundle(
        &self,
        p: &Principal,
        code: &str,
        b: Bundle,
        revision: Option<i64>,
        meta: &RequestMeta,
    ) -> Result<BundleView, AppError> {
        authorize(p, Action::CatalogPublish, None)?;
        if b.code != code {
            return Err(AppError::invalid_text(
                "code",
                "BUNDLE_CODE_MISMATCH",
                "请求体中的联办代码与地址不一致",
                "The bundle code in the body differs from the one in the path",
            ));
        }
        let all = self.all_bundles().await?;
        let catalog = self
            .items_in_force(b.items.iter().map(|i| i.item_code.as_str()))
            .await?;
        let lookup = |c: &str| all.get(c).map(|(b, _)| b.clone());
        let find = |c: &str| catalog.get(c);
        let problems = b.check(&find, &lookup);
        if !problems.is_empty() {
            return Err(AppError::rule(
                ErrorCode::BUNDLE_INVALID,
                json!({"problems": problems}),
            ));
        }
        let now = self.clock.now();
        let json = serde_json::to_string(&b).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let stored = StoredBundle {
            code: b.code.clone(),
            json,
            revision: revision.map(|r| r + 1).unwrap_or(1),
            updated_by: p.user.username.clone(),
            updated_at: now,
        };
        tx.upsert_bundle(&stored, revision)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "bundle.save",
            ("bundle", code),
            "success",
            json!({"revision": stored.revision, "items": b.items.len(), "includes": b.includes}),
        ))
        .await?;
        tx.commit().await?;
        self.bundle(code).await
    }

    /// One application for a bundle: the answers select the items, the shared fields and the
    /// combined uploads go to each; every sub-case is opened in one transaction (or none is).
    /// Repeating the idempotency key returns the bundle case made the first time (`false`).
    pub async fn apply_bundle(
        &self,
        p: &Principal,
        code: &str,
        a: BundleApplication,
        meta: &RequestMeta,
    ) -> Result<(BundleCaseView, bool), AppError> {
        authorize(p, Action::CaseApply, None)?;
        let key = a.idempotency_key.trim().to_string();
        if key.is_empty() || key.len() > 48 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::invalid_text(
                "idempotency_key",
                "IDEMPOTENCY_KEY_INVALID",
                "请提供 1–48 位的防重复提交标识",
                "Give an idempotency key of 1–48 printable characters",
            ));
        }
        {
            let mut tx = self.store.read().await?;
            if let Some(existing) = tx.bundle_case_by_idempotency(&p.user.id, &key).await? {
                return Ok((self.bundle_case_view(&existing).await?, false));
            }
        }
        let all = self.all_bundles().await?;
        let (bundle, _) = all.get(code).ok_or_else(|| not_found(code))?;
        let lookup = |c: &str| all.get(c).map(|(b, _)| b.clone());
        let questions = bundle.all_questions(&lookup);
        check_answers(&questions, &a.answers)?;
        let form = check_shared(&bundle.shared_fields, &a.form)?;
        let chosen = select(&bundle.all_items(&lookup), &a.answers);
        if chosen.is_empty() {
            return Err(AppError::rule(
                ErrorCode::BUNDLE_NOTHING_SELECTED,
                json!({"answers": a.answers}),
            ));
        }
        if shenpi_domain::regions::name_of(&a.region).is_none() {
            return Err(AppError::invalid_text(
                "region",
                "REGION_INVALID",
                "行政区划代码无效",
                "Unknown region code",
            ));
        }
        // Each item as the region implements it; the combined uploads mapped to its materials.
        let mut effective = vec![];
        for i in &chosen {
            effective.push(self.catalog_item(&i.item_code, &a.region).await?);
        }
        let pairs: Vec<(&BundleItem, &ServiceItem)> = chosen
            .iter()
            .zip(effective.iter())
            .map(|(i, e)| (i, &e.version.item))
            .collect();
        let combined = combined_materials(&pairs);
        // Keys of the bundle's other items are ignored (the answers did not choose them).
        let known = self.bundle(code).await?.materials;
        if let Some(k) = a
            .materials
            .keys()
            .find(|k| !known.iter().any(|m| &m.key == *k))
        {
            return Err(AppError::invalid_text(
                "materials",
                "MATERIAL_UNKNOWN",
                &format!("该联办不需要材料 {k}"),
                &format!("The bundle asks for no material {k}"),
            ));
        }
        let missing: Vec<&str> = combined
            .iter()
            .filter(|m| m.required && !a.materials.contains_key(&m.key))
            .map(|m| m.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(AppError::rule(
                ErrorCode::MATERIALS_MISSING,
                json!({"missing": missing}),
            ));
        }
        let mut applications = vec![];
        for (i, e) in chosen.iter().zip(effective.iter()) {
            let materials = combined
                .iter()
                .filter_map(|m| {
                    let file = a.materials.get(&m.key)?;
                    let (_, own) = m.used_by.iter().find(|(code, _)| code == &i.item_code)?;
                    Some((own.clone(), file.clone()))
                })
                .collect();
            let app = Application {
                item_code: i.item_code.clone(),
                region: a.region.clone(),
                situation: i.situation.clone(),
                form: form.clone(),
                materials,
                idempotency_key: format!("{key}/{}", i.item_code),
                draft_id: None,
            };
            self.check_application(p, &app).await?;
            applications.push((i, e, app));
        }

        let now = self.clock.now();
        let today = self.today();
        let mut tx = self.store.begin().await?;
        let seq = tx
            .next_case_seq(&a.region, &today.format("%Y%m%d").to_string())
            .await?;
        let number = CaseNumber::new(&a.region, today, seq)
            .ok_or_else(|| AppError::Internal("case number sequence exhausted".into()))?
            .to_string();
        let id = shenpi_store::new_id();
        let mut sub_cases = vec![];
        for (i, e, app) in &applications {
            let Some(c) = self
                .insert_application(&mut tx, p, app, e, Some(&id), partner_of(&i.handler), meta)
                .await?
            else {
                return Err(AppError::Conflict("bundle sub-case".into()));
            };
            sub_cases.push(SubCaseRef {
                case_id: c.id,
                number: c.number,
                item_code: c.item_code,
                item_name: c.item_name,
                handler: i.handler.clone(),
            });
        }
        let record = BundleCaseRecord {
            bundle_name: bundle.name.clone(),
            answers: a.answers.clone(),
            form,
            sub_cases,
        };
        let stored = StoredBundleCase {
            id: id.clone(),
            number: number.clone(),
            bundle_code: code.to_string(),
            applicant_id: p.user.id.clone(),
            region_code: a.region.clone(),
            idempotency_key: key.clone(),
            json: serde_json::to_string(&record).map_err(|e| AppError::Internal(e.to_string()))?,
            created_at: now,
        };
        match tx.insert_bundle_case(&stored).await {
            Err(shenpi_store::StoreError::Conflict(_)) => {
                drop(tx);
                let mut tx = self.store.read().await?;
                let existing = tx
                    .bundle_case_by_idempotency(&p.user.id, &key)
                    .await?
                    .ok_or_else(|| AppError::Conflict("bundle case".into()))?;
                return Ok((self.bundle_case_view(&existing).await?, false));
            }
            r => r?,
        }
        tx.append_audit(meta.audit(
            now,
            &a.region,
            Some(&p.user),
            "bundle.apply",
            ("bundle_case", &id),
            "success",
            json!({"number": number, "bundle": code, "sub_cases": record.sub_cases.iter().map(|s| &s.number).collect::<Vec<_>>()}),
        ))
        .await?;
        tx.commit().await?;
        Ok((self.bundle_case_view(&stored).await?, true))
    }

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
        let mut lines = vec![];
        let mut applicant = String::new();
        for s in &view.sub_cases {
            let (c, _) = self.case(p, &s.case_id).await?;
            applicant = c.applicant_name.clone();
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

    async fn bundle_case_view(
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

/// Every answer names a question and one of its options; single-choice questions take one.
fn check_answers(questions: &[Question], answers: &Answers) -> Result<(), AppError> {
    for (k, values) in answers {
        let q = questions.iter().find(|q| &q.key == k).ok_or_else(|| {
            AppError::invalid_text(
                "answers",
                "ANSWER_UNKNOWN",
                &format!("没有问题 {k}"),
                &format!("There is no question {k}"),
            )
        })?;
        if (!q.multiple && values.len() > 1)
            || values
                .iter()
                .any(|v| !q.options.iter().any(|(o, _)| o == v))
        {
            return Err(AppError::invalid_text(
                "answers",
                "ANSWER_INVALID",
                &format!("问题“{}”的回答不是它的选项", q.text),
                &format!("The answer to {k} is not one of its options"),
            ));
        }
    }
    Ok(())
}

/// The shared form: a JSON object (at most 64 KB) with every required shared field filled.
fn check_shared(fields: &[SharedField], form: &Value) -> Result<Value, AppError> {
    let form = if form.is_null() {
        json!({})
    } else {
        form.clone()
    };
    if !form.is_object() || form.to_string().len() > 64 * 1024 {
        return Err(AppError::invalid_text(
            "form",
            "FORM_INVALID",
            "表单须为不超过 64 KB 的 JSON 对象",
            "The form must be a JSON object of at most 64 KB",
        ));
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| {
            f.required
                && form
                    .get(&f.key)
                    .and_then(Value::as_str)
                    .is_none_or(|v| v.trim().is_empty())
        })
        .map(|f| f.label.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid_text(
            "form",
            "FORM_FIELDS_MISSING",
            &format!("请填写：{}", missing.join("、")),
            &format!("Fill in: {}", missing.join(", ")),
        ));
    }
    Ok(form)
}

/// The partner key of a handler that is a partner.
fn partner_of(h: &Handler) -> Option<&str> {
    match h {
        Handler::Partner(k) => Some(k),
        Handler::Department(_) => None,
    }
}

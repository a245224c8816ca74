//! One application for a bundle (`POST /api/v1/bundles/{code}/applications`): the answers
//! select the items, the shared fields and the combined uploads go to each, and every sub-case
//! opens in one transaction.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use shenpi_domain::bundle::{
    Answers, BundleItem, Handler, Question, SharedField, combined_materials, select,
};
use shenpi_domain::case::number::CaseNumber;
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::StoredBundleCase;

use super::case::{BundleCaseRecord, BundleCaseView, SubCaseRef};
use super::not_found;
use crate::cases::Application;
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};

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

impl App {
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
        let known = self.view(bundle, 0, &all).await?.materials;
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
            // Each sub-case is decided by its item's rules (routing, fees, checks), as alone.
            let case_id = shenpi_store::new_id();
            let decisions = self
                .decide_item_rules(
                    &e.version.item,
                    app.situation.as_deref(),
                    p.user.uscc.as_deref(),
                    &app.form,
                    &case_id,
                )
                .await?;
            applications.push((i, e, app, case_id, decisions));
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
        for (i, e, app, case_id, decisions) in applications {
            let Some((c, _)) = self
                .insert_application(
                    &mut tx,
                    p,
                    &app,
                    e,
                    crate::cases::NewCase {
                        id: case_id,
                        bundle_case: Some(id.clone()),
                        partner: partner_of(&i.handler).map(str::to_owned),
                        pulls: decisions
                            .first()
                            .map(|d| d.data_sources.clone())
                            .unwrap_or_default(),
                        decisions,
                        shared_materials: vec![],
                    },
                    meta,
                )
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

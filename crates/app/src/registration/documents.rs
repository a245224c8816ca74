//! The registration documents (登记文书) as PDF: made from the checked form with the versioned
//! templates of `shenpi_notice::registration`, stored as the applicant's own files (so they
//! download like any uploaded material) and attached to a draft application (草稿) of the item
//! the plan picked, under the material each document is — so the applicant goes on to apply with
//! the documents already in place. Everything is stored in one transaction, or nothing is.

use super::{CHANGE_ITEMS, PlanItem, RegistrationPlan};
use crate::drafts::{DraftContent, MAX_DRAFTS};
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::registration::application::RegistrationInput;
use shenpi_domain::registration::money::{format_wan, parse_wan};
use shenpi_domain::registration::scope::ScopeClass;
use shenpi_notice::NoticeError;
use shenpi_notice::registration::{InvestorLine, PersonLine, RegistrationFacts};
use shenpi_store::model::{Draft, MaterialFile};
use std::collections::BTreeMap;

/// One generated document.
#[derive(Debug, Clone, Serialize)]
pub struct GeneratedDocument {
    pub kind: String,
    pub title: String,
    /// The template it was made from, e.g. `reg.articles`, and its version.
    pub template: String,
    pub template_version: u32,
    /// The applicant's file holding the PDF.
    pub material_id: String,
    /// The material key of the picked item it is attached under, if any.
    pub attached_as: Option<String>,
    pub size: i64,
    pub sha256: String,
    /// `GET` the PDF (bearer token).
    pub url: String,
}

/// What `POST /api/v1/registration/documents` answers.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSet {
    pub plan: RegistrationPlan,
    pub documents: Vec<GeneratedDocument>,
    /// The draft application of the picked item with the documents attached.
    pub draft_id: Option<String>,
    /// Continue the application on its page.
    pub apply_url: Option<String>,
}

/// The material keys a document kind can fill, in order of preference.
fn material_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "application" => &["application"],
        "articles" => &["articles", "articles-amendment"],
        "shareholder_decision" | "shareholders_resolution" => &["appointment", "resolution"],
        "partnership_agreement" => &["partnership-agreement"],
        "designated_representative" => &["designated-representative", "agent-authorization"],
        _ => &[],
    }
}

fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return String::new();
    }
    // Two decimals, rounded half up, in integers.
    let hundredths = (i128::from(part) * 10_000 + i128::from(whole) / 2) / i128::from(whole);
    let s = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// The document facts from a checked form and its plan.
pub fn facts_of(
    input: &RegistrationInput,
    plan: &RegistrationPlan,
    date: chrono::NaiveDate,
) -> RegistrationFacts {
    let req = plan.requirements.clone().unwrap_or_default();
    let capital = parse_wan(&input.capital).unwrap_or(0);
    let district = shenpi_domain::regions::name_of(&input.address.region).unwrap_or_default();
    let scopes = |class: ScopeClass| -> Vec<String> {
        plan.scopes
            .iter()
            .filter(|s| s.entry.class == class)
            .map(|s| s.entry.text.clone())
            .collect()
    };
    let person = |p: &shenpi_domain::registration::application::Person| PersonLine {
        name: p.name.trim().to_string(),
        id_number: p.id_number.trim().to_uppercase(),
        mobile: p.mobile.trim().to_string(),
        position: p.position.clone(),
    };
    let rep_position = input
        .officers
        .iter()
        .find(|o| {
            o.id_number
                .trim()
                .eq_ignore_ascii_case(input.legal_representative.id_number.trim())
        })
        .map(|o| o.position.clone())
        .unwrap_or_else(|| req.representative_title.clone());
    RegistrationFacts {
        business: plan.business.clone(),
        business_zh: plan.business_zh.clone(),
        change_item_zh: CHANGE_ITEMS
            .iter()
            .find(|(k, _)| *k == input.change_item && !input.existing_uscc.trim().is_empty())
            .map(|(_, n)| (*n).to_string())
            .unwrap_or_default(),
        entity_type: plan.entity_type.clone(),
        name: plan.name.clone(),
        uscc: input.existing_uscc.trim().to_uppercase(),
        address: format!("青岛市{district}{}", input.address.detail.trim()),
        capital_label: req.capital_label.clone(),
        capital: format_wan(capital),
        scopes_general: scopes(ScopeClass::General),
        scopes_licensed: scopes(ScopeClass::Licensed),
        investors: input
            .shareholders
            .iter()
            .map(|s| {
                let amount = parse_wan(&s.amount).unwrap_or(0);
                InvestorLine {
                    name: s.name.trim().to_string(),
                    kind_zh: if s.kind == "legal" {
                        "法人"
                    } else {
                        "自然人"
                    }
                    .into(),
                    identifier: if s.kind == "legal" {
                        s.uscc.trim().to_uppercase()
                    } else {
                        s.id_number.trim().to_uppercase()
                    },
                    amount: format_wan(amount),
                    share: percent(amount, capital),
                    method: s.method.clone(),
                    due_date: s.due_date.trim().to_string(),
                }
            })
            .collect(),
        representative_title: req.representative_title.clone(),
        representative: PersonLine {
            position: rep_position,
            ..person(&input.legal_representative)
        },
        officers: input.officers.iter().map(person).collect(),
        contact: person(&input.contact),
        date,
    }
}

/// A made PDF before it is stored.
struct Made {
    kind: String,
    title: String,
    template: &'static str,
    version: u32,
    pdf: Vec<u8>,
}

fn render_all(
    kinds: Vec<(String, String)>,
    facts: RegistrationFacts,
) -> Result<Vec<Made>, AppError> {
    kinds
        .into_iter()
        .map(|(kind, title)| {
            let doc = shenpi_notice::registration::build(&kind, &facts)
                .ok_or_else(|| AppError::Internal(format!("no template for {kind}")))?;
            let pdf = shenpi_notice::registration::render(&doc).map_err(|e| match e {
                NoticeError::MissingGlyphs { chars } => AppError::rule(
                    ErrorCode::NOTICE_UNRENDERABLE,
                    json!({"chars": chars.iter().collect::<String>()}),
                ),
                other => AppError::Internal(format!("registration document {kind}: {other}")),
            })?;
            Ok(Made {
                kind,
                title,
                template: doc.template.id,
                version: doc.template.version,
                pdf,
            })
        })
        .collect()
}

impl App {
    /// Generates the documents of a checked form, stores them as the caller's files and opens
    /// a draft of the picked item with them attached. A form with errors is refused with
    /// `422 FORM_INVALID` as by [`App::registration_check`]; nothing is stored then.
    pub async fn registration_documents(
        &self,
        p: &Principal,
        input: &RegistrationInput,
        meta: &RequestMeta,
    ) -> Result<DocumentSet, AppError> {
        authorize(p, Action::CaseApply, None)?;
        let plan = self.registration_check(input).await?;
        let item_materials: Vec<String> = match &plan.item {
            Some(i) => self
                .catalog_item(&i.code, &i.region)
                .await?
                .version
                .item
                .materials
                .iter()
                .map(|m| m.key.clone())
                .collect(),
            None => vec![],
        };
        let facts = facts_of(input, &plan, self.today());
        let kinds: Vec<(String, String)> = plan
            .documents
            .iter()
            .map(|d| (d.kind.clone(), d.title.clone()))
            .collect();
        let made = tokio::task::spawn_blocking(move || render_all(kinds, facts))
            .await
            .map_err(|e| AppError::Internal(format!("document rendering: {e}")))??;
        let now = self.clock.now();
        let mut files = vec![];
        for m in &made {
            let blob_key = self.store.blobs().put(&m.pdf).await?;
            files.push(MaterialFile {
                id: shenpi_store::new_id(),
                owner_id: p.user.id.clone(),
                region_code: p.user.region_code.clone(),
                name: format!("{}（{}）.pdf", m.title, plan.name),
                kind: "pdf".into(),
                size: i64::try_from(m.pdf.len()).unwrap_or(i64::MAX),
                sha256: hex::encode(Sha256::digest(&m.pdf)),
                blob_key,
                created_at: now,
            });
        }
        let mut attached: BTreeMap<String, String> = BTreeMap::new();
        let mut documents = vec![];
        for (m, f) in made.iter().zip(&files) {
            let key = material_keys(&m.kind)
                .iter()
                .copied()
                .find(|k| item_materials.iter().any(|x| x == k) && !attached.contains_key(*k))
                .map(str::to_string);
            if let Some(k) = &key {
                attached.insert(k.clone(), f.id.clone());
            }
            documents.push(GeneratedDocument {
                kind: m.kind.clone(),
                title: m.title.clone(),
                template: m.template.to_string(),
                template_version: m.version,
                material_id: f.id.clone(),
                attached_as: key,
                size: f.size,
                sha256: f.sha256.clone(),
                url: format!("/api/v1/materials/{}/content", f.id),
            });
        }
        let mut tx = self.store.begin().await?;
        let draft = match &plan.item {
            Some(item) => {
                if tx.drafts_of(&p.user.id, 500).await?.len() >= MAX_DRAFTS {
                    return Err(AppError::invalid_text(
                        "draft",
                        "TOO_MANY_DRAFTS",
                        "草稿已达 50 份，请先删除不需要的草稿",
                        "You have 50 drafts; delete some first",
                    ));
                }
                Some(draft_of(p, item, &attached, now)?)
            }
            None => None,
        };
        for f in &files {
            tx.insert_material_file(f).await?;
        }
        if let Some(d) = &draft {
            tx.insert_draft(d).await?;
        }
        tx.append_audit(meta.audit(
            now,
            &p.user.region_code,
            Some(&p.user),
            "registration.documents",
            (
                "draft",
                draft.as_ref().map(|d| d.id.as_str()).unwrap_or("-"),
            ),
            "success",
            json!({
                "entity_kind": plan.entity_kind,
                "business": plan.business,
                "item": plan.item.as_ref().map(|i| &i.code),
                "documents": documents.iter().map(|d| json!({"kind": d.kind, "template": d.template,
                    "version": d.template_version, "sha256": d.sha256})).collect::<Vec<_>>(),
            }),
        ))
        .await?;
        tx.commit().await?;
        let apply_url = draft.as_ref().zip(plan.item.as_ref()).map(|(d, i)| {
            format!(
                "/items/{}/apply?region={}&situation={}&draft={}",
                i.code, i.region, i.situation, d.id
            )
        });
        Ok(DocumentSet {
            draft_id: draft.map(|d| d.id),
            apply_url,
            documents,
            plan,
        })
    }
}

fn draft_of(
    p: &Principal,
    item: &PlanItem,
    materials: &BTreeMap<String, String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Draft, AppError> {
    let content = DraftContent {
        item_code: item.code.clone(),
        region: item.region.clone(),
        situation: Some(item.situation.clone()),
        form: serde_json::Value::Null,
        materials: materials.clone(),
    };
    Ok(Draft {
        id: shenpi_store::new_id(),
        owner_id: p.user.id.clone(),
        item_code: item.code.clone(),
        region_code: item.region.clone(),
        json: serde_json::to_string(&content).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now,
        updated_at: now,
        revision: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn shares_are_exact_percentages() {
        assert_eq!(percent(60, 100), "60%");
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(2, 3), "66.67%");
        assert_eq!(percent(5, 10), "50%");
        assert_eq!(percent(1, 8), "12.5%");
    }
}

//! Application drafts (草稿): an applicant keeps an unfinished application — item, region,
//! situation, form, materials — and submits it later with `draft_id`. Only the owner sees,
//! changes or deletes a draft; another person's draft is reported as missing.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::Draft;
use std::collections::BTreeMap;

/// At most this many drafts per applicant.
pub const MAX_DRAFTS: usize = 50;
/// A draft's content may not exceed this many bytes of JSON.
pub const MAX_DRAFT_BYTES: usize = 256 * 1024;

/// What a draft holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftContent {
    pub item_code: String,
    pub region: String,
    #[serde(default)]
    pub situation: Option<String>,
    #[serde(default)]
    pub form: Value,
    #[serde(default)]
    pub materials: BTreeMap<String, String>,
}

/// A draft as the applicant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct DraftView {
    pub id: String,
    pub revision: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    pub content: DraftContent,
}

fn view(d: Draft) -> Result<DraftView, AppError> {
    Ok(DraftView {
        content: serde_json::from_str(&d.json)
            .map_err(|e| AppError::Internal(format!("draft: {e}")))?,
        id: d.id,
        revision: d.revision,
        updated_at: d.updated_at,
    })
}

fn not_found(id: &str) -> AppError {
    AppError::rule(ErrorCode::DRAFT_NOT_FOUND, json!({"id": id}))
}

impl App {
    /// Creates a draft (`id` None) or replaces the caller's draft `id`.
    pub async fn save_draft(
        &self,
        p: &Principal,
        id: Option<&str>,
        content: DraftContent,
    ) -> Result<DraftView, AppError> {
        authorize(p, Action::CaseApply, None)?;
        if content.item_code.trim().is_empty() || content.region.trim().is_empty() {
            return Err(AppError::invalid_text(
                "item_code",
                "DRAFT_ITEM_REQUIRED",
                "草稿须选择事项和办理地区",
                "A draft names the item and the region",
            ));
        }
        if shenpi_domain::regions::name_of(&content.region).is_none() {
            return Err(AppError::invalid_text(
                "region",
                "REGION_INVALID",
                "行政区划代码无效",
                "Unknown region code",
            ));
        }
        let json =
            serde_json::to_string(&content).map_err(|e| AppError::Internal(e.to_string()))?;
        if json.len() > MAX_DRAFT_BYTES {
            return Err(AppError::invalid_text(
                "form",
                "DRAFT_TOO_LARGE",
                "草稿内容过大（上限 256 KB）",
                "The draft is too large (256 KB at most)",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let d = match id {
            None => {
                if tx.drafts_of(&p.user.id, 500).await?.len() >= MAX_DRAFTS {
                    return Err(AppError::invalid_text(
                        "draft",
                        "TOO_MANY_DRAFTS",
                        "草稿已达 50 份，请先删除不需要的草稿",
                        "You have 50 drafts; delete some first",
                    ));
                }
                let d = Draft {
                    id: shenpi_store::new_id(),
                    owner_id: p.user.id.clone(),
                    item_code: content.item_code.clone(),
                    region_code: content.region.clone(),
                    json,
                    created_at: now,
                    updated_at: now,
                    revision: 1,
                };
                tx.insert_draft(&d).await?;
                d
            }
            Some(id) => {
                let mut d = tx
                    .draft(id)
                    .await?
                    .filter(|d| d.owner_id == p.user.id)
                    .ok_or_else(|| not_found(id))?;
                let rev = d.revision;
                d.item_code = content.item_code.clone();
                d.region_code = content.region.clone();
                d.json = json;
                d.updated_at = now;
                d.revision += 1;
                tx.update_draft(&d, rev)
                    .await
                    .map_err(crate::catalog::stale)?;
                d
            }
        };
        tx.commit().await?;
        view(d)
    }

    /// The caller's drafts, last changed first.
    pub async fn drafts(&self, p: &Principal) -> Result<Vec<DraftView>, AppError> {
        let mut tx = self.store.read().await?;
        tx.drafts_of(&p.user.id, MAX_DRAFTS as i64)
            .await?
            .into_iter()
            .map(view)
            .collect()
    }

    /// One draft of the caller.
    pub async fn draft(&self, p: &Principal, id: &str) -> Result<DraftView, AppError> {
        let mut tx = self.store.read().await?;
        let d = tx
            .draft(id)
            .await?
            .filter(|d| d.owner_id == p.user.id)
            .ok_or_else(|| not_found(id))?;
        view(d)
    }

    /// Deletes a draft of the caller.
    pub async fn delete_draft(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        let mine = tx.draft(id).await?.is_some_and(|d| d.owner_id == p.user.id);
        if !mine {
            return Err(not_found(id));
        }
        tx.delete_draft(id).await?;
        tx.commit().await?;
        Ok(())
    }
}

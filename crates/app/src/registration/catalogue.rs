//! The business-scope catalogue in force (经营范围规范表述目录) and the name-word list.
//!
//! The platform ships a curated demo list (`data/business_scope.json`, ≥ 60 expressions of both
//! classes with their linked permits). An administrator imports the full national catalogue file
//! (JSON or CSV, see `domain::registration::scope`) with `shenpi import business-scope FILE` or
//! `POST /api/v1/registration/business-scopes/import`: the file is checked whole and stored as
//! the next version, or refused with every problem listed and nothing stored. The newest imported
//! version is in force; without one, the shipped list is.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::registration::name::NameWords;
use shenpi_domain::registration::scope::{
    Catalogue, FileFormat, ScopeClass, ScopeEntry, parse_catalogue,
};
use shenpi_store::model::ScopeCatalogVersion;
use std::sync::{Arc, LazyLock};

/// The shipped curated catalogue.
pub fn shipped_catalogue() -> Result<Catalogue, AppError> {
    static SHIPPED: LazyLock<Result<Catalogue, String>> = LazyLock::new(|| {
        parse_catalogue(
            include_bytes!("../../data/business_scope.json"),
            FileFormat::Json,
            None,
        )
        .map_err(|p| format!("shipped business scopes: {p:?}"))
    });
    SHIPPED.clone().map_err(AppError::Internal)
}

/// The shipped prohibited- and restricted-word list for names.
pub fn name_words() -> Result<Arc<NameWords>, AppError> {
    static WORDS: LazyLock<Result<Arc<NameWords>, String>> = LazyLock::new(|| {
        serde_json::from_str(include_str!("../../data/name_words.json"))
            .map(Arc::new)
            .map_err(|e| format!("name words: {e}"))
    });
    WORDS.clone().map_err(AppError::Internal)
}

/// One entry as the API and pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeView {
    #[serde(flatten)]
    pub entry: ScopeEntry,
    /// `一般` or `许可`.
    pub class_zh: &'static str,
}

impl From<&ScopeEntry> for ScopeView {
    fn from(e: &ScopeEntry) -> Self {
        ScopeView {
            entry: e.clone(),
            class_zh: e.class.zh(),
        }
    }
}

/// A page of search results, with the catalogue version searched.
#[derive(Debug, Clone, Serialize)]
pub struct ScopePage {
    pub catalogue_version: String,
    pub items: Vec<ScopeView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// What an import stored.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeImport {
    pub version: i64,
    pub label: String,
    pub entries: i64,
    pub general: i64,
    pub licensed: i64,
    pub sha256: String,
}

/// The `details` of a refused import: every problem with its row and field.
fn import_invalid(problems: &[shenpi_domain::registration::scope::ImportProblem]) -> AppError {
    AppError::rule(ErrorCode::IMPORT_INVALID, json!({ "problems": problems }))
}

impl App {
    /// The catalogue in force: the newest import, else the shipped list.
    pub async fn scope_catalogue(&self) -> Result<Catalogue, AppError> {
        let stored = {
            let mut tx = self.store.read().await?;
            tx.latest_scope_catalog().await?
        };
        match stored {
            Some(v) => serde_json::from_str(&v.json)
                .map_err(|e| AppError::Internal(format!("scope catalogue {}: {e}", v.version))),
            None => shipped_catalogue(),
        }
    }

    /// Searches the catalogue in force (`q` in the wording or the exact code; `class`
    /// `general`/`licensed`/`一般`/`许可`), page by page.
    pub async fn search_scopes(
        &self,
        q: &str,
        class: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<ScopePage, AppError> {
        let class = match class.map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(ScopeClass::parse(c).ok_or_else(|| {
                AppError::invalid_text(
                    "class",
                    "SCOPE_CLASS_INVALID",
                    "项目类别须为 general（一般）或 licensed（许可）",
                    "The class must be general or licensed",
                )
            })?),
        };
        let c = self.scope_catalogue().await?;
        let found = shenpi_domain::registration::scope::search(&c.entries, q, class);
        let per_page = per_page.clamp(1, 200);
        let page = page.max(1);
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let take = usize::try_from(per_page).unwrap_or(20);
        Ok(ScopePage {
            catalogue_version: c.version.clone(),
            total: i64::try_from(found.len()).unwrap_or(i64::MAX),
            items: found
                .into_iter()
                .skip(skip)
                .take(take)
                .map(ScopeView::from)
                .collect(),
            page,
            per_page,
        })
    }

    /// Imports a full catalogue file as the next version, all or nothing.
    pub async fn import_scope_catalogue(
        &self,
        p: Option<&Principal>,
        source: &str,
        bytes: &[u8],
        format: FileFormat,
        label: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<ScopeImport, AppError> {
        if let Some(p) = p {
            authorize(p, Action::CatalogManage, None)?;
        }
        let c = parse_catalogue(bytes, format, label).map_err(|p| import_invalid(&p))?;
        let count = |class| {
            i64::try_from(c.entries.iter().filter(|e| e.class == class).count()).unwrap_or(0)
        };
        let (general, licensed) = (count(ScopeClass::General), count(ScopeClass::Licensed));
        let json = serde_json::to_string(&c).map_err(|e| AppError::Internal(e.to_string()))?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let now = self.clock.now();
        let by = p
            .map(|p| p.user.username.clone())
            .unwrap_or_else(|| "cli".into());
        let mut tx = self.store.begin().await?;
        let version = tx
            .latest_scope_catalog()
            .await?
            .map(|v| v.version + 1)
            .unwrap_or(1);
        let row = ScopeCatalogVersion {
            version,
            label: c.version.clone(),
            source: source.chars().take(200).collect(),
            entries: general + licensed,
            json,
            sha256: sha256.clone(),
            imported_by: by,
            imported_at: now,
        };
        tx.insert_scope_catalog(&row)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            shenpi_domain::regions::QINGDAO_CITY,
            p.map(|p| &p.user),
            "registration.scopes.import",
            ("scope_catalog", &version.to_string()),
            "success",
            json!({"label": row.label, "entries": row.entries, "sha256": sha256}),
        ))
        .await?;
        tx.commit().await?;
        Ok(ScopeImport {
            version,
            label: row.label,
            entries: row.entries,
            general,
            licensed,
            sha256,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_has_at_least_60_expressions_of_both_classes_with_permits() {
        let c = shipped_catalogue().unwrap();
        assert!(c.entries.len() >= 60, "{}", c.entries.len());
        let licensed: Vec<_> = c
            .entries
            .iter()
            .filter(|e| e.class == ScopeClass::Licensed)
            .collect();
        assert!(licensed.len() >= 20);
        assert!(
            c.entries
                .iter()
                .filter(|e| e.class == ScopeClass::General)
                .count()
                >= 30
        );
        assert!(licensed.iter().all(|e| !e.permits.is_empty()));
        let find = |t: &str| c.entries.iter().find(|e| e.text == t).unwrap();
        assert_eq!(
            find("食品销售（仅销售预包装食品）").class,
            ScopeClass::General
        );
        assert_eq!(find("餐饮服务").permits[0].name, "食品经营许可证");
        assert_eq!(
            find("道路货物运输（不含危险货物）").permits[0].name,
            "道路运输经营许可证"
        );
        assert_eq!(find("第二类医疗器械销售").class, ScopeClass::General);
        assert_eq!(find("建设工程施工").class, ScopeClass::Licensed);
    }

    #[test]
    fn the_shipped_word_list_covers_each_category() {
        let w = name_words().unwrap();
        for cat in [
            "approval",
            "exaggeration",
            "misleading",
            "restricted",
            "public_order",
        ] {
            assert!(w.words.iter().any(|x| x.category == cat), "{cat}");
        }
        for word in ["中国", "中华", "全国", "国家", "国际", "最", "第一", "顶级"] {
            assert!(w.words.iter().any(|x| x.word == word), "{word}");
        }
    }
}

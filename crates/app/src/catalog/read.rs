//! Reading the catalog as it is in force today: the effective version of every item, and for a
//! district its implementations with their local elements.

use crate::{App, AppError};
use chrono::NaiveDate;
use serde::Serialize;
use shenpi_domain::catalog::local::Implementation;
use shenpi_domain::catalog::version::{ItemState, ItemVersion, effective_on, scheduled_after};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::regions::QINGDAO_CITY;
use shenpi_store::model::Page;
use std::collections::BTreeMap;

/// An item as one region implements it today.
#[derive(Debug, Clone, Serialize)]
pub struct EffectiveItem {
    pub region: String,
    /// The version in force.
    pub version: ItemVersion,
    /// The district's local elements (None at city level).
    pub implementation: Option<Implementation>,
    /// A newer published version waiting for its effective date: (version, date).
    pub scheduled: Option<(u32, NaiveDate)>,
}

/// Filters of a catalog listing.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Substring of the name or code.
    pub q: Option<String>,
    pub domain: Option<String>,
    pub department: Option<String>,
    pub online_level: Option<String>,
    /// Include suspended and cancelled items.
    pub include_inactive: bool,
}

/// Every version grouped by item code.
pub(crate) fn by_code(all: Vec<ItemVersion>) -> BTreeMap<String, Vec<ItemVersion>> {
    let mut m: BTreeMap<String, Vec<ItemVersion>> = BTreeMap::new();
    for v in all {
        m.entry(v.code.clone()).or_default().push(v);
    }
    m
}

impl App {
    /// Today in Asia/Shanghai.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The effective catalog of a region (public), filtered and paginated by name.
    pub async fn catalog_items(
        &self,
        region: &str,
        filter: &ItemFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<EffectiveItem>, AppError> {
        let all = self.effective_catalog(region).await?;
        let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        let items: Vec<EffectiveItem> = all
            .into_iter()
            .filter(|e| filter.include_inactive || e.version.state == ItemState::Active)
            .filter(|e| {
                q.is_none_or(|q| e.version.item.name.contains(q) || e.version.code.contains(q))
            })
            .filter(|e| {
                filter
                    .domain
                    .as_deref()
                    .is_none_or(|d| e.version.item.domain == d)
            })
            .filter(|e| {
                filter
                    .department
                    .as_deref()
                    .is_none_or(|d| e.version.item.department == d)
            })
            .filter(|e| {
                filter
                    .online_level
                    .as_deref()
                    .is_none_or(|d| e.version.item.online_level.as_str() == d)
            })
            .collect();
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let total = items.len() as i64;
        let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
        let take = usize::try_from(per_page).unwrap_or(20);
        Ok(Page {
            items: items.into_iter().skip(skip).take(take).collect(),
            total,
            page,
            per_page,
        })
    }

    /// Every item in force in a region, ordered by code (cancelled ones included, flagged).
    pub async fn effective_catalog(&self, region: &str) -> Result<Vec<EffectiveItem>, AppError> {
        self.check_region(region).await?;
        let today = self.today();
        let (all, imps) = {
            let mut tx = self.store.read().await?;
            let all = tx.all_item_versions().await?;
            let imps = if region == QINGDAO_CITY {
                vec![]
            } else {
                tx.implementations(None, Some(region)).await?
            };
            (all, imps)
        };
        let mut out = vec![];
        for (code, versions) in by_code(all) {
            let Some(current) = effective_on(&versions, today) else {
                continue;
            };
            let implementation = imps.iter().find(|i| i.code == code).cloned();
            if region != QINGDAO_CITY && implementation.is_none() {
                continue;
            }
            out.push(EffectiveItem {
                region: region.to_string(),
                scheduled: scheduled_after(&versions, today).map(|v| (v.version, v.effective_from)),
                version: current.clone(),
                implementation,
            });
        }
        Ok(out)
    }

    /// One item as a region implements it today.
    pub async fn catalog_item(&self, code: &str, region: &str) -> Result<EffectiveItem, AppError> {
        self.check_region(region).await?;
        let today = self.today();
        let (versions, imp) = {
            let mut tx = self.store.read().await?;
            // Which versions there are is the database's to say; each version, once
            // published, never changes, so those read before come from memory.
            let numbers = tx.item_version_numbers(code).await?;
            let known: Option<Vec<ItemVersion>> = numbers
                .iter()
                .map(|&n| self.versions.get(code, n).map(|v| (*v).clone()))
                .collect();
            let v = match known {
                Some(v) => v,
                None => {
                    let v = tx.item_versions(code).await?;
                    self.versions.keep(&v);
                    v
                }
            };
            let imp = if region == QINGDAO_CITY {
                None
            } else {
                tx.implementation(code, region).await?
            };
            (v, imp)
        };
        let not_found = || {
            AppError::rule(
                ErrorCode::ITEM_NOT_FOUND,
                serde_json::json!({"code": code, "region": region}),
            )
        };
        let current = effective_on(&versions, today).ok_or_else(not_found)?;
        if region != QINGDAO_CITY && imp.is_none() {
            return Err(not_found());
        }
        Ok(EffectiveItem {
            region: region.to_string(),
            scheduled: scheduled_after(&versions, today).map(|v| (v.version, v.effective_from)),
            version: current.clone(),
            implementation: imp,
        })
    }

    /// Every published version of an item (history).
    pub async fn item_history(&self, code: &str) -> Result<Vec<ItemVersion>, AppError> {
        let mut tx = self.store.read().await?;
        let v = tx.item_versions(code).await?;
        if v.is_empty() {
            return Err(AppError::rule(
                ErrorCode::ITEM_NOT_FOUND,
                serde_json::json!({"code": code}),
            ));
        }
        Ok(v)
    }

    /// One published version (cases pin the version they were submitted under).
    pub async fn item_version(&self, code: &str, version: u32) -> Result<ItemVersion, AppError> {
        if let Some(v) = self.versions.get(code, version) {
            return Ok((*v).clone());
        }
        let history = self.item_history(code).await?;
        self.versions.keep(&history);
        history
            .into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| {
                AppError::rule(
                    ErrorCode::ITEM_NOT_FOUND,
                    serde_json::json!({"code": code, "version": version}),
                )
            })
    }

    /// Refuses a region the platform does not serve.
    pub(crate) async fn check_region(&self, region: &str) -> Result<(), AppError> {
        let known = shenpi_domain::regions::qingdao_districts()
            .iter()
            .any(|(c, _)| *c == region)
            || region == QINGDAO_CITY;
        if known {
            Ok(())
        } else {
            Err(AppError::invalid_text(
                "region",
                "REGION_NOT_SERVED",
                "该区划不在本平台服务范围内（青岛市 370200 及其 10 个区市）",
                "The platform serves Qingdao (370200) and its 10 districts only",
            ))
        }
    }
}

//! Bundles (一件事 / 一事全办) as use cases: the configured bundles (public) and their
//! configuration by the city admin (checked against the catalog, every problem listed).
//!
//! - [`apply`]: one application that opens every chosen item as a sub-case in one transaction.
//! - [`case`]: the bundle case (联办件) with its combined status, deadline, timeline, one
//!   supplement for every department, and the sealed combined result.
//!
//! The rules themselves (selection by answers, the deduplicated material list, the combined
//! status, cycles of included bundles) are pure, in [`shenpi_domain::bundle`].

pub mod apply;
pub mod case;

pub use apply::BundleApplication;
pub use case::{
    BundleCaseRecord, BundleCaseView, BundleResult, BundleTimelineEntry, SubCaseRef, SubCaseView,
};

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;
use shenpi_domain::bundle::{
    Bundle, BundleItem, CombinedMaterial, Handler, Question, SharedField, combined_materials,
};
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::regions::QINGDAO_CITY;
use shenpi_store::model::StoredBundle;

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};

/// The demo bundles: the 12-in-1 utility hook-up, its "+N" extension, company opening.
const DEMO_BUNDLES: &str = include_str!("../../data/demo_bundles.json");

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

pub(super) fn parse(b: &StoredBundle) -> Result<Bundle, AppError> {
    serde_json::from_str(&b.json).map_err(|e| AppError::Internal(format!("bundle {}: {e}", b.code)))
}

pub(super) fn not_found(code: &str) -> AppError {
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
    pub(super) async fn all_bundles(&self) -> Result<BTreeMap<String, (Bundle, i64)>, AppError> {
        let mut tx = self.store.read().await?;
        let mut out = BTreeMap::new();
        for b in tx.bundles().await? {
            out.insert(b.code.clone(), (parse(&b)?, b.revision));
        }
        Ok(out)
    }

    /// The catalog items in force (citywide standard) with these codes; missing ones left out.
    pub(super) async fn items_in_force(
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

    pub(super) async fn view(
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
}

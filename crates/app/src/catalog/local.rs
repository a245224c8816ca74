//! District claims (认领) and local elements (本地要素). Key elements are inherited from the city
//! standard and can never be changed here; the deviation report lists any implementation whose
//! own list differs from the standard (e.g. after a district's import).

use super::read::by_code;
use super::stale;
use crate::policy::{Action, authorize, in_region_scope};
use crate::{App, AppError, Principal, RequestMeta};
use serde::Serialize;
use serde_json::{Value, json};
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::diff::{FieldChange, diff};
use shenpi_domain::catalog::local::{Implementation, KEY_ELEMENTS, LocalElements, key_elements};
use shenpi_domain::catalog::version::{ItemState, effective_on};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::regions::QINGDAO_CITY;

/// One line of the deviation report (偏差报告).
#[derive(Debug, Clone, Serialize)]
pub struct Deviation {
    pub code: String,
    pub region: String,
    /// `key_elements_differ`, `not_district_level`, `item_not_in_force`.
    pub kind: &'static str,
    pub changes: Vec<FieldChange>,
}

/// Parses a local-elements document, refusing any key element by name.
pub fn parse_local(body: &Value) -> Result<LocalElements, AppError> {
    let Some(obj) = body.as_object() else {
        return Err(AppError::invalid_text(
            "local",
            "LOCAL_NOT_OBJECT",
            "本地要素须为 JSON 对象",
            "Local elements must be a JSON object",
        ));
    };
    let locked: Vec<&str> = obj
        .keys()
        .map(String::as_str)
        .filter(|k| KEY_ELEMENTS.contains(k) || is_other_standard_field(k))
        .collect();
    if !locked.is_empty() {
        return Err(AppError::rule(
            ErrorCode::KEY_ELEMENT_LOCKED,
            json!({"fields": locked}),
        ));
    }
    let local: LocalElements = serde_json::from_value(body.clone()).map_err(|e| {
        AppError::invalid_text(
            "local",
            "LOCAL_INVALID",
            &format!("本地要素格式不正确：{e}"),
            &format!("Invalid local elements: {e}"),
        )
    })?;
    local
        .check()
        .map_err(|(f, zh, en)| AppError::invalid_text(f, "LOCAL_INVALID", zh, en))?;
    Ok(local)
}

/// Other fields of the standard that belong to the city (not key elements, but not local either).
fn is_other_standard_field(k: &str) -> bool {
    matches!(
        k,
        "main_item"
            | "sub_item"
            | "domain"
            | "department"
            | "implementing_body"
            | "district_level"
            | "online_level"
            | "special_procedures"
            | "process_steps"
            | "faq"
            | "knowledge"
            | "service_object"
    )
}

impl App {
    /// A district claims a city item with its local elements.
    pub async fn claim_item(
        &self,
        p: &Principal,
        code: &str,
        region: &str,
        body: &Value,
        meta: &RequestMeta,
    ) -> Result<Implementation, AppError> {
        authorize(p, Action::CatalogLocal, Some(region))?;
        if region == QINGDAO_CITY {
            return Err(AppError::invalid_text(
                "region",
                "REGION_NOT_DISTRICT",
                "只有区（市）认领事项",
                "Only districts claim items",
            ));
        }
        self.check_region(region).await?;
        let local = parse_local(body)?;
        let today = self.today();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let versions = tx.item_versions(code).await?;
        let current = effective_on(&versions, today)
            .filter(|v| v.state == ItemState::Active)
            .ok_or_else(|| AppError::rule(ErrorCode::ITEM_NOT_FOUND, json!({"code": code})))?;
        if !current.item.district_level {
            return Err(AppError::rule(
                ErrorCode::ITEM_NOT_DISTRICT_LEVEL,
                json!({"code": code}),
            ));
        }
        if tx.implementation(code, region).await?.is_some() {
            return Err(AppError::rule(
                ErrorCode::ITEM_ALREADY_CLAIMED,
                json!({"code": code, "region": region}),
            ));
        }
        let imp = Implementation {
            code: code.to_string(),
            region_code: region.to_string(),
            local,
            imported_key: None,
            claimed_by: p.user.username.clone(),
            claimed_at: now,
            updated_at: now,
            revision: 1,
        };
        tx.save_implementation(&imp, None).await.map_err(|_| {
            AppError::rule(
                ErrorCode::ITEM_ALREADY_CLAIMED,
                json!({"code": code, "region": region}),
            )
        })?;
        tx.append_audit(meta.audit(
            now,
            region,
            Some(&p.user),
            "catalog.claim",
            ("item", code),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        self.catalog_changed().await;
        Ok(imp)
    }

    /// Replaces a district's local elements; `revision` is the one the editor read.
    pub async fn update_local(
        &self,
        p: &Principal,
        code: &str,
        region: &str,
        revision: i64,
        body: &Value,
        meta: &RequestMeta,
    ) -> Result<Implementation, AppError> {
        authorize(p, Action::CatalogLocal, Some(region))?;
        let local = parse_local(body)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut imp = tx.implementation(code, region).await?.ok_or_else(|| {
            AppError::rule(
                ErrorCode::IMPLEMENTATION_NOT_FOUND,
                json!({"code": code, "region": region}),
            )
        })?;
        if imp.revision != revision {
            return Err(AppError::rule(
                ErrorCode::STALE_REVISION,
                json!({"current_revision": imp.revision}),
            ));
        }
        let before = serde_json::to_value(&imp.local).unwrap_or(Value::Null);
        imp.local = local;
        imp.updated_at = now;
        imp.revision += 1;
        tx.save_implementation(&imp, Some(revision))
            .await
            .map_err(stale)?;
        let after = serde_json::to_value(&imp.local).unwrap_or(Value::Null);
        let changed: Vec<String> = diff(&before, &after).into_iter().map(|c| c.path).collect();
        tx.append_audit(meta.audit(
            now,
            region,
            Some(&p.user),
            "catalog.local.update",
            ("item", code),
            "success",
            json!({"fields": changed, "revision": imp.revision}),
        ))
        .await?;
        tx.commit().await?;
        self.catalog_changed().await;
        Ok(imp)
    }

    /// Implementations that differ from the city standard.
    pub async fn deviation_report(&self, p: &Principal) -> Result<Vec<Deviation>, AppError> {
        authorize(p, Action::CatalogManage, None)?;
        Ok(self
            .deviation_report_unchecked()
            .await?
            .into_iter()
            .filter(|d| in_region_scope(p, &d.region))
            .collect())
    }

    async fn deviation_report_unchecked(&self) -> Result<Vec<Deviation>, AppError> {
        let today = self.today();
        let (all, imps) = {
            let mut tx = self.store.read().await?;
            (
                tx.all_item_versions().await?,
                tx.implementations(None, None).await?,
            )
        };
        let catalog = by_code(all);
        let mut out = vec![];
        for imp in imps {
            let current = catalog
                .get(&imp.code)
                .and_then(|vs| effective_on(vs, today));
            let Some(current) = current.filter(|v| v.state != ItemState::Cancelled) else {
                out.push(Deviation {
                    code: imp.code,
                    region: imp.region_code,
                    kind: "item_not_in_force",
                    changes: vec![],
                });
                continue;
            };
            if !current.item.district_level {
                out.push(Deviation {
                    code: imp.code.clone(),
                    region: imp.region_code.clone(),
                    kind: "not_district_level",
                    changes: vec![],
                });
            }
            if let Some(own) = &imp.imported_key {
                let changes = diff(&key_elements(&current.item), own);
                if !changes.is_empty() {
                    out.push(Deviation {
                        code: imp.code,
                        region: imp.region_code,
                        kind: "key_elements_differ",
                        changes,
                    });
                }
            }
        }
        Ok(out)
    }
}

impl App {
    /// Imports a district's own list (实施清单) of city items: each item is claimed (or kept)
    /// with the key elements as the district's list has them, so the deviation report shows
    /// where the list differs from the city standard. The list is taken whole or not at all:
    /// an unknown code, or an item not implemented at district level, refuses the file.
    pub async fn import_district_list(
        &self,
        p: &Principal,
        region: &str,
        items: Vec<ServiceItem>,
        meta: &RequestMeta,
    ) -> Result<Vec<Deviation>, AppError> {
        authorize(p, Action::CatalogLocal, Some(region))?;
        if region == QINGDAO_CITY {
            return Err(AppError::invalid_text(
                "region",
                "REGION_NOT_DISTRICT",
                "只有区（市）导入实施清单",
                "Only districts import implementation lists",
            ));
        }
        self.check_region(region).await?;
        let today = self.today();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut problems = vec![];
        let mut planned = vec![];
        for (n, item) in items.iter().enumerate() {
            let versions = tx.item_versions(&item.code).await?;
            match effective_on(&versions, today).filter(|v| v.state == ItemState::Active) {
                None => problems.push(json!({"row": n + 1, "code": item.code, "reason_code": "ITEM_NOT_FOUND"})),
                Some(v) if !v.item.district_level => {
                    problems.push(json!({"row": n + 1, "code": item.code, "reason_code": "ITEM_NOT_DISTRICT_LEVEL"}))
                }
                Some(_) => planned.push(item),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::rule(
                ErrorCode::IMPORT_INVALID,
                json!({"errors": problems}),
            ));
        }
        for item in planned {
            let own = key_elements(item);
            match tx.implementation(&item.code, region).await? {
                Some(mut imp) => {
                    let rev = imp.revision;
                    imp.imported_key = Some(own);
                    imp.revision += 1;
                    imp.updated_at = now;
                    tx.save_implementation(&imp, Some(rev))
                        .await
                        .map_err(stale)?;
                }
                None => {
                    let imp = Implementation {
                        code: item.code.clone(),
                        region_code: region.to_string(),
                        local: LocalElements {
                            place: item.default_place.clone(),
                            hours: item.default_hours.clone(),
                            ..Default::default()
                        },
                        imported_key: Some(own),
                        claimed_by: p.user.username.clone(),
                        claimed_at: now,
                        updated_at: now,
                        revision: 1,
                    };
                    tx.save_implementation(&imp, None).await?;
                }
            }
        }
        tx.append_audit(meta.audit(
            now,
            region,
            Some(&p.user),
            "catalog.district_import",
            ("region", region),
            "success",
            json!({"items": items.len()}),
        ))
        .await?;
        tx.commit().await?;
        self.catalog_changed().await;
        let report = self.deviation_report_unchecked().await?;
        Ok(report.into_iter().filter(|d| d.region == region).collect())
    }
}

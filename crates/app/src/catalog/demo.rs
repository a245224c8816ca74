//! The demo catalog (演示事项库): realistic items across several domains, published as version 1
//! and claimed by every district where the law places them at district level.

use crate::{App, AppError, RequestMeta};
use chrono::NaiveDate;
use serde_json::json;
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::local::{Implementation, LocalElements};
use shenpi_domain::catalog::version::{ItemState, ItemVersion};
use shenpi_domain::regions::{QINGDAO_CITY, qingdao_districts};

/// The demo items (fictional codes, real legal bases).
pub fn demo_items() -> Result<Vec<ServiceItem>, AppError> {
    serde_json::from_str(include_str!("../../data/demo_catalog.json"))
        .map_err(|e| AppError::Internal(format!("demo catalog: {e}")))
}

/// The demo local elements of a district.
fn demo_local(region: &str, name: &str, n: usize) -> LocalElements {
    LocalElements {
        local_code: String::new(),
        place: format!("{name}行政审批服务大厅（演示地址）"),
        hours: "工作日 上午 9:00–12:00，下午 13:30–17:00".into(),
        windows: vec![format!("A{:02}", n % 3 + 1)],
        consultation_phone: format!("0532-{}", &region[2..]),
        complaint_phone: "12345".into(),
        notes: String::new(),
    }
}

impl App {
    /// Publishes the demo items (version 1, in force since 2026-01-01) and the district claims.
    /// Does nothing when the catalog already has items.
    pub async fn load_demo_catalog(&self) -> Result<usize, AppError> {
        let items = demo_items()?;
        let now = self.clock.now();
        let meta = RequestMeta::cli();
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let mut tx = self.store.begin().await?;
        if !tx.all_item_versions().await?.is_empty() {
            return Ok(0);
        }
        for (n, item) in items.iter().enumerate() {
            let v = ItemVersion {
                code: item.code.clone(),
                version: 1,
                state: ItemState::Active,
                effective_from: from,
                item: item.clone(),
                proposal_id: "demo".into(),
                published_by: "demo".into(),
                published_at: now,
            };
            tx.insert_item_version(&v).await?;
            tx.append_audit(meta.audit(
                now,
                QINGDAO_CITY,
                None,
                "catalog.version.publish",
                ("item", &item.code),
                "success",
                json!({"version": 1, "demo": true}),
            ))
            .await?;
            if item.district_level {
                for (code, name) in qingdao_districts() {
                    let imp = Implementation {
                        code: item.code.clone(),
                        region_code: code.to_string(),
                        local: demo_local(code, name, n),
                        imported_key: None,
                        claimed_by: "demo".into(),
                        claimed_at: now,
                        updated_at: now,
                        revision: 1,
                    };
                    tx.save_implementation(&imp, None).await?;
                }
            }
        }
        tx.commit().await?;
        self.catalog_changed().await;
        Ok(items.len())
    }
}

//! Existing enterprise names for the duplicate-name check (企业名称查重), in one place: the
//! enterprise registry (市场主体登记信息, `registry_records` of kind `enterprise`, filled with
//! the demo registry by `shenpi demo` or kept as a copy of the outside registry).

use crate::{App, AppError};
use shenpi_domain::registry::RegistryKind;

/// At most this many registered names are compared with a proposed one.
const MAX_NAMES: i64 = 50;

impl App {
    /// Registered enterprise names that contain `trade` (at most 50).
    pub async fn registered_names(&self, trade: &str) -> Result<Vec<String>, AppError> {
        let trade = trade.trim();
        if trade.chars().count() < 2 {
            return Ok(vec![]);
        }
        let mut tx = self.store.read().await?;
        Ok(tx
            .registry_records_named(RegistryKind::Enterprise.as_str(), trade, MAX_NAMES)
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect())
    }
}

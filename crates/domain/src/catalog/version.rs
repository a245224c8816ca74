//! Published versions (已发布版本) and which one is in force on a date. Published versions never
//! change; the effective version is worked out when it is read, so scheduled publication needs
//! no timer.

use super::ServiceItem;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether an item can be applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// In force.
    Active,
    /// 暂停: temporarily not accepting applications.
    Suspended,
    /// 取消: removed from the catalog (also after a split or merge).
    Cancelled,
}

impl ItemState {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Active => "active",
            ItemState::Suspended => "suspended",
            ItemState::Cancelled => "cancelled",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            ItemState::Active => "在用",
            ItemState::Suspended => "暂停",
            ItemState::Cancelled => "取消",
        }
    }
}

/// One published version of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemVersion {
    pub code: String,
    /// 1, 2, 3 … per item.
    pub version: u32,
    pub state: ItemState,
    /// In force from this date (Asia/Shanghai).
    pub effective_from: NaiveDate,
    pub item: ServiceItem,
    /// The proposal that published it.
    pub proposal_id: String,
    pub published_by: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// The version in force on `on`: the highest version whose effective date has come.
pub fn effective_on(versions: &[ItemVersion], on: NaiveDate) -> Option<&ItemVersion> {
    versions
        .iter()
        .filter(|v| v.effective_from <= on)
        .max_by_key(|v| v.version)
}

/// A published version that has not come into force yet (the newest one).
pub fn scheduled_after(versions: &[ItemVersion], on: NaiveDate) -> Option<&ItemVersion> {
    let current = effective_on(versions, on).map(|v| v.version).unwrap_or(0);
    versions
        .iter()
        .filter(|v| v.effective_from > on && v.version > current)
        .max_by_key(|v| v.version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::example::example_item;
    use chrono::TimeZone;

    fn v(version: u32, from: &str) -> ItemVersion {
        ItemVersion {
            code: "x".into(),
            version,
            state: ItemState::Active,
            effective_from: from.parse().unwrap(),
            item: example_item(),
            proposal_id: "p".into(),
            published_by: "admin".into(),
            published_at: chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn the_effective_version_is_the_newest_whose_date_has_come() {
        let vs = vec![v(1, "2026-01-01"), v(2, "2026-12-01")];
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(effective_on(&vs, d("2025-12-31")), None);
        assert_eq!(effective_on(&vs, d("2026-11-30")).unwrap().version, 1);
        assert_eq!(scheduled_after(&vs, d("2026-11-30")).unwrap().version, 2);
        assert_eq!(effective_on(&vs, d("2026-12-01")).unwrap().version, 2);
        assert!(scheduled_after(&vs, d("2026-12-01")).is_none());
    }
}

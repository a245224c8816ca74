//! Conversions between rows and records: timestamps as fixed-width UTC text, booleans as 0/1,
//! and driver errors mapped to [`StoreError`] (a unique violation becomes `Conflict`).

use chrono::{DateTime, NaiveDateTime, Utc};
use shenpi_store::StoreError;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Fixed-width UTC text, so that text order is time order.
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses [`ts`] text.
pub fn parse_ts(s: &str) -> Result<DateTime<Utc>, StoreError> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.6fZ")
        .map(|n| n.and_utc())
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp {s:?}: {e}")))
}

/// Maps a driver error; unique violations become `Conflict`.
pub fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(d.message().to_string())
        }
        sqlx::Error::RowNotFound => StoreError::NotFound("row".into()),
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Typed column access with errors mapped to `Corrupt`.
pub trait RowExt {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn flag(&self, col: &str) -> Result<bool, StoreError> {
        Ok(self.int(col)? != 0)
    }
    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        parse_ts(&self.text(col)?)
    }
    fn json(&self, col: &str) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.text(col)?)
            .map_err(|e| StoreError::Corrupt(format!("bad JSON in {col}: {e}")))
    }
}

impl RowExt for AnyRow {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.try_get::<String, _>(col)
            .map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        self.try_get::<Option<String>, _>(col)
            .map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.try_get::<i64, _>(col)
            .map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
    }
}

/// Page arithmetic: pages count from 1 (at most 1,000,000); `per_page` is clamped to 1..=200.
pub fn page_bounds(page: i64, per_page: i64) -> (i64, i64, i64) {
    let per_page = per_page.clamp(1, 200);
    let page = page.clamp(1, 1_000_000);
    (page, per_page, (page - 1).saturating_mul(per_page))
}

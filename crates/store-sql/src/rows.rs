//! Conversions between rows and records: timestamps as fixed-width UTC text, booleans as 0/1,
//! and driver errors mapped to [`StoreError`] (a unique violation becomes `Conflict`).

use crate::db::{DbError, Row};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::Value;
use shenpi_store::StoreError;

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
pub fn db_err(e: impl Into<DbError>) -> StoreError {
    match e.into() {
        DbError::Sqlx(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            StoreError::Conflict(d.message().to_string())
        }
        DbError::Sqlx(sqlx::Error::RowNotFound) | DbError::NoRow => {
            StoreError::NotFound("row".into())
        }
        DbError::Sqlx(e) => StoreError::Backend(e.to_string()),
        DbError::Lite(rusqlite::Error::SqliteFailure(f, msg))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(msg.unwrap_or_else(|| f.to_string()))
        }
        DbError::Lite(e) => StoreError::Backend(e.to_string()),
        DbError::Closed => StoreError::Backend("transaction used after it ended".into()),
    }
}

/// Typed column access with errors mapped to `Corrupt`.
pub trait RowExt {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
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

impl RowExt for Row {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.opt_text(col)?
            .ok_or_else(|| StoreError::Corrupt(format!("{col}: unexpected NULL")))
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        match self {
            Row::Any(r) => sqlx::Row::try_get::<Option<String>, _>(r, col)
                .map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))),
            Row::Lite(r) => match lite_value(r, col)? {
                Value::Null => Ok(None),
                Value::Text(s) => Ok(Some(s.clone())),
                other => Err(StoreError::Corrupt(format!("{col}: not text: {other:?}"))),
            },
        }
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.opt_int(col)?
            .ok_or_else(|| StoreError::Corrupt(format!("{col}: unexpected NULL")))
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        match self {
            Row::Any(r) => sqlx::Row::try_get::<Option<i64>, _>(r, col)
                .map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))),
            Row::Lite(r) => match lite_value(r, col)? {
                Value::Null => Ok(None),
                Value::Integer(i) => Ok(Some(*i)),
                other => Err(StoreError::Corrupt(format!(
                    "{col}: not an integer: {other:?}"
                ))),
            },
        }
    }
}

fn lite_value<'a>(r: &'a crate::db::LiteRow, col: &str) -> Result<&'a Value, StoreError> {
    r.get(col)
        .ok_or_else(|| StoreError::Corrupt(format!("no column {col}")))
}

/// Page arithmetic: pages count from 1 (at most 1,000,000); `per_page` is clamped to 1..=200.
pub fn page_bounds(page: i64, per_page: i64) -> (i64, i64, i64) {
    let per_page = per_page.clamp(1, 200);
    let page = page.clamp(1, 1_000_000);
    (page, per_page, (page - 1).saturating_mul(per_page))
}

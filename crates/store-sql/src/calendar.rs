//! Calendar years loaded by the city admin.

use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::StoredCalendarYear;
use shenpi_store::repo::CalendarRepo;

#[async_trait]
impl CalendarRepo for SqlTx {
    async fn upsert_calendar_year(&mut self, y: &StoredCalendarYear) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO calendar_years (year, json, updated_at, updated_by) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (year) DO UPDATE SET json = excluded.json, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(i64::from(y.year))
        .bind(&y.json)
        .bind(ts(y.updated_at))
        .bind(&y.updated_by)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_calendar_years(&mut self) -> Result<Vec<StoredCalendarYear>, StoreError> {
        let rows = crate::db::query(
            "SELECT year, json, updated_at, updated_by FROM calendar_years ORDER BY year",
        )
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(StoredCalendarYear {
                    year: i32::try_from(r.int("year")?)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    json: r.text("json")?,
                    updated_at: r.time("updated_at")?,
                    updated_by: r.opt_text("updated_by")?,
                })
            })
            .collect()
    }
}

//! Imported business-scope catalogues: one row per version.

use crate::db::Row;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::ScopeCatalogVersion;
use shenpi_store::repo::ScopeCatalogRepo;

const COLS: &str = "version, label, source, entries, json, sha256, imported_by, imported_at";

fn from_row(r: &Row) -> Result<ScopeCatalogVersion, StoreError> {
    Ok(ScopeCatalogVersion {
        version: r.int("version")?,
        label: r.text("label")?,
        source: r.text("source")?,
        entries: r.int("entries")?,
        json: r.text("json")?,
        sha256: r.text("sha256")?,
        imported_by: r.text("imported_by")?,
        imported_at: r.time("imported_at")?,
    })
}

#[async_trait]
impl ScopeCatalogRepo for SqlTx {
    async fn insert_scope_catalog(&mut self, c: &ScopeCatalogVersion) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO scope_catalogs ({COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)");
        crate::db::query(sql)
            .bind(c.version)
            .bind(&c.label)
            .bind(&c.source)
            .bind(c.entries)
            .bind(&c.json)
            .bind(&c.sha256)
            .bind(&c.imported_by)
            .bind(ts(c.imported_at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn latest_scope_catalog(&mut self) -> Result<Option<ScopeCatalogVersion>, StoreError> {
        let sql = format!("SELECT {COLS} FROM scope_catalogs ORDER BY version DESC LIMIT 1");
        let row = crate::db::query(sql)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }
}

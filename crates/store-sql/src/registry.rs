//! Shared-data registries served by the platform: one row per record, fields as JSON.

use crate::db::Row;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::RegistryRecord;
use shenpi_store::repo::RegistryRepo;

const COLS: &str = "kind, key, region_code, name, data, updated_at";

fn record_from(r: &Row) -> Result<RegistryRecord, StoreError> {
    Ok(RegistryRecord {
        kind: r.text("kind")?,
        key: r.text("key")?,
        region_code: r.text("region_code")?,
        name: r.text("name")?,
        data: r.text("data")?,
        updated_at: r.time("updated_at")?,
    })
}

/// `fragment` as a LIKE pattern that matches it literally anywhere.
fn contains_pattern(fragment: &str) -> String {
    let mut p = String::with_capacity(fragment.len() + 2);
    p.push('%');
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[async_trait]
impl RegistryRepo for SqlTx {
    async fn upsert_registry_records(&mut self, rs: &[RegistryRecord]) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO registry_records ({COLS}) VALUES ($1,$2,$3,$4,$5,$6) \
             ON CONFLICT (kind, key) DO UPDATE SET region_code = excluded.region_code, \
             name = excluded.name, data = excluded.data, updated_at = excluded.updated_at"
        );
        for r in rs {
            crate::db::query(sql.clone())
                .bind(&r.kind)
                .bind(&r.key)
                .bind(&r.region_code)
                .bind(&r.name)
                .bind(&r.data)
                .bind(ts(r.updated_at))
                .execute(&mut self.tx)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    async fn registry_record(
        &mut self,
        kind: &str,
        key: &str,
    ) -> Result<Option<RegistryRecord>, StoreError> {
        let sql = format!("SELECT {COLS} FROM registry_records WHERE kind = $1 AND key = $2");
        let row = crate::db::query(sql)
            .bind(kind)
            .bind(key)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(record_from).transpose()
    }

    async fn count_registry_records(&mut self, kind: &str) -> Result<i64, StoreError> {
        let row = crate::db::query("SELECT COUNT(*) AS n FROM registry_records WHERE kind = $1")
            .bind(kind)
            .fetch_one(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.int("n")
    }

    async fn registry_records_named(
        &mut self,
        kind: &str,
        fragment: &str,
        limit: i64,
    ) -> Result<Vec<RegistryRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM registry_records WHERE kind = $1 AND name LIKE $2 ESCAPE '\\' \
             ORDER BY name, key LIMIT $3"
        );
        let rows = crate::db::query(sql)
            .bind(kind)
            .bind(contains_pattern(fragment))
            .bind(limit)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(record_from).collect()
    }
}

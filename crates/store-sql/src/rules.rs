//! Business rules: one row per rule version.

use crate::db::Row;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::RuleVersion;
use shenpi_store::repo::RuleRepo;

const COLS: &str = "key, version, name, purpose, document, tests, created_by, created_at";

fn rule_from(r: &Row) -> Result<RuleVersion, StoreError> {
    Ok(RuleVersion {
        key: r.text("key")?,
        version: r.int("version")?,
        name: r.text("name")?,
        purpose: r.text("purpose")?,
        document: r.text("document")?,
        tests: r.text("tests")?,
        created_by: r.text("created_by")?,
        created_at: r.time("created_at")?,
    })
}

#[async_trait]
impl RuleRepo for SqlTx {
    async fn insert_rule(&mut self, r: &RuleVersion) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO rules ({COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)");
        crate::db::query(sql)
            .bind(&r.key)
            .bind(r.version)
            .bind(&r.name)
            .bind(&r.purpose)
            .bind(&r.document)
            .bind(&r.tests)
            .bind(&r.created_by)
            .bind(ts(r.created_at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn latest_rule(&mut self, key: &str) -> Result<Option<RuleVersion>, StoreError> {
        let sql = format!("SELECT {COLS} FROM rules WHERE key = $1 ORDER BY version DESC LIMIT 1");
        let row = crate::db::query(sql)
            .bind(key)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(rule_from).transpose()
    }

    async fn rules(&mut self) -> Result<Vec<RuleVersion>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM rules r WHERE version = (SELECT MAX(version) FROM rules x WHERE x.key = r.key) ORDER BY key"
        );
        let rows = crate::db::query(sql)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(rule_from).collect()
    }
}

//! Bundles (联办) and bundle cases on both engines.

use crate::db::Row;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::{StoredBundle, StoredBundleCase};
use shenpi_store::repo::BundleRepo;

const BUNDLE_COLS: &str = "code, json, revision, updated_by, updated_at";
const CASE_COLS: &str =
    "id, number, bundle_code, applicant_id, region_code, idempotency_key, json, created_at";

fn bundle_from(r: &Row) -> Result<StoredBundle, StoreError> {
    Ok(StoredBundle {
        code: r.text("code")?,
        json: r.text("json")?,
        revision: r.int("revision")?,
        updated_by: r.text("updated_by")?,
        updated_at: r.time("updated_at")?,
    })
}

fn case_from(r: &Row) -> Result<StoredBundleCase, StoreError> {
    Ok(StoredBundleCase {
        id: r.text("id")?,
        number: r.text("number")?,
        bundle_code: r.text("bundle_code")?,
        applicant_id: r.text("applicant_id")?,
        region_code: r.text("region_code")?,
        idempotency_key: r.text("idempotency_key")?,
        json: r.text("json")?,
        created_at: r.time("created_at")?,
    })
}

#[async_trait]
impl BundleRepo for SqlTx {
    async fn upsert_bundle(
        &mut self,
        b: &StoredBundle,
        expected_revision: Option<i64>,
    ) -> Result<(), StoreError> {
        match expected_revision {
            None => {
                crate::db::query(
                    "INSERT INTO bundles (code, json, revision, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5)",
                )
                .bind(&b.code)
                .bind(&b.json)
                .bind(b.revision)
                .bind(&b.updated_by)
                .bind(ts(b.updated_at))
                .execute(&mut self.tx)
                .await
                .map_err(db_err)?;
            }
            Some(rev) => {
                let r = crate::db::query(
                    "UPDATE bundles SET json = $2, revision = $3, updated_by = $4, updated_at = $5 \
                     WHERE code = $1 AND revision = $6",
                )
                .bind(&b.code)
                .bind(&b.json)
                .bind(b.revision)
                .bind(&b.updated_by)
                .bind(ts(b.updated_at))
                .bind(rev)
                .execute(&mut self.tx)
                .await
                .map_err(db_err)?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::Conflict(format!("bundle {}", b.code)));
                }
            }
        }
        Ok(())
    }

    async fn bundle(&mut self, code: &str) -> Result<Option<StoredBundle>, StoreError> {
        let sql = format!("SELECT {BUNDLE_COLS} FROM bundles WHERE code = $1");
        let row = crate::db::query(sql)
            .bind(code)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(bundle_from).transpose()
    }

    async fn bundles(&mut self) -> Result<Vec<StoredBundle>, StoreError> {
        let sql = format!("SELECT {BUNDLE_COLS} FROM bundles ORDER BY code");
        let rows = crate::db::query(sql)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(bundle_from).collect()
    }

    async fn insert_bundle_case(&mut self, c: &StoredBundleCase) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO bundle_cases ({CASE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)");
        crate::db::query(sql)
            .bind(&c.id)
            .bind(&c.number)
            .bind(&c.bundle_code)
            .bind(&c.applicant_id)
            .bind(&c.region_code)
            .bind(&c.idempotency_key)
            .bind(&c.json)
            .bind(ts(c.created_at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn bundle_case(&mut self, id: &str) -> Result<Option<StoredBundleCase>, StoreError> {
        let sql = format!("SELECT {CASE_COLS} FROM bundle_cases WHERE id = $1");
        let row = crate::db::query(sql)
            .bind(id)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(case_from).transpose()
    }

    async fn bundle_case_by_idempotency(
        &mut self,
        applicant_id: &str,
        key: &str,
    ) -> Result<Option<StoredBundleCase>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLS} FROM bundle_cases WHERE applicant_id = $1 AND idempotency_key = $2"
        );
        let row = crate::db::query(sql)
            .bind(applicant_id)
            .bind(key)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(case_from).transpose()
    }

    async fn bundle_cases_of(
        &mut self,
        applicant_id: &str,
        limit: i64,
    ) -> Result<Vec<StoredBundleCase>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLS} FROM bundle_cases WHERE applicant_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = crate::db::query(sql)
            .bind(applicant_id)
            .bind(limit.clamp(1, 500))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(case_from).collect()
    }
}

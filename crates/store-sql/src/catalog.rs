//! The service-item catalog: versions, implementations and proposals as JSON documents.

use crate::paging::PagedSelect;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use shenpi_domain::catalog::local::Implementation;
use shenpi_domain::catalog::proposal::Proposal;
use shenpi_domain::catalog::version::ItemVersion;
use shenpi_domain::regions::QINGDAO_CITY;
use shenpi_store::StoreError;
use shenpi_store::model::Page;
use shenpi_store::repo::CatalogRepo;

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_json<T: DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored document: {e}")))
}

fn rows_json<T: DeserializeOwned>(rows: &[crate::db::Row]) -> Result<Vec<T>, StoreError> {
    rows.iter().map(|r| from_json(&r.text("json")?)).collect()
}

#[async_trait]
impl CatalogRepo for SqlTx {
    async fn insert_item_version(&mut self, v: &ItemVersion) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO item_versions (code, version, region_code, state, effective_from, name, \
             json, proposal_id, published_by, published_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        )
        .bind(&v.code)
        .bind(i64::from(v.version))
        .bind(QINGDAO_CITY)
        .bind(v.state.as_str())
        .bind(v.effective_from.to_string())
        .bind(&v.item.name)
        .bind(to_json(v)?)
        .bind(&v.proposal_id)
        .bind(&v.published_by)
        .bind(ts(v.published_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn item_versions(&mut self, code: &str) -> Result<Vec<ItemVersion>, StoreError> {
        let rows =
            crate::db::query("SELECT json FROM item_versions WHERE code = $1 ORDER BY version")
                .bind(code)
                .fetch_all(&mut self.tx)
                .await
                .map_err(db_err)?;
        rows_json(&rows)
    }

    async fn item_version_numbers(&mut self, code: &str) -> Result<Vec<u32>, StoreError> {
        let rows =
            crate::db::query("SELECT version FROM item_versions WHERE code = $1 ORDER BY version")
                .bind(code)
                .fetch_all(&mut self.tx)
                .await
                .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                let v = r.int("version")?;
                u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("item version {v}")))
            })
            .collect()
    }

    async fn all_item_versions(&mut self) -> Result<Vec<ItemVersion>, StoreError> {
        let rows = crate::db::query("SELECT json FROM item_versions ORDER BY code, version")
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows_json(&rows)
    }

    async fn save_implementation(
        &mut self,
        i: &Implementation,
        expected_revision: Option<i64>,
    ) -> Result<(), StoreError> {
        let r = match expected_revision {
            None => crate::db::query(
                "INSERT INTO implementations (code, region_code, json, revision, updated_at) \
                 VALUES ($1,$2,$3,$4,$5)",
            )
            .bind(&i.code)
            .bind(&i.region_code)
            .bind(to_json(i)?)
            .bind(i.revision)
            .bind(ts(i.updated_at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?,
            Some(rev) => crate::db::query(
                "UPDATE implementations SET json = $3, revision = $4, updated_at = $5 \
                 WHERE code = $1 AND region_code = $2 AND revision = $6",
            )
            .bind(&i.code)
            .bind(&i.region_code)
            .bind(to_json(i)?)
            .bind(i.revision)
            .bind(ts(i.updated_at))
            .bind(rev)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?,
        };
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "implementation {} / {} changed meanwhile",
                i.code, i.region_code
            )));
        }
        Ok(())
    }

    async fn implementation(
        &mut self,
        code: &str,
        region: &str,
    ) -> Result<Option<Implementation>, StoreError> {
        let row = crate::db::query(
            "SELECT json FROM implementations WHERE code = $1 AND region_code = $2",
        )
        .bind(code)
        .bind(region)
        .fetch_optional(&mut self.tx)
        .await
        .map_err(db_err)?;
        row.map(|r| from_json(&r.text("json")?)).transpose()
    }

    async fn implementations(
        &mut self,
        code: Option<&str>,
        region: Option<&str>,
    ) -> Result<Vec<Implementation>, StoreError> {
        let rows = crate::db::query(
            "SELECT json FROM implementations WHERE ($1 IS NULL OR code = $1) \
             AND ($2 IS NULL OR region_code = $2) ORDER BY code, region_code",
        )
        .bind(code)
        .bind(region)
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows_json(&rows)
    }

    async fn insert_proposal(&mut self, p: &Proposal) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO proposals (id, region_code, status, json, revision, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind(&p.id)
        .bind(QINGDAO_CITY)
        .bind(p.status.as_str())
        .bind(to_json(p)?)
        .bind(p.revision)
        .bind(ts(p.created_at))
        .bind(ts(p.updated_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_proposal(
        &mut self,
        p: &Proposal,
        expected_revision: i64,
    ) -> Result<(), StoreError> {
        let r = crate::db::query(
            "UPDATE proposals SET status = $2, json = $3, revision = $4, updated_at = $5 \
             WHERE id = $1 AND revision = $6",
        )
        .bind(&p.id)
        .bind(p.status.as_str())
        .bind(to_json(p)?)
        .bind(p.revision)
        .bind(ts(p.updated_at))
        .bind(expected_revision)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "proposal {} changed meanwhile",
                p.id
            )));
        }
        Ok(())
    }

    async fn proposal(&mut self, id: &str) -> Result<Option<Proposal>, StoreError> {
        let row = crate::db::query("SELECT json FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.map(|r| from_json(&r.text("json")?)).transpose()
    }

    async fn list_proposals(
        &mut self,
        status: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Proposal>, StoreError> {
        let q = PagedSelect {
            cols: "json",
            from: "proposals",
            filter: "($1 IS NULL OR status = $1)",
            order: "created_at DESC, id",
        };
        self.page_where(q, &[status.into()], (page, per_page), |r| {
            from_json(&r.text("json")?)
        })
        .await
    }
}

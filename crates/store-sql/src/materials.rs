//! Uploaded material files.

use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::MaterialFile;
use shenpi_store::repo::MaterialRepo;

#[async_trait]
impl MaterialRepo for SqlTx {
    async fn insert_material_file(&mut self, f: &MaterialFile) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO material_files (id, owner_id, region_code, name, kind, size, sha256, blob_key, \
             created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        )
        .bind(&f.id)
        .bind(&f.owner_id)
        .bind(&f.region_code)
        .bind(&f.name)
        .bind(&f.kind)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(&f.blob_key)
        .bind(ts(f.created_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn material_file(&mut self, id: &str) -> Result<Option<MaterialFile>, StoreError> {
        let row = crate::db::query(
            "SELECT id, owner_id, region_code, name, kind, size, sha256, blob_key, created_at \
             FROM material_files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut self.tx)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(MaterialFile {
            id: r.text("id")?,
            owner_id: r.text("owner_id")?,
            region_code: r.text("region_code")?,
            name: r.text("name")?,
            kind: r.text("kind")?,
            size: r.int("size")?,
            sha256: r.text("sha256")?,
            blob_key: r.text("blob_key")?,
            created_at: r.time("created_at")?,
        }))
    }
}

//! Blobs kept in the database, for several nodes sharing one PostgreSQL.

use crate::rows::{db_err, ts};
use async_trait::async_trait;
use shenpi_store::{BlobStore, StoreError};
use sqlx::{AnyPool, Row};

/// Content-addressed blobs in the `blobs` table.
pub struct DbBlobStore {
    pool: AnyPool,
}

impl DbBlobStore {
    /// A blob store on `pool`.
    pub fn new(pool: AnyPool) -> Self {
        DbBlobStore { pool }
    }
}

#[async_trait]
impl BlobStore for DbBlobStore {
    async fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let key = shenpi_store::audit::sm3_hex(bytes);
        let size = i64::try_from(bytes.len()).map_err(StoreError::backend)?;
        sqlx::query(
            "INSERT INTO blobs (hash, size, content, created_at) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&key)
        .bind(size)
        .bind(bytes.to_vec())
        .bind(ts(chrono::Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(key)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query("SELECT content FROM blobs WHERE hash = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .ok_or_else(|| StoreError::NotFound(format!("blob {key}")))?;
        row.try_get::<Vec<u8>, _>("content")
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

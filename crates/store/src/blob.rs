//! Content-addressed files (附件/文书) behind [`BlobStore`]: the data dir on a single node, the
//! database when several nodes share PostgreSQL.

use crate::StoreError;
use async_trait::async_trait;
use std::path::PathBuf;

/// Stores bytes under their SM3 hash; identical content is stored once.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` and returns their hex SM3 hash (the key).
    async fn put(&self, bytes: &[u8]) -> Result<String, StoreError>;
    /// Reads the bytes stored under `key`.
    async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError>;
}

/// Blobs as files under a directory, sharded by the first two hex characters of the hash.
pub struct FsBlobStore {
    root: PathBuf,
}

impl FsBlobStore {
    /// A blob store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsBlobStore { root: root.into() }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        if key.len() != 64 || !key.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound(format!("blob {key}")));
        }
        Ok(self.root.join(&key[..2]).join(key))
    }
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let key = crate::audit::sm3_hex(bytes);
        let path = self.path_of(&key)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(key);
        }
        let dir = path
            .parent()
            .ok_or_else(|| StoreError::Backend("blob path has no parent".into()))?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(StoreError::backend)?;
        // Write to a temporary name and rename, so a crash never leaves a half-written blob.
        let tmp = dir.join(format!("{key}.tmp-{}", crate::new_id()));
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(StoreError::backend)?;
        let f = tokio::fs::File::open(&tmp)
            .await
            .map_err(StoreError::backend)?;
        f.sync_all().await.map_err(StoreError::backend)?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(StoreError::backend)?;
        Ok(key)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_of(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::NotFound(format!("blob {key}")))
            }
            Err(e) => Err(StoreError::backend(e)),
        }
    }
}

//! Storage errors. Driver errors are turned into these at the store boundary so nothing above
//! the store sees SQL types.

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A unique constraint was violated, or the record changed meanwhile (optimistic concurrency).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The stored data is not what the code expects (a bug or tampering).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database or file system failed.
    #[error("storage backend error: {0}")]
    Backend(String),
}

impl StoreError {
    /// A backend error from anything displayable.
    pub fn backend(e: impl std::fmt::Display) -> Self {
        StoreError::Backend(e.to_string())
    }
}

//! The unit of work: one sqlx transaction (plus, on SQLite, the writer lock).

use crate::rows::db_err;
use async_trait::async_trait;
use shenpi_store::repo::Engine;
use shenpi_store::{StoreError, Tx};
use sqlx::{Any, Transaction};

/// One open transaction.
pub struct SqlTx {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) engine: Engine,
    _write_guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl SqlTx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        engine: Engine,
        guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> Self {
        SqlTx {
            tx,
            engine,
            _write_guard: guard,
        }
    }

    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, where the writer lock serialises.
    pub(crate) fn for_update(&self) -> &'static str {
        match self.engine {
            Engine::Postgres => " FOR UPDATE",
            Engine::Sqlite => "",
        }
    }
}

#[async_trait]
impl Tx for SqlTx {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let this = *self;
        this.tx.commit().await.map_err(db_err)
    }
}

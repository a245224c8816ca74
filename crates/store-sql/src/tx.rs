//! The unit of work: one sqlx transaction (plus, on SQLite, the writer lock).

use crate::rows::db_err;
use async_trait::async_trait;
use shenpi_store::repo::Engine;
use shenpi_store::{StoreError, Tx};
use sqlx::{Any, Transaction};

/// The open sqlx transaction; `&mut *tx` is its connection. It is taken out only by commit or
/// drop, after which nothing can reach it.
pub(crate) struct OpenTx(Option<Transaction<'static, Any>>);

impl std::ops::Deref for OpenTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        match &self.0 {
            Some(tx) => tx,
            None => unreachable!("transaction used after commit"),
        }
    }
}

impl std::ops::DerefMut for OpenTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            Some(tx) => tx,
            None => unreachable!("transaction used after commit"),
        }
    }
}

/// One open transaction.
pub struct SqlTx {
    pub(crate) tx: OpenTx,
    pub(crate) engine: Engine,
    write_guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl SqlTx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        engine: Engine,
        guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    ) -> Self {
        SqlTx {
            tx: OpenTx(Some(tx)),
            engine,
            write_guard: guard,
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
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        match self.tx.0.take() {
            Some(tx) => tx.commit().await.map_err(db_err),
            None => Ok(()),
        }
    }
}

/// A write transaction dropped without commit (an error on the way) is rolled back before the
/// SQLite writer lock is released: sqlx would only queue the rollback on the connection, which
/// then sits idle in the pool holding the database's write lock, and the next writer would
/// find the database locked.
impl Drop for SqlTx {
    fn drop(&mut self) {
        let (Some(tx), Some(guard)) = (self.tx.0.take(), self.write_guard.take()) else {
            return;
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = tx.rollback().await {
                    tracing::warn!(error = %e, "rollback of a dropped transaction failed");
                }
                drop(guard);
            });
        }
    }
}

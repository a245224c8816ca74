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
    /// The audit chain heads this transaction has read (and holds locked on PostgreSQL), with
    /// whether it moved them: a step that audits several entries reads each head once and
    /// writes it once, at commit ([`crate::audit`]).
    pub(crate) audit_heads: Vec<(shenpi_store::model::ChainHead, bool)>,
    /// The store's identity generation, and whether this transaction changed a user or ended
    /// a session (the generation moves when it commits).
    identity: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub(crate) identity_changed: bool,
}

impl SqlTx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        engine: Engine,
        guard: Option<tokio::sync::OwnedMutexGuard<()>>,
        identity: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        SqlTx {
            tx: OpenTx(Some(tx)),
            engine,
            write_guard: guard,
            audit_heads: Vec::new(),
            identity,
            identity_changed: false,
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
        self.flush_audit_heads().await?;
        match self.tx.0.take() {
            Some(tx) => {
                tx.commit().await.map_err(db_err)?;
                if self.identity_changed {
                    self.identity
                        .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                }
                Ok(())
            }
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

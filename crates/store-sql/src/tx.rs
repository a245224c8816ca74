//! The unit of work: one sqlx transaction on PostgreSQL; on SQLite, a read transaction on a
//! pooled connection, or, for writes, a step of a group commit ([`crate::group`]).

use crate::db::{Conn, DbError};
use crate::group::{Group, Step};
use crate::lite::Pooled;
use crate::rows::db_err;
use async_trait::async_trait;
use shenpi_store::repo::Engine;
use shenpi_store::{StoreError, Tx};
use sqlx::{Any, Transaction};
use std::sync::Arc;

/// The open transaction: a sqlx transaction, a SQLite read transaction, or the SQLite writer
/// connection inside a step of a group commit. It is taken out only by commit or drop, after
/// which nothing can reach it.
pub(crate) enum OpenTx {
    Sqlx(Option<Transaction<'static, Any>>),
    Read(Pooled),
    Step(Option<(rusqlite::Connection, Step, Arc<Group>)>),
}

impl OpenTx {
    /// The connection to run a statement on.
    pub(crate) fn conn(&mut self) -> Result<Conn<'_>, DbError> {
        match self {
            OpenTx::Sqlx(Some(tx)) => Ok(Conn::Sqlx(tx)),
            OpenTx::Read(p) => p.conn_mut().map(Conn::Lite).ok_or(DbError::Closed),
            OpenTx::Step(Some((conn, _, _))) => Ok(Conn::Lite(conn)),
            _ => Err(DbError::Closed),
        }
    }
}

/// One open transaction.
pub struct SqlTx {
    pub(crate) tx: OpenTx,
    pub(crate) engine: Engine,
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
        tx: OpenTx,
        engine: Engine,
        identity: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Self {
        SqlTx {
            tx,
            engine,
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
        match &mut self.tx {
            OpenTx::Sqlx(tx) => match tx.take() {
                Some(tx) => tx.commit().await.map_err(db_err)?,
                None => return Ok(()),
            },
            OpenTx::Read(p) => p.commit().map_err(db_err)?,
            OpenTx::Step(step) => match step.take() {
                Some((conn, step, group)) => group.commit(conn, step).await?,
                None => return Ok(()),
            },
        }
        if self.identity_changed {
            self.identity
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        Ok(())
    }
}

/// A SQLite step dropped without commit (an error on the way) is rolled back to its savepoint
/// before the writer lock is released, so the next step finds the batch as the earlier steps
/// left it. (A dropped sqlx transaction rolls itself back, and so does a
/// dropped read transaction.)
impl Drop for SqlTx {
    fn drop(&mut self) {
        let OpenTx::Step(step) = &mut self.tx else {
            return;
        };
        let Some((conn, step, group)) = step.take() else {
            return;
        };
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move { group.rollback(conn, step).await });
        }
    }
}

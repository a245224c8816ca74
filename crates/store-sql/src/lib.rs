//! The SQL implementations of shenpi's store: SQLite, the embedded default, and PostgreSQL,
//! the production store.
//!
//! Both engines share one implementation of every query ([`db`]): queries use numbered `$1`
//! placeholders, which both engines accept, and only portable column types (TEXT, 64-bit
//! integers, blobs). PostgreSQL runs them through sqlx; SQLite through rusqlite, in place on
//! the calling task, since a SQLite statement takes microseconds. Where SQL must differ (row
//! locks, blob column type) the code branches on [`Engine`]. Each engine has its own
//! `migrations/` folder.
//!
//! SQLite runs in WAL mode; reads run on a pool of read-only connections ([`lite`]); write
//! transactions run one at a time on one writer connection (SQLite allows only one writer
//! anyway, and this turns "database is locked" races into orderly waiting), as steps of a
//! group commit whose log is flushed outside the writer lock before any step is acknowledged
//! ([`group`]). PostgreSQL uses row locks (`FOR UPDATE`) on the audit chain heads.

mod audit;
mod batch;
mod blob;
mod bundles;
mod calendar;
mod cases;
mod catalog;
mod certs;
mod db;
mod group;
mod lite;
mod materials;
mod migrate;
mod org;
mod paging;
mod partners;
mod registry;
mod rows;
mod rules;
mod scopes;
mod security;
mod sessions;
mod tasks;
mod tx;
mod users;

pub use blob::DbBlobStore;
pub use shenpi_store::repo::Engine;

use async_trait::async_trait;
use shenpi_store::blob::FsBlobStore;
use shenpi_store::{BlobStore, Store, StoreError, Tx};
use sqlx::AssertSqlSafe;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tx::SqlTx;

/// A store on SQLite or PostgreSQL.
pub struct SqlStore {
    backend: Backend,
    engine: Engine,
    blobs: Arc<dyn BlobStore>,
    /// See [`Store::identity_generation`]; moved by a committing transaction that changed a
    /// user or ended a session.
    identity: Arc<std::sync::atomic::AtomicU64>,
}

/// The connections of each engine.
enum Backend {
    Postgres(AnyPool),
    /// The pool for reads and the writer (group commit).
    Sqlite {
        readers: Arc<lite::LitePool>,
        writer: Arc<group::Group>,
    },
}

/// The SQLite database file inside a data dir.
pub const SQLITE_FILE: &str = "shenpi.db";

impl SqlStore {
    /// Opens (creating if needed) the SQLite database in `data_dir`; files go to `data_dir/blobs`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(StoreError::backend)?;
        let readers = lite::LitePool::new(&data_dir.join(SQLITE_FILE));
        // Opened once here, so that a database that cannot be opened fails at start.
        drop(readers.get().map_err(rows::db_err)?);
        Ok(SqlStore {
            backend: Backend::Sqlite {
                writer: group::Group::new(readers.clone())?,
                readers,
            },
            engine: Engine::Sqlite,
            identity: Default::default(),
            blobs: Arc::new(FsBlobStore::new(data_dir.join("blobs"))),
        })
    }

    /// Opens a PostgreSQL store. Files are kept in the database so every node sees them.
    pub async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        Self::open_postgres_in_schema(url, None).await
    }

    /// Opens a PostgreSQL store whose connections use `schema` (created if missing); tests use
    /// a fresh schema each.
    pub async fn open_postgres_in_schema(
        url: &str,
        schema: Option<&str>,
    ) -> Result<Self, StoreError> {
        install_default_drivers();
        if let Some(s) = schema {
            if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StoreError::Backend(format!("invalid schema name {s}")));
            }
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(rows::db_err)?;
            pool.execute(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {s}")))
                .await
                .map_err(rows::db_err)?;
            pool.close().await;
        }
        let schema = schema.map(|s| s.to_string());
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    if let Some(s) = schema {
                        conn.execute(AssertSqlSafe(format!("SET search_path TO {s}")))
                            .await?;
                    }
                    conn.execute("SET TIME ZONE 'UTC'").await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(rows::db_err)?;
        let blobs = Arc::new(DbBlobStore::new(pool.clone()));
        Ok(SqlStore {
            backend: Backend::Postgres(pool),
            engine: Engine::Postgres,
            identity: Default::default(),
            blobs,
        })
    }

    /// Opens by configuration: PostgreSQL when `database_url` is given, SQLite in `data_dir`
    /// otherwise.
    pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Self, StoreError> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Self::open_postgres(url).await
            }
            Some(other) => Err(StoreError::Backend(format!(
                "unsupported database URL scheme in {}",
                other.split(':').next().unwrap_or("")
            ))),
            None => Self::open_sqlite(data_dir).await,
        }
    }

    /// Runs raw SQL outside the platform's rules. For tests that tamper with stored rows and
    /// for operations tooling only.
    pub async fn exec_raw(&self, sql: &str) -> Result<u64, StoreError> {
        match &self.backend {
            Backend::Postgres(pool) => {
                let r = sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(pool)
                    .await
                    .map_err(rows::db_err)?;
                Ok(r.rows_affected())
            }
            Backend::Sqlite { readers, .. } => {
                let sql = sql.to_string();
                readers
                    .on_own_connection(move |c| {
                        c.execute_batch(&sql).map_err(rows::db_err)?;
                        Ok(c.changes())
                    })
                    .await
            }
        }
    }

    /// The first column of the first row of a query, as text (operations tooling and tests,
    /// e.g. `PRAGMA journal_mode`).
    pub async fn query_text(&self, sql: &str) -> Result<String, StoreError> {
        match &self.backend {
            Backend::Postgres(pool) => {
                use sqlx::Row;
                let row = sqlx::query(AssertSqlSafe(sql.to_string()))
                    .fetch_one(pool)
                    .await
                    .map_err(rows::db_err)?;
                row.try_get::<String, _>(0)
                    .or_else(|_| row.try_get::<i64, _>(0).map(|i| i.to_string()))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            }
            Backend::Sqlite { readers, .. } => {
                use rusqlite::types::Value;
                let c = readers.get().map_err(rows::db_err)?;
                let v: Value = c
                    .conn()
                    .ok_or_else(closed)?
                    .query_row(sql, [], |r| r.get(0))
                    .map_err(rows::db_err)?;
                match v {
                    Value::Text(s) => Ok(s),
                    Value::Integer(i) => Ok(i.to_string()),
                    other => Err(StoreError::Corrupt(format!("not text: {other:?}"))),
                }
            }
        }
    }

    /// Closes the connections (the last SQLite connection checkpoints the WAL).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Postgres(pool) => pool.close().await,
            Backend::Sqlite { readers, writer } => {
                writer.close().await;
                readers.close();
            }
        }
    }

    /// SQLite's group commit so far: (batches, steps) committed; `None` on PostgreSQL.
    pub fn group_commits(&self) -> Option<(u64, u64)> {
        match &self.backend {
            Backend::Postgres(_) => None,
            Backend::Sqlite { writer, .. } => Some(writer.committed()),
        }
    }

    /// The SQLite database path for a data dir.
    pub fn sqlite_path(data_dir: &Path) -> PathBuf {
        data_dir.join(SQLITE_FILE)
    }
}

#[async_trait]
impl Store for SqlStore {
    fn engine(&self) -> Engine {
        self.engine
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let tx = match &self.backend {
            Backend::Sqlite { writer, .. } => {
                let (conn, step) = writer.begin().await?;
                tx::OpenTx::Step(Some((conn, step, writer.clone())))
            }
            Backend::Postgres(pool) => {
                tx::OpenTx::Sqlx(Some(pool.begin().await.map_err(rows::db_err)?))
            }
        };
        Ok(Box::new(SqlTx::new(tx, self.engine, self.identity.clone())))
    }

    async fn read(&self) -> Result<Box<dyn Tx>, StoreError> {
        let tx = match &self.backend {
            Backend::Sqlite { readers, writer } => {
                let mut c = readers.get().map_err(rows::db_err)?;
                c.begin().map_err(rows::db_err)?;
                // The snapshot is fixed by its first read; what it sees must be on disk.
                writer.until_durable().await?;
                tx::OpenTx::Read(c)
            }
            Backend::Postgres(pool) => {
                tx::OpenTx::Sqlx(Some(pool.begin().await.map_err(rows::db_err)?))
            }
        };
        Ok(Box::new(SqlTx::new(tx, self.engine, self.identity.clone())))
    }

    fn identity_generation(&self) -> u64 {
        self.identity.load(std::sync::atomic::Ordering::Acquire)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.query_text("SELECT 1").await.map(|_| ())
    }

    async fn migrate(&self) -> Result<usize, StoreError> {
        match &self.backend {
            Backend::Postgres(pool) => migrate::run(pool).await,
            Backend::Sqlite { readers, .. } => readers.on_own_connection(migrate::run_sqlite).await,
        }
    }

    fn blobs(&self) -> Arc<dyn BlobStore> {
        self.blobs.clone()
    }

    async fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if self.engine != Engine::Sqlite {
            return Err(StoreError::Backend(
                "online backup by the platform is for SQLite; use pg_dump for PostgreSQL".into(),
            ));
        }
        if dest.exists() {
            return Err(StoreError::Conflict(format!(
                "{} already exists",
                dest.display()
            )));
        }
        let path = dest.to_string_lossy().replace('\'', "''");
        // The copy may hold batches committed but not yet flushed: it is good once they are.
        let copied = match self.exec_raw(&format!("VACUUM INTO '{path}'")).await {
            Ok(_) => match &self.backend {
                Backend::Sqlite { writer, .. } => writer.until_durable().await,
                Backend::Postgres(_) => Ok(()),
            },
            Err(e) => Err(e),
        };
        if copied.is_err() {
            // Nothing was there before (checked above): no half or unsafe copy is left.
            let _ = std::fs::remove_file(dest);
        }
        copied
    }
}

fn closed() -> StoreError {
    StoreError::Backend("the connection is closed".into())
}

//! SQLite connections: how one is opened, and the pool of idle ones that read transactions
//! borrow. The pooled ones are `query_only`: a read transaction that tried to write would
//! fail at once rather than wait on the tokio worker for the write lock. Writes go through
//! the one writer connection of [`crate::group`]; migrations and operations tooling get a
//! connection of their own on a blocking thread ([`LitePool::on_own_connection`]).

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The most idle connections kept.
const MAX_IDLE: usize = 32;
/// Prepared statements kept per connection: every statement the platform runs, about 150.
const STATEMENT_CACHE: usize = 256;

/// Opens and keeps SQLite connections to one database file.
pub(crate) struct LitePool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl LitePool {
    pub(crate) fn new(path: &Path) -> Arc<Self> {
        Arc::new(LitePool {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a connection: WAL, `synchronous=FULL` (the group-commit writer lowers it and
    /// flushes the log itself), foreign keys on, temporary storage in
    /// memory, and a 10 s wait for a lock held by another process.
    pub(crate) fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // The savepoint of each step of a group commit keeps its undo pages in a
        // sub-journal; in memory rather than a temporary file (a crash loses the whole
        // uncommitted batch anyway, and WAL recovery does not read the sub-journal).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(conn)
    }

    /// An idle connection, or a new one.
    pub(crate) fn get(self: &Arc<Self>) -> rusqlite::Result<Pooled> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = self.open()?;
                c.pragma_update(None, "query_only", "ON")?;
                c
            }
        };
        Ok(Pooled {
            conn: Some(conn),
            pool: self.clone(),
            in_tx: false,
        })
    }

    /// Runs `f` on a connection of its own (it may write, and may wait for the write lock),
    /// on a blocking thread.
    pub(crate) async fn on_own_connection<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T, shenpi_store::StoreError> + Send + 'static,
    ) -> Result<T, shenpi_store::StoreError> {
        let pool = self.clone();
        tokio::task::spawn_blocking(move || f(&pool.open().map_err(crate::rows::db_err)?))
            .await
            .map_err(shenpi_store::StoreError::backend)?
    }

    fn put(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    /// Closes the idle connections (the last one to close checkpoints the WAL).
    pub(crate) fn close(&self) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// A borrowed connection, given back when dropped; a transaction still open on it is rolled
/// back first.
pub(crate) struct Pooled {
    conn: Option<Connection>,
    pool: Arc<LitePool>,
    in_tx: bool,
}

impl Pooled {
    pub(crate) fn conn(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    pub(crate) fn conn_mut(&mut self) -> Option<&mut Connection> {
        self.conn.as_mut()
    }

    /// Opens a transaction and fixes its snapshot (with a first read), so that the reads
    /// that follow see the database as it is now.
    pub(crate) fn begin(&mut self) -> rusqlite::Result<()> {
        if let Some(c) = &self.conn {
            c.execute_batch("BEGIN")?;
            self.in_tx = true;
            c.prepare_cached("SELECT 1 FROM sqlite_schema LIMIT 1")?
                .exists([])?;
        }
        Ok(())
    }

    /// Commits the transaction opened by [`Pooled::begin`].
    pub(crate) fn commit(&mut self) -> rusqlite::Result<()> {
        if let (Some(c), true) = (&self.conn, self.in_tx) {
            c.execute_batch("COMMIT")?;
            self.in_tx = false;
        }
        Ok(())
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if self.in_tx && conn.execute_batch("ROLLBACK").is_err() {
            return;
        }
        self.pool.put(conn);
    }
}

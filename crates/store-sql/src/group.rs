//! Group commit (成组提交) of SQLite write transactions.
//!
//! SQLite has one writer. So that concurrent steps share the work of a commit, the writer
//! connection keeps one outer transaction (a *batch*) open across steps: each write transaction
//! of the platform is a savepoint inside it, run one at a time under the writer lock. A step
//! that ends releases its savepoint and then waits until its batch is on disk; it is
//! acknowledged only then. A step that fails rolls back to its savepoint and leaves the batch
//! to the others.
//!
//! The batch is committed by the step that ends it when no other writer is waiting for the
//! lock, when it holds [`MAX_STEPS`] steps or is [`MAX_AGE`] old. A step that waits longer than
//! [`MAX_AGE`] for its batch (its successor went away) commits the batch itself. If a commit,
//! a release or a rollback to a savepoint fails, the whole batch is rolled back and every step
//! in it gets the error: none of them was acknowledged.
//!
//! **The wait for the disk is outside the writer lock** (early lock release). The writer
//! commits with `synchronous=NORMAL`: the batch's pages go to the write-ahead log in the page
//! cache, and the lock passes at once to the next batch. A thread of its own (the *syncer*)
//! then flushes the log with `fdatasync` and only then tells the batch's steps; one flush
//! covers every batch committed before it, so while the disk works the next batches are
//! already being written. The log is written in order, so a step is never acknowledged before
//! a step it read from. Readers wait too: a read transaction that sees a batch not yet on disk
//! waits for its flush before its first row ([`Group::until_durable`]), so no answer ever shows
//! what a crash could take back. Should a flush fail, that batch and every later one fail, and
//! so does every read and write after it (what the page cache holds is then unknown, and the
//! failed batches are in the log): the node must be restarted. On opening, the log is flushed
//! once, in case an earlier process ended before flushing what it had committed.
//!
//! The commit itself does not wait for the disk, except every 1,000 pages of log, when SQLite's
//! automatic checkpoint runs inside it (it flushes the log, copies the pages into the database
//! and flushes that); that time is part of the lock time measured in docs/BENCHMARKS.md.

use crate::lite::LitePool;
use crate::rows::db_err;
use rusqlite::Connection;
use shenpi_store::StoreError;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// The most steps one batch holds.
pub(crate) const MAX_STEPS: usize = 64;
/// The longest a batch stays open.
pub(crate) const MAX_AGE: Duration = Duration::from_millis(5);

/// The outcome of a batch, once committed or abandoned.
type Outcome = Option<Result<(), String>>;

/// An open outer transaction.
pub(crate) struct Batch {
    id: u64,
    steps: usize,
    opened: Instant,
    done: watch::Sender<Outcome>,
}

/// The writer connection and the batch open on it.
pub(crate) struct Writer {
    conn: Option<Connection>,
    batch: Option<Batch>,
}

/// The SQLite writer: the lock, and how many writers wait for it.
pub(crate) struct Group {
    pool: Arc<LitePool>,
    state: Arc<Mutex<Writer>>,
    waiting: AtomicUsize,
    next_batch: AtomicU64,
    /// Batches and steps committed and on disk so far.
    committed: Arc<(AtomicU64, AtomicU64)>,
    /// The last batch whose commit has begun: a reader that may see it waits for it.
    committing: AtomicU64,
    /// Batches committed to the log, for the syncer to flush.
    to_sync: mpsc::Sender<Committed>,
    /// The last batch whose outcome the syncer has told (on disk, or failed).
    durable: watch::Receiver<u64>,
    /// Why a flush failed, once one has: every read and write fails from then on.
    broken: Arc<std::sync::OnceLock<String>>,
}

/// A batch committed to the log and waiting for the flush.
struct Committed {
    id: u64,
    steps: usize,
    outcome: Result<(), String>,
    done: watch::Sender<Outcome>,
}

/// Counts a writer waiting for the lock, also when its wait is abandoned.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A step's hold on the writer: the lock, with the connection taken out of it while the step
/// runs, and the batch it is in.
pub(crate) struct Step {
    guard: OwnedMutexGuard<Writer>,
    batch: u64,
}

const SAVEPOINT: &str = "SAVEPOINT shenpi_step";
const RELEASE: &str = "RELEASE shenpi_step";
const ROLLBACK_TO: &str = "ROLLBACK TO shenpi_step; RELEASE shenpi_step";

impl Group {
    /// The writer of the database behind `pool`, with its syncer thread (which ends when the
    /// group is dropped).
    pub(crate) fn new(pool: Arc<LitePool>) -> Result<Arc<Self>, StoreError> {
        let (to_sync, queue) = mpsc::channel();
        let (told, durable) = watch::channel(0);
        let committed: Arc<(AtomicU64, AtomicU64)> = Default::default();
        // SQLite follows a symbolic link to the database; its log is beside the target.
        let db = std::fs::canonicalize(pool.path()).unwrap_or_else(|_| pool.path().to_path_buf());
        let wal = wal_path(&db);
        // What an earlier process committed to the log may not be on disk yet.
        let mut known = None;
        if wal.exists() {
            flush(&wal, &mut known).map_err(StoreError::backend)?;
        }
        let counts = committed.clone();
        let broken: Arc<std::sync::OnceLock<String>> = Default::default();
        let failed = broken.clone();
        std::thread::Builder::new()
            .name("shenpi-wal-sync".into())
            .spawn(move || sync_loop(&queue, &wal, known, &told, &counts, &failed))
            .map_err(StoreError::backend)?;
        Ok(Arc::new(Group {
            pool,
            state: Arc::new(Mutex::new(Writer {
                conn: None,
                batch: None,
            })),
            waiting: AtomicUsize::new(0),
            next_batch: AtomicU64::new(1),
            committed,
            committing: AtomicU64::new(0),
            to_sync,
            durable,
            broken,
        }))
    }

    /// The error every read and write gets once a flush has failed.
    fn check(&self) -> Result<(), StoreError> {
        match self.broken.get() {
            Some(e) => Err(StoreError::Backend(format!("{e}; restart the node"))),
            None => Ok(()),
        }
    }

    /// Waits until every batch a snapshot taken before this call can see is on disk; an error
    /// once a flush has failed. A read transaction calls it once its snapshot is fixed.
    pub(crate) async fn until_durable(&self) -> Result<(), StoreError> {
        let seen = self.committing.load(Ordering::SeqCst);
        if *self.durable.borrow() < seen {
            let mut rx = self.durable.clone();
            // An error means the syncer is gone (the store is closing): nothing more will flush.
            let _ = rx.wait_for(|d| *d >= seen).await;
        }
        self.check()
    }

    /// Starts a step: takes the writer lock, opens a batch if none is open, and a savepoint.
    pub(crate) async fn begin(&self) -> Result<(Connection, Step), StoreError> {
        self.check()?;
        let mut guard = {
            self.waiting.fetch_add(1, Ordering::AcqRel);
            let _w = Waiting(&self.waiting);
            self.state.clone().lock_owned().await
        };
        if guard.conn.is_none() {
            // The connection of an open batch went away with a step that could not give it
            // back: that batch is lost.
            if let Some(b) = guard.batch.take() {
                b.done
                    .send_replace(Some(Err("the writer connection was lost".into())));
            }
            let conn = self.pool.open().map_err(db_err)?;
            // Commits go to the log without waiting for the disk; the syncer flushes it.
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(db_err)?;
            guard.conn = Some(conn);
        }
        let Some(conn) = guard.conn.take() else {
            return Err(StoreError::Backend("no writer connection".into()));
        };
        if guard.batch.is_none() {
            if let Err(e) = run(&conn, "BEGIN IMMEDIATE") {
                guard.conn = Some(conn);
                return Err(db_err(e));
            }
            guard.batch = Some(Batch {
                id: self.next_batch.fetch_add(1, Ordering::AcqRel),
                steps: 0,
                opened: Instant::now(),
                done: watch::channel(None).0,
            });
        }
        if let Err(e) = run(&conn, SAVEPOINT) {
            abandon(&mut guard, &conn, &e.to_string());
            guard.conn = Some(conn);
            return Err(db_err(e));
        }
        let batch = guard.batch.as_ref().map_or(0, |b| b.id);
        Ok((conn, Step { guard, batch }))
    }

    /// Ends a step that succeeded: releases its savepoint, gives the connection back and waits
    /// until its batch is on disk.
    pub(crate) async fn commit(
        self: &Arc<Self>,
        conn: Connection,
        step: Step,
    ) -> Result<(), StoreError> {
        let Step { mut guard, batch } = step;
        if let Err(e) = run(&conn, RELEASE) {
            abandon(&mut guard, &conn, &e.to_string());
            guard.conn = Some(conn);
            return Err(db_err(e));
        }
        let mut rx = match guard.batch.as_mut() {
            Some(b) if b.id == batch => {
                b.steps += 1;
                b.done.subscribe()
            }
            _ => {
                guard.conn = Some(conn);
                return Err(StoreError::Backend("the step's batch is gone".into()));
            }
        };
        guard.conn = Some(conn);
        if self.due(&guard) {
            self.end_batch(&mut guard);
        }
        drop(guard);
        // Should this wait be abandoned (the request went away), the batch is still ended.
        let mut finisher = Finisher {
            group: self.clone(),
            batch: Some(batch),
        };
        loop {
            if let Some(outcome) = rx.borrow_and_update().clone() {
                finisher.batch = None;
                return outcome.map_err(StoreError::Backend);
            }
            match tokio::time::timeout(MAX_AGE, rx.changed()).await {
                Ok(Ok(())) => continue,
                // The batch was dropped without an outcome.
                Ok(Err(_)) => {
                    finisher.batch = None;
                    return Err(StoreError::Backend("the batch was lost".into()));
                }
                // Committed, waiting for the flush: wait on.
                Err(_) if self.committing.load(Ordering::SeqCst) >= batch => {}
                // Nobody ended the batch: this step does.
                Err(_) => {
                    let mut guard = self.state.clone().lock_owned().await;
                    if guard.batch.as_ref().is_some_and(|b| b.id == batch) {
                        self.end_batch(&mut guard);
                    }
                }
            }
        }
    }

    /// Ends a step that failed or was dropped: rolls back to its savepoint, and ends the batch
    /// if it is due.
    pub(crate) async fn rollback(&self, conn: Connection, step: Step) {
        let Step { mut guard, .. } = step;
        if let Err(e) = conn.execute_batch(ROLLBACK_TO) {
            tracing::warn!(error = %e, "rollback to the step's savepoint failed");
            abandon(&mut guard, &conn, &e.to_string());
        }
        guard.conn = Some(conn);
        if self.due(&guard) {
            self.end_batch(&mut guard);
        }
    }

    /// Whether the open batch should be committed now.
    fn due(&self, w: &Writer) -> bool {
        w.batch.as_ref().is_some_and(|b| {
            self.waiting.load(Ordering::Acquire) == 0
                || b.steps >= MAX_STEPS
                || b.opened.elapsed() >= MAX_AGE
        })
    }

    /// Commits the open batch to the log (rolls it back if it holds no step) and hands it to
    /// the syncer, which tells its steps once the log is on disk. The commit does not wait for
    /// the disk (but for SQLite's automatic checkpoint, see the module doc), so it runs under
    /// the writer lock on the async worker; should the caller stop waiting, the syncer still
    /// tells the steps.
    fn end_batch(&self, w: &mut OwnedMutexGuard<Writer>) {
        let Some(b) = w.batch.take() else { return };
        let Some(conn) = w.conn.take() else {
            b.done
                .send_replace(Some(Err("the writer connection was lost".into())));
            return;
        };
        let steps = b.steps;
        if steps == 0 {
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::warn!(error = %e, "rollback of an empty batch failed");
            }
            b.done.send_replace(Some(Ok(())));
            w.conn = Some(conn);
            return;
        }
        self.committing.store(b.id, Ordering::SeqCst);
        let outcome = run(&conn, "COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            format!("commit of a batch of {steps} steps failed: {e}")
        });
        w.conn = Some(conn);
        let committed = Committed {
            id: b.id,
            steps,
            outcome,
            done: b.done,
        };
        if let Err(mpsc::SendError(c)) = self.to_sync.send(committed) {
            c.done
                .send_replace(Some(Err("the log syncer has stopped".into())));
        }
    }

    /// (batches, steps) committed and on disk so far.
    pub(crate) fn committed(&self) -> (u64, u64) {
        (
            self.committed.0.load(Ordering::Acquire),
            self.committed.1.load(Ordering::Acquire),
        )
    }

    /// Closes the writer connection, ending an open batch first.
    pub(crate) async fn close(&self) {
        let mut guard = self.state.clone().lock_owned().await;
        self.end_batch(&mut guard);
        let _ = self.until_durable().await;
        drop(guard.conn.take());
    }
}

/// Ends a batch whose step stopped waiting for it, unless someone else did: a batch is never
/// left open for want of a step to end it.
struct Finisher {
    group: Arc<Group>,
    batch: Option<u64>,
}

impl Drop for Finisher {
    fn drop(&mut self) {
        let Some(batch) = self.batch else { return };
        let group = self.group.clone();
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                tokio::time::sleep(MAX_AGE).await;
                let mut guard = group.state.clone().lock_owned().await;
                if guard.batch.as_ref().is_some_and(|b| b.id == batch) {
                    group.end_batch(&mut guard);
                }
            });
        }
    }
}

/// Runs one of the statements every step or batch runs (`SAVEPOINT`, `RELEASE`, `BEGIN`,
/// `COMMIT`) from the connection's statement cache, so that it is not parsed again each time.
fn run(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Rolls back the whole open batch after a failure that may have left it unusable; its steps
/// get the error.
fn abandon(w: &mut OwnedMutexGuard<Writer>, conn: &Connection, error: &str) {
    if let Some(b) = w.batch.take() {
        let _ = conn.execute_batch("ROLLBACK");
        b.done.send_replace(Some(Err(format!(
            "a batch of {} steps was rolled back: {error}",
            b.steps
        ))));
    }
}

/// The write-ahead log of a database file.
fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// The syncer: flushes the log for every batch committed since the last flush, then tells
/// their steps and moves `told` on. After a failed flush every later batch fails too. Ends
/// when the group is dropped.
fn sync_loop(
    queue: &mpsc::Receiver<Committed>,
    wal: &Path,
    // The log file's inode when its directory entry was last flushed.
    mut known: Option<u64>,
    told: &watch::Sender<u64>,
    committed: &(AtomicU64, AtomicU64),
    failed: &std::sync::OnceLock<String>,
) {
    while let Ok(first) = queue.recv() {
        let mut batches = vec![first];
        batches.extend(queue.try_iter());
        if failed.get().is_none()
            && batches.iter().any(|b| b.outcome.is_ok())
            && let Err(e) = flush(wal, &mut known)
        {
            tracing::error!(error = %e, "flushing the SQLite log failed; restart the node");
            let _ = failed.set(format!("flushing the log to disk failed: {e}"));
        }
        let mut last = 0;
        for b in batches {
            let outcome = match (failed.get(), b.outcome) {
                (Some(e), Ok(())) => Err(e.clone()),
                (_, outcome) => outcome,
            };
            if outcome.is_ok() {
                committed.0.fetch_add(1, Ordering::AcqRel);
                committed.1.fetch_add(b.steps as u64, Ordering::AcqRel);
            }
            b.done.send_replace(Some(outcome));
            last = last.max(b.id);
        }
        told.send_replace(last);
    }
}

/// `fdatasync` of the log; the first time, and whenever the log is a new file, its directory
/// as well.
fn flush(wal: &Path, known: &mut Option<u64>) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let f = std::fs::File::open(wal)?;
    f.sync_data()?;
    let ino = f.metadata()?.ino();
    if *known != Some(ino) {
        if let Some(dir) = wal.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        *known = Some(ino);
    }
    Ok(())
}

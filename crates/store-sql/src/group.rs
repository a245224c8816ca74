//! Group commit (成组提交) of SQLite write transactions.
//!
//! SQLite has one writer, and with `synchronous=FULL` every commit waits for the disk (about a
//! millisecond here). So that concurrent steps share that wait, the writer connection keeps one
//! outer transaction (a *batch*) open across steps: each write transaction of the platform is a
//! savepoint inside it, run one at a time under the writer lock. A step that ends releases its
//! savepoint and then waits until its batch is committed; it is acknowledged only then, so
//! nothing is reported done before it is on disk. A step that fails rolls back to its savepoint
//! and leaves the batch to the others.
//!
//! The batch is committed by the step that ends it when no other writer is waiting for the
//! lock, when it holds [`MAX_STEPS`] steps or is [`MAX_AGE`] old. A step that waits longer than
//! [`MAX_AGE`] for its batch (its successor went away) commits the batch itself. If a commit,
//! a release or a rollback to a savepoint fails, the whole batch is rolled back and every step
//! in it gets the error: none of them was acknowledged.

use crate::lite::LitePool;
use crate::rows::db_err;
use rusqlite::Connection;
use shenpi_store::StoreError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    /// Batches and steps committed so far.
    committed: (AtomicU64, AtomicU64),
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
    pub(crate) fn new(pool: Arc<LitePool>) -> Arc<Self> {
        Arc::new(Group {
            pool,
            state: Arc::new(Mutex::new(Writer {
                conn: None,
                batch: None,
            })),
            waiting: AtomicUsize::new(0),
            next_batch: AtomicU64::new(1),
            committed: Default::default(),
        })
    }

    /// Starts a step: takes the writer lock, opens a batch if none is open, and a savepoint.
    pub(crate) async fn begin(&self) -> Result<(Connection, Step), StoreError> {
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
            guard.conn = Some(self.pool.open().map_err(db_err)?);
        }
        let Some(conn) = guard.conn.take() else {
            return Err(StoreError::Backend("no writer connection".into()));
        };
        if guard.batch.is_none() {
            if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
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
        if let Err(e) = conn.execute_batch(SAVEPOINT) {
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
        if let Err(e) = conn.execute_batch(RELEASE) {
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
            self.end_batch(&mut guard).await;
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
                // Nobody ended the batch: this step does.
                Err(_) => {
                    let mut guard = self.state.clone().lock_owned().await;
                    if guard.batch.as_ref().is_some_and(|b| b.id == batch) {
                        self.end_batch(&mut guard).await;
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
            self.end_batch(&mut guard).await;
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

    /// Commits the open batch (rolls it back if it holds no step) and tells its steps. The
    /// commit waits for the disk, so it runs on a blocking thread, which also tells the steps:
    /// should the caller stop waiting, the steps still learn the outcome (and the connection,
    /// lost with the caller, is opened again by the next step).
    async fn end_batch(&self, w: &mut OwnedMutexGuard<Writer>) {
        let Some(b) = w.batch.take() else { return };
        let Some(conn) = w.conn.take() else {
            b.done
                .send_replace(Some(Err("the writer connection was lost".into())));
            return;
        };
        let steps = b.steps;
        let sql = if steps == 0 { "ROLLBACK" } else { "COMMIT" };
        let done = tokio::task::spawn_blocking(move || {
            let outcome = conn.execute_batch(sql).map_err(|e| {
                let _ = conn.execute_batch("ROLLBACK");
                format!("commit of a batch of {steps} steps failed: {e}")
            });
            let committed = outcome.is_ok();
            b.done.send_replace(Some(outcome));
            (conn, committed)
        })
        .await;
        match done {
            Ok((conn, committed)) => {
                w.conn = Some(conn);
                if committed && steps > 0 {
                    self.committed.0.fetch_add(1, Ordering::AcqRel);
                    self.committed.1.fetch_add(steps as u64, Ordering::AcqRel);
                }
            }
            // The thread panicked: its batch's sender went with it, so the steps hear that
            // the batch was lost; the next step opens another connection.
            Err(e) => tracing::error!(error = %e, "the commit of a batch failed"),
        }
    }

    /// (batches, steps) committed so far.
    pub(crate) fn committed(&self) -> (u64, u64) {
        (
            self.committed.0.load(Ordering::Acquire),
            self.committed.1.load(Ordering::Acquire),
        )
    }

    /// Closes the writer connection, ending an open batch first.
    pub(crate) async fn close(&self) {
        let mut guard = self.state.clone().lock_owned().await;
        self.end_batch(&mut guard).await;
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
                    group.end_batch(&mut guard).await;
                }
            });
        }
    }
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

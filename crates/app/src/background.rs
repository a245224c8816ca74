//! Background work at low priority (后台低优先级任务): CPU-heavy work nobody waits for, such as
//! typesetting and sealing the notices a step issued, runs on one thread of its own whose
//! scheduling priority is lowered (nice 19). The notice job starts only when the node is quiet
//! ([`crate::load`]): a low priority alone was not enough, since the job's reads, writes and
//! file flushes compete with the requests' (measured in docs/BENCHMARKS.md). Work somebody
//! waits for (a notice opened before it was sealed) does not come here.

use std::sync::Mutex;
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// The low-priority worker thread, started on first use.
#[derive(Default)]
pub(crate) struct Background(Mutex<Option<mpsc::Sender<Job>>>);

impl Background {
    /// Runs `f` on the low-priority thread and waits for its result; `None` if the thread is
    /// gone (it panicked) or cannot be started.
    pub(crate) async fn run<T, F>(&self, f: F) -> Option<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.sender()?.send(job).ok()?;
        rx.await.ok()
    }

    fn sender(&self) -> Option<mpsc::Sender<Job>> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = slot.as_ref() {
            return Some(s.clone());
        }
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("shenpi-background".into())
            .spawn(move || {
                // On Linux the nice value is the calling thread's own.
                if let Err(e) = rustix::process::nice(19) {
                    tracing::warn!(error = %e, "cannot lower the background thread's priority");
                }
                while let Ok(job) = rx.recv() {
                    // A job that panics answers nobody (its caller gets `None`); the thread
                    // goes on with the next.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            })
            .ok()?;
        *slot = Some(tx.clone());
        Some(tx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_one_lowered_thread() {
        let bg = Background::default();
        let a = bg
            .run(|| {
                (
                    std::thread::current().name().map(str::to_string),
                    rustix::process::getpriority_process(None).unwrap(),
                )
            })
            .await
            .unwrap();
        assert_eq!(a.0.as_deref(), Some("shenpi-background"));
        assert_eq!(a.1, 19);
        // The same thread serves the next job.
        let b = bg.run(|| std::thread::current().id()).await.unwrap();
        let c = bg.run(|| std::thread::current().id()).await.unwrap();
        assert_eq!(b, c);
        assert_ne!(b, std::thread::current().id());
    }
}

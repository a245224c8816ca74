//! How busy the node is (节点负载): the rate of requests it serves, so that work nobody waits
//! for (typesetting and sealing notices) waits for a quiet moment instead of competing with
//! officials and applicants for the CPU, the writer and the disk. A notice somebody opens
//! before then is sealed on demand ([`crate::notices`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Below this many requests a second the node counts as quiet. One case handled by hand takes
/// a handful of requests, so a hall's steady traffic stays below it; a rush does not.
pub const QUIET_BELOW_PER_SECOND: f64 = 20.0;
/// The shortest span a rate is measured over: a second, so that a burst of a few requests (a
/// page and its assets, one step) does not count as busy.
pub const SAMPLE: Duration = Duration::from_secs(1);

/// Requests served, and the rate measured when last asked.
pub(crate) struct Load {
    served: AtomicU64,
    /// When the last rate was measured, the count then, and that rate.
    sample: Mutex<(Instant, u64, f64)>,
}

impl Default for Load {
    fn default() -> Self {
        Load {
            served: AtomicU64::new(0),
            sample: Mutex::new((Instant::now(), 0, 0.0)),
        }
    }
}

impl Load {
    /// Counts a request.
    pub(crate) fn note(&self) {
        self.served.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests a second since the rate was last measured (at least [`SAMPLE`] ago; until
    /// then, the rate measured last).
    pub(crate) fn rate(&self) -> f64 {
        let mut s = self.sample.lock().unwrap_or_else(|p| p.into_inner());
        let elapsed = s.0.elapsed();
        if elapsed >= SAMPLE {
            let served = self.served.load(Ordering::Relaxed);
            let rate = served.saturating_sub(s.1) as f64 / elapsed.as_secs_f64();
            *s = (Instant::now(), served, rate);
        }
        s.2
    }

    /// Whether the node is quiet now.
    pub(crate) fn quiet(&self) -> bool {
        self.rate() < QUIET_BELOW_PER_SECOND
    }

    /// Waits until the node is quiet.
    pub(crate) async fn until_quiet(&self) {
        while !self.quiet() {
            tokio::time::sleep(SAMPLE).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_rush_of_requests_is_not_quiet_and_quiet_returns_after_it() {
        let load = Load::default();
        assert!(load.quiet(), "a node that served nothing is quiet");
        tokio::time::sleep(SAMPLE).await;
        for _ in 0..1000 {
            load.note();
        }
        // 1,000 requests over about a second: about a thousand a second.
        assert!(!load.quiet());
        // Within the sample span the rate measured last holds.
        assert!(!load.quiet());
        // Nothing more: the next span measures zero.
        let t0 = Instant::now();
        load.until_quiet().await;
        assert!(t0.elapsed() >= SAMPLE / 2, "waited for a new span");
        assert!(load.quiet());
    }

    #[tokio::test]
    async fn a_trickle_of_requests_is_quiet() {
        let load = Load::default();
        tokio::time::sleep(SAMPLE).await;
        load.note();
        load.note();
        // 2 requests over at least a second: under 20 a second.
        assert!(load.rate() <= 2.0 + f64::EPSILON);
        assert!(load.quiet());
    }
}

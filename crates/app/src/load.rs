//! How busy the node is (节点负载): the requests it serves per second, so that work nobody waits
//! for (typesetting and sealing notices) waits for a quiet moment instead of competing with
//! officials and applicants for the CPU, the writer and the disk. A notice somebody opens
//! before then is sealed on demand ([`crate::notices`]).

use crate::App;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Below this many requests a second the node counts as quiet. One case handled by hand takes
/// a handful of requests, so a hall's steady traffic stays below it; a rush does not.
pub const QUIET_BELOW_PER_SECOND: f64 = 20.0;
/// How often a wait for a quiet node looks again.
pub const RECHECK: Duration = Duration::from_millis(250);

/// Requests counted per whole second since the node started.
pub(crate) struct Load {
    start: Instant,
    /// The second being counted, its requests so far, and the requests of the second before.
    seconds: Mutex<(u64, u64, u64)>,
}

impl Default for Load {
    fn default() -> Self {
        Load {
            start: Instant::now(),
            seconds: Mutex::new((0, 0, 0)),
        }
    }
}

impl Load {
    /// The counts, moved on to the current second.
    fn now(&self) -> std::sync::MutexGuard<'_, (u64, u64, u64)> {
        let second = self.start.elapsed().as_secs();
        let mut s = self.seconds.lock().unwrap_or_else(PoisonError::into_inner);
        if s.0 != second {
            let before = if second == s.0 + 1 { s.1 } else { 0 };
            *s = (second, 0, before);
        }
        s
    }

    /// Counts a request.
    pub(crate) fn note(&self) {
        self.now().1 += 1;
    }

    /// Requests in the last whole second, or so far in this one if more.
    pub(crate) fn rate(&self) -> f64 {
        let s = self.now();
        s.1.max(s.2) as f64
    }

    /// Whether the node is quiet now.
    pub(crate) fn quiet(&self) -> bool {
        self.rate() < QUIET_BELOW_PER_SECOND
    }

    /// Waits until the node is quiet.
    pub(crate) async fn until_quiet(&self) {
        while !self.quiet() {
            tokio::time::sleep(RECHECK).await;
        }
    }
}

impl App {
    /// Counts a request served (by the web layer), for work that waits for a quiet node.
    pub fn note_request(&self) {
        self.load.note();
    }

    /// Requests served in the last whole second, or so far in this one if more.
    pub fn requests_per_second(&self) -> f64 {
        self.load.rate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_rush_of_requests_is_not_quiet_and_quiet_returns_after_it() {
        let load = Load::default();
        assert!(load.quiet(), "a node that served nothing is quiet");
        for _ in 0..1000 {
            load.note();
        }
        assert!(!load.quiet());
        assert!(load.rate() >= 1000.0);
        // Nothing more: quiet once neither this second nor the one before was busy.
        let t0 = Instant::now();
        load.until_quiet().await;
        assert!(t0.elapsed() >= Duration::from_millis(250), "waited");
        assert!(
            t0.elapsed() <= Duration::from_millis(2500),
            "{:?}",
            t0.elapsed()
        );
        assert!(load.quiet());
    }

    #[test]
    fn a_trickle_of_requests_is_quiet() {
        let load = Load::default();
        load.note();
        load.note();
        assert!(load.rate() <= 2.0 + f64::EPSILON);
        assert!(load.quiet());
    }

    #[test]
    fn a_rush_long_ago_does_not_count() {
        let load = Load {
            start: Instant::now() - Duration::from_secs(10),
            seconds: Mutex::new((3, 500, 500)),
        };
        assert!(load.quiet(), "seconds 3 and 2 are long gone");
        let load = Load {
            start: Instant::now() - Duration::from_secs(10),
            seconds: Mutex::new((9, 500, 0)),
        };
        assert!(!load.quiet(), "the second before this one was busy");
    }
}

//! The circuit breaker (熔断器) in front of an outside registry: after `failures` failed calls in
//! a row it opens and refuses calls at once for `cooldown`; then one trial call is let through
//! (half-open), and its outcome closes or re-opens the circuit. Time is a parameter.

use std::time::{Duration, Instant};

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed,
    /// Refusing calls until the instant.
    Open(Instant),
    /// One trial call is under way.
    HalfOpen,
}

/// A circuit breaker.
#[derive(Debug)]
pub struct Breaker {
    failures_to_open: u32,
    cooldown: Duration,
    failures: u32,
    state: State,
}

impl Breaker {
    pub fn new(failures_to_open: u32, cooldown: Duration) -> Breaker {
        Breaker {
            failures_to_open: failures_to_open.max(1),
            cooldown,
            failures: 0,
            state: State::Closed,
        }
    }

    #[cfg(test)]
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether a call may go out at `now`; moves an open breaker whose cooldown is over to
    /// half-open and lets exactly that one call through.
    pub fn allow(&mut self, now: Instant) -> bool {
        match self.state {
            State::Closed => true,
            State::Open(until) if now >= until => {
                self.state = State::HalfOpen;
                true
            }
            State::Open(_) | State::HalfOpen => false,
        }
    }

    /// A call answered (found or not found): the circuit closes.
    pub fn success(&mut self) {
        self.failures = 0;
        self.state = State::Closed;
    }

    /// A call failed (timeout, refused connection, 5xx).
    pub fn failure(&mut self, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        if self.state == State::HalfOpen || self.failures >= self.failures_to_open {
            self.state = State::Open(now + self.cooldown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_and_probes_once_after_the_cooldown() {
        let t = Instant::now();
        let mut b = Breaker::new(3, Duration::from_secs(10));
        b.failure(t);
        b.failure(t);
        b.success();
        b.failure(t);
        b.failure(t);
        assert!(b.allow(t), "a success in between resets the count");
        b.failure(t);
        assert_eq!(b.state(), State::Open(t + Duration::from_secs(10)));
        assert!(!b.allow(t + Duration::from_secs(9)));
        // After the cooldown one trial call goes out; a second waits for its outcome.
        assert!(b.allow(t + Duration::from_secs(10)));
        assert!(!b.allow(t + Duration::from_secs(10)));
        b.failure(t + Duration::from_secs(10));
        assert_eq!(b.state(), State::Open(t + Duration::from_secs(20)));
        assert!(b.allow(t + Duration::from_secs(20)));
        b.success();
        assert_eq!(b.state(), State::Closed);
        assert!(b.allow(t + Duration::from_secs(20)));
    }
}

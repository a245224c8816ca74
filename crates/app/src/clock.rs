//! Time as a parameter: use cases read the clock only through [`Clock`], so tests can move it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Mutex;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in Asia/Shanghai (UTC+8, no daylight saving).
    fn today(&self) -> NaiveDate {
        shanghai_date(self.now())
    }
}

/// Today's date in Asia/Shanghai for an instant: China keeps UTC+8 all year (no daylight saving).
pub fn shanghai_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved; for tests and demos.
#[derive(Debug)]
pub struct FakeClock {
    now: Mutex<DateTime<Utc>>,
}

impl FakeClock {
    /// A fake clock set to `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        FakeClock {
            now: Mutex::new(now),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut g = match self.now.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g += by;
    }

    /// Sets the clock.
    pub fn set(&self, to: DateTime<Utc>) {
        let mut g = match self.now.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = to;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        match self.now.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }
}

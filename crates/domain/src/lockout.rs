//! The sign-in lockout rule (登录失败锁定): after `limit` failed sign-ins from one address
//! within `window`, the account is locked for that address for `window`, counted from the
//! failure that reached the limit.

use chrono::{DateTime, Duration, Utc};

/// When the lockout caused by `failures` ends, if it has not ended at `now`. `failures` may be
/// in any order; pass at least those of the last two windows.
pub fn locked_until(
    failures: &[DateTime<Utc>],
    limit: usize,
    window: Duration,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if limit == 0 {
        return None;
    }
    let mut sorted = failures.to_vec();
    sorted.sort_unstable();
    // A lock starts at the failure that completes `limit` failures within one window.
    let mut latest_start = None;
    for i in (limit - 1)..sorted.len() {
        let (first, last) = (sorted[i + 1 - limit], sorted[i]);
        if last - first <= window {
            latest_start = Some(last);
        }
    }
    latest_start
        .map(|s| s + window)
        .filter(|until| *until > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap() + Duration::minutes(min)
    }

    #[test]
    fn five_failures_within_the_window_lock_for_fifteen_minutes_from_the_fifth() {
        let f: Vec<_> = [0, 3, 6, 9, 12].into_iter().map(at).collect();
        let w = Duration::minutes(15);
        assert_eq!(locked_until(&f, 5, w, at(12)), Some(at(27)));
        assert_eq!(locked_until(&f, 5, w, at(26)), Some(at(27)));
        assert_eq!(locked_until(&f, 5, w, at(27)), None);
    }

    #[test]
    fn failures_spread_wider_than_the_window_do_not_lock() {
        let f: Vec<_> = [0, 4, 8, 12, 16].into_iter().map(at).collect();
        assert_eq!(locked_until(&f, 5, Duration::minutes(15), at(16)), None);
        assert_eq!(
            locked_until(&f[..4], 5, Duration::minutes(15), at(12)),
            None
        );
    }
}

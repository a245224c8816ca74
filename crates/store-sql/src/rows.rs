//! Conversions between rows and records: timestamps as fixed-width UTC text, booleans as 0/1,
//! and driver errors mapped to [`StoreError`] (a unique violation becomes `Conflict`).

use crate::db::{DbError, Row};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use rusqlite::types::Value;
use shenpi_store::StoreError;

/// How [`ts`] writes a timestamp: `2026-11-28T09:30:00.000000Z`.
const TS_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// Fixed-width UTC text, so that text order is time order. Every stored timestamp goes through
/// here and [`parse_ts`], several per statement, so the usual case (years 0–9999, no leap
/// second) is written digit by digit rather than through a format string; anything else, and
/// the result in the tests, is chrono's.
pub fn ts(t: DateTime<Utc>) -> String {
    let (date, time) = (t.date_naive(), t.time());
    let year = date.year();
    if !(0..=9999).contains(&year) || time.nanosecond() >= 1_000_000_000 {
        return t.format(TS_FORMAT).to_string();
    }
    let mut out = String::with_capacity(27);
    let mut digits = |n: u32, width: u32, after: char| {
        for i in (0..width).rev() {
            let d = (n / 10u32.pow(i)) % 10;
            out.push(char::from(b'0' + d as u8));
        }
        out.push(after);
    };
    digits(year.unsigned_abs(), 4, '-');
    digits(date.month(), 2, '-');
    digits(date.day(), 2, 'T');
    digits(time.hour(), 2, ':');
    digits(time.minute(), 2, ':');
    digits(time.second(), 2, '.');
    digits(time.nanosecond() / 1_000, 6, 'Z');
    out
}

/// Parses [`ts`] text.
pub fn parse_ts(s: &str) -> Result<DateTime<Utc>, StoreError> {
    if let Some(t) = parse_fixed(s) {
        return Ok(t);
    }
    NaiveDateTime::parse_from_str(s, TS_FORMAT)
        .map(|n| n.and_utc())
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp {s:?}: {e}")))
}

/// [`ts`] text of the usual shape read digit by digit; `None` for anything else.
fn parse_fixed(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let shape = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ];
    if b.len() != 27 || b[26] != b'Z' || shape.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let n = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(n(0, 4)?).ok()?, n(5, 7)?, n(8, 10)?)?;
    let time = NaiveTime::from_hms_micro_opt(n(11, 13)?, n(14, 16)?, n(17, 19)?, n(20, 26)?)?;
    Some(date.and_time(time).and_utc())
}

/// Maps a driver error; unique violations become `Conflict`.
pub fn db_err(e: impl Into<DbError>) -> StoreError {
    match e.into() {
        DbError::Sqlx(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            StoreError::Conflict(d.message().to_string())
        }
        DbError::Sqlx(sqlx::Error::RowNotFound) | DbError::NoRow => {
            StoreError::NotFound("row".into())
        }
        DbError::Sqlx(e) => StoreError::Backend(e.to_string()),
        DbError::Lite(rusqlite::Error::SqliteFailure(f, msg))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Conflict(msg.unwrap_or_else(|| f.to_string()))
        }
        DbError::Lite(e) => StoreError::Backend(e.to_string()),
        DbError::Closed => StoreError::Backend("transaction used after it ended".into()),
    }
}

/// Typed column access with errors mapped to `Corrupt`.
pub trait RowExt {
    fn text(&self, col: &str) -> Result<String, StoreError>;
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, col: &str) -> Result<i64, StoreError>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError>;
    fn flag(&self, col: &str) -> Result<bool, StoreError> {
        Ok(self.int(col)? != 0)
    }
    fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        parse_ts(&self.text(col)?)
    }
    fn json(&self, col: &str) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.text(col)?)
            .map_err(|e| StoreError::Corrupt(format!("bad JSON in {col}: {e}")))
    }
}

impl RowExt for Row {
    fn text(&self, col: &str) -> Result<String, StoreError> {
        self.opt_text(col)?
            .ok_or_else(|| StoreError::Corrupt(format!("{col}: unexpected NULL")))
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>, StoreError> {
        match self {
            Row::Any(r) => sqlx::Row::try_get::<Option<String>, _>(r, col)
                .map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))),
            Row::Lite(r) => match lite_value(r, col)? {
                Value::Null => Ok(None),
                Value::Text(s) => Ok(Some(s.clone())),
                other => Err(StoreError::Corrupt(format!("{col}: not text: {other:?}"))),
            },
        }
    }
    fn int(&self, col: &str) -> Result<i64, StoreError> {
        self.opt_int(col)?
            .ok_or_else(|| StoreError::Corrupt(format!("{col}: unexpected NULL")))
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>, StoreError> {
        match self {
            Row::Any(r) => sqlx::Row::try_get::<Option<i64>, _>(r, col)
                .map_err(|e| StoreError::Corrupt(format!("{col}: {e}"))),
            Row::Lite(r) => match lite_value(r, col)? {
                Value::Null => Ok(None),
                Value::Integer(i) => Ok(Some(*i)),
                other => Err(StoreError::Corrupt(format!(
                    "{col}: not an integer: {other:?}"
                ))),
            },
        }
    }
}

fn lite_value<'a>(r: &'a crate::db::LiteRow, col: &str) -> Result<&'a Value, StoreError> {
    r.get(col)
        .ok_or_else(|| StoreError::Corrupt(format!("no column {col}")))
}

/// Page arithmetic: pages count from 1 (at most 1,000,000); `per_page` is clamped to 1..=200.
pub fn page_bounds(page: i64, per_page: i64) -> (i64, i64, i64) {
    let per_page = per_page.clamp(1, 200);
    let page = page.clamp(1, 1_000_000);
    (page, per_page, (page - 1).saturating_mul(per_page))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;

    /// Both directions agree with chrono's format string, for the usual shape and the rest.
    #[test]
    fn timestamps_are_written_and_read_as_chrono_does() {
        let mut times = vec![
            Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(12026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 15, 12, 0, 0).unwrap(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ];
        // Every microsecond and nanosecond pattern of a spread of instants.
        let mut x: i64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = x.rem_euclid(400 * 365 * 86_400) - 100 * 365 * 86_400;
            let nanos = u32::try_from((x >> 3).rem_euclid(1_000_000_000)).unwrap();
            times.push(DateTime::from_timestamp(secs, nanos).unwrap());
        }
        for t in times {
            let text = ts(t);
            assert_eq!(text, t.format(TS_FORMAT).to_string());
            let back = parse_ts(&text).unwrap();
            let slow = NaiveDateTime::parse_from_str(&text, TS_FORMAT)
                .unwrap()
                .and_utc();
            assert_eq!(back, slow, "{text}");
            assert_eq!(back.timestamp_micros(), t.timestamp_micros(), "{text}");
        }
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for bad in [
            "",
            "2026-11-28",
            "2026-11-28T09:30:00.000000",
            "2026-11-28T09:30:00.00000aZ",
            "2026-13-28T09:30:00.000000Z",
            "2026-02-30T09:30:00.000000Z",
            "2026-11-28T24:00:00.000000Z",
            "2026-11-28 09:30:00.000000Z",
            "２０２６-11-28T09:30:00.000000Z",
        ] {
            assert!(
                matches!(parse_ts(bad), Err(StoreError::Corrupt(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_ts("2026-11-28T09:30:00.123456Z").unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 28, 9, 30, 0).unwrap()
                + chrono::Duration::microseconds(123_456)
        );
    }
}

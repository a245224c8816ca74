//! The working-day calendar (工作日历): statutory holidays (法定节假日) and make-up workdays
//! (调休上班) per year, and working-day arithmetic for deadlines.
//!
//! 行政许可法 Art. 82 counts licensing time limits in working days excluding statutory
//! holidays, so a working day is: a make-up workday, or a Monday-to-Friday that is not inside a
//! holiday. The schedule changes every year (the State Council publishes it each November), so it
//! is data: [`Calendar::builtin`] ships 2025 and 2026, further years are loaded from the JSON
//! format of [`YearCalendar`]. A date in a year without data is an error
//! ([`CalendarError::YearMissing`]), never a weekday guess.
//!
//! # Counting convention
//!
//! Both [`Calendar::add_working_days`] and [`Calendar::working_days_between`] count from the day
//! *after* the start date ("自受理之日起", the clock starts the next working day): the start date
//! itself never counts, whether or not it is a working day, and the end date does.
//!
//! This module never reads the clock; callers pass dates in.

mod builtin;
mod error;
mod year;

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

pub use error::CalendarError;
pub use year::{HolidayRange, YearCalendar};

/// The working-day calendar (工作日历): one [`YearCalendar`] per loaded year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl Calendar {
    /// An empty calendar: every date is [`CalendarError::YearMissing`] until years are inserted.
    pub fn new() -> Self {
        Self::default()
    }

    /// The calendar with the built-in years 2025 and 2026 (DOMAIN.md §5.2-5.3).
    pub fn builtin() -> Self {
        let years = builtin::years().into_iter().map(|y| (y.year, y)).collect();
        Self { years }
    }

    /// Validates `year` and inserts it, replacing any data already loaded for that year. Fails
    /// if the year's data is invalid or contradicts a neighbouring loaded year near the boundary.
    pub fn insert_year(&mut self, year: YearCalendar) -> Result<(), CalendarError> {
        year.validate()?;
        for other_year in [year.year - 1, year.year + 1] {
            if let Some(other) = self.years.get(&other_year)
                && let Some(date) = year.conflict_with(other)
            {
                return Err(CalendarError::Conflict {
                    date,
                    year: year.year,
                    other_year,
                });
            }
        }
        self.years.insert(year.year, year);
        Ok(())
    }

    /// The loaded years, in ascending order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// The data of one year, if loaded.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    /// Whether data for `year` is loaded.
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The loaded schedules that may mention `date`: its own year, and the next year, whose
    /// notice may reach back into December.
    fn schedules_for(
        &self,
        date: NaiveDate,
    ) -> Result<impl Iterator<Item = &YearCalendar>, CalendarError> {
        let year = date.year();
        let own = self
            .years
            .get(&year)
            .ok_or(CalendarError::YearMissing { year })?;
        let next = if date.month() == 12 {
            self.years.get(&(year + 1))
        } else {
            None
        };
        Ok(std::iter::once(own).chain(next))
    }

    /// The holiday containing `date`, if any (needs the date's year to be loaded).
    pub fn holiday_on(&self, date: NaiveDate) -> Result<Option<&HolidayRange>, CalendarError> {
        Ok(self.schedules_for(date)?.find_map(|y| y.holiday_on(date)))
    }

    /// Whether `date` is a working day (工作日): a make-up workday, or Monday to Friday outside
    /// every holiday. Errors with [`CalendarError::YearMissing`] if its year is not loaded.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let mut holiday = false;
        for y in self.schedules_for(date)? {
            if y.is_makeup_workday(date) {
                return Ok(true);
            }
            holiday |= y.holiday_on(date).is_some();
        }
        Ok(!holiday && !matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The `n`-th working day strictly after `from`, whether or not `from` is a working day
    /// (so `add_working_days(acceptance_date, limit)` is the deadline). `n` must be at least 1.
    /// Errors with [`CalendarError::YearMissing`] when the count runs into a year without data.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Err(CalendarError::InvalidDays);
        }
        let mut date = from;
        let mut left = n;
        loop {
            date = date.succ_opt().ok_or(CalendarError::DateOutOfRange)?;
            if self.is_working_day(date)? {
                left -= 1;
                if left == 0 {
                    return Ok(date);
                }
            }
        }
    }

    /// The number of working days `d` with `from < d <= to`: the start date is not counted, the
    /// end date is; 0 when `to <= from`. So `working_days_between(a, add_working_days(a, n)) == n`.
    /// Errors with [`CalendarError::YearMissing`] if a date in between has no data.
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = date.succ_opt().ok_or(CalendarError::DateOutOfRange)?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests;

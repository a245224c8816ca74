//! The working-day calendar service: built-in years plus years loaded by the city admin.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{Datelike, NaiveDate};
use serde_json::json;
use shenpi_domain::calendar::{CalendarError, YearCalendar};
use shenpi_store::model::{StoredCalendarYear, User};

impl App {
    /// Re-reads stored years over the built-in ones.
    pub async fn reload_calendar(&self) -> Result<(), AppError> {
        let stored = {
            let mut tx = self.store.read().await?;
            tx.list_calendar_years().await?
        };
        let mut cal = shenpi_domain::calendar::Calendar::builtin();
        for y in stored {
            match YearCalendar::from_json(&y.json).and_then(|yc| cal.insert_year(yc)) {
                Ok(()) => {}
                Err(e) => {
                    tracing::error!(year = y.year, error = %e, "stored calendar year ignored")
                }
            }
        }
        self.set_calendar(cal);
        Ok(())
    }

    /// The `n`-th working day after `from`.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, AppError> {
        Ok(self.calendar().add_working_days(from, n)?)
    }

    /// One year of the calendar.
    pub fn calendar_year(&self, year: i32) -> Result<YearCalendar, AppError> {
        self.calendar()
            .year(year)
            .cloned()
            .ok_or(AppError::Calendar(CalendarError::YearMissing { year }))
    }

    /// Loads or replaces a year (city admin); validated before anything is stored.
    pub async fn put_calendar_year(
        &self,
        p: &Principal,
        year: i32,
        json_text: &str,
        meta: &RequestMeta,
    ) -> Result<YearCalendar, AppError> {
        authorize(p, Action::CalendarUpdate, None)?;
        self.store_calendar_year(Some(&p.user), year, json_text, meta)
            .await
    }

    /// Loads a year from a file on the command line (system operator).
    pub async fn load_calendar_file(&self, json_text: &str) -> Result<YearCalendar, AppError> {
        let year = YearCalendar::from_json(json_text)?.year;
        self.store_calendar_year(None, year, json_text, &RequestMeta::cli())
            .await
    }

    async fn store_calendar_year(
        &self,
        actor: Option<&User>,
        year: i32,
        json_text: &str,
        meta: &RequestMeta,
    ) -> Result<YearCalendar, AppError> {
        let yc = YearCalendar::from_json(json_text)?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::invalid_text(
                "year",
                "CALENDAR_YEAR_RANGE",
                "年份须在 2000–2100 之间",
                "The year must be 2000–2100",
            ));
        }
        if yc.year != year {
            return Err(AppError::invalid_text(
                "year",
                "CALENDAR_YEAR_MISMATCH",
                "文件中的年份与地址中的年份不一致",
                "The year in the file differs from the year in the URL",
            ));
        }
        // Check against the years in force; the stored years are re-read after the commit so
        // two concurrent loads cannot lose each other's year.
        (*self.calendar()).clone().insert_year(yc.clone())?;
        let now = self.clock.now();
        let canonical =
            serde_json::to_string(&yc).map_err(|e| AppError::Internal(e.to_string()))?;
        let region = actor
            .map(|u| u.region_code.as_str())
            .unwrap_or(shenpi_domain::regions::QINGDAO_CITY);
        let mut tx = self.store.begin().await?;
        tx.upsert_calendar_year(&StoredCalendarYear {
            year,
            json: canonical,
            updated_at: now,
            updated_by: Some(
                actor
                    .map(|u| u.username.clone())
                    .unwrap_or_else(|| "cli".into()),
            ),
        })
        .await?;
        tx.append_audit(meta.audit(
            now,
            region,
            actor,
            "calendar.update",
            ("calendar_year", &year.to_string()),
            "success",
            json!({"holidays": yc.holidays.len(), "workdays": yc.workdays.len()}),
        ))
        .await?;
        tx.commit().await?;
        self.reload_calendar().await?;
        Ok(yc)
    }

    /// From 1 November, the year whose calendar is still missing (for the admin home warning).
    pub fn missing_next_year(&self) -> Option<i32> {
        let today = self.clock.today();
        let next = today.year() + 1;
        (today.month() >= 11 && !self.calendar().has_year(next)).then_some(next)
    }
}

//! One year of the official holiday schedule (年度放假安排) and its JSON file format.
//!
//! # File format
//!
//! ```json
//! {
//!   "year": 2027,
//!   "holidays": [
//!     {"name": "元旦", "name_en": "New Year's Day", "from": "2027-01-01", "to": "2027-01-01"}
//!   ],
//!   "workdays": ["2027-02-20"]
//! }
//! ```
//!
//! - `holidays`: days off (放假), each an inclusive range with a Chinese `name` (also accepted as
//!   `name_zh`) and an optional English `name_en`.
//! - `workdays`: make-up workdays (调休上班), each a Saturday or Sunday; may be omitted.
//! - Dates are `YYYY-MM-DD`. Unknown fields are rejected, so a typo does not silently drop data.
//!
//! Every date must lie in `year`, or in the December before it: some notices start the New Year
//! holiday or a make-up workday on the last days of the previous year (the 2012 notice made
//! 2011-12-31 a workday; the 2023 notice started the holiday on 2022-12-31).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// A holiday (节假日) as an inclusive range of days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayRange {
    /// Chinese name, e.g. `春节`; `name` in JSON.
    #[serde(rename = "name", alias = "name_zh")]
    pub name_zh: String,
    /// English name, e.g. `Spring Festival`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// First day off.
    pub from: NaiveDate,
    /// Last day off (inclusive).
    pub to: NaiveDate,
}

impl HolidayRange {
    /// Whether `date` is one of the days off.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// The number of days off (0 if the range is inverted).
    pub fn days(&self) -> u32 {
        u32::try_from((self.to - self.from).num_days() + 1).unwrap_or(0)
    }
}

/// One year of the official schedule (年度放假安排): holidays and make-up workdays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearCalendar {
    /// The calendar year the schedule is for.
    pub year: i32,
    /// Days off.
    pub holidays: Vec<HolidayRange>,
    /// Make-up workdays (调休上班): weekend days that are working days.
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
}

impl YearCalendar {
    /// Reads a year from the JSON file format of this module and validates it.
    pub fn from_json(json: &str) -> Result<Self, CalendarError> {
        let year: YearCalendar =
            serde_json::from_str(json).map_err(|e| CalendarError::InvalidFormat {
                detail: e.to_string(),
            })?;
        year.validate()?;
        Ok(year)
    }

    /// Checks the data: a possible year, non-empty holiday names, ranges with `from <= to`,
    /// every date in the year (or the December before), and make-up workdays that are weekend
    /// days outside every holiday.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let year = self.year;
        let (Some(first), Some(last)) = (
            year.checked_sub(1)
                .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 1)),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return Err(CalendarError::InvalidFormat {
                detail: format!("year {year} is out of range"),
            });
        };
        let check_in_year = |date: NaiveDate| {
            if date < first || date > last {
                Err(CalendarError::DateOutsideYear { year, date })
            } else {
                Ok(())
            }
        };
        for h in &self.holidays {
            if h.name_zh.trim().is_empty() {
                return Err(CalendarError::InvalidFormat {
                    detail: format!("a holiday starting {} has no name", h.from),
                });
            }
            if h.from > h.to {
                return Err(CalendarError::HolidayRangeInverted {
                    name: h.name_zh.clone(),
                    from: h.from,
                    to: h.to,
                });
            }
            check_in_year(h.from)?;
            check_in_year(h.to)?;
        }
        for &date in &self.workdays {
            check_in_year(date)?;
            if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(CalendarError::WorkdayNotWeekend { date });
            }
            if let Some(h) = self.holiday_on(date) {
                return Err(CalendarError::WorkdayInHoliday {
                    date,
                    holiday: h.name_zh.clone(),
                });
            }
        }
        Ok(())
    }

    /// The holiday containing `date`, if any.
    pub fn holiday_on(&self, date: NaiveDate) -> Option<&HolidayRange> {
        self.holidays.iter().find(|h| h.contains(date))
    }

    /// Whether `date` is a make-up workday of this schedule.
    pub fn is_makeup_workday(&self, date: NaiveDate) -> bool {
        self.workdays.contains(&date)
    }

    /// The first date on which `self` and `other` disagree (a holiday in one, a make-up workday
    /// in the other), if any.
    pub(super) fn conflict_with(&self, other: &YearCalendar) -> Option<NaiveDate> {
        let one_way = |a: &YearCalendar, b: &YearCalendar| {
            a.workdays
                .iter()
                .copied()
                .find(|&d| b.holiday_on(d).is_some())
        };
        one_way(self, other).or_else(|| one_way(other, self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn holiday(name: &str, from: NaiveDate, to: NaiveDate) -> HolidayRange {
        HolidayRange {
            name_zh: name.into(),
            name_en: None,
            from,
            to,
        }
    }

    #[test]
    fn the_documented_json_format_loads() {
        let json = r#"{"year":2027,"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}],"workdays":[]}"#;
        let y = YearCalendar::from_json(json).unwrap();
        assert_eq!(y.year, 2027);
        assert_eq!(y.holidays[0].name_zh, "元旦");
        assert_eq!(y.holidays[0].days(), 1);
    }

    #[test]
    fn workdays_may_be_omitted_and_name_zh_is_an_alias() {
        let json = r#"{"year":2027,"holidays":[{"name_zh":"元旦","name_en":"New Year's Day","from":"2027-01-01","to":"2027-01-01"}]}"#;
        let y = YearCalendar::from_json(json).unwrap();
        assert!(y.workdays.is_empty());
        assert_eq!(y.holidays[0].name_en.as_deref(), Some("New Year's Day"));
    }

    #[test]
    fn serialization_uses_the_documented_field_names() {
        let y = YearCalendar {
            year: 2027,
            holidays: vec![holiday("元旦", date(2027, 1, 1), date(2027, 1, 1))],
            workdays: vec![],
        };
        let json = serde_json::to_string(&y).unwrap();
        assert_eq!(
            json,
            r#"{"year":2027,"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}],"workdays":[]}"#
        );
    }

    #[test]
    fn malformed_json_and_unknown_fields_are_format_errors() {
        for json in [
            "{",
            r#"{"year":2027,"holidays":[],"workday":["2027-02-20"]}"#,
            r#"{"year":2027,"holidays":[{"name":"x","from":"2027-02-30","to":"2027-03-01"}]}"#,
        ] {
            assert_eq!(
                YearCalendar::from_json(json).unwrap_err().code(),
                "CALENDAR_INVALID_FORMAT",
                "{json}"
            );
        }
    }

    #[test]
    fn an_inverted_holiday_range_is_rejected() {
        let y = YearCalendar {
            year: 2027,
            holidays: vec![holiday("春节", date(2027, 2, 10), date(2027, 2, 5))],
            workdays: vec![],
        };
        assert_eq!(
            y.validate().unwrap_err().code(),
            "CALENDAR_HOLIDAY_RANGE_INVERTED"
        );
    }

    #[test]
    fn a_date_in_another_year_is_rejected_but_the_previous_december_is_allowed() {
        let outside = YearCalendar {
            year: 2027,
            holidays: vec![holiday("国庆节", date(2028, 1, 1), date(2028, 1, 2))],
            workdays: vec![],
        };
        assert_eq!(
            outside.validate().unwrap_err().code(),
            "CALENDAR_DATE_OUTSIDE_YEAR"
        );
        let november = YearCalendar {
            year: 2027,
            holidays: vec![],
            workdays: vec![date(2026, 11, 28)],
        };
        assert_eq!(
            november.validate().unwrap_err().code(),
            "CALENDAR_DATE_OUTSIDE_YEAR"
        );
        // Like the 2023 notice: the New Year holiday starts on the last Saturday of the old year.
        let spill = YearCalendar {
            year: 2022 + 1,
            holidays: vec![holiday("元旦", date(2022, 12, 31), date(2023, 1, 2))],
            workdays: vec![],
        };
        assert!(spill.validate().is_ok());
    }

    #[test]
    fn a_make_up_workday_must_be_a_weekend_day() {
        let y = YearCalendar {
            year: 2027,
            holidays: vec![],
            workdays: vec![date(2027, 2, 17)],
        };
        assert_eq!(
            y.validate().unwrap_err().code(),
            "CALENDAR_WORKDAY_NOT_WEEKEND"
        );
    }

    #[test]
    fn a_make_up_workday_inside_a_holiday_is_rejected() {
        let y = YearCalendar {
            year: 2027,
            holidays: vec![holiday("春节", date(2027, 2, 5), date(2027, 2, 12))],
            workdays: vec![date(2027, 2, 6)],
        };
        let e = y.validate().unwrap_err();
        assert_eq!(e.code(), "CALENDAR_WORKDAY_IN_HOLIDAY");
        assert!(e.message_zh().contains("春节"));
    }

    #[test]
    fn a_holiday_without_a_name_is_rejected() {
        let y = YearCalendar {
            year: 2027,
            holidays: vec![holiday(" ", date(2027, 1, 1), date(2027, 1, 1))],
            workdays: vec![],
        };
        assert_eq!(y.validate().unwrap_err().code(), "CALENDAR_INVALID_FORMAT");
    }
}

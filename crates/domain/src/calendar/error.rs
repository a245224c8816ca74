//! Errors of the working-day calendar, each with a stable code and bilingual messages.

use chrono::NaiveDate;

/// An error of the working-day calendar (工作日历): a missing year, a bad argument, or invalid
/// calendar data. [`CalendarError::code`] is stable and public.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message_en())]
pub enum CalendarError {
    /// No calendar is loaded for this year; the answer is never guessed from weekdays.
    YearMissing {
        /// The year without data.
        year: i32,
    },
    /// A number of working days to add must be at least 1.
    InvalidDays,
    /// A date of a year's data lies outside that year (and outside the December before it).
    DateOutsideYear {
        /// The year being loaded.
        year: i32,
        /// The offending date.
        date: NaiveDate,
    },
    /// A holiday ends before it starts.
    HolidayRangeInverted {
        /// The holiday's name.
        name: String,
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// A make-up workday (调休上班) is not a Saturday or Sunday.
    WorkdayNotWeekend {
        /// The offending date.
        date: NaiveDate,
    },
    /// A make-up workday lies inside a holiday.
    WorkdayInHoliday {
        /// The offending date.
        date: NaiveDate,
        /// The holiday containing it.
        holiday: String,
    },
    /// Two years' data disagree about a date near the year boundary (a holiday in one is a
    /// make-up workday in the other).
    Conflict {
        /// The disputed date.
        date: NaiveDate,
        /// The year being loaded.
        year: i32,
        /// The already-loaded neighbouring year.
        other_year: i32,
    },
    /// The data could not be read (bad JSON, an empty holiday name, an impossible year).
    InvalidFormat {
        /// What is wrong, in English (technical detail, e.g. the JSON parser's message).
        detail: String,
    },
    /// Date arithmetic left the range chrono can represent.
    DateOutOfRange,
}

impl CalendarError {
    /// The stable public code, e.g. `CALENDAR_YEAR_MISSING`.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearMissing { .. } => "CALENDAR_YEAR_MISSING",
            CalendarError::InvalidDays => "CALENDAR_INVALID_DAYS",
            CalendarError::DateOutsideYear { .. } => "CALENDAR_DATE_OUTSIDE_YEAR",
            CalendarError::HolidayRangeInverted { .. } => "CALENDAR_HOLIDAY_RANGE_INVERTED",
            CalendarError::WorkdayNotWeekend { .. } => "CALENDAR_WORKDAY_NOT_WEEKEND",
            CalendarError::WorkdayInHoliday { .. } => "CALENDAR_WORKDAY_IN_HOLIDAY",
            CalendarError::Conflict { .. } => "CALENDAR_CONFLICT",
            CalendarError::InvalidFormat { .. } => "CALENDAR_INVALID_FORMAT",
            CalendarError::DateOutOfRange => "CALENDAR_DATE_OUT_OF_RANGE",
        }
    }

    /// Whether this error is about the calendar data itself (as opposed to a missing year or a
    /// bad argument); such errors come from loading a year.
    pub fn is_invalid_data(&self) -> bool {
        matches!(
            self,
            CalendarError::DateOutsideYear { .. }
                | CalendarError::HolidayRangeInverted { .. }
                | CalendarError::WorkdayNotWeekend { .. }
                | CalendarError::WorkdayInHoliday { .. }
                | CalendarError::Conflict { .. }
                | CalendarError::InvalidFormat { .. }
        )
    }

    /// The message in Chinese (zh-CN), saying what is wrong and what to do.
    pub fn message_zh(&self) -> String {
        match self {
            CalendarError::YearMissing { year } => {
                format!(
                    "缺少{year}年的工作日历，无法计算工作日；请管理员导入国务院办公厅发布的{year}年放假安排"
                )
            }
            CalendarError::InvalidDays => "工作日天数必须至少为1天".to_owned(),
            CalendarError::DateOutsideYear { year, date } => {
                format!(
                    "{year}年工作日历中的日期{date}不在该年度内（仅允许该年及上一年12月的日期）"
                )
            }
            CalendarError::HolidayRangeInverted { name, from, to } => {
                format!("节假日“{name}”的结束日期{to}早于开始日期{from}，请更正")
            }
            CalendarError::WorkdayNotWeekend { date } => {
                format!("调休上班日{date}不是星期六或星期日；周一至周五本来就是工作日，无需列出")
            }
            CalendarError::WorkdayInHoliday { date, holiday } => {
                format!("调休上班日{date}位于节假日“{holiday}”期间，请核对放假安排")
            }
            CalendarError::Conflict {
                date,
                year,
                other_year,
            } => {
                format!(
                    "{year}年与{other_year}年的工作日历对{date}的安排相互矛盾（一方为放假、另一方为上班），请核对"
                )
            }
            CalendarError::InvalidFormat { detail } => format!("工作日历数据格式不正确：{detail}"),
            CalendarError::DateOutOfRange => "日期超出可计算范围".to_owned(),
        }
    }

    /// The message in English, saying what is wrong and what to do.
    pub fn message_en(&self) -> String {
        match self {
            CalendarError::YearMissing { year } => format!(
                "No working-day calendar is loaded for {year}; an administrator must load the official holiday schedule for {year}"
            ),
            CalendarError::InvalidDays => {
                "The number of working days must be at least 1".to_owned()
            }
            CalendarError::DateOutsideYear { year, date } => format!(
                "The date {date} in the {year} calendar is outside that year (only dates in {year} or the December before are allowed)"
            ),
            CalendarError::HolidayRangeInverted { name, from, to } => {
                format!(
                    "The holiday '{name}' ends ({to}) before it starts ({from}); correct the range"
                )
            }
            CalendarError::WorkdayNotWeekend { date } => format!(
                "The make-up workday {date} is not a Saturday or Sunday; Monday to Friday are working days anyway, do not list them"
            ),
            CalendarError::WorkdayInHoliday { date, holiday } => {
                format!(
                    "The make-up workday {date} lies inside the holiday '{holiday}'; check the schedule"
                )
            }
            CalendarError::Conflict {
                date,
                year,
                other_year,
            } => format!(
                "The {year} and {other_year} calendars disagree about {date} (a holiday in one, a workday in the other); check both"
            ),
            CalendarError::InvalidFormat { detail } => {
                format!("The calendar data is malformed: {detail}")
            }
            CalendarError::DateOutOfRange => "The date is outside the supported range".to_owned(),
        }
    }
}

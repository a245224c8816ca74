//! Working-day arithmetic across the 2025 and 2026 holidays. Expected values were computed
//! independently (a Python model of the same schedule) and checked against a paper calendar.

use chrono::NaiveDate;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn add(from: NaiveDate, n: u32) -> NaiveDate {
    Calendar::builtin().add_working_days(from, n).unwrap()
}

fn between(from: NaiveDate, to: NaiveDate) -> u32 {
    Calendar::builtin().working_days_between(from, to).unwrap()
}

const YEAR_2027: &str = r#"{
  "year": 2027,
  "holidays": [
    {"name": "元旦", "name_en": "New Year's Day", "from": "2027-01-01", "to": "2027-01-03"}
  ],
  "workdays": []
}"#;

#[test]
fn the_builtin_calendar_holds_2025_and_2026() {
    let cal = Calendar::builtin();
    assert_eq!(cal.years().collect::<Vec<_>>(), [2025, 2026]);
    assert!(cal.has_year(2026) && !cal.has_year(2027));
    assert_eq!(cal.year(2026).unwrap().workdays.len(), 6);
}

#[test]
fn a_make_up_saturday_is_a_working_day_and_a_holiday_monday_is_not() {
    let cal = Calendar::builtin();
    assert!(cal.is_working_day(date(2026, 2, 14)).unwrap());
    assert!(!cal.is_working_day(date(2026, 2, 23)).unwrap());
    assert!(!cal.is_working_day(date(2026, 2, 21)).unwrap());
    assert!(cal.is_working_day(date(2026, 2, 24)).unwrap());
    assert!(!cal.is_working_day(date(2026, 3, 7)).unwrap());
}

#[test]
fn the_day_before_the_spring_festival_leads_to_the_make_up_saturday() {
    assert_eq!(add(date(2026, 2, 13), 1), date(2026, 2, 14));
}

#[test]
fn deadline_skips_the_spring_festival_holiday() {
    assert_eq!(add(date(2026, 2, 14), 1), date(2026, 2, 24));
    assert_eq!(add(date(2026, 2, 12), 3), date(2026, 2, 24));
    assert_eq!(add(date(2026, 2, 13), 5), date(2026, 2, 27));
}

#[test]
fn a_twenty_day_decision_limit_accepted_before_the_spring_festival_ends_in_march() {
    assert_eq!(add(date(2026, 2, 13), 20), date(2026, 3, 19));
}

#[test]
fn counting_starts_after_the_start_date_even_on_a_holiday() {
    assert_eq!(add(date(2026, 2, 18), 1), date(2026, 2, 24));
    assert_eq!(add(date(2026, 2, 21), 1), date(2026, 2, 24));
}

#[test]
fn national_day_2026_uses_the_sunday_and_saturday_make_up_days() {
    assert_eq!(add(date(2026, 9, 18), 1), date(2026, 9, 20));
    assert_eq!(add(date(2026, 9, 19), 1), date(2026, 9, 20));
    assert_eq!(add(date(2026, 9, 24), 1), date(2026, 9, 28));
    assert_eq!(add(date(2026, 9, 30), 1), date(2026, 10, 8));
    assert_eq!(add(date(2026, 10, 9), 1), date(2026, 10, 10));
    assert_eq!(add(date(2026, 10, 10), 1), date(2026, 10, 12));
}

#[test]
fn the_2025_spring_festival_uses_january_26_and_february_8() {
    assert_eq!(add(date(2025, 1, 24), 1), date(2025, 1, 26));
    assert_eq!(add(date(2025, 1, 26), 1), date(2025, 1, 27));
    assert_eq!(add(date(2025, 1, 27), 1), date(2025, 2, 5));
    assert_eq!(add(date(2025, 2, 7), 1), date(2025, 2, 8));
}

#[test]
fn the_2025_new_year_and_national_day_holidays_are_skipped() {
    let cal = Calendar::builtin();
    assert!(!cal.is_working_day(date(2025, 1, 1)).unwrap());
    assert_eq!(add(date(2025, 9, 26), 1), date(2025, 9, 28));
    assert_eq!(add(date(2025, 9, 30), 1), date(2025, 10, 9));
}

#[test]
fn the_year_change_from_2025_lands_on_the_2026_sunday_make_up_day() {
    assert_eq!(add(date(2025, 12, 31), 1), date(2026, 1, 4));
}

#[test]
fn october_2026_has_eighteen_working_days() {
    assert_eq!(between(date(2026, 9, 30), date(2026, 10, 31)), 18);
}

#[test]
fn february_2026_has_sixteen_working_days() {
    assert_eq!(between(date(2026, 1, 31), date(2026, 2, 28)), 16);
}

#[test]
fn each_built_in_year_has_248_working_days() {
    assert_eq!(between(date(2024, 12, 31), date(2025, 12, 31)), 248);
    assert_eq!(between(date(2025, 12, 31), date(2026, 12, 31)), 248);
}

#[test]
fn working_days_between_skips_holidays_and_counts_the_end_not_the_start() {
    assert_eq!(between(date(2026, 2, 13), date(2026, 2, 28)), 6);
    assert_eq!(between(date(2026, 5, 1), date(2026, 5, 10)), 4);
    assert_eq!(between(date(2026, 2, 13), date(2026, 2, 14)), 1);
}

#[test]
fn working_days_between_is_zero_when_the_end_is_not_after_the_start() {
    assert_eq!(between(date(2026, 3, 2), date(2026, 3, 2)), 0);
    assert_eq!(between(date(2026, 3, 9), date(2026, 3, 2)), 0);
}

#[test]
fn working_days_between_inverts_add_working_days() {
    let cal = Calendar::builtin();
    let start = date(2025, 1, 20);
    for n in [1, 5, 20, 45, 120] {
        let end = cal.add_working_days(start, n).unwrap();
        assert_eq!(cal.working_days_between(start, end).unwrap(), n);
    }
}

#[test]
fn adding_zero_working_days_is_an_error() {
    let e = Calendar::builtin()
        .add_working_days(date(2026, 3, 2), 0)
        .unwrap_err();
    assert_eq!(e, CalendarError::InvalidDays);
    assert_eq!(e.code(), "CALENDAR_INVALID_DAYS");
}

#[test]
fn crossing_from_2026_into_missing_2027_is_an_explicit_error() {
    let cal = Calendar::builtin();
    assert_eq!(
        cal.add_working_days(date(2026, 12, 30), 1).unwrap(),
        date(2026, 12, 31)
    );
    let e = cal.add_working_days(date(2026, 12, 31), 1).unwrap_err();
    assert_eq!(e, CalendarError::YearMissing { year: 2027 });
    assert_eq!(e.code(), "CALENDAR_YEAR_MISSING");
    assert!(e.message_zh().contains("2027"));
    assert!(e.to_string().contains("2027"));
}

#[test]
fn a_date_in_a_missing_year_is_never_guessed_from_the_weekday() {
    let cal = Calendar::builtin();
    assert_eq!(
        cal.is_working_day(date(2024, 6, 3)),
        Err(CalendarError::YearMissing { year: 2024 })
    );
    assert_eq!(
        cal.working_days_between(date(2026, 12, 1), date(2027, 1, 5)),
        Err(CalendarError::YearMissing { year: 2027 })
    );
    assert_eq!(
        Calendar::new().is_working_day(date(2026, 3, 2)),
        Err(CalendarError::YearMissing { year: 2026 })
    );
}

#[test]
fn loading_2027_lets_a_deadline_cross_the_year_end() {
    let mut cal = Calendar::builtin();
    cal.insert_year(YearCalendar::from_json(YEAR_2027).unwrap())
        .unwrap();
    assert!(cal.has_year(2027));
    // 2026-12-31 is a Thursday; 2027-01-01 (Fri) to 01-03 are off; 01-04 is a Monday.
    assert_eq!(
        cal.add_working_days(date(2026, 12, 31), 1).unwrap(),
        date(2027, 1, 4)
    );
    assert_eq!(
        cal.working_days_between(date(2026, 12, 30), date(2027, 1, 4))
            .unwrap(),
        2
    );
}

#[test]
fn inserting_a_year_replaces_the_previous_data() {
    let mut cal = Calendar::builtin();
    cal.insert_year(YearCalendar {
        year: 2026,
        holidays: vec![],
        workdays: vec![],
    })
    .unwrap();
    assert!(cal.is_working_day(date(2026, 2, 16)).unwrap());
    assert!(!cal.is_working_day(date(2026, 2, 14)).unwrap());
}

#[test]
fn inserting_an_invalid_year_is_rejected_and_keeps_the_old_data() {
    let mut cal = Calendar::builtin();
    let bad = YearCalendar {
        year: 2026,
        holidays: vec![],
        workdays: vec![date(2026, 3, 4)],
    };
    assert_eq!(
        cal.insert_year(bad).unwrap_err().code(),
        "CALENDAR_WORKDAY_NOT_WEEKEND"
    );
    assert!(cal.is_working_day(date(2026, 2, 14)).unwrap());
}

#[test]
fn a_next_year_notice_reaching_back_into_december_is_honoured() {
    let mut cal = Calendar::builtin();
    // Like the 2023 notice, which started the New Year holiday on 2022-12-31: here a make-up
    // workday on Sunday 2026-12-27 and a holiday from Thursday 2026-12-31.
    let json = r#"{"year":2027,"holidays":[{"name":"元旦","from":"2026-12-31","to":"2027-01-02"}],"workdays":["2026-12-27"]}"#;
    cal.insert_year(YearCalendar::from_json(json).unwrap())
        .unwrap();
    assert!(cal.is_working_day(date(2026, 12, 27)).unwrap());
    assert!(!cal.is_working_day(date(2026, 12, 31)).unwrap());
    assert_eq!(
        cal.holiday_on(date(2026, 12, 31))
            .unwrap()
            .map(|h| h.name_zh.as_str()),
        Some("元旦")
    );
    assert_eq!(
        cal.add_working_days(date(2026, 12, 30), 1).unwrap(),
        date(2027, 1, 4)
    );
}

#[test]
fn a_neighbouring_year_that_contradicts_a_loaded_year_is_rejected() {
    let mut cal = Calendar::builtin();
    // 2026's own data has no say on 2025-12-28, but 2025 could not list it as a holiday while
    // 2026 lists it as a workday.
    let y2026 = YearCalendar {
        year: 2026,
        holidays: vec![],
        workdays: vec![date(2025, 12, 28)],
    };
    cal.insert_year(y2026).unwrap();
    let y2025 = YearCalendar {
        year: 2025,
        holidays: vec![HolidayRange {
            name_zh: "测试".into(),
            name_en: None,
            from: date(2025, 12, 27),
            to: date(2025, 12, 28),
        }],
        workdays: vec![],
    };
    let e = cal.insert_year(y2025).unwrap_err();
    assert_eq!(
        e,
        CalendarError::Conflict {
            date: date(2025, 12, 28),
            year: 2025,
            other_year: 2026
        }
    );
    assert!(e.is_invalid_data());
}

#[test]
fn the_holiday_on_a_date_has_its_bilingual_name() {
    let cal = Calendar::builtin();
    let h = cal.holiday_on(date(2026, 10, 5)).unwrap().unwrap();
    assert_eq!(
        (h.name_zh.as_str(), h.name_en.as_deref()),
        ("国庆节", Some("National Day"))
    );
    assert!(cal.holiday_on(date(2026, 10, 8)).unwrap().is_none());
}

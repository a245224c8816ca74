//! The built-in schedules: 2025 (国办发明电〔2024〕12号, 2024-11-12) and 2026 (国务院办公厅
//! notice of 2025-11-04), as in DOMAIN.md §5.2-5.3. Later years are loaded as data.

use chrono::NaiveDate;

use super::{HolidayRange, YearCalendar};

/// A date known at compile time; an impossible date fails the build, not the program.
const fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("impossible built-in calendar date"),
    }
}

type Holiday = (&'static str, &'static str, NaiveDate, NaiveDate);

const HOLIDAYS_2025: [Holiday; 6] = [
    ("元旦", "New Year's Day", d(2025, 1, 1), d(2025, 1, 1)),
    ("春节", "Spring Festival", d(2025, 1, 28), d(2025, 2, 4)),
    ("清明节", "Qingming Festival", d(2025, 4, 4), d(2025, 4, 6)),
    ("劳动节", "Labour Day", d(2025, 5, 1), d(2025, 5, 5)),
    (
        "端午节",
        "Dragon Boat Festival",
        d(2025, 5, 31),
        d(2025, 6, 2),
    ),
    (
        "国庆节、中秋节",
        "National Day and Mid-Autumn Festival",
        d(2025, 10, 1),
        d(2025, 10, 8),
    ),
];

const WORKDAYS_2025: [NaiveDate; 5] = [
    d(2025, 1, 26),
    d(2025, 2, 8),
    d(2025, 4, 27),
    d(2025, 9, 28),
    d(2025, 10, 11),
];

const HOLIDAYS_2026: [Holiday; 7] = [
    ("元旦", "New Year's Day", d(2026, 1, 1), d(2026, 1, 3)),
    ("春节", "Spring Festival", d(2026, 2, 15), d(2026, 2, 23)),
    ("清明节", "Qingming Festival", d(2026, 4, 4), d(2026, 4, 6)),
    ("劳动节", "Labour Day", d(2026, 5, 1), d(2026, 5, 5)),
    (
        "端午节",
        "Dragon Boat Festival",
        d(2026, 6, 19),
        d(2026, 6, 21),
    ),
    (
        "中秋节",
        "Mid-Autumn Festival",
        d(2026, 9, 25),
        d(2026, 9, 27),
    ),
    ("国庆节", "National Day", d(2026, 10, 1), d(2026, 10, 7)),
];

const WORKDAYS_2026: [NaiveDate; 6] = [
    d(2026, 1, 4),
    d(2026, 2, 14),
    d(2026, 2, 28),
    d(2026, 5, 9),
    d(2026, 9, 20),
    d(2026, 10, 10),
];

fn year(year: i32, holidays: &[Holiday], workdays: &[NaiveDate]) -> YearCalendar {
    YearCalendar {
        year,
        holidays: holidays
            .iter()
            .map(|&(zh, en, from, to)| HolidayRange {
                name_zh: zh.to_owned(),
                name_en: Some(en.to_owned()),
                from,
                to,
            })
            .collect(),
        workdays: workdays.to_vec(),
    }
}

/// The built-in years, oldest first.
pub(super) fn years() -> [YearCalendar; 2] {
    [
        year(2025, &HOLIDAYS_2025, &WORKDAYS_2025),
        year(2026, &HOLIDAYS_2026, &WORKDAYS_2026),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_years_pass_validation() {
        for y in years() {
            y.validate().unwrap();
        }
    }

    #[test]
    fn the_built_in_holidays_have_the_official_lengths() {
        let [y2025, y2026] = years();
        let days = |y: &YearCalendar| {
            y.holidays
                .iter()
                .map(HolidayRange::days)
                .collect::<Vec<_>>()
        };
        assert_eq!(days(&y2025), [1, 8, 3, 5, 3, 8]);
        assert_eq!(days(&y2026), [3, 9, 3, 5, 3, 3, 7]);
    }
}

//! The resident ID number (居民身份证号码, GB 11643-1999): 18 characters with an ISO 7064
//! MOD 11-2 check character.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{ValidationError, normalize, string_wrapper};
use crate::regions;

/// Weights of the first 17 digits (2^(18-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder mod 11.
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Resident ID number (居民身份证号码), GB 11643-1999, 18-character form.
///
/// Layout: GB/T 2260 address code (6), birth date `YYYYMMDD` (8), sequence (3; odd = male),
/// check character (`0-9` or `X`). Validation checks the format, that the first two digits are a
/// province-level code, that the birth date is a real date on or after 1900-01-01, and the check
/// character. The full address code is not checked against today's table: codes abolished since
/// issue remain valid on existing cards. Whether the birth date is in the future needs a clock; ask
/// [`IdNumber::is_born_after`] with today's date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber {
    value: String,
    birth_date: NaiveDate,
}

string_wrapper!(IdNumber);

impl IdNumber {
    /// Parses an ID number: trims whitespace, upper-cases a trailing `x`, then checks format,
    /// province code, birth date and check character.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let value = normalize(s);
        let b = value.as_bytes();
        let well_formed = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if !well_formed {
            return Err(ValidationError::new(
                "ID_NUMBER_INVALID_FORMAT",
                format!(
                    "身份证号码格式不正确：应为18位，前17位为数字，最后一位为数字或字母X（当前{}位）",
                    value.chars().count()
                ),
                format!(
                    "The ID number is malformed: it has 18 characters, 17 digits then a digit or the letter X (this one has {})",
                    value.chars().count()
                ),
            ));
        }
        let province = value.get(..2).unwrap_or_default();
        if !regions::is_province_prefix(province) {
            return Err(ValidationError::new(
                "ID_NUMBER_UNKNOWN_REGION",
                format!("身份证号码前两位“{province}”不是有效的省级行政区划代码，请核对号码"),
                format!(
                    "The first two digits '{province}' of the ID number are not a province-level region code; check the number"
                ),
            ));
        }
        let birth_date = parse_birth_date(&value)?;
        let expected = check_of(&b[..17]);
        let given = char::from(b[17]);
        if expected != given {
            return Err(ValidationError::new(
                "ID_NUMBER_CHECK_MISMATCH",
                format!(
                    "身份证号码校验位不正确：第18位应为“{expected}”，实际为“{given}”，请检查是否有数字录入错误"
                ),
                format!(
                    "The check character of the ID number is wrong: position 18 should be '{expected}', not '{given}'; look for a typing error"
                ),
            ));
        }
        Ok(Self { value, birth_date })
    }

    /// The date of birth (出生日期) encoded in positions 7-14.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Whether the holder is male (the sequence code in positions 15-17 is odd).
    pub fn is_male(&self) -> bool {
        self.value
            .as_bytes()
            .get(16)
            .is_some_and(|d| (d - b'0') % 2 == 1)
    }

    /// The 6-digit address code (地址码) at issue; it may have been abolished since.
    pub fn region_code(&self) -> &str {
        self.value.get(..6).unwrap_or_default()
    }

    /// Whether the encoded birth date lies after `today`: such a number cannot belong to a
    /// living person. The caller supplies the date because this crate never reads the clock.
    pub fn is_born_after(&self, today: NaiveDate) -> bool {
        self.birth_date > today
    }

    /// Age in whole years on `date`, or `None` if the holder is not yet born on that date.
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        let b = self.birth_date;
        if date < b {
            return None;
        }
        let had_birthday = (date.month(), date.day()) >= (b.month(), b.day());
        let years = date.year() - b.year() - i32::from(!had_birthday);
        u32::try_from(years).ok()
    }
}

fn parse_birth_date(value: &str) -> Result<NaiveDate, ValidationError> {
    let digits = value.get(6..14).unwrap_or_default();
    let number = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<u32>().ok());
    let date = match (number(0..4), number(4..6), number(6..8)) {
        (Some(y), Some(m), Some(d)) => i32::try_from(y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m, d)),
        _ => None,
    };
    match date {
        Some(d) if d.year() >= 1900 => Ok(d),
        _ => Err(ValidationError::new(
            "ID_NUMBER_INVALID_DATE",
            format!(
                "身份证号码中的出生日期“{digits}”无效：第7至14位应为1900年以后真实存在的日期（年月日，如19900101）"
            ),
            format!(
                "The birth date '{digits}' in the ID number is invalid: positions 7-14 must be a real date (YYYYMMDD) from 1900 on"
            ),
        )),
    }
}

/// MOD 11-2 check character of 17 ASCII digits (the caller has checked they are digits).
fn check_of(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK.get((sum % 11) as usize).copied().unwrap_or('?')
}

/// The check character for the first 17 digits of an ID number, or `None` if `first17` is not
/// exactly 17 ASCII digits. Used to build valid demo numbers.
pub fn id_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    (b.len() == 17 && b.iter().all(u8::is_ascii_digit)).then(|| check_of(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Builds a valid number from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", id_check_char(first17).unwrap())
    }

    #[test]
    fn the_published_valid_vector_is_accepted() {
        let id = IdNumber::parse("34052419800101001X").unwrap();
        assert_eq!(id.birth_date(), date(1980, 1, 1));
        assert!(id.is_male());
        assert_eq!(id.region_code(), "340524");
    }

    #[test]
    fn the_published_invalid_vector_is_rejected_naming_the_expected_check() {
        let e = IdNumber::parse("340524198001010013").unwrap_err();
        assert_eq!(e.code, "ID_NUMBER_CHECK_MISMATCH");
        assert!(e.reason_zh.contains("“X”"), "{}", e.reason_zh);
    }

    #[test]
    fn a_lower_case_x_is_accepted_and_upper_cased() {
        assert_eq!(
            IdNumber::parse(" 34052419800101001x ").unwrap().as_str(),
            "34052419800101001X"
        );
    }

    #[test]
    fn every_single_digit_change_of_a_valid_number_is_rejected() {
        let valid = "34052419800101001X";
        for i in 0..18 {
            for c in "0123456789X".chars() {
                let mut s: Vec<char> = valid.chars().collect();
                if s[i] == c {
                    continue;
                }
                s[i] = c;
                let s: String = s.into_iter().collect();
                assert!(IdNumber::parse(&s).is_err(), "{s} accepted");
            }
        }
    }

    #[test]
    fn february_thirtieth_is_not_a_birth_date() {
        let e = IdNumber::parse(&with_check("37020219900230123")).unwrap_err();
        assert_eq!(e.code, "ID_NUMBER_INVALID_DATE");
    }

    #[test]
    fn month_thirteen_is_not_a_birth_date() {
        assert_eq!(
            IdNumber::parse(&with_check("37020220301301123"))
                .unwrap_err()
                .code,
            "ID_NUMBER_INVALID_DATE"
        );
    }

    #[test]
    fn a_birth_date_before_1900_is_rejected() {
        assert_eq!(
            IdNumber::parse(&with_check("37020218991231123"))
                .unwrap_err()
                .code,
            "ID_NUMBER_INVALID_DATE"
        );
    }

    #[test]
    fn february_twenty_ninth_of_a_leap_year_is_accepted() {
        let id = IdNumber::parse(&with_check("37020220000229122")).unwrap();
        assert_eq!(id.birth_date(), date(2000, 2, 29));
        assert!(!id.is_male());
    }

    #[test]
    fn an_unknown_province_prefix_is_rejected() {
        let e = IdNumber::parse(&with_check("99020219900101123")).unwrap_err();
        assert_eq!(e.code, "ID_NUMBER_UNKNOWN_REGION");
    }

    #[test]
    fn an_abolished_address_code_with_a_real_province_is_accepted() {
        // 370284 was 胶南市, merged into 黄岛区 in 2012; it is no longer in the region table.
        assert!(crate::regions::name_of("370284").is_none());
        assert!(IdNumber::parse(&with_check("37028419850615002")).is_ok());
    }

    #[test]
    fn malformed_numbers_are_rejected_as_format_errors() {
        for s in [
            "",
            "3405241980010100",
            "34052419800101001XX",
            "3405241980010100X1",
            "34052419800101001Y",
        ] {
            assert_eq!(
                IdNumber::parse(s).unwrap_err().code,
                "ID_NUMBER_INVALID_FORMAT",
                "{s}"
            );
        }
    }

    #[test]
    fn a_future_birth_date_is_reported_by_is_born_after() {
        let id = IdNumber::parse(&with_check("37020220300101123")).unwrap();
        assert!(id.is_born_after(date(2026, 6, 1)));
        assert!(!id.is_born_after(date(2030, 1, 1)));
        assert_eq!(id.age_on(date(2026, 6, 1)), None);
    }

    #[test]
    fn age_counts_whole_years_up_to_the_birthday() {
        let id = IdNumber::parse(&with_check("37020219900615123")).unwrap();
        assert_eq!(id.age_on(date(2026, 6, 14)), Some(35));
        assert_eq!(id.age_on(date(2026, 6, 15)), Some(36));
    }

    #[test]
    fn the_check_char_helper_accepts_only_seventeen_digits() {
        assert_eq!(id_check_char("34052419800101001"), Some('X'));
        assert_eq!(id_check_char("3405241980010100"), None);
        assert_eq!(id_check_char("3405241980010100A"), None);
    }

    #[test]
    fn serde_round_trips_as_a_string() {
        let id = IdNumber::parse("34052419800101001X").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"34052419800101001X\"");
        assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        assert!(serde_json::from_str::<IdNumber>("\"340524198001010013\"").is_err());
    }
}

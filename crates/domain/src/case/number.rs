//! Case numbers (办件编号): region code (6) + acceptance date `YYYYMMDD` (8) + a daily sequence of
//! the region (6) + one ISO 7064 MOD 37,36 check character, e.g. `37020220261128000001` + `X`.
//! Numbers read well on the phone and on paper, sort by region and day, and a mistyped number
//! is caught by the check character.

use crate::validate::mod37_36_check_char;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A valid case number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

impl CaseNumber {
    /// The number of the `seq`-th case of `region` on `date` (`seq` 1..=999999).
    pub fn new(region: &str, date: NaiveDate, seq: u32) -> Option<CaseNumber> {
        if region.len() != 6
            || !region.bytes().all(|b| b.is_ascii_digit())
            || !(1..=999_999).contains(&seq)
        {
            return None;
        }
        let body = format!("{region}{}{seq:06}", date.format("%Y%m%d"));
        let check = mod37_36_check_char(&body)?;
        Some(CaseNumber(format!("{body}{check}")))
    }

    /// Parses and checks a number.
    pub fn parse(s: &str) -> Option<CaseNumber> {
        let s = s.trim().to_ascii_uppercase();
        if s.len() != 21 || !s.is_ascii() {
            return None;
        }
        let (body, check) = s.split_at(20);
        let date = NaiveDate::parse_from_str(body.get(6..14)?, "%Y%m%d").ok()?;
        let seq: u32 = body.get(14..20)?.parse().ok()?;
        let n = CaseNumber::new(body.get(..6)?, date, seq)?;
        (n.0.ends_with(check)).then_some(n)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CaseNumber::parse(&s).ok_or_else(|| format!("invalid case number {s}"))
    }
}

impl From<CaseNumber> for String {
    fn from(n: CaseNumber) -> String {
        n.0
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_number_round_trips_and_a_typo_is_caught() {
        let n = CaseNumber::new("370202", "2026-11-28".parse().unwrap(), 123).unwrap();
        assert!(n.as_str().starts_with("37020220261128000123"));
        assert_eq!(CaseNumber::parse(n.as_str()), Some(n.clone()));
        let mut typo = n.as_str().to_string();
        typo.replace_range(15..16, "9");
        assert_eq!(CaseNumber::parse(&typo), None);
        assert_eq!(
            CaseNumber::new("37020", "2026-11-28".parse().unwrap(), 1),
            None
        );
        assert_eq!(CaseNumber::parse("garbage"), None);
    }
}

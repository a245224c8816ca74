//! Mainland China mobile numbers (手机号码).

use serde::{Deserialize, Serialize};

use super::{ValidationError, string_wrapper};

/// Mainland China mobile number (手机号码): 11 digits starting `13`-`19`.
///
/// A leading country code `+86`, `0086` or `86` (optionally followed by a space or `-`) is
/// accepted and dropped; the stored form is the bare 11 digits. Inner spaces are not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile {
    value: String,
}

string_wrapper!(Mobile);

impl Mobile {
    /// Parses a mobile number, dropping surrounding whitespace and a `+86` country code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let trimmed = s.trim();
        let digits = strip_country_code(trimmed);
        if is_mobile_digits(digits.as_bytes()) {
            Ok(Self {
                value: digits.to_owned(),
            })
        } else {
            Err(ValidationError::new(
                "MOBILE_INVALID",
                format!("手机号码“{trimmed}”无效：应为11位数字，以13至19开头，例如13812345678"),
                format!(
                    "The mobile number '{trimmed}' is invalid: it has 11 digits starting with 13 to 19, e.g. 13812345678"
                ),
            ))
        }
    }
}

/// Drops a `+86`, `0086` or `86` prefix (and one following space or `-`) when what remains is
/// 11 characters long; otherwise returns the input unchanged.
fn strip_country_code(s: &str) -> &str {
    for prefix in ["+86", "0086", "86"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let rest = rest.strip_prefix([' ', '-']).unwrap_or(rest);
            if rest.len() == 11 {
                return rest;
            }
        }
    }
    s
}

/// Whether `b` is exactly 11 ASCII digits matching `1[3-9]\d{9}`.
pub(crate) fn is_mobile_digits(b: &[u8]) -> bool {
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_eleven_digit_number_is_accepted() {
        assert_eq!(
            Mobile::parse("13812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Mobile::parse("19912345678").unwrap().as_str(),
            "19912345678"
        );
    }

    #[test]
    fn a_country_code_is_stripped() {
        for s in [
            "+8613812345678",
            "8613812345678",
            "008613812345678",
            "+86 13812345678",
            "+86-13812345678",
            " 13812345678 ",
        ] {
            assert_eq!(Mobile::parse(s).unwrap().as_str(), "13812345678", "{s}");
        }
    }

    #[test]
    fn a_number_starting_with_86_is_not_mistaken_for_a_country_code() {
        // 11 digits already: nothing to strip, and 86... is not a mobile prefix.
        assert!(Mobile::parse("86138123456").is_err());
    }

    #[test]
    fn wrong_prefixes_lengths_and_characters_are_rejected() {
        for s in [
            "12812345678",
            "10812345678",
            "23812345678",
            "1381234567",
            "138123456789",
            "1381234567a",
            "138 1234 5678",
            "",
        ] {
            assert_eq!(Mobile::parse(s).unwrap_err().code, "MOBILE_INVALID", "{s}");
        }
    }

    #[test]
    fn serde_round_trips_the_bare_number() {
        let m: Mobile = serde_json::from_str("\"+8613812345678\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"13812345678\"");
    }
}

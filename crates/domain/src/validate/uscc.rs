//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters with a
//! MOD 31 check character.

use serde::{Deserialize, Serialize};

use super::{ValidationError, normalize, string_wrapper};

/// The 31 characters a USCC may use, in value order (no I, O, S, V, Z).
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Position weights 3^(i-1) mod 31 for the first 17 characters.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Unified social credit code (统一社会信用代码) of an enterprise or organisation, GB 32100-2015.
///
/// Layout: registration authority (1), institution class (1), GB/T 2260 area code (6 digits),
/// organisation code (9), check character (1). The charset is `0-9` plus `ABCDEFGHJKLMNPQRTUWXY`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc {
    value: String,
}

string_wrapper!(Uscc);

impl Uscc {
    /// Parses a USCC: trims whitespace, upper-cases, then checks length, charset and check character.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let value = normalize(s);
        let chars: Vec<char> = value.chars().collect();
        if chars.len() != 18 {
            return Err(ValidationError::new(
                "USCC_INVALID_LENGTH",
                format!(
                    "统一社会信用代码应为18位，当前为{}位，请核对营业执照上的代码",
                    chars.len()
                ),
                format!(
                    "A unified social credit code has 18 characters, this one has {}; copy it from the business licence",
                    chars.len()
                ),
            ));
        }
        for (i, &c) in chars.iter().enumerate() {
            let ok = if (2..8).contains(&i) {
                c.is_ascii_digit()
            } else {
                value_of(c).is_some()
            };
            if !ok {
                return Err(invalid_character(i, c));
            }
        }
        let expected = check_char_of(&chars[..17]).unwrap_or('?');
        let given = chars[17];
        if expected != given {
            return Err(ValidationError::new(
                "USCC_CHECK_MISMATCH",
                format!(
                    "统一社会信用代码校验位不正确：第18位应为“{expected}”，实际为“{given}”，请检查是否有字符录入错误"
                ),
                format!(
                    "The check character of the unified social credit code is wrong: position 18 should be '{expected}', not '{given}'; look for a typing error"
                ),
            ));
        }
        Ok(Self { value })
    }

    /// The 6-digit GB/T 2260 area code of the registration authority (positions 3-8).
    pub fn area_code(&self) -> &str {
        self.value.get(2..8).unwrap_or_default()
    }
}

fn invalid_character(i: usize, c: char) -> ValidationError {
    let pos = i + 1;
    if (2..8).contains(&i) {
        ValidationError::new(
            "USCC_INVALID_CHARACTER",
            format!("统一社会信用代码第{pos}位“{c}”无效：第3至8位是行政区划代码，只能是数字"),
            format!(
                "Character {pos} ('{c}') of the unified social credit code is invalid: positions 3-8 are an area code and must be digits"
            ),
        )
    } else {
        ValidationError::new(
            "USCC_INVALID_CHARACTER",
            format!(
                "统一社会信用代码第{pos}位“{c}”无效：只能使用数字和除 I、O、S、V、Z 以外的大写字母"
            ),
            format!(
                "Character {pos} ('{c}') of the unified social credit code is invalid: only digits and the capital letters except I, O, S, V, Z are used"
            ),
        )
    }
}

/// The value (0-30) of a USCC character, or `None` if it is not in the charset.
fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).and_then(|i| u32::try_from(i).ok())
}

fn check_char_of(first17: &[char]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (&c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET.chars().nth(usize::try_from(check).ok()?)
}

/// The check character for the first 17 characters of a USCC, or `None` if `first17` is not 17
/// characters of the USCC charset (lower-case letters are accepted). Used to build valid demo codes.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().map(|c| c.to_ascii_uppercase()).collect();
    check_char_of(&chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: [&str; 5] = [
        "91350200MA2YJ1XR9G",
        "91350200776049653A",
        "913502000728319549",
        "123502001549897397",
        "9135021359498494XQ",
    ];

    #[test]
    fn the_published_valid_vectors_are_accepted() {
        for v in VALID {
            assert_eq!(Uscc::parse(v).unwrap().as_str(), v);
        }
    }

    #[test]
    fn the_published_invalid_vector_is_rejected_with_the_expected_check_character() {
        let e = Uscc::parse("91350203M0001QAY9B").unwrap_err();
        assert_eq!(e.code, "USCC_CHECK_MISMATCH");
        assert!(e.reason_en.contains("'9'"), "{}", e.reason_en);
    }

    #[test]
    fn lower_case_and_surrounding_spaces_are_normalized() {
        assert_eq!(
            Uscc::parse("  91350200ma2yj1xr9g\t").unwrap().as_str(),
            "91350200MA2YJ1XR9G"
        );
    }

    #[test]
    fn every_single_character_change_of_a_valid_code_is_rejected() {
        for v in VALID {
            for (i, orig) in v.chars().enumerate() {
                for c in CHARSET.chars().filter(|&c| c != orig) {
                    let mut s: Vec<char> = v.chars().collect();
                    s[i] = c;
                    let s: String = s.into_iter().collect();
                    assert!(Uscc::parse(&s).is_err(), "{s} accepted");
                }
            }
        }
    }

    #[test]
    fn a_code_of_the_wrong_length_is_rejected() {
        assert_eq!(
            Uscc::parse("91350200MA2YJ1XR9").unwrap_err().code,
            "USCC_INVALID_LENGTH"
        );
        assert_eq!(
            Uscc::parse("91350200MA2YJ1XR9GG").unwrap_err().code,
            "USCC_INVALID_LENGTH"
        );
        assert_eq!(Uscc::parse("").unwrap_err().code, "USCC_INVALID_LENGTH");
    }

    #[test]
    fn the_letters_i_o_s_v_z_are_rejected() {
        for c in ['I', 'O', 'S', 'V', 'Z'] {
            let s = format!("91350200MA2YJ1X{c}9G");
            let e = Uscc::parse(&s).unwrap_err();
            assert_eq!(e.code, "USCC_INVALID_CHARACTER", "{s}");
        }
    }

    #[test]
    fn a_letter_in_the_area_code_is_rejected() {
        assert_eq!(
            Uscc::parse("9135A200MA2YJ1XR9G").unwrap_err().code,
            "USCC_INVALID_CHARACTER"
        );
    }

    #[test]
    fn non_ascii_characters_are_counted_as_characters_not_bytes() {
        let e = Uscc::parse("91350200MA2YJ1XR9中").unwrap_err();
        assert_eq!(e.code, "USCC_INVALID_CHARACTER");
    }

    #[test]
    fn the_check_char_helper_builds_valid_codes() {
        for v in VALID {
            assert_eq!(uscc_check_char(&v[..17]), v.chars().nth(17));
        }
        assert_eq!(uscc_check_char("91350200ma2yj1xr9"), Some('G'));
        assert_eq!(uscc_check_char("9135020"), None);
        assert_eq!(uscc_check_char("91350200MA2YJ1XRO"), None);
    }

    #[test]
    fn the_area_code_is_positions_three_to_eight() {
        assert_eq!(
            Uscc::parse("91350200MA2YJ1XR9G").unwrap().area_code(),
            "350200"
        );
    }

    #[test]
    fn serde_round_trips_as_a_string_and_rejects_invalid_input() {
        let u = Uscc::parse("91350200MA2YJ1XR9G").unwrap();
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, "\"91350200MA2YJ1XR9G\"");
        assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), u);
        assert!(serde_json::from_str::<Uscc>("\"91350203M0001QAY9B\"").is_err());
    }
}

//! The password policy (密码策略) for local accounts.
//!
//! A password has 8 to 128 characters (counted as Unicode characters, not bytes) and uses at
//! least 3 of the 4 classes: lower-case letters, upper-case letters, digits, and anything else
//! (symbols, spaces, Chinese characters). This module only judges a candidate password; hashing,
//! history and lockout live elsewhere.

use crate::validate::ValidationError;

/// Minimum length in characters.
pub const MIN_LEN: usize = 8;
/// Maximum length in characters (bounds the cost of hashing).
pub const MAX_LEN: usize = 128;
/// How many of the 4 character classes a password must use.
pub const MIN_CLASSES: usize = 3;

/// Checks a candidate password against the policy (密码策略校验). Errors carry the codes
/// `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG` or `PASSWORD_TOO_WEAK`.
pub fn check_password_policy(pw: &str) -> Result<(), ValidationError> {
    let len = pw.chars().count();
    if len < MIN_LEN {
        return Err(ValidationError::new(
            "PASSWORD_TOO_SHORT",
            format!("密码太短：至少需要{MIN_LEN}个字符，当前为{len}个"),
            format!(
                "The password is too short: it needs at least {MIN_LEN} characters, this one has {len}"
            ),
        ));
    }
    if len > MAX_LEN {
        return Err(ValidationError::new(
            "PASSWORD_TOO_LONG",
            format!("密码太长：最多{MAX_LEN}个字符，当前为{len}个"),
            format!("The password is too long: at most {MAX_LEN} characters, this one has {len}"),
        ));
    }
    let classes = Classes::of(pw);
    if classes.count() < MIN_CLASSES {
        let (zh, en) = classes.missing();
        return Err(ValidationError::new(
            "PASSWORD_TOO_WEAK",
            format!(
                "密码强度不足：需包含小写字母、大写字母、数字、符号这四类中的至少{MIN_CLASSES}类，还可加入：{zh}"
            ),
            format!(
                "The password is too weak: use at least {MIN_CLASSES} of lower-case letters, upper-case letters, digits and symbols; you could add: {en}"
            ),
        ));
    }
    Ok(())
}

/// Which character classes a password uses.
#[derive(Debug, Default)]
struct Classes {
    lower: bool,
    upper: bool,
    digit: bool,
    other: bool,
}

impl Classes {
    fn of(pw: &str) -> Self {
        let mut c = Self::default();
        for ch in pw.chars() {
            if ch.is_lowercase() {
                c.lower = true;
            } else if ch.is_uppercase() {
                c.upper = true;
            } else if ch.is_ascii_digit() {
                c.digit = true;
            } else {
                c.other = true;
            }
        }
        c
    }

    fn count(&self) -> usize {
        [self.lower, self.upper, self.digit, self.other]
            .into_iter()
            .filter(|b| *b)
            .count()
    }

    /// The missing classes, listed in Chinese and in English.
    fn missing(&self) -> (String, String) {
        let all = [
            (self.lower, "小写字母", "lower-case letters"),
            (self.upper, "大写字母", "upper-case letters"),
            (self.digit, "数字", "digits"),
            (self.other, "符号", "symbols"),
        ];
        let missing: Vec<_> = all.iter().filter(|(has, _, _)| !has).collect();
        let zh = missing
            .iter()
            .map(|(_, zh, _)| *zh)
            .collect::<Vec<_>>()
            .join("、");
        let en = missing
            .iter()
            .map(|(_, _, en)| *en)
            .collect::<Vec<_>>()
            .join(", ");
        (zh, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(pw: &str) -> &'static str {
        check_password_policy(pw).unwrap_err().code
    }

    #[test]
    fn the_demo_password_passes() {
        assert!(check_password_policy("Demo#2026").is_ok());
    }

    #[test]
    fn three_of_four_classes_are_enough() {
        assert!(check_password_policy("abcdEF12").is_ok());
        assert!(check_password_policy("abcdef1!").is_ok());
        assert!(check_password_policy("ABCDEF1!").is_ok());
        assert!(check_password_policy("abcDEF!!").is_ok());
    }

    #[test]
    fn a_password_under_eight_characters_is_too_short() {
        assert_eq!(code("De#2026"), "PASSWORD_TOO_SHORT");
        assert_eq!(code(""), "PASSWORD_TOO_SHORT");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 7 characters but 15 bytes.
        assert_eq!(code("密码Ab1密码"), "PASSWORD_TOO_SHORT");
        assert!(check_password_policy("青岛审批Ab12").is_ok());
    }

    #[test]
    fn a_password_over_128_characters_is_too_long() {
        let long = format!("Aa1!{}", "x".repeat(125));
        assert_eq!(long.chars().count(), 129);
        assert_eq!(code(&long), "PASSWORD_TOO_LONG");
        assert!(check_password_policy(&long[..128]).is_ok());
    }

    #[test]
    fn two_classes_are_too_weak_and_the_reason_names_what_is_missing() {
        let e = check_password_policy("password2026").unwrap_err();
        assert_eq!(e.code, "PASSWORD_TOO_WEAK");
        assert!(e.reason_zh.contains("大写字母、符号"), "{}", e.reason_zh);
        assert!(
            e.reason_en.contains("upper-case letters, symbols"),
            "{}",
            e.reason_en
        );
        assert_eq!(code("12345678"), "PASSWORD_TOO_WEAK");
        assert_eq!(code("abcdefgh"), "PASSWORD_TOO_WEAK");
    }
}

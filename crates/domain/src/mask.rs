//! Masking of personal data (个人信息脱敏) for display and for logs.
//!
//! The display helpers mask one known value; [`mask_personal_data`] scans free text (a log line,
//! an error message) for values that look like ID numbers or mobile numbers and masks them. The
//! scan is deliberately eager: it masks anything shaped like those values, valid or not, because a
//! false positive in a log costs nothing and a leak does. It does not find numbers written with
//! inner separators (`138 1234 5678`) or 15-digit first-generation ID numbers.

use crate::validate::is_mobile_digits;

/// Masks an ID number (身份证号码脱敏): an 18-character number keeps its first 6 and last 4
/// characters (`370202********123X`); any other length is masked by [`mask_generic`].
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() == 18 {
        keep_ends(&chars, 6, 4)
    } else {
        mask_generic(id)
    }
}

/// Masks a mobile number (手机号码脱敏): 11 characters keep the first 3 and last 4
/// (`138****5678`); any other length is masked by [`mask_generic`].
pub fn mask_mobile(mobile: &str) -> String {
    let chars: Vec<char> = mobile.chars().collect();
    if chars.len() == 11 {
        keep_ends(&chars, 3, 4)
    } else {
        mask_generic(mobile)
    }
}

/// Masks a person's name (姓名脱敏): the first character (the surname) is kept and every other
/// character becomes `*` (`张三` → `张*`); a one-character name becomes `*`.
pub fn mask_name(name: &str) -> String {
    let n = name.chars().count();
    match name.chars().next() {
        None => String::new(),
        Some(_) if n == 1 => "*".to_owned(),
        Some(first) => std::iter::once(first)
            .chain(std::iter::repeat_n('*', n - 1))
            .collect(),
    }
}

/// Masks a value of unknown shape: keeps a quarter of the characters (at most 4) at each end
/// and replaces the rest, always at least half, with `*`. Values under 4 characters are fully
/// masked.
pub fn mask_generic(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let keep = (chars.len() / 4).min(4);
    keep_ends(&chars, keep, keep)
}

fn keep_ends(chars: &[char], head: usize, tail: usize) -> String {
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i + tail >= n { c } else { '*' })
        .collect()
}

/// Finds ID-number-like and mobile-like runs in free text and masks them (日志脱敏).
///
/// A run is a maximal sequence of ASCII digits, so digits inside a longer number are left alone:
/// - 18 digits, or 17 digits followed by `X`/`x`, is masked as an ID number;
/// - 11 digits matching `1[3-9]\d{9}` is masked as a mobile number;
/// - 13 digits `86` + such a mobile number (as in `+8613812345678`) keeps the `86` and masks the rest.
pub fn mask_personal_data(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !c.is_ascii_digit() {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        let run: String = chars.get(start..i).unwrap_or_default().iter().collect();
        match (run.len(), chars.get(i)) {
            (17, Some(&x @ ('X' | 'x'))) => {
                out.push_str(&mask_id_number(&format!("{run}{x}")));
                i += 1;
            }
            (18, _) => out.push_str(&mask_id_number(&run)),
            (11, _) if is_mobile_digits(run.as_bytes()) => out.push_str(&mask_mobile(&run)),
            (13, _) if run.starts_with("86") && is_mobile_digits(&run.as_bytes()[2..]) => {
                out.push_str("86");
                out.push_str(&mask_mobile(&run[2..]));
            }
            _ => out.push_str(&run),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_keeps_its_first_six_and_last_four_characters() {
        assert_eq!(mask_id_number("37020219900101123X"), "370202********123X");
    }

    #[test]
    fn an_id_number_of_another_length_is_masked_generically() {
        assert_eq!(mask_id_number("370202900101123"), "370*********123");
        assert_eq!(mask_id_number("123"), "***");
        assert_eq!(mask_id_number(""), "");
    }

    #[test]
    fn a_mobile_number_keeps_its_first_three_and_last_four_digits() {
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_mobile("12345"), "1***5");
    }

    #[test]
    fn a_name_keeps_only_the_surname() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn generic_masking_hides_at_least_half() {
        for s in ["a", "ab", "abcd", "abcdefgh", "abcdefghijklmnopqrstuvwxyz"] {
            let m = mask_generic(s);
            assert_eq!(m.chars().count(), s.chars().count());
            assert!(
                m.chars().filter(|c| *c == '*').count() * 2 >= s.len(),
                "{m}"
            );
        }
        assert_eq!(mask_generic("abcdefgh"), "ab****gh");
    }

    #[test]
    fn a_log_line_has_its_id_number_and_mobile_masked() {
        let line = "申请人 张三 身份证37020219900101123X 手机13812345678 提交成功";
        assert_eq!(
            mask_personal_data(line),
            "申请人 张三 身份证370202********123X 手机138****5678 提交成功"
        );
    }

    #[test]
    fn an_all_digit_id_number_and_a_lower_case_x_are_masked() {
        assert_eq!(
            mask_personal_data("id=370202199001011234;"),
            "id=370202********1234;"
        );
        assert_eq!(
            mask_personal_data("id=37020219900101123x"),
            "id=370202********123x"
        );
    }

    #[test]
    fn a_mobile_with_country_code_keeps_the_country_code() {
        assert_eq!(
            mask_personal_data("tel:+8613812345678."),
            "tel:+86138****5678."
        );
    }

    #[test]
    fn digits_inside_a_longer_number_are_left_alone() {
        let text = "order 1381234567890 and 3702021990010112345 and 2026-02-14 case 12812345678";
        assert_eq!(mask_personal_data(text), text);
    }

    #[test]
    fn text_without_personal_data_is_unchanged() {
        for t in ["", "hello 世界", "count=42 elapsed=13ms"] {
            assert_eq!(mask_personal_data(t), t);
        }
    }

    #[test]
    fn several_values_in_one_line_are_all_masked() {
        assert_eq!(
            mask_personal_data("13812345678,13912345678"),
            "138****5678,139****5678"
        );
    }
}

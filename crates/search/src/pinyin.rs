//! Pinyin keys of a text: the toneless syllables run together (`shigongxuke`) and the initials
//! (`sgxk`), plus the letter n-grams both are indexed and searched by.
//!
//! Polyphonic characters take their first reading (行 → `xing`, 重 → `zhong`); `ü` is written
//! `v`, as pinyin keyboards type it. ASCII letters pass through lower-cased, so a mixed query such
//! as `施工xuke` becomes `shigongxuke`. Digits, punctuation and characters without a reading are
//! dropped.

use pinyin::ToPinyin;

/// Toneless pinyin of `text`, syllables run together, lower case, ASCII only.
pub(crate) fn full(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(p) = c.to_pinyin() {
            push_plain(&mut out, p.plain());
        }
    }
    out
}

/// First letter of each character's pinyin (`建筑工程` → `jzgc`); ASCII letters pass through.
pub(crate) fn initials(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(p) = c.to_pinyin() {
            push_plain(&mut out, p.first_letter());
        }
    }
    out
}

fn push_plain(out: &mut String, syllable: &str) {
    for c in syllable.chars() {
        match c {
            'ü' => out.push('v'),
            c if c.is_ascii_alphabetic() => out.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
}

/// The distinct character n-grams of length `n` of an ASCII string, in first-seen order.
pub(crate) fn letter_ngrams(letters: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = letters.chars().collect();
    let mut out: Vec<String> = Vec::new();
    for window in chars.windows(n) {
        let gram: String = window.iter().collect();
        if !out.contains(&gram) {
            out.push(gram);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_pinyin_runs_toneless_syllables_together() {
        assert_eq!(full("施工许可"), "shigongxuke");
        assert_eq!(full("食品经营许可"), "shipinjingyingxuke");
    }

    #[test]
    fn initials_take_the_first_letter_of_each_character() {
        assert_eq!(initials("建筑工程施工许可证核发"), "jzgcsgxkzhf");
    }

    #[test]
    fn umlaut_u_is_typed_as_v() {
        assert_eq!(full("绿化"), "lvhua");
    }

    #[test]
    fn mixed_text_keeps_ascii_letters_and_drops_digits_and_punctuation() {
        assert_eq!(full("施工xuKe 5G！"), "shigongxukeg");
    }

    #[test]
    fn letter_ngrams_are_distinct_and_ordered() {
        assert_eq!(letter_ngrams("abab", 2), vec!["ab", "ba"]);
        assert!(letter_ngrams("ab", 3).is_empty());
    }
}

//! Amounts of registered capital and contributions (注册资本、认缴出资额): entered in 万元 (ten
//! thousand yuan) as decimal text and kept as an exact integer number of fen (分), so that the
//! contributions add up to the capital with integer arithmetic, never floating point.

/// Fen in one 万元 (10,000 yuan × 100 fen).
pub const FEN_PER_WAN: i64 = 1_000_000;

/// The largest amount accepted: 1,000,000,000 万元 (10^13 yuan).
pub const MAX_WAN: i64 = 1_000_000_000;

/// Parses `text` in 万元 (e.g. `100`, `50.5`, `0.000001`) into fen. At most six decimals (one
/// fen), no sign, no exponent, at most [`MAX_WAN`]. `None` when malformed.
pub fn parse_wan(text: &str) -> Option<i64> {
    let t = text.trim();
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 10 || frac.len() > 6 || !digits(int) || !digits(frac) {
        return None;
    }
    if t.ends_with('.') {
        return None;
    }
    let whole: i64 = int.parse().ok()?;
    if whole > MAX_WAN {
        return None;
    }
    let mut f = frac.to_string();
    while f.len() < 6 {
        f.push('0');
    }
    let part: i64 = f.parse().ok()?;
    let fen = whole.checked_mul(FEN_PER_WAN)?.checked_add(part)?;
    (fen <= MAX_WAN * FEN_PER_WAN).then_some(fen)
}

/// Formats fen as 万元 without trailing zeros: `1000000` → `1`, `50500000` → `50.5`.
pub fn format_wan(fen: i64) -> String {
    let whole = fen / FEN_PER_WAN;
    let part = (fen % FEN_PER_WAN).abs();
    if part == 0 {
        return whole.to_string();
    }
    let frac = format!("{part:06}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_wan_are_exact_fen() {
        assert_eq!(parse_wan("100"), Some(100_000_000));
        assert_eq!(parse_wan(" 50.5 "), Some(50_500_000));
        assert_eq!(parse_wan("0.000001"), Some(1));
        assert_eq!(parse_wan("0.1"), Some(100_000));
        assert_eq!(format_wan(50_500_000), "50.5");
        assert_eq!(format_wan(100_000_000), "100");
        assert_eq!(format_wan(1), "0.000001");
        // 0.1 + 0.2 == 0.3 exactly, unlike floating point.
        assert_eq!(
            parse_wan("0.1").unwrap() + parse_wan("0.2").unwrap(),
            parse_wan("0.3").unwrap()
        );
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "",
            "-1",
            "1e3",
            "1.",
            ".5",
            "1.0000001",
            "abc",
            "1,000",
            "99999999999",
            "１００",
        ] {
            assert_eq!(parse_wan(bad), None, "{bad}");
        }
        assert_eq!(parse_wan("1000000000"), Some(MAX_WAN * FEN_PER_WAN));
        assert_eq!(parse_wan("1000000000.1"), None);
    }
}

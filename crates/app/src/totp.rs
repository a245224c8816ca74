//! Time-based one-time passwords (动态验证码, RFC 6238: HMAC-SHA1, 30 s steps, 6 digits).

use hmac::{Hmac, Mac};
use sha1::Sha1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in data {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            let idx = ((buffer >> (bits - 5)) & 31) as usize;
            out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
            bits -= 5;
        }
    }
    if bits > 0 {
        let idx = ((buffer << (5 - bits)) & 31) as usize;
        out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
    }
    out
}

/// RFC 4648 base32 decoding (case-insensitive, padding and spaces ignored).
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in s.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let v = ALPHABET
            .iter()
            .position(|a| char::from(*a) == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            out.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// The 6-digit code for a time step.
pub fn code_at(secret: &[u8], step: u64) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h.get(19)? & 0x0f);
    let bytes = h.get(offset..offset + 4)?;
    let bin = (u32::from(bytes[0] & 0x7f) << 24)
        | (u32::from(bytes[1]) << 16)
        | (u32::from(bytes[2]) << 8)
        | u32::from(bytes[3]);
    Some(bin % 1_000_000)
}

/// Checks a code at `unix_seconds`, accepting one step of clock drift either way.
pub fn verify(secret_b32: &str, code: &str, unix_seconds: i64) -> bool {
    verify_step(secret_b32, code, unix_seconds).is_some()
}

/// The time step a valid code belongs to (callers refuse steps already used: no replay).
pub fn verify_step(secret_b32: &str, code: &str, unix_seconds: i64) -> Option<i64> {
    let secret = base32_decode(secret_b32)?;
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let given = code.parse::<u32>().ok()?;
    let step = (unix_seconds.max(0) / 30) as u64;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| code_at(&secret, *s) == Some(given))
        .and_then(|s| i64::try_from(s).ok())
}

/// The current code, formatted with leading zeros (for tests and the CLI).
pub fn current_code(secret_b32: &str, unix_seconds: i64) -> Option<String> {
    let secret = base32_decode(secret_b32)?;
    code_at(&secret, (unix_seconds.max(0) / 30) as u64).map(|c| format!("{c:06}"))
}

/// The otpauth URI authenticator apps scan.
pub fn otpauth_uri(secret_b32: &str, username: &str) -> String {
    format!(
        "otpauth://totp/shenpi:{username}?secret={secret_b32}&issuer=shenpi&algorithm=SHA1&digits=6&period=30"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors_match() {
        // RFC 6238 appendix B, SHA1 secret "12345678901234567890", 8-digit values mod 10^6.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59 / 30), Some(287082));
        assert_eq!(code_at(secret, 1111111109 / 30), Some(81804));
        assert_eq!(code_at(secret, 2000000000 / 30), Some(279037));
    }

    #[test]
    fn base32_round_trips() {
        let data = b"12345678901234567890";
        let s = base32_encode(data);
        assert_eq!(s, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode(&s).unwrap(), data);
    }

    #[test]
    fn codes_verify_within_one_step_only() {
        let s = base32_encode(b"12345678901234567890");
        let now = 1_800_000_000;
        let code = current_code(&s, now).unwrap();
        assert!(verify(&s, &code, now));
        assert!(verify(&s, &code, now + 30));
        assert!(!verify(&s, &code, now + 120));
        assert!(!verify(&s, "12345x", now));
    }
}

//! Canonical JSON (规范化 JSON) of a certificate's structured data, its SM3 digest and its
//! signature.
//!
//! [`canonical_json`] follows RFC 8785 (JSON Canonicalization Scheme): no whitespace, object
//! members sorted by the UTF-16 code units of their names, strings escaped minimally
//! (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control characters as `\u00xx`, everything
//! else literal), numbers as ECMAScript prints them. One difference: integers beyond 2^53 are
//! written exactly instead of being rounded to a double; keep such values in strings.
//!
//! A payload signature is made over the ASCII prefix `shenpi-cert-payload-v1` and one zero
//! byte, followed by the 32-byte SM3 digest of the canonical JSON ([`payload_digest`]). The
//! prefix keeps payload signatures and token signatures apart when one key makes both.

use serde_json::{Map, Number, Value};
use sm3::{Digest as _, Sm3};

use crate::keys::{KeyError, PublicKey, Signer};

/// The domain prefix of payload signatures.
pub const PAYLOAD_PREFIX: &[u8] = b"shenpi-cert-payload-v1\0";

/// The canonical JSON text of `v`.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

/// SM3 of the canonical JSON text.
pub fn payload_digest(v: &Value) -> [u8; 32] {
    Sm3::digest(canonical_json(v).as_bytes()).into()
}

/// The bytes a payload signature covers: [`PAYLOAD_PREFIX`] then [`payload_digest`].
fn signed_message(v: &Value) -> Vec<u8> {
    [PAYLOAD_PREFIX, &payload_digest(v)].concat()
}

/// Signs the certificate data `v` (format in the module docs).
pub fn sign_payload(signer: &dyn Signer, v: &Value) -> Result<[u8; 64], KeyError> {
    signer.sign(&signed_message(v))
}

/// Verifies a signature made by [`sign_payload`].
pub fn verify_payload(public: &PublicKey, v: &Value, sig: &[u8]) -> Result<(), KeyError> {
    public.verify(&signed_message(v), sig)
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(map, out),
    }
}

fn write_object(map: &Map<String, Value>, out: &mut String) {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    out.push('{');
    for (i, (name, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(name, out);
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(n: &Number, out: &mut String) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        out.push_str(&ecmascript_number(f));
    } else {
        out.push_str("null");
    }
}

/// `Number.prototype.toString()` of ECMAScript for a finite double.
fn ecmascript_number(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned();
    }
    if !f.is_finite() {
        return "null".to_owned();
    }
    // Rust prints the shortest digits that round-trip, like ECMAScript: "d.ddde-x".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let n = exponent + 1;
    let sign = if f < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!(
            "{digits}{}",
            "0".repeat(usize::try_from(n - k).unwrap_or(0))
        )
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or(0)))
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if n > 0 { "+" } else { "-" };
        format!("{first}{dot}{rest}e{exp_sign}{}", (n - 1).abs())
    };
    format!("{sign}{body}")
}

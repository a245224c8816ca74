//! SM2 signature encodings: raw `r || s` (64 bytes, used everywhere in this crate) and ASN.1
//! DER `SEQUENCE { r INTEGER, s INTEGER }` (what OpenSSL reads and writes).

use super::{Algorithm, KeyError, Signer};

/// Encodes a raw 64-byte `r || s` signature as DER (70 to 72 bytes for real signatures).
pub fn raw_to_der(sig: &[u8; 64]) -> Vec<u8> {
    let (r, s) = sig.split_at(32);
    let r = der_integer(r);
    let s = der_integer(s);
    let mut out = Vec::with_capacity(2 + r.len() + s.len());
    out.push(0x30);
    // Each INTEGER is at most 2 + 33 bytes, so the content length fits one short-form byte.
    out.push(u8::try_from(r.len() + s.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(&r);
    out.extend_from_slice(&s);
    out
}

/// One DER INTEGER of a non-negative big-endian number.
fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    let digits = bytes.get(start..).unwrap_or_default();
    let mut out = vec![0x02, 0];
    if digits.first().is_none_or(|&b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(digits);
    out[1] = u8::try_from(out.len() - 2).unwrap_or(u8::MAX);
    out
}

/// Decodes a DER SM2 signature (such as `openssl pkeyutl -sign` writes) to raw `r || s`.
pub fn der_to_raw(der: &[u8]) -> Result<[u8; 64], KeyError> {
    let sig = sm2::dsa::Signature::from_der(der).map_err(|_| KeyError::MalformedSignature)?;
    Ok(sig.to_bytes().into())
}

/// Signs `msg` with an SM2 signer and returns the DER signature, as OpenSSL expects it.
pub fn sign_der_sm2(signer: &dyn Signer, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    if signer.alg() != Algorithm::Sm2 {
        return Err(KeyError::AlgorithmMismatch);
    }
    Ok(raw_to_der(&signer.sign(msg)?))
}

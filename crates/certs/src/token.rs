//! The show-and-verify token (扫码亮证令牌): a compact signed binary token that a QR code
//! carries, so that a verifier can check a certificate's identity and version.
//!
//! # Format (version 1)
//!
//! The token text is the binary token in base64url **without padding** (RFC 4648 §5). The
//! binary token is (all integers big endian):
//!
//! | offset  | length | field |
//! |---------|--------|-------|
//! | 0       | 1      | format version, `0x01` |
//! | 1       | 1      | kind: `0x01` dynamic (动态码, short-lived, shown on a phone), `0x02` static (静态码, printed on paper) |
//! | 2       | 8      | key id: the 8 raw bytes whose hex is the signing key's `kid` (see [`crate::keys::PublicKey::kid`]) |
//! | 10      | 8      | `issued_at`, i64, Unix seconds |
//! | 18      | 8      | `expires_at`, i64, Unix seconds; must be `0` (no expiry) for static tokens and non-zero for dynamic ones |
//! | 26      | 2      | certificate version, u16 |
//! | 28      | 1      | `L`, length of the certificate identifier, 1 to 120 |
//! | 29      | `L`    | certificate identifier (证照标识, GB/T 36904 string), UTF-8 without control characters |
//! | 29 + L  | 64     | signature, raw (`r‖s` for SM2, `R‖S` for Ed25519) |
//!
//! The token is exactly `93 + L` bytes; anything shorter or longer is malformed. The signature
//! is made with the key named by the key id (its algorithm comes from the key set) over the ASCII
//! domain prefix `shenpi-cert-token-v1` followed by one zero byte, followed by every token byte
//! before the signature (offsets `0 .. 29 + L`). SM2 signatures use SM3 and the distinguishing
//! ID `1234567812345678`.
//!
//! # Verification
//!
//! [`verify`] checks, in this order: structure (`TOKEN_MALFORMED`), key lookup by key id
//! (`TOKEN_UNKNOWN_KEY`), signature (`TOKEN_BAD_SIGNATURE`), `issued_at` at most
//! [`CLOCK_SKEW_SECS`] in the future (`TOKEN_NOT_YET_VALID`), and `now <= expires_at`
//! (`TOKEN_EXPIRED`). It does not check revocation: see [`crate::offline`] and the online
//! service for that.
//!
//! A token may be given bare or inside a URL (`…?t=<token>` or `…/verify/<token>`); see
//! [`extract`].

mod claims;
mod error;
mod url;

pub use claims::{Claims, TokenKind};
pub use error::TokenError;
pub use url::extract;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::keys::{PublicKey, Signer};

/// Lifetime of a dynamic token (动态码有效期): 5 minutes.
pub const DYNAMIC_LIFETIME_SECS: i64 = 300;
/// How far in the future `issued_at` may be (clock skew between issuer and verifier).
pub const CLOCK_SKEW_SECS: i64 = 60;
/// The format version byte.
pub const FORMAT_VERSION: u8 = 1;
/// Longest certificate identifier, in bytes.
pub const MAX_CERT_ID_LEN: usize = 120;
/// The domain prefix before the signed bytes.
pub const DOMAIN_PREFIX: &[u8] = b"shenpi-cert-token-v1\0";

/// Length of the fixed header before the certificate identifier.
const HEADER_LEN: usize = 29;
/// Length of the signature.
const SIG_LEN: usize = 64;

/// A parsed token whose signature is not checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unverified {
    signed: Vec<u8>,
    signature: [u8; SIG_LEN],
}

impl Unverified {
    /// The exact bytes the signature covers: the domain prefix, then the token before the
    /// signature.
    pub fn signed_message(&self) -> &[u8] {
        &self.signed
    }

    /// The raw 64-byte signature.
    pub fn signature(&self) -> &[u8; SIG_LEN] {
        &self.signature
    }

    /// Checks the signature with `key`.
    pub fn check_signature(&self, key: &PublicKey) -> Result<(), TokenError> {
        key.verify(&self.signed, &self.signature)
            .map_err(|_| TokenError::BadSignature)
    }
}

/// Signs the claims into a token text. `claims.kid` must be the signer's key id.
pub fn issue(signer: &dyn Signer, claims: &Claims) -> Result<String, TokenError> {
    if claims.kid != signer.kid() {
        return Err(TokenError::InvalidClaims {
            detail: "the key id differs from the signer's",
        });
    }
    let body = claims.encode_body()?;
    let signature = signer
        .sign(&signed_message(&body))
        .map_err(TokenError::Signing)?;
    let mut token = body;
    token.extend_from_slice(&signature);
    Ok(URL_SAFE_NO_PAD.encode(token))
}

/// The domain prefix followed by `body`.
fn signed_message(body: &[u8]) -> Vec<u8> {
    [DOMAIN_PREFIX, body].concat()
}

/// Reads a token's structure without checking the signature, so that the caller can look the
/// key up by `claims.kid`. Accepts a bare token or a URL carrying one (see [`extract`]).
pub fn parse(token: &str) -> Result<(Claims, Unverified), TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(extract(token))
        .map_err(|_| TokenError::malformed("not base64url without padding"))?;
    if bytes.len() < HEADER_LEN {
        return Err(TokenError::malformed("too short"));
    }
    let id_len = usize::from(bytes[HEADER_LEN - 1]);
    let body_len = HEADER_LEN + id_len;
    if bytes.len() < body_len + SIG_LEN {
        return Err(TokenError::malformed("too short"));
    }
    if bytes.len() > body_len + SIG_LEN {
        return Err(TokenError::malformed("trailing bytes"));
    }
    let (body, signature) = bytes.split_at(body_len);
    let claims = Claims::decode_body(body)?;
    let signature: [u8; SIG_LEN] = signature
        .try_into()
        .map_err(|_| TokenError::malformed("bad signature length"))?;
    Ok((
        claims,
        Unverified {
            signed: signed_message(body),
            signature,
        },
    ))
}

/// Verifies a token at time `now` (Unix seconds), looking its key up by key id with `keys`
/// (retired keys should still be returned). Checks in the order given in the module docs.
pub fn verify(
    token: &str,
    keys: &dyn Fn(&str) -> Option<PublicKey>,
    now: i64,
) -> Result<Claims, TokenError> {
    let (claims, unverified) = parse(token)?;
    let key = keys(&claims.kid).ok_or_else(|| TokenError::UnknownKey {
        kid: claims.kid.clone(),
    })?;
    if key.kid() != claims.kid {
        return Err(TokenError::UnknownKey {
            kid: claims.kid.clone(),
        });
    }
    unverified.check_signature(&key)?;
    claims.check_time(now)?;
    Ok(claims)
}

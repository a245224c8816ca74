//! What a token says (令牌声明) and its binary encoding before the signature.

use serde::{Deserialize, Serialize};

use super::{
    CLOCK_SKEW_SECS, DYNAMIC_LIFETIME_SECS, FORMAT_VERSION, HEADER_LEN, MAX_CERT_ID_LEN, TokenError,
};

/// Dynamic (动态码) or static (静态码) token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Shown on a phone, short-lived (normally [`DYNAMIC_LIFETIME_SECS`]).
    Dynamic,
    /// Printed on the paper certificate; no expiry, so the status must be checked online.
    Static,
}

impl TokenKind {
    fn byte(self) -> u8 {
        match self {
            TokenKind::Dynamic => 1,
            TokenKind::Static => 2,
        }
    }
}

/// The claims of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Dynamic or static.
    pub kind: TokenKind,
    /// Key id of the signing key (16 lowercase hex digits).
    pub kid: String,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry time, Unix seconds: `Some` for dynamic tokens, `None` for static ones.
    pub expires_at: Option<i64>,
    /// Certificate identifier (证照标识, GB/T 36904), 1 to 120 bytes of UTF-8.
    pub cert_id: String,
    /// Certificate version (证照版本).
    pub cert_version: u16,
}

impl Claims {
    /// Claims of a dynamic token issued at `now`, expiring [`DYNAMIC_LIFETIME_SECS`] later.
    pub fn new_dynamic(kid: &str, cert_id: &str, cert_version: u16, now: i64) -> Claims {
        Claims {
            kind: TokenKind::Dynamic,
            kid: kid.to_owned(),
            issued_at: now,
            expires_at: Some(now.saturating_add(DYNAMIC_LIFETIME_SECS)),
            cert_id: cert_id.to_owned(),
            cert_version,
        }
    }

    /// Claims of a static (printed) token issued at `now`, without expiry.
    pub fn new_static(kid: &str, cert_id: &str, cert_version: u16, now: i64) -> Claims {
        Claims {
            kind: TokenKind::Static,
            kid: kid.to_owned(),
            issued_at: now,
            expires_at: None,
            cert_id: cert_id.to_owned(),
            cert_version,
        }
    }

    /// The token bytes before the signature.
    pub(super) fn encode_body(&self) -> Result<Vec<u8>, TokenError> {
        let kid = decode_kid(&self.kid).ok_or(TokenError::InvalidClaims {
            detail: "the key id is not 16 lowercase hex digits",
        })?;
        let expires_at = match (self.kind, self.expires_at) {
            (TokenKind::Dynamic, Some(at)) if at != 0 => at,
            (TokenKind::Static, None) => 0,
            _ => {
                return Err(TokenError::InvalidClaims {
                    detail: "a dynamic token needs a non-zero expiry and a static one none",
                });
            }
        };
        let id = self.cert_id.as_bytes();
        if !valid_cert_id(&self.cert_id) {
            return Err(TokenError::InvalidClaims {
                detail: "the certificate identifier must be 1 to 120 bytes without control characters",
            });
        }
        let id_len = u8::try_from(id.len()).map_err(|_| TokenError::InvalidClaims {
            detail: "the certificate identifier is too long",
        })?;
        let mut out = Vec::with_capacity(HEADER_LEN + id.len() + 64);
        out.push(FORMAT_VERSION);
        out.push(self.kind.byte());
        out.extend_from_slice(&kid);
        out.extend_from_slice(&self.issued_at.to_be_bytes());
        out.extend_from_slice(&expires_at.to_be_bytes());
        out.extend_from_slice(&self.cert_version.to_be_bytes());
        out.push(id_len);
        out.extend_from_slice(id);
        Ok(out)
    }

    /// Reads the token bytes before the signature (their length is already checked).
    pub(super) fn decode_body(body: &[u8]) -> Result<Claims, TokenError> {
        let field = |from: usize, to: usize| {
            body.get(from..to)
                .ok_or_else(|| TokenError::malformed("too short"))
        };
        if field(0, 1)? != [FORMAT_VERSION] {
            return Err(TokenError::malformed("unknown format version"));
        }
        let kind = match field(1, 2)? {
            [1] => TokenKind::Dynamic,
            [2] => TokenKind::Static,
            _ => return Err(TokenError::malformed("unknown token kind")),
        };
        let kid = hex::encode(field(2, 10)?);
        let issued_at = i64::from_be_bytes(array(field(10, 18)?)?);
        let expires_raw = i64::from_be_bytes(array(field(18, 26)?)?);
        let cert_version = u16::from_be_bytes(array(field(26, 28)?)?);
        let id_len = usize::from(
            *body
                .get(28)
                .ok_or_else(|| TokenError::malformed("too short"))?,
        );
        let cert_id = std::str::from_utf8(field(HEADER_LEN, HEADER_LEN + id_len)?)
            .map_err(|_| TokenError::malformed("the certificate identifier is not UTF-8"))?;
        if !valid_cert_id(cert_id) {
            return Err(TokenError::malformed("bad certificate identifier"));
        }
        let expires_at = match (kind, expires_raw) {
            (TokenKind::Dynamic, 0) => {
                return Err(TokenError::malformed("a dynamic token without expiry"));
            }
            (TokenKind::Dynamic, at) => Some(at),
            (TokenKind::Static, 0) => None,
            (TokenKind::Static, _) => {
                return Err(TokenError::malformed("a static token with an expiry"));
            }
        };
        Ok(Claims {
            kind,
            kid,
            issued_at,
            expires_at,
            cert_id: cert_id.to_owned(),
            cert_version,
        })
    }

    /// Checks `issued_at` and `expires_at` against `now`.
    pub(super) fn check_time(&self, now: i64) -> Result<(), TokenError> {
        if self.issued_at > now.saturating_add(CLOCK_SKEW_SECS) {
            return Err(TokenError::NotYetValid {
                issued_at: self.issued_at,
            });
        }
        match self.expires_at {
            Some(expires_at) if now > expires_at => Err(TokenError::Expired { expires_at }),
            _ => Ok(()),
        }
    }
}

/// 1 to 120 bytes, no control characters.
fn valid_cert_id(id: &str) -> bool {
    (1..=MAX_CERT_ID_LEN).contains(&id.len()) && !id.chars().any(char::is_control)
}

/// The 8 raw bytes of a 16-digit lowercase hex key id.
fn decode_kid(kid: &str) -> Option<[u8; 8]> {
    if kid.len() != 16 || kid.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    hex::decode(kid).ok()?.try_into().ok()
}

fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], TokenError> {
    bytes
        .try_into()
        .map_err(|_| TokenError::malformed("bad field length"))
}

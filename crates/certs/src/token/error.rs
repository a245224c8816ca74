//! Why a token is refused (令牌错误).

use thiserror::Error;

use crate::keys::KeyError;

/// Why a token cannot be issued or does not verify.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token of a known format: bad base64url, wrong lengths, trailing bytes, unknown
    /// version or kind.
    #[error("malformed token: {detail}")]
    Malformed {
        /// What is wrong, in English.
        detail: &'static str,
    },
    /// The key id is not in the key set.
    #[error("unknown signing key {kid}")]
    UnknownKey {
        /// The token's key id.
        kid: String,
    },
    /// The signature does not match: the token was changed or signed by another key.
    #[error("bad token signature: the token was changed or not signed by this key")]
    BadSignature,
    /// The token expired (`now > expires_at`).
    #[error("the token expired at {expires_at} (Unix seconds)")]
    Expired {
        /// Expiry time, Unix seconds.
        expires_at: i64,
    },
    /// The token's issue time is more than the allowed clock skew in the future.
    #[error("the token is not valid yet (issued at {issued_at}, Unix seconds)")]
    NotYetValid {
        /// Issue time, Unix seconds.
        issued_at: i64,
    },
    /// The claims cannot be put into a token (when issuing).
    #[error("invalid token claims: {detail}")]
    InvalidClaims {
        /// What is wrong, in English.
        detail: &'static str,
    },
    /// The signer failed (when issuing).
    #[error("signing the token failed: {0}")]
    Signing(KeyError),
}

impl TokenError {
    pub(super) fn malformed(detail: &'static str) -> TokenError {
        TokenError::Malformed { detail }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed { .. } => "TOKEN_MALFORMED",
            TokenError::UnknownKey { .. } => "TOKEN_UNKNOWN_KEY",
            TokenError::BadSignature => "TOKEN_BAD_SIGNATURE",
            TokenError::Expired { .. } => "TOKEN_EXPIRED",
            TokenError::NotYetValid { .. } => "TOKEN_NOT_YET_VALID",
            TokenError::InvalidClaims { .. } => "TOKEN_INVALID_CLAIMS",
            TokenError::Signing(_) => "TOKEN_SIGNING_FAILED",
        }
    }

    /// Message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            TokenError::Malformed { .. } => "二维码内容不是有效的证照令牌".to_owned(),
            TokenError::UnknownKey { kid } => format!("未知的签名密钥 {kid}"),
            TokenError::BadSignature => "签名验证失败：令牌被改动或并非由该密钥签发".to_owned(),
            TokenError::Expired { .. } => "二维码已过期，请让持证人刷新后重新出示".to_owned(),
            TokenError::NotYetValid { .. } => "令牌签发时间晚于当前时间，请检查设备时钟".to_owned(),
            TokenError::InvalidClaims { .. } => "令牌内容无效，无法签发".to_owned(),
            TokenError::Signing(error) => format!("令牌签名失败：{}", error.message_zh()),
        }
    }

    /// Message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

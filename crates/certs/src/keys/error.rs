//! Errors of key handling (密钥错误). They never carry key material.

use thiserror::Error;

/// Why a key operation failed.
#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum KeyError {
    /// The algorithm name is neither `SM2` nor `Ed25519`.
    #[error("unknown signature algorithm (expected SM2 or Ed25519)")]
    UnknownAlgorithm,
    /// The secret key bytes are not a valid key of the algorithm.
    #[error("not a valid secret key for this algorithm")]
    InvalidSecret,
    /// The public key bytes are not a valid key of the algorithm.
    #[error("not a valid public key for this algorithm")]
    InvalidPublic,
    /// The PEM text is not a supported SPKI public key.
    #[error("not a supported PEM public key (SPKI of SM2 or Ed25519)")]
    InvalidPem,
    /// The signature is not well formed (wrong length or encoding).
    #[error("the signature is not well formed")]
    MalformedSignature,
    /// The signature does not match the message and key.
    #[error("the signature does not match the message and key")]
    BadSignature,
    /// The operation needs another algorithm than the key has.
    #[error("the key has another algorithm than this operation needs")]
    AlgorithmMismatch,
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// The signer (for example a hardware module) could not sign.
    #[error("the signer could not sign")]
    SigningFailed,
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::UnknownAlgorithm => "KEY_UNKNOWN_ALGORITHM",
            KeyError::InvalidSecret => "KEY_INVALID_SECRET",
            KeyError::InvalidPublic => "KEY_INVALID_PUBLIC",
            KeyError::InvalidPem => "KEY_INVALID_PEM",
            KeyError::MalformedSignature => "KEY_MALFORMED_SIGNATURE",
            KeyError::BadSignature => "KEY_BAD_SIGNATURE",
            KeyError::AlgorithmMismatch => "KEY_ALGORITHM_MISMATCH",
            KeyError::Random => "KEY_RANDOM_FAILED",
            KeyError::SigningFailed => "KEY_SIGNING_FAILED",
        }
    }

    /// Message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            KeyError::UnknownAlgorithm => "未知的签名算法（应为 SM2 或 Ed25519）",
            KeyError::InvalidSecret => "私钥无效",
            KeyError::InvalidPublic => "公钥无效",
            KeyError::InvalidPem => "不是受支持的 PEM 公钥（SM2 或 Ed25519 的 SPKI）",
            KeyError::MalformedSignature => "签名格式错误",
            KeyError::BadSignature => "签名验证失败：与数据或公钥不符",
            KeyError::AlgorithmMismatch => "密钥算法与操作不符",
            KeyError::Random => "系统随机数生成失败",
            KeyError::SigningFailed => "签名失败",
        }
        .to_owned()
    }

    /// Message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

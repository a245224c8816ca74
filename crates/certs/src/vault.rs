//! Secret keys encrypted at rest (密钥加密存储) under the platform master key.
//!
//! The master key comes from the configuration value `SHENPI_MASTER_KEY`: 32 bytes written as
//! 64 hex digits or as standard base64 (with or without padding). See [`MasterKey::from_config`].
//!
//! # Sealed format (version 1)
//!
//! ```text
//! 0x01 (format version, 1 byte) | nonce (12 random bytes) | AES-256-GCM ciphertext | tag (16 bytes)
//! ```
//!
//! The cipher is AES-256-GCM (NIST SP 800-38D) keyed directly with the 32-byte master key. The
//! caller's associated data (`aad`, the key id of the row) and the version byte are both
//! authenticated: the version byte is put before the caller's `aad`, so a sealed secret cannot be
//! moved to another row, nor read under another format version.

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use thiserror::Error;
use zeroize::{Zeroize as _, Zeroizing};

/// The format version byte of sealed secrets.
const VERSION: u8 = 1;
/// Length of the random nonce.
const NONCE_LEN: usize = 12;
/// Length of the GCM authentication tag.
const TAG_LEN: usize = 16;

/// Why sealing or opening failed. Never carries key material.
#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum VaultError {
    /// The master key text is not 64 hex digits or base64 of 32 bytes.
    #[error("the master key must be 32 bytes written as 64 hex digits or base64")]
    InvalidMasterKey,
    /// The sealed bytes are too short or of an unknown format version.
    #[error("the sealed secret is not in a known format")]
    Malformed,
    /// Decryption failed: wrong master key, wrong key id (aad), or changed bytes.
    #[error("the sealed secret cannot be opened: wrong master key, wrong key id, or changed data")]
    Decrypt,
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
    /// Encryption failed (the plaintext is too large).
    #[error("encryption failed")]
    Encrypt,
}

impl VaultError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::InvalidMasterKey => "VAULT_INVALID_MASTER_KEY",
            VaultError::Malformed => "VAULT_MALFORMED",
            VaultError::Decrypt => "VAULT_DECRYPT_FAILED",
            VaultError::Random => "VAULT_RANDOM_FAILED",
            VaultError::Encrypt => "VAULT_ENCRYPT_FAILED",
        }
    }

    /// Message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            VaultError::InvalidMasterKey => "主密钥必须是 32 字节，写作 64 位十六进制或 base64",
            VaultError::Malformed => "加密的密钥格式无法识别",
            VaultError::Decrypt => "无法解密：主密钥错误、密钥标识不符或数据被改动",
            VaultError::Random => "系统随机数生成失败",
            VaultError::Encrypt => "加密失败",
        }
        .to_owned()
    }

    /// Message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The 32-byte master key (主密钥). Wiped on drop; `Debug` shows nothing of it.
pub struct MasterKey {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// Reads the configuration value: 64 hex digits, or standard base64 (padding optional) of
    /// exactly 32 bytes. Surrounding whitespace is ignored.
    pub fn from_config(text: &str) -> Result<MasterKey, VaultError> {
        let text = text.trim();
        let mut bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| VaultError::InvalidMasterKey)?
        } else {
            STANDARD
                .decode(text)
                .or_else(|_| STANDARD_NO_PAD.decode(text))
                .map_err(|_| VaultError::InvalidMasterKey)?
        };
        let result = MasterKey::from_bytes(&bytes);
        bytes.zeroize();
        result
    }

    /// Uses 32 raw bytes as the master key.
    pub fn from_bytes(bytes: &[u8]) -> Result<MasterKey, VaultError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| VaultError::InvalidMasterKey)?;
        Ok(MasterKey {
            key: Zeroizing::new(array),
        })
    }

    fn cipher(&self) -> Result<Aes256Gcm, VaultError> {
        Aes256Gcm::new_from_slice(self.key.as_ref()).map_err(|_| VaultError::InvalidMasterKey)
    }

    /// Encrypts `plaintext`, binding it to `aad` (the key id). Format in the module docs.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| VaultError::Random)?;
        let aad = full_aad(aad);
        let ciphertext = self
            .cipher()?
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Encrypt)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypts what [`MasterKey::seal`] returned, with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let (&version, rest) = sealed.split_first().ok_or(VaultError::Malformed)?;
        if version != VERSION || rest.len() < NONCE_LEN + TAG_LEN {
            return Err(VaultError::Malformed);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| VaultError::Malformed)?;
        let aad = full_aad(aad);
        self.cipher()?
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| VaultError::Decrypt)
    }
}

/// The authenticated data: the version byte, then the caller's.
fn full_aad(aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(1 + aad.len());
    full.push(VERSION);
    full.extend_from_slice(aad);
    full
}

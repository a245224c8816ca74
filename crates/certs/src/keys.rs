//! Signing keys (签名密钥) of electronic certificates: SM2 and Ed25519.
//!
//! - [`Algorithm`]: `SM2` (GB/T 32918 with SM3 and the distinguishing ID `1234567812345678`,
//!   the 商用密码 default) or `Ed25519` (RFC 8032).
//! - [`KeyPair`]: a secret key held in memory (wiped on drop), the software [`Signer`].
//! - [`PublicKey`]: the raw public key (SM2: 65-byte SEC1 uncompressed point; Ed25519:
//!   32 bytes), its key id ([`PublicKey::kid`]) and signature verification.
//! - [`Signer`]: what can sign; a hardware security module (密码机) can implement it later.
//! - [`raw_to_der`], [`der_to_raw`], [`sign_der_sm2`]: SM2 signature encodings for OpenSSL.
//!
//! Every signature of this crate is 64 raw bytes: `r || s` (big endian) for SM2, `R || S` for
//! Ed25519.

mod algorithm;
mod encoding;
mod error;
mod pair;
mod public;
mod sm2_sign;

pub use algorithm::Algorithm;
pub use encoding::{der_to_raw, raw_to_der, sign_der_sm2};
pub use error::KeyError;
pub use pair::KeyPair;
pub use public::PublicKey;

/// The distinguishing ID (用户身份标识, GM/T 0009) of every SM2 signature of this crate.
pub const SM2_DIST_ID: &str = "1234567812345678";

/// Something that signs with one key: a [`KeyPair`] in memory, or later a hardware module.
pub trait Signer: Send + Sync {
    /// The key's algorithm.
    fn alg(&self) -> Algorithm;
    /// The key id (16 lowercase hex digits, see [`PublicKey::kid`]).
    fn kid(&self) -> String;
    /// The public key.
    fn public(&self) -> PublicKey;
    /// Signs `msg`, returning the 64-byte raw signature.
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], KeyError>;
}

//! The electronic seal signature (电子签章): SM2 signatures with SM3 over a rendered PDF.
//!
//! # Format (`SHENPI-SEAL v1`)
//!
//! [`seal`] appends one PDF comment line after the document's bytes:
//!
//! ```text
//! %SHENPI-SEAL v1 SM2-SM3 <key_id> <base64 DER signature>\n
//! ```
//!
//! - the signature covers every byte before that line (the whole PDF as rendered, ending with
//!   `%%EOF` and its newline; a newline is added first if the PDF does not end with one);
//! - it is an SM2 signature (GB/T 32918, GM/T 0003) with SM3 and the standard distinguishing
//!   ID `1234567812345678`, encoded as ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` in standard
//!   base64 with padding;
//! - `key_id` is the first 16 lowercase hex digits of SM3 over the SEC1 uncompressed public key;
//! - PDF readers ignore comments after `%%EOF`, so a sealed file opens as before.
//!
//! [`verify`] reads the last such line, looks the key up by id, and checks the signature over
//! the bytes before it. Sealing a sealed file again appends a second line that covers the first.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate as _;
use sm2::elliptic_curve::rand_core::CryptoRng;
use sm3::{Digest as _, Sm3};
use thiserror::Error;

/// The distinguishing ID (用户身份标识) of GM/T 0009 used for every seal signature.
pub const DIST_ID: &str = "1234567812345678";

/// Start of a seal line.
const MARKER: &[u8] = b"%SHENPI-SEAL v1 SM2-SM3 ";

/// Errors of key handling (密钥错误).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    /// Not valid hex.
    #[error("not valid hex")]
    Hex,
    /// Not a valid SM2 secret scalar.
    #[error("not a valid SM2 secret key")]
    Secret,
    /// Not a valid SEC1-encoded SM2 point.
    #[error("not a valid SM2 public key")]
    Public,
    /// The system random generator failed.
    #[error("random generator failed")]
    Random,
}

/// Why a sealed PDF does not verify (验章失败).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum VerifyError {
    /// There is no well-formed seal line at the end.
    #[error("the document carries no seal")]
    NotSealed,
    /// The seal names a key that the caller does not know.
    #[error("unknown seal key {0}")]
    UnknownKey(String),
    /// The signature does not match the document: it was changed, or signed by another key.
    #[error("bad seal signature: the document was changed or not signed by this key")]
    BadSignature,
}

/// A department's SM2 public key (印章公钥).
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.to_sec1_bytes() == other.to_sec1_bytes()
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses a SEC1-encoded point (uncompressed `04…` or compressed).
    pub fn from_sec1_bytes(bytes: &[u8]) -> Result<PublicKey, KeyError> {
        VerifyingKey::from_sec1_bytes(DIST_ID, bytes)
            .map(|key| PublicKey { key })
            .map_err(|_| KeyError::Public)
    }

    /// Parses the SEC1 point from hex.
    pub fn from_hex(hex_text: &str) -> Result<PublicKey, KeyError> {
        let bytes = hex::decode(hex_text.trim()).map_err(|_| KeyError::Hex)?;
        PublicKey::from_sec1_bytes(&bytes)
    }

    /// The SEC1 uncompressed point (65 bytes, starting with `04`).
    pub fn to_sec1_bytes(&self) -> Vec<u8> {
        self.key.to_sec1_bytes().into_vec()
    }

    /// The SEC1 uncompressed point in lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_sec1_bytes())
    }

    /// First 16 hex digits of SM3 over the SEC1 uncompressed point.
    pub fn key_id(&self) -> String {
        let digest = Sm3::digest(self.to_sec1_bytes());
        let mut id = hex::encode(digest);
        id.truncate(16);
        id
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::str::FromStr for PublicKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<PublicKey, KeyError> {
        PublicKey::from_hex(s)
    }
}

/// A department's SM2 signing key (印章私钥).
#[derive(Clone)]
pub struct SealKey {
    key: SigningKey,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKey")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl SealKey {
    /// A new key from the operating system's random generator.
    pub fn generate() -> Result<SealKey, KeyError> {
        let secret = sm2::SecretKey::try_generate().map_err(|_| KeyError::Random)?;
        SealKey::from_secret_bytes(&secret.to_bytes())
    }

    /// A new key from the given cryptographic random generator.
    pub fn generate_from_rng<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<SealKey, KeyError> {
        let secret = sm2::SecretKey::generate_from_rng(rng);
        SealKey::from_secret_bytes(&secret.to_bytes())
    }

    /// Imports the 32-byte big-endian secret scalar.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<SealKey, KeyError> {
        SigningKey::from_slice(DIST_ID, bytes)
            .map(|key| SealKey { key })
            .map_err(|_| KeyError::Secret)
    }

    /// Imports the secret scalar from hex.
    pub fn from_secret_hex(hex_text: &str) -> Result<SealKey, KeyError> {
        let bytes = hex::decode(hex_text.trim()).map_err(|_| KeyError::Hex)?;
        SealKey::from_secret_bytes(&bytes)
    }

    /// The 32-byte big-endian secret scalar; keep it secret.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes().into()
    }

    /// The secret scalar in lowercase hex; keep it secret.
    pub fn secret_hex(&self) -> String {
        hex::encode(self.secret_bytes())
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.key.verifying_key().clone(),
        }
    }

    /// The key id printed in seal lines.
    pub fn key_id(&self) -> String {
        self.public_key().key_id()
    }

    /// Signs `message` (SM2 with SM3 and [`DIST_ID`]), returning the DER signature.
    pub fn sign_der(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.key.sign(message);
        DerSignature::from(signature).as_ref().to_vec()
    }
}

/// Seals a PDF: returns it with a signed seal line appended (format in the module docs).
pub fn seal(pdf: &[u8], key: &SealKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(pdf.len() + 160);
    out.extend_from_slice(pdf);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let signature = key.sign_der(&out);
    out.extend_from_slice(MARKER);
    out.extend_from_slice(key.key_id().as_bytes());
    out.push(b' ');
    out.extend_from_slice(BASE64.encode(signature).as_bytes());
    out.push(b'\n');
    out
}

/// A verified seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Id of the key that signed.
    pub key_id: String,
}

/// Verifies the last seal of a PDF, looking up the public key by its id with `keys`.
pub fn verify(
    pdf: &[u8],
    keys: &dyn Fn(&str) -> Option<PublicKey>,
) -> Result<Verified, VerifyError> {
    let (signed, key_id, signature) = split_seal(pdf).ok_or(VerifyError::NotSealed)?;
    let key = keys(key_id).ok_or_else(|| VerifyError::UnknownKey(key_id.to_owned()))?;
    if key.key_id() != key_id {
        return Err(VerifyError::UnknownKey(key_id.to_owned()));
    }
    let signature = DerSignature::from_bytes(&signature)
        .and_then(Signature::try_from)
        .map_err(|_| VerifyError::BadSignature)?;
    key.key
        .verify(signed, &signature)
        .map_err(|_| VerifyError::BadSignature)?;
    Ok(Verified {
        key_id: key_id.to_owned(),
    })
}

/// Splits a sealed PDF into the signed bytes, the key id and the DER signature.
fn split_seal(pdf: &[u8]) -> Option<(&[u8], &str, Vec<u8>)> {
    let body = pdf.strip_suffix(b"\n")?;
    let line_start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = body.get(line_start..)?.strip_prefix(MARKER)?;
    let line = std::str::from_utf8(line).ok()?;
    let (key_id, signature) = line.split_once(' ')?;
    if key_id.len() != 16 || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let signature = BASE64.decode(signature).ok()?;
    Some((pdf.get(..line_start)?, key_id, signature))
}

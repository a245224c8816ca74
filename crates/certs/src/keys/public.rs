//! Public keys (公钥): raw bytes, key id, verification and SPKI PEM.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sm2::dsa::signature::Verifier as _;
use sm3::{Digest as _, Sm3};

use super::{Algorithm, KeyError, SM2_DIST_ID};

/// DER prefix of an SM2 SPKI (id-ecPublicKey, curve 1.2.156.10197.1.301) before the 65-byte point.
pub(crate) const SM2_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x03, 0x42, 0x00,
];

/// DER prefix of an Ed25519 SPKI (RFC 8410, OID 1.3.101.112) before the 32-byte key.
pub(crate) const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The parsed key, kept so that verification does not parse again.
#[derive(Clone)]
enum Inner {
    Sm2(Box<sm2::dsa::VerifyingKey>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A public key of either algorithm.
#[derive(Clone)]
pub struct PublicKey {
    alg: Algorithm,
    bytes: Vec<u8>,
    inner: Inner,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.alg == other.alg && self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid())
            .finish()
    }
}

impl PublicKey {
    /// Parses raw bytes: SM2 a 65-byte SEC1 uncompressed point (`04 || x || y`), Ed25519 the
    /// 32-byte compressed point.
    pub fn from_bytes(alg: Algorithm, bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let inner = match alg {
            Algorithm::Sm2 => {
                if bytes.len() != 65 || bytes.first() != Some(&0x04) {
                    return Err(KeyError::InvalidPublic);
                }
                let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DIST_ID, bytes)
                    .map_err(|_| KeyError::InvalidPublic)?;
                Inner::Sm2(Box::new(key))
            }
            Algorithm::Ed25519 => {
                let array: &[u8; 32] = bytes.try_into().map_err(|_| KeyError::InvalidPublic)?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(array)
                    .map_err(|_| KeyError::InvalidPublic)?;
                Inner::Ed25519(key)
            }
        };
        Ok(PublicKey {
            alg,
            bytes: bytes.to_vec(),
            inner,
        })
    }

    /// The algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The raw public key bytes (65 for SM2, 32 for Ed25519).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key id (密钥标识): the first 16 lowercase hex digits (8 bytes) of
    /// SM3(tag || public key bytes), with tag `0x01` for SM2 and `0x02` for Ed25519.
    pub fn kid(&self) -> String {
        hex::encode(self.kid_bytes())
    }

    /// The key id as the 8 raw bytes carried in tokens.
    pub(crate) fn kid_bytes(&self) -> [u8; 8] {
        let mut hasher = Sm3::new();
        hasher.update([self.alg.kid_tag()]);
        hasher.update(&self.bytes);
        let digest = hasher.finalize();
        let mut kid = [0u8; 8];
        kid.copy_from_slice(&digest[..8]);
        kid
    }

    /// Verifies a 64-byte raw signature over `msg` (SM2: SM3 with the distinguishing ID
    /// `1234567812345678`; Ed25519: strict RFC 8032 verification).
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), KeyError> {
        match &self.inner {
            Inner::Sm2(key) => {
                let sig = sm2::dsa::Signature::from_slice(sig)
                    .map_err(|_| KeyError::MalformedSignature)?;
                key.verify(msg, &sig).map_err(|_| KeyError::BadSignature)
            }
            Inner::Ed25519(key) => {
                let array: &[u8; 64] = sig.try_into().map_err(|_| KeyError::MalformedSignature)?;
                let sig = ed25519_dalek::Signature::from_bytes(array);
                key.verify_strict(msg, &sig)
                    .map_err(|_| KeyError::BadSignature)
            }
        }
    }

    /// The SubjectPublicKeyInfo in DER (SM2: id-ecPublicKey with the SM2 curve, as OpenSSL
    /// writes it; Ed25519: RFC 8410).
    pub fn to_spki_der(&self) -> Vec<u8> {
        let prefix: &[u8] = match self.alg {
            Algorithm::Sm2 => &SM2_SPKI_PREFIX,
            Algorithm::Ed25519 => &ED25519_SPKI_PREFIX,
        };
        [prefix, &self.bytes].concat()
    }

    /// The SubjectPublicKeyInfo as PEM (`-----BEGIN PUBLIC KEY-----`), readable by OpenSSL.
    pub fn to_pem(&self) -> String {
        let body = BASE64.encode(self.to_spki_der());
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// Parses an SPKI PEM public key of SM2 (uncompressed point) or Ed25519, such as
    /// `openssl pkey -pubout` writes.
    pub fn from_pem(pem: &str) -> Result<PublicKey, KeyError> {
        let body = pem
            .trim()
            .strip_prefix("-----BEGIN PUBLIC KEY-----")
            .and_then(|rest| rest.strip_suffix("-----END PUBLIC KEY-----"))
            .ok_or(KeyError::InvalidPem)?;
        let body: String = body.split_whitespace().collect();
        let der = BASE64.decode(body).map_err(|_| KeyError::InvalidPem)?;
        if let Some(point) = der.strip_prefix(&SM2_SPKI_PREFIX[..]) {
            PublicKey::from_bytes(Algorithm::Sm2, point)
        } else if let Some(key) = der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
            PublicKey::from_bytes(Algorithm::Ed25519, key)
        } else {
            Err(KeyError::InvalidPem)
        }
    }
}

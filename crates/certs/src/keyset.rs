//! The published key set (公钥集) and the revocation list (吊销/撤销清单).
//!
//! The key set is served at `/.well-known/shenpi-cert-keys.json`:
//!
//! ```json
//! {"issuer":"青岛市行政审批服务局","keys":[
//!   {"kid":"0123456789abcdef","alg":"SM2","public_key":"BN2…","created_at":"2026-01-01T00:00:00+08:00","retired_at":null}]}
//! ```
//!
//! `public_key` is the raw public key (SM2: 65-byte SEC1 uncompressed point; Ed25519: 32 bytes)
//! in base64url without padding. A retired key (`retired_at` set) no longer signs new tokens but
//! still verifies old ones: rotating keys never invalidates certificates already issued.
//!
//! The revocation list names certificates (all versions, or one version) that must no longer be
//! accepted. It is only as trustworthy as the channel it came from; the online service is the
//! authority on a certificate's current status.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::keys::{Algorithm, KeyError, PublicKey};

/// The issuer's published public keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySet {
    /// Name of the issuing authority (发证机关).
    pub issuer: String,
    /// Every key, current and retired.
    pub keys: Vec<KeyEntry>,
}

/// One published key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// Key id (16 lowercase hex digits, see [`PublicKey::kid`]).
    pub kid: String,
    /// Algorithm.
    pub alg: Algorithm,
    /// The raw public key bytes in base64url without padding.
    pub public_key: String,
    /// When the key was created (RFC 3339).
    pub created_at: String,
    /// When the key stopped signing (RFC 3339); `None` while it is current.
    #[serde(default)]
    pub retired_at: Option<String>,
}

impl KeyEntry {
    /// The entry of a public key created at `created_at` (RFC 3339), not retired.
    pub fn new(public: &PublicKey, created_at: &str) -> KeyEntry {
        KeyEntry {
            kid: public.kid(),
            alg: public.alg(),
            public_key: URL_SAFE_NO_PAD.encode(public.bytes()),
            created_at: created_at.to_owned(),
            retired_at: None,
        }
    }

    /// The public key, checked against the entry's key id.
    pub fn public(&self) -> Result<PublicKey, KeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(&self.public_key)
            .map_err(|_| KeyError::InvalidPublic)?;
        let public = PublicKey::from_bytes(self.alg, &bytes)?;
        if public.kid() != self.kid {
            return Err(KeyError::InvalidPublic);
        }
        Ok(public)
    }
}

impl KeySet {
    /// The public key with this key id, retired or not. An entry whose key does not parse or
    /// does not match its key id is ignored.
    pub fn find(&self, kid: &str) -> Option<PublicKey> {
        self.keys
            .iter()
            .filter(|entry| entry.kid == kid)
            .find_map(|entry| entry.public().ok())
    }
}

/// The revocation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    /// When the list was produced (RFC 3339).
    pub issued_at: String,
    /// The revoked certificates.
    pub revoked: Vec<RevokedEntry>,
}

/// One revoked certificate, or one revoked version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedEntry {
    /// Certificate identifier (证照标识).
    pub cert_id: String,
    /// The revoked version; `None` revokes every version.
    #[serde(default)]
    pub version: Option<u16>,
    /// The certificate's new status, such as `revoked` (吊销/撤销), `cancelled` (注销),
    /// `expired` (失效) or `superseded` (a newer version replaced it).
    pub status: String,
    /// Why, for people.
    #[serde(default)]
    pub reason: String,
    /// When (RFC 3339).
    pub at: String,
}

impl RevocationList {
    /// The entry revoking this certificate version, if any.
    pub fn find(&self, cert_id: &str, version: u16) -> Option<&RevokedEntry> {
        self.revoked
            .iter()
            .find(|entry| entry.cert_id == cert_id && entry.version.is_none_or(|v| v == version))
    }
}

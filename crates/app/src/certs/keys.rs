//! Certificate signing keys (证照签名密钥), shared by every node.
//!
//! The active key signs; retired keys only verify, so a rotation (`shenpi cert keys rotate`)
//! never invalidates a certificate signed earlier. A key lives in the database with its secret
//! sealed under the master key (`SHENPI_MASTER_KEY`, AES-256-GCM bound to the key id), so every
//! node can sign; or in a key file (`SHENPI_CERT_KEY_FILE`, mode 0600), whose public key is
//! registered in the database so that every node can verify. The first signature on a fresh
//! database generates the first key. A hardware security module would implement the
//! [`shenpi_certs::keys::Signer`] trait in place of [`KeyPair`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use shenpi_certs::keys::{Algorithm, KeyPair, PublicKey};
use shenpi_certs::keyset::{KeyEntry, KeySet};
use shenpi_certs::vault::MasterKey;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::CertKeyRecord;

use super::key_error;
use crate::{App, AppError};

/// The keys of one node: the master key, the key file (if any) and caches.
pub struct CertKeys {
    master: MasterKey,
    file: Option<Arc<KeyPair>>,
    active: RwLock<Option<Arc<KeyPair>>>,
    publics: RwLock<HashMap<String, PublicKey>>,
}

impl std::fmt::Debug for CertKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertKeys(<redacted>)")
    }
}

impl CertKeys {
    /// From configuration: the master key text (None: a random key for this process only,
    /// which suits tests; `shenpi` always passes one) and an optional key file.
    pub fn new(master: Option<&str>, key_file: Option<&Path>) -> Result<CertKeys, AppError> {
        let master = match master {
            Some(text) => MasterKey::from_config(text).map_err(|e| {
                AppError::Internal(format!("SHENPI_MASTER_KEY: {}", e.message_en()))
            })?,
            None => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(key_error)?;
                MasterKey::from_bytes(&bytes).map_err(|e| key_error(e.message_en()))?
            }
        };
        let file = key_file.map(read_key_file).transpose()?.map(Arc::new);
        Ok(CertKeys {
            master,
            file,
            active: RwLock::new(None),
            publics: RwLock::new(HashMap::new()),
        })
    }

    fn cached(&self) -> Option<Arc<KeyPair>> {
        self.active.read().ok().and_then(|g| g.clone())
    }

    /// Makes ahead the nonces of `n` more signatures of the active key, outside any write
    /// transaction (see [`KeyPair::prepare`]); nothing before the key is first used.
    pub(crate) fn prepare(&self, n: usize) {
        if let Some(k) = self.cached()
            && let Err(e) = k.prepare(n)
        {
            tracing::warn!(error = %e, "cannot prepare certificate signatures");
        }
    }

    fn remember(&self, key: Arc<KeyPair>) {
        if let Ok(mut g) = self.active.write() {
            *g = Some(key);
        }
    }
}

/// A new random master key, as configuration text (64 hex digits).
pub fn new_master_key_text() -> Result<String, AppError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(key_error)?;
    Ok(hex::encode(&bytes[..]))
}

/// Reads a key file: `<alg> <64 hex digits>` (e.g. `SM2 9f…`), readable by its owner only.
fn read_key_file(path: &Path) -> Result<KeyPair, AppError> {
    let bad = |why: &str| AppError::Internal(format!("key file {}: {why}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|_| bad("cannot be read"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(bad("must be readable by its owner only (chmod 600)"));
        }
    }
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|_| bad("cannot be read"))?);
    let mut parts = text.split_whitespace();
    let (Some(alg), Some(secret), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected `<SM2|Ed25519> <64 hex digits>`"));
    };
    let alg = Algorithm::parse(alg).map_err(|_| bad("unknown algorithm"))?;
    let secret =
        zeroize::Zeroizing::new(hex::decode(secret).map_err(|_| bad("secret is not hex"))?);
    KeyPair::from_secret(alg, &secret).map_err(|_| bad("not a valid secret key"))
}

fn unavailable() -> AppError {
    AppError::rule(ErrorCode::CERT_KEYS_UNAVAILABLE, serde_json::json!({}))
}

impl App {
    /// The key that signs now, outside any transaction (see [`App::cert_signer_in`]).
    pub async fn cert_signer(&self) -> Result<Arc<KeyPair>, AppError> {
        if let Some(k) = self.cert_keys.cached() {
            return Ok(k);
        }
        let mut tx = self.store.begin().await?;
        let key = self.cert_signer_in(&mut tx).await?;
        tx.commit().await?;
        Ok(key)
    }

    /// The key that signs now: cached, or read in `tx` (unsealed with the master key), or — on
    /// a fresh database — made and stored in `tx` (the key file's, else a new SM2 key). Two
    /// nodes making the first key at once: the unique active key makes one commit fail, and
    /// its step is retried like any other conflict.
    pub(crate) async fn cert_signer_in(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
    ) -> Result<Arc<KeyPair>, AppError> {
        if let Some(k) = self.cert_keys.cached() {
            return Ok(k);
        }
        let active = tx.cert_keys().await?.into_iter().find(|k| k.active);
        let key = match active {
            Some(rec) => self.unseal(&rec)?,
            None => self.store_new_key(tx, None).await?,
        };
        let key = Arc::new(key);
        self.cert_keys.remember(key.clone());
        Ok(key)
    }

    fn unseal(&self, rec: &CertKeyRecord) -> Result<KeyPair, AppError> {
        let alg = Algorithm::parse(&rec.alg).map_err(|_| unavailable())?;
        match &rec.sealed_secret {
            Some(sealed) => {
                let bytes = hex::decode(sealed).map_err(|_| unavailable())?;
                let secret = self
                    .cert_keys
                    .master
                    .open(&bytes, rec.kid.as_bytes())
                    .map_err(|_| unavailable())?;
                KeyPair::from_secret(alg, &secret).map_err(|_| unavailable())
            }
            // Held in a key file: this node must have that file.
            None => match &self.cert_keys.file {
                Some(k) if k.kid() == rec.kid => {
                    KeyPair::from_secret(k.alg(), &k.secret_bytes()).map_err(|_| unavailable())
                }
                _ => Err(unavailable()),
            },
        }
    }

    /// Stores a new active key in `tx` (retiring the others): the key file's, or a new one of
    /// `alg` sealed under the master key.
    async fn store_new_key(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        alg: Option<Algorithm>,
    ) -> Result<KeyPair, AppError> {
        let (key, sealed) = match (&self.cert_keys.file, alg) {
            (Some(file), None) => (
                KeyPair::from_secret(file.alg(), &file.secret_bytes()).map_err(key_error)?,
                None,
            ),
            (_, alg) => {
                let key = KeyPair::generate(alg.unwrap_or(Algorithm::Sm2)).map_err(key_error)?;
                let sealed = self
                    .cert_keys
                    .master
                    .seal(&key.secret_bytes(), key.kid().as_bytes())
                    .map_err(|e| key_error(e.message_en()))?;
                (key, Some(hex::encode(sealed)))
            }
        };
        let rec = CertKeyRecord {
            kid: key.kid(),
            alg: key.alg().as_str().to_owned(),
            public_key: hex::encode(key.public().bytes()),
            sealed_secret: sealed,
            created_at: self.clock.now(),
            retired_at: None,
            active: true,
        };
        if tx.cert_keys().await?.iter().any(|k| k.kid == rec.kid) {
            return Err(AppError::Conflict("certificate key exists already".into()));
        }
        tx.insert_cert_key(&rec).await?;
        tx.append_audit(crate::RequestMeta::cli().audit(
            rec.created_at,
            shenpi_domain::regions::QINGDAO_CITY,
            None,
            "cert.key.create",
            ("cert_key", &rec.kid),
            "success",
            serde_json::json!({"alg": rec.alg, "sealed": rec.sealed_secret.is_some()}),
        ))
        .await?;
        Ok(key)
    }

    /// Rotates the signing key: a new key of `alg` signs from now on; the old ones keep
    /// verifying. Returns the new key id.
    pub async fn rotate_cert_key(&self, alg: Algorithm) -> Result<String, AppError> {
        let mut tx = self.store.begin().await?;
        let key = Arc::new(self.store_new_key(&mut tx, Some(alg)).await?);
        tx.commit().await?;
        let kid = key.kid();
        self.cert_keys.remember(key);
        Ok(kid)
    }

    /// The public key with id `kid`, current or retired.
    pub async fn cert_public_key(&self, kid: &str) -> Result<Option<PublicKey>, AppError> {
        if let Some(k) = self
            .cert_keys
            .publics
            .read()
            .ok()
            .and_then(|m| m.get(kid).cloned())
        {
            return Ok(Some(k));
        }
        let set = self.cert_key_set().await?;
        let mut found = None;
        if let Ok(mut m) = self.cert_keys.publics.write() {
            for e in &set.keys {
                if let Ok(p) = e.public() {
                    if e.kid == kid {
                        found = Some(p.clone());
                    }
                    m.insert(e.kid.clone(), p);
                }
            }
        }
        Ok(found)
    }

    /// The published key set (`/.well-known/shenpi-cert-keys.json`): every key, with when it
    /// was created and retired.
    pub async fn cert_key_set(&self) -> Result<KeySet, AppError> {
        let records = {
            let mut tx = self.store.read().await?;
            tx.cert_keys().await?
        };
        let mut keys = vec![];
        for r in records {
            let Ok(alg) = Algorithm::parse(&r.alg) else {
                continue;
            };
            let Ok(bytes) = hex::decode(&r.public_key) else {
                continue;
            };
            let Ok(public) = PublicKey::from_bytes(alg, &bytes) else {
                continue;
            };
            let mut e = KeyEntry::new(&public, &r.created_at.to_rfc3339());
            e.retired_at = r.retired_at.map(|t| t.to_rfc3339());
            keys.push(e);
        }
        Ok(KeySet {
            issuer: "青岛市行政审批服务局（shenpi 电子证照）".into(),
            keys,
        })
    }
}

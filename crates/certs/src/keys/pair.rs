//! Key pairs (密钥对) held in memory: the software [`Signer`].

use sm2::elliptic_curve::Generate as _;
use zeroize::Zeroizing;

use super::sm2_sign::Sm2Key;
use super::{Algorithm, KeyError, PublicKey, SM2_DIST_ID, Signer};

/// The secret key; both wipe their secrets on drop (the SM2 key its precomputed parts too).
enum Secret {
    Sm2(Box<Sm2Key>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// A secret key with its public key. `Debug` shows only the algorithm and key id.
pub struct KeyPair {
    secret: Secret,
    public: PublicKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("alg", &self.public.alg())
            .field("kid", &self.public.kid())
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A new key from the operating system's random generator.
    pub fn generate(alg: Algorithm) -> Result<KeyPair, KeyError> {
        match alg {
            Algorithm::Sm2 => {
                let secret = sm2::SecretKey::try_generate().map_err(|_| KeyError::Random)?;
                let key = sm2::dsa::SigningKey::new(SM2_DIST_ID, &secret)
                    .map_err(|_| KeyError::InvalidSecret)?;
                KeyPair::from_sm2(key)
            }
            Algorithm::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(|_| KeyError::Random)?;
                KeyPair::from_secret(alg, seed.as_ref())
            }
        }
    }

    /// Imports a 32-byte secret: the SM2 big-endian scalar, or the Ed25519 seed (RFC 8032).
    pub fn from_secret(alg: Algorithm, secret: &[u8]) -> Result<KeyPair, KeyError> {
        match alg {
            Algorithm::Sm2 => {
                if secret.len() != 32 {
                    return Err(KeyError::InvalidSecret);
                }
                let key = sm2::dsa::SigningKey::from_slice(SM2_DIST_ID, secret)
                    .map_err(|_| KeyError::InvalidSecret)?;
                KeyPair::from_sm2(key)
            }
            Algorithm::Ed25519 => {
                let seed: &[u8; 32] = secret.try_into().map_err(|_| KeyError::InvalidSecret)?;
                let key = ed25519_dalek::SigningKey::from_bytes(seed);
                let public = PublicKey::from_bytes(alg, key.verifying_key().as_bytes())?;
                Ok(KeyPair {
                    secret: Secret::Ed25519(Box::new(key)),
                    public,
                })
            }
        }
    }

    fn from_sm2(key: sm2::dsa::SigningKey) -> Result<KeyPair, KeyError> {
        let public = PublicKey::from_bytes(Algorithm::Sm2, &key.verifying_key().to_sec1_bytes())?;
        Ok(KeyPair {
            secret: Secret::Sm2(Box::new(Sm2Key::new(key)?)),
            public,
        })
    }

    /// Makes ahead what the next `n` signatures need that does not depend on the message (an
    /// SM2 key's nonces and their points, most of a signature's cost), so that signing inside
    /// a write transaction is quick. Nothing for Ed25519, whose signing is quick anyway.
    pub fn prepare(&self, n: usize) -> Result<(), KeyError> {
        match &self.secret {
            Secret::Sm2(key) => key.prepare(n),
            Secret::Ed25519(_) => Ok(()),
        }
    }

    /// The 32-byte secret (SM2 scalar or Ed25519 seed); keep it secret and wipe it after use,
    /// for example by sealing it with [`crate::vault::MasterKey::seal`] right away.
    pub fn secret_bytes(&self) -> [u8; 32] {
        match &self.secret {
            Secret::Sm2(key) => key.secret_bytes(),
            Secret::Ed25519(key) => key.to_bytes(),
        }
    }

    /// The public key.
    pub fn public(&self) -> PublicKey {
        self.public.clone()
    }

    /// The key id (see [`PublicKey::kid`]).
    pub fn kid(&self) -> String {
        self.public.kid()
    }

    /// The algorithm.
    pub fn alg(&self) -> Algorithm {
        self.public.alg()
    }
}

impl Signer for KeyPair {
    fn alg(&self) -> Algorithm {
        self.public.alg()
    }

    fn kid(&self) -> String {
        self.public.kid()
    }

    fn public(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], KeyError> {
        match &self.secret {
            Secret::Sm2(key) => key.sign(msg),
            Secret::Ed25519(key) => {
                let sig: ed25519_dalek::Signature =
                    ed25519_dalek::Signer::try_sign(key.as_ref(), msg)
                        .map_err(|_| KeyError::SigningFailed)?;
                Ok(sig.to_bytes())
            }
        }
    }
}

//! The signature algorithms (签名算法) a certificate key may use.

use serde::{Deserialize, Serialize};

use super::KeyError;

/// A signature algorithm; serialized as `"SM2"` or `"Ed25519"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    /// SM2 (国密 SM2, GB/T 32918) with SM3 and the distinguishing ID `1234567812345678`.
    #[serde(rename = "SM2")]
    Sm2,
    /// Ed25519 (RFC 8032).
    #[serde(rename = "Ed25519")]
    Ed25519,
}

impl Algorithm {
    /// The name used in JSON and on the command line: `SM2` or `Ed25519`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sm2 => "SM2",
            Algorithm::Ed25519 => "Ed25519",
        }
    }

    /// Parses a name, ignoring ASCII case (`SM2`, `sm2`, `Ed25519`, `ed25519`).
    pub fn parse(text: &str) -> Result<Algorithm, KeyError> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("SM2") {
            Ok(Algorithm::Sm2)
        } else if text.eq_ignore_ascii_case("Ed25519") {
            Ok(Algorithm::Ed25519)
        } else {
            Err(KeyError::UnknownAlgorithm)
        }
    }

    /// The byte put before the public key when computing its key id.
    pub(crate) fn kid_tag(self) -> u8 {
        match self {
            Algorithm::Sm2 => 0x01,
            Algorithm::Ed25519 => 0x02,
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Algorithm, KeyError> {
        Algorithm::parse(s)
    }
}

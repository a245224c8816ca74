//! `shenpi cert …`: certificate keys (rotate, export the key set), the revocation list, and the
//! offline verifier, which needs no server and no database.

use clap::Subcommand;
use shenpi_certs::keys::Algorithm;
use shenpi_certs::keyset::{KeySet, RevocationList};
use std::path::{Path, PathBuf};

use super::open_app;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Write the revocation list (JSON) for offline verifiers.
    Revocations {
        /// Output file; stdout when omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Verify a show token (or a QR address) offline: signature and expiry against a key set
    /// file; revocation only when a revocation list is given.
    Verify {
        /// The token, or the verification address that carries it.
        token: String,
        /// The key set (`/.well-known/shenpi-cert-keys.json` or `shenpi cert keys export`).
        #[arg(long)]
        keys: PathBuf,
        /// A revocation list (`/api/v1/certificates/revocations` or `shenpi cert revocations`).
        #[arg(long)]
        revocations: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// A new signing key signs from now on; earlier keys keep verifying.
    Rotate {
        /// SM2 (default) or Ed25519.
        #[arg(long, default_value = "SM2")]
        alg: String,
    },
    /// Write the public key set (JSON).
    Export {
        /// Output file; stdout when omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn write_json(out: Option<&Path>, v: &impl serde::Serialize) -> Result<(), String> {
    let text = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    match out {
        Some(path) => std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not valid: {e}", path.display()))
}

pub async fn run(cfg: &Config, command: &CertCommand) -> Result<(), String> {
    match command {
        CertCommand::Keys {
            command: KeysCommand::Rotate { alg },
        } => {
            let alg = Algorithm::parse(alg).map_err(|e| e.message_en())?;
            let app = open_app(cfg).await?;
            let kid = app.rotate_cert_key(alg).await.map_err(|e| e.to_string())?;
            println!(
                "新的签名密钥 / new signing key: {kid} ({}); 旧密钥仍可验证 / earlier keys keep verifying",
                alg.as_str()
            );
            Ok(())
        }
        CertCommand::Keys {
            command: KeysCommand::Export { out },
        } => {
            let app = open_app(cfg).await?;
            let set = app.cert_key_set().await.map_err(|e| e.to_string())?;
            write_json(out.as_deref(), &set)
        }
        CertCommand::Revocations { out } => {
            let app = open_app(cfg).await?;
            let list = app.revocation_list().await.map_err(|e| e.to_string())?;
            write_json(out.as_deref(), &list)
        }
        CertCommand::Verify {
            token,
            keys,
            revocations,
        } => {
            let keys: KeySet = read_json(keys)?;
            let list: Option<RevocationList> = revocations.as_deref().map(read_json).transpose()?;
            let now = chrono::Utc::now().timestamp();
            let report = shenpi_certs::offline::verify_offline(token, &keys, list.as_ref(), now);
            if let Some(c) = &report.claims {
                println!(
                    "证照标识 / certificate: {} (version {})",
                    c.cert_id, c.cert_version
                );
            }
            println!("{}", report.message_zh);
            println!("{}", report.message_en);
            if report.valid {
                Ok(())
            } else {
                Err(format!(
                    "无效 / not valid: {}",
                    report.reason_code.as_deref().unwrap_or("?")
                ))
            }
        }
    }
}

//! Electronic certificates (电子证照): issued when a case is granted, signed with the platform's
//! certificate keys, shown by QR (扫码亮证) and verified by anyone.
//!
//! - [`catalogue`]: the certificate types (证照目录) and the codes of GB/T 36904 identifiers;
//! - [`enterprise`]: one licence for the city (一照通城): agents and certificate managers an
//!   enterprise authorises, its certificates on one page and API;
//! - [`keys`]: the signing keys, shared by every node through the database, sealed under the
//!   master key; rotation; the published key set;
//! - [`issue`]: issuance on grant (and for the demo's existing certificates), new versions;
//! - [`proactive`]: proactive approval (无感审批) on registry changes and coming expiry;
//! - [`remind`]: expiry reminders (无感提醒) at each type's thresholds, once each, and expiry;
//! - [`show`]: the holder's certificates, show tokens, status changes (撤销, 注销, 吊销 …);
//! - [`print`]: the printed certificate (PDF) with its static QR code;
//! - [`verify`]: public verification of a token, and staff verification with a purpose, which
//!   leaves a usage record (用证记录) the holder sees.
//!
//! The cryptography (keys, tokens, key sets, QR codes) is the pure `shenpi-certs` crate.

pub mod catalogue;
pub mod enterprise;
pub mod issue;
pub mod keys;
pub mod print;
pub mod proactive;
pub mod remind;
pub mod show;
pub mod verify;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shenpi_domain::certificate::CertStatus;
use shenpi_store::model::CertificateRecord;

use crate::AppError;

/// What a certificate carries besides its columns (the `data` column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertData {
    /// The signed content (canonical JSON is what the signature covers).
    pub payload: Value,
    pub alg: String,
    pub kid: String,
    /// The signature over the canonical payload, base64url.
    pub signature: String,
    /// The token printed as the static QR on the PDF (no expiry; checked online for status).
    pub static_token: String,
    /// The status history: (status, reason, at).
    #[serde(default)]
    pub history: Vec<StatusChange>,
}

/// One move of a certificate's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: String,
    pub reason: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
}

/// A certificate as the platform works with it: the stored row and its parsed data.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub record: CertificateRecord,
    pub data: CertData,
}

impl Certificate {
    pub fn of(record: CertificateRecord) -> Result<Certificate, AppError> {
        let data = serde_json::from_str(&record.data)
            .map_err(|e| AppError::Internal(format!("certificate {}: {e}", record.identifier)))?;
        Ok(Certificate { record, data })
    }

    pub fn status(&self) -> CertStatus {
        CertStatus::parse(&self.record.status).unwrap_or(CertStatus::Revoked)
    }

    /// The status as of `today`: a valid certificate past its last day is expired even before
    /// the nightly scan marks it.
    pub fn status_on(&self, today: chrono::NaiveDate) -> CertStatus {
        let s = self.status();
        let past = self
            .record
            .valid_until
            .as_deref()
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
            .is_some_and(|last| today > last);
        if s == CertStatus::Valid && past {
            CertStatus::Expired
        } else {
            s
        }
    }

    /// The certificate's type name (e.g. 食品经营许可证).
    pub fn type_name(&self) -> &str {
        self.data.payload["type_name"].as_str().unwrap_or_default()
    }

    /// `(label, value)` of every printed field, in the type's order.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.data.payload["fields"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|f| {
                        (
                            f["label"].as_str().unwrap_or_default().to_owned(),
                            f["value"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A certificate key error as an application error (no key material is ever in the text).
pub(crate) fn key_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("certificate keys: {e}"))
}

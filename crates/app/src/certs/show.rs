//! The holder's side (亮证): one's certificates, a dynamic show token valid for 5 minutes, the
//! usage records (用证记录) of one's certificates; and the issuer's side: status changes
//! (撤销, 注销, 吊销, 转出) with a reason, and the revocation list offline verifiers use.

use serde::Serialize;
use serde_json::json;
use shenpi_certs::keyset::{RevocationList, RevokedEntry};
use shenpi_certs::token::{self, Claims};
use shenpi_domain::certificate::CertStatus;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::CertUsage;

use super::{Certificate, key_error};
use crate::policy::{Action, authorize, in_region_scope};
use crate::{App, AppError, Principal, RequestMeta};

/// A dynamic show token (亮证码).
#[derive(Debug, Clone, Serialize)]
pub struct ShowToken {
    pub token: String,
    pub identifier: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The QR code of the verification address, as SVG.
    pub qr_svg: String,
    pub verify_url: String,
}

impl App {
    /// The holders whose certificates `p` holds: their own USCC and ID number, and the
    /// enterprises that made them certificate manager (证照管理员).
    pub async fn holder_ids(&self, p: &Principal) -> Result<Vec<String>, AppError> {
        let mut out: Vec<String> = [p.user.uscc.clone(), p.user.id_number.clone()]
            .into_iter()
            .flatten()
            .collect();
        for u in self
            .enterprises_of(p, super::enterprise::CERT_MANAGER)
            .await?
        {
            if !out.contains(&u) {
                out.push(u);
            }
        }
        Ok(out)
    }
}

fn not_found(identifier: &str) -> AppError {
    AppError::rule(ErrorCode::CERT_NOT_FOUND, json!({"identifier": identifier}))
}

impl App {
    /// A stored certificate version by identifier.
    pub async fn certificate_by_identifier(
        &self,
        identifier: &str,
    ) -> Result<Option<Certificate>, AppError> {
        let rec = {
            let mut tx = self.store.read().await?;
            tx.certificate(identifier).await?
        };
        rec.map(Certificate::of).transpose()
    }

    /// The certificates `p` holds, newest first (every version, so the history shows).
    pub async fn my_certificates(&self, p: &Principal) -> Result<Vec<Certificate>, AppError> {
        authorize(p, Action::CertHold, None)?;
        let mut out = vec![];
        let ids = self.holder_ids(p).await?;
        let mut tx = self.store.read().await?;
        for id in &ids {
            for rec in tx.certificates_of_holder(id).await? {
                out.push(Certificate::of(rec)?);
            }
        }
        Ok(out)
    }

    /// One certificate, for its holder or for staff of its region (who read it as issuers).
    pub async fn certificate_for(
        &self,
        p: &Principal,
        identifier: &str,
    ) -> Result<Certificate, AppError> {
        let cert = self
            .certificate_by_identifier(identifier)
            .await?
            .ok_or_else(|| not_found(identifier))?;
        let holder = self.holder_ids(p).await?.contains(&cert.record.holder_id);
        let staff = authorize(p, Action::StaffRead, Some(&cert.record.region_code)).is_ok();
        if !holder && !staff {
            // Not "forbidden": whether a certificate exists is not told to strangers.
            return Err(not_found(identifier));
        }
        Ok(cert)
    }

    /// The certificates a case issued.
    pub async fn case_certificates(&self, case_id: &str) -> Result<Vec<Certificate>, AppError> {
        let mut tx = self.store.read().await?;
        tx.certificates_of_case(case_id)
            .await?
            .into_iter()
            .map(Certificate::of)
            .collect()
    }

    /// A dynamic show token for the holder's valid certificate: signed, bound to the version,
    /// valid for 5 minutes; `base_url` is where the verification page is served.
    pub async fn show_certificate(
        &self,
        p: &Principal,
        identifier: &str,
        base_url: &str,
    ) -> Result<ShowToken, AppError> {
        authorize(p, Action::CertHold, None)?;
        let ids = self.holder_ids(p).await?;
        let cert = self
            .certificate_by_identifier(identifier)
            .await?
            .filter(|c| ids.contains(&c.record.holder_id))
            .ok_or_else(|| not_found(identifier))?;
        let status = cert.status_on(self.today());
        if status != CertStatus::Valid {
            return Err(AppError::Rule(Box::new(
                crate::error::PublicError::with(
                    ErrorCode::CERT_STATUS_CHANGE_REFUSED,
                    format!("证照{}，不能亮证", status.name_zh()),
                    format!(
                        "The certificate is {}; it cannot be shown",
                        status.name_en()
                    ),
                )
                .details(json!({"status": status.as_str()})),
            )));
        }
        let signer = self.cert_signer().await?;
        let now = self.clock.now();
        let version = u16::try_from(cert.record.version).map_err(key_error)?;
        let claims = Claims::new_dynamic(&signer.kid(), identifier, version, now.timestamp());
        let token = token::issue(signer.as_ref(), &claims).map_err(key_error)?;
        let verify_url = format!("{}/verify?t={token}", base_url.trim_end_matches('/'));
        let qr_svg = shenpi_certs::qr::svg(&verify_url).map_err(key_error)?;
        Ok(ShowToken {
            token,
            identifier: identifier.to_owned(),
            expires_at: now + chrono::Duration::seconds(token::DYNAMIC_LIFETIME_SECS),
            qr_svg,
            verify_url,
        })
    }

    /// The usage records of a certificate, for its holder (or staff of its region).
    pub async fn certificate_usages(
        &self,
        p: &Principal,
        identifier: &str,
    ) -> Result<Vec<CertUsage>, AppError> {
        let cert = self.certificate_for(p, identifier).await?;
        let mut tx = self.store.read().await?;
        Ok(tx.cert_usages(&cert.record.identifier).await?)
    }

    /// Moves a valid certificate to `status` (撤销, 注销, 吊销, 转出) with its reason, by an
    /// approver of its region or the city admin; audited.
    pub async fn set_certificate_status(
        &self,
        p: &Principal,
        identifier: &str,
        status: &str,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<Certificate, AppError> {
        let to = CertStatus::parse(status)
            .filter(|s| s.needs_reason())
            .ok_or_else(|| {
                AppError::invalid_text(
                    "status",
                    "CERT_STATUS_UNKNOWN",
                    "状态只能是 revoked（撤销）、cancelled（注销）、withdrawn（吊销）或 transferred（转出）",
                    "The status must be revoked, cancelled, withdrawn or transferred",
                )
            })?;
        let reason = reason.trim();
        if reason.chars().count() < 2 || reason.chars().count() > 500 {
            return Err(AppError::rule(
                ErrorCode::CERT_REASON_REQUIRED,
                json!({"field": "reason"}),
            ));
        }
        let mut tx = self.store.begin().await?;
        let rec = tx
            .certificate(identifier)
            .await?
            .ok_or_else(|| not_found(identifier))?;
        authorize(p, Action::CertManage, Some(&rec.region_code))?;
        let from = Certificate::of(rec.clone())?.status_on(self.today());
        if !from.may_become(to) {
            return Err(AppError::rule(
                ErrorCode::CERT_STATUS_CHANGE_REFUSED,
                json!({"from": from.as_str(), "to": to.as_str()}),
            ));
        }
        let now = self.clock.now();
        let region = rec.region_code.clone();
        let rec = self
            .move_status(&mut tx, rec, to, reason, &p.user.username, now)
            .await?;
        tx.append_audit(meta.audit(
            now,
            &region,
            Some(&p.user),
            "cert.status",
            ("certificate", identifier),
            "success",
            json!({"status": to.as_str(), "reason": reason}),
        ))
        .await?;
        tx.commit().await?;
        Certificate::of(rec)
    }

    /// The revocation list (吊销/撤销列表) for offline verifiers: every version that is not
    /// valid for a reason other than expiry.
    pub async fn revocation_list(&self) -> Result<RevocationList, AppError> {
        let mut tx = self.store.read().await?;
        let revoked = tx
            .inactive_certificates()
            .await?
            .into_iter()
            .map(|c| RevokedEntry {
                version: u16::try_from(c.version).ok(),
                cert_id: c.identifier,
                status: c.status,
                reason: c.status_reason,
                at: c.status_at.to_rfc3339(),
            })
            .collect();
        Ok(RevocationList {
            issued_at: self.clock.now().to_rfc3339(),
            revoked,
        })
    }

    /// Whether `p` may read certificates of `region` as staff.
    pub fn reads_certificates_of(&self, p: &Principal, region: &str) -> bool {
        authorize(p, Action::StaffRead, None).is_ok() && in_region_scope(p, region)
    }
}

//! Verification (验证): anyone can check a token without signing in and learns whether it is
//! valid, why not, the certificate's status and its data with personal data masked; staff who
//! state a purpose get the full data, and the use is recorded (用证记录) for the holder to see.

use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};
use shenpi_certs::token::{self, Claims, TokenError};
use shenpi_domain::certificate::{CertStatus, HolderKind};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::mask::{mask_id_number, mask_name};
use shenpi_store::model::CertUsage;

use super::Certificate;
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};

/// The answer to a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub valid: bool,
    /// `VALID`, a token error (`TOKEN_EXPIRED`, `TOKEN_BAD_SIGNATURE`, `TOKEN_UNKNOWN_KEY`,
    /// `TOKEN_MALFORMED` …), `CERT_NOT_FOUND`, `CERT_SUPERSEDED` (an older version), or the
    /// status that makes it invalid (`CERT_REVOKED`, `CERT_EXPIRED` …).
    pub reason: String,
    pub reason_zh: String,
    pub reason_en: String,
    /// The certificate's status (None when the token names no known certificate).
    pub status: Option<String>,
    pub status_zh: Option<String>,
    /// Why its status changed (撤销理由 …).
    pub status_reason: Option<String>,
    pub certificate: Option<Value>,
    /// The token's claims, when its signature was good.
    pub token: Option<Value>,
    /// The printed certificate (PDF, base64), for staff who stated a purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

fn token_failure(e: &TokenError) -> Verification {
    Verification {
        valid: false,
        reason: e.code().to_owned(),
        reason_zh: e.message_zh(),
        reason_en: e.message_en(),
        status: None,
        status_zh: None,
        status_reason: None,
        certificate: None,
        token: None,
        file: None,
    }
}

/// The certificate as verifiers see it; `full` adds the holder's id, the fields and the
/// signature, else personal data is masked.
pub fn certificate_json(c: &Certificate, full: bool, status: CertStatus) -> Value {
    let person = c.data.payload["holder"]["kind"] == json!(HolderKind::Person);
    let (holder_id, holder_name) = if full || !person {
        (c.record.holder_id.clone(), c.record.holder_name.clone())
    } else {
        (
            mask_id_number(&c.record.holder_id),
            mask_name(&c.record.holder_name),
        )
    };
    let mut v = json!({
        "identifier": c.record.identifier,
        "version": c.record.version,
        "type": c.record.type_code,
        "type_name": c.type_name(),
        "holder": {"id": holder_id, "name": holder_name},
        "issuer": c.data.payload["issuer"],
        "valid_from": c.record.valid_from,
        "valid_until": c.record.valid_until,
        "status": status.as_str(),
        "status_zh": status.name_zh(),
        "previous": c.record.previous,
    });
    if full || !person {
        v["fields"] = json!(
            c.fields()
                .into_iter()
                .map(|(label, value)| json!({"label": label, "value": value}))
                .collect::<Vec<_>>()
        );
    }
    if full {
        v["signature"] = json!({"alg": c.data.alg, "kid": c.data.kid, "value": c.data.signature});
        v["payload"] = c.data.payload.clone();
        v["history"] = json!(c.data.history);
    }
    v
}

impl App {
    /// Checks a token (or an address carrying one): signature and expiry first, then the
    /// certificate's version and status. Never an error for a bad token: the answer says why.
    pub async fn verify_certificate_token(
        &self,
        text: &str,
    ) -> Result<(Verification, Option<Certificate>), AppError> {
        let (claims, unverified) = match token::parse(text) {
            Ok(x) => x,
            Err(e) => return Ok((token_failure(&e), None)),
        };
        let Some(public) = self.cert_public_key(&claims.kid).await? else {
            return Ok((
                token_failure(&TokenError::UnknownKey {
                    kid: claims.kid.clone(),
                }),
                None,
            ));
        };
        let now = self.clock.now().timestamp();
        let lookup = |kid: &str| (kid == claims.kid).then(|| public.clone());
        let claims: Claims = match token::verify(unverified_text(text), &lookup, now) {
            Ok(c) => c,
            Err(e) => return Ok((token_failure(&e), None)),
        };
        drop(unverified);
        let token_json = json!({"kind": claims.kind, "kid": claims.kid, "issued_at": claims.issued_at,
                                "expires_at": claims.expires_at});
        let Some(cert) = self.certificate_by_identifier(&claims.cert_id).await? else {
            let e = crate::error::PublicError::of(ErrorCode::CERT_NOT_FOUND);
            return Ok((
                Verification {
                    valid: false,
                    reason: "CERT_NOT_FOUND".into(),
                    reason_zh: e.message_zh,
                    reason_en: e.message_en,
                    status: None,
                    status_zh: None,
                    status_reason: None,
                    certificate: None,
                    token: Some(token_json),
                    file: None,
                },
                None,
            ));
        };
        let status = cert.status_on(self.today());
        let version_ok = i64::from(claims.cert_version) == cert.record.version;
        let (valid, reason, zh, en) = match (status, version_ok) {
            (_, false) => (
                false,
                "CERT_VERSION_MISMATCH".to_owned(),
                "亮证码与证照版本不符".to_owned(),
                "The token names another version of the certificate".to_owned(),
            ),
            (CertStatus::Valid, true) => (
                true,
                "VALID".to_owned(),
                "证照有效".to_owned(),
                "The certificate is valid".to_owned(),
            ),
            (s, true) => (
                false,
                format!("CERT_{}", s.as_str().to_ascii_uppercase()),
                format!("证照{}", s.name_zh()),
                format!("The certificate is {}", s.name_en()),
            ),
        };
        Ok((
            Verification {
                valid,
                reason,
                reason_zh: zh,
                reason_en: en,
                status: Some(status.as_str().into()),
                status_zh: Some(status.name_zh().into()),
                status_reason: (!cert.record.status_reason.is_empty())
                    .then(|| cert.record.status_reason.clone()),
                certificate: Some(certificate_json(&cert, false, status)),
                token: Some(token_json),
                file: None,
            },
            Some(cert),
        ))
    }

    /// Verification by authorised staff with a stated purpose: the full certificate and its
    /// printed file, and a usage record (用证记录) the holder sees. A token that does not verify
    /// records nothing.
    pub async fn verify_certificate_as_staff(
        &self,
        p: &Principal,
        text: &str,
        purpose: &str,
        base_url: &str,
        meta: &RequestMeta,
    ) -> Result<Verification, AppError> {
        authorize(p, Action::CertVerify, None)?;
        let purpose = purpose.trim();
        if purpose.chars().count() < 2 || purpose.chars().count() > 200 {
            return Err(AppError::rule(
                ErrorCode::CERT_PURPOSE_REQUIRED,
                json!({"field": "purpose"}),
            ));
        }
        let (mut v, cert) = self.verify_certificate_token(text).await?;
        let Some(cert) = cert.filter(|_| v.token.is_some()) else {
            return Ok(v);
        };
        let status = cert.status_on(self.today());
        v.certificate = Some(certificate_json(&cert, true, status));
        let pdf = self.render_certificate_pdf(&cert, base_url).await?;
        v.file = Some(base64::engine::general_purpose::STANDARD.encode(pdf));
        let now = self.clock.now();
        let usage = CertUsage {
            id: shenpi_store::new_id(),
            certificate_id: cert.record.identifier.clone(),
            region_code: cert.record.region_code.clone(),
            at: now,
            actor_id: p.user.id.clone(),
            actor_name: p.user.display_name.clone(),
            department: p
                .user
                .department_id
                .clone()
                .unwrap_or_else(|| p.user.region_code.clone()),
            purpose: purpose.to_owned(),
        };
        let mut tx = self.store.begin().await?;
        tx.insert_cert_usage(&usage).await?;
        tx.append_audit(meta.audit(
            now,
            &cert.record.region_code,
            Some(&p.user),
            "cert.use",
            ("certificate", &cert.record.identifier),
            "success",
            json!({"purpose": purpose, "valid": v.valid}),
        ))
        .await?;
        tx.commit().await?;
        Ok(v)
    }
}

/// The token text inside an address or as given.
fn unverified_text(text: &str) -> &str {
    token::extract(text)
}

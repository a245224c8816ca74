//! The printed certificate (电子证照打印版): a one-page PDF rendered on request with the layout
//! of `shenpi_notice::certificate` (template `cert.v1`), carrying the static QR code of the
//! certificate's verification address. A certificate that is no longer valid is still printed,
//! with its status and the reason in a prominent note.

use serde_json::json;
use shenpi_domain::certificate::CertStatus;
use shenpi_domain::error::ErrorCode;
use shenpi_notice::NoticeError;
use shenpi_notice::certificate::{CertificateLayout, render_certificate};

use super::{Certificate, key_error};
use crate::{App, AppError, Principal};

/// The verification address the printed QR code carries.
pub fn static_verify_url(base_url: &str, c: &Certificate) -> String {
    format!(
        "{}/verify?t={}",
        base_url.trim_end_matches('/'),
        c.data.static_token
    )
}

/// The note printed on a certificate that is not valid on `status`, with the recorded reason.
pub fn status_note(c: &Certificate, status: CertStatus) -> Option<String> {
    if status == CertStatus::Valid {
        return None;
    }
    let reason = c.record.status_reason.trim();
    let mut note = format!("本证照{}", status.name_zh());
    if status == CertStatus::Superseded {
        note.push_str("，以新版本为准");
    }
    if !reason.is_empty() && status != CertStatus::Expired {
        note.push('：');
        note.push_str(reason);
    }
    Some(note)
}

/// What the printed certificate shows.
pub fn layout(
    c: &Certificate,
    status: CertStatus,
    base_url: &str,
) -> Result<CertificateLayout, AppError> {
    let qr = shenpi_certs::qr::modules(&static_verify_url(base_url, c)).map_err(key_error)?;
    let issued = crate::clock::shanghai_date(c.record.issued_at);
    Ok(CertificateLayout {
        title: c.type_name().to_owned(),
        identifier: c.record.identifier.clone(),
        holder_name: c.record.holder_name.clone(),
        holder_id: c.record.holder_id.clone(),
        issuer: c.data.payload["issuer"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        fields: c.fields(),
        valid_from: c.record.valid_from.clone(),
        valid_until: c
            .record
            .valid_until
            .clone()
            .unwrap_or_else(|| "长期".to_owned()),
        version: c.record.version,
        issued_on: shenpi_notice::chinese_date(issued),
        qr,
        qr_caption: "扫码核验".to_owned(),
        status_note: status_note(c, status),
    })
}

impl App {
    /// The printed certificate as a PDF, for its holder or staff of its region (others get
    /// `404 CERT_NOT_FOUND`, as for [`App::certificate_for`]). Its QR code leads to the
    /// verification page under `base_url`; a certificate that is not valid today says so.
    pub async fn certificate_pdf(
        &self,
        p: &Principal,
        identifier: &str,
        base_url: &str,
    ) -> Result<Vec<u8>, AppError> {
        let cert = self.certificate_for(p, identifier).await?;
        self.render_certificate_pdf(&cert, base_url).await
    }

    /// Renders a certificate the caller was allowed to read (off the async threads).
    pub(crate) async fn render_certificate_pdf(
        &self,
        cert: &Certificate,
        base_url: &str,
    ) -> Result<Vec<u8>, AppError> {
        let status = cert.status_on(self.today());
        let layout = layout(cert, status, base_url)?;
        let identifier = cert.record.identifier.clone();
        tokio::task::spawn_blocking(move || {
            render_certificate(&layout).map_err(|e| match e {
                NoticeError::MissingGlyphs { chars } => AppError::rule(
                    ErrorCode::NOTICE_UNRENDERABLE,
                    json!({"chars": chars.iter().collect::<String>()}),
                ),
                other => AppError::Internal(format!("certificate {identifier} PDF: {other}")),
            })
        })
        .await
        .map_err(|e| AppError::Internal(format!("certificate rendering: {e}")))?
    }
}

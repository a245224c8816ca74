//! Electronic certificates (电子证照) over HTTP: the holder's certificates and show tokens,
//! verification by anyone and by staff with a purpose, status changes by the issuer, the
//! published keys and the revocation list for offline verifiers.

use super::auth::ApiJsonOut;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::{AppState, WebConfig};
use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use shenpi_app::certs::Certificate;
use shenpi_app::certs::verify::certificate_json;
use shenpi_app::{Principal, RequestMeta};

/// The address this server is reached at, for the verification links of show tokens.
pub fn base_url(headers: &HeaderMap, config: &WebConfig) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A certificate as its holder (or staff of its region) reads it.
pub fn holder_json(s: &AppState, c: &Certificate) -> Value {
    let status = c.status_on(s.app.today());
    let mut v = certificate_json(c, true, status);
    v["status_reason"] = json!(c.record.status_reason);
    v["issued_at"] = json!(c.record.issued_at);
    v["case_id"] = json!(c.record.case_id);
    v["static_token"] = json!(c.data.static_token);
    v
}

/// `GET /api/v1/certificate-types` — the certificate catalogue (证照目录).
pub async fn types() -> Result<ApiJsonOut, ApiError> {
    let types = shenpi_app::certs::catalogue::cert_types()?;
    Ok(ApiJsonOut(json!({
        "items": types.iter().map(|t| json!({
            "code": t.code, "type_code": shenpi_app::certs::catalogue::type_code(t),
            "name": t.name, "name_en": t.name_en, "ministry": t.ministry,
            "department": t.department, "holder": t.holder, "validity_years": t.validity_years,
            "items": t.items, "reminders": t.reminders, "renewal_item": t.renewal_item,
            "fields": t.fields, "template": "shenpi-cert-v1",
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /.well-known/shenpi-cert-keys.json` — every public key, current and retired.
pub async fn keys(State(s): State<AppState>) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.cert_key_set().await?)))
}

/// `GET /api/v1/certificates/revocations` — the revocation list for offline verifiers.
pub async fn revocations(State(s): State<AppState>) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.revocation_list().await?)))
}

/// `GET /api/v1/certificates` — the caller's certificates, every version, newest first.
pub async fn mine(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    let list = s.app.my_certificates(&p).await?;
    Ok(ApiJsonOut(json!({
        "items": list.iter().map(|c| holder_json(&s, c)).collect::<Vec<_>>(),
        "total": list.len(),
    })))
}

/// `GET /api/v1/certificates/{identifier}` — for its holder or staff of its region.
pub async fn one(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(identifier): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s.app.certificate_for(&p, &identifier).await?;
    Ok(ApiJsonOut(holder_json(&s, &c)))
}

/// `POST /api/v1/certificates/{identifier}/show` — a show token valid for 5 minutes.
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    ApiPath(identifier): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let base = base_url(&headers, &s.config);
    let t = s.app.show_certificate(&p, &identifier, &base).await?;
    Ok(ApiJsonOut(json!(t)))
}

/// `GET /api/v1/certificates/{identifier}/usages` — the usage records (用证记录).
pub async fn usages(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(identifier): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let list = s.app.certificate_usages(&p, &identifier).await?;
    Ok(ApiJsonOut(json!({"items": list, "total": list.len()})))
}

/// A status change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/certificates/{identifier}/status {status, reason}`.
pub async fn status(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(identifier): ApiPath<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s
        .app
        .set_certificate_status(&p, &identifier, &b.status, &b.reason, &meta)
        .await?;
    Ok(ApiJsonOut(holder_json(&s, &c)))
}

/// A token to verify.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    pub token: String,
    #[serde(default)]
    pub purpose: String,
}

/// `POST /api/v1/certificates/verify {"token"}` — anyone: valid or not, why, the status, the
/// certificate with personal data masked.
pub async fn verify(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> Result<ApiJsonOut, ApiError> {
    let (v, _) = s.app.verify_certificate_token(&b.token).await?;
    malformed(&v)?;
    Ok(ApiJsonOut(json!(v)))
}

/// A token that is not a token at all (garbage, truncated) is bad input: 422
/// `CERT_TOKEN_INVALID`; a real token that fails (tampered, expired, unknown key, revoked) is a
/// verification answer, `valid: false` with the reason.
fn malformed(v: &shenpi_app::certs::verify::Verification) -> Result<(), ApiError> {
    if v.reason == "TOKEN_MALFORMED" {
        return Err(shenpi_app::AppError::Rule(Box::new(
            shenpi_app::error::PublicError::with(
                shenpi_domain::error::ErrorCode::CERT_TOKEN_INVALID,
                format!("亮证码无效：{}", v.reason_zh),
                format!("The certificate token is not valid: {}", v.reason_en),
            )
            .details(json!({"reason": v.reason})),
        ))
        .into());
    }
    Ok(())
}

/// `POST /api/v1/certificates/inspect {"token", "purpose"}` — staff: the full certificate;
/// the use is recorded for the holder.
pub async fn inspect(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> Result<ApiJsonOut, ApiError> {
    let v = s
        .app
        .verify_certificate_as_staff(&p, &b.token, &b.purpose, &meta)
        .await?;
    malformed(&v)?;
    Ok(ApiJsonOut(json!(v)))
}

/// A printed certificate shown inline, named by its identifier.
pub fn pdf_response(identifier: &str, pdf: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    // A GB/T 36904 identifier is ASCII letters, digits and dots; anything else is replaced.
    let name: String = identifier
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// `GET /api/v1/certificates/{identifier}/pdf` — the printed certificate (电子证照打印版) with
/// its static QR code, for its holder or staff of its region.
pub async fn pdf(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    ApiPath(identifier): ApiPath<String>,
) -> Result<axum::response::Response, ApiError> {
    let base = base_url(&headers, &s.config);
    let bytes = s.app.certificate_pdf(&p, &identifier, &base).await?;
    Ok(pdf_response(&identifier, bytes))
}

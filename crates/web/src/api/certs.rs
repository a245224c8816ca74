//! Electronic certificates (电子证照) over HTTP: the holder's certificates and show tokens,
//! verification by anyone and by staff with a purpose, status changes by the issuer, the
//! published keys and the revocation list for offline verifiers.

use super::auth::ApiJsonOut;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
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

/// `POST /api/v1/certificates/inspect {"token", "purpose"}` — staff: the full certificate and
/// its printed file (`file`, PDF in base64); the use is recorded for the holder.
pub async fn inspect(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<VerifyBody>,
) -> Result<ApiJsonOut, ApiError> {
    let base = base_url(&headers, &s.config);
    let v = s
        .app
        .verify_certificate_as_staff(&p, &b.token, &b.purpose, &base, &meta)
        .await?;
    malformed(&v)?;
    Ok(ApiJsonOut(json!(v)))
}

/// `GET /api/v1/certificates/{identifier}/reminders` — the expiry reminders sent, with what each
/// channel answered.
pub async fn reminders(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(identifier): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let list = s.app.certificate_reminders(&p, &identifier).await?;
    Ok(ApiJsonOut(json!({
        "items": list.iter().map(|(r, d)| json!({
            "threshold_days": r.threshold, "valid_until": r.valid_until,
            "created_at": r.created_at, "deliveries": d,
        })).collect::<Vec<_>>(),
        "total": list.len(),
    })))
}

/// Which page of a list (pages from 1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /api/v1/enterprises/{uscc}/certificates?page=&per_page=` — the certificates of an
/// enterprise, newest first, 50 a page unless asked (at most 200), for an authorised partner
/// system: signed like partner progress reports (`X-Shenpi-Key`, `X-Shenpi-Timestamp`,
/// `X-Shenpi-Nonce`, `X-Shenpi-Signature` over `GET`, the path and an empty body). The page
/// parameters are not signed: they only choose which part of what the key may read it gets.
pub async fn enterprise_certificates(
    State(s): State<AppState>,
    ApiPath(uscc): ApiPath<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Result<ApiJsonOut, ApiError> {
    let req = super::partners::signed_request("GET", &uri, &headers, b"");
    let list = s
        .app
        .enterprise_certificates_for_partner(
            &req,
            &uscc,
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50),
        )
        .await?;
    Ok(ApiJsonOut(json!({
        "uscc": uscc,
        "items": list.items.iter().map(|c| holder_json(&s, c)).collect::<Vec<_>>(),
        "total": list.total,
        "page": list.page,
        "per_page": list.per_page,
    })))
}

/// A grant to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    pub username: String,
    pub role: String,
}

/// `GET /api/v1/enterprises/{uscc}/grants`
pub async fn grants(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(uscc): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let list = s.app.enterprise_grants_for(&p, &uscc).await?;
    Ok(ApiJsonOut(json!({"items": list, "total": list.len()})))
}

/// `POST /api/v1/enterprises/{uscc}/grants {username, role: agent|cert_manager}`
pub async fn grant(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(b): ApiJson<GrantBody>,
) -> Result<ApiJsonOut, ApiError> {
    let g = s
        .app
        .grant_enterprise_role(&p, &uscc, &b.username, &b.role, &meta)
        .await?;
    Ok(ApiJsonOut(json!(g)))
}

/// `POST /api/v1/enterprises/{uscc}/grants/revoke {username, role}`
pub async fn revoke_grant(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(uscc): ApiPath<String>,
    ApiJson(b): ApiJson<GrantBody>,
) -> Result<ApiJsonOut, ApiError> {
    s.app
        .revoke_enterprise_role(&p, &uscc, &b.username, &b.role, &meta)
        .await?;
    Ok(ApiJsonOut(json!({"revoked": true})))
}

/// `POST /api/v1/registry/events` — a change event of the enterprise registry (the partner
/// system `market-registry`), signed like partner reports → how many proactive cases opened.
pub async fn registry_event(
    State(s): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<ApiJsonOut, ApiError> {
    let req = super::partners::signed_request("POST", &uri, &headers, &body);
    let opened = s.app.registry_event(&req).await?;
    Ok(ApiJsonOut(json!({"opened": opened})))
}

/// A proactive case as its holder reads it.
pub fn proactive_json(c: &shenpi_store::model::ProactiveCase) -> Value {
    json!({
        "id": c.id, "identifier": c.identifier, "kind": c.kind,
        "kind_zh": if c.kind == "renewal" { "延续" } else { "变更" },
        "status": c.status, "data": serde_json::from_str::<Value>(&c.data).unwrap_or(Value::Null),
        "created_at": c.created_at, "decided_at": c.decided_at,
    })
}

/// `GET /api/v1/proactive-cases` — the offers for the caller's certificates.
pub async fn proactive_cases(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    let list = s.app.my_proactive_cases(&p).await?;
    Ok(ApiJsonOut(json!({
        "items": list.iter().map(proactive_json).collect::<Vec<_>>(),
        "total": list.len(),
    })))
}

/// `POST /api/v1/proactive-cases/{id}/confirm` — 继续办理: the new version, at once.
pub async fn confirm_proactive(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s.app.confirm_proactive(&p, &id, &meta).await?;
    Ok(ApiJsonOut(holder_json(&s, &c)))
}

/// `POST /api/v1/proactive-cases/{id}/decline` — nothing changes.
pub async fn decline_proactive(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    s.app.decline_proactive(&p, &id).await?;
    Ok(ApiJsonOut(json!({"declined": true})))
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

/// `POST /api/v1/cases/{id}/certificate` — 补发 the certificate of a granted case that has none.
pub async fn issue_for_case(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<(axum::http::StatusCode, axum::Json<Value>), ApiError> {
    let c = s.app.issue_certificate_for_case(&p, &id, &meta).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(holder_json(&s, &c)),
    ))
}

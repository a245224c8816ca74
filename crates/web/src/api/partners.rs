//! Partner systems: registration and delivery logs for the city admin, and the signed progress
//! endpoint partners call (`POST /api/v1/partner/subcases/{id}/progress`).

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::json;
use shenpi_app::partners::{PartnerInput, SignedRequest, sign};
use shenpi_app::{Principal, RequestMeta};

/// `GET /api/v1/partners`
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.partners(&p).await?})))
}

/// `POST /api/v1/partners` → `201` with the app key and the secret (shown once).
pub async fn register(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<PartnerInput>,
) -> Result<impl IntoResponse, ApiError> {
    let v = s.app.register_partner(&p, input, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(v))))
}

/// `PUT /api/v1/partners/{key}`
pub async fn update(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(key): ApiPath<String>,
    ApiJson(input): ApiJson<PartnerInput>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.update_partner(&p, &key, input, &meta).await?
    )))
}

/// `POST /api/v1/partners/{key}/secret` — a new app key and secret (shown once).
pub async fn renew_secret(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(key): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.renew_partner_secret(&p, &key, &meta).await?
    )))
}

/// `GET /api/v1/partners/{key}/deliveries` — the webhook delivery log.
pub async fn deliveries(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(key): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(
        json!({"items": s.app.partner_deliveries(&p, &key).await?}),
    ))
}

/// `POST /api/v1/partner/subcases/{id}/progress` — signed by the partner (no session).
pub async fn progress(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<ApiJsonOut, ApiError> {
    let req = signed_request("POST", &uri, &headers, &body);
    let c = s.app.report_progress(&req, &id).await?;
    Ok(ApiJsonOut(
        json!({"id": c.id, "number": c.number, "status": c.status}),
    ))
}

/// A partner system's signed request as the headers carry it (`X-Shenpi-Key`,
/// `X-Shenpi-Timestamp`, `X-Shenpi-Nonce`, `X-Shenpi-Signature`); the app checks it.
pub fn signed_request<'a>(
    method: &'static str,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    body: &'a [u8],
) -> SignedRequest<'a> {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    SignedRequest {
        method,
        path: uri.path(),
        app_key: h(sign::KEY_HEADER),
        timestamp: h(sign::TIMESTAMP_HEADER),
        nonce: h(sign::NONCE_HEADER),
        signature: h(sign::SIGNATURE_HEADER),
        body,
    }
}

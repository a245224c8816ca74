//! Bundles (一件事 / 一事全办): `GET /api/v1/bundles`, `GET|PUT /api/v1/bundles/{code}`,
//! `POST /api/v1/bundles/{code}/applications` and `GET /api/v1/bundle-cases/{id}`.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::bundles::BundleApplication;
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::bundle::Bundle;

/// `GET /api/v1/bundles` — every bundle with its items, departments and partners.
pub async fn list(State(s): State<AppState>) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.bundles().await?})))
}

/// `GET /api/v1/bundles/{code}`
pub async fn one(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.bundle(&code).await?)))
}

/// `{revision, bundle}`: `revision` is the stored one being changed (absent for a new bundle).
#[derive(Debug, Deserialize)]
pub struct SaveBundle {
    #[serde(default)]
    pub revision: Option<i64>,
    pub bundle: Bundle,
}

/// `PUT /api/v1/bundles/{code}` — create or change a bundle (city admin).
pub async fn save(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<SaveBundle>,
) -> Result<ApiJsonOut, ApiError> {
    let v = s
        .app
        .save_bundle(&p, &code, body.bundle, body.revision, &meta)
        .await?;
    Ok(ApiJsonOut(json!(v)))
}

/// `POST /api/v1/bundles/{code}/applications` → `201` with the bundle case and its sub-cases
/// (`200` with the same for a repeated idempotency key).
pub async fn apply(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(code): ApiPath<String>,
    ApiJson(a): ApiJson<BundleApplication>,
) -> Result<impl IntoResponse, ApiError> {
    let (v, created) = s.app.apply_bundle(&p, &code, a, &meta).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(json!(v))))
}

/// `GET /api/v1/bundle-cases/{id}` — combined status, deadline, timeline and results.
pub async fn case(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.bundle_case(&p, &id).await?)))
}

/// `{materials}`: combined material key → uploaded file id.
#[derive(Debug, Deserialize)]
pub struct BundleSupplement {
    #[serde(default)]
    pub materials: std::collections::BTreeMap<String, String>,
}

/// `POST /api/v1/bundle-cases/{id}/supplement` — one supplement for every department that
/// asked.
pub async fn supplement(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<BundleSupplement>,
) -> Result<ApiJsonOut, ApiError> {
    let v = s
        .app
        .supplement_bundle_case(&p, &id, body.materials, &meta)
        .await?;
    Ok(ApiJsonOut(json!(v)))
}

/// `GET /api/v1/bundle-cases/{id}/result` — the sealed combined result (PDF), once every
/// sub-case has ended.
pub async fn result(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (name, bytes) = s.app.bundle_result_pdf(&p, &id, &meta).await?;
    let disposition = format!(
        "attachment; filename=\"bundle-result.pdf\"; filename*=UTF-8''{}",
        utf8_percent(&name)
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

/// Percent-encodes a file name for `filename*` (RFC 5987).
fn utf8_percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

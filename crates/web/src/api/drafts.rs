//! Application drafts (草稿): `GET/POST /api/v1/drafts`, `GET/PUT/DELETE /api/v1/drafts/{id}`.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;
use shenpi_app::Principal;
use shenpi_app::drafts::DraftContent;

/// `GET /api/v1/drafts` — the caller's drafts.
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.drafts(&p).await?})))
}

/// `POST /api/v1/drafts` → `201` with the new draft.
pub async fn create(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<DraftContent>,
) -> Result<impl IntoResponse, ApiError> {
    let d = s.app.save_draft(&p, None, input).await?;
    Ok((StatusCode::CREATED, ApiJsonOut(json!(d))))
}

/// `GET /api/v1/drafts/{id}`
pub async fn one(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.draft(&p, &id).await?)))
}

/// `PUT /api/v1/drafts/{id}` — replaces the draft's content.
pub async fn update(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DraftContent>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.save_draft(&p, Some(&id), input).await?
    )))
}

/// `DELETE /api/v1/drafts/{id}`
pub async fn delete(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    s.app.delete_draft(&p, &id).await?;
    Ok(ApiJsonOut(json!({"deleted": true})))
}

/// `POST /api/v1/drafts/{id}/prefill` — fills the draft's empty fields from the applicant's
/// account and the shared-data registries (免填写) → the draft and what was filled, from where.
pub async fn prefill(
    State(s): State<AppState>,
    Extension(meta): Extension<shenpi_app::RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let (draft, filled) = s.app.prefill_draft(&p, &id, &meta).await?;
    Ok(ApiJsonOut(json!({"draft": draft, "filled": filled})))
}

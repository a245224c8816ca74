//! Process management: `POST /api/v1/processes` with BPMN XML as the body.

use crate::AppState;
use crate::error::{ApiBytes, ApiError};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::error::ErrorCode;

/// `POST /api/v1/processes` (`Content-Type: application/xml`) → `201 {key, version}`, or a 422
/// naming the offending element and line.
pub async fn upload(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiBytes(body): ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    let xml = std::str::from_utf8(&body).map_err(|_| {
        ApiError::with_detail(ErrorCode::PROCESS_INVALID, "the file is not UTF-8 text")
    })?;
    let pv = s.app.upload_process(&p, xml, &meta).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"key": pv.key, "version": pv.version})),
    ))
}

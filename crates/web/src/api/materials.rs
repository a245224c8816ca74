//! Material uploads: `POST /api/v1/materials?name=` with the file as the body.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiBytes, ApiError, ApiPath, ApiQuery};
use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::{Principal, RequestMeta};
use shenpi_store::model::MaterialFile;

/// `?name=`
#[derive(Debug, Deserialize)]
pub struct NameQuery {
    pub name: String,
}

fn view(f: &MaterialFile) -> serde_json::Value {
    json!({"id": f.id, "name": f.name, "kind": f.kind, "size": f.size, "sha256": f.sha256,
           "created_at": f.created_at.to_rfc3339()})
}

/// `POST /api/v1/materials?name=营业执照.pdf`
pub async fn upload(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<NameQuery>,
    ApiBytes(body): ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    let f = s.app.upload_material(&p, &q.name, &body, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&f))))
}

/// `GET /api/v1/materials/{id}`
pub async fn one(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(view(&s.app.material(&p, &id).await?)))
}

/// `GET /api/v1/materials/{id}/content`
pub async fn content(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (f, bytes) = s.app.material_content(&p, &id).await?;
    let media = shenpi_domain::case::file::sniff(&bytes)
        .map(|k| k.media_type())
        .unwrap_or("application/octet-stream");
    Ok((
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", f.id),
            ),
        ],
        bytes,
    ))
}

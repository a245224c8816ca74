//! Smart company registration (企业登记注册): `GET /api/v1/registration/business-scopes`,
//! `POST /api/v1/registration/business-scopes/import`, `POST /api/v1/registration/check` and
//! `POST /api/v1/registration/documents`.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiQuery};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::registration::application::RegistrationInput;
use shenpi_domain::registration::scope::FileFormat;

/// `?q=&class=general|licensed&page=&per_page=`
#[derive(Debug, Deserialize)]
pub struct ScopeQuery {
    #[serde(default)]
    pub q: String,
    pub class: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `GET /api/v1/registration/business-scopes` — search the business-scope catalogue in force.
pub async fn scopes(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ScopeQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let page = s
        .app
        .search_scopes(
            &q.q,
            q.class.as_deref(),
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(20),
        )
        .await?;
    Ok(ApiJsonOut(json!(page)))
}

/// `?format=json|csv&version=&name=`
#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    pub format: Option<String>,
    pub version: Option<String>,
    pub name: Option<String>,
}

/// `POST /api/v1/registration/business-scopes/import` — the full catalogue file as the next
/// version; `422 IMPORT_INVALID` lists every problem and nothing is stored.
pub async fn import(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    crate::error::ApiBytes(body): crate::error::ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    let format = match q.format.as_deref().unwrap_or("json") {
        "json" => FileFormat::Json,
        "csv" => FileFormat::Csv,
        _ => {
            return Err(ApiError::with_detail(
                ErrorCode::INVALID_QUERY,
                "format must be json or csv",
            ));
        }
    };
    let done = s
        .app
        .import_scope_catalogue(
            Some(&p),
            q.name.as_deref().unwrap_or("upload"),
            &body,
            format,
            q.version.as_deref(),
            &meta,
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(json!(done))))
}

/// `POST /api/v1/registration/check` — the plan, or `422 FORM_INVALID` with every field error
/// and the plan in `details`.
pub async fn check(
    State(s): State<AppState>,
    ApiJson(input): ApiJson<RegistrationInput>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.registration_check(&input).await?)))
}

/// `POST /api/v1/registration/documents` → `201` with the documents (template, version,
/// SHA-256, download URL), the draft of the picked item and its application page.
pub async fn documents(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<RegistrationInput>,
) -> Result<impl IntoResponse, ApiError> {
    let set = s.app.registration_documents(&p, &input, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(set))))
}

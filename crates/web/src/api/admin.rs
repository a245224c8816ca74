//! Administration: accounts (system admin), lockouts and alerts (security admin), the audit
//! log (audit admin), calendar years (system admin).

use super::auth::ApiJsonOut;
use super::{PageView, UserView};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::users::NewUser;
use shenpi_app::{Principal, RequestMeta};
use shenpi_store::model::AuditFilter;

/// Listing parameters.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub region: Option<String>,
    pub page: Option<i64>,
    pub action: Option<String>,
}

/// `GET /api/v1/users`
pub async fn list_users(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let page = s
        .app
        .list_users(&p, q.region.as_deref(), q.page.unwrap_or(1))
        .await?;
    Ok(ApiJsonOut(json!(PageView {
        items: page.items.iter().map(UserView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })))
}

/// `POST /api/v1/users`
pub async fn create_user(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<NewUser>,
) -> Result<impl IntoResponse, ApiError> {
    let u = s.app.create_user(&p, input, &meta).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"user": UserView::from(&u)})),
    ))
}

/// `POST /api/v1/users/{username}/lock`
pub async fn lock_user(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(username): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let u = s.app.set_locked(Some(&p), &username, true, &meta).await?;
    Ok(ApiJsonOut(json!({"user": UserView::from(&u)})))
}

/// `POST /api/v1/users/{username}/unlock`
pub async fn unlock_user(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(username): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let u = s.app.set_locked(Some(&p), &username, false, &meta).await?;
    Ok(ApiJsonOut(json!({"user": UserView::from(&u)})))
}

/// `GET /api/v1/security/alerts`
pub async fn alerts(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.alerts(&p).await?})))
}

/// `GET /api/v1/audit`
pub async fn audit(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let f = AuditFilter {
        region_code: q.region,
        actor_id: None,
        action_prefix: q.action,
    };
    let page = s.app.audit_entries(&p, f, q.page.unwrap_or(1)).await?;
    Ok(ApiJsonOut(json!(page)))
}

/// `GET /api/v1/audit/verify`
pub async fn audit_verify(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    let reports = s.app.verify_audit_as(&p, &meta).await?;
    let ok = reports.iter().all(|r| r.ok);
    Ok(ApiJsonOut(json!({"ok": ok, "regions": reports})))
}

/// `PUT /api/v1/calendar/{year}` with a calendar year file as the JSON body.
pub async fn put_calendar_year(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(year): ApiPath<i32>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<ApiJsonOut, ApiError> {
    let y = s
        .app
        .put_calendar_year(&p, year, &body.to_string(), &meta)
        .await?;
    Ok(ApiJsonOut(json!(y)))
}

/// `GET /api/v1/departments`
pub async fn departments(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(
        json!({"items": s.app.departments(q.region.as_deref()).await?}),
    ))
}

//! The to-do list (统一待办): `GET /api/v1/tasks`, `POST /api/v1/tasks/{id}/complete`.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::Extension;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::tasks::Outcome;
use shenpi_app::{Principal, RequestMeta};

/// `?done=true` for the tasks the caller completed (已办).
#[derive(Debug, Deserialize)]
pub struct TodoQuery {
    #[serde(default)]
    pub done: bool,
}

/// `GET /api/v1/tasks` — the caller's open tasks, least remaining time first; `?done=true` the
/// tasks they completed, newest first.
pub async fn todo(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<TodoQuery>,
) -> Result<ApiJsonOut, ApiError> {
    if q.done {
        return Ok(ApiJsonOut(json!({"items": s.app.done_tasks(&p).await?})));
    }
    Ok(ApiJsonOut(json!({"items": s.app.todo(&p).await?})))
}

/// `{outcome, opinion}`; outcomes: accept, request_supplement, refuse_to_accept, approve, deny.
#[derive(Debug, Deserialize)]
pub struct CompleteInput {
    pub outcome: Outcome,
    #[serde(default)]
    pub opinion: String,
}

/// `POST /api/v1/tasks/{id}/complete`
pub async fn complete(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CompleteInput>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s
        .app
        .complete_task(&p, &id, input.outcome, &input.opinion, &meta)
        .await?;
    Ok(ApiJsonOut(
        json!({"case": c.id, "number": c.number, "status": c.status}),
    ))
}

/// `?region=`
#[derive(Debug, Deserialize)]
pub struct RegionQuery {
    pub region: Option<String>,
}

/// `GET /api/v1/supervision?region=` — open cases with their warnings, overdue first.
pub async fn supervision(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<RegionQuery>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(
        json!({"items": s.app.supervision(&p, q.region.as_deref()).await?}),
    ))
}

/// `POST /api/v1/tasks/{id}/claim` (签收)
pub async fn claim(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.claim_task(&p, &id, true, &meta).await?
    )))
}

/// `POST /api/v1/tasks/{id}/release`
pub async fn release(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.claim_task(&p, &id, false, &meta).await?
    )))
}

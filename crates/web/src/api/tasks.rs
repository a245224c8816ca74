//! The workbench (统一待办) API: the to-do, done and copy lists, completing tasks (with 驳回),
//! 取回, 转办, 委派, 加签, 改派, 抄送, batch handling, counters and notifications.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::Extension;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::tasks::{Completion, Handover, Outcome};
use shenpi_app::{Principal, RequestMeta};

/// `?done=true` for the tasks the caller completed (已办); `?view=todo|done|copies`.
#[derive(Debug, Deserialize)]
pub struct TodoQuery {
    #[serde(default)]
    pub done: bool,
    #[serde(default)]
    pub view: Option<View>,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Todo,
    Done,
    Copies,
}

/// `GET /api/v1/tasks` — the caller's open tasks, least remaining time first; `?done=true` the
/// tasks they completed, newest first.
pub async fn todo(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    crate::error::ApiQuery(q): crate::error::ApiQuery<TodoQuery>,
) -> Result<ApiJsonOut, ApiError> {
    match (q.view, q.done) {
        (Some(View::Done), _) | (None, true) => {
            return Ok(ApiJsonOut(json!({"items": s.app.done_tasks(&p).await?})));
        }
        (Some(View::Copies), _) => {
            return Ok(ApiJsonOut(json!({"items": s.app.copies(&p).await?})));
        }
        _ => {}
    }
    Ok(ApiJsonOut(json!({"items": s.app.todo(&p).await?})))
}

/// `POST /api/v1/tasks/{id}/complete`
pub async fn complete(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<Completion>,
) -> Result<ApiJsonOut, ApiError> {
    let done = s.app.complete_task(&p, &id, &input, &meta).await?;
    // The steps the case now waits on, as the step left them, so the workbench (or an
    // integrating system) can go on without reading the case again.
    let open: Vec<_> = done
        .open_tasks
        .iter()
        .map(shenpi_app::tasks::open_task_view)
        .collect();
    let c = done.case;
    Ok(ApiJsonOut(
        json!({"case": c.id, "number": c.number, "status": c.status, "open_tasks": open}),
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

/// `{to, note}` for 转办, 委派, 加签 and 改派 (`note` is the reason of a reassignment).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    pub to: String,
    #[serde(default)]
    pub note: String,
}

async fn hand_over(
    s: AppState,
    meta: RequestMeta,
    p: Principal,
    id: String,
    how: Handover,
    input: HandoverInput,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app
            .hand_over(&p, &id, how, &input.to, &input.note, &meta)
            .await?
    )))
}

/// `POST /api/v1/tasks/{id}/transfer` (转办)
pub async fn transfer(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<HandoverInput>,
) -> Result<ApiJsonOut, ApiError> {
    hand_over(s, meta, p, id, Handover::Transfer, input).await
}

/// `POST /api/v1/tasks/{id}/delegate` (委派)
pub async fn delegate(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<HandoverInput>,
) -> Result<ApiJsonOut, ApiError> {
    hand_over(s, meta, p, id, Handover::Delegate, input).await
}

/// `POST /api/v1/tasks/{id}/add-signer` (加签)
pub async fn add_signer(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<HandoverInput>,
) -> Result<ApiJsonOut, ApiError> {
    hand_over(s, meta, p, id, Handover::AddSigner, input).await
}

/// `POST /api/v1/tasks/{id}/reassign` (改派, supervisors)
pub async fn reassign(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<HandoverInput>,
) -> Result<ApiJsonOut, ApiError> {
    hand_over(s, meta, p, id, Handover::Reassign, input).await
}

/// `{opinion}` for resolving a delegated task.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpinionInput {
    #[serde(default)]
    pub opinion: String,
}

/// `POST /api/v1/tasks/{id}/resolve` — the delegate hands the task back with an opinion; the
/// owner calls it to take the delegation back (收回).
pub async fn resolve(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OpinionInput>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.end_delegation(&p, &id, &input.opinion, &meta).await?
    )))
}

/// `POST /api/v1/tasks/{id}/take-back` (取回)
pub async fn take_back(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.take_back(&p, &id, &meta).await?)))
}

/// `{to: [usernames], note}` for 抄送.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyInput {
    pub to: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/tasks/{id}/copy` (抄送)
pub async fn copy(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CopyInput>,
) -> Result<ApiJsonOut, ApiError> {
    let sent = s
        .app
        .copy_task(&p, &id, &input.to, &input.note, &meta)
        .await?;
    Ok(ApiJsonOut(json!({"sent": sent})))
}

/// `POST /api/v1/copies/{id}/read`
pub async fn read_copy(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    s.app.read_copy(&p, &id).await?;
    Ok(ApiJsonOut(json!({"read": true})))
}

/// `{tasks, outcome, opinion}` for batch handling.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    pub tasks: Vec<String>,
    pub outcome: Outcome,
    #[serde(default)]
    pub opinion: String,
}

/// `POST /api/v1/tasks/batch` — accept or approve several tasks; each succeeds or fails alone.
pub async fn batch(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<BatchInput>,
) -> Result<ApiJsonOut, ApiError> {
    let results = s
        .app
        .complete_batch(&p, &input.tasks, input.outcome, &input.opinion, &meta)
        .await?;
    Ok(ApiJsonOut(json!({"results": results})))
}

/// `GET /api/v1/tasks/counts` — 待办 (yellow, red), unread 抄送 and notifications.
pub async fn counts(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.counters(&p).await?)))
}

/// `GET /api/v1/notifications`
pub async fn notifications(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.notifications(&p).await?})))
}

/// `POST /api/v1/notifications/{id}/read`
pub async fn read_notification(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    s.app.read_notification(&p, &id).await?;
    Ok(ApiJsonOut(json!({"read": true})))
}

/// `GET /api/v1/incidents` — workflow incidents (流程异常) for administrators.
pub async fn incidents(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.incidents(&p).await?})))
}

//! Cases: `POST /api/v1/cases`, `GET /api/v1/cases/{id}`, `GET /api/v1/cases?mine=true`,
//! `POST /api/v1/cases/{id}/withdraw`, and the public `GET /api/v1/cases/progress`.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::cases::{Application, CaseRecord};
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::error::ErrorCode;

fn view(s: &AppState, c: &CaseRecord) -> Result<serde_json::Value, ApiError> {
    let (due, deemed) = s.app.acceptance_deadline(c)?;
    Ok(json!({
        "id": c.id, "number": c.number, "status": c.status, "status_zh": c.status.name_zh(),
        "region": c.region, "item_code": c.item_code, "item_version": c.item_version, "item_name": c.item_name,
        "situation": c.situation, "form": c.form, "materials": c.materials,
        "received_on": c.received_on.to_string(),
        "deadlines": {"acceptance_due": due.to_string(), "deemed_accepted": deemed,
                      "promised_days": c.promised_days, "statutory_days": c.statutory_days},
        "timeline": c.timeline,
        "accepted_on": c.accepted_on.map(|d| d.to_string()),
        "supplement_request": c.supplement_request,
        "sla": s.app.case_sla(c)?,
        "pauses": c.pauses,
        "notices": c.notices.iter().map(|n| json!({
            "id": n.id, "kind": n.kind, "title": n.title, "doc_number": n.doc_number,
            "sha256": n.sha256, "key_id": n.key_id, "issued_at": n.issued_at,
            "sealed": n.pending.is_none(),
            "url": format!("/api/v1/cases/{}/notices/{}", c.id, n.id),
        })).collect::<Vec<_>>(),
        "decisions": c.decisions.iter().map(plain_decision).collect::<Vec<_>>(),
        // The fee the item's fee rule assessed (收费核定), if any.
        "fee": shenpi_app::decisions::fee(&c.decisions),
        "shared_materials": c.shared_materials,
    }))
}

/// A rule decision in plain words, as the applicant sees it: what it was for, the outcome, the
/// explanation, the checks that failed and the data sets it used — not the rule's inputs or
/// trace, which staff see (`GET /api/v1/cases/{id}` by staff).
fn plain_decision(d: &shenpi_app::decisions::DecisionRecord) -> serde_json::Value {
    json!({
        "purpose": d.purpose, "purpose_zh": d.purpose_zh, "rule_name": d.rule_name, "at": d.at,
        "approved": (d.purpose == "auto_approval").then(|| d.approves()),
        "process": d.routed_process(), "fee": d.fee(), "error": d.error.is_some(),
        "explanation": d.explanation, "failed": d.failed,
        "data_sources": d.data_sources.iter().map(|p| json!({
            "dataset": p.dataset, "found": p.found, "error": p.error})).collect::<Vec<_>>(),
    })
}

/// `POST /api/v1/cases` → 201 (or 200 with the existing case for a repeated idempotency key).
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(a): ApiJson<Application>,
) -> Result<impl IntoResponse, ApiError> {
    let done = s.app.submit_application(&p, a, &meta).await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    // The whole case: an unattended approval is already decided, with its explanation. Its open
    // steps are listed as on `GET /api/v1/cases/{id}`, so a client knows where the case stands.
    let mut v = view(&s, &done.case)?;
    v["open_tasks"] = done
        .open_tasks
        .iter()
        .map(shenpi_app::tasks::open_task_view)
        .collect();
    Ok((status, axum::Json(v)))
}

/// `GET /api/v1/cases/{id}`
pub async fn one(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let (c, _) = s.app.case(&p, &id).await?;
    let mut v = view(&s, &c)?;
    if c.applicant_id != p.user.id {
        // Staff audit the decision: rule version, inputs, outputs, trace and every pull.
        v["decisions"] = json!(c.decisions);
    }
    v["open_tasks"] = json!(s.app.case_open_tasks(&c.id).await?);
    v["waiting"] = json!(shenpi_app::tasks::drive::waiting(&c));
    Ok(ApiJsonOut(v))
}

/// `POST /api/v1/cases/{id}/messages` — a message for the case's process (city admin).
pub async fn message(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(msg): ApiJson<shenpi_app::tasks::MessageIn>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s.app.correlate_message(&p, &id, &msg, &meta).await?;
    Ok(ApiJsonOut(view(&s, &c)?))
}

/// `POST /api/v1/cases/{id}/service-replies` — the reply to a pending service call (city admin).
pub async fn service_reply(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(reply): ApiJson<shenpi_app::tasks::ServiceReply>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s.app.reply_service_call(&p, &id, &reply, &meta).await?;
    Ok(ApiJsonOut(view(&s, &c)?))
}

/// `?page=`
#[derive(Debug, Deserialize)]
pub struct MineQuery {
    pub page: Option<i64>,
}

/// `GET /api/v1/cases?mine=true` — the caller's applications.
pub async fn mine(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<MineQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let page = s.app.my_cases(&p, q.page.unwrap_or(1)).await?;
    let items = page
        .items
        .iter()
        .map(|c| view(&s, c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiJsonOut(
        json!({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}),
    ))
}

/// `{reason}`
#[derive(Debug, Deserialize, Default)]
pub struct WithdrawInput {
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/cases/{id}/withdraw`
pub async fn withdraw(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<WithdrawInput>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s.app.withdraw_case(&p, &id, &input.reason, &meta).await?;
    Ok(ApiJsonOut(view(&s, &c)?))
}

/// `?number=&name=` (name or mobile)
#[derive(Debug, Deserialize)]
pub struct ProgressQuery {
    pub number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

/// `GET /api/v1/cases/progress?number=&name=` (or `&phone=`) — public, rate-limited, masked.
pub async fn progress(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiQuery(q): ApiQuery<ProgressQuery>,
) -> Result<ApiJsonOut, ApiError> {
    if !s.limiter.allow(&format!("progress:{}", meta.client_ip)) {
        return Err(ApiError::of(ErrorCode::RATE_LIMITED));
    }
    let who = if q.name.trim().is_empty() {
        &q.phone
    } else {
        &q.name
    };
    Ok(ApiJsonOut(s.app.case_progress(&q.number, who).await?))
}

/// `{materials: {key: file id}}`
#[derive(Debug, Deserialize)]
pub struct SupplementInput {
    #[serde(default)]
    pub materials: std::collections::BTreeMap<String, String>,
}

/// `POST /api/v1/cases/{id}/supplement` — the applicant answers the supplement notice once.
pub async fn supplement(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<SupplementInput>,
) -> Result<ApiJsonOut, ApiError> {
    let c = s
        .app
        .supplement_case(&p, &id, input.materials, &meta)
        .await?;
    Ok(ApiJsonOut(view(&s, &c)?))
}

/// `{action: begin|end, name, reason, days}` — `reason` and the expected working `days` go
/// into the written notice (特别程序告知书) when a procedure begins.
#[derive(Debug, Deserialize)]
pub struct ProcedureInput {
    pub action: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub days: Option<u32>,
}

/// `POST /api/v1/cases/{id}/special-procedure` — pause or resume the clock (reviewers, approvers).
pub async fn special_procedure(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ProcedureInput>,
) -> Result<ApiJsonOut, ApiError> {
    let begin = match input.action.as_str() {
        "begin" => true,
        "end" => false,
        _ => {
            return Err(ApiError::with_detail(
                ErrorCode::INVALID_FIELD,
                "action must be begin or end",
            ));
        }
    };
    let c = s
        .app
        .special_procedure(
            &p,
            &id,
            begin,
            &input.name,
            (&input.reason, input.days.unwrap_or(0)),
            &meta,
        )
        .await?;
    Ok(ApiJsonOut(view(&s, &c)?))
}

/// `GET /api/v1/cases/{id}/notices/{notice}` — a sealed notice (PDF). The applicant's first
/// download of the decision delivers it electronically and closes the case.
pub async fn notice(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath((id, notice)): ApiPath<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let (n, bytes) = s.app.notice_pdf(&p, &id, &notice, &meta).await?;
    Ok(pdf_response(&n, bytes))
}

/// A sealed notice as a PDF download named by its document number.
pub fn pdf_response(n: &shenpi_app::cases::NoticeRef, bytes: Vec<u8>) -> axum::response::Response {
    let name: String = n
        .doc_number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
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
                format!("attachment; filename=\"notice-{name}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/seal-keys` — the public keys of the departments' electronic seals.
pub async fn seal_keys(State(s): State<AppState>) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(
        json!({"algorithm": "SM2-SM3", "distinguishing_id": shenpi_app::notices::DIST_ID, "keys": s.app.seal_keys().await?}),
    ))
}

/// `POST /api/v1/notices/verify` (body: the PDF) — whether a notice's seal is valid.
pub async fn verify_notice(
    State(s): State<AppState>,
    crate::error::ApiBytes(body): crate::error::ApiBytes,
) -> Result<ApiJsonOut, ApiError> {
    let v = s.app.verify_notice(&body).await?;
    Ok(ApiJsonOut(
        json!({"valid": true, "key_id": v.key_id, "region": v.region, "department": v.department}),
    ))
}

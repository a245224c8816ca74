//! The rules library (规则库) over HTTP: list, read, upload (checked and tested before it is
//! stored) and evaluate with the trace.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use shenpi_app::rules::RuleInput;
use shenpi_app::{Principal, RequestMeta};

/// `GET /api/v1/rules`
pub async fn list(State(s): State<AppState>) -> Result<ApiJsonOut, ApiError> {
    let rules = s.app.rules().await?;
    Ok(ApiJsonOut(json!({
        "items": rules.iter().map(|r| json!({
            "key": r.key, "version": r.version, "name": r.name, "purpose": r.purpose,
            "purpose_zh": r.purpose_zh, "tests": r.tests.len(),
            "created_by": r.created_by, "created_at": r.created_at,
        })).collect::<Vec<_>>(),
        "total": rules.len(),
    })))
}

/// `GET /api/v1/rules/{key}` — the newest version with its document and test cases.
pub async fn one(
    State(s): State<AppState>,
    ApiPath(key): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.rule(&key).await?)))
}

/// `POST /api/v1/rules` → `201` with the stored version, or `422 RULE_INVALID` /
/// `RULE_TESTS_FAILED` (with each failed case) and nothing stored.
pub async fn upload(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<RuleInput>,
) -> Result<impl IntoResponse, ApiError> {
    let r = s.app.upload_rule(&p, input, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(r))))
}

/// The body of an evaluation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateBody {
    pub input: Value,
}

/// `POST /api/v1/rules/{key}/evaluate {input}` → the output and the trace of every node.
pub async fn evaluate(
    State(s): State<AppState>,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<EvaluateBody>,
) -> Result<ApiJsonOut, ApiError> {
    let (r, d) = s.app.evaluate_rule(&key, &body.input).await?;
    Ok(ApiJsonOut(json!({
        "rule": {"key": r.key, "version": r.version, "name": r.name},
        "input": body.input,
        "output": d.output,
        "trace": d.trace,
    })))
}

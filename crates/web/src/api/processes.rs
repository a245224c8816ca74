//! Process management: `POST /api/v1/processes` with BPMN XML as the body; the list of stored
//! processes and their versions; one version's BPMN XML as stored.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiBytes, ApiError, ApiPath};
use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use shenpi_app::diagram::ProcessSummary;
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

/// Stored versions grouped by key (the input is sorted by key, newest version first).
pub fn grouped(all: &[ProcessSummary]) -> Vec<Value> {
    let mut out: Vec<Value> = vec![];
    for v in all {
        let version = json!({
            "version": v.version,
            "name": v.name,
            "created_by": v.created_by,
            "created_at": v.created_at.to_rfc3339(),
            "has_diagram": v.has_diagram,
        });
        match out.last_mut() {
            Some(last) if last["key"] == v.key.as_str() => {
                if let Some(vs) = last["versions"].as_array_mut() {
                    vs.push(version);
                }
            }
            _ => out.push(json!({
                "key": v.key,
                "latest_version": v.version,
                "name": v.name,
                "versions": [version],
            })),
        }
    }
    out
}

/// `GET /api/v1/processes` → `{items: [{key, latest_version, name, versions: [...]}]}`.
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    let all = s.app.processes(&p).await?;
    Ok(ApiJsonOut(json!({"items": grouped(&all)})))
}

/// `GET /api/v1/processes/{key}/{version}` → the stored BPMN XML (`application/xml`).
pub async fn one(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath((key, version)): ApiPath<(String, i64)>,
) -> Result<Response, ApiError> {
    let pv = s.app.process_version(&p, &key, version).await?;
    Ok(xml_response(pv.xml))
}

/// A BPMN file as an answer.
pub fn xml_response(xml: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

//! Shared-data look-ups (数据共享核查) for staff handling a case: the record, where it came
//! from and the pull's audit. Only with an open task of the caller's on the case.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiPath, ApiQuery};
use axum::Extension;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::registry::RegistryKind;

/// The query of a look-up.
#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    /// The case the look-up serves (the authorised purpose).
    #[serde(default)]
    pub case_id: Option<String>,
}

/// `GET /api/v1/data/{kind}/{key}?case_id=` → `{record, pull}`.
pub async fn lookup(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath((kind, key)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<LookupQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let kind = RegistryKind::parse(&kind).ok_or_else(|| {
        AppError::invalid_text(
            "kind",
            "DATA_KIND_UNKNOWN",
            "共享数据类别须为 enterprise、person、expert 或 project",
            "The registry must be enterprise, person, expert or project",
        )
    })?;
    let case_id = q.case_id.unwrap_or_default();
    let (record, pull) = s
        .app
        .lookup_registry(&p, kind, &key, &case_id, &meta)
        .await?;
    Ok(ApiJsonOut(json!({"record": record, "pull": pull})))
}

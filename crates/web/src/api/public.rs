//! Public endpoints: validation, calendar, regions, health, readiness, metrics.

use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiPath, ApiQuery};
use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;
use shenpi_app::RequestMeta;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::validate::validate_kind;

/// `?value=`
#[derive(Debug, Deserialize)]
pub struct ValueQuery {
    pub value: String,
}

/// `GET /api/v1/validate/{kind}?value=` — rate-limited per client address.
pub async fn validate(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(q): ApiQuery<ValueQuery>,
) -> Result<ApiJsonOut, ApiError> {
    if !s.limiter.allow(&meta.client_ip) {
        return Err(ApiError::of(ErrorCode::RATE_LIMITED));
    }
    if q.value.len() > 256 {
        return Err(ApiError::with_detail(
            ErrorCode::INVALID_QUERY,
            "value longer than 256 bytes",
        ));
    }
    match validate_kind(&kind, &q.value) {
        Err(_) => Err(ApiError::with_detail(
            ErrorCode::VALIDATION_KIND_UNKNOWN,
            "uscc, id-number, mobile, region, cert-id",
        )),
        Ok(Ok(_)) => Ok(ApiJsonOut(
            json!({"valid": true, "reason_zh": null, "reason_en": null}),
        )),
        Ok(Err(e)) => Ok(ApiJsonOut(json!({
            "valid": false, "code": e.code, "reason_zh": e.reason_zh, "reason_en": e.reason_en
        }))),
    }
}

/// `?from=YYYY-MM-DD&days=N`
#[derive(Debug, Deserialize)]
pub struct AddDaysQuery {
    pub from: String,
    pub days: i64,
}

/// `GET /api/v1/calendar/add-working-days`
pub async fn add_working_days(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<AddDaysQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let from = NaiveDate::parse_from_str(&q.from, "%Y-%m-%d").map_err(|_| {
        ApiError::with_detail(ErrorCode::INVALID_QUERY, "from must be a date YYYY-MM-DD")
    })?;
    let days = u32::try_from(q.days)
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| ApiError::with_detail(ErrorCode::INVALID_QUERY, "days must be 1..=3650"))?;
    let date = s.app.add_working_days(from, days)?;
    Ok(ApiJsonOut(
        json!({"date": date.format("%Y-%m-%d").to_string()}),
    ))
}

/// `GET /api/v1/calendar/{year}`
pub async fn calendar_year(
    State(s): State<AppState>,
    ApiPath(year): ApiPath<i32>,
) -> Result<ApiJsonOut, ApiError> {
    let y = s.app.calendar_year(year)?;
    let cal = s.app.calendar();
    let mut working = 0;
    let mut d = NaiveDate::from_ymd_opt(year, 1, 1);
    while let Some(day) = d.filter(|d| d.year() == year) {
        if cal.is_working_day(day).unwrap_or(false) {
            working += 1;
        }
        d = day.succ_opt();
    }
    Ok(ApiJsonOut(json!({
        "year": y.year, "holidays": y.holidays, "workdays": y.workdays, "working_days": working
    })))
}

/// `GET /api/v1/regions`
pub async fn regions(State(s): State<AppState>) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!({"items": s.app.regions().await?})))
}

/// `GET /healthz` — the process is up.
pub async fn healthz() -> ApiJsonOut {
    ApiJsonOut(json!({"status": "ok"}))
}

/// `GET /readyz` — the database answers.
pub async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.app.store.ping().await {
        Ok(()) => (StatusCode::OK, axum::Json(json!({"status": "ready"}))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            ApiError::of(ErrorCode::UNAVAILABLE).into_response()
        }
    }
}

/// `GET /metrics` — Prometheus text format.
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
}

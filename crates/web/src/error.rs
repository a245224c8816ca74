//! The one mapping of errors to HTTP, and extractors whose rejections become bilingual 4xx
//! answers with stable codes (`{"code","message_zh","message_en","details"}`).
//! Internal errors are logged with the request id and answered with a generic 500.

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use shenpi_app::AppError;
use shenpi_app::error::PublicError;
use shenpi_domain::error::ErrorCode;

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub PublicError);

impl ApiError {
    /// An error with the default message of `code`.
    pub fn of(code: ErrorCode) -> Self {
        ApiError(PublicError::of(code))
    }

    /// With the technical reason (e.g. the parser's message) in `details.reason`; the messages
    /// stay the table's clear bilingual text.
    pub fn with_detail(code: ErrorCode, detail: &str) -> Self {
        ApiError(PublicError::of(code).details(serde_json::json!({"reason": detail})))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        if e.is_internal() {
            tracing::error!(error = %e, "internal error");
        }
        ApiError(e.public())
    }
}

/// The JSON body of an error.
pub fn error_body(p: &PublicError) -> serde_json::Value {
    serde_json::json!({
        "code": p.code.code,
        "message_zh": p.message_zh,
        "message_en": p.message_en,
        "details": p.details,
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, axum::Json(error_body(&self.0))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let detail = r.body_text();
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::of(ErrorCode::UNSUPPORTED_MEDIA_TYPE),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::with_detail(ErrorCode::INVALID_JSON, &detail)
        }
        JsonRejection::JsonDataError(_) => ApiError::with_detail(ErrorCode::INVALID_FIELD, &detail),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::of(ErrorCode::PAYLOAD_TOO_LARGE)
        }
        _ => ApiError::with_detail(ErrorCode::BAD_REQUEST, &detail),
    }
}

/// `Json<T>` whose rejections are [`ApiError`]s.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(json_rejection)
    }
}

/// `Query<T>` whose rejections are [`ApiError`]s.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|r: QueryRejection| {
                ApiError::with_detail(ErrorCode::INVALID_QUERY, &r.body_text())
            })
    }
}

/// `Path<T>` whose rejections are [`ApiError`]s.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|r: PathRejection| {
                ApiError::with_detail(ErrorCode::BAD_REQUEST, &r.body_text())
            })
    }
}

/// `Form<T>` for pages; rejections become a 400/413 answer.
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|axum::Form(v)| PageForm(v))
            .map_err(|r: FormRejection| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::of(ErrorCode::PAYLOAD_TOO_LARGE)
                } else {
                    ApiError::with_detail(ErrorCode::BAD_REQUEST, &r.body_text())
                }
            })
    }
}

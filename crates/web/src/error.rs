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
pub struct ApiError(pub Box<PublicError>);

impl ApiError {
    /// An error with the default message of `code`.
    pub fn of(code: ErrorCode) -> Self {
        ApiError(Box::new(PublicError::of(code)))
    }

    /// With the technical reason (e.g. the parser's message) in `details.reason`; the messages
    /// stay the table's clear bilingual text.
    pub fn with_detail(code: ErrorCode, detail: &str) -> Self {
        ApiError(Box::new(
            PublicError::of(code).details(serde_json::json!({"reason": detail})),
        ))
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        if e.is_internal() {
            tracing::error!(error = %e, "internal error");
        }
        ApiError(Box::new(e.public()))
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

/// A NUL character is never valid text here (PostgreSQL refuses it in TEXT columns).
fn nul_refused() -> ApiError {
    ApiError::with_detail(
        ErrorCode::INVALID_FIELD,
        "the NUL character (U+0000) is not allowed",
    )
}

/// Whether raw JSON contains an escaped NUL (`\u0000`).
fn json_has_nul(bytes: &[u8]) -> bool {
    bytes
        .windows(6)
        .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].eq_ignore_ascii_case(b"0000"))
        || bytes.contains(&0)
}

/// Whether percent-encoded text contains `%00`.
pub fn urlencoded_has_nul(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"%00") || text.contains(&0)
}

/// `Json<T>` whose rejections are [`ApiError`]s.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !json_type {
            return Err(ApiError::of(ErrorCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::of(ErrorCode::PAYLOAD_TOO_LARGE)
                } else {
                    ApiError::with_detail(ErrorCode::BAD_REQUEST, &r.body_text())
                }
            })?;
        if json_has_nul(&bytes) {
            return Err(nul_refused());
        }
        axum::Json::<T>::from_bytes(&bytes)
            .map(|axum::Json(v)| ApiJson(v))
            .map_err(json_rejection)
    }
}

/// `Query<T>` whose rejections are [`ApiError`]s.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if urlencoded_has_nul(parts.uri.query().unwrap_or("").as_bytes()) {
            return Err(nul_refused());
        }
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
        if urlencoded_has_nul(parts.uri.path().as_bytes()) {
            return Err(nul_refused());
        }
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
        // Page form bodies were already read within the body limit by the page guard.
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| ApiError::of(ErrorCode::PAYLOAD_TOO_LARGE))?;
        if urlencoded_has_nul(&bytes)
            || urlencoded_has_nul(parts.uri.query().unwrap_or("").as_bytes())
        {
            return Err(nul_refused());
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
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

/// The raw request body within the route's limit; rejections are [`ApiError`]s.
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(ApiBytes)
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::of(ErrorCode::PAYLOAD_TOO_LARGE)
                } else {
                    ApiError::with_detail(ErrorCode::BAD_REQUEST, &r.body_text())
                }
            })
    }
}

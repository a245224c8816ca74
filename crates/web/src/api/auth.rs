//! Sign-in, sign-out, registration and self-service (`/api/v1/auth/*`, `/api/v1/me*`).

use super::UserView;
use crate::AppState;
use crate::error::{ApiError, ApiJson};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use shenpi_app::auth::{Channel, LoginInput, RegisterInput};
use shenpi_app::{Principal, RequestMeta};

/// `POST /api/v1/auth/login`
pub async fn login(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<ApiJsonOut, ApiError> {
    let out = s.app.login(input, Channel::Api, &meta).await?;
    Ok(ApiJsonOut(json!({
        "token": out.token,
        "expires_at": out.expires_at.to_rfc3339(),
        "user": UserView::from(&out.user),
    })))
}

/// `POST /api/v1/auth/logout`
pub async fn logout(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
) -> Result<StatusCode, ApiError> {
    s.app.logout(&p, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/register`
pub async fn register(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<impl IntoResponse, ApiError> {
    let u = s.app.register(input, &meta).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"user": UserView::from(&u)})),
    ))
}

/// `GET /api/v1/me`
pub async fn me(Extension(p): Extension<Principal>) -> ApiJsonOut {
    ApiJsonOut(json!({"user": UserView::from(&p.user)}))
}

/// Password change input.
#[derive(Debug, Deserialize)]
pub struct PasswordInput {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/v1/me/password`
pub async fn change_password(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> Result<StatusCode, ApiError> {
    s.app
        .change_password(&p, &input.current_password, &input.new_password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/me/totp`
pub async fn totp_begin(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    let uri = s.app.totp_begin(&p, &meta).await?;
    Ok(ApiJsonOut(json!({"otpauth_uri": uri})))
}

/// TOTP confirmation input.
#[derive(Debug, Deserialize)]
pub struct TotpInput {
    pub code: String,
}

/// `POST /api/v1/me/totp/confirm`
pub async fn totp_confirm(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<TotpInput>,
) -> Result<ApiJsonOut, ApiError> {
    s.app.totp_confirm(&p, &input.code, &meta).await?;
    Ok(ApiJsonOut(json!({"totp_enabled": true})))
}

/// A 200 JSON answer.
pub struct ApiJsonOut(pub Value);

impl IntoResponse for ApiJsonOut {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

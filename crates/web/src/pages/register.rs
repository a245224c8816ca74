//! Self-registration page for citizens and enterprises.

use super::login::{pre_csrf, pre_csrf_cookie};
use super::{Ctx, render};
use crate::AppState;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shenpi_app::RequestMeta;
use shenpi_app::auth::RegisterInput;

/// The registration form (also the values shown again after an error).
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub enterprise_name: String,
    #[serde(default, skip_serializing)]
    pub password: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: Ctx,
    csrf: String,
    form: RegisterForm,
    error: Option<String>,
}

/// `GET /register` (a signed-in user goes home).
pub async fn show(
    State(s): State<AppState>,
    p: Option<Extension<shenpi_app::Principal>>,
    headers: HeaderMap,
) -> Response {
    if p.is_some() {
        return Redirect::to("/").into_response();
    }
    let (csrf, fresh) = pre_csrf(&headers);
    let page = RegisterPage {
        ctx: Ctx::new(&headers, None, "/register"),
        csrf: csrf.clone(),
        form: RegisterForm {
            kind: "citizen".into(),
            ..Default::default()
        },
        error: None,
    };
    let mut resp = render(&page);
    if fresh && let Ok(v) = HeaderValue::from_str(&pre_csrf_cookie(&s, &csrf)) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// `POST /register`
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(mut f): PageForm<RegisterForm>,
) -> Response {
    let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let input = RegisterInput {
        username: f.username.clone(),
        password: std::mem::take(&mut f.password),
        kind: f.kind.clone(),
        name: f.name.clone(),
        id_number: f.id_number.clone(),
        mobile: f.mobile.clone(),
        uscc: opt(&f.uscc),
        enterprise_name: opt(&f.enterprise_name),
    };
    match s.app.register(input, &meta).await {
        Ok(_) => Redirect::to("/login?next=/").into_response(),
        Err(e) => {
            let ctx = Ctx::new(&headers, None, "/register");
            let p = e.public();
            let msg = if ctx.lang.en {
                p.message_en
            } else {
                p.message_zh
            };
            let (csrf, _) = pre_csrf(&headers);
            let status = StatusCode::from_u16(p.code.status).unwrap_or(StatusCode::BAD_REQUEST);
            (
                status,
                render(&RegisterPage {
                    ctx,
                    csrf,
                    form: f,
                    error: Some(msg),
                }),
            )
                .into_response()
        }
    }
}

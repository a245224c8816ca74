//! The sign-in page and sign-out.

use super::{Ctx, render, safe_next};
use crate::AppState;
use crate::error::PageForm;
use crate::guard::{PRE_CSRF_COOKIE, SESSION_COOKIE, cookie};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shenpi_app::auth::{Channel, LoginInput};
use shenpi_app::{Principal, RequestMeta};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

/// `?next=`
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

fn with_cookie(mut resp: Response, value: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The pre-sign-in CSRF token (double-submit cookie), reused while the cookie lives.
pub fn pre_csrf(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, PRE_CSRF_COOKIE).filter(|c| c.len() == 32) {
        Some(c) => (c.to_string(), false),
        None => (
            shenpi_app::passwords::random_hex(16).unwrap_or_default(),
            true,
        ),
    }
}

pub fn pre_csrf_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{PRE_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// `GET /login` (a signed-in user goes straight on).
pub async fn show(
    State(s): State<AppState>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if p.is_some() {
        return Redirect::to(safe_next(q.next.as_deref().unwrap_or("/"))).into_response();
    }
    let (csrf, fresh) = pre_csrf(&headers);
    let page = LoginPage {
        ctx: Ctx::new(&headers, None, "/login"),
        csrf: csrf.clone(),
        next: safe_next(q.next.as_deref().unwrap_or("/")).to_string(),
        username: String::new(),
        error: None,
    };
    let resp = render(&page);
    if fresh {
        with_cookie(resp, pre_csrf_cookie(&s, &csrf))
    } else {
        resp
    }
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub totp: Option<String>,
    pub next: Option<String>,
}

/// `POST /login`
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    PageForm(f): PageForm<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref().unwrap_or("/")).to_string();
    let input = LoginInput {
        username: f.username.clone(),
        password: f.password,
        totp: f.totp,
    };
    match s.app.login(input, Channel::Page, &meta).await {
        Ok(out) => {
            let secure = if s.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let resp = Redirect::to(&next).into_response();
            with_cookie(
                resp,
                format!(
                    "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
                    out.token
                ),
            )
        }
        Err(e) => {
            let ctx = Ctx::new(&headers, None, "/login");
            let p = e.public();
            let msg = if ctx.lang.en {
                p.message_en
            } else {
                p.message_zh
            };
            let (csrf, _) = pre_csrf(&headers);
            let page = LoginPage {
                ctx,
                csrf,
                next,
                username: f.username,
                error: Some(msg),
            };
            let status = axum::http::StatusCode::from_u16(p.code.status)
                .unwrap_or(axum::http::StatusCode::UNAUTHORIZED);
            (status, render(&page)).into_response()
        }
    }
}

/// `POST /logout`
pub async fn logout(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
) -> Response {
    if let Err(e) = s.app.logout(&p, &meta).await {
        tracing::error!(error = %e, "logout failed");
        return super::error_page(&s, &HeaderMap::new(), Some(&p), e.public());
    }
    let resp = Redirect::to("/login").into_response();
    with_cookie(
        resp,
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    )
}

//! Server-rendered pages (askama templates compiled into the binary, htmx for interaction).
//! zh-CN by default with an English switch; an elder-friendly large-font, high-contrast mode
//! (适老化); every page works as a full page load.

pub mod admin;
pub mod apply;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod certs;
pub mod data;
pub mod form_view;
pub mod home;
pub mod login;
pub mod me;
pub mod processes;
pub mod proposals;
pub mod register;
pub mod registration;
pub mod search;
pub mod supervision;
pub mod tasks;

use crate::AppState;
use crate::error::ApiError;
use crate::guard::cookie;
use askama::Template;
use axum::extract::{OriginalUri, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use shenpi_app::Principal;
use shenpi_app::error::PublicError;
use shenpi_app::policy::Action;
use shenpi_domain::error::ErrorCode;

/// The display language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang {
    pub en: bool,
}

impl Lang {
    /// Picks the text of the current language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { zh }
    }
    /// The `lang` attribute.
    pub fn code(&self) -> &'static str {
        if self.en { "en" } else { "zh-CN" }
    }
}

/// A navigation entry.
#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

/// The signed-in user as the top bar shows them.
#[derive(Debug, Clone)]
pub struct UserBox {
    pub name: String,
    pub role: String,
}

/// What every page needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub elder: bool,
    pub user: Option<UserBox>,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    /// The current path, for the language switch to come back to.
    pub path: String,
}

impl Ctx {
    /// The context for a request.
    pub fn new(headers: &HeaderMap, p: Option<&Principal>, path: &str) -> Ctx {
        let lang = Lang {
            en: cookie(headers, "shenpi_lang") == Some("en"),
        };
        let elder = cookie(headers, "shenpi_elder") == Some("1");
        let user = p.map(|p| UserBox {
            name: p.user.display_name.clone(),
            role: p
                .user
                .roles
                .iter()
                .map(|r| if lang.en { r.name_en() } else { r.name_zh() })
                .collect::<Vec<_>>()
                .join("、"),
        });
        Ctx {
            lang,
            elder,
            user,
            nav: p.map(|p| nav_for(p, lang, path)).unwrap_or_default(),
            csrf: p.map(|p| p.csrf_token.clone()).unwrap_or_default(),
            path: path.to_string(),
        }
    }
}

fn nav_for(p: &Principal, lang: Lang, path: &str) -> Vec<NavItem> {
    let allowed = |a: Action| shenpi_app::policy::authorize(p, a, None).is_ok();
    let mut v = vec![(
        "/",
        if p.user.roles.iter().any(|r| r.is_applicant()) {
            lang.t("我的办事", "My services")
        } else {
            lang.t("工作台", "Workbench")
        },
    )];
    if p.user.roles.iter().any(|r| r.is_applicant()) {
        v.push(("/cases", lang.t("我的办件", "My applications")));
    }
    v.push(("/items", lang.t("办事指南", "Service guides")));
    if p.user.roles.iter().any(|r| r.is_applicant()) {
        v.push(("/bundles", lang.t("一件事", "One application")));
        v.push(("/registration", lang.t("企业开办", "Company registration")));
        v.push(("/certificates", lang.t("我的证照", "My certificates")));
    }
    if allowed(Action::CatalogReview) {
        v.push(("/proposals", lang.t("事项变更", "Catalog changes")));
    }
    if p.user.roles.iter().any(|r| {
        matches!(
            r,
            shenpi_domain::org::Role::Clerk
                | shenpi_domain::org::Role::Reviewer
                | shenpi_domain::org::Role::Approver
        )
    }) {
        v.push(("/tasks", lang.t("待办", "To do")));
    }
    if allowed(Action::ProcessManage) {
        v.push(("/processes", lang.t("流程管理", "Processes")));
    }
    if allowed(Action::Supervise) {
        v.push(("/supervision", lang.t("电子监察", "E-supervision")));
    }
    if allowed(Action::UserList) {
        v.push(("/admin/users", lang.t("用户管理", "Accounts")));
    }
    if allowed(Action::SecurityAlerts) {
        v.push(("/admin/security", lang.t("安全管理", "Security")));
    }
    if allowed(Action::AuditRead) {
        v.push(("/admin/audit", lang.t("审计日志", "Audit log")));
    }
    v.push(("/calendar", lang.t("工作日历", "Calendar")));
    v.push(("/me", lang.t("我的账号", "My account")));
    v.into_iter()
        .map(|(href, label)| NavItem {
            href,
            label: label.to_string(),
            active: href == path,
        })
        .collect()
}

/// Renders a template into a response (a render failure is a 500 page, never a panic).
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template render failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>500</h1>".to_string()),
            )
                .into_response()
        }
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: Ctx,
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// An HTML error page for an error.
pub fn error_page(
    _state: &AppState,
    headers: &HeaderMap,
    p: Option<&Principal>,
    e: PublicError,
) -> Response {
    let ctx = Ctx::new(headers, p, "");
    let message = if ctx.lang.en {
        e.message_en.clone()
    } else {
        e.message_zh.clone()
    };
    let status = StatusCode::from_u16(e.code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let page = ErrorPage {
        ctx,
        status: status.as_u16(),
        code: e.code.code.to_string(),
        message,
    };
    (status, render(&page)).into_response()
}

/// Redirect to the sign-in page, coming back afterwards.
pub fn redirect_to_login(next: &str) -> Response {
    let safe = safe_next(next);
    Redirect::to(&format!("/login?next={}", encode(safe))).into_response()
}

/// A local path to go back to (never another site): `/` followed by printable ASCII, no
/// backslash, not `//`. Browsers drop tabs and newlines, so `/\t/evil` would become `//evil`.
pub fn safe_next(next: &str) -> &str {
    let bytes = next.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\')
        && next.len() <= 1000;
    if local { next } else { "/" }
}

/// Minimal percent-encoding for a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn wants_json(uri: &axum::http::Uri, headers: &HeaderMap) -> bool {
    uri.path().starts_with("/api/")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// Unknown routes: JSON under `/api`, a 404 page elsewhere.
pub async fn not_found(OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    if wants_json(&uri, &headers) {
        return ApiError::of(ErrorCode::ROUTE_NOT_FOUND).into_response();
    }
    let ctx = Ctx::new(&headers, None, "");
    let e = PublicError::of(ErrorCode::ROUTE_NOT_FOUND);
    let message = if ctx.lang.en {
        e.message_en
    } else {
        e.message_zh
    };
    (
        StatusCode::NOT_FOUND,
        render(&ErrorPage {
            ctx,
            status: 404,
            code: e.code.code.into(),
            message,
        }),
    )
        .into_response()
}

/// Known routes with the wrong method.
pub async fn method_not_allowed(OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    if wants_json(&uri, &headers) {
        return ApiError::of(ErrorCode::METHOD_NOT_ALLOWED).into_response();
    }
    let ctx = Ctx::new(&headers, None, "");
    let e = PublicError::of(ErrorCode::METHOD_NOT_ALLOWED);
    let message = if ctx.lang.en {
        e.message_en
    } else {
        e.message_zh
    };
    (
        StatusCode::METHOD_NOT_ALLOWED,
        render(&ErrorPage {
            ctx,
            status: 405,
            code: e.code.code.into(),
            message,
        }),
    )
        .into_response()
}

/// A panic inside a handler: logged, answered with the generic 500 body.
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::of(ErrorCode::INTERNAL).into_response()
}

/// `?lang=zh|en&elder=0|1&back=/path`
#[derive(Debug, Deserialize)]
pub struct PrefsQuery {
    pub lang: Option<String>,
    pub elder: Option<String>,
    pub back: Option<String>,
}

/// `GET /prefs` — sets the language or elder-mode cookie and goes back.
pub async fn prefs(Query(q): Query<PrefsQuery>) -> Response {
    let mut resp = Redirect::to(safe_next(q.back.as_deref().unwrap_or("/"))).into_response();
    let year = 60 * 60 * 24 * 365;
    let mut set = |name: &str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; Max-Age={year}; SameSite=Lax"
        )) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    };
    match q.lang.as_deref() {
        Some("en") => set("shenpi_lang", "en"),
        Some("zh") => set("shenpi_lang", "zh"),
        _ => {}
    }
    match q.elder.as_deref() {
        Some("1") => set("shenpi_elder", "1"),
        Some("0") => set("shenpi_elder", "0"),
        _ => {}
    }
    resp
}

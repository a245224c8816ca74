//! The one route table. Every route declares its method, path, [`Access`] and documentation;
//! the router, the OpenAPI document and the route × role test all read this table, so a route
//! cannot exist without a declared access rule.

use crate::guard::{Access, api_guard, page_guard};
use crate::{AppState, api, assets, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use serde_json::Value;
use shenpi_app::policy::Action;

/// Whether a route is part of the JSON API or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Page,
    /// Infrastructure (health, metrics, assets, docs): public, no session.
    Infra,
}

/// One route.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub kind: Kind,
    pub access: Access,
    /// Short summary for the OpenAPI document.
    pub summary: &'static str,
    /// JSON schema of the request body, if any.
    pub body: Option<fn() -> Value>,
    pub handler: MethodRouter<AppState>,
}

fn r(
    method: Method,
    path: &'static str,
    kind: Kind,
    access: Access,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        kind,
        access,
        summary,
        body: None,
        handler,
    }
}

fn with_body(mut spec: RouteSpec, body: fn() -> Value) -> RouteSpec {
    spec.body = Some(body);
    spec
}

/// Every route of the platform.
pub fn table() -> Vec<RouteSpec> {
    use crate::openapi::schemas as s;
    use Access::{Public, Signed};
    use Kind::{Api, Infra, Page};
    use Method as M;
    vec![
        // Infrastructure.
        r(
            M::GET,
            "/healthz",
            Infra,
            Public,
            "Liveness",
            get(api::public::healthz),
        ),
        r(
            M::GET,
            "/readyz",
            Infra,
            Public,
            "Readiness (database answers)",
            get(api::public::readyz),
        ),
        r(
            M::GET,
            "/metrics",
            Infra,
            Public,
            "Prometheus metrics",
            get(api::public::metrics),
        ),
        r(
            M::GET,
            "/api/openapi.json",
            Infra,
            Public,
            "This document",
            get(crate::openapi::document),
        ),
        r(
            M::GET,
            "/api/docs",
            Infra,
            Public,
            "API console",
            get(assets::api_docs),
        ),
        r(
            M::GET,
            "/assets/{name}",
            Infra,
            Public,
            "Embedded asset",
            get(assets::asset),
        ),
        // Authentication and self-service.
        with_body(
            r(
                M::POST,
                "/api/v1/auth/login",
                Api,
                Public,
                "Sign in; returns a bearer token",
                post(api::auth::login),
            ),
            s::login,
        ),
        r(
            M::POST,
            "/api/v1/auth/logout",
            Api,
            Signed(Action::SelfService),
            "Sign out (ends the session on the server)",
            post(api::auth::logout),
        ),
        with_body(
            r(
                M::POST,
                "/api/v1/auth/register",
                Api,
                Public,
                "Self-registration of a citizen or enterprise",
                post(api::auth::register),
            ),
            s::register,
        ),
        r(
            M::GET,
            "/api/v1/me",
            Api,
            Signed(Action::SelfService),
            "The caller's account",
            get(api::auth::me),
        ),
        with_body(
            r(
                M::POST,
                "/api/v1/me/password",
                Api,
                Signed(Action::SelfService),
                "Change password (ends other sessions)",
                post(api::auth::change_password),
            ),
            s::password,
        ),
        r(
            M::POST,
            "/api/v1/me/totp",
            Api,
            Signed(Action::SelfService),
            "Start TOTP enrolment; returns an otpauth URI",
            post(api::auth::totp_begin),
        ),
        with_body(
            r(
                M::POST,
                "/api/v1/me/totp/confirm",
                Api,
                Signed(Action::SelfService),
                "Confirm TOTP enrolment with a code",
                post(api::auth::totp_confirm),
            ),
            s::totp,
        ),
        // Administration.
        r(
            M::GET,
            "/api/v1/users",
            Api,
            Signed(Action::UserList),
            "List accounts (region-scoped)",
            get(api::admin::list_users),
        ),
        with_body(
            r(
                M::POST,
                "/api/v1/users",
                Api,
                Signed(Action::UserCreate),
                "Create a staff account",
                post(api::admin::create_user),
            ),
            s::new_user,
        ),
        r(
            M::POST,
            "/api/v1/users/{username}/lock",
            Api,
            Signed(Action::UserLockUnlock),
            "Lock (disable) an account",
            post(api::admin::lock_user),
        ),
        r(
            M::POST,
            "/api/v1/users/{username}/unlock",
            Api,
            Signed(Action::UserLockUnlock),
            "Unlock an account and clear lockouts",
            post(api::admin::unlock_user),
        ),
        r(
            M::GET,
            "/api/v1/security/alerts",
            Api,
            Signed(Action::SecurityAlerts),
            "Security alerts",
            get(api::admin::alerts),
        ),
        r(
            M::GET,
            "/api/v1/audit",
            Api,
            Signed(Action::AuditRead),
            "Audit log, newest first",
            get(api::admin::audit),
        ),
        r(
            M::GET,
            "/api/v1/audit/verify",
            Api,
            Signed(Action::AuditVerify),
            "Verify the SM3 audit chains",
            get(api::admin::audit_verify),
        ),
        with_body(
            r(
                M::PUT,
                "/api/v1/calendar/{year}",
                Api,
                Signed(Action::CalendarUpdate),
                "Load or replace a calendar year",
                put(api::admin::put_calendar_year),
            ),
            s::calendar_year,
        ),
        r(
            M::GET,
            "/api/v1/departments",
            Api,
            Signed(Action::StaffRead),
            "Departments (optionally ?region=)",
            get(api::admin::departments),
        ),
        // Public data.
        r(
            M::GET,
            "/api/v1/regions",
            Api,
            Public,
            "Regions served",
            get(api::public::regions),
        ),
        r(
            M::GET,
            "/api/v1/validate/{kind}",
            Api,
            Public,
            "Validate uscc, id-number, mobile, region or cert-id (?value=)",
            get(api::public::validate),
        ),
        r(
            M::GET,
            "/api/v1/calendar/add-working-days",
            Api,
            Public,
            "The N-th working day after a date (?from=&days=)",
            get(api::public::add_working_days),
        ),
        r(
            M::GET,
            "/api/v1/calendar/{year}",
            Api,
            Public,
            "One calendar year",
            get(api::public::calendar_year),
        ),
        // Pages.
        r(
            M::GET,
            "/login",
            Page,
            Public,
            "Sign-in page",
            get(pages::login::show),
        ),
        r(
            M::POST,
            "/login",
            Page,
            Public,
            "Sign in",
            post(pages::login::submit),
        ),
        r(
            M::POST,
            "/logout",
            Page,
            Signed(Action::SelfService),
            "Sign out",
            post(pages::login::logout),
        ),
        r(
            M::GET,
            "/register",
            Page,
            Public,
            "Registration page",
            get(pages::register::show),
        ),
        r(
            M::POST,
            "/register",
            Page,
            Public,
            "Register",
            post(pages::register::submit),
        ),
        r(
            M::GET,
            "/",
            Page,
            Signed(Action::SelfService),
            "Home (per role)",
            get(pages::home::show),
        ),
        r(
            M::GET,
            "/me",
            Page,
            Signed(Action::SelfService),
            "My account",
            get(pages::me::show),
        ),
        r(
            M::POST,
            "/me/password",
            Page,
            Signed(Action::SelfService),
            "Change password",
            post(pages::me::change_password),
        ),
        r(
            M::GET,
            "/prefs",
            Page,
            Public,
            "Language and elder-mode switch",
            get(pages::prefs),
        ),
        r(
            M::GET,
            "/calendar",
            Page,
            Public,
            "Working-day calendar",
            get(pages::calendar::show),
        ),
        r(
            M::GET,
            "/admin/users",
            Page,
            Signed(Action::UserList),
            "Accounts",
            get(pages::admin::users),
        ),
        r(
            M::GET,
            "/admin/security",
            Page,
            Signed(Action::SecurityAlerts),
            "Security: alerts and unlock",
            get(pages::admin::security),
        ),
        r(
            M::POST,
            "/admin/security/unlock",
            Page,
            Signed(Action::UserLockUnlock),
            "Unlock an account",
            post(pages::admin::unlock),
        ),
        r(
            M::GET,
            "/admin/audit",
            Page,
            Signed(Action::AuditRead),
            "Audit log",
            get(pages::admin::audit),
        ),
        r(
            M::POST,
            "/admin/audit/verify",
            Page,
            Signed(Action::AuditVerify),
            "Verify the audit chains",
            post(pages::admin::audit_verify),
        ),
    ]
}

/// Builds the whole router from [`table`].
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    let mut paths: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for spec in table() {
        let guarded = match spec.kind {
            Kind::Api => spec
                .handler
                .route_layer(axum::middleware::from_fn_with_state(
                    (state.clone(), spec.access),
                    api_guard,
                )),
            Kind::Page => spec
                .handler
                .route_layer(axum::middleware::from_fn_with_state(
                    (state.clone(), spec.access),
                    page_guard,
                )),
            Kind::Infra => spec.handler,
        };
        match paths.iter_mut().find(|(p, _)| *p == spec.path) {
            Some((_, mr)) => {
                let merged = std::mem::take(mr).merge(guarded);
                *mr = merged;
            }
            None => paths.push((spec.path, guarded)),
        }
    }
    for (path, mr) in paths {
        router = router.route(path, mr);
    }
    router
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::telemetry::observe,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            pages::panic_response,
        ))
        .with_state(state)
}

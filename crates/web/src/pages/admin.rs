//! Administration pages: accounts (system admin), security (security admin), audit (audit admin).

use super::{Ctx, render};
use crate::AppState;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shenpi_app::audit::ChainReport;
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::mask::mask_mobile;
use shenpi_store::model::AuditFilter;

struct UserRow {
    username: String,
    name: String,
    roles: String,
    region: String,
    mobile: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    ctx: Ctx,
    users: Vec<UserRow>,
    total: i64,
    page: i64,
    pages: i64,
}

fn failed(state: &AppState, headers: &HeaderMap, p: &Principal, e: AppError) -> Response {
    super::error_page(state, headers, Some(p), e.public())
}

fn pages_of(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page.max(1)).max(1)
}

/// `GET /admin/users`
pub async fn users(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let page_no = q
        .get("page")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let page = match s.app.list_users(&p, None, page_no).await {
        Ok(pg) => pg,
        Err(e) => return failed(&s, &headers, &p, e),
    };
    let ctx = Ctx::new(&headers, Some(&p), "/admin/users");
    let en = ctx.lang.en;
    let users = page
        .items
        .iter()
        .map(|u| UserRow {
            username: u.username.clone(),
            name: u.display_name.clone(),
            roles: u
                .roles
                .iter()
                .map(|r| if en { r.name_en() } else { r.name_zh() })
                .collect::<Vec<_>>()
                .join("、"),
            region: shenpi_domain::regions::name_of(&u.region_code)
                .unwrap_or(&u.region_code)
                .to_string(),
            mobile: u.mobile.as_deref().map(mask_mobile).unwrap_or_default(),
            disabled: u.disabled,
        })
        .collect();
    render(&UsersPage {
        ctx,
        users,
        total: page.total,
        page: page.page,
        pages: pages_of(page.total, page.per_page),
    })
}

#[derive(Template)]
#[template(path = "admin_security.html")]
struct SecurityPage {
    ctx: Ctx,
    alerts: Vec<(String, String, String, String)>,
    message: Option<String>,
    error: Option<String>,
}

async fn security_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let alerts = match s.app.alerts(p).await {
        Ok(a) => a,
        Err(e) => return failed(s, headers, p, e),
    };
    let ctx = Ctx::new(headers, Some(p), "/admin/security");
    let alerts = alerts
        .into_iter()
        .map(|a| {
            let local = a.at + chrono::Duration::hours(8);
            (
                local.format("%Y-%m-%d %H:%M").to_string(),
                a.kind,
                a.subject,
                a.details.to_string(),
            )
        })
        .collect();
    render(&SecurityPage {
        ctx,
        alerts,
        message,
        error,
    })
}

/// `GET /admin/security`
pub async fn security(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    security_page(&s, &headers, &p, None, None).await
}

/// The unlock form.
#[derive(Debug, Deserialize)]
pub struct UnlockForm {
    pub username: String,
}

/// `POST /admin/security/unlock`
pub async fn unlock(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    PageForm(f): PageForm<UnlockForm>,
) -> Response {
    let en = Ctx::new(&headers, None, "").lang.en;
    match s
        .app
        .set_locked(Some(&p), f.username.trim(), false, &meta)
        .await
    {
        Ok(u) => {
            let msg = if en {
                format!("{} is unlocked.", u.username)
            } else {
                format!("账号 {} 已解锁。", u.username)
            };
            security_page(&s, &headers, &p, Some(msg), None).await
        }
        Err(e) => {
            let pe = e.public();
            let status = axum::http::StatusCode::from_u16(pe.code.status)
                .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
            let msg = if en { pe.message_en } else { pe.message_zh };
            (
                status,
                security_page(&s, &headers, &p, None, Some(msg)).await,
            )
                .into_response()
        }
    }
}

/// One audit entry as the page shows it.
struct AuditRow {
    at: String,
    region: String,
    seq: i64,
    actor: String,
    action: String,
    object: String,
    ip: String,
    outcome: String,
}

/// Only the verification result, for an htmx request.
#[derive(Template)]
#[template(path = "audit_verify_fragment.html")]
struct VerifyFragment {
    ctx: Ctx,
    reports: Vec<(String, u64, String)>,
}

fn report_rows(reports: Vec<ChainReport>) -> Vec<(String, u64, String)> {
    reports
        .into_iter()
        .map(|r| {
            let brk = r
                .first_break
                .map(|b| format!("#{} {} — {}", b.chain_seq, b.entry_id, b.reason))
                .unwrap_or_default();
            (r.region_code, r.entries, brk)
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<AuditRow>,
    reports: Vec<(String, u64, String)>,
    page: i64,
    pages: i64,
}

async fn audit_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    page_no: i64,
    reports: Vec<ChainReport>,
) -> Response {
    let page = match s
        .app
        .audit_entries(p, AuditFilter::default(), page_no)
        .await
    {
        Ok(pg) => pg,
        Err(e) => return failed(s, headers, p, e),
    };
    let ctx = Ctx::new(headers, Some(p), "/admin/audit");
    let entries = page
        .items
        .into_iter()
        .map(|e| {
            let local = e.at + chrono::Duration::hours(8);
            AuditRow {
                at: local.format("%Y-%m-%d %H:%M:%S").to_string(),
                region: e.region_code,
                seq: e.chain_seq,
                actor: e.actor_name.unwrap_or_else(|| "system".into()),
                action: e.action,
                object: format!(
                    "{}:{}",
                    e.object_type,
                    e.object_id.chars().take(12).collect::<String>()
                ),
                ip: e.client_ip.unwrap_or_default(),
                outcome: e.outcome,
            }
        })
        .collect();
    let reports = report_rows(reports);
    render(&AuditPage {
        ctx,
        entries,
        reports,
        page: page.page,
        pages: pages_of(page.total, page.per_page),
    })
}

/// `GET /admin/audit`
pub async fn audit(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let page_no = q
        .get("page")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    audit_page(&s, &headers, &p, page_no, vec![]).await
}

/// `POST /admin/audit/verify`
pub async fn audit_verify(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    match s.app.verify_audit_as(&p, &meta).await {
        // htmx asks for the result fragment only; a plain form post gets the whole page.
        Ok(reports) if headers.contains_key("hx-request") => render(&VerifyFragment {
            ctx: Ctx::new(&headers, Some(&p), "/admin/audit"),
            reports: report_rows(reports),
        }),
        Ok(reports) => audit_page(&s, &headers, &p, 1, reports).await,
        Err(e) => failed(&s, &headers, &p, e),
    }
}

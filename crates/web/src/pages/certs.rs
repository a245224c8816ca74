//! Certificate pages (电子证照): the holder's wallet (我的证照), a certificate with its history,
//! usage records and the show QR (亮证), the issuer's status change, and the public
//! verification page (扫码验证), which needs no sign-in.

use super::{Ctx, error_page, render};
use crate::AppState;
use crate::api::certs::base_url;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shenpi_app::certs::Certificate;
use shenpi_app::certs::show::ShowToken;
use shenpi_app::policy::{Action, authorize};
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::certificate::CertStatus;
use std::collections::HashMap;

/// One certificate in a list: (identifier, type name, holder, version, valid until, status
/// text, badge colour).
type Row = (String, String, String, i64, String, String, &'static str);

fn badge(s: CertStatus) -> &'static str {
    match s {
        CertStatus::Valid => "green",
        CertStatus::Superseded | CertStatus::Expired => "grey",
        _ => "red",
    }
}

fn row(s: &AppState, c: &Certificate) -> Row {
    let status = c.status_on(s.app.today());
    (
        c.record.identifier.clone(),
        c.type_name().to_owned(),
        c.record.holder_name.clone(),
        c.record.version,
        c.record
            .valid_until
            .clone()
            .unwrap_or_else(|| "长期".into()),
        status.name_zh().to_owned(),
        badge(status),
    )
}

#[derive(Template)]
#[template(path = "certificates.html")]
struct WalletPage {
    ctx: Ctx,
    /// Current versions first, then the superseded ones.
    rows: Vec<Row>,
    /// The enterprises whose certificates the reader holds (一照通城 pages).
    enterprises: Vec<String>,
    /// Open proactive offers (无感审批): (id, kind, certificate identifier, what changed).
    offers: Vec<(String, String, String, String)>,
}

/// `GET /certificates` — 我的证照.
pub async fn wallet(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let enterprises = s
        .app
        .enterprises_of(&p, shenpi_app::certs::enterprise::CERT_MANAGER)
        .await
        .unwrap_or_default();
    let offers = s
        .app
        .my_proactive_cases(&p)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.status == "offered")
        .map(|c| {
            let data: serde_json::Value = serde_json::from_str(&c.data).unwrap_or_default();
            let what = data["changes"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| {
                            format!(
                                "{}：{} → {}",
                                x["field"].as_str().unwrap_or_default(),
                                x["from"].as_str().unwrap_or_default(),
                                x["to"].as_str().unwrap_or_default()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("；")
                })
                .unwrap_or_else(|| {
                    format!(
                        "有效期至 {}，延续后换发新证",
                        data["valid_until"].as_str().unwrap_or_default()
                    )
                });
            let kind = if c.kind == "renewal" {
                "延续"
            } else {
                "变更"
            };
            (c.id, kind.to_owned(), c.identifier, what)
        })
        .collect();
    match s.app.my_certificates(&p).await {
        Ok(list) => {
            let mut rows: Vec<Row> = list.iter().map(|c| row(&s, c)).collect();
            rows.sort_by_key(|r| r.5 == CertStatus::Superseded.name_zh());
            render(&WalletPage {
                ctx: Ctx::new(&headers, Some(&p), "/certificates"),
                rows,
                enterprises,
                offers,
            })
        }
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertPage {
    ctx: Ctx,
    identifier: String,
    type_name: String,
    status: String,
    badge: &'static str,
    status_reason: String,
    holder: String,
    issuer: String,
    valid_from: String,
    valid_until: String,
    version: i64,
    previous: Option<String>,
    fields: Vec<(String, String)>,
    /// (status, reason, at, by)
    history: Vec<(String, String, String, String)>,
    /// (at, who, department, purpose)
    usages: Vec<(String, String, String, String)>,
    /// (threshold days, when, deliveries as text)
    reminders: Vec<(i64, String, String)>,
    can_show: bool,
    can_manage: bool,
    shown: Option<ShowToken>,
    message: Option<String>,
    error: Option<String>,
}

async fn cert_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    identifier: &str,
    shown: Option<ShowToken>,
    message: Option<String>,
    error: Option<String>,
) -> Result<CertPage, AppError> {
    let c = s.app.certificate_for(p, identifier).await?;
    let usages = s.app.certificate_usages(p, identifier).await?;
    let reminders = s.app.certificate_reminders(p, identifier).await?;
    let status = c.status_on(s.app.today());
    let holder_view = [p.user.uscc.as_deref(), p.user.id_number.as_deref()]
        .contains(&Some(c.record.holder_id.as_str()));
    let ctx = Ctx::new(
        headers,
        Some(p),
        if holder_view { "/certificates" } else { "" },
    );
    // Beijing time (UTC+8, no daylight saving).
    let when = |t: chrono::DateTime<chrono::Utc>| {
        (t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    Ok(CertPage {
        identifier: c.record.identifier.clone(),
        type_name: c.type_name().to_owned(),
        status: status.name_zh().to_owned(),
        badge: badge(status),
        status_reason: c.record.status_reason.clone(),
        holder: format!("{}（{}）", c.record.holder_name, c.record.holder_id),
        issuer: c.data.payload["issuer"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        valid_from: c.record.valid_from.clone(),
        valid_until: c
            .record
            .valid_until
            .clone()
            .unwrap_or_else(|| ctx.lang.t("长期", "No expiry").to_owned()),
        version: c.record.version,
        previous: c.record.previous.clone(),
        fields: c.fields(),
        history: c
            .data
            .history
            .iter()
            .map(|h| {
                (
                    CertStatus::parse(&h.status)
                        .map_or(h.status.clone(), |s| s.name_zh().to_owned()),
                    h.reason.clone(),
                    when(h.at),
                    h.by.clone(),
                )
            })
            .collect(),
        usages: usages
            .iter()
            .map(|u| {
                (
                    when(u.at),
                    u.actor_name.clone(),
                    u.department.clone(),
                    u.purpose.clone(),
                )
            })
            .collect(),
        reminders: reminders
            .iter()
            .map(|(r, d)| {
                (
                    r.threshold,
                    when(r.created_at),
                    d.iter()
                        .map(|x| {
                            let status = match x.status.as_str() {
                                "sent" => "已发送",
                                "failed" => "失败",
                                _ => "未发送",
                            };
                            format!("{} {status}", x.channel)
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                )
            })
            .collect(),
        can_show: holder_view && status == CertStatus::Valid,
        can_manage: status == CertStatus::Valid
            && authorize(p, Action::CertManage, Some(&c.record.region_code)).is_ok(),
        shown,
        message,
        error,
        ctx,
    })
}

/// `GET /certificates/{identifier}`
pub async fn detail(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let message = q.get("done").map(|d| match d.as_str() {
        "status" => "证照状态已变更。".to_owned(),
        _ => String::new(),
    });
    match cert_page(&s, &headers, &p, &identifier, None, message, None).await {
        Ok(page) => render(&page),
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// `POST /certificates/{identifier}/show` — 亮证: a new QR valid for 5 minutes.
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
) -> Response {
    let base = base_url(&headers, &s.config);
    let (shown, error) = match s.app.show_certificate(&p, &identifier, &base).await {
        Ok(t) => (Some(t), None),
        Err(e) => (None, Some(e.public().message_zh)),
    };
    match cert_page(&s, &headers, &p, &identifier, shown, None, error).await {
        Ok(page) => render(&page),
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// The status change form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    pub status: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /certificates/{identifier}/status`
pub async fn status(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    match s
        .app
        .set_certificate_status(&p, &identifier, &f.status, &f.reason, &meta)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/certificates/{}?done=status",
            super::encode(&identifier)
        ))
        .into_response(),
        Err(AppError::Forbidden(_)) => error_page(
            &s,
            &headers,
            Some(&p),
            AppError::Forbidden("cert.manage".into()).public(),
        ),
        Err(e) => {
            let pe = e.public();
            let msg = if let Some(r) = pe.details["reason_zh"].as_str() {
                r.to_owned()
            } else {
                pe.message_zh.clone()
            };
            match cert_page(&s, &headers, &p, &identifier, None, None, Some(msg)).await {
                Ok(page) => {
                    let code = axum::http::StatusCode::from_u16(pe.code.status)
                        .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
                    (code, render(&page)).into_response()
                }
                Err(e) => error_page(&s, &headers, Some(&p), e.public()),
            }
        }
    }
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    ctx: Ctx,
    token: String,
    checked: bool,
    valid: bool,
    reason: String,
    status: String,
    status_reason: String,
    /// (label, value)
    rows: Vec<(String, String)>,
}

/// `GET /verify?t=` — the public verification page (扫码验证).
pub async fn verify(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(&headers, None, "/verify");
    let token = q.get("t").map(|t| t.trim().to_owned()).unwrap_or_default();
    let mut page = VerifyPage {
        ctx,
        token: token.clone(),
        checked: false,
        valid: false,
        reason: String::new(),
        status: String::new(),
        status_reason: String::new(),
        rows: vec![],
    };
    if token.is_empty() {
        return render(&page);
    }
    let v = match s.app.verify_certificate_token(&token).await {
        Ok((v, _)) => v,
        Err(e) => return error_page(&s, &headers, None, e.public()),
    };
    page.checked = true;
    page.valid = v.valid;
    page.reason = if page.ctx.lang.en {
        v.reason_en.clone()
    } else {
        v.reason_zh.clone()
    };
    page.status = v.status_zh.clone().unwrap_or_default();
    page.status_reason = v.status_reason.clone().unwrap_or_default();
    if let Some(c) = &v.certificate {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        page.rows = vec![
            ("证照名称".into(), text(&c["type_name"])),
            ("证照标识".into(), text(&c["identifier"])),
            ("持证主体".into(), text(&c["holder"]["name"])),
            ("主体代码".into(), text(&c["holder"]["id"])),
            ("发证机关".into(), text(&c["issuer"]["name"])),
            ("有效期自".into(), text(&c["valid_from"])),
            (
                "有效期至".into(),
                c["valid_until"].as_str().unwrap_or("长期").to_owned(),
            ),
        ];
        if let Some(fields) = c["fields"].as_array() {
            for f in fields {
                page.rows.push((text(&f["label"]), text(&f["value"])));
            }
        }
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    ctx: Ctx,
    uscc: String,
    name: String,
    rows: Vec<Row>,
    /// (username, role, role name, granted by, granted at, active)
    grants: Vec<(String, String, String, String, String, bool)>,
    /// Whether the reader is the enterprise's own account (manages the grants).
    own: bool,
    message: Option<String>,
    error: Option<String>,
}

async fn enterprise_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    uscc: &str,
    message: Option<String>,
    error: Option<String>,
) -> Result<EnterprisePage, AppError> {
    let list = s.app.enterprise_certificates(p, uscc).await?;
    let own = p.user.uscc.as_deref() == Some(uscc);
    let grants = if own || authorize(p, Action::StaffRead, None).is_ok() {
        s.app.enterprise_grants_for(p, uscc).await?
    } else {
        vec![]
    };
    let name = list
        .first()
        .map(|c| c.record.holder_name.clone())
        .unwrap_or_default();
    let mut rows: Vec<Row> = list.iter().map(|c| row(s, c)).collect();
    rows.sort_by_key(|r| r.5 == CertStatus::Superseded.name_zh());
    Ok(EnterprisePage {
        ctx: Ctx::new(headers, Some(p), "/certificates"),
        uscc: uscc.to_owned(),
        name,
        rows,
        grants: grants
            .iter()
            .map(|g| {
                (
                    g.username.clone(),
                    g.role.clone(),
                    shenpi_app::certs::enterprise::role_zh(&g.role).to_owned(),
                    g.granted_by.clone(),
                    (g.granted_at + chrono::Duration::hours(8))
                        .format("%Y-%m-%d %H:%M")
                        .to_string(),
                    g.revoked_at.is_none(),
                )
            })
            .collect(),
        own,
        message,
        error,
    })
}

/// `GET /enterprises/{uscc}` — 一照通城: every certificate of an enterprise on one page, and
/// the agents and certificate managers it authorised.
pub async fn enterprise(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(uscc): Path<String>,
) -> Response {
    match enterprise_page(&s, &headers, &p, &uscc, None, None).await {
        Ok(page) => render(&page),
        // Whose certificates an enterprise holds is not told to those it did not authorise.
        Err(e) if e.public().code == shenpi_domain::error::ErrorCode::ENTERPRISE_NOT_AUTHORISED => {
            error_page(
                &s,
                &headers,
                Some(&p),
                shenpi_app::error::PublicError::of(shenpi_domain::error::ErrorCode::NOT_FOUND),
            )
        }
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// The grant form.
#[derive(Debug, Deserialize)]
pub struct GrantForm {
    /// `grant` or `revoke`.
    pub action: String,
    pub username: String,
    pub role: String,
}

/// `POST /enterprises/{uscc}/grants`
pub async fn enterprise_grant(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(uscc): Path<String>,
    PageForm(f): PageForm<GrantForm>,
) -> Response {
    let done = if f.action == "revoke" {
        s.app
            .revoke_enterprise_role(&p, &uscc, &f.username, &f.role, &meta)
            .await
            .map(|_| "已撤销授权。")
    } else {
        s.app
            .grant_enterprise_role(&p, &uscc, &f.username, &f.role, &meta)
            .await
            .map(|_| "已授权。")
    };
    let (message, error, status) = match done {
        Ok(m) => (Some(m.to_owned()), None, axum::http::StatusCode::OK),
        Err(e) => {
            let pe = e.public();
            (
                None,
                Some(pe.message_zh.clone()),
                axum::http::StatusCode::from_u16(pe.code.status)
                    .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY),
            )
        }
    };
    match enterprise_page(&s, &headers, &p, &uscc, message, error).await {
        Ok(page) => (status, render(&page)).into_response(),
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// `POST /proactive-cases/{id}/confirm` — 继续办理 from the wallet, then the new version.
pub async fn confirm_proactive(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match s.app.confirm_proactive(&p, &id, &meta).await {
        Ok(c) => Redirect::to(&format!(
            "/certificates/{}",
            super::encode(&c.record.identifier)
        ))
        .into_response(),
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// `GET /certificates/{identifier}/pdf` — the printed certificate (下载打印版), inline.
pub async fn pdf(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
) -> Response {
    let base = base_url(&headers, &s.config);
    match s.app.certificate_pdf(&p, &identifier, &base).await {
        Ok(bytes) => crate::api::certs::pdf_response(&identifier, bytes),
        Err(e) => error_page(&s, &headers, Some(&p), e.public()),
    }
}

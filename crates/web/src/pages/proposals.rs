//! Proposal pages: list, create, detail with diff, and the review actions.

use super::{Ctx, render};
use crate::AppState;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shenpi_app::catalog::proposals::{ProposalInput, ReviewInput};
use shenpi_app::policy::{Action, authorize};
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::proposal::{Decision, Operation, Proposal, ProposalStatus};
use shenpi_domain::org::Role;
use shenpi_domain::regions::QINGDAO_CITY;
use std::collections::HashMap;

struct Row {
    id: String,
    title: String,
    operation: String,
    status: String,
    effective: String,
    by: String,
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    can_propose: bool,
    statuses: Vec<(&'static str, &'static str)>,
}

fn fail(s: &AppState, headers: &HeaderMap, p: &Principal, e: AppError) -> Response {
    super::error_page(s, headers, Some(p), e.public())
}

fn message(ctx: &Ctx, e: &AppError) -> String {
    let pe = e.public();
    let mut msg = if ctx.lang.en {
        pe.message_en
    } else {
        pe.message_zh
    };
    if let Some(issues) = pe.details.get("issues").and_then(|v| v.as_array()) {
        for i in issues.iter().take(10) {
            let reason = i
                .get(if ctx.lang.en {
                    "reason_en"
                } else {
                    "reason_zh"
                })
                .and_then(|v| v.as_str())
                .unwrap_or("");
            msg.push_str(&format!(
                "；{} {}",
                i.get("field").and_then(|v| v.as_str()).unwrap_or(""),
                reason
            ));
        }
    } else if let Some(r) = pe
        .details
        .get(if ctx.lang.en {
            "reason_en"
        } else {
            "reason_zh"
        })
        .and_then(|v| v.as_str())
    {
        msg.push_str(&format!("：{r}"));
    }
    msg
}

/// `GET /proposals?status=`
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let status = q
        .get("status")
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    let page = match s.app.proposals(&p, status, 1).await {
        Ok(pg) => pg,
        Err(e) => return fail(&s, &headers, &p, e),
    };
    let ctx = Ctx::new(&headers, Some(&p), "/proposals");
    let rows = page
        .items
        .iter()
        .map(|x| Row {
            id: x.id.clone(),
            title: x.title.clone(),
            operation: x.operation.name_zh().into(),
            status: x.status.name_zh().into(),
            effective: x.effective_from.to_string(),
            by: x.created_by.clone(),
        })
        .collect();
    let statuses = vec![
        ("", "全部"),
        ("draft", "草稿"),
        ("submitted", "审核中"),
        ("returned", "已退回"),
        ("approved", "已通过"),
        ("published", "已发布"),
    ];
    render(&ListPage {
        can_propose: authorize(&p, Action::CatalogPropose, None).is_ok(),
        ctx,
        rows,
        statuses,
    })
}

#[derive(Template)]
#[template(path = "proposal_new.html")]
struct NewPage {
    ctx: Ctx,
    error: Option<String>,
    operations: Vec<(&'static str, &'static str)>,
    operation: String,
    title: String,
    reason: String,
    targets: String,
    effective_from: String,
    drafts: String,
}

const OPERATIONS: [(&str, &str); 6] = [
    ("change", "变更"),
    ("add", "新增"),
    ("split", "拆分"),
    ("merge", "合并"),
    ("suspend", "暂停"),
    ("cancel", "取消"),
];

/// `GET /proposals/new?op=&code=` — a change starts from the standard in force.
pub async fn new_form(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q.get("code").cloned().unwrap_or_default();
    let op = q.get("op").cloned().unwrap_or_else(|| "change".into());
    let drafts = if code.is_empty() || !matches!(op.as_str(), "change" | "split") {
        "[]".to_string()
    } else {
        match s.app.catalog_item(&code, QINGDAO_CITY).await {
            Ok(e) => serde_json::to_string_pretty(&vec![e.version.item]).unwrap_or_default(),
            Err(e) => return fail(&s, &headers, &p, e),
        }
    };
    let ctx = Ctx::new(&headers, Some(&p), "/proposals");
    render(&NewPage {
        ctx,
        error: None,
        operations: OPERATIONS.to_vec(),
        operation: op,
        title: String::new(),
        reason: String::new(),
        targets: code,
        effective_from: s
            .app
            .today()
            .succ_opt()
            .unwrap_or(s.app.today())
            .to_string(),
        drafts,
    })
}

/// The new-proposal form.
#[derive(Debug, Deserialize)]
pub struct NewForm {
    pub operation: String,
    pub title: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub targets: String,
    pub effective_from: String,
    #[serde(default)]
    pub drafts: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub promised_limit_days: String,
    #[serde(default)]
    pub statutory_limit_days: String,
}

fn to_input(f: &NewForm) -> Result<ProposalInput, (&'static str, &'static str)> {
    let operation: Operation =
        serde_json::from_value(serde_json::Value::String(f.operation.clone()))
            .map_err(|_| ("操作类型不正确", "Unknown operation"))?;
    let effective_from = f.effective_from.parse().map_err(|_| {
        (
            "生效日期格式应为 YYYY-MM-DD",
            "The effective date must be YYYY-MM-DD",
        )
    })?;
    let text = if f.drafts.trim().is_empty() {
        "[]"
    } else {
        f.drafts.as_str()
    };
    let mut drafts: Vec<ServiceItem> = serde_json::from_str(text).map_err(|_| {
        (
            "事项草稿不是有效的 JSON 事项数组",
            "The drafts are not a valid JSON array of items",
        )
    })?;
    for d in drafts.iter_mut() {
        if !f.name.trim().is_empty() {
            d.name = f.name.trim().to_string();
        }
        if let Ok(n) = f.promised_limit_days.trim().parse::<u32>() {
            d.promised_limit_days = n;
        }
        if let Ok(n) = f.statutory_limit_days.trim().parse::<u32>() {
            d.statutory_limit_days = n;
        }
    }
    Ok(ProposalInput {
        operation,
        title: f.title.clone(),
        reason: f.reason.clone(),
        targets: f
            .targets
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        drafts,
        effective_from,
    })
}

/// `POST /proposals/new`
pub async fn create(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    PageForm(f): PageForm<NewForm>,
) -> Response {
    let ctx = Ctx::new(&headers, Some(&p), "/proposals");
    let result = match to_input(&f) {
        Ok(input) => s
            .app
            .create_proposal(&p, input, &meta)
            .await
            .map_err(|e| message(&ctx, &e)),
        Err((zh, en)) => Err(ctx.lang.t(zh, en).to_string()),
    };
    match result {
        Ok(prop) => Redirect::to(&format!("/proposals/{}", prop.id)).into_response(),
        Err(msg) => {
            let page = NewPage {
                error: Some(msg),
                operations: OPERATIONS.to_vec(),
                operation: f.operation,
                title: f.title,
                reason: f.reason,
                targets: f.targets,
                effective_from: f.effective_from,
                drafts: f.drafts,
                ctx,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
        }
    }
}

/// One changed field: path, value in force, proposed value.
type FieldRow = (String, String, String);
/// One item of a proposal's diff: code, kind, changed fields.
type DiffView = (String, String, Vec<FieldRow>);

#[derive(Template)]
#[template(path = "proposal.html")]
struct DetailPage {
    ctx: Ctx,
    p: Proposal,
    error: Option<String>,
    operation: String,
    status: String,
    diffs: Vec<DiffView>,
    pending: String,
    reviews: Vec<String>,
    can_submit: bool,
    can_review: bool,
    can_override: bool,
    can_publish: bool,
}

fn short(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => {
            let s = other.to_string();
            if s.chars().count() > 200 {
                format!("{}…", s.chars().take(200).collect::<String>())
            } else {
                s
            }
        }
    }
}

async fn detail_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    id: &str,
    error: Option<String>,
) -> Response {
    let (prop, diff) = match (
        s.app.proposal(p, id).await,
        s.app.proposal_diff(p, id).await,
    ) {
        (Ok(x), Ok(d)) => (x, d),
        (Err(e), _) | (_, Err(e)) => return fail(s, headers, p, e),
    };
    let ctx = Ctx::new(headers, Some(p), "/proposals");
    let my_region = if p.user.has_role(Role::CityAdmin) {
        QINGDAO_CITY.to_string()
    } else {
        p.user.region_code.clone()
    };
    let pending_list = prop.pending_reviewers(QINGDAO_CITY);
    let name = |r: &str| {
        super::catalog::region_options()
            .into_iter()
            .find(|(c, _)| c == r)
            .map(|(_, n)| n)
            .unwrap_or_else(|| r.to_string())
    };
    let page = DetailPage {
        operation: prop.operation.name_zh().into(),
        status: prop.status.name_zh().into(),
        diffs: diff
            .iter()
            .map(|d| {
                (
                    d.code.clone(),
                    d.kind.to_string(),
                    d.changes
                        .iter()
                        .map(|c| (c.path.clone(), short(&c.old), short(&c.new)))
                        .collect(),
                )
            })
            .collect(),
        pending: pending_list
            .iter()
            .map(|r| name(r))
            .collect::<Vec<_>>()
            .join("、"),
        reviews: prop
            .reviews
            .iter()
            .map(|r| {
                format!(
                    "{} {}（{}）：{} {}",
                    r.at.format("%Y-%m-%d %H:%M"),
                    name(&r.region),
                    r.reviewer,
                    if r.decision == Decision::Approve {
                        "同意"
                    } else {
                        "退回"
                    },
                    r.comment
                )
            })
            .collect(),
        can_submit: prop.editable() && authorize(p, Action::CatalogPropose, None).is_ok(),
        can_review: prop.status == ProposalStatus::Submitted
            && pending_list.contains(&my_region)
            && authorize(p, Action::CatalogReview, None).is_ok(),
        can_override: prop.status == ProposalStatus::Submitted
            && authorize(p, Action::CatalogPublish, None).is_ok(),
        can_publish: prop.status == ProposalStatus::Approved
            && authorize(p, Action::CatalogPublish, None).is_ok(),
        p: prop,
        error,
        ctx,
    };
    render(&page)
}

/// `GET /proposals/{id}`
pub async fn detail(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    detail_page(&s, &headers, &p, &id, None).await
}

async fn after(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    id: &str,
    r: Result<(), AppError>,
) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/proposals/{id}")).into_response(),
        Err(e) => {
            let ctx = Ctx::new(headers, Some(p), "");
            let status =
                StatusCode::from_u16(e.public().code.status).unwrap_or(StatusCode::BAD_REQUEST);
            (
                status,
                detail_page(s, headers, p, id, Some(message(&ctx, &e))).await,
            )
                .into_response()
        }
    }
}

/// `POST /proposals/{id}/submit`
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let r = s.app.submit_proposal(&p, &id, &meta).await.map(|_| ());
    after(&s, &headers, &p, &id, r).await
}

/// The review form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
}

/// `POST /proposals/{id}/review`
pub async fn review(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<ReviewForm>,
) -> Response {
    let r = s
        .app
        .review_proposal(
            &p,
            &id,
            ReviewInput {
                decision: f.decision,
                comment: f.comment,
            },
            &meta,
        )
        .await
        .map(|_| ());
    after(&s, &headers, &p, &id, r).await
}

/// The override form.
#[derive(Debug, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    pub reason: String,
}

/// `POST /proposals/{id}/override`
pub async fn override_(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<OverrideForm>,
) -> Response {
    let r = s
        .app
        .override_proposal(&p, &id, &f.reason, &meta)
        .await
        .map(|_| ());
    after(&s, &headers, &p, &id, r).await
}

/// `POST /proposals/{id}/publish`
pub async fn publish(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let r = s.app.publish_proposal(&p, &id, &meta).await.map(|_| ());
    after(&s, &headers, &p, &id, r).await
}

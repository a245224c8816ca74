//! Applicant pages: 我的办件 (my applications), a case's progress timeline, and the public
//! progress look-up by number plus name or phone.

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::case::lifecycle::CaseStatus;
use std::collections::HashMap;

struct Row {
    id: String,
    number: String,
    item: String,
    status: String,
    received: String,
}

/// A draft (草稿) on the list: id, item code, item name, last saved (Beijing time).
struct DraftRow {
    id: String,
    code: String,
    item: String,
    saved: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    drafts: Vec<DraftRow>,
    /// The caller's bundle cases (一件事): id, number, name, combined status.
    bundles: Vec<(String, String, String, String)>,
}

/// `GET /cases`
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let page = match s.app.my_cases(&p, 1).await {
        Ok(pg) => pg,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let rows = page
        .items
        .iter()
        .map(|c| Row {
            id: c.id.clone(),
            number: c.number.clone(),
            item: c.item_name.clone(),
            status: c.status.name_zh().into(),
            received: c.received_on.to_string(),
        })
        .collect();
    let mut drafts = vec![];
    for d in s.app.drafts(&p).await.unwrap_or_default() {
        let item = match s
            .app
            .catalog_item(&d.content.item_code, &d.content.region)
            .await
        {
            Ok(e) => e.version.item.name,
            Err(_) => d.content.item_code.clone(),
        };
        drafts.push(DraftRow {
            id: d.id,
            code: d.content.item_code,
            item,
            saved: (d.updated_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        });
    }
    let bundles = s
        .app
        .my_bundle_cases(&p)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|b| (b.id, b.number, b.bundle_name, b.status_zh.to_string()))
        .collect();
    render(&ListPage {
        ctx: Ctx::new(&headers, Some(&p), "/cases"),
        rows,
        drafts,
        bundles,
    })
}

/// `POST /drafts/{id}/delete` — the applicant deletes a draft.
pub async fn delete_draft(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match s.app.delete_draft(&p, &id).await {
        Ok(()) => Redirect::to("/cases").into_response(),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    ctx: Ctx,
    id: String,
    number: String,
    item: String,
    status: String,
    steps: Vec<(&'static str, &'static str)>,
    timeline: Vec<String>,
    acceptance_due: String,
    deemed: bool,
    promised: u32,
    can_withdraw: bool,
    /// (id, title, document number)
    notices: Vec<(String, String, String)>,
    supplement_request: Option<String>,
    /// File inputs of the supplement form (the applicant, while a supplement is awaited).
    supplement_files: Vec<super::apply::FileInput>,
    /// What the process waits for besides people (staff only): messages, timers, replies.
    waiting: Vec<String>,
    /// Why the last action on the page (a supplement upload) was refused.
    error: Option<String>,
    /// The decisions of the item's rules: plain words for the applicant, the trace for staff.
    decisions: Vec<DecisionView>,
    /// Whether the reader is staff (sees rule versions, inputs, outputs and traces).
    staff_view: bool,
    /// Materials fetched instead of the applicant (免提交): (name, source, found, summary).
    shared_materials: Vec<(String, String, bool, String)>,
    /// Electronic certificates the case issued: (identifier, name, status).
    certificates: Vec<(String, String, String)>,
}

/// A stored rule decision as the case page shows it.
struct DecisionView {
    purpose: String,
    rule: String,
    outcome: String,
    explanation: String,
    /// (check, reason)
    failed: Vec<(String, String)>,
    error: Option<String>,
    /// One line per registry pull.
    sources: Vec<String>,
    input: String,
    output: String,
    /// One line per node: name, kind, matched rows.
    trace: Vec<String>,
}

/// A decision's outcome in a few words: approved or not, the process chosen, the fee assessed.
fn decision_outcome(d: &shenpi_app::decisions::DecisionRecord) -> String {
    match d.purpose.as_str() {
        "auto_approval" if d.approves() => "自动核验全部通过".into(),
        "auto_approval" => "自动核验未通过，转人工审查".into(),
        "routing" => match d.routed_process() {
            Some(shenpi_app::diagram::BUILTIN_KEY) => "按标准审批流程办理".into(),
            Some(key) => format!("按流程 {key} 办理"),
            None if d.error.is_some() => "按事项的默认流程办理".into(),
            None => String::new(),
        },
        "fee" => match d.fee() {
            Some(f) => format!("核定应缴 {} 元", f.amount_yuan),
            None => "收费由人工核定".into(),
        },
        _ => String::new(),
    }
}

fn decision_views(c: &shenpi_app::cases::CaseRecord) -> Vec<DecisionView> {
    c.decisions
        .iter()
        .map(|d| DecisionView {
            purpose: d.purpose_zh.clone(),
            rule: format!("{}（{} 第 {} 版）", d.rule_name, d.rule, d.version),
            outcome: decision_outcome(d),
            explanation: d.explanation.clone(),
            failed: d
                .failed
                .iter()
                .map(|f| (f.check.clone(), f.reason.clone()))
                .collect(),
            error: d.error.clone(),
            sources: d
                .data_sources
                .iter()
                .map(|p| {
                    let state = match (&p.error, p.found) {
                        (Some(e), _) => e.clone(),
                        (None, true) => "已调取".to_owned(),
                        (None, false) => "无此记录".to_owned(),
                    };
                    format!(
                        "{}（{}）：{}{} · {}",
                        p.dataset,
                        p.key,
                        state,
                        if p.cached { "（缓存）" } else { "" },
                        p.source
                    )
                })
                .collect(),
            input: serde_json::to_string_pretty(&d.input).unwrap_or_default(),
            output: serde_json::to_string_pretty(&d.output).unwrap_or_default(),
            trace: d
                .trace
                .as_array()
                .map(|nodes| {
                    nodes
                        .iter()
                        .map(|n| {
                            let matched = n["matched"]
                                .as_array()
                                .map(|m| {
                                    m.iter()
                                        .filter_map(|x| x.as_str())
                                        .map(|i| {
                                            format!(
                                                "第 {} 行",
                                                i.parse::<usize>().map(|i| i + 1).unwrap_or(0)
                                            )
                                        })
                                        .collect::<Vec<_>>()
                                        .join("、")
                                })
                                .unwrap_or_default();
                            let kind = n["kind"].as_str().unwrap_or_default();
                            if matched.is_empty() {
                                format!("{}（{kind}）", n["name"].as_str().unwrap_or_default())
                            } else {
                                format!(
                                    "{}（{kind}）命中：{matched}",
                                    n["name"].as_str().unwrap_or_default()
                                )
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// One line per thing the case's process waits for, in Chinese.
fn waiting_lines(c: &shenpi_app::cases::CaseRecord) -> Vec<String> {
    shenpi_app::tasks::drive::waiting(c)
        .iter()
        .map(|w| {
            let s = |k: &str| w[k].as_str().unwrap_or_default().to_string();
            let n = |k: &str| w[k].as_u64().unwrap_or_default();
            match s("kind").as_str() {
                "message" => match w["correlation_key"].as_str() {
                    Some(key) => format!("等待消息 {}（关联键 {key}）", s("message")),
                    None => format!("等待消息 {}", s("message")),
                },
                "timer" => {
                    let due = chrono::DateTime::parse_from_rfc3339(&s("due"))
                        .map(|d| {
                            (d.with_timezone(&chrono::Utc) + chrono::Duration::hours(8))
                                .format("%Y-%m-%d %H:%M")
                                .to_string()
                        })
                        .unwrap_or_default();
                    format!("定时事件，{due} 到期")
                }
                "service" => format!(
                    "等待服务调用答复（流程 {}，实例 {}，调用 {}）",
                    s("process"),
                    n("instance"),
                    n("call")
                ),
                _ => format!("子流程办理中（流程 {}，调用 {}）", s("process"), n("call")),
            }
        })
        .collect()
}

/// The five stages citizens expect (申请 → 受理 → 审查 → 决定 → 办结), marked done/current.
fn stages(status: CaseStatus) -> Vec<(&'static str, &'static str)> {
    let reached = match status {
        CaseStatus::Draft | CaseStatus::Submitted | CaseStatus::AwaitingSupplement => 0,
        CaseStatus::UnderReview | CaseStatus::SpecialProcedure | CaseStatus::ReviewSupplement => 2,
        CaseStatus::Granted | CaseStatus::Denied => 3,
        CaseStatus::Delivered
        | CaseStatus::Closed
        | CaseStatus::NotAccepted
        | CaseStatus::Withdrawn => 4,
    };
    ["申请", "受理", "审查", "决定", "办结"]
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            (
                name,
                if i < reached {
                    "done"
                } else if i == reached {
                    "current"
                } else {
                    ""
                },
            )
        })
        .collect()
}

/// `GET /cases/{id}`
pub async fn detail(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    case_page(&s, &headers, &p, &id, None).await
}

/// The case page; `error` (a refused supplement upload) is shown above the form, with 422.
pub async fn case_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    id: &str,
    error: Option<shenpi_app::error::PublicError>,
) -> Response {
    let (s, headers, p) = (s.clone(), headers.clone(), p.clone());
    let (c, _) = match s.app.case(&p, id).await {
        Ok(x) => x,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let (due, deemed) = s
        .app
        .acceptance_deadline(&c)
        .unwrap_or((c.received_on, false));
    let awaiting = matches!(
        c.status,
        CaseStatus::AwaitingSupplement | CaseStatus::ReviewSupplement
    );
    let supplement_files = if awaiting && c.applicant_id == p.user.id {
        match s.app.item_version(&c.item_code, c.item_version).await {
            Ok(v) => super::apply::file_inputs(&v.item, c.situation.as_deref()),
            Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
        }
    } else {
        vec![]
    };
    let certificates = match s.app.case_certificates(&c.id).await {
        Ok(list) => list
            .iter()
            .map(|x| {
                (
                    x.record.identifier.clone(),
                    x.type_name().to_owned(),
                    x.status_on(s.app.today()).name_zh().to_owned(),
                )
            })
            .collect(),
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let page = CasePage {
        certificates,
        ctx: Ctx::new(&headers, Some(&p), "/cases"),
        id: c.id.clone(),
        number: c.number.clone(),
        item: c.item_name.clone(),
        status: c.status.name_zh().into(),
        steps: stages(c.status),
        timeline: c
            .timeline
            .iter()
            .map(|t| {
                format!(
                    "{} {}",
                    (t.at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M"),
                    t.status.name_zh()
                )
            })
            .collect(),
        acceptance_due: due.to_string(),
        deemed,
        promised: c.promised_days,
        can_withdraw: c.applicant_id == p.user.id && c.status.before_decision(),
        notices: c
            .notices
            .iter()
            .map(|n| (n.id.clone(), n.title.clone(), n.doc_number.clone()))
            .collect(),
        supplement_request: c.supplement_request.clone().filter(|_| awaiting),
        supplement_files,
        waiting: if c.applicant_id == p.user.id {
            vec![]
        } else {
            waiting_lines(&c)
        },
        error: None,
        decisions: decision_views(&c),
        staff_view: c.applicant_id != p.user.id,
        shared_materials: c
            .shared_materials
            .iter()
            .map(|m| {
                let source = if m.dataset.is_empty() {
                    m.source_zh.clone()
                } else {
                    format!("{}：{}", m.source_zh, m.dataset)
                };
                let summary = match &m.error {
                    Some(e) => e.clone(),
                    None => m.summary.clone(),
                };
                (m.name.clone(), source, m.found, summary)
            })
            .collect(),
    };
    match error {
        Some(e) => {
            let page = CasePage {
                error: Some(page.ctx.lang.t(&e.message_zh, &e.message_en).to_string()),
                ..page
            };
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
        }
        None => render(&page),
    }
}

/// `POST /cases/{id}/withdraw`
pub async fn withdraw(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match s.app.withdraw_case(&p, &id, "", &meta).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

struct ProgressView {
    item: String,
    applicant: String,
    status: String,
    timeline: Vec<String>,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    ctx: Ctx,
    number: String,
    error: Option<String>,
    result: Option<ProgressView>,
}

/// `GET /progress?number=&who=` — public, rate-limited.
pub async fn progress(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let p = p.map(|Extension(p)| p);
    let ctx = Ctx::new(&headers, p.as_ref(), "/progress");
    let number = q.get("number").cloned().unwrap_or_default();
    let who = q.get("who").cloned().unwrap_or_default();
    let (mut error, mut result) = (None, None);
    if !number.is_empty() {
        if !s.limiter.allow(&format!("progress:{}", meta.client_ip)) {
            error = Some(
                ctx.lang
                    .t(
                        "查询过于频繁，请稍后再试",
                        "Too many look-ups; try again later",
                    )
                    .to_string(),
            );
        } else {
            match s.app.case_progress(&number, &who).await {
                Ok(v) => {
                    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
                    result = Some(ProgressView {
                        item: s("item"),
                        applicant: s("applicant"),
                        status: s("status_zh"),
                        timeline: v["timeline"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .map(|t| {
                                        format!(
                                            "{} {}",
                                            t["at"].as_str().unwrap_or("").get(..10).unwrap_or(""),
                                            t["status_zh"].as_str().unwrap_or("")
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    });
                }
                Err(e) => {
                    let pe = e.public();
                    error = Some(if ctx.lang.en {
                        pe.message_en
                    } else {
                        pe.message_zh
                    });
                }
            }
        }
    }
    render(&ProgressPage {
        ctx,
        number,
        error,
        result,
    })
}

/// `GET /cases/{id}/notices/{notice}` — a sealed notice (PDF) for the signed-in applicant or
/// staff; the applicant's first download of the decision is its electronic delivery.
pub async fn notice(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path((id, notice)): Path<(String, String)>,
) -> Response {
    match s.app.notice_pdf(&p, &id, &notice, &meta).await {
        Ok((n, bytes)) => crate::api::cases::pdf_response(&n, bytes),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

//! The officials' to-do page (统一待办): tasks by remaining time with SLA colours; each is done
//! here with an outcome the step allows and an opinion picked from the item's standard phrases.

use super::{Ctx, render};
use crate::AppState;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shenpi_app::tasks::Outcome;
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::case::deadline::SlaColour;
use shenpi_domain::catalog::knowledge::OpinionOutcome;

struct Row {
    id: String,
    case_id: String,
    name: String,
    number: String,
    colour: &'static str,
    label: &'static str,
    deadline: String,
    outcomes: Vec<(&'static str, &'static str)>,
    /// 退回 is allowed: the form offers its target.
    can_return: bool,
    phrases: Vec<String>,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct Page {
    ctx: Ctx,
    rows: Vec<Row>,
    message: Option<String>,
    error: Option<String>,
}

/// The outcomes the task allows, with their Chinese labels.
fn outcomes(task: &shenpi_store::model::Task) -> Vec<(&'static str, &'static str)> {
    shenpi_app::tasks::allowed_outcomes(task)
        .iter()
        .map(|o| {
            let label = match o {
                Outcome::Accept => "受理",
                Outcome::RequestSupplement => "一次性补正告知",
                Outcome::RefuseToAccept => "不予受理",
                Outcome::Approve => "同意 / 准予",
                Outcome::Deny => "不同意 / 不予",
                Outcome::Return => "退回",
            };
            (o.as_str(), label)
        })
        .collect()
}

async fn page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    message: Option<String>,
    error: Option<String>,
) -> Response {
    let items = match s.app.todo(p).await {
        Ok(i) => i,
        Err(e) => return super::error_page(s, headers, Some(p), e.public()),
    };
    let mut rows = vec![];
    for i in items {
        let phrases = match s.app.case(p, &i.task.case_id).await {
            Ok((c, _)) => s
                .app
                .item_version(&c.item_code, c.item_version)
                .await
                .map(|v| {
                    let wanted: &[OpinionOutcome] = if i.task.step == "accept" {
                        &[
                            OpinionOutcome::Accept,
                            OpinionOutcome::Supplement,
                            OpinionOutcome::RefuseToAccept,
                        ]
                    } else {
                        &[OpinionOutcome::Grant, OpinionOutcome::Deny]
                    };
                    v.item
                        .knowledge
                        .opinion_phrases
                        .into_iter()
                        .filter(|o| wanted.contains(&o.outcome))
                        .map(|o| o.text)
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => vec![],
        };
        let (colour, label) = match i.sla.as_ref().map(|s| s.colour) {
            Some(SlaColour::Green) => ("green", "正常"),
            Some(SlaColour::Yellow) => ("yellow", "预警"),
            Some(SlaColour::Red) => ("red", "超期"),
            None => ("grey", "待受理"),
        };
        rows.push(Row {
            outcomes: outcomes(&i.task),
            can_return: shenpi_app::tasks::allowed_outcomes(&i.task).contains(&Outcome::Return),
            id: i.task.id,
            case_id: i.task.case_id,
            name: i.task.name,
            number: i.case_number,
            colour,
            label,
            deadline: i
                .sla
                .map(|s| s.promised_deadline.to_string())
                .unwrap_or_default(),
            phrases,
        });
    }
    render(&Page {
        ctx: Ctx::new(headers, Some(p), "/tasks"),
        rows,
        message,
        error,
    })
}

/// `GET /tasks`
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    page(&s, &headers, &p, None, None).await
}

/// The completion form.
#[derive(Debug, Deserialize)]
pub struct CompleteForm {
    pub outcome: Outcome,
    #[serde(default)]
    pub phrase: String,
    #[serde(default)]
    pub opinion: String,
    /// For 退回: `previous`, `applicant` or a step id.
    #[serde(default)]
    pub target: String,
}

/// `POST /tasks/{id}/complete`
pub async fn complete(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    PageForm(f): PageForm<CompleteForm>,
) -> Response {
    let opinion = if f.opinion.trim().is_empty() {
        f.phrase
    } else {
        f.opinion
    };
    let mut done = shenpi_app::tasks::Completion::new(f.outcome, &opinion);
    // The target only means something for 退回; other outcomes ignore it.
    done.target = Some(f.target).filter(|t| f.outcome == Outcome::Return && !t.trim().is_empty());
    match s.app.complete_task(&p, &id, &done, &meta).await {
        Ok(_) => Redirect::to("/tasks").into_response(),
        Err(e) => {
            let pe = e.public();
            let en = Ctx::new(&headers, None, "").lang.en;
            let status = axum::http::StatusCode::from_u16(pe.code.status)
                .unwrap_or(axum::http::StatusCode::BAD_REQUEST);
            (
                status,
                page(
                    &s,
                    &headers,
                    &p,
                    None,
                    Some(if en { pe.message_en } else { pe.message_zh }),
                )
                .await,
            )
                .into_response()
        }
    }
}

/// `GET /tasks/counts` — the to-do counter of the menu (an htmx fragment, polled every 30 s):
/// the number of open tasks, coloured by the most urgent one, with the details in the title.
/// The menu takes only `#todo-badge` from the answer, so when the session has ended (the
/// answer is the sign-in page) nothing of that page lands in the menu.
pub async fn counts(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let Ok(c) = s.app.counters(&p).await else {
        return axum::http::StatusCode::NO_CONTENT.into_response();
    };
    let lang = Ctx::new(&headers, Some(&p), "/tasks").lang;
    let colour = if c.red > 0 {
        "red"
    } else if c.yellow > 0 {
        "yellow"
    } else {
        "grey"
    };
    let title = if lang.en {
        format!(
            "{} to do ({} yellow, {} red), {} unread copies, {} unread notifications",
            c.todo, c.yellow, c.red, c.copies_unread, c.notifications_unread
        )
    } else {
        format!(
            "待办 {}（黄灯 {}，红灯 {}），未读抄送 {}，未读通知 {}",
            c.todo, c.yellow, c.red, c.copies_unread, c.notifications_unread
        )
    };
    axum::response::Html(format!(
        r#"<span id="todo-badge" class="badge {colour}" title="{title}" data-todo="{}" data-red="{}">{}</span>"#,
        c.todo, c.red, c.todo
    ))
    .into_response()
}

//! The e-supervision page (电子监察): open cases with their warning colours.

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use shenpi_app::Principal;
use shenpi_domain::case::deadline::SlaColour;

struct Row {
    number: String,
    item: String,
    status: String,
    colour: &'static str,
    label: &'static str,
    statutory: bool,
    deemed: bool,
    remaining: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct Page {
    ctx: Ctx,
    rows: Vec<Row>,
}

/// `GET /supervision`
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let items = match s.app.supervision(&p, None).await {
        Ok(i) => i,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let rows = items
        .into_iter()
        .map(|c| {
            let (colour, label) = match c.sla.as_ref().map(|s| s.colour) {
                Some(SlaColour::Green) => ("green", "正常"),
                Some(SlaColour::Yellow) => ("yellow", "预警"),
                Some(SlaColour::Red) => ("red", "超期"),
                None => ("grey", "待受理"),
            };
            Row {
                number: c.number,
                item: c.item_name,
                status: c.status.name_zh().into(),
                colour,
                label,
                statutory: c.sla.as_ref().is_some_and(|s| s.statutory_overdue),
                deemed: c.deemed_accepted,
                remaining: c
                    .sla
                    .as_ref()
                    .map(|s| s.remaining_days.to_string())
                    .unwrap_or_default(),
                deadline: c
                    .sla
                    .as_ref()
                    .map(|s| s.promised_deadline.to_string())
                    .unwrap_or_default(),
            }
        })
        .collect();
    render(&Page {
        ctx: Ctx::new(&headers, Some(&p), "/supervision"),
        rows,
    })
}

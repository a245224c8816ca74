//! The working-day calendar page (public).

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use shenpi_app::Principal;

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    ctx: Ctx,
    year: i32,
    years: Vec<i32>,
    missing: bool,
    working_days: u32,
    holidays: Vec<(String, String, u32)>,
    workdays: Vec<String>,
}

/// `GET /calendar`
pub async fn show(
    State(s): State<AppState>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let p = p.map(|Extension(p)| p);
    let ctx = Ctx::new(&headers, p.as_ref(), "/calendar");
    let today = s.app.clock.today();
    let year = q
        .get("year")
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .unwrap_or(today.year());
    let cal = s.app.calendar();
    let mut years: Vec<i32> = cal.years().collect();
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable();
    }
    let (mut holidays, mut workdays, mut working_days, mut missing) = (vec![], vec![], 0, true);
    if let Some(y) = cal.year(year) {
        missing = false;
        holidays = y
            .holidays
            .iter()
            .map(|h| {
                let name = if ctx.lang.en {
                    h.name_en.clone().unwrap_or_else(|| h.name_zh.clone())
                } else {
                    h.name_zh.clone()
                };
                (name, format!("{} – {}", h.from, h.to), h.days())
            })
            .collect();
        workdays = y
            .workdays
            .iter()
            .map(|d| format!("{d} ({})", weekday(*d, ctx.lang.en)))
            .collect();
        let mut d = NaiveDate::from_ymd_opt(year, 1, 1);
        while let Some(day) = d.filter(|d| d.year() == year) {
            if cal.is_working_day(day).unwrap_or(false) {
                working_days += 1;
            }
            d = day.succ_opt();
        }
    }
    render(&CalendarPage {
        ctx,
        year,
        years,
        missing,
        working_days,
        holidays,
        workdays,
    })
}

fn weekday(d: NaiveDate, en: bool) -> &'static str {
    use chrono::Weekday::*;
    match (d.weekday(), en) {
        (Sat, false) => "星期六",
        (Sun, false) => "星期日",
        (Sat, true) => "Saturday",
        (Sun, true) => "Sunday",
        (_, false) => "工作日",
        (_, true) => "weekday",
    }
}

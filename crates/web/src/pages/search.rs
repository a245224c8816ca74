//! The search page (事项检索); typing refreshes the results with htmx, a full load works too.

use super::catalog::region_options;
use super::{Ctx, render};
use crate::AppState;
use crate::api::catalog::SearchQuery;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use shenpi_app::Principal;

struct HitRow {
    code: String,
    region: String,
    region_name: String,
    name: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    region: String,
    online_level: String,
    regions: Vec<(String, String)>,
    hits: Vec<HitRow>,
}

/// `GET /search?q=&region=&online_level=`
pub async fn show(
    State(s): State<AppState>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
    Query(raw): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let p = p.map(|Extension(p)| p);
    let get = |k: &str| raw.get(k).cloned().filter(|v| !v.is_empty());
    let q = SearchQuery {
        q: get("q").unwrap_or_default(),
        region: get("region"),
        department: get("department"),
        domain: get("domain"),
        online_level: get("online_level"),
        page: None,
        per_page: None,
    };
    let text: String = q.q.chars().take(200).collect();
    let regions = region_options();
    let hits = if text.trim().is_empty() {
        vec![]
    } else {
        match s.app.search_items(&text, &q.filters(), 1, 30).await {
            Ok((hits, _)) => hits
                .into_iter()
                .map(|h| HitRow {
                    region_name: regions
                        .iter()
                        .find(|(c, _)| *c == h.region)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                    code: h.code,
                    region: h.region,
                    name: h.name,
                })
                .collect(),
            Err(e) => return super::error_page(&s, &headers, p.as_ref(), e.public()),
        }
    };
    render(&SearchPage {
        ctx: Ctx::new(&headers, p.as_ref(), "/search"),
        q: text,
        region: q.region.unwrap_or_default(),
        online_level: q.online_level.unwrap_or_default(),
        regions,
        hits,
    })
}

//! The shared-data look-up page (数据共享核查) for staff working a case: choose a registry and
//! a key, see the record with where it came from. Only with an open task of the caller's on the
//! case (the authorised purpose); every look-up is audited.

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::registry::RegistryKind;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "data_lookup.html")]
struct LookupPage {
    ctx: Ctx,
    case_id: String,
    /// (value, name, selected)
    kinds: Vec<(&'static str, &'static str, bool)>,
    key: String,
    /// (field, value) of the record found.
    record: Vec<(String, String)>,
    /// Where it came from and when.
    source: String,
    error: Option<String>,
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let name = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&name, v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

/// `GET /cases/{id}/data?kind=&key=`
pub async fn lookup(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(case_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let kind_s = q
        .get("kind")
        .cloned()
        .unwrap_or_else(|| "enterprise".into());
    let key = q.get("key").cloned().unwrap_or_default();
    let mut page = LookupPage {
        ctx: Ctx::new(&headers, Some(&p), "/tasks"),
        kinds: RegistryKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.name_zh(), k.as_str() == kind_s))
            .collect(),
        case_id: case_id.clone(),
        key: key.clone(),
        record: vec![],
        source: String::new(),
        error: None,
    };
    let mut status = axum::http::StatusCode::OK;
    if !key.trim().is_empty() {
        let result = match RegistryKind::parse(&kind_s) {
            Some(kind) => s
                .app
                .lookup_registry(&p, kind, &key, &case_id, &meta)
                .await
                .map_err(|e| e.public()),
            None => Err(shenpi_app::AppError::invalid_text(
                "kind",
                "DATA_KIND_UNKNOWN",
                "共享数据类别无效",
                "Unknown registry",
            )
            .public()),
        };
        match result {
            Ok((record, pull)) => {
                flatten("", &record, &mut page.record);
                page.source = format!(
                    "{} · {} · {}{}",
                    pull.dataset,
                    pull.source,
                    (pull.at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M"),
                    if pull.cached { "（缓存）" } else { "" }
                );
            }
            Err(e) => {
                status = axum::http::StatusCode::from_u16(e.code.status)
                    .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
                page.error = Some(page.ctx.lang.t(&e.message_zh, &e.message_en).to_string());
            }
        }
    }
    (status, render(&page)).into_response()
}

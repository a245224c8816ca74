//! Process diagrams in the browser (流程图): the process management page (every stored key with
//! its versions), one version's diagram, and a case's diagram with its current steps marked.
//!
//! The diagrams are drawn by the vendored bpmn-js viewer (`/assets/bpmn-js/…`), started by
//! `/assets/diagram.js` on every `.bpmn-diagram` container: it fetches the BPMN XML from the
//! container's `data-xml-url` (the `…/bpmn` page routes here, authorized by the session cookie
//! like the page itself) and marks the element ids in `data-current` and `data-done`.

use super::{Ctx, render};
use crate::AppState;
use crate::api::processes::xml_response;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use shenpi_app::Principal;
use shenpi_app::diagram::{DiagramSource, ProcessSummary};
use shenpi_app::error::PublicError;
use shenpi_domain::error::ErrorCode;

/// The bpmn-js version the asset URLs carry (so a new vendored version is fetched anew).
pub const BPMN_JS_VERSION: &str = "18.31.1";

/// One key with its versions, newest first.
struct ProcessGroup {
    key: String,
    versions: Vec<VersionRow>,
}

struct VersionRow {
    version: i64,
    name: String,
    created_by: String,
    created_at: String,
    has_diagram: bool,
}

#[derive(Template)]
#[template(path = "processes.html")]
struct ListPage {
    ctx: Ctx,
    groups: Vec<ProcessGroup>,
}

fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn groups_of(all: Vec<ProcessSummary>) -> Vec<ProcessGroup> {
    let mut groups: Vec<ProcessGroup> = vec![];
    for v in all {
        let row = VersionRow {
            version: v.version,
            name: v.name.unwrap_or_default(),
            created_by: v.created_by,
            created_at: local_time(v.created_at),
            has_diagram: v.has_diagram,
        };
        match groups.last_mut() {
            Some(g) if g.key == v.key => g.versions.push(row),
            _ => groups.push(ProcessGroup {
                key: v.key,
                versions: vec![row],
            }),
        }
    }
    groups
}

/// `GET /processes`
pub async fn list(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    match s.app.processes(&p).await {
        Ok(all) => render(&ListPage {
            ctx: Ctx::new(&headers, Some(&p), "/processes"),
            groups: groups_of(all),
        }),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// A diagram page: a process version, or a case on its process.
#[derive(Template)]
#[template(path = "diagram.html")]
struct DiagramPage {
    ctx: Ctx,
    title: String,
    /// Lines under the title (number, status, process version).
    facts: Vec<(String, String)>,
    back: (String, String),
    xml_url: String,
    has_diagram: bool,
    /// Space-separated element ids.
    current: String,
    done: String,
    /// Whether the legend explains the case markers.
    for_case: bool,
    bpmn_js: &'static str,
}

fn not_found(s: &AppState, headers: &HeaderMap, p: &Principal) -> Response {
    super::error_page(s, headers, Some(p), PublicError::of(ErrorCode::NOT_FOUND))
}

/// `GET /processes/{key}/{version}`
pub async fn diagram(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path((key, version)): Path<(String, String)>,
) -> Response {
    let Ok(version) = version.parse::<i64>() else {
        return not_found(&s, &headers, &p);
    };
    let pv = match s.app.process_version(&p, &key, version).await {
        Ok(pv) => pv,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let name = shenpi_app::diagram::process_name(&pv.xml).unwrap_or_else(|| pv.key.clone());
    let ctx = Ctx::new(&headers, Some(&p), "/processes");
    let page = DiagramPage {
        title: name,
        facts: vec![
            (
                ctx.lang.t("流程标识", "Process key").to_string(),
                pv.key.clone(),
            ),
            (
                ctx.lang.t("版本", "Version").to_string(),
                format!("v{}", pv.version),
            ),
            (
                ctx.lang.t("上传", "Uploaded").to_string(),
                format!("{} · {}", local_time(pv.created_at), pv.created_by),
            ),
        ],
        back: (
            "/processes".into(),
            ctx.lang.t("返回流程管理", "Back to processes").into(),
        ),
        xml_url: format!("/processes/{}/{}/bpmn", pv.key, pv.version),
        has_diagram: shenpi_app::diagram::has_diagram(&pv.xml),
        current: String::new(),
        done: String::new(),
        for_case: false,
        bpmn_js: BPMN_JS_VERSION,
        ctx,
    };
    render(&page)
}

/// `GET /processes/{key}/{version}/bpmn` — the stored XML, for the diagram page's viewer.
pub async fn xml(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path((key, version)): Path<(String, String)>,
) -> Response {
    let Ok(version) = version.parse::<i64>() else {
        return not_found(&s, &headers, &p);
    };
    match s.app.process_version(&p, &key, version).await {
        Ok(pv) => xml_response(pv.xml),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// `GET /cases/{id}/diagram` — the case's process with its current and completed steps.
pub async fn case_diagram(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let d = match s.app.case_diagram(&p, &id).await {
        Ok(d) => d,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let ctx = Ctx::new(&headers, Some(&p), "/tasks");
    let process = match &d.source {
        DiagramSource::Builtin => ctx
            .lang
            .t(
                "标准审批流程（受理 → 审查 → 决定）",
                "Built-in steps (accept → review → decide)",
            )
            .to_string(),
        DiagramSource::Process { key, version } => format!("{key} v{version}"),
    };
    let page = DiagramPage {
        title: d.item_name.clone(),
        facts: vec![
            (
                ctx.lang.t("办件编号", "Case number").to_string(),
                d.number.clone(),
            ),
            (
                ctx.lang.t("状态", "Status").to_string(),
                d.status.name_zh().to_string(),
            ),
            (ctx.lang.t("流程", "Process").to_string(), process),
        ],
        back: (
            "/tasks".into(),
            ctx.lang.t("返回待办", "Back to to-do").into(),
        ),
        xml_url: format!("/cases/{}/diagram/bpmn", d.case_id),
        has_diagram: shenpi_app::diagram::has_diagram(&d.xml),
        current: d.current.join(" "),
        done: d.done.join(" "),
        for_case: true,
        bpmn_js: BPMN_JS_VERSION,
        ctx,
    };
    render(&page)
}

/// `GET /cases/{id}/diagram/bpmn` — the BPMN XML the case's diagram is drawn from.
pub async fn case_xml(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match s.app.case_diagram(&p, &id).await {
        Ok(d) => xml_response(d.xml),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

//! Bundle pages (一件事 / 一事全办): the list of bundles, the one application form — the
//! questionnaire (点菜单), the shared fields entered once, one file input per material of the
//! bundle (materials of the same name once) — and the bundle case with its combined status,
//! sub-cases, timeline, supplement form and combined result.

use super::apply::{message, read_form, store_files};
use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use shenpi_app::bundles::{BundleApplication, BundleCaseView, BundleView};
use shenpi_app::error::PublicError;
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::bundle::{Answers, BundleStatus, Handler};
use std::collections::{BTreeMap, HashMap};

#[derive(Template)]
#[template(path = "bundles.html")]
struct ListPage {
    ctx: Ctx,
    bundles: Vec<BundleView>,
}

/// `GET /bundles` (public)
pub async fn list(
    State(s): State<AppState>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
) -> Response {
    let p = p.map(|Extension(p)| p);
    match s.app.bundles().await {
        Ok(bundles) => render(&ListPage {
            ctx: Ctx::new(&headers, p.as_ref(), "/bundles"),
            bundles,
        }),
        Err(e) => super::error_page(&s, &headers, p.as_ref(), e.public()),
    }
}

/// One material input of the form: (combined key, name, required, the items that use it).
struct FileRow {
    key: String,
    name: String,
    required: bool,
    items: String,
}

#[derive(Template)]
#[template(path = "bundle_apply.html")]
struct ApplyPage {
    ctx: Ctx,
    bundle: BundleView,
    regions: Vec<(String, String)>,
    region: String,
    files: Vec<FileRow>,
    idempotency_key: String,
    error: Option<String>,
}

async fn apply_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    code: &str,
    region: &str,
    key: String,
    error: Option<PublicError>,
) -> Response {
    let bundle = match s.app.bundle(code).await {
        Ok(b) => b,
        Err(e) => return super::error_page(s, headers, Some(p), e.public()),
    };
    let ctx = Ctx::new(headers, Some(p), "/bundles");
    let names: HashMap<&str, &str> = bundle
        .items
        .iter()
        .map(|i| (i.item_code.as_str(), i.item_name.as_str()))
        .collect();
    let files = bundle
        .materials
        .iter()
        .map(|m| FileRow {
            key: m.key.clone(),
            name: m.name.clone(),
            required: m.required,
            items: m
                .used_by
                .iter()
                .filter_map(|(code, _)| names.get(code.as_str()).copied())
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let status = error
        .as_ref()
        .and_then(|e| StatusCode::from_u16(e.code.status).ok())
        .unwrap_or(StatusCode::OK);
    let page = ApplyPage {
        error: error.map(|e| message(&ctx, &e)),
        ctx,
        regions: shenpi_domain::regions::qingdao_districts()
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        region: if region.is_empty() {
            "370202".into()
        } else {
            region.to_string()
        },
        files,
        idempotency_key: key,
        bundle,
    };
    (status, render(&page)).into_response()
}

/// `GET /bundles/{code}/apply?region=`
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let region = q.get("region").cloned().unwrap_or_default();
    apply_page(
        &s,
        &headers,
        &p,
        &code,
        &region,
        shenpi_store::new_id(),
        None,
    )
    .await
}

/// `POST /bundles/{code}/apply` (multipart): answers `q-{question}` (radio) or
/// `q-{question}-{value}` (checkbox), shared fields `f-{key}`, files `material-{key}`.
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(code): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match read_form(mp).await {
        Ok(f) => f,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e),
    };
    let field = |k: &str| form.fields.get(k).cloned().unwrap_or_default();
    let (region, key) = (field("region"), field("idempotency_key"));
    let again = |e: PublicError| {
        let (s, headers, p, code, region, key) = (&s, &headers, &p, &code, &region, key.clone());
        async move { apply_page(s, headers, p, code, region, key, Some(e)).await }
    };
    let bundle = match s.app.bundle(&code).await {
        Ok(b) => b,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    let mut answers = Answers::new();
    for q in &bundle.questions {
        let chosen: Vec<String> = if q.multiple {
            q.options
                .iter()
                .filter(|(v, _)| form.fields.contains_key(&format!("q-{}-{v}", q.key)))
                .map(|(v, _)| v.clone())
                .collect()
        } else {
            form.fields
                .get(&format!("q-{}", q.key))
                .filter(|v| !v.is_empty())
                .cloned()
                .into_iter()
                .collect()
        };
        if !chosen.is_empty() {
            answers.insert(q.key.clone(), chosen);
        }
    }
    let shared: serde_json::Map<String, serde_json::Value> = bundle
        .shared_fields
        .iter()
        .map(|f| {
            (
                f.key.clone(),
                serde_json::Value::String(field(&format!("f-{}", f.key)).trim().to_string()),
            )
        })
        .collect();
    let files = form
        .files
        .into_iter()
        .filter(|(k, _)| bundle.materials.iter().any(|m| &m.key == k))
        .collect();
    let materials = match store_files(&s, &p, files, &meta).await {
        Ok(m) => m,
        Err(e) => return again(e.public()).await,
    };
    let application = BundleApplication {
        region: region.clone(),
        answers,
        form: serde_json::Value::Object(shared),
        materials,
        idempotency_key: key.clone(),
    };
    match s.app.apply_bundle(&p, &code, application, &meta).await {
        Ok((v, _)) => Redirect::to(&format!("/bundle-cases/{}", v.id)).into_response(),
        Err(e) => again(e.public()).await,
    }
}

#[derive(Template)]
#[template(path = "bundle_case.html")]
struct CasePage {
    ctx: Ctx,
    v: BundleCaseView,
    /// (label of the handler) per sub-case, in order.
    handlers: Vec<String>,
    timeline: Vec<String>,
    ended: bool,
    supplement: bool,
    files: Vec<(String, String)>,
    applicant: bool,
    error: Option<String>,
}

async fn case_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    id: &str,
    error: Option<PublicError>,
) -> Response {
    let v = match s.app.bundle_case(p, id).await {
        Ok(v) => v,
        Err(e) => return super::error_page(s, headers, Some(p), e.public()),
    };
    let ctx = Ctx::new(headers, Some(p), "/cases");
    let files = match s.app.bundle(&v.bundle_code).await {
        Ok(b) => b.materials.into_iter().map(|m| (m.key, m.name)).collect(),
        Err(_) => vec![],
    };
    let applicant = s
        .app
        .case(
            p,
            v.sub_cases
                .first()
                .map(|x| x.case_id.as_str())
                .unwrap_or_default(),
        )
        .await
        .is_ok_and(|(c, _)| c.applicant_id == p.user.id);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = CasePage {
        error: error.map(|e| message(&ctx, &e)),
        handlers: v
            .sub_cases
            .iter()
            .map(|x| match &x.handler {
                Handler::Department(_) => "行政审批服务局".to_string(),
                Handler::Partner(k) => format!("合作单位 {k}"),
            })
            .collect(),
        timeline: v
            .timeline
            .iter()
            .map(|t| {
                format!(
                    "{} {} · {}{}",
                    (t.at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M"),
                    t.item_name,
                    t.status.name_zh(),
                    if t.note.is_empty() {
                        String::new()
                    } else {
                        format!("：{}", t.note)
                    }
                )
            })
            .collect(),
        ended: matches!(
            v.status,
            BundleStatus::Completed | BundleStatus::PartlyCompleted | BundleStatus::Refused
        ),
        supplement: v.status == BundleStatus::Supplement,
        files,
        applicant,
        ctx,
        v,
    };
    (status, render(&page)).into_response()
}

/// `GET /bundle-cases/{id}`
pub async fn detail(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    case_page(&s, &headers, &p, &id, None).await
}

/// `GET /bundle-cases/{id}/result` — the sealed combined result.
pub async fn result(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match s.app.bundle_result_pdf(&p, &id, &meta).await {
        Ok((_, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"bundle-result.pdf\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

/// `POST /bundle-cases/{id}/supplement` (multipart `material-{key}`): one supplement for every
/// department that asked.
pub async fn supplement(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match read_form(mp).await {
        Ok(f) => f,
        Err(e) => return case_page(&s, &headers, &p, &id, Some(e)).await,
    };
    let materials: BTreeMap<String, String> = match store_files(&s, &p, form.files, &meta).await {
        Ok(m) => m,
        Err(e) => return case_page(&s, &headers, &p, &id, Some(e.public())).await,
    };
    match s
        .app
        .supplement_bundle_case(&p, &id, materials, &meta)
        .await
    {
        Ok(_) => Redirect::to(&format!("/bundle-cases/{id}")).into_response(),
        Err(e) => case_page(&s, &headers, &p, &id, Some(e.public())).await,
    }
}

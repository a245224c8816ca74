//! The smart company-registration pages (企业开办智能表单): `/registration` — name parts, the
//! business scope picked from the standard list with 一般/许可 badges, premises, capital, investor
//! and officer rows (添加一行 posts the form back, so no JavaScript is needed), representative and
//! designated contact — then the plan (entity type, business, name findings, permits, the item to
//! apply for) and the generated documents with a link to each PDF and to the application.
//!
//! Every value the applicant typed is shown through askama, which escapes it.

pub mod form;

use super::{Ctx, render};
use crate::AppState;
use crate::error::PageForm;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use form::{
    InvestorRow, OfficerRow, Pairs, errors_by_field, investor_rows, officer_rows, to_input,
};
use shenpi_app::registration::documents::DocumentSet;
use shenpi_app::registration::{CHANGE_ITEMS, RegistrationPlan};
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::form::FieldError;
use shenpi_domain::registration::application::{METHODS, POSITIONS};
use shenpi_domain::registration::name::qingdao_region_words;
use shenpi_domain::registration::scope::ScopeClass;
use std::collections::HashMap;

/// A scope checkbox.
pub struct ScopeOption {
    pub code: String,
    pub text: String,
    pub licensed: bool,
    pub permits: String,
    pub note: String,
    pub checked: bool,
}

/// An investor row with its errors.
pub struct InvestorView {
    pub r: InvestorRow,
    pub e: HashMap<&'static str, String>,
}

/// An officer row with its errors.
pub struct OfficerView {
    pub r: OfficerRow,
    pub e: HashMap<&'static str, String>,
}

#[derive(Template)]
#[template(path = "registration.html")]
struct FormPage {
    ctx: Ctx,
    f: Pairs,
    errs: HashMap<String, String>,
    messages: Vec<String>,
    plan: Option<RegistrationPlan>,
    general: Vec<ScopeOption>,
    licensed: Vec<ScopeOption>,
    investors: Vec<InvestorView>,
    officers: Vec<OfficerView>,
    regions: Vec<(String, String)>,
    region_words: Vec<String>,
    change_items: Vec<(String, String)>,
    positions: Vec<&'static str>,
    methods: Vec<&'static str>,
    forms: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "registration_result.html")]
struct ResultPage {
    ctx: Ctx,
    plan: RegistrationPlan,
    carried: Vec<(String, String)>,
    set: Option<DocumentSet>,
    error: Option<String>,
}

/// Legal forms offered as suggestions for the name's 组织形式.
const FORMS: [&str; 8] = [
    "有限公司",
    "有限责任公司",
    "中心（普通合伙）",
    "事务所（普通合伙）",
    "中心",
    "工作室",
    "商行",
    "店",
];

fn row_errors(
    errs: &HashMap<String, String>,
    prefix: &str,
    i: usize,
    keys: &[&'static str],
) -> HashMap<&'static str, String> {
    keys.iter()
        .filter_map(|k| {
            errs.get(&format!("{prefix}-{i}-{k}"))
                .map(|m| (*k, m.clone()))
        })
        .collect()
}

async fn form_page(
    s: &AppState,
    ctx: Ctx,
    f: Pairs,
    errors: &[FieldError],
    plan: Option<RegistrationPlan>,
    extra_rows: (usize, usize),
) -> Response {
    let catalogue = match s.app.scope_catalogue().await {
        Ok(c) => c,
        Err(e) => return super::error_page(s, &HeaderMap::new(), None, e.public()),
    };
    let chosen = f.all("scope");
    let option = |e: &shenpi_domain::registration::scope::ScopeEntry| ScopeOption {
        code: e.code.clone(),
        text: e.text.clone(),
        licensed: e.class == ScopeClass::Licensed,
        permits: e
            .permits
            .iter()
            .map(|p| format!("{}（{}）", p.name, p.department))
            .collect::<Vec<_>>()
            .join("、"),
        note: e.note.clone(),
        checked: chosen.contains(&e.code),
    };
    let errs = errors_by_field(errors, ctx.lang.en);
    let mut investors = investor_rows(&f);
    let want = investors.len().max(1) + extra_rows.0;
    while investors.len() < want.min(50) {
        investors.push(InvestorRow {
            i: investors.len(),
            kind: "natural".into(),
            method: "货币".into(),
            ..Default::default()
        });
    }
    let mut officers = officer_rows(&f);
    let want = officers.len().max(2) + extra_rows.1;
    while officers.len() < want.min(20) {
        officers.push(OfficerRow {
            i: officers.len(),
            ..Default::default()
        });
    }
    let page = FormPage {
        messages: errors
            .iter()
            .map(|e| {
                if ctx.lang.en {
                    e.message_en.clone()
                } else {
                    e.message_zh.clone()
                }
            })
            .collect(),
        investors: investors
            .into_iter()
            .map(|r| InvestorView {
                e: row_errors(
                    &errs,
                    "sh",
                    r.i,
                    &["kind", "name", "id", "amount", "method", "due"],
                ),
                r,
            })
            .collect(),
        officers: officers
            .into_iter()
            .map(|r| OfficerView {
                e: row_errors(&errs, "of", r.i, &["name", "id", "position"]),
                r,
            })
            .collect(),
        general: catalogue
            .entries
            .iter()
            .filter(|e| e.class == ScopeClass::General)
            .map(option)
            .collect(),
        licensed: catalogue
            .entries
            .iter()
            .filter(|e| e.class == ScopeClass::Licensed)
            .map(option)
            .collect(),
        regions: shenpi_domain::regions::qingdao_districts()
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect(),
        region_words: qingdao_region_words(),
        change_items: CHANGE_ITEMS
            .iter()
            .map(|(k, n)| (k.to_string(), n.to_string()))
            .collect(),
        positions: POSITIONS.to_vec(),
        methods: METHODS.to_vec(),
        forms: FORMS.to_vec(),
        errs,
        plan,
        f,
        ctx,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, render(&page)).into_response()
}

/// `GET /registration`: the empty form.
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers, Some(&p), "/registration");
    let f = Pairs(vec![
        ("organisation".into(), "enterprise".into()),
        ("liability".into(), "limited".into()),
        ("name_region".into(), "青岛".into()),
        ("name_form".into(), "有限公司".into()),
    ]);
    form_page(&s, ctx, f, &[], None, (0, 0)).await
}

/// `POST /registration`: `action` = `add_investor`, `add_officer`, `edit` (the form again),
/// `check` (the plan) or
/// `documents` (generate and store them).
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let f = Pairs(pairs);
    let ctx = Ctx::new(&headers, Some(&p), "/registration");
    let action = f.get("action").to_string();
    match action.as_str() {
        "add_investor" => return form_page(&s, ctx, f, &[], None, (1, 0)).await,
        "add_officer" => return form_page(&s, ctx, f, &[], None, (0, 1)).await,
        "edit" => return form_page(&s, ctx, f, &[], None, (0, 0)).await,
        _ => {}
    }
    let input = to_input(&f);
    let plan = match s.app.registration_plan(&input).await {
        Ok(plan) => plan,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    if !plan.field_errors.is_empty() {
        let errors = plan.field_errors.clone();
        return form_page(&s, ctx, f, &errors, Some(plan), (0, 0)).await;
    }
    if action != "documents" {
        let carried = f.carried();
        return render(&ResultPage {
            ctx,
            plan,
            carried,
            set: None,
            error: None,
        });
    }
    match s.app.registration_documents(&p, &input, &meta).await {
        Ok(set) => render(&ResultPage {
            ctx,
            plan: set.plan.clone(),
            carried: f.carried(),
            set: Some(set),
            error: None,
        }),
        Err(e) => {
            let pe = e.public();
            let error = Some(if ctx.lang.en {
                pe.message_en
            } else {
                pe.message_zh
            });
            let status =
                StatusCode::from_u16(pe.code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let page = ResultPage {
                ctx,
                plan,
                carried: f.carried(),
                set: None,
                error,
            };
            (status, render(&page)).into_response()
        }
    }
}

/// `GET /registration/files/{id}`: one of the caller's generated documents (PDF, shown inline).
pub async fn file(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match s.app.material_content(&p, &id).await {
        Ok((f, bytes)) if f.kind == "pdf" => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "inline; filename=\"registration.pdf\"; filename*=UTF-8''{}",
                        super::encode(&f.name)
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(_) => super::error_page(
            &s,
            &headers,
            Some(&p),
            AppError::NotFound("document".into()).public(),
        ),
        Err(e) => super::error_page(&s, &headers, Some(&p), e.public()),
    }
}

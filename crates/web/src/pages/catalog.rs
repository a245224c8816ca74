//! Catalog pages: browse the items of a region and read a guide (办事指南), public.

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use shenpi_app::Principal;
use shenpi_app::catalog::read::ItemFilter;
use shenpi_domain::catalog::material::MaterialSource;
use shenpi_domain::regions::{QINGDAO_CITY, qingdao_districts};
use std::collections::HashMap;

struct Row {
    code: String,
    name: String,
    online: String,
    promised: u32,
    visits: u8,
    version: u32,
    scheduled: Option<String>,
    zero_material: bool,
}

#[derive(Template)]
#[template(path = "items.html")]
struct ItemsPage {
    ctx: Ctx,
    region: String,
    region_name: String,
    regions: Vec<(String, String)>,
    q: String,
    domain: String,
    domains: Vec<String>,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
}

/// The regions for a selector, city first.
pub fn region_options() -> Vec<(String, String)> {
    std::iter::once((QINGDAO_CITY.to_string(), "青岛市（市级）".to_string()))
        .chain(
            qingdao_districts()
                .iter()
                .map(|(c, n)| (c.to_string(), n.to_string())),
        )
        .collect()
}

fn region_name(code: &str) -> String {
    region_options()
        .into_iter()
        .find(|(c, _)| c == code)
        .map(|(_, n)| n)
        .unwrap_or_else(|| code.to_string())
}

/// `GET /items?region=&q=&domain=&page=`
pub async fn list(
    State(s): State<AppState>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let p = p.map(|Extension(p)| p);
    let region = q
        .get("region")
        .cloned()
        .unwrap_or_else(|| QINGDAO_CITY.to_string());
    let page_no = q
        .get("page")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let filter = ItemFilter {
        q: q.get("q").cloned(),
        domain: q.get("domain").cloned().filter(|d| !d.is_empty()),
        ..Default::default()
    };
    let page = match s.app.catalog_items(&region, &filter, page_no, 20).await {
        Ok(pg) => pg,
        Err(e) => return super::error_page(&s, &headers, p.as_ref(), e.public()),
    };
    let mut domains: Vec<String> = match s.app.effective_catalog(QINGDAO_CITY).await {
        Ok(all) => all.into_iter().map(|e| e.version.item.domain).collect(),
        Err(_) => vec![],
    };
    domains.sort();
    domains.dedup();
    let ctx = Ctx::new(&headers, p.as_ref(), "/items");
    let en = ctx.lang.en;
    let rows = page
        .items
        .iter()
        .map(|e| {
            let i = &e.version.item;
            Row {
                code: e.version.code.clone(),
                name: i.name.clone(),
                online: if en {
                    i.online_level.as_str().to_string()
                } else {
                    i.online_level.name_zh().to_string()
                },
                promised: i.promised_limit_days,
                visits: i.onsite_visits,
                version: e.version.version,
                scheduled: e.scheduled.map(|(v, d)| format!("v{v} {d}")),
                zero_material: i
                    .situations
                    .iter()
                    .any(|s| i.is_zero_material(Some(&s.key))),
            }
        })
        .collect();
    render(&ItemsPage {
        region_name: region_name(&region),
        regions: region_options(),
        q: q.get("q").cloned().unwrap_or_default(),
        domain: filter.domain.unwrap_or_default(),
        domains,
        rows,
        total: page.total,
        pages: ((page.total + page.per_page - 1) / page.per_page).max(1),
        page: page.page,
        region,
        ctx,
    })
}

struct MaterialRow {
    name: String,
    counts: String,
    form: String,
    source: String,
    notes: String,
}

struct SituationView {
    name: String,
    description: String,
    materials: Vec<MaterialRow>,
    promised: u32,
    zero_material: bool,
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    ctx: Ctx,
    item: shenpi_domain::catalog::ServiceItem,
    region: String,
    region_name: String,
    version: u32,
    effective_from: String,
    state: String,
    state_active: bool,
    scheduled: Option<String>,
    basic: Vec<(String, String)>,
    situations: Vec<SituationView>,
    case_type: String,
    place: String,
    hours: String,
    windows: String,
    notes: String,
    consultation: String,
    complaint: String,
    staff: bool,
    opinions: Vec<(String, String)>,
}

/// `GET /items/{code}?region=` — the guide.
pub async fn guide(
    State(s): State<AppState>,
    p: Option<Extension<Principal>>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let p = p.map(|Extension(p)| p);
    let region = q
        .get("region")
        .cloned()
        .unwrap_or_else(|| QINGDAO_CITY.to_string());
    let e = match s.app.catalog_item(&code, &region).await {
        Ok(e) => e,
        Err(err) => return super::error_page(&s, &headers, p.as_ref(), err.public()),
    };
    let ctx = Ctx::new(&headers, p.as_ref(), "/items");
    let l = ctx.lang;
    let item = e.version.item.clone();
    let material_row = |m: &shenpi_domain::catalog::material::Material| MaterialRow {
        name: m.name.clone(),
        counts: format!("{} / {}", m.originals, m.copies),
        form: m.form.name_zh().to_string(),
        source: match &m.source {
            MaterialSource::SharedData { dataset } => {
                format!("{}（{dataset}）", m.source.name_zh())
            }
            MaterialSource::ECertificate { cert_type } => {
                format!("{}（{cert_type}）", m.source.name_zh())
            }
            other => other.name_zh().to_string(),
        },
        notes: m.notes.clone(),
    };
    let mut situations: Vec<SituationView> = item
        .situations
        .iter()
        .map(|sit| SituationView {
            name: sit.name.clone(),
            description: sit.description.clone(),
            materials: item
                .materials_for(Some(&sit.key))
                .into_iter()
                .map(material_row)
                .collect(),
            promised: item.promised_limit_for(Some(&sit.key)),
            zero_material: item.is_zero_material(Some(&sit.key)),
        })
        .collect();
    if situations.is_empty() {
        situations.push(SituationView {
            name: l.t("申请材料", "Materials").into(),
            description: String::new(),
            materials: item
                .materials_for(None)
                .into_iter()
                .map(material_row)
                .collect(),
            promised: item.promised_limit_days,
            zero_material: item.is_zero_material(None),
        });
    }
    let department = s
        .app
        .departments(Some(&region))
        .await
        .ok()
        .and_then(|ds| {
            ds.into_iter()
                .find(|d| d.id == format!("{region}-{}", item.department))
        })
        .map(|d| d.name_zh)
        .unwrap_or_else(|| item.implementing_body.clone());
    let basic = vec![
        (l.t("事项名称", "Name").into(), item.name.clone()),
        (
            l.t("事项类型", "Type").into(),
            item.item_type.name_zh().into(),
        ),
        (
            l.t("办理项类型", "Handling kind").into(),
            item.handling_kind.name_zh().into(),
        ),
        (
            l.t("基本编码", "Basic code").into(),
            item.basic_code.clone(),
        ),
        (
            l.t("业务办理项编码", "Handling-item code").into(),
            item.code.clone(),
        ),
        (l.t("实施主体", "Implementing body").into(), department),
        (
            l.t("服务对象", "Served").into(),
            item.service_object.clone(),
        ),
        (
            l.t("办理方式", "Online level").into(),
            item.online_level.name_zh().into(),
        ),
    ];
    let local = e
        .implementation
        .as_ref()
        .map(|i| i.local.clone())
        .unwrap_or_default();
    let pick = |v: &str, d: &str| {
        if v.is_empty() {
            d.to_string()
        } else {
            v.to_string()
        }
    };
    let staff = p
        .as_ref()
        .is_some_and(|p| !p.user.roles.iter().any(|r| r.is_applicant()));
    let opinions = item
        .knowledge
        .opinion_phrases
        .iter()
        .map(|o| (o.outcome.name_zh().to_string(), o.text.clone()))
        .collect();
    let page = GuidePage {
        region_name: region_name(&region),
        version: e.version.version,
        effective_from: e.version.effective_from.to_string(),
        state: e.version.state.name_zh().into(),
        state_active: e.version.state == shenpi_domain::catalog::version::ItemState::Active,
        scheduled: e.scheduled.map(|(v, d)| {
            format!(
                "{} v{v} {} {d} {}",
                l.t("新版本", "Version"),
                l.t("将于", "comes into force on"),
                l.t("起施行", "")
            )
        }),
        basic,
        situations,
        case_type: item.case_type.name_zh().into(),
        place: pick(&local.place, &item.default_place),
        hours: pick(&local.hours, &item.default_hours),
        windows: local.windows.join("、"),
        notes: local.notes.clone(),
        consultation: pick(&local.consultation_phone, "12345"),
        complaint: pick(&local.complaint_phone, "12345"),
        staff,
        opinions,
        region,
        item,
        ctx,
    };
    render(&page)
}

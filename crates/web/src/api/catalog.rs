//! The catalog API: effective items per region, versions, district claims and local elements,
//! change proposals with joint review, the deviation report.

use super::PageView;
use super::auth::ApiJsonOut;
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use shenpi_app::catalog::proposals::{ProposalInput, ReviewInput};
use shenpi_app::catalog::read::{EffectiveItem, ItemFilter};
use shenpi_app::{Principal, RequestMeta};
use shenpi_domain::regions::QINGDAO_CITY;

/// Listing parameters.
#[derive(Debug, Deserialize)]
pub struct ItemsQuery {
    pub region: Option<String>,
    pub q: Option<String>,
    pub domain: Option<String>,
    pub department: Option<String>,
    pub online_level: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The summary of an effective item in a listing.
pub fn summary(e: &EffectiveItem) -> Value {
    let i = &e.version.item;
    json!({
        "code": e.version.code,
        "name": i.name,
        "region": e.region,
        "version": e.version.version,
        "state": e.version.state,
        "effective_from": e.version.effective_from.to_string(),
        "item_type": i.item_type,
        "domain": i.domain,
        "department": i.department,
        "online_level": i.online_level,
        "statutory_limit_days": i.statutory_limit_days,
        "promised_limit_days": i.promised_limit_days,
        "onsite_visits": i.onsite_visits,
        "zero_material": i.situations.iter().any(|s| i.is_zero_material(Some(&s.key))) || i.is_zero_material(None),
        "place": e.implementation.as_ref().map(|m| m.local.place.clone()).unwrap_or_else(|| i.default_place.clone()),
        "scheduled": e.scheduled.map(|(v, d)| json!({"version": v, "effective_from": d.to_string()})),
    })
}

/// `GET /api/v1/items`
pub async fn list(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ItemsQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let region = q.region.unwrap_or_else(|| QINGDAO_CITY.to_string());
    let filter = ItemFilter {
        q: q.q,
        domain: q.domain,
        department: q.department,
        online_level: q.online_level,
        include_inactive: false,
    };
    let page = s
        .app
        .catalog_items(
            &region,
            &filter,
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(20),
        )
        .await?;
    Ok(ApiJsonOut(json!(PageView {
        items: page.items.iter().map(summary).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })))
}

/// `?region=`
#[derive(Debug, Deserialize)]
pub struct RegionQuery {
    pub region: Option<String>,
}

/// `?region=&situation=`
#[derive(Debug, Deserialize)]
pub struct FormQuery {
    pub region: Option<String>,
    /// A situation with its own form (情形表单); the item's form otherwise.
    pub situation: Option<String>,
}

/// `GET /api/v1/items/{code}`
pub async fn one(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let region = q.region.unwrap_or_else(|| QINGDAO_CITY.to_string());
    let e = s.app.catalog_item(&code, &region).await?;
    Ok(ApiJsonOut(json!({
        "code": e.version.code,
        "region": e.region,
        "version": e.version.version,
        "state": e.version.state,
        "effective_from": e.version.effective_from.to_string(),
        "item": e.version.item,
        "local": e.implementation.as_ref().map(|i| &i.local),
        "local_revision": e.implementation.as_ref().map(|i| i.revision),
        "scheduled": e.scheduled.map(|(v, d)| json!({"version": v, "effective_from": d.to_string()})),
    })))
}

/// `GET /api/v1/items/{code}/form` — the business form (JSON Schema 2020-12 + UI hints).
pub async fn form(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<FormQuery>,
) -> Result<ApiJsonOut, ApiError> {
    let region = q.region.unwrap_or_else(|| QINGDAO_CITY.to_string());
    let f = s
        .app
        .item_form(&code, &region, q.situation.as_deref())
        .await?;
    Ok(ApiJsonOut(
        json!({"code": code, "region": region, "situation": q.situation, "schema": f.schema, "ui": f.ui}),
    ))
}

/// `POST /api/v1/items/{code}/form/check` — checks form data without submitting: `200
/// {"valid": true}` or `422 FORM_INVALID` with one entry per field in `details.fields`.
pub async fn check_form(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<FormQuery>,
    ApiJson(data): ApiJson<Value>,
) -> Result<ApiJsonOut, ApiError> {
    let region = q.region.unwrap_or_else(|| QINGDAO_CITY.to_string());
    s.app
        .check_item_form(&code, &region, q.situation.as_deref(), &data)
        .await?;
    Ok(ApiJsonOut(json!({"valid": true})))
}

/// `GET /api/v1/items/{code}/versions`
pub async fn versions(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let vs = s.app.item_history(&code).await?;
    Ok(ApiJsonOut(json!({"items": vs.iter().map(|v| json!({
        "version": v.version, "state": v.state, "effective_from": v.effective_from.to_string(),
        "published_at": v.published_at.to_rfc3339(), "published_by": v.published_by, "proposal_id": v.proposal_id,
    })).collect::<Vec<_>>()})))
}

/// `GET /api/v1/items/{code}/versions/{version}`
pub async fn version(
    State(s): State<AppState>,
    ApiPath((code, version)): ApiPath<(String, u32)>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(s.app.item_version(&code, version).await?)))
}

/// `POST /api/v1/items/{code}/implementations/{region}` — claim with local elements.
pub async fn claim(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath((code, region)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> Result<impl IntoResponse, ApiError> {
    let imp = s.app.claim_item(&p, &code, &region, &body, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(imp))))
}

/// `?revision=`
#[derive(Debug, Deserialize)]
pub struct RevisionQuery {
    pub revision: i64,
}

/// `PUT /api/v1/items/{code}/implementations/{region}?revision=N` — replace local elements.
pub async fn update_local(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath((code, region)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<RevisionQuery>,
    ApiJson(body): ApiJson<Value>,
) -> Result<ApiJsonOut, ApiError> {
    let imp = s
        .app
        .update_local(&p, &code, &region, q.revision, &body, &meta)
        .await?;
    Ok(ApiJsonOut(json!(imp)))
}

/// `?status=&page=`
#[derive(Debug, Deserialize)]
pub struct ProposalsQuery {
    pub status: Option<String>,
    pub page: Option<i64>,
}

/// `GET /api/v1/proposals`
pub async fn proposals(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<ProposalsQuery>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app
            .proposals(&p, q.status.as_deref(), q.page.unwrap_or(1))
            .await?
    )))
}

/// `POST /api/v1/proposals`
pub async fn create_proposal(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiJson(input): ApiJson<ProposalInput>,
) -> Result<impl IntoResponse, ApiError> {
    let prop = s.app.create_proposal(&p, input, &meta).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(prop))))
}

/// `GET /api/v1/proposals/{id}` — with the diff and the reviews still missing.
pub async fn proposal(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let prop = s.app.proposal(&p, &id).await?;
    let diff = s.app.proposal_diff(&p, &id).await?;
    let pending = prop.pending_reviewers(QINGDAO_CITY);
    Ok(ApiJsonOut(
        json!({"proposal": prop, "diff": diff, "pending_reviewers": pending}),
    ))
}

/// `PUT /api/v1/proposals/{id}?revision=N`
pub async fn update_proposal(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<RevisionQuery>,
    ApiJson(input): ApiJson<ProposalInput>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app
            .update_proposal(&p, &id, q.revision, input, &meta)
            .await?
    )))
}

/// `POST /api/v1/proposals/{id}/submit`
pub async fn submit(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.submit_proposal(&p, &id, &meta).await?
    )))
}

/// `POST /api/v1/proposals/{id}/review` `{decision: approve|return, comment}`
pub async fn review(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app.review_proposal(&p, &id, input, &meta).await?
    )))
}

/// `{reason}`
#[derive(Debug, Deserialize)]
pub struct OverrideInput {
    pub reason: String,
}

/// `POST /api/v1/proposals/{id}/override`
pub async fn override_(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(json!(
        s.app
            .override_proposal(&p, &id, &input.reason, &meta)
            .await?
    )))
}

/// `POST /api/v1/proposals/{id}/publish`
pub async fn publish(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJsonOut, ApiError> {
    let versions = s.app.publish_proposal(&p, &id, &meta).await?;
    Ok(ApiJsonOut(
        json!({"published": versions.iter().map(|v| json!({
        "code": v.code, "version": v.version, "state": v.state, "effective_from": v.effective_from.to_string()
    })).collect::<Vec<_>>()}),
    ))
}

/// `GET /api/v1/catalog/deviations`
pub async fn deviations(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
) -> Result<ApiJsonOut, ApiError> {
    Ok(ApiJsonOut(
        json!({"items": s.app.deviation_report(&p).await?}),
    ))
}

/// `?q=&region=&department=&domain=&online_level=&page=`
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    pub region: Option<String>,
    pub department: Option<String>,
    pub domain: Option<String>,
    pub online_level: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl SearchQuery {
    /// The filters of the query.
    pub fn filters(&self) -> shenpi_app::catalog::search::SearchFilters {
        shenpi_app::catalog::search::SearchFilters {
            region: self.region.clone().filter(|v| !v.is_empty()),
            department: self.department.clone().filter(|v| !v.is_empty()),
            domain: self.domain.clone().filter(|v| !v.is_empty()),
            online_level: self.online_level.clone().filter(|v| !v.is_empty()),
        }
    }
}

/// `GET /api/v1/search` — full-text search of the catalog in force.
pub async fn search(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<ApiJsonOut, ApiError> {
    if q.q.chars().count() > 200 {
        return Err(ApiError::with_detail(
            shenpi_domain::error::ErrorCode::INVALID_QUERY,
            "q is longer than 200 characters",
        ));
    }
    let page = q.page.unwrap_or(1);
    let (hits, more) = s
        .app
        .search_items(&q.q, &q.filters(), page, q.per_page.unwrap_or(20))
        .await?;
    Ok(ApiJsonOut(
        json!({"items": hits, "page": page.clamp(1, 100), "has_more": more}),
    ))
}

/// `?format=json|xlsx`
#[derive(Debug, Deserialize)]
pub struct FormatQuery {
    pub format: Option<String>,
    /// For imports: the effective date of the proposals (default tomorrow).
    pub effective_from: Option<String>,
}

fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    filename: &str,
) -> axum::response::Response {
    use axum::http::header;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `GET /api/v1/catalog/export?format=json|xlsx` — the city standards in force.
pub async fn export(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> Result<axum::response::Response, ApiError> {
    let items = s.app.export_items().await?;
    let date = s.app.today();
    match q.format.as_deref().unwrap_or("xlsx") {
        "json" => Ok(download(
            shenpi_exchange::items_to_json(&items).into_bytes(),
            "application/json",
            &format!("shenpi-catalog-{date}.json"),
        )),
        "xlsx" => {
            let bytes = shenpi_exchange::items_to_xlsx(&items)
                .map_err(|e| ApiError::from(shenpi_app::AppError::Internal(e.to_string())))?;
            Ok(download(
                bytes,
                XLSX,
                &format!("shenpi-catalog-{date}.xlsx"),
            ))
        }
        _ => Err(ApiError::with_detail(
            shenpi_domain::error::ErrorCode::INVALID_QUERY,
            "format must be json or xlsx",
        )),
    }
}

/// `GET /api/v1/catalog/template.xlsx` — the documented import layout with an example item.
pub async fn template() -> Result<axum::response::Response, ApiError> {
    let bytes = shenpi_exchange::template_xlsx()
        .map_err(|e| ApiError::from(shenpi_app::AppError::Internal(e.to_string())))?;
    Ok(download(bytes, XLSX, "shenpi-catalog-template.xlsx"))
}

/// `POST /api/v1/catalog/import?format=xlsx|json&effective_from=` with the file as the body:
/// every item becomes a draft proposal, or nothing is imported and every problem is listed.
pub async fn import(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<FormatQuery>,
    crate::error::ApiBytes(body): crate::error::ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    use shenpi_domain::error::ErrorCode;
    let effective_from = match q.effective_from.as_deref() {
        Some(d) => d.parse().map_err(|_| {
            ApiError::with_detail(
                ErrorCode::INVALID_QUERY,
                "effective_from must be YYYY-MM-DD",
            )
        })?,
        None => s.app.today().succ_opt().unwrap_or(s.app.today()),
    };
    let items = parse_items(q.format.as_deref(), &body)?;
    let proposals = s.app.import_items(&p, items, effective_from, &meta).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"proposals": proposals.iter().map(|x| json!({
        "id": x.id, "operation": x.operation, "title": x.title, "status": x.status
    })).collect::<Vec<_>>()})),
    ))
}

/// `?region=&format=xlsx|json`
#[derive(Debug, Deserialize)]
pub struct DistrictImportQuery {
    pub region: String,
    pub format: Option<String>,
}

/// `POST /api/v1/catalog/import-district?region=&format=` — a district's own implementation list;
/// answers the deviations from the city standard it shows.
pub async fn import_district(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    ApiQuery(q): ApiQuery<DistrictImportQuery>,
    crate::error::ApiBytes(body): crate::error::ApiBytes,
) -> Result<ApiJsonOut, ApiError> {
    let items = parse_items(q.format.as_deref(), &body)?;
    let deviations = s
        .app
        .import_district_list(&p, &q.region, items, &meta)
        .await?;
    Ok(ApiJsonOut(json!({"deviations": deviations})))
}

/// Reads an import file (`xlsx` by default, or `json`); a bad file is a 422 listing every problem.
fn parse_items(
    format: Option<&str>,
    body: &[u8],
) -> Result<Vec<shenpi_domain::catalog::ServiceItem>, ApiError> {
    use shenpi_domain::error::ErrorCode;
    let parsed = match format.unwrap_or("xlsx") {
        "json" => shenpi_exchange::items_from_json(body),
        "xlsx" => shenpi_exchange::items_from_xlsx(body),
        _ => {
            return Err(ApiError::with_detail(
                ErrorCode::INVALID_QUERY,
                "format must be json or xlsx",
            ));
        }
    };
    parsed.map_err(|report| {
        ApiError(Box::new(
            shenpi_app::error::PublicError::of(ErrorCode::IMPORT_INVALID)
                .details(json!({"errors": report.errors})),
        ))
    })
}

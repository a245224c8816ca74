//! 在线申请 and 补正 pages for applicants: a phone-first form with one file input per material
//! to upload, sent as `multipart/form-data`. Every file goes through the material-upload use
//! case (type judged by content, the size limit) and the application or the supplement through
//! its use case; an error re-renders the form with the bilingual message and creates no case.
//!
//! File inputs are named `material-{key}` after the catalog's material key. The apply form
//! carries an idempotency key generated when it is rendered, so submitting it twice creates one
//! case.

use super::{Ctx, render};
use crate::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use shenpi_app::cases::Application;
use shenpi_app::drafts::{DraftContent, DraftView};
use shenpi_app::error::PublicError;
use shenpi_app::materials::MAX_MATERIAL_BYTES;
use shenpi_app::{AppError, Principal, RequestMeta};
use shenpi_domain::case::file::sniff;
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::material::MaterialSource;
use shenpi_domain::error::ErrorCode;
use std::collections::{BTreeMap, HashMap};

/// A field error as the API reports it (`details.fields`).
#[derive(serde::Deserialize)]
struct FieldErrorIn {
    pointer: String,
    message_zh: String,
    message_en: String,
}

/// The largest whole upload form (several material files), in bytes.
pub const UPLOAD_FORM_LIMIT: usize = 3 * MAX_MATERIAL_BYTES;

/// The name prefix of a material's file input.
const FILE_PREFIX: &str = "material-";

/// One file input of a form.
pub struct FileInput {
    /// The material key (the input is named `material-{key}`).
    pub key: String,
    pub name: String,
    /// Needed in every situation.
    pub required: bool,
    /// Names of the situations that need it, when not every one does.
    pub situations: String,
    /// Already uploaded with the draft being continued (need not be chosen again).
    pub uploaded: bool,
}

/// The file inputs for the upload materials of `item`: in `situation` only, or (None) in any.
pub fn file_inputs(item: &ServiceItem, situation: Option<&str>) -> Vec<FileInput> {
    let wanted: Vec<&str> = match situation {
        Some(s) => item
            .materials_for(Some(s))
            .iter()
            .map(|m| m.key.as_str())
            .collect(),
        None => item.materials.iter().map(|m| m.key.as_str()).collect(),
    };
    item.materials
        .iter()
        .filter(|m| m.source == MaterialSource::Upload && wanted.contains(&m.key.as_str()))
        .map(|m| FileInput {
            key: m.key.clone(),
            name: m.name.clone(),
            required: m.always_required,
            situations: if m.always_required {
                String::new()
            } else {
                item.situations
                    .iter()
                    .filter(|s| s.materials.contains(&m.key))
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            },
            uploaded: false,
        })
        .collect()
}

/// A received multipart form: its text fields and its non-empty files by material key.
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    /// material key → (file name, bytes)
    pub files: BTreeMap<String, (String, Vec<u8>)>,
}

fn invalid(zh: &str, en: &str) -> PublicError {
    let mut e = PublicError::of(ErrorCode::BAD_REQUEST);
    e.message_zh = zh.to_string();
    e.message_en = en.to_string();
    e
}

/// Reads a multipart form; browsers send an empty part for a file input left empty, which is
/// skipped.
pub async fn read_form(
    mp: Result<Multipart, MultipartRejection>,
) -> Result<UploadForm, PublicError> {
    let bad = || {
        invalid(
            "表单须以 multipart/form-data 提交",
            "The form must be sent as multipart/form-data",
        )
    };
    let mut mp = mp.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            PublicError::of(ErrorCode::PAYLOAD_TOO_LARGE)
        } else {
            bad()
        }
    })?;
    let mut form = UploadForm {
        fields: HashMap::new(),
        files: BTreeMap::new(),
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(PublicError::of(ErrorCode::PAYLOAD_TOO_LARGE));
            }
            Err(_) => return Err(bad()),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(PublicError::of(ErrorCode::PAYLOAD_TOO_LARGE));
            }
            Err(_) => return Err(bad()),
        };
        if let Some(key) = name.strip_prefix(FILE_PREFIX) {
            if !bytes.is_empty() {
                let shown = file_name
                    .as_deref()
                    .map(|n| n.rsplit(['/', '\\']).next().unwrap_or("").trim())
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{key}.pdf"));
                form.files.insert(key.to_string(), (shown, bytes.to_vec()));
            }
        } else if file_name.is_none() {
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| bad())?;
            if text.contains('\0') {
                return Err(bad());
            }
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

/// Checks every file (not empty, within the limit, an accepted type by content) before any is
/// stored, then stores them: material key → file id.
pub async fn store_files(
    s: &AppState,
    p: &Principal,
    files: BTreeMap<String, (String, Vec<u8>)>,
    meta: &RequestMeta,
) -> Result<BTreeMap<String, String>, AppError> {
    for (name, bytes) in files.values() {
        if bytes.len() > MAX_MATERIAL_BYTES {
            return Err(AppError::rule(
                ErrorCode::PAYLOAD_TOO_LARGE,
                json!({"max_bytes": MAX_MATERIAL_BYTES, "file": name}),
            ));
        }
        if sniff(bytes).is_none() {
            return Err(AppError::rule(
                ErrorCode::MATERIAL_TYPE_UNSUPPORTED,
                json!({"accepted": ["pdf", "jpeg", "png", "ofd"], "file": name}),
            ));
        }
    }
    let mut ids = BTreeMap::new();
    for (key, (name, bytes)) in files {
        let f = s.app.upload_material(p, &name, &bytes, meta).await?;
        ids.insert(key, f.id);
    }
    Ok(ids)
}

/// The message of an error in the page's language, with the file or missing materials named.
pub fn message(ctx: &Ctx, e: &PublicError) -> String {
    let mut m = if ctx.lang.en {
        e.message_en.clone()
    } else {
        e.message_zh.clone()
    };
    if let Some(missing) = e.details.get("missing").and_then(|v| v.as_array()) {
        let names: Vec<&str> = missing.iter().filter_map(|v| v.as_str()).collect();
        m.push_str(ctx.lang.t("：", ": "));
        m.push_str(&names.join(ctx.lang.t("、", ", ")));
    } else if let Some(file) = e.details.get("file").and_then(|v| v.as_str()) {
        m.push_str(&format!("（{file}）"));
    }
    m
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    ctx: Ctx,
    code: String,
    region: String,
    item_name: String,
    /// (key, name)
    situations: Vec<(String, String)>,
    selected: String,
    files: Vec<FileInput>,
    idempotency_key: String,
    error: Option<String>,
    /// The draft being continued ("" for a new application).
    draft_id: String,
    /// Shown after the draft was saved.
    saved: bool,
    /// The item's business form, if it has one (业务表单).
    form: Vec<super::form_view::FieldView>,
    /// Materials the platform fetches instead of the applicant (免提交): (name, source).
    fetched: Vec<(String, String)>,
    /// Whether the form has fields filled from the account or shared data (免填写).
    can_prefill: bool,
    /// Whether some situation has its own form (the page links each situation's form).
    situation_forms: bool,
    /// What the last prefill filled: "label：value（source）".
    prefilled: Vec<String>,
    /// Whether the prefill ran (to say so when it found nothing to fill).
    prefill_ran: bool,
}

/// What the apply form shows besides the item: the applicant's choices so far.
struct FormState {
    region: String,
    selected: String,
    idempotency_key: String,
    draft: Option<DraftView>,
    saved: bool,
    /// The business-form values entered so far, and the errors of each field.
    values: serde_json::Value,
    errors: Vec<shenpi_domain::form::FieldError>,
    /// What a prefill just filled (None: no prefill ran).
    prefilled: Option<Vec<String>>,
}

async fn form_page(
    s: &AppState,
    headers: &HeaderMap,
    p: &Principal,
    code: &str,
    st: FormState,
    error: Option<PublicError>,
) -> Response {
    let (region, selected, idempotency_key) = (&st.region, &st.selected, st.idempotency_key);
    let e = match s.app.catalog_item(code, region).await {
        Ok(e) => e,
        Err(err) => return super::error_page(s, headers, Some(p), err.public()),
    };
    let ctx = Ctx::new(headers, Some(p), "/items");
    let item = &e.version.item;
    let status = error
        .as_ref()
        .and_then(|e| StatusCode::from_u16(e.code.status).ok())
        .unwrap_or(StatusCode::OK);
    let page = ApplyPage {
        error: error.map(|e| message(&ctx, &e)),
        ctx,
        code: item.code.clone(),
        region: region.to_string(),
        item_name: item.name.clone(),
        situations: item
            .situations
            .iter()
            .map(|s| (s.key.clone(), s.name.clone()))
            .collect(),
        selected: selected.to_string(),
        files: file_inputs(item, None)
            .into_iter()
            .map(|mut f| {
                f.uploaded = st
                    .draft
                    .as_ref()
                    .is_some_and(|d| d.content.materials.contains_key(&f.key));
                f
            })
            .collect(),
        idempotency_key,
        form: item
            .form_for(Some(selected.as_str()).filter(|s| !s.is_empty()))
            .map(|f| {
                let values = if st.values.is_null() {
                    st.draft
                        .as_ref()
                        .map(|d| d.content.form.clone())
                        .unwrap_or_default()
                } else {
                    st.values.clone()
                };
                super::form_view::fields(f, &values, &st.errors)
            })
            .unwrap_or_default(),
        fetched: shenpi_app::prefill::fetched_materials(
            item,
            Some(selected.as_str()).filter(|s| !s.is_empty()),
        ),
        situation_forms: item.situations.iter().any(|s| s.form.is_some()),
        can_prefill: item
            .form_for(Some(selected.as_str()).filter(|s| !s.is_empty()))
            .is_some_and(|f| f.ui.fields.values().any(|h| h.prefill.is_some())),
        prefill_ran: st.prefilled.is_some(),
        prefilled: st.prefilled.unwrap_or_default(),
        draft_id: st.draft.map(|d| d.id).unwrap_or_default(),
        saved: st.saved,
    };
    (status, render(&page)).into_response()
}

/// `GET /items/{code}/apply?region=&situation=&draft=`: a new application, or the caller's
/// draft `draft` continued (its situation chosen, its uploaded files kept).
pub async fn show(
    State(s): State<AppState>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let draft = match q.get("draft").filter(|d| !d.is_empty()) {
        Some(id) => match s.app.draft(&p, id).await {
            Ok(d) if d.content.item_code == code => Some(d),
            Ok(_) => {
                return super::error_page(
                    &s,
                    &headers,
                    Some(&p),
                    PublicError::of(ErrorCode::DRAFT_NOT_FOUND),
                );
            }
            Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
        },
        None => None,
    };
    let region = draft
        .as_ref()
        .map(|d| d.content.region.clone())
        .or_else(|| q.get("region").cloned())
        .unwrap_or_default();
    let selected = draft
        .as_ref()
        .and_then(|d| d.content.situation.clone())
        .or_else(|| q.get("situation").cloned())
        .unwrap_or_default();
    let st = FormState {
        region,
        selected,
        idempotency_key: shenpi_store::new_id(),
        draft,
        saved: q.get("saved").is_some_and(|v| v == "1"),
        values: serde_json::Value::Null,
        errors: vec![],
        prefilled: None,
    };
    form_page(&s, &headers, &p, &code, st, None).await
}

/// `POST /items/{code}/apply` (multipart): uploads the files and submits, then goes to the
/// case; or, with `action=draft`, keeps what was chosen and uploaded as a draft (草稿) and shows
/// the form again. Files uploaded with a draft need not be chosen again.
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
    let (region, situation, key) = (
        field("region"),
        field("situation"),
        field("idempotency_key"),
    );
    let draft = match Some(field("draft_id")).filter(|d| !d.is_empty()) {
        Some(id) => match s.app.draft(&p, &id).await {
            Ok(d) => Some(d),
            Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
        },
        None => None,
    };
    let item = match s.app.catalog_item(&code, &region).await {
        Ok(e) => e.version.item,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    // The business form as entered (typed by its schema); without one, the draft's.
    let values = match item.form_for(Some(situation.as_str()).filter(|s| !s.is_empty())) {
        Some(def) => super::form_view::read(def, &form.fields),
        None => draft
            .as_ref()
            .map(|d| d.content.form.clone())
            .unwrap_or_default(),
    };
    let again = |e: PublicError| {
        let (s, headers, p, code) = (&s, &headers, &p, &code);
        // A form error is shown at each field as well as at the top.
        let errors = if e.code == ErrorCode::FORM_INVALID {
            serde_json::from_value::<Vec<FieldErrorIn>>(e.details["fields"].clone())
                .unwrap_or_default()
                .into_iter()
                .map(|f| shenpi_domain::form::FieldError {
                    pointer: f.pointer,
                    code: "",
                    message_zh: f.message_zh,
                    message_en: f.message_en,
                })
                .collect()
        } else {
            vec![]
        };
        let st = FormState {
            region: region.clone(),
            selected: situation.clone(),
            idempotency_key: key.clone(),
            draft: draft.clone(),
            saved: false,
            values: values.clone(),
            errors,
            prefilled: None,
        };
        async move { form_page(s, headers, p, code, st, Some(e)).await }
    };
    let situation = Some(situation.clone()).filter(|s| !s.is_empty());
    let mut kept = draft
        .as_ref()
        .map(|d| d.content.materials.clone())
        .unwrap_or_default();
    if field("action") == "draft" || field("action") == "prefill" {
        // Keep every file of the item's materials that came; nothing is required yet.
        let offered = file_inputs(&item, None);
        let files = form
            .files
            .into_iter()
            .filter(|(k, _)| offered.iter().any(|f| &f.key == k))
            .collect();
        match store_files(&s, &p, files, &meta).await {
            Ok(m) => kept.extend(m),
            Err(e) => return again(e.public()).await,
        }
        let content = DraftContent {
            item_code: item.code.clone(),
            region: region.clone(),
            situation,
            form: values.clone(),
            materials: kept,
        };
        let id = draft.as_ref().map(|d| d.id.as_str());
        if field("action") == "prefill" {
            // The draft is the open application that authorises the look-ups (免填写).
            let saved = match s.app.save_draft(&p, id, content).await {
                Ok(d) => d,
                Err(e) => return again(e.public()).await,
            };
            return match s.app.prefill_draft(&p, &saved.id, &meta).await {
                Ok((d, filled)) => {
                    let st = FormState {
                        region: region.clone(),
                        selected: d.content.situation.clone().unwrap_or_default(),
                        idempotency_key: key.clone(),
                        values: d.content.form.clone(),
                        draft: Some(d),
                        saved: false,
                        errors: vec![],
                        prefilled: Some(
                            filled
                                .iter()
                                .map(|f| {
                                    let v = match &f.value {
                                        serde_json::Value::String(s) => s.clone(),
                                        other => other.to_string(),
                                    };
                                    format!("{}：{}（{}）", f.label, v, f.source)
                                })
                                .collect(),
                        ),
                    };
                    form_page(&s, &headers, &p, &code, st, None).await
                }
                Err(e) => again(e.public()).await,
            };
        }
        return match s.app.save_draft(&p, id, content).await {
            Ok(d) => Redirect::to(&format!(
                "/items/{}/apply?draft={}&saved=1",
                item.code, d.id
            ))
            .into_response(),
            Err(e) => again(e.public()).await,
        };
    }
    if !item.situations.is_empty() && situation.is_none() {
        return again(invalid("请选择办理情形", "Choose a handling situation")).await;
    }
    // The applicant saw which materials the platform fetches for them, and agreed.
    if !shenpi_app::prefill::fetched_materials(&item, situation.as_deref()).is_empty()
        && field("confirm_shared") != "on"
    {
        return again(invalid(
            "请确认同意调取共享数据和电子证照作为申请材料",
            "Confirm that shared data and e-certificates may be fetched as your materials",
        ))
        .await;
    }
    // The business form first: its errors are shown at each field.
    if item.form_for(situation.as_deref()).is_some()
        && let Err(e) = s
            .app
            .check_item_form(&item.code, &region, situation.as_deref(), &values)
            .await
    {
        return again(e.public()).await;
    }
    // Only the files this situation asks for; the required ones must all be there (uploaded
    // now or with the draft).
    let needed = file_inputs(&item, situation.as_deref());
    kept.retain(|k, _| needed.iter().any(|f| &f.key == k));
    let missing: Vec<&str> = needed
        .iter()
        .filter(|f| !form.files.contains_key(&f.key) && !kept.contains_key(&f.key))
        .map(|f| f.name.as_str())
        .collect();
    if !missing.is_empty() {
        return again(
            AppError::rule(ErrorCode::MATERIALS_MISSING, json!({"missing": missing})).public(),
        )
        .await;
    }
    let files = form
        .files
        .into_iter()
        .filter(|(k, _)| needed.iter().any(|f| &f.key == k))
        .collect();
    match store_files(&s, &p, files, &meta).await {
        Ok(m) => kept.extend(m),
        Err(e) => return again(e.public()).await,
    };
    let application = Application {
        item_code: item.code.clone(),
        region: region.clone(),
        situation,
        form: values.clone(),
        materials: kept,
        idempotency_key: key.clone(),
        draft_id: draft.as_ref().map(|d| d.id.clone()),
    };
    match s.app.submit_application(&p, application, &meta).await {
        Ok(done) => Redirect::to(&format!("/cases/{}", done.case.id)).into_response(),
        Err(e) => again(e.public()).await,
    }
}

/// `POST /cases/{id}/supplement` (multipart): uploads the files and answers the supplement
/// notice, then goes back to the case.
pub async fn supplement(
    State(s): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(p): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let (c, _) = match s.app.case(&p, &id).await {
        Ok(x) => x,
        Err(e) => return super::error_page(&s, &headers, Some(&p), e.public()),
    };
    // A refused upload shows the case page again with the reason above the form.
    let fail = |e: PublicError| {
        let (s, headers, p, id) = (&s, &headers, &p, &id);
        async move { super::cases::case_page(s, headers, p, id, Some(e)).await }
    };
    let form = match read_form(mp).await {
        Ok(f) => f,
        Err(e) => return fail(e).await,
    };
    let item = match s.app.item_version(&c.item_code, c.item_version).await {
        Ok(v) => v.item,
        Err(e) => return fail(e.public()).await,
    };
    let allowed = file_inputs(&item, c.situation.as_deref());
    if let Some(k) = form
        .files
        .keys()
        .find(|k| !allowed.iter().any(|f| &f.key == *k))
    {
        return fail(invalid(
            &format!("该办件不需要材料 {k}"),
            &format!("The case does not ask for material {k}"),
        ))
        .await;
    }
    if form.files.is_empty() {
        return fail(invalid(
            "请至少上传一份补正材料",
            "Upload at least one supplementary file",
        ))
        .await;
    }
    let materials = match store_files(&s, &p, form.files, &meta).await {
        Ok(m) => m,
        Err(e) => return fail(e.public()).await,
    };
    match s.app.supplement_case(&p, &id, materials, &meta).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e) => fail(e.public()).await,
    }
}

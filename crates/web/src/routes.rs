//! The one route table. Every route declares its method, path, [`Access`] and documentation;
//! the router, the OpenAPI document and the route × role test all read this table, so a route
//! cannot exist without a declared access rule.

use crate::guard::{Access, api_guard, page_guard};
use crate::{AppState, api, assets, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use serde_json::Value;
use shenpi_app::policy::Action;

/// Whether a route is part of the JSON API or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Page,
    /// Infrastructure (health, metrics, assets, docs): public, no session.
    Infra,
}

/// One route.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub kind: Kind,
    pub access: Access,
    /// Short summary for the OpenAPI document.
    pub summary: &'static str,
    /// JSON schema of the request body, if any.
    pub body: Option<fn() -> Value>,
    pub handler: MethodRouter<AppState>,
}

fn r(
    method: Method,
    path: &'static str,
    kind: Kind,
    access: Access,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        kind,
        access,
        summary,
        body: None,
        handler,
    }
}

fn with_body(mut spec: RouteSpec, body: fn() -> Value) -> RouteSpec {
    spec.body = Some(body);
    spec
}

/// Every route of the platform. One line a route, kept as a table on purpose.
#[rustfmt::skip]
pub fn table() -> Vec<RouteSpec> {
    use Access::{Public, Signed};
    use Kind::{Api, Infra, Page};
    use Method as M;
    use crate::openapi::schemas as s;
    use api::{admin, auth, catalog, public};
    vec![
        // Infrastructure.
        r(M::GET, "/healthz", Infra, Public, "Liveness", get(public::healthz)),
        r(M::GET, "/readyz", Infra, Public, "Readiness (database answers)", get(public::readyz)),
        r(M::GET, "/metrics", Infra, Public, "Prometheus metrics", get(public::metrics)),
        r(M::GET, "/api/openapi.json", Infra, Public, "This document", get(crate::openapi::document)),
        r(M::GET, "/api/docs", Infra, Public, "API console", get(assets::api_docs)),
        r(M::GET, "/assets/{name}", Infra, Public, "Embedded asset", get(assets::asset)),
        // Authentication and self-service.
        with_body(r(M::POST, "/api/v1/auth/login", Api, Public, "Sign in; returns a bearer token", post(auth::login)), s::login),
        r(M::POST, "/api/v1/auth/logout", Api, Signed(Action::SelfService), "Sign out (ends the session on the server)", post(auth::logout)),
        with_body(r(M::POST, "/api/v1/auth/register", Api, Public, "Self-registration of a citizen or enterprise", post(auth::register)), s::register),
        r(M::GET, "/api/v1/me", Api, Signed(Action::SelfService), "The caller's account", get(auth::me)),
        with_body(r(M::POST, "/api/v1/me/password", Api, Signed(Action::SelfService), "Change password (ends other sessions)", post(auth::change_password)), s::password),
        r(M::POST, "/api/v1/me/totp", Api, Signed(Action::SelfService), "Start TOTP enrolment; returns an otpauth URI", post(auth::totp_begin)),
        with_body(r(M::POST, "/api/v1/me/totp/confirm", Api, Signed(Action::SelfService), "Confirm TOTP enrolment with a code", post(auth::totp_confirm)), s::totp),
        // Administration.
        r(M::GET, "/api/v1/users", Api, Signed(Action::UserList), "List accounts (region-scoped)", get(admin::list_users)),
        with_body(r(M::POST, "/api/v1/users", Api, Signed(Action::UserCreate), "Create a staff account", post(admin::create_user)), s::new_user),
        r(M::POST, "/api/v1/users/{username}/lock", Api, Signed(Action::UserLockUnlock), "Lock (disable) an account", post(admin::lock_user)),
        r(M::POST, "/api/v1/users/{username}/unlock", Api, Signed(Action::UserLockUnlock), "Unlock an account and clear lockouts", post(admin::unlock_user)),
        r(M::GET, "/api/v1/security/alerts", Api, Signed(Action::SecurityAlerts), "Security alerts", get(admin::alerts)),
        r(M::GET, "/api/v1/audit", Api, Signed(Action::AuditRead), "Audit log, newest first", get(admin::audit)),
        r(M::GET, "/api/v1/audit/verify", Api, Signed(Action::AuditVerify), "Verify the SM3 audit chains", get(admin::audit_verify)),
        with_body(r(M::PUT, "/api/v1/calendar/{year}", Api, Signed(Action::CalendarUpdate), "Load or replace a calendar year", put(admin::put_calendar_year)), s::calendar_year),
        r(M::GET, "/api/v1/departments", Api, Signed(Action::StaffRead), "Departments (optionally ?region=)", get(admin::departments)),
        // Public data.
        r(M::GET, "/api/v1/regions", Api, Public, "Regions served", get(public::regions)),
        r(M::GET, "/api/v1/validate/{kind}", Api, Public, "Validate uscc, id-number, mobile, region or cert-id (?value=)", get(public::validate)),
        r(M::GET, "/api/v1/calendar/add-working-days", Api, Public, "The N-th working day after a date (?from=&days=)", get(public::add_working_days)),
        r(M::GET, "/api/v1/calendar/{year}", Api, Public, "One calendar year", get(public::calendar_year)),
        // Cases (办件).
        r(M::POST, "/api/v1/cases", Api, Signed(Action::CaseApply), "Submit an application {item_code, region, situation, form, materials, idempotency_key}", post(api::cases::submit)),
        r(M::GET, "/api/v1/cases", Api, Signed(Action::SelfService), "The caller's applications (?mine=true&page=)", get(api::cases::mine)),
        r(M::GET, "/api/v1/cases/progress", Api, Public, "Progress by case number plus the applicant's name or phone (?number=&name=|&phone=); masked, rate-limited", get(api::cases::progress)),
        r(M::GET, "/api/v1/cases/{id}", Api, Signed(Action::SelfService), "A case: status, timeline, deadlines (applicant or regional staff)", get(api::cases::one)),
        r(M::POST, "/api/v1/cases/{id}/withdraw", Api, Signed(Action::SelfService), "The applicant withdraws before the decision", post(api::cases::withdraw)),
        r(M::GET, "/api/v1/cases/{id}/notices/{notice}", Api, Signed(Action::SelfService), "A sealed notice of the case (PDF: 受理通知书, 补正告知书, 决定书 …); the applicant's first download of the decision delivers it", get(api::cases::notice)),
        r(M::GET, "/api/v1/seal-keys", Api, Public, "Public keys of the departments' electronic seals (SM2 with SM3)", get(api::cases::seal_keys)),
        r(M::POST, "/api/v1/notices/verify", Api, Public, "Verify a sealed notice (body: the PDF) → valid, key, department", post(api::cases::verify_notice).layer(DefaultBodyLimit::max(10 * 1024 * 1024))),
        r(M::POST, "/api/v1/cases/{id}/supplement", Api, Signed(Action::CaseApply), "The applicant answers the supplement notice {materials}", post(api::cases::supplement)),
        r(M::POST, "/api/v1/cases/{id}/special-procedure", Api, Signed(Action::StaffRead), "Begin or end a special procedure that pauses the clock {action: begin|end, name}", post(api::cases::special_procedure)),
        r(M::POST, "/api/v1/cases/{id}/messages", Api, Signed(Action::ProcessManage), "A message for the case's process (message catch events, receive tasks, message boundary events) {name, correlation_key, variables}; 409 MESSAGE_NOT_CORRELATED when nothing waits for it", post(api::cases::message)),
        r(M::POST, "/api/v1/cases/{id}/service-replies", Api, Signed(Action::ProcessManage), "The reply to a pending service call (send_external …) {instance, call, outcome: completed|failed, variables, reason}", post(api::cases::service_reply)),
        r(M::GET, "/api/v1/tasks", Api, Signed(Action::StaffRead), "The caller's to-do list, least remaining time first", get(api::tasks::todo)),
        r(M::POST, "/api/v1/tasks/{id}/complete", Api, Signed(Action::StaffRead), "Complete a task {outcome: accept|request_supplement|refuse_to_accept|approve|deny|return, opinion, target (return: previous|applicant|<step>), attachments}", post(api::tasks::complete)),
        r(M::POST, "/api/v1/tasks/{id}/take-back", Api, Signed(Action::StaffRead), "取回: take back your completion while the next step is unclaimed", post(api::tasks::take_back)),
        r(M::POST, "/api/v1/tasks/{id}/transfer", Api, Signed(Action::StaffRead), "转办: hand the task to a colleague of the step's role {to, note}", post(api::tasks::transfer)),
        r(M::POST, "/api/v1/tasks/{id}/delegate", Api, Signed(Action::StaffRead), "委派: ask a colleague to handle the task; it comes back when resolved {to, note}", post(api::tasks::delegate)),
        r(M::POST, "/api/v1/tasks/{id}/resolve", Api, Signed(Action::StaffRead), "The delegate hands a delegated task back {opinion}, or the owner takes it back", post(api::tasks::resolve)),
        r(M::POST, "/api/v1/tasks/{id}/add-signer", Api, Signed(Action::StaffRead), "加签: ask a colleague's opinion before completing {to, note}", post(api::tasks::add_signer)),
        r(M::POST, "/api/v1/tasks/{id}/reassign", Api, Signed(Action::Supervise), "改派: a supervisor reassigns an absent colleague's task {to, note: reason}", post(api::tasks::reassign)),
        r(M::POST, "/api/v1/tasks/{id}/copy", Api, Signed(Action::StaffRead), "抄送: send the case to colleagues for information {to: [..], note}", post(api::tasks::copy)),
        r(M::POST, "/api/v1/tasks/batch", Api, Signed(Action::StaffRead), "Batch accept/approve {tasks, outcome: accept|approve, opinion}; each task succeeds or fails alone", post(api::tasks::batch)),
        r(M::GET, "/api/v1/tasks/counts", Api, Signed(Action::StaffRead), "Workbench counters: to-do (yellow, red), unread copies and notifications", get(api::tasks::counts)),
        r(M::POST, "/api/v1/copies/{id}/read", Api, Signed(Action::StaffRead), "Mark a copy (抄送) read", post(api::tasks::read_copy)),
        r(M::GET, "/api/v1/notifications", Api, Signed(Action::SelfService), "The caller's notifications (站内通知)", get(api::tasks::notifications)),
        r(M::POST, "/api/v1/notifications/{id}/read", Api, Signed(Action::SelfService), "Mark a notification read", post(api::tasks::read_notification)),
        r(M::GET, "/api/v1/incidents", Api, Signed(Action::ProcessManage), "Workflow incidents (流程异常): cases whose process stopped", get(api::tasks::incidents)),
        r(M::GET, "/api/v1/drafts", Api, Signed(Action::CaseApply), "The caller's application drafts", get(api::drafts::list)),
        r(M::POST, "/api/v1/drafts", Api, Signed(Action::CaseApply), "Save a new draft {item_code, region, situation, form, materials} → 201", post(api::drafts::create)),
        r(M::GET, "/api/v1/drafts/{id}", Api, Signed(Action::CaseApply), "One draft", get(api::drafts::one)),
        r(M::PUT, "/api/v1/drafts/{id}", Api, Signed(Action::CaseApply), "Replace a draft's content", put(api::drafts::update)),
        r(M::POST, "/api/v1/drafts/{id}/prefill", Api, Signed(Action::CaseApply), "Fill a draft's empty fields from the applicant's account and shared data (免填写) → {draft, filled}", post(api::drafts::prefill)),
        r(M::DELETE, "/api/v1/drafts/{id}", Api, Signed(Action::CaseApply), "Delete a draft", axum::routing::delete(api::drafts::delete)),
        r(M::POST, "/api/v1/processes", Api, Signed(Action::ProcessManage), "Upload a BPMN process (body: XML) → key and version, or the offending element and line", post(api::processes::upload).layer(DefaultBodyLimit::max(2 * 1024 * 1024))),
        r(M::POST, "/api/v1/tasks/{id}/claim", Api, Signed(Action::StaffRead), "Claim a task (签收): others no longer see or complete it", post(api::tasks::claim)),
        r(M::POST, "/api/v1/tasks/{id}/release", Api, Signed(Action::StaffRead), "Release a claimed task", post(api::tasks::release)),
        r(M::GET, "/api/v1/supervision", Api, Signed(Action::Supervise), "E-supervision: open cases with warning colours (?region=)", get(api::tasks::supervision)),
        // Material files.
        r(M::POST, "/api/v1/materials", Api, Signed(Action::SelfService), "Upload a material file (?name=); PDF, JPEG, PNG or OFD by content", post(api::materials::upload).layer(DefaultBodyLimit::max(shenpi_app::materials::MAX_MATERIAL_BYTES))),
        r(M::GET, "/api/v1/materials/{id}", Api, Signed(Action::SelfService), "A material file's record (owner or staff of its region)", get(api::materials::one)),
        r(M::GET, "/api/v1/materials/{id}/content", Api, Signed(Action::SelfService), "A material file's bytes", get(api::materials::content)),
        // Catalog (事项库).
        r(M::GET, "/api/v1/bundles", Api, Public, "Bundles (一件事): items, departments and partners, questions, the combined material list", get(api::bundles::list)),
        r(M::GET, "/api/v1/bundles/{code}", Api, Public, "One bundle", get(api::bundles::one)),
        r(M::PUT, "/api/v1/bundles/{code}", Api, Signed(Action::CatalogPublish), "Create or change a bundle {revision, bundle}; 422 BUNDLE_INVALID lists every problem (missing item or situation, unknown question, cycle)", put(api::bundles::save)),
        r(M::POST, "/api/v1/bundles/{code}/applications", Api, Signed(Action::CaseApply), "Apply for a bundle {region, answers, form, materials (combined keys), idempotency_key} → 201 with the bundle case and its sub-cases", post(api::bundles::apply)),
        r(M::POST, "/api/v1/bundle-cases/{id}/supplement", Api, Signed(Action::CaseApply), "Answer every department's supplement request at once {materials (combined keys)}", post(api::bundles::supplement)),
        r(M::GET, "/api/v1/bundle-cases/{id}/result", Api, Signed(Action::SelfService), "The sealed combined result (联办结果告知书, PDF) once every sub-case has ended", get(api::bundles::result)),
        r(M::GET, "/api/v1/bundle-cases/{id}", Api, Signed(Action::SelfService), "A bundle case: combined status, deadline, timeline, sub-cases and results", get(api::bundles::case)),
        // Smart company registration (企业开办智能表单).
        r(M::GET, "/api/v1/registration/business-scopes", Api, Public, "Search the business-scope catalogue in force (?q=&class=general|licensed&page=&per_page=)", get(api::registration::scopes)),
        r(M::POST, "/api/v1/registration/business-scopes/import", Api, Signed(Action::CatalogManage), "Import the full business-scope catalogue (?format=json|csv&version=&name=; body: the file) as the next version; 422 IMPORT_INVALID lists every problem and nothing is stored", post(api::registration::import).layer(DefaultBodyLimit::max(20 * 1024 * 1024))),
        r(M::POST, "/api/v1/registration/check", Api, Public, "The registration plan for the form {organisation, liability, name, scopes, address, capital, shareholders, legal_representative, officers, contact, …}: entity type, business, item, name findings, permits; 422 FORM_INVALID with every field error and the plan", post(api::registration::check)),
        r(M::POST, "/api/v1/registration/documents", Api, Signed(Action::CaseApply), "Generate the registration documents (PDF, versioned templates) as the caller's files and a draft of the picked item with them attached → 201", post(api::registration::documents)),
        r(M::GET, "/registration", Page, Signed(Action::CaseApply), "The smart company-registration form", get(pages::registration::show)),
        r(M::POST, "/registration", Page, Signed(Action::CaseApply), "Check the form (the plan), add a row, or generate the documents (action=check|add_investor|add_officer|edit|documents)", post(pages::registration::submit)),
        r(M::GET, "/registration/files/{id}", Page, Signed(Action::SelfService), "One of the caller's generated registration documents (PDF)", get(pages::registration::file)),
        r(M::GET, "/api/v1/partners", Api, Signed(Action::PartnerManage), "Partner systems (utility companies, other systems)", get(api::partners::list)),
        r(M::POST, "/api/v1/partners", Api, Signed(Action::PartnerManage), "Register a partner {key, name, webhook_url} → 201 with app_key and secret (shown once)", post(api::partners::register)),
        r(M::PUT, "/api/v1/partners/{key}", Api, Signed(Action::PartnerManage), "Change a partner {name, webhook_url, active}", put(api::partners::update)),
        r(M::POST, "/api/v1/partners/{key}/secret", Api, Signed(Action::PartnerManage), "New app key and secret for a partner (shown once)", post(api::partners::renew_secret)),
        r(M::GET, "/api/v1/partners/{key}/deliveries", Api, Signed(Action::PartnerManage), "A partner's webhook delivery log", get(api::partners::deliveries)),
        r(M::POST, "/api/v1/partner/subcases/{id}/progress", Api, Public, "A partner reports progress on its sub-case {idempotency_key, status: accepted|supplement_requested|in_progress|completed|rejected, note}; signed: X-Shenpi-Key, X-Shenpi-Timestamp, X-Shenpi-Nonce, X-Shenpi-Signature = hex HMAC-SHA256(secret, METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nBODY)", post(api::partners::progress)),
        r(M::GET, "/api/v1/items", Api, Public, "Items in force in a region (?region=&q=&domain=&department=&online_level=&page=)", get(catalog::list)),
        r(M::GET, "/api/v1/items/{code}", Api, Public, "One item as a region implements it today (?region=)", get(catalog::one)),
        r(M::GET, "/api/v1/items/{code}/form", Api, Public, "The item's business form: JSON Schema 2020-12 and UI hints (?region=); 404 FORM_NOT_DEFINED without one", get(catalog::form)),
        r(M::POST, "/api/v1/items/{code}/form/check", Api, Public, "Check form data against the item's form without submitting (?region=) → valid, or 422 FORM_INVALID with one error per field (JSON pointer, zh, en)", post(catalog::check_form)),
        r(M::GET, "/api/v1/items/{code}/versions", Api, Public, "Published versions of an item", get(catalog::versions)),
        r(M::GET, "/api/v1/items/{code}/versions/{version}", Api, Public, "One published version", get(catalog::version)),
        r(M::POST, "/api/v1/items/{code}/implementations/{region}", Api, Signed(Action::CatalogLocal), "A district claims an item with its local elements", post(catalog::claim)),
        r(M::PUT, "/api/v1/items/{code}/implementations/{region}", Api, Signed(Action::CatalogLocal), "Replace local elements (?revision=)", put(catalog::update_local)),
        r(M::GET, "/api/v1/proposals", Api, Signed(Action::CatalogReview), "Change proposals (?status=&page=)", get(catalog::proposals)),
        with_body(r(M::POST, "/api/v1/proposals", Api, Signed(Action::CatalogPropose), "Create a change proposal (add, change, split, merge, suspend, cancel)", post(catalog::create_proposal)), s::proposal),
        r(M::GET, "/api/v1/proposals/{id}", Api, Signed(Action::CatalogReview), "A proposal with its diff and missing reviews", get(catalog::proposal)),
        with_body(r(M::PUT, "/api/v1/proposals/{id}", Api, Signed(Action::CatalogPropose), "Edit a draft or returned proposal (?revision=)", put(catalog::update_proposal)), s::proposal),
        r(M::POST, "/api/v1/proposals/{id}/submit", Api, Signed(Action::CatalogPropose), "Submit for joint review", post(catalog::submit)),
        with_body(r(M::POST, "/api/v1/proposals/{id}/review", Api, Signed(Action::CatalogReview), "Approve or return (city admin; admins of affected districts)", post(catalog::review)), s::review),
        with_body(r(M::POST, "/api/v1/proposals/{id}/override", Api, Signed(Action::CatalogPublish), "City admin approves with a recorded reason", post(catalog::override_)), s::override_),
        r(M::POST, "/api/v1/proposals/{id}/publish", Api, Signed(Action::CatalogPublish), "Publish an approved proposal", post(catalog::publish)),
        r(M::GET, "/api/v1/search", Api, Public, "Full-text search of the catalog in force (?q=&region=&department=&domain=&online_level=&page=)", get(catalog::search)),
        r(M::GET, "/api/v1/catalog/export", Api, Public, "Export the city standards in force (?format=xlsx|json)", get(catalog::export)),
        r(M::GET, "/api/v1/catalog/template.xlsx", Api, Public, "The import template (documented layout, one example item)", get(catalog::template)),
        r(M::POST, "/api/v1/catalog/import", Api, Signed(Action::CatalogManage), "Import items as draft proposals (?format=xlsx|json&effective_from=); body: the file", post(catalog::import).layer(DefaultBodyLimit::max(shenpi_exchange::MAX_IMPORT_BYTES))),
        r(M::POST, "/api/v1/catalog/import-district", Api, Signed(Action::CatalogLocal), "Import a district's implementation list (?region=&format=); answers its deviations", post(catalog::import_district).layer(DefaultBodyLimit::max(shenpi_exchange::MAX_IMPORT_BYTES))),
        r(M::GET, "/api/v1/catalog/deviations", Api, Signed(Action::CatalogManage), "Implementations that differ from the city standard", get(catalog::deviations)),
        // Pages.
        r(M::GET, "/login", Page, Public, "Sign-in page", get(pages::login::show)),
        r(M::POST, "/login", Page, Public, "Sign in", post(pages::login::submit)),
        r(M::POST, "/logout", Page, Signed(Action::SelfService), "Sign out", post(pages::login::logout)),
        r(M::GET, "/register", Page, Public, "Registration page", get(pages::register::show)),
        r(M::POST, "/register", Page, Public, "Register", post(pages::register::submit)),
        r(M::GET, "/", Page, Signed(Action::SelfService), "Home (per role)", get(pages::home::show)),
        r(M::GET, "/me", Page, Signed(Action::SelfService), "My account", get(pages::me::show)),
        r(M::POST, "/me/password", Page, Signed(Action::SelfService), "Change password", post(pages::me::change_password)),
        r(M::GET, "/prefs", Page, Public, "Language and elder-mode switch", get(pages::prefs)),
        r(M::GET, "/calendar", Page, Public, "Working-day calendar", get(pages::calendar::show)),
        r(M::GET, "/bundles", Page, Public, "Bundles (一件事): one application for many items", get(pages::bundles::list)),
        r(M::GET, "/bundles/{code}/apply", Page, Signed(Action::CaseApply), "The bundle application form (questionnaire, shared fields, one upload per material)", get(pages::bundles::show)),
        r(M::POST, "/bundles/{code}/apply", Page, Signed(Action::CaseApply), "Submit a bundle application (multipart: region, q-*, f-*, material-{key}, idempotency_key)", post(pages::bundles::submit).layer(DefaultBodyLimit::max(pages::apply::UPLOAD_FORM_LIMIT))),
        r(M::GET, "/bundle-cases/{id}", Page, Signed(Action::SelfService), "A bundle case: combined status, items, timeline, result", get(pages::bundles::detail)),
        r(M::GET, "/bundle-cases/{id}/result", Page, Signed(Action::SelfService), "Download the sealed combined result", get(pages::bundles::result)),
        r(M::POST, "/bundle-cases/{id}/supplement", Page, Signed(Action::CaseApply), "One supplement for every department that asked (multipart material-{key})", post(pages::bundles::supplement).layer(DefaultBodyLimit::max(pages::apply::UPLOAD_FORM_LIMIT))),
        r(M::GET, "/items", Page, Public, "Catalog of a region", get(pages::catalog::list)),
        r(M::GET, "/items/{code}", Page, Public, "Service guide of an item in a region", get(pages::catalog::guide)),
        r(M::GET, "/items/{code}/apply", Page, Signed(Action::CaseApply), "Online application form of an item (?region=)", get(pages::apply::show)),
        r(M::POST, "/items/{code}/apply", Page, Signed(Action::CaseApply), "Submit an online application (multipart: situation, material-{key} files, idempotency_key)", post(pages::apply::submit).layer(DefaultBodyLimit::max(pages::apply::UPLOAD_FORM_LIMIT))),
        r(M::POST, "/cases/{id}/supplement", Page, Signed(Action::CaseApply), "Answer the supplement notice (multipart: material-{key} files)", post(pages::apply::supplement).layer(DefaultBodyLimit::max(pages::apply::UPLOAD_FORM_LIMIT))),
        r(M::GET, "/cases", Page, Signed(Action::SelfService), "My applications", get(pages::cases::list)),
        r(M::GET, "/cases/{id}", Page, Signed(Action::SelfService), "A case's progress", get(pages::cases::detail)),
        r(M::POST, "/cases/{id}/withdraw", Page, Signed(Action::SelfService), "Withdraw an application", post(pages::cases::withdraw)),
        r(M::POST, "/drafts/{id}/delete", Page, Signed(Action::CaseApply), "Delete a draft application", post(pages::cases::delete_draft)),
        r(M::GET, "/cases/{id}/notices/{notice}", Page, Signed(Action::SelfService), "Download a sealed notice (PDF)", get(pages::cases::notice)),
        r(M::GET, "/progress", Page, Public, "Progress look-up by number and name or phone", get(pages::cases::progress)),
        r(M::GET, "/tasks", Page, Signed(Action::StaffRead), "To-do list", get(pages::tasks::list)),
        r(M::GET, "/tasks/counts", Page, Signed(Action::StaffRead), "The menu's to-do counter (htmx fragment, polled every 30 s)", get(pages::tasks::counts)),
        r(M::POST, "/tasks/{id}/complete", Page, Signed(Action::StaffRead), "Complete a task", post(pages::tasks::complete)),
        r(M::GET, "/supervision", Page, Signed(Action::Supervise), "E-supervision of open cases", get(pages::supervision::show)),
        r(M::GET, "/search", Page, Public, "Search the catalog", get(pages::search::show)),
        r(M::GET, "/proposals", Page, Signed(Action::CatalogReview), "Catalog proposals", get(pages::proposals::list)),
        r(M::GET, "/proposals/new", Page, Signed(Action::CatalogPropose), "New proposal form", get(pages::proposals::new_form)),
        r(M::POST, "/proposals/new", Page, Signed(Action::CatalogPropose), "Create a proposal", post(pages::proposals::create)),
        r(M::GET, "/proposals/{id}", Page, Signed(Action::CatalogReview), "A proposal with its diff", get(pages::proposals::detail)),
        r(M::POST, "/proposals/{id}/submit", Page, Signed(Action::CatalogPropose), "Submit a proposal", post(pages::proposals::submit)),
        r(M::POST, "/proposals/{id}/review", Page, Signed(Action::CatalogReview), "Review a proposal", post(pages::proposals::review)),
        r(M::POST, "/proposals/{id}/override", Page, Signed(Action::CatalogPublish), "Override and approve", post(pages::proposals::override_)),
        r(M::POST, "/proposals/{id}/publish", Page, Signed(Action::CatalogPublish), "Publish a proposal", post(pages::proposals::publish)),
        r(M::GET, "/admin/users", Page, Signed(Action::UserList), "Accounts", get(pages::admin::users)),
        r(M::GET, "/admin/security", Page, Signed(Action::SecurityAlerts), "Security: alerts and unlock", get(pages::admin::security)),
        r(M::POST, "/admin/security/unlock", Page, Signed(Action::UserLockUnlock), "Unlock an account", post(pages::admin::unlock)),
        r(M::GET, "/admin/audit", Page, Signed(Action::AuditRead), "Audit log", get(pages::admin::audit)),
        r(M::POST, "/admin/audit/verify", Page, Signed(Action::AuditVerify), "Verify the audit chains", post(pages::admin::audit_verify)),
        // Process diagrams (流程图, bpmn-js in the browser).
        r(M::GET, "/assets/bpmn-js/{name}", Infra, Public, "Embedded bpmn-js viewer file (long cache)", get(assets::bpmn_js)),
        r(M::GET, "/api/v1/data/{kind}/{key}", Api, Signed(Action::DataLookup), "Shared-data look-up (数据共享) of an enterprise, person, expert or project for a case one handles (?case_id=; audited) → {record, pull}", get(api::data::lookup)),
        // Electronic certificates (电子证照): wallet, show-and-verify, issuer's status changes.
        r(M::GET, "/.well-known/shenpi-cert-keys.json", Infra, Public, "The certificate issuer's public keys, current and retired (key set for offline verifiers)", get(api::certs::keys)),
        r(M::GET, "/api/v1/certificate-types", Api, Public, "The certificate catalogue (证照目录): types, issuing departments, validity, fields", get(api::certs::types)),
        r(M::GET, "/api/v1/certificates/revocations", Api, Public, "The revocation list (revoked, cancelled, withdrawn, transferred, superseded versions) for offline verifiers", get(api::certs::revocations)),
        r(M::POST, "/api/v1/certificates/verify", Api, Public, "Verify a show token or QR address {token} → {valid, reason, status, certificate (personal data masked)}", post(api::certs::verify)),
        r(M::POST, "/api/v1/certificates/inspect", Api, Signed(Action::CertVerify), "Staff verification {token, purpose} → the full certificate; recorded as a usage record (用证记录)", post(api::certs::inspect)),
        r(M::GET, "/api/v1/certificates", Api, Signed(Action::CertHold), "The caller's certificates (every version, newest first)", get(api::certs::mine)),
        r(M::GET, "/api/v1/certificates/{identifier}", Api, Signed(Action::SelfService), "One certificate, for its holder or staff of its region", get(api::certs::one)),
        r(M::POST, "/api/v1/certificates/{identifier}/show", Api, Signed(Action::CertHold), "A show token (亮证码) valid for 5 minutes, with its QR code (SVG) and verification address", post(api::certs::show)),
        r(M::GET, "/api/v1/certificates/{identifier}/pdf", Api, Signed(Action::SelfService), "The printed certificate (电子证照打印版, PDF) with its static QR code, for its holder or staff of its region", get(api::certs::pdf)),
        r(M::GET, "/api/v1/certificates/{identifier}/usages", Api, Signed(Action::SelfService), "The usage records (用证记录) of a certificate, for its holder", get(api::certs::usages)),
        r(M::GET, "/api/v1/certificates/{identifier}/reminders", Api, Signed(Action::SelfService), "The expiry reminders (无感提醒) of a certificate with each channel's delivery", get(api::certs::reminders)),
        r(M::POST, "/api/v1/certificates/{identifier}/status", Api, Signed(Action::CertManage), "Revoke, cancel, withdraw or transfer a valid certificate {status, reason}", post(api::certs::status)),
        r(M::GET, "/certificates", Page, Signed(Action::CertHold), "My certificates (我的证照)", get(pages::certs::wallet)),
        r(M::GET, "/certificates/{identifier}", Page, Signed(Action::SelfService), "A certificate: data, history, usage records; show QR for its holder, status change for its issuer", get(pages::certs::detail)),
        r(M::GET, "/certificates/{identifier}/pdf", Page, Signed(Action::SelfService), "The printed certificate (下载打印版, PDF), shown inline", get(pages::certs::pdf)),
        r(M::POST, "/certificates/{identifier}/show", Page, Signed(Action::CertHold), "Show the certificate (亮证): a QR valid for 5 minutes", post(pages::certs::show)),
        r(M::POST, "/certificates/{identifier}/status", Page, Signed(Action::CertManage), "Revoke, cancel, withdraw or transfer a certificate (status, reason)", post(pages::certs::status)),
        r(M::GET, "/enterprises/{uscc}", Page, Signed(Action::SelfService), "一照通城: every certificate of an enterprise, its agents and certificate managers (the enterprise's account, its managers, staff)", get(pages::certs::enterprise)),
        r(M::POST, "/enterprises/{uscc}/grants", Page, Signed(Action::CertHold), "Grant or revoke an agent or certificate manager (action=grant|revoke, username, role)", post(pages::certs::enterprise_grant)),
        r(M::GET, "/api/v1/enterprises/{uscc}/certificates", Api, Public, "The certificates of an enterprise, newest first (?page=&per_page=, 50 a page, at most 200), for partner systems; signed: X-Shenpi-Key, X-Shenpi-Timestamp, X-Shenpi-Nonce, X-Shenpi-Signature = hex HMAC-SHA256(secret, GET\\nPATH\\nTIMESTAMP\\nNONCE\\n)", get(api::certs::enterprise_certificates)),
        r(M::GET, "/api/v1/enterprises/{uscc}/grants", Api, Signed(Action::SelfService), "The agents and certificate managers an enterprise authorised (its own account, staff)", get(api::certs::grants)),
        r(M::POST, "/api/v1/enterprises/{uscc}/grants", Api, Signed(Action::CertHold), "The enterprise (its legal representative's e-business licence) authorises {username, role: agent|cert_manager}", post(api::certs::grant)),
        r(M::POST, "/api/v1/enterprises/{uscc}/grants/revoke", Api, Signed(Action::CertHold), "Revoke an authorisation {username, role}", post(api::certs::revoke_grant)),
        r(M::POST, "/api/v1/cases/{id}/certificate", Api, Signed(Action::CertManage), "补发: issue the certificate of a granted case that has none → 201; 409 CERT_NOT_GRANTED for a case not granted", post(api::certs::issue_for_case)),
        r(M::POST, "/api/v1/registry/events", Api, Public, "A change event of the enterprise registry {event_id, kind: enterprise, key: USCC, changes: {name|address|legal_representative}} from the partner system market-registry, signed like partner reports → {opened} proactive cases", post(api::certs::registry_event)),
        r(M::GET, "/api/v1/proactive-cases", Api, Signed(Action::CertHold), "Proactive cases (无感审批) offered for the caller's certificates", get(api::certs::proactive_cases)),
        r(M::POST, "/api/v1/proactive-cases/{id}/confirm", Api, Signed(Action::CertHold), "继续办理: issue the new version at once", post(api::certs::confirm_proactive)),
        r(M::POST, "/api/v1/proactive-cases/{id}/decline", Api, Signed(Action::CertHold), "Decline the offer: nothing changes", post(api::certs::decline_proactive)),
        r(M::POST, "/proactive-cases/{id}/confirm", Page, Signed(Action::CertHold), "继续办理 from the wallet", post(pages::certs::confirm_proactive)),
        r(M::GET, "/verify", Page, Public, "Verify a certificate's show code (扫码验证), no sign-in", get(pages::certs::verify)),
        r(M::GET, "/api/v1/rules", Api, Signed(Action::StaffRead), "The rules library: the newest version of every rule (规则库)", get(api::rules::list)),
        r(M::POST, "/api/v1/rules", Api, Signed(Action::RuleManage), "Upload a rule {key, name, purpose, document (GoRules JDM), tests} → 201 with its version; refused (422 RULE_INVALID / RULE_TESTS_FAILED) when the graph or a test case fails", post(api::rules::upload).layer(DefaultBodyLimit::max(2 * 1024 * 1024))),
        r(M::GET, "/api/v1/rules/{key}", Api, Signed(Action::StaffRead), "A rule's newest version with its document and test cases", get(api::rules::one)),
        r(M::POST, "/api/v1/rules/{key}/evaluate", Api, Signed(Action::StaffRead), "Evaluate a rule {input} → output and the trace of every node", post(api::rules::evaluate)),
        r(M::GET, "/api/v1/processes", Api, Signed(Action::ProcessManage), "Stored BPMN processes with their versions", get(api::processes::list)),
        r(M::GET, "/api/v1/processes/{key}/{version}", Api, Signed(Action::ProcessManage), "One process version's BPMN XML as stored (application/xml)", get(api::processes::one)),
        r(M::GET, "/processes", Page, Signed(Action::ProcessManage), "Process management: keys and versions", get(pages::processes::list)),
        r(M::GET, "/processes/{key}/{version}", Page, Signed(Action::ProcessManage), "A process version's diagram", get(pages::processes::diagram)),
        r(M::GET, "/processes/{key}/{version}/bpmn", Page, Signed(Action::ProcessManage), "A process version's BPMN XML, for its diagram page", get(pages::processes::xml)),
        r(M::GET, "/cases/{id}/data", Page, Signed(Action::DataLookup), "Shared-data look-up for a case one works (?kind=&key=; audited)", get(pages::data::lookup)),
        r(M::GET, "/cases/{id}/diagram", Page, Signed(Action::StaffRead), "A case's diagram with its current and completed steps", get(pages::processes::case_diagram)),
        r(M::GET, "/cases/{id}/diagram/bpmn", Page, Signed(Action::StaffRead), "The BPMN XML a case's diagram is drawn from", get(pages::processes::case_xml)),
    ]
}

/// Builds the whole router from [`table`].
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    let mut paths: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for spec in table() {
        let guarded = match spec.kind {
            Kind::Api => spec
                .handler
                .route_layer(axum::middleware::from_fn_with_state(
                    (state.clone(), spec.access),
                    api_guard,
                )),
            Kind::Page => spec
                .handler
                .route_layer(axum::middleware::from_fn_with_state(
                    (state.clone(), spec.access),
                    page_guard,
                )),
            Kind::Infra => spec.handler,
        };
        match paths.iter_mut().find(|(p, _)| *p == spec.path) {
            Some((_, mr)) => {
                let merged = std::mem::take(mr).merge(guarded);
                *mr = merged;
            }
            None => paths.push((spec.path, guarded)),
        }
    }
    for (path, mr) in paths {
        router = router.route(path, mr);
    }
    router
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::telemetry::observe,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            pages::panic_response,
        ))
        .with_state(state)
}

//! Every route × every role against one expected table written by hand here (not derived from
//! the policy code): a new route without an entry, or a policy change nobody meant, fails.

use super::common::*;
use reqwest::Method;
use serde_json::{Value, json};
use shenpi_app::auth::Channel;
use shenpi_testkit::{TestApp, spawn_app};
use std::collections::BTreeMap;

/// The demo account used for each role ("anon" = not signed in).
const ROLES: &[(&str, &str)] = &[
    ("anon", ""),
    ("citizen", "citizen"),
    ("enterprise", "enterprise"),
    ("clerk", "clerk-370202"),
    ("reviewer", "reviewer-370202"),
    ("approver", "approver-370202"),
    ("dept_admin", "deptadmin-370202"),
    ("region_admin", "regadmin-370202"),
    ("city_admin", "admin"),
    ("hall_manager", "hall-370202"),
    ("data_steward", "steward"),
    ("security_admin", "secadmin"),
    ("auditor", "auditor"),
];

const STAFF: &str = "clerk reviewer approver dept_admin region_admin city_admin hall_manager data_steward security_admin auditor";
const SIGNED: &str = "citizen enterprise clerk reviewer approver dept_admin region_admin city_admin hall_manager data_steward security_admin auditor";

/// (method, path) → who may call it: "public" or a space-separated role list.
fn expected() -> BTreeMap<(&'static str, &'static str), &'static str> {
    BTreeMap::from([
        (("GET", "/healthz"), "public"),
        (("GET", "/readyz"), "public"),
        (("GET", "/metrics"), "public"),
        (("GET", "/api/openapi.json"), "public"),
        (("GET", "/api/docs"), "public"),
        (("GET", "/assets/{name}"), "public"),
        (("POST", "/api/v1/auth/login"), "public"),
        (("POST", "/api/v1/auth/logout"), SIGNED),
        (("POST", "/api/v1/auth/register"), "public"),
        (("GET", "/api/v1/me"), SIGNED),
        (("POST", "/api/v1/me/password"), SIGNED),
        (("POST", "/api/v1/me/totp"), SIGNED),
        (("POST", "/api/v1/me/totp/confirm"), SIGNED),
        (
            ("GET", "/api/v1/users"),
            "city_admin region_admin security_admin",
        ),
        (("POST", "/api/v1/users"), "city_admin region_admin"),
        (("POST", "/api/v1/users/{username}/lock"), "security_admin"),
        (
            ("POST", "/api/v1/users/{username}/unlock"),
            "security_admin",
        ),
        (("GET", "/api/v1/security/alerts"), "security_admin"),
        (("GET", "/api/v1/audit"), "auditor"),
        (("GET", "/api/v1/audit/verify"), "auditor"),
        (("PUT", "/api/v1/calendar/{year}"), "city_admin"),
        (("GET", "/api/v1/departments"), STAFF),
        (("GET", "/api/v1/regions"), "public"),
        (("GET", "/api/v1/validate/{kind}"), "public"),
        (("GET", "/api/v1/calendar/add-working-days"), "public"),
        (("GET", "/api/v1/calendar/{year}"), "public"),
        (("GET", "/api/v1/items"), "public"),
        (("GET", "/bundles"), "public"),
        (("GET", "/bundles/{code}/apply"), "citizen enterprise"),
        (("POST", "/bundles/{code}/apply"), "citizen enterprise"),
        (("GET", "/bundle-cases/{id}"), SIGNED),
        (("GET", "/bundle-cases/{id}/result"), SIGNED),
        (
            ("POST", "/bundle-cases/{id}/supplement"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/registration/business-scopes"), "public"),
        (
            ("POST", "/api/v1/registration/business-scopes/import"),
            "city_admin data_steward",
        ),
        (("POST", "/api/v1/registration/check"), "public"),
        (
            ("POST", "/api/v1/registration/documents"),
            "citizen enterprise",
        ),
        (("GET", "/registration"), "citizen enterprise"),
        (("POST", "/registration"), "citizen enterprise"),
        (("GET", "/registration/files/{id}"), SIGNED),
        (("GET", "/api/v1/partners"), "city_admin"),
        (("POST", "/api/v1/partners"), "city_admin"),
        (("PUT", "/api/v1/partners/{key}"), "city_admin"),
        (("POST", "/api/v1/partners/{key}/secret"), "city_admin"),
        (("GET", "/api/v1/partners/{key}/deliveries"), "city_admin"),
        (("POST", "/api/v1/partner/subcases/{id}/progress"), "public"),
        (("GET", "/api/v1/bundles"), "public"),
        (("GET", "/api/v1/bundles/{code}"), "public"),
        (("PUT", "/api/v1/bundles/{code}"), "city_admin"),
        (
            ("POST", "/api/v1/bundles/{code}/applications"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/bundle-cases/{id}"), SIGNED),
        (("GET", "/api/v1/bundle-cases/{id}/result"), SIGNED),
        (
            ("POST", "/api/v1/bundle-cases/{id}/supplement"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/items/{code}"), "public"),
        (("GET", "/api/v1/items/{code}/form"), "public"),
        (("POST", "/api/v1/items/{code}/form/check"), "public"),
        (("GET", "/api/v1/items/{code}/versions"), "public"),
        (("GET", "/api/v1/items/{code}/versions/{version}"), "public"),
        (
            ("POST", "/api/v1/items/{code}/implementations/{region}"),
            "region_admin city_admin",
        ),
        (
            ("PUT", "/api/v1/items/{code}/implementations/{region}"),
            "region_admin city_admin",
        ),
        (("GET", "/api/v1/proposals"), "region_admin city_admin"),
        (("POST", "/api/v1/proposals"), "city_admin"),
        (("GET", "/api/v1/proposals/{id}"), "region_admin city_admin"),
        (("PUT", "/api/v1/proposals/{id}"), "city_admin"),
        (("POST", "/api/v1/proposals/{id}/submit"), "city_admin"),
        (
            ("POST", "/api/v1/proposals/{id}/review"),
            "region_admin city_admin",
        ),
        (("POST", "/api/v1/proposals/{id}/override"), "city_admin"),
        (("POST", "/api/v1/proposals/{id}/publish"), "city_admin"),
        (
            ("GET", "/api/v1/catalog/deviations"),
            "city_admin data_steward",
        ),
        (("GET", "/items"), "public"),
        (("POST", "/api/v1/materials"), SIGNED),
        (("POST", "/api/v1/cases"), "citizen enterprise"),
        (("GET", "/api/v1/cases"), SIGNED),
        (("GET", "/api/v1/cases/progress"), "public"),
        (("GET", "/api/v1/cases/{id}"), SIGNED),
        (("POST", "/api/v1/cases/{id}/withdraw"), SIGNED),
        (("GET", "/api/v1/cases/{id}/notices/{notice}"), SIGNED),
        (("GET", "/api/v1/seal-keys"), "public"),
        (("POST", "/api/v1/notices/verify"), "public"),
        (("GET", "/cases/{id}/notices/{notice}"), SIGNED),
        (
            ("POST", "/api/v1/cases/{id}/supplement"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/tasks"), STAFF),
        (("POST", "/api/v1/tasks/{id}/claim"), STAFF),
        (("POST", "/api/v1/tasks/{id}/release"), STAFF),
        (("POST", "/api/v1/cases/{id}/special-procedure"), STAFF),
        (("POST", "/api/v1/cases/{id}/messages"), "city_admin"),
        (("POST", "/api/v1/cases/{id}/service-replies"), "city_admin"),
        (("POST", "/api/v1/processes"), "city_admin"),
        (
            ("GET", "/api/v1/data/{kind}/{key}"),
            "clerk reviewer approver",
        ),
        (("GET", "/.well-known/shenpi-cert-keys.json"), "public"),
        (("GET", "/api/v1/certificate-types"), "public"),
        (("GET", "/api/v1/certificates/revocations"), "public"),
        (("POST", "/api/v1/certificates/verify"), "public"),
        (
            ("POST", "/api/v1/certificates/inspect"),
            "clerk reviewer approver dept_admin region_admin city_admin",
        ),
        (("GET", "/api/v1/certificates"), "citizen enterprise"),
        (("GET", "/api/v1/certificates/{identifier}"), SIGNED),
        (
            ("POST", "/api/v1/certificates/{identifier}/show"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/certificates/{identifier}/pdf"), SIGNED),
        (("GET", "/api/v1/certificates/{identifier}/usages"), SIGNED),
        (
            ("GET", "/api/v1/certificates/{identifier}/reminders"),
            SIGNED,
        ),
        (
            ("POST", "/api/v1/certificates/{identifier}/status"),
            "approver city_admin",
        ),
        (("GET", "/certificates"), "citizen enterprise"),
        (("GET", "/certificates/{identifier}"), SIGNED),
        (("GET", "/certificates/{identifier}/pdf"), SIGNED),
        (
            ("POST", "/certificates/{identifier}/show"),
            "citizen enterprise",
        ),
        (
            ("POST", "/certificates/{identifier}/status"),
            "approver city_admin",
        ),
        (("GET", "/verify"), "public"),
        (("POST", "/api/v1/registry/events"), "public"),
        (
            ("POST", "/api/v1/cases/{id}/certificate"),
            "approver city_admin",
        ),
        (("GET", "/api/v1/proactive-cases"), "citizen enterprise"),
        (
            ("POST", "/api/v1/proactive-cases/{id}/confirm"),
            "citizen enterprise",
        ),
        (
            ("POST", "/api/v1/proactive-cases/{id}/decline"),
            "citizen enterprise",
        ),
        (
            ("POST", "/proactive-cases/{id}/confirm"),
            "citizen enterprise",
        ),
        (("GET", "/enterprises/{uscc}"), SIGNED),
        (("POST", "/enterprises/{uscc}/grants"), "citizen enterprise"),
        (("GET", "/api/v1/enterprises/{uscc}/certificates"), "public"),
        (("GET", "/api/v1/enterprises/{uscc}/grants"), SIGNED),
        (
            ("POST", "/api/v1/enterprises/{uscc}/grants"),
            "citizen enterprise",
        ),
        (
            ("POST", "/api/v1/enterprises/{uscc}/grants/revoke"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/rules"), STAFF),
        (("POST", "/api/v1/rules"), "city_admin data_steward"),
        (("GET", "/api/v1/rules/{key}"), STAFF),
        (("POST", "/api/v1/rules/{key}/evaluate"), STAFF),
        (
            ("GET", "/api/v1/supervision"),
            "city_admin region_admin dept_admin",
        ),
        (("POST", "/api/v1/tasks/{id}/complete"), STAFF),
        (("POST", "/api/v1/tasks/{id}/take-back"), STAFF),
        (("POST", "/api/v1/tasks/{id}/transfer"), STAFF),
        (("POST", "/api/v1/tasks/{id}/delegate"), STAFF),
        (("POST", "/api/v1/tasks/{id}/resolve"), STAFF),
        (("POST", "/api/v1/tasks/{id}/add-signer"), STAFF),
        (
            ("POST", "/api/v1/tasks/{id}/reassign"),
            "city_admin region_admin dept_admin",
        ),
        (("POST", "/api/v1/tasks/{id}/copy"), STAFF),
        (("POST", "/api/v1/tasks/batch"), STAFF),
        (("GET", "/api/v1/tasks/counts"), STAFF),
        (("POST", "/api/v1/copies/{id}/read"), STAFF),
        (("GET", "/api/v1/notifications"), SIGNED),
        (("POST", "/api/v1/notifications/{id}/read"), SIGNED),
        (("GET", "/api/v1/incidents"), "city_admin"),
        (("GET", "/api/v1/drafts"), "citizen enterprise"),
        (("POST", "/api/v1/drafts"), "citizen enterprise"),
        (("GET", "/api/v1/drafts/{id}"), "citizen enterprise"),
        (("PUT", "/api/v1/drafts/{id}"), "citizen enterprise"),
        (("DELETE", "/api/v1/drafts/{id}"), "citizen enterprise"),
        (
            ("POST", "/api/v1/drafts/{id}/prefill"),
            "citizen enterprise",
        ),
        (("GET", "/api/v1/materials/{id}"), SIGNED),
        (("GET", "/api/v1/materials/{id}/content"), SIGNED),
        (("GET", "/api/v1/catalog/export"), "public"),
        (
            ("POST", "/api/v1/catalog/import-district"),
            "region_admin city_admin",
        ),
        (("GET", "/api/v1/catalog/template.xlsx"), "public"),
        (
            ("POST", "/api/v1/catalog/import"),
            "city_admin data_steward",
        ),
        (("GET", "/search"), "public"),
        (("GET", "/cases"), SIGNED),
        (("GET", "/cases/{id}"), SIGNED),
        (("POST", "/cases/{id}/withdraw"), SIGNED),
        (("POST", "/drafts/{id}/delete"), "citizen enterprise"),
        (("GET", "/items/{code}/apply"), "citizen enterprise"),
        (("POST", "/items/{code}/apply"), "citizen enterprise"),
        (("POST", "/cases/{id}/supplement"), "citizen enterprise"),
        (("GET", "/progress"), "public"),
        (
            ("GET", "/supervision"),
            "city_admin region_admin dept_admin",
        ),
        (("GET", "/tasks"), STAFF),
        (("GET", "/tasks/counts"), STAFF),
        (("POST", "/tasks/{id}/complete"), STAFF),
        (("GET", "/api/v1/search"), "public"),
        (("GET", "/items/{code}"), "public"),
        (("GET", "/proposals"), "region_admin city_admin"),
        (("GET", "/proposals/new"), "city_admin"),
        (("POST", "/proposals/new"), "city_admin"),
        (("GET", "/proposals/{id}"), "region_admin city_admin"),
        (("POST", "/proposals/{id}/submit"), "city_admin"),
        (
            ("POST", "/proposals/{id}/review"),
            "region_admin city_admin",
        ),
        (("POST", "/proposals/{id}/override"), "city_admin"),
        (("POST", "/proposals/{id}/publish"), "city_admin"),
        (("GET", "/login"), "public"),
        (("POST", "/login"), "public"),
        (("POST", "/logout"), SIGNED),
        (("GET", "/register"), "public"),
        (("POST", "/register"), "public"),
        (("GET", "/"), SIGNED),
        (("GET", "/me"), SIGNED),
        (("POST", "/me/password"), SIGNED),
        (("GET", "/prefs"), "public"),
        (("GET", "/calendar"), "public"),
        (
            ("GET", "/admin/users"),
            "city_admin region_admin security_admin",
        ),
        (("GET", "/admin/security"), "security_admin"),
        (("POST", "/admin/security/unlock"), "security_admin"),
        (("GET", "/admin/audit"), "auditor"),
        (("POST", "/admin/audit/verify"), "auditor"),
        (("GET", "/assets/bpmn-js/{name}"), "public"),
        (("GET", "/api/v1/processes"), "city_admin"),
        (("GET", "/api/v1/processes/{key}/{version}"), "city_admin"),
        (("GET", "/processes"), "city_admin"),
        (("GET", "/processes/{key}/{version}"), "city_admin"),
        (("GET", "/processes/{key}/{version}/bpmn"), "city_admin"),
        (("GET", "/cases/{id}/data"), "clerk reviewer approver"),
        (("GET", "/cases/{id}/diagram"), STAFF),
        (("GET", "/cases/{id}/diagram/bpmn"), STAFF),
    ])
}

fn concrete(path: &str) -> String {
    path.replace("{name}", "app.css")
        .replace("{username}", "nobody")
        .replace("{year}", "2026")
        .replace("{kind}", "uscc")
        .replace("{code}", "NO-SUCH-ITEM")
        .replace("{key}", "no-such-process")
        .replace("{version}", "1")
        .replace("{region}", "370202")
        .replace("{id}", "no-such-proposal")
        .replace("{notice}", "no-such-notice")
        .replace("{identifier}", "no-such-certificate")
        .replace("{uscc}", &shenpi_app::demo::demo_uscc())
        + match path {
            "/api/v1/validate/{kind}" => "?value=91350200MA2YJ1XR9G",
            "/api/v1/calendar/add-working-days" => "?from=2026-02-13&days=1",
            "/api/v1/catalog/import-district" => "?region=370202",
            "/api/v1/materials" => "?name=x.pdf",
            "/api/v1/cases/progress" => "?number=370202202611280000011&name=x",
            "/api/v1/items/{code}/implementations/{region}" | "/api/v1/proposals/{id}" => {
                "?revision=1"
            }
            _ => "",
        }
}

struct Session {
    token: String,
    csrf: String,
}

async fn sign_in(app: &TestApp, username: &str, channel: Channel) -> Session {
    let out = app
        .app
        .login(
            shenpi_app::auth::LoginInput {
                username: username.into(),
                password: "Demo#2026".into(),
                totp: None,
            },
            channel,
            &shenpi_app::RequestMeta {
                client_ip: "127.0.0.1".into(),
                trace_id: None,
            },
        )
        .await
        .unwrap();
    Session {
        token: out.token,
        csrf: out.csrf_token,
    }
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    is_page: bool,
    s: Option<&Session>,
) -> (u16, Value, Option<String>) {
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client().request(m, app.url(&concrete(path)));
    if is_page {
        if let Some(s) = s {
            req = req.header("cookie", format!("shenpi_session={}", s.token));
            if method != "GET" {
                req = req.form(&[("csrf", s.csrf.as_str())]);
            }
        }
    } else {
        if let Some(s) = s {
            req = req.bearer_auth(&s.token);
        }
        if method != "GET" {
            req = req.json(&json!({}));
        }
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(json!({"html": text})),
        location,
    )
}

#[tokio::test]
async fn every_route_and_role_matches_the_expected_table() {
    let app = spawn_app().await;
    let table = shenpi_web::routes::table();
    let expected = expected();
    let declared: Vec<(&str, &str)> = table.iter().map(|r| (r.method.as_str(), r.path)).collect();
    for d in &declared {
        assert!(
            expected.contains_key(d),
            "route {d:?} has no entry in the expected table"
        );
    }
    for e in expected.keys() {
        assert!(declared.contains(e), "expected route {e:?} does not exist");
    }
    let mut failures = vec![];
    for (role, username) in ROLES {
        // Logout routes go last, so the session lives through the other calls.
        let mut routes: Vec<_> = table.iter().collect();
        routes.sort_by_key(|r| r.path.ends_with("logout"));
        let (api, page) = if username.is_empty() {
            (None, None)
        } else {
            (
                Some(sign_in(&app, username, Channel::Api).await),
                Some(sign_in(&app, username, Channel::Page).await),
            )
        };
        for route in routes {
            let method = route.method.as_str();
            let rule = expected[&(method, route.path)];
            let allowed = rule == "public" || rule.split(' ').any(|r| r == *role);
            let is_page = route.kind == shenpi_web::routes::Kind::Page;
            let session = if is_page { page.as_ref() } else { api.as_ref() };
            let (status, body, location) = call(&app, method, route.path, is_page, session).await;
            let denied = if is_page && username.is_empty() {
                status == 303 && location.as_deref().is_some_and(|l| l.starts_with("/login"))
            } else if username.is_empty() {
                // The guard's refusal; a partner route's own 401 (a missing signature) is the
                // route answering, not the guard denying.
                status == 401 && body["code"] == "UNAUTHENTICATED"
            } else {
                status == 403 && (is_page || body["code"] == "FORBIDDEN")
            };
            if allowed == denied || status >= 500 {
                failures.push(format!(
                    "{role:<15} {method:<5} {:<40} expected {} got {status} {}",
                    route.path,
                    if allowed { "allow" } else { "deny" },
                    body.get("code").unwrap_or(&Value::Null)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn permission_denials_are_audited() {
    let app = spawn_app().await;
    let clerk = login(&app, "clerk-370202").await;
    assert_error(get(&app, &clerk, "/api/v1/audit").await, 403, "FORBIDDEN").await;
    let auditor = login(&app, "auditor").await;
    let v: Value = get(&app, &auditor, "/api/v1/audit?action=authz.denied")
        .await
        .json()
        .await
        .unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["actor_name"], "clerk-370202");
    assert_eq!(items[0]["outcome"], "denied");
    assert_eq!(items[0]["object_id"], "GET /api/v1/audit");
}

#[tokio::test]
async fn a_district_admin_sees_only_their_district() {
    let app = spawn_app().await;
    let reg = login(&app, "regadmin-370202").await;
    let v: Value = get(&app, &reg, "/api/v1/users").await.json().await.unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|u| u["region_code"] == "370202"), "{v}");
    assert_error(
        get(&app, &reg, "/api/v1/users?region=370203").await,
        403,
        "FORBIDDEN",
    )
    .await;
    // Creating an account in another district is refused; in their own it works.
    let body = |region: &str| {
        json!({"username": format!("new-{region}"), "display_name": "新同事",
        "password": "Strong#Pass1", "roles": ["reviewer"], "region_code": region,
        "department_id": format!("{region}-spj")})
    };
    assert_error(
        post(&app, &reg, "/api/v1/users", body("370203")).await,
        403,
        "FORBIDDEN",
    )
    .await;
    assert_eq!(
        post(&app, &reg, "/api/v1/users", body("370202"))
            .await
            .status(),
        201
    );
    // A region admin cannot hand out administrator roles.
    let mut admin = body("370202");
    admin["username"] = json!("sneaky");
    admin["roles"] = json!(["region_admin"]);
    assert_error(
        post(&app, &reg, "/api/v1/users", admin).await,
        403,
        "FORBIDDEN",
    )
    .await;
    // The city admin sees every district.
    let city = login(&app, "admin").await;
    let v: Value = get(&app, &city, "/api/v1/users?region=370203")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["region_code"] == "370203")
    );
    assert!(v["total"].as_i64().unwrap() >= 3);
}

#[tokio::test]
async fn the_city_admin_cannot_create_administrators_through_the_api() {
    let app = spawn_app().await;
    let city = login(&app, "admin").await;
    let r = post(
        &app,
        &city,
        "/api/v1/users",
        json!({"username": "aud3", "display_name": "审计",
        "password": "Strong#Pass1", "roles": ["auditor"], "region_code": "370200"}),
    )
    .await;
    assert_error(r, 403, "FORBIDDEN").await;
    let r = post(
        &app,
        &city,
        "/api/v1/users",
        json!({"username": "xone", "display_name": "某",
        "password": "Strong#Pass1", "roles": ["clerk"], "region_code": "999999"}),
    )
    .await;
    let v = assert_error(r, 422, "VALIDATION_FAILED").await;
    assert_eq!(v["details"]["field"], "region_code");
}

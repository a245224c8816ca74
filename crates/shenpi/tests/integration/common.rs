//! Shared helpers for the integration tests.

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use shenpi_testkit::TestApp;

/// An HTTP client that never uses a proxy and never follows redirects.
pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in through the API and returns the bearer token.
pub async fn login(app: &TestApp, username: &str) -> String {
    login_with(app, username, "Demo#2026", None).await.unwrap()
}

/// Signs in; `Err` carries the status and error body.
pub async fn login_with(
    app: &TestApp,
    username: &str,
    password: &str,
    totp: Option<&str>,
) -> Result<String, (StatusCode, Value)> {
    let mut body = json!({"username": username, "password": password});
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    if status == StatusCode::OK {
        Ok(v["token"].as_str().unwrap().to_string())
    } else {
        Err((status, v))
    }
}

/// GET with a bearer token.
pub async fn get(app: &TestApp, token: &str, path: &str) -> Response {
    client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// POST JSON with a bearer token.
pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Response {
    client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Asserts an error response: status, code, and both messages present.
pub async fn assert_error(r: Response, status: u16, code: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "status for expected {code}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], code, "{v}");
    assert!(
        v["message_zh"].as_str().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    assert!(
        v["message_en"].as_str().is_some_and(|s| !s.is_empty()),
        "{v}"
    );
    assert!(v["details"].is_object(), "{v}");
    v
}

/// The fake clock's now, as Unix seconds.
pub fn now_ts(app: &TestApp) -> i64 {
    shenpi_app::Clock::now(&*app.clock).timestamp()
}

/// Signs in through the page channel directly (session token and CSRF token), for page tests.
pub async fn page_session(app: &TestApp, username: &str) -> shenpi_app::auth::LoginOutcome {
    app.app
        .login(
            shenpi_app::auth::LoginInput {
                username: username.into(),
                password: "Demo#2026".into(),
                totp: None,
            },
            shenpi_app::auth::Channel::Page,
            &shenpi_app::RequestMeta {
                client_ip: "127.0.0.1".into(),
                trace_id: None,
            },
        )
        .await
        .unwrap()
}

/// GETs a page with a page session's cookie: (status, body).
pub async fn get_page(app: &TestApp, session_token: &str, path: &str) -> (u16, String) {
    let r = client()
        .get(app.url(path))
        .header("cookie", format!("shenpi_session={session_token}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Signs in as the enterprise `uscc`, registering its account first (the demo has one
/// enterprise account; the scenario companies of the shared-data registries get theirs here).
pub async fn enterprise_account(app: &TestApp, uscc: &str) -> String {
    let username = format!("ent-{}", &uscc[uscc.len() - 8..]).to_lowercase();
    let body = serde_json::json!({"username": username, "password": "Reg#Pass2026", "kind": "enterprise",
        "name": "张测试", "id_number": shenpi_app::demo::demo_id_number(), "mobile": "13912345678",
        "uscc": uscc, "enterprise_name": "示例企业"});
    let r = client()
        .post(app.url("/api/v1/auth/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status() == 201 || r.status() == 409, "{}", r.status());
    login_with(app, &username, "Reg#Pass2026", None)
        .await
        .unwrap()
}

/// The demo enterprise makes `username` (a registered person) its agent (办事人), so they may
/// apply in its name.
pub async fn make_agent(app: &TestApp, username: &str) {
    let enterprise = login(app, "enterprise").await;
    let r = post(
        app,
        &enterprise,
        &format!(
            "/api/v1/enterprises/{}/grants",
            shenpi_app::demo::demo_uscc()
        ),
        serde_json::json!({"username": username, "role": "agent"}),
    )
    .await;
    assert_eq!(r.status(), 200);
}

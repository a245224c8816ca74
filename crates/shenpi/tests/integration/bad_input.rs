//! Bad input never crashes the server: each kind gets a 4xx with a stable code and a bilingual
//! message, never a 5xx.

use super::common::*;
use serde_json::json;
use shenpi_testkit::{Options, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_wrong_types_and_missing_content_type_are_4xx() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/auth/login");
    let r = client()
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"username\":")
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "INVALID_JSON").await;
    let r = client()
        .post(&url)
        .json(&json!({"username": 12, "password": []}))
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "INVALID_FIELD").await;
    let r = client().post(&url).body("username=a").send().await.unwrap();
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;
    let r = client()
        .post(&url)
        .json(&json!({"username": "x".repeat(100_000), "password": "y"}))
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "INVALID_CREDENTIALS").await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let mut opts = Options::default();
    opts.web.body_limit = 2048;
    let app = spawn_app_with(opts).await;
    let big = json!({"username": "a", "password": "b".repeat(4096)});
    let r = client()
        .post(app.url("/api/v1/auth/login"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_error(r, 413, "PAYLOAD_TOO_LARGE").await;
    // Pages too.
    let r = client()
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=a&password={}", "b".repeat(4096)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn unknown_routes_and_methods_have_their_own_codes() {
    let app = spawn_app().await;
    assert_error(
        client()
            .get(app.url("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap(),
        404,
        "ROUTE_NOT_FOUND",
    )
    .await;
    assert_error(
        client().delete(app.url("/api/v1/me")).send().await.unwrap(),
        405,
        "METHOD_NOT_ALLOWED",
    )
    .await;
    let r = client().get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("页面不存在") && html.contains("ROUTE_NOT_FOUND"),
        "{html}"
    );
}

#[tokio::test]
async fn bad_query_parameters_are_400_not_500() {
    let app = spawn_app().await;
    for q in [
        "from=2026-13-01&days=1",
        "from=2026-01-01&days=abc",
        "from=2026-01-01&days=0",
        "days=3",
        "from=2026-01-01&days=-5",
    ] {
        let r = client()
            .get(app.url(&format!("/api/v1/calendar/add-working-days?{q}")))
            .send()
            .await
            .unwrap();
        assert_error(r, 400, "INVALID_QUERY").await;
    }
    let r = client()
        .get(app.url("/api/v1/calendar/notayear"))
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "BAD_REQUEST").await;
    let r = client()
        .get(app.url("/api/v1/validate/uscc"))
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "INVALID_QUERY").await;
    let r = client()
        .get(app.url("/api/v1/validate/passport?value=x"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "VALIDATION_KIND_UNKNOWN").await;
}

#[tokio::test]
async fn garbage_never_produces_a_server_error() {
    let app = spawn_app().await;
    let token = login(&app, "admin").await;
    let bodies = [
        "",
        "null",
        "[]",
        "\"s\"",
        "{\"a\":",
        "{\"username\":null}",
        "\u{0}\u{1}",
        "{\"roles\":[\"root\"]}",
        "{\"year\":99999,\"holidays\":\"x\",\"workdays\":[]}",
        "🎉🎉🎉",
    ];
    let paths = [
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/users",
        "/api/v1/me/password",
        "/api/v1/me/totp/confirm",
        "/api/v1/calendar/2027",
    ];
    for p in paths {
        for b in bodies {
            let method = if p.contains("calendar") {
                reqwest::Method::PUT
            } else {
                reqwest::Method::POST
            };
            let r = client()
                .request(method, app.url(p))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(b.to_string())
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            assert!((400..500).contains(&s), "{p} with {b:?} gave {s}");
            let v: serde_json::Value = r.json().await.unwrap();
            assert!(
                v["code"].is_string() && v["message_zh"].is_string() && v["message_en"].is_string(),
                "{v}"
            );
        }
    }
}

#[tokio::test]
async fn the_validation_api_is_rate_limited_per_address() {
    let mut opts = Options::default();
    opts.web.validate_per_minute = 3;
    let app = spawn_app_with(opts).await;
    for _ in 0..3 {
        let r = client()
            .get(app.url("/api/v1/validate/mobile?value=13812345678"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = client()
        .get(app.url("/api/v1/validate/mobile?value=13812345678"))
        .send()
        .await
        .unwrap();
    assert_error(r, 429, "RATE_LIMITED").await;
}

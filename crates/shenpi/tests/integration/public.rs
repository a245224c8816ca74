//! Public endpoints: validation, calendar, health, metrics, OpenAPI and embedded assets.

use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::spawn_app;

async fn validate(app: &shenpi_testkit::TestApp, kind: &str, value: &str) -> Value {
    let r = client()
        .get(app.url(&format!("/api/v1/validate/{kind}?value={value}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn the_validation_api_checks_each_kind() {
    let app = spawn_app().await;
    for (kind, good, bad) in [
        ("uscc", "91350200MA2YJ1XR9G", "91350200MA2YJ1XR9H"),
        ("id-number", "34052419800101001X", "340524198001010013"),
        ("mobile", "13812345678", "12812345678"),
        ("region", "370211", "370299"),
    ] {
        assert_eq!(
            validate(&app, kind, good).await["valid"],
            true,
            "{kind} {good}"
        );
        let v = validate(&app, kind, bad).await;
        assert_eq!(v["valid"], false, "{kind} {bad}");
        assert!(v["reason_zh"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(v["reason_en"].as_str().is_some_and(|s| !s.is_empty()));
    }
    let body = "ABC123";
    let check = shenpi_domain::validate::mod37_36_check_char(body).unwrap();
    assert_eq!(
        validate(&app, "cert-id", &format!("{body}{check}")).await["valid"],
        true
    );
    let wrong = if check == 'A' { 'B' } else { 'A' };
    assert_eq!(
        validate(&app, "cert-id", &format!("{body}{wrong}")).await["valid"],
        false
    );
}

#[tokio::test]
async fn working_days_skip_the_2026_spring_festival_and_national_day() {
    let app = spawn_app().await;
    for (from, days, want) in [
        ("2026-02-13", 1, "2026-02-14"), // make-up Saturday
        ("2026-02-14", 1, "2026-02-24"), // across the 9-day holiday
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-10-08", 2, "2026-10-10"), // make-up Saturday
        ("2026-02-15", 1, "2026-02-24"), // from a holiday
    ] {
        let v: Value = client()
            .get(app.url(&format!(
                "/api/v1/calendar/add-working-days?from={from}&days={days}"
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["date"], want, "{from} + {days}");
    }
    let v: Value = client()
        .get(app.url("/api/v1/calendar/2026"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["working_days"], 248);
}

#[tokio::test]
async fn a_missing_year_is_an_explicit_error_until_the_admin_loads_it() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/calendar/add-working-days?from=2026-12-31&days=1");
    assert_error(
        client().get(&url).send().await.unwrap(),
        422,
        "CALENDAR_YEAR_MISSING",
    )
    .await;
    assert_error(
        client()
            .get(app.url("/api/v1/calendar/2027"))
            .send()
            .await
            .unwrap(),
        422,
        "CALENDAR_YEAR_MISSING",
    )
    .await;
    let admin = login(&app, "admin").await;
    // The admin home warns from 1 November (the fake clock says 2026-11-28).
    assert_eq!(app.app.missing_next_year(), Some(2027));
    let year = json!({"year": 2027, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}], "workdays": []});
    let bad = json!({"year": 2027, "holidays": [{"name": "元旦", "from": "2027-01-03", "to": "2027-01-01"}], "workdays": []});
    let r = client()
        .put(app.url("/api/v1/calendar/2027"))
        .bearer_auth(&admin)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "CALENDAR_INVALID").await;
    let r = client()
        .put(app.url("/api/v1/calendar/2028"))
        .bearer_auth(&admin)
        .json(&year)
        .send()
        .await
        .unwrap();
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let r = client()
        .put(app.url("/api/v1/calendar/2027"))
        .bearer_auth(&admin)
        .json(&year)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["date"], "2027-01-04");
    assert_eq!(app.app.missing_next_year(), None);
    // The stored year survives a restart of the application.
    let store: std::sync::Arc<dyn shenpi_store::Store> = app.store.clone();
    let again = shenpi_app::App::new(store, app.clock.clone(), Default::default())
        .await
        .unwrap();
    assert!(again.calendar().has_year(2027));
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    assert_eq!(
        client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let v: Value = client()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "ready");
    let r = client()
        .get(app.url("/api/v1/regions"))
        .header("x-request-id", "req-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "req-123");
    let regions: Value = r.json().await.unwrap();
    assert_eq!(regions["items"].as_array().unwrap().len(), 11);
    let m = client()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains(
            "shenpi_http_requests_total{method=\"GET\",route=\"/api/v1/regions\",status=\"200\"} 1"
        ),
        "{m}"
    );
    assert!(
        m.contains("shenpi_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\"")
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route_and_the_console_is_embedded() {
    let app = spawn_app().await;
    let doc: Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    for spec in shenpi_web::routes::table() {
        if spec.path.starts_with("/api/v1") {
            let m = spec.method.as_str().to_lowercase();
            assert!(
                doc["paths"][spec.path][&m].is_object(),
                "{} {} missing",
                m,
                spec.path
            );
        }
    }
    assert!(
        doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("ACCOUNT_LOCKED"))
    );
    let html = client()
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("/assets/swagger-ui-bundle.js") && !html.contains("http"),
        "no CDN"
    );
    for a in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-init.js",
        "htmx.min.js",
        "app.css",
    ] {
        let r = client()
            .get(app.url(&format!("/assets/{a}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{a}");
        assert!(r.bytes().await.unwrap().len() > 500);
    }
}

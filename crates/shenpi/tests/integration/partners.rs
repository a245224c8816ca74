//! Partner systems: the utility companies of the 12-in-1 bundle get their sub-cases by signed
//! webhook (retried with backoff, the same delivery key every time) and report progress with
//! signed requests; bad signatures, old timestamps, replayed nonces and reports on another
//! partner's sub-case are refused and change nothing. A small simulator plays the companies.

use super::cases::open_task;
use super::common::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_app::partners::sign;
use shenpi_testkit::{TestApp, spawn_app};
use std::sync::{Arc, Mutex};

/// What the simulator received: (partner path, delivery key, body) of each valid webhook.
pub(crate) type Inbox = Arc<Mutex<Vec<(String, String, Value)>>>;

/// Starts the utility-company simulator: `POST /{partner}` checks the signature with that
/// partner's secret and records the webhook; the gas company fails its first call.
pub(crate) async fn simulator(secrets: Vec<(String, String)>) -> (String, Inbox) {
    let inbox: Inbox = Arc::new(Mutex::new(vec![]));
    let failed_once = Arc::new(Mutex::new(false));
    let (inbox2, secrets) = (inbox.clone(), Arc::new(secrets));
    let handler = move |axum::extract::Path(partner): axum::extract::Path<String>,
                        headers: HeaderMap,
                        body: Bytes| {
        let (inbox, secrets, failed_once) = (inbox2.clone(), secrets.clone(), failed_once.clone());
        async move {
            let h = |n: &str| {
                headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            let Some((_, secret)) = secrets.iter().find(|(k, _)| *k == partner) else {
                return StatusCode::NOT_FOUND;
            };
            let ts: i64 = h(sign::TIMESTAMP_HEADER).parse().unwrap_or_default();
            let ok = sign::verify(
                secret,
                "POST",
                &format!("/{partner}"),
                ts,
                &h(sign::NONCE_HEADER),
                &body,
                &h(sign::SIGNATURE_HEADER),
            );
            if !ok {
                return StatusCode::UNAUTHORIZED;
            }
            if partner == "gas" {
                let mut f = failed_once.lock().unwrap();
                if !*f {
                    *f = true;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
            }
            let v: Value = serde_json::from_slice(&body).unwrap();
            inbox
                .lock()
                .unwrap()
                .push((partner, h(sign::DELIVERY_HEADER), v));
            StatusCode::OK
        }
    };
    let router = axum::Router::new().route("/{partner}", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), inbox)
}

/// Renews the secrets of the partners `keys` and points their webhooks at a new simulator;
/// returns (key, app key, secret) of each and the simulator's inbox.
pub(crate) async fn wire_partners(
    app: &TestApp,
    admin: &str,
    keys: &[&str],
) -> (Vec<(String, String, String)>, Inbox) {
    let mut creds = vec![];
    for key in keys {
        let v: Value = post(
            app,
            admin,
            &format!("/api/v1/partners/{key}/secret"),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
        creds.push((
            key.to_string(),
            v["app_key"].as_str().unwrap().to_string(),
            v["secret"].as_str().unwrap().to_string(),
        ));
    }
    let (base, inbox) = simulator(
        creds
            .iter()
            .map(|(k, _, s)| (k.clone(), s.clone()))
            .collect(),
    )
    .await;
    for (key, _, _) in &creds {
        let r = client()
            .put(app.url(&format!("/api/v1/partners/{key}")))
            .bearer_auth(admin)
            .json(&json!({"name": "", "webhook_url": format!("{base}/{key}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    (creds, inbox)
}

/// A signed request of a partner.
pub(crate) async fn signed(
    app: &TestApp,
    (app_key, secret): (&str, &str),
    path: &str,
    body: &Value,
    ts: i64,
    nonce: &str,
) -> reqwest::Response {
    let raw = body.to_string();
    let sig = sign::sign(secret, "POST", path, ts, nonce, raw.as_bytes());
    client()
        .post(app.url(path))
        .header("content-type", "application/json")
        .header(sign::KEY_HEADER, app_key)
        .header(sign::TIMESTAMP_HEADER, ts.to_string())
        .header(sign::NONCE_HEADER, nonce)
        .header(sign::SIGNATURE_HEADER, sig)
        .body(raw)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn utility_companies_get_their_sub_cases_by_signed_webhook_and_report_progress() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    // The city admin renews the water and gas companies' secrets and points them at the
    // simulator.
    let (creds, inbox) = wire_partners(&app, &admin, &["water-supply", "gas"]).await;
    let list: Value = get(&app, &admin, "/api/v1/partners")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 11);
    assert!(
        !list.to_string().contains(&creds[0].2),
        "secrets are never listed"
    );

    // The citizen applies for water and gas with road digging.
    let citizen = login(&app, "citizen").await;
    let b: Value = client()
        .get(app.url("/api/v1/bundles/utility-hookup-12"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chosen = [
        "QDJS00302-01",
        "QDSZ00101-01",
        "QDSZ00102-01",
        "QDGY00101-01",
        "QDGY00401-01",
    ];
    let files = super::bundles::uploads(&app, &citizen, &b, &chosen).await;
    let v: Value = post(&app, &citizen, "/api/v1/bundles/utility-hookup-12/applications", json!({
        "region": "370202", "idempotency_key": "p-1",
        "answers": {"services": ["water", "gas"], "dig_road": ["yes"]},
        "form": {"project_name": "示例园区", "address": "370202 示例路 2 号", "contact": "李示例", "contact_phone": "13900000000"},
        "materials": files})).await.json().await.unwrap();
    let bundle_id = v["id"].as_str().unwrap().to_string();
    let sub = |code: &str| {
        v["sub_cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["item_code"] == code)
            .unwrap()
            .clone()
    };
    let (water, gas) = (sub("QDGY00101-01"), sub("QDGY00401-01"));
    // Partners' sub-cases are not on the government workbench.
    let clerk = login(&app, "clerk-370202").await;
    assert!(
        open_task(&app, &clerk, water["number"].as_str().unwrap())
            .await
            .is_null()
    );
    assert!(
        !open_task(
            &app,
            &clerk,
            sub("QDJS00302-01")["number"].as_str().unwrap()
        )
        .await
        .is_null()
    );

    // Deliveries: water arrives at once; gas fails, is retried after 30 s, and arrives with
    // the same delivery key.
    assert_eq!(app.app.deliver_due().await.unwrap(), 1);
    let log: Value = get(&app, &admin, "/api/v1/partners/gas/deliveries")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log["items"][0]["status"], "pending");
    assert_eq!(log["items"][0]["attempts"], 1);
    assert_eq!(log["items"][0]["last_error"], "HTTP 503");
    assert_eq!(app.app.deliver_due().await.unwrap(), 0, "not due yet");
    app.clock
        .set(shenpi_testkit::start_time() + Duration::seconds(31));
    assert_eq!(app.app.deliver_due().await.unwrap(), 1);
    assert_eq!(app.app.deliver_due().await.unwrap(), 0, "delivered once");
    {
        let got = inbox.lock().unwrap();
        assert_eq!(got.len(), 2);
        let w = got.iter().find(|(p, _, _)| p == "water-supply").unwrap();
        assert_eq!(w.2["event"], "subcase.assigned");
        assert_eq!(w.2["sub_case"]["id"], water["case_id"]);
        assert_eq!(w.2["form"]["project_name"], "示例园区");
        assert_eq!(w.1, w.2["delivery"].as_str().unwrap());
        let g = got.iter().find(|(p, _, _)| p == "gas").unwrap();
        assert_eq!(g.2["sub_case"]["id"], gas["case_id"]);
    }
    let log: Value = get(
        &app,
        &login(&app, "admin").await,
        "/api/v1/partners/gas/deliveries",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(log["items"][0]["status"], "delivered");
    assert_eq!(log["items"][0]["attempts"], 2);

    // The water company reports: accepted, then completed.
    let now = shenpi_app::Clock::now(&*app.clock).timestamp();
    let water_id = water["case_id"].as_str().unwrap();
    let path = format!("/api/v1/partner/subcases/{water_id}/progress");
    let w_creds = (creds[0].1.as_str(), creds[0].2.as_str());
    let accepted =
        json!({"idempotency_key": "w-1", "status": "accepted", "note": "已受理，将安排现场踏勘"});
    let r = signed(&app, w_creds, &path, &accepted, now, "n-1").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "under_review");
    // A repeated report (new nonce, same key) changes nothing; a replayed nonce is refused.
    let r = signed(&app, w_creds, &path, &accepted, now, "n-2").await;
    assert_eq!(r.status(), 200);
    assert_error(
        signed(&app, w_creds, &path, &accepted, now, "n-2").await,
        409,
        "PARTNER_NONCE_REUSED",
    )
    .await;
    // A bad signature, an old timestamp, another company's sub-case: refused.
    assert_error(
        signed(&app, (w_creds.0, "wrong"), &path, &accepted, now, "n-3").await,
        401,
        "PARTNER_SIGNATURE_INVALID",
    )
    .await;
    assert_error(
        signed(&app, w_creds, &path, &accepted, now - 600, "n-4").await,
        401,
        "PARTNER_REQUEST_EXPIRED",
    )
    .await;
    let g_creds = (creds[1].1.as_str(), creds[1].2.as_str());
    let done = json!({"idempotency_key": "g-1", "status": "completed", "note": "已通气"});
    assert_error(
        signed(&app, g_creds, &path, &done, now, "g-n-1").await,
        403,
        "PARTNER_NOT_HANDLER",
    )
    .await;
    let r = client()
        .post(app.url(&path))
        .json(&accepted)
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "PARTNER_SIGNATURE_INVALID").await;
    let c: Value = get(&app, &citizen, &format!("/api/v1/cases/{water_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["status"], "under_review");
    assert_eq!(
        c["timeline"].as_array().unwrap().len(),
        2,
        "submitted, accepted once: {c}"
    );
    assert_eq!(c["timeline"][1]["actor"], "青岛示例供水有限公司");

    let completed = json!({"idempotency_key": "w-2", "status": "completed", "note": "已完成接水"});
    let r = signed(&app, w_creds, &path, &completed, now, "n-5").await;
    assert_eq!(r.status(), 200);
    let view: Value = get(&app, &citizen, &format!("/api/v1/bundle-cases/{bundle_id}"))
        .await
        .json()
        .await
        .unwrap();
    let w = view["sub_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["case_id"] == water_id)
        .unwrap()
        .clone();
    assert_eq!(w["status"], "granted");
    assert_eq!(view["status"], "in_progress", "the others are still open");
    assert!(view["timeline"].to_string().contains("已完成接水"));
}

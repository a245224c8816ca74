//! Electronic certificates (电子证照) over HTTP: a grant issues a signed certificate with a GB/T
//! 36904 identifier; its holder shows it with a 5-minute token; anyone verifies it (personal
//! data masked), staff verify with a purpose and leave a usage record; the issuer revokes it
//! with a reason and verification says so; keys rotate without invalidating earlier
//! certificates; a change or renewal issues a new version linked to the old one.

use super::common::*;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_app::clock::Clock as _;
use shenpi_app::demo::demo_uscc;
use shenpi_certs::keys::{Algorithm, KeyPair};
use shenpi_certs::keyset::KeySet;
use shenpi_certs::token::{self, Claims};
use shenpi_domain::validate::CertId;
use shenpi_testkit::{TestApp, spawn_app};

const LABOUR: &str = "QDJS01001-01"; // 施工劳务资质备案: granted unattended

/// Files a labour qualification (granted at once) as `enterprise`; returns the case.
async fn labour_filing(app: &TestApp, token: &str, key: &str) -> Value {
    let r = post(
        app,
        token,
        "/api/v1/cases",
        json!({"item_code": LABOUR, "region": "370202", "situation": "first",
               "form": {"uscc": demo_uscc(), "contact": "李示例", "contact_mobile": "13800000000", "commitment": true},
               "materials": {}, "idempotency_key": key}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["status"], "granted", "{c}");
    c
}

async fn json_of(r: reqwest::Response) -> Value {
    r.json().await.unwrap()
}

/// The caller's certificates of type `type_code`.
async fn mine(app: &TestApp, token: &str, type_code: &str) -> Vec<Value> {
    let v = json_of(get(app, token, "/api/v1/certificates").await).await;
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .filter(|c| c["type"] == type_code)
        .cloned()
        .collect()
}

async fn verify(app: &TestApp, token: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/v1/certificates/verify"))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap()
}

async fn show(app: &TestApp, holder: &str, identifier: &str) -> reqwest::Response {
    post(
        app,
        holder,
        &format!("/api/v1/certificates/{identifier}/show"),
        json!({}),
    )
    .await
}

#[tokio::test]
async fn a_grant_issues_a_signed_certificate_its_holder_shows_and_anyone_verifies() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    labour_filing(&app, &enterprise, "cert-1").await;

    // The holder has it, with a valid national identifier, and the demo e-business licence.
    let certs = mine(&app, &enterprise, "labour-filing").await;
    assert_eq!(certs.len(), 1);
    let cert = &certs[0];
    let identifier = cert["identifier"].as_str().unwrap().to_owned();
    let id = CertId::parse(&identifier).unwrap();
    let parts = id.parts().unwrap();
    assert_eq!((parts.version, cert["version"].as_i64()), ("001", Some(1)));
    assert!(parts.serial.starts_with("2026370202"), "{identifier}");
    assert_eq!(cert["status"], "valid");
    assert_eq!(cert["valid_from"], "2026-11-28");
    assert_eq!(cert["valid_until"], "2031-11-27", "five years");
    assert_eq!(cert["holder"]["id"], demo_uscc().as_str());
    assert!(
        cert["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["label"] == "统一社会信用代码" && f["value"] == demo_uscc().as_str())
    );
    assert_eq!(mine(&app, &enterprise, "e-business-licence").await.len(), 1);

    // The signature over the canonical data verifies with the published key.
    let keys: KeySet = client()
        .get(app.url("/.well-known/shenpi-cert-keys.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sig = &cert["signature"];
    assert_eq!(sig["alg"], "SM2");
    let public = keys.find(sig["kid"].as_str().unwrap()).unwrap();
    let raw = URL_SAFE_NO_PAD
        .decode(sig["value"].as_str().unwrap())
        .unwrap();
    shenpi_certs::canonical::verify_payload(&public, &cert["payload"], &raw).unwrap();
    let mut forged = cert["payload"].clone();
    forged["valid_until"] = json!("2099-12-31");
    assert!(shenpi_certs::canonical::verify_payload(&public, &forged, &raw).is_err());

    // 亮证: a dynamic token, its QR and verification address.
    let r = show(&app, &enterprise, &identifier).await;
    assert_eq!(r.status(), 200);
    let shown = json_of(r).await;
    let token = shown["token"].as_str().unwrap().to_owned();
    assert!(shown["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(
        shown["verify_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/verify?t={token}"))
    );
    // Anyone verifies it without signing in; the address works as well as the bare token.
    let v = json_of(verify(&app, &token).await).await;
    assert_eq!(
        (v["valid"].as_bool(), v["reason"].as_str()),
        (Some(true), Some("VALID")),
        "{v}"
    );
    assert_eq!(v["status"], "valid");
    assert_eq!(v["certificate"]["identifier"], identifier.as_str());
    assert_eq!(v["certificate"]["type_name"], "施工劳务资质备案凭证");
    assert!(
        v["certificate"].get("payload").is_none(),
        "public gets no payload"
    );
    assert!(v.get("file").is_none(), "nor the file");
    let v = json_of(verify(&app, shown["verify_url"].as_str().unwrap()).await).await;
    assert_eq!(v["valid"], true);
    // Someone else cannot show it, and nobody learns it exists.
    let citizen = login(&app, "citizen").await;
    assert_error(
        show(&app, &citizen, &identifier).await,
        404,
        "CERT_NOT_FOUND",
    )
    .await;

    // Tampered, truncated or garbage tokens: refused with the reason.
    let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
    let at = bytes.len() - 70; // inside the signed body (the certificate identifier)
    bytes[at] ^= 0x01;
    let v = json_of(verify(&app, &URL_SAFE_NO_PAD.encode(&bytes)).await).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "TOKEN_BAD_SIGNATURE", "{v}");
    for bad in [&token[..token.len() / 2], "not-a-token", ""] {
        let body = assert_error(verify(&app, bad).await, 422, "CERT_TOKEN_INVALID").await;
        assert_eq!(body["details"]["reason"], "TOKEN_MALFORMED");
    }
    // A token signed by a key the issuer never published.
    let stranger = KeyPair::generate(Algorithm::Sm2).unwrap();
    let now = app.clock.now().timestamp();
    let foreign = token::issue(
        &stranger,
        &Claims::new_dynamic(&stranger.kid(), &identifier, 1, now),
    )
    .unwrap();
    let v = json_of(verify(&app, &foreign).await).await;
    assert_eq!(v["reason"], "TOKEN_UNKNOWN_KEY", "{v}");

    // Staff verify with a purpose: the full certificate, and a usage record for the holder.
    let clerk = login(&app, "clerk-370202").await;
    let r = post(
        &app,
        &clerk,
        "/api/v1/certificates/inspect",
        json!({"token": token, "purpose": " "}),
    )
    .await;
    assert_error(r, 422, "CERT_PURPOSE_REQUIRED").await;
    let r = post(
        &app,
        &clerk,
        "/api/v1/certificates/inspect",
        json!({"token": token, "purpose": "窗口核验施工劳务资质（免提交复印件）"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let full = json_of(r).await;
    assert_eq!(full["valid"], true);
    assert_eq!(
        full["certificate"]["payload"]["identifier"],
        identifier.as_str()
    );
    // … and the file.
    let file = base64::engine::general_purpose::STANDARD
        .decode(full["file"].as_str().unwrap())
        .unwrap();
    assert!(file.starts_with(b"%PDF-"));
    let usages = json_of(
        get(
            &app,
            &enterprise,
            &format!("/api/v1/certificates/{identifier}/usages"),
        )
        .await,
    )
    .await;
    assert_eq!(usages["total"], 1, "{usages}");
    assert_eq!(
        usages["items"][0]["purpose"],
        "窗口核验施工劳务资质（免提交复印件）"
    );

    // After 5 minutes the dynamic token is refused; the printed static one still works.
    app.clock.advance(Duration::seconds(301));
    let v = json_of(verify(&app, &token).await).await;
    assert_eq!(
        (v["valid"].as_bool(), v["reason"].as_str()),
        (Some(false), Some("TOKEN_EXPIRED"))
    );
    let printed = cert["static_token"].as_str().unwrap();
    assert_eq!(json_of(verify(&app, printed).await).await["valid"], true);

    // The issuer revokes it, with a reason; verification then says so.
    let status = format!("/api/v1/certificates/{identifier}/status");
    let reviewer = login(&app, "reviewer-370202").await;
    let r = post(
        &app,
        &reviewer,
        &status,
        json!({"status": "revoked", "reason": "x"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    let approver = login(&app, "approver-370202").await;
    assert_error(
        post(
            &app,
            &approver,
            &status,
            json!({"status": "revoked", "reason": " "}),
        )
        .await,
        422,
        "CERT_REASON_REQUIRED",
    )
    .await;
    let body = assert_error(
        post(
            &app,
            &approver,
            &status,
            json!({"status": "valid", "reason": "恢复"}),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(
        body["details"]["reason_code"], "CERT_STATUS_UNKNOWN",
        "{body}"
    );
    let other = login(&app, "approver-370203").await;
    let r = post(
        &app,
        &other,
        &status,
        json!({"status": "revoked", "reason": "以欺骗手段取得备案"}),
    )
    .await;
    assert_eq!(r.status(), 403, "another district's approver");
    let r = post(
        &app,
        &approver,
        &status,
        json!({"status": "revoked", "reason": "以欺骗手段取得备案（行政许可法第六十九条）"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v = json_of(verify(&app, printed).await).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["reason"], "CERT_REVOKED");
    assert_eq!(v["status_zh"], "已撤销");
    assert!(v["status_reason"].as_str().unwrap().contains("欺骗"));
    assert_error(
        post(
            &app,
            &approver,
            &status,
            json!({"status": "cancelled", "reason": "再次注销"}),
        )
        .await,
        409,
        "CERT_STATUS_CHANGE_REFUSED",
    )
    .await;
    assert_eq!(show(&app, &enterprise, &identifier).await.status(), 409);
    let list = json_of(
        client()
            .get(app.url("/api/v1/certificates/revocations"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        list["revoked"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["cert_id"] == identifier.as_str() && e["status"] == "revoked"),
        "{list}"
    );
}

#[tokio::test]
async fn keys_rotate_without_invalidating_earlier_certificates() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    labour_filing(&app, &enterprise, "rot-1").await;
    let first = mine(&app, &enterprise, "labour-filing").await[0].clone();
    let old_kid = first["signature"]["kid"].as_str().unwrap().to_owned();

    let new_kid = app.app.rotate_cert_key(Algorithm::Ed25519).await.unwrap();
    assert_ne!(new_kid, old_kid);
    labour_filing(&app, &enterprise, "rot-2").await;
    let all = mine(&app, &enterprise, "labour-filing").await;
    assert_eq!(all.len(), 2);
    let second = all
        .iter()
        .find(|c| c["identifier"] != first["identifier"])
        .unwrap();
    assert_eq!(second["signature"]["kid"], new_kid.as_str());
    assert_eq!(second["signature"]["alg"], "Ed25519");

    // Both verify: the old key is retired, not removed.
    let keys: KeySet = client()
        .get(app.url("/.well-known/shenpi-cert-keys.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old = keys.keys.iter().find(|k| k.kid == old_kid).unwrap();
    assert!(old.retired_at.is_some());
    for c in [&first, second] {
        let v = json_of(verify(&app, c["static_token"].as_str().unwrap()).await).await;
        assert_eq!(v["valid"], true, "{v}");
    }
}

#[tokio::test]
async fn expiry_reminders_fire_once_per_threshold_and_the_certificate_then_expires() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    labour_filing(&app, &enterprise, "remind-1").await;
    let cert = mine(&app, &enterprise, "labour-filing").await[0].clone();
    let identifier = cert["identifier"].as_str().unwrap().to_owned();
    assert_eq!(cert["valid_until"], "2031-11-27");
    let reminders = format!("/api/v1/certificates/{identifier}/reminders");
    let thresholds = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["threshold_days"].as_i64().unwrap())
            .collect()
    };
    let at = |date: &str| {
        chrono::DateTime::parse_from_rfc3339(&format!("{date}T01:00:00Z"))
            .unwrap()
            .with_timezone(&chrono::Utc)
    };

    // 91 days before: nothing is due.
    app.clock.set(at("2031-08-28"));
    let r = app.app.scan_certificate_expiry().await.unwrap();
    assert_eq!(r.reminded, 0);
    // 90 days before: one reminder, once, even with two scans side by side (two nodes).
    app.clock.set(at("2031-08-29"));
    let (a, b) = tokio::join!(
        app.app.scan_certificate_expiry(),
        app.app.scan_certificate_expiry()
    );
    assert_eq!(a.unwrap().reminded + b.unwrap().reminded, 1);
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().reminded, 0);
    // Years have passed on the fake clock: a new session.
    let enterprise = login(&app, "enterprise").await;
    let v = json_of(get(&app, &enterprise, &reminders).await).await;
    assert_eq!(thresholds(&v), [90], "{v}");
    let channels: Vec<(&str, &str)> = v["items"][0]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["channel"].as_str().unwrap(),
                d["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(channels, [("in_app", "sent"), ("log", "sent")]);
    // The holder's notices say it (every account of the holder reads them).
    let notes = json_of(get(&app, &enterprise, "/api/v1/notifications").await).await;
    let expiry: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{notes}"))
        .iter()
        .filter(|n| n["kind"] == "cert_expiry")
        .collect();
    assert_eq!(expiry.len(), 1, "{notes}");
    assert!(expiry[0]["body"].as_str().unwrap().contains("还有 90 天"));

    // 30 and 7 days before: one each. A scan that starts late (3 days left, after a stop)
    // would send only the nearest; here each threshold comes in turn.
    app.clock.set(at("2031-10-28"));
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().reminded, 1);
    app.clock.set(at("2031-11-25"));
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().reminded, 1);
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().reminded, 0);
    let enterprise = login(&app, "enterprise").await;
    let v = json_of(get(&app, &enterprise, &reminders).await).await;
    assert_eq!(thresholds(&v), [90, 30, 7]);

    // After its last day the certificate is expired, once, and verification says so.
    app.clock.set(at("2031-11-28"));
    let r = app.app.scan_certificate_expiry().await.unwrap();
    assert_eq!((r.reminded, r.expired), (0, 1));
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().expired, 0);
    let enterprise = login(&app, "enterprise").await;
    let now = json_of(
        get(
            &app,
            &enterprise,
            &format!("/api/v1/certificates/{identifier}"),
        )
        .await,
    )
    .await;
    assert_eq!(now["status"], "expired");
    let v = json_of(verify(&app, cert["static_token"].as_str().unwrap()).await).await;
    assert_eq!(
        (v["valid"].as_bool(), v["reason"].as_str()),
        (Some(false), Some("CERT_EXPIRED"))
    );
}

/// A stand-in SMS gateway: records every reminder it is sent; returns its address.
async fn sms_gateway() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let inbox = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let sink = inbox.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                sink.lock()
                    .unwrap()
                    .push(serde_json::from_slice::<Value>(&body).unwrap());
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}/sms"), inbox)
}

#[tokio::test]
async fn a_late_first_scan_sends_only_the_nearest_reminder_through_every_channel() {
    let (sms, inbox) = sms_gateway().await;
    // The e-mail gateway is down (nothing listens on that port).
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let email = format!("http://{}/mail", closed.local_addr().unwrap());
    drop(closed);
    let settings = shenpi_app::Settings {
        reminder_webhooks: vec![("sms".into(), sms), ("email".into(), email)],
        ..Default::default()
    };
    let app = shenpi_testkit::spawn_app_with(shenpi_testkit::Options {
        settings,
        ..Default::default()
    })
    .await;
    let enterprise = login(&app, "enterprise").await;
    labour_filing(&app, &enterprise, "remind-2").await;
    let identifier = mine(&app, &enterprise, "labour-filing").await[0]["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2031-11-24T01:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().reminded, 1);
    let enterprise = login(&app, "enterprise").await;
    let v = json_of(
        get(
            &app,
            &enterprise,
            &format!("/api/v1/certificates/{identifier}/reminders"),
        )
        .await,
    )
    .await;
    let got: Vec<(i64, &str)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["threshold_days"].as_i64().unwrap(),
                r["deliveries"][0]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(90, "skipped"), (30, "skipped"), (7, "sent")]);
    let channels: Vec<(&str, &str)> = v["items"][2]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["channel"].as_str().unwrap(),
                d["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        channels,
        [
            ("in_app", "sent"),
            ("log", "sent"),
            ("sms", "sent"),
            ("email", "failed")
        ]
    );
    let sent = inbox.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["channel"], "sms");
    assert_eq!(sent[0]["reminder"]["identifier"], identifier.as_str());
    assert_eq!(sent[0]["reminder"]["days_left"], 3);
}

#[tokio::test]
async fn an_enterprise_authorises_an_agent_and_a_certificate_manager_through_its_licence() {
    let app = spawn_app().await;
    let uscc = demo_uscc();
    let enterprise = login(&app, "enterprise").await;
    let citizen = login(&app, "citizen").await;
    let grants = format!("/api/v1/enterprises/{uscc}/grants");
    let form = json!({"uscc": uscc, "contact": "李示例", "contact_mobile": "13800000000", "commitment": true});
    let apply = |token: String, key: &'static str| {
        let app = &app;
        let form = form.clone();
        async move {
            post(
                app,
                &token,
                "/api/v1/cases",
                json!({"item_code": LABOUR, "region": "370202", "situation": "first",
                       "form": form, "materials": {}, "idempotency_key": key}),
            )
            .await
        }
    };

    // Not authorised yet: the citizen cannot apply in the enterprise's name, see its page or
    // manage its grants.
    assert_error(
        apply(citizen.clone(), "agent-0").await,
        403,
        "ENTERPRISE_NOT_AUTHORISED",
    )
    .await;
    assert_error(
        get(&app, &citizen, &grants).await,
        403,
        "ENTERPRISE_NOT_AUTHORISED",
    )
    .await;
    let r = post(
        &app,
        &citizen,
        &grants,
        json!({"username": "citizen", "role": "agent"}),
    )
    .await;
    assert_error(r, 403, "ENTERPRISE_NOT_AUTHORISED").await;
    // Only a registered person can be authorised, in a known role.
    for bad in [
        json!({"username": "nobody", "role": "agent"}),
        json!({"username": "clerk-370202", "role": "agent"}),
        json!({"username": "citizen", "role": "owner"}),
    ] {
        let r = post(&app, &enterprise, &grants, bad.clone()).await;
        assert_error(r, 422, "ENTERPRISE_GRANT_REFUSED").await;
    }

    // The legal representative (the enterprise's account) authorises the citizen as agent.
    let r = post(
        &app,
        &enterprise,
        &grants,
        json!({"username": "citizen", "role": "agent"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = apply(citizen.clone(), "agent-1").await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["status"], "granted", "{c}");
    // The licence shown by the platform instead of a copy (免证办): the e-business licence.
    let licence = c["shared_materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["source_zh"] == "电子证照库")
        .unwrap_or_else(|| panic!("{c}"))
        .clone();
    assert!(
        licence["summary"]
            .as_str()
            .unwrap()
            .contains("营业执照（电子）")
    );
    assert_eq!(licence["found"], true);
    // The certificate is the enterprise's, not the agent's.
    let certs = mine(&app, &enterprise, "labour-filing").await;
    assert_eq!(certs.len(), 1);
    let identifier = certs[0]["identifier"].as_str().unwrap().to_owned();
    assert!(mine(&app, &citizen, "labour-filing").await.is_empty());
    assert_eq!(show(&app, &citizen, &identifier).await.status(), 404);

    // As certificate manager the citizen holds and shows the enterprise's certificates.
    let r = post(
        &app,
        &enterprise,
        &grants,
        json!({"username": "citizen", "role": "cert_manager"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(mine(&app, &citizen, "labour-filing").await.len(), 1);
    assert_eq!(show(&app, &citizen, &identifier).await.status(), 200);
    // One page with every certificate of the enterprise.
    let page = page_session(&app, "citizen").await;
    let (status, html) = get_page(&app, &page.token, &format!("/enterprises/{uscc}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("施工劳务资质备案凭证") && html.contains("营业执照（电子）"),
        "{html}"
    );
    let listed = json_of(get(&app, &enterprise, &grants).await).await;
    assert_eq!(listed["total"], 2);

    // Revoked: neither role works any more.
    for role in ["agent", "cert_manager"] {
        let r = post(
            &app,
            &enterprise,
            &format!("{grants}/revoke"),
            json!({"username": "citizen", "role": role}),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    assert_eq!(show(&app, &citizen, &identifier).await.status(), 404);
    assert_error(
        apply(citizen.clone(), "agent-2").await,
        403,
        "ENTERPRISE_NOT_AUTHORISED",
    )
    .await;
    let r = post(
        &app,
        &enterprise,
        &format!("{grants}/revoke"),
        json!({"username": "citizen", "role": "agent"}),
    )
    .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn partner_systems_read_an_enterprises_certificates_with_signed_requests() {
    use shenpi_app::partners::sign;
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let v: Value = post(
        &app,
        &admin,
        "/api/v1/partners/water-supply/secret",
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    let (key, secret) = (
        v["app_key"].as_str().unwrap().to_owned(),
        v["secret"].as_str().unwrap().to_owned(),
    );
    let path = format!("/api/v1/enterprises/{}/certificates", demo_uscc());
    // The query chooses a page; the signature covers the path.
    let call_page = |nonce: &'static str, secret: String, query: &'static str| {
        let (app, path, key) = (&app, path.clone(), key.clone());
        async move {
            let ts = app.clock.now().timestamp();
            let sig = sign::sign(&secret, "GET", &path, ts, nonce, b"");
            client()
                .get(app.url(&format!("{path}{query}")))
                .header(sign::KEY_HEADER, key)
                .header(sign::TIMESTAMP_HEADER, ts.to_string())
                .header(sign::NONCE_HEADER, nonce)
                .header(sign::SIGNATURE_HEADER, sig)
                .send()
                .await
                .unwrap()
        }
    };
    let call = |nonce: &'static str, secret: String| call_page(nonce, secret, "");
    let r = call("n-1", secret.clone()).await;
    assert_eq!(r.status(), 200);
    let v = json_of(r).await;
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "e-business-licence"),
        "{v}"
    );
    // 50 a page unless asked; the total counts every certificate of the enterprise.
    let total = v["total"].as_i64().unwrap();
    assert!(total >= 2, "{v}");
    assert_eq!(
        (v["page"].as_i64(), v["per_page"].as_i64()),
        (Some(1), Some(50))
    );
    assert_eq!(v["items"].as_array().unwrap().len() as i64, total.min(50));
    // One a page: page 2 holds the list's second certificate.
    let second: Value =
        json_of(call_page("n-p2", secret.clone(), "?page=2&per_page=1").await).await;
    assert_eq!(second["total"].as_i64(), Some(total));
    assert_eq!(second["items"].as_array().unwrap().len(), 1, "{second}");
    assert!(v["items"][1]["identifier"].is_string(), "{v}");
    assert_ne!(
        second["items"][0]["identifier"],
        v["items"][0]["identifier"]
    );
    assert_eq!(
        second["items"][0]["identifier"],
        v["items"][1]["identifier"]
    );
    // A page parameter that is not a number is a 400; an unknown one too.
    assert_error(
        call_page("n-p3", secret.clone(), "?page=two").await,
        400,
        "INVALID_QUERY",
    )
    .await;
    assert_error(
        call_page("n-p4", secret.clone(), "?limit=5").await,
        400,
        "INVALID_QUERY",
    )
    .await;
    // The same nonce again, a wrong secret, or no signature: refused.
    assert_error(
        call("n-1", secret.clone()).await,
        409,
        "PARTNER_NONCE_REUSED",
    )
    .await;
    let r = call("n-2", "wrong".into()).await;
    assert_eq!(r.status(), 401);
    let r = client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 401);
}

/// Sends a registry change event signed as the partner `key` (its secret renewed first).
async fn registry_event(app: &TestApp, key: &str, body: &Value, nonce: &str) -> reqwest::Response {
    let admin = login(app, "admin").await;
    let v: Value = post(
        app,
        &admin,
        &format!("/api/v1/partners/{key}/secret"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    super::partners::signed(
        app,
        (
            v["app_key"].as_str().unwrap(),
            v["secret"].as_str().unwrap(),
        ),
        "/api/v1/registry/events",
        body,
        app.clock.now().timestamp(),
        nonce,
    )
    .await
}

#[tokio::test]
async fn renaming_an_enterprise_offers_new_versions_that_its_holder_confirms() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    labour_filing(&app, &enterprise, "proactive-1").await;
    let food = mine(&app, &enterprise, "food-business").await;
    assert_eq!(
        food.len(),
        1,
        "the demo enterprise holds a food business licence"
    );
    let old_food = food[0].clone();
    let old_name = old_food["holder"]["name"].as_str().unwrap().to_owned();
    let event = json!({"event_id": "evt-1", "kind": "enterprise", "key": demo_uscc(),
                       "changes": {"name": "青岛新示例科技有限公司（演示）"}});

    // Only the registry's system may push events, with a well-formed body.
    let r = registry_event(&app, "water-supply", &event, "n1").await;
    assert_eq!(r.status(), 403);
    let bad = json!({"event_id": "evt-x", "kind": "enterprise", "key": demo_uscc(),
                     "changes": {"registered_capital": "1"}});
    let body = assert_error(
        registry_event(&app, "market-registry", &bad, "n2").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(body["details"]["reason_code"], "REGISTRY_EVENT_INVALID");

    // The rename: every valid certificate printing the name gets an offer; nothing changes yet.
    let r = registry_event(&app, "market-registry", &event, "n3").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        json_of(r).await["opened"],
        3,
        "licence, food licence, labour filing"
    );
    // Delivered again: nothing new.
    let r = registry_event(&app, "market-registry", &event, "n4").await;
    assert_eq!(json_of(r).await["opened"], 0);
    assert_eq!(
        mine(&app, &enterprise, "food-business").await[0]["holder"]["name"],
        old_name.as_str()
    );
    let offers = json_of(get(&app, &enterprise, "/api/v1/proactive-cases").await).await;
    assert_eq!(offers["total"], 3, "{offers}");
    let offer_for = |identifier: &str| {
        offers["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["identifier"] == identifier)
            .unwrap()
            .clone()
    };
    let food_offer = offer_for(old_food["identifier"].as_str().unwrap());
    assert_eq!(
        food_offer["data"]["changes"][0]["to"],
        "青岛新示例科技有限公司（演示）"
    );
    let notes = json_of(get(&app, &enterprise, "/api/v1/notifications").await).await;
    assert!(notes.to_string().contains("主动服务"), "{notes}");

    // 继续办理: the new version at once; the old one superseded, linked, same last day.
    let r = post(
        &app,
        &enterprise,
        &format!(
            "/api/v1/proactive-cases/{}/confirm",
            food_offer["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let new = json_of(r).await;
    assert_eq!(new["version"], 2);
    assert_eq!(new["previous"], old_food["identifier"]);
    assert_eq!(new["holder"]["name"], "青岛新示例科技有限公司（演示）");
    assert_eq!(new["valid_until"], old_food["valid_until"]);
    let kept = |c: &Value, label: &str| -> Value {
        c["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["label"] == label)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(
        kept(&new, "主体业态"),
        kept(&old_food, "主体业态"),
        "printed case data kept"
    );
    let v = json_of(verify(&app, old_food["static_token"].as_str().unwrap()).await).await;
    assert_eq!(v["reason"], "CERT_SUPERSEDED", "{v}");
    assert_eq!(
        json_of(verify(&app, new["static_token"].as_str().unwrap()).await).await["valid"],
        true
    );
    // Confirmed once only; a declined offer changes nothing.
    let r = post(
        &app,
        &enterprise,
        &format!(
            "/api/v1/proactive-cases/{}/confirm",
            food_offer["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let labour = mine(&app, &enterprise, "labour-filing").await[0].clone();
    let labour_offer = offer_for(labour["identifier"].as_str().unwrap());
    let r = post(
        &app,
        &enterprise,
        &format!(
            "/api/v1/proactive-cases/{}/decline",
            labour_offer["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let labour_now = mine(&app, &enterprise, "labour-filing").await;
    assert_eq!(labour_now.len(), 1);
    assert_eq!(labour_now[0]["status"], "valid");
    assert_eq!(labour_now[0]["holder"]["name"], old_name.as_str());
    // Someone else cannot confirm it.
    let citizen = login(&app, "citizen").await;
    let licence = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["status"] == "offered"
                && o["identifier"] != labour["identifier"]
                && o["identifier"] != old_food["identifier"]
        })
        .unwrap()
        .clone();
    let r = post(
        &app,
        &citizen,
        &format!(
            "/api/v1/proactive-cases/{}/confirm",
            licence["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn the_periodic_comparison_catches_a_change_event_that_never_arrived() {
    use shenpi_store::Store as _;
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    assert_eq!(
        app.app.scan_registry_changes().await.unwrap(),
        0,
        "all in step"
    );
    // The registry's record changes without an event reaching the platform.
    let mut tx = app.store.begin().await.unwrap();
    let mut rec = tx
        .registry_record("enterprise", &demo_uscc())
        .await
        .unwrap()
        .unwrap();
    let mut data: Value = serde_json::from_str(&rec.data).unwrap();
    data["address"] = json!("山东省青岛市市南区示例路 99 号");
    rec.data = data.to_string();
    tx.upsert_registry_records(&[rec]).await.unwrap();
    tx.commit().await.unwrap();
    // The e-business licence prints the address; the food licence does not.
    assert_eq!(app.app.scan_registry_changes().await.unwrap(), 1);
    assert_eq!(
        app.app.scan_registry_changes().await.unwrap(),
        0,
        "one open offer"
    );
    let offers = json_of(get(&app, &enterprise, "/api/v1/proactive-cases").await).await;
    assert_eq!(offers["total"], 1);
    assert_eq!(offers["items"][0]["data"]["changes"][0]["field"], "住所");
}

#[tokio::test]
async fn a_coming_expiry_of_a_designated_type_offers_its_renewal() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let food = mine(&app, &enterprise, "food-business").await[0].clone();
    assert_eq!(food["valid_until"], "2028-03-14");
    // 90 days before: the reminder, and (食品经营许可 is designated) the renewal offer.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-12-15T01:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc),
    );
    assert_eq!(app.app.scan_certificate_expiry().await.unwrap().reminded, 1);
    let enterprise = login(&app, "enterprise").await;
    let offers = json_of(get(&app, &enterprise, "/api/v1/proactive-cases").await).await;
    let renewal = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "renewal")
        .unwrap_or_else(|| panic!("{offers}"))
        .clone();
    assert_eq!(renewal["identifier"], food["identifier"]);
    let r = post(
        &app,
        &enterprise,
        &format!(
            "/api/v1/proactive-cases/{}/confirm",
            renewal["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let new = json_of(r).await;
    assert_eq!(
        (new["version"].as_i64(), new["valid_from"].as_str()),
        (Some(2), Some("2027-12-15"))
    );
    assert_eq!(new["valid_until"], "2032-12-14", "a new five-year period");
}

/// The text of a PDF without whitespace, or `None` when pdftotext is not installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cert.pdf");
    std::fs::write(&file, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => Some(
            String::from_utf8_lossy(&o.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        ),
        Ok(o) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(_) => {
            eprintln!("SKIPPED text check: pdftotext not installed (poppler-utils)");
            None
        }
    }
}

/// The QR codes on the first page of a PDF (pdftoppm at 150 dpi, then zbarimg), or `None`
/// when one of the tools is not installed (poppler-utils, zbar-tools).
fn pdf_qr_codes(pdf: &[u8]) -> Option<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cert.pdf");
    std::fs::write(&file, pdf).unwrap();
    let png = dir.path().join("page");
    match std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(&png)
        .status()
    {
        Ok(s) => assert!(s.success(), "pdftoppm failed: {s}"),
        Err(_) => {
            eprintln!("SKIPPED QR check: pdftoppm not installed (poppler-utils)");
            return None;
        }
    }
    let out = match std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(dir.path().join("page.png"))
        .output()
    {
        Ok(o) => o,
        Err(_) => {
            eprintln!("SKIPPED QR check: zbarimg not installed (zbar-tools)");
            return None;
        }
    };
    // zbarimg exits with 4 when it finds no code.
    assert!(
        out.status.success() || out.status.code() == Some(4),
        "zbarimg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[tokio::test]
async fn the_holder_downloads_the_printed_certificate_with_a_qr_code_to_verify_it() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    labour_filing(&app, &enterprise, "pdf-1").await;
    let cert = mine(&app, &enterprise, "labour-filing").await[0].clone();
    let identifier = cert["identifier"].as_str().unwrap().to_owned();
    let static_token = cert["static_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/certificates/{identifier}/pdf");

    let r = get(&app, &enterprise, &path).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(
        r.headers()["content-disposition"].to_str().unwrap(),
        format!("inline; filename=\"{identifier}.pdf\"")
    );
    let pdf = r.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        let holder: String = cert["holder"]["name"]
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for needle in [
            holder.as_str(),
            &identifier,
            "扫码核验",
            cert["type_name"].as_str().unwrap(),
            "cert.v1",
        ] {
            assert!(text.contains(needle), "{needle:?} not in: {text}");
        }
        assert!(!text.contains("本证照已"), "{text}");
    }
    let verify_url = app.url(&format!("/verify?t={static_token}"));
    if let Some(codes) = pdf_qr_codes(&pdf) {
        assert_eq!(codes, vec![verify_url.clone()]);
        // The address it carries verifies the certificate.
        let v = json_of(verify(&app, &verify_url).await).await;
        assert_eq!(v["valid"], true, "{v}");
    }

    // Nobody else learns that it exists.
    let citizen = login(&app, "citizen").await;
    assert_error(get(&app, &citizen, &path).await, 404, "CERT_NOT_FOUND").await;

    // The certificate page links to the printed version, served as a page route too.
    let page = page_session(&app, "enterprise").await;
    let (status, html) = get_page(&app, &page.token, &format!("/certificates/{identifier}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "<a id=\"cert-pdf\" href=\"/certificates/{identifier}/pdf\">下载打印版（PDF）</a>"
        )),
        "{html}"
    );
    let r = client()
        .get(app.url(&format!("/certificates/{identifier}/pdf")))
        .header("cookie", format!("shenpi_session={}", page.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

    // Revoked, it still prints, saying so with the reason; staff of the region can print it.
    let approver = login(&app, "approver-370202").await;
    let r = post(
        &app,
        &approver,
        &format!("/api/v1/certificates/{identifier}/status"),
        json!({"status": "revoked", "reason": "以欺骗手段取得备案"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = get(&app, &approver, &path).await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap().to_vec();
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("本证照已撤销：以欺骗手段取得备案"), "{text}");
    }
}

#[tokio::test]
async fn a_certificate_is_never_issued_for_a_case_that_was_not_granted() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let approver = login(&app, "approver-370202").await;
    // Granted at once, with its certificate: a second one is refused.
    let granted = labour_filing(&app, &enterprise, "manual-1").await;
    let path = |c: &Value| format!("/api/v1/cases/{}/certificate", c["id"].as_str().unwrap());
    assert_eq!(
        post(&app, &approver, &path(&granted), json!({}))
            .await
            .status(),
        409
    );
    // A case still under review (its technical lead is insured elsewhere): refused, and
    // nothing is issued.
    let uscc = shenpi_app::datasources::demo::insured_elsewhere_uscc();
    let other = enterprise_account(&app, &uscc).await;
    let dig = post(
        &app,
        &other,
        "/api/v1/cases",
        json!({"item_code": LABOUR, "region": "370202", "situation": "first",
               "form": {"uscc": uscc, "contact": "李示例", "contact_mobile": "13800000000", "commitment": true},
               "materials": {}, "idempotency_key": "manual-2"}),
    )
    .await;
    assert_eq!(dig.status(), 201);
    let pending: Value = dig.json().await.unwrap();
    assert_ne!(
        pending["status"], "granted",
        "a failed check goes to a reviewer"
    );
    let body = assert_error(
        post(&app, &approver, &path(&pending), json!({})).await,
        409,
        "CERT_NOT_GRANTED",
    )
    .await;
    assert_eq!(body["details"]["case"], pending["number"]);
    assert!(mine(&app, &other, "labour-filing").await.is_empty());
    // Not a reviewer's to do.
    let reviewer = login(&app, "reviewer-370202").await;
    assert_eq!(
        post(&app, &reviewer, &path(&pending), json!({}))
            .await
            .status(),
        403
    );
}

//! Issue 7 item 9 in Chromium: the holder opens the wallet (我的证照) and shows a certificate's
//! QR (亮证); the public verification page takes the code and says valid; the issuer revokes it
//! with a reason on its page; the verification page then says revoked, with the reason.

use super::browser::sign_in;
use super::common::*;
use serde_json::{Value, json};
use shenpi_app::demo::demo_uscc;
use shenpi_testkit::browser::Browser;
use shenpi_testkit::spawn_app;
use std::time::Duration;

#[tokio::test]
async fn the_holder_shows_a_certificate_and_the_verifier_sees_valid_then_revoked_in_chromium() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let r = post(
        &app,
        &enterprise,
        "/api/v1/cases",
        json!({"item_code": "QDJS01001-01", "region": "370202", "situation": "first",
               "form": {"uscc": demo_uscc(), "contact": "李示例", "contact_mobile": "13800000000", "commitment": true},
               "materials": {}, "idempotency_key": "browser-cert"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let case: Value = r.json().await.unwrap();
    assert_eq!(case["status"], "granted");

    // The wallet lists it; its page shows a fresh QR on 亮证.
    sign_in(&b, &app, "enterprise").await;
    b.goto(&app.url("/certificates")).await;
    assert!(b.wait_for("#wallet", Duration::from_secs(10)).await);
    assert!(b.text("#wallet").await.contains("施工劳务资质备案凭证"));
    assert!(b.text("#wallet").await.contains("营业执照（电子）"));
    let mine: Value = get(&app, &enterprise, "/api/v1/certificates")
        .await
        .json()
        .await
        .unwrap();
    let identifier = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "labour-filing")
        .unwrap()["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = format!("a.cert-link[href=\"/certificates/{identifier}\"]");
    assert!(b.exists(&link).await, "{}", b.source().await);
    b.click(&link).await;
    assert!(b.wait_for("#show-button", Duration::from_secs(10)).await);
    assert_eq!(b.text("#cert-identifier").await, identifier);
    b.click("#show-button").await;
    assert!(
        b.wait_for("#show-qr svg", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );

    // The verifier opens the code's address: valid, no sign-in needed.
    b.click("#show-verify-link").await;
    assert!(
        b.wait_for("#verify-valid", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    let verify_url = b.current_url().await;
    assert!(verify_url.contains("/verify?t="), "{verify_url}");
    assert!(b.text("#verify-result").await.contains(identifier.as_str()));

    // The issuer's approver revokes it on its page, with a reason.
    sign_in(&b, &app, "approver-370202").await;
    b.goto(&app.url(&format!("/certificates/{identifier}")))
        .await;
    assert!(b.wait_for("#status-form", Duration::from_secs(10)).await);
    b.fill("#reason", "以欺骗手段取得备案，依法撤销").await;
    b.click("#status-submit").await;
    assert!(
        b.wait_for("#status-reason", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert_eq!(b.text("#cert-status").await, "已撤销");

    // The same code now verifies as revoked, with the reason.
    b.goto(&verify_url).await;
    assert!(
        b.wait_for("#verify-invalid", Duration::from_secs(10)).await,
        "{}",
        b.source().await
    );
    assert_eq!(b.text("#verify-status").await, "已撤销");
    assert!(
        b.text("#verify-status-reason")
            .await
            .contains("以欺骗手段取得备案")
    );
}

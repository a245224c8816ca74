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

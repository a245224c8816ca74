//! Material uploads: judged by content, size-limited, SHA-256 recorded, stored once, private.

use super::common::*;
use serde_json::Value;
use shenpi_testkit::spawn_app;

async fn upload(
    app: &shenpi_testkit::TestApp,
    token: &str,
    name: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    client()
        .post(app.url(&format!("/api/v1/materials?name={name}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_pdf_is_accepted_and_a_disguised_file_is_not() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF".to_vec();
    let r = upload(&app, &citizen, "申请书.pdf", pdf.clone()).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["kind"], "pdf");
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
    let again: Value = upload(&app, &citizen, "副本.pdf", pdf.clone())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["sha256"], v["sha256"],
        "identical content, same digest"
    );
    let id = v["id"].as_str().unwrap();
    let bytes = get(&app, &citizen, &format!("/api/v1/materials/{id}/content"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.to_vec(), pdf);

    assert_error(
        upload(
            &app,
            &citizen,
            "report.pdf",
            b"MZ\x90\x00 this is an exe".to_vec(),
        )
        .await,
        415,
        "MATERIAL_TYPE_UNSUPPORTED",
    )
    .await;
    assert_error(
        upload(&app, &citizen, "empty.pdf", vec![]).await,
        422,
        "MATERIAL_EMPTY",
    )
    .await;
    let big = [
        b"%PDF-".to_vec(),
        vec![b'x'; shenpi_app::materials::MAX_MATERIAL_BYTES],
    ]
    .concat();
    assert_error(
        upload(&app, &citizen, "big.pdf", big).await,
        413,
        "PAYLOAD_TOO_LARGE",
    )
    .await;

    // Another applicant cannot read it; staff of the region can; staff elsewhere cannot.
    let enterprise = login(&app, "enterprise").await;
    assert_error(
        get(&app, &enterprise, &format!("/api/v1/materials/{id}")).await,
        404,
        "NOT_FOUND",
    )
    .await;
    let clerk = login(&app, "clerk-370202").await;
    assert_eq!(
        get(&app, &clerk, &format!("/api/v1/materials/{id}"))
            .await
            .status(),
        200
    );
    let other = login(&app, "clerk-370203").await;
    assert_error(
        get(&app, &other, &format!("/api/v1/materials/{id}")).await,
        404,
        "NOT_FOUND",
    )
    .await;
}

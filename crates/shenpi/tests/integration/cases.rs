//! Applications: submission pinned to the item version in force, idempotency, required
//! materials, the acceptance deadline (Art. 32), withdrawal, privacy and the progress look-up.

use super::common::*;
use chrono::Duration;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

const ITEM: &str = "QDJS00501-01"; // 建筑工程施工许可证核发

/// Uploads a PDF for every upload-sourced material the first situation needs.
async fn materials_for(app: &TestApp, token: &str) -> (String, serde_json::Map<String, Value>) {
    let item: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}?region=370202")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let situation = &item["item"]["situations"][0];
    let selected: Vec<&str> = situation["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let mut files = serde_json::Map::new();
    for m in item["item"]["materials"].as_array().unwrap() {
        let key = m["key"].as_str().unwrap();
        let needed = m["always_required"].as_bool().unwrap() || selected.contains(&key);
        if needed && m["source"]["kind"] == "upload" {
            let r = client()
                .post(app.url(&format!("/api/v1/materials?name={key}.pdf")))
                .bearer_auth(token)
                .body(format!("%PDF-1.7 {key}").into_bytes())
                .send()
                .await
                .unwrap();
            let v: Value = r.json().await.unwrap();
            files.insert(key.to_string(), v["id"].clone());
        }
    }
    (situation["key"].as_str().unwrap().to_string(), files)
}

#[tokio::test]
async fn an_application_becomes_a_case_pinned_to_its_item_version() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let (situation, files) = materials_for(&app, &citizen).await;
    let body = json!({"item_code": ITEM, "region": "370202", "situation": situation, "form": {"project": "示例项目"},
        "materials": files, "idempotency_key": "k-1"});
    let r = post(&app, &citizen, "/api/v1/cases", body.clone()).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let number = created["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("37020220261128"), "{number}");
    assert!(shenpi_domain::case::number::CaseNumber::parse(&number).is_some());
    // The same key again gives the same case, not a second one.
    let again = post(&app, &citizen, "/api/v1/cases", body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], created["id"]);
    let id = created["id"].as_str().unwrap();
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (case["status"].clone(), case["item_version"].clone()),
        (json!("submitted"), json!(1))
    );
    // Received on Saturday 2026-11-28: the decision is due five working days later, on Friday.
    assert_eq!(case["deadlines"]["acceptance_due"], "2026-12-04");
    assert_eq!(case["deadlines"]["deemed_accepted"], false);

    // A newer version of the item is published; the case keeps version 1.
    let admin = login(&app, "admin").await;
    let current: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut changed = current["item"].clone();
    changed["promised_limit_days"] =
        json!(current["item"]["promised_limit_days"].as_u64().unwrap() - 1);
    let p: Value = post(
        &app,
        &admin,
        "/api/v1/proposals",
        json!({"operation": "change", "title": "压缩时限", "targets": [ITEM],
        "drafts": [changed], "effective_from": "2026-11-28"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let pid = p["id"].as_str().unwrap();
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{pid}/submit"),
        json!({}),
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/api/v1/proposals/{pid}/override"),
        json!({"reason": "测试"}),
    )
    .await;
    assert_eq!(
        post(
            &app,
            &admin,
            &format!("/api/v1/proposals/{pid}/publish"),
            json!({})
        )
        .await
        .status(),
        200
    );
    let now: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], 2);
    let case: Value = get(&app, &citizen, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(case["item_version"], 1);
    let pinned: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}/versions/1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        pinned["item"]["promised_limit_days"],
        current["item"]["promised_limit_days"]
    );

    // Nobody decided within five working days: the case counts as accepted on receipt.
    app.clock.advance(Duration::days(7));
    let case: Value = get(
        &app,
        &login(&app, "citizen").await,
        &format!("/api/v1/cases/{id}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(case["deadlines"]["deemed_accepted"], true);
}

#[tokio::test]
async fn missing_materials_and_bad_applications_are_refused() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let (situation, _) = materials_for(&app, &citizen).await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": ITEM, "region": "370202", "situation": situation,
        "idempotency_key": "k-2"}),
    )
    .await;
    let v = assert_error(r, 422, "MATERIALS_MISSING").await;
    assert!(!v["details"]["missing"].as_array().unwrap().is_empty());
    let r = post(&app, &citizen, "/api/v1/cases", json!({"item_code": ITEM, "region": "370202", "situation": "nope", "idempotency_key": "k-3"})).await;
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": "NOPE", "region": "370202", "idempotency_key": "k-4"}),
    )
    .await;
    assert_error(r, 404, "ITEM_NOT_FOUND").await;
    let r = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": ITEM, "region": "370202", "idempotency_key": ""}),
    )
    .await;
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let clerk = login(&app, "clerk-370202").await;
    assert_error(
        post(&app, &clerk, "/api/v1/cases", json!({})).await,
        403,
        "FORBIDDEN",
    )
    .await;
}

#[tokio::test]
async fn cases_are_private_withdrawable_and_traceable_by_number() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let (situation, files) = materials_for(&app, &citizen).await;
    let created: Value = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": ITEM, "region": "370202",
        "situation": situation, "materials": files, "idempotency_key": "k-5"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap();
    let number = created["number"].as_str().unwrap();
    let enterprise = login(&app, "enterprise").await;
    assert_error(
        get(&app, &enterprise, &format!("/api/v1/cases/{id}")).await,
        404,
        "CASE_NOT_FOUND",
    )
    .await;
    assert_eq!(
        get(
            &app,
            &login(&app, "clerk-370202").await,
            &format!("/api/v1/cases/{id}")
        )
        .await
        .status(),
        200
    );
    assert_error(
        get(
            &app,
            &login(&app, "clerk-370203").await,
            &format!("/api/v1/cases/{id}"),
        )
        .await,
        404,
        "CASE_NOT_FOUND",
    )
    .await;
    let mine: Value = get(&app, &citizen, "/api/v1/cases?mine=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 1);

    let p: Value = client()
        .get(app.url(&format!(
            "/api/v1/cases/progress?number={number}&name=张测试"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (p["applicant"].clone(), p["status"].clone()),
        (json!("张**"), json!("submitted"))
    );
    assert!(
        !p.to_string().contains("13800000000"),
        "the phone is masked"
    );
    let p: Value = client()
        .get(app.url(&format!(
            "/api/v1/cases/progress?number={number}&phone=13800000000"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(p["mobile"], "138****0000");
    let r = client()
        .get(app.url(&format!("/api/v1/cases/progress?number={number}&name=李四")))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "CASE_NOT_FOUND").await;
    let r = client()
        .get(app.url("/api/v1/cases/progress?number=garbage&name=张测试"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "CASE_NOT_FOUND").await;

    let w = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/withdraw"),
        json!({"reason": "不再需要"}),
    )
    .await;
    assert_eq!(w.json::<Value>().await.unwrap()["status"], "withdrawn");
    let again = post(
        &app,
        &citizen,
        &format!("/api/v1/cases/{id}/withdraw"),
        json!({}),
    )
    .await;
    assert_error(again, 409, "CASE_WRONG_STATUS").await;
}

#[tokio::test]
async fn the_applicant_sees_the_timeline_and_anyone_can_look_up_progress() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let (situation, files) = materials_for(&app, &citizen).await;
    let created: Value = post(
        &app,
        &citizen,
        "/api/v1/cases",
        json!({"item_code": ITEM, "region": "370202",
        "situation": situation, "materials": files, "idempotency_key": "k-6"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let (id, number) = (
        created["id"].as_str().unwrap(),
        created["number"].as_str().unwrap(),
    );
    let out = app
        .app
        .login(
            shenpi_app::auth::LoginInput {
                username: "citizen".into(),
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
        .unwrap();
    let cookie = format!("shenpi_session={}", out.token);
    let list = client()
        .get(app.url("/cases"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(number) && list.contains("已提交"));
    let page = client()
        .get(app.url(&format!("/cases/{id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("class=\"current\">申请")
            && page.contains("2026-12-04")
            && page.contains("id=\"withdraw\"")
    );
    let public = client()
        .get(app.url(&format!("/progress?number={number}&who=张测试")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains("id=\"progress-result\"")
            && public.contains("张**")
            && !public.contains("张测试<")
    );
    let wrong = client()
        .get(app.url(&format!("/progress?number={number}&who=王五")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(wrong.contains("办件不存在"));
}

//! No re-typing (免填写) and zero materials (免提交): a draft is filled from the applicant's
//! account and the registries — for the applicant and for the legal representative the form
//! names — with every pull audited under the draft's purpose; another person's draft is not
//! reachable; at submission the shared-data materials are attached with their provenance; the
//! apply page asks the applicant to agree to the fetch and fills the form on request.

use super::common::*;
use serde_json::{Value, json};
use shenpi_app::datasources::demo::{generated_id_number, person_name};
use shenpi_app::demo::demo_uscc;
use shenpi_testkit::spawn_app;

#[tokio::test]
async fn a_draft_is_filled_from_the_account_and_the_registries_with_each_pull_audited() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let rep_id = generated_id_number(12);
    let r = post(
        &app,
        &enterprise,
        "/api/v1/drafts",
        json!({"item_code": "QDSP00101-01", "region": "370202",
               "form": {"legal_rep": {"id_number": rep_id, "mobile": "13900000000"}, "operator_name": ""}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let draft: Value = r.json().await.unwrap();
    let id = draft["id"].as_str().unwrap().to_string();

    // Only the owner may have it filled.
    let citizen = login(&app, "citizen").await;
    assert_error(
        post(
            &app,
            &citizen,
            &format!("/api/v1/drafts/{id}/prefill"),
            json!({}),
        )
        .await,
        404,
        "DRAFT_NOT_FOUND",
    )
    .await;

    let r = post(
        &app,
        &enterprise,
        &format!("/api/v1/drafts/{id}/prefill"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let form = &v["draft"]["form"];
    assert_eq!(form["uscc"], demo_uscc(), "from the account");
    assert_eq!(
        form["operator_name"], "青岛示例科技有限公司（演示）",
        "from the enterprise registry"
    );
    assert_eq!(
        form["legal_rep"]["name"],
        person_name(12),
        "from the population registry"
    );
    assert_eq!(
        form["legal_rep"]["mobile"], "13900000000",
        "typed values are kept"
    );
    let sources: Vec<(&str, &str)> = v["filled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["pointer"].as_str().unwrap(),
                f["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("/uscc", "本人账号"),
            ("/legal_rep/name", "人口基础信息"),
            ("/operator_name", "市场主体登记信息"),
        ]
    );
    // Stored with the draft.
    let again: Value = get(&app, &enterprise, &format!("/api/v1/drafts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["form"]["operator_name"],
        "青岛示例科技有限公司（演示）"
    );

    // Each pull is audited with the applicant and the draft as its purpose; ID numbers masked.
    let auditor = login(&app, "auditor").await;
    let log: Value = get(&app, &auditor, "/api/v1/audit?action=data.pull")
        .await
        .json()
        .await
        .unwrap();
    let mine: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["details"]["purpose"]
                .as_str()
                .is_some_and(|p| p.contains(&id))
        })
        .collect();
    assert_eq!(mine.len(), 2, "{log}");
    assert!(mine.iter().all(|e| e["actor_name"] == "enterprise"));
    assert!(
        !log.to_string().contains(&rep_id),
        "the ID number is masked in the log"
    );

    // Filling again changes nothing and fetches nothing new.
    let v: Value = post(
        &app,
        &enterprise,
        &format!("/api/v1/drafts/{id}/prefill"),
        json!({}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["filled"], json!([]));
}

#[tokio::test]
async fn shared_data_materials_are_attached_to_the_case_with_their_provenance() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let r = post(
        &app,
        &enterprise,
        "/api/v1/cases",
        json!({"item_code": "QDJS01001-01", "region": "370202", "situation": "first",
               "form": {"uscc": demo_uscc(), "contact": "李示例", "contact_mobile": "13800000000", "commitment": true},
               "materials": {}, "idempotency_key": "zero-1"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.unwrap();
    let m: Vec<(&str, &str, bool)> = c["shared_materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["key"].as_str().unwrap(),
                m["source_zh"].as_str().unwrap(),
                m["found"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        m,
        [
            // 免证办: the enterprise's e-business licence, from the certificate library.
            ("business-license", "电子证照库", true),
            ("registry", "数据共享获取", true),
            ("personnel-certificates", "数据共享获取", true),
            ("worker-skills", "数据共享获取", true),
            ("social-insurance", "数据共享获取", true),
            ("conditions-commitment", "告知承诺", true),
        ]
    );
    let summary = c["shared_materials"][0]["summary"].as_str().unwrap();
    assert!(
        summary.contains("青岛示例科技有限公司（演示）") && summary.contains("有效"),
        "{summary}"
    );
    assert_eq!(
        c["shared_materials"][4]["summary"],
        "6 名人员中 6 名在本企业参保"
    );

    // The applicant's case page lists them.
    let page = page_session(&app, "enterprise").await;
    let (_, html) = get_page(
        &app,
        &page.token,
        &format!("/cases/{}", c["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        html.contains("免提交材料（系统已调取）") && html.contains("技术工人职业技能等级证书"),
        "{html}"
    );
}

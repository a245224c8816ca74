//! Bundles (一事全办): the configured bundles, one application that opens a sub-case per
//! chosen item with shared fields and deduplicated uploads, the combined status, and
//! configuration by the city admin — a "+N" item added without code, bad configurations
//! (missing item, cycle) refused with every problem and nothing changed.

use super::cases::open_task;
use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

const UTILITY: &str = "utility-hookup-12";
const TRAFFIC_PLAN: &str = "施工期间交通组织及安全防护方案";

async fn bundle(app: &TestApp, code: &str) -> Value {
    let r = client()
        .get(app.url(&format!("/api/v1/bundles/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{code}");
    r.json().await.unwrap()
}

/// Uploads one PDF per combined material used by one of `items`; combined key → file id.
pub(crate) async fn uploads(
    app: &TestApp,
    token: &str,
    b: &Value,
    items: &[&str],
) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for m in b["materials"].as_array().unwrap() {
        let used = m["used_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| items.contains(&u[0].as_str().unwrap()));
        if used {
            let key = m["key"].as_str().unwrap();
            let r = client()
                .post(app.url(&format!("/api/v1/materials?name={key}.pdf")))
                .bearer_auth(token)
                .body(format!("%PDF-1.7 {key}").into_bytes())
                .send()
                .await
                .unwrap();
            out.insert(
                key.to_string(),
                r.json::<Value>().await.unwrap()["id"].clone(),
            );
        }
    }
    out
}

fn form() -> Value {
    json!({"project_name": "青岛示例科技园二期", "address": "370202 市南区示例路 1 号",
           "contact": "王示例", "contact_phone": "13800000000"})
}

/// Water and gas hook-ups with road digging: the planning permit, road digging and road
/// occupation permits, and the two utilities.
fn answers() -> Value {
    json!({"services": ["water", "gas"], "dig_road": ["yes"], "green": ["no"], "highway": ["no"]})
}

const CHOSEN: [&str; 5] = [
    "QDJS00302-01",
    "QDSZ00101-01",
    "QDSZ00102-01",
    "QDGY00101-01",
    "QDGY00401-01",
];

#[tokio::test]
async fn bundles_are_listed_with_their_items_departments_and_partners() {
    let app = spawn_app().await;
    let list: Value = client()
        .get(app.url("/api/v1/bundles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["company-opening", UTILITY, "utility-hookup-12+1"]);
    let twelve = bundle(&app, UTILITY).await;
    assert_eq!(twelve["items"].as_array().unwrap().len(), 12);
    assert_eq!(
        twelve["departments"],
        json!(["spj", "jtj"]),
        "公路涉路施工许可 is the transport bureau's"
    );
    assert_eq!(
        twelve["partners"].as_array().unwrap().len(),
        7,
        "seven utility companies"
    );
    assert_eq!(twelve["items"][5]["item_name"], "供水报装");
    // The traffic plan both road permits ask for is one upload.
    let traffic: Vec<&Value> = twelve["materials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"] == TRAFFIC_PLAN)
        .collect();
    assert_eq!(traffic.len(), 1);
    assert_eq!(traffic[0]["used_by"].as_array().unwrap().len(), 2);
    // 12 + N: the twelve and the signal relocation, with both questionnaires.
    let plus = bundle(&app, "utility-hookup-12+1").await;
    assert_eq!(plus["items"].as_array().unwrap().len(), 13);
    assert_eq!(plus["items"][12]["item_name"], "交通信号灯迁移审批");
    let questions: Vec<&str> = plus["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["key"].as_str().unwrap())
        .collect();
    assert!(
        questions.contains(&"signal") && questions.contains(&"services"),
        "{questions:?}"
    );
    let company = bundle(&app, "company-opening").await;
    assert_eq!(company["items"].as_array().unwrap().len(), 4);
    assert_eq!(
        company["partners"],
        json!(["police-seal", "tax", "social-insurance"])
    );
    let r = client()
        .get(app.url("/api/v1/bundles/nope"))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "BUNDLE_NOT_FOUND").await;
}

#[tokio::test]
async fn one_application_opens_a_sub_case_per_chosen_item_and_shows_one_status() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let b = bundle(&app, UTILITY).await;
    let files = uploads(&app, &citizen, &b, &CHOSEN).await;
    let body = json!({"region": "370202", "answers": answers(), "form": form(),
                      "materials": files, "idempotency_key": "bundle-1"});
    let path = format!("/api/v1/bundles/{UTILITY}/applications");
    let r = post(&app, &citizen, &path, body.clone()).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let subs = v["sub_cases"].as_array().unwrap();
    let codes: Vec<&str> = subs
        .iter()
        .map(|s| s["item_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, CHOSEN, "only what the answers chose");
    assert_eq!(v["status"], "submitted");
    assert_eq!(subs[3]["handler"], json!({"partner": "water-supply"}));
    // Submitting again is the same bundle case.
    let again: Value = post(&app, &citizen, &path, body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], v["id"]);

    // Each sub-case is a case with the shared fields; the shared traffic plan went to both
    // road permits.
    let id = v["id"].as_str().unwrap();
    let case = |sub: &Value| {
        let app = &app;
        let citizen = citizen.clone();
        let cid = sub["case_id"].as_str().unwrap().to_string();
        async move {
            get(app, &citizen, &format!("/api/v1/cases/{cid}"))
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let dig = case(&subs[1]).await;
    let occupy = case(&subs[2]).await;
    assert_eq!(dig["form"]["project_name"], "青岛示例科技园二期");
    assert_eq!(
        dig["materials"]["traffic-plan"],
        occupy["materials"]["traffic-plan"]
    );
    assert!(dig["materials"]["traffic-plan"].is_string());

    // The clerk accepts the planning permit and asks for a supplement on road digging.
    let clerk = login(&app, "clerk-370202").await;
    let act = |number: String, outcome: &'static str, opinion: &'static str| {
        let app = &app;
        let clerk = clerk.clone();
        async move {
            let tid = open_task(app, &clerk, &number).await["task"]["id"]
                .as_str()
                .unwrap()
                .to_string();
            let r = post(
                app,
                &clerk,
                &format!("/api/v1/tasks/{tid}/complete"),
                json!({"outcome": outcome, "opinion": opinion}),
            )
            .await;
            assert_eq!(r.status(), 200, "{number} {outcome}");
        }
    };
    let number = |i: usize| subs[i]["number"].as_str().unwrap().to_string();
    act(number(0), "accept", "予以受理").await;
    let view: Value = get(&app, &citizen, &format!("/api/v1/bundle-cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "in_progress");
    assert!(view["deadline"].is_string(), "{view}");
    act(number(1), "request_supplement", "请补充挖掘施工设计图").await;
    let view: Value = get(&app, &citizen, &format!("/api/v1/bundle-cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "supplement");
    assert_eq!(view["status_zh"], "待补正");
    assert!(
        view["sub_cases"][1]["meaning_zh"]
            .as_str()
            .unwrap()
            .contains("一次提交"),
        "{view}"
    );
    let items: Vec<&str> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["item_name"].as_str().unwrap())
        .collect();
    assert!(
        items.contains(&"城市道路挖掘许可") && items.contains(&"供水报装"),
        "{items:?}"
    );
    // The planning permit's reviewer also asks for a supplement (审查补正): one upload
    // answers both departments.
    let reviewer = login(&app, "reviewer-370202").await;
    let tid = open_task(&app, &reviewer, &number(0)).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "return", "target": "applicant", "opinion": "请补充管线工程设计图纸"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let design_keys: Vec<String> = b["materials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["name"] == "挖掘施工设计图及施工组织方案" || m["name"] == "管线工程设计图纸及说明"
        })
        .map(|m| m["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(design_keys.len(), 2);
    let mut fix = serde_json::Map::new();
    for k in &design_keys {
        let r = client()
            .post(app.url(&format!("/api/v1/materials?name={k}-v2.pdf")))
            .bearer_auth(&citizen)
            .body(format!("%PDF-1.7 {k} v2").into_bytes())
            .send()
            .await
            .unwrap();
        fix.insert(k.clone(), r.json::<Value>().await.unwrap()["id"].clone());
    }
    let supplement = format!("/api/v1/bundle-cases/{id}/supplement");
    let r = post(
        &app,
        &citizen,
        &supplement,
        json!({"materials": {"mdeadbeef": "x"}}),
    )
    .await;
    assert_error(r, 422, "VALIDATION_FAILED").await;
    let r = post(&app, &citizen, &supplement, json!({"materials": fix})).await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["status"], "in_progress", "{view}");
    assert_eq!(view["sub_cases"][0]["status"], "under_review");
    assert_eq!(
        view["sub_cases"][1]["status"], "submitted",
        "back to acceptance"
    );
    let dig_design = b["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "挖掘施工设计图及施工组织方案")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let dig = case(&subs[1]).await;
    assert_eq!(
        dig["materials"]["design"], fix[&dig_design],
        "the new file replaced the old"
    );
    let r = post(&app, &citizen, &supplement, json!({"materials": fix})).await;
    assert_error(r, 409, "CASE_WRONG_STATUS").await;

    // Someone else's bundle case is not found; staff of the region see it.
    let other = login(&app, "enterprise").await;
    let r = get(&app, &other, &format!("/api/v1/bundle-cases/{id}")).await;
    assert_error(r, 404, "BUNDLE_CASE_NOT_FOUND").await;
    assert_eq!(
        get(&app, &clerk, &format!("/api/v1/bundle-cases/{id}"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bad_applications_are_refused_and_open_nothing() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let b = bundle(&app, UTILITY).await;
    let files = uploads(&app, &citizen, &b, &CHOSEN).await;
    let path = format!("/api/v1/bundles/{UTILITY}/applications");
    let send = |answers: Value, form: Value, materials: Value| {
        let app = &app;
        let citizen = citizen.clone();
        let path = path.clone();
        async move {
            post(
                app,
                &citizen,
                &path,
                json!({"region": "370202", "answers": answers,
                "form": form, "materials": materials, "idempotency_key": "bad"}),
            )
            .await
        }
    };
    let all = json!(files);
    let v = assert_error(
        send(json!({"colour": ["red"]}), form(), all.clone()).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(v["details"]["field"], "answers");
    let v = assert_error(
        send(json!({"dig_road": ["yes", "no"]}), form(), all.clone()).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(v["details"]["reason_code"], "ANSWER_INVALID");
    let v = assert_error(
        send(answers(), json!({"project_name": "x"}), all.clone()).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert!(
        v["message_zh"].as_str().unwrap().contains("联系电话"),
        "{v}"
    );
    let mut partial = files.clone();
    let traffic = b["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == TRAFFIC_PLAN)
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    partial.remove(&traffic);
    let v = assert_error(
        send(answers(), form(), json!(partial)).await,
        422,
        "MATERIALS_MISSING",
    )
    .await;
    assert_eq!(v["details"]["missing"], json!([TRAFFIC_PLAN]));
    let v = assert_error(
        send(answers(), form(), json!({"mdeadbeef": "x"})).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(v["details"]["reason_code"], "MATERIAL_UNKNOWN");
    let mine: Value = get(&app, &citizen, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        0,
        "no sub-case was opened"
    );
    let r = post(
        &app,
        &citizen,
        "/api/v1/bundles/nope/applications",
        json!({"region": "370202", "idempotency_key": "k"}),
    )
    .await;
    assert_error(r, 404, "BUNDLE_NOT_FOUND").await;
}

#[tokio::test]
async fn the_city_admin_adds_a_plus_n_item_by_configuration_and_bad_ones_change_nothing() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let current = bundle(&app, "utility-hookup-12+1").await;
    let put = |body: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            client()
                .put(app.url("/api/v1/bundles/utility-hookup-12+1"))
                .bearer_auth(&admin)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let config = |items: Value, includes: Value| {
        json!({"code": "utility-hookup-12+1", "name": "12+N", "questions": [
            {"key": "signal", "text": "迁移信号灯？", "options": [["yes", "是"], ["no", "否"]]}],
            "items": items, "includes": includes})
    };
    // A missing item, a wrong situation, another department than the item's and a cycle:
    // every problem named, nothing saved.
    let bad = config(
        json!([{"item_code": "QDXX99999-01", "handler": {"department": "spj"}},
               {"item_code": "QDJT00301-01", "situation": "flying", "handler": {"department": "spj"}},
               {"item_code": "QDJT00101-01", "situation": "crossing", "handler": {"department": "spj"}}]),
        json!(["utility-hookup-12+1"]),
    );
    let v = assert_error(
        put(json!({"revision": 1, "bundle": bad})).await,
        422,
        "BUNDLE_INVALID",
    )
    .await;
    let problems = v["details"]["problems"].to_string();
    assert!(
        problems.contains("QDXX99999-01")
            && problems.contains("flying")
            && problems.contains("department jtj")
            && problems.contains("cycle"),
        "{problems}"
    );
    assert_eq!(
        bundle(&app, "utility-hookup-12+1").await["items"],
        current["items"]
    );
    // Another "+N" item (the road-occupation permit, standalone situation) added without code;
    // a stale revision is refused.
    let good = config(
        json!([{"item_code": "QDJT00301-01", "situation": "bundle", "handler": {"department": "spj"},
                "when": {"question": "signal", "value": "yes"}},
               {"item_code": "QDSW00201-01", "situation": "surface", "handler": {"department": "spj"}}]),
        json!(["utility-hookup-12"]),
    );
    let r = put(json!({"revision": 1, "bundle": good.clone()})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["revision"], 2);
    assert_eq!(v["items"].as_array().unwrap().len(), 14);
    assert_error(
        put(json!({"revision": 1, "bundle": good})).await,
        409,
        "STALE_REVISION",
    )
    .await;
    let auditor = login(&app, "auditor").await;
    let audit: Value = get(&app, &auditor, "/api/v1/audit?action=bundle.save")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
}

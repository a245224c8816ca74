//! Routing and fee rules act on cases (办理路径与收费核定): 城市道路挖掘许可 binds a routing rule
//! and a fee rule. Digging a trunk road runs, once accepted, on the joint-review process the
//! routing rule chose (municipal review and the traffic police's opinion in parallel, then the
//! decision), with the decisions as process variables; a small dig on a branch road runs the
//! built-in steps. The fee is assessed at submission, shown to the applicant and printed on the
//! decision document. A routing rule that names a process that does not exist is recorded as an
//! error and the case goes the default way, never lost.

use super::common::*;
use serde_json::{Value, json};
use shenpi_app::demo::demo_uscc;
use shenpi_testkit::{TestApp, spawn_app};

const ROAD: &str = "QDSZ00101-01"; // 城市道路挖掘许可

/// Uploads a PDF for every upload-sourced material situation `situation` of [`ROAD`] needs.
async fn materials(app: &TestApp, token: &str, situation: &str) -> Value {
    let item: Value = client()
        .get(app.url(&format!("/api/v1/items/{ROAD}?region=370202")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chosen = item["item"]["situations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == situation)
        .unwrap()
        .clone();
    let mut files = serde_json::Map::new();
    for m in item["item"]["materials"].as_array().unwrap() {
        let key = m["key"].as_str().unwrap();
        let needed = m["always_required"] == true
            || chosen["materials"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == key);
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
    Value::Object(files)
}

fn dig(road_class: &str, surface: &str, area: u32) -> Value {
    json!({"uscc": demo_uscc(), "road_name": "山东路（香港中路至闽江路段）", "road_class": road_class,
           "surface": surface, "area_m2": area, "start_on": "2026-12-07", "end_on": "2026-12-20"})
}

/// Submits a dig as `enterprise`; returns the case as the applicant got it.
async fn apply(app: &TestApp, token: &str, form: Value, key: &str) -> Value {
    let files = materials(app, token, "planned").await;
    let r = post(
        app,
        token,
        "/api/v1/cases",
        json!({"item_code": ROAD, "region": "370202", "situation": "planned", "form": form,
               "materials": files, "idempotency_key": key}),
    )
    .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

/// The open tasks of case `id`, as a member of staff sees the case: (step, name) sorted.
async fn open_steps(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let v: Value = get(app, token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let mut steps: Vec<String> = v["open_tasks"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|t| t["step"].as_str().unwrap().to_owned())
        .collect();
    steps.sort();
    steps
}

/// Completes the task at `step` of case `number` that `token` sees.
async fn complete_step(app: &TestApp, token: &str, number: &str, step: &str, outcome: &str) {
    let v: Value = get(app, token, "/api/v1/tasks").await.json().await.unwrap();
    let task = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_number"] == number && i["task"]["step"] == step)
        .unwrap_or_else(|| panic!("no task {step} of {number} in {v}"))
        .clone();
    let tid = task["task"]["id"].as_str().unwrap();
    let r = post(
        app,
        token,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": outcome, "opinion": "同意"}),
    )
    .await;
    assert_eq!(
        r.status(),
        200,
        "{step} {outcome}: {}",
        r.text().await.unwrap()
    );
}

#[tokio::test]
async fn a_trunk_road_dig_runs_on_the_joint_review_its_routing_rule_chose_and_carries_its_fee() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let c = apply(
        &app,
        &enterprise,
        dig("主干路", "沥青混凝土路面", 40),
        "dig-1",
    )
    .await;
    assert_eq!(c["status"], "submitted", "{c}");
    // The applicant sees the route and the fee in plain words, at submission.
    assert_eq!(c["fee"]["amount_fen"], 1_520_000, "380 元/m² × 40 m²: {c}");
    assert_eq!(c["fee"]["amount_yuan"], "15200.00");
    let purposes: Vec<&str> = c["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes, ["routing", "fee"]);
    let routing = &c["decisions"][0];
    assert_eq!(routing["process"], "road-excavation-joint");
    assert!(
        routing["explanation"]
            .as_str()
            .unwrap()
            .contains("公安交通管理部门"),
        "{routing}"
    );
    assert!(
        c["decisions"][1]["explanation"]
            .as_str()
            .unwrap()
            .contains("380 元/平方米 × 40 平方米 = 15200 元")
    );
    let (id, number) = (
        c["id"].as_str().unwrap().to_owned(),
        c["number"].as_str().unwrap().to_owned(),
    );

    // Accepted: the case runs on the chosen process — two reviews in parallel.
    let clerk = login(&app, "clerk-370202").await;
    complete_step(&app, &clerk, &number, "accept", "accept").await;
    let reviewer = login(&app, "reviewer-370202").await;
    assert_eq!(
        open_steps(&app, &reviewer, &id).await,
        ["municipal", "traffic"]
    );
    let staff: Value = get(&app, &reviewer, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    // Staff audit both decisions in full.
    assert_eq!(staff["decisions"][0]["rule"], "road-excavation-routing");
    assert_eq!(staff["decisions"][0]["output"]["lane"], "joint");
    assert_eq!(staff["decisions"][1]["output"]["amount_fen"], 1_520_000);
    complete_step(&app, &reviewer, &number, "municipal", "approve").await;
    assert_eq!(open_steps(&app, &reviewer, &id).await, ["traffic"]);
    complete_step(&app, &reviewer, &number, "traffic", "approve").await;
    let approver = login(&app, "approver-370202").await;
    assert_eq!(open_steps(&app, &approver, &id).await, ["decide"]);
    complete_step(&app, &approver, &number, "decide", "approve").await;

    let done: Value = get(&app, &enterprise, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["status"], "granted", "{done}");
    assert_eq!(done["fee"]["amount_yuan"], "15200.00");
    // The decision document states the fee.
    let grant = done["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "grant")
        .unwrap_or_else(|| panic!("{done}"))
        .clone();
    let r = get(&app, &enterprise, grant["url"].as_str().unwrap()).await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grant.pdf");
    std::fs::write(&file, &pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => {
            let text: String = String::from_utf8_lossy(&o.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            assert!(text.contains("请按规定缴纳费用人民币15200.00元"), "{text}");
        }
        _ => eprintln!("pdftotext not installed: the decision document's text was not checked"),
    }

    // The case page says it in words: the route and the fee.
    let page = page_session(&app, "enterprise").await;
    let (_, html) = get_page(&app, &page.token, &format!("/cases/{id}")).await;
    assert!(html.contains("按流程 road-excavation-joint 办理"), "{html}");
    assert!(html.contains("核定应缴 15200.00 元"), "{html}");
}

#[tokio::test]
async fn a_small_branch_road_dig_runs_the_built_in_steps_and_a_broken_route_goes_the_default_way() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let c = apply(&app, &enterprise, dig("支路", "人行道铺装", 60), "dig-2").await;
    assert_eq!(c["decisions"][0]["process"], "builtin-approval", "{c}");
    assert_eq!(c["fee"]["amount_fen"], 960_000, "160 元/m² × 60 m²");
    let (id, number) = (
        c["id"].as_str().unwrap().to_owned(),
        c["number"].as_str().unwrap().to_owned(),
    );
    let clerk = login(&app, "clerk-370202").await;
    complete_step(&app, &clerk, &number, "accept", "accept").await;
    let reviewer = login(&app, "reviewer-370202").await;
    assert_eq!(open_steps(&app, &reviewer, &id).await, ["review"]);

    // A new version of the routing rule sends big digs to a process nobody uploaded.
    let admin = login(&app, "admin").await;
    let rules: Value = get(&app, &admin, "/api/v1/rules/road-excavation-routing")
        .await
        .json()
        .await
        .unwrap();
    let text = rules["document"]
        .to_string()
        .replace("road-excavation-joint", "no-such-process");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let r = post(
        &app,
        &admin,
        "/api/v1/rules",
        json!({"key": "road-excavation-routing", "name": "城市道路挖掘许可办理路径", "purpose": "routing",
               "document": doc,
               "tests": [{"name": "主干路", "input": {"situation": "planned", "form": {"road_class": "主干路", "area_m2": 10}},
                          "expected": {"process": "no-such-process"}}]}),
    )
    .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let c = apply(
        &app,
        &enterprise,
        dig("主干路", "水泥混凝土路面", 10),
        "dig-3",
    )
    .await;
    let routing = &c["decisions"][0];
    assert_eq!(routing["error"], true, "{c}");
    assert!(routing["process"].is_null(), "{routing}");
    let (id, number) = (
        c["id"].as_str().unwrap().to_owned(),
        c["number"].as_str().unwrap().to_owned(),
    );
    let staff: Value = get(&app, &reviewer, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        staff["decisions"][0]["error"]
            .as_str()
            .unwrap()
            .contains("no-such-process"),
        "{staff}"
    );
    assert_eq!(staff["decisions"][0]["version"], 2);
    // The fee still stands; the case is accepted and reviewed on the built-in steps.
    assert_eq!(c["fee"]["amount_fen"], 420_000);
    complete_step(&app, &clerk, &number, "accept", "accept").await;
    assert_eq!(open_steps(&app, &reviewer, &id).await, ["review"]);
}

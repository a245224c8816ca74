//! Unattended approval (无人干预自助办) and shared data (数据共享) over HTTP: a 施工劳务资质备案
//! whose checks all pass is granted at submission with its decision stored and explained; one
//! whose technical lead is insured elsewhere goes to a reviewer with the failed checks listed;
//! the 水土保持方案 report form is checked against the project and expert registries; a
//! registry that is down sends the case to a reviewer, never loses it; staff look-ups need an
//! open task on the case and are audited.

use super::common::*;
use serde_json::{Value, json};
use shenpi_app::datasources::HttpSettings;
use shenpi_app::datasources::demo::{
    EXPERT_EXPIRED, EXPERT_VALID, PROJECT_LARGE, PROJECT_SMALL, insured_elsewhere_uscc,
};
use shenpi_app::demo::demo_uscc;
use shenpi_testkit::{Options, TestApp, spawn_app, spawn_app_with};
use std::time::Duration;

const LABOUR: &str = "QDJS01001-01";
const SOIL: &str = "QDSW00101-01";

fn labour_form(uscc: &str) -> Value {
    json!({"uscc": uscc, "contact": "李示例", "contact_mobile": "13800000000", "commitment": true})
}

async fn apply(
    app: &TestApp,
    token: &str,
    item: &str,
    situation: &str,
    form: Value,
    materials: Value,
    key: &str,
) -> reqwest::Response {
    post(
        app,
        token,
        "/api/v1/cases",
        json!({"item_code": item, "region": "370202", "situation": situation, "form": form,
               "materials": materials, "idempotency_key": key}),
    )
    .await
}

async fn case(app: &TestApp, token: &str, id: &str) -> Value {
    let v: Value = get(app, token, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    v
}

fn case_of(v: &Value) -> &Value {
    if v.get("case").is_some() {
        &v["case"]
    } else {
        v
    }
}

#[tokio::test]
async fn a_labour_filing_is_granted_at_once_or_sent_to_a_reviewer_with_its_failed_checks() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;

    // All checks pass: decided at submission, by the platform, with the decision explained.
    let r = apply(
        &app,
        &enterprise,
        LABOUR,
        "first",
        labour_form(&demo_uscc()),
        json!({}),
        "auto-1",
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let c = case_of(&created);
    assert_eq!(c["status"], "granted", "{created}");
    // The applicant reads the decision in plain words: outcome, explanation, data sets used.
    let plain = &c["decisions"][0];
    assert_eq!(plain["approved"], true);
    assert!(
        plain["explanation"].as_str().unwrap().contains("予以备案"),
        "{plain}"
    );
    assert_eq!(
        plain["data_sources"],
        json!([{"dataset": "市场主体登记信息", "found": true, "error": null}])
    );
    assert!(
        plain.get("input").is_none() && plain.get("trace").is_none(),
        "{plain}"
    );
    let id = c["id"].as_str().unwrap().to_string();
    // A reviewer audits the automatic decision: rule, version, input, output, trace, pulls.
    let reviewer = login(&app, "reviewer-370202").await;
    let full = case(&app, &reviewer, &id).await;
    let c = case_of(&full);
    let d = &c["decisions"][0];
    assert_eq!(d["purpose"], "auto_approval");
    assert_eq!(d["rule"], "labour-filing-auto");
    assert_eq!(d["version"], 1);
    assert_eq!(d["output"]["auto"], true);
    assert_eq!(d["failed"], json!([]));
    assert!(
        d["explanation"].as_str().unwrap().contains("予以备案"),
        "{d}"
    );
    assert_eq!(d["input"]["enterprise"]["staff"]["technical_leads"], 1);
    let sources = d["data_sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["dataset"], "市场主体登记信息");
    assert_eq!(sources[0]["found"], true);
    assert!(!d["trace"].as_array().unwrap().is_empty());
    let actors: Vec<&str> = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        [
            "enterprise",
            "auto-approval",
            "auto-approval",
            "auto-approval",
            "system"
        ]
    );
    // The grant issued the e-certificate (施工劳务资质备案凭证) at once.
    let note = c["timeline"][4]["note"].as_str().unwrap();
    assert!(
        note.contains("施工劳务资质备案凭证") && note.contains("1.2.156.3005.2."),
        "{note}"
    );
    let kinds: Vec<&str> = c["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"grant"), "{kinds:?}");

    // The pull is audited with the case: who, which record, for which case.
    let auditor = login(&app, "auditor").await;
    let log: Value = get(&app, &auditor, "/api/v1/audit?action=data.pull")
        .await
        .json()
        .await
        .unwrap();
    let pulls: Vec<&Value> = log["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"))
        .iter()
        .filter(|e| e["details"]["case"] == id.as_str())
        .collect();
    // Fetched once for the materials (免提交), then read again from the cache for the rule.
    let purposes: Vec<(&str, bool)> = pulls
        .iter()
        .map(|e| {
            (
                e["details"]["purpose"].as_str().unwrap(),
                e["details"]["cached"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        purposes,
        [("规则核验", true), ("免提交材料调取", false)],
        "{log}"
    );
    assert!(
        pulls
            .iter()
            .all(|e| e["object_id"] == demo_uscc().as_str() && e["actor_name"] == "enterprise")
    );

    // The applicant's page says it in plain words; a reviewer's page also shows the trace.
    let page = page_session(&app, "enterprise").await;
    let (_, html) = get_page(&app, &page.token, &format!("/cases/{id}")).await;
    assert!(html.contains("自动核验全部通过"), "{html}");
    assert!(html.contains("市场主体登记信息"));
    assert!(
        !html.contains("decision-trace"),
        "applicants get plain words, not the trace"
    );

    // Technical lead insured with another company: accepted by the platform, then a reviewer.
    let other = enterprise_account(&app, &insured_elsewhere_uscc()).await;
    let r = apply(
        &app,
        &other,
        LABOUR,
        "first",
        labour_form(&insured_elsewhere_uscc()),
        json!({}),
        "auto-2",
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let c = case_of(&created);
    assert_eq!(c["status"], "under_review", "{created}");
    let failed: Vec<&str> = c["decisions"][0]["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["技术负责人", "社会保险"]);
    let note = c["timeline"][1]["note"].as_str().unwrap();
    assert!(
        note.contains("系统自动核验未通过") && note.contains("社会保险"),
        "{note}"
    );
    let id2 = c["id"].as_str().unwrap().to_string();
    let todo: Value = get(&app, &reviewer, "/api/v1/tasks")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        todo.to_string().contains(&id2),
        "the reviewer has the review task: {todo}"
    );
    let seen = case(&app, &reviewer, &id2).await;
    assert_eq!(
        case_of(&seen)["decisions"][0]["failed"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let rpage = page_session(&app, "reviewer-370202").await;
    let (_, html) = get_page(&app, &rpage.token, &format!("/cases/{id2}")).await;
    assert!(
        html.contains("decision-trace") && html.contains("labour-filing-auto"),
        "{html}"
    );
    assert!(html.contains("社会保险缴纳单位与申请企业不一致"));

    // Staff look-ups: with an open task on the case; audited; never without a purpose.
    let key = insured_elsewhere_uscc();
    let r = get(
        &app,
        &reviewer,
        &format!("/api/v1/data/enterprise/{key}?case_id={id2}"),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["record"]["uscc"], key);
    assert_eq!(v["pull"]["purpose"], "经办人员核查");
    assert_error(
        get(
            &app,
            &reviewer,
            &format!("/api/v1/data/enterprise/{key}?case_id={id}"),
        )
        .await,
        403,
        "DATA_PURPOSE_REQUIRED",
    )
    .await;
    assert_error(
        get(&app, &reviewer, &format!("/api/v1/data/enterprise/{key}")).await,
        403,
        "DATA_PURPOSE_REQUIRED",
    )
    .await;
    let r = get(
        &app,
        &enterprise,
        &format!("/api/v1/data/enterprise/{key}?case_id={id2}"),
    )
    .await;
    assert_eq!(r.status(), 403);
    let v = assert_error(
        get(
            &app,
            &reviewer,
            &format!("/api/v1/data/enterprise/91370202MA00000000?case_id={id2}"),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(v["details"]["reason_code"], "DATA_KEY_INVALID");
    let v = assert_error(
        get(
            &app,
            &reviewer,
            &format!("/api/v1/data/people/{key}?case_id={id2}"),
        )
        .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    assert_eq!(v["details"]["reason_code"], "DATA_KIND_UNKNOWN");
    let log: Value = get(&app, &auditor, "/api/v1/audit?action=data.pull")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["details"]["purpose"] == "经办人员核查"
                && e["actor_name"] == "reviewer-370202"
                && e["details"]["case"] == id2.as_str()),
        "{log}"
    );

    // The reviewer decides the routed case as usual.
    let task = todo["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["task"])
        .find(|t| t["case_id"] == id2.as_str())
        .unwrap_or_else(|| panic!("{todo}"));
    let r = post(
        &app,
        &reviewer,
        &format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap()),
        json!({"outcome": "approve", "opinion": "人工核查：技术负责人已转入本企业参保。"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn upload_report(app: &TestApp, token: &str) -> String {
    let r = client()
        .post(app.url("/api/v1/materials?name=方案报告表.pdf"))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

fn soil_form(project: &str, earthwork: u64, experts: &[(&str, &str)]) -> Value {
    json!({"uscc": demo_uscc(), "project_code": project, "land_area_m2": 12000, "earthwork_m3": earthwork,
           "signatures": experts.iter().map(|(id, day)| json!({"expert_id": id, "role": "方案编制", "signed_on": day})).collect::<Vec<_>>(),
           "commitment": true})
}

#[tokio::test]
async fn a_soil_plan_report_form_is_checked_against_the_project_and_expert_registries() {
    let app = spawn_app().await;
    let enterprise = login(&app, "enterprise").await;
    let file = upload_report(&app, &enterprise).await;
    let materials = json!({"report-form": file});

    let ok = soil_form(
        PROJECT_SMALL,
        18_000,
        &[(EXPERT_VALID, "2026-11-20"), (EXPERT_EXPIRED, "2025-12-31")],
    );
    let r = apply(
        &app,
        &enterprise,
        SOIL,
        "point",
        ok,
        materials.clone(),
        "soil-1",
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(case_of(&v)["status"], "granted", "{v}");
    let reviewer = login(&app, "reviewer-370202").await;
    let full = case(&app, &reviewer, case_of(&v)["id"].as_str().unwrap()).await;
    let d = &case_of(&full)["decisions"][0];
    assert_eq!(
        d["input"]["experts"],
        json!({"count": 2, "missing": 0, "invalid_on_signing": 0, "wrong_field": 0})
    );
    assert_eq!(d["input"]["project"]["owner_matches"], true);
    let datasets: Vec<&str> = d["data_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["dataset"].as_str().unwrap())
        .collect();
    assert_eq!(
        datasets,
        [
            "市场主体登记信息",
            "投资项目信息",
            "专家库信息",
            "专家库信息"
        ]
    );

    // An expert whose qualification ended before the signing day, and a project that needs the
    // full report: to a reviewer, with both reasons.
    let bad = soil_form(
        PROJECT_LARGE,
        80_000,
        &[
            (EXPERT_EXPIRED, "2026-03-01"),
            ("SB-0000-9999", "2026-03-01"),
        ],
    );
    let r = apply(&app, &enterprise, SOIL, "point", bad, materials, "soil-2").await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let c = case_of(&v);
    assert_eq!(c["status"], "under_review", "{v}");
    let reasons: Vec<&str> = c["decisions"][0]["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "挖填土石方总量达到 5 万立方米，应编报水土保持方案报告书",
            "1 名签名人员不在水土保持专家库中",
            "1 名签名人员的资格在签署日无效",
        ]
    );
}

#[tokio::test]
async fn a_registry_that_is_down_sends_the_case_to_a_reviewer_and_loses_nothing() {
    // Nothing listens on this port: every call fails at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut opts = Options::default();
    opts.settings.registry = Some(HttpSettings {
        timeout: Duration::from_millis(300),
        backoff: Duration::from_millis(5),
        ..HttpSettings::new(&dead)
    });
    let app = spawn_app_with(opts).await;
    let enterprise = login(&app, "enterprise").await;
    let r = apply(
        &app,
        &enterprise,
        LABOUR,
        "first",
        labour_form(&demo_uscc()),
        json!({}),
        "down-1",
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let c = case_of(&v);
    assert_eq!(c["status"], "under_review", "{v}");
    assert_eq!(c["decisions"][0]["approved"], false);
    let reviewer = login(&app, "reviewer-370202").await;
    let full = case(&app, &reviewer, c["id"].as_str().unwrap()).await;
    let d = &case_of(&full)["decisions"][0];
    assert_eq!(d["failed"][0]["check"], "共享数据");
    assert!(
        d["data_sources"][0]["error"]
            .as_str()
            .unwrap()
            .contains("共享数据源"),
        "{d}"
    );
    assert_eq!(d["data_sources"][0]["source"], dead);
    let note = c["timeline"][1]["note"].as_str().unwrap();
    assert!(note.contains("共享数据源暂不可用"), "{note}");
    // A staff look-up says so with a clear error (the pull is still audited).
    let id = c["id"].as_str().unwrap();
    assert_error(
        get(
            &app,
            &reviewer,
            &format!("/api/v1/data/enterprise/{}?case_id={id}", demo_uscc()),
        )
        .await,
        503,
        "DATA_SOURCE_UNAVAILABLE",
    )
    .await;
}

/// The staff look-up page: a reviewer with the review task sees the record and its source;
/// the look-up is refused on a case without their task.
#[tokio::test]
async fn a_reviewer_looks_up_shared_data_for_a_case_on_the_page() {
    let app = spawn_app().await;
    let enterprise = enterprise_account(&app, &insured_elsewhere_uscc()).await;
    let r = apply(
        &app,
        &enterprise,
        LABOUR,
        "first",
        labour_form(&insured_elsewhere_uscc()),
        json!({}),
        "page-1",
    )
    .await;
    let c: Value = r.json().await.unwrap();
    let id = c["id"].as_str().unwrap();
    let page = page_session(&app, "reviewer-370202").await;
    let fetch = |path: String| {
        let (app, token) = (&app, page.token.clone());
        async move { get_page(app, &token, &path).await }
    };
    let (status, html) = fetch(format!(
        "/cases/{id}/data?kind=enterprise&key={}",
        insured_elsewhere_uscc()
    ))
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("青岛挂证演示建筑劳务有限公司") && html.contains("本平台共享数据库"),
        "{html}"
    );
    let (status, html) = fetch(format!("/cases/{id}/data?kind=enterprise&key=<script>")).await;
    assert_eq!(status, 422);
    assert!(!html.contains("<script>"), "escaped");
    let (status, _) = fetch(format!(
        "/cases/no-such-case/data?kind=enterprise&key={}",
        demo_uscc()
    ))
    .await;
    assert_eq!(status, 403);
}

//! Process diagrams: the process list and XML API, the process management pages, the vendored
//! bpmn-js assets, and a case's diagram with its current and completed steps (built-in steps
//! and a BPMN process).

use super::cases::{ITEM, open_task, submit};
use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

/// A process as bpmn.io exports it: with diagram interchange, Chinese names.
pub(crate) const DI_PROCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="permit-review" name="施工许可审查流程" isExecutable="true">
    <bpmn:startEvent id="start" name="开始"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="技术审查" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>
    <bpmn:userTask id="decide" name="审批决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end" name="结束"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="permit-review">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="240" y="80" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="decide_di" bpmnElement="decide"><dc:Bounds x="390" y="80" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="542" y="102" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120"/><di:waypoint x="240" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120"/><di:waypoint x="390" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="490" y="120"/><di:waypoint x="542" y="120"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"#;

/// A valid process without diagram interchange (as hand-written files often are).
pub(crate) const BARE_PROCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d">
  <bpmn:process id="bare-review" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="审查" shenpi:role="reviewer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

/// Uploads a BPMN file as `admin`; asserts it was stored.
pub(crate) async fn upload(app: &TestApp, admin: &str, xml: &str) -> Value {
    let r = client()
        .post(app.url("/api/v1/processes"))
        .bearer_auth(admin)
        .header("content-type", "application/xml")
        .body(xml.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

/// Makes [`ITEM`] run on process `key` from today (a published catalog change).
pub(crate) async fn use_process(app: &TestApp, admin: &str, key: &str) {
    let current: Value = client()
        .get(app.url(&format!("/api/v1/items/{ITEM}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut changed = current["item"].clone();
    changed["process_key"] = json!(key);
    let p: Value = post(
        app,
        admin,
        "/api/v1/proposals",
        json!({"operation": "change", "title": "启用流程", "targets": [ITEM],
        "drafts": [changed], "effective_from": "2026-11-28"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let pid = p["id"].as_str().unwrap();
    for (step, body) in [
        ("submit", json!({})),
        ("override", json!({"reason": "测试"})),
        ("publish", json!({})),
    ] {
        let r = post(app, admin, &format!("/api/v1/proposals/{pid}/{step}"), body).await;
        assert_eq!(r.status(), 200, "{step}");
    }
}

/// Completes the open task of case `number` that `username` sees, with `outcome`.
pub(crate) async fn complete(app: &TestApp, username: &str, number: &str, outcome: &str) {
    let token = login(app, username).await;
    let task = open_task(app, &token, number).await;
    let tid = task["task"]["id"].as_str().unwrap().to_string();
    let r = post(
        app,
        &token,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": outcome, "opinion": "同意"}),
    )
    .await;
    assert_eq!(r.status(), 200, "{username} {outcome}");
}

/// A GET of a page with the session of `username`: (status, body).
pub(crate) async fn page(app: &TestApp, username: &str, path: &str) -> (u16, String) {
    let s = page_session(app, username).await;
    let r = client()
        .get(app.url(path))
        .header("cookie", format!("shenpi_session={}", s.token))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The space-separated ids of a `data-` attribute of the diagram container, sorted.
fn marked(html: &str, attr: &str) -> Vec<String> {
    let start = html
        .find(&format!("{attr}=\""))
        .unwrap_or_else(|| panic!("no {attr} in {html}"))
        + attr.len()
        + 2;
    let mut ids: Vec<String> = html[start..]
        .split('"')
        .next()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn processes_are_listed_and_their_xml_is_served_as_stored() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let v: Value = get(&app, &admin, "/api/v1/processes")
        .await
        .json()
        .await
        .unwrap();
    // The demo's one process: the joint review a routing rule chooses.
    let demo: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(demo, ["road-excavation-joint"], "{v}");
    assert_eq!(v["items"][0]["versions"][0]["created_by"], "demo");
    assert_eq!(
        upload(&app, &admin, DI_PROCESS).await,
        json!({"key": "permit-review", "version": 1})
    );
    let second = DI_PROCESS.replace("施工许可审查流程", "施工许可审查流程（修订）");
    assert_eq!(upload(&app, &admin, &second).await["version"], 2);
    upload(&app, &admin, BARE_PROCESS).await;

    let v: Value = get(&app, &admin, "/api/v1/processes")
        .await
        .json()
        .await
        .unwrap();
    let items = v["items"].as_array().unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["bare-review", "permit-review", "road-excavation-joint"]
    );
    let permit = &items[1];
    assert_eq!(permit["latest_version"], 2);
    assert_eq!(permit["name"], "施工许可审查流程（修订）");
    let versions: Vec<i64> = permit["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [2, 1], "newest first");
    assert_eq!(permit["versions"][1]["name"], "施工许可审查流程");
    assert_eq!(permit["versions"][1]["created_by"], "admin");
    assert_eq!(permit["versions"][1]["has_diagram"], true);
    assert_eq!(items[0]["versions"][0]["has_diagram"], false);
    assert_eq!(items[0]["name"], Value::Null);

    // One version's XML, byte for byte, as XML.
    let r = get(&app, &admin, "/api/v1/processes/permit-review/1").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    assert_eq!(r.text().await.unwrap(), DI_PROCESS);
    let r = get(&app, &admin, "/api/v1/processes/permit-review/2").await;
    assert_eq!(r.text().await.unwrap(), second);

    // Unknown key or version: 404; a version that is not a number: 400.
    let v = assert_error(
        get(&app, &admin, "/api/v1/processes/permit-review/3").await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_eq!(
        v["details"],
        json!({"process": "permit-review", "version": 3})
    );
    assert_error(
        get(&app, &admin, "/api/v1/processes/no-such-process/1").await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_error(
        get(&app, &admin, "/api/v1/processes/permit-review/latest").await,
        400,
        "BAD_REQUEST",
    )
    .await;

    // Only process managers read them (the authz table has every role).
    for user in ["reviewer-370202", "regadmin-370202", "citizen"] {
        let token = login(&app, user).await;
        assert_error(
            get(&app, &token, "/api/v1/processes").await,
            403,
            "FORBIDDEN",
        )
        .await;
        assert_error(
            get(&app, &token, "/api/v1/processes/permit-review/1").await,
            403,
            "FORBIDDEN",
        )
        .await;
    }
    let r = client()
        .get(app.url("/api/v1/processes/permit-review/1"))
        .send()
        .await
        .unwrap();
    assert_error(r, 401, "UNAUTHENTICATED").await;
}

#[tokio::test]
async fn the_process_pages_list_versions_and_link_their_diagrams() {
    let app = spawn_app().await;
    let (status, html) = page(&app, "admin", "/processes").await;
    assert_eq!(status, 200);
    // The demo database has the joint review of road digs (the empty state, which says how
    // to upload, is for a database without processes).
    assert!(html.contains("城市道路挖掘联合审查流程"), "{html}");
    let (_, home) = page(&app, "admin", "/").await;
    assert!(home.contains("href=\"/processes\""), "menu entry");

    let admin = login(&app, "admin").await;
    upload(&app, &admin, DI_PROCESS).await;
    upload(&app, &admin, BARE_PROCESS).await;
    let (_, html) = page(&app, "admin", "/processes").await;
    assert!(!html.contains("尚未上传任何流程"));
    assert!(html.contains("施工许可审查流程"));
    assert!(html.contains("href=\"/processes/permit-review/1\""));
    assert!(html.contains("href=\"/processes/bare-review/1\""));
    assert_eq!(
        html.matches("无图形信息").count(),
        1,
        "only the bare file is flagged"
    );

    let (status, html) = page(&app, "admin", "/processes/permit-review/1").await;
    assert_eq!(status, 200);
    assert!(html.contains("data-xml-url=\"/processes/permit-review/1/bpmn\""));
    assert!(html.contains("data-has-diagram=\"true\""));
    assert!(html.contains("src=\"/assets/bpmn-js/bpmn-viewer.production.min.js?v="));
    assert!(html.contains("src=\"/assets/diagram.js\""));
    assert!(html.contains("图例"), "a legend");
    let (status, xml) = page(&app, "admin", "/processes/permit-review/1/bpmn").await;
    assert_eq!((status, xml.as_str()), (200, DI_PROCESS));
    let (_, html) = page(&app, "admin", "/processes/bare-review/1").await;
    assert!(html.contains("data-has-diagram=\"false\""));
    for path in [
        "/processes/permit-review/9",
        "/processes/permit-review/x",
        "/processes/nope/1/bpmn",
    ] {
        assert_eq!(page(&app, "admin", path).await.0, 404, "{path}");
    }
    for path in ["/processes", "/processes/permit-review/1/bpmn"] {
        assert_eq!(page(&app, "reviewer-370202", path).await.0, 403, "{path}");
    }
}

#[tokio::test]
async fn the_bpmn_js_viewer_is_embedded_with_a_long_cache() {
    let app = spawn_app().await;
    for (name, ct, start) in [
        (
            "bpmn-js/bpmn-viewer.production.min.js",
            "text/javascript",
            "/*! bpmn-js - bpmn-viewer v18.31.1",
        ),
        ("bpmn-js/diagram-js.css", "text/css", ""),
        ("bpmn-js/bpmn-js.css", "text/css", ""),
        (
            "bpmn-js/LICENSE-bpmn-js.txt",
            "text/plain",
            "Copyright (c) 2014-present Camunda Services GmbH",
        ),
    ] {
        let r = client()
            .get(app.url(&format!("/assets/{name}?v=18.31.1")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(ct),
            "{name}"
        );
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(r.text().await.unwrap().starts_with(start), "{name}");
    }
    let r = client()
        .get(app.url("/assets/diagram.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("该流程文件不含图形信息（BPMNDI），无法显示流程图")
    );
    let r = client()
        .get(app.url("/assets/bpmn-js/bpmn-modeler.production.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "only the viewer is vendored");
}

#[tokio::test]
async fn a_case_on_the_built_in_steps_marks_the_current_and_completed_steps() {
    let app = spawn_app().await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-diagram").await;
    let id = created["id"].as_str().unwrap().to_string();
    let number = created["number"].as_str().unwrap().to_string();
    let path = format!("/cases/{id}/diagram");

    let (status, html) = page(&app, "clerk-370202", &path).await;
    assert_eq!(status, 200);
    assert!(html.contains(&number));
    assert_eq!(marked(&html, "data-current"), ["accept"]);
    assert_eq!(marked(&html, "data-done"), ["submit"]);
    assert!(html.contains(&format!("data-xml-url=\"/cases/{id}/diagram/bpmn\"")));
    assert!(html.contains("当前环节"), "the legend explains the markers");

    complete(&app, "clerk-370202", &number, "accept").await;
    let (_, html) = page(&app, "reviewer-370202", &path).await;
    assert_eq!(marked(&html, "data-current"), ["review"]);
    assert_eq!(marked(&html, "data-done"), ["accept", "submit"]);
    complete(&app, "reviewer-370202", &number, "approve").await;
    complete(&app, "approver-370202", &number, "approve").await;
    let (_, html) = page(&app, "approver-370202", &path).await;
    assert_eq!(marked(&html, "data-current"), Vec::<String>::new());
    assert_eq!(
        marked(&html, "data-done"),
        ["accept", "decide", "end", "review", "submit"]
    );

    // The built-in process file, with its diagram interchange and Chinese names.
    let (status, xml) = page(&app, "reviewer-370202", &format!("{path}/bpmn")).await;
    assert_eq!(status, 200);
    assert_eq!(xml, shenpi_app::diagram::BUILTIN_BPMN);
    assert!(xml.contains("bpmndi:BPMNShape") && xml.contains("name=\"受理\""));

    // Staff of another district do not see the case; applicants get no diagram page.
    assert_eq!(page(&app, "reviewer-370203", &path).await.0, 404);
    assert_eq!(
        page(&app, "reviewer-370203", &format!("{path}/bpmn"))
            .await
            .0,
        404
    );
    assert_eq!(page(&app, "citizen", &path).await.0, 403);
}

#[tokio::test]
async fn a_case_on_a_bpmn_process_is_drawn_from_its_version_with_the_engine_steps_marked() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    upload(&app, &admin, DI_PROCESS).await;
    use_process(&app, &admin, "permit-review").await;
    let citizen = login(&app, "citizen").await;
    let created = submit(&app, &citizen, "k-diagram-bpmn").await;
    let id = created["id"].as_str().unwrap().to_string();
    let number = created["number"].as_str().unwrap().to_string();
    complete(&app, "clerk-370202", &number, "accept").await;
    // A newer version does not change the diagram of a running case.
    upload(&app, &admin, &DI_PROCESS.replace("技术审查", "新版审查")).await;

    let path = format!("/cases/{id}/diagram");
    let (status, html) = page(&app, "reviewer-370202", &path).await;
    assert_eq!(status, 200);
    assert!(html.contains("permit-review v1"), "{html}");
    assert_eq!(marked(&html, "data-current"), ["review"]);
    assert_eq!(
        marked(&html, "data-done"),
        ["accept", "start"],
        "the start event passed; the acceptance step precedes the process"
    );
    let (_, xml) = page(&app, "reviewer-370202", &format!("{path}/bpmn")).await;
    assert_eq!(xml, DI_PROCESS);

    complete(&app, "reviewer-370202", &number, "approve").await;
    let (_, html) = page(&app, "approver-370202", &path).await;
    assert_eq!(marked(&html, "data-current"), ["decide"]);
    assert_eq!(marked(&html, "data-done"), ["accept", "review", "start"]);
    complete(&app, "approver-370202", &number, "approve").await;
    let (_, html) = page(&app, "approver-370202", &path).await;
    assert_eq!(marked(&html, "data-current"), Vec::<String>::new());
    assert_eq!(
        marked(&html, "data-done"),
        ["accept", "decide", "end", "review", "start"]
    );
}

//! Two `shenpi serve` processes on one PostgreSQL schema (issue 5 item 4): cases are driven
//! through both nodes, a workflow timer stands between acceptance and the decision, and both
//! nodes scan for due timers every second. Every case's history must show each timer fired
//! once and each step applied once. PostgreSQL only (skipped on the embedded SQLite).

use super::cases::ITEM;
use serde_json::{Value, json};
use shenpi_app::cases::CaseRecord;
use shenpi_store::Store;
use shenpi_store_sql::SqlStore;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

/// Kills the node processes when the test ends, however it ends.
struct Nodes(Vec<Child>);

impl Drop for Nodes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn login(base: &str, username: &str) -> String {
    let v: Value = http()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": "Demo#2026"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{v}"))
        .to_string()
}

async fn call(
    base: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = match method {
        "GET" => http().get(format!("{base}{path}")),
        _ => http().post(format!("{base}{path}")),
    }
    .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

const PROCESS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:shenpi="urn:shenpi:bpmn:1.0" id="d">
  <bpmn:process id="permit-wait" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="cool"/>
    <bpmn:intermediateCatchEvent id="cool" name="公示"><bpmn:timerEventDefinition id="t"><bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="cool" targetRef="decide"/>
    <bpmn:userTask id="decide" name="审批决定" shenpi:role="approver"/>
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

/// The open task of case `number` that `token` sees.
async fn task_of(base: &str, token: &str, number: &str) -> Option<String> {
    let (_, v) = call(base, token, "GET", "/api/v1/tasks", None).await;
    v["items"]
        .as_array()?
        .iter()
        .find(|i| i["case_number"] == number)
        .and_then(|i| i["task"]["id"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn two_nodes_on_one_postgresql_fire_each_timer_once_and_apply_each_step_once() {
    let url = match std::env::var("SHENPI_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            eprintln!("two-node test skipped: it needs PostgreSQL (SHENPI_TEST_DATABASE_URL)");
            return;
        }
    };
    let schema = format!("nodes_{}", shenpi_store::new_id().replace('-', ""));
    let store = SqlStore::open_postgres_in_schema(&url, Some(&schema))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    // Every node shares one master key, which unseals the certificate signing key the demo's
    // certificates were signed with.
    let master = shenpi_app::certs::keys::new_master_key_text().unwrap();
    let app = shenpi_app::App::new(
        store.clone(),
        Arc::new(shenpi_app::SystemClock),
        shenpi_app::Settings {
            master_key: Some(master.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    app.load_demo().await.unwrap();

    let ports = [free_port(), free_port()];
    let nodes = Nodes(
        ports
            .iter()
            .map(|p| {
                Command::new(env!("CARGO_BIN_EXE_shenpi"))
                    .arg("serve")
                    .env("SHENPI_DATABASE_URL", &url)
                    .env("SHENPI_DATABASE_SCHEMA", &schema)
                    .env("SHENPI_MASTER_KEY", &master)
                    .env("SHENPI_LISTEN", format!("127.0.0.1:{p}"))
                    .env("SHENPI_JOB_SECONDS", "1")
                    .env("SHENPI_LOG", "warn")
                    .spawn()
                    .unwrap()
            })
            .collect(),
    );
    let bases: Vec<String> = ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}"))
        .collect();
    for base in &bases {
        let mut up = false;
        for _ in 0..150 {
            if http()
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(up, "node {base} did not start");
    }
    let (a, b) = (&bases[0], &bases[1]);

    // The city admin (on node A) makes the item run on the process with the timer.
    let admin = login(a, "admin").await;
    let r = http()
        .post(format!("{a}/api/v1/processes"))
        .bearer_auth(&admin)
        .header("content-type", "application/xml")
        .body(PROCESS)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, current) = call(a, &admin, "GET", &format!("/api/v1/items/{ITEM}"), None).await;
    let mut changed = current["item"].clone();
    changed["process_key"] = json!("permit-wait");
    let (status, p) = call(b, &login(b, "admin").await, "POST", "/api/v1/proposals", Some(json!({
        "operation": "change", "title": "启用流程", "targets": [ITEM], "drafts": [changed],
        "effective_from": (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string()}))).await;
    assert_eq!(status, 201, "{p}");
    let pid = p["id"].as_str().unwrap();
    for (step, body) in [
        ("submit", json!({})),
        ("override", json!({"reason": "测试"})),
        ("publish", json!({})),
    ] {
        let (status, v) = call(
            a,
            &admin,
            "POST",
            &format!("/api/v1/proposals/{pid}/{step}"),
            Some(body),
        )
        .await;
        assert_eq!(status, 200, "{step} {v}");
    }

    // Twelve cases, submitted and accepted through alternating nodes.
    let (_, item) = call(
        a,
        &admin,
        "GET",
        &format!("/api/v1/items/{ITEM}?region=370202"),
        None,
    )
    .await;
    let situation = item["item"]["situations"][0].clone();
    let needed: Vec<String> = item["item"]["materials"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["source"]["kind"] == "upload"
                && (m["always_required"] == true
                    || situation["materials"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| *k == m["key"]))
        })
        .map(|m| m["key"].as_str().unwrap().to_string())
        .collect();
    let mut numbers = vec![];
    let mut ids = vec![];
    for i in 0..12 {
        let node = &bases[i % 2];
        let citizen = login(node, "citizen").await;
        let mut files = serde_json::Map::new();
        for key in &needed {
            let r = http()
                .post(format!("{node}/api/v1/materials?name={key}.pdf"))
                .bearer_auth(&citizen)
                .body(format!("%PDF-1.7 {key} {i}").into_bytes())
                .send()
                .await
                .unwrap();
            files.insert(key.clone(), r.json::<Value>().await.unwrap()["id"].clone());
        }
        let (status, c) = call(
            node,
            &citizen,
            "POST",
            "/api/v1/cases",
            Some(json!({
            "item_code": ITEM, "region": "370202", "situation": situation["key"],
            "materials": files, "idempotency_key": format!("node-{i}")})),
        )
        .await;
        assert_eq!(status, 201, "{c}");
        numbers.push(c["number"].as_str().unwrap().to_string());
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    for (i, number) in numbers.iter().enumerate() {
        let node = &bases[(i + 1) % 2];
        let clerk = login(node, "clerk-370202").await;
        let tid = task_of(node, &clerk, number)
            .await
            .expect("acceptance task");
        let (status, v) = call(
            node,
            &clerk,
            "POST",
            &format!("/api/v1/tasks/{tid}/complete"),
            Some(json!({"outcome": "accept", "opinion": "予以受理"})),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }

    // Both nodes scan every second: each case's timer fires within a few seconds, once.
    let approver_a = login(a, "approver-370202").await;
    let mut waiting = numbers.clone();
    for _ in 0..60 {
        let mut still = vec![];
        for n in &waiting {
            if task_of(a, &approver_a, n).await.is_none() {
                still.push(n.clone());
            }
        }
        waiting = still;
        if waiting.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(waiting.is_empty(), "timers never fired for {waiting:?}");
    for (i, number) in numbers.iter().enumerate() {
        let node = &bases[i % 2];
        let approver = login(node, "approver-370202").await;
        let tid = task_of(node, &approver, number).await.unwrap();
        let (status, v) = call(
            node,
            &approver,
            "POST",
            &format!("/api/v1/tasks/{tid}/complete"),
            Some(json!({"outcome": "approve", "opinion": "准予"})),
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }
    // Another second of scanning on both nodes changes nothing more.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // The notice jobs seal the decision notices on their low-priority threads, only when their
    // node is quiet: on a loaded machine (a debug build, the other tests alongside) that can
    // take longer than the scans. Until then a case is woken for its notices.
    for _ in 0..120 {
        let mut tx = store.read().await.unwrap();
        let mut waking = 0;
        for id in &ids {
            if tx.case_by_id(id).await.unwrap().unwrap().wake_at.is_some() {
                waking += 1;
            }
        }
        if waking == 0 {
            break;
        }
        drop(tx);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let mut tx = store.read().await.unwrap();
    for id in &ids {
        let stored = tx.case_by_id(id).await.unwrap().unwrap();
        let c: CaseRecord = serde_json::from_str(&stored.json).unwrap();
        assert_eq!(
            c.status,
            shenpi_domain::case::lifecycle::CaseStatus::Granted,
            "{}",
            c.number
        );
        let instance = c.instance.as_ref().unwrap();
        let fired = instance
            .history
            .iter()
            .filter(|r| matches!(r.event, shenpi_workflow::Event::TimerFired { .. }))
            .count();
        assert_eq!(fired, 1, "{}: the timer fired {fired} times", c.number);
        let notes = c
            .timeline
            .iter()
            .filter(|t| t.note == "定时事件触发")
            .count();
        assert_eq!(notes, 1, "{}", c.number);
        let tasks = tx.tasks_of_case(id).await.unwrap();
        let steps = |s: &str| tasks.iter().filter(|t| t.step == s).count();
        assert_eq!(
            (steps("accept"), steps("decide")),
            (1, 1),
            "{}: {tasks:?}",
            c.number
        );
        assert!(
            tasks.iter().all(|t| t.status == "completed"),
            "{}",
            c.number
        );
        assert_eq!(stored.wake_at, None, "{}: nothing left to wake", c.number);
    }
    drop(tx);
    drop(nodes);
}

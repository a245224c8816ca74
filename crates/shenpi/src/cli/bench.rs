//! `shenpi bench durable`: mode (c) of `shared/bench` — every engine step committed to the
//! store, with what the platform writes for it (the case row with the instance, the task rows
//! closed and opened, a chained audit entry, an outbox event), before the step counts as done.
//! Many cases are in flight; each round steps every one of them once and commits the round in
//! one transaction (group commit), so no acknowledged step can be lost.
//!
//! Workloads: `approval` (accept → check → end, or review → decide; amounts alternate 500 and
//! 5000) and `bundle` (12 parallel agency tasks → join → issue), the files of `shared/bench`
//! (approval with `check` as the built-in `evaluate` service task).

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use serde_json::json;
use shenpi_store::Store;
use shenpi_store::model::{AuditDraft, Delivery, StepBatch, StoredCase, Task};
use shenpi_workflow::{Command, Instance, Process, State, Variables};

const APPROVAL: &str = include_str!("bench_approval.bpmn");
const BUNDLE: &str = include_str!("bench_bundle.bpmn");

/// A case in flight.
struct Live {
    n: u64,
    case: StoredCase,
    instance: Instance,
    /// Open task rows by engine task id.
    rows: Vec<(u64, Task)>,
    started: Instant,
    new: bool,
}

fn task_row(case_id: &str, engine: u64, step: &str, now: chrono::DateTime<Utc>) -> Task {
    Task {
        id: shenpi_store::new_id(),
        case_id: case_id.to_string(),
        region_code: "370202".into(),
        step: step.to_string(),
        name: step.to_string(),
        candidate_role: "reviewer".into(),
        assignee: None,
        status: "open".into(),
        outcome: None,
        opinion: None,
        completed_by: None,
        due_on: None,
        created_at: now,
        completed_at: None,
        revision: 1,
        engine_task: i64::try_from(engine).ok(),
        owner: None,
        kind: "step".into(),
        parent_id: None,
        department_id: Some("370202-spj".into()),
    }
}

fn fresh(n: u64, run: &str) -> Live {
    let now = Utc::now();
    Live {
        n,
        case: StoredCase {
            id: shenpi_store::new_id(),
            number: format!("B{run}{n:010}"),
            region_code: "370202".into(),
            item_code: "BENCH".into(),
            item_version: 1,
            applicant_id: format!("bench-{run}"),
            status: "under_review".into(),
            idempotency_key: format!("{n}"),
            json: String::new(),
            revision: 0,
            submitted_at: now,
            wake_at: None,
        },
        instance: Instance::new(),
        rows: vec![],
        started: Instant::now(),
        new: true,
    }
}

/// Runs the durable benchmark on `store` for `seconds` with `concurrency` cases in flight,
/// split over `workers` concurrent transactions (PostgreSQL gains from several; SQLite has one
/// writer); prints one Markdown table row.
pub async fn durable(
    store: Arc<dyn Store>,
    engine: &str,
    workload: &str,
    seconds: f64,
    concurrency: usize,
    workers: usize,
) -> Result<(), String> {
    let xml = match workload {
        "approval" => APPROVAL,
        "bundle" => BUNDLE,
        other => return Err(format!("unknown workload {other} (approval or bundle)")),
    };
    let process: Arc<Process> =
        Arc::new(shenpi_workflow::parse_bpmn(xml).map_err(|e| e.to_string())?);
    let workers = workers.clamp(1, 64);
    let start = Instant::now();
    let mut handles = vec![];
    for _ in 0..workers {
        let (store, process) = (store.clone(), process.clone());
        let per = (concurrency / workers).max(1);
        handles.push(tokio::spawn(async move {
            worker(store, process, seconds, per).await
        }));
    }
    let mut latencies = vec![];
    let mut steps = 0;
    for h in handles {
        let (l, s) = h.await.map_err(|e| e.to_string())??;
        latencies.extend(l);
        steps += s;
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "| {workload} | (c) durable, {engine} | {concurrency} × {workers} | {} | **{:.0}** | {:.0} | {:.1} ms | {:.1} ms |",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        steps as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}

/// One worker: its cases in flight, a transaction per round; (latencies in ms, steps).
async fn worker(
    store: Arc<dyn Store>,
    process: Arc<Process>,
    seconds: f64,
    concurrency: usize,
) -> Result<(Vec<f64>, u64), String> {
    // The random tail of a UUIDv7 (its head is the time): runs on one database stay apart.
    let id = shenpi_store::new_id().replace('-', "");
    let run = id[id.len() - 10..].to_string();
    let mut next = 0u64;
    let mut lives: Vec<Live> = (0..concurrency.max(1))
        .map(|_| {
            next += 1;
            fresh(next, &run)
        })
        .collect();
    let mut latencies: Vec<f64> = vec![];
    let mut steps = 0u64;
    let start = Instant::now();
    let err = |e: shenpi_store::StoreError| e.to_string();
    while start.elapsed().as_secs_f64() < seconds {
        let now = Utc::now();
        // The round's steps are computed first, outside the transaction (on SQLite, `begin`
        // takes the one writer lock), then written in one batch and committed.
        let mut batch = StepBatch::default();
        let mut done = vec![];
        for (i, live) in lives.iter_mut().enumerate() {
            let command = if live.instance.state == State::Ready {
                Command::Start {
                    variables: Variables::new(),
                }
            } else {
                let task = live
                    .instance
                    .tasks
                    .first()
                    .map(|t| t.id)
                    .ok_or("no open task")?;
                let mut variables = Variables::new();
                let node = live.instance.tasks[0].node;
                if process.nodes.get(node).is_some_and(|n| n.id == "accept") {
                    variables.insert(
                        "amount".into(),
                        json!(if live.n % 2 == 0 { 500 } else { 5000 }),
                    );
                }
                Command::CompleteTask { task, variables }
            };
            let finished_task = match &command {
                Command::CompleteTask { task, .. } => Some(*task),
                _ => None,
            };
            let known: Vec<u64> = live.instance.tasks.iter().map(|t| t.id).collect();
            let s = shenpi_workflow::step(process.as_ref(), &live.instance, command, now)
                .map_err(|e| e.to_string())?;
            live.instance = s.instance;
            // The case row with the instance.
            live.case.json = serde_json::to_string(&live.instance).map_err(|e| e.to_string())?;
            live.case.revision += 1;
            if live.new {
                batch.new_cases.push(live.case.clone());
                live.new = false;
            } else {
                batch
                    .cases
                    .push((live.case.clone(), live.case.revision - 1));
            }
            // The task row closed, and those opened.
            if let Some(t) = finished_task
                && let Some(pos) = live.rows.iter().position(|(e, _)| *e == t)
            {
                let (_, mut row) = live.rows.remove(pos);
                row.status = "completed".into();
                row.completed_at = Some(now);
                row.revision += 1;
                let prev = row.revision - 1;
                batch.tasks.push((row, prev));
            }
            for t in live
                .instance
                .tasks
                .iter()
                .filter(|t| !known.contains(&t.id))
            {
                let step = process
                    .nodes
                    .get(t.node)
                    .map(|n| n.id.as_str())
                    .unwrap_or("task");
                let row = task_row(&live.case.id, t.id, step, now);
                batch.new_tasks.push(row.clone());
                live.rows.push((t.id, row));
            }
            // The audit entry and the outbox event.
            batch.audit.push(AuditDraft {
                region_code: "370202".into(),
                actor_id: None,
                actor_name: Some("bench".into()),
                action: "bench.step".into(),
                object_type: "case".into(),
                object_id: live.case.id.clone(),
                client_ip: None,
                outcome: "success".into(),
                details: json!({"step": steps}),
                trace_id: None,
                at: now,
            });
            batch.deliveries.push(Delivery {
                id: shenpi_store::new_id(),
                partner_key: "bench".into(),
                event: "case.step".into(),
                case_id: live.case.id.clone(),
                idempotency_key: format!("{}:{}", live.case.id, live.case.revision),
                body: "{}".into(),
                status: "delivered".into(),
                attempts: 0,
                next_attempt_at: now,
                locked_until: None,
                last_error: None,
                created_at: now,
                delivered_at: Some(now),
            });
            steps += 1;
            if live.instance.state == State::Completed {
                done.push(i);
            }
        }
        let mut tx = store.begin().await.map_err(err)?;
        tx.write_batch(batch).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        // Acknowledged: the round is durable. Finished cases leave, new ones start.
        for i in done {
            latencies.push(lives[i].started.elapsed().as_secs_f64() * 1000.0);
            next += 1;
            lives[i] = fresh(next, &run);
        }
    }
    Ok((latencies, steps))
}

/// `shenpi bench http`: the load generator of issue 5. Against a running server with the demo
/// data, each case goes submit → accept (clerk) → review (reviewer) → decide (approver) over
/// HTTP, `concurrency` cases at a time, for `seconds`; prints cases/s and the p50/p99 of one
/// case and of one request. The item is 建筑工程施工许可证核发 in 市南区 on its built-in steps.
pub async fn http(base: &str, seconds: f64, concurrency: usize) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let base = base.trim_end_matches('/').to_string();
    let h = Http { client, base };
    let citizen = h.login("citizen").await?;
    let staff = [
        h.login("clerk-370202").await?,
        h.login("reviewer-370202").await?,
        h.login("approver-370202").await?,
    ];
    // The item's uploads for its first situation, uploaded once and reused.
    let (_, item) = h
        .call("GET", "/api/v1/items/QDJS00501-01?region=370202", "", None)
        .await?;
    let situation = item["item"]["situations"][0].clone();
    let mut files = serde_json::Map::new();
    for m in item["item"]["materials"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let key = m["key"].as_str().unwrap_or_default().to_string();
        let chosen = situation["materials"]
            .as_array()
            .is_some_and(|a| a.iter().any(|k| *k == m["key"]));
        if m["source"]["kind"] == "upload" && (m["always_required"] == true || chosen) {
            let r = h
                .client
                .post(format!("{}/api/v1/materials?name={key}.pdf", h.base))
                .bearer_auth(&citizen)
                .body(format!("%PDF-1.7 bench {key}").into_bytes())
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let v: serde_json::Value =
                serde_json::from_slice(&r.bytes().await.map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            files.insert(key, v["id"].clone());
        }
    }
    let template = json!({"item_code": "QDJS00501-01", "region": "370202",
        "situation": situation["key"], "materials": files});
    let shared = Arc::new((h, citizen, staff, template));
    let start = Instant::now();
    let id = shenpi_store::new_id().replace('-', "");
    let run = Arc::new(id[id.len() - 10..].to_string());
    let mut handles = vec![];
    for w in 0..concurrency.max(1) {
        let (shared, run) = (shared.clone(), run.clone());
        handles.push(tokio::spawn(async move {
            let (h, citizen, staff, template) = &*shared;
            let mut cases = vec![];
            let mut requests = vec![];
            let mut n = 0;
            while start.elapsed().as_secs_f64() < seconds {
                n += 1;
                let t0 = Instant::now();
                let mut body = template.clone();
                body["idempotency_key"] = json!(format!("{run}-{w}-{n}"));
                let (ms, c) = h.call("POST", "/api/v1/cases", citizen, Some(body)).await?;
                requests.push(ms);
                // Each answer names the step the case waits on next.
                let mut answer = c;
                for (token, outcome) in staff.iter().zip(["accept", "approve", "approve"]) {
                    let task = answer["open_tasks"][0]["id"]
                        .as_str()
                        .ok_or_else(|| format!("no open task: {answer}"))?
                        .to_string();
                    let (ms, v) = h
                        .call(
                            "POST",
                            &format!("/api/v1/tasks/{task}/complete"),
                            token,
                            Some(json!({"outcome": outcome, "opinion": "同意"})),
                        )
                        .await?;
                    requests.push(ms);
                    if v.get("code").is_some() {
                        return Err(format!("{outcome}: {v}"));
                    }
                    answer = v;
                }
                if answer["status"] != "granted" {
                    return Err(format!("case not granted: {answer}"));
                }
                cases.push(t0.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>((cases, requests))
        }));
    }
    let mut cases = vec![];
    let mut requests = vec![];
    for hd in handles {
        let (c, r) = hd.await.map_err(|e| e.to_string())??;
        cases.extend(c);
        requests.extend(r);
    }
    let elapsed = start.elapsed().as_secs_f64();
    cases.sort_by(f64::total_cmp);
    requests.sort_by(f64::total_cmp);
    let pct = |v: &[f64], p: f64| {
        v.get(((v.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "| submit → accept → review → decide over HTTP | {concurrency} | {} | **{:.1}** | {:.1} ms | {:.1} ms | {:.0} | {:.1} ms | {:.1} ms |",
        cases.len(),
        cases.len() as f64 / elapsed,
        pct(&cases, 0.5),
        pct(&cases, 0.99),
        requests.len() as f64 / elapsed,
        pct(&requests, 0.5),
        pct(&requests, 0.99)
    );
    Ok(())
}

/// A small JSON-over-HTTP client for the load generator.
struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    async fn login(&self, username: &str) -> Result<String, String> {
        let (_, v) = self
            .call(
                "POST",
                "/api/v1/auth/login",
                "",
                Some(json!({"username": username, "password": shenpi_app::demo::DEMO_PASSWORD})),
            )
            .await?;
        v["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("cannot sign in as {username}: {v}"))
    }

    /// (milliseconds, JSON body) of one request.
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(f64, serde_json::Value), String> {
        let t0 = Instant::now();
        let url = format!("{}{path}", self.base);
        let mut req = if method == "GET" {
            self.client.get(url)
        } else {
            self.client.post(url)
        };
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let r = req.send().await.map_err(|e| e.to_string())?;
        let bytes = r.bytes().await.map_err(|e| e.to_string())?;
        let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Ok((t0.elapsed().as_secs_f64() * 1000.0, v))
    }
}

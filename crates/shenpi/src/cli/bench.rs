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
use shenpi_store::model::{AuditDraft, Delivery, StoredCase, Task};
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
        let mut tx = store.begin().await.map_err(err)?;
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
                tx.insert_case(&live.case).await.map_err(err)?;
                live.new = false;
            } else {
                tx.update_case(&live.case, live.case.revision - 1)
                    .await
                    .map_err(err)?;
            }
            // The task row closed, and those opened.
            if let Some(t) = finished_task
                && let Some(pos) = live.rows.iter().position(|(e, _)| *e == t)
            {
                let (_, mut row) = live.rows.remove(pos);
                row.status = "completed".into();
                row.completed_at = Some(now);
                row.revision += 1;
                tx.update_task(&row, row.revision - 1).await.map_err(err)?;
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
                tx.insert_task(&row).await.map_err(err)?;
                live.rows.push((t.id, row));
            }
            // The audit entry and the outbox event.
            tx.append_audit(AuditDraft {
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
            })
            .await
            .map_err(err)?;
            tx.insert_delivery(&Delivery {
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
            })
            .await
            .map_err(err)?;
            steps += 1;
            if live.instance.state == State::Completed {
                done.push(i);
            }
        }
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

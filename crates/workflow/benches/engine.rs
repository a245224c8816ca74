//! Engine benchmarks on the two standard workloads of `shared/bench` (see docs/BENCHMARKS.md).
//!
//! `cargo bench -p shenpi-workflow --bench engine` runs each workload in mode (a) in memory and
//! (b) with the instance serialized to JSON after every step, for `BENCH_SECS` seconds each
//! (default 10), on one thread, and prints one Markdown table row per run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::json;
use shenpi_workflow::{Command, Instance, Process, State, Variables, parse_bpmn, step};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Memory,
    Json,
}

/// Latency histogram: 10 ns buckets below 100 µs, 1 µs buckets up to 100 ms.
struct Histogram {
    buckets: Vec<u64>,
    count: u64,
}

impl Histogram {
    fn new() -> Self {
        Self {
            buckets: vec![0; 10_000 + 100_000],
            count: 0,
        }
    }
    fn record(&mut self, d: Duration) {
        let ns = d.as_nanos() as usize;
        let i = if ns < 100_000 {
            ns / 10
        } else {
            (10_000 + (ns - 100_000) / 1000).min(self.buckets.len() - 1)
        };
        self.buckets[i] += 1;
        self.count += 1;
    }
    fn quantile(&self, q: f64) -> Duration {
        let target = ((self.count as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= target {
                let ns = if i < 10_000 {
                    i * 10 + 5
                } else {
                    100_000 + (i - 10_000) * 1000 + 500
                };
                return Duration::from_nanos(ns as u64);
            }
        }
        Duration::ZERO
    }
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Runner<'p> {
    process: &'p Process,
    mode: Mode,
    now: DateTime<Utc>,
    bytes: usize,
}

impl Runner<'_> {
    fn step(&mut self, instance: &Instance, command: Command) -> Instance {
        let s = step(self.process, instance, command, self.now).unwrap();
        if self.mode == Mode::Json {
            let json = serde_json::to_vec(&s.instance).unwrap();
            self.bytes = json.len();
            std::hint::black_box(json);
        }
        s.instance
    }

    fn complete_first(&mut self, instance: &Instance, variables: Variables) -> Instance {
        let task = instance.tasks[0].id;
        self.step(instance, Command::CompleteTask { task, variables })
    }
}

fn approval(r: &mut Runner, n: u64) -> Instance {
    let amount = if n.is_multiple_of(2) { 500 } else { 5000 };
    let mut vars = Variables::new();
    vars.insert("amount".to_owned(), json!(amount));
    let i = r.step(
        &Instance::new(),
        Command::Start {
            variables: Variables::new(),
        },
    );
    let mut i = r.complete_first(&i, vars);
    while !i.tasks.is_empty() {
        i = r.complete_first(&i, Variables::new());
    }
    i
}

fn bundle(r: &mut Runner, _n: u64) -> Instance {
    let mut i = r.step(
        &Instance::new(),
        Command::Start {
            variables: Variables::new(),
        },
    );
    while !i.tasks.is_empty() {
        i = r.complete_first(&i, Variables::new());
    }
    i
}

fn run(
    name: &str,
    process: &Process,
    mode: Mode,
    secs: f64,
    work: fn(&mut Runner, u64) -> Instance,
) {
    let mut r = Runner {
        process,
        mode,
        now: DateTime::UNIX_EPOCH,
        bytes: 0,
    };
    for n in 0..10_000 {
        assert_eq!(work(&mut r, n).state, State::Completed); // warm-up and sanity check
    }
    let mut hist = Histogram::new();
    let started = Instant::now();
    let budget = Duration::from_secs_f64(secs);
    let mut n = 0u64;
    while started.elapsed() < budget {
        for _ in 0..1000 {
            let t = Instant::now();
            let done = work(&mut r, n);
            hist.record(t.elapsed());
            debug_assert_eq!(done.state, State::Completed);
            n += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mode = match mode {
        Mode::Memory => "in memory".to_owned(),
        Mode::Json => format!("JSON after every step ({} B at the end)", r.bytes),
    };
    println!(
        "| {name} | {mode} | {n} | {:.0} | {:.1} µs | {:.1} µs | {:.1} MB |",
        n as f64 / elapsed,
        hist.quantile(0.5).as_nanos() as f64 / 1000.0,
        hist.quantile(0.99).as_nanos() as f64 / 1000.0,
        peak_rss_mb(),
    );
}

fn main() {
    let secs: f64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let load =
        |f: &str| parse_bpmn(&std::fs::read_to_string(format!("{dir}{f}")).unwrap()).unwrap();
    let approval_p = load("approval_evaluate.bpmn");
    let bundle_p = load("bundle.bpmn");
    println!("| workload | mode | instances | instances/s | median | p99 | peak RSS (process) |");
    println!("|---|---|---|---|---|---|---|");
    run("approval", &approval_p, Mode::Memory, secs, approval);
    run("bundle", &bundle_p, Mode::Memory, secs, bundle);
    run("approval", &approval_p, Mode::Json, secs, approval);
    run("bundle", &bundle_p, Mode::Json, secs, bundle);
}

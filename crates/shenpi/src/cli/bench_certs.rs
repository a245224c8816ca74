//! `shenpi bench certs`: electronic-certificate throughput — the signature library on one
//! thread (SM2 and Ed25519 verify and token issue), issuance by the platform (a certificate
//! signed and committed per transaction, on the configured store) and, with `--base`, the
//! public verification endpoint of a running server under concurrent load.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use shenpi_certs::bench::{bench_issue, bench_verify};
use shenpi_certs::keys::Algorithm;

use super::open_app;
use crate::config::Config;

pub async fn run(
    cfg: &Config,
    iterations: u32,
    issue: usize,
    base: Option<&str>,
    seconds: f64,
    concurrency: usize,
) -> Result<(), String> {
    println!("== signature library, one thread ({iterations} operations each)");
    for alg in [Algorithm::Sm2, Algorithm::Ed25519] {
        for r in [
            bench_verify(alg, iterations).map_err(|e| e.message_en())?,
            bench_issue(alg, iterations).map_err(|e| e.message_en())?,
        ] {
            println!(
                "{:<8} {:<7} {:>10.0} /s  ({:.1} µs each)",
                r.alg.as_str(),
                r.operation,
                r.per_second,
                r.micros_per_op
            );
        }
    }

    if issue > 0 {
        let app = open_app(cfg).await?;
        app.load_demo().await.map_err(|e| e.to_string())?;
        let t0 = Instant::now();
        let n = app
            .bench_issue_certificates(issue)
            .await
            .map_err(|e| e.to_string())?;
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "== issuance by the platform: {n} certificates, each signed (SM2, payload and static token) and committed in its own transaction: {:.0} /s",
            n as f64 / secs
        );
    }

    let Some(base) = base else {
        return Ok(());
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let base = base.trim_end_matches('/').to_owned();
    // (reqwest without its `json` feature: the binary does not need it.)
    let body = json!({"username": "enterprise", "password": shenpi_app::demo::DEMO_PASSWORD});
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let login: Value = serde_json::from_slice(&r.bytes().await.map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let token = login["token"]
        .as_str()
        .ok_or("cannot sign in as enterprise")?;
    let r = client
        .get(format!("{base}/api/v1/certificates"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let mine: Value = serde_json::from_slice(&r.bytes().await.map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let show = mine["items"][0]["static_token"]
        .as_str()
        .ok_or("the demo enterprise holds no certificate")?
        .to_owned();
    let shared = Arc::new((client, base, show));
    let start = Instant::now();
    let mut handles = vec![];
    for _ in 0..concurrency.max(1) {
        let shared = shared.clone();
        handles.push(tokio::spawn(async move {
            let (client, base, show) = &*shared;
            let mut times = vec![];
            while start.elapsed().as_secs_f64() < seconds {
                let t0 = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/certificates/verify"))
                    .header("content-type", "application/json")
                    .body(format!("{{\"token\":\"{show}\"}}"))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let ok = r.status().is_success();
                let body = r.bytes().await.map_err(|e| e.to_string())?;
                if !ok || !body.windows(12).any(|w| w == b"\"valid\":true") {
                    return Err(format!(
                        "verification failed: {}",
                        String::from_utf8_lossy(&body)
                    ));
                }
                times.push(t0.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>(times)
        }));
    }
    let mut all = vec![];
    for h in handles {
        all.extend(h.await.map_err(|e| e.to_string())??);
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "== POST /api/v1/certificates/verify, {concurrency} in flight: {} verifications in {secs:.1} s = {:.0} /s, p50 {:.2} ms, p99 {:.2} ms",
        all.len(),
        all.len() as f64 / secs,
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}

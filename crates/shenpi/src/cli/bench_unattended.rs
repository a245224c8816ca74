//! `shenpi bench unattended`: unattended approval (无人干预自助办) with the demo data — the
//! demo enterprise submits 施工劳务资质备案 again and again; each submission pulls the
//! enterprise record, evaluates the item's automatic-approval rule, stores the case with its
//! decision and works accept → review → decide as the platform. Measured: submission to decision
//! (the answer of `submit_application`, with the case already 准予), p50 and p99.

use shenpi_app::auth::{Channel, LoginInput};
use shenpi_app::cases::Application;
use shenpi_app::{App, RequestMeta};
use shenpi_domain::case::lifecycle::CaseStatus;
use std::sync::Arc;
use std::time::Instant;

pub async fn unattended(
    app: Arc<App>,
    engine: &str,
    seconds: f64,
    concurrency: usize,
) -> Result<(), String> {
    app.load_demo().await.map_err(|e| e.to_string())?;
    let meta = RequestMeta::cli();
    let login = app
        .login(
            LoginInput {
                username: "enterprise".into(),
                password: shenpi_app::demo::DEMO_PASSWORD.into(),
                totp: None,
            },
            Channel::Api,
            &meta,
        )
        .await
        .map_err(|e| format!("the demo enterprise cannot sign in: {e}"))?;
    let p = app
        .authenticate(&login.token)
        .await
        .map_err(|e| e.to_string())?;
    let run = shenpi_store::new_id();
    let start = Instant::now();
    let mut handles = vec![];
    for w in 0..concurrency.max(1) {
        let (app, p, run, meta) = (app.clone(), p.clone(), run.clone(), meta.clone());
        handles.push(tokio::spawn(async move {
            let mut lat = vec![];
            let mut n = 0u64;
            while start.elapsed().as_secs_f64() < seconds {
                n += 1;
                let a = Application {
                    item_code: "QDJS01001-01".into(),
                    region: "370202".into(),
                    situation: Some("first".into()),
                    form: serde_json::json!({"uscc": shenpi_app::demo::demo_uscc(), "contact": "李示例",
                        "contact_mobile": "13800000000", "commitment": true}),
                    materials: Default::default(),
                    idempotency_key: format!("{run}-{w}-{n}"),
                    draft_id: None,
                };
                let t0 = Instant::now();
                let done = app
                    .submit_application(&p, a, &meta)
                    .await
                    .map_err(|e| e.to_string())?;
                let (c, created) = (done.case, done.created);
                lat.push(t0.elapsed().as_secs_f64() * 1000.0);
                if !created {
                    return Err(format!("case {} existed already", c.number));
                }
                if c.status != CaseStatus::Granted {
                    return Err(format!("case {} was not decided: {:?}", c.number, c.status));
                }
            }
            Ok::<_, String>(lat)
        }));
    }
    let mut lat = vec![];
    for h in handles {
        lat.extend(h.await.map_err(|e| e.to_string())??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "| workload | store | in flight | cases | cases/s | submission → decision p50 | p99 | max |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| 施工劳务资质备案, unattended | {engine} | {concurrency} | {} | {:.1} | {:.1} ms | **{:.1} ms** | {:.1} ms |",
        lat.len(),
        lat.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(0.0)
    );
    Ok(())
}

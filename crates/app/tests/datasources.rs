//! The HTTP registry adapter against a local stub registry that answers, slows down, fails and
//! recovers: timeouts per attempt, retries, the circuit breaker and the freshness-limited cache.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_app::datasources::source::Source;
use shenpi_app::datasources::{HttpSettings, HttpSource, SharedData, SourceError};
use shenpi_domain::registry::RegistryKind;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const OK: u8 = 0;
const SLOW: u8 = 1;
const FAIL: u8 = 2;

/// A registry stub: `GET /expert/SB-1` answers the record, any other key 404; in SLOW mode it
/// answers after 2 s, in FAIL mode with 500. Counts the requests it reads.
struct Stub {
    mode: AtomicU8,
    hits: AtomicU32,
}

async fn start_stub() -> (String, Arc<Stub>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stub = Arc::new(Stub {
        mode: AtomicU8::new(OK),
        hits: AtomicU32::new(0),
    });
    let s = stub.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let s = s.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                s.hits.fetch_add(1, Ordering::SeqCst);
                let path = req.split_whitespace().nth(1).unwrap_or("").to_string();
                let (status, body) = match s.mode.load(Ordering::SeqCst) {
                    SLOW => {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        ("200 OK", "{}".to_string())
                    }
                    FAIL => ("500 Internal Server Error", "{}".to_string()),
                    _ if path == "/expert/SB-1" => (
                        "200 OK",
                        r#"{"id":"SB-1","name":"测试专家","field":"水土保持","qualification":"工程师","valid_from":"2024-01-01","valid_until":"2029-12-31"}"#.to_string(),
                    ),
                    _ => ("404 Not Found", "{}".to_string()),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}"), stub)
}

fn settings(base: &str) -> HttpSettings {
    HttpSettings {
        base_url: base.to_string(),
        timeout: Duration::from_millis(200),
        retries: 1,
        backoff: Duration::from_millis(10),
        breaker_failures: 3,
        breaker_cooldown: Duration::from_millis(400),
    }
}

#[tokio::test]
async fn a_slow_or_failing_registry_is_retried_then_cut_off_and_used_again_once_it_recovers() {
    let (base, stub) = start_stub().await;
    let src = HttpSource::new(settings(&base));
    let hits = || stub.hits.load(Ordering::SeqCst);

    // Answers: a record, and no record for an unknown key.
    let v = src
        .fetch(RegistryKind::Expert, "SB-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v["name"], "测试专家");
    assert_eq!(src.fetch(RegistryKind::Expert, "SB-2").await.unwrap(), None);
    assert_eq!(hits(), 2);

    // Slow: each attempt times out after 200 ms; one retry; two failures in a row.
    stub.mode.store(SLOW, Ordering::SeqCst);
    let t = std::time::Instant::now();
    assert_eq!(
        src.fetch(RegistryKind::Expert, "SB-1").await,
        Err(SourceError::Timeout(200))
    );
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(hits(), 4);

    // Failing: the third failure in a row opens the circuit; the retry is refused at once.
    stub.mode.store(FAIL, Ordering::SeqCst);
    assert_eq!(
        src.fetch(RegistryKind::Expert, "SB-1").await,
        Err(SourceError::CircuitOpen)
    );
    assert_eq!(hits(), 5);
    // While open, nothing reaches the registry.
    assert_eq!(
        src.fetch(RegistryKind::Expert, "SB-1").await,
        Err(SourceError::CircuitOpen)
    );
    assert_eq!(hits(), 5);

    // The registry recovers; after the cooldown one trial call closes the circuit.
    stub.mode.store(OK, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let v = src
        .fetch(RegistryKind::Expert, "SB-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v["id"], "SB-1");
    assert_eq!(hits(), 6);
    assert!(src.fetch(RegistryKind::Expert, "SB-2").await.is_ok());
    assert_eq!(hits(), 7);
}

#[tokio::test]
async fn the_cache_serves_fresh_records_only() {
    let (base, stub) = start_stub().await;
    let hits = || stub.hits.load(Ordering::SeqCst);
    let fresh = SharedData::new(
        Arc::new(HttpSource::new(settings(&base))),
        Duration::from_secs(60),
    );
    assert!(!fresh.get(RegistryKind::Expert, "SB-1").await.unwrap().1);
    let (v, cached) = fresh.get(RegistryKind::Expert, "SB-1").await.unwrap();
    assert!(cached);
    assert_eq!(v.unwrap()["name"], "测试专家");
    assert_eq!(hits(), 1);
    // A failing registry is not hidden by the cache for records it has not got.
    stub.mode.store(FAIL, Ordering::SeqCst);
    assert!(fresh.get(RegistryKind::Expert, "SB-3").await.is_err());
    stub.mode.store(OK, Ordering::SeqCst);

    let stale = SharedData::new(
        Arc::new(HttpSource::new(settings(&base))),
        Duration::from_millis(0),
    );
    let before = hits();
    stale.get(RegistryKind::Expert, "SB-1").await.unwrap();
    let (_, cached) = stale.get(RegistryKind::Expert, "SB-1").await.unwrap();
    assert!(
        !cached,
        "an entry older than the freshness limit is fetched again"
    );
    assert_eq!(hits(), before + 2);
}

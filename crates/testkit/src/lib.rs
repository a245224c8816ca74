//! Test helpers for shenpi: [`spawn_app`] starts the real application on port 0 with a fresh
//! database (a SQLite temp dir, or a fresh PostgreSQL schema when `SHENPI_TEST_DATABASE_URL`
//! is set) and a fake clock; [`browser`] drives headless Chromium. Never shipped in the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod browser;

use chrono::{TimeZone, Utc};
use shenpi_app::{App, FakeClock, Settings};
use shenpi_store::Store;
use shenpi_store_sql::SqlStore;
use std::sync::Arc;

/// A running application.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub app: Arc<App>,
    pub clock: Arc<FakeClock>,
    /// The store, with raw SQL access for tamper tests.
    pub store: Arc<SqlStore>,
    /// The SQLite data dir (None on PostgreSQL).
    pub data_dir: Option<std::path::PathBuf>,
    /// "sqlite" or "postgres".
    pub engine: &'static str,
    _dir: Option<tempfile::TempDir>,
    _server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// Options for [`spawn_app_with`].
#[derive(Debug, Clone)]
pub struct Options {
    pub demo: bool,
    pub web: shenpi_web::WebConfig,
    /// Application settings (e.g. an outside registry to read shared data from).
    pub settings: Settings,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            demo: true,
            web: shenpi_web::WebConfig::default(),
            settings: Settings::default(),
        }
    }
}

/// The fake clock's start: Saturday 2026-11-28 10:00 in Qingdao.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
}

/// A fresh migrated store for the engine selected by the environment.
pub async fn fresh_store() -> (Arc<SqlStore>, Option<tempfile::TempDir>, &'static str) {
    match std::env::var("SHENPI_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let schema = format!("t_{}", shenpi_store::new_id().replace('-', ""));
            let s = SqlStore::open_postgres_in_schema(&url, Some(&schema))
                .await
                .unwrap();
            s.migrate().await.unwrap();
            (Arc::new(s), None, "postgres")
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let s = SqlStore::open_sqlite(dir.path()).await.unwrap();
            s.migrate().await.unwrap();
            (Arc::new(s), Some(dir), "sqlite")
        }
    }
}

/// Starts the application with demo data.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// Starts the application with options.
pub async fn spawn_app_with(opts: Options) -> TestApp {
    let (store, dir, engine) = fresh_store().await;
    let clock = Arc::new(FakeClock::new(start_time()));
    let dyn_store: Arc<dyn Store> = store.clone();
    let app = App::new(dyn_store, clock.clone(), opts.settings)
        .await
        .unwrap();
    if opts.demo {
        app.load_demo().await.unwrap();
    }
    let state = shenpi_web::AppState::new(app.clone(), opts.web);
    let router = shenpi_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        app,
        clock,
        store,
        data_dir: dir.as_ref().map(|d| d.path().to_path_buf()),
        engine,
        _dir: dir,
        _server: server,
    }
}

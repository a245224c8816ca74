//! The HTTP adapter of shenpi: the `/api/v1` JSON API with its OpenAPI document, the
//! server-rendered pages (askama templates compiled into the binary, htmx), embedded assets,
//! health and metrics endpoints.
//!
//! # Layout
//! - [`routes`]: the one route table: every route with its method, path and declared access.
//! - [`guard`]: authentication and the route-level authorization decision.
//! - [`error`]: the one mapping of errors to HTTP responses, and the extractors that turn bad
//!   input into bilingual 4xx answers.
//! - [`api`]: JSON handlers; [`pages`]: HTML handlers; [`openapi`]: the generated document.
//! - [`telemetry`]: request ids, Prometheus metrics, masked access logs.
//!
//! Handlers are thin: extract, call one use case, map the error. Domain rules live in `app`.

pub mod api;
pub mod assets;
pub mod error;
pub mod guard;
pub mod openapi;
pub mod pages;
pub mod ratelimit;
pub mod routes;
pub mod telemetry;

use shenpi_app::App;
use std::sync::Arc;

/// Web settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Trust the first address of `X-Forwarded-For` (behind a reverse proxy).
    pub trust_proxy: bool,
    /// Requests per minute per client address to the public validation API.
    pub validate_per_minute: u32,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            body_limit: 1024 * 1024,
            secure_cookies: false,
            trust_proxy: false,
            validate_per_minute: 120,
        }
    }
}

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<telemetry::Metrics>,
    pub limiter: Arc<ratelimit::RateLimiter>,
}

impl AppState {
    /// State for `app` with `config`.
    pub fn new(app: Arc<App>, config: WebConfig) -> Self {
        let per_minute = config.validate_per_minute;
        AppState {
            app,
            config: Arc::new(config),
            metrics: Arc::new(telemetry::Metrics::default()),
            limiter: Arc::new(ratelimit::RateLimiter::new(per_minute)),
        }
    }
}

pub use routes::router;

//! Where registry records come from: the adapter interface ([`Source`]) and its two
//! implementations — the platform's own registry tables ([`StoreSource`]) and an outside
//! registry over HTTP JSON ([`HttpSource`]) with a timeout per attempt, retries with backoff
//! and a circuit breaker.
//!
//! The HTTP protocol is the simplest a registry gateway offers: `GET {base}/{kind}/{key}`
//! answers `200` with the record as JSON, or `404` when there is none. Anything else (a 5xx,
//! a timeout, a refused connection, a body that is not JSON) is a failure.

use super::breaker::Breaker;
use async_trait::async_trait;
use serde_json::Value;
use shenpi_domain::registry::RegistryKind;
use shenpi_store::Store;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Why a registry could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("the registry did not answer within {0} ms")]
    Timeout(u64),
    #[error("the registry failed: {0}")]
    Failed(String),
    #[error("the circuit to the registry is open after repeated failures")]
    CircuitOpen,
}

impl SourceError {
    /// The Chinese message (shown to staff and stored with the case).
    pub fn message_zh(&self) -> String {
        match self {
            SourceError::Timeout(ms) => format!("共享数据源 {ms} 毫秒内未响应"),
            SourceError::Failed(_) => "共享数据源返回错误".to_owned(),
            SourceError::CircuitOpen => "共享数据源连续失败，已暂时熔断".to_owned(),
        }
    }
}

/// A registry adapter.
#[async_trait]
pub trait Source: Send + Sync {
    /// A name for the pull record, e.g. `本平台共享数据库` or the registry's address.
    fn name(&self) -> String;
    /// The record with `key`, `None` if the registry has none.
    async fn fetch(&self, kind: RegistryKind, key: &str) -> Result<Option<Value>, SourceError>;
}

/// The registry tables of the platform's own store (demo registries, imported copies).
pub struct StoreSource {
    pub store: Arc<dyn Store>,
}

#[async_trait]
impl Source for StoreSource {
    fn name(&self) -> String {
        "本平台共享数据库".to_owned()
    }

    async fn fetch(&self, kind: RegistryKind, key: &str) -> Result<Option<Value>, SourceError> {
        let failed = |e: &dyn std::fmt::Display| SourceError::Failed(e.to_string());
        let mut tx = self.store.read().await.map_err(|e| failed(&e))?;
        let Some(r) = tx
            .registry_record(kind.as_str(), key)
            .await
            .map_err(|e| failed(&e))?
        else {
            return Ok(None);
        };
        serde_json::from_str(&r.data)
            .map(Some)
            .map_err(|e| failed(&e))
    }
}

/// How an [`HttpSource`] behaves.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// e.g. `http://registry.gov.example/api`
    pub base_url: String,
    /// Per attempt.
    pub timeout: Duration,
    /// Attempts after the first.
    pub retries: u32,
    /// Backoff before the first retry; doubled each time.
    pub backoff: Duration,
    /// Failed calls in a row that open the circuit.
    pub breaker_failures: u32,
    pub breaker_cooldown: Duration,
}

impl HttpSettings {
    /// Defaults for `base_url`: 800 ms a try, 2 retries from 100 ms, open after 5 failures
    /// for 30 s.
    pub fn new(base_url: &str) -> HttpSettings {
        HttpSettings {
            base_url: base_url.trim_end_matches('/').to_owned(),
            timeout: Duration::from_millis(800),
            retries: 2,
            backoff: Duration::from_millis(100),
            breaker_failures: 5,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// An outside registry over HTTP JSON.
pub struct HttpSource {
    settings: HttpSettings,
    client: reqwest::Client,
    breaker: Mutex<Breaker>,
}

impl HttpSource {
    pub fn new(settings: HttpSettings) -> HttpSource {
        let breaker = Breaker::new(settings.breaker_failures, settings.breaker_cooldown);
        HttpSource {
            client: reqwest::Client::new(),
            breaker: Mutex::new(breaker),
            settings,
        }
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        match self.breaker.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    async fn attempt(&self, url: &str) -> Result<Option<Value>, SourceError> {
        let ms = u64::try_from(self.settings.timeout.as_millis()).unwrap_or(u64::MAX);
        let call = async {
            let resp = self
                .client
                .get(url)
                .header("accept", "application/json")
                .send()
                .await
                .map_err(|e| SourceError::Failed(e.to_string()))?;
            match resp.status().as_u16() {
                404 => Ok(None),
                200 => {
                    let body = resp
                        .bytes()
                        .await
                        .map_err(|e| SourceError::Failed(e.to_string()))?;
                    serde_json::from_slice(&body)
                        .map(Some)
                        .map_err(|e| SourceError::Failed(format!("not JSON: {e}")))
                }
                s => Err(SourceError::Failed(format!("HTTP {s}"))),
            }
        };
        tokio::time::timeout(self.settings.timeout, call)
            .await
            .unwrap_or(Err(SourceError::Timeout(ms)))
    }
}

#[async_trait]
impl Source for HttpSource {
    fn name(&self) -> String {
        self.settings.base_url.clone()
    }

    async fn fetch(&self, kind: RegistryKind, key: &str) -> Result<Option<Value>, SourceError> {
        // Keys are checked by the caller (RegistryKind::check_key): letters, digits and `-`.
        let url = format!("{}/{}/{}", self.settings.base_url, kind.as_str(), key);
        let mut backoff = self.settings.backoff;
        let mut last = SourceError::CircuitOpen;
        for attempt in 0..=self.settings.retries {
            if attempt > 0 {
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
            if !self.breaker().allow(Instant::now()) {
                return Err(SourceError::CircuitOpen);
            }
            match self.attempt(&url).await {
                Ok(v) => {
                    self.breaker().success();
                    return Ok(v);
                }
                Err(e) => {
                    tracing::warn!(registry = %self.settings.base_url, kind = kind.as_str(), attempt, error = %e, "registry call failed");
                    self.breaker().failure(Instant::now());
                    last = e;
                }
            }
        }
        Err(last)
    }
}

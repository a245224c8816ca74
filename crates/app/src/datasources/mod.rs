//! Shared data sources (数据共享): the platform reads enterprises, persons, experts and projects
//! from registries instead of asking applicants for them.
//!
//! - [`source`]: the adapter interface and its implementations (the platform's own registry
//!   tables; an outside registry over HTTP JSON with timeouts, retries and a circuit breaker).
//! - [`SharedData`]: a source with a cache whose entries are used only while fresh.
//! - Every pull is recorded as a [`DataPull`] (which registry, which record, from where, for what
//!   purpose) and audited (`data.pull`): who, which record, for which case. Nothing is fetched
//!   without a purpose; staff look-ups need an open task of theirs on the case.
//! - [`demo`]: the fictional demo registries loaded by `shenpi demo`.

mod breaker;
pub mod demo;
pub mod source;

pub use source::{HttpSettings, HttpSource, SourceError, StoreSource};

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::mask::mask_id_number;
use shenpi_domain::registry::RegistryKind;
use shenpi_store::model::User;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a cached record is used, default.
pub const DEFAULT_FRESHNESS: Duration = Duration::from_secs(300);
/// Cache entries kept at most; the cache is emptied when it is full.
const CACHE_LIMIT: usize = 20_000;

/// Answers by (registry, key): the record (or none) and when it was fetched.
type Cache = HashMap<(RegistryKind, String), (Option<Value>, Instant)>;

/// A record source with a freshness-limited cache.
pub struct SharedData {
    source: Arc<dyn source::Source>,
    freshness: Duration,
    cache: Mutex<Cache>,
}

impl SharedData {
    pub fn new(source: Arc<dyn source::Source>, freshness: Duration) -> SharedData {
        SharedData {
            source,
            freshness,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        match self.cache.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The record (`None`: the registry has none) and whether it came from the cache.
    pub async fn get(
        &self,
        kind: RegistryKind,
        key: &str,
    ) -> Result<(Option<Value>, bool), SourceError> {
        let k = (kind, key.to_owned());
        if let Some((v, at)) = self.cache().get(&k)
            && at.elapsed() < self.freshness
        {
            return Ok((v.clone(), true));
        }
        let v = self.source.fetch(kind, key).await?;
        let mut cache = self.cache();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(k, (v.clone(), Instant::now()));
        Ok((v, false))
    }

    /// The source's name.
    pub fn source_name(&self) -> String {
        self.source.name()
    }
}

/// Why data is pulled (调取用途): the case it serves and what for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purpose {
    pub case_id: Option<String>,
    /// e.g. `申请预填`, `自动审批核验`, `经办人员核查`.
    pub reason: String,
}

/// One pull from a registry, kept with the case and in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataPull {
    pub kind: RegistryKind,
    /// The data set's Chinese name.
    pub dataset: String,
    /// The record's key; ID numbers masked.
    pub key: String,
    pub source: String,
    pub at: DateTime<Utc>,
    pub cached: bool,
    pub found: bool,
    /// Why the registry could not answer (Chinese), if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub purpose: String,
}

impl DataPull {
    /// The audit entry of this pull by `by` (None: the platform itself).
    pub fn audit(
        &self,
        meta: &RequestMeta,
        region: &str,
        by: Option<&User>,
        purpose: &Purpose,
    ) -> shenpi_store::model::AuditDraft {
        meta.audit(
            self.at,
            region,
            by,
            "data.pull",
            (self.kind.as_str(), &self.key),
            if self.error.is_some() {
                "failure"
            } else {
                "success"
            },
            json!({"case": purpose.case_id, "purpose": purpose.reason, "source": self.source,
                   "cached": self.cached, "found": self.found, "error": self.error}),
        )
    }
}

fn shown_key(kind: RegistryKind, key: &str) -> String {
    if kind == RegistryKind::Person {
        mask_id_number(key)
    } else {
        key.to_owned()
    }
}

impl App {
    /// Pulls one record for `purpose`. The key must be valid for the registry. A registry that
    /// cannot answer gives `Ok` with the failure in the [`DataPull`] and no record, so a case is
    /// never lost to an outage: the caller decides (e.g. route the case to a reviewer).
    pub async fn pull(
        &self,
        kind: RegistryKind,
        key: &str,
        purpose: &Purpose,
    ) -> Result<(Option<Value>, DataPull), AppError> {
        let key = kind.check_key(key).map_err(|e| {
            AppError::invalid_text("key", "DATA_KEY_INVALID", e.message_zh(), &e.to_string())
        })?;
        let (record, cached, error) = match self.shared_data.get(kind, &key).await {
            Ok((v, cached)) => (v, cached, None),
            Err(e) => (None, false, Some(e.message_zh())),
        };
        let pull = DataPull {
            kind,
            dataset: kind.name_zh().to_owned(),
            key: shown_key(kind, &key),
            source: self.shared_data.source_name(),
            at: self.clock.now(),
            cached,
            found: record.is_some(),
            error,
            purpose: purpose.reason.clone(),
        };
        Ok((record, pull))
    }

    /// A staff look-up (核查) of a registry record for a case: only with an open task of the
    /// caller's on that case (the authorised purpose), audited with the case.
    pub async fn lookup_registry(
        &self,
        p: &Principal,
        kind: RegistryKind,
        key: &str,
        case_id: &str,
        meta: &RequestMeta,
    ) -> Result<(Value, DataPull), AppError> {
        authorize(p, Action::DataLookup, None)?;
        let region = {
            let mut tx = self.store.read().await?;
            let mut mine = None;
            for t in tx.tasks_of_case(case_id).await? {
                if t.status != "open" {
                    continue;
                }
                if crate::tasks::my_open_task(&mut tx, p, &t.id).await.is_ok() {
                    mine = Some(t.region_code.clone());
                    break;
                }
            }
            mine.ok_or_else(|| {
                AppError::rule(ErrorCode::DATA_PURPOSE_REQUIRED, json!({"case": case_id}))
            })?
        };
        let purpose = Purpose {
            case_id: Some(case_id.to_owned()),
            reason: "经办人员核查".into(),
        };
        let (record, pull) = self.pull(kind, key, &purpose).await?;
        let mut tx = self.store.begin().await?;
        tx.append_audit(pull.audit(meta, &region, Some(&p.user), &purpose))
            .await?;
        tx.commit().await?;
        if let Some(e) = &pull.error {
            return Err(AppError::rule(
                ErrorCode::DATA_SOURCE_UNAVAILABLE,
                json!({"reason_zh": e, "kind": kind.as_str()}),
            ));
        }
        let record = record.ok_or_else(|| {
            AppError::rule(
                ErrorCode::DATA_RECORD_NOT_FOUND,
                json!({"kind": kind.as_str(), "key": pull.key}),
            )
        })?;
        Ok((record, pull))
    }

    /// Real-name check (实名核验) of a self-registering person: the population registry must
    /// know `id_number` under `name` in status 正常. The pull is audited; the answer never says
    /// whether the ID number exists.
    pub async fn verify_real_name(
        &self,
        id_number: &str,
        name: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let purpose = Purpose {
            case_id: None,
            reason: "自助注册实名核验".into(),
        };
        let (record, pull) = self.pull(RegistryKind::Person, id_number, &purpose).await?;
        let region = shenpi_domain::regions::QINGDAO_CITY;
        let mut tx = self.store.begin().await?;
        tx.append_audit(pull.audit(meta, region, None, &purpose))
            .await?;
        tx.commit().await?;
        if let Some(e) = &pull.error {
            return Err(AppError::rule(
                ErrorCode::DATA_SOURCE_UNAVAILABLE,
                json!({"reason_zh": e, "kind": "person"}),
            ));
        }
        let person = record.and_then(|v| match RegistryKind::Person.parse_record(&v) {
            Ok(shenpi_domain::registry::Record::Person(p)) => Some(p),
            _ => None,
        });
        match person {
            Some(p) if p.name == name && p.status == "正常" => Ok(()),
            _ => Err(AppError::rule(ErrorCode::REAL_NAME_MISMATCH, json!({}))),
        }
    }
}

//! Use cases of shenpi (审批): everything the platform does, independent of HTTP.
//!
//! # Layout
//! - [`App`]: the shared state (store, clock, settings, calendar) every use case runs on.
//! - [`policy`]: authorization in one place — every route declares an [`policy::Action`].
//! - [`auth`]: sign-in, sessions, lockout, TOTP, password change, self-registration.
//! - [`users`], [`audit`], [`calendar`], [`org`]: administration use cases.
//! - [`demo`]: the fictional-but-valid demo data.
//! - [`datasources`]: shared data sources (数据共享) with cache, circuit breaker and audit.
//! - [`decisions`]: rule decisions on cases and unattended approval (无人干预自助办).
//! - [`prefill`]: no re-typing (免填写) and zero materials (免提交) from shared data.
//! - [`diagram`]: process versions and case diagrams (current and completed steps).
//! - [`registration`]: the smart company-registration form (企业登记注册智能表单).
//! - [`error`]: [`AppError`], mapped onto the public error table.
//!
//! Each state change runs in one store transaction together with its audit entry.

pub mod audit;
pub mod auth;
mod background;
pub mod bundles;
pub mod calendar;
mod case_cache;
pub mod cases;
pub mod catalog;
pub mod certs;
pub mod clock;
pub mod datasources;
pub mod decisions;
pub mod demo;
pub mod diagram;
pub mod drafts;
pub mod error;
pub mod forms;
pub mod load;
pub mod materials;
pub mod notices;
pub mod notify;
pub mod org;
pub mod partners;
pub mod passwords;
pub mod policy;
pub mod prefill;
pub mod principal;
pub mod principal_cache;
pub mod processes;
pub mod registration;
pub mod rules;
pub mod tasks;
pub mod totp;
pub mod users;

pub use clock::{Clock, FakeClock, SystemClock};
pub use error::AppError;
pub use principal::{Principal, RequestMeta};

use shenpi_domain::calendar::Calendar;
use shenpi_store::Store;
use std::sync::{Arc, RwLock};

/// Tunable security settings (defaults follow the foundation issue).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Idle session timeout for applicants, in minutes.
    pub idle_minutes_applicant: i64,
    /// Idle session timeout for staff, in minutes.
    pub idle_minutes_staff: i64,
    /// Failed sign-ins from one address that lock the account for that address.
    pub lockout_failures: usize,
    /// How long a lockout lasts and how far back failures count, in minutes.
    pub lockout_minutes: i64,
    /// Distinct addresses with failures (within the window) that raise a security alert.
    pub alert_addresses: usize,
    /// Whether returning an accepted case to the applicant (审查补正) pauses the clock
    /// (DOMAIN §11: paused by default).
    pub review_supplement_pauses_clock: bool,
    /// An outside registry gateway (HTTP JSON) to read shared data from; `None`: the
    /// platform's own registry tables (the demo registries).
    pub registry: Option<datasources::HttpSettings>,
    /// How long a pulled record is reused.
    pub registry_freshness: std::time::Duration,
    /// The master key that seals certificate signing keys in the database
    /// (`SHENPI_MASTER_KEY`: 64 hex digits or base64 of 32 bytes); None: a random key for this
    /// process only (tests).
    pub master_key: Option<String>,
    /// A key file that holds the certificate signing key instead of the database
    /// (`SHENPI_CERT_KEY_FILE`, mode 0600).
    pub cert_key_file: Option<std::path::PathBuf>,
    /// Channels that carry certificate expiry reminders besides in-app notices: (name, webhook
    /// address), e.g. `("sms", …)` (`SHENPI_SMS_WEBHOOK`), `("email", …)`
    /// (`SHENPI_EMAIL_WEBHOOK`).
    pub reminder_webhooks: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            idle_minutes_applicant: 30,
            idle_minutes_staff: 15,
            lockout_failures: 5,
            lockout_minutes: 15,
            alert_addresses: 3,
            review_supplement_pauses_clock: true,
            registry: None,
            registry_freshness: datasources::DEFAULT_FRESHNESS,
            master_key: None,
            cert_key_file: None,
            reminder_webhooks: vec![],
        }
    }
}

/// The application: shared by every request.
pub struct App {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    calendar: RwLock<Arc<Calendar>>,
    search: catalog::search::SearchState,
    /// Wakes the notice job when a step has issued notices.
    notice_kick: tokio::sync::Notify,
    /// Published item versions already read ([`catalog::versions`]).
    versions: catalog::versions::VersionCache,
    /// The low-priority thread that typesets and seals notices nobody waits for.
    background: background::Background,
    /// Seal keys already parsed (deriving an SM2 key's public point costs as much as a
    /// signature), by key id.
    seal_keys: notices::SealKeyCache,
    /// Principals resolved recently, by session hash.
    principals: principal_cache::PrincipalCache,
    /// Case documents as this node's last step left them ([`case_cache`]).
    case_cache: case_cache::CaseCache,
    /// Shared data sources (数据共享).
    shared_data: datasources::SharedData,
    /// Certificate signing keys (证照签名密钥).
    cert_keys: certs::keys::CertKeys,
    /// Requests served, for work that waits for a quiet node ([`load`]).
    load: load::Load,
}

impl App {
    /// Builds the application and loads the calendar years stored by administrators.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Result<Arc<App>, AppError> {
        let source: Arc<dyn datasources::source::Source> = match &settings.registry {
            Some(http) => Arc::new(datasources::HttpSource::new(http.clone())),
            None => Arc::new(datasources::StoreSource {
                store: store.clone(),
            }),
        };
        let shared_data = datasources::SharedData::new(source, settings.registry_freshness);
        let cert_keys = certs::keys::CertKeys::new(
            settings.master_key.as_deref(),
            settings.cert_key_file.as_deref(),
        )?;
        certs::catalogue::cert_types()?;
        let app = App {
            cert_keys,
            shared_data,
            store,
            clock,
            settings,
            calendar: RwLock::new(Arc::new(Calendar::builtin())),
            search: Default::default(),
            notice_kick: tokio::sync::Notify::new(),
            seal_keys: Default::default(),
            background: Default::default(),
            versions: Default::default(),
            principals: Default::default(),
            case_cache: Default::default(),
            load: Default::default(),
        };
        app.ensure_regions().await?;
        app.reload_calendar().await?;
        Ok(Arc::new(app))
    }

    /// The current working-day calendar.
    pub fn calendar(&self) -> Arc<Calendar> {
        match self.calendar.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The platform serves Qingdao (370200) and its 10 districts (GB/T 2260): make sure they
    /// exist, so a fresh install without demo data can create its first accounts.
    async fn ensure_regions(&self) -> Result<(), AppError> {
        use shenpi_domain::regions::{QINGDAO_CITY, qingdao_districts};
        use shenpi_store::model::Region;
        let existing = {
            let mut tx = self.store.read().await?;
            tx.list_regions().await?
        };
        if existing.len() > qingdao_districts().len() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        tx.upsert_region(&Region {
            code: QINGDAO_CITY.into(),
            name: "青岛市".into(),
            parent: None,
        })
        .await?;
        for (c, n) in qingdao_districts() {
            tx.upsert_region(&Region {
                code: (*c).into(),
                name: (*n).into(),
                parent: Some(QINGDAO_CITY.into()),
            })
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    fn set_calendar(&self, c: Calendar) {
        let mut guard = match self.calendar.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(c);
    }
}

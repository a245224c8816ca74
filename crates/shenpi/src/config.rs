//! Configuration: one typed struct, filled from flags, `SHENPI_*` environment variables and an
//! optional TOML file (in that order of precedence), then defaults.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything `shenpi` can be configured with.
#[derive(Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address the web server listens on (`SHENPI_LISTEN`), default `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// Directory of the SQLite database and files (`SHENPI_DATA_DIR`), default `./data`.
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` selects PostgreSQL instead of the embedded SQLite (`SHENPI_DATABASE_URL`).
    /// May contain a password: it is never printed.
    pub database_url: Option<String>,
    /// PostgreSQL schema to use instead of the default `search_path` (`SHENPI_DATABASE_SCHEMA`):
    /// lowercase letters, digits and `_`. Lets several deployments or test runs share a database.
    pub database_schema: Option<String>,
    /// Seconds between the background scans (`SHENPI_JOB_SECONDS`): workflow timers and deadline
    /// warnings, default 60; webhook deliveries run at least every 10 seconds.
    pub job_seconds: Option<u64>,
    /// Largest accepted request body in bytes (`SHENPI_BODY_LIMIT`), default 1 MiB.
    pub body_limit: Option<usize>,
    /// Mark cookies `Secure`; set when served over HTTPS (`SHENPI_SECURE_COOKIES`).
    pub secure_cookies: Option<bool>,
    /// Trust `X-Forwarded-For` from a reverse proxy (`SHENPI_TRUST_PROXY`).
    pub trust_proxy: Option<bool>,
    /// Requests per minute per address to the public validation API (`SHENPI_VALIDATE_PER_MINUTE`).
    pub validate_per_minute: Option<u32>,
    /// Log level: error, warn, info, debug or trace (`SHENPI_LOG`), default info.
    pub log: Option<String>,
    /// Base address of an outside shared-data registry gateway (HTTP JSON,
    /// `GET {url}/{kind}/{key}`) (`SHENPI_REGISTRY_URL`); unset: the platform's own registry
    /// tables (the demo registries).
    pub registry_url: Option<String>,
    /// The master key that seals certificate signing keys (`SHENPI_MASTER_KEY`: 64 hex digits
    /// or base64 of 32 bytes); unset: `<data dir>/master.key`, made on first start. Never
    /// printed.
    pub master_key: Option<String>,
    /// A key file holding the certificate signing key (`SHENPI_CERT_KEY_FILE`, mode 0600,
    /// `<SM2|Ed25519> <64 hex digits>`) instead of the database.
    pub cert_key_file: Option<PathBuf>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<set, hidden>"),
            )
            .field("database_schema", &self.database_schema)
            .field("job_seconds", &self.job_seconds)
            .field("body_limit", &self.body_limit)
            .field("secure_cookies", &self.secure_cookies)
            .field("trust_proxy", &self.trust_proxy)
            .field("validate_per_minute", &self.validate_per_minute)
            .field("log", &self.log)
            .field("registry_url", &self.registry_url)
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<set, hidden>"),
            )
            .field("cert_key_file", &self.cert_key_file)
            .finish()
    }
}

impl Config {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("invalid config file {}: {e}", path.display()))
    }

    /// `self` where set, else `other`.
    pub fn or(self, other: Config) -> Config {
        Config {
            listen: self.listen.or(other.listen),
            data_dir: self.data_dir.or(other.data_dir),
            database_url: self.database_url.or(other.database_url),
            database_schema: self.database_schema.or(other.database_schema),
            job_seconds: self.job_seconds.or(other.job_seconds),
            body_limit: self.body_limit.or(other.body_limit),
            secure_cookies: self.secure_cookies.or(other.secure_cookies),
            trust_proxy: self.trust_proxy.or(other.trust_proxy),
            validate_per_minute: self.validate_per_minute.or(other.validate_per_minute),
            log: self.log.or(other.log),
            registry_url: self.registry_url.or(other.registry_url),
            master_key: self.master_key.or(other.master_key),
            cert_key_file: self.cert_key_file.or(other.cert_key_file),
        }
    }

    pub fn listen(&self) -> &str {
        self.listen.as_deref().unwrap_or("127.0.0.1:8080")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data"))
    }

    /// The application settings this configuration sets.
    pub fn settings(&self) -> shenpi_app::Settings {
        shenpi_app::Settings {
            registry: self
                .registry_url
                .as_deref()
                .map(shenpi_app::datasources::HttpSettings::new),
            master_key: self.master_key.clone(),
            cert_key_file: self.cert_key_file.clone(),
            reminder_webhooks: [
                ("sms", "SHENPI_SMS_WEBHOOK"),
                ("email", "SHENPI_EMAIL_WEBHOOK"),
            ]
            .into_iter()
            .filter_map(|(name, var)| {
                std::env::var(var)
                    .ok()
                    .filter(|u| !u.is_empty())
                    .map(|u| (name.to_owned(), u))
            })
            .collect(),
            ..Default::default()
        }
    }

    pub fn web(&self) -> shenpi_web::WebConfig {
        let d = shenpi_web::WebConfig::default();
        shenpi_web::WebConfig {
            body_limit: self.body_limit.unwrap_or(d.body_limit),
            secure_cookies: self.secure_cookies.unwrap_or(d.secure_cookies),
            trust_proxy: self.trust_proxy.unwrap_or(d.trust_proxy),
            validate_per_minute: self.validate_per_minute.unwrap_or(d.validate_per_minute),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_url_is_never_printed() {
        let file: Config = toml::from_str("listen = \"0.0.0.0:9000\"\nbody_limit = 10\n").unwrap();
        let flags = Config {
            listen: Some("127.0.0.1:1".into()),
            database_url: Some("postgres://u:secret@h/db".into()),
            ..Default::default()
        };
        let c = flags.or(file);
        assert_eq!(c.listen(), "127.0.0.1:1");
        assert_eq!(c.body_limit, Some(10));
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Config>("lisen = \"x\"").is_err());
    }
}

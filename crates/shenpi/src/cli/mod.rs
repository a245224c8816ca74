//! The command line: `serve`, `migrate`, `demo`, `user`, `audit verify`, `notice verify`,
//! `backup`, `restore`.

mod backup;
mod bench;
mod bench_certs;
mod bench_unattended;
mod cert;
mod import;
mod user;

use crate::config::Config;
use clap::{Parser, Subcommand};
use shenpi_app::{App, SystemClock};
use shenpi_store::Store;
use shenpi_store_sql::SqlStore;
use std::path::PathBuf;
use std::sync::Arc;

/// shenpi (审批) — smart administrative-approval platform.
#[derive(Debug, Parser)]
#[command(name = "shenpi", version, about)]
pub struct Cli {
    /// Optional TOML configuration file.
    #[arg(long, global = true, env = "SHENPI_CONFIG")]
    pub config: Option<PathBuf>,
    /// Directory of the SQLite database and files (default ./data).
    #[arg(long, global = true, env = "SHENPI_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); without it the embedded SQLite is used.
    #[arg(
        long,
        global = true,
        env = "SHENPI_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// PostgreSQL schema (lowercase letters, digits, _); the default search path without it.
    #[arg(long, global = true, env = "SHENPI_DATABASE_SCHEMA")]
    pub database_schema: Option<String>,
    /// Log level (error, warn, info, debug, trace).
    #[arg(long, global = true, env = "SHENPI_LOG")]
    pub log: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve {
        #[command(flatten)]
        args: ServeArgs,
        /// Load the demo data into an empty database first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Load the demo data into an empty database.
    Demo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Service-item catalog operations.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Import reference data files (`import business-scope FILE`).
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Working-day calendar operations.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Audit-log operations.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Sealed notices (法律文书).
    Notice {
        #[command(subcommand)]
        command: NoticeCommand,
    },
    /// Electronic certificates (电子证照): keys, revocation list, offline verification.
    Cert {
        #[command(subcommand)]
        command: cert::CertCommand,
    },
    /// Benchmarks (results go to docs/BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// A consistent online copy of the SQLite database and its files into a new directory.
    Backup {
        /// Target directory (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup directory into the data dir (server stopped).
    Restore {
        /// A directory written by `shenpi backup`.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
}

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Mode (c) of shared/bench: every engine step committed with its case row, task rows,
    /// audit entry and outbox event, rounds of concurrent cases group-committed.
    Durable {
        /// `approval` or `bundle`.
        #[arg(long, default_value = "approval")]
        workload: String,
        /// How long to run.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Cases in flight (each round steps every one once and commits once).
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Concurrent transactions the cases are split over.
        #[arg(long, default_value_t = 1)]
        workers: usize,
    },
    /// Electronic certificates: signature library (one thread), issuance by the platform and,
    /// with --base, the public verification endpoint of a running server.
    Certs {
        /// Operations per library measurement.
        #[arg(long, default_value_t = 20_000)]
        iterations: u32,
        /// Certificates the platform issues (0: skip).
        #[arg(long, default_value_t = 2_000)]
        issue: usize,
        /// A running server to load, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        base: Option<String>,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Verifications in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
    /// Unattended approval (无人干预自助办) with the demo data: submission to decision.
    Unattended {
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Submissions in flight at once.
        #[arg(long, default_value_t = 1)]
        concurrency: usize,
    },
    /// The HTTP load generator: submit → accept → review → decide against a running server
    /// with the demo data.
    Http {
        /// The server, e.g. http://127.0.0.1:8080.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base: String,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Cases in flight at once.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
}

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "SHENPI_LISTEN")]
    pub listen: Option<String>,
    /// Largest request body in bytes.
    #[arg(long, env = "SHENPI_BODY_LIMIT")]
    pub body_limit: Option<usize>,
    /// Mark cookies Secure (behind HTTPS).
    #[arg(long, env = "SHENPI_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Trust the right-most X-Forwarded-For entry (behind a reverse proxy that appends it).
    #[arg(long, env = "SHENPI_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// Requests per minute per address to the public validation API.
    #[arg(long, env = "SHENPI_VALIDATE_PER_MINUTE")]
    pub validate_per_minute: Option<u32>,
    /// Seconds between background scans (timers, deadline warnings; deliveries at most 10).
    #[arg(long, env = "SHENPI_JOB_SECONDS")]
    pub job_seconds: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Export the city standards in force to a file (.xlsx or .json by the file name).
    Export {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Load or replace a year from a JSON file: {"year":2027,"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-01"}],"workdays":[]}
    Load {
        /// The JSON file.
        file: PathBuf,
    },
    /// Print the years the calendar knows.
    List,
}

#[derive(Debug, Subcommand)]
pub enum NoticeCommand {
    /// Check a notice PDF's SM2 seal against the platform's seal keys.
    Verify {
        /// The PDF file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every region's SM3 hash chain and name the first broken entry.
    Verify,
}

fn init_logging(level: &str) {
    let level = match level {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .try_init();
}

/// The configuration from flags, environment and file.
fn config_of(cli: &Cli, serve: Option<&ServeArgs>) -> Result<Config, String> {
    let mut flags = Config {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        database_schema: cli.database_schema.clone(),
        log: cli.log.clone(),
        registry_url: std::env::var("SHENPI_REGISTRY_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        master_key: std::env::var("SHENPI_MASTER_KEY")
            .ok()
            .filter(|k| !k.is_empty()),
        cert_key_file: std::env::var_os("SHENPI_CERT_KEY_FILE")
            .filter(|f| !f.is_empty())
            .map(PathBuf::from),
        ..Default::default()
    };
    if let Some(a) = serve {
        flags.listen = a.listen.clone();
        flags.body_limit = a.body_limit;
        flags.secure_cookies = a.secure_cookies;
        flags.trust_proxy = a.trust_proxy;
        flags.validate_per_minute = a.validate_per_minute;
        flags.job_seconds = a.job_seconds;
    }
    let file = match &cli.config {
        Some(p) => Config::from_file(p)?,
        None => Config::default(),
    };
    Ok(flags.or(file))
}

/// Opens and migrates the store, and builds the application.
pub async fn open_app(cfg: &Config) -> Result<Arc<App>, String> {
    let store = match (&cfg.database_url, &cfg.database_schema) {
        (Some(url), Some(schema)) => {
            if schema.is_empty()
                || schema.len() > 63
                || !schema
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(format!(
                    "invalid database schema `{schema}`: use lowercase letters, digits and _"
                ));
            }
            SqlStore::open_postgres_in_schema(url, Some(schema)).await
        }
        _ => SqlStore::open(cfg.database_url.as_deref(), &cfg.data_dir()).await,
    }
    .map_err(|e| format!("cannot open the database: {e}"))?;
    let applied = store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let mut settings = cfg.settings();
    if settings.master_key.is_none() {
        settings.master_key = Some(master_key_file(&cfg.data_dir())?);
    }
    App::new(store, Arc::new(SystemClock), settings)
        .await
        .map_err(|e| e.to_string())
}

/// The master key when `SHENPI_MASTER_KEY` is not set: `<data dir>/master.key`, made on first
/// start (readable by its owner only). Fine for one node; several nodes on one PostgreSQL must
/// share one `SHENPI_MASTER_KEY`, or they cannot unseal each other's signing keys.
fn master_key_file(data_dir: &std::path::Path) -> Result<String, String> {
    let path = data_dir.join("master.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let text = shenpi_app::certs::keys::new_master_key_text().map_err(|e| e.to_string())?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = match options.open(&path) {
        Ok(f) => f,
        // Another process sharing the data dir made it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return std::fs::read_to_string(&path)
                .map(|t| t.trim().to_owned())
                .map_err(|e| format!("cannot read {}: {e}", path.display()));
        }
        Err(e) => return Err(format!("cannot create {}: {e}", path.display())),
    };
    std::io::Write::write_all(&mut file, format!("{text}\n").as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::warn!(
        file = %path.display(),
        "SHENPI_MASTER_KEY is not set: certificate keys are sealed under a new master key kept in the data dir (set SHENPI_MASTER_KEY when several nodes share a database)"
    );
    Ok(text)
}

/// Runs a command.
pub async fn run(cli: Cli) -> Result<(), String> {
    let serve_opts = match &cli.command {
        Command::Serve { args, .. } => Some(args),
        _ => None,
    };
    let cfg = config_of(&cli, serve_opts)?;
    init_logging(cfg.log.as_deref().unwrap_or("info"));
    match &cli.command {
        Command::Serve { demo, .. } => serve(&cfg, *demo).await,
        Command::Migrate => {
            open_app(&cfg).await?;
            println!("数据库已是最新 / database is up to date");
            Ok(())
        }
        Command::Demo => {
            let app = open_app(&cfg).await?;
            load_demo(&app).await
        }
        Command::User { command } => user::run(&cfg, command).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit_verify(&cfg).await,
        Command::Notice {
            command: NoticeCommand::Verify { file },
        } => notice_verify(&cfg, file).await,
        Command::Calendar { command } => calendar(&cfg, command).await,
        Command::Cert { command } => cert::run(&cfg, command).await,
        Command::Import { command } => import::run(&cfg, command).await,
        Command::Catalog {
            command: CatalogCommand::Export { out },
        } => catalog_export(&cfg, out).await,
        Command::Bench {
            command:
                BenchCommand::Durable {
                    workload,
                    seconds,
                    concurrency,
                    workers,
                },
        } => {
            let app = open_app(&cfg).await?;
            let engine = if cfg.database_url.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            bench::durable(
                app.store.clone(),
                engine,
                workload,
                *seconds,
                *concurrency,
                *workers,
            )
            .await
        }
        Command::Bench {
            command:
                BenchCommand::Unattended {
                    seconds,
                    concurrency,
                },
        } => {
            let app = open_app(&cfg).await?;
            let engine = if cfg.database_url.is_some() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            bench_unattended::unattended(app, engine, *seconds, *concurrency).await
        }
        Command::Bench {
            command:
                BenchCommand::Http {
                    base,
                    seconds,
                    concurrency,
                },
        } => bench::http(base, *seconds, *concurrency).await,
        Command::Bench {
            command:
                BenchCommand::Certs {
                    iterations,
                    issue,
                    base,
                    seconds,
                    concurrency,
                },
        } => {
            bench_certs::run(
                &cfg,
                *iterations,
                *issue,
                base.as_deref(),
                *seconds,
                *concurrency,
            )
            .await
        }
        Command::Backup { out } => backup::backup(&cfg, out).await,
        Command::Restore { from, force } => backup::restore(&cfg, from, *force).await,
    }
}

async fn load_demo(app: &App) -> Result<(), String> {
    let r = app.load_demo().await.map_err(|e| e.to_string())?;
    if r.loaded {
        println!(
            "已载入演示数据 / demo data loaded: {} regions, {} departments, {} accounts (password {}), {} items, {} bundles",
            r.regions,
            r.departments,
            r.users,
            shenpi_app::demo::DEMO_PASSWORD,
            r.items,
            r.bundles
        );
    } else {
        println!(
            "数据库中已有账号，未载入演示数据 / the database already has accounts; demo data not loaded"
        );
    }
    Ok(())
}

async fn serve(cfg: &Config, demo: bool) -> Result<(), String> {
    let app = open_app(cfg).await?;
    if demo {
        load_demo(&app).await?;
    }
    warn_totp_exemptions(&app).await;
    // The certificate signing key: made on the first start (sealed under the master key),
    // unsealed on every later one — a wrong master key is found now, not at the first grant.
    let kid = app
        .cert_signer()
        .await
        .map_err(|e| format!("certificate signing key: {}", e.public().message_en))?
        .kid();
    tracing::info!(%kid, "certificate signing key ready");
    let listener = tokio::net::TcpListener::bind(cfg.listen())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen()))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let engine = match app.store.engine() {
        shenpi_store::repo::Engine::Sqlite => format!("SQLite in {}", cfg.data_dir().display()),
        shenpi_store::repo::Engine::Postgres => "PostgreSQL".to_string(),
    };
    tracing::info!(%addr, %engine, "shenpi is listening");
    println!("shenpi 已启动 / listening on http://{addr}  ({engine})");
    let state = shenpi_web::AppState::new(app, cfg.web());
    // Deadline warnings (one per threshold and case; the store keeps them unique, so several
    // nodes may scan side by side) and workflow timers (a case changes only at the revision it
    // was read at, so a timer fires once even when two nodes see it due).
    let every = cfg.job_seconds.unwrap_or(60).clamp(1, 3600);
    let scanner = state.app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
        loop {
            tick.tick().await;
            if let Err(e) = scanner.scan_deadlines().await {
                tracing::warn!(error = %e, "deadline scan failed");
            }
            if let Err(e) = scanner.fire_due_timers().await {
                tracing::warn!(error = %e, "workflow timer scan failed");
            }
            // Certificate expiry reminders (one per threshold, kept unique by the store).
            if let Err(e) = scanner.scan_certificate_expiry().await {
                tracing::warn!(error = %e, "certificate expiry scan failed");
            }
            // Proactive approval: certificates against the registry (catches missed events).
            if let Err(e) = scanner.scan_registry_changes().await {
                tracing::warn!(error = %e, "registry comparison failed");
            }
        }
    });
    // The notice job: notices are typeset and sealed after the step that issued them commits,
    // once the node is quiet, woken by that step (and by the scan above, for those a restarted
    // node left behind).
    let sealer = state.app.clone();
    tokio::spawn(async move {
        loop {
            sealer.notices_wanted().await;
            if let Err(e) = sealer.run_notice_job().await {
                tracing::warn!(error = %e, "notice job failed");
            }
        }
    });
    // Webhook deliveries to partner systems (claimed per node, so nodes share the outbox).
    let sender = state.app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(every.min(10)));
        loop {
            tick.tick().await;
            if let Err(e) = sender.deliver_due().await {
                tracing::warn!(error = %e, "webhook delivery failed");
            }
        }
    });
    let router = shenpi_web::router(state);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await
    .map_err(|e| e.to_string())
}

/// Names every administrator account that may sign in without TOTP (demo accounts only).
async fn warn_totp_exemptions(app: &App) {
    match app.list_users_cli().await {
        Ok(users) => {
            let exempt: Vec<String> = users
                .iter()
                .filter(|u| u.totp_exempt)
                .map(|u| u.username.clone())
                .collect();
            if !exempt.is_empty() {
                tracing::warn!(
                    accounts = %exempt.join(","),
                    "demo administrator accounts are exempt from TOTP; never use demo data in production"
                );
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list accounts"),
    }
}

async fn catalog_export(cfg: &Config, out: &std::path::Path) -> Result<(), String> {
    let app = open_app(cfg).await?;
    let items = app.export_items().await.map_err(|e| e.to_string())?;
    let bytes = if out.extension().is_some_and(|e| e == "json") {
        shenpi_exchange::items_to_json(&items).into_bytes()
    } else {
        shenpi_exchange::items_to_xlsx(&items).map_err(|e| e.to_string())?
    };
    std::fs::write(out, bytes).map_err(|e| format!("{}: {e}", out.display()))?;
    println!(
        "已导出 {} 个事项 / exported {} items to {}",
        items.len(),
        items.len(),
        out.display()
    );
    Ok(())
}

async fn calendar(cfg: &Config, cmd: &CalendarCommand) -> Result<(), String> {
    let app = open_app(cfg).await?;
    match cmd {
        CalendarCommand::Load { file } => {
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let y = app.load_calendar_file(&text).await.map_err(|e| {
                let p = e.public();
                format!("{} / {}", p.message_zh, p.message_en)
            })?;
            println!(
                "已载入 {} 年工作日历 / calendar {} loaded: {} holidays, {} make-up working days",
                y.year,
                y.year,
                y.holidays.len(),
                y.workdays.len()
            );
        }
        CalendarCommand::List => {
            for y in app.calendar().years() {
                println!("{y}");
            }
        }
    }
    Ok(())
}

async fn notice_verify(cfg: &Config, file: &std::path::Path) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let app = open_app(cfg).await?;
    match app.verify_notice(&bytes).await {
        Ok(v) => {
            println!(
                "签章有效 / seal valid: {} (key {}, region {})",
                v.department, v.key_id, v.region
            );
            Ok(())
        }
        Err(e) => {
            let pe = e.public();
            Err(format!(
                "签章无效 / seal invalid: {} / {} ({})",
                pe.message_zh, pe.message_en, pe.details
            ))
        }
    }
}

async fn audit_verify(cfg: &Config) -> Result<(), String> {
    let app = open_app(cfg).await?;
    let reports = app.verify_audit().await.map_err(|e| e.to_string())?;
    let mut broken = 0;
    for r in &reports {
        match &r.first_break {
            None => println!("{}  OK      {} entries", r.region_code, r.entries),
            Some(b) => {
                broken += 1;
                println!(
                    "{}  BROKEN  first broken entry #{} ({}): {}",
                    r.region_code, b.chain_seq, b.entry_id, b.reason
                );
            }
        }
    }
    if broken > 0 {
        Err(format!("审计链校验失败 / {broken} audit chain(s) broken"))
    } else {
        println!("审计链完整 / all {} audit chains intact", reports.len());
        Ok(())
    }
}

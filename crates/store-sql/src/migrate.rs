//! A small migration runner: numbered SQL files per engine, embedded in the binary, applied in
//! order, each in its own transaction and recorded in `schema_migrations`.

use crate::rows::db_err;
use shenpi_store::StoreError;
use sqlx::{AnyPool, Row};

#[rustfmt::skip]
const SQLITE: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/sqlite/0001_foundation.sql")),
    (2, "catalog", include_str!("../migrations/sqlite/0002_catalog.sql")),
    (3, "hardening", include_str!("../migrations/sqlite/0003_hardening.sql")),
    (4, "materials", include_str!("../migrations/sqlite/0004_materials.sql")),
    (5, "cases", include_str!("../migrations/sqlite/0005_cases.sql")),
    (6, "tasks", include_str!("../migrations/sqlite/0006_tasks.sql")),
    (7, "workbench", include_str!("../migrations/sqlite/0007_workbench.sql")),
    (8, "seals", include_str!("../migrations/sqlite/0008_seals.sql")),
    (9, "notification_reads", include_str!("../migrations/sqlite/0009_notification_reads.sql")),
    (10, "bundles", include_str!("../migrations/sqlite/0010_bundles.sql")),
    (11, "partners", include_str!("../migrations/sqlite/0011_partners.sql")),
    (12, "case_wakeups", include_str!("../migrations/sqlite/0012_case_wakeups.sql")),
    (13, "tasks_department", include_str!("../migrations/sqlite/0013_tasks_department.sql")),
    (14, "rules", include_str!("../migrations/sqlite/0014_rules.sql")),
    (15, "registry", include_str!("../migrations/sqlite/0015_registry.sql")),
    (16, "scope_catalogs", include_str!("../migrations/sqlite/0016_scope_catalogs.sql")),
    (17, "certificates", include_str!("../migrations/sqlite/0017_certificates.sql")),
    (18, "cert_reminders", include_str!("../migrations/sqlite/0018_cert_reminders.sql")),
    (19, "enterprise_grants", include_str!("../migrations/sqlite/0019_enterprise_grants.sql")),
    (20, "proactive_cases", include_str!("../migrations/sqlite/0020_proactive_cases.sql")),
    (21, "certificates_by_type", include_str!("../migrations/sqlite/0021_certificates_by_type.sql")),
    (22, "redundant_indexes", include_str!("../migrations/sqlite/0022_redundant_indexes.sql")),
];

#[rustfmt::skip]
const POSTGRES: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/postgres/0001_foundation.sql")),
    (2, "catalog", include_str!("../migrations/postgres/0002_catalog.sql")),
    (3, "hardening", include_str!("../migrations/postgres/0003_hardening.sql")),
    (4, "materials", include_str!("../migrations/postgres/0004_materials.sql")),
    (5, "cases", include_str!("../migrations/postgres/0005_cases.sql")),
    (6, "tasks", include_str!("../migrations/postgres/0006_tasks.sql")),
    (7, "workbench", include_str!("../migrations/postgres/0007_workbench.sql")),
    (8, "seals", include_str!("../migrations/postgres/0008_seals.sql")),
    (9, "notification_reads", include_str!("../migrations/postgres/0009_notification_reads.sql")),
    (10, "bundles", include_str!("../migrations/postgres/0010_bundles.sql")),
    (11, "partners", include_str!("../migrations/postgres/0011_partners.sql")),
    (12, "case_wakeups", include_str!("../migrations/postgres/0012_case_wakeups.sql")),
    (13, "tasks_department", include_str!("../migrations/postgres/0013_tasks_department.sql")),
    (14, "rules", include_str!("../migrations/postgres/0014_rules.sql")),
    (15, "registry", include_str!("../migrations/postgres/0015_registry.sql")),
    (16, "scope_catalogs", include_str!("../migrations/postgres/0016_scope_catalogs.sql")),
    (17, "certificates", include_str!("../migrations/postgres/0017_certificates.sql")),
    (18, "cert_reminders", include_str!("../migrations/postgres/0018_cert_reminders.sql")),
    (19, "enterprise_grants", include_str!("../migrations/postgres/0019_enterprise_grants.sql")),
    (20, "proactive_cases", include_str!("../migrations/postgres/0020_proactive_cases.sql")),
    (21, "certificates_by_type", include_str!("../migrations/postgres/0021_certificates_by_type.sql")),
    (22, "redundant_indexes", include_str!("../migrations/postgres/0022_redundant_indexes.sql")),
];

const CREATE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
const RECORD: &str =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

/// Applies the pending PostgreSQL migrations; returns how many ran.
pub async fn run(pool: &AnyPool) -> Result<usize, StoreError> {
    sqlx::raw_sql(CREATE).execute(pool).await.map_err(db_err)?;
    let mut applied = 0;
    for (version, name, sql) in POSTGRES {
        let mut tx = pool.begin().await.map_err(db_err)?;
        let done = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?
            .try_get::<i64, _>("n")
            .map_err(db_err)?;
        if done > 0 {
            continue;
        }
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query(RECORD)
            .bind(*version)
            .bind(*name)
            .bind(crate::rows::ts(chrono::Utc::now()))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        tracing::info!(version, name, "applied migration");
        applied += 1;
    }
    Ok(applied)
}

/// Applies the pending SQLite migrations on `conn`; returns how many ran.
pub fn run_sqlite(conn: &rusqlite::Connection) -> Result<usize, StoreError> {
    conn.execute_batch(CREATE).map_err(db_err)?;
    let mut applied = 0;
    for (version, name, sql) in SQLITE {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err)?;
        let step = || -> rusqlite::Result<bool> {
            let done: i64 = conn.query_row(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )?;
            if done > 0 {
                return Ok(false);
            }
            conn.execute_batch(sql)?;
            conn.execute(
                RECORD,
                rusqlite::params![version, name, crate::rows::ts(chrono::Utc::now())],
            )?;
            Ok(true)
        };
        match step() {
            Ok(ran) => {
                conn.execute_batch("COMMIT").map_err(db_err)?;
                if ran {
                    tracing::info!(version, name, "applied migration");
                    applied += 1;
                }
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(db_err(e));
            }
        }
    }
    Ok(applied)
}

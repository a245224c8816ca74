//! Lockout counters and security alerts.

use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shenpi_store::StoreError;
use shenpi_store::model::{LoginFailure, SecurityAlert};
use shenpi_store::repo::SecurityRepo;

#[async_trait]
impl SecurityRepo for SqlTx {
    async fn record_login_failure(&mut self, f: &LoginFailure) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO login_failures (id, username, client_ip, at) VALUES ($1,$2,$3,$4)",
        )
        .bind(shenpi_store::new_id())
        .bind(&f.username)
        .bind(&f.client_ip)
        .bind(ts(f.at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn login_failures_since(
        &mut self,
        username: &str,
        client_ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<LoginFailure>, StoreError> {
        let rows = crate::db::query(
            "SELECT username, client_ip, at FROM login_failures WHERE username = $1 \
             AND ($2 IS NULL OR client_ip = $2) AND at >= $3 ORDER BY at",
        )
        .bind(username)
        .bind(client_ip)
        .bind(ts(since))
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(LoginFailure {
                    username: r.text("username")?,
                    client_ip: r.text("client_ip")?,
                    at: r.time("at")?,
                })
            })
            .collect()
    }

    async fn clear_login_failures(
        &mut self,
        username: &str,
        client_ip: Option<&str>,
    ) -> Result<u64, StoreError> {
        let r = crate::db::query(
            "DELETE FROM login_failures WHERE username = $1 AND ($2 IS NULL OR client_ip = $2)",
        )
        .bind(username)
        .bind(client_ip)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn lock_login_key(&mut self, username: &str, client_ip: &str) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO login_locks (username, client_ip) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(username)
        .bind(client_ip)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if self.engine == shenpi_store::repo::Engine::Postgres {
            crate::db::query(
                "SELECT username FROM login_locks WHERE username = $1 AND client_ip = $2 FOR UPDATE",
            )
            .bind(username)
            .bind(client_ip)
            .fetch_one(&mut self.tx)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    async fn delete_login_failure_at(
        &mut self,
        username: &str,
        client_ip: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let r = crate::db::query(
            "DELETE FROM login_failures WHERE username = $1 AND client_ip = $2 AND at = $3",
        )
        .bind(username)
        .bind(client_ip)
        .bind(ts(at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn prune_login_failures(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let r = crate::db::query("DELETE FROM login_failures WHERE at < $1")
            .bind(ts(before))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn insert_alert(&mut self, a: &SecurityAlert) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO security_alerts (id, kind, subject, details, at) VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(&a.id)
        .bind(&a.kind)
        .bind(&a.subject)
        .bind(a.details.to_string())
        .bind(ts(a.at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_alerts(&mut self, limit: i64) -> Result<Vec<SecurityAlert>, StoreError> {
        let rows = crate::db::query(
            "SELECT id, kind, subject, details, at FROM security_alerts ORDER BY at DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 500))
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(SecurityAlert {
                    id: r.text("id")?,
                    kind: r.text("kind")?,
                    subject: r.text("subject")?,
                    details: r.json("details")?,
                    at: r.time("at")?,
                })
            })
            .collect()
    }
}

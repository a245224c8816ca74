//! Server-side sessions.

use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shenpi_store::StoreError;
use shenpi_store::model::Session;
use shenpi_store::repo::SessionRepo;

#[async_trait]
impl SessionRepo for SqlTx {
    async fn insert_session(&mut self, s: &Session) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO sessions (token_hash, user_id, channel, csrf_token, client_ip, \
             created_at, last_seen_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(&s.token_hash)
        .bind(&s.user_id)
        .bind(&s.channel)
        .bind(&s.csrf_token)
        .bind(&s.client_ip)
        .bind(ts(s.created_at))
        .bind(ts(s.last_seen_at))
        .bind(ts(s.expires_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session_by_hash(&mut self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = crate::db::query(
            "SELECT token_hash, user_id, channel, csrf_token, client_ip, created_at, \
             last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut self.tx)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Session {
            token_hash: row.text("token_hash")?,
            user_id: row.text("user_id")?,
            channel: row.text("channel")?,
            csrf_token: row.text("csrf_token")?,
            client_ip: row.text("client_ip")?,
            created_at: row.time("created_at")?,
            last_seen_at: row.time("last_seen_at")?,
            expires_at: row.time("expires_at")?,
        }))
    }

    async fn touch_session(
        &mut self,
        token_hash: &str,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::db::query(
            "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1",
        )
        .bind(token_hash)
        .bind(ts(last_seen_at))
        .bind(ts(expires_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        self.identity_changed = true;
        let r = crate::db::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn delete_user_sessions(
        &mut self,
        user_id: &str,
        keep: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.identity_changed = true;
        let r = crate::db::query(
            "DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR token_hash <> $2)",
        )
        .bind(user_id)
        .bind(keep)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn count_user_sessions(&mut self, user_id: &str) -> Result<i64, StoreError> {
        crate::db::query("SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&mut self.tx)
            .await
            .map_err(db_err)?
            .int("n")
    }
}

//! Partner systems, their nonces and applied reports, and the webhook outbox, on both engines.

use crate::db::Row;
use crate::rows::{RowExt, db_err, parse_ts, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shenpi_store::StoreError;
use shenpi_store::model::{Delivery, Partner};
use shenpi_store::repo::{Engine, PartnerRepo};

const PARTNER_COLS: &str = "key, name, app_key, secret, webhook_url, active, created_at";
pub(crate) const DELIVERY_COLS: &str = "id, partner_key, event, case_id, idempotency_key, body, status, attempts, \
     next_attempt_at, locked_until, last_error, created_at, delivered_at";

fn partner_from(r: &Row) -> Result<Partner, StoreError> {
    Ok(Partner {
        key: r.text("key")?,
        name: r.text("name")?,
        app_key: r.text("app_key")?,
        secret: r.text("secret")?,
        webhook_url: r.opt_text("webhook_url")?,
        active: r.flag("active")?,
        created_at: r.time("created_at")?,
    })
}

fn opt_time(r: &Row, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    r.opt_text(col)?.map(|t| parse_ts(&t)).transpose()
}

fn delivery_from(r: &Row) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.text("id")?,
        partner_key: r.text("partner_key")?,
        event: r.text("event")?,
        case_id: r.text("case_id")?,
        idempotency_key: r.text("idempotency_key")?,
        body: r.text("body")?,
        status: r.text("status")?,
        attempts: r.int("attempts")?,
        next_attempt_at: r.time("next_attempt_at")?,
        locked_until: opt_time(r, "locked_until")?,
        last_error: r.opt_text("last_error")?,
        created_at: r.time("created_at")?,
        delivered_at: opt_time(r, "delivered_at")?,
    })
}

#[async_trait]
impl PartnerRepo for SqlTx {
    async fn insert_partner(&mut self, p: &Partner) -> Result<(), StoreError> {
        let sql = format!("INSERT INTO partners ({PARTNER_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)");
        crate::db::query(sql)
            .bind(&p.key)
            .bind(&p.name)
            .bind(&p.app_key)
            .bind(&p.secret)
            .bind(&p.webhook_url)
            .bind(i64::from(p.active))
            .bind(ts(p.created_at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_partner(&mut self, p: &Partner) -> Result<(), StoreError> {
        let r = crate::db::query(
            "UPDATE partners SET name = $2, app_key = $3, secret = $4, webhook_url = $5, active = $6 \
             WHERE key = $1",
        )
        .bind(&p.key)
        .bind(&p.name)
        .bind(&p.app_key)
        .bind(&p.secret)
        .bind(&p.webhook_url)
        .bind(i64::from(p.active))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("partner {}", p.key)));
        }
        Ok(())
    }

    async fn partner(&mut self, key: &str) -> Result<Option<Partner>, StoreError> {
        let sql = format!("SELECT {PARTNER_COLS} FROM partners WHERE key = $1");
        let row = crate::db::query(sql)
            .bind(key)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(partner_from).transpose()
    }

    async fn partner_by_app_key(&mut self, app_key: &str) -> Result<Option<Partner>, StoreError> {
        let sql = format!("SELECT {PARTNER_COLS} FROM partners WHERE app_key = $1");
        let row = crate::db::query(sql)
            .bind(app_key)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(partner_from).transpose()
    }

    async fn partners(&mut self) -> Result<Vec<Partner>, StoreError> {
        let sql = format!("SELECT {PARTNER_COLS} FROM partners ORDER BY key");
        let rows = crate::db::query(sql)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(partner_from).collect()
    }

    async fn use_nonce(
        &mut self,
        app_key: &str,
        nonce: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "INSERT INTO partner_nonces (app_key, nonce, used_at) VALUES ($1,$2,$3) \
             ON CONFLICT (app_key, nonce) DO NOTHING",
        )
        .bind(app_key)
        .bind(nonce)
        .bind(ts(at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn prune_nonces(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let r = crate::db::query("DELETE FROM partner_nonces WHERE used_at < $1")
            .bind(ts(before))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn record_partner_event(
        &mut self,
        partner_key: &str,
        idempotency_key: &str,
        case_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "INSERT INTO partner_events (partner_key, idempotency_key, case_id, applied_at) \
             VALUES ($1,$2,$3,$4) ON CONFLICT (partner_key, idempotency_key) DO NOTHING",
        )
        .bind(partner_key)
        .bind(idempotency_key)
        .bind(case_id)
        .bind(ts(at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn insert_delivery(&mut self, d: &Delivery) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO deliveries ({DELIVERY_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) \
             ON CONFLICT (idempotency_key) DO NOTHING"
        );
        let r = crate::db::query(sql)
            .bind(&d.id)
            .bind(&d.partner_key)
            .bind(&d.event)
            .bind(&d.case_id)
            .bind(&d.idempotency_key)
            .bind(&d.body)
            .bind(&d.status)
            .bind(d.attempts)
            .bind(ts(d.next_attempt_at))
            .bind(d.locked_until.map(ts))
            .bind(&d.last_error)
            .bind(ts(d.created_at))
            .bind(d.delivered_at.map(ts))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn claim_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        // PostgreSQL: rows another node is claiming are skipped, not waited for. SQLite has one
        // writer at a time, so the plain sub-select is already exclusive.
        let lock = match self.engine {
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let sql = format!(
            "UPDATE deliveries SET locked_until = $1 WHERE id IN (\
               SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 \
               AND (locked_until IS NULL OR locked_until <= $2) \
               ORDER BY next_attempt_at, id LIMIT $3{lock}) \
             RETURNING {DELIVERY_COLS}"
        );
        let rows = crate::db::query(sql)
            .bind(ts(lease_until))
            .bind(ts(now))
            .bind(limit.clamp(1, 1000))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        let mut out: Vec<Delivery> = rows.iter().map(delivery_from).collect::<Result<_, _>>()?;
        out.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
        Ok(out)
    }

    async fn update_delivery(&mut self, d: &Delivery) -> Result<(), StoreError> {
        crate::db::query(
            "UPDATE deliveries SET status = $2, attempts = $3, next_attempt_at = $4, locked_until = $5, \
             last_error = $6, delivered_at = $7 WHERE id = $1",
        )
        .bind(&d.id)
        .bind(&d.status)
        .bind(d.attempts)
        .bind(ts(d.next_attempt_at))
        .bind(d.locked_until.map(ts))
        .bind(&d.last_error)
        .bind(d.delivered_at.map(ts))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn deliveries_of(
        &mut self,
        partner_key: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLS} FROM deliveries WHERE partner_key = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = crate::db::query(sql)
            .bind(partner_key)
            .bind(limit.clamp(1, 500))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(delivery_from).collect()
    }
}

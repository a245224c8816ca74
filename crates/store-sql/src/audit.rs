//! The audit log: entries are chained in the writing transaction, under a lock on the region's
//! chain head row, so concurrent writers on many nodes extend each chain one at a time.

use crate::rows::{RowExt, db_err, page_bounds, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::audit::{GENESIS_HASH, chain_next};
use shenpi_store::model::{AuditDraft, AuditEntry, AuditFilter, ChainHead, Page};
use shenpi_store::repo::AuditRepo;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;

pub(crate) const COLS: &str = "id, region_code, chain_seq, at, actor_id, actor_name, action, object_type, \
    object_id, client_ip, outcome, details, trace_id, prev_hash, hash";

fn entry_from(r: &AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: r.text("id")?,
        region_code: r.text("region_code")?,
        chain_seq: r.int("chain_seq")?,
        at: r.time("at")?,
        actor_id: r.opt_text("actor_id")?,
        actor_name: r.opt_text("actor_name")?,
        action: r.text("action")?,
        object_type: r.text("object_type")?,
        object_id: r.text("object_id")?,
        client_ip: r.opt_text("client_ip")?,
        outcome: r.text("outcome")?,
        details: r.json("details")?,
        trace_id: r.opt_text("trace_id")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

#[async_trait]
impl AuditRepo for SqlTx {
    async fn append_audit(&mut self, draft: AuditDraft) -> Result<AuditEntry, StoreError> {
        sqlx::query(
            "INSERT INTO audit_heads (region_code, last_seq, last_hash) VALUES ($1, 0, $2) \
             ON CONFLICT (region_code) DO NOTHING",
        )
        .bind(&draft.region_code)
        .bind(GENESIS_HASH)
        .execute(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let sql = format!(
            "SELECT region_code, last_seq, last_hash FROM audit_heads WHERE region_code = $1{}",
            self.for_update()
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(&draft.region_code)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(db_err)?;
        let head = ChainHead {
            region_code: row.text("region_code")?,
            last_seq: row.int("last_seq")?,
            last_hash: row.text("last_hash")?,
        };
        let e = chain_next(draft, shenpi_store::new_id(), &head);
        let sql = format!(
            "INSERT INTO audit_entries ({COLS}) VALUES \
             ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(&e.id)
            .bind(&e.region_code)
            .bind(e.chain_seq)
            .bind(ts(e.at))
            .bind(&e.actor_id)
            .bind(&e.actor_name)
            .bind(&e.action)
            .bind(&e.object_type)
            .bind(&e.object_id)
            .bind(&e.client_ip)
            .bind(&e.outcome)
            .bind(e.details.to_string())
            .bind(&e.trace_id)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        sqlx::query("UPDATE audit_heads SET last_seq = $2, last_hash = $3 WHERE region_code = $1")
            .bind(&e.region_code)
            .bind(e.chain_seq)
            .bind(&e.hash)
            .execute(&mut *self.tx)
            .await
            .map_err(db_err)?;
        Ok(e)
    }

    async fn list_audit(
        &mut self,
        f: &AuditFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let (page, per_page, offset) = page_bounds(page, per_page);
        let prefix = f.action_prefix.as_ref().map(|p| {
            let escaped = p
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("{escaped}%")
        });
        let filter = "($1 IS NULL OR region_code = $1) AND ($2 IS NULL OR actor_id = $2) \
                      AND ($3 IS NULL OR action LIKE $3 ESCAPE '\\')";
        let total = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM audit_entries WHERE {filter}"
        )))
        .bind(&f.region_code)
        .bind(&f.actor_id)
        .bind(&prefix)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_err)?
        .int("n")?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLS} FROM audit_entries WHERE {filter} \
             ORDER BY at DESC, region_code, chain_seq DESC LIMIT $4 OFFSET $5"
        )))
        .bind(&f.region_code)
        .bind(&f.actor_id)
        .bind(&prefix)
        .bind(per_page)
        .bind(offset)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let items = rows.iter().map(entry_from).collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    async fn audit_regions(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT region_code FROM audit_heads UNION SELECT region_code FROM audit_entries \
             ORDER BY region_code",
        )
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(|r| r.text("region_code")).collect()
    }

    async fn audit_chain(
        &mut self,
        region: &str,
    ) -> Result<(Vec<AuditEntry>, Option<ChainHead>), StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLS} FROM audit_entries WHERE region_code = $1 ORDER BY chain_seq, id"
        )))
        .bind(region)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_err)?;
        let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>, _>>()?;
        let head = sqlx::query(
            "SELECT region_code, last_seq, last_hash FROM audit_heads WHERE region_code = $1",
        )
        .bind(region)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db_err)?
        .map(|r| {
            Ok::<_, StoreError>(ChainHead {
                region_code: r.text("region_code")?,
                last_seq: r.int("last_seq")?,
                last_hash: r.text("last_hash")?,
            })
        })
        .transpose()?;
        Ok((entries, head))
    }
}

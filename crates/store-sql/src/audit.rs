//! The audit log: entries are chained in the writing transaction, under a lock on the region's
//! chain head row, so concurrent writers on many nodes extend each chain one at a time.

use crate::db::Row;
use crate::rows::{RowExt, db_err, page_bounds, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::audit::{GENESIS_HASH, chain_next};
use shenpi_store::model::{AuditDraft, AuditEntry, AuditFilter, ChainHead, Page};
use shenpi_store::repo::AuditRepo;

pub(crate) const COLS: &str = "id, region_code, chain_seq, at, actor_id, actor_name, action, object_type, \
    object_id, client_ip, outcome, details, trace_id, prev_hash, hash";

fn entry_from(r: &Row) -> Result<AuditEntry, StoreError> {
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

impl SqlTx {
    /// The chain head of `region`, created at the genesis hash if the region has none, and
    /// locked for this transaction on PostgreSQL (SQLite's writer lock serialises already).
    pub(crate) async fn lock_audit_head(&mut self, region: &str) -> Result<ChainHead, StoreError> {
        let sql = format!(
            "SELECT region_code, last_seq, last_hash FROM audit_heads WHERE region_code = $1{}",
            self.for_update()
        );
        for _ in 0..2 {
            let row = crate::db::query(sql.clone())
                .bind(region)
                .fetch_optional(&mut self.tx)
                .await
                .map_err(db_err)?;
            if let Some(row) = row {
                return Ok(ChainHead {
                    region_code: row.text("region_code")?,
                    last_seq: row.int("last_seq")?,
                    last_hash: row.text("last_hash")?,
                });
            }
            crate::db::query(
                "INSERT INTO audit_heads (region_code, last_seq, last_hash) VALUES ($1, 0, $2) \
                 ON CONFLICT (region_code) DO NOTHING",
            )
            .bind(region)
            .bind(GENESIS_HASH)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        }
        Err(StoreError::Backend(format!(
            "audit chain head of {region} cannot be created"
        )))
    }

    /// Writes the chain heads this transaction moved (before commit, or before anything in the
    /// same transaction reads the heads).
    pub(crate) async fn flush_audit_heads(&mut self) -> Result<(), StoreError> {
        for i in 0..self.audit_heads.len() {
            let (head, moved) = &self.audit_heads[i];
            if !*moved {
                continue;
            }
            crate::db::query(
                "UPDATE audit_heads SET last_seq = $2, last_hash = $3 WHERE region_code = $1",
            )
            .bind(&head.region_code)
            .bind(head.last_seq)
            .bind(&head.last_hash)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
            self.audit_heads[i].1 = false;
        }
        Ok(())
    }
}

#[async_trait]
impl AuditRepo for SqlTx {
    async fn append_audit(&mut self, draft: AuditDraft) -> Result<AuditEntry, StoreError> {
        let at = match self
            .audit_heads
            .iter()
            .position(|(h, _)| h.region_code == draft.region_code)
        {
            Some(i) => i,
            None => {
                let head = self.lock_audit_head(&draft.region_code).await?;
                self.audit_heads.push((head, false));
                self.audit_heads.len() - 1
            }
        };
        let e = chain_next(draft, shenpi_store::new_id(), &self.audit_heads[at].0);
        let sql = format!(
            "INSERT INTO audit_entries ({COLS}) VALUES \
             ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
        );
        crate::db::query(sql)
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
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        self.audit_heads[at] = (
            ChainHead {
                region_code: e.region_code.clone(),
                last_seq: e.chain_seq,
                last_hash: e.hash.clone(),
            },
            true,
        );
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
        let total = crate::db::query(format!(
            "SELECT COUNT(*) AS n FROM audit_entries WHERE {filter}"
        ))
        .bind(&f.region_code)
        .bind(&f.actor_id)
        .bind(&prefix)
        .fetch_one(&mut self.tx)
        .await
        .map_err(db_err)?
        .int("n")?;
        let rows = crate::db::query(format!(
            "SELECT {COLS} FROM audit_entries WHERE {filter} \
             ORDER BY at DESC, region_code, chain_seq DESC LIMIT $4 OFFSET $5"
        ))
        .bind(&f.region_code)
        .bind(&f.actor_id)
        .bind(&prefix)
        .bind(per_page)
        .bind(offset)
        .fetch_all(&mut self.tx)
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
        self.flush_audit_heads().await?;
        let rows = crate::db::query(
            "SELECT region_code FROM audit_heads UNION SELECT region_code FROM audit_entries \
             ORDER BY region_code",
        )
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(|r| r.text("region_code")).collect()
    }

    async fn audit_chain(
        &mut self,
        region: &str,
    ) -> Result<(Vec<AuditEntry>, Option<ChainHead>), StoreError> {
        self.flush_audit_heads().await?;
        let rows = crate::db::query(format!(
            "SELECT {COLS} FROM audit_entries WHERE region_code = $1 ORDER BY chain_seq, id"
        ))
        .bind(region)
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        let entries = rows.iter().map(entry_from).collect::<Result<Vec<_>, _>>()?;
        let head = crate::db::query(
            "SELECT region_code, last_seq, last_hash FROM audit_heads WHERE region_code = $1",
        )
        .bind(region)
        .fetch_optional(&mut self.tx)
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

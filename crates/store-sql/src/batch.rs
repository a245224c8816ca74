//! Group commit (批量写入): a round of engine steps written with multi-row statements — one
//! `INSERT … VALUES (…), (…)` per table and one `UPDATE … FROM (VALUES …)` per changed table,
//! chunked under the engines' parameter limits. The audit chain of each region is read and
//! moved once per batch, under the same head lock as single entries.

use crate::db::Arg;
use crate::rows::{db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::audit::chain_next;
use shenpi_store::model::{AuditEntry, StepBatch};
use shenpi_store::repo::{BatchRepo, Engine};

/// Most parameters in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;

fn t(s: &str) -> Arg {
    Arg::Text(Some(s.to_string()))
}

fn ot(s: &Option<String>) -> Arg {
    Arg::Text(s.clone())
}

fn i(n: i64) -> Arg {
    Arg::Int(Some(n))
}

/// `($1,$2,…),($k,…)` for `rows` rows of `cols` parameters; on SQLite anonymous `?`s, since
/// SQLite looks a numbered parameter's name up in a list (binding n of them costs n²: 71 % of a
/// benchmark round with `$n`).
fn placeholders(engine: Engine, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            match engine {
                Engine::Sqlite => s.push('?'),
                Engine::Postgres => {
                    s.push('$');
                    s.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

impl SqlTx {
    /// Runs `head VALUES … tail` for every chunk of `rows`; returns the rows affected.
    async fn multi(
        &mut self,
        head: &str,
        tail: &str,
        cols: usize,
        rows: Vec<Vec<Arg>>,
    ) -> Result<u64, StoreError> {
        let mut affected = 0;
        let per = (MAX_PARAMS / cols).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Arg>> = rows.by_ref().take(per).collect();
            let sql = format!(
                "{head} VALUES {} {tail}",
                placeholders(self.engine, chunk.len(), cols)
            );
            let mut q = crate::db::query(sql);
            for v in chunk.into_iter().flatten() {
                q = q.bind(v);
            }
            affected += q
                .execute(&mut self.tx)
                .await
                .map_err(db_err)?
                .rows_affected();
        }
        Ok(affected)
    }

    /// Runs a revision-checked multi-row `UPDATE`: every row must change, else the batch fails
    /// with `Conflict` (one of them was changed meanwhile).
    async fn update_checked(
        &mut self,
        head: &str,
        tail: &str,
        cols: usize,
        rows: Vec<Vec<Arg>>,
        what: &str,
    ) -> Result<(), StoreError> {
        let n = rows.len() as u64;
        let changed = self.multi(head, tail, cols, rows).await?;
        if changed != n {
            return Err(StoreError::Conflict(format!(
                "{} of {n} {what} changed meanwhile",
                n.saturating_sub(changed)
            )));
        }
        Ok(())
    }

    /// Appends the drafts' entries: per region (in name order, so two batches lock heads in
    /// the same order) the head is read once, the entries chained, inserted and the head moved.
    async fn append_audits(
        &mut self,
        drafts: Vec<shenpi_store::model::AuditDraft>,
    ) -> Result<(), StoreError> {
        // This reads and moves the heads itself: what this transaction appended before is
        // written first, and read back below.
        self.flush_audit_heads().await?;
        self.audit_heads.clear();
        let mut regions: Vec<String> = drafts.iter().map(|d| d.region_code.clone()).collect();
        regions.sort();
        regions.dedup();
        let mut heads = std::collections::HashMap::new();
        for region in &regions {
            let head = self.lock_audit_head(region).await?;
            heads.insert(region.clone(), head);
        }
        let mut entries: Vec<AuditEntry> = Vec::with_capacity(drafts.len());
        for d in drafts {
            let head = heads
                .get_mut(&d.region_code)
                .ok_or_else(|| StoreError::Corrupt("audit head missing".into()))?;
            let e = chain_next(d, shenpi_store::new_id(), head);
            head.last_seq = e.chain_seq;
            head.last_hash = e.hash.clone();
            entries.push(e);
        }
        let rows = entries
            .into_iter()
            .map(|e| {
                vec![
                    Arg::Text(Some(e.id)),
                    Arg::Text(Some(e.region_code)),
                    i(e.chain_seq),
                    Arg::Text(Some(ts(e.at))),
                    Arg::Text(e.actor_id),
                    Arg::Text(e.actor_name),
                    Arg::Text(Some(e.action)),
                    Arg::Text(Some(e.object_type)),
                    Arg::Text(Some(e.object_id)),
                    Arg::Text(e.client_ip),
                    Arg::Text(Some(e.outcome)),
                    Arg::Text(Some(e.details.to_string())),
                    Arg::Text(e.trace_id),
                    Arg::Text(Some(e.prev_hash)),
                    Arg::Text(Some(e.hash)),
                ]
            })
            .collect();
        self.multi(
            &format!("INSERT INTO audit_entries ({})", crate::audit::COLS),
            "",
            15,
            rows,
        )
        .await?;
        for region in &regions {
            if let Some(h) = heads.get(region) {
                crate::db::query(
                    "UPDATE audit_heads SET last_seq = $2, last_hash = $3 WHERE region_code = $1",
                )
                .bind(region)
                .bind(h.last_seq)
                .bind(&h.last_hash)
                .execute(&mut self.tx)
                .await
                .map_err(db_err)?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl BatchRepo for SqlTx {
    async fn write_batch(&mut self, b: StepBatch) -> Result<(), StoreError> {
        if !b.new_cases.is_empty() {
            let rows = b
                .new_cases
                .iter()
                .map(|c| {
                    vec![
                        t(&c.id),
                        t(&c.number),
                        t(&c.region_code),
                        t(&c.item_code),
                        i(c.item_version),
                        t(&c.applicant_id),
                        t(&c.status),
                        t(&c.idempotency_key),
                        t(&c.json),
                        i(c.revision),
                        Arg::Text(Some(ts(c.submitted_at))),
                        Arg::Text(c.wake_at.map(ts)),
                    ]
                })
                .collect();
            let head = format!("INSERT INTO cases ({})", crate::cases::COLS);
            self.multi(&head, "", 12, rows).await?;
        }
        if !b.cases.is_empty() {
            let rows = b
                .cases
                .iter()
                .map(|(c, prev)| {
                    vec![
                        t(&c.id),
                        t(&c.status),
                        t(&c.json),
                        i(c.revision),
                        i(*prev),
                        Arg::Text(c.wake_at.map(ts)),
                    ]
                })
                .collect();
            // VALUES columns are named column1… on both engines.
            self.update_checked(
                "UPDATE cases SET status = v.column2, json = v.column3, revision = v.column4, \
                 wake_at = v.column6, wake_lease = NULL FROM (",
                ") AS v WHERE cases.id = v.column1 AND cases.revision = v.column5",
                6,
                rows,
                "cases",
            )
            .await?;
        }
        if !b.new_tasks.is_empty() {
            let rows = b
                .new_tasks
                .iter()
                .map(|x| {
                    vec![
                        t(&x.id),
                        t(&x.case_id),
                        t(&x.region_code),
                        t(&x.step),
                        t(&x.name),
                        t(&x.candidate_role),
                        ot(&x.assignee),
                        t(&x.status),
                        ot(&x.outcome),
                        ot(&x.opinion),
                        ot(&x.completed_by),
                        Arg::Text(x.due_on.map(|d| d.to_string())),
                        Arg::Text(Some(ts(x.created_at))),
                        Arg::Text(x.completed_at.map(ts)),
                        i(x.revision),
                        Arg::Int(x.engine_task),
                        ot(&x.owner),
                        t(&x.kind),
                        ot(&x.parent_id),
                        ot(&x.department_id),
                    ]
                })
                .collect();
            let head = format!("INSERT INTO tasks ({})", crate::tasks::COLS);
            self.multi(&head, "", 20, rows).await?;
        }
        if !b.tasks.is_empty() {
            let rows = b
                .tasks
                .iter()
                .map(|(x, prev)| {
                    vec![
                        t(&x.id),
                        ot(&x.assignee),
                        t(&x.status),
                        ot(&x.outcome),
                        ot(&x.opinion),
                        ot(&x.completed_by),
                        Arg::Text(x.due_on.map(|d| d.to_string())),
                        Arg::Text(x.completed_at.map(ts)),
                        i(x.revision),
                        i(*prev),
                        ot(&x.owner),
                        t(&x.candidate_role),
                    ]
                })
                .collect();
            self.update_checked(
                "UPDATE tasks SET assignee = v.column2, status = v.column3, outcome = v.column4, \
                 opinion = v.column5, completed_by = v.column6, due_on = v.column7, \
                 completed_at = v.column8, revision = v.column9, owner = v.column11, \
                 candidate_role = v.column12 FROM (",
                ") AS v WHERE tasks.id = v.column1 AND tasks.revision = v.column10",
                12,
                rows,
                "tasks",
            )
            .await?;
        }
        if !b.audit.is_empty() {
            self.append_audits(b.audit).await?;
        }
        if !b.deliveries.is_empty() {
            let rows = b
                .deliveries
                .iter()
                .map(|d| {
                    vec![
                        t(&d.id),
                        t(&d.partner_key),
                        t(&d.event),
                        t(&d.case_id),
                        t(&d.idempotency_key),
                        t(&d.body),
                        t(&d.status),
                        i(d.attempts),
                        Arg::Text(Some(ts(d.next_attempt_at))),
                        Arg::Text(d.locked_until.map(ts)),
                        ot(&d.last_error),
                        Arg::Text(Some(ts(d.created_at))),
                        Arg::Text(d.delivered_at.map(ts)),
                    ]
                })
                .collect();
            let head = format!(
                "INSERT INTO deliveries ({})",
                crate::partners::DELIVERY_COLS
            );
            self.multi(&head, "ON CONFLICT (idempotency_key) DO NOTHING", 13, rows)
                .await?;
        }
        Ok(())
    }
}

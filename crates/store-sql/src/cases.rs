//! Cases and their daily number sequences.

use crate::db::Row;
use crate::paging::PagedSelect;
use crate::rows::{RowExt, db_err, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shenpi_store::StoreError;
use shenpi_store::model::{Page, StoredCase};
use shenpi_store::repo::CaseRepo;

pub(crate) const COLS: &str = "id, number, region_code, item_code, item_version, applicant_id, status, \
    idempotency_key, json, revision, submitted_at, wake_at";

fn case_from(r: &Row) -> Result<StoredCase, StoreError> {
    Ok(StoredCase {
        id: r.text("id")?,
        number: r.text("number")?,
        region_code: r.text("region_code")?,
        item_code: r.text("item_code")?,
        item_version: r.int("item_version")?,
        applicant_id: r.text("applicant_id")?,
        status: r.text("status")?,
        idempotency_key: r.text("idempotency_key")?,
        json: r.text("json")?,
        revision: r.int("revision")?,
        submitted_at: r.time("submitted_at")?,
        wake_at: r
            .opt_text("wake_at")?
            .map(|t| crate::rows::parse_ts(&t))
            .transpose()?,
    })
}

impl SqlTx {
    async fn one_case(
        &mut self,
        filter: &'static str,
        a: &str,
        b: Option<&str>,
    ) -> Result<Option<StoredCase>, StoreError> {
        let sql = format!("SELECT {COLS} FROM cases WHERE {filter}");
        let mut q = crate::db::query(sql).bind(a.to_string());
        if let Some(b) = b {
            q = q.bind(b.to_string());
        }
        let row = q.fetch_optional(&mut self.tx).await.map_err(db_err)?;
        row.as_ref().map(case_from).transpose()
    }
}

#[async_trait]
impl CaseRepo for SqlTx {
    async fn next_case_seq(&mut self, region: &str, day: &str) -> Result<u32, StoreError> {
        crate::db::query(
            "INSERT INTO case_sequences (region_code, day, last) VALUES ($1, $2, 1) \
             ON CONFLICT (region_code, day) DO UPDATE SET last = case_sequences.last + 1",
        )
        .bind(region)
        .bind(day)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        let n =
            crate::db::query("SELECT last FROM case_sequences WHERE region_code = $1 AND day = $2")
                .bind(region)
                .bind(day)
                .fetch_one(&mut self.tx)
                .await
                .map_err(db_err)?
                .int("last")?;
        u32::try_from(n).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    async fn insert_case(&mut self, c: &StoredCase) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO cases ({COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)");
        crate::db::query(sql)
            .bind(&c.id)
            .bind(&c.number)
            .bind(&c.region_code)
            .bind(&c.item_code)
            .bind(c.item_version)
            .bind(&c.applicant_id)
            .bind(&c.status)
            .bind(&c.idempotency_key)
            .bind(&c.json)
            .bind(c.revision)
            .bind(ts(c.submitted_at))
            .bind(c.wake_at.map(ts))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_case(
        &mut self,
        c: &StoredCase,
        expected_revision: i64,
    ) -> Result<(), StoreError> {
        let r = crate::db::query("UPDATE cases SET status = $2, json = $3, revision = $4, wake_at = $6, wake_lease = NULL WHERE id = $1 AND revision = $5")
            .bind(&c.id)
            .bind(&c.status)
            .bind(&c.json)
            .bind(c.revision)
            .bind(expected_revision)
            .bind(c.wake_at.map(ts))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "case {} changed meanwhile",
                c.id
            )));
        }
        Ok(())
    }

    async fn case_by_id(&mut self, id: &str) -> Result<Option<StoredCase>, StoreError> {
        self.one_case("id = $1", id, None).await
    }

    async fn case_by_number(&mut self, number: &str) -> Result<Option<StoredCase>, StoreError> {
        self.one_case("number = $1", number, None).await
    }

    async fn case_by_idempotency(
        &mut self,
        applicant: &str,
        key: &str,
    ) -> Result<Option<StoredCase>, StoreError> {
        self.one_case(
            "applicant_id = $1 AND idempotency_key = $2",
            applicant,
            Some(key),
        )
        .await
    }

    async fn cases_of(
        &mut self,
        applicant: &str,
        page: i64,
        per_page: i64,
    ) -> Result<Page<StoredCase>, StoreError> {
        let q = PagedSelect {
            cols: COLS,
            from: "cases",
            filter: "applicant_id = $1",
            order: "submitted_at DESC, id",
        };
        self.page_where(q, &[applicant.into()], (page, per_page), case_from)
            .await
    }

    async fn claim_wakeups(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let lock = match self.engine {
            shenpi_store::repo::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            shenpi_store::repo::Engine::Sqlite => "",
        };
        let sql = format!(
            "UPDATE cases SET wake_lease = $1 WHERE id IN (\
               SELECT id FROM cases WHERE wake_at IS NOT NULL AND wake_at <= $2 \
               AND (wake_lease IS NULL OR wake_lease <= $2) ORDER BY wake_at, id LIMIT $3{lock}) \
             RETURNING id, wake_at"
        );
        let rows = crate::db::query(sql)
            .bind(ts(lease_until))
            .bind(ts(now))
            .bind(limit.clamp(1, 1000))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        let mut out = rows
            .iter()
            .map(|r| Ok((r.text("wake_at")?, r.text("id")?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        out.sort();
        Ok(out.into_iter().map(|(_, id)| id).collect())
    }

    async fn open_cases(
        &mut self,
        region: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredCase>, StoreError> {
        // Served by cases_region_status (region_code, status).
        let in_region = crate::db::in_region("$1", region);
        let sql = format!(
            "SELECT {COLS} FROM cases WHERE status IN ('submitted', 'awaiting_supplement', 'under_review', \
             'special_procedure') AND {in_region} ORDER BY submitted_at, id LIMIT $2"
        );
        let rows = crate::db::query(sql)
            .bind(region)
            .bind(limit.clamp(1, 5000))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(case_from).collect()
    }
}

//! Tasks (待办).

use crate::db::Row;
use crate::rows::{RowExt, db_err, parse_ts, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shenpi_store::StoreError;
use shenpi_store::model::{Draft, Notification, Task, TaskCopy};
use shenpi_store::repo::{TaskRepo, WorkbenchRepo};

pub(crate) const COLS: &str = "id, case_id, region_code, step, name, candidate_role, assignee, status, outcome, \
    opinion, completed_by, due_on, created_at, completed_at, revision, engine_task, owner, kind, parent_id, \
    department_id";

fn task_from(r: &Row) -> Result<Task, StoreError> {
    Ok(Task {
        id: r.text("id")?,
        case_id: r.text("case_id")?,
        region_code: r.text("region_code")?,
        step: r.text("step")?,
        name: r.text("name")?,
        candidate_role: r.text("candidate_role")?,
        assignee: r.opt_text("assignee")?,
        status: r.text("status")?,
        outcome: r.opt_text("outcome")?,
        opinion: r.opt_text("opinion")?,
        completed_by: r.opt_text("completed_by")?,
        due_on: r
            .opt_text("due_on")?
            .map(|d| {
                d.parse()
                    .map_err(|e| StoreError::Corrupt(format!("due_on: {e}")))
            })
            .transpose()?,
        created_at: r.time("created_at")?,
        completed_at: r
            .opt_text("completed_at")?
            .map(|t| parse_ts(&t))
            .transpose()?,
        revision: r.int("revision")?,
        engine_task: r.opt_int("engine_task")?,
        owner: r.opt_text("owner")?,
        kind: r.text("kind")?,
        parent_id: r.opt_text("parent_id")?,
        department_id: r.opt_text("department_id")?,
    })
}

#[async_trait]
impl TaskRepo for SqlTx {
    async fn insert_task(&mut self, t: &Task) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO tasks ({COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)"
        );
        crate::db::query(sql)
            .bind(&t.id)
            .bind(&t.case_id)
            .bind(&t.region_code)
            .bind(&t.step)
            .bind(&t.name)
            .bind(&t.candidate_role)
            .bind(&t.assignee)
            .bind(&t.status)
            .bind(&t.outcome)
            .bind(&t.opinion)
            .bind(&t.completed_by)
            .bind(t.due_on.map(|d| d.to_string()))
            .bind(ts(t.created_at))
            .bind(t.completed_at.map(ts))
            .bind(t.revision)
            .bind(t.engine_task)
            .bind(&t.owner)
            .bind(&t.kind)
            .bind(&t.parent_id)
            .bind(&t.department_id)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_task(&mut self, t: &Task, expected_revision: i64) -> Result<(), StoreError> {
        let r = crate::db::query(
            "UPDATE tasks SET assignee = $2, status = $3, outcome = $4, opinion = $5, completed_by = $6, \
             due_on = $7, completed_at = $8, revision = $9, owner = $11, candidate_role = $12 \
             WHERE id = $1 AND revision = $10",
        )
        .bind(&t.id)
        .bind(&t.assignee)
        .bind(&t.status)
        .bind(&t.outcome)
        .bind(&t.opinion)
        .bind(&t.completed_by)
        .bind(t.due_on.map(|d| d.to_string()))
        .bind(t.completed_at.map(ts))
        .bind(t.revision)
        .bind(expected_revision)
        .bind(&t.owner)
        .bind(&t.candidate_role)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "task {} changed meanwhile",
                t.id
            )));
        }
        Ok(())
    }

    async fn task(&mut self, id: &str) -> Result<Option<Task>, StoreError> {
        let sql = format!("SELECT {COLS} FROM tasks WHERE id = $1");
        let row = crate::db::query(sql)
            .bind(id)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(task_from).transpose()
    }

    async fn open_tasks(
        &mut self,
        roles: &[String],
        region: Option<&str>,
        department: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Task>, StoreError> {
        let mut out = vec![];
        // Served by tasks_open_department (region_code, candidate_role, status, …).
        let in_region = crate::db::in_region("$2", region);
        for role in roles {
            let sql = format!(
                "SELECT {COLS} FROM tasks WHERE status = 'open' AND candidate_role = $1 \
                 AND {in_region} \
                 AND ($4 IS NULL OR department_id IS NULL OR department_id = $4) \
                 ORDER BY created_at LIMIT $3"
            );
            let rows = crate::db::query(sql)
                .bind(role)
                .bind(region)
                .bind(limit.clamp(1, 500))
                .bind(department)
                .fetch_all(&mut self.tx)
                .await
                .map_err(db_err)?;
            for r in &rows {
                out.push(task_from(r)?);
            }
        }
        Ok(out)
    }

    async fn tasks_completed_by(
        &mut self,
        username: &str,
        limit: i64,
    ) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM tasks WHERE status = 'completed' AND completed_by = $1 \
             ORDER BY completed_at DESC, id LIMIT $2"
        );
        let rows = crate::db::query(sql)
            .bind(username)
            .bind(limit.clamp(1, 500))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_from).collect()
    }

    async fn tasks_of_case(&mut self, case_id: &str) -> Result<Vec<Task>, StoreError> {
        self.case_tasks(case_id, "").await
    }

    async fn open_tasks_of_case(&mut self, case_id: &str) -> Result<Vec<Task>, StoreError> {
        self.case_tasks(case_id, "AND status = 'open'").await
    }
}

impl SqlTx {
    /// The tasks of a case that meet `and` (an extra SQL condition, or nothing), oldest first.
    async fn case_tasks(&mut self, case_id: &str, and: &str) -> Result<Vec<Task>, StoreError> {
        let sql =
            format!("SELECT {COLS} FROM tasks WHERE case_id = $1 {and} ORDER BY created_at, id");
        let rows = crate::db::query(sql)
            .bind(case_id)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_from).collect()
    }
}

#[async_trait]
impl WorkbenchRepo for SqlTx {
    async fn open_tasks_assigned(
        &mut self,
        username: &str,
        limit: i64,
    ) -> Result<Vec<Task>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM tasks WHERE status = 'open' AND assignee = $1 ORDER BY created_at LIMIT $2"
        );
        let rows = crate::db::query(sql)
            .bind(username)
            .bind(limit.clamp(1, 500))
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_from).collect()
    }

    async fn child_tasks(&mut self, parent_id: &str) -> Result<Vec<Task>, StoreError> {
        let sql = format!("SELECT {COLS} FROM tasks WHERE parent_id = $1 ORDER BY created_at, id");
        let rows = crate::db::query(sql)
            .bind(parent_id)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(task_from).collect()
    }

    async fn insert_copy(&mut self, c: &TaskCopy) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "INSERT INTO task_copies (id, task_id, case_id, recipient, sent_by, note, created_at, read_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,NULL) ON CONFLICT (task_id, recipient) DO NOTHING",
        )
        .bind(&c.id)
        .bind(&c.task_id)
        .bind(&c.case_id)
        .bind(&c.recipient)
        .bind(&c.sent_by)
        .bind(&c.note)
        .bind(ts(c.created_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn copies_for(
        &mut self,
        recipient: &str,
        limit: i64,
    ) -> Result<Vec<TaskCopy>, StoreError> {
        let rows = crate::db::query(
            "SELECT id, task_id, case_id, recipient, sent_by, note, created_at, read_at FROM task_copies \
             WHERE recipient = $1 ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(recipient)
        .bind(limit.clamp(1, 500))
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(TaskCopy {
                    id: r.text("id")?,
                    task_id: r.text("task_id")?,
                    case_id: r.text("case_id")?,
                    recipient: r.text("recipient")?,
                    sent_by: r.text("sent_by")?,
                    note: r.text("note")?,
                    created_at: r.time("created_at")?,
                    read_at: r.opt_text("read_at")?.map(|t| parse_ts(&t)).transpose()?,
                })
            })
            .collect()
    }

    async fn mark_copy_read(
        &mut self,
        id: &str,
        recipient: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "UPDATE task_copies SET read_at = $3 WHERE id = $1 AND recipient = $2 AND read_at IS NULL",
        )
        .bind(id)
        .bind(recipient)
        .bind(ts(at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn insert_notification(&mut self, n: &Notification) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "INSERT INTO notifications (id, recipient, case_id, kind, once_key, title, body, created_at, read_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,NULL) ON CONFLICT (once_key) DO NOTHING",
        )
        .bind(&n.id)
        .bind(&n.recipient)
        .bind(&n.case_id)
        .bind(&n.kind)
        .bind(&n.once_key)
        .bind(&n.title)
        .bind(&n.body)
        .bind(ts(n.created_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn notifications_for(
        &mut self,
        reader: &str,
        recipients: &[String],
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut out = vec![];
        for who in recipients {
            let rows = crate::db::query(
                "SELECT n.id, n.recipient, n.case_id, n.kind, n.once_key, n.title, n.body, n.created_at, \
                 r.read_at FROM notifications n \
                 LEFT JOIN notification_reads r ON r.notification_id = n.id AND r.reader = $3 \
                 WHERE n.recipient = $1 ORDER BY n.created_at DESC, n.id LIMIT $2",
            )
            .bind(who)
            .bind(limit.clamp(1, 500))
            .bind(reader)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
            for r in &rows {
                out.push(Notification {
                    id: r.text("id")?,
                    recipient: r.text("recipient")?,
                    case_id: r.opt_text("case_id")?,
                    kind: r.text("kind")?,
                    once_key: r.opt_text("once_key")?,
                    title: r.text("title")?,
                    body: r.text("body")?,
                    created_at: r.time("created_at")?,
                    read_at: r.opt_text("read_at")?.map(|t| parse_ts(&t)).transpose()?,
                });
            }
        }
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        out.truncate(usize::try_from(limit.clamp(1, 500)).unwrap_or(500));
        Ok(out)
    }

    async fn mark_notification_read(
        &mut self,
        id: &str,
        reader: &str,
        recipients: &[String],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        for who in recipients {
            let r = crate::db::query(
                "INSERT INTO notification_reads (notification_id, reader, read_at) \
                 SELECT id, $3, $4 FROM notifications WHERE id = $1 AND recipient = $2 \
                 ON CONFLICT (notification_id, reader) DO NOTHING",
            )
            .bind(id)
            .bind(who)
            .bind(reader)
            .bind(ts(at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
            if r.rows_affected() > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn insert_draft(&mut self, d: &Draft) -> Result<(), StoreError> {
        crate::db::query(
            "INSERT INTO case_drafts (id, owner_id, item_code, region_code, json, created_at, updated_at, revision) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        )
        .bind(&d.id)
        .bind(&d.owner_id)
        .bind(&d.item_code)
        .bind(&d.region_code)
        .bind(&d.json)
        .bind(ts(d.created_at))
        .bind(ts(d.updated_at))
        .bind(d.revision)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_draft(&mut self, d: &Draft, expected_revision: i64) -> Result<(), StoreError> {
        let r = crate::db::query(
            "UPDATE case_drafts SET item_code = $2, region_code = $3, json = $4, updated_at = $5, revision = $6 \
             WHERE id = $1 AND revision = $7",
        )
        .bind(&d.id)
        .bind(&d.item_code)
        .bind(&d.region_code)
        .bind(&d.json)
        .bind(ts(d.updated_at))
        .bind(d.revision)
        .bind(expected_revision)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "draft {} changed meanwhile",
                d.id
            )));
        }
        Ok(())
    }

    async fn draft(&mut self, id: &str) -> Result<Option<Draft>, StoreError> {
        let row = crate::db::query(
            "SELECT id, owner_id, item_code, region_code, json, created_at, updated_at, revision \
             FROM case_drafts WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut self.tx)
        .await
        .map_err(db_err)?;
        row.as_ref().map(draft_from).transpose()
    }

    async fn drafts_of(&mut self, owner_id: &str, limit: i64) -> Result<Vec<Draft>, StoreError> {
        let rows = crate::db::query(
            "SELECT id, owner_id, item_code, region_code, json, created_at, updated_at, revision \
             FROM case_drafts WHERE owner_id = $1 ORDER BY updated_at DESC, id LIMIT $2",
        )
        .bind(owner_id)
        .bind(limit.clamp(1, 500))
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter().map(draft_from).collect()
    }

    async fn delete_draft(&mut self, id: &str) -> Result<bool, StoreError> {
        let r = crate::db::query("DELETE FROM case_drafts WHERE id = $1")
            .bind(id)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }
}

fn draft_from(r: &Row) -> Result<Draft, StoreError> {
    Ok(Draft {
        id: r.text("id")?,
        owner_id: r.text("owner_id")?,
        item_code: r.text("item_code")?,
        region_code: r.text("region_code")?,
        json: r.text("json")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
        revision: r.int("revision")?,
    })
}

#[async_trait]
impl shenpi_store::repo::ProcessRepo for SqlTx {
    async fn insert_process(
        &mut self,
        p: &shenpi_store::model::ProcessVersion,
    ) -> Result<(), StoreError> {
        crate::db::query("INSERT INTO processes (key, version, region_code, xml, created_by, created_at) VALUES ($1,$2,'370200',$3,$4,$5)")
            .bind(&p.key)
            .bind(p.version)
            .bind(&p.xml)
            .bind(&p.created_by)
            .bind(ts(p.created_at))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn latest_process(
        &mut self,
        key: &str,
    ) -> Result<Option<shenpi_store::model::ProcessVersion>, StoreError> {
        let row = crate::db::query("SELECT key, version, xml, created_by, created_at FROM processes WHERE key = $1 ORDER BY version DESC LIMIT 1")
            .bind(key)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(process_from).transpose()
    }

    async fn process_version(
        &mut self,
        key: &str,
        version: i64,
    ) -> Result<Option<shenpi_store::model::ProcessVersion>, StoreError> {
        let row = crate::db::query("SELECT key, version, xml, created_by, created_at FROM processes WHERE key = $1 AND version = $2")
            .bind(key)
            .bind(version)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(process_from).transpose()
    }

    async fn list_processes(
        &mut self,
    ) -> Result<Vec<shenpi_store::model::ProcessVersion>, StoreError> {
        let rows = crate::db::query("SELECT key, version, xml, created_by, created_at FROM processes ORDER BY key, version DESC")
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(process_from).collect()
    }
}

fn process_from(r: &Row) -> Result<shenpi_store::model::ProcessVersion, StoreError> {
    Ok(shenpi_store::model::ProcessVersion {
        key: r.text("key")?,
        version: r.int("version")?,
        xml: r.text("xml")?,
        created_by: r.text("created_by")?,
        created_at: r.time("created_at")?,
    })
}

const SEAL_COLS: &str = "key_id, region_code, department, public_key, secret, created_at";

fn seal_from(r: &Row) -> Result<shenpi_store::model::SealKeyRecord, StoreError> {
    Ok(shenpi_store::model::SealKeyRecord {
        key_id: r.text("key_id")?,
        region_code: r.text("region_code")?,
        department: r.text("department")?,
        public_key: r.text("public_key")?,
        secret: r.text("secret")?,
        created_at: r.time("created_at")?,
    })
}

#[async_trait]
impl shenpi_store::repo::SealRepo for SqlTx {
    async fn active_seal_key(
        &mut self,
        region: &str,
    ) -> Result<Option<shenpi_store::model::SealKeyRecord>, StoreError> {
        let sql =
            format!("SELECT {SEAL_COLS} FROM seal_keys WHERE region_code = $1 AND active = 1");
        let row = crate::db::query(sql)
            .bind(region)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(seal_from).transpose()
    }

    async fn insert_seal_key(
        &mut self,
        k: &shenpi_store::model::SealKeyRecord,
    ) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "INSERT INTO seal_keys (key_id, region_code, department, public_key, secret, created_at, active) \
             VALUES ($1,$2,$3,$4,$5,$6,1) ON CONFLICT DO NOTHING",
        )
        .bind(&k.key_id)
        .bind(&k.region_code)
        .bind(&k.department)
        .bind(&k.public_key)
        .bind(&k.secret)
        .bind(ts(k.created_at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn seal_key(
        &mut self,
        key_id: &str,
    ) -> Result<Option<shenpi_store::model::SealKeyRecord>, StoreError> {
        let sql = format!("SELECT {SEAL_COLS} FROM seal_keys WHERE key_id = $1");
        let row = crate::db::query(sql)
            .bind(key_id)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(seal_from).transpose()
    }

    async fn seal_keys(&mut self) -> Result<Vec<shenpi_store::model::SealKeyRecord>, StoreError> {
        let sql = format!("SELECT {SEAL_COLS} FROM seal_keys ORDER BY region_code, created_at");
        let rows = crate::db::query(sql)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(seal_from).collect()
    }
}

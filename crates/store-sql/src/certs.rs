//! Electronic certificates (电子证照): signing keys, certificate versions and usage records.

use crate::db::Row;
use crate::paging::PagedSelect;
use crate::rows::{RowExt, db_err, parse_ts, ts};
use crate::tx::SqlTx;
use async_trait::async_trait;
use shenpi_store::StoreError;
use shenpi_store::model::{
    CertKeyRecord, CertReminder, CertUsage, CertificateRecord, EnterpriseGrant, Page, ProactiveCase,
};
use shenpi_store::repo::CertRepo;

const KEY_COLS: &str = "kid, alg, public_key, sealed_secret, created_at, retired_at, active";
const CERT_COLS: &str = "id, identifier, serial, version, type_code, holder_id, holder_name, \
    region_code, case_id, previous, status, status_reason, status_at, valid_from, valid_until, \
    data, issued_at, revision";
const USAGE_COLS: &str =
    "id, certificate_id, region_code, at, actor_id, actor_name, department, purpose";

fn key_from(r: &Row) -> Result<CertKeyRecord, StoreError> {
    Ok(CertKeyRecord {
        kid: r.text("kid")?,
        alg: r.text("alg")?,
        public_key: r.text("public_key")?,
        sealed_secret: r.opt_text("sealed_secret")?,
        created_at: r.time("created_at")?,
        retired_at: r
            .opt_text("retired_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        active: r.int("active")? == 1,
    })
}

fn cert_from(r: &Row) -> Result<CertificateRecord, StoreError> {
    Ok(CertificateRecord {
        id: r.text("id")?,
        identifier: r.text("identifier")?,
        serial: r.text("serial")?,
        version: r.int("version")?,
        type_code: r.text("type_code")?,
        holder_id: r.text("holder_id")?,
        holder_name: r.text("holder_name")?,
        region_code: r.text("region_code")?,
        case_id: r.opt_text("case_id")?,
        previous: r.opt_text("previous")?,
        status: r.text("status")?,
        status_reason: r.text("status_reason")?,
        status_at: r.time("status_at")?,
        valid_from: r.text("valid_from")?,
        valid_until: r.opt_text("valid_until")?,
        data: r.text("data")?,
        issued_at: r.time("issued_at")?,
        revision: r.int("revision")?,
    })
}

const GRANT_COLS: &str = "uscc, username, role, region_code, granted_by, granted_at, revoked_at";

fn grant_from(r: &Row) -> Result<EnterpriseGrant, StoreError> {
    Ok(EnterpriseGrant {
        uscc: r.text("uscc")?,
        username: r.text("username")?,
        role: r.text("role")?,
        region_code: r.text("region_code")?,
        granted_by: r.text("granted_by")?,
        granted_at: r.time("granted_at")?,
        revoked_at: r
            .opt_text("revoked_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
    })
}

const PROACTIVE_COLS: &str =
    "id, identifier, kind, holder_id, region_code, status, data, created_at, decided_at, revision";

fn proactive_from(r: &Row) -> Result<ProactiveCase, StoreError> {
    Ok(ProactiveCase {
        id: r.text("id")?,
        identifier: r.text("identifier")?,
        kind: r.text("kind")?,
        holder_id: r.text("holder_id")?,
        region_code: r.text("region_code")?,
        status: r.text("status")?,
        data: r.text("data")?,
        created_at: r.time("created_at")?,
        decided_at: r
            .opt_text("decided_at")?
            .as_deref()
            .map(parse_ts)
            .transpose()?,
        revision: r.int("revision")?,
    })
}

fn usage_from(r: &Row) -> Result<CertUsage, StoreError> {
    Ok(CertUsage {
        id: r.text("id")?,
        certificate_id: r.text("certificate_id")?,
        region_code: r.text("region_code")?,
        at: r.time("at")?,
        actor_id: r.text("actor_id")?,
        actor_name: r.text("actor_name")?,
        department: r.text("department")?,
        purpose: r.text("purpose")?,
    })
}

impl SqlTx {
    async fn certs_where(
        &mut self,
        clause: &str,
        args: &[&str],
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        let sql = format!("SELECT {CERT_COLS} FROM certificates WHERE {clause}");
        let mut q = crate::db::query(sql);
        for a in args {
            q = q.bind(*a);
        }
        let rows = q.fetch_all(&mut self.tx).await.map_err(db_err)?;
        rows.iter().map(cert_from).collect()
    }
}

#[async_trait]
impl CertRepo for SqlTx {
    async fn insert_cert_key(&mut self, k: &CertKeyRecord) -> Result<(), StoreError> {
        if k.active {
            crate::db::query("UPDATE cert_keys SET active = 0, retired_at = $1 WHERE active = 1")
                .bind(ts(k.created_at))
                .execute(&mut self.tx)
                .await
                .map_err(db_err)?;
        }
        let sql = format!("INSERT INTO cert_keys ({KEY_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7)");
        crate::db::query(sql)
            .bind(&k.kid)
            .bind(&k.alg)
            .bind(&k.public_key)
            .bind(&k.sealed_secret)
            .bind(ts(k.created_at))
            .bind(k.retired_at.map(ts))
            .bind(i64::from(k.active))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn cert_keys(&mut self) -> Result<Vec<CertKeyRecord>, StoreError> {
        let sql = format!("SELECT {KEY_COLS} FROM cert_keys ORDER BY created_at, kid");
        let rows = crate::db::query(sql)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(key_from).collect()
    }

    async fn insert_certificate(&mut self, c: &CertificateRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO certificates ({CERT_COLS}) VALUES \
             ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)"
        );
        crate::db::query(sql)
            .bind(&c.id)
            .bind(&c.identifier)
            .bind(&c.serial)
            .bind(c.version)
            .bind(&c.type_code)
            .bind(&c.holder_id)
            .bind(&c.holder_name)
            .bind(&c.region_code)
            .bind(&c.case_id)
            .bind(&c.previous)
            .bind(&c.status)
            .bind(&c.status_reason)
            .bind(ts(c.status_at))
            .bind(&c.valid_from)
            .bind(&c.valid_until)
            .bind(&c.data)
            .bind(ts(c.issued_at))
            .bind(c.revision)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn update_certificate(
        &mut self,
        c: &CertificateRecord,
        expected_revision: i64,
    ) -> Result<(), StoreError> {
        let r = crate::db::query(
            "UPDATE certificates SET status = $2, status_reason = $3, status_at = $4, \
             valid_until = $5, data = $6, revision = $7, holder_name = $8 \
             WHERE id = $1 AND revision = $9",
        )
        .bind(&c.id)
        .bind(&c.status)
        .bind(&c.status_reason)
        .bind(ts(c.status_at))
        .bind(&c.valid_until)
        .bind(&c.data)
        .bind(c.revision)
        .bind(&c.holder_name)
        .bind(expected_revision)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "certificate {} changed meanwhile",
                c.identifier
            )));
        }
        Ok(())
    }

    async fn certificate(
        &mut self,
        identifier: &str,
    ) -> Result<Option<CertificateRecord>, StoreError> {
        Ok(self
            .certs_where("identifier = $1", &[identifier])
            .await?
            .into_iter()
            .next())
    }

    async fn certificates_of_holder(
        &mut self,
        holder_id: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.certs_where(
            "holder_id = $1 ORDER BY issued_at DESC, version DESC",
            &[holder_id],
        )
        .await
    }

    async fn certificates_of_holder_page(
        &mut self,
        holder_id: &str,
        page: i64,
        per_page: i64,
    ) -> Result<Page<CertificateRecord>, StoreError> {
        let q = PagedSelect {
            cols: CERT_COLS,
            from: "certificates",
            filter: "holder_id = $1",
            order: "issued_at DESC, version DESC, id",
        };
        self.page_where(q, &[holder_id.into()], (page, per_page), cert_from)
            .await
    }

    async fn valid_certificates_of_holder(
        &mut self,
        holder_id: &str,
        type_codes: &[&str],
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        if type_codes.is_empty() {
            return Ok(vec![]);
        }
        let list = (2..type_codes.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut args = vec![holder_id];
        args.extend_from_slice(type_codes);
        self.certs_where(
            &format!(
                "holder_id = $1 AND type_code IN ({list}) AND status = 'valid' \
                 ORDER BY issued_at DESC, version DESC"
            ),
            &args,
        )
        .await
    }

    async fn certificates_of_case(
        &mut self,
        case_id: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.certs_where("case_id = $1 ORDER BY issued_at, identifier", &[case_id])
            .await
    }

    async fn certificate_versions(
        &mut self,
        type_code: &str,
        serial: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.certs_where(
            "type_code = $1 AND serial = $2 ORDER BY version",
            &[type_code, serial],
        )
        .await
    }

    async fn inactive_certificates(&mut self) -> Result<Vec<CertificateRecord>, StoreError> {
        self.certs_where(
            "status NOT IN ('valid', 'expired') ORDER BY status_at, identifier",
            &[],
        )
        .await
    }

    async fn certificates_expiring(
        &mut self,
        until: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError> {
        self.certs_where(
            "status = 'valid' AND valid_until IS NOT NULL AND valid_until <= $1 \
             ORDER BY valid_until, identifier",
            &[until],
        )
        .await
    }

    async fn insert_cert_reminder(&mut self, r: &CertReminder) -> Result<bool, StoreError> {
        let done = crate::db::query(
            "INSERT INTO cert_reminders (identifier, threshold, region_code, holder_id, \
             valid_until, created_at, deliveries) VALUES ($1,$2,$3,$4,$5,$6,$7) \
             ON CONFLICT (identifier, threshold) DO NOTHING",
        )
        .bind(&r.identifier)
        .bind(r.threshold)
        .bind(&r.region_code)
        .bind(&r.holder_id)
        .bind(&r.valid_until)
        .bind(ts(r.created_at))
        .bind(&r.deliveries)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(done.rows_affected() > 0)
    }

    async fn update_cert_reminder_deliveries(
        &mut self,
        identifier: &str,
        threshold: i64,
        deliveries: &str,
    ) -> Result<(), StoreError> {
        crate::db::query(
            "UPDATE cert_reminders SET deliveries = $3 WHERE identifier = $1 AND threshold = $2",
        )
        .bind(identifier)
        .bind(threshold)
        .bind(deliveries)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn cert_reminders(&mut self, identifier: &str) -> Result<Vec<CertReminder>, StoreError> {
        let rows = crate::db::query(
            "SELECT identifier, threshold, region_code, holder_id, valid_until, created_at, \
             deliveries FROM cert_reminders WHERE identifier = $1 ORDER BY threshold DESC",
        )
        .bind(identifier)
        .fetch_all(&mut self.tx)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| {
                Ok(CertReminder {
                    identifier: r.text("identifier")?,
                    threshold: r.int("threshold")?,
                    region_code: r.text("region_code")?,
                    holder_id: r.text("holder_id")?,
                    valid_until: r.text("valid_until")?,
                    created_at: r.time("created_at")?,
                    deliveries: r.text("deliveries")?,
                })
            })
            .collect()
    }

    async fn upsert_enterprise_grant(&mut self, g: &EnterpriseGrant) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO enterprise_grants ({GRANT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7) \
             ON CONFLICT (uscc, username, role) DO UPDATE SET granted_by = excluded.granted_by, \
             granted_at = excluded.granted_at, revoked_at = excluded.revoked_at, \
             region_code = excluded.region_code"
        );
        crate::db::query(sql)
            .bind(&g.uscc)
            .bind(&g.username)
            .bind(&g.role)
            .bind(&g.region_code)
            .bind(&g.granted_by)
            .bind(ts(g.granted_at))
            .bind(g.revoked_at.map(ts))
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn revoke_enterprise_grant(
        &mut self,
        uscc: &str,
        username: &str,
        role: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        let r = crate::db::query(
            "UPDATE enterprise_grants SET revoked_at = $4 \
             WHERE uscc = $1 AND username = $2 AND role = $3 AND revoked_at IS NULL",
        )
        .bind(uscc)
        .bind(username)
        .bind(role)
        .bind(ts(at))
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn enterprise_grants(&mut self, uscc: &str) -> Result<Vec<EnterpriseGrant>, StoreError> {
        let sql = format!(
            "SELECT {GRANT_COLS} FROM enterprise_grants WHERE uscc = $1 ORDER BY username, role"
        );
        let rows = crate::db::query(sql)
            .bind(uscc)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(grant_from).collect()
    }

    async fn grants_of_user(&mut self, username: &str) -> Result<Vec<EnterpriseGrant>, StoreError> {
        let sql = format!(
            "SELECT {GRANT_COLS} FROM enterprise_grants WHERE username = $1 \
             AND revoked_at IS NULL ORDER BY uscc, role"
        );
        let rows = crate::db::query(sql)
            .bind(username)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(grant_from).collect()
    }

    async fn insert_proactive_case(&mut self, c: &ProactiveCase) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO proactive_cases ({PROACTIVE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) \
             ON CONFLICT DO NOTHING"
        );
        let r = crate::db::query(sql)
            .bind(&c.id)
            .bind(&c.identifier)
            .bind(&c.kind)
            .bind(&c.holder_id)
            .bind(&c.region_code)
            .bind(&c.status)
            .bind(&c.data)
            .bind(ts(c.created_at))
            .bind(c.decided_at.map(ts))
            .bind(c.revision)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected() > 0)
    }

    async fn update_proactive_case(
        &mut self,
        c: &ProactiveCase,
        expected_revision: i64,
    ) -> Result<(), StoreError> {
        let r = crate::db::query(
            "UPDATE proactive_cases SET status = $2, data = $3, decided_at = $4, revision = $5 \
             WHERE id = $1 AND revision = $6",
        )
        .bind(&c.id)
        .bind(&c.status)
        .bind(&c.data)
        .bind(c.decided_at.map(ts))
        .bind(c.revision)
        .bind(expected_revision)
        .execute(&mut self.tx)
        .await
        .map_err(db_err)?;
        if r.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "proactive case {} changed meanwhile",
                c.id
            )));
        }
        Ok(())
    }

    async fn proactive_case(&mut self, id: &str) -> Result<Option<ProactiveCase>, StoreError> {
        let sql = format!("SELECT {PROACTIVE_COLS} FROM proactive_cases WHERE id = $1");
        let row = crate::db::query(sql)
            .bind(id)
            .fetch_optional(&mut self.tx)
            .await
            .map_err(db_err)?;
        row.as_ref().map(proactive_from).transpose()
    }

    async fn proactive_cases_of(
        &mut self,
        holder_id: &str,
    ) -> Result<Vec<ProactiveCase>, StoreError> {
        let sql = format!(
            "SELECT {PROACTIVE_COLS} FROM proactive_cases WHERE holder_id = $1 \
             ORDER BY created_at DESC, id"
        );
        let rows = crate::db::query(sql)
            .bind(holder_id)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(proactive_from).collect()
    }

    async fn insert_cert_usage(&mut self, u: &CertUsage) -> Result<(), StoreError> {
        let sql =
            format!("INSERT INTO cert_usages ({USAGE_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)");
        crate::db::query(sql)
            .bind(&u.id)
            .bind(&u.certificate_id)
            .bind(&u.region_code)
            .bind(ts(u.at))
            .bind(&u.actor_id)
            .bind(&u.actor_name)
            .bind(&u.department)
            .bind(&u.purpose)
            .execute(&mut self.tx)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn cert_usages(&mut self, certificate_id: &str) -> Result<Vec<CertUsage>, StoreError> {
        let sql = format!(
            "SELECT {USAGE_COLS} FROM cert_usages WHERE certificate_id = $1 ORDER BY at DESC, id"
        );
        let rows = crate::db::query(sql)
            .bind(certificate_id)
            .fetch_all(&mut self.tx)
            .await
            .map_err(db_err)?;
        rows.iter().map(usage_from).collect()
    }
}

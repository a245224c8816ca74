//! The audit log: reading it, verifying its chains, and recording permission denials.

use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use serde::Serialize;
use serde_json::json;
use shenpi_store::audit::{ChainBreak, verify_chain};
use shenpi_store::model::{AuditEntry, AuditFilter, Page};

/// The result of verifying one region's chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    pub region_code: String,
    pub entries: u64,
    pub ok: bool,
    /// The first broken entry, when not ok.
    pub first_break: Option<ChainBreakView>,
}

/// A serialisable chain break.
#[derive(Debug, Clone, Serialize)]
pub struct ChainBreakView {
    pub chain_seq: i64,
    pub entry_id: String,
    pub reason: String,
}

impl From<ChainBreak> for ChainBreakView {
    fn from(b: ChainBreak) -> Self {
        ChainBreakView {
            chain_seq: b.chain_seq,
            entry_id: b.entry_id,
            reason: b.reason,
        }
    }
}

impl App {
    /// Recomputes every region's chain (command line and the auditor).
    pub async fn verify_audit(&self) -> Result<Vec<ChainReport>, AppError> {
        let mut tx = self.store.read().await?;
        let mut out = vec![];
        for region in tx.audit_regions().await? {
            let (entries, head) = tx.audit_chain(&region).await?;
            let report = match verify_chain(&region, &entries, head.as_ref()) {
                Ok(n) => ChainReport {
                    region_code: region,
                    entries: n,
                    ok: true,
                    first_break: None,
                },
                Err(b) => ChainReport {
                    region_code: region,
                    entries: entries.len() as u64,
                    ok: false,
                    first_break: Some(b.into()),
                },
            };
            out.push(report);
        }
        Ok(out)
    }

    /// Verification by the audit admin (the verification itself is audited).
    pub async fn verify_audit_as(
        &self,
        p: &Principal,
        meta: &RequestMeta,
    ) -> Result<Vec<ChainReport>, AppError> {
        authorize(p, Action::AuditVerify, None)?;
        let reports: Vec<ChainReport> = self
            .verify_audit()
            .await?
            .into_iter()
            .filter(|r| crate::policy::in_region_scope(p, &r.region_code))
            .collect();
        let ok = reports.iter().all(|r| r.ok);
        let mut tx = self.store.begin().await?;
        tx.append_audit(meta.audit(
            self.clock.now(),
            &p.user.region_code,
            Some(&p.user),
            "audit.verify",
            ("audit", "all"),
            if ok { "success" } else { "failure" },
            json!({"regions": reports.len(), "ok": ok}),
        ))
        .await?;
        tx.commit().await?;
        Ok(reports)
    }

    /// Reads the audit log, newest first.
    pub async fn audit_entries(
        &self,
        p: &Principal,
        mut filter: AuditFilter,
        page: i64,
    ) -> Result<Page<AuditEntry>, AppError> {
        // Without a region, a district auditor reads their own district only.
        if filter.region_code.is_none() {
            filter.region_code = crate::policy::default_region_filter(p);
        }
        authorize(p, Action::AuditRead, filter.region_code.as_deref())?;
        let mut tx = self.store.read().await?;
        Ok(tx.list_audit(&filter, page, 50).await?)
    }

    /// Records a permission denial in the audit log (its own transaction).
    pub async fn record_denial(
        &self,
        p: Option<&Principal>,
        action: &str,
        target: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let region = p
            .map(|p| p.user.region_code.clone())
            .unwrap_or_else(|| shenpi_domain::regions::QINGDAO_CITY.to_string());
        let mut tx = self.store.begin().await?;
        tx.append_audit(meta.audit(
            self.clock.now(),
            &region,
            p.map(|p| &p.user),
            "authz.denied",
            ("route", target),
            "denied",
            json!({"action": action}),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

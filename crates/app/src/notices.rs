//! Sealed notices (法律文书) of a case: 受理通知书, 一次性补正告知书, 不予受理决定书 and
//! 准予/不予行政许可决定书 are rendered as PDF (crate `shenpi-notice`, typst with the shipped
//! CJK font), sealed with the SM2 key of the region's approval bureau (一枚印章管审批) and kept
//! with the case. The applicant reads them in the platform; opening the decision there is its
//! electronic delivery (电子送达), which closes the case (办结).
//!
//! Seal keys are made on first use, one active per region, and stored in the database so that
//! every node signs with the same key; the public keys are published (`GET /api/v1/seal-keys`)
//! and `shenpi notice verify` checks a PDF against them.

use crate::cases::{CaseRecord, NoticeRef, TimelineEntry, record_of, stored_of};
use crate::policy::in_region_scope;
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_notice::{NoticeData, NoticeKind, PublicKey, SealKey};
use shenpi_store::model::SealKeyRecord;

/// The SM2 distinguishing ID every seal signature uses (GB/T 35276 default).
pub use shenpi_notice::DIST_ID;

/// The complaint and consultation line printed on notices (12345 政务服务便民热线).
pub const COMPLAINT_PHONE: &str = "12345";

/// The approval bureau of a region, the issuing department of its notices.
pub fn department_of(region: &str) -> String {
    match shenpi_domain::regions::name_of(region) {
        Some(name) if region == shenpi_domain::regions::QINGDAO_CITY => {
            format!("{name}行政审批服务局")
        }
        Some(name) => format!("青岛市{name}行政审批服务局"),
        None => "青岛市行政审批服务局".to_string(),
    }
}

/// The notice a case's new status calls for.
fn kind_for(before: CaseStatus, after: CaseStatus) -> Option<NoticeKind> {
    match (before, after) {
        (CaseStatus::Submitted, CaseStatus::UnderReview) => Some(NoticeKind::Acceptance),
        (_, CaseStatus::AwaitingSupplement | CaseStatus::ReviewSupplement) => {
            Some(NoticeKind::SupplementRequest)
        }
        (_, CaseStatus::NotAccepted) => Some(NoticeKind::RefusalToAccept),
        (_, CaseStatus::Granted) => Some(NoticeKind::Grant),
        (_, CaseStatus::Denied) => Some(NoticeKind::Refusal),
        _ => None,
    }
}

/// The short code of a kind in the document number (文号).
fn doc_code(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Acceptance => "受",
        NoticeKind::SupplementRequest => "补",
        NoticeKind::RefusalToAccept => "不受",
        NoticeKind::Grant => "准",
        NoticeKind::Refusal => "不准",
        NoticeKind::SpecialProcedure => "特",
        NoticeKind::BundleResult => "联",
    }
}

fn kind_name(kind: NoticeKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Lines of a free text: one per line or per `；`.
fn lines_of(text: &str) -> Vec<String> {
    text.split(['\n', '；', ';'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A public seal key as published.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedKey {
    pub key_id: String,
    pub region: String,
    pub department: String,
    /// SEC1 uncompressed, hex; SM2 with SM3, distinguishing ID `1234567812345678`.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

/// A verified notice.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedNotice {
    pub key_id: String,
    pub region: String,
    pub department: String,
}

fn key_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("seal key: {e}"))
}

impl App {
    /// The active seal key of a region, made on first use.
    pub(crate) async fn seal_key_for(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        region: &str,
    ) -> Result<(SealKey, SealKeyRecord), AppError> {
        if let Some(rec) = tx.active_seal_key(region).await? {
            let key = self.seal_keys.key(&rec)?;
            return Ok((key, rec));
        }
        let key = SealKey::generate().map_err(key_error)?;
        let rec = SealKeyRecord {
            key_id: key.key_id(),
            region_code: region.to_string(),
            department: department_of(region),
            public_key: key.public_key().to_hex(),
            secret: key.secret_hex(),
            created_at: self.clock.now(),
        };
        tx.insert_seal_key(&rec).await?;
        let rec = tx
            .active_seal_key(region)
            .await?
            .ok_or_else(|| key_error("no active key after insert"))?;
        let key = self.seal_keys.key(&rec)?;
        Ok((key, rec))
    }

    /// Issues the notice the status change `before` → `c.status` calls for, if any: rendered,
    /// sealed, stored as a blob and listed on the case; and on a grant, the electronic
    /// certificate (电子证照) the item issues, in the same transaction. A character no font can
    /// print is refused (422 `NOTICE_UNRENDERABLE`), and nothing changes.
    pub(crate) async fn issue_notice_for(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &mut CaseRecord,
        before: CaseStatus,
        opinion: &str,
    ) -> Result<(), AppError> {
        let Some(kind) = kind_for(before, c.status) else {
            return Ok(());
        };
        if kind == NoticeKind::Grant {
            self.issue_case_certificate(tx, c).await?;
        }
        self.issue_notice(tx, c, kind, opinion, None).await
    }

    /// Issues the written notice of a special procedure (特别程序告知书, Art. 45).
    pub(crate) async fn issue_special_notice(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &mut CaseRecord,
        special: shenpi_notice::SpecialProcedure,
    ) -> Result<(), AppError> {
        self.issue_notice(tx, c, NoticeKind::SpecialProcedure, "", Some(special))
            .await
    }

    async fn issue_notice(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &mut CaseRecord,
        kind: NoticeKind,
        opinion: &str,
        special_procedure: Option<shenpi_notice::SpecialProcedure>,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let today = self.today();
        let department = department_of(&c.region);
        let seq = c.notices.len() + 1;
        let document_number = format!(
            "青审批{}字〔{}〕{}-{seq}号",
            doc_code(kind),
            today.format("%Y"),
            c.number
        );
        let lines = match kind {
            NoticeKind::SupplementRequest => {
                lines_of(c.supplement_request.as_deref().unwrap_or(opinion))
            }
            NoticeKind::RefusalToAccept | NoticeKind::Refusal => lines_of(opinion),
            _ => vec![],
        };
        let data = NoticeData {
            kind,
            document_number: document_number.clone(),
            case_number: c.number.clone(),
            applicant: c.applicant_name.clone(),
            item: c.item_name.clone(),
            department,
            date: today,
            received_on: c.received_on,
            accepted_on: c.accepted_on,
            promised_days: Some(c.promised_days),
            statutory_days: Some(c.statutory_days),
            lines,
            opinion: if matches!(kind, NoticeKind::Grant | NoticeKind::Acceptance) {
                with_fee(kind, opinion, c)
            } else {
                String::new()
            },
            phone: COMPLAINT_PHONE.into(),
            special_procedure,
        };
        shenpi_notice::check(&data).map_err(notice_error)?;
        // Typesetting and sealing wait for the notice job, after this step commits; the key
        // that will seal it is fixed now.
        let (_, rec) = self.seal_key_for(tx, &c.region).await?;
        c.notices.push(NoticeRef {
            id: shenpi_store::new_id(),
            kind: kind_name(kind),
            title: kind.title().to_string(),
            doc_number: document_number,
            blob_key: String::new(),
            sha256: String::new(),
            key_id: rec.key_id,
            issued_at: now,
            pending: Some(data),
            seal_attempts: 0,
            seal_error: None,
        });
        Ok(())
    }
}

/// Seal keys parsed from their stored records, by key id (the record's secret is compared, so
/// a replaced record is parsed again).
#[derive(Default)]
pub(crate) struct SealKeyCache(
    std::sync::Mutex<std::collections::HashMap<String, (String, SealKey)>>,
);

impl SealKeyCache {
    fn key(&self, rec: &SealKeyRecord) -> Result<SealKey, AppError> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((secret, key)) = map.get(&rec.key_id)
            && *secret == rec.secret
        {
            return Ok(key.clone());
        }
        let key = SealKey::from_secret_hex(&rec.secret).map_err(key_error)?;
        map.insert(rec.key_id.clone(), (rec.secret.clone(), key.clone()));
        Ok(key)
    }
}

/// How often the notice job tries to seal a notice before it stops waking the case for it.
pub const MAX_SEAL_ATTEMPTS: u32 = 5;

/// The 422 of a notice that cannot be rendered, or an internal error.
fn notice_error(e: shenpi_notice::NoticeError) -> AppError {
    match e {
        shenpi_notice::NoticeError::MissingGlyphs { chars } => AppError::rule(
            ErrorCode::NOTICE_UNRENDERABLE,
            json!({"chars": chars.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                       "code_points": chars.iter().map(|c| format!("U+{:04X}", u32::from(*c))).collect::<Vec<_>>()}),
        ),
        shenpi_notice::NoticeError::MissingField(f) => {
            AppError::rule(ErrorCode::NOTICE_UNRENDERABLE, json!({"missing": f}))
        }
        other => AppError::Internal(format!("notice: {other}")),
    }
}

impl App {
    /// Wakes the notice job: a step that issued notices has committed.
    pub(crate) fn notices_issued(&self, c: &CaseRecord) {
        if c.notices.iter().any(|n| n.pending.is_some()) {
            self.notice_kick.notify_one();
        }
    }

    /// Waits until a step has issued notices and the node is quiet ([`crate::load`]), for
    /// `shenpi serve`'s notice job.
    pub async fn notices_wanted(&self) {
        self.notice_kick.notified().await;
        self.load.until_quiet().await;
    }

    /// Typesets and seals the pending notices of a case (off the async threads), stores them
    /// and records them on the case at the revision it was read at; returns how many. Run by
    /// the notice job, on the low-priority background thread ([`crate::background`]), and, for
    /// a notice opened before the job got to it, by the download at normal priority.
    pub async fn seal_pending_notices(&self, case_id: &str) -> Result<usize, AppError> {
        self.seal_notices(case_id, true).await
    }

    async fn seal_notices(&self, case_id: &str, background: bool) -> Result<usize, AppError> {
        // What was made stays made when the case moved on meanwhile: a retry records it on the
        // new revision without typesetting it again.
        let mut sealed: Vec<(String, String, String)> = vec![];
        let mut failed: Vec<(String, String)> = vec![];
        for _ in 0..5 {
            let stored = {
                let mut tx = self.store.read().await?;
                tx.case_by_id(case_id).await?
            };
            let Some(stored) = stored else { return Ok(0) };
            let c = record_of(&stored)?;
            let pending: Vec<(String, String, shenpi_notice::NoticeData)> = c
                .notices
                .iter()
                .filter(|n| n.seal_attempts < MAX_SEAL_ATTEMPTS)
                .filter_map(|n| Some((n.id.clone(), n.key_id.clone(), n.pending.clone()?)))
                .collect();
            if pending.is_empty() {
                return Ok(0);
            }
            let made_before =
                |id: &str| sealed.iter().any(|s| s.0 == id) || failed.iter().any(|f| f.0 == id);
            let to_make: Vec<_> = pending
                .into_iter()
                .filter(|(id, _, _)| !made_before(id))
                .collect();
            for (id, key_id, data) in to_make {
                let rec = {
                    let mut tx = self.store.read().await?;
                    tx.seal_key(&key_id).await?
                };
                let Some(rec) = rec else {
                    failed.push((id, format!("seal key {key_id} is gone")));
                    continue;
                };
                let key = self.seal_keys.key(&rec)?;
                let make = move || {
                    let pdf = shenpi_notice::render(&data).map_err(notice_error)?;
                    Ok::<_, AppError>(shenpi_notice::seal(&pdf, &key))
                };
                let made = if background {
                    self.background.run(make).await.ok_or_else(|| {
                        AppError::Internal("notice job: the background thread failed".into())
                    })?
                } else {
                    tokio::task::spawn_blocking(make)
                        .await
                        .map_err(|e| AppError::Internal(format!("notice job: {e}")))?
                };
                match made {
                    Ok(bytes) => {
                        let sha256 = hex::encode(Sha256::digest(&bytes));
                        let blob_key = self.store.blobs().put(&bytes).await?;
                        sealed.push((id, blob_key, sha256));
                    }
                    // Recorded on the notice; after MAX_SEAL_ATTEMPTS the case stops waking
                    // for it and the download says why.
                    Err(e) => failed.push((id, format!("{e:?}"))),
                }
            }
            let mut tx = self.store.begin().await?;
            let Some(now) = tx.case_by_id(case_id).await? else {
                return Ok(0);
            };
            let mut c = record_of(&now)?;
            // Notices changed (sealed or a failure recorded), and those sealed.
            let mut done = 0;
            let mut sealed_now = 0;
            for (id, blob_key, sha256) in &sealed {
                if let Some(n) = c
                    .notices
                    .iter_mut()
                    .find(|n| &n.id == id && n.pending.is_some())
                {
                    n.blob_key = blob_key.clone();
                    n.sha256 = sha256.clone();
                    n.pending = None;
                    done += 1;
                    sealed_now += 1;
                }
            }
            for (id, error) in &failed {
                if let Some(n) = c
                    .notices
                    .iter_mut()
                    .find(|n| &n.id == id && n.pending.is_some())
                {
                    n.seal_attempts += 1;
                    n.seal_error = Some(error.chars().take(500).collect());
                    tracing::warn!(case = %c.number, notice = %n.doc_number, attempts = n.seal_attempts, error = %error, "sealing a notice failed");
                    done += 1;
                }
            }
            if done == 0 {
                return Ok(0);
            }
            let updated = stored_of(&c, &now.idempotency_key, now.revision + 1, now.submitted_at)?;
            match tx.update_case(&updated, now.revision).await {
                Ok(()) => {
                    tx.commit().await?;
                    return Ok(sealed_now);
                }
                // The case moved on meanwhile (a step of its own): seal again on the new revision;
                // the blobs are stored by content, so nothing is made twice.
                Err(shenpi_store::StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal(format!(
            "notices of case {case_id}: the case kept changing"
        )))
    }

    /// A notice of a case, for its applicant or the staff of its region. The applicant's first
    /// reading of the decision is its electronic delivery: the case is delivered and closed.
    pub async fn notice_pdf(
        &self,
        p: &Principal,
        case_id: &str,
        notice_id: &str,
        meta: &RequestMeta,
    ) -> Result<(NoticeRef, Vec<u8>), AppError> {
        let (c, revision) = self.case(p, case_id).await?;
        // A notice the job could not seal: the download says so (the case shows the error).
        if let Some(n) = c.notices.iter().find(|n| {
            n.id == notice_id && n.pending.is_some() && n.seal_attempts >= MAX_SEAL_ATTEMPTS
        }) {
            return Err(AppError::rule(
                ErrorCode::NOTICE_UNRENDERABLE,
                json!({"notice": n.doc_number, "attempts": n.seal_attempts}),
            ));
        }
        // Opened before the notice job got to it: sealed now.
        let (mut c, revision) = if c
            .notices
            .iter()
            .any(|n| n.id == notice_id && n.pending.is_some())
        {
            self.seal_notices(case_id, false).await?;
            self.case(p, case_id).await?
        } else {
            (c, revision)
        };
        let not_found = || AppError::rule(ErrorCode::NOTICE_NOT_FOUND, json!({"id": notice_id}));
        let n = c
            .notices
            .iter()
            .find(|n| n.id == notice_id && n.pending.is_none())
            .cloned()
            .ok_or_else(not_found)?;
        let applicant = c.applicant_id == p.user.id;
        if !applicant && !in_region_scope(p, &c.region) {
            return Err(not_found());
        }
        let bytes = self.store.blobs().get(&n.blob_key).await?;
        let decision = matches!(n.kind.as_str(), "grant" | "refusal");
        if applicant && decision && matches!(c.status, CaseStatus::Granted | CaseStatus::Denied) {
            let now = self.clock.now();
            for (event, note) in [
                (
                    CaseEvent::Deliver,
                    format!("电子送达：申请人已在平台查收《{}》", n.title),
                ),
                (CaseEvent::Close, "办结".to_string()),
            ] {
                c.status = transition(c.status, event).map_err(|e| {
                    AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from}))
                })?;
                c.timeline.push(TimelineEntry {
                    at: now,
                    status: c.status,
                    actor: p.user.username.clone(),
                    note,
                    attachments: vec![],
                });
            }
            let mut tx = self.store.begin().await?;
            let stored = tx
                .case_by_id(case_id)
                .await?
                .ok_or_else(|| AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({})))?;
            // A second reader meanwhile already delivered it: nothing more to record.
            if record_of(&stored)?.status == CaseStatus::Closed {
                return Ok((n, bytes));
            }
            let updated = stored_of(
                &c,
                &stored.idempotency_key,
                revision + 1,
                stored.submitted_at,
            )?;
            tx.update_case(&updated, revision)
                .await
                .map_err(crate::catalog::stale)?;
            tx.append_audit(meta.audit(
                now,
                &c.region,
                Some(&p.user),
                "case.deliver",
                ("case", case_id),
                "success",
                json!({"notice": n.doc_number}),
            ))
            .await?;
            tx.commit().await?;
        }
        Ok((n, bytes))
    }

    /// The published seal keys (public halves).
    pub async fn seal_keys(&self) -> Result<Vec<PublishedKey>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx
            .seal_keys()
            .await?
            .into_iter()
            .map(|k| PublishedKey {
                key_id: k.key_id,
                region: k.region_code,
                department: k.department,
                public_key: k.public_key,
                created_at: k.created_at,
            })
            .collect())
    }

    /// Checks the seal of a notice PDF against the platform's keys.
    pub async fn verify_notice(&self, pdf: &[u8]) -> Result<VerifiedNotice, AppError> {
        let keys = self.seal_keys().await?;
        let lookup = |id: &str| -> Option<PublicKey> {
            keys.iter()
                .find(|k| k.key_id == id)
                .and_then(|k| PublicKey::from_hex(&k.public_key).ok())
        };
        let v = shenpi_notice::verify(pdf, &lookup).map_err(|e| {
            AppError::rule(
                ErrorCode::NOTICE_SEAL_INVALID,
                json!({"reason": e.to_string()}),
            )
        })?;
        let k = keys
            .iter()
            .find(|k| k.key_id == v.key_id)
            .ok_or_else(|| AppError::Internal("verified key vanished".into()))?;
        Ok(VerifiedNotice {
            key_id: v.key_id,
            region: k.region.clone(),
            department: k.department.clone(),
        })
    }
}

/// The opinion of a grant with the fee the item's fee rule assessed (收费核定), if any.
fn with_fee(kind: NoticeKind, opinion: &str, c: &CaseRecord) -> String {
    match crate::decisions::fee(&c.decisions) {
        Some(f) if kind == NoticeKind::Grant => {
            let how = if f.explanation.is_empty() {
                String::new()
            } else {
                format!("（{}）", f.explanation)
            };
            let sentence = format!("请按规定缴纳费用人民币{}元{how}。", f.amount_yuan);
            if opinion.trim().is_empty() {
                sentence
            } else {
                format!("{}  {sentence}", opinion.trim())
            }
        }
        _ => opinion.to_string(),
    }
}

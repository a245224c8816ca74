//! Proactive approval (无感审批): the platform notices that a holder's certificate should change
//! and offers it, pre-filled; nothing changes until the holder confirms (继续办理), and then the
//! new version is issued at once.
//!
//! Triggers:
//! - a change to an enterprise's record (name, address, legal representative): the enterprise
//!   registry pushes a signed event (`POST /api/v1/registry/events`, from the partner system
//!   `market-registry`), which updates the platform's copy; a periodic comparison of every
//!   certificate with the registry catches any event that never arrived;
//! - the coming expiry of a certificate type marked `proactive_renewal` (at its reminder).
//!
//! Applying an event twice changes nothing (the values are set, not added), and a certificate
//! has at most one open offer of each kind, so an event delivered again opens nothing new.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use shenpi_domain::certificate::CertStatus;
use shenpi_domain::error::ErrorCode;
use shenpi_domain::validate::Uscc;
use shenpi_store::model::{Notification, ProactiveCase, RegistryRecord};

use super::Certificate;
use super::catalogue::cert_type;
use super::issue::{Holder, IssueRequest};
use super::remind::holder_recipient;
use crate::partners::SignedRequest;
use crate::{App, AppError, Principal, RequestMeta};

/// The partner system whose change events the platform takes: the enterprise registry.
pub const REGISTRY_PARTNER: &str = "market-registry";

/// The record fields a change event may set.
const CHANGEABLE: [(&str, &str); 3] = [
    ("name", "名称"),
    ("address", "住所"),
    ("legal_representative", "法定代表人"),
];

/// A change event of the enterprise registry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryEvent {
    /// The registry's id of the event (kept in the audit trail).
    pub event_id: String,
    /// `enterprise`.
    pub kind: String,
    /// The USCC.
    pub key: String,
    /// New values: `name`, `address`, `legal_representative`.
    pub changes: Map<String, Value>,
}

fn bad_event(zh: &str, en: &str) -> AppError {
    AppError::invalid_text("event", "REGISTRY_EVENT_INVALID", zh, en)
}

impl App {
    /// Takes a signed registry change event: checks it, updates the platform's copy of the
    /// record, and compares the enterprise's certificates. Returns how many offers it opened.
    pub async fn registry_event(&self, req: &SignedRequest<'_>) -> Result<usize, AppError> {
        let partner = self.authenticate_partner(req).await?;
        if partner.key != REGISTRY_PARTNER {
            return Err(AppError::Forbidden("registry events".into()));
        }
        let e: RegistryEvent = serde_json::from_slice(req.body).map_err(|err| {
            bad_event(
                &format!("变更事件格式不正确：{err}"),
                &format!("The change event is malformed: {err}"),
            )
        })?;
        if e.kind != "enterprise" || Uscc::parse(&e.key).is_err() || e.event_id.trim().is_empty() {
            return Err(bad_event(
                "变更事件须有事件编号、类别 enterprise 和有效的统一社会信用代码",
                "An event needs an event id, kind enterprise and a valid USCC",
            ));
        }
        if e.changes.is_empty()
            || e.changes.iter().any(|(k, v)| {
                !CHANGEABLE.iter().any(|(f, _)| f == k)
                    || v.as_str()
                        .is_none_or(|t| t.trim().is_empty() || t.chars().count() > 200)
            })
        {
            return Err(bad_event(
                "变更内容只能是 name、address、legal_representative，值为 1 至 200 字的文字",
                "Changes may set name, address and legal_representative to 1-200 characters",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(mut rec) = tx.registry_record("enterprise", &e.key).await? else {
            return Err(AppError::rule(
                ErrorCode::DATA_RECORD_NOT_FOUND,
                json!({"key": e.key}),
            ));
        };
        let mut data: Value = serde_json::from_str(&rec.data).unwrap_or_else(|_| json!({}));
        for (k, v) in &e.changes {
            data[k.as_str()] = v.clone();
        }
        if let Some(name) = e.changes.get("name").and_then(Value::as_str) {
            rec.name = name.trim().to_owned();
        }
        rec.data = data.to_string();
        rec.updated_at = now;
        tx.upsert_registry_records(std::slice::from_ref(&rec))
            .await?;
        tx.append_audit(RequestMeta::cli().audit(
            now,
            &rec.region_code,
            None,
            "registry.event",
            ("enterprise", &e.key),
            "success",
            json!({"partner": partner.key, "event_id": e.event_id,
                   "fields": e.changes.keys().collect::<Vec<_>>()}),
        ))
        .await?;
        tx.commit().await?;
        self.compare_with_registry(&rec).await
    }

    /// Compares an enterprise's valid certificates with its registry record; offers a new version
    /// of each that prints outdated data. Returns how many offers opened.
    pub async fn compare_with_registry(&self, rec: &RegistryRecord) -> Result<usize, AppError> {
        let data: Value = serde_json::from_str(&rec.data).unwrap_or(Value::Null);
        let today = self.today();
        let mut opened = 0;
        for cert in self.certificates_of(&rec.key).await? {
            if cert.status_on(today) != CertStatus::Valid {
                continue;
            }
            let Some(t) = cert_type(&cert.record.type_code)? else {
                continue;
            };
            let printed: Map<String, Value> = cert.data.payload["fields"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|f| Some((f["key"].as_str()?.to_owned(), f["value"].clone())))
                        .collect()
                })
                .unwrap_or_default();
            let mut changes = vec![];
            if cert.record.holder_name != rec.name {
                changes.push(
                    json!({"field": "名称", "from": cert.record.holder_name, "to": rec.name}),
                );
            }
            for f in &t.fields {
                if let Some(k) = f.from.strip_prefix("enterprise.") {
                    let now_v = data[k].as_str().unwrap_or_default();
                    let was = printed
                        .get(&f.key)
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    if !now_v.is_empty() && now_v != was {
                        changes.push(json!({"field": f.label, "from": was, "to": now_v}));
                    }
                }
            }
            if changes.is_empty() {
                continue;
            }
            if self
                .offer(&cert, "change", json!({"changes": changes}), &format!(
                    "您企业的登记信息已变更，{}需要更新。确认“继续办理”后即换发新版本，无需提交材料。",
                    cert.type_name()
                ))
                .await?
            {
                opened += 1;
            }
        }
        Ok(opened)
    }

    /// Opens an offer of `kind` for a certificate and tells its holder; `false` when one is
    /// open already.
    pub(crate) async fn offer(
        &self,
        cert: &Certificate,
        kind: &str,
        data: Value,
        text: &str,
    ) -> Result<bool, AppError> {
        let now = self.clock.now();
        let r = &cert.record;
        let case = ProactiveCase {
            id: shenpi_store::new_id(),
            identifier: r.identifier.clone(),
            kind: kind.to_owned(),
            holder_id: r.holder_id.clone(),
            region_code: r.region_code.clone(),
            status: "offered".into(),
            data: data.to_string(),
            created_at: now,
            decided_at: None,
            revision: 1,
        };
        let mut tx = self.store.begin().await?;
        if !tx.insert_proactive_case(&case).await? {
            return Ok(false);
        }
        tx.insert_notification(&Notification {
            id: shenpi_store::new_id(),
            recipient: holder_recipient(&r.holder_id),
            case_id: None,
            kind: "proactive".into(),
            once_key: Some(format!("proactive:{}", case.id)),
            title: format!("主动服务：{}", cert.type_name()),
            body: text.to_owned(),
            created_at: now,
            read_at: None,
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The periodic comparison: every enterprise with a certificate against its record (catches
    /// change events that never arrived). Returns how many offers opened.
    pub async fn scan_registry_changes(&self) -> Result<usize, AppError> {
        let records = {
            let mut tx = self.store.read().await?;
            tx.registry_records_named("enterprise", "", 100_000).await?
        };
        let mut opened = 0;
        for rec in records {
            opened += self.compare_with_registry(&rec).await?;
        }
        Ok(opened)
    }

    /// The proactive cases of the certificates `p` holds, newest first.
    pub async fn my_proactive_cases(&self, p: &Principal) -> Result<Vec<ProactiveCase>, AppError> {
        let ids = self.holder_ids(p).await?;
        let mut tx = self.store.read().await?;
        let mut out = vec![];
        for id in &ids {
            out.extend(tx.proactive_cases_of(id).await?);
        }
        Ok(out)
    }

    async fn own_offer(&self, p: &Principal, id: &str) -> Result<ProactiveCase, AppError> {
        let ids = self.holder_ids(p).await?;
        let mut tx = self.store.read().await?;
        tx.proactive_case(id)
            .await?
            .filter(|c| ids.contains(&c.holder_id))
            .ok_or_else(|| AppError::NotFound("proactive case".into()))
    }

    /// 继续办理: the holder confirms; the new version is issued at once, pre-filled from the
    /// registry, and the old one is superseded. Returns the new certificate.
    pub async fn confirm_proactive(
        &self,
        p: &Principal,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<Certificate, AppError> {
        let mut case = self.own_offer(p, id).await?;
        if case.status != "offered" {
            return Err(AppError::Conflict(format!(
                "proactive case is {}",
                case.status
            )));
        }
        let now = self.clock.now();
        let today = self.today();
        let mut tx = self.store.begin().await?;
        let old = tx
            .certificate(&case.identifier)
            .await?
            .ok_or_else(|| AppError::NotFound("certificate".into()))?;
        let old_cert = Certificate::of(old.clone())?;
        if old_cert.status_on(today) != CertStatus::Valid {
            return Err(AppError::rule(
                ErrorCode::CERT_STATUS_CHANGE_REFUSED,
                json!({"from": old_cert.status_on(today).as_str(), "to": "superseded"}),
            ));
        }
        let t = cert_type(&old.type_code)?
            .ok_or_else(|| AppError::Internal(format!("certificate type {}", old.type_code)))?;
        let rec = tx.registry_record("enterprise", &old.holder_id).await?;
        let data: Option<Value> = rec
            .as_ref()
            .and_then(|r| serde_json::from_str(&r.data).ok());
        let name = rec
            .as_ref()
            .map_or(old.holder_name.clone(), |r| r.name.clone());
        let holder_kind = if rec.is_some() {
            shenpi_domain::certificate::HolderKind::Enterprise
        } else {
            t.holder
        };
        let renewal = case.kind == "renewal";
        let new = self
            .issue_certificate_in(
                &mut tx,
                IssueRequest {
                    cert_type: t,
                    holder: Holder {
                        kind: holder_kind,
                        id: old.holder_id.clone(),
                        name,
                    },
                    region: &old.region_code,
                    case: None,
                    enterprise: data.as_ref(),
                    valid_from: today,
                    by: &p.user.username,
                    replaces: Some(old.clone()),
                    keep_valid_until: !renewal,
                    form: None,
                },
            )
            .await?;
        let expected = case.revision;
        let mut d: Value = serde_json::from_str(&case.data).unwrap_or_else(|_| json!({}));
        d["new_identifier"] = json!(new.record.identifier);
        case.status = "confirmed".into();
        case.decided_at = Some(now);
        case.data = d.to_string();
        case.revision += 1;
        tx.update_proactive_case(&case, expected)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            &old.region_code,
            Some(&p.user),
            "proactive.confirm",
            ("certificate", &old.identifier),
            "success",
            json!({"kind": case.kind, "new": new.record.identifier}),
        ))
        .await?;
        tx.commit().await?;
        Ok(new)
    }

    /// The holder declines: nothing changes.
    pub async fn decline_proactive(&self, p: &Principal, id: &str) -> Result<(), AppError> {
        let mut case = self.own_offer(p, id).await?;
        if case.status != "offered" {
            return Err(AppError::Conflict(format!(
                "proactive case is {}",
                case.status
            )));
        }
        let expected = case.revision;
        case.status = "declined".into();
        case.decided_at = Some(self.clock.now());
        case.revision += 1;
        let mut tx = self.store.begin().await?;
        tx.update_proactive_case(&case, expected)
            .await
            .map_err(crate::catalog::stale)?;
        tx.commit().await?;
        Ok(())
    }
}

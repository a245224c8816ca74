//! Issuance (发证): when a case is granted, the certificate its item issues is made in the
//! granting transaction — the GB/T 36904 identifier, the structured data resolved from the case,
//! the signature over the canonical data and the static token the PDF prints. A grant of a
//! change or renewal item (变更, 延续) to a holder who has a valid certificate of the type makes
//! a new version of it (same serial, next version, linked to the previous one, which becomes
//! superseded). The demo's existing certificates (an e-business licence for every demo
//! enterprise) are issued the same way, without a case.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use shenpi_certs::token::{self, Claims};
use shenpi_domain::certificate::{CertStatus, CertType, FieldSources, HolderKind};
use shenpi_domain::validate::{CertId, Uscc};
use shenpi_store::model::CertificateRecord;

use super::catalogue::{issuer, type_code, type_for_item};
use super::{CertData, Certificate, StatusChange, key_error};
use crate::cases::{CaseRecord, TimelineEntry};
use crate::{App, AppError};

/// Who a certificate is issued to.
#[derive(Debug, Clone)]
pub struct Holder {
    pub kind: HolderKind,
    /// USCC or ID number.
    pub id: String,
    pub name: String,
}

/// What to issue: the type, holder, region, case and its facts.
pub(crate) struct IssueRequest<'a> {
    pub cert_type: &'a CertType,
    pub holder: Holder,
    pub region: &'a str,
    pub case: Option<&'a CaseRecord>,
    pub enterprise: Option<&'a Value>,
    pub valid_from: NaiveDate,
    pub by: &'a str,
    /// A new version of this certificate (无感审批), keeping its serial; else the case decides.
    pub replaces: Option<CertificateRecord>,
    /// A change keeps the replaced version's last day; a renewal starts a new period.
    pub keep_valid_until: bool,
    /// The printed `form.*` values of a certificate issued without a case (the demo's).
    pub form: Option<&'a Value>,
}

impl App {
    /// Issues the certificate of a granted case's item, if the item issues one and the case
    /// has none yet; notes it on the case's timeline.
    pub(crate) async fn issue_case_certificate(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &mut CaseRecord,
    ) -> Result<Option<Certificate>, AppError> {
        let Some(t) = type_for_item(&c.item_code)? else {
            return Ok(None);
        };
        if !granted(c) {
            return Err(AppError::rule(
                shenpi_domain::error::ErrorCode::CERT_NOT_GRANTED,
                json!({"case": c.number}),
            ));
        }
        if !tx.certificates_of_case(&c.id).await?.is_empty() {
            return Ok(None);
        }
        let (holder, enterprise) = self.holder_of(tx, c, t).await?;
        let today = self.today();
        let cert = self
            .issue_certificate_in(
                tx,
                IssueRequest {
                    cert_type: t,
                    holder,
                    region: &c.region.clone(),
                    case: Some(c),
                    enterprise: enterprise.as_ref(),
                    valid_from: today,
                    by: "system",
                    replaces: None,
                    keep_valid_until: false,
                    form: None,
                },
            )
            .await?;
        c.timeline.push(TimelineEntry {
            at: self.clock.now(),
            status: c.status,
            actor: "system".into(),
            note: format!(
                "电子证照已签发：{}（证照标识 {}）",
                t.name, cert.record.identifier
            ),
            attachments: vec![],
        });
        Ok(Some(cert))
    }

    /// The holder of a case's certificate: for an enterprise type, the USCC on the form or the
    /// applicant's own, named as the registry names it; a case with neither is the person's.
    /// With it, an enterprise holder's registry record (read once, under the step's lock).
    async fn holder_of(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        t: &CertType,
    ) -> Result<(Holder, Option<Value>), AppError> {
        let user = tx.user_by_id(&c.applicant_id).await?;
        if t.holder == HolderKind::Enterprise {
            let uscc = c.form["uscc"]
                .as_str()
                .and_then(|u| Uscc::parse(u).ok())
                .map(|u| u.to_string())
                .or_else(|| user.as_ref().and_then(|u| u.uscc.clone()));
            if let Some(uscc) = uscc {
                let record = tx.registry_record("enterprise", &uscc).await?;
                let data = record
                    .as_ref()
                    .and_then(|r| serde_json::from_str::<Value>(&r.data).ok());
                let name = match record {
                    Some(r) => r.name,
                    None => user
                        .as_ref()
                        .filter(|u| u.uscc.as_deref() == Some(uscc.as_str()))
                        .and_then(|u| u.enterprise_name.clone())
                        .unwrap_or_else(|| c.applicant_name.clone()),
                };
                let holder = Holder {
                    kind: HolderKind::Enterprise,
                    id: uscc,
                    name,
                };
                return Ok((holder, data));
            }
        }
        let holder = Holder {
            kind: HolderKind::Person,
            id: user
                .and_then(|u| u.id_number)
                .unwrap_or_else(|| c.applicant_id.clone()),
            name: c.applicant_name.clone(),
        };
        Ok((holder, None))
    }

    /// Issues a certificate in `tx`: a new one, or the next version of the holder's valid
    /// certificate of the type when the case's item changes or renews it.
    pub(crate) async fn issue_certificate_in(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        r: IssueRequest<'_>,
    ) -> Result<Certificate, AppError> {
        let t = r.cert_type;
        let now = self.clock.now();
        let renews = r
            .case
            .is_some_and(|c| t.items.first().is_some_and(|first| *first != c.item_code));
        let current = if r.replaces.is_some() {
            r.replaces.clone()
        } else if renews {
            tx.certificates_of_holder(&r.holder.id)
                .await?
                .into_iter()
                .find(|x| x.type_code == t.code && x.status == CertStatus::Valid.as_str())
        } else {
            None
        };
        let (serial, version, previous) = match &current {
            Some(old) => (
                old.serial.clone(),
                old.version + 1,
                Some(old.identifier.clone()),
            ),
            None => {
                let year = r.valid_from.format("%Y").to_string();
                let seq = tx
                    .next_case_seq(r.region, &format!("CERT-{}-{year}", t.code))
                    .await?;
                (format!("{year}{}{seq:06}", r.region), 1, None)
            }
        };
        let (issuer_name, issuer_code) = issuer(t, r.region);
        let identifier = CertId::compose(
            &type_code(t),
            &issuer_code,
            &serial,
            &format!("{version:03}"),
        )
        .map_err(|e| AppError::Internal(format!("certificate identifier: {}", e.reason_en)))?
        .to_string();
        let item_name = r.case.map(|c| c.item_name.as_str()).unwrap_or_default();
        // A new version without a case keeps what the old one printed from its case.
        let kept = r.replaces.as_ref().map(|old| kept_values(t, old));
        let kept_number = kept.as_ref().and_then(|k| k.1.clone()).unwrap_or_default();
        let values = t.resolve(&FieldSources {
            holder_id: &r.holder.id,
            holder_name: &r.holder.name,
            case_number: r.case.map_or(kept_number.as_str(), |c| c.number.as_str()),
            item_name,
            form: r
                .case
                .map(|c| &c.form)
                .or(kept.as_ref().map(|k| &k.0))
                .or(r.form),
            enterprise: r.enterprise,
        });
        let fields: Vec<Value> = t
            .fields
            .iter()
            .map(|f| json!({"key": f.key, "label": f.label, "value": values.get(&f.key)}))
            .collect();
        let valid_until = match (&r.replaces, r.keep_valid_until) {
            (Some(old), true) => old
                .valid_until
                .as_deref()
                .and_then(|d| d.parse::<NaiveDate>().ok()),
            _ => t.valid_until(r.valid_from),
        };
        let payload = json!({
            "identifier": identifier,
            "version": version,
            "previous": previous,
            "type": t.code,
            "type_name": t.name,
            "holder": {"kind": r.holder.kind, "id": r.holder.id, "name": r.holder.name},
            "issuer": {"name": issuer_name, "code": issuer_code},
            "fields": fields,
            "valid_from": r.valid_from.to_string(),
            "valid_until": valid_until.map(|d| d.to_string()),
            "issued_at": now.to_rfc3339(),
            "case_number": r.case.map(|c| c.number.clone()),
        });
        let signer = self.cert_signer_in(tx).await?;
        let signature =
            shenpi_certs::canonical::sign_payload(signer.as_ref(), &payload).map_err(key_error)?;
        let version16 = u16::try_from(version).map_err(key_error)?;
        let static_token = token::issue(
            signer.as_ref(),
            &Claims::new_static(&signer.kid(), &identifier, version16, now.timestamp()),
        )
        .map_err(key_error)?;
        let data = CertData {
            payload,
            alg: signer.alg().as_str().to_owned(),
            kid: signer.kid(),
            signature: URL_SAFE_NO_PAD.encode(signature),
            static_token,
            history: vec![StatusChange {
                status: CertStatus::Valid.as_str().into(),
                reason: if previous.is_some() {
                    "变更或延续后换发新版本".into()
                } else {
                    "发证".into()
                },
                at: now,
                by: r.by.to_owned(),
            }],
        };
        let record = CertificateRecord {
            id: shenpi_store::new_id(),
            identifier: identifier.clone(),
            serial,
            version,
            type_code: t.code.clone(),
            holder_id: r.holder.id.clone(),
            holder_name: r.holder.name.clone(),
            region_code: r.region.to_owned(),
            case_id: r.case.map(|c| c.id.clone()),
            previous: previous.clone(),
            status: CertStatus::Valid.as_str().into(),
            status_reason: String::new(),
            status_at: now,
            valid_from: r.valid_from.to_string(),
            valid_until: valid_until.map(|d| d.to_string()),
            data: serde_json::to_string(&data).map_err(|e| AppError::Internal(e.to_string()))?,
            issued_at: now,
            revision: 1,
        };
        tx.insert_certificate(&record).await?;
        if let Some(old) = current {
            let reason = format!("已换发新版本 {identifier}");
            self.move_status(tx, old, CertStatus::Superseded, &reason, r.by, now)
                .await?;
        }
        tx.append_audit(crate::RequestMeta::cli().audit(
            now,
            r.region,
            None,
            "cert.issue",
            ("certificate", &identifier),
            "success",
            json!({"type": t.code, "version": version, "previous": previous,
                   "case": r.case.map(|c| c.number.clone()),
                   "holder": shenpi_domain::mask::mask_generic(&r.holder.id)}),
        ))
        .await?;
        // The record's `data` is this value's JSON: no need to parse it back.
        Ok(Certificate { record, data })
    }

    /// Moves a stored certificate to `to` with its reason, keeping the history.
    pub(crate) async fn move_status(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        mut rec: CertificateRecord,
        to: CertStatus,
        reason: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<CertificateRecord, AppError> {
        let mut data: CertData = serde_json::from_str(&rec.data)
            .map_err(|e| AppError::Internal(format!("certificate {}: {e}", rec.identifier)))?;
        data.history.push(StatusChange {
            status: to.as_str().into(),
            reason: reason.to_owned(),
            at,
            by: by.to_owned(),
        });
        let expected = rec.revision;
        rec.status = to.as_str().into();
        rec.status_reason = reason.to_owned();
        rec.status_at = at;
        rec.revision += 1;
        rec.data = serde_json::to_string(&data).map_err(|e| AppError::Internal(e.to_string()))?;
        tx.update_certificate(&rec, expected)
            .await
            .map_err(crate::catalog::stale)?;
        Ok(rec)
    }

    /// For `shenpi bench certs`: issues `n` e-business licences to made-up holders, each signed
    /// and committed in its own transaction, as issuance on grant is. Returns how many.
    pub async fn bench_issue_certificates(&self, n: usize) -> Result<usize, AppError> {
        let Some(t) = super::catalogue::cert_type("e-business-licence")? else {
            return Ok(0);
        };
        let data = json!({"entity_type": "有限责任公司（自然人独资）", "legal_representative": "测试",
                          "address": "山东省青岛市市南区测试路 1 号", "established_on": "2026-01-01",
                          "business_scope": "测试"});
        let today = self.today();
        let run = shenpi_store::new_id();
        for i in 0..n {
            let mut tx = self.store.begin().await?;
            self.issue_certificate_in(
                &mut tx,
                IssueRequest {
                    cert_type: t,
                    holder: Holder {
                        kind: HolderKind::Enterprise,
                        id: format!("BENCH-{run}-{i}"),
                        name: format!("性能测试企业 {i}"),
                    },
                    region: "370202",
                    case: None,
                    enterprise: Some(&data),
                    valid_from: today,
                    by: "bench",
                    replaces: None,
                    keep_valid_until: false,
                    form: None,
                },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(n)
    }

    /// Issues the demo's existing certificates: an e-business licence for every demo
    /// enterprise in the registry that has none. Returns how many.
    pub async fn load_demo_certificates(&self) -> Result<usize, AppError> {
        let Some(t) = super::catalogue::cert_type("e-business-licence")? else {
            return Ok(0);
        };
        let enterprises = {
            let mut tx = self.store.read().await?;
            tx.registry_records_named("enterprise", "", 10_000).await?
        };
        let mut tx = self.store.begin().await?;
        let mut n = 0;
        for e in enterprises {
            if tx
                .certificates_of_holder(&e.key)
                .await?
                .iter()
                .any(|c| c.type_code == t.code)
            {
                continue;
            }
            let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
            let from = data["established_on"]
                .as_str()
                .and_then(|d| d.parse::<NaiveDate>().ok())
                .unwrap_or_else(|| self.today());
            self.issue_certificate_in(
                &mut tx,
                IssueRequest {
                    cert_type: t,
                    holder: Holder {
                        kind: HolderKind::Enterprise,
                        id: e.key.clone(),
                        name: e.name.clone(),
                    },
                    region: &e.region_code,
                    case: None,
                    enterprise: Some(&data),
                    valid_from: from,
                    by: "demo",
                    replaces: None,
                    keep_valid_until: false,
                    form: None,
                },
            )
            .await?;
            n += 1;
        }
        // The demo enterprise also holds a food business licence (食品经营许可证), the one a
        // renaming updates by proactive approval (无感审批).
        let uscc = crate::demo::demo_uscc();
        if let (Some(food), Some(e)) = (
            super::catalogue::cert_type("food-business")?,
            tx.registry_record("enterprise", &uscc).await?,
        ) && !tx
            .certificates_of_holder(&uscc)
            .await?
            .iter()
            .any(|c| c.type_code == food.code)
        {
            let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
            let form = json!({"legal_rep": data["legal_representative"], "business_type": "餐饮服务经营者（小型餐馆）"});
            let from = NaiveDate::from_ymd_opt(2023, 3, 15).unwrap_or_else(|| self.today());
            self.issue_certificate_in(
                &mut tx,
                IssueRequest {
                    cert_type: food,
                    holder: Holder {
                        kind: HolderKind::Enterprise,
                        id: uscc.clone(),
                        name: e.name.clone(),
                    },
                    region: &e.region_code,
                    case: None,
                    enterprise: Some(&data),
                    valid_from: from,
                    by: "demo",
                    replaces: None,
                    keep_valid_until: false,
                    form: Some(&form),
                },
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }
}

/// What an old version printed from its case: its `form.*` fields as a form, and its case
/// number.
fn kept_values(t: &CertType, old: &CertificateRecord) -> (Value, Option<String>) {
    let payload: Value = serde_json::from_str::<Value>(&old.data)
        .map(|d| d["payload"].clone())
        .unwrap_or(Value::Null);
    let printed = |key: &str| -> Option<Value> {
        payload["fields"]
            .as_array()?
            .iter()
            .find(|f| f["key"] == key)
            .map(|f| f["value"].clone())
    };
    let mut form = serde_json::Map::new();
    let mut number = None;
    for f in &t.fields {
        if let Some(k) = f.from.strip_prefix("form.")
            && let Some(v) = printed(&f.key)
        {
            form.insert(k.to_owned(), v);
        }
        if f.from == "case.number" {
            number = printed(&f.key).and_then(|v| v.as_str().map(str::to_owned));
        }
    }
    (Value::Object(form), number)
}

/// Whether a case was granted (准予): granted now, or delivered or closed after a grant.
fn granted(c: &CaseRecord) -> bool {
    use shenpi_domain::case::lifecycle::CaseStatus;
    match c.status {
        CaseStatus::Granted | CaseStatus::Delivered => true,
        CaseStatus::Closed => c.timeline.iter().any(|t| t.status == CaseStatus::Granted),
        _ => false,
    }
}

impl App {
    /// 补发: issues the certificate of a granted case that has none (a grant made before its
    /// type was in the catalogue), by an approver of its region or the city admin. A case that
    /// was not granted is refused (`409 CERT_NOT_GRANTED`), as is one that has its certificate.
    pub async fn issue_certificate_for_case(
        &self,
        p: &crate::Principal,
        case_id: &str,
        meta: &crate::RequestMeta,
    ) -> Result<Certificate, AppError> {
        use crate::policy::{Action, authorize};
        use shenpi_domain::error::ErrorCode;
        let mut tx = self.store.begin().await?;
        let stored = tx
            .case_by_id(case_id)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({"id": case_id})))?;
        authorize(p, Action::CertManage, Some(&stored.region_code))?;
        let mut c = crate::cases::record_of(&stored)?;
        if !granted(&c) {
            return Err(AppError::rule(
                ErrorCode::CERT_NOT_GRANTED,
                json!({"case": c.number, "status": c.status}),
            ));
        }
        if type_for_item(&c.item_code)?.is_none() {
            return Err(AppError::rule(
                ErrorCode::CERT_NOT_FOUND,
                json!({"item": c.item_code, "reason": "该事项不发电子证照"}),
            ));
        }
        // None: the case has its certificate already.
        let cert = self
            .issue_case_certificate(&mut tx, &mut c)
            .await?
            .ok_or_else(|| AppError::Conflict("the case has its certificate".into()))?;
        let next = crate::cases::stored_of(
            &c,
            &stored.idempotency_key,
            stored.revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&next, stored.revision)
            .await
            .map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            self.clock.now(),
            &c.region,
            Some(&p.user),
            "cert.issue.manual",
            ("case", &c.id),
            "success",
            json!({"certificate": cert.record.identifier}),
        ))
        .await?;
        tx.commit().await?;
        Ok(cert)
    }
}

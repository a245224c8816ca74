//! Partner systems (合作单位): utility companies and other outside systems that handle their
//! part of a bundle. The city admin registers them (app key + secret, webhook URL); the
//! platform delivers each sub-case to its partner by webhook — signed, at least once, retried
//! with backoff, logged — and the partner reports progress with signed requests to
//! `POST /api/v1/partner/subcases/{id}/progress`, which are checked for their signature,
//! timestamp window and nonce (a replay is refused) and applied once per idempotency key.
//!
//! - [`sign`]: the signature both directions use.

pub mod sign;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shenpi_domain::case::lifecycle::{CaseEvent, CaseStatus, transition};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::regions::QINGDAO_CITY;
use shenpi_store::model::{Delivery, Partner};

use crate::cases::{CaseRecord, TimelineEntry, record_of, stored_of};
use crate::passwords::random_hex;
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};

/// Deliveries are given up after this many attempts (about 2 hours of retries).
pub const MAX_ATTEMPTS: i64 = 8;

/// The demo partners: the seven utility companies of the 12-in-1 bundle and the three
/// government systems of company opening. Their secrets are made at load time.
const DEMO_PARTNERS: [(&str, &str); 11] = [
    ("water-supply", "青岛示例供水有限公司"),
    ("drainage", "青岛示例排水有限公司"),
    ("power-grid", "示例供电公司青岛分公司"),
    ("gas", "青岛示例燃气有限公司"),
    ("heating", "青岛示例热力有限公司"),
    ("telecom", "示例通信青岛分公司"),
    ("cable-tv", "青岛示例有线电视网络有限公司"),
    ("police-seal", "公安机关印章管理系统（示例）"),
    ("tax", "税务机关新办纳税人系统（示例）"),
    ("social-insurance", "社会保险经办系统（示例）"),
    // Pushes enterprise change events for proactive approval (无感审批).
    ("market-registry", "市场主体登记系统（示例）"),
];

/// A partner as the city admin sees it, with its secret only when it was just made.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerView {
    pub key: String,
    pub name: String,
    pub app_key: String,
    pub webhook_url: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Shown once, when the partner is registered or its secret is renewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

fn view(p: &Partner, secret: Option<String>) -> PartnerView {
    PartnerView {
        key: p.key.clone(),
        name: p.name.clone(),
        app_key: p.app_key.clone(),
        webhook_url: p.webhook_url.clone(),
        active: p.active,
        created_at: p.created_at,
        secret,
    }
}

/// `{key, name, webhook_url}` of a new partner, or the changes to one.
#[derive(Debug, Clone, Deserialize)]
pub struct PartnerInput {
    #[serde(default)]
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A signed request as received: the headers that matter, the path and the raw body.
#[derive(Debug, Clone)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub app_key: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

/// What a partner reports on its sub-case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressReport {
    /// The partner's key for this report: a repeated report is applied once.
    pub idempotency_key: String,
    pub status: ProgressStatus,
    #[serde(default)]
    pub note: String,
}

/// The progress a partner reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    /// Accepted (受理).
    Accepted,
    /// Something is missing: the note says what (the applicant answers through the bundle).
    SupplementRequested,
    /// Work in progress (survey, construction …): a timeline note only.
    InProgress,
    /// Done (接入完成 / 办结).
    Completed,
    /// Refused, with the reason in the note.
    Rejected,
}

fn check_url(url: &Option<String>) -> Result<(), AppError> {
    match url {
        Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) || u.len() > 500 => {
            Err(AppError::invalid_text(
                "webhook_url",
                "WEBHOOK_URL_INVALID",
                "回调地址须为 http:// 或 https:// 开头、不超过 500 字符",
                "The webhook URL must start with http:// or https:// (500 characters at most)",
            ))
        }
        _ => Ok(()),
    }
}

impl App {
    /// Registers the demo partners (no webhook yet) when there are none; returns how many.
    pub async fn load_demo_partners(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx.partners().await?.is_empty() {
            return Ok(0);
        }
        for (key, name) in DEMO_PARTNERS {
            tx.insert_partner(&Partner {
                key: key.into(),
                name: name.into(),
                app_key: format!("pk_{}", random_hex(8)?),
                secret: random_hex(32)?,
                webhook_url: None,
                active: true,
                created_at: now,
            })
            .await?;
        }
        tx.commit().await?;
        Ok(DEMO_PARTNERS.len())
    }

    /// Every partner (city admin).
    pub async fn partners(&self, p: &Principal) -> Result<Vec<PartnerView>, AppError> {
        authorize(p, Action::PartnerManage, None)?;
        let mut tx = self.store.read().await?;
        Ok(tx.partners().await?.iter().map(|x| view(x, None)).collect())
    }

    /// Registers a partner; the answer carries its secret, once.
    pub async fn register_partner(
        &self,
        p: &Principal,
        input: PartnerInput,
        meta: &RequestMeta,
    ) -> Result<PartnerView, AppError> {
        authorize(p, Action::PartnerManage, None)?;
        let key = input.key.trim();
        if key.is_empty()
            || key.len() > 64
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || input.name.trim().is_empty()
        {
            return Err(AppError::invalid_text(
                "key",
                "PARTNER_KEY_INVALID",
                "合作单位标识须为 1–64 位小写字母、数字或 -，并填写名称",
                "The partner key takes 1–64 lowercase letters, digits or -, and a name is needed",
            ));
        }
        check_url(&input.webhook_url)?;
        let now = self.clock.now();
        let secret = random_hex(32)?;
        let partner = Partner {
            key: key.to_string(),
            name: input.name.trim().to_string(),
            app_key: format!("pk_{}", random_hex(8)?),
            secret: secret.clone(),
            webhook_url: input.webhook_url,
            active: input.active,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        if tx.partner(key).await?.is_some() {
            return Err(AppError::rule(
                ErrorCode::PARTNER_EXISTS,
                json!({"key": key}),
            ));
        }
        tx.insert_partner(&partner).await?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "partner.register",
            ("partner", key),
            "success",
            json!({"app_key": partner.app_key, "webhook_url": partner.webhook_url}),
        ))
        .await?;
        tx.commit().await?;
        Ok(view(&partner, Some(secret)))
    }

    /// Changes a partner's name, webhook URL or whether it is active.
    pub async fn update_partner(
        &self,
        p: &Principal,
        key: &str,
        input: PartnerInput,
        meta: &RequestMeta,
    ) -> Result<PartnerView, AppError> {
        authorize(p, Action::PartnerManage, None)?;
        check_url(&input.webhook_url)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut partner = tx
            .partner(key)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::PARTNER_NOT_FOUND, json!({"key": key})))?;
        if !input.name.trim().is_empty() {
            partner.name = input.name.trim().to_string();
        }
        partner.webhook_url = input.webhook_url;
        partner.active = input.active;
        tx.update_partner(&partner).await?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "partner.update",
            ("partner", key),
            "success",
            json!({"webhook_url": partner.webhook_url, "active": partner.active}),
        ))
        .await?;
        tx.commit().await?;
        Ok(view(&partner, None))
    }

    /// Makes a new app key and secret for a partner (the old ones stop working at once).
    pub async fn renew_partner_secret(
        &self,
        p: &Principal,
        key: &str,
        meta: &RequestMeta,
    ) -> Result<PartnerView, AppError> {
        authorize(p, Action::PartnerManage, None)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut partner = tx
            .partner(key)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::PARTNER_NOT_FOUND, json!({"key": key})))?;
        let secret = random_hex(32)?;
        partner.secret = secret.clone();
        partner.app_key = format!("pk_{}", random_hex(8)?);
        tx.update_partner(&partner).await?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "partner.secret",
            ("partner", key),
            "success",
            json!({"app_key": partner.app_key}),
        ))
        .await?;
        tx.commit().await?;
        Ok(view(&partner, Some(secret)))
    }

    /// A partner's delivery log, newest first.
    pub async fn partner_deliveries(
        &self,
        p: &Principal,
        key: &str,
    ) -> Result<Vec<Delivery>, AppError> {
        authorize(p, Action::PartnerManage, None)?;
        let mut tx = self.store.read().await?;
        if tx.partner(key).await?.is_none() {
            return Err(AppError::rule(
                ErrorCode::PARTNER_NOT_FOUND,
                json!({"key": key}),
            ));
        }
        Ok(tx.deliveries_of(key, 200).await?)
    }

    /// Queues the webhook `event` about sub-case `c` for its partner (in `tx`, with the case
    /// change that caused it: the outbox). The same event for the same case state is queued once.
    pub(crate) async fn queue_delivery(
        &self,
        tx: &mut Box<dyn shenpi_store::Tx>,
        c: &CaseRecord,
        event: &str,
    ) -> Result<(), AppError> {
        let Some(partner) = &c.partner else {
            return Ok(());
        };
        let now = self.clock.now();
        let key = format!("{event}:{}:{}", c.id, c.timeline.len());
        let body = json!({
            "event": event,
            "delivery": key,
            "sub_case": {"id": c.id, "number": c.number, "item_code": c.item_code,
                         "item_name": c.item_name, "situation": c.situation, "status": c.status,
                         "region": c.region, "bundle_case": c.bundle_case},
            "applicant": {"name": c.applicant_name, "mobile": c.applicant_mobile},
            "form": c.form,
            "materials": c.materials,
            "supplement_request": c.supplement_request,
            "progress_url": format!("/api/v1/partner/subcases/{}/progress", c.id),
        });
        tx.insert_delivery(&Delivery {
            id: shenpi_store::new_id(),
            partner_key: partner.clone(),
            event: event.to_string(),
            case_id: c.id.clone(),
            idempotency_key: key,
            body: body.to_string(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            last_error: None,
            created_at: now,
            delivered_at: None,
        })
        .await?;
        Ok(())
    }

    /// Sends the deliveries that are due (claimed for a minute, so several nodes share the
    /// work and none sends one twice at once); returns how many were delivered. A failure is
    /// retried after 30 s, 1, 2, 4 … minutes, at most an hour apart, and given up after
    /// [`MAX_ATTEMPTS`] (the city admins get an incident). Run by the server every 10 seconds,
    /// and by tests.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let claimed = {
            let mut tx = self.store.begin().await?;
            let c = tx
                .claim_deliveries(now, now + Duration::seconds(60), 20)
                .await?;
            tx.commit().await?;
            c
        };
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut delivered = 0;
        for mut d in claimed {
            let partner = {
                let mut tx = self.store.read().await?;
                tx.partner(&d.partner_key).await?
            };
            let outcome = match &partner {
                None => Err("partner not registered".to_string()),
                Some(p) if !p.active => Err("partner inactive".to_string()),
                Some(Partner {
                    webhook_url: None, ..
                }) => Err("no webhook URL".to_string()),
                Some(p) => send(&client, p, &d, self.clock.now()).await,
            };
            let now = self.clock.now();
            d.attempts += 1;
            d.locked_until = None;
            match outcome {
                Ok(()) => {
                    d.status = "delivered".into();
                    d.delivered_at = Some(now);
                    d.last_error = None;
                    delivered += 1;
                }
                Err(e) => {
                    d.last_error = Some(e.chars().take(500).collect());
                    if d.attempts >= MAX_ATTEMPTS {
                        d.status = "failed".into();
                    } else {
                        let wait = (30_i64 << (d.attempts - 1).min(7)).min(3600);
                        d.next_attempt_at = now + Duration::seconds(wait);
                    }
                }
            }
            let mut tx = self.store.begin().await?;
            tx.update_delivery(&d).await?;
            if d.status == "failed"
                && let Some(stored) = tx.case_by_id(&d.case_id).await?
            {
                let c = record_of(&stored)?;
                let reason = format!(
                    "向合作单位 {} 推送失败 {} 次，已停止：{}",
                    d.partner_key,
                    d.attempts,
                    d.last_error.clone().unwrap_or_default()
                );
                self.notify_incident(&mut tx, &c, &reason, now).await?;
            }
            tx.commit().await?;
        }
        Ok(delivered)
    }

    /// Checks a partner system's signed request — signature, timestamp window, nonce not seen
    /// before — and spends the nonce; returns the partner.
    pub async fn authenticate_partner(
        &self,
        req: &SignedRequest<'_>,
    ) -> Result<shenpi_store::model::Partner, AppError> {
        let now = self.clock.now();
        let bad = || AppError::rule(ErrorCode::PARTNER_SIGNATURE_INVALID, json!({}));
        let (Some(app_key), Some(ts), Some(nonce), Some(sig)) =
            (req.app_key, req.timestamp, req.nonce, req.signature)
        else {
            return Err(bad());
        };
        let ts: i64 = ts.trim().parse().map_err(|_| bad())?;
        if (now.timestamp() - ts).abs() > sign::WINDOW_SECONDS {
            return Err(AppError::rule(
                ErrorCode::PARTNER_REQUEST_EXPIRED,
                json!({"server_time": now.timestamp()}),
            ));
        }
        if nonce.is_empty() || nonce.len() > 64 {
            return Err(bad());
        }
        let mut tx = self.store.begin().await?;
        let partner = tx
            .partner_by_app_key(app_key)
            .await?
            .filter(|p| p.active)
            .ok_or_else(bad)?;
        if !sign::verify(
            &partner.secret,
            req.method,
            req.path,
            ts,
            nonce,
            req.body,
            sig,
        ) {
            return Err(bad());
        }
        if !tx.use_nonce(app_key, nonce, now).await? {
            return Err(AppError::rule(
                ErrorCode::PARTNER_NONCE_REUSED,
                json!({"nonce": nonce}),
            ));
        }
        tx.prune_nonces(now - Duration::seconds(2 * sign::WINDOW_SECONDS))
            .await?;
        tx.commit().await?;
        Ok(partner)
    }

    /// A partner's signed progress report on its sub-case: the signature, timestamp window and
    /// nonce are checked before anything else; a repeated report (same idempotency key) changes
    /// nothing; a sub-case of another partner is refused.
    pub async fn report_progress(
        &self,
        req: &SignedRequest<'_>,
        case_id: &str,
    ) -> Result<CaseRecord, AppError> {
        let now = self.clock.now();
        // The nonce is spent even when the report is refused below.
        let partner = self.authenticate_partner(req).await?;
        let report: ProgressReport = serde_json::from_slice(req.body).map_err(|e| {
            AppError::invalid_text(
                "body",
                "REPORT_INVALID",
                &format!("进度报告格式不正确：{e}"),
                &format!("The progress report is malformed: {e}"),
            )
        })?;
        let key = report.idempotency_key.trim();
        if key.is_empty() || key.len() > 128 {
            return Err(AppError::invalid_text(
                "idempotency_key",
                "IDEMPOTENCY_KEY_INVALID",
                "请提供 1–128 位的报告标识",
                "Give a report key of 1–128 characters",
            ));
        }
        let mut tx = self.store.begin().await?;
        let stored = tx
            .case_by_id(case_id)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::CASE_NOT_FOUND, json!({"id": case_id})))?;
        let mut c = record_of(&stored)?;
        if c.partner.as_deref() != Some(partner.key.as_str()) {
            return Err(AppError::rule(
                ErrorCode::PARTNER_NOT_HANDLER,
                json!({"sub_case": case_id}),
            ));
        }
        if !tx
            .record_partner_event(&partner.key, key, case_id, now)
            .await?
        {
            return Ok(c); // applied before: at-least-once delivery, applied once
        }
        let note: String = report.note.trim().chars().take(2000).collect();
        let before = c.status;
        let events: &[CaseEvent] = match (report.status, c.status) {
            (ProgressStatus::Accepted, _) => &[CaseEvent::Accept],
            (ProgressStatus::SupplementRequested, _) => &[CaseEvent::RequestSupplement],
            (ProgressStatus::InProgress, _) => &[],
            (ProgressStatus::Completed, CaseStatus::Submitted) => {
                &[CaseEvent::Accept, CaseEvent::Grant]
            }
            (ProgressStatus::Completed, _) => &[CaseEvent::Grant],
            (ProgressStatus::Rejected, CaseStatus::Submitted) => &[CaseEvent::RefuseToAccept],
            (ProgressStatus::Rejected, _) => &[CaseEvent::Deny],
        };
        for e in events {
            c.status = transition(c.status, *e).map_err(|e| {
                AppError::rule(ErrorCode::CASE_WRONG_STATUS, json!({"status": e.from}))
            })?;
            if *e == CaseEvent::Accept {
                c.accepted_on = Some(self.today());
            }
        }
        if report.status == ProgressStatus::SupplementRequested {
            c.supplement_request = Some(note.clone());
        }
        c.timeline.push(TimelineEntry {
            at: now,
            status: c.status,
            actor: partner.name.clone(),
            note: note.clone(),
            attachments: vec![],
        });
        let updated = stored_of(
            &c,
            &stored.idempotency_key,
            stored.revision + 1,
            stored.submitted_at,
        )?;
        tx.update_case(&updated, stored.revision)
            .await
            .map_err(crate::catalog::stale)?;
        if before != c.status {
            self.notify_applicant(&mut tx, &c, now).await?;
        }
        tx.append_audit(RequestMeta::system().audit(
            now,
            &c.region,
            None,
            "partner.progress",
            ("case", &c.id),
            "success",
            json!({"partner": partner.key, "report": key, "status": report.status, "case_status": c.status}),
        ))
        .await?;
        tx.commit().await?;
        Ok(c)
    }
}

/// POSTs one delivery, signed; any 2xx is success.
async fn send(
    client: &reqwest::Client,
    p: &Partner,
    d: &Delivery,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let url = p.webhook_url.clone().unwrap_or_default();
    let path = url
        .splitn(4, '/')
        .nth(3)
        .map(|rest| format!("/{}", rest.split('?').next().unwrap_or_default()))
        .unwrap_or_else(|| "/".into());
    let nonce = shenpi_store::new_id();
    let ts = now.timestamp();
    let signature = sign::sign(&p.secret, "POST", &path, ts, &nonce, d.body.as_bytes());
    let r = client
        .post(&url)
        .header("content-type", "application/json")
        .header(sign::KEY_HEADER, &p.app_key)
        .header(sign::TIMESTAMP_HEADER, ts.to_string())
        .header(sign::NONCE_HEADER, nonce)
        .header(sign::SIGNATURE_HEADER, signature)
        .header(sign::DELIVERY_HEADER, &d.idempotency_key)
        .body(d.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", r.status().as_u16()))
    }
}

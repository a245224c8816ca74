//! Expiry reminders (无感提醒) and expiry: a scan, run by every node's job loop and safe side by
//! side, reminds the holder of a valid certificate at each threshold of its type (default 90,
//! 30 and 7 days before its last day) exactly once per threshold — the store keeps one row per
//! (certificate, threshold) — and marks certificates past their last day expired.
//!
//! A reminder goes to the holder's notices in the platform and through the configured channels:
//! a log line (the demo), an SMS gateway and an e-mail gateway reached by webhook. What each
//! channel answered is kept with the reminder (its history, on the certificate's page). When
//! the first scan finds several thresholds due at once, only the nearest is sent; the others
//! are recorded as skipped, so none fires later.

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shenpi_domain::certificate::CertStatus;
use shenpi_store::model::{CertReminder, Notification};

use super::Certificate;
use super::catalogue::cert_type;
use crate::{App, AppError, Principal};

/// The recipient of notices for a certificate holder (a USCC or an ID number); every account of
/// the holder reads them (see [`crate::notify::recipients_of`]).
pub fn holder_recipient(holder_id: &str) -> String {
    format!("holder:{holder_id}")
}

/// One reminder to send.
#[derive(Debug, Clone, Serialize)]
pub struct ReminderMessage {
    pub identifier: String,
    pub type_name: String,
    pub holder_id: String,
    pub holder_name: String,
    pub valid_until: String,
    pub days_left: i64,
    pub threshold: i64,
    pub text: String,
}

/// A way to reach the holder (短信, 邮件 …).
#[async_trait]
pub trait Channel: Send + Sync {
    fn name(&self) -> &str;
    async fn send(&self, m: &ReminderMessage) -> Result<String, String>;
}

/// The demo channel: a log line, with the holder's id masked.
pub struct LogChannel;

#[async_trait]
impl Channel for LogChannel {
    fn name(&self) -> &str {
        "log"
    }
    async fn send(&self, m: &ReminderMessage) -> Result<String, String> {
        tracing::info!(
            certificate = %m.identifier,
            holder = %shenpi_domain::mask::mask_generic(&m.holder_id),
            days_left = m.days_left,
            "certificate expiry reminder"
        );
        Ok("logged".into())
    }
}

/// An SMS or e-mail gateway reached by webhook: a JSON POST of the message; any 2xx is sent.
pub struct WebhookChannel {
    pub name: String,
    pub url: String,
    pub client: reqwest::Client,
}

#[async_trait]
impl Channel for WebhookChannel {
    fn name(&self) -> &str {
        &self.name
    }
    async fn send(&self, m: &ReminderMessage) -> Result<String, String> {
        let r = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(
                serde_json::to_vec(&json!({"channel": self.name, "reminder": m}))
                    .map_err(|e| e.to_string())?,
            )
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .map_err(|e| format!("gateway unreachable: {e}"))?;
        if r.status().is_success() {
            Ok(format!("HTTP {}", r.status().as_u16()))
        } else {
            Err(format!("HTTP {}", r.status().as_u16()))
        }
    }
}

/// One delivery of a reminder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub channel: String,
    /// `sent`, `failed` or `skipped`.
    pub status: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub detail: String,
}

/// What one scan did.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct ScanReport {
    pub reminded: usize,
    pub expired: usize,
}

/// The thresholds of `reminders` that are due `days_left` days before expiry, nearest first.
pub fn due_thresholds(reminders: &[u32], days_left: i64) -> Vec<i64> {
    let mut due: Vec<i64> = reminders
        .iter()
        .map(|d| i64::from(*d))
        .filter(|t| days_left <= *t)
        .collect();
    due.sort_unstable();
    due.dedup();
    due
}

impl App {
    /// Reminds holders of certificates nearing expiry and marks expired ones; see the module
    /// documentation. Safe to run on several nodes at once.
    pub async fn scan_certificate_expiry(&self) -> Result<ScanReport, AppError> {
        let today = self.today();
        let horizon = super::catalogue::cert_types()?
            .iter()
            .flat_map(|t| t.reminders.iter().copied())
            .max()
            .unwrap_or(0);
        let until = today + chrono::Duration::days(i64::from(horizon));
        let due = {
            let mut tx = self.store.read().await?;
            tx.certificates_expiring(&until.to_string()).await?
        };
        let mut report = ScanReport::default();
        for rec in due {
            let Some(last) = rec
                .valid_until
                .as_deref()
                .and_then(|d| d.parse::<NaiveDate>().ok())
            else {
                continue;
            };
            let cert = Certificate::of(rec)?;
            if today > last {
                if self.expire(cert, last).await? {
                    report.expired += 1;
                }
                continue;
            }
            let Some(t) = cert_type(&cert.record.type_code)? else {
                continue;
            };
            let days_left = (last - today).num_days();
            let thresholds = due_thresholds(&t.reminders, days_left);
            if let Some((nearest, rest)) = thresholds.split_first()
                && self.remind(&cert, *nearest, rest, days_left).await?
            {
                report.reminded += 1;
                // 无感审批: designated types are offered their renewal with the reminder.
                if t.proactive_renewal {
                    let text = format!(
                        "您的{}将于 {last} 到期。确认“继续办理”即可延续，无需提交材料。",
                        cert.type_name()
                    );
                    self.offer(
                        &cert,
                        "renewal",
                        json!({"valid_until": last.to_string()}),
                        &text,
                    )
                    .await?;
                }
            }
        }
        Ok(report)
    }

    /// Records the reminder at `threshold` (and `skipped` ones) and notifies the holder in the
    /// same transaction; then sends it through the channels. `false` when it was sent before.
    async fn remind(
        &self,
        cert: &Certificate,
        threshold: i64,
        skipped: &[i64],
        days_left: i64,
    ) -> Result<bool, AppError> {
        let now = self.clock.now();
        let r = &cert.record;
        let valid_until = r.valid_until.clone().unwrap_or_default();
        let m = ReminderMessage {
            identifier: r.identifier.clone(),
            type_name: cert.type_name().to_owned(),
            holder_id: r.holder_id.clone(),
            holder_name: r.holder_name.clone(),
            valid_until: valid_until.clone(),
            days_left,
            threshold,
            text: format!(
                "您的{}（{}）将于 {} 到期，还有 {} 天。请及时办理延续，到期后证照失效。",
                cert.type_name(),
                r.identifier,
                valid_until,
                days_left
            ),
        };
        let row = |threshold: i64, deliveries: Vec<Delivery>| CertReminder {
            identifier: r.identifier.clone(),
            threshold,
            region_code: r.region_code.clone(),
            holder_id: r.holder_id.clone(),
            valid_until: valid_until.clone(),
            created_at: now,
            deliveries: serde_json::to_string(&deliveries).unwrap_or_else(|_| "[]".into()),
        };
        let mut tx = self.store.begin().await?;
        let in_app = Delivery {
            channel: "in_app".into(),
            status: "sent".into(),
            at: now,
            detail: String::new(),
        };
        if !tx
            .insert_cert_reminder(&row(threshold, vec![in_app.clone()]))
            .await?
        {
            return Ok(false);
        }
        for t in skipped {
            let skip = Delivery {
                channel: "all".into(),
                status: "skipped".into(),
                at: now,
                detail: format!("首次扫描时已临近 {threshold} 天提醒点，只发送最近的提醒"),
            };
            tx.insert_cert_reminder(&row(*t, vec![skip])).await?;
        }
        tx.insert_notification(&Notification {
            id: shenpi_store::new_id(),
            recipient: holder_recipient(&r.holder_id),
            case_id: r.case_id.clone(),
            kind: "cert_expiry".into(),
            once_key: Some(format!("cert_expiry:{}:{threshold}", r.identifier)),
            title: format!("证照即将到期：{}", cert.type_name()),
            body: m.text.clone(),
            created_at: now,
            read_at: None,
        })
        .await?;
        tx.commit().await?;

        let mut deliveries = vec![in_app];
        for ch in self.reminder_channels() {
            let (status, detail) = match ch.send(&m).await {
                Ok(d) => ("sent", d),
                Err(e) => ("failed", e),
            };
            deliveries.push(Delivery {
                channel: ch.name().to_owned(),
                status: status.into(),
                at: self.clock.now(),
                detail,
            });
        }
        let mut tx = self.store.begin().await?;
        tx.update_cert_reminder_deliveries(
            &r.identifier,
            threshold,
            &serde_json::to_string(&deliveries).unwrap_or_else(|_| "[]".into()),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks a certificate past its last day expired (once: a stale revision means another node
    /// did it) and tells the holder.
    async fn expire(&self, cert: Certificate, last: NaiveDate) -> Result<bool, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(rec) = tx.certificate(&cert.record.identifier).await? else {
            return Ok(false);
        };
        if rec.status != CertStatus::Valid.as_str() {
            return Ok(false);
        }
        let identifier = rec.identifier.clone();
        let holder = rec.holder_id.clone();
        let case_id = rec.case_id.clone();
        let reason = format!("有效期于 {last} 届满");
        self.move_status(&mut tx, rec, CertStatus::Expired, &reason, "system", now)
            .await?;
        tx.insert_notification(&Notification {
            id: shenpi_store::new_id(),
            recipient: holder_recipient(&holder),
            case_id,
            kind: "cert_expired".into(),
            once_key: Some(format!("cert_expired:{identifier}")),
            title: format!("证照已过期：{}", cert.type_name()),
            body: format!(
                "您的{}（{identifier}）已于 {last} 到期失效。",
                cert.type_name()
            ),
            created_at: now,
            read_at: None,
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The channels reminders go through besides in-app notices.
    fn reminder_channels(&self) -> Vec<Box<dyn Channel>> {
        let mut out: Vec<Box<dyn Channel>> = vec![Box::new(LogChannel)];
        for (name, url) in &self.settings.reminder_webhooks {
            out.push(Box::new(WebhookChannel {
                name: name.clone(),
                url: url.clone(),
                client: reqwest::Client::new(),
            }));
        }
        out
    }

    /// The reminders of a certificate with their deliveries (its holder, or staff of its region).
    pub async fn certificate_reminders(
        &self,
        p: &Principal,
        identifier: &str,
    ) -> Result<Vec<(CertReminder, Vec<Delivery>)>, AppError> {
        let cert = self.certificate_for(p, identifier).await?;
        let mut tx = self.store.read().await?;
        Ok(tx
            .cert_reminders(&cert.record.identifier)
            .await?
            .into_iter()
            .map(|r| {
                let d = serde_json::from_str(&r.deliveries).unwrap_or_default();
                (r, d)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_fall_due_as_expiry_nears() {
        let r = [90, 30, 7];
        assert!(due_thresholds(&r, 91).is_empty());
        assert_eq!(due_thresholds(&r, 90), [90]);
        assert_eq!(due_thresholds(&r, 30), [30, 90]);
        assert_eq!(due_thresholds(&r, 3), [7, 30, 90]);
        assert!(due_thresholds(&[], 1).is_empty());
    }
}

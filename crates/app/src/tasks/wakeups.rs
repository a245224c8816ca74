//! Waking due cases (到期唤醒): each stored case carries `wake_at`, when it next needs
//! attention — at once while a notice waits to be sealed, else its earliest due workflow timer.
//! A scan claims the cases due now (leased, so nodes scanning side by side take different
//! ones), seals their pending notices while the node is quiet and fires their due timers. The
//! minute scan of `shenpi serve` and the notice job both run it.

use super::drive::live_instances;
use crate::cases::record_of;
use crate::{App, AppError};
use shenpi_domain::error::ErrorCode;

/// The most cases one scan of due wake-ups looks at ([`App::fire_due_timers`]).
pub const SCAN_CASES: usize = 5_000;

/// What one scan of due wake-ups did ([`App::scan_wakeups`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakeupScan {
    /// Workflow timers fired.
    pub fired: usize,
    /// Notices sealed.
    pub sealed: usize,
    /// The scan stopped at its size: more cases may be due.
    pub more: bool,
}

impl App {
    /// Fires every due workflow timer of the cases under review; returns how many fired. Run by
    /// the server every minute, and by tests. Timers wait while the case is with the applicant
    /// (审查补正) and fire at the next scan after it returns. A timer that cannot fire (a case
    /// another node moved on, a broken process) is logged and skipped: it never holds up the
    /// timers of other cases. Pending notices of the woken cases are sealed first (the notice
    /// job, [`App::seal_pending_notices`]) while the node is quiet ([`crate::load`]); while it
    /// is busy they wait (a notice opened meanwhile is sealed on demand), and timers fire
    /// without waiting behind them. One call looks at no more than [`SCAN_CASES`] cases.
    pub async fn fire_due_timers(&self) -> Result<usize, AppError> {
        Ok(self.scan_wakeups(SCAN_CASES).await?.fired)
    }

    /// The notice job, run by `shenpi serve` once a step has issued notices and the node is
    /// quiet: scans due cases like [`App::fire_due_timers`], and scans again while a scan
    /// stopped at its size with cases still due and the node is still quiet, so that the
    /// notices of a rush are all sealed, not only those of the first [`SCAN_CASES`] cases
    /// (the rest would wait for the next minute's scan). Returns how many notices it sealed.
    pub async fn run_notice_job(&self) -> Result<usize, AppError> {
        self.notice_job_in_scans_of(SCAN_CASES).await
    }

    /// [`App::run_notice_job`] with scans of at most `cases` cases (tests use small ones).
    pub async fn notice_job_in_scans_of(&self, cases: usize) -> Result<usize, AppError> {
        let mut sealed = 0;
        loop {
            let scan = self.scan_wakeups(cases).await?;
            sealed += scan.sealed;
            if !scan.more || !self.load.quiet() {
                return Ok(sealed);
            }
        }
    }

    /// Wakes the cases due now, at most `cases` of them: seals their pending notices while the
    /// node is quiet and fires their due timers (see [`App::fire_due_timers`]).
    pub async fn scan_wakeups(&self, cases: usize) -> Result<WakeupScan, AppError> {
        /// How long a busy node's scan holds the wake-ups it claimed.
        const BUSY_LEASE_SECONDS: i64 = 2;
        /// Cases claimed at a time.
        const CLAIM: usize = 50;
        let mut fired = 0;
        let mut sealed = 0;
        let mut left = cases;
        let mut more = false;
        // What is due when the scan starts: under steady traffic, notices issued meanwhile are
        // left to the next scan, so the scan always ends (and the deadline scan after it runs).
        let now = self.clock.now();
        while left > 0 {
            // Claimed for a minute: nodes scanning side by side take different cases. While
            // the node is busy, for a few seconds only: a case woken just for its notices is
            // soon free again for the notice job.
            let seal = self.load.quiet();
            let lease = if seal { 60 } else { BUSY_LEASE_SECONDS };
            let claim = left.min(CLAIM);
            let claimed = {
                let mut tx = self.store.begin().await?;
                let ids = tx
                    .claim_wakeups(
                        now,
                        now + chrono::Duration::seconds(lease),
                        i64::try_from(claim).unwrap_or(50),
                    )
                    .await?;
                tx.commit().await?;
                ids
            };
            if claimed.is_empty() {
                break;
            }
            left = left.saturating_sub(claimed.len());
            more = left == 0 && claimed.len() == claim;
            for id in claimed {
                if seal {
                    match self.seal_pending_notices(&id).await {
                        Ok(n) => sealed += n,
                        Err(e) => tracing::warn!(case = %id, error = %e, "sealing notices failed"),
                    }
                }
                let stored = {
                    let mut tx = self.store.read().await?;
                    tx.case_by_id(&id).await?
                };
                let Some(c) = stored.as_ref().and_then(|s| record_of(s).ok()) else {
                    continue;
                };
                let due: Vec<(u32, u64)> = live_instances(&c)
                    .into_iter()
                    .filter(|(_, i)| i.state == shenpi_workflow::State::Running)
                    .flat_map(|(scope, i)| {
                        i.timers
                            .iter()
                            .filter(|t| t.due <= now)
                            .map(move |t| (scope, t.id))
                    })
                    .collect();
                for (scope, timer) in due {
                    match self.fire_timer(&c.id, scope, timer).await {
                        Ok(true) => fired += 1,
                        Ok(false) => {}
                        // Another node or scan moved the case on first: its step stands.
                        Err(AppError::Rule(e)) if e.code == ErrorCode::STALE_REVISION => {}
                        Err(e) => {
                            tracing::warn!(case = %c.number, timer, error = %e, "workflow timer failed");
                        }
                    }
                }
            }
        }
        if sealed > 0 {
            tracing::debug!(sealed, "notices sealed");
        }
        Ok(WakeupScan {
            fired,
            sealed,
            more,
        })
    }
}

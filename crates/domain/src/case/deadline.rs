//! The deadline clock of a case, in working days (行政许可法 Art. 82): it starts the working day
//! after acceptance, pauses for special procedures (and, by default, supplements after
//! acceptance), and is compared with the promised limit for warnings (预警) and with the
//! statutory limit for legal compliance (法定超期). DOMAIN §5.4–§5.6 and §11.

use crate::calendar::{Calendar, CalendarError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A period during which the clock stands still (特别程序, 补正), from `from` (exclusive) to `to`
/// (inclusive); `to` is `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub reason: String,
}

/// The warning thresholds (configurable per item; DOMAIN §11 defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlaRules {
    /// Yellow when the remaining days are at most this share of the promised limit.
    pub yellow_ratio: f64,
    /// Yellow when at most this many working days remain.
    pub yellow_days: u32,
}

impl Default for SlaRules {
    fn default() -> Self {
        SlaRules {
            yellow_ratio: 0.2,
            yellow_days: 1,
        }
    }
}

/// The SLA colour (三色亮灯).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaColour {
    Green,
    Yellow,
    Red,
}

/// Where a case stands against its limits on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaStatus {
    pub colour: SlaColour,
    /// Working days left to the promised deadline (negative when past it).
    pub remaining_days: i64,
    pub promised_deadline: NaiveDate,
    pub statutory_deadline: NaiveDate,
    /// Past the statutory limit: a legal breach, flagged apart from the colour.
    pub statutory_overdue: bool,
    /// Working days used so far, pauses excluded (实际用时).
    pub used_days: u32,
}

/// The clock of an accepted case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClock {
    pub accepted_on: NaiveDate,
    pub promised_days: u32,
    pub statutory_days: u32,
    #[serde(default)]
    pub pauses: Vec<Pause>,
}

impl CaseClock {
    /// Working days the clock stood still, up to `today` for a pause still running.
    pub fn paused_days(&self, cal: &Calendar, today: NaiveDate) -> Result<u32, CalendarError> {
        self.pauses.iter().try_fold(0, |sum, p| {
            let end = p.to.unwrap_or(today);
            Ok(sum + cal.working_days_between(p.from, end)?)
        })
    }

    fn deadline(
        &self,
        cal: &Calendar,
        today: NaiveDate,
        days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let total = days + self.paused_days(cal, today)?;
        if total == 0 {
            return Ok(self.accepted_on);
        }
        cal.add_working_days(self.accepted_on, total)
    }

    /// The promised deadline as of `today` (pauses move it).
    pub fn promised_deadline(
        &self,
        cal: &Calendar,
        today: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        self.deadline(cal, today, self.promised_days)
    }

    /// The statutory deadline as of `today`.
    pub fn statutory_deadline(
        &self,
        cal: &Calendar,
        today: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        self.deadline(cal, today, self.statutory_days)
    }

    /// The SLA status on `today`.
    pub fn status(
        &self,
        cal: &Calendar,
        today: NaiveDate,
        rules: SlaRules,
    ) -> Result<SlaStatus, CalendarError> {
        let promised = self.promised_deadline(cal, today)?;
        let statutory = self.statutory_deadline(cal, today)?;
        let remaining = if today <= promised {
            i64::from(cal.working_days_between(today, promised)?)
        } else {
            -i64::from(cal.working_days_between(promised, today)?)
        };
        let elapsed = cal.working_days_between(self.accepted_on, today)?;
        let used = elapsed.saturating_sub(self.paused_days(cal, today)?);
        let threshold = (f64::from(self.promised_days) * rules.yellow_ratio).floor() as i64;
        let colour = if today > promised {
            SlaColour::Red
        } else if remaining <= threshold.max(i64::from(rules.yellow_days)) {
            SlaColour::Yellow
        } else {
            SlaColour::Green
        };
        Ok(SlaStatus {
            colour,
            remaining_days: remaining,
            promised_deadline: promised,
            statutory_deadline: statutory,
            statutory_overdue: today > statutory,
            used_days: used,
        })
    }
}

/// The day by which an acceptance decision or a supplement notice is due (Art. 32: 5 working
/// days after receipt); after it the application counts as accepted on the day of receipt.
pub fn acceptance_due(cal: &Calendar, received_on: NaiveDate) -> Result<NaiveDate, CalendarError> {
    cal.add_working_days(received_on, 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn clock(accepted: &str, promised: u32, statutory: u32) -> CaseClock {
        CaseClock {
            accepted_on: d(accepted),
            promised_days: promised,
            statutory_days: statutory,
            pauses: vec![],
        }
    }

    #[test]
    fn the_deadline_skips_the_2026_spring_festival() {
        let cal = Calendar::builtin();
        let c = clock("2026-02-12", 5, 20);
        // 02-13 Fri, 02-14 make-up Sat, then 02-24, 02-25, 02-26.
        assert_eq!(
            c.promised_deadline(&cal, d("2026-02-12")).unwrap(),
            d("2026-02-26")
        );
    }

    #[test]
    fn colours_turn_yellow_near_the_promised_deadline_and_red_after_it() {
        let cal = Calendar::builtin();
        let c = clock("2026-02-12", 5, 20);
        let at = |day: &str| c.status(&cal, d(day), SlaRules::default()).unwrap();
        assert_eq!(at("2026-02-13").colour, SlaColour::Green);
        assert_eq!(at("2026-02-24").remaining_days, 2);
        assert_eq!(at("2026-02-24").colour, SlaColour::Green);
        assert_eq!(at("2026-02-25").colour, SlaColour::Yellow);
        assert_eq!(at("2026-02-26").colour, SlaColour::Yellow);
        let late = at("2026-02-27");
        assert_eq!(
            (late.colour, late.remaining_days, late.statutory_overdue),
            (SlaColour::Red, -1, false)
        );
    }

    #[test]
    fn a_special_procedure_pauses_the_clock_across_national_day() {
        let cal = Calendar::builtin();
        let mut c = clock("2026-09-28", 3, 20);
        // 09-29, 09-30, then the holiday until 10-07: deadline 10-08 without a pause.
        assert_eq!(
            c.promised_deadline(&cal, d("2026-09-28")).unwrap(),
            d("2026-10-08")
        );
        c.pauses.push(Pause {
            from: d("2026-09-29"),
            to: Some(d("2026-10-09")),
            reason: "专家评审".into(),
        });
        // Paused working days in (09-29, 10-09]: 09-30, 10-08, 10-09 → 3.
        assert_eq!(c.paused_days(&cal, d("2026-10-12")).unwrap(), 3);
        assert_eq!(
            c.promised_deadline(&cal, d("2026-10-12")).unwrap(),
            d("2026-10-12")
        );
        assert_eq!(
            c.status(&cal, d("2026-10-12"), SlaRules::default())
                .unwrap()
                .used_days,
            3
        );
    }

    #[test]
    fn the_statutory_limit_is_flagged_apart_from_the_colour() {
        let cal = Calendar::builtin();
        let c = clock("2026-03-02", 1, 2);
        let s = c
            .status(&cal, d("2026-03-05"), SlaRules::default())
            .unwrap();
        assert_eq!(s.colour, SlaColour::Red);
        assert!(s.statutory_overdue);
    }

    #[test]
    fn acceptance_is_due_five_working_days_after_receipt() {
        let cal = Calendar::builtin();
        assert_eq!(
            acceptance_due(&cal, d("2026-09-29")).unwrap(),
            d("2026-10-12")
        );
    }
}

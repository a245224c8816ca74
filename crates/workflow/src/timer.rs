//! Timer definitions (`timerEventDefinition`): when a timer is due, as pure data.
//!
//! Supported: `timeDuration` as an ISO 8601 duration of weeks, days, hours, minutes and seconds
//! (`PT4H`, `P2D`, `P1W`, `P1DT12H`; years and months are refused as ambiguous), and `timeDate`
//! as an RFC 3339 instant. `timeCycle` is not supported. Durations are calendar time; working-day
//! deadlines need the platform calendar and stay with the caller (`shenpi:durationDays` on user
//! tasks).

use chrono::{DateTime, Duration, Utc};
use roxmltree::Node as XmlNode;
use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::parse::BPMN_NS;

/// When a timer fires, relative to when it was scheduled or absolute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerSpec {
    /// `timeDuration`: this many seconds after the token arrives.
    After { seconds: i64 },
    /// `timeDate`: at this instant.
    At { at: DateTime<Utc> },
}

impl TimerSpec {
    /// The due time for a timer scheduled at `now`.
    pub fn due(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match *self {
            TimerSpec::After { seconds } => now + Duration::seconds(seconds),
            TimerSpec::At { at } => at,
        }
    }

    /// Parses a `timeDuration` (ISO 8601) or `timeDate` (RFC 3339) text.
    pub fn parse(kind: &str, text: &str) -> Result<Self, String> {
        let text = text.trim();
        match kind {
            "timeDuration" => duration_seconds(text).map(|seconds| TimerSpec::After { seconds }),
            "timeDate" => DateTime::parse_from_rfc3339(text)
                .map(|at| TimerSpec::At {
                    at: at.with_timezone(&Utc),
                })
                .map_err(|e| format!("`{text}` is not an RFC 3339 date-time: {e}")),
            other => Err(format!("`{other}` timers are not supported")),
        }
    }
}

/// The single event definition of an event element; none or several are refused.
pub(crate) fn event_definition<'a, 'i>(
    el: XmlNode<'a, 'i>,
    id: &str,
    tag: &str,
    line: u32,
) -> Result<XmlNode<'a, 'i>, ParseError> {
    let definitions: Vec<XmlNode> = el
        .children()
        .filter(|n| n.is_element() && n.tag_name().namespace() == Some(BPMN_NS))
        .filter(|n| n.tag_name().name().ends_with("EventDefinition"))
        .collect();
    match definitions.as_slice() {
        [one] => Ok(*one),
        other => Err(ParseError::Unsupported {
            id: id.to_owned(),
            tag: tag.to_owned(),
            line,
            what: Some(
                other
                    .get(1)
                    .map_or("no event definition", |_| "several event definitions")
                    .to_owned(),
            ),
        }),
    }
}

/// Reads a `timerEventDefinition` (the single event definition of an event, see
/// [`event_definition`]).
pub(crate) fn timer_definition(
    timer: XmlNode,
    id: &str,
    tag: &str,
    line: u32,
) -> Result<TimerSpec, ParseError> {
    let spec =
        timer
            .children()
            .find(XmlNode::is_element)
            .ok_or_else(|| ParseError::MissingAttribute {
                id: id.to_owned(),
                tag: tag.to_owned(),
                attribute: "timeDuration",
                line,
            })?;
    let text: String = spec
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    TimerSpec::parse(spec.tag_name().name(), &text).map_err(|reason| ParseError::InvalidAttribute {
        id: id.to_owned(),
        attribute: "timerEventDefinition",
        value: text.trim().to_owned(),
        reason,
        line,
    })
}

/// Seconds in an ISO 8601 duration of weeks, days, hours, minutes and seconds.
fn duration_seconds(text: &str) -> Result<i64, String> {
    let bad = |why: &str| format!("`{text}` is not a supported ISO 8601 duration: {why}");
    let rest = text
        .strip_prefix('P')
        .ok_or_else(|| bad("it must start with P"))?;
    let (mut total, mut number, mut in_time, mut any) = (0i64, String::new(), false, false);
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' if !in_time && number.is_empty() => in_time = true,
            _ => {
                let n: i64 = number.parse().map_err(|_| bad("a number is missing"))?;
                number.clear();
                let unit = match (c, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    ('Y' | 'M', false) => return Err(bad("years and months have no fixed length")),
                    _ => return Err(bad("unknown unit")),
                };
                total = n
                    .checked_mul(unit)
                    .and_then(|s| total.checked_add(s))
                    .ok_or_else(|| bad("too long"))?;
                any = true;
            }
        }
    }
    if !number.is_empty() || !any {
        return Err(bad("a unit is missing"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_of_weeks_days_hours_minutes_and_seconds_are_read() {
        assert_eq!(duration_seconds("PT4H"), Ok(4 * 3600));
        assert_eq!(
            duration_seconds("P1DT12H30M5S"),
            Ok(86_400 + 12 * 3600 + 30 * 60 + 5)
        );
        assert_eq!(duration_seconds("P2W"), Ok(14 * 86_400));
    }

    #[test]
    fn months_and_malformed_durations_are_refused() {
        assert!(duration_seconds("P1M").is_err());
        assert!(duration_seconds("P").is_err());
        assert!(duration_seconds("PT5").is_err());
        assert!(duration_seconds("4H").is_err());
    }

    #[test]
    fn a_time_date_is_due_at_that_instant_whenever_scheduled() {
        let spec = TimerSpec::parse("timeDate", "2026-10-08T09:00:00+08:00").unwrap();
        let due = spec.due(DateTime::UNIX_EPOCH);
        assert_eq!(due.to_rfc3339(), "2026-10-08T01:00:00+00:00");
    }
}

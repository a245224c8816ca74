use chrono::Duration;
use serde_json::json;
use shenpi_workflow::{
    Command, EngineError, Event, ParseError, State, TimerSpec, parse_bpmn, step,
};

use crate::support::{bpmn, complete, empty, now, open, start};

const REMINDER: &str = r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
  <userTask id="review"/><sequenceFlow id="f2" sourceRef="review" targetRef="e"/><endEvent id="e"/>
  <boundaryEvent id="late" attachedToRef="review" cancelActivity="CANCEL">
    <timerEventDefinition><timeDuration>P2D</timeDuration></timerEventDefinition></boundaryEvent>
  <sequenceFlow id="f3" sourceRef="late" targetRef="escalate"/>
  <userTask id="escalate"/><sequenceFlow id="f4" sourceRef="escalate" targetRef="e2"/><endEvent id="e2"/>"#;

fn reminder(interrupting: bool) -> shenpi_workflow::Process {
    parse_bpmn(&bpmn(
        &REMINDER.replace("CANCEL", &interrupting.to_string()),
    ))
    .unwrap()
}

fn fire(
    p: &shenpi_workflow::Process,
    i: &shenpi_workflow::Instance,
    later: Duration,
) -> Result<shenpi_workflow::Step, EngineError> {
    let timer = i.timers[0].id;
    step(p, i, Command::FireTimer { timer }, now() + later)
}

#[test]
fn an_intermediate_timer_waits_until_due_and_then_moves_on() {
    let p = parse_bpmn(&bpmn(r#"<startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
      <intermediateCatchEvent id="wait"><timerEventDefinition><timeDuration>PT4H</timeDuration></timerEventDefinition></intermediateCatchEvent>
      <sequenceFlow id="f2" sourceRef="wait" targetRef="e"/><endEvent id="e"/>"#)).unwrap();
    let s = start(&p, empty());
    assert_eq!(s.instance.timers[0].due, now() + Duration::hours(4));
    let early = fire(&p, &s.instance, Duration::hours(3));
    assert!(
        matches!(early, Err(EngineError::TimerNotDue { .. })),
        "{early:?}"
    );
    let s = fire(&p, &s.instance, Duration::hours(4)).unwrap();
    assert_eq!(s.instance.state, State::Completed);
    assert!(s.instance.timers.is_empty());
}

#[test]
fn an_interrupting_boundary_timer_closes_the_task_and_escalates() {
    let p = reminder(true);
    let s = start(&p, empty());
    assert_eq!(s.instance.timers[0].due, now() + Duration::days(2));
    let s = fire(&p, &s.instance, Duration::days(2)).unwrap();
    assert_eq!(open(&p, &s.instance), ["escalate"]);
    assert!(
        s.events
            .iter()
            .any(|e| matches!(e, Event::TaskCancelled { .. }))
    );
    let s = complete(&p, &s.instance, "escalate", empty());
    assert_eq!(s.instance.state, State::Completed);
}

#[test]
fn a_non_interrupting_boundary_timer_leaves_the_task_open() {
    let p = reminder(false);
    let s = start(&p, empty());
    let s = fire(&p, &s.instance, Duration::days(3)).unwrap();
    assert_eq!(open(&p, &s.instance), ["review", "escalate"]);
    let s = complete(&p, &s.instance, "review", empty());
    let s = complete(&p, &s.instance, "escalate", empty());
    assert_eq!(s.instance.state, State::Completed);
}

#[test]
fn completing_the_task_cancels_its_boundary_timer() {
    let p = reminder(true);
    let s = start(&p, empty());
    let timer = s.instance.timers[0].id;
    let s = complete(&p, &s.instance, "review", json!({}));
    assert!(s.instance.timers.is_empty());
    assert_eq!(
        step(&p, &s.instance, Command::FireTimer { timer }, now()),
        Err(EngineError::NotRunning { state: "completed" })
    );
}

#[test]
fn a_time_cycle_and_a_signal_boundary_event_are_refused() {
    let cycle = REMINDER.replace(
        "<timeDuration>P2D</timeDuration>",
        "<timeCycle>R3/PT1H</timeCycle>",
    );
    assert!(
        matches!(parse_bpmn(&bpmn(&cycle)), Err(ParseError::InvalidAttribute { ref id, .. }) if id == "late")
    );
    // Message boundary events are supported now (see `messages.rs`); signals still are not.
    let signal = REMINDER.replace(
        "<timerEventDefinition><timeDuration>P2D</timeDuration></timerEventDefinition>",
        "<signalEventDefinition/>",
    );
    let e = parse_bpmn(&bpmn(&signal)).unwrap_err();
    assert!(
        matches!(e, ParseError::Unsupported { ref what, .. } if what.as_deref() == Some("signalEventDefinition")),
        "{e:?}"
    );
    let message = REMINDER.replace(
        "<timerEventDefinition><timeDuration>P2D</timeDuration></timerEventDefinition>",
        "<messageEventDefinition/>",
    );
    let e = parse_bpmn(&bpmn(&message)).unwrap_err();
    assert!(
        matches!(e, ParseError::MissingAttribute { ref id, attribute: "messageRef", .. } if id == "late"),
        "a message event without a message is refused: {e:?}"
    );
}

#[test]
fn a_boundary_timer_on_a_gateway_is_refused() {
    let xml = REMINDER.replace(r#"attachedToRef="review""#, r#"attachedToRef="s""#);
    assert!(matches!(
        parse_bpmn(&bpmn(&xml)),
        Err(ParseError::InvalidAttribute {
            attribute: "attachedToRef",
            ..
        })
    ));
    assert_eq!(
        TimerSpec::parse("timeDuration", "PT1M"),
        Ok(TimerSpec::After { seconds: 60 })
    );
}

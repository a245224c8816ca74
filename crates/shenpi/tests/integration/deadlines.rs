//! Working-day deadlines of real cases on the fake clock, across the 2026 Spring Festival
//! (15–23 February off, Saturday 14 and 28 February worked) and National Day (1–7 October off,
//! Sunday 20 September and Saturday 10 October worked), as the State Council's 2026 notice sets
//! them. The expected dates are counted here from that notice, apart from the platform's calendar.

use super::cases::{open_task, submit};
use super::common::*;
use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};
use serde_json::{Value, json};
use shenpi_testkit::{TestApp, spawn_app};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Whether `day` is a working day by the 2026 notice (for the months these tests cross).
fn working(day: NaiveDate) -> bool {
    let off = [
        "2026-02-15",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-02-21",
        "2026-02-22",
        "2026-02-23",
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ];
    let worked = ["2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"];
    let s = day.to_string();
    if off.contains(&s.as_str()) {
        return false;
    }
    worked.contains(&s.as_str()) || !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The `n`-th working day after `from`.
fn nth_working_day_after(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap();
        if working(day) {
            left -= 1;
        }
    }
    day
}

/// Sets the fake clock to 10:00 Beijing time on `day`.
fn at(app: &TestApp, day: &str) {
    let day = d(day);
    app.clock.set(
        Utc.with_ymd_and_hms(day.year(), day.month(), day.day(), 2, 0, 0)
            .unwrap(),
    );
}

/// Submits and accepts a case on `day`; returns its number and the reviewer's view of its clock.
async fn accepted_on(app: &TestApp, day: &str, key: &str) -> (String, Value) {
    at(app, day);
    let citizen = login(app, "citizen").await;
    let number = submit(app, &citizen, key).await["number"]
        .as_str()
        .unwrap()
        .to_string();
    let clerk = login(app, "clerk-370202").await;
    let tid = open_task(app, &clerk, &number).await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        app,
        &clerk,
        &format!("/api/v1/tasks/{tid}/complete"),
        json!({"outcome": "accept", "opinion": "材料齐全，予以受理"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let sla = sla_on(app, day, &number).await;
    (number, sla)
}

/// The reviewer's view of the case's clock on `day`.
async fn sla_on(app: &TestApp, day: &str, number: &str) -> Value {
    at(app, day);
    let reviewer = login(app, "reviewer-370202").await;
    open_task(app, &reviewer, number).await["sla"].clone()
}

/// The case's promised and statutory limits in working days.
async fn limits(app: &TestApp, number: &str) -> (u32, u32) {
    let reviewer = login(app, "reviewer-370202").await;
    let id = open_task(app, &reviewer, number).await["task"]["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let c: Value = get(app, &reviewer, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let n = |k: &str| u32::try_from(c["deadlines"][k].as_u64().unwrap()).unwrap();
    (n("promised_days"), n("statutory_days"))
}

#[tokio::test]
async fn a_case_accepted_before_the_spring_festival_keeps_its_working_days_through_the_holiday() {
    let app = spawn_app().await;
    let (number, sla) = accepted_on(&app, "2026-02-12", "k-spring").await;
    let (promised, statutory) = limits(&app, &number).await;
    assert!(promised >= 3, "the item promises {promised} working days");
    let deadline = nth_working_day_after(d("2026-02-12"), promised);
    assert_eq!(sla["promised_deadline"], deadline.to_string(), "{sla}");
    assert_eq!(
        sla["statutory_deadline"],
        nth_working_day_after(d("2026-02-12"), statutory).to_string()
    );
    assert!(
        deadline >= d("2026-02-24"),
        "the deadline lies after the holiday"
    );
    assert_eq!(sla["colour"], "green");

    // Remaining days count the working days after today: the make-up Saturday 14 counts, the
    // nine days off do not.
    let left = |v: &Value| v["remaining_days"].as_i64().unwrap();
    let friday = sla_on(&app, "2026-02-13", &number).await;
    let first_day_off = sla_on(&app, "2026-02-15", &number).await;
    let last_day_off = sla_on(&app, "2026-02-23", &number).await;
    assert_eq!(
        left(&first_day_off),
        left(&friday) - 1,
        "the 14th was worked"
    );
    assert_eq!(
        left(&last_day_off),
        left(&first_day_off),
        "no working day passes in the holiday"
    );
    assert_eq!(
        left(&sla_on(&app, "2026-02-24", &number).await),
        left(&last_day_off) - 1
    );
    // On the deadline it is yellow; the working day after, red.
    assert_eq!(
        sla_on(&app, &deadline.to_string(), &number).await["colour"],
        "yellow"
    );
    let after = nth_working_day_after(deadline, 1).to_string();
    let late = sla_on(&app, &after, &number).await;
    assert_eq!(late["colour"], "red", "{late}");
    assert_eq!(late["remaining_days"], -1);
}

#[tokio::test]
async fn a_case_accepted_before_national_day_counts_the_make_up_saturday() {
    let app = spawn_app().await;
    let (number, sla) = accepted_on(&app, "2026-09-29", "k-national").await;
    let (promised, statutory) = limits(&app, &number).await;
    let deadline = nth_working_day_after(d("2026-09-29"), promised);
    assert_eq!(sla["promised_deadline"], deadline.to_string(), "{sla}");
    assert_eq!(
        sla["statutory_deadline"],
        nth_working_day_after(d("2026-09-29"), statutory).to_string()
    );
    let left = |v: &Value| v["remaining_days"].as_i64().unwrap();
    let before = sla_on(&app, "2026-09-30", &number).await;
    let in_holiday = sla_on(&app, "2026-10-07", &number).await;
    let after = sla_on(&app, "2026-10-10", &number).await;
    assert_eq!(
        left(&in_holiday),
        left(&before),
        "the week off costs nothing"
    );
    assert_eq!(
        left(&after),
        left(&in_holiday) - 3,
        "8 and 9 October and the make-up 10th"
    );
    // The statutory limit passes unnoticed by nobody: flagged apart from the colour.
    let breach = nth_working_day_after(d("2026-09-29"), statutory + 1).to_string();
    assert_eq!(
        sla_on(&app, &breach, &number).await["statutory_overdue"],
        true
    );
}

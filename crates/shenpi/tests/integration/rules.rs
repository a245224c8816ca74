//! The rules library over HTTP: the demo rule is listed and evaluates with its trace; an upload
//! with a JavaScript node or a failing test case is refused and nothing is stored; a good one
//! becomes the next version.

use super::common::*;
use serde_json::{Value, json};
use shenpi_testkit::spawn_app;

/// The facts of a 施工劳务资质备案 (as `app::decisions::facts` builds them) with the safety
/// licence running out in `days`.
fn facts(days: i64) -> Value {
    json!({"source_ok": true, "enterprise": {"found": true, "active": true, "status": "存续",
        "qualification_days_left": days,
        "staff": {"technical_leads": 1, "managers": 2, "workers": 3, "insured_elsewhere": 0, "expired": 0}}})
}

#[tokio::test]
async fn rules_are_uploaded_tested_versioned_and_evaluated_with_a_trace() {
    let app = spawn_app().await;
    let admin = login(&app, "admin").await;
    let reviewer = login(&app, "reviewer-370202").await;
    let list: Value = get(&app, &reviewer, "/api/v1/rules")
        .await
        .json()
        .await
        .unwrap();
    let demo = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "labour-filing-auto")
        .cloned()
        .unwrap_or_else(|| panic!("{list}"));
    assert_eq!(demo["version"], 1);
    assert_eq!(demo["purpose_zh"], "自动审批");

    // Evaluate: output and trace.
    let r = post(
        &app,
        &reviewer,
        "/api/v1/rules/labour-filing-auto/evaluate",
        json!({"input": facts(12)}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["output"]["auto"], false);
    assert_eq!(
        d["output"]["checks"]["failed"],
        json!([{"check": "安全生产许可证", "reason": "安全生产许可证 30 天内到期或已失效"}])
    );
    let table = d["trace"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "decision_table")
        .unwrap();
    assert_eq!(
        table["matched"],
        json!(["3"]),
        "the fourth row: the licence"
    );
    assert_eq!(d["rule"]["version"], 1);

    // Uploads: a JavaScript node, then a failing test case — refused, nothing stored.
    let mut rule: Value = get(&app, &admin, "/api/v1/rules/labour-filing-auto")
        .await
        .json()
        .await
        .unwrap();
    let body = |document: Value, tests: Value| {
        json!({"key": "labour-filing-auto", "name": rule["name"], "purpose": "auto_approval",
               "document": document, "tests": tests})
    };
    let mut with_js = rule["document"].clone();
    with_js["nodes"].as_array_mut().unwrap().push(
        json!({"id": "js", "type": "functionNode", "name": "脚本", "content": "export const handler = async () => ({})"}),
    );
    let v = assert_error(
        post(
            &app,
            &admin,
            "/api/v1/rules",
            body(with_js, rule["tests"].clone()),
        )
        .await,
        422,
        "RULE_INVALID",
    )
    .await;
    assert!(
        v["details"]["reason_zh"]
            .as_str()
            .unwrap()
            .contains("JavaScript"),
        "{v}"
    );
    // Stricter: 60 days instead of 30, but the old test case still expects 30.
    let mut stricter = rule["document"].clone();
    stricter["nodes"][1]["content"]["rules"][3]["c4"] = json!("< 60");
    let mut tests = rule["tests"].clone();
    tests
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "45 天仍自动通过（旧口径）",
        "input": facts(45), "expected": {"auto": true}}));
    let v = assert_error(
        post(
            &app,
            &admin,
            "/api/v1/rules",
            body(stricter.clone(), tests.clone()),
        )
        .await,
        422,
        "RULE_TESTS_FAILED",
    )
    .await;
    assert_eq!(
        v["details"]["failures"][0]["name"],
        "45 天仍自动通过（旧口径）"
    );
    assert_eq!(v["details"]["failures"][0]["got"]["auto"], false);
    // The reviewer may not upload at all.
    let r = post(
        &app,
        &reviewer,
        "/api/v1/rules",
        body(stricter.clone(), json!([])),
    )
    .await;
    assert_eq!(r.status(), 403);
    let still: Value = get(&app, &admin, "/api/v1/rules/labour-filing-auto")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["version"], 1, "nothing stored");

    // With the test case corrected: version 2, used from now on.
    tests.as_array_mut().unwrap().pop();
    tests
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "45 天转人工（新口径）",
        "input": facts(45), "expected": {"auto": false}}));
    let r = post(&app, &admin, "/api/v1/rules", body(stricter, tests)).await;
    assert_eq!(r.status(), 201);
    rule = r.json().await.unwrap();
    assert_eq!(rule["version"], 2);
    assert_eq!(rule["created_by"], "admin");
    let d: Value = post(
        &app,
        &reviewer,
        "/api/v1/rules/labour-filing-auto/evaluate",
        json!({"input": facts(45)}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(d["output"]["auto"], false);
    assert_eq!(d["rule"]["version"], 2);

    let r = post(
        &app,
        &reviewer,
        "/api/v1/rules/no-such-rule/evaluate",
        json!({"input": {}}),
    )
    .await;
    assert_error(r, 404, "RULE_NOT_FOUND").await;
}

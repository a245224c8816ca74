#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::cases::{TestCase, run};
use super::*;
use serde_json::{Value, json};

/// 施工劳务资质备案 (demo): a switch on the enterprise status, then a first-hit table deciding
/// automatic approval, an expression node, and a collect table listing the checks that failed.
fn labour_filing() -> Value {
    json!({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "申请"},
            {"id": "sw", "type": "switchNode", "name": "主体状态",
             "content": {"hitPolicy": "first", "statements": [
                 {"id": "active", "condition": "enterprise.status == '存续'"},
                 {"id": "other", "condition": ""}]}},
            {"id": "auto", "type": "decisionTableNode", "name": "自动审批条件",
             "content": {"hitPolicy": "first",
                 "inputs": [{"id": "c1", "field": "safety_licence_days_left"},
                            {"id": "c2", "field": "staff_count"}],
                 "outputs": [{"id": "o1", "field": "decision.auto"},
                             {"id": "o2", "field": "decision.reason"}],
                 "rules": [
                     {"_id": "r1", "c1": ">= 30", "c2": ">= 5", "o1": "true", "o2": "'全部条件满足'"},
                     {"_id": "r2", "c1": "< 30", "c2": "", "o1": "false", "o2": "'安全生产许可证即将到期'"},
                     {"_id": "r3", "c1": "", "c2": "", "o1": "false", "o2": "'技术负责人及人员不足'"}]}},
            {"id": "fee", "type": "expressionNode", "name": "收费",
             "content": {"expressions": [{"id": "e1", "key": "fee", "value": "0"},
                                         {"id": "e2", "key": "checked_staff", "value": "staff_count * 1"}]}},
            {"id": "why", "type": "decisionTableNode", "name": "未满足的条件",
             "content": {"hitPolicy": "collect",
                 "inputs": [{"id": "c1", "field": "enterprise.status"}],
                 "outputs": [{"id": "o1", "field": "failed"}],
                 "rules": [{"_id": "r1", "c1": "'注销', '吊销'", "o1": "'企业已注销或吊销'"},
                           {"_id": "r2", "c1": "$ != '存续'", "o1": "'企业状态异常'"}]}},
            {"id": "out", "type": "outputNode", "name": "结果"}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "sw"},
            {"id": "e2", "sourceId": "sw", "targetId": "auto", "sourceHandle": "active"},
            {"id": "e3", "sourceId": "sw", "targetId": "fee", "sourceHandle": "active"},
            {"id": "e4", "sourceId": "sw", "targetId": "why", "sourceHandle": "other"},
            {"id": "e5", "sourceId": "auto", "targetId": "out"},
            {"id": "e6", "sourceId": "fee", "targetId": "out"},
            {"id": "e7", "sourceId": "why", "targetId": "out"}
        ]
    })
}

fn input(status: &str, days: i64, staff: i64) -> Value {
    json!({"enterprise": {"status": status}, "safety_licence_days_left": days, "staff_count": staff})
}

#[test]
fn a_first_hit_table_decides_and_the_trace_shows_every_node() {
    let rule = Rule::parse(&labour_filing()).unwrap();
    let d = evaluate(&rule, &input("存续", 200, 8)).unwrap();
    assert_eq!(
        d.output["decision"],
        json!({"auto": true, "reason": "全部条件满足"})
    );
    assert_eq!(d.output["fee"], 0);
    assert_eq!(d.output["checked_staff"], 8);
    let visited: Vec<&str> = d.trace.iter().map(|t| t.id.as_str()).collect();
    assert!(visited.contains(&"auto") && visited.contains(&"fee"));
    assert!(!visited.contains(&"why"), "the other branch is not taken");
    let auto = d.trace.iter().find(|t| t.id == "auto").unwrap();
    assert_eq!(auto.matched, ["0"]);
    assert_eq!(auto.input["staff_count"], 8);
    let sw = d.trace.iter().find(|t| t.id == "sw").unwrap();
    assert_eq!(sw.matched, ["active"]);

    // The second row: the licence runs out soon; the first matching row wins.
    let d = evaluate(&rule, &input("存续", 10, 8)).unwrap();
    assert_eq!(d.output["decision"]["auto"], false);
    assert_eq!(d.output["decision"]["reason"], "安全生产许可证即将到期");
    let d = evaluate(&rule, &input("存续", 100, 2)).unwrap();
    assert_eq!(d.output["decision"]["reason"], "技术负责人及人员不足");
}

#[test]
fn a_collect_table_lists_every_matching_row_and_the_switch_routes() {
    let rule = Rule::parse(&labour_filing()).unwrap();
    let d = evaluate(&rule, &input("吊销", 200, 8)).unwrap();
    assert_eq!(
        d.output,
        json!([{"failed": "企业已注销或吊销"}, {"failed": "企业状态异常"}])
    );
    let why = d.trace.iter().find(|t| t.id == "why").unwrap();
    assert_eq!(why.matched, ["0", "1"]);
    assert!(!d.trace.iter().any(|t| t.id == "auto"));
}

#[test]
fn stored_cases_pass_or_name_what_failed() {
    let rule = Rule::parse(&labour_filing()).unwrap();
    let good = vec![
        TestCase {
            name: "条件满足自动通过".into(),
            input: input("存续", 365, 10),
            expected: json!({"decision": {"auto": true}}),
        },
        TestCase {
            name: "许可证将到期转人工".into(),
            input: input("存续", 5, 10),
            expected: json!({"decision": {"auto": false}, "fee": 0}),
        },
    ];
    assert!(run(&rule, &good).is_empty());
    let bad = vec![TestCase {
        name: "错误的期望".into(),
        input: input("存续", 5, 10),
        expected: json!({"decision": {"auto": true}}),
    }];
    let failures = run(&rule, &bad);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].name, "错误的期望");
    assert_eq!(failures[0].got["decision"]["auto"], false);
}

#[test]
fn javascript_and_unknown_nodes_cycles_and_bad_expressions_are_refused() {
    let mut doc = labour_filing();
    doc["nodes"].as_array_mut().unwrap().push(json!(
        {"id": "js", "type": "functionNode", "name": "脚本", "content": "export const handler = () => ({})"}));
    let e = Rule::parse(&doc).unwrap_err();
    assert!(matches!(e, RuleError::FunctionNode { .. }), "{e}");
    assert!(e.reason_zh().contains("JavaScript"));

    let mut doc = labour_filing();
    doc["nodes"][3]["type"] = json!("decisionTableNodeV9");
    assert!(matches!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::UnsupportedNode { .. }
    ));

    let mut doc = labour_filing();
    doc["edges"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "back", "sourceId": "out", "targetId": "sw"}));
    assert!(matches!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::Cycle(_)
    ));

    let mut doc = labour_filing();
    doc["nodes"][3]["content"]["expressions"][0]["value"] = json!("1 +* 2");
    assert!(matches!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::Expression { .. }
    ));

    let mut doc = labour_filing();
    doc["edges"][0]["targetId"] = json!("nowhere");
    assert_eq!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::DanglingEdge("e1".into())
    );
    // `outputPath` is read on decision tables only.
    let mut doc = labour_filing();
    doc["nodes"][3]["content"]["outputPath"] = json!("result");
    assert!(matches!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::UnsupportedOption { .. }
    ));
    let mut doc = labour_filing();
    doc["nodes"][2]["content"]["inputField"] = json!("enterprise");
    assert!(matches!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::UnsupportedOption { .. }
    ));
    let mut doc = labour_filing();
    doc["nodes"][3]["id"] = json!("auto");
    assert_eq!(
        Rule::parse(&doc).unwrap_err(),
        RuleError::DuplicateId("auto".into())
    );
    // A number the expression language cannot hold is refused, not read as null.
    let rule = Rule::parse(&labour_filing()).unwrap();
    assert!(matches!(
        evaluate(
            &rule,
            &json!({"enterprise": {"status": "存续"}, "staff_count": 1e30})
        )
        .unwrap_err(),
        RuleError::Evaluation { .. }
    ));
    assert!(matches!(
        Rule::parse(&json!({"nodes": []})).unwrap_err(),
        RuleError::InputNodes(0)
    ));
    assert!(matches!(
        Rule::parse(&json!("not a rule")).unwrap_err(),
        RuleError::Format(_)
    ));
}

/// A collect table with `outputPath` and `passThrough` writes its hits under the path and keeps
/// its input, so a following expression can count them.
#[test]
fn a_collect_table_writes_its_hits_under_its_output_path() {
    let doc = json!({
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "in"},
            {"id": "t", "type": "decisionTableNode", "name": "核验",
             "content": {"hitPolicy": "collect", "passThrough": true, "outputPath": "checks.failed",
                 "inputs": [{"id": "c1", "field": "staff"}, {"id": "c2", "field": "active"}],
                 "outputs": [{"id": "o1", "field": "check"}, {"id": "o2", "field": "reason"}],
                 "rules": [
                     {"_id": "r1", "c1": "< 5", "c2": "", "o1": "'人员'", "o2": "'人员不足 ' + string(staff)"},
                     {"_id": "r2", "c1": "", "c2": "false", "o1": "'状态'", "o2": "'企业状态异常'"}]}},
            {"id": "x", "type": "expressionNode", "name": "结论",
             "content": {"expressions": [{"id": "e1", "key": "auto", "value": "len(checks.failed) == 0"}]}},
            {"id": "out", "type": "outputNode", "name": "out"}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "t"},
            {"id": "e2", "sourceId": "t", "targetId": "x"},
            {"id": "e3", "sourceId": "t", "targetId": "out"},
            {"id": "e4", "sourceId": "x", "targetId": "out"}
        ]
    });
    let rule = Rule::parse(&doc).unwrap();
    let d = evaluate(&rule, &json!({"staff": 3, "active": false})).unwrap();
    assert_eq!(d.output["auto"], json!(false));
    assert_eq!(
        d.output["checks"]["failed"],
        json!([{"check": "人员", "reason": "人员不足 3"}, {"check": "状态", "reason": "企业状态异常"}])
    );
    assert_eq!(d.output["staff"], json!(3), "the input passes through");
    let d = evaluate(&rule, &json!({"staff": 8, "active": true})).unwrap();
    assert_eq!(d.output["auto"], json!(true));
    assert_eq!(d.output["checks"]["failed"], json!([]));
}

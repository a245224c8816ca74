//! Rule decisions on cases (规则决策): the rules an item binds (acceptance conditions, review
//! checks, routing, fees, automatic approval) are evaluated on the case's facts at submission,
//! and every decision is stored with the case — rule, version, inputs, outputs, the trace of
//! every node and the data sources pulled — so reviewers can audit it and applicants read it
//! in plain words.
//!
//! - [`facts`]: the facts, pulled from the shared-data registries.
//! - [`auto`]: unattended approval (无人干预自助办): a case whose automatic-approval rule passes
//!   is accepted and granted at once; any failed check sends it to a reviewer with the list.
//!
//! A rule's output may carry `explanation` (plain words for the applicant) and a list of
//! failed checks (`checks.failed: [{check, reason}]`); an automatic-approval rule says `auto`.
//!
//! Decisions act, they are not only shown:
//! - a routing rule (办理路径) says `process`: the BPMN process the case runs on once accepted,
//!   instead of the item's own (`builtin-approval` for the built-in 受理 → 审查 → 决定 steps);
//! - a fee rule (收费核定) says `amount_fen`: the fee in whole fen, shown to the applicant at
//!   submission and on the case, and printed on the decision document;
//! - every decision's output is a process variable `decisions.<purpose>` (e.g.
//!   `decisions.routing.lane`), so gateways can branch on it.
//!
//! An output that does not say what its purpose needs (a process that does not exist, a fee
//! that is not a whole number of fen) is recorded as the decision's error, and the case goes
//! the item's default way, to people.

pub mod auto;
pub mod facts;

use crate::datasources::{DataPull, Purpose};
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::catalog::item::{ServiceItem, rule_purpose_zh};
use shenpi_domain::rules::{Rule, evaluate};

/// One check a rule found failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedCheck {
    pub check: String,
    pub reason: String,
}

/// A decision stored with its case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// `acceptance`, `review`, `routing`, `fee` or `auto_approval`.
    pub purpose: String,
    pub purpose_zh: String,
    pub rule: String,
    pub rule_name: String,
    /// The rule version decided with (0 when the rule was missing).
    pub version: i64,
    pub at: DateTime<Utc>,
    pub input: Value,
    pub output: Value,
    /// Every node's input and output, as the evaluator reported it.
    pub trace: Value,
    /// The registry pulls behind the input.
    pub data_sources: Vec<DataPull>,
    /// Failed checks, from the output's `checks.failed`.
    #[serde(default)]
    pub failed: Vec<FailedCheck>,
    /// Plain words for the applicant, from the output's `explanation`.
    #[serde(default)]
    pub explanation: String,
    /// Why the rule could not decide (missing rule, evaluation error), in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl DecisionRecord {
    /// For an automatic-approval decision: whether the case may be granted unattended.
    pub fn approves(&self) -> bool {
        self.error.is_none() && self.failed.is_empty() && self.output["auto"] == Value::Bool(true)
    }

    /// For a routing decision without error: the process key it chose.
    pub fn routed_process(&self) -> Option<&str> {
        if self.purpose != "routing" || self.error.is_some() {
            return None;
        }
        self.output["process"].as_str().filter(|k| !k.is_empty())
    }

    /// For a fee decision without error: the fee it assessed.
    pub fn fee(&self) -> Option<Fee> {
        if self.purpose != "fee" || self.error.is_some() {
            return None;
        }
        let amount_fen = fee_amount(&self.output)?;
        Some(Fee {
            amount_fen,
            amount_yuan: yuan(amount_fen),
            explanation: self.explanation.clone(),
            rule: self.rule.clone(),
            version: self.version,
        })
    }
}

/// The largest fee a rule may assess: 100 million yuan, in fen.
const MAX_FEE_FEN: i64 = 10_000_000_000;

/// A fee rule's `amount_fen`: a whole, non-negative number of fen (at most 100 million yuan).
fn fee_amount(output: &Value) -> Option<i64> {
    let n = &output["amount_fen"];
    let fen = n
        .as_i64()
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?;
    (0..=MAX_FEE_FEN).contains(&fen).then_some(fen)
}

/// `12345` fen → `"123.45"`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A fee assessed by the item's fee rule (收费核定).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fee {
    pub amount_fen: i64,
    /// e.g. `"1234.50"`
    pub amount_yuan: String,
    /// How it was computed, in plain words.
    pub explanation: String,
    pub rule: String,
    pub version: i64,
}

/// The process a case's routing decision chose, if any.
pub fn routed_process(decisions: &[DecisionRecord]) -> Option<&str> {
    decisions.iter().find_map(DecisionRecord::routed_process)
}

/// The fee a case's fee decision assessed, if any.
pub fn fee(decisions: &[DecisionRecord]) -> Option<Fee> {
    decisions.iter().find_map(DecisionRecord::fee)
}

/// The process variable `decisions`: each purpose's output (decisions with an error give none).
pub fn process_variables(decisions: &[DecisionRecord]) -> Value {
    let mut m = serde_json::Map::new();
    for d in decisions.iter().filter(|d| d.error.is_none()) {
        m.entry(d.purpose.clone())
            .or_insert_with(|| d.output.clone());
    }
    Value::Object(m)
}

fn failed_checks(output: &Value) -> Vec<FailedCheck> {
    output
        .pointer("/checks/failed")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|c| FailedCheck {
                    check: c["check"].as_str().unwrap_or_default().to_owned(),
                    reason: c["reason"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl App {
    /// Evaluates every rule `item` binds on the facts of an application; a rule that is missing
    /// or fails to evaluate is recorded as such (the case then goes to a person), never dropped.
    pub(crate) async fn decide_item_rules(
        &self,
        item: &ServiceItem,
        situation: Option<&str>,
        applicant_uscc: Option<&str>,
        form: &Value,
        case_id: &str,
    ) -> Result<Vec<DecisionRecord>, AppError> {
        if item.rules.is_empty() {
            return Ok(vec![]);
        }
        let purpose = Purpose {
            case_id: Some(case_id.to_owned()),
            reason: "规则核验".into(),
        };
        let mut facts = self.gather_facts(applicant_uscc, form, &purpose).await?;
        facts.value["situation"] = json!(situation);
        let now = self.clock.now();
        let mut out = vec![];
        for b in &item.rules {
            let mut d = DecisionRecord {
                purpose: b.purpose.clone(),
                purpose_zh: rule_purpose_zh(&b.purpose).unwrap_or_default().to_owned(),
                rule: b.rule.clone(),
                rule_name: String::new(),
                version: 0,
                at: now,
                input: facts.value.clone(),
                output: Value::Null,
                trace: Value::Array(vec![]),
                data_sources: facts.pulls.clone(),
                failed: vec![],
                explanation: String::new(),
                error: None,
            };
            let stored = {
                let mut tx = self.store.read().await?;
                tx.latest_rule(&b.rule).await?
            };
            match stored {
                None => d.error = Some(format!("规则库中没有规则 {}", b.rule)),
                Some(r) => {
                    d.rule_name = r.name.clone();
                    d.version = r.version;
                    let result = serde_json::from_str::<Value>(&r.document)
                        .map_err(|e| e.to_string())
                        .and_then(|doc| Rule::parse(&doc).map_err(|e| e.reason_zh()))
                        .and_then(|rule| evaluate(&rule, &facts.value).map_err(|e| e.reason_zh()));
                    match result {
                        Ok(decision) => {
                            d.failed = failed_checks(&decision.output);
                            d.explanation = decision.output["explanation"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned();
                            d.trace = serde_json::to_value(&decision.trace)
                                .unwrap_or(Value::Array(vec![]));
                            d.output = decision.output;
                        }
                        Err(reason) => d.error = Some(format!("规则计算失败：{reason}")),
                    }
                }
            }
            // Strip the pass-through input from what is shown as the output.
            if let Value::Object(m) = &mut d.output {
                for k in [
                    "form",
                    "enterprise",
                    "project",
                    "experts",
                    "today",
                    "source_ok",
                    "situation",
                ] {
                    m.remove(k);
                }
            }
            if d.error.is_none() {
                d.error = self.check_output(&d).await?;
            }
            out.push(d);
        }
        Ok(out)
    }
}

impl App {
    /// What is wrong with a decision's output for its purpose, in Chinese: a routing rule must
    /// name a process that exists, a fee rule a whole number of fen.
    async fn check_output(&self, d: &DecisionRecord) -> Result<Option<String>, AppError> {
        match d.purpose.as_str() {
            "routing" => {
                match &d.output["process"] {
                    Value::Null => Ok(None),
                    Value::String(key) if key == crate::diagram::BUILTIN_KEY => Ok(None),
                    Value::String(key) if !key.is_empty() => {
                        let mut tx = self.store.read().await?;
                        Ok(tx.latest_process(key).await?.is_none().then(|| {
                            format!("路由规则指定的流程 {key} 不存在，按事项的默认流程办理")
                        }))
                    }
                    _ => Ok(Some(
                        "路由规则的 process 不是流程编码，按事项的默认流程办理".into(),
                    )),
                }
            }
            "fee" => Ok(fee_amount(&d.output).is_none().then(|| {
                "收费规则没有给出有效金额（amount_fen：不小于 0 的整数，单位为分），收费由人工核定"
                    .to_owned()
            })),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(purpose: &str, output: Value) -> DecisionRecord {
        DecisionRecord {
            purpose: purpose.into(),
            purpose_zh: String::new(),
            rule: "r".into(),
            rule_name: String::new(),
            version: 1,
            at: DateTime::<Utc>::UNIX_EPOCH,
            input: Value::Null,
            output,
            trace: Value::Null,
            data_sources: vec![],
            failed: vec![],
            explanation: String::new(),
            error: None,
        }
    }

    #[test]
    fn fees_are_whole_non_negative_fen() {
        assert_eq!(fee_amount(&json!({"amount_fen": 123450})), Some(123450));
        assert_eq!(fee_amount(&json!({"amount_fen": 5.0})), Some(5));
        assert_eq!(fee_amount(&json!({"amount_fen": 0})), Some(0));
        assert_eq!(fee_amount(&json!({"amount_fen": 1.5})), None);
        assert_eq!(fee_amount(&json!({"amount_fen": -1})), None);
        assert_eq!(fee_amount(&json!({"amount_fen": "100"})), None);
        assert_eq!(fee_amount(&json!({"amount_fen": MAX_FEE_FEN + 1})), None);
        assert_eq!(fee_amount(&json!({})), None);
        assert_eq!(yuan(123450), "1234.50");
        assert_eq!(yuan(7), "0.07");
        let f = fee(&[decision("fee", json!({"amount_fen": 38000}))]).map(|f| f.amount_yuan);
        assert_eq!(f.as_deref(), Some("380.00"));
    }

    #[test]
    fn only_error_free_routing_decisions_route() {
        let mut d = decision("routing", json!({"process": "joint", "lane": "joint"}));
        assert_eq!(routed_process(std::slice::from_ref(&d)), Some("joint"));
        assert_eq!(
            process_variables(std::slice::from_ref(&d)),
            json!({"routing": {"process": "joint", "lane": "joint"}})
        );
        d.error = Some("x".into());
        assert_eq!(routed_process(std::slice::from_ref(&d)), None);
        assert_eq!(process_variables(&[d]), json!({}));
        assert_eq!(
            routed_process(&[decision("fee", json!({"process": "x"}))]),
            None
        );
    }
}

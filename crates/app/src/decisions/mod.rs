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

pub mod auto;
pub mod facts;

use crate::datasources::{DataPull, Purpose};
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
        let facts = self.gather_facts(applicant_uscc, form, &purpose).await?;
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
                ] {
                    m.remove(k);
                }
            }
            out.push(d);
        }
        Ok(out)
    }
}

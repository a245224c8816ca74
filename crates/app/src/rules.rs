//! The rules library (规则库): business rules as GoRules JDM documents, each version stored with
//! its test cases. An upload is checked (the graph, every expression, no JavaScript nodes) and
//! its test cases are run; a rule that fails either is refused and nothing is stored. Evaluating
//! a rule returns its output with the trace of every node (`domain::rules`).

use crate::{App, AppError, Principal, RequestMeta};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shenpi_domain::catalog::item::{is_rule_key, rule_purpose_zh};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::rules::cases::{TestCase, run};
use shenpi_domain::rules::{Decision, Rule, evaluate};
use shenpi_store::model::RuleVersion;

/// A rule as uploaded.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub key: String,
    pub name: String,
    pub purpose: String,
    /// The JDM document as the GoRules editor saves it.
    pub document: Value,
    pub tests: Vec<TestCase>,
}

/// A stored rule version as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub key: String,
    pub version: i64,
    pub name: String,
    pub purpose: String,
    pub purpose_zh: &'static str,
    pub document: Value,
    pub tests: Vec<TestCase>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn view(r: RuleVersion) -> Result<RuleView, AppError> {
    let bad = |e: serde_json::Error| AppError::Internal(format!("rule {}: {e}", r.key));
    Ok(RuleView {
        purpose_zh: rule_purpose_zh(&r.purpose).unwrap_or(""),
        document: serde_json::from_str(&r.document).map_err(bad)?,
        tests: serde_json::from_str(&r.tests).map_err(bad)?,
        key: r.key,
        version: r.version,
        name: r.name,
        purpose: r.purpose,
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

fn invalid(e: &shenpi_domain::rules::RuleError) -> AppError {
    AppError::rule(
        ErrorCode::RULE_INVALID,
        json!({"reason_zh": e.reason_zh(), "reason_en": e.to_string()}),
    )
}

/// Checks an upload: fields, the graph, the test cases.
fn check(input: &RuleInput) -> Result<(), AppError> {
    if !is_rule_key(&input.key) {
        return Err(AppError::invalid_text(
            "key",
            "RULE_KEY_INVALID",
            "规则标识须为 1–60 位小写字母、数字或 -",
            "The rule key must be 1–60 lower-case letters, digits or -",
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid_text(
            "name",
            "RULE_NAME_INVALID",
            "规则名称须为 1–100 个字符",
            "The rule name must be 1–100 characters",
        ));
    }
    if rule_purpose_zh(&input.purpose).is_none() {
        return Err(AppError::invalid_text(
            "purpose",
            "RULE_PURPOSE_INVALID",
            "用途须为 acceptance、review、routing、fee 或 auto_approval",
            "The purpose must be acceptance, review, routing, fee or auto_approval",
        ));
    }
    let rule = Rule::parse(&input.document).map_err(|e| invalid(&e))?;
    if input.tests.is_empty() {
        return Err(AppError::rule(
            ErrorCode::RULE_TESTS_FAILED,
            json!({"failures": [], "reason_zh": "规则至少需要一个测试用例", "reason_en": "A rule needs at least one test case"}),
        ));
    }
    let failures = run(&rule, &input.tests);
    if !failures.is_empty() {
        return Err(AppError::rule(
            ErrorCode::RULE_TESTS_FAILED,
            json!({ "failures": failures }),
        ));
    }
    Ok(())
}

impl App {
    /// Stores a new version of a rule after its checks and test cases pass.
    pub async fn upload_rule(
        &self,
        p: &Principal,
        input: RuleInput,
        meta: &RequestMeta,
    ) -> Result<RuleView, AppError> {
        check(&input)?;
        self.store_rule(&p.user.username, Some(p), input, meta)
            .await
    }

    async fn store_rule(
        &self,
        by: &str,
        p: Option<&Principal>,
        input: RuleInput,
        meta: &RequestMeta,
    ) -> Result<RuleView, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let version = tx
            .latest_rule(&input.key)
            .await?
            .map(|r| r.version + 1)
            .unwrap_or(1);
        let internal = |e: serde_json::Error| AppError::Internal(e.to_string());
        let r = RuleVersion {
            key: input.key.clone(),
            version,
            name: input.name.trim().to_string(),
            purpose: input.purpose.clone(),
            document: serde_json::to_string(&input.document).map_err(internal)?,
            tests: serde_json::to_string(&input.tests).map_err(internal)?,
            created_by: by.to_string(),
            created_at: now,
        };
        tx.insert_rule(&r).await.map_err(crate::catalog::stale)?;
        tx.append_audit(meta.audit(
            now,
            shenpi_domain::regions::QINGDAO_CITY,
            p.map(|p| &p.user),
            "rule.upload",
            ("rule", &r.key),
            "success",
            json!({"version": version, "purpose": r.purpose, "tests": input.tests.len()}),
        ))
        .await?;
        tx.commit().await?;
        view(r)
    }

    /// The newest version of every rule.
    pub async fn rules(&self) -> Result<Vec<RuleView>, AppError> {
        let mut tx = self.store.read().await?;
        tx.rules().await?.into_iter().map(view).collect()
    }

    /// The newest version of a rule (`404 RULE_NOT_FOUND`).
    pub async fn rule(&self, key: &str) -> Result<RuleView, AppError> {
        let mut tx = self.store.read().await?;
        let r = tx
            .latest_rule(key)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::RULE_NOT_FOUND, json!({"key": key})))?;
        view(r)
    }

    /// Evaluates the newest version of a rule: its output and the trace of every node.
    pub async fn evaluate_rule(
        &self,
        key: &str,
        input: &Value,
    ) -> Result<(RuleView, Decision), AppError> {
        let r = self.rule(key).await?;
        let rule = Rule::parse(&r.document).map_err(|e| invalid(&e))?;
        let d = evaluate(&rule, input).map_err(|e| {
            AppError::rule(
                ErrorCode::RULE_EVALUATION_FAILED,
                json!({"reason_zh": e.reason_zh(), "reason_en": e.to_string()}),
            )
        })?;
        Ok((r, d))
    }

    /// Loads the demo rules into an empty rules library; returns how many.
    pub async fn load_demo_rules(&self) -> Result<usize, AppError> {
        if !self.rules().await?.is_empty() {
            return Ok(0);
        }
        let inputs: Vec<RuleInput> = serde_json::from_str(include_str!("../data/demo_rules.json"))
            .map_err(|e| AppError::Internal(format!("demo rules: {e}")))?;
        let n = inputs.len();
        for input in inputs {
            check(&input)?;
            self.store_rule("demo", None, input, &RequestMeta::cli())
                .await?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped rules pass their stored test cases (also checked at every load).
    #[test]
    fn the_demo_rules_pass_their_test_cases() {
        let inputs: Vec<RuleInput> =
            serde_json::from_str(include_str!("../data/demo_rules.json")).unwrap();
        assert!(!inputs.is_empty());
        for i in &inputs {
            check(i).unwrap_or_else(|e| panic!("{}: {e:?}", i.key));
        }
    }
}

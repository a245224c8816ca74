//! Stored test cases (测试用例) of a rule: inputs with the output each must give. They run on
//! every upload — a rule whose cases fail is refused — and in `cargo test` for the shipped rules.

use super::eval::evaluate;
use super::jdm::Rule;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One test case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCase {
    pub name: String,
    pub input: Value,
    /// The expected output: every key given must be equal; keys not given are not checked.
    pub expected: Value,
}

/// A failed case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFailure {
    pub name: String,
    pub expected: Value,
    /// The output, or the evaluation error.
    pub got: Value,
}

/// Whether `got` has every key of `expected` with an equal value (recursively for objects).
fn covers(got: &Value, expected: &Value) -> bool {
    match (got, expected) {
        (Value::Object(g), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| covers(gv, v))),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (g, e) => g == e,
    }
}

/// Runs `cases` on `rule`; the failures, in order.
pub fn run(rule: &Rule, cases: &[TestCase]) -> Vec<CaseFailure> {
    cases
        .iter()
        .filter_map(|c| {
            let got = match evaluate(rule, &c.input) {
                Ok(d) => d.output,
                Err(e) => Value::String(e.to_string()),
            };
            (!covers(&got, &c.expected)).then(|| CaseFailure {
                name: c.name.clone(),
                expected: c.expected.clone(),
                got,
            })
        })
        .collect()
}

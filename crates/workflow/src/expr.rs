//! Condition and mapping expressions, in the GoRules ZEN expression language.
//!
//! One language for every expression in a process: flow conditions and service-task mappings.
//! ZEN reads like Camunda's FEEL (`amount < 1000 and region == "370202"`, `not(urgent)`,
//! `contains(tags, "危化")`), and is the language of the platform's decision tables, so an
//! integrator learns it once. A leading `=` (how Camunda 8 / Zeebe writes expressions) is accepted
//! and ignored. Expressions are compiled once at parse time; evaluation is pure.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zen_expression::variable::Variable;

/// Instance variables: a JSON object.
pub type Variables = Map<String, Value>;

/// A compiled expression that keeps its source text (serialized as that text).
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Expression {
    source: String,
    compiled: zen_expression::Expression<zen_expression::expression::Standard>,
}

impl Expression {
    /// Compiles `source` (a leading `=` is stripped).
    pub fn parse(source: &str) -> Result<Self, String> {
        let trimmed = source.trim();
        let body = trimmed.strip_prefix('=').unwrap_or(trimmed).trim();
        if body.is_empty() {
            return Err("empty expression".to_owned());
        }
        let compiled = zen_expression::compile_expression(body).map_err(|e| e.to_string())?;
        Ok(Self {
            source: body.to_owned(),
            compiled,
        })
    }

    /// The expression text (without a leading `=`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates against `context` (see [`Context`]).
    pub fn eval(&self, context: &Context) -> Result<Value, String> {
        let result = self
            .compiled
            .evaluate(context.variable())
            .map_err(|e| format!("{e}"))?;
        Ok(Value::from(result))
    }

    /// Evaluates a condition: it must give a boolean (anything else is an error, not `false`).
    pub fn eval_bool(&self, context: &Context) -> Result<bool, String> {
        match self.eval(context)? {
            Value::Bool(b) => Ok(b),
            other => Err(format!(
                "condition `{}` gave {other}, not true/false",
                self.source
            )),
        }
    }
}

impl TryFrom<String> for Expression {
    type Error = String;
    fn try_from(source: String) -> Result<Self, String> {
        Self::parse(&source)
    }
}

impl From<Expression> for String {
    fn from(e: Expression) -> String {
        e.source
    }
}

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expression({:?})", self.source)
    }
}

/// The variables of an instance converted once for evaluation (ZEN has its own value type);
/// rebuilt only when variables change.
pub struct Context {
    variable: Option<Variable>,
}

impl Context {
    /// A context that converts `vars` on first use.
    pub fn new() -> Self {
        Self { variable: None }
    }

    /// Prepares the context for `vars`; call again after variables changed.
    pub fn load(&mut self, vars: &Variables) {
        if self.variable.is_none() {
            let map = vars
                .iter()
                .map(|(k, v)| (k.as_str().into(), Variable::from(v)))
                .collect();
            self.variable = Some(Variable::from_object(map));
        }
    }

    /// Forgets the converted variables (they changed).
    pub fn invalidate(&mut self) {
        self.variable = None;
    }

    fn variable(&self) -> Variable {
        self.variable.clone().unwrap_or(Variable::Null)
    }
}

impl Default for Context {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(src: &str, vars: Value) -> Result<Value, String> {
        let Value::Object(vars) = vars else { panic!() };
        let mut ctx = Context::new();
        ctx.load(&vars);
        Expression::parse(src)?.eval(&ctx)
    }

    #[test]
    fn a_comparison_reads_instance_variables() {
        assert_eq!(
            eval("amount < 1000", json!({"amount": 500})),
            Ok(json!(true))
        );
        assert_eq!(
            eval("amount < 1000", json!({"amount": 5000})),
            Ok(json!(false))
        );
    }

    #[test]
    fn a_leading_equals_sign_as_camunda_8_writes_it_is_accepted() {
        assert_eq!(
            eval("= a and not(b)", json!({"a": true, "b": false})),
            Ok(json!(true))
        );
    }

    #[test]
    fn strings_and_booleans_compare() {
        assert_eq!(
            eval(
                r#"region == "370202" or urgent"#,
                json!({"region": "370202", "urgent": false})
            ),
            Ok(json!(true))
        );
    }

    #[test]
    fn a_syntax_error_is_reported_at_parse_time() {
        assert!(Expression::parse("amount <").is_err());
        assert!(Expression::parse("=").is_err());
    }

    #[test]
    fn a_non_boolean_condition_is_an_error_not_false() {
        let mut ctx = Context::new();
        ctx.load(&Variables::new());
        let e = Expression::parse("1 + 1").unwrap();
        assert!(e.eval_bool(&ctx).is_err());
    }

    #[test]
    fn an_expression_serializes_as_its_source() {
        let e = Expression::parse("=x > 1").unwrap();
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(s, r#""x > 1""#);
        let back: Expression = serde_json::from_str(&s).unwrap();
        assert_eq!(back.source(), "x > 1");
    }
}

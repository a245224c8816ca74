//! Business rules (业务规则): decision graphs in the GoRules JDM JSON format, so that business
//! staff can edit them in the GoRules editor, evaluated here on the light `zen-expression`
//! crate. The node types the platform needs are evaluated — input, output, decision table
//! (hit policies `first` and `collect`), expression and switch; a JavaScript function node (or
//! any other type) is refused when the rule is loaded, with a clear error.
//!
//! - [`jdm`]: the JDM document and its checks ([`jdm::Rule::parse`]).
//! - [`eval`]: evaluation with a trace of every node visited ([`eval::evaluate`]).
//! - [`cases`]: stored test cases (input → expected output) that a rule must pass to be accepted.

pub mod cases;
pub mod eval;
pub mod jdm;

pub use eval::{Decision, NodeTrace, evaluate};
pub use jdm::{Rule, RuleError};

#[cfg(test)]
mod tests;

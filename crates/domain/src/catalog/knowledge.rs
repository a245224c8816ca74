//! Reviewer knowledge attached to an item (the "external brain", 外脑): review points per step,
//! standard opinion phrases per outcome, and process-document templates. Versioned with the item.

use serde::{Deserialize, Serialize};

/// The outcome an opinion phrase belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpinionOutcome {
    /// 受理
    Accept,
    /// 不予受理
    RefuseToAccept,
    /// 补正
    Supplement,
    /// 准予
    Grant,
    /// 不予
    Deny,
}

impl OpinionOutcome {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            OpinionOutcome::Accept => "受理",
            OpinionOutcome::RefuseToAccept => "不予受理",
            OpinionOutcome::Supplement => "补正",
            OpinionOutcome::Grant => "准予",
            OpinionOutcome::Deny => "不予",
        }
    }
}

/// A review point (审查要点) for one process step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPoint {
    /// The step, e.g. 受理, 审查, 决定.
    pub step: String,
    pub text: String,
}

/// A standard opinion phrase (意见用语).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionPhrase {
    pub outcome: OpinionOutcome,
    pub text: String,
}

/// A process-document template (文书模板), with `{{placeholders}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocTemplate {
    /// e.g. 受理通知书
    pub name: String,
    pub body: String,
}

/// All reviewer knowledge of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Knowledge {
    #[serde(default)]
    pub review_points: Vec<ReviewPoint>,
    #[serde(default)]
    pub opinion_phrases: Vec<OpinionPhrase>,
    #[serde(default)]
    pub templates: Vec<DocTemplate>,
}

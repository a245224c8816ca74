//! Bundles (一件事 / 一事全办): several service items across departments and outside
//! companies applied for together — one questionnaire (点菜单), one combined form, one
//! deduplicated material list, one submission — and followed as one.
//!
//! A bundle is configuration ([`Bundle`]): its items with the handler of each (a department
//! or an outside partner such as a utility company), the situation questions that select
//! items and situations, the form fields shared by every item, and other bundles it
//! includes (so "12 + N" is the 12-in-1 bundle plus N items, without code). [`Bundle::check`]
//! lists every problem of a configuration against the catalog — a missing item or situation,
//! an unknown question, a cycle of included bundles — and [`Bundle::select`] picks the items
//! for the applicant's answers. [`combined_materials`] merges the material lists, and
//! [`BundleStatus::of`] tells the combined status from the sub-cases' statuses.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::case::lifecycle::CaseStatus;
use crate::catalog::ServiceItem;
use crate::catalog::material::MaterialSource;

/// A bundle of items applied for together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Stable code, e.g. `utility-hookup`.
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Situation questions (点菜单) that select items.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Form fields entered once and given to every sub-case.
    #[serde(default)]
    pub shared_fields: Vec<SharedField>,
    /// The items, in display order.
    #[serde(default)]
    pub items: Vec<BundleItem>,
    /// Other bundles whose items belong to this one too (before its own items).
    #[serde(default)]
    pub includes: Vec<String>,
}

/// A question of the questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub key: String,
    pub text: String,
    /// (value, label) choices.
    pub options: Vec<(String, String)>,
    /// Several answers allowed (e.g. which utilities are needed).
    #[serde(default)]
    pub multiple: bool,
}

/// A form field shared by every item of the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedField {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
}

/// Who handles an item of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handler {
    /// A department (slug such as `spj`): its staff work the sub-case on the workbench.
    Department(String),
    /// An outside partner (a utility company, another government system) that receives its
    /// part through the open platform and reports progress back.
    Partner(String),
}

impl Handler {
    /// The slug of the department or partner.
    pub fn key(&self) -> &str {
        match self {
            Handler::Department(k) | Handler::Partner(k) => k,
        }
    }
}

/// An item of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleItem {
    pub item_code: String,
    /// The item's situation used in this bundle, if the item has situations.
    #[serde(default)]
    pub situation: Option<String>,
    pub handler: Handler,
    /// Included only when this answer was given; always otherwise.
    #[serde(default)]
    pub when: Option<Condition>,
}

/// `question` answered with `value` (one of the answers, for a multiple-choice question).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub question: String,
    pub value: String,
}

/// The applicant's answers: question → chosen values.
pub type Answers = BTreeMap<String, Vec<String>>;

/// One problem of a bundle configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: `items[2]`, `includes[0]`, `questions[1]` …
    pub at: String,
    pub message_zh: String,
    pub message_en: String,
}

fn problem(at: String, zh: String, en: String) -> Problem {
    Problem {
        at,
        message_zh: zh,
        message_en: en,
    }
}

impl Bundle {
    /// Every problem of the configuration: `item` finds catalog items in force, `bundle` other
    /// bundles (an included bundle is checked for cycles, its own problems are its own).
    pub fn check<'a>(
        &self,
        item: &dyn Fn(&str) -> Option<&'a ServiceItem>,
        bundle: &dyn Fn(&str) -> Option<Bundle>,
    ) -> Vec<Problem> {
        let mut out = vec![];
        if self.code.trim().is_empty()
            || !self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+')
        {
            out.push(problem(
                "code".into(),
                "联办代码须为字母、数字、- 或 +".into(),
                "The bundle code takes letters, digits, - and + only".into(),
            ));
        }
        if self.name.trim().is_empty() {
            out.push(problem(
                "name".into(),
                "须填写联办名称".into(),
                "The bundle needs a name".into(),
            ));
        }
        let mut seen_questions = BTreeSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            if !seen_questions.insert(q.key.as_str()) || q.options.is_empty() {
                out.push(problem(
                    format!("questions[{i}]"),
                    format!("问题 {} 重复或没有选项", q.key),
                    format!("Question {} is repeated or has no options", q.key),
                ));
            }
        }
        let mut seen_items = BTreeSet::new();
        for (i, b) in self.items.iter().enumerate() {
            let at = format!("items[{i}]");
            if !seen_items.insert(b.item_code.as_str()) {
                out.push(problem(
                    at.clone(),
                    format!("事项 {} 重复", b.item_code),
                    format!("Item {} is listed twice", b.item_code),
                ));
            }
            match item(&b.item_code) {
                None => out.push(problem(
                    at.clone(),
                    format!("事项 {} 不存在或未生效", b.item_code),
                    format!("Item {} does not exist or is not in force", b.item_code),
                )),
                Some(it) => match &b.situation {
                    Some(s) if !it.situations.iter().any(|x| &x.key == s) => out.push(problem(
                        at.clone(),
                        format!("事项 {} 没有办理情形 {s}", b.item_code),
                        format!("Item {} has no situation {s}", b.item_code),
                    )),
                    None if !it.situations.is_empty() => out.push(problem(
                        at.clone(),
                        format!("事项 {} 须指定办理情形", b.item_code),
                        format!("Item {} needs a situation", b.item_code),
                    )),
                    _ => {}
                },
            }
            if b.handler.key().trim().is_empty() {
                out.push(problem(
                    at.clone(),
                    "须指定承办部门或单位".into(),
                    "The item needs a handler".into(),
                ));
            }
            // The workbench routes a sub-case to its item's department (部门): a department
            // handler must be that one.
            if let (Handler::Department(d), Some(it)) = (&b.handler, item(&b.item_code))
                && d != &it.department
            {
                out.push(problem(
                    at.clone(),
                    format!(
                        "事项 {} 由部门 {} 承办，不是 {d}",
                        b.item_code, it.department
                    ),
                    format!(
                        "Item {} is handled by department {}, not {d}",
                        b.item_code, it.department
                    ),
                ));
            }
            if let Some(c) = &b.when {
                let known = self
                    .questions
                    .iter()
                    .find(|q| q.key == c.question)
                    .is_some_and(|q| q.options.iter().any(|(v, _)| v == &c.value));
                if !known {
                    out.push(problem(
                        at,
                        format!("条件引用了不存在的问题或选项 {}={}", c.question, c.value),
                        format!(
                            "The condition names an unknown question or option {}={}",
                            c.question, c.value
                        ),
                    ));
                }
            }
        }
        for (i, inc) in self.includes.iter().enumerate() {
            let at = format!("includes[{i}]");
            match bundle(inc) {
                None if inc != &self.code => out.push(problem(
                    at,
                    format!("引用的联办 {inc} 不存在"),
                    format!("The included bundle {inc} does not exist"),
                )),
                _ => {
                    if let Some(path) = self.cycle_through(inc, bundle) {
                        out.push(problem(
                            at,
                            format!("联办相互包含，形成循环：{}", path.join(" → ")),
                            format!(
                                "Bundles include each other in a cycle: {}",
                                path.join(" → ")
                            ),
                        ));
                    }
                }
            }
        }
        out
    }

    /// The cycle back to this bundle through `start`, if any (`a → b → a`).
    fn cycle_through(
        &self,
        start: &str,
        bundle: &dyn Fn(&str) -> Option<Bundle>,
    ) -> Option<Vec<String>> {
        let mut stack = vec![vec![self.code.clone(), start.to_string()]];
        let mut visited = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last()?.clone();
            if last == self.code {
                return Some(path);
            }
            if !visited.insert(last.clone()) {
                continue;
            }
            if let Some(b) = bundle(&last) {
                for next in b.includes {
                    let mut p = path.clone();
                    p.push(next);
                    stack.push(p);
                }
            }
        }
        None
    }

    /// Every item of the bundle, included bundles' first (each item once; `bundle` finds the
    /// included ones, a cycle is cut).
    pub fn all_items(&self, bundle: &dyn Fn(&str) -> Option<Bundle>) -> Vec<BundleItem> {
        let mut out: Vec<BundleItem> = vec![];
        let mut seen = BTreeSet::from([self.code.clone()]);
        let add = |items: &[BundleItem], out: &mut Vec<BundleItem>| {
            for i in items {
                if !out.iter().any(|o| o.item_code == i.item_code) {
                    out.push(i.clone());
                }
            }
        };
        let mut queue: Vec<String> = self.includes.clone();
        let mut included = vec![];
        while let Some(code) = queue.pop() {
            if !seen.insert(code.clone()) {
                continue;
            }
            if let Some(b) = bundle(&code) {
                queue.extend(b.includes.iter().rev().cloned());
                included.push(b);
            }
        }
        for b in &included {
            add(&b.items, &mut out);
        }
        add(&self.items, &mut out);
        out
    }

    /// Every question, included bundles' too (the first of a key wins).
    pub fn all_questions(&self, bundle: &dyn Fn(&str) -> Option<Bundle>) -> Vec<Question> {
        let mut out: Vec<Question> = vec![];
        let mut seen = BTreeSet::from([self.code.clone()]);
        let mut queue = self.includes.clone();
        let mut all = vec![self.questions.clone()];
        while let Some(code) = queue.pop() {
            if seen.insert(code.clone())
                && let Some(b) = bundle(&code)
            {
                queue.extend(b.includes.clone());
                all.push(b.questions);
            }
        }
        for q in all.into_iter().flatten() {
            if !out.iter().any(|o| o.key == q.key) {
                out.push(q);
            }
        }
        out
    }
}

/// The items chosen by `answers`: those without a condition, and those whose condition was
/// answered.
pub fn select(items: &[BundleItem], answers: &Answers) -> Vec<BundleItem> {
    items
        .iter()
        .filter(|i| match &i.when {
            None => true,
            Some(c) => answers
                .get(&c.question)
                .is_some_and(|vs| vs.iter().any(|v| v == &c.value)),
        })
        .cloned()
        .collect()
}

/// A material of the combined list: one upload, given to every item that asks for a material
/// of that name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CombinedMaterial {
    /// Stable key, the same whatever items are chosen: `m` and the FNV-1a hash of the name.
    pub key: String,
    pub name: String,
    /// Required by at least one item.
    pub required: bool,
    /// (item code, the item's material key) it satisfies.
    pub used_by: Vec<(String, String)>,
}

/// The stable key of a combined material named `name` (FNV-1a, 32 bits, hex).
pub fn material_key(name: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("m{h:08x}")
}

/// The combined, deduplicated upload list of the chosen items: materials of the same name are
/// one upload. Materials that come from certificates or shared data are not asked for.
pub fn combined_materials(chosen: &[(&BundleItem, &ServiceItem)]) -> Vec<CombinedMaterial> {
    let mut out: Vec<CombinedMaterial> = vec![];
    for (b, item) in chosen {
        for m in item.materials_for(b.situation.as_deref()) {
            if m.source != MaterialSource::Upload {
                continue;
            }
            let use_ = (item.code.clone(), m.key.clone());
            match out.iter_mut().find(|c| c.name == m.name) {
                Some(c) => {
                    c.required |= m.always_required;
                    c.used_by.push(use_);
                }
                None => out.push(CombinedMaterial {
                    key: material_key(&m.name),
                    name: m.name.clone(),
                    required: m.always_required,
                    used_by: vec![use_],
                }),
            }
        }
    }
    out
}

/// The combined status of a bundle case (联办状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleStatus {
    /// Every sub-case waits for acceptance.
    Submitted,
    /// At least one department asks for a supplement: answer it once for all.
    Supplement,
    /// At least one sub-case is being handled.
    InProgress,
    /// Every sub-case granted (or delivered, closed).
    Completed,
    /// Every sub-case ended, some granted and some not.
    PartlyCompleted,
    /// Every sub-case refused, not accepted or withdrawn.
    Refused,
}

impl BundleStatus {
    /// The combined status of sub-cases in these statuses.
    pub fn of(statuses: &[CaseStatus]) -> BundleStatus {
        use CaseStatus as S;
        let granted = |s: &S| matches!(s, S::Granted | S::Delivered | S::Closed);
        let ended = |s: &S| granted(s) || matches!(s, S::Denied | S::NotAccepted | S::Withdrawn);
        if statuses
            .iter()
            .any(|s| matches!(s, S::AwaitingSupplement | S::ReviewSupplement))
        {
            BundleStatus::Supplement
        } else if statuses
            .iter()
            .all(|s| matches!(s, S::Submitted | S::Draft))
        {
            BundleStatus::Submitted
        } else if !statuses.iter().all(ended) {
            BundleStatus::InProgress
        } else if statuses.iter().all(granted) {
            BundleStatus::Completed
        } else if statuses.iter().any(granted) {
            BundleStatus::PartlyCompleted
        } else {
            BundleStatus::Refused
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            BundleStatus::Submitted => "已提交，待受理",
            BundleStatus::Supplement => "待补正",
            BundleStatus::InProgress => "办理中",
            BundleStatus::Completed => "已办结",
            BundleStatus::PartlyCompleted => "部分办结",
            BundleStatus::Refused => "未获批准",
        }
    }
}

/// What a sub-case's status means for the bundle, for the applicant.
pub fn meaning_zh(status: CaseStatus) -> &'static str {
    use CaseStatus as S;
    match status {
        S::AwaitingSupplement | S::ReviewSupplement => {
            "该部门要求补正；补正材料一次提交，各部门共用"
        }
        S::NotAccepted | S::Denied => {
            "该事项未获批准，其余事项照常办理；可按决定书说明单独重新申请"
        }
        S::Withdrawn => "该事项已撤回，其余事项照常办理",
        S::Granted | S::Delivered | S::Closed => "已办结",
        _ => "办理中",
    }
}

#[cfg(test)]
mod tests;

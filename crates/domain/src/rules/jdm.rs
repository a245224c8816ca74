//! The JDM document (JSON Decision Model): nodes and edges as the GoRules editor saves them.
//! Parsing checks the graph: known node types only, exactly one input node, edges between
//! existing nodes, no cycles, every expression compiling.

use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Why a rule document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("the rule is not a JDM document: {0}")]
    Format(String),
    #[error(
        "node `{node}` is a {kind}; JavaScript function nodes are not supported — use expression, decision table or switch nodes"
    )]
    FunctionNode { node: String, kind: String },
    #[error("node `{node}` has the unsupported type `{kind}`")]
    UnsupportedNode { node: String, kind: String },
    #[error("the rule needs exactly one input node (it has {0})")]
    InputNodes(usize),
    #[error("edge `{0}` connects a node that does not exist")]
    DanglingEdge(String),
    #[error("the id `{0}` is used twice")]
    DuplicateId(String),
    #[error("node `{node}` uses `{option}`, which is not supported here")]
    UnsupportedOption { node: String, option: String },
    #[error("the graph has a cycle through node `{0}`")]
    Cycle(String),
    #[error("node `{node}`: the expression `{expression}` does not compile: {reason}")]
    Expression {
        node: String,
        expression: String,
        reason: String,
    },
    #[error("node `{node}`: hit policy `{policy}` is not supported (first or collect)")]
    HitPolicy { node: String, policy: String },
    #[error("node `{node}` failed: {reason}")]
    Evaluation { node: String, reason: String },
}

impl RuleError {
    /// The reason in Chinese.
    pub fn reason_zh(&self) -> String {
        match self {
            RuleError::Format(e) => format!("规则文件不是有效的 JDM 文档：{e}"),
            RuleError::FunctionNode { node, .. } => {
                format!(
                    "节点“{node}”是 JavaScript 函数节点，平台不支持；请改用表达式、决策表或分支节点"
                )
            }
            RuleError::UnsupportedNode { node, kind } => {
                format!("节点“{node}”的类型 {kind} 不受支持")
            }
            RuleError::InputNodes(n) => format!("规则须有且仅有一个输入节点（现有 {n} 个）"),
            RuleError::DanglingEdge(e) => format!("连线 {e} 连接了不存在的节点"),
            RuleError::DuplicateId(id) => format!("标识 {id} 重复使用"),
            RuleError::UnsupportedOption { node, option } => {
                format!("节点“{node}”使用了平台不支持的设置 {option}")
            }
            RuleError::Cycle(n) => format!("规则图在节点“{n}”处形成循环"),
            RuleError::Expression {
                node, expression, ..
            } => format!("节点“{node}”的表达式“{expression}”有误，无法编译"),
            RuleError::HitPolicy { node, policy } => {
                format!("节点“{node}”的命中策略 {policy} 不受支持（仅支持 first、collect）")
            }
            RuleError::Evaluation { node, reason } => format!("节点“{node}”计算失败：{reason}"),
        }
    }
}

/// What a node does.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Input,
    Output,
    DecisionTable(Table),
    Expression(Vec<(String, String)>),
    Switch {
        first: bool,
        /// (statement id, condition; empty = otherwise)
        statements: Vec<(String, String)>,
    },
}

/// A decision table (决策表).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `first` (the first matching row) or `collect` (every matching row, as a list).
    pub collect: bool,
    /// (column id, field expression)
    pub inputs: Vec<(String, String)>,
    /// (column id, output field path)
    pub outputs: Vec<(String, String)>,
    /// Each row: column id → cell text.
    pub rows: Vec<HashMap<String, String>>,
    /// Whether the node's input passes through with the outputs merged in.
    pub pass_through: bool,
    /// `outputPath`: the field (dotted path) the table's result is written to, e.g. a
    /// collect table's list of hits under `failed`.
    pub output_path: Option<String>,
}

/// A node of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
}

/// An edge; `handle` is the switch statement it leaves from.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub id: String,
    pub source: String,
    pub target: String,
    pub handle: Option<String>,
}

/// A parsed, checked rule graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Deserialize)]
struct RawDoc {
    nodes: Vec<RawNode>,
    #[serde(default)]
    edges: Vec<RawEdge>,
}

#[derive(Deserialize)]
struct RawNode {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    content: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEdge {
    id: String,
    source_id: String,
    target_id: String,
    #[serde(default)]
    source_handle: Option<String>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn compiles(node: &str, expression: &str, unary: bool) -> Result<(), RuleError> {
    if expression.trim().is_empty() {
        return Ok(());
    }
    let r = if unary {
        zen_expression::compile_unary_expression(expression).map(|_| ())
    } else {
        zen_expression::compile_expression(expression).map(|_| ())
    };
    r.map_err(|e| RuleError::Expression {
        node: node.to_string(),
        expression: expression.to_string(),
        reason: e.to_string(),
    })
}

fn node_of(raw: RawNode) -> Result<Node, RuleError> {
    let name = if raw.name.is_empty() {
        raw.id.clone()
    } else {
        raw.name.clone()
    };
    let c = &raw.content;
    // Node options that change what a node reads or writes: refused rather than ignored, so a
    // rule never behaves differently here than in the editor.
    let set = |k: &str| match c.get(k) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    for option in ["inputField", "outputPath"] {
        // A decision table may write its result under `outputPath`; nothing else may.
        if set(option) && !(option == "outputPath" && raw.kind == "decisionTableNode") {
            return Err(RuleError::UnsupportedOption {
                node: name,
                option: option.to_string(),
            });
        }
    }
    if c.get("executionMode").and_then(Value::as_str) == Some("loop")
        || (raw.kind == "expressionNode" && c.get("passThrough") == Some(&Value::Bool(true)))
    {
        return Err(RuleError::UnsupportedOption {
            node: name,
            option: if raw.kind == "expressionNode"
                && c.get("passThrough") == Some(&Value::Bool(true))
            {
                "passThrough".into()
            } else {
                "executionMode: loop".into()
            },
        });
    }
    let kind = match raw.kind.as_str() {
        "inputNode" => NodeKind::Input,
        "outputNode" => NodeKind::Output,
        "functionNode" | "customNode" => {
            return Err(RuleError::FunctionNode {
                node: name,
                kind: raw.kind,
            });
        }
        "expressionNode" => {
            let mut list = vec![];
            for e in c
                .get("expressions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
            {
                let (key, value) = (text(&e, "key"), text(&e, "value"));
                compiles(&name, &value, false)?;
                list.push((key, value));
            }
            NodeKind::Expression(list)
        }
        "switchNode" => {
            let policy = c
                .get("hitPolicy")
                .and_then(Value::as_str)
                .unwrap_or("first");
            if policy != "first" && policy != "collect" {
                return Err(RuleError::HitPolicy {
                    node: name,
                    policy: policy.to_string(),
                });
            }
            let mut statements = vec![];
            for s in c
                .get("statements")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
            {
                let cond = text(&s, "condition");
                compiles(&name, &cond, false)?;
                statements.push((text(&s, "id"), cond));
            }
            NodeKind::Switch {
                first: policy == "first",
                statements,
            }
        }
        "decisionTableNode" => {
            let policy = c
                .get("hitPolicy")
                .and_then(Value::as_str)
                .unwrap_or("first");
            if policy != "first" && policy != "collect" {
                return Err(RuleError::HitPolicy {
                    node: name,
                    policy: policy.to_string(),
                });
            }
            let cols = |k: &str, f: &str| -> Vec<(String, String)> {
                c.get(k)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|x| (text(x, "id"), text(x, f))).collect())
                    .unwrap_or_default()
            };
            let inputs = cols("inputs", "field");
            let outputs = cols("outputs", "field");
            let mut rows = vec![];
            for r in c
                .get("rules")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
            {
                let mut row = HashMap::new();
                if let Some(m) = r.as_object() {
                    for (k, v) in m {
                        row.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                    }
                }
                for (id, _) in &inputs {
                    compiles(&name, row.get(id).map(String::as_str).unwrap_or(""), true)?;
                }
                for (id, _) in &outputs {
                    compiles(&name, row.get(id).map(String::as_str).unwrap_or(""), false)?;
                }
                rows.push(row);
            }
            for (_, field) in &inputs {
                compiles(&name, field, false)?;
            }
            NodeKind::DecisionTable(Table {
                collect: policy == "collect",
                inputs,
                outputs,
                rows,
                pass_through: c
                    .get("passThrough")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                output_path: c
                    .get("outputPath")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
            })
        }
        other => {
            return Err(RuleError::UnsupportedNode {
                node: name,
                kind: other.to_string(),
            });
        }
    };
    Ok(Node {
        id: raw.id,
        name,
        kind,
    })
}

impl Rule {
    /// Parses and checks a JDM document.
    pub fn parse(doc: &Value) -> Result<Rule, RuleError> {
        let raw: RawDoc =
            serde_json::from_value(doc.clone()).map_err(|e| RuleError::Format(e.to_string()))?;
        let nodes = raw
            .nodes
            .into_iter()
            .map(node_of)
            .collect::<Result<Vec<_>, _>>()?;
        let inputs = nodes.iter().filter(|n| n.kind == NodeKind::Input).count();
        if inputs != 1 {
            return Err(RuleError::InputNodes(inputs));
        }
        let mut ids: HashSet<&str> = HashSet::new();
        for n in &nodes {
            if !ids.insert(n.id.as_str()) {
                return Err(RuleError::DuplicateId(n.id.clone()));
            }
        }
        let edges: Vec<Edge> = raw
            .edges
            .into_iter()
            .map(|e| Edge {
                id: e.id,
                source: e.source_id,
                target: e.target_id,
                handle: e.source_handle,
            })
            .collect();
        let mut edge_ids: HashSet<&str> = HashSet::new();
        for e in &edges {
            if !edge_ids.insert(e.id.as_str()) {
                return Err(RuleError::DuplicateId(e.id.clone()));
            }
            if !ids.contains(e.source.as_str()) || !ids.contains(e.target.as_str()) {
                return Err(RuleError::DanglingEdge(e.id.clone()));
            }
        }
        let rule = Rule { nodes, edges };
        rule.order()?;
        Ok(rule)
    }

    /// The nodes in an order where every node comes after its sources (Kahn), or the cycle.
    pub(crate) fn order(&self) -> Result<Vec<usize>, RuleError> {
        let index: HashMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let mut incoming = vec![0usize; self.nodes.len()];
        for e in &self.edges {
            if let Some(&t) = index.get(e.target.as_str()) {
                incoming[t] += 1;
            }
        }
        let mut ready: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| incoming[i] == 0)
            .collect();
        let mut out = vec![];
        while let Some(i) = ready.pop() {
            out.push(i);
            for e in self.edges.iter().filter(|e| e.source == self.nodes[i].id) {
                if let Some(&t) = index.get(e.target.as_str()) {
                    incoming[t] -= 1;
                    if incoming[t] == 0 {
                        ready.push(t);
                    }
                }
            }
        }
        match (0..self.nodes.len()).find(|&i| incoming[i] > 0) {
            Some(i) => Err(RuleError::Cycle(self.nodes[i].name.clone())),
            None => Ok(out),
        }
    }
}

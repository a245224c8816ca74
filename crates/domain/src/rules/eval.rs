//! Evaluates a rule graph on an input, in graph order, and records what every node it reached
//! took and gave — the trace kept with the case, for reviewers and (in plain words) applicants.

use super::jdm::{NodeKind, Rule, RuleError, Table};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use zen_expression::variable::Variable;

/// What one node did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeTrace {
    pub id: String,
    pub name: String,
    /// `input`, `output`, `decision_table`, `expression`, `switch`.
    pub kind: &'static str,
    pub input: Value,
    pub output: Value,
    /// Decision tables: the (0-based) rows that matched; switches: the statements taken.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
}

/// The result of a rule and how it was reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub output: Value,
    pub trace: Vec<NodeTrace>,
}

fn fail(node: &str, e: impl std::fmt::Display) -> RuleError {
    RuleError::Evaluation {
        node: node.to_string(),
        reason: e.to_string(),
    }
}

/// The expression context: refuses numbers the expression language cannot hold (they would
/// silently become null and could take a wrong branch).
fn var(node: &str, ctx: &Value) -> Result<Variable, RuleError> {
    Variable::try_from_value(ctx.clone()).map_err(|e| fail(node, e))
}

fn eval(node: &str, expression: &str, ctx: &Value) -> Result<Value, RuleError> {
    zen_expression::evaluate_expression(expression, var(node, ctx)?)
        .map(Value::from)
        .map_err(|e| fail(node, format!("`{expression}`: {e}")))
}

fn test(node: &str, cell: &str, value: &Value, ctx: &Value) -> Result<bool, RuleError> {
    if cell.trim().is_empty() {
        return Ok(true);
    }
    let mut m = match ctx {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    m.insert("$".into(), value.clone());
    // As in GoRules: a cell that cannot be evaluated on this input does not match.
    Ok(
        zen_expression::evaluate_unary_expression(cell, var(node, &Value::Object(m))?)
            .unwrap_or(false),
    )
}

/// Sets `value` at the dotted `path` of `out` (`a.b` → `{"a": {"b": value}}`).
fn set_path(out: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = out;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(p.to_string(), value);
            return;
        }
        let next = cur
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        match next {
            Value::Object(m) => cur = m,
            _ => return,
        }
    }
}

/// Shallow merge of objects (later keys win); a non-object replaces.
fn merge(into: &mut Value, other: &Value) {
    match (into, other) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                a.insert(k.clone(), v.clone());
            }
        }
        (into, other) => *into = other.clone(),
    }
}

fn table(node: &str, t: &Table, input: &Value) -> Result<(Value, Vec<String>), RuleError> {
    let values = t
        .inputs
        .iter()
        .map(|(id, field)| {
            let v = if field.trim().is_empty() {
                Value::Null
            } else {
                eval(node, field, input)?
            };
            Ok((id.as_str(), v))
        })
        .collect::<Result<Vec<_>, RuleError>>()?;
    let mut hits = vec![];
    let mut matched = vec![];
    for (i, row) in t.rows.iter().enumerate() {
        let mut ok = true;
        for (id, v) in &values {
            let cell = row.get(*id).map(String::as_str).unwrap_or("");
            if !test(node, cell, v, input)? {
                ok = false;
                break;
            }
        }
        if !ok {
            continue;
        }
        let mut out = Map::new();
        for (id, field) in &t.outputs {
            let cell = row.get(id).map(String::as_str).unwrap_or("");
            if !cell.trim().is_empty() {
                set_path(&mut out, field, eval(node, cell, input)?);
            }
        }
        matched.push(i.to_string());
        hits.push(Value::Object(out));
        if !t.collect {
            break;
        }
    }
    let result = if t.collect {
        Value::Array(hits)
    } else {
        // As in GoRules: no matching row gives null.
        hits.into_iter().next().unwrap_or(Value::Null)
    };
    let result = match &t.output_path {
        Some(path) => {
            let mut m = Map::new();
            set_path(&mut m, path, result);
            Value::Object(m)
        }
        None => result,
    };
    let result = if t.pass_through {
        let mut base = input.clone();
        if !result.is_null() {
            merge(&mut base, &result);
        }
        base
    } else {
        result
    };
    Ok((result, matched))
}

/// Evaluates `rule` on `input`.
pub fn evaluate(rule: &Rule, input: &Value) -> Result<Decision, RuleError> {
    let order = rule.order()?;
    let index: HashMap<&str, usize> = rule
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    // Output of each node reached, and the switch statements each switch took.
    let mut outputs: HashMap<usize, Value> = HashMap::new();
    let mut taken: HashMap<usize, Vec<String>> = HashMap::new();
    let mut trace = vec![];
    let mut result: Option<Value> = None;
    for i in order {
        let node = &rule.nodes[i];
        let node_input = if node.kind == NodeKind::Input {
            Some(input.clone())
        } else {
            let mut merged: Option<Value> = None;
            for e in rule.edges.iter().filter(|e| e.target == node.id) {
                let Some(&s) = index.get(e.source.as_str()) else {
                    continue;
                };
                let Some(out) = outputs.get(&s) else { continue };
                if let Some(chosen) = taken.get(&s)
                    && !e.handle.as_ref().is_some_and(|h| chosen.contains(h))
                {
                    continue;
                }
                match &mut merged {
                    Some(m) => merge(m, out),
                    None => merged = Some(out.clone()),
                }
            }
            merged
        };
        let Some(node_input) = node_input else {
            continue; // not reached
        };
        let (kind, output, matched) = match &node.kind {
            NodeKind::Input => ("input", node_input.clone(), vec![]),
            NodeKind::Output => {
                match &mut result {
                    Some(r) => merge(r, &node_input),
                    None => result = Some(node_input.clone()),
                }
                ("output", node_input.clone(), vec![])
            }
            NodeKind::DecisionTable(t) => {
                let (out, matched) = table(&node.name, t, &node_input)?;
                ("decision_table", out, matched)
            }
            NodeKind::Expression(list) => {
                let mut out = Map::new();
                for (key, expr) in list {
                    let v = eval(&node.name, expr, &node_input)?;
                    set_path(&mut out, key, v);
                }
                ("expression", Value::Object(out), vec![])
            }
            NodeKind::Switch { first, statements } => {
                let mut chosen = vec![];
                for (id, cond) in statements {
                    let yes = cond.trim().is_empty()
                        || eval(&node.name, cond, &node_input)? == Value::Bool(true);
                    if yes {
                        chosen.push(id.clone());
                        if *first {
                            break;
                        }
                    }
                }
                taken.insert(i, chosen.clone());
                ("switch", node_input.clone(), chosen)
            }
        };
        trace.push(NodeTrace {
            id: node.id.clone(),
            name: node.name.clone(),
            kind,
            input: node_input,
            output: output.clone(),
            matched,
        });
        outputs.insert(i, output);
    }
    Ok(Decision {
        output: result.unwrap_or_else(|| json!({})),
        trace,
    })
}

//! Which flows a token takes, and when a joining gateway may fire.
//!
//! - exclusive: the first outgoing flow (document order, `default` skipped) whose condition holds
//!   — a flow without a condition holds — else `default`, else an incident;
//! - inclusive: every such flow, else `default`, else an incident;
//! - parallel: every outgoing flow, conditions ignored (as BPMN says);
//! - activities and events: every outgoing flow whose condition, if any, holds.
//!
//! A parallel join fires when a token waits on each incoming flow. An inclusive join fires when,
//! for every incoming flow without a waiting token, no other live token can still reach that
//! flow (the BPMN 2.0 rule) — checked only once nothing else can move.

use crate::engine::Run;
use crate::instance::{Token, Wait};
use crate::model::{FlowIdx, Node, NodeIdx, NodeKind, Process};

/// The outgoing flows a gateway sends tokens along, or the reason for an incident.
pub(crate) fn choose(run: &mut Run, node: NodeIdx) -> Result<Vec<FlowIdx>, String> {
    let process = run.process;
    let n = &process.nodes[node];
    let (default, first_only) = match n.kind {
        NodeKind::Exclusive { default } => (default, true),
        NodeKind::Inclusive { default } => (default, false),
        _ => return Ok(n.outgoing.clone()),
    };
    let mut chosen = Vec::new();
    for &f in &n.outgoing {
        if Some(f) == default || !holds(run, f)? {
            continue;
        }
        chosen.push(f);
        if first_only {
            break;
        }
    }
    if chosen.is_empty() {
        let kind = if first_only { "exclusive" } else { "inclusive" };
        chosen.push(default.ok_or_else(|| {
            format!(
                "no outgoing flow of {kind} gateway `{}` matches and it has no default flow",
                n.id
            )
        })?);
    }
    Ok(chosen)
}

/// Outgoing flows of an activity or event whose condition, if any, holds.
pub(crate) fn conditional_outgoing(run: &mut Run, node: NodeIdx) -> Result<Vec<FlowIdx>, String> {
    let process = run.process;
    let mut out = Vec::with_capacity(process.nodes[node].outgoing.len());
    for &f in &process.nodes[node].outgoing {
        if holds(run, f)? {
            out.push(f);
        }
    }
    Ok(out)
}

fn holds(run: &mut Run, f: FlowIdx) -> Result<bool, String> {
    let process = run.process;
    let Some(condition) = &process.flows[f].condition else {
        return Ok(true);
    };
    run.ctx.load(&run.inst.variables);
    condition
        .eval_bool(&run.ctx)
        .map_err(|e| format!("condition of flow `{}`: {e}", process.flows[f].id))
}

/// Whether a token waits at parallel join `node` on each of its incoming flows.
pub(crate) fn parallel_join_ready(n: &Node, tokens: &[Token], node: NodeIdx) -> bool {
    n.incoming.iter().all(|&f| {
        tokens
            .iter()
            .any(|t| t.node == node && t.wait == Wait::Join && t.via == Some(f))
    })
}

/// The first inclusive join (in token order) that may fire now.
pub(crate) fn ready_inclusive_join(process: &Process, tokens: &[Token]) -> Option<NodeIdx> {
    tokens
        .iter()
        .filter(|t| {
            t.wait == Wait::Join && matches!(process.nodes[t.node].kind, NodeKind::Inclusive { .. })
        })
        .map(|t| t.node)
        .find(|&join| inclusive_join_ready(process, tokens, join))
}

fn inclusive_join_ready(process: &Process, tokens: &[Token], join: NodeIdx) -> bool {
    let empty: Vec<NodeIdx> = process.nodes[join]
        .incoming
        .iter()
        .filter(|&&f| !tokens.iter().any(|t| t.node == join && t.via == Some(f)))
        .map(|&f| process.flows[f].source)
        .collect();
    if empty.is_empty() {
        return true;
    }
    let mut seen = vec![false; process.nodes.len()];
    let mut stack: Vec<NodeIdx> = tokens
        .iter()
        .filter(|t| t.node != join)
        .map(|t| t.node)
        .collect();
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n], true) {
            continue;
        }
        if empty.contains(&n) {
            return false;
        }
        if n != join {
            stack.extend(
                process.nodes[n]
                    .outgoing
                    .iter()
                    .map(|&f| process.flows[f].target),
            );
        }
    }
    true
}

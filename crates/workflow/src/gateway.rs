//! Which flows a token takes, and when a joining gateway may fire.
//!
//! - exclusive: the first outgoing flow (document order, `default` skipped) whose condition holds
//!   — a flow without a condition holds — else `default`, else an incident;
//! - inclusive: every such flow, else `default`, else an incident;
//! - parallel: every outgoing flow, conditions ignored (as BPMN says);
//! - activities and events: every outgoing flow whose condition, if any, holds.
//!
//! A parallel join fires when a token waits on each incoming flow. An inclusive join fires when
//! no other live token can still reach one of its empty incoming flows, except tokens that could
//! also reach a flow that already has a token (BPMN 2.0 §13.3.5) — checked only once nothing
//! else can move.

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
    let (mut full, mut empty) = (Vec::new(), Vec::new());
    for &f in &process.nodes[join].incoming {
        let arrived = tokens.iter().any(|t| t.node == join && t.via == Some(f));
        if arrived { &mut full } else { &mut empty }.push(process.flows[f].source);
    }
    // BPMN 2.0 §13.3.5: a token blocks the join only if it can reach an empty incoming flow but
    // no full one without passing the join; a token that can also reach a full flow belongs to a
    // later round (a loop) and must not hold this one back.
    empty.is_empty()
        || tokens.iter().filter(|t| t.node != join).all(|t| {
            let seen = reachable(process, t.node, join);
            !empty.iter().any(|&n| seen[n]) || full.iter().any(|&n| seen[n])
        })
}

/// Nodes reachable from `from` without passing through `join`.
fn reachable(process: &Process, from: NodeIdx, join: NodeIdx) -> Vec<bool> {
    let mut seen = vec![false; process.nodes.len()];
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        if n == join || std::mem::replace(&mut seen[n], true) {
            continue;
        }
        stack.extend(crate::check::successors(process, n));
    }
    seen
}

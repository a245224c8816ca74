//! References between nodes that the parser resolves once every node is known: the node a
//! boundary event is attached to, and the task a countersign returns to on rejection.

use std::collections::HashMap;

use crate::error::ParseError;
use crate::model::{Flow, Node, NodeKind, OnReject};

/// Sets the return target of countersign `n`: `shenpi:returnTo`, else the nearest user task
/// found walking back along first incoming flows.
pub(crate) fn resolve_return(
    nodes: &mut [Node],
    flows: &[Flow],
    index: &HashMap<String, usize>,
    n: usize,
    to: Option<String>,
) -> Result<(), ParseError> {
    let is_task = |t: usize| matches!(nodes[t].kind, NodeKind::UserTask(_)) && t != n;
    let target = match &to {
        Some(id) => index.get(id).copied().filter(|&t| is_task(t)),
        None => {
            let (mut at, mut seen) = (n, vec![false; nodes.len()]);
            loop {
                match nodes[at].incoming.first() {
                    Some(&f) if !std::mem::replace(&mut seen[at], true) => at = flows[f].source,
                    _ => break None,
                }
                if is_task(at) {
                    break Some(at);
                }
            }
        }
    };
    let target = target.ok_or_else(|| ParseError::InvalidAttribute {
        id: nodes[n].id.clone(),
        attribute: "shenpi:returnTo",
        value: to.unwrap_or_default(),
        reason: "the id of an earlier user task (none was found before the countersign)".to_owned(),
        line: nodes[n].line,
    })?;
    if let NodeKind::UserTask(task) = &mut nodes[n].kind
        && let Some(countersign) = &mut task.countersign
    {
        countersign.on_reject = OnReject::Return { to: target };
    }
    Ok(())
}

/// Whether boundary events may attach to node kind `kind`: activities whose token waits (a
/// countersign has several tokens and takes none).
fn carries_boundaries(kind: &NodeKind) -> bool {
    match kind {
        NodeKind::UserTask(u) => u.countersign.is_none(),
        NodeKind::ServiceTask(_) | NodeKind::ReceiveTask { .. } | NodeKind::CallActivity(_) => true,
        _ => false,
    }
}

/// Resolves `attachedToRef` of boundary event `n`.
pub(crate) fn attach(
    nodes: &mut [Node],
    index: &HashMap<String, usize>,
    n: usize,
    target: &str,
) -> Result<(), ParseError> {
    let task = index
        .get(target)
        .copied()
        .filter(|&t| carries_boundaries(&nodes[t].kind))
        .ok_or_else(|| ParseError::InvalidAttribute {
            id: nodes[n].id.clone(),
            attribute: "attachedToRef",
            value: target.to_owned(),
            reason: "the id of a user task that is not a countersign, a service task, a receive \
                     task or a call activity (boundary events attach to those only)"
                .to_owned(),
            line: nodes[n].line,
        })?;
    if let NodeKind::BoundaryTimer { attached_to, .. }
    | NodeKind::BoundaryMessage { attached_to, .. } = &mut nodes[n].kind
    {
        *attached_to = task;
    }
    nodes[task].boundaries.push(n);
    Ok(())
}

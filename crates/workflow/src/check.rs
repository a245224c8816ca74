//! Graph checks of a parsed process: everything reachable from the start, an end reachable from
//! everything. Runs once at upload so that stepping never meets a structural dead end.

use crate::error::ParseError;
use crate::model::{NodeKind, Process};

/// Checks reachability in both directions.
pub fn check(process: &Process) -> Result<(), ParseError> {
    let forward = reach(process, vec![process.start], |n| successors(process, n));
    if let Some(n) = forward.iter().position(|r| !r) {
        let node = &process.nodes[n];
        return Err(ParseError::Unreachable {
            id: node.id.clone(),
            line: node.line,
        });
    }
    let ends = (0..process.nodes.len())
        .filter(|&n| matches!(process.nodes[n].kind, NodeKind::End))
        .collect();
    let backward = reach(process, ends, |n| {
        process.nodes[n]
            .incoming
            .iter()
            .map(|&f| process.flows[f].source)
            .collect()
    });
    if let Some(n) = backward.iter().position(|r| !r) {
        let node = &process.nodes[n];
        return Err(ParseError::NoEndReachable {
            id: node.id.clone(),
            line: node.line,
        });
    }
    Ok(())
}

/// Nodes a token at `n` can move to: along outgoing flows, or out through a boundary event.
pub(crate) fn successors(process: &Process, n: usize) -> Vec<usize> {
    let node = &process.nodes[n];
    node.outgoing
        .iter()
        .map(|&f| process.flows[f].target)
        .chain(node.boundaries.iter().copied())
        .collect()
}

fn reach(process: &Process, from: Vec<usize>, next: impl Fn(usize) -> Vec<usize>) -> Vec<bool> {
    let mut seen = vec![false; process.nodes.len()];
    let mut stack = from;
    while let Some(n) = stack.pop() {
        if std::mem::replace(&mut seen[n], true) {
            continue;
        }
        stack.extend(next(n));
    }
    seen
}

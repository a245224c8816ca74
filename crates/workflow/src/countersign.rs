//! Countersigns (会签 / 或签): a parallel multi-instance user task whose outcome is decided by a
//! declared rule, never left undefined.
//!
//! Entering the task evaluates its collection (a non-empty array, else an incident) and opens one
//! task per element. Each signer completes with the result variable (default `approved`) set to
//! `true` or `false` (absent means `true`). After each signature:
//! 1. enough approvals (`all`: every signer; `any`: one; `60%`: ⌈60 % of signers⌉) → approved;
//! 2. else a rejection with `terminate` → rejected at once; with `return` → the case goes back to
//!    the declared earlier task;
//! 3. else (`stay`, or an approval) once the approvals can no longer be reached → rejected.
//!
//! When decided, the remaining tasks are closed, the result variable is set to the outcome and the
//! token leaves the task (a gateway after it usually routes on the result).

use serde_json::Value;

use crate::engine::Run;
use crate::error::EngineError;
use crate::instance::{CountersignState, Event, Task, Wait};
use crate::model::{Countersign, NodeIdx, NodeKind, OnReject, Rule};

impl Run<'_> {
    fn declaration(&self, node: NodeIdx) -> Option<&Countersign> {
        match &self.process.nodes[node].kind {
            NodeKind::UserTask(task) => task.countersign.as_ref(),
            _ => None,
        }
    }

    /// The signer's decision if `task` is part of a countersign.
    pub(crate) fn countersign_outcome(
        &self,
        task: &Task,
        variables: &crate::Variables,
    ) -> Result<Option<bool>, EngineError> {
        let Some(decl) = task.countersign.and(self.declaration(task.node)) else {
            return Ok(None);
        };
        match variables.get(&decl.result) {
            None => Ok(Some(true)),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(EngineError::BadOutcome {
                task: task.id,
                variable: decl.result.clone(),
            }),
        }
    }

    /// Opens one task per signer.
    pub(crate) fn enter_countersign(&mut self, node: NodeIdx, decl: &Countersign) {
        self.ctx.load(&self.inst.variables);
        let signers = match decl.collection.eval(&self.ctx) {
            Ok(Value::Array(items)) if !items.is_empty() => items,
            Ok(other) => {
                let reason = format!(
                    "countersign collection `{}` gave {other}, not a non-empty list",
                    decl.collection.source()
                );
                return self.incident(node, reason);
            }
            Err(e) => return self.incident(node, format!("countersign collection: {e}")),
        };
        let total = u32::try_from(signers.len()).unwrap_or(u32::MAX);
        let needed = match decl.rule {
            Rule::All => total,
            Rule::Any => 1,
            Rule::Percent(p) => (total * u32::from(p)).div_ceil(100).max(1),
        };
        let id = self.inst.next_id;
        self.inst.next_id += 1;
        self.inst.countersigns.push(CountersignState {
            id,
            node,
            needed,
            approved: 0,
            rejected: 0,
        });
        for element in signers {
            let task = self.new_token(node, None, Wait::Task);
            let created_at = self.now;
            self.inst.tasks.push(Task {
                id: task,
                node,
                created_at,
                countersign: Some(id),
                element: Some(element),
            });
            self.events.push(Event::TaskCreated { task, node });
        }
    }

    /// Records one signature and decides the countersign if the outcome is now certain.
    pub(crate) fn countersign_signed(&mut self, id: u64, approved: bool) {
        let Some(i) = self.inst.countersigns.iter().position(|c| c.id == id) else {
            return;
        };
        let state = &mut self.inst.countersigns[i];
        if approved {
            state.approved += 1;
        } else {
            state.rejected += 1;
        }
        let state = *state;
        let Some(decl) = self.declaration(state.node) else {
            return;
        };
        let (on_reject, result) = (decl.on_reject, decl.result.clone());
        let open = self
            .inst
            .tasks
            .iter()
            .filter(|t| t.countersign == Some(id))
            .count();
        let open = u32::try_from(open).unwrap_or(u32::MAX);
        let vetoed = !approved && on_reject != OnReject::Stay;
        let out_of_reach = state.approved.saturating_add(open) < state.needed;
        let decision = if state.approved >= state.needed {
            Some(true)
        } else if vetoed || out_of_reach {
            Some(false)
        } else {
            None
        };
        let Some(decision) = decision else { return };
        self.inst.countersigns.remove(i);
        for task in self
            .inst
            .tasks
            .iter()
            .filter(|t| t.countersign == Some(id))
            .map(|t| t.id)
            .collect::<Vec<_>>()
        {
            self.take_token(task, Wait::Task);
            self.inst.tasks.retain(|t| t.id != task);
            self.events.push(Event::TaskCancelled {
                task,
                node: state.node,
            });
        }
        let mut vars = crate::Variables::new();
        vars.insert(result, Value::Bool(decision));
        self.merge(vars);
        match on_reject {
            OnReject::Return { to } if !decision => {
                self.events.push(Event::Returned {
                    node: state.node,
                    to,
                });
                self.queue.push_back((to, None));
            }
            _ => {
                self.events.push(Event::CountersignDecided {
                    node: state.node,
                    approved: decision,
                });
                self.leave(state.node);
            }
        }
    }
}

//! Call activities: starting another process and waiting for it, without looking it up.
//!
//! The engine stays pure: when a token reaches a `callActivity`, it computes the input
//! variables (every parent variable if `propagate_all_parent`, then the input mappings), emits
//! [`Effect::StartCall`] with the called process key, and the token waits in
//! [`Wait::CalledProcess`]; the call id is the token id. The application starts the called
//! instance (the latest version of that key) and, when it ends, sends
//! [`Command::CompleteCall`](crate::Command::CompleteCall) with the child's variables — merged
//! all if `propagate_all_child`, then the output mappings evaluated over them — or
//! [`Command::FailCall`](crate::Command::FailCall), which makes the calling instance an
//! incident at the call activity. Boundary timers and messages work on call activities as on
//! tasks; an interrupting one emits [`Effect::CancelCall`] so the application terminates the
//! child, and a later report for that call is refused. [`crate::Process::called_processes`]
//! lists the keys to check at upload.

use crate::engine::Run;
use crate::error::EngineError;
use crate::expr::{Context, Variables};
use crate::instance::{Effect, Event, Wait};
use crate::model::{CallActivity, FlowIdx, Mapping, NodeIdx, NodeKind};

/// Evaluates `mappings` over `context` into `into`; the error names the failing mapping.
fn apply_mappings(
    mappings: &[Mapping],
    context: &Context,
    into: &mut Variables,
) -> Result<(), String> {
    for m in mappings {
        let value = m
            .source
            .eval(context)
            .map_err(|e| format!("mapping `{}`: {e}", m.target))?;
        into.insert(m.target.clone(), value);
    }
    Ok(())
}

impl Run<'_> {
    /// A token reaches call activity `node`.
    pub(crate) fn enter_call(&mut self, node: NodeIdx, via: Option<FlowIdx>, call: &CallActivity) {
        let mut variables = if call.propagate_all_parent {
            self.inst.variables.clone()
        } else {
            Variables::new()
        };
        self.ctx.load(&self.inst.variables);
        if let Err(reason) = apply_mappings(&call.inputs, &self.ctx, &mut variables) {
            return self.incident(node, reason);
        }
        let id = self.new_token(node, via, Wait::CalledProcess);
        self.arm_boundaries(node, id);
        if !self.running() {
            return; // a boundary's correlation key failed: nothing was started
        }
        let process_key = call.process_key.clone();
        self.events.push(Event::CallStarted {
            call: id,
            node,
            process_key: process_key.clone(),
        });
        self.effects.push(Effect::StartCall {
            call: id,
            node,
            process_key,
            variables,
        });
    }

    /// The called process of `call` completed with `child` variables.
    pub(crate) fn complete_call(&mut self, call: u64, child: Variables) -> Result<(), EngineError> {
        let token = self
            .take_token(call, Wait::CalledProcess)
            .ok_or(EngineError::NoSuchCall { call })?;
        let NodeKind::CallActivity(activity) = &self.process.nodes[token.node].kind else {
            return Err(EngineError::WrongProcess);
        };
        let mut output = Variables::new();
        let mut context = Context::new();
        context.load(&child);
        if let Err(reason) = apply_mappings(&activity.outputs, &context, &mut output) {
            // Keep the token where it was: the incident shows where the case stopped.
            self.inst.tokens.push(token);
            self.incident(token.node, reason);
            return Ok(());
        }
        self.disarm(call);
        if activity.propagate_all_child {
            self.merge(child);
        }
        self.merge(output);
        self.events.push(Event::CallCompleted {
            call,
            node: token.node,
        });
        self.leave(token.node);
        Ok(())
    }

    /// The called process of `call` failed: an incident at the call activity.
    pub(crate) fn fail_call(&mut self, call: u64, reason: &str) -> Result<(), EngineError> {
        let node = self
            .inst
            .tokens
            .iter()
            .find(|t| t.id == call && t.wait == Wait::CalledProcess)
            .ok_or(EngineError::NoSuchCall { call })?
            .node;
        self.incident(node, format!("called process failed: {reason}"));
        Ok(())
    }
}

//! Who is acting ([`Principal`]) and from where ([`RequestMeta`]).

use shenpi_store::model::{AuditDraft, User};

/// A signed-in user and the session they act through.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    /// SM3 hash of the session token.
    pub session_hash: String,
    pub csrf_token: String,
}

/// Facts about the request, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub client_ip: String,
    pub trace_id: Option<String>,
}

impl RequestMeta {
    /// Meta for command-line operations.
    pub fn cli() -> Self {
        RequestMeta {
            client_ip: "cli".into(),
            trace_id: None,
        }
    }

    /// Meta for what the server does on its own (timers, scans).
    pub fn system() -> Self {
        RequestMeta {
            client_ip: "system".into(),
            trace_id: None,
        }
    }

    /// An audit draft for an action by `actor` (None for anonymous or the system).
    // One parameter per audited field reads better at the call sites than a builder.
    #[allow(clippy::too_many_arguments)]
    pub fn audit(
        &self,
        at: chrono::DateTime<chrono::Utc>,
        region: &str,
        actor: Option<&User>,
        action: &str,
        object: (&str, &str),
        outcome: &str,
        details: serde_json::Value,
    ) -> AuditDraft {
        AuditDraft {
            region_code: region.to_string(),
            actor_id: actor.map(|u| u.id.clone()),
            actor_name: actor.map(|u| u.username.clone()),
            action: action.to_string(),
            object_type: object.0.to_string(),
            object_id: object.1.to_string(),
            client_ip: Some(self.client_ip.clone()),
            outcome: outcome.to_string(),
            details,
            trace_id: self.trace_id.clone(),
            at,
        }
    }
}

//! Catalog use cases (事项库): reading the effective catalog, change proposals and joint review,
//! district claims and local elements, import and export, the deviation report.
//!
//! The store keeps immutable published versions; which version is in force is worked out on
//! every read from the calendar date (Asia/Shanghai) of the clock, so a version scheduled for a
//! later date comes into force without a timer.

pub mod demo;
pub mod local;
pub mod proposals;
pub mod read;
pub mod search;
pub(crate) mod versions;

use crate::AppError;
use serde_json::json;
use shenpi_domain::catalog::proposal::ProposalError;
use shenpi_domain::error::ErrorCode;
use shenpi_store::StoreError;

/// Maps a proposal rule refusal onto the public error table.
pub(crate) fn proposal_error(e: ProposalError) -> AppError {
    let code = match &e {
        ProposalError::WrongStatus(_) => ErrorCode::PROPOSAL_WRONG_STATUS,
        ProposalError::Shape(_) | ProposalError::InvalidDraft(_) => ErrorCode::PROPOSAL_INVALID,
        ProposalError::NotAReviewer => ErrorCode::PROPOSAL_NOT_A_REVIEWER,
        ProposalError::AlreadyReviewed => ErrorCode::PROPOSAL_ALREADY_REVIEWED,
        ProposalError::ReasonRequired => ErrorCode::PROPOSAL_REASON_REQUIRED,
        ProposalError::EffectiveInPast => ErrorCode::PROPOSAL_EFFECTIVE_IN_PAST,
    };
    let details = match &e {
        ProposalError::InvalidDraft(issues) => json!({
            "reason_code": e.code(),
            "issues": issues.iter().map(|(code, i)| json!({
                "item": code, "field": i.field, "code": i.code, "reason_zh": i.reason_zh, "reason_en": i.reason_en
            })).collect::<Vec<_>>()
        }),
        other => {
            json!({"reason_code": other.code(), "reason_zh": other.message_zh(), "reason_en": other.to_string()})
        }
    };
    AppError::rule(code, details)
}

/// A store conflict on a revisioned record means someone else changed it meanwhile.
pub fn stale(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(what) => {
            AppError::rule(ErrorCode::STALE_REVISION, json!({"object": what}))
        }
        other => AppError::Store(other),
    }
}

impl crate::App {
    /// Called after every change to the catalog (publish, claim, local elements): the search
    /// index is rebuilt from the store before the next search.
    pub(crate) async fn catalog_changed(&self) {
        self.search.mark_dirty();
    }
}

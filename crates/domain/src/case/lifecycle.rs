//! Case statuses and the transitions between them (DOMAIN §6.7):
//!
//! ```text
//! draft → submitted → (awaiting supplement ↺) → accepted | not accepted
//! accepted → under review → [special procedure: pause/resume] → granted | denied
//! granted/denied → delivered → closed;  any state before the decision → withdrawn
//! ```

use serde::{Deserialize, Serialize};

/// Where a case is (办件状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 草稿
    Draft,
    /// 已提交 (awaiting the acceptance decision)
    Submitted,
    /// 补正中: one notice listed everything missing; the clock has not started.
    AwaitingSupplement,
    /// 不予受理 (final)
    NotAccepted,
    /// 审查中 (accepted; the clock runs)
    UnderReview,
    /// 特别程序中: hearing, expert review, inspection… the clock pauses.
    SpecialProcedure,
    /// 审查补正中: a reviewer returned the accepted case to the applicant (退回申请人补正); the
    /// clock pauses by default (DOMAIN §11, configurable).
    ReviewSupplement,
    /// 准予许可
    Granted,
    /// 不予许可
    Denied,
    /// 已送达 (the decision and licence reached the applicant)
    Delivered,
    /// 办结 (final)
    Closed,
    /// 已撤回 (final)
    Withdrawn,
}

impl CaseStatus {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            CaseStatus::Draft => "草稿",
            CaseStatus::Submitted => "已提交",
            CaseStatus::AwaitingSupplement => "补正中",
            CaseStatus::NotAccepted => "不予受理",
            CaseStatus::UnderReview => "审查中",
            CaseStatus::SpecialProcedure => "特别程序中",
            CaseStatus::ReviewSupplement => "审查补正中",
            CaseStatus::Granted => "准予许可",
            CaseStatus::Denied => "不予许可",
            CaseStatus::Delivered => "已送达",
            CaseStatus::Closed => "办结",
            CaseStatus::Withdrawn => "已撤回",
        }
    }

    /// No further step is possible.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseStatus::NotAccepted | CaseStatus::Closed | CaseStatus::Withdrawn
        )
    }

    /// The decision (准予/不予) has not been made yet, so the applicant may still withdraw.
    pub fn before_decision(self) -> bool {
        matches!(
            self,
            CaseStatus::Draft
                | CaseStatus::Submitted
                | CaseStatus::AwaitingSupplement
                | CaseStatus::UnderReview
                | CaseStatus::SpecialProcedure
                | CaseStatus::ReviewSupplement
        )
    }

    /// The working-day clock runs (accepted, not paused, not decided).
    pub fn clock_runs(self) -> bool {
        self == CaseStatus::UnderReview
    }
}

/// What happens to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseEvent {
    Submit,
    /// 一次性补正告知 (before acceptance), or 退回申请人补正 (during review)
    RequestSupplement,
    Supplemented,
    Accept,
    RefuseToAccept,
    BeginSpecialProcedure,
    EndSpecialProcedure,
    Grant,
    Deny,
    Deliver,
    Close,
    Withdraw,
}

/// A transition the law does not allow from the current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{event:?} is not possible while the case is {from:?}")]
pub struct TransitionError {
    pub from: CaseStatus,
    pub event: CaseEvent,
}

/// The status after `event`, or why it is not allowed.
pub fn transition(from: CaseStatus, event: CaseEvent) -> Result<CaseStatus, TransitionError> {
    use CaseEvent as E;
    use CaseStatus as S;
    let to = match (from, event) {
        (S::Draft, E::Submit) => S::Submitted,
        (S::Submitted, E::RequestSupplement) => S::AwaitingSupplement,
        (S::AwaitingSupplement, E::Supplemented) => S::Submitted,
        (S::UnderReview, E::RequestSupplement) => S::ReviewSupplement,
        (S::ReviewSupplement, E::Supplemented) => S::UnderReview,
        (S::Submitted, E::Accept) => S::UnderReview,
        (S::Submitted | S::AwaitingSupplement, E::RefuseToAccept) => S::NotAccepted,
        (S::UnderReview, E::BeginSpecialProcedure) => S::SpecialProcedure,
        (S::SpecialProcedure, E::EndSpecialProcedure) => S::UnderReview,
        (S::UnderReview, E::Grant) => S::Granted,
        (S::UnderReview, E::Deny) => S::Denied,
        (S::Granted | S::Denied, E::Deliver) => S::Delivered,
        (S::Delivered, E::Close) => S::Closed,
        (s, E::Withdraw) if s.before_decision() => S::Withdrawn,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseEvent as E;
    use CaseStatus as S;

    fn run(events: &[CaseEvent]) -> Result<CaseStatus, TransitionError> {
        events.iter().try_fold(S::Draft, |s, e| transition(s, *e))
    }

    #[test]
    fn a_case_runs_from_submission_through_supplement_to_closure() {
        let path = [
            E::Submit,
            E::RequestSupplement,
            E::Supplemented,
            E::Accept,
            E::BeginSpecialProcedure,
            E::EndSpecialProcedure,
            E::Grant,
            E::Deliver,
            E::Close,
        ];
        assert_eq!(run(&path), Ok(S::Closed));
    }

    #[test]
    fn a_reviewer_may_return_an_accepted_case_to_the_applicant() {
        assert_eq!(
            run(&[E::Submit, E::Accept, E::RequestSupplement]),
            Ok(S::ReviewSupplement)
        );
        assert_eq!(
            run(&[E::Submit, E::Accept, E::RequestSupplement, E::Supplemented]),
            Ok(S::UnderReview)
        );
        assert!(run(&[E::Submit, E::Accept, E::RequestSupplement, E::Grant]).is_err());
        assert_eq!(
            run(&[E::Submit, E::Accept, E::RequestSupplement, E::Withdraw]),
            Ok(S::Withdrawn)
        );
    }

    #[test]
    fn the_applicant_may_withdraw_only_before_the_decision() {
        assert_eq!(run(&[E::Submit, E::Accept, E::Withdraw]), Ok(S::Withdrawn));
        assert_eq!(
            run(&[E::Submit, E::RequestSupplement, E::Withdraw]),
            Ok(S::Withdrawn)
        );
        assert!(run(&[E::Submit, E::Accept, E::Grant, E::Withdraw]).is_err());
    }

    #[test]
    fn no_decision_without_acceptance_and_nothing_after_a_final_status() {
        assert!(run(&[E::Submit, E::Grant]).is_err());
        assert!(run(&[E::Submit, E::RefuseToAccept, E::Accept]).is_err());
        assert!(
            run(&[
                E::Submit,
                E::Accept,
                E::Deny,
                E::Deliver,
                E::Close,
                E::Withdraw
            ])
            .is_err()
        );
    }
}

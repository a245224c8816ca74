//! Change proposals and joint review (联合审核). Every change to the catalog is a proposal:
//! draft → submitted → reviewed by the city and the admins of the affected districts →
//! approved (or returned with comments) → published with an effective date.
//!
//! A proposal is approved when the city and every affected district approve, or when the city
//! admin overrides with a recorded reason. Catalog operations (DOMAIN §1.1): add, change, split,
//! merge, suspend, cancel.

use super::ServiceItem;
use super::check::{ItemIssue, check_item};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A catalog operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// 新增
    Add,
    /// 变更
    Change,
    /// 拆分: one item becomes several (the old one is cancelled).
    Split,
    /// 合并: several items become one (the old ones are cancelled).
    Merge,
    /// 暂停
    Suspend,
    /// 取消
    Cancel,
}

impl Operation {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Operation::Add => "新增",
            Operation::Change => "变更",
            Operation::Split => "拆分",
            Operation::Merge => "合并",
            Operation::Suspend => "暂停",
            Operation::Cancel => "取消",
        }
    }
}

/// Where a proposal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Draft,
    Submitted,
    Returned,
    Approved,
    Published,
}

impl ProposalStatus {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Draft => "draft",
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Returned => "returned",
            ProposalStatus::Approved => "approved",
            ProposalStatus::Published => "published",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            ProposalStatus::Draft => "草稿",
            ProposalStatus::Submitted => "审核中",
            ProposalStatus::Returned => "已退回",
            ProposalStatus::Approved => "已通过",
            ProposalStatus::Published => "已发布",
        }
    }
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Return,
}

/// One review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub reviewer: String,
    /// 370200 for the city, else the district.
    pub region: String,
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// A change proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    pub operation: Operation,
    pub title: String,
    /// Why the change is needed.
    #[serde(default)]
    pub reason: String,
    /// Codes of existing items the operation acts on.
    #[serde(default)]
    pub targets: Vec<String>,
    /// New contents (add, change, split, merge).
    #[serde(default)]
    pub drafts: Vec<ServiceItem>,
    pub effective_from: NaiveDate,
    /// District codes that must approve (those implementing the targets, or named for an add).
    #[serde(default)]
    pub districts: Vec<String>,
    pub status: ProposalStatus,
    #[serde(default)]
    pub reviews: Vec<Review>,
    #[serde(default)]
    pub override_reason: Option<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Incremented on every change: optimistic concurrency.
    pub revision: i64,
}

/// Why a proposal step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ProposalError {
    #[error("the proposal is {0:?}; this step is not possible now")]
    WrongStatus(ProposalStatus),
    #[error("the proposal's shape does not fit the operation: {0}")]
    Shape(String),
    #[error("an item draft is invalid")]
    InvalidDraft(Vec<(String, ItemIssue)>),
    #[error("this reviewer is not asked to review the proposal")]
    NotAReviewer,
    #[error("this reviewer has already decided")]
    AlreadyReviewed,
    #[error("an override needs a reason")]
    ReasonRequired,
    #[error("the effective date lies in the past")]
    EffectiveInPast,
}

impl ProposalError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ProposalError::WrongStatus(_) => "PROPOSAL_WRONG_STATUS",
            ProposalError::Shape(_) => "PROPOSAL_SHAPE_INVALID",
            ProposalError::InvalidDraft(_) => "PROPOSAL_DRAFT_INVALID",
            ProposalError::NotAReviewer => "PROPOSAL_NOT_A_REVIEWER",
            ProposalError::AlreadyReviewed => "PROPOSAL_ALREADY_REVIEWED",
            ProposalError::ReasonRequired => "PROPOSAL_REASON_REQUIRED",
            ProposalError::EffectiveInPast => "PROPOSAL_EFFECTIVE_IN_PAST",
        }
    }

    /// Chinese message.
    pub fn message_zh(&self) -> String {
        match self {
            ProposalError::WrongStatus(s) => {
                format!("变更申请当前为“{}”状态，不能进行此操作", s.name_zh())
            }
            ProposalError::Shape(why) => format!("变更申请与操作类型不符：{why}"),
            ProposalError::InvalidDraft(issues) => format!("事项草稿有 {} 处问题", issues.len()),
            ProposalError::NotAReviewer => "您不是该变更申请的审核方".into(),
            ProposalError::AlreadyReviewed => "您已审核过该变更申请".into(),
            ProposalError::ReasonRequired => "强制通过须填写理由".into(),
            ProposalError::EffectiveInPast => "生效日期不能早于今天".into(),
        }
    }
}

impl Proposal {
    /// Checks that the drafts and targets fit the operation and every draft is valid.
    pub fn check_shape(&self) -> Result<(), ProposalError> {
        let (t, d) = (self.targets.len(), self.drafts.len());
        let ok = match self.operation {
            Operation::Add => t == 0 && d == 1,
            Operation::Change => {
                t == 1 && d == 1 && self.drafts.first().map(|x| &x.code) == self.targets.first()
            }
            Operation::Split => t == 1 && d >= 2,
            Operation::Merge => t >= 2 && d == 1,
            Operation::Suspend | Operation::Cancel => t >= 1 && d == 0,
        };
        if !ok {
            return Err(ProposalError::Shape(match self.operation {
                Operation::Add => "新增须有 1 个事项草稿、无目标事项 / add: one draft, no target".into(),
                Operation::Change => "变更须有 1 个目标事项和编码相同的 1 个草稿 / change: one target and one draft with its code".into(),
                Operation::Split => "拆分须有 1 个目标事项和至少 2 个草稿 / split: one target, at least two drafts".into(),
                Operation::Merge => "合并须有至少 2 个目标事项和 1 个草稿 / merge: at least two targets, one draft".into(),
                _ => "暂停、取消须有目标事项、无草稿 / suspend, cancel: targets, no drafts".into(),
            }));
        }
        let mut codes: Vec<&str> = self.drafts.iter().map(|d| d.code.as_str()).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        if codes.len() != n {
            return Err(ProposalError::Shape(
                "草稿编码重复 / duplicate draft codes".into(),
            ));
        }
        let issues: Vec<(String, ItemIssue)> = self
            .drafts
            .iter()
            .filter_map(|d| check_item(d).err().map(|is| (d.code.clone(), is)))
            .flat_map(|(c, is)| is.into_iter().map(move |i| (c.clone(), i)))
            .collect();
        if issues.is_empty() {
            Ok(())
        } else {
            Err(ProposalError::InvalidDraft(issues))
        }
    }

    /// Whether the proposal can still be edited.
    pub fn editable(&self) -> bool {
        matches!(
            self.status,
            ProposalStatus::Draft | ProposalStatus::Returned
        )
    }

    /// Submits for joint review (clears earlier reviews).
    pub fn submit(&mut self) -> Result<(), ProposalError> {
        if !self.editable() {
            return Err(ProposalError::WrongStatus(self.status));
        }
        self.check_shape()?;
        self.status = ProposalStatus::Submitted;
        self.reviews.clear();
        Ok(())
    }

    /// Records a review by the city (`region` = city code) or an affected district.
    pub fn review(&mut self, review: Review, city: &str) -> Result<(), ProposalError> {
        if self.status != ProposalStatus::Submitted {
            return Err(ProposalError::WrongStatus(self.status));
        }
        if review.region != city && !self.districts.contains(&review.region) {
            return Err(ProposalError::NotAReviewer);
        }
        if self.reviews.iter().any(|r| r.region == review.region) {
            return Err(ProposalError::AlreadyReviewed);
        }
        let returned = review.decision == Decision::Return;
        self.reviews.push(review);
        if returned {
            self.status = ProposalStatus::Returned;
        } else if self.pending_reviewers(city).is_empty() {
            self.status = ProposalStatus::Approved;
        }
        Ok(())
    }

    /// Regions whose approval is still missing.
    pub fn pending_reviewers(&self, city: &str) -> Vec<String> {
        std::iter::once(city.to_string())
            .chain(self.districts.iter().cloned())
            .filter(|r| {
                !self
                    .reviews
                    .iter()
                    .any(|x| &x.region == r && x.decision == Decision::Approve)
            })
            .collect()
    }

    /// The city admin approves regardless of missing reviews, with a recorded reason.
    pub fn override_approve(&mut self, reason: &str) -> Result<(), ProposalError> {
        if self.status != ProposalStatus::Submitted {
            return Err(ProposalError::WrongStatus(self.status));
        }
        if reason.trim().is_empty() {
            return Err(ProposalError::ReasonRequired);
        }
        self.override_reason = Some(reason.trim().to_string());
        self.status = ProposalStatus::Approved;
        Ok(())
    }

    /// Marks an approved proposal published; its effective date must not be in the past.
    pub fn publish(&mut self, today: NaiveDate) -> Result<(), ProposalError> {
        if self.status != ProposalStatus::Approved {
            return Err(ProposalError::WrongStatus(self.status));
        }
        if self.effective_from < today {
            return Err(ProposalError::EffectiveInPast);
        }
        self.status = ProposalStatus::Published;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::example::example_item;
    use chrono::TimeZone;

    const CITY: &str = "370200";

    fn proposal(op: Operation) -> Proposal {
        let t = chrono::Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
        Proposal {
            id: "p1".into(),
            operation: op,
            title: "测试".into(),
            reason: String::new(),
            targets: vec![],
            drafts: vec![example_item()],
            effective_from: "2026-12-01".parse().unwrap(),
            districts: vec!["370202".into(), "370203".into()],
            status: ProposalStatus::Draft,
            reviews: vec![],
            override_reason: None,
            created_by: "admin".into(),
            created_at: t,
            updated_at: t,
            revision: 1,
        }
    }

    fn review(region: &str, decision: Decision) -> Review {
        Review {
            reviewer: format!("admin-{region}"),
            region: region.into(),
            decision,
            comment: "意见".into(),
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap(),
        }
    }

    #[test]
    fn approval_needs_the_city_and_every_affected_district() {
        let mut p = proposal(Operation::Add);
        p.submit().unwrap();
        p.review(review(CITY, Decision::Approve), CITY).unwrap();
        p.review(review("370202", Decision::Approve), CITY).unwrap();
        assert_eq!(p.status, ProposalStatus::Submitted);
        assert_eq!(p.pending_reviewers(CITY), vec!["370203".to_string()]);
        assert_eq!(
            p.review(review("370211", Decision::Approve), CITY),
            Err(ProposalError::NotAReviewer)
        );
        assert_eq!(
            p.review(review("370202", Decision::Approve), CITY),
            Err(ProposalError::AlreadyReviewed)
        );
        p.review(review("370203", Decision::Approve), CITY).unwrap();
        assert_eq!(p.status, ProposalStatus::Approved);
        let today: NaiveDate = "2026-12-02".parse().unwrap();
        assert_eq!(p.publish(today), Err(ProposalError::EffectiveInPast));
        p.publish("2026-11-28".parse().unwrap()).unwrap();
        assert_eq!(p.status, ProposalStatus::Published);
    }

    #[test]
    fn one_return_sends_the_proposal_back_and_resubmission_starts_over() {
        let mut p = proposal(Operation::Add);
        p.submit().unwrap();
        p.review(review(CITY, Decision::Approve), CITY).unwrap();
        p.review(review("370203", Decision::Return), CITY).unwrap();
        assert_eq!(p.status, ProposalStatus::Returned);
        assert!(p.editable());
        p.submit().unwrap();
        assert!(p.reviews.is_empty());
        assert_eq!(p.pending_reviewers(CITY).len(), 3);
    }

    #[test]
    fn the_city_admin_may_override_with_a_reason() {
        let mut p = proposal(Operation::Add);
        assert_eq!(
            p.override_approve("急需"),
            Err(ProposalError::WrongStatus(ProposalStatus::Draft))
        );
        p.submit().unwrap();
        assert_eq!(p.override_approve("  "), Err(ProposalError::ReasonRequired));
        p.override_approve("国务院决定立即实施").unwrap();
        assert_eq!(p.status, ProposalStatus::Approved);
    }

    #[test]
    fn operations_need_the_right_shape() {
        let mut p = proposal(Operation::Change);
        assert!(matches!(p.submit(), Err(ProposalError::Shape(_))));
        p.targets = vec![p.drafts[0].code.clone()];
        p.submit().unwrap();
        let mut s = proposal(Operation::Suspend);
        s.targets = vec!["a".into()];
        assert!(matches!(s.check_shape(), Err(ProposalError::Shape(_))));
        s.drafts.clear();
        s.check_shape().unwrap();
        let mut split = proposal(Operation::Split);
        split.targets = vec!["a".into()];
        let mut second = example_item();
        second.code = "000118006000-02".into();
        split.drafts.push(second);
        split.check_shape().unwrap();
    }

    #[test]
    fn invalid_drafts_are_refused_at_submission() {
        let mut p = proposal(Operation::Add);
        p.drafts[0].promised_limit_days = 99;
        match p.submit() {
            Err(ProposalError::InvalidDraft(issues)) => {
                assert_eq!(issues[0].1.code, "ITEM_PROMISED_ABOVE_STATUTORY")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.status, ProposalStatus::Draft);
    }
}

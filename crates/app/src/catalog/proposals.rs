//! Change proposals and joint review (联合审核): create, edit, submit, review, override, publish.
//! Publishing turns a proposal into immutable item versions with its effective date.

use super::read::by_code;
use super::{proposal_error, stale};
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::diff::{FieldChange, diff};
use shenpi_domain::catalog::local::Implementation;
use shenpi_domain::catalog::proposal::{Decision, Operation, Proposal, ProposalStatus, Review};
use shenpi_domain::catalog::version::{ItemState, ItemVersion, effective_on};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::org::Role;
use shenpi_domain::regions::{QINGDAO_CITY, qingdao_districts};
use shenpi_store::Tx;
use shenpi_store::model::Page;

/// What a proposer sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalInput {
    pub operation: Operation,
    pub title: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub drafts: Vec<ServiceItem>,
    pub effective_from: NaiveDate,
}

/// A review decision.
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewInput {
    pub decision: Decision,
    #[serde(default)]
    pub comment: String,
}

/// One item's changes in a proposal.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDiff {
    pub code: String,
    /// `new`, `changed`, `suspended`, `cancelled`.
    pub kind: &'static str,
    pub changes: Vec<FieldChange>,
}

fn touch(p: &mut Proposal, now: chrono::DateTime<chrono::Utc>) -> i64 {
    let expected = p.revision;
    p.revision += 1;
    p.updated_at = now;
    expected
}

/// The region a principal reviews for: the city for the city admin, else their district.
fn reviewer_region(p: &Principal) -> String {
    if p.user.has_role(Role::CityAdmin) {
        QINGDAO_CITY.to_string()
    } else {
        p.user.region_code.clone()
    }
}

impl App {
    async fn load_proposal(&self, tx: &mut Box<dyn Tx>, id: &str) -> Result<Proposal, AppError> {
        tx.proposal(id)
            .await?
            .ok_or_else(|| AppError::rule(ErrorCode::PROPOSAL_NOT_FOUND, json!({"id": id})))
    }

    /// Checks targets exist and draft codes are free; works out the districts that must review.
    async fn shape_against_catalog(&self, input: &ProposalInput) -> Result<Vec<String>, AppError> {
        let today = self.today();
        if input.title.trim().is_empty() || input.title.chars().count() > 200 {
            return Err(AppError::invalid_text(
                "title",
                "TITLE_INVALID",
                "请填写 1–200 字的标题",
                "Give a title of 1–200 characters",
            ));
        }
        if input.effective_from < today {
            return Err(AppError::rule(
                ErrorCode::PROPOSAL_EFFECTIVE_IN_PAST,
                json!({"today": today.to_string()}),
            ));
        }
        if input.drafts.len() > 50 || input.targets.len() > 50 {
            return Err(AppError::invalid_text(
                "drafts",
                "TOO_MANY",
                "一次最多 50 个事项",
                "At most 50 items at a time",
            ));
        }
        let mut tx = self.store.read().await?;
        let catalog = by_code(tx.all_item_versions().await?);
        for t in &input.targets {
            let live = catalog
                .get(t)
                .and_then(|vs| effective_on(vs, today))
                .is_some_and(|v| v.state != ItemState::Cancelled);
            if !live {
                return Err(AppError::rule(
                    ErrorCode::ITEM_NOT_FOUND,
                    json!({"code": t}),
                ));
            }
        }
        for d in &input.drafts {
            let is_target = input.targets.contains(&d.code);
            if catalog.contains_key(&d.code) && !is_target {
                return Err(AppError::rule(
                    ErrorCode::ITEM_EXISTS,
                    json!({"code": d.code}),
                ));
            }
        }
        let mut districts: Vec<String> = vec![];
        for t in &input.targets {
            for i in tx.implementations(Some(t), None).await? {
                districts.push(i.region_code);
            }
        }
        if input.operation == Operation::Add && input.drafts.iter().any(|d| d.district_level) {
            districts.extend(qingdao_districts().iter().map(|(c, _)| c.to_string()));
        }
        districts.sort();
        districts.dedup();
        Ok(districts)
    }

    /// Creates a draft proposal.
    pub async fn create_proposal(
        &self,
        p: &Principal,
        input: ProposalInput,
        meta: &RequestMeta,
    ) -> Result<Proposal, AppError> {
        authorize(p, Action::CatalogPropose, None)?;
        let districts = self.shape_against_catalog(&input).await?;
        let now = self.clock.now();
        let proposal = Proposal {
            id: shenpi_store::new_id(),
            operation: input.operation,
            title: input.title.trim().to_string(),
            reason: input.reason,
            targets: input.targets,
            drafts: input.drafts,
            effective_from: input.effective_from,
            districts,
            status: ProposalStatus::Draft,
            reviews: vec![],
            override_reason: None,
            created_by: p.user.username.clone(),
            created_at: now,
            updated_at: now,
            revision: 1,
        };
        proposal.check_shape().map_err(proposal_error)?;
        let mut tx = self.store.begin().await?;
        tx.insert_proposal(&proposal).await?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "catalog.proposal.create",
            ("proposal", &proposal.id),
            "success",
            json!({"operation": proposal.operation, "targets": proposal.targets,
                   "drafts": proposal.drafts.iter().map(|d| &d.code).collect::<Vec<_>>()}),
        ))
        .await?;
        tx.commit().await?;
        Ok(proposal)
    }

    /// Replaces the contents of a draft or returned proposal (optimistic: `revision` is the one
    /// the editor read).
    pub async fn update_proposal(
        &self,
        p: &Principal,
        id: &str,
        revision: i64,
        input: ProposalInput,
        meta: &RequestMeta,
    ) -> Result<Proposal, AppError> {
        authorize(p, Action::CatalogPropose, None)?;
        let districts = self.shape_against_catalog(&input).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut prop = self.load_proposal(&mut tx, id).await?;
        if prop.revision != revision {
            return Err(AppError::rule(
                ErrorCode::STALE_REVISION,
                json!({"current_revision": prop.revision}),
            ));
        }
        if !prop.editable() {
            return Err(AppError::rule(
                ErrorCode::PROPOSAL_WRONG_STATUS,
                json!({"status": prop.status}),
            ));
        }
        prop.operation = input.operation;
        prop.title = input.title.trim().to_string();
        prop.reason = input.reason;
        prop.targets = input.targets;
        prop.drafts = input.drafts;
        prop.effective_from = input.effective_from;
        prop.districts = districts;
        prop.status = ProposalStatus::Draft;
        prop.check_shape().map_err(proposal_error)?;
        let expected = touch(&mut prop, now);
        tx.update_proposal(&prop, expected).await.map_err(stale)?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "catalog.proposal.update",
            ("proposal", id),
            "success",
            json!({"revision": prop.revision}),
        ))
        .await?;
        tx.commit().await?;
        Ok(prop)
    }

    /// Runs one lifecycle step on a stored proposal in one transaction with its audit entry.
    async fn step(
        &self,
        p: &Principal,
        id: &str,
        action: &str,
        details: serde_json::Value,
        meta: &RequestMeta,
        f: impl FnOnce(&mut Proposal) -> Result<(), AppError>,
    ) -> Result<Proposal, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut prop = self.load_proposal(&mut tx, id).await?;
        f(&mut prop)?;
        let expected = touch(&mut prop, now);
        tx.update_proposal(&prop, expected).await.map_err(stale)?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            action,
            ("proposal", id),
            "success",
            json!({"status": prop.status, "details": details}),
        ))
        .await?;
        tx.commit().await?;
        Ok(prop)
    }

    /// Submits for joint review.
    pub async fn submit_proposal(
        &self,
        p: &Principal,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<Proposal, AppError> {
        authorize(p, Action::CatalogPropose, None)?;
        self.step(p, id, "catalog.proposal.submit", json!({}), meta, |prop| {
            prop.submit().map_err(proposal_error)
        })
        .await
    }

    /// Records the caller's review (the city admin for the city, a region admin for their district).
    pub async fn review_proposal(
        &self,
        p: &Principal,
        id: &str,
        input: ReviewInput,
        meta: &RequestMeta,
    ) -> Result<Proposal, AppError> {
        authorize(p, Action::CatalogReview, None)?;
        if input.decision == Decision::Return && input.comment.trim().is_empty() {
            return Err(AppError::invalid_text(
                "comment",
                "COMMENT_REQUIRED",
                "退回须填写意见",
                "A return needs a comment",
            ));
        }
        let review = Review {
            reviewer: p.user.username.clone(),
            region: reviewer_region(p),
            decision: input.decision,
            comment: input.comment.chars().take(2000).collect(),
            at: self.clock.now(),
        };
        let details = json!({"region": review.region, "decision": review.decision, "comment": review.comment});
        self.step(p, id, "catalog.proposal.review", details, meta, |prop| {
            prop.review(review, QINGDAO_CITY).map_err(proposal_error)
        })
        .await
    }

    /// The city admin approves without the missing reviews, with a recorded reason.
    pub async fn override_proposal(
        &self,
        p: &Principal,
        id: &str,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<Proposal, AppError> {
        authorize(p, Action::CatalogPublish, None)?;
        let details = json!({"reason": reason});
        self.step(p, id, "catalog.proposal.override", details, meta, |prop| {
            prop.override_approve(reason).map_err(proposal_error)
        })
        .await
    }

    /// Publishes an approved proposal: new immutable versions with its effective date.
    pub async fn publish_proposal(
        &self,
        p: &Principal,
        id: &str,
        meta: &RequestMeta,
    ) -> Result<Vec<ItemVersion>, AppError> {
        authorize(p, Action::CatalogPublish, None)?;
        let now = self.clock.now();
        let today = self.today();
        let mut tx = self.store.begin().await?;
        let mut prop = self.load_proposal(&mut tx, id).await?;
        prop.publish(today).map_err(proposal_error)?;
        let mut published = vec![];
        let next = |tx_versions: &[ItemVersion]| {
            tx_versions.iter().map(|v| v.version).max().unwrap_or(0) + 1
        };
        let make = |code: &str, version: u32, state: ItemState, item: ServiceItem| ItemVersion {
            code: code.to_string(),
            version,
            state,
            effective_from: prop.effective_from,
            item,
            proposal_id: prop.id.clone(),
            published_by: p.user.username.clone(),
            published_at: now,
        };
        // Targets that end or pause.
        let ending = match prop.operation {
            Operation::Split | Operation::Merge | Operation::Cancel => Some(ItemState::Cancelled),
            Operation::Suspend => Some(ItemState::Suspended),
            _ => None,
        };
        let mut target_imps: Vec<Implementation> = vec![];
        for t in &prop.targets {
            let versions = tx.item_versions(t).await?;
            let Some(current) = versions.last() else {
                return Err(AppError::rule(
                    ErrorCode::ITEM_NOT_FOUND,
                    json!({"code": t}),
                ));
            };
            target_imps.extend(tx.implementations(Some(t), None).await?);
            let is_redrafted = prop.drafts.iter().any(|d| &d.code == t);
            if let Some(state) = ending.filter(|_| !is_redrafted) {
                published.push(make(t, next(&versions), state, current.item.clone()));
            }
        }
        for d in &prop.drafts {
            let versions = tx.item_versions(&d.code).await?;
            published.push(make(&d.code, next(&versions), ItemState::Active, d.clone()));
            // Districts that implemented a split or merged item implement its successors.
            if matches!(prop.operation, Operation::Split | Operation::Merge) {
                for imp in &target_imps {
                    if tx
                        .implementation(&d.code, &imp.region_code)
                        .await?
                        .is_none()
                    {
                        let mut copy = imp.clone();
                        copy.code = d.code.clone();
                        copy.revision = 1;
                        copy.updated_at = now;
                        copy.imported_key = None;
                        tx.save_implementation(&copy, None).await?;
                    }
                }
            }
        }
        for v in &published {
            tx.insert_item_version(v).await?;
            tx.append_audit(meta.audit(now, QINGDAO_CITY, Some(&p.user), "catalog.version.publish",
                ("item", &v.code), "success",
                json!({"version": v.version, "state": v.state, "effective_from": v.effective_from.to_string(), "proposal": prop.id})))
                .await?;
        }
        let expected = touch(&mut prop, now);
        tx.update_proposal(&prop, expected).await.map_err(stale)?;
        tx.append_audit(meta.audit(
            now,
            QINGDAO_CITY,
            Some(&p.user),
            "catalog.proposal.publish",
            ("proposal", id),
            "success",
            json!({"versions": published.len()}),
        ))
        .await?;
        tx.commit().await?;
        self.catalog_changed().await;
        Ok(published)
    }

    /// A proposal (any staff member with catalog rights may read it).
    pub async fn proposal(&self, p: &Principal, id: &str) -> Result<Proposal, AppError> {
        authorize(p, Action::CatalogReview, None)?;
        let mut tx = self.store.read().await?;
        self.load_proposal(&mut tx, id).await
    }

    /// Proposals, newest first.
    pub async fn proposals(
        &self,
        p: &Principal,
        status: Option<&str>,
        page: i64,
    ) -> Result<Page<Proposal>, AppError> {
        authorize(p, Action::CatalogReview, None)?;
        let mut tx = self.store.read().await?;
        Ok(tx.list_proposals(status, page, 20).await?)
    }

    /// What publishing the proposal would change, item by item, against today's versions.
    pub async fn proposal_diff(&self, p: &Principal, id: &str) -> Result<Vec<ItemDiff>, AppError> {
        let prop = self.proposal(p, id).await?;
        let today = self.today();
        let mut tx = self.store.read().await?;
        let mut out = vec![];
        for d in &prop.drafts {
            let versions = tx.item_versions(&d.code).await?;
            let new = serde_json::to_value(d).map_err(|e| AppError::Internal(e.to_string()))?;
            match effective_on(&versions, today) {
                Some(cur) => {
                    let old = serde_json::to_value(&cur.item)
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    out.push(ItemDiff {
                        code: d.code.clone(),
                        kind: "changed",
                        changes: diff(&old, &new),
                    });
                }
                None => out.push(ItemDiff {
                    code: d.code.clone(),
                    kind: "new",
                    changes: diff(&json!({}), &new),
                }),
            }
        }
        for t in prop
            .targets
            .iter()
            .filter(|t| !prop.drafts.iter().any(|d| &d.code == *t))
        {
            let kind = if prop.operation == Operation::Suspend {
                "suspended"
            } else {
                "cancelled"
            };
            let state = if prop.operation == Operation::Suspend {
                "suspended"
            } else {
                "cancelled"
            };
            out.push(ItemDiff {
                code: t.clone(),
                kind,
                changes: vec![FieldChange {
                    path: "state".into(),
                    old: Some(json!("active")),
                    new: Some(json!(state)),
                }],
            });
        }
        Ok(out)
    }
}

impl App {
    /// Imports items (already parsed and checked by the exchange format) as draft proposals —
    /// a change for every code in force, an add for every new one — all in one transaction:
    /// the file is taken whole or not at all. Nothing is published until the proposals pass
    /// joint review.
    pub async fn import_items(
        &self,
        p: &Principal,
        items: Vec<ServiceItem>,
        effective_from: NaiveDate,
        meta: &RequestMeta,
    ) -> Result<Vec<Proposal>, AppError> {
        authorize(p, Action::CatalogManage, None)?;
        if items.is_empty() {
            return Err(AppError::rule(
                ErrorCode::IMPORT_INVALID,
                json!({"errors": [{"code": "IMPORT_EMPTY",
                "message_zh": "文件中没有事项", "message_en": "The file holds no items"}]}),
            ));
        }
        let today = self.today();
        if effective_from < today {
            return Err(AppError::rule(
                ErrorCode::PROPOSAL_EFFECTIVE_IN_PAST,
                json!({"today": today.to_string()}),
            ));
        }
        let now = self.clock.now();
        let mut proposals = vec![];
        for item in items {
            let exists = {
                let mut tx = self.store.read().await?;
                effective_on(&tx.item_versions(&item.code).await?, today)
                    .is_some_and(|v| v.state != ItemState::Cancelled)
            };
            let input = ProposalInput {
                operation: if exists {
                    Operation::Change
                } else {
                    Operation::Add
                },
                title: format!("导入：{}", item.name),
                reason: "由事项清单文件导入 / imported from a catalog file".into(),
                targets: if exists {
                    vec![item.code.clone()]
                } else {
                    vec![]
                },
                drafts: vec![item],
                effective_from,
            };
            let districts = self.shape_against_catalog(&input).await?;
            let prop = Proposal {
                id: shenpi_store::new_id(),
                operation: input.operation,
                title: input.title,
                reason: input.reason,
                targets: input.targets,
                drafts: input.drafts,
                effective_from,
                districts,
                status: ProposalStatus::Draft,
                reviews: vec![],
                override_reason: None,
                created_by: p.user.username.clone(),
                created_at: now,
                updated_at: now,
                revision: 1,
            };
            prop.check_shape().map_err(proposal_error)?;
            proposals.push(prop);
        }
        let mut tx = self.store.begin().await?;
        for prop in &proposals {
            tx.insert_proposal(prop).await?;
        }
        tx.append_audit(meta.audit(now, QINGDAO_CITY, Some(&p.user), "catalog.import", ("catalog", "import"), "success",
            json!({"proposals": proposals.iter().map(|x| &x.id).collect::<Vec<_>>(),
                   "items": proposals.iter().flat_map(|x| x.drafts.iter().map(|d| &d.code)).collect::<Vec<_>>()})))
            .await?;
        tx.commit().await?;
        Ok(proposals)
    }

    /// The city standards in force (for export).
    pub async fn export_items(&self) -> Result<Vec<ServiceItem>, AppError> {
        Ok(self
            .effective_catalog(QINGDAO_CITY)
            .await?
            .into_iter()
            .filter(|e| e.version.state == ItemState::Active)
            .map(|e| e.version.item)
            .collect())
    }
}

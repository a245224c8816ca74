//! One licence for the city (一照通城): an enterprise's account — its legal representative,
//! signed in with the electronic business licence — authorises agents (办事人), who apply in the
//! enterprise's name, and certificate managers (证照管理员), who hold and show its
//! certificates. Every certificate of an enterprise hangs on its USCC: one page, one API for
//! authorised partner systems, and the source of e-certificate materials (免证办).

use serde_json::json;
use shenpi_domain::error::ErrorCode;
use shenpi_store::model::{EnterpriseGrant, Page};

use super::Certificate;
use crate::partners::SignedRequest;
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};

/// Agent (办事人): applies for the enterprise.
pub const AGENT: &str = "agent";
/// Certificate manager (证照管理员): holds and shows the enterprise's certificates.
pub const CERT_MANAGER: &str = "cert_manager";

/// The Chinese name of a grant role.
pub fn role_zh(role: &str) -> &'static str {
    match role {
        AGENT => "办事人",
        CERT_MANAGER => "证照管理员",
        _ => "未知角色",
    }
}

fn not_authorised(uscc: &str) -> AppError {
    AppError::rule(ErrorCode::ENTERPRISE_NOT_AUTHORISED, json!({"uscc": uscc}))
}

impl App {
    /// The enterprises `p` may act for in `role`: their own (an enterprise's account may do
    /// everything) and those that granted them the role.
    pub async fn enterprises_of(&self, p: &Principal, role: &str) -> Result<Vec<String>, AppError> {
        let mut out: Vec<String> = p.user.uscc.iter().cloned().collect();
        let mut tx = self.store.read().await?;
        for g in tx.grants_of_user(&p.user.username).await? {
            if g.role == role && !out.contains(&g.uscc) {
                out.push(g.uscc);
            }
        }
        Ok(out)
    }

    /// Whether `p` may act for `uscc` in `role`.
    pub async fn may_act_for(
        &self,
        p: &Principal,
        uscc: &str,
        role: &str,
    ) -> Result<bool, AppError> {
        Ok(self
            .enterprises_of(p, role)
            .await?
            .iter()
            .any(|u| u == uscc))
    }

    /// Checks that the enterprise named on an application (`form.uscc`) is the applicant's own
    /// or one that made them its agent.
    pub(crate) async fn check_acts_for(
        &self,
        p: &Principal,
        form: &serde_json::Value,
    ) -> Result<(), AppError> {
        let Some(uscc) = form.get("uscc").and_then(|u| u.as_str()) else {
            return Ok(());
        };
        let uscc = uscc.trim();
        if uscc.is_empty() || self.may_act_for(p, uscc, AGENT).await? {
            return Ok(());
        }
        Err(not_authorised(uscc))
    }

    /// The enterprise's own account, holding a valid e-business licence of it, grants `role`
    /// to the account `username` (a registered person). Audited.
    pub async fn grant_enterprise_role(
        &self,
        p: &Principal,
        uscc: &str,
        username: &str,
        role: &str,
        meta: &RequestMeta,
    ) -> Result<EnterpriseGrant, AppError> {
        self.check_legal_representative(p, uscc).await?;
        let refused = || {
            AppError::rule(
                ErrorCode::ENTERPRISE_GRANT_REFUSED,
                json!({"username": username, "role": role}),
            )
        };
        if role != AGENT && role != CERT_MANAGER {
            return Err(refused());
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let grantee = tx
            .user_by_username(username.trim())
            .await?
            .filter(|u| u.id_number.is_some() && u.uscc.is_none() && !u.disabled)
            .ok_or_else(refused)?;
        let g = EnterpriseGrant {
            uscc: uscc.to_owned(),
            username: grantee.username.clone(),
            role: role.to_owned(),
            region_code: p.user.region_code.clone(),
            granted_by: p.user.username.clone(),
            granted_at: now,
            revoked_at: None,
        };
        tx.upsert_enterprise_grant(&g).await?;
        tx.append_audit(meta.audit(
            now,
            &p.user.region_code,
            Some(&p.user),
            "enterprise.grant",
            ("enterprise", uscc),
            "success",
            json!({"username": g.username, "role": role}),
        ))
        .await?;
        tx.commit().await?;
        Ok(g)
    }

    /// Revokes a grant; audited.
    pub async fn revoke_enterprise_role(
        &self,
        p: &Principal,
        uscc: &str,
        username: &str,
        role: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        self.check_legal_representative(p, uscc).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx
            .revoke_enterprise_grant(uscc, username, role, now)
            .await?
        {
            return Err(AppError::NotFound("grant".into()));
        }
        tx.append_audit(meta.audit(
            now,
            &p.user.region_code,
            Some(&p.user),
            "enterprise.revoke",
            ("enterprise", uscc),
            "success",
            json!({"username": username, "role": role}),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Only the enterprise's own account, with a valid e-business licence, manages its grants.
    async fn check_legal_representative(&self, p: &Principal, uscc: &str) -> Result<(), AppError> {
        authorize(p, Action::CertHold, None)?;
        if p.user.uscc.as_deref() != Some(uscc) {
            return Err(not_authorised(uscc));
        }
        let today = self.today();
        let mut tx = self.store.read().await?;
        let licensed = tx
            .certificates_of_holder(uscc)
            .await?
            .into_iter()
            .filter(|c| c.type_code == "e-business-licence")
            .filter_map(|c| Certificate::of(c).ok())
            .any(|c| c.status_on(today) == shenpi_domain::certificate::CertStatus::Valid);
        if !licensed {
            return Err(not_authorised(uscc));
        }
        Ok(())
    }

    /// The grants of an enterprise, for its own account or staff.
    pub async fn enterprise_grants_for(
        &self,
        p: &Principal,
        uscc: &str,
    ) -> Result<Vec<EnterpriseGrant>, AppError> {
        let own = p.user.uscc.as_deref() == Some(uscc);
        if !own && authorize(p, Action::StaffRead, None).is_err() {
            return Err(not_authorised(uscc));
        }
        let mut tx = self.store.read().await?;
        Ok(tx.enterprise_grants(uscc).await?)
    }

    /// Every certificate of an enterprise (every version, newest first), for its own account,
    /// its certificate managers and staff.
    pub async fn enterprise_certificates(
        &self,
        p: &Principal,
        uscc: &str,
    ) -> Result<Vec<Certificate>, AppError> {
        let allowed = self.may_act_for(p, uscc, CERT_MANAGER).await?
            || authorize(p, Action::StaffRead, None).is_ok();
        if !allowed {
            return Err(not_authorised(uscc));
        }
        self.certificates_of(uscc).await
    }

    /// A page of the certificates of an enterprise (every version, newest first; pages from
    /// 1, at most 200 a page), for a partner system's signed request.
    pub async fn enterprise_certificates_for_partner(
        &self,
        req: &SignedRequest<'_>,
        uscc: &str,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Certificate>, AppError> {
        let partner = self.authenticate_partner(req).await?;
        let list = {
            let mut tx = self.store.read().await?;
            tx.certificates_of_holder_page(uscc, page, per_page)
                .await?
                .try_map(Certificate::of)?
        };
        let mut tx = self.store.begin().await?;
        tx.append_audit(RequestMeta::cli().audit(
            self.clock.now(),
            shenpi_domain::regions::QINGDAO_CITY,
            None,
            "enterprise.certificates.partner",
            ("enterprise", uscc),
            "success",
            json!({"partner": partner.key, "count": list.items.len(), "page": list.page,
                   "total": list.total}),
        ))
        .await?;
        tx.commit().await?;
        Ok(list)
    }

    pub(crate) async fn certificates_of(&self, holder: &str) -> Result<Vec<Certificate>, AppError> {
        let mut tx = self.store.read().await?;
        tx.certificates_of_holder(holder)
            .await?
            .into_iter()
            .map(Certificate::of)
            .collect()
    }
}

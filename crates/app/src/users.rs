//! Account administration: create, list, lock and unlock accounts.
//!
//! System administration (the city admin) creates accounts; security administration locks and
//! unlocks them and clears lockouts; no account holds two administrator roles (三权分立).
//! Administrator accounts are created with the command line only, which enrols their TOTP.

use crate::auth::check_username;
use crate::passwords::hash_password_async;
use crate::policy::{Action, authorize, default_region_filter};
use crate::{App, AppError, Principal, RequestMeta, totp};
use serde::Deserialize;
use serde_json::json;
use shenpi_domain::org::{Role, check_separation_of_duties};
use shenpi_domain::password::check_password_policy;
use shenpi_domain::validate::{IdNumber, Mobile};
use shenpi_store::model::{AccountKind, Page, SecurityAlert, User};

/// A new staff account.
#[derive(Debug, Clone, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<Role>,
    pub region_code: String,
    pub department_id: Option<String>,
    pub mobile: Option<String>,
    pub id_number: Option<String>,
}

/// What creating an account returns: the account and, for administrators, the TOTP URI.
#[derive(Debug, Clone)]
pub struct Created {
    pub user: User,
    pub otpauth_uri: Option<String>,
}

impl App {
    /// Validates and builds a staff account record.
    async fn build_staff(&self, n: &NewUser) -> Result<User, AppError> {
        let username = n.username.trim().to_lowercase();
        check_username(&username)?;
        check_separation_of_duties(&n.roles)
            .map_err(|e| AppError::SeparationOfDuties(e.to_string()))?;
        if n.roles.iter().any(|r| r.is_applicant()) {
            return Err(AppError::invalid_text(
                "roles",
                "ROLE_APPLICANT",
                "申请人账号请通过注册创建",
                "Applicant accounts are created by registration",
            ));
        }
        let name = n.display_name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(AppError::invalid_text(
                "display_name",
                "NAME_INVALID",
                "请填写 1–50 个字的姓名",
                "Give a name of 1–50 characters",
            ));
        }
        check_password_policy(&n.password).map_err(AppError::Password)?;
        let mobile = n
            .mobile
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|m| Mobile::parse(m).map_err(|e| AppError::invalid("mobile", e)))
            .transpose()?;
        let id_number = n
            .id_number
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|m| IdNumber::parse(m).map_err(|e| AppError::invalid("id_number", e)))
            .transpose()?;
        {
            let mut tx = self.store.read().await?;
            let regions = tx.list_regions().await?;
            if !regions.iter().any(|r| r.code == n.region_code) {
                return Err(AppError::invalid_text(
                    "region_code",
                    "REGION_NOT_SERVED",
                    "该区划不在本平台服务范围内",
                    "The platform does not serve that region",
                ));
            }
            if let Some(d) = &n.department_id {
                match tx.department(d).await? {
                    Some(dep) if dep.region_code == n.region_code => {}
                    _ => {
                        return Err(AppError::invalid_text(
                            "department_id",
                            "DEPARTMENT_INVALID",
                            "部门不存在或不属于该区划",
                            "No such department in that region",
                        ));
                    }
                }
            }
        }
        let now = self.clock.now();
        Ok(User {
            id: shenpi_store::new_id(),
            username,
            display_name: name.to_string(),
            kind: AccountKind::Staff,
            roles: n.roles.clone(),
            region_code: n.region_code.clone(),
            department_id: n.department_id.clone(),
            password_hash: hash_password_async(n.password.clone()).await?,
            id_number: id_number.map(|i| i.as_str().to_string()),
            mobile: mobile.map(|m| m.as_str().to_string()),
            uscc: None,
            enterprise_name: None,
            disabled: false,
            totp_secret: None,
            totp_enabled: false,
            totp_exempt: false,
            created_at: now,
            password_changed_at: now,
            totp_last_step: 0,
        })
    }

    async fn insert_new_user(
        &self,
        user: &User,
        actor: Option<&User>,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        match tx.insert_user(user).await {
            Err(shenpi_store::StoreError::Conflict(_)) => return Err(AppError::UsernameTaken),
            r => r?,
        }
        let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
        tx.append_audit(meta.audit(
            self.clock.now(),
            &user.region_code,
            actor,
            "user.create",
            ("user", &user.id),
            "success",
            json!({"username": user.username, "roles": roles}),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a staff account through the API (city admin; region admins for their region,
    /// without administrator roles).
    pub async fn create_user(
        &self,
        p: &Principal,
        n: NewUser,
        meta: &RequestMeta,
    ) -> Result<User, AppError> {
        authorize(p, Action::UserCreate, Some(&n.region_code))?;
        let privileged = n
            .roles
            .iter()
            .any(|r| r.is_admin_of_three() || matches!(r, Role::RegionAdmin | Role::DataSteward));
        if n.roles.iter().any(|r| r.is_admin_of_three()) {
            return Err(AppError::Forbidden(
                "administrator accounts are created with `shenpi user add`".into(),
            ));
        }
        if privileged && !p.user.has_role(Role::CityAdmin) {
            return Err(AppError::Forbidden(Action::UserCreate.as_str().into()));
        }
        let user = self.build_staff(&n).await?;
        self.insert_new_user(&user, Some(&p.user), meta).await?;
        Ok(user)
    }

    /// Creates an account from the command line (system operator). Administrator roles get a
    /// TOTP secret enrolled at once; the URI is returned to hand to the person.
    pub async fn create_user_cli(&self, n: NewUser) -> Result<Created, AppError> {
        let mut user = self.build_staff(&n).await?;
        let mut uri = None;
        if user.roles.iter().any(|r| r.is_admin_of_three()) {
            let mut raw = [0u8; 20];
            getrandom::fill(&mut raw).map_err(|e| AppError::Internal(e.to_string()))?;
            let secret = totp::base32_encode(&raw);
            uri = Some(totp::otpauth_uri(&secret, &user.username));
            user.totp_secret = Some(secret);
            user.totp_enabled = true;
        }
        self.insert_new_user(&user, None, &RequestMeta::cli())
            .await?;
        Ok(Created {
            user,
            otpauth_uri: uri,
        })
    }

    /// Lists accounts the caller may see.
    pub async fn list_users(
        &self,
        p: &Principal,
        region: Option<&str>,
        page: i64,
    ) -> Result<Page<User>, AppError> {
        let scope = default_region_filter(p);
        let region = region.map(str::to_string).or(scope);
        authorize(p, Action::UserList, region.as_deref())?;
        let mut tx = self.store.read().await?;
        Ok(tx.list_users(region.as_deref(), page, 20).await?)
    }

    /// Lists every account (command line).
    pub async fn list_users_cli(&self) -> Result<Vec<User>, AppError> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_users(None, 1, 200).await?.items)
    }

    /// Locks (disables) or unlocks an account; unlocking also clears lockouts. `p` is None for
    /// the command line.
    pub async fn set_locked(
        &self,
        p: Option<&Principal>,
        username: &str,
        locked: bool,
        meta: &RequestMeta,
    ) -> Result<User, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_by_username(username)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        if let Some(p) = p {
            authorize(p, Action::UserLockUnlock, Some(&user.region_code))?;
            if p.user.id == user.id {
                return Err(AppError::Forbidden("cannot lock oneself".into()));
            }
        }
        user.disabled = locked;
        tx.update_user(&user).await?;
        let (action, cleared) = if locked {
            tx.delete_user_sessions(&user.id, None).await?;
            ("user.lock", 0)
        } else {
            (
                "user.unlock",
                tx.clear_login_failures(&user.username, None).await?,
            )
        };
        tx.append_audit(meta.audit(
            now,
            &user.region_code,
            p.map(|p| &p.user),
            action,
            ("user", &user.id),
            "success",
            json!({"failures_cleared": cleared}),
        ))
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Security alerts, newest first.
    pub async fn alerts(&self, p: &Principal) -> Result<Vec<SecurityAlert>, AppError> {
        authorize(p, Action::SecurityAlerts, None)?;
        let mut tx = self.store.read().await?;
        let alerts = tx.list_alerts(500).await?;
        Ok(alerts
            .into_iter()
            .filter(|a| {
                let region = a
                    .details
                    .get("region")
                    .and_then(|r| r.as_str())
                    .unwrap_or(shenpi_domain::regions::QINGDAO_CITY);
                crate::policy::in_region_scope(p, region)
            })
            .take(100)
            .collect())
    }
}

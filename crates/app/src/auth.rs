//! Sign-in (登录), sessions, lockout, TOTP second factor, password change and
//! self-registration of citizens and enterprises.
//!
//! Rules: 5 failed sign-ins from one client address lock the account for that address for
//! 15 minutes (failures from several addresses raise a security alert); staff sessions expire
//! after 15 idle minutes, applicant sessions after 30; signing out ends the session on the
//! server; a password change ends the user's other sessions; the three administrator roles
//! must use TOTP unless the account was created by `shenpi demo`.

use crate::passwords::{hash_password_async, random_hex, verify_password_async};
use crate::{App, AppError, Principal, RequestMeta, totp};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shenpi_domain::lockout::locked_until;
use shenpi_domain::org::Role;
use shenpi_domain::password::check_password_policy;
use shenpi_domain::regions::QINGDAO_CITY;
use shenpi_domain::validate::{IdNumber, Mobile, Uscc};
use shenpi_store::audit::sm3_hex;
use shenpi_store::model::{AccountKind, LoginFailure, SecurityAlert, Session, User};

/// Sign-in input.
#[derive(Debug, Clone, Deserialize)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    pub totp: Option<String>,
}

/// A new session: the secret token is returned once and never stored.
#[derive(Debug, Clone, Serialize)]
pub struct LoginOutcome {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// The channel a session is used through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Browser pages (cookie + CSRF token).
    Page,
    /// The JSON API (bearer token).
    Api,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Channel::Page => "page",
            Channel::Api => "api",
        }
    }
}

/// Self-registration input (citizens and enterprises).
#[derive(Debug, Clone, Deserialize)]
pub struct RegisterInput {
    pub username: String,
    pub password: String,
    /// `citizen` or `enterprise`.
    pub kind: String,
    /// Real name of the person.
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    pub uscc: Option<String>,
    pub enterprise_name: Option<String>,
}

/// Checks the form of a username: 3–32 of `a-z 0-9 - _ .`.
pub fn check_username(username: &str) -> Result<(), AppError> {
    let ok = (3..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid_text(
            "username",
            "USERNAME_INVALID",
            "用户名须为 3–32 位小写字母、数字或 - _ .",
            "A username is 3–32 characters of lower-case letters, digits, '-', '_' or '.'",
        ))
    }
}

impl App {
    fn idle_minutes(&self, user: &User) -> i64 {
        if user.kind == AccountKind::Staff {
            self.settings.idle_minutes_staff
        } else {
            self.settings.idle_minutes_applicant
        }
    }

    /// Whether `user` must give a TOTP code at sign-in.
    pub fn totp_required(user: &User) -> bool {
        user.totp_enabled || (user.roles.iter().any(|r| r.is_admin_of_three()) && !user.totp_exempt)
    }

    /// Signs in with username, password and (where required) a TOTP code.
    ///
    /// Attempts for one (username, address) are serialised: each attempt first records itself
    /// as a failure under a lock and only then checks the password, so parallel guesses cannot
    /// get past the lockout. A successful sign-in clears that address's failures.
    pub async fn login(
        &self,
        input: LoginInput,
        channel: Channel,
        meta: &RequestMeta,
    ) -> Result<LoginOutcome, AppError> {
        let now = self.clock.now();
        let username = input.username.trim().to_lowercase();
        if username.is_empty()
            || username.chars().count() > 64
            || input.password.chars().count() > 256
        {
            return Err(AppError::InvalidCredentials);
        }
        let window = Duration::minutes(self.settings.lockout_minutes);
        let user = {
            let mut tx = self.store.read().await?;
            tx.user_by_username(&username).await?
        };
        let region = user
            .as_ref()
            .map(|u| u.region_code.clone())
            .unwrap_or_else(|| QINGDAO_CITY.to_string());
        // Unknown usernames are audited by a hash: a password typed into the username field must
        // not end up in the immutable log.
        let object_id = match &user {
            Some(u) => u.id.clone(),
            None => format!("unknown:{}", &sm3_hex(username.as_bytes())[..16]),
        };
        let audit_obj = ("user", object_id.as_str());

        // Step 1: under the per-key lock, refuse if locked, else record this attempt.
        let mut tx = self.store.begin().await?;
        tx.lock_login_key(&username, &meta.client_ip).await?;
        let recent: Vec<_> = tx
            .login_failures_since(&username, Some(&meta.client_ip), now - window * 2)
            .await?
            .into_iter()
            .map(|f| f.at)
            .collect();
        if let Some(until) = locked_until(&recent, self.settings.lockout_failures, window, now) {
            let d = meta.audit(
                now,
                &region,
                user.as_ref(),
                "auth.login",
                audit_obj,
                "denied",
                json!({"reason": "locked", "locked_until": until.to_rfc3339()}),
            );
            tx.append_audit(d).await?;
            tx.commit().await?;
            return Err(AppError::AccountLocked { until });
        }
        tx.record_login_failure(&LoginFailure {
            username: username.clone(),
            client_ip: meta.client_ip.clone(),
            at: now,
        })
        .await?;
        tx.prune_login_failures(now - Duration::days(1)).await?;
        tx.commit().await?;

        // Step 2: the expensive checks, outside any transaction.
        let password_ok = match &user {
            Some(u) => verify_password_async(input.password.clone(), u.password_hash.clone()).await,
            None => {
                // Spend comparable time for unknown users, so timing does not reveal them.
                let _ = verify_password_async(input.password.clone(), DUMMY_HASH.into()).await;
                false
            }
        };
        let user = match (user, password_ok) {
            (Some(u), true) => u,
            (u, _) => {
                self.failed_attempt(
                    &username,
                    &region,
                    u.as_ref(),
                    audit_obj,
                    meta,
                    now,
                    "bad_password",
                )
                .await?;
                return Err(AppError::InvalidCredentials);
            }
        };
        if user.disabled {
            self.failed_attempt(
                &username,
                &region,
                Some(&user),
                audit_obj,
                meta,
                now,
                "disabled",
            )
            .await?;
            return Err(AppError::AccountDisabled);
        }
        let mut totp_step = None;
        if Self::totp_required(&user) {
            let Some(secret) = user.totp_secret.as_deref().filter(|_| user.totp_enabled) else {
                self.forget_attempt(&username, meta, now).await?;
                return Err(AppError::TotpNotEnrolled);
            };
            let Some(code) = input.totp.as_deref().filter(|c| !c.trim().is_empty()) else {
                // A missing code is not a guess: the attempt does not count.
                self.forget_attempt(&username, meta, now).await?;
                return Err(AppError::TotpRequired);
            };
            match totp::verify_step(secret, code, now.timestamp()) {
                Some(step) if step > user.totp_last_step => totp_step = Some(step),
                _ => {
                    self.failed_attempt(
                        &username,
                        &region,
                        Some(&user),
                        audit_obj,
                        meta,
                        now,
                        "bad_totp",
                    )
                    .await?;
                    return Err(AppError::TotpInvalid);
                }
            }
        }

        // Step 3: success.
        let token = random_hex(32)?;
        let csrf_token = random_hex(16)?;
        let expires_at = now + Duration::minutes(self.idle_minutes(&user));
        let session = Session {
            token_hash: sm3_hex(token.as_bytes()),
            user_id: user.id.clone(),
            channel: channel.as_str().into(),
            csrf_token: csrf_token.clone(),
            client_ip: meta.client_ip.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at,
        };
        let mut tx = self.store.begin().await?;
        tx.clear_login_failures(&username, Some(&meta.client_ip))
            .await?;
        let mut user = user;
        if let Some(step) = totp_step {
            // Re-read under the write lock so two sign-ins cannot both use one code.
            let fresh = tx
                .user_by_id(&user.id)
                .await?
                .ok_or(AppError::InvalidCredentials)?;
            if step <= fresh.totp_last_step {
                return Err(AppError::TotpInvalid);
            }
            user = fresh;
            user.totp_last_step = step;
            tx.update_user(&user).await?;
        }
        tx.insert_session(&session).await?;
        tx.append_audit(meta.audit(
            now,
            &region,
            Some(&user),
            "auth.login",
            audit_obj,
            "success",
            json!({"channel": channel.as_str(), "totp": Self::totp_required(&user)}),
        ))
        .await?;
        tx.commit().await?;
        Ok(LoginOutcome {
            token,
            csrf_token,
            expires_at,
            user,
        })
    }

    /// Removes the failure recorded for an attempt that turned out not to be a guess.
    async fn forget_attempt(
        &self,
        username: &str,
        meta: &RequestMeta,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let mut tx = self.store.begin().await?;
        tx.lock_login_key(username, &meta.client_ip).await?;
        tx.delete_login_failure_at(username, &meta.client_ip, at)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Audits a failed attempt (its failure row is already recorded) and raises an alert when
    /// failures come from many addresses.
    #[allow(clippy::too_many_arguments)]
    async fn failed_attempt(
        &self,
        username: &str,
        region: &str,
        user: Option<&User>,
        audit_obj: (&str, &str),
        meta: &RequestMeta,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), AppError> {
        let window = now - Duration::minutes(self.settings.lockout_minutes);
        let mut tx = self.store.begin().await?;
        tx.append_audit(meta.audit(
            now,
            region,
            user,
            "auth.login",
            audit_obj,
            "failure",
            json!({"reason": reason}),
        ))
        .await?;
        let recent = tx.login_failures_since(username, None, window).await?;
        let mut addresses: Vec<&str> = recent.iter().map(|f| f.client_ip.as_str()).collect();
        addresses.sort_unstable();
        addresses.dedup();
        let new_address = recent
            .iter()
            .filter(|f| f.client_ip == meta.client_ip)
            .count()
            == 1;
        if new_address && addresses.len() == self.settings.alert_addresses {
            let alert = SecurityAlert {
                id: shenpi_store::new_id(),
                kind: "login.failures_from_many_addresses".into(),
                subject: username.to_string(),
                details: json!({"addresses": addresses, "failures": recent.len(), "region": region}),
                at: now,
            };
            tx.insert_alert(&alert).await?;
            tx.append_audit(meta.audit(
                now,
                region,
                None,
                "security.alert",
                audit_obj,
                "success",
                json!({"kind": alert.kind, "addresses": addresses.len()}),
            ))
            .await?;
            tracing::warn!(alert = %alert.kind, "security alert raised");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Resolves a session token into a principal, enforcing the idle timeout.
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AppError> {
        let now = self.clock.now();
        let hash = sm3_hex(token.as_bytes());
        // Read before the session, so that a change committed meanwhile makes this stale.
        let generation = self.store.identity_generation();
        if let Some(p) = self.principals.get(&hash, generation, now) {
            return Ok(p);
        }
        let (session, user) = {
            let mut tx = self.store.read().await?;
            let Some(s) = tx.session_by_hash(&hash).await? else {
                return Err(AppError::Unauthenticated);
            };
            let u = tx.user_by_id(&s.user_id).await?;
            (s, u)
        };
        let Some(user) = user.filter(|u| !u.disabled) else {
            let mut tx = self.store.begin().await?;
            tx.delete_session(&hash).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        };
        if session.expires_at <= now {
            let mut tx = self.store.begin().await?;
            tx.delete_session(&hash).await?;
            tx.append_audit(
                RequestMeta {
                    client_ip: session.client_ip.clone(),
                    trace_id: None,
                }
                .audit(
                    now,
                    &user.region_code,
                    Some(&user),
                    "auth.session_expired",
                    ("session", &hash[..16]),
                    "success",
                    json!({}),
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(AppError::SessionExpired);
        }
        // Touch at most once a minute, so reads do not turn into writes on every request.
        let (mut last_seen_at, mut expires_at) = (session.last_seen_at, session.expires_at);
        if now - session.last_seen_at >= Duration::seconds(60) {
            let mut tx = self.store.begin().await?;
            (last_seen_at, expires_at) = (now, now + Duration::minutes(self.idle_minutes(&user)));
            tx.touch_session(&hash, last_seen_at, expires_at).await?;
            tx.commit().await?;
        }
        let p = Principal {
            user,
            session_hash: hash,
            csrf_token: session.csrf_token,
        };
        self.principals
            .put(&p, generation, expires_at, last_seen_at);
        Ok(p)
    }

    /// Ends the caller's session on the server.
    pub async fn logout(&self, p: &Principal, meta: &RequestMeta) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.delete_session(&p.session_hash).await?;
        tx.append_audit(meta.audit(
            now,
            &p.user.region_code,
            Some(&p.user),
            "auth.logout",
            ("user", &p.user.id),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        self.principals.forget(&p.session_hash);
        Ok(())
    }

    /// Changes the caller's password and ends their other sessions.
    pub async fn change_password(
        &self,
        p: &Principal,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        if !verify_password_async(current.to_string(), p.user.password_hash.clone()).await {
            return Err(AppError::invalid_text(
                "current_password",
                "PASSWORD_WRONG",
                "当前密码不正确",
                "The current password is wrong",
            ));
        }
        check_password_policy(new).map_err(AppError::Password)?;
        if new == current {
            return Err(AppError::invalid_text(
                "new_password",
                "PASSWORD_UNCHANGED",
                "新密码不能与当前密码相同",
                "The new password must differ from the current one",
            ));
        }
        let hash = hash_password_async(new.to_string()).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_by_id(&p.user.id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        user.password_hash = hash;
        user.password_changed_at = now;
        tx.update_user(&user).await?;
        let ended = tx
            .delete_user_sessions(&user.id, Some(&p.session_hash))
            .await?;
        tx.append_audit(meta.audit(
            now,
            &user.region_code,
            Some(&user),
            "auth.password_change",
            ("user", &user.id),
            "success",
            json!({"other_sessions_ended": ended}),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts TOTP enrolment: stores a new secret (not yet required) and returns the otpauth URI.
    pub async fn totp_begin(&self, p: &Principal, meta: &RequestMeta) -> Result<String, AppError> {
        let mut raw = [0u8; 20];
        getrandom::fill(&mut raw).map_err(|e| AppError::Internal(e.to_string()))?;
        let secret = totp::base32_encode(&raw);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_by_id(&p.user.id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        if user.totp_enabled {
            return Err(AppError::Conflict("TOTP already enabled".into()));
        }
        user.totp_secret = Some(secret.clone());
        tx.update_user(&user).await?;
        tx.append_audit(meta.audit(
            now,
            &user.region_code,
            Some(&user),
            "auth.totp_begin",
            ("user", &user.id),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        Ok(totp::otpauth_uri(&secret, &user.username))
    }

    /// Confirms TOTP enrolment with a code; from then on sign-in requires a code.
    pub async fn totp_confirm(
        &self,
        p: &Principal,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .user_by_id(&p.user.id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        let Some(secret) = user.totp_secret.clone() else {
            return Err(AppError::TotpNotEnrolled);
        };
        if user.totp_enabled {
            return Err(AppError::Conflict("TOTP already enabled".into()));
        }
        let Some(step) = totp::verify_step(&secret, code, now.timestamp()) else {
            return Err(AppError::TotpInvalid);
        };
        user.totp_enabled = true;
        user.totp_last_step = step;
        tx.update_user(&user).await?;
        tx.append_audit(meta.audit(
            now,
            &user.region_code,
            Some(&user),
            "auth.totp_confirm",
            ("user", &user.id),
            "success",
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Self-registration of a citizen or an enterprise representative. The ID number and USCC
    /// are checked for form here; the real-name check against the public-security and
    /// market-regulation registries plugs in through the data-source adapter (rules issue).
    pub async fn register(
        &self,
        input: RegisterInput,
        meta: &RequestMeta,
    ) -> Result<User, AppError> {
        let username = input.username.trim().to_lowercase();
        check_username(&username)?;
        let kind = match input.kind.as_str() {
            "citizen" => AccountKind::Citizen,
            "enterprise" => AccountKind::Enterprise,
            _ => {
                return Err(AppError::invalid_text(
                    "kind",
                    "KIND_INVALID",
                    "账号类型须为 citizen（个人）或 enterprise（企业）",
                    "kind must be citizen or enterprise",
                ));
            }
        };
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(AppError::invalid_text(
                "name",
                "NAME_INVALID",
                "请填写 1–50 个字的真实姓名",
                "Give your real name, 1–50 characters",
            ));
        }
        let id =
            IdNumber::parse(&input.id_number).map_err(|e| AppError::invalid("id_number", e))?;
        let mobile = Mobile::parse(&input.mobile).map_err(|e| AppError::invalid("mobile", e))?;
        check_password_policy(&input.password).map_err(AppError::Password)?;
        self.verify_real_name(id.as_str(), name, meta).await?;
        let (uscc, enterprise_name, region) = if kind == AccountKind::Enterprise {
            let uscc = Uscc::parse(input.uscc.as_deref().unwrap_or(""))
                .map_err(|e| AppError::invalid("uscc", e))?;
            let ename = input
                .enterprise_name
                .as_deref()
                .map(str::trim)
                .unwrap_or("");
            if ename.is_empty() || ename.chars().count() > 100 {
                return Err(AppError::invalid_text(
                    "enterprise_name",
                    "NAME_INVALID",
                    "请填写企业名称（不超过 100 字）",
                    "Give the enterprise name (at most 100 characters)",
                ));
            }
            let region = qingdao_region_or_city(uscc.area_code());
            (
                Some(uscc.as_str().to_string()),
                Some(ename.to_string()),
                region,
            )
        } else {
            (None, None, qingdao_region_or_city(id.region_code()))
        };
        let hash = hash_password_async(input.password.clone()).await?;
        let now = self.clock.now();
        let user = User {
            id: shenpi_store::new_id(),
            username,
            display_name: name.to_string(),
            kind,
            roles: vec![if kind == AccountKind::Enterprise {
                Role::Enterprise
            } else {
                Role::Citizen
            }],
            region_code: region,
            department_id: None,
            password_hash: hash,
            id_number: Some(id.as_str().to_string()),
            mobile: Some(mobile.as_str().to_string()),
            uscc,
            enterprise_name,
            disabled: false,
            totp_secret: None,
            totp_enabled: false,
            totp_exempt: false,
            created_at: now,
            password_changed_at: now,
            totp_last_step: 0,
        };
        let mut tx = self.store.begin().await?;
        match tx.insert_user(&user).await {
            Err(shenpi_store::StoreError::Conflict(_)) => return Err(AppError::UsernameTaken),
            r => r?,
        }
        tx.append_audit(meta.audit(
            now,
            &user.region_code,
            Some(&user),
            "user.register",
            ("user", &user.id),
            "success",
            json!({"kind": kind.as_str()}),
        ))
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}

/// The Qingdao district of an area code, or the city itself when it is elsewhere.
fn qingdao_region_or_city(area: &str) -> String {
    if shenpi_domain::regions::qingdao_districts()
        .iter()
        .any(|(c, _)| *c == area)
    {
        area.to_string()
    } else {
        QINGDAO_CITY.to_string()
    }
}

/// A valid argon2id hash of a random password, verified against for unknown usernames.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hlbnBpZHVtbXlzYWx0$0n7AxQy7sWjEpS0b9jLZ7ZyjW1v6Xl0mQ3q1bq2Vb8Q";

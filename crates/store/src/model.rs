//! Records kept by the store. Timestamps are UTC (`DateTime<Utc>`); calendar dates are local
//! (Asia/Shanghai) `NaiveDate`s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shenpi_domain::org::Role;

/// The kind of account: staff, citizen or enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A government official.
    Staff,
    /// A natural person (自然人).
    Citizen,
    /// An enterprise (法人) represented by this account.
    Enterprise,
}

impl AccountKind {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Staff => "staff",
            AccountKind::Citizen => "citizen",
            AccountKind::Enterprise => "enterprise",
        }
    }
    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "staff" => Some(AccountKind::Staff),
            "citizen" => Some(AccountKind::Citizen),
            "enterprise" => Some(AccountKind::Enterprise),
            _ => None,
        }
    }
}

/// An account (用户账号). Secrets (the password hash, the TOTP secret) are never serialised
/// and never printed by `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub kind: AccountKind,
    pub roles: Vec<Role>,
    /// The region the account belongs to (370200 for city level).
    pub region_code: String,
    /// The department, for staff.
    pub department_id: Option<String>,
    /// argon2id PHC string.
    #[serde(skip_serializing, default)]
    pub password_hash: String,
    /// Resident ID number (citizens, and enterprise representatives).
    pub id_number: Option<String>,
    pub mobile: Option<String>,
    /// The enterprise's USCC, for enterprise accounts.
    pub uscc: Option<String>,
    pub enterprise_name: Option<String>,
    /// Disabled by an administrator (distinct from the automatic per-address lockout).
    pub disabled: bool,
    /// Base32 TOTP secret once enrolment has started.
    #[serde(skip_serializing, default)]
    pub totp_secret: Option<String>,
    /// Whether the TOTP second factor is confirmed and required at sign-in.
    pub totp_enabled: bool,
    /// Exempt from the admin TOTP requirement: only accounts created by `shenpi demo`.
    pub totp_exempt: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
    /// The last accepted TOTP time step: a code is never accepted twice (RFC 6238 §5.2).
    #[serde(default)]
    pub totp_last_step: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("kind", &self.kind)
            .field("roles", &self.roles)
            .field("region_code", &self.region_code)
            .field("disabled", &self.disabled)
            .field("totp_enabled", &self.totp_enabled)
            .finish_non_exhaustive()
    }
}

impl User {
    /// Whether the account holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A server-side session (会话), for a page cookie or an API bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// SM3 hash (hex) of the secret token; the token itself is never stored.
    pub token_hash: String,
    pub user_id: String,
    /// `page` (cookie) or `api` (bearer).
    pub channel: String,
    pub csrf_token: String,
    pub client_ip: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Idle expiry: moved forward on each use.
    pub expires_at: DateTime<Utc>,
}

/// A region (行政区划) the platform serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    /// The parent region (the city for districts), `None` for the city.
    pub parent: Option<String>,
}

/// A department (部门) of a region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    pub id: String,
    pub region_code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A service window (服务窗口) in a hall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceWindow {
    pub id: String,
    pub region_code: String,
    pub department_id: String,
    pub number: String,
    pub name: String,
}

/// A failed sign-in, kept for the lockout rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginFailure {
    pub username: String,
    pub client_ip: String,
    pub at: DateTime<Utc>,
}

/// A security alert (安全告警) for the security admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityAlert {
    pub id: String,
    pub kind: String,
    pub subject: String,
    pub details: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// What a caller asks to be audited; the store adds the chain fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditDraft {
    /// The chain the entry goes into (the region of the object, or of the actor).
    pub region_code: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    /// Dotted action name, e.g. `auth.login`, `user.create`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub client_ip: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    pub details: serde_json::Value,
    pub trace_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// An entry of the append-only audit log (审计日志), one SM3 chain per region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub region_code: String,
    /// Position in the region's chain, from 1.
    pub chain_seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub client_ip: Option<String>,
    pub outcome: String,
    pub details: serde_json::Value,
    pub trace_id: Option<String>,
    /// Hex SM3 of the previous entry in the chain (64 zeros for the first).
    pub prev_hash: String,
    /// Hex SM3(prev ‖ canonical JSON of this entry).
    pub hash: String,
}

/// The head of one region's audit chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainHead {
    pub region_code: String,
    pub last_seq: i64,
    pub last_hash: String,
}

/// A filter for listing audit entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub region_code: Option<String>,
    pub actor_id: Option<String>,
    pub action_prefix: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The same page with each item turned into another, or the first error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        })
    }
}

/// An uploaded material file (申请材料文件); the bytes live in the blob store under `blob_key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaterialFile {
    pub id: String,
    pub owner_id: String,
    pub region_code: String,
    /// The name the uploader gave (display only; the kind comes from the content).
    pub name: String,
    /// `pdf`, `jpeg`, `png` or `ofd`.
    pub kind: String,
    pub size: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub blob_key: String,
    pub created_at: DateTime<Utc>,
}

/// A case as stored: the indexed columns and the JSON document the application owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCase {
    pub id: String,
    pub number: String,
    pub region_code: String,
    pub item_code: String,
    pub item_version: i64,
    pub applicant_id: String,
    pub status: String,
    pub idempotency_key: String,
    pub json: String,
    pub revision: i64,
    pub submitted_at: DateTime<Utc>,
    /// When the case's process next needs waking (its earliest due workflow timer), if ever.
    #[serde(default)]
    pub wake_at: Option<DateTime<Utc>>,
}

/// A task (待办) a person acts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub case_id: String,
    pub region_code: String,
    /// The process step, e.g. `accept`, `review`.
    pub step: String,
    pub name: String,
    pub candidate_role: String,
    pub assignee: Option<String>,
    /// `open` or `completed`.
    pub status: String,
    pub outcome: Option<String>,
    pub opinion: Option<String>,
    pub completed_by: Option<String>,
    /// The day the step should be done by (Asia/Shanghai), for sorting by remaining time.
    pub due_on: Option<chrono::NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub revision: i64,
    /// The workflow engine's task id, for tasks of a BPMN process.
    #[serde(default)]
    pub engine_task: Option<i64>,
    /// 委派: who delegated the task (it returns to them when the delegate resolves it).
    #[serde(default)]
    pub owner: Option<String>,
    /// `step` (a process step) or `cosign` (加签: a colleague's opinion before the step ends).
    #[serde(default = "step_kind")]
    pub kind: String,
    /// The task whose completion opened this one, or for a co-signer the task that asked.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// 部门: the department whose staff handle the task (e.g. `370202-jtj`); `None` for every
    /// department of the region (acceptance at the comprehensive window, older tasks).
    #[serde(default)]
    pub department_id: Option<String>,
}

fn step_kind() -> String {
    "step".into()
}

/// 抄送: a copy of a case sent to a colleague for information.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskCopy {
    pub id: String,
    pub task_id: String,
    pub case_id: String,
    pub recipient: String,
    pub sent_by: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A message in the platform (站内通知) for a user (`recipient` = username) or everyone of a
/// role in a region (`role:<role>@<region>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub recipient: String,
    pub case_id: Option<String>,
    /// e.g. `sla_yellow`, `sla_red`, `statutory_overdue`, `supplement`, `decision`.
    pub kind: String,
    /// Set for messages that must be sent at most once (one warning per threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub once_key: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A department's electronic seal key (电子印章, SM2). `secret` is the private key (hex).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SealKeyRecord {
    pub key_id: String,
    pub region_code: String,
    pub department: String,
    /// SEC1 uncompressed public key, hex.
    pub public_key: String,
    #[serde(skip_serializing, default)]
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for SealKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealKeyRecord")
            .field("key_id", &self.key_id)
            .field("region_code", &self.region_code)
            .field("department", &self.department)
            .finish_non_exhaustive()
    }
}

/// An application draft (草稿) kept for its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    pub owner_id: String,
    pub item_code: String,
    pub region_code: String,
    /// The draft's content: situation, form, materials (JSON).
    pub json: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub revision: i64,
}

/// A published process version (BPMN XML).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessVersion {
    pub key: String,
    pub version: i64,
    pub xml: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A stored version of a business rule (业务规则): the JDM document and its test cases as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleVersion {
    pub key: String,
    pub version: i64,
    pub name: String,
    /// What the rule serves: `acceptance`, `review`, `routing`, `fee`, `auto_approval`.
    pub purpose: String,
    pub document: String,
    pub tests: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A record of a shared-data registry served by the platform (共享数据源): its fields as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistryRecord {
    /// `enterprise`, `person`, `expert` or `project`.
    pub kind: String,
    pub key: String,
    pub region_code: String,
    pub name: String,
    pub data: String,
    pub updated_at: DateTime<Utc>,
}

/// A stored calendar year (JSON in the domain's calendar file format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCalendarYear {
    pub year: i32,
    pub json: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

/// A bundle configuration (联办), a JSON document of `shenpi_domain::bundle::Bundle`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredBundle {
    pub code: String,
    pub json: String,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// A bundle case (联办件): one application for the items of a bundle; its sub-cases are cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredBundleCase {
    pub id: String,
    pub number: String,
    pub bundle_code: String,
    pub applicant_id: String,
    pub region_code: String,
    pub idempotency_key: String,
    pub json: String,
    pub created_at: DateTime<Utc>,
}

/// A partner system (合作单位: a utility company, another government system): a registered
/// client of the open platform. `secret` is the HMAC-SHA256 key both sides hold (hex).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    /// Slug used in bundle configurations, e.g. `water-supply`.
    pub key: String,
    pub name: String,
    pub app_key: String,
    #[serde(skip_serializing, default)]
    pub secret: String,
    /// Where its part of a bundle is delivered (`None`: deliveries wait).
    pub webhook_url: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for Partner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partner")
            .field("key", &self.key)
            .field("app_key", &self.app_key)
            .field("secret", &"***")
            .finish()
    }
}

/// A webhook delivery to a partner (the outbox): at-least-once, retried with backoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub partner_key: String,
    /// e.g. `subcase.assigned`, `subcase.supplemented`.
    pub event: String,
    pub case_id: String,
    /// Unique: the same event is queued once; the partner sees it as `X-Shenpi-Delivery`.
    pub idempotency_key: String,
    pub body: String,
    /// `pending`, `delivered` or `failed` (gave up).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    /// Claimed by a node until then.
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// What one round of engine steps writes (see [`crate::repo::BatchRepo`]).
#[derive(Debug, Clone, Default)]
pub struct StepBatch {
    /// Cases stored for the first time.
    pub new_cases: Vec<StoredCase>,
    /// Cases changed, each with the revision it was read at.
    pub cases: Vec<(StoredCase, i64)>,
    /// Task rows opened.
    pub new_tasks: Vec<Task>,
    /// Task rows changed (closed), each with the revision it was read at.
    pub tasks: Vec<(Task, i64)>,
    /// Audit entries, chained in this order within each region.
    pub audit: Vec<AuditDraft>,
    /// Outbox rows; one whose idempotency key exists already is skipped.
    pub deliveries: Vec<Delivery>,
}

impl StepBatch {
    /// Whether the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.new_cases.is_empty()
            && self.cases.is_empty()
            && self.new_tasks.is_empty()
            && self.tasks.is_empty()
            && self.audit.is_empty()
            && self.deliveries.is_empty()
    }
}

/// An imported business-scope catalogue (经营范围规范表述目录), one row per version: the
/// checked entries as a JSON document. The newest version is the one in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeCatalogVersion {
    /// 1, 2, … in import order.
    pub version: i64,
    /// The version label the file carries, e.g. `2026-01`.
    pub label: String,
    /// The imported file's name.
    pub source: String,
    /// Number of entries.
    pub entries: i64,
    /// The entries as JSON (`domain::registration::scope::Catalogue`).
    pub json: String,
    /// Hex SHA-256 of the imported file.
    pub sha256: String,
    pub imported_by: String,
    pub imported_at: DateTime<Utc>,
}

/// A key that signs certificates and show tokens (证照签名密钥), shared by every node.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CertKeyRecord {
    /// Key id: 16 hex digits of SM3 over the algorithm tag and the public key.
    pub kid: String,
    /// `SM2` or `Ed25519`.
    pub alg: String,
    /// The raw public key, hex (SM2: SEC1 uncompressed; Ed25519: 32 bytes).
    pub public_key: String,
    /// The secret sealed under the master key, hex; None when held outside the database.
    #[serde(skip_serializing, default)]
    pub sealed_secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    pub active: bool,
}

impl std::fmt::Debug for CertKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertKeyRecord")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// One version of an electronic certificate (电子证照), as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateRecord {
    pub id: String,
    /// The GB/T 36904 identifier (证照标识) of this version.
    pub identifier: String,
    /// 流水号, shared by every version of the certificate.
    pub serial: String,
    pub version: i64,
    /// The certificate type's code in the platform's catalogue.
    pub type_code: String,
    /// USCC of an enterprise or ID number of a person.
    pub holder_id: String,
    pub holder_name: String,
    pub region_code: String,
    /// The case that issued it (None for certificates loaded from elsewhere).
    pub case_id: Option<String>,
    /// The identifier of the version this one replaces.
    pub previous: Option<String>,
    /// `valid`, `expired`, `revoked`, `cancelled`, `withdrawn`, `transferred`, `superseded`.
    pub status: String,
    pub status_reason: String,
    pub status_at: DateTime<Utc>,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    pub valid_until: Option<String>,
    /// The structured data, signature and key id, as JSON.
    pub data: String,
    pub issued_at: DateTime<Utc>,
    pub revision: i64,
}

/// A use of a certificate by authorised staff (用证记录).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertUsage {
    pub id: String,
    pub certificate_id: String,
    pub region_code: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    pub actor_name: String,
    pub department: String,
    pub purpose: String,
}

/// An expiry reminder of a certificate version at one threshold (无感提醒), with its deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertReminder {
    pub identifier: String,
    /// Days before expiry.
    pub threshold: i64,
    pub region_code: String,
    pub holder_id: String,
    /// The certificate's last day (`YYYY-MM-DD`).
    pub valid_until: String,
    pub created_at: DateTime<Utc>,
    /// JSON list of `{channel, status, at, detail}`.
    pub deliveries: String,
}

/// A grant of an enterprise to an account (一照通城): `agent` (办事人) or `cert_manager`
/// (证照管理员).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseGrant {
    pub uscc: String,
    pub username: String,
    pub role: String,
    pub region_code: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A proactive case (无感审批): an offer to update or renew a certificate, waiting for its holder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProactiveCase {
    pub id: String,
    /// The certificate version it concerns.
    pub identifier: String,
    /// `change` (a registry change) or `renewal` (a coming expiry).
    pub kind: String,
    pub holder_id: String,
    pub region_code: String,
    /// `offered`, `confirmed` (done, with the new version) or `declined`.
    pub status: String,
    /// JSON: what changed, the pre-filled values, the new version once confirmed.
    pub data: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub revision: i64,
}

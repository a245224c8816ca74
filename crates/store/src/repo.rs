//! The store and its unit of work.
//!
//! A [`Tx`] is one database transaction. Use cases open one with [`Store::begin`], make their
//! changes and append their audit entries through it, then [`Tx::commit`]. Dropping a `Tx`
//! without committing rolls everything back. [`Store::read`] opens a read-only transaction.
//! The capability traits below are what a `Tx` can do; each engine implements them all.

use crate::model::*;
use crate::{BlobStore, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use shenpi_domain::catalog::local::Implementation;
use shenpi_domain::catalog::proposal::Proposal;
use shenpi_domain::catalog::version::ItemVersion;
use std::path::Path;
use std::sync::Arc;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one SQLite file in the data dir.
    Sqlite,
    /// The production store.
    Postgres,
}

/// A database: opens units of work.
#[async_trait]
pub trait Store: Send + Sync {
    /// The engine behind this store.
    fn engine(&self) -> Engine;
    /// Opens a read-write transaction.
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// Opens a read-only transaction (must not write).
    async fn read(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// A number that grows after every committed change to accounts or sessions made through
    /// this store (a user updated, a session ended), so that what was read before can be
    /// known stale. Changes by other processes are not counted.
    fn identity_generation(&self) -> u64;
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Applies pending migrations; returns how many were applied.
    async fn migrate(&self) -> Result<usize, StoreError>;
    /// The blob store that goes with this database.
    fn blobs(&self) -> Arc<dyn BlobStore>;
    /// A consistent online copy of the database to `dest` (SQLite only; PostgreSQL uses pg_dump).
    async fn backup_to(&self, dest: &Path) -> Result<(), StoreError>;
}

/// One transaction with every capability.
#[async_trait]
pub trait Tx:
    Send
    + UserRepo
    + SessionRepo
    + OrgRepo
    + AuditRepo
    + SecurityRepo
    + CalendarRepo
    + CatalogRepo
    + MaterialRepo
    + CaseRepo
    + TaskRepo
    + WorkbenchRepo
    + SealRepo
    + ProcessRepo
    + BundleRepo
    + PartnerRepo
    + BatchRepo
    + RuleRepo
    + RegistryRepo
    + ScopeCatalogRepo
    + CertRepo
{
    /// Commits all changes of this unit of work.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Accounts.
#[async_trait]
pub trait UserRepo {
    /// Inserts a new user; a taken username is a `Conflict`.
    async fn insert_user(&mut self, user: &User) -> Result<(), StoreError>;
    /// Replaces a user's mutable fields.
    async fn update_user(&mut self, user: &User) -> Result<(), StoreError>;
    async fn user_by_id(&mut self, id: &str) -> Result<Option<User>, StoreError>;
    async fn user_by_username(&mut self, username: &str) -> Result<Option<User>, StoreError>;
    /// Users ordered by username; `region` filters by region code.
    async fn list_users(
        &mut self,
        region: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<User>, StoreError>;
    async fn count_users(&mut self) -> Result<i64, StoreError>;
}

/// Server-side sessions.
#[async_trait]
pub trait SessionRepo {
    async fn insert_session(&mut self, s: &Session) -> Result<(), StoreError>;
    async fn session_by_hash(&mut self, token_hash: &str) -> Result<Option<Session>, StoreError>;
    /// Moves the idle expiry forward.
    async fn touch_session(
        &mut self,
        token_hash: &str,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn delete_session(&mut self, token_hash: &str) -> Result<bool, StoreError>;
    /// Ends every session of a user except `keep` (e.g. after a password change).
    async fn delete_user_sessions(
        &mut self,
        user_id: &str,
        keep: Option<&str>,
    ) -> Result<u64, StoreError>;
    async fn count_user_sessions(&mut self, user_id: &str) -> Result<i64, StoreError>;
}

/// Regions, departments and service windows.
#[async_trait]
pub trait OrgRepo {
    async fn upsert_region(&mut self, r: &Region) -> Result<(), StoreError>;
    async fn list_regions(&mut self) -> Result<Vec<Region>, StoreError>;
    async fn upsert_department(&mut self, d: &Department) -> Result<(), StoreError>;
    async fn list_departments(
        &mut self,
        region: Option<&str>,
    ) -> Result<Vec<Department>, StoreError>;
    async fn department(&mut self, id: &str) -> Result<Option<Department>, StoreError>;
    async fn upsert_window(&mut self, w: &ServiceWindow) -> Result<(), StoreError>;
    async fn list_windows(
        &mut self,
        region: Option<&str>,
    ) -> Result<Vec<ServiceWindow>, StoreError>;
}

/// The append-only audit log.
#[async_trait]
pub trait AuditRepo {
    /// Chains and appends one entry in this transaction.
    async fn append_audit(&mut self, draft: AuditDraft) -> Result<AuditEntry, StoreError>;
    /// Newest first.
    async fn list_audit(
        &mut self,
        filter: &AuditFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<AuditEntry>, StoreError>;
    /// Every region that has a chain head or entries.
    async fn audit_regions(&mut self) -> Result<Vec<String>, StoreError>;
    /// One region's entries in chain order, and its head.
    async fn audit_chain(
        &mut self,
        region: &str,
    ) -> Result<(Vec<AuditEntry>, Option<ChainHead>), StoreError>;
}

/// Lockout counters and security alerts.
#[async_trait]
pub trait SecurityRepo {
    async fn record_login_failure(&mut self, f: &LoginFailure) -> Result<(), StoreError>;
    /// Failures for `username` since `since`, optionally from one address only.
    async fn login_failures_since(
        &mut self,
        username: &str,
        client_ip: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<LoginFailure>, StoreError>;
    /// Forgets the failures of a user (on unlock or successful sign-in from that address).
    async fn clear_login_failures(
        &mut self,
        username: &str,
        client_ip: Option<&str>,
    ) -> Result<u64, StoreError>;
    /// Serialises sign-in attempts for one (username, address) until the transaction ends
    /// (a row lock on PostgreSQL; SQLite's single writer does it already).
    async fn lock_login_key(&mut self, username: &str, client_ip: &str) -> Result<(), StoreError>;
    /// Forgets one recorded failure (an attempt that turned out not to be a guess).
    async fn delete_login_failure_at(
        &mut self,
        username: &str,
        client_ip: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Forgets failures older than `before`.
    async fn prune_login_failures(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    async fn insert_alert(&mut self, a: &SecurityAlert) -> Result<(), StoreError>;
    async fn list_alerts(&mut self, limit: i64) -> Result<Vec<SecurityAlert>, StoreError>;
}

/// Working-day calendar years loaded by the admin (built-in years live in the domain).
#[async_trait]
pub trait CalendarRepo {
    async fn upsert_calendar_year(&mut self, y: &StoredCalendarYear) -> Result<(), StoreError>;
    async fn list_calendar_years(&mut self) -> Result<Vec<StoredCalendarYear>, StoreError>;
}

/// The service-item catalog: published versions, district implementations, proposals.
#[async_trait]
pub trait CatalogRepo {
    /// Stores a published version (immutable; a duplicate (code, version) is a `Conflict`).
    async fn insert_item_version(&mut self, v: &ItemVersion) -> Result<(), StoreError>;
    /// Every version of an item, oldest first.
    async fn item_versions(&mut self, code: &str) -> Result<Vec<ItemVersion>, StoreError>;
    /// The numbers of an item's versions, oldest first (no version is read).
    async fn item_version_numbers(&mut self, code: &str) -> Result<Vec<u32>, StoreError>;
    /// Every version of every item, by code then version (the catalog is small: ≤ 10k items).
    async fn all_item_versions(&mut self) -> Result<Vec<ItemVersion>, StoreError>;
    /// Inserts or replaces an implementation. `expected_revision` = the revision the caller
    /// read (None for a new claim); a mismatch is a `Conflict`.
    async fn save_implementation(
        &mut self,
        i: &Implementation,
        expected_revision: Option<i64>,
    ) -> Result<(), StoreError>;
    async fn implementation(
        &mut self,
        code: &str,
        region: &str,
    ) -> Result<Option<Implementation>, StoreError>;
    /// Implementations, optionally of one item and/or one region.
    async fn implementations(
        &mut self,
        code: Option<&str>,
        region: Option<&str>,
    ) -> Result<Vec<Implementation>, StoreError>;
    /// Inserts a proposal.
    async fn insert_proposal(&mut self, p: &Proposal) -> Result<(), StoreError>;
    /// Replaces a proposal if its stored revision is `expected_revision` (else `Conflict`).
    async fn update_proposal(
        &mut self,
        p: &Proposal,
        expected_revision: i64,
    ) -> Result<(), StoreError>;
    async fn proposal(&mut self, id: &str) -> Result<Option<Proposal>, StoreError>;
    /// Proposals, newest first, optionally by status.
    async fn list_proposals(
        &mut self,
        status: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Proposal>, StoreError>;
}

/// Uploaded material files.
#[async_trait]
pub trait MaterialRepo {
    async fn insert_material_file(&mut self, f: &MaterialFile) -> Result<(), StoreError>;
    async fn material_file(&mut self, id: &str) -> Result<Option<MaterialFile>, StoreError>;
}

/// Cases (办件), stored as JSON documents of the application's case record.
#[async_trait]
pub trait CaseRepo {
    /// The next number of the daily sequence of a region (1, 2, 3 …), in this transaction.
    async fn next_case_seq(&mut self, region: &str, day: &str) -> Result<u32, StoreError>;
    /// Inserts a case; a repeated (applicant, idempotency key) is a `Conflict`.
    async fn insert_case(&mut self, c: &StoredCase) -> Result<(), StoreError>;
    /// Replaces a case if its stored revision is `expected_revision` (else `Conflict`).
    async fn update_case(
        &mut self,
        c: &StoredCase,
        expected_revision: i64,
    ) -> Result<(), StoreError>;
    async fn case_by_id(&mut self, id: &str) -> Result<Option<StoredCase>, StoreError>;
    async fn case_by_number(&mut self, number: &str) -> Result<Option<StoredCase>, StoreError>;
    async fn case_by_idempotency(
        &mut self,
        applicant: &str,
        key: &str,
    ) -> Result<Option<StoredCase>, StoreError>;
    /// Cases not yet decided (submitted, awaiting supplement, under review, special procedure),
    /// optionally of one region, oldest first.
    async fn open_cases(
        &mut self,
        region: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredCase>, StoreError>;
    /// Claims up to `limit` cases whose `wake_at` has come and that no node holds, until
    /// `lease_until`; returns their ids, earliest first (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
    /// Storing the case again (`update_case`) sets its next `wake_at` and frees the lease.
    async fn claim_wakeups(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<String>, StoreError>;
    /// An applicant's cases, newest first.
    async fn cases_of(
        &mut self,
        applicant: &str,
        page: i64,
        per_page: i64,
    ) -> Result<Page<StoredCase>, StoreError>;
}

/// Tasks (待办) of people.
#[async_trait]
pub trait TaskRepo {
    async fn insert_task(&mut self, t: &Task) -> Result<(), StoreError>;
    /// Replaces a task if its stored revision is `expected_revision` (else `Conflict`).
    async fn update_task(&mut self, t: &Task, expected_revision: i64) -> Result<(), StoreError>;
    async fn task(&mut self, id: &str) -> Result<Option<Task>, StoreError>;
    /// Open tasks for any of `roles`, optionally in one region and, with `department`, only
    /// the tasks of that department (部门) or of none; oldest first.
    async fn open_tasks(
        &mut self,
        roles: &[String],
        region: Option<&str>,
        department: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Task>, StoreError>;
    async fn tasks_of_case(&mut self, case_id: &str) -> Result<Vec<Task>, StoreError>;
    /// The open tasks of a case (the steps it waits on), oldest first.
    async fn open_tasks_of_case(&mut self, case_id: &str) -> Result<Vec<Task>, StoreError>;
    /// Tasks a user completed (已办), newest first.
    async fn tasks_completed_by(
        &mut self,
        username: &str,
        limit: i64,
    ) -> Result<Vec<Task>, StoreError>;
}

/// The workbench around tasks: assigned tasks, copies (抄送), notifications, drafts.
#[async_trait]
pub trait WorkbenchRepo {
    /// Open tasks assigned to `username` (claimed, transferred, delegated or co-signing).
    async fn open_tasks_assigned(
        &mut self,
        username: &str,
        limit: i64,
    ) -> Result<Vec<Task>, StoreError>;
    /// Tasks opened by (or co-signing for) `parent_id`.
    async fn child_tasks(&mut self, parent_id: &str) -> Result<Vec<Task>, StoreError>;
    /// Stores a copy; sending the same task to the same person again is a no-op (`false`).
    async fn insert_copy(&mut self, c: &TaskCopy) -> Result<bool, StoreError>;
    /// Copies sent to `recipient`, newest first.
    async fn copies_for(
        &mut self,
        recipient: &str,
        limit: i64,
    ) -> Result<Vec<TaskCopy>, StoreError>;
    async fn mark_copy_read(
        &mut self,
        id: &str,
        recipient: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Stores a notification; one whose `once_key` exists already is dropped (`false`).
    async fn insert_notification(&mut self, n: &Notification) -> Result<bool, StoreError>;
    /// Notifications for any of `recipients`, newest first, with `read_at` as `reader` read
    /// them (each member of a role pool reads a pool notification on their own).
    async fn notifications_for(
        &mut self,
        reader: &str,
        recipients: &[String],
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError>;
    /// Marks notification `id` (addressed to one of `recipients`) read by `reader`; `false` if
    /// there is no such notification or `reader` read it already.
    async fn mark_notification_read(
        &mut self,
        id: &str,
        reader: &str,
        recipients: &[String],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn insert_draft(&mut self, d: &Draft) -> Result<(), StoreError>;
    /// Replaces a draft if its stored revision is `expected_revision` (else `Conflict`).
    async fn update_draft(&mut self, d: &Draft, expected_revision: i64) -> Result<(), StoreError>;
    async fn draft(&mut self, id: &str) -> Result<Option<Draft>, StoreError>;
    async fn drafts_of(&mut self, owner_id: &str, limit: i64) -> Result<Vec<Draft>, StoreError>;
    async fn delete_draft(&mut self, id: &str) -> Result<bool, StoreError>;
}

/// Partner systems, their nonces and reports, and the webhook outbox.
#[async_trait]
pub trait PartnerRepo {
    /// A taken key or app key is a `Conflict`.
    async fn insert_partner(&mut self, p: &Partner) -> Result<(), StoreError>;
    async fn update_partner(&mut self, p: &Partner) -> Result<(), StoreError>;
    async fn partner(&mut self, key: &str) -> Result<Option<Partner>, StoreError>;
    async fn partner_by_app_key(&mut self, app_key: &str) -> Result<Option<Partner>, StoreError>;
    async fn partners(&mut self) -> Result<Vec<Partner>, StoreError>;
    /// Records a request nonce; `false` when it was used already (a replay).
    async fn use_nonce(
        &mut self,
        app_key: &str,
        nonce: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Forgets nonces used before `before` (older requests are refused by their timestamp).
    async fn prune_nonces(&mut self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Records an applied report; `false` when the partner's idempotency key was seen.
    async fn record_partner_event(
        &mut self,
        partner_key: &str,
        idempotency_key: &str,
        case_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Queues a delivery; `false` when its idempotency key is queued already.
    async fn insert_delivery(&mut self, d: &Delivery) -> Result<bool, StoreError>;
    /// Claims up to `limit` pending deliveries due at `now` that no node holds, until
    /// `lease_until` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so nodes never claim the same one).
    async fn claim_deliveries(
        &mut self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError>;
    async fn update_delivery(&mut self, d: &Delivery) -> Result<(), StoreError>;
    /// A partner's deliveries, newest first.
    async fn deliveries_of(
        &mut self,
        partner_key: &str,
        limit: i64,
    ) -> Result<Vec<Delivery>, StoreError>;
}

/// Bundles (联办) and bundle cases.
#[async_trait]
pub trait BundleRepo {
    /// Creates (`expected_revision` None; an existing code is a `Conflict`) or replaces a
    /// bundle at its stored revision (else `Conflict`).
    async fn upsert_bundle(
        &mut self,
        b: &StoredBundle,
        expected_revision: Option<i64>,
    ) -> Result<(), StoreError>;
    async fn bundle(&mut self, code: &str) -> Result<Option<StoredBundle>, StoreError>;
    /// Every bundle, by code.
    async fn bundles(&mut self) -> Result<Vec<StoredBundle>, StoreError>;
    /// Inserts a bundle case; a repeated (applicant, idempotency key) is a `Conflict`.
    async fn insert_bundle_case(&mut self, c: &StoredBundleCase) -> Result<(), StoreError>;
    async fn bundle_case(&mut self, id: &str) -> Result<Option<StoredBundleCase>, StoreError>;
    async fn bundle_case_by_idempotency(
        &mut self,
        applicant_id: &str,
        key: &str,
    ) -> Result<Option<StoredBundleCase>, StoreError>;
    /// An applicant's bundle cases, newest first.
    async fn bundle_cases_of(
        &mut self,
        applicant_id: &str,
        limit: i64,
    ) -> Result<Vec<StoredBundleCase>, StoreError>;
}

/// Electronic seal keys.
#[async_trait]
pub trait SealRepo {
    /// The active key of a region.
    async fn active_seal_key(&mut self, region: &str) -> Result<Option<SealKeyRecord>, StoreError>;
    /// Stores a new active key; `false` when the region has one already (another node won).
    async fn insert_seal_key(&mut self, k: &SealKeyRecord) -> Result<bool, StoreError>;
    /// Any key, active or retired, by id.
    async fn seal_key(&mut self, key_id: &str) -> Result<Option<SealKeyRecord>, StoreError>;
    /// Every key (for the public key list).
    async fn seal_keys(&mut self) -> Result<Vec<SealKeyRecord>, StoreError>;
}

/// Published BPMN processes.
#[async_trait]
pub trait ProcessRepo {
    /// Stores a new version; a duplicate (key, version) is a `Conflict`.
    async fn insert_process(&mut self, p: &ProcessVersion) -> Result<(), StoreError>;
    /// The newest version of a process.
    async fn latest_process(&mut self, key: &str) -> Result<Option<ProcessVersion>, StoreError>;
    async fn process_version(
        &mut self,
        key: &str,
        version: i64,
    ) -> Result<Option<ProcessVersion>, StoreError>;
    /// Every stored version, by key, newest version first.
    async fn list_processes(&mut self) -> Result<Vec<ProcessVersion>, StoreError>;
}

/// Group commit (批量写入): what a round of engine steps over many cases writes, in a few
/// multi-row statements instead of one statement per row. The durable benchmark uses it; the
/// result is the same as calling the single-row methods one by one, in the order of the fields.
#[async_trait]
pub trait BatchRepo {
    /// Writes `batch`. A case or task whose revision moved meanwhile fails the whole batch with
    /// `Conflict` (the caller rolls the transaction back). Each case and task appears at most
    /// once per batch (one step per case and round).
    async fn write_batch(&mut self, batch: StepBatch) -> Result<(), StoreError>;
}

/// Business rules, versioned.
#[async_trait]
pub trait RuleRepo {
    /// Stores a new version (`Conflict` if that version exists).
    async fn insert_rule(&mut self, r: &RuleVersion) -> Result<(), StoreError>;
    /// The newest version of a rule.
    async fn latest_rule(&mut self, key: &str) -> Result<Option<RuleVersion>, StoreError>;
    /// The newest version of every rule, by key.
    async fn rules(&mut self) -> Result<Vec<RuleVersion>, StoreError>;
}

/// Shared-data registries served by the platform (demo registries, imported copies).
#[async_trait]
pub trait RegistryRepo {
    /// Inserts records, replacing any with the same (kind, key).
    async fn upsert_registry_records(&mut self, rs: &[RegistryRecord]) -> Result<(), StoreError>;
    async fn registry_record(
        &mut self,
        kind: &str,
        key: &str,
    ) -> Result<Option<RegistryRecord>, StoreError>;
    async fn count_registry_records(&mut self, kind: &str) -> Result<i64, StoreError>;
    /// Records of `kind` whose name contains `fragment`, by name, at most `limit`.
    async fn registry_records_named(
        &mut self,
        kind: &str,
        fragment: &str,
        limit: i64,
    ) -> Result<Vec<RegistryRecord>, StoreError>;
}

/// Imported business-scope catalogues, versioned.
#[async_trait]
pub trait ScopeCatalogRepo {
    /// Stores a new version (`Conflict` if that version exists).
    async fn insert_scope_catalog(&mut self, c: &ScopeCatalogVersion) -> Result<(), StoreError>;
    /// The newest version, if any was imported.
    async fn latest_scope_catalog(&mut self) -> Result<Option<ScopeCatalogVersion>, StoreError>;
}

/// Electronic certificates (电子证照), their signing keys and usage records.
#[async_trait]
pub trait CertRepo {
    /// Stores a key; when `k.active`, every other key is retired at `k.created_at` first.
    async fn insert_cert_key(&mut self, k: &CertKeyRecord) -> Result<(), StoreError>;
    /// Every key, oldest first.
    async fn cert_keys(&mut self) -> Result<Vec<CertKeyRecord>, StoreError>;
    /// A new certificate version; a taken identifier is a `Conflict`.
    async fn insert_certificate(&mut self, c: &CertificateRecord) -> Result<(), StoreError>;
    /// Replaces a certificate if its stored revision is `expected_revision` (else `Conflict`).
    async fn update_certificate(
        &mut self,
        c: &CertificateRecord,
        expected_revision: i64,
    ) -> Result<(), StoreError>;
    async fn certificate(
        &mut self,
        identifier: &str,
    ) -> Result<Option<CertificateRecord>, StoreError>;
    /// Every certificate version of a holder, newest first.
    async fn certificates_of_holder(
        &mut self,
        holder_id: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError>;
    /// A page of [`CertRepo::certificates_of_holder`] (pages from 1; at most 200 a page), with
    /// the holder's total.
    async fn certificates_of_holder_page(
        &mut self,
        holder_id: &str,
        page: i64,
        per_page: i64,
    ) -> Result<Page<CertificateRecord>, StoreError>;
    /// The valid certificate versions of a holder of one of `type_codes`, newest first.
    async fn valid_certificates_of_holder(
        &mut self,
        holder_id: &str,
        type_codes: &[&str],
    ) -> Result<Vec<CertificateRecord>, StoreError>;
    /// The certificates a case issued.
    async fn certificates_of_case(
        &mut self,
        case_id: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError>;
    /// Every version of a certificate (same serial and type), oldest first.
    async fn certificate_versions(
        &mut self,
        type_code: &str,
        serial: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError>;
    /// Every certificate version that is neither valid nor merely expired (revoked, cancelled,
    /// withdrawn, transferred, superseded): the revocation list.
    async fn inactive_certificates(&mut self) -> Result<Vec<CertificateRecord>, StoreError>;
    /// Valid certificates whose last day is on or before `until` (`YYYY-MM-DD`), soonest first.
    async fn certificates_expiring(
        &mut self,
        until: &str,
    ) -> Result<Vec<CertificateRecord>, StoreError>;
    /// Records a reminder; `false` when this (certificate, threshold) has one already.
    async fn insert_cert_reminder(&mut self, r: &CertReminder) -> Result<bool, StoreError>;
    /// Replaces a reminder's deliveries.
    async fn update_cert_reminder_deliveries(
        &mut self,
        identifier: &str,
        threshold: i64,
        deliveries: &str,
    ) -> Result<(), StoreError>;
    /// The reminders of a certificate version, largest threshold first.
    async fn cert_reminders(&mut self, identifier: &str) -> Result<Vec<CertReminder>, StoreError>;
    /// Grants (or grants again, clearing a revocation) a role of an enterprise to an account.
    async fn upsert_enterprise_grant(&mut self, g: &EnterpriseGrant) -> Result<(), StoreError>;
    /// Revokes a grant at `at`; `false` when there was no active one.
    async fn revoke_enterprise_grant(
        &mut self,
        uscc: &str,
        username: &str,
        role: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Every grant of an enterprise (active and revoked), by user name.
    async fn enterprise_grants(&mut self, uscc: &str) -> Result<Vec<EnterpriseGrant>, StoreError>;
    /// The active grants an account holds.
    async fn grants_of_user(&mut self, username: &str) -> Result<Vec<EnterpriseGrant>, StoreError>;
    /// Opens a proactive case; `false` when that certificate has an open one of that kind.
    async fn insert_proactive_case(&mut self, c: &ProactiveCase) -> Result<bool, StoreError>;
    /// Replaces a proactive case at its stored revision (else `Conflict`).
    async fn update_proactive_case(
        &mut self,
        c: &ProactiveCase,
        expected_revision: i64,
    ) -> Result<(), StoreError>;
    async fn proactive_case(&mut self, id: &str) -> Result<Option<ProactiveCase>, StoreError>;
    /// The proactive cases of a holder, newest first.
    async fn proactive_cases_of(
        &mut self,
        holder_id: &str,
    ) -> Result<Vec<ProactiveCase>, StoreError>;
    async fn insert_cert_usage(&mut self, u: &CertUsage) -> Result<(), StoreError>;
    /// The usage records of a certificate version, newest first.
    async fn cert_usages(&mut self, certificate_id: &str) -> Result<Vec<CertUsage>, StoreError>;
}

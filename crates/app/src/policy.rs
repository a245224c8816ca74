//! Authorization in one place (统一授权). Every route declares an [`Action`]; [`authorize`]
//! decides from the principal's roles, region and ownership. Nothing else in the platform
//! makes allow/deny decisions.
//!
//! Region scope: an account at city level (370200) with a city-wide role acts on every region;
//! every other account acts only on its own region. Applicants act only on their own data.
//!
//! Department scope (部门): a staff account of a department works the tasks of its department
//! and the tasks of none (acceptance at the comprehensive window); an account without a
//! department (administrators) is not limited by department.

use crate::{AppError, Principal};
use shenpi_domain::org::Role;
use shenpi_domain::regions::QINGDAO_CITY;

/// Everything a signed-in caller can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read one's own account, change one's password, enrol TOTP, sign out.
    SelfService,
    /// The staff workbench home and organisation lists.
    StaffRead,
    /// List accounts.
    UserList,
    /// Create accounts.
    UserCreate,
    /// Lock (disable) or unlock accounts, clear lockouts.
    UserLockUnlock,
    /// Security alerts.
    SecurityAlerts,
    /// Read the audit log.
    AuditRead,
    /// Verify the audit chains.
    AuditVerify,
    /// Load or change a calendar year.
    CalendarUpdate,
    /// Draft and edit catalog change proposals.
    CatalogPropose,
    /// Review proposals (the city, and the admins of affected districts).
    CatalogReview,
    /// Approve by override and publish standards (city admin only).
    CatalogPublish,
    /// Claim items and edit local elements (district admins, their own district).
    CatalogLocal,
    /// Import and export the catalog, deviation report.
    CatalogManage,
    /// Apply for a service (applicants).
    CaseApply,
    /// Upload and version BPMN processes.
    ProcessManage,
    /// E-supervision (电子监察): deadlines and warnings of open cases.
    Supervise,
    /// Register partner systems, rotate their secrets, read their delivery logs.
    PartnerManage,
    /// Upload business rules (规则库) with their test cases.
    RuleManage,
    /// Look up shared data (数据共享) for a case one handles.
    DataLookup,
    /// Hold electronic certificates: the wallet, show tokens, one's usage records.
    CertHold,
    /// Verify a certificate with a stated purpose and see all of it (用证, recorded).
    CertVerify,
    /// Revoke, cancel, withdraw or transfer certificates of one's region (证照状态管理).
    CertManage,
}

impl Action {
    /// Stable name (audit entries, OpenAPI).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SelfService => "self.service",
            Action::StaffRead => "staff.read",
            Action::UserList => "user.list",
            Action::UserCreate => "user.create",
            Action::UserLockUnlock => "user.lock_unlock",
            Action::SecurityAlerts => "security.alerts",
            Action::AuditRead => "audit.read",
            Action::AuditVerify => "audit.verify",
            Action::CalendarUpdate => "calendar.update",
            Action::CatalogPropose => "catalog.propose",
            Action::CatalogReview => "catalog.review",
            Action::CatalogPublish => "catalog.publish",
            Action::CatalogLocal => "catalog.local",
            Action::CatalogManage => "catalog.manage",
            Action::CaseApply => "case.apply",
            Action::ProcessManage => "process.manage",
            Action::Supervise => "case.supervise",
            Action::PartnerManage => "partner.manage",
            Action::RuleManage => "rule.manage",
            Action::DataLookup => "data.lookup",
            Action::CertHold => "cert.hold",
            Action::CertVerify => "cert.verify",
            Action::CertManage => "cert.manage",
        }
    }

    /// The roles that may perform the action at all (region scope is checked separately).
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::SelfService => &Role::ALL,
            Action::StaffRead => &[
                Clerk,
                Reviewer,
                Approver,
                DeptAdmin,
                RegionAdmin,
                CityAdmin,
                HallManager,
                DataSteward,
                SecurityAdmin,
                Auditor,
            ],
            Action::UserList => &[CityAdmin, RegionAdmin, SecurityAdmin],
            Action::UserCreate => &[CityAdmin, RegionAdmin],
            Action::UserLockUnlock => &[SecurityAdmin],
            Action::SecurityAlerts => &[SecurityAdmin],
            Action::AuditRead | Action::AuditVerify => &[Auditor],
            Action::CalendarUpdate => &[CityAdmin],
            // Standards are the city's: districts review changes but do not draft them.
            Action::CatalogPropose => &[CityAdmin],
            Action::CatalogReview => &[CityAdmin, RegionAdmin],
            Action::CatalogPublish => &[CityAdmin],
            Action::CatalogLocal => &[CityAdmin, RegionAdmin],
            Action::CatalogManage => &[CityAdmin, DataSteward],
            Action::CaseApply => &[Citizen, Enterprise],
            Action::ProcessManage => &[CityAdmin],
            Action::Supervise => &[CityAdmin, RegionAdmin, DeptAdmin],
            Action::PartnerManage => &[CityAdmin],
            Action::RuleManage => &[CityAdmin, DataSteward],
            Action::DataLookup => &[Clerk, Reviewer, Approver],
            Action::CertHold => &[Citizen, Enterprise],
            Action::CertVerify => &[Clerk, Reviewer, Approver, DeptAdmin, RegionAdmin, CityAdmin],
            Action::CertManage => &[Approver, CityAdmin],
        }
    }
}

/// Roles whose holders at city level act on every region.
fn is_city_wide(p: &Principal) -> bool {
    p.user.region_code == QINGDAO_CITY
        && p.user.roles.iter().any(|r| {
            matches!(
                r,
                Role::CityAdmin | Role::SecurityAdmin | Role::Auditor | Role::DataSteward
            )
        })
}

/// Whether `p` may act on data of `region`.
pub fn in_region_scope(p: &Principal, region: &str) -> bool {
    is_city_wide(p) || p.user.region_code == region
}

/// Whether `p` may work a task of `department` (`None`: a task of every department).
pub fn in_department_scope(p: &Principal, department: Option<&str>) -> bool {
    match (p.user.department_id.as_deref(), department) {
        (Some(mine), Some(theirs)) => mine == theirs,
        _ => true,
    }
}

/// Decides whether `p` may perform `action` on data of `target_region` (when the action
/// concerns one region). Returns `Forbidden` otherwise.
pub fn authorize(
    p: &Principal,
    action: Action,
    target_region: Option<&str>,
) -> Result<(), AppError> {
    let role_ok = p.user.roles.iter().any(|r| action.roles().contains(r));
    if !role_ok {
        return Err(AppError::Forbidden(action.as_str().to_string()));
    }
    if let Some(region) = target_region
        && !in_region_scope(p, region)
    {
        return Err(AppError::Forbidden(action.as_str().to_string()));
    }
    Ok(())
}

/// The region an account-level listing defaults to: all (None) for city-wide roles, else own.
pub fn default_region_filter(p: &Principal) -> Option<String> {
    if is_city_wide(p) {
        None
    } else {
        Some(p.user.region_code.clone())
    }
}

//! The organisation model (组织机构): roles, account kinds and the separation of duties.
//!
//! Regions and departments are data (seeded by the demo, editable by the city admin); roles are a
//! closed list because authorization policy refers to them.

use serde::{Deserialize, Serialize};

/// A role (角色) an account holds. An account may hold several roles, but never two of the
/// three administrator roles (三权分立, see [`check_separation_of_duties`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Applicant (申请人): a citizen.
    Citizen,
    /// Applicant (申请人): an enterprise's legal representative or agent.
    Enterprise,
    /// Window clerk (窗口人员): receives applications and decides acceptance.
    Clerk,
    /// Reviewer (审核人员).
    Reviewer,
    /// Approver (审批/签发人员): signs decisions.
    Approver,
    /// Department administrator (部门管理员).
    DeptAdmin,
    /// Region administrator (区市管理员).
    RegionAdmin,
    /// City administrator (市级系统管理员): the system admin; users, regions, configuration.
    CityAdmin,
    /// Service-hall manager (大厅管理员).
    HallManager,
    /// Data steward (数据管理员).
    DataSteward,
    /// Security administrator (安全管理员): policies, keys, lockouts and sessions.
    SecurityAdmin,
    /// Audit administrator (审计管理员): reads and verifies the audit log, nothing else.
    Auditor,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 12] = [
        Role::Citizen,
        Role::Enterprise,
        Role::Clerk,
        Role::Reviewer,
        Role::Approver,
        Role::DeptAdmin,
        Role::RegionAdmin,
        Role::CityAdmin,
        Role::HallManager,
        Role::DataSteward,
        Role::SecurityAdmin,
        Role::Auditor,
    ];

    /// The stable identifier used in the API and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Enterprise => "enterprise",
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::DeptAdmin => "dept_admin",
            Role::RegionAdmin => "region_admin",
            Role::CityAdmin => "city_admin",
            Role::HallManager => "hall_manager",
            Role::DataSteward => "data_steward",
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese name shown in pages.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Citizen => "个人申请人",
            Role::Enterprise => "企业申请人",
            Role::Clerk => "窗口受理人员",
            Role::Reviewer => "审核人员",
            Role::Approver => "审批签发人员",
            Role::DeptAdmin => "部门管理员",
            Role::RegionAdmin => "区市管理员",
            Role::CityAdmin => "系统管理员",
            Role::HallManager => "大厅管理员",
            Role::DataSteward => "数据管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::Auditor => "审计管理员",
        }
    }

    /// The English name shown in pages.
    pub fn name_en(self) -> &'static str {
        match self {
            Role::Citizen => "Citizen applicant",
            Role::Enterprise => "Enterprise applicant",
            Role::Clerk => "Window clerk",
            Role::Reviewer => "Reviewer",
            Role::Approver => "Approver",
            Role::DeptAdmin => "Department admin",
            Role::RegionAdmin => "Region admin",
            Role::CityAdmin => "System admin",
            Role::HallManager => "Hall manager",
            Role::DataSteward => "Data steward",
            Role::SecurityAdmin => "Security admin",
            Role::Auditor => "Audit admin",
        }
    }

    /// Applicants (citizens and enterprises) as opposed to staff.
    pub fn is_applicant(self) -> bool {
        matches!(self, Role::Citizen | Role::Enterprise)
    }

    /// The three administrator roles of 三权分立; they must use a second factor (TOTP).
    pub fn is_admin_of_three(self) -> bool {
        matches!(self, Role::CityAdmin | Role::SecurityAdmin | Role::Auditor)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Refuses a role set that gives one account two of the three administrator roles (三权分立),
/// or mixes applicant and staff roles.
pub fn check_separation_of_duties(roles: &[Role]) -> Result<(), SeparationError> {
    let admins = roles.iter().filter(|r| r.is_admin_of_three()).count();
    if admins > 1 {
        return Err(SeparationError::TwoAdminRoles);
    }
    let applicant = roles.iter().any(|r| r.is_applicant());
    if applicant && roles.iter().any(|r| !r.is_applicant()) {
        return Err(SeparationError::ApplicantAndStaff);
    }
    if roles.is_empty() {
        return Err(SeparationError::NoRole);
    }
    Ok(())
}

/// Why a role set is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeparationError {
    /// Two of system, security and audit administration in one account.
    #[error("system, security and audit administration cannot be held by one account")]
    TwoAdminRoles,
    /// An applicant account that also holds a staff role.
    #[error("an applicant account cannot hold staff roles")]
    ApplicantAndStaff,
    /// An account without any role.
    #[error("an account needs at least one role")]
    NoRole,
}

/// The kind of a demo department (部门); department ids are `<region>-<slug>`.
pub const DEMO_DEPARTMENTS: [(&str, &str, &str); 7] = [
    (
        "spj",
        "行政审批服务局",
        "Administrative Approval Service Bureau",
    ),
    (
        "zjj",
        "住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
    ),
    (
        "zgj",
        "自然资源和规划局",
        "Natural Resources and Planning Bureau",
    ),
    ("scj", "市场监督管理局", "Market Regulation Bureau"),
    ("swj", "水务管理局", "Water Affairs Bureau"),
    ("cgj", "城市管理局", "Urban Management Bureau"),
    ("jtj", "交通运输局", "Transport Bureau"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_account_cannot_be_system_and_audit_admin() {
        assert_eq!(
            check_separation_of_duties(&[Role::CityAdmin, Role::Auditor]),
            Err(SeparationError::TwoAdminRoles)
        );
        assert!(check_separation_of_duties(&[Role::CityAdmin]).is_ok());
        assert!(check_separation_of_duties(&[Role::Reviewer, Role::Approver]).is_ok());
    }

    #[test]
    fn applicants_hold_no_staff_role() {
        assert_eq!(
            check_separation_of_duties(&[Role::Citizen, Role::Clerk]),
            Err(SeparationError::ApplicantAndStaff)
        );
    }

    #[test]
    fn roles_round_trip_through_their_identifiers() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

//! Demo data (演示数据): Qingdao's regions, departments and windows, and one account per role.
//! Everything is clearly fictional but valid: real region codes, real check digits.
//!
//! Every demo account has the password [`DEMO_PASSWORD`]. Demo administrator accounts are exempt
//! from the TOTP requirement (`totp_exempt`); the exemption shows in `/api/v1/me` and in the
//! start-up log. Only accounts created here may be exempt.

use crate::passwords::hash_password_async;
use crate::{App, AppError, RequestMeta};
use serde_json::json;
use shenpi_domain::org::{DEMO_DEPARTMENTS, Role};
use shenpi_domain::regions::{QINGDAO_CITY, qingdao_districts};
use shenpi_domain::validate::{id_check_char, uscc_check_char};
use shenpi_store::model::{AccountKind, Department, Region, ServiceWindow, User};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "Demo#2026";

/// The fictional citizen's ID number: 市南区, born 1990-03-07, with its real check digit.
pub fn demo_id_number() -> String {
    let body = "37020219900307123";
    format!("{body}{}", id_check_char(body).unwrap_or('0'))
}

/// The fictional enterprise's USCC, with valid organisation-code and USCC check characters.
pub fn demo_uscc() -> String {
    let org = "MA3CT0X1";
    let org_full = format!("{org}{}", gb11714_check(org));
    let body = format!("91370202{org_full}");
    format!("{body}{}", uscc_check_char(&body).unwrap_or('0'))
}

/// The GB 11714 organisation-code check character.
pub(crate) fn gb11714_check(code8: &str) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = code8
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}

/// What the demo loader did.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    pub regions: usize,
    pub departments: usize,
    pub users: usize,
    /// Demo catalog items published (0 when the catalog already had items).
    pub items: usize,
    /// Demo bundles (一件事) stored (0 when there were bundles already).
    pub bundles: usize,
    /// Demo partner systems registered (their secrets are made at load time).
    pub partners: usize,
    /// Demo BPMN processes stored (those not stored already).
    pub processes: usize,
    /// Demo business rules stored (0 when the rules library had rules already).
    pub rules: usize,
    /// Demo certificates already held (an e-business licence per demo enterprise).
    pub certificates: usize,
    /// Demo shared-data registry records (0 when the registries had records already).
    pub registries: usize,
    /// False when the database already had users (nothing is loaded then).
    pub loaded: bool,
}

struct Spec {
    username: String,
    name: String,
    kind: AccountKind,
    role: Role,
    region: String,
    dept: Option<String>,
}

fn staff(username: String, name: String, role: Role, region: &str, dept: Option<String>) -> Spec {
    Spec {
        username,
        name,
        kind: AccountKind::Staff,
        role,
        region: region.into(),
        dept,
    }
}

fn specs() -> Vec<Spec> {
    let city = QINGDAO_CITY;
    let spj = |r: &str| Some(format!("{r}-spj"));
    let mut v = vec![
        staff(
            "admin".into(),
            "系统管理员（演示）".into(),
            Role::CityAdmin,
            city,
            None,
        ),
        staff(
            "secadmin".into(),
            "安全管理员（演示）".into(),
            Role::SecurityAdmin,
            city,
            None,
        ),
        staff(
            "auditor".into(),
            "审计管理员（演示）".into(),
            Role::Auditor,
            city,
            None,
        ),
        staff(
            "steward".into(),
            "数据管理员（演示）".into(),
            Role::DataSteward,
            city,
            None,
        ),
        staff(
            "hall-370202".into(),
            "市南区大厅管理员（演示）".into(),
            Role::HallManager,
            "370202",
            spj("370202"),
        ),
        // A second reviewer in 市南区, to hand tasks over to (转办, 委派, 加签, 改派).
        staff(
            "reviewer2-370202".into(),
            "市南区审核员二（演示）".into(),
            Role::Reviewer,
            "370202",
            spj("370202"),
        ),
        // 市南区交通运输局: reviews and decides its own items (公路涉路施工许可), also inside
        // bundles, next to the approval bureau.
        staff(
            "reviewer-jtj-370202".into(),
            "市南区交通运输局审核员（演示）".into(),
            Role::Reviewer,
            "370202",
            Some("370202-jtj".into()),
        ),
        staff(
            "approver-jtj-370202".into(),
            "市南区交通运输局审批签发人（演示）".into(),
            Role::Approver,
            "370202",
            Some("370202-jtj".into()),
        ),
        staff(
            "deptadmin-370202".into(),
            "市南区审批局部门管理员（演示）".into(),
            Role::DeptAdmin,
            "370202",
            spj("370202"),
        ),
        Spec {
            username: "citizen".into(),
            name: "张测试".into(),
            kind: AccountKind::Citizen,
            role: Role::Citizen,
            region: "370202".into(),
            dept: None,
        },
        Spec {
            username: "enterprise".into(),
            name: "李示例".into(),
            kind: AccountKind::Enterprise,
            role: Role::Enterprise,
            region: "370202".into(),
            dept: None,
        },
    ];
    let mut regions = vec![(city, "青岛市")];
    regions.extend(qingdao_districts().iter().map(|(c, n)| (*c, *n)));
    for (code, name) in qingdao_districts() {
        v.push(staff(
            format!("regadmin-{code}"),
            format!("{name}管理员（演示）"),
            Role::RegionAdmin,
            code,
            None,
        ));
    }
    for (code, name) in regions {
        for (prefix, title, role) in [
            ("clerk", "窗口受理员", Role::Clerk),
            ("reviewer", "审核员", Role::Reviewer),
            ("approver", "审批签发人", Role::Approver),
        ] {
            v.push(staff(
                format!("{prefix}-{code}"),
                format!("{name}{title}（演示）"),
                role,
                code,
                spj(code),
            ));
        }
    }
    v
}

impl App {
    /// Loads the demo data into an empty database; does nothing if any user exists. The demo
    /// catalog is loaded too when the catalog is empty.
    pub async fn load_demo(&self) -> Result<DemoReport, AppError> {
        let mut report = self.load_demo_accounts().await?;
        report.items = self.load_demo_catalog().await?;
        report.bundles = self.load_demo_bundles().await?;
        report.partners = self.load_demo_partners().await?;
        report.processes = self.load_demo_processes().await?;
        report.rules = self.load_demo_rules().await?;
        report.registries = self.load_demo_registries().await?;
        report.certificates = self.load_demo_certificates().await?;
        Ok(report)
    }

    async fn load_demo_accounts(&self) -> Result<DemoReport, AppError> {
        {
            let mut tx = self.store.read().await?;
            if tx.count_users().await? > 0 {
                return Ok(DemoReport::default());
            }
        }
        let hash = hash_password_async(DEMO_PASSWORD.to_string()).await?;
        let now = self.clock.now();
        let meta = RequestMeta::cli();
        let mut report = DemoReport {
            loaded: true,
            ..Default::default()
        };
        let mut tx = self.store.begin().await?;

        let mut regions = vec![Region {
            code: QINGDAO_CITY.into(),
            name: "青岛市".into(),
            parent: None,
        }];
        regions.extend(qingdao_districts().iter().map(|(c, n)| Region {
            code: (*c).into(),
            name: (*n).into(),
            parent: Some(QINGDAO_CITY.into()),
        }));
        for r in &regions {
            tx.upsert_region(r).await?;
            for (slug, zh, en) in DEMO_DEPARTMENTS {
                let d = Department {
                    id: format!("{}-{slug}", r.code),
                    region_code: r.code.clone(),
                    name_zh: format!("{}{zh}", r.name),
                    name_en: en.to_string(),
                };
                tx.upsert_department(&d).await?;
                report.departments += 1;
            }
            for n in 1..=3 {
                tx.upsert_window(&ServiceWindow {
                    id: format!("{}-w{n:02}", r.code),
                    region_code: r.code.clone(),
                    department_id: format!("{}-spj", r.code),
                    number: format!("A{n:02}"),
                    name: format!("综合受理窗口 {n}"),
                })
                .await?;
            }
            report.regions += 1;
        }

        for s in specs() {
            let is_admin = s.role.is_admin_of_three();
            let user = User {
                id: shenpi_store::new_id(),
                username: s.username.clone(),
                display_name: s.name,
                kind: s.kind,
                roles: vec![s.role],
                region_code: s.region.clone(),
                department_id: s.dept,
                password_hash: hash.clone(),
                id_number: matches!(s.kind, AccountKind::Citizen | AccountKind::Enterprise)
                    .then(demo_id_number),
                mobile: Some("13800000000".into()).filter(|_| s.kind != AccountKind::Staff),
                uscc: (s.kind == AccountKind::Enterprise).then(demo_uscc),
                enterprise_name: (s.kind == AccountKind::Enterprise)
                    .then(|| "青岛示例科技有限公司（演示）".to_string()),
                disabled: false,
                totp_secret: None,
                totp_enabled: false,
                totp_exempt: is_admin,
                created_at: now,
                password_changed_at: now,
                totp_last_step: 0,
            };
            tx.insert_user(&user).await?;
            tx.append_audit(meta.audit(
                now,
                &user.region_code,
                None,
                "user.create",
                ("user", &user.id),
                "success",
                json!({"username": user.username, "roles": [s.role.as_str()], "demo": true,
                       "totp_exempt": is_admin}),
            ))
            .await?;
            report.users += 1;
        }
        tx.commit().await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shenpi_domain::validate::{IdNumber, Uscc};

    #[test]
    fn demo_identifiers_are_valid() {
        IdNumber::parse(&demo_id_number()).unwrap();
        let u = Uscc::parse(&demo_uscc()).unwrap();
        assert_eq!(u.area_code(), "370202");
    }

    #[test]
    fn every_demo_account_of_a_department_names_a_demo_department_of_its_region() {
        for s in specs() {
            if let Some(d) = &s.dept {
                let slug = d.strip_prefix(&format!("{}-", s.region)).unwrap_or("");
                assert!(
                    DEMO_DEPARTMENTS.iter().any(|(k, _, _)| *k == slug),
                    "{}: {d}",
                    s.username
                );
            }
        }
    }

    #[test]
    fn every_demo_item_belongs_to_a_demo_department() {
        for item in crate::catalog::demo::demo_items().unwrap() {
            assert!(
                DEMO_DEPARTMENTS
                    .iter()
                    .any(|(k, _, _)| *k == item.department),
                "{}: {}",
                item.code,
                item.department
            );
        }
    }

    #[test]
    fn there_is_a_clerk_reviewer_and_approver_for_every_region() {
        let s = specs();
        for (code, _) in qingdao_districts() {
            for p in ["clerk", "reviewer", "approver"] {
                assert!(s.iter().any(|x| x.username == format!("{p}-{code}")));
            }
        }
    }
}

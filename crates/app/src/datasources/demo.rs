//! The demo registries (演示共享数据): enterprises, persons, experts and projects, clearly
//! fictional (every enterprise name says 演示) but valid — real region codes, real USCC and ID
//! check characters — and generated the same way every time.
//!
//! Fixed records the demo scenarios rely on:
//! - the demo enterprise account's company ([`crate::demo::demo_uscc`]): active, its staff
//!   certified and insured with it, so its 施工劳务资质备案 is approved unattended;
//! - [`REVOKED_USCC`]-like cases: a revoked company, a company whose technical lead is insured
//!   elsewhere, a company whose staff certificates have expired;
//! - experts with a valid and with an expired qualification; a project inside and one outside
//!   the report-form limits of 水土保持方案.

use crate::demo::{demo_id_number, demo_uscc, gb11714_check};
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use shenpi_domain::regions::qingdao_districts;
use shenpi_domain::registry::{
    Enterprise, Expert, Person, Project, Qualification, RegistryKind, StaffMember,
};
use shenpi_domain::validate::{id_check_char, uscc_check_char};
use shenpi_store::model::RegistryRecord;

/// The USCC charset without I, O, Z, S, V.
const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "军", "涛", "明", "超", "霞", "平",
    "海燕", "建国", "晓东", "丽华", "志强", "文博", "雨婷", "子涵",
];
const TRADE_NAMES: &[&str] = &[
    "海晏", "崂峰", "琴岛", "栈桥", "浮山", "胶澳", "珠山", "鳌山", "青禾", "蓝湾", "汇泉", "石老",
    "云栖", "明湖", "金沙", "银滩",
];
const INDUSTRIES: &[(&str, &str)] = &[
    ("科技", "软件开发；信息技术咨询服务（演示）"),
    ("建筑劳务", "建筑劳务分包；施工专业作业（演示）"),
    ("餐饮管理", "餐饮服务；食品销售（演示）"),
    ("商贸", "日用百货销售；五金产品零售（演示）"),
    ("物流", "普通货物仓储服务；道路货物运输（演示）"),
    ("建设工程", "建设工程施工；园林绿化工程施工（演示）"),
];

/// A USCC from a seed: `91` + region + 8 organisation characters + their check + USCC check.
pub fn generated_uscc(region: &str, seed: u32) -> String {
    let mut n = u64::from(seed).wrapping_mul(2_654_435_761).wrapping_add(97);
    let mut org = String::from("MA");
    for _ in 0..6 {
        org.push(char::from(CHARSET[(n % 31) as usize]));
        n /= 31;
    }
    let body = format!("91{region}{org}{}", gb11714_check(&org));
    let check = uscc_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// A resident ID number from a seed: a Qingdao district, a birth date in 1960–1999, a sequence.
pub fn generated_id_number(seed: u32) -> String {
    let districts = qingdao_districts();
    let region = districts[seed as usize % districts.len()].0;
    let day = NaiveDate::from_ymd_opt(1960, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(seed * 37 % 14_600))))
        .unwrap_or_default();
    let body = format!("{region}{}{:03}", day.format("%Y%m%d"), 100 + seed % 900);
    format!("{body}{}", id_check_char(&body).unwrap_or('0'))
}

/// A fictional person's name from a seed (the name of [`generated_id_number`] for the same seed).
pub fn person_name(seed: u32) -> String {
    let s = SURNAMES[seed as usize % SURNAMES.len()];
    let g = GIVEN[(seed as usize / SURNAMES.len()) % GIVEN.len()];
    format!("{s}{g}")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The demo enterprise's USCC whose registration is revoked (吊销).
pub fn revoked_uscc() -> String {
    generated_uscc("370203", 9001)
}
/// A demo enterprise whose technical lead is insured with another company.
pub fn insured_elsewhere_uscc() -> String {
    generated_uscc("370211", 9002)
}
/// A demo enterprise whose staff certificates have expired.
pub fn expired_staff_uscc() -> String {
    generated_uscc("370212", 9003)
}
/// A valid water-and-soil expert and one whose qualification ended on 2025-12-31.
pub const EXPERT_VALID: &str = "SB-2024-0001";
pub const EXPERT_EXPIRED: &str = "SB-2019-0007";
/// A project within the report-form limits (1.2 ha, 18,000 m³) and one beyond (80,000 m³).
pub const PROJECT_SMALL: &str = "2026-370202-48-01-000101";
pub const PROJECT_LARGE: &str = "2026-370202-48-01-000102";

fn staff_of(uscc: &str, seed: u32, until: NaiveDate, insured_by: &str) -> Vec<StaffMember> {
    let roles = [
        ("技术负责人", "建筑工程专业中级职称证书"),
        ("施工现场管理人员", "施工员岗位证书"),
        ("施工现场管理人员", "安全员岗位证书"),
        ("技术工人", "砌筑工职业技能等级证书（四级）"),
        ("技术工人", "钢筋工职业技能等级证书（四级）"),
        ("技术工人", "木工职业技能等级证书（四级）"),
    ];
    roles
        .iter()
        .enumerate()
        .map(|(i, (role, cert))| {
            let s = seed * 10 + i as u32;
            StaffMember {
                name: person_name(s),
                id_number: generated_id_number(s),
                role: (*role).into(),
                certificate: (*cert).into(),
                certificate_valid_until: until,
                insured_by: if i == 0 { insured_by } else { uscc }.into(),
            }
        })
        .collect()
}

fn enterprise(uscc: String, name: String, industry: usize, seed: u32) -> Enterprise {
    let region = uscc.get(2..8).unwrap_or("370202").to_owned();
    let district = shenpi_domain::regions::name_of(&region).unwrap_or("市南区");
    Enterprise {
        name,
        entity_type: if seed.is_multiple_of(3) {
            "有限责任公司(自然人独资)".into()
        } else {
            "有限责任公司(自然人投资或控股)".into()
        },
        status: "存续".into(),
        legal_representative: person_name(seed + 500),
        address: format!("山东省青岛市{district}演示路{}号", seed % 300 + 1),
        region_code: region,
        registered_capital_yuan: u64::from(seed % 50 + 1) * 100_000,
        established_on: date(2010 + (seed % 15) as i32, seed % 12 + 1, seed % 28 + 1),
        business_scope: INDUSTRIES[industry % INDUSTRIES.len()].1.into(),
        qualifications: vec![],
        staff: vec![],
        uscc,
    }
}

/// Every demo registry record.
pub fn records() -> Vec<(RegistryKind, String, String, String, serde_json::Value)> {
    let mut out = Vec::new();
    let mut push =
        |kind: RegistryKind, key: String, region: String, name: String, v: serde_json::Value| {
            out.push((kind, key, region, name, v));
        };
    // The demo enterprise account's company and the three scenario companies.
    let labour_quals = vec![Qualification {
        name: "安全生产许可证".into(),
        number: "（鲁）JZ安许证字〔2024〕020001（演示）".into(),
        valid_until: date(2028, 6, 30),
    }];
    let me = demo_uscc();
    let mut main = enterprise(me.clone(), "青岛示例科技有限公司（演示）".into(), 1, 7);
    main.legal_representative = "李示例".into();
    main.qualifications = labour_quals.clone();
    main.staff = staff_of(&me, 1, date(2029, 12, 31), &me);
    let revoked = {
        let u = revoked_uscc();
        let mut e = enterprise(u.clone(), "青岛吊销演示建筑劳务有限公司".into(), 1, 11);
        e.status = "吊销".into();
        e.qualifications = labour_quals.clone();
        e.staff = staff_of(&u, 2, date(2029, 12, 31), &u);
        e
    };
    let elsewhere = {
        let u = insured_elsewhere_uscc();
        let mut e = enterprise(u.clone(), "青岛挂证演示建筑劳务有限公司".into(), 1, 12);
        e.qualifications = labour_quals.clone();
        e.staff = staff_of(&u, 3, date(2029, 12, 31), &revoked_uscc());
        e
    };
    let expired = {
        let u = expired_staff_uscc();
        let mut e = enterprise(u.clone(), "青岛过期演示建筑劳务有限公司".into(), 1, 13);
        e.qualifications = labour_quals;
        e.staff = staff_of(&u, 4, date(2025, 6, 30), &u);
        e
    };
    for e in [main, revoked, elsewhere, expired] {
        push(
            RegistryKind::Enterprise,
            e.uscc.clone(),
            e.region_code.clone(),
            e.name.clone(),
            json_of(&e),
        );
    }
    // 200 further companies across the districts.
    let districts = qingdao_districts();
    for seed in 0..200u32 {
        let region = districts[seed as usize % districts.len()].0;
        let industry = (seed as usize / 16) % INDUSTRIES.len();
        let name = format!(
            "青岛{}{}演示{}有限公司",
            TRADE_NAMES[seed as usize % TRADE_NAMES.len()],
            seed,
            INDUSTRIES[industry].0
        );
        let e = enterprise(generated_uscc(region, seed), name, industry, seed);
        push(
            RegistryKind::Enterprise,
            e.uscc.clone(),
            e.region_code.clone(),
            e.name.clone(),
            json_of(&e),
        );
    }
    // Persons: the demo citizen, every staff member and legal representative above, and more.
    let mut persons = vec![Person {
        id_number: demo_id_number(),
        name: "张测试".into(),
        status: "正常".into(),
        address: "山东省青岛市市南区演示路1号".into(),
    }];
    for seed in 10..60u32 {
        persons.push(Person {
            id_number: generated_id_number(seed),
            name: person_name(seed),
            status: if seed == 59 { "死亡" } else { "正常" }.into(),
            address: String::new(),
        });
    }
    for p in persons {
        push(
            RegistryKind::Person,
            p.id_number.clone(),
            p.id_number.get(0..6).unwrap_or_default().into(),
            p.name.clone(),
            json_of(&p),
        );
    }
    // Experts of the 水土保持 expert registry.
    let mut experts = vec![Expert {
        id: EXPERT_EXPIRED.into(),
        name: "钱过期".into(),
        field: "水土保持".into(),
        qualification: "水土保持方案编制高级工程师".into(),
        valid_from: date(2019, 1, 1),
        valid_until: date(2025, 12, 31),
    }];
    for n in 1..=20u32 {
        experts.push(Expert {
            id: format!("SB-2024-{n:04}"),
            name: person_name(700 + n),
            field: if n % 4 == 0 {
                "水土保持监测"
            } else {
                "水土保持"
            }
            .into(),
            qualification: "水土保持方案编制工程师".into(),
            valid_from: date(2024, 1, 1),
            valid_until: date(2029, 12, 31),
        });
    }
    for e in experts {
        push(
            RegistryKind::Expert,
            e.id.clone(),
            "370200".into(),
            e.name.clone(),
            json_of(&e),
        );
    }
    // Projects of the investment-project platform.
    for (code, name, area, earth) in [
        (
            PROJECT_SMALL,
            "示例科技研发楼建设项目（演示）",
            12_000u64,
            18_000u64,
        ),
        (
            PROJECT_LARGE,
            "示例科技产业园土方工程（演示）",
            46_000,
            80_000,
        ),
    ] {
        let p = Project {
            code: code.into(),
            name: name.into(),
            owner_uscc: me.clone(),
            region_code: "370202".into(),
            land_area_m2: area,
            earthwork_m3: earth,
        };
        push(
            RegistryKind::Project,
            p.code.clone(),
            p.region_code.clone(),
            p.name.clone(),
            json_of(&p),
        );
    }
    out
}

fn json_of<T: Serialize>(t: &T) -> serde_json::Value {
    serde_json::to_value(t).unwrap_or_default()
}

impl App {
    /// Loads the demo registries into empty registry tables; returns how many records.
    pub async fn load_demo_registries(&self) -> Result<usize, AppError> {
        {
            let mut tx = self.store.read().await?;
            if tx.count_registry_records("enterprise").await? > 0 {
                return Ok(0);
            }
        }
        let now = Utc::now();
        let rows: Vec<RegistryRecord> = records()
            .into_iter()
            .map(|(kind, key, region_code, name, v)| RegistryRecord {
                kind: kind.as_str().into(),
                key,
                region_code,
                name,
                data: v.to_string(),
                updated_at: now,
            })
            .collect();
        let mut tx = self.store.begin().await?;
        tx.upsert_registry_records(&rows).await?;
        tx.commit().await?;
        Ok(rows.len())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use shenpi_domain::registry::Record;
    use std::collections::HashSet;

    #[test]
    fn every_demo_record_is_valid_and_unique() {
        let all = records();
        let mut keys = HashSet::new();
        for (kind, key, region, _name, v) in &all {
            assert_eq!(kind.check_key(key).as_deref(), Ok(key.as_str()), "{key}");
            assert!(keys.insert((*kind, key.clone())), "duplicate {key}");
            assert!(
                shenpi_domain::regions::name_of(region).is_some(),
                "{region}"
            );
            let rec = kind.parse_record(v).unwrap();
            if let Record::Enterprise(e) = rec {
                assert!(e.name.contains("演示"), "{}", e.name);
                for s in &e.staff {
                    assert!(RegistryKind::Person.check_key(&s.id_number).is_ok());
                }
            }
        }
        assert!(
            all.iter()
                .filter(|r| r.0 == RegistryKind::Enterprise)
                .count()
                > 200
        );
        assert!(all.iter().any(|r| r.1 == demo_uscc()));
    }
}

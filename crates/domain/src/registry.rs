//! Shared-data registries (共享数据源 / 数据共享): the records the platform reads from other
//! government systems instead of asking the applicant for them — the enterprise registry
//! (市场主体登记信息), the population registry (人口基础信息), the expert registry (专家库)
//! and the investment-project registry (投资项目在线审批监管平台).
//!
//! This module holds the record types and the key checks only. Fetching, caching, the circuit
//! breaker and the audit of every pull live in `app::datasources`; a record arrives here as
//! JSON and is read with [`RegistryKind::parse_record`], so data from an outside system is
//! checked before any rule sees it.

use crate::validate::{IdNumber, Uscc};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The registries the platform can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryKind {
    /// 市场主体登记信息, keyed by USCC.
    Enterprise,
    /// 人口基础信息, keyed by resident ID number.
    Person,
    /// 专家库, keyed by the expert's registry id.
    Expert,
    /// 投资项目信息, keyed by the project code (项目代码).
    Project,
}

impl RegistryKind {
    /// Every registry.
    pub const ALL: [RegistryKind; 4] = [
        RegistryKind::Enterprise,
        RegistryKind::Person,
        RegistryKind::Expert,
        RegistryKind::Project,
    ];

    /// The name in URLs and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            RegistryKind::Enterprise => "enterprise",
            RegistryKind::Person => "person",
            RegistryKind::Expert => "expert",
            RegistryKind::Project => "project",
        }
    }

    /// Parses [`RegistryKind::as_str`].
    pub fn parse(s: &str) -> Option<RegistryKind> {
        RegistryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese name of the data set.
    pub fn name_zh(self) -> &'static str {
        match self {
            RegistryKind::Enterprise => "市场主体登记信息",
            RegistryKind::Person => "人口基础信息",
            RegistryKind::Expert => "专家库信息",
            RegistryKind::Project => "投资项目信息",
        }
    }

    /// Checks a key before anything is fetched: a USCC or ID number with its check character,
    /// an expert id or project code of the expected shape. Returns the normalised key.
    pub fn check_key(self, key: &str) -> Result<String, KeyError> {
        let key = key.trim();
        match self {
            RegistryKind::Enterprise => Uscc::parse(key)
                .map(|u| u.as_str().to_owned())
                .map_err(|_| KeyError::Uscc),
            RegistryKind::Person => IdNumber::parse(key)
                .map(|i| i.as_str().to_owned())
                .map_err(|_| KeyError::IdNumber),
            RegistryKind::Expert | RegistryKind::Project => {
                let ok = (4..=40).contains(&key.len())
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if ok {
                    Ok(key.to_ascii_uppercase())
                } else {
                    Err(KeyError::Code)
                }
            }
        }
    }

    /// The registry that serves a material's data set or certificate type (数据共享 /
    /// 电子证照): the expert registry for 专家库, the project registry for 投资项目, the
    /// enterprise registry for the registration, licence, staff-certificate, social-insurance
    /// and qualification data of an enterprise, the population registry for identity data.
    /// `None`: no registry is connected for it yet.
    pub fn serving(dataset: &str) -> Option<RegistryKind> {
        let any = |words: &[&str]| words.iter().any(|w| dataset.contains(w));
        if any(&["专家"]) {
            Some(RegistryKind::Expert)
        } else if any(&["项目"]) {
            Some(RegistryKind::Project)
        } else if any(&[
            "市场主体",
            "营业执照",
            "人员证书",
            "职业技能",
            "社会保险",
            "资质",
        ]) {
            Some(RegistryKind::Enterprise)
        } else if any(&["身份证", "人口", "户籍"]) {
            Some(RegistryKind::Person)
        } else {
            None
        }
    }

    /// Reads and checks a record of this registry from JSON.
    pub fn parse_record(self, value: &serde_json::Value) -> Result<Record, String> {
        let r = match self {
            RegistryKind::Enterprise => Record::Enterprise(
                serde_json::from_value(value.clone()).map_err(|e| e.to_string())?,
            ),
            RegistryKind::Person => {
                Record::Person(serde_json::from_value(value.clone()).map_err(|e| e.to_string())?)
            }
            RegistryKind::Expert => {
                Record::Expert(serde_json::from_value(value.clone()).map_err(|e| e.to_string())?)
            }
            RegistryKind::Project => {
                Record::Project(serde_json::from_value(value.clone()).map_err(|e| e.to_string())?)
            }
        };
        Ok(r)
    }
}

/// Why a registry key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a valid unified social credit code")]
    Uscc,
    #[error("not a valid resident ID number")]
    IdNumber,
    #[error("a code is 4–40 letters, digits or -")]
    Code,
}

impl KeyError {
    /// The Chinese message.
    pub fn message_zh(self) -> &'static str {
        match self {
            KeyError::Uscc => "统一社会信用代码无效",
            KeyError::IdNumber => "身份证号码无效",
            KeyError::Code => "编码须为 4–40 位字母、数字或 -",
        }
    }
}

/// A record of any registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Record {
    Enterprise(Enterprise),
    Person(Person),
    Expert(Expert),
    Project(Project),
}

/// An enterprise in the registry (市场主体).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// 统一社会信用代码
    pub uscc: String,
    pub name: String,
    /// 主体类型, e.g. 有限责任公司(自然人独资)
    pub entity_type: String,
    /// 登记状态: 存续, 在业, 吊销, 注销, 迁出
    pub status: String,
    /// 法定代表人
    pub legal_representative: String,
    /// 住所
    pub address: String,
    pub region_code: String,
    /// 注册资本, in yuan
    pub registered_capital_yuan: u64,
    /// 成立日期
    pub established_on: NaiveDate,
    /// 经营范围
    pub business_scope: String,
    /// 资质/许可 held.
    #[serde(default)]
    pub qualifications: Vec<Qualification>,
    /// Staff with professional certificates, and where their social insurance is paid.
    #[serde(default)]
    pub staff: Vec<StaffMember>,
}

impl Enterprise {
    /// Whether the enterprise may trade (存续 or 在业).
    pub fn is_active(&self) -> bool {
        matches!(self.status.as_str(), "存续" | "在业")
    }
}

/// A qualification or licence an enterprise holds (资质).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    pub name: String,
    pub number: String,
    pub valid_until: NaiveDate,
}

/// A staff member with a professional certificate (人员证书).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    pub name: String,
    pub id_number: String,
    /// 技术负责人, 施工现场管理人员, 技术工人
    pub role: String,
    pub certificate: String,
    pub certificate_valid_until: NaiveDate,
    /// USCC of the employer paying the person's social insurance (社会保险缴纳单位).
    pub insured_by: String,
}

/// A person in the population registry (人口基础信息).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id_number: String,
    pub name: String,
    /// 正常, 死亡, 注销
    pub status: String,
    #[serde(default)]
    pub address: String,
}

/// An expert in the expert registry (专家库).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expert {
    pub id: String,
    pub name: String,
    /// 专业领域, e.g. 水土保持
    pub field: String,
    pub qualification: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

impl Expert {
    /// Whether the qualification is valid on `day` (both ends included).
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && day <= self.valid_until
    }
}

/// A construction / investment project (投资项目).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// 项目代码
    pub code: String,
    pub name: String,
    /// USCC of the project owner (建设单位).
    pub owner_uscc: String,
    pub region_code: String,
    /// 征占地面积, in square metres.
    pub land_area_m2: u64,
    /// 挖填土石方总量, in cubic metres.
    pub earthwork_m3: u64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn keys_are_checked_before_a_fetch() {
        assert_eq!(
            RegistryKind::Enterprise.check_key("91350100M000100Y43"),
            Ok("91350100M000100Y43".into())
        );
        assert_eq!(
            RegistryKind::Enterprise.check_key("91350100M000100Y44"),
            Err(KeyError::Uscc)
        );
        assert_eq!(
            RegistryKind::Person.check_key("11010519491231002X"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            RegistryKind::Person.check_key("110105194912310021"),
            Err(KeyError::IdNumber)
        );
        assert_eq!(
            RegistryKind::Expert.check_key(" sb-2024-001 "),
            Ok("SB-2024-001".into())
        );
        assert_eq!(
            RegistryKind::Project.check_key("<script>"),
            Err(KeyError::Code)
        );
        for k in RegistryKind::ALL {
            assert_eq!(RegistryKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn each_data_set_is_served_by_its_registry() {
        use RegistryKind::*;
        assert_eq!(RegistryKind::serving("市场主体登记信息"), Some(Enterprise));
        assert_eq!(RegistryKind::serving("营业执照"), Some(Enterprise));
        assert_eq!(RegistryKind::serving("社会保险参保信息"), Some(Enterprise));
        assert_eq!(RegistryKind::serving("水土保持专家库信息"), Some(Expert));
        assert_eq!(
            RegistryKind::serving("投资项目在线审批监管平台项目信息"),
            Some(Project)
        );
        assert_eq!(RegistryKind::serving("居民身份证"), Some(Person));
        assert_eq!(RegistryKind::serving("不动产登记信息"), None);
    }

    #[test]
    fn records_from_outside_are_checked() {
        let ok = serde_json::json!({"id": "SB-1", "name": "张三", "field": "水土保持",
            "qualification": "高级工程师", "valid_from": "2024-01-01", "valid_until": "2026-12-31"});
        let Record::Expert(e) = RegistryKind::Expert.parse_record(&ok).unwrap() else {
            panic!("not an expert")
        };
        assert!(e.valid_on(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
        assert!(!e.valid_on(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        let bad = serde_json::json!({"id": "SB-1", "name": "张三"});
        assert!(RegistryKind::Expert.parse_record(&bad).is_err());
    }
}

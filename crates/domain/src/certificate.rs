//! Electronic certificates (电子证照): the certificate-type catalogue (证照目录), the statuses of
//! a certificate version and the moves between them, validity periods, and the structured
//! data a type prints, resolved from the case that issued it.
//!
//! Statuses follow DOMAIN.md §2.2 (the national licence states): 有效, 失效 (expired), 撤销
//! (revoked), 注销 (cancelled), 吊销 (withdrawn as a penalty), 转出 (transferred out), and 已更新
//! (superseded by a newer version after a change or renewal). Only a valid certificate moves;
//! every other status is final, and every move carries a reason.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A certificate type (证照类型) of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertType {
    /// The platform's key, e.g. `labour-filing`.
    pub code: String,
    /// The 3-digit sequence number of the type under its ministry (GB/T 36904 type code).
    pub seq: String,
    /// The ministry that defines the type, e.g. 住房和城乡建设部.
    pub ministry: String,
    pub name: String,
    pub name_en: String,
    /// The issuing department's slug (e.g. `spj`), in the case's region.
    pub department: String,
    pub holder: HolderKind,
    /// Years of validity from the day of issue; None: valid until revoked or cancelled.
    pub validity_years: Option<u32>,
    /// The service items whose grant issues it.
    #[serde(default)]
    pub items: Vec<String>,
    /// Days before expiry at which the holder is reminded (无感提醒).
    #[serde(default)]
    pub reminders: Vec<u32>,
    /// The item that renews it (延续), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_item: Option<String>,
    /// Whether a coming expiry opens a proactive renewal (无感审批) besides the reminder.
    #[serde(default)]
    pub proactive_renewal: bool,
    /// The fields it prints, in order.
    pub fields: Vec<FieldSpec>,
}

/// Who holds a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderKind {
    /// A person, by ID number.
    Person,
    /// An enterprise or other organisation, by USCC.
    Enterprise,
}

/// One printed field and where its value comes from: `holder.name`, `holder.id`,
/// `case.number`, `item.name`, `form.<key>`, `enterprise.<key>` or `const:<text>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub key: String,
    pub label: String,
    pub from: String,
}

/// The facts a type's fields are resolved from.
#[derive(Debug, Default, Clone)]
pub struct FieldSources<'a> {
    pub holder_id: &'a str,
    pub holder_name: &'a str,
    pub case_number: &'a str,
    pub item_name: &'a str,
    pub form: Option<&'a Value>,
    pub enterprise: Option<&'a Value>,
}

impl CertType {
    /// The structured data (证照数据): `{key: text}` for every field; a source that is absent
    /// gives an empty text, so a certificate never carries made-up values.
    pub fn resolve(&self, s: &FieldSources<'_>) -> Map<String, Value> {
        let text = |v: Option<&Value>| match v {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        self.fields
            .iter()
            .map(|f| {
                let value = match f.from.as_str() {
                    "holder.name" => s.holder_name.to_owned(),
                    "holder.id" => s.holder_id.to_owned(),
                    "case.number" => s.case_number.to_owned(),
                    "item.name" => s.item_name.to_owned(),
                    other => {
                        if let Some(c) = other.strip_prefix("const:") {
                            c.to_owned()
                        } else if let Some(k) = other.strip_prefix("form.") {
                            text(s.form.and_then(|f| f.get(k)))
                        } else if let Some(k) = other.strip_prefix("enterprise.") {
                            text(s.enterprise.and_then(|e| e.get(k)))
                        } else {
                            String::new()
                        }
                    }
                };
                (f.key.clone(), Value::String(value))
            })
            .collect()
    }

    /// The last day of validity of a certificate issued on `from` (the day before the same
    /// date `validity_years` later; 29 February goes to 28 February), or None when unlimited.
    pub fn valid_until(&self, from: NaiveDate) -> Option<NaiveDate> {
        let years = i32::try_from(self.validity_years?).ok()?;
        let year = from.year() + years;
        let same = NaiveDate::from_ymd_opt(year, from.month(), from.day())
            .or_else(|| NaiveDate::from_ymd_opt(year, from.month(), 28))?;
        same.pred_opt()
    }

    /// What is wrong with the type's definition, if anything (checked when the catalogue loads).
    pub fn check(&self) -> Result<(), String> {
        if self.code.is_empty() || self.name.is_empty() {
            return Err("证照类型缺少编码或名称".into());
        }
        if self.seq.len() != 3 || !self.seq.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("证照类型 {} 的顺序号应为 3 位数字", self.code));
        }
        if self.fields.is_empty() {
            return Err(format!("证照类型 {} 没有照面字段", self.code));
        }
        for f in &self.fields {
            let known = matches!(
                f.from.as_str(),
                "holder.name" | "holder.id" | "case.number" | "item.name"
            ) || ["const:", "form.", "enterprise."]
                .iter()
                .any(|p| f.from.starts_with(p));
            if !known {
                return Err(format!(
                    "证照类型 {} 的字段 {} 的来源 {} 无法识别",
                    self.code, f.key, f.from
                ));
            }
        }
        if self.reminders.iter().any(|d| *d == 0 || *d > 366) {
            return Err(format!(
                "证照类型 {} 的提醒天数应在 1 到 366 之间",
                self.code
            ));
        }
        Ok(())
    }
}

/// The status of a certificate version (证照状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    /// 有效
    Valid,
    /// 失效: past its last day of validity.
    Expired,
    /// 撤销: the grant is revoked (e.g. obtained by deception, 行政许可法 Art. 69).
    Revoked,
    /// 注销: cancelled (the holder gave it up, ceased to exist …, Art. 70).
    Cancelled,
    /// 吊销: withdrawn as an administrative penalty.
    Withdrawn,
    /// 转出: transferred to another authority.
    Transferred,
    /// 已更新: replaced by a newer version after a change or renewal.
    Superseded,
}

impl CertStatus {
    pub const ALL: [CertStatus; 7] = [
        CertStatus::Valid,
        CertStatus::Expired,
        CertStatus::Revoked,
        CertStatus::Cancelled,
        CertStatus::Withdrawn,
        CertStatus::Transferred,
        CertStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::Valid => "valid",
            CertStatus::Expired => "expired",
            CertStatus::Revoked => "revoked",
            CertStatus::Cancelled => "cancelled",
            CertStatus::Withdrawn => "withdrawn",
            CertStatus::Transferred => "transferred",
            CertStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CertStatus::Valid => "有效",
            CertStatus::Expired => "已过期",
            CertStatus::Revoked => "已撤销",
            CertStatus::Cancelled => "已注销",
            CertStatus::Withdrawn => "已吊销",
            CertStatus::Transferred => "已转出",
            CertStatus::Superseded => "已更新为新版本",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CertStatus::Valid => "valid",
            CertStatus::Expired => "expired",
            CertStatus::Revoked => "revoked",
            CertStatus::Cancelled => "cancelled",
            CertStatus::Withdrawn => "withdrawn as a penalty",
            CertStatus::Transferred => "transferred out",
            CertStatus::Superseded => "superseded by a newer version",
        }
    }

    /// The national status code (DOMAIN.md §2.2): 01 valid, 03 revoked, 04 cancelled, 05
    /// expired, 06 transferred, 07 withdrawn, 99 other (superseded).
    pub fn national_code(self) -> &'static str {
        match self {
            CertStatus::Valid => "01",
            CertStatus::Revoked => "03",
            CertStatus::Cancelled => "04",
            CertStatus::Expired => "05",
            CertStatus::Transferred => "06",
            CertStatus::Withdrawn => "07",
            CertStatus::Superseded => "99",
        }
    }

    /// Whether a certificate in this status may move to `to`: only a valid one moves, and
    /// never back to valid.
    pub fn may_become(self, to: CertStatus) -> bool {
        self == CertStatus::Valid && to != CertStatus::Valid
    }

    /// Whether a move to this status needs a stated reason (every move by a person does;
    /// expiry and supersession state their own).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            CertStatus::Revoked
                | CertStatus::Cancelled
                | CertStatus::Withdrawn
                | CertStatus::Transferred
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn labour() -> CertType {
        serde_json::from_value(json!({
            "code": "labour-filing", "seq": "001", "ministry": "住房和城乡建设部",
            "name": "施工劳务资质备案凭证", "name_en": "x", "department": "spj",
            "holder": "enterprise", "validity_years": 5, "items": ["QDJS01001-01"],
            "reminders": [90, 30, 7],
            "fields": [
                {"key": "name", "label": "企业名称", "from": "holder.name"},
                {"key": "contact", "label": "联系人", "from": "form.contact"},
                {"key": "staff", "label": "人数", "from": "form.staff"},
                {"key": "lr", "label": "法定代表人", "from": "enterprise.legal_representative"},
                {"key": "scope", "label": "备案内容", "from": "const:施工劳务作业"},
                {"key": "missing", "label": "缺", "from": "form.nothing"}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn fields_resolve_from_the_case_and_never_invent_values() {
        let form = json!({"contact": "李示例", "staff": 12});
        let ent = json!({"legal_representative": "王示例"});
        let got = labour().resolve(&FieldSources {
            holder_id: "91370202MA3CT0X1XX",
            holder_name: "青岛示例劳务有限公司",
            form: Some(&form),
            enterprise: Some(&ent),
            ..Default::default()
        });
        assert_eq!(
            Value::Object(got),
            json!({"name": "青岛示例劳务有限公司", "contact": "李示例", "staff": "12",
                   "lr": "王示例", "scope": "施工劳务作业", "missing": ""})
        );
        assert!(labour().check().is_ok());
        let mut bad = labour();
        bad.fields[0].from = "db.secret".into();
        assert!(bad.check().unwrap_err().contains("db.secret"));
        bad = labour();
        bad.seq = "1".into();
        assert!(bad.check().is_err());
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(labour().valid_until(d(2026, 11, 28)), Some(d(2031, 11, 27)));
        assert_eq!(labour().valid_until(d(2028, 2, 29)), Some(d(2033, 2, 27)));
        let mut unlimited = labour();
        unlimited.validity_years = None;
        assert_eq!(unlimited.valid_until(d(2026, 1, 1)), None);
    }

    #[test]
    fn only_a_valid_certificate_moves_and_never_back() {
        use CertStatus::*;
        assert!(Valid.may_become(Revoked));
        assert!(Valid.may_become(Superseded));
        assert!(!Valid.may_become(Valid));
        for s in CertStatus::ALL.into_iter().filter(|s| *s != Valid) {
            for to in CertStatus::ALL {
                assert!(!s.may_become(to), "{s:?} → {to:?}");
            }
            assert_eq!(CertStatus::parse(s.as_str()), Some(s));
        }
        assert!(Revoked.needs_reason() && !Expired.needs_reason());
        assert_eq!(Withdrawn.national_code(), "07");
        assert_eq!(CertStatus::parse("bogus"), None);
    }
}

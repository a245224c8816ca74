//! Local elements (本地要素): what a district fills when it claims (认领) a city item. Key
//! elements are inherited and can never be set here.

use serde::{Deserialize, Serialize};

/// The elements a district may set for its implementation of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LocalElements {
    /// The district's own implementation code (实施编码), if it has one.
    #[serde(default)]
    pub local_code: String,
    /// 办理地点
    #[serde(default)]
    pub place: String,
    /// 办理时间
    #[serde(default)]
    pub hours: String,
    /// Windows that handle it, e.g. A01.
    #[serde(default)]
    pub windows: Vec<String>,
    /// 咨询电话
    #[serde(default)]
    pub consultation_phone: String,
    /// 监督投诉电话
    #[serde(default)]
    pub complaint_phone: String,
    /// Local notes for applicants.
    #[serde(default)]
    pub notes: String,
}

/// Key elements: the fields of [`super::ServiceItem`] a district can never change.
pub const KEY_ELEMENTS: &[&str] = &[
    "name",
    "basic_code",
    "implementation_code",
    "code",
    "item_type",
    "legal_basis",
    "statutory_limit_days",
    "promised_limit_days",
    "materials",
    "situations",
    "fee",
    "onsite_visits",
    "acceptance_conditions",
    "case_type",
    "handling_kind",
];

impl LocalElements {
    /// Checks lengths and phone shapes; returns the offending field and reasons.
    pub fn check(&self) -> Result<(), (&'static str, &'static str, &'static str)> {
        let long = |s: &str, n: usize| s.chars().count() > n;
        if long(&self.place, 200)
            || long(&self.hours, 200)
            || long(&self.notes, 2000)
            || long(&self.local_code, 50)
        {
            return Err(("local", "本地要素内容过长", "A local element is too long"));
        }
        if self.windows.len() > 50 || self.windows.iter().any(|w| w.is_empty() || long(w, 20)) {
            return Err(("windows", "窗口编号不正确", "Window numbers are invalid"));
        }
        for (f, p) in [
            ("consultation_phone", &self.consultation_phone),
            ("complaint_phone", &self.complaint_phone),
        ] {
            let ok = p.is_empty()
                || (p.len() <= 20
                    && p.chars()
                        .all(|c| c.is_ascii_digit() || c == '-' || c == ' '));
            if !ok {
                return Err((
                    f,
                    "电话号码只能包含数字和连字符",
                    "A phone number has only digits and hyphens",
                ));
            }
        }
        Ok(())
    }
}

/// A district's implementation (实施清单) of a city item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Implementation {
    pub code: String,
    pub region_code: String,
    pub local: LocalElements,
    /// Key elements as a district's own list had them (e.g. after an import); compared with
    /// the standard by the deviation report. None when the district only claimed the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_key: Option<serde_json::Value>,
    pub claimed_by: String,
    pub claimed_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Incremented on every change: optimistic concurrency.
    pub revision: i64,
}

/// The key elements of an item as JSON (for comparing a district's list with the standard).
pub fn key_elements(item: &super::ServiceItem) -> serde_json::Value {
    let full = serde_json::to_value(item).unwrap_or(serde_json::Value::Null);
    let mut out = serde_json::Map::new();
    for k in KEY_ELEMENTS {
        if let Some(v) = full.get(*k) {
            out.insert((*k).to_string(), v.clone());
        }
    }
    serde_json::Value::Object(out)
}

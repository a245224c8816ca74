//! The item standard (事项标准): what the city publishes and every district inherits.

use super::knowledge::Knowledge;
use super::material::{Material, MaterialSource};
use serde::{Deserialize, Serialize};

/// Item type (事项类型, DOMAIN §1.3) with the national type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    /// 行政许可 (01)
    Licensing,
    /// 行政处罚 (02)
    Penalty,
    /// 行政强制 (03)
    Coercion,
    /// 行政征收 (04)
    Levy,
    /// 行政给付 (05)
    Benefit,
    /// 行政检查 (06)
    Inspection,
    /// 行政确认 (07)
    Confirmation,
    /// 行政奖励 (08)
    Award,
    /// 行政裁决 (09)
    Adjudication,
    /// 行政备案 (filed under 其他行政权力, 10)
    Filing,
    /// 其他行政权力 (10)
    OtherPower,
    /// 公共服务 (20)
    PublicService,
}

impl ItemType {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            ItemType::Licensing => "行政许可",
            ItemType::Penalty => "行政处罚",
            ItemType::Coercion => "行政强制",
            ItemType::Levy => "行政征收",
            ItemType::Benefit => "行政给付",
            ItemType::Inspection => "行政检查",
            ItemType::Confirmation => "行政确认",
            ItemType::Award => "行政奖励",
            ItemType::Adjudication => "行政裁决",
            ItemType::Filing => "行政备案",
            ItemType::OtherPower => "其他行政权力",
            ItemType::PublicService => "公共服务",
        }
    }

    /// The national type code.
    pub fn code(self) -> &'static str {
        match self {
            ItemType::Licensing => "01",
            ItemType::Penalty => "02",
            ItemType::Coercion => "03",
            ItemType::Levy => "04",
            ItemType::Benefit => "05",
            ItemType::Inspection => "06",
            ItemType::Confirmation => "07",
            ItemType::Award => "08",
            ItemType::Adjudication => "09",
            ItemType::Filing | ItemType::OtherPower => "10",
            ItemType::PublicService => "20",
        }
    }
}

/// What a handling item does to the licence or registration (业务办理项 kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingKind {
    /// 新设 (new)
    New,
    /// 变更 (change)
    Change,
    /// 延续 (renewal)
    Renewal,
    /// 注销 (cancellation)
    Cancellation,
}

impl HandlingKind {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            HandlingKind::New => "新设",
            HandlingKind::Change => "变更",
            HandlingKind::Renewal => "延续",
            HandlingKind::Cancellation => "注销",
        }
    }
}

/// Case type (办件类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseType {
    /// 即办件: finished on the spot when the materials are complete.
    Immediate,
    /// 承诺件: finished within the promised limit.
    Promised,
}

impl CaseType {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            CaseType::Immediate => "即办件",
            CaseType::Promised => "承诺件",
        }
    }
}

/// How far the item can be handled online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Only at a window.
    Offline,
    /// 网上可办: apply online, some steps on site.
    Online,
    /// 全程网办: fully online.
    FullyOnline,
}

impl OnlineLevel {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineLevel::Offline => "offline",
            OnlineLevel::Online => "online",
            OnlineLevel::FullyOnline => "fully_online",
        }
    }
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            OnlineLevel::Offline => "窗口办理",
            OnlineLevel::Online => "网上可办",
            OnlineLevel::FullyOnline => "全程网办",
        }
    }
}

/// A law or regulation an item rests on (设定和实施依据). Cite by real name; give an article only
/// when it is certain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasis {
    /// e.g. 《中华人民共和国建筑法》
    pub title: String,
    /// e.g. 第八条; None when not cited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
}

/// The fee (收费).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Fee {
    pub charged: bool,
    /// What is charged, e.g. 工本费 10 元; empty when free.
    #[serde(default)]
    pub description: String,
    /// The legal basis of the charge.
    #[serde(default)]
    pub basis: String,
}

/// A special procedure (特别程序) whose time does not count toward the limit (行政许可法 Art. 45).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialProcedure {
    /// e.g. 专家评审, 现场核查, 公示
    pub name: String,
    /// Its own limit in working days.
    pub limit_days: u32,
}

/// A handling situation (办理情形): selects materials, may shorten the promised limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Situation {
    /// Stable key within the item, e.g. `new-llc`.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Keys of the materials this situation needs (beside the always-required ones).
    #[serde(default)]
    pub materials: Vec<String>,
    /// A shorter promised limit for this situation, in working days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_limit_days: Option<u32>,
    /// The situation's own business form, used instead of the item's (情形表单).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<crate::form::FormDefinition>,
}

/// A frequently asked question (常见问题).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The standard of one handling item (业务办理项): its key elements, identical citywide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    /// 基本编码 (catalog code, ≤ 12 characters, opaque).
    pub basic_code: String,
    /// 实施编码 of the city standard (≤ 36, opaque).
    pub implementation_code: String,
    /// 业务办理项编码 (≤ 50, opaque): the item's identity in shenpi.
    pub code: String,
    pub name: String,
    /// 主项 name.
    pub main_item: String,
    /// 子项 name, when the main item is split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_item: Option<String>,
    pub handling_kind: HandlingKind,
    pub item_type: ItemType,
    /// Domain for browsing and filters, e.g. `company`, `construction`, `utilities`.
    pub domain: String,
    /// 实施主体 (implementing body), e.g. 行政审批服务局.
    pub implementing_body: String,
    /// The department slug (`spj`, `zjj`, …) that handles it in each region.
    pub department: String,
    /// Whether districts implement it (else only the city does).
    pub district_level: bool,
    pub legal_basis: Vec<LegalBasis>,
    pub acceptance_conditions: Vec<String>,
    /// 法定办结时限, working days.
    pub statutory_limit_days: u32,
    /// 承诺办结时限, working days (≤ statutory).
    pub promised_limit_days: u32,
    pub case_type: CaseType,
    /// 到办事现场次数 (0 = 零跑动).
    pub onsite_visits: u8,
    pub fee: Fee,
    pub online_level: OnlineLevel,
    #[serde(default)]
    pub special_procedures: Vec<SpecialProcedure>,
    /// 办理流程, in order.
    #[serde(default)]
    pub process_steps: Vec<String>,
    pub materials: Vec<Material>,
    #[serde(default)]
    pub situations: Vec<Situation>,
    #[serde(default)]
    pub faq: Vec<Faq>,
    /// Who is served, e.g. 企业法人, 自然人.
    #[serde(default)]
    pub service_object: String,
    /// Default place and hours (districts fill their own).
    #[serde(default)]
    pub default_place: String,
    #[serde(default)]
    pub default_hours: String,
    /// Key of the workflow process the item uses (later issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_key: Option<String>,
    /// Key of the business-data form (later issue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_key: Option<String>,
    /// The business-data form (业务表单): JSON Schema 2020-12 plus UI hints, versioned with the
    /// item; the application's `form` is validated against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<crate::form::FormDefinition>,
    /// Reviewer knowledge, versioned with the item.
    #[serde(default)]
    pub knowledge: Knowledge,
    /// Rules of the rules library the item uses (规则绑定): acceptance conditions, review
    /// checks, routing, fees, automatic approval. Each decision is stored with the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleBinding>,
}

/// The purposes a rule serves for an item, with their Chinese names.
pub const RULE_PURPOSES: [(&str, &str); 5] = [
    ("acceptance", "受理条件"),
    ("review", "审核校验"),
    ("routing", "流程路由"),
    ("fee", "收费"),
    ("auto_approval", "自动审批"),
];

/// The Chinese name of a rule purpose (`None`: not a purpose).
pub fn rule_purpose_zh(purpose: &str) -> Option<&'static str> {
    RULE_PURPOSES
        .iter()
        .find(|(k, _)| *k == purpose)
        .map(|(_, zh)| *zh)
}

/// Whether `key` is a rule key: 1–60 lower-case letters, digits or `-`.
pub fn is_rule_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 60
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A rule an item uses for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBinding {
    /// One of [`RULE_PURPOSES`].
    pub purpose: String,
    /// The rule's key in the rules library; its newest version is used.
    pub rule: String,
}

impl ServiceItem {
    /// Materials a situation needs: the always-required ones plus the situation's own.
    pub fn materials_for(&self, situation: Option<&str>) -> Vec<&Material> {
        let selected: Vec<&str> = situation
            .and_then(|k| self.situations.iter().find(|s| s.key == k))
            .map(|s| s.materials.iter().map(String::as_str).collect())
            .unwrap_or_default();
        self.materials
            .iter()
            .filter(|m| m.always_required || selected.contains(&m.key.as_str()))
            .collect()
    }

    /// The business form of a situation: its own, else the item's.
    pub fn form_for(&self, situation: Option<&str>) -> Option<&crate::form::FormDefinition> {
        situation
            .and_then(|k| self.situations.iter().find(|s| s.key == k))
            .and_then(|s| s.form.as_ref())
            .or(self.form.as_ref())
    }

    /// The promised limit of a situation (a situation may shorten it).
    pub fn promised_limit_for(&self, situation: Option<&str>) -> u32 {
        situation
            .and_then(|k| self.situations.iter().find(|s| s.key == k))
            .and_then(|s| s.promised_limit_days)
            .unwrap_or(self.promised_limit_days)
    }

    /// 零材料: every material of the situation comes from somewhere other than an upload.
    pub fn is_zero_material(&self, situation: Option<&str>) -> bool {
        self.materials_for(situation)
            .iter()
            .all(|m| m.source != MaterialSource::Upload)
    }

    /// 零跑动: no on-site visit.
    pub fn is_zero_visit(&self) -> bool {
        self.onsite_visits == 0
    }
}

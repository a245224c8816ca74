//! The company-name check (企业名称自主申报检查): a name is 行政区划 + 字号 + 行业 + 组织形式
//! (e.g. 青岛 + 海蓝 + 信息技术 + 有限公司), or with the region in brackets after the trade
//! name (海蓝（青岛）信息技术有限公司). The check follows the 企业名称登记管理规定:
//!
//! - the region is Qingdao (青岛, 青岛市) or one of its districts (市南区, 青岛市市南区 …);
//! - the trade name (字号) has at least two Chinese characters and is not a region name;
//! - the industry (行业) is written in Chinese characters;
//! - the legal form (组织形式) is one the entity type allows (the decision table gives them);
//! - no prohibited or restricted word ([`NameWords`], a data file), anywhere in the name;
//! - not the same as an existing name (same 字号 and 行业 ignoring region and form), and a
//!   warning when an existing name has the same 字号.
//!
//! Every finding is bilingual, with the JSON pointer of the part it concerns.

use crate::regions::{QINGDAO_CITY, qingdao_districts};
use serde::{Deserialize, Serialize};

/// The parts of a proposed name as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameParts {
    /// 行政区划, e.g. `青岛` or `市南区`.
    #[serde(default)]
    pub region: String,
    /// 字号 (trade name).
    #[serde(default)]
    pub trade: String,
    /// 行业 (industry wording).
    #[serde(default)]
    pub industry: String,
    /// 组织形式, e.g. `有限公司`.
    #[serde(default)]
    pub form: String,
    /// The region in brackets after the trade name (字号（青岛）行业组织形式).
    #[serde(default)]
    pub region_in_brackets: bool,
}

impl NameParts {
    /// The full name the parts make.
    pub fn full(&self) -> String {
        let (r, t, i, f) = (
            self.region.trim(),
            self.trade.trim(),
            self.industry.trim(),
            self.form.trim(),
        );
        if self.region_in_brackets {
            format!("{t}（{r}）{i}{f}")
        } else {
            format!("{r}{t}{i}{f}")
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The name cannot be declared.
    Error,
    /// The name can be declared, with the condition or risk stated.
    Warning,
}

/// One finding of the name check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// JSON pointer of the part, e.g. `/name/trade`.
    pub pointer: String,
    pub code: &'static str,
    pub severity: Severity,
    pub message_zh: String,
    pub message_en: String,
}

/// One prohibited or restricted word (禁限用字词).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameWord {
    pub word: String,
    /// `approval`, `exaggeration`, `misleading`, `restricted`, `public_order`.
    pub category: String,
    /// `error` refuses the name; `warning` states a condition.
    pub severity: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The word list (a data file: `crates/app/data/name_words.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameWords {
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source: String,
    pub words: Vec<NameWord>,
}

/// Region wordings a Qingdao name may use: 青岛, 青岛市, each district, 青岛市 + district.
pub fn qingdao_region_words() -> Vec<String> {
    let mut v = vec!["青岛".to_string(), "青岛市".to_string()];
    for (_, n) in qingdao_districts() {
        v.push((*n).to_string());
        v.push(format!("青岛市{n}"));
    }
    v
}

/// Legal forms the checker recognises when it reads an existing name.
const KNOWN_FORMS: [&str; 9] = [
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "个人独资企业",
    "普通合伙",
    "合伙企业",
    "有限合伙",
    "（普通合伙）",
    "（有限合伙）",
];

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

fn finding(
    pointer: &str,
    code: &'static str,
    severity: Severity,
    zh: String,
    en: String,
) -> Finding {
    Finding {
        pointer: pointer.to_string(),
        code,
        severity,
        message_zh: zh,
        message_en: en,
    }
}

/// The 字号 + 行业 core of an existing full name: region (also in brackets) and legal form
/// removed, e.g. `青岛市海蓝信息技术有限公司` → `海蓝信息技术`.
pub fn core_of(full: &str) -> String {
    let mut s = full.trim().replace('(', "（").replace(')', "）");
    for suffix in ["（演示）", "（普通合伙）", "（有限合伙）"] {
        if let Some(x) = s.strip_suffix(suffix) {
            s = x.to_string();
        }
    }
    for f in KNOWN_FORMS {
        if let Some(x) = s.strip_suffix(f) {
            s = x.to_string();
            break;
        }
    }
    let mut regions = qingdao_region_words();
    regions.sort_by_key(|r| std::cmp::Reverse(r.chars().count()));
    for r in &regions {
        if let Some(x) = s.strip_prefix(r.as_str()) {
            s = x.to_string();
            break;
        }
    }
    for r in &regions {
        let bracket = format!("（{r}）");
        if s.contains(&bracket) {
            s = s.replacen(&bracket, "", 1);
            break;
        }
    }
    s
}

/// Checks `parts` for an entity whose legal forms are `forms`, against `words` and the
/// `existing` names of the registry. An empty list means the name can be declared.
pub fn check_name(
    parts: &NameParts,
    forms: &[String],
    words: &NameWords,
    existing: &[String],
) -> Vec<Finding> {
    use Severity::{Error, Warning};
    let mut v = vec![];
    let (region, trade, industry, form) = (
        parts.region.trim(),
        parts.trade.trim(),
        parts.industry.trim(),
        parts.form.trim(),
    );
    let regions = qingdao_region_words();
    if !regions.iter().any(|r| r == region) {
        v.push(finding(
            "/name/region",
            "NAME_REGION_INVALID",
            Error,
            format!("行政区划“{region}”不是青岛市或其所辖区（市）的名称，请填写“青岛”“青岛市”或区（市）名称，如“市南区”"),
            format!("Region '{region}' is not Qingdao or one of its districts; write 青岛, 青岛市 or a district such as 市南区"),
        ));
    }
    let trade_len = trade.chars().count();
    if !(2..=10).contains(&trade_len) || !trade.chars().all(is_han) {
        v.push(finding(
            "/name/trade",
            "NAME_TRADE_INVALID",
            Error,
            "字号须为 2–10 个汉字，不含字母、数字或符号".into(),
            "The trade name must be 2–10 Chinese characters, no letters, digits or symbols".into(),
        ));
    } else if regions.iter().any(|r| r == trade)
        || crate::regions::all().iter().any(|(_, n)| *n == trade)
    {
        v.push(finding(
            "/name/trade",
            "NAME_TRADE_IS_REGION",
            Error,
            format!("字号“{trade}”是行政区划名称，不能用作字号"),
            format!("The trade name '{trade}' is a region name and cannot be used"),
        ));
    }
    let industry_len = industry.chars().count();
    if !(2..=20).contains(&industry_len) || !industry.chars().all(is_han) {
        v.push(finding(
            "/name/industry",
            "NAME_INDUSTRY_INVALID",
            Error,
            "行业表述须为 2–20 个汉字，如“信息技术”“餐饮管理”".into(),
            "The industry must be 2–20 Chinese characters, e.g. 信息技术".into(),
        ));
    }
    if !forms.iter().any(|f| f == form) {
        v.push(finding(
            "/name/form",
            "NAME_FORM_MISMATCH",
            Error,
            format!("组织形式“{form}”与主体类型不符，应为：{}", forms.join("、")),
            format!(
                "The legal form '{form}' does not fit the entity type; use one of: {}",
                forms.join(", ")
            ),
        ));
    }
    for w in &words.words {
        let part = [("trade", trade), ("industry", industry), ("region", region)]
            .into_iter()
            .find(|(_, text)| text.contains(w.word.as_str()));
        if let Some((at, _)) = part {
            let severity = if w.severity == "warning" {
                Warning
            } else {
                Error
            };
            v.push(finding(
                &format!("/name/{at}"),
                if severity == Error {
                    "NAME_WORD_PROHIBITED"
                } else {
                    "NAME_WORD_RESTRICTED"
                },
                severity,
                format!("名称含有“{}”：{}", w.word, w.reason_zh),
                format!("The name contains “{}”: {}", w.word, w.reason_en),
            ));
        }
    }
    let core = format!("{trade}{industry}");
    if trade_len >= 2 {
        for name in existing {
            let theirs = core_of(name);
            if theirs == core {
                v.push(finding(
                    "/name/trade",
                    "NAME_DUPLICATE",
                    Error,
                    format!("与已登记的企业名称“{name}”相同（字号和行业相同），请更换字号"),
                    format!("Same as the registered name “{name}” (same trade name and industry); choose another trade name"),
                ));
            } else if theirs.starts_with(trade) {
                v.push(finding(
                    "/name/trade",
                    "NAME_SIMILAR",
                    Warning,
                    format!("已有企业“{name}”使用相同字号，名称可能近似，登记机关可能要求说明"),
                    format!("“{name}” uses the same trade name; the names may be judged similar"),
                ));
            }
        }
    }
    v
}

/// The region code a name's region wording stands for (青岛 → 370200, 市南区 → 370202).
pub fn region_code_of(region: &str) -> Option<&'static str> {
    let r = region.trim();
    let r = r
        .strip_prefix("青岛市")
        .filter(|x| !x.is_empty())
        .unwrap_or(r);
    if r == "青岛" || r == "青岛市" {
        return Some(QINGDAO_CITY);
    }
    qingdao_districts()
        .iter()
        .find(|(_, n)| *n == r)
        .map(|(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> NameWords {
        let w = |word: &str, severity: &str| NameWord {
            word: word.into(),
            category: "test".into(),
            severity: severity.into(),
            reason_zh: "理由".into(),
            reason_en: "reason".into(),
        };
        NameWords {
            version: "t".into(),
            title: String::new(),
            source: String::new(),
            words: vec![w("中国", "error"), w("第一", "error"), w("银行", "warning")],
        }
    }

    fn parts(region: &str, trade: &str, industry: &str, form: &str) -> NameParts {
        NameParts {
            region: region.into(),
            trade: trade.into(),
            industry: industry.into(),
            form: form.into(),
            region_in_brackets: false,
        }
    }

    fn llc() -> Vec<String> {
        vec!["有限公司".into(), "有限责任公司".into()]
    }

    fn codes(f: &[Finding]) -> Vec<&'static str> {
        f.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_well_formed_qingdao_name_passes() {
        let p = parts("青岛", "海蓝", "信息技术", "有限公司");
        assert_eq!(p.full(), "青岛海蓝信息技术有限公司");
        assert!(check_name(&p, &llc(), &words(), &[]).is_empty());
        let mut b = parts("市南区", "海蓝", "信息技术", "有限责任公司");
        b.region_in_brackets = true;
        assert_eq!(b.full(), "海蓝（市南区）信息技术有限责任公司");
        assert!(check_name(&b, &llc(), &words(), &[]).is_empty());
        assert!(
            check_name(
                &parts("青岛市黄岛区", "海蓝", "餐饮", "有限公司"),
                &llc(),
                &words(),
                &[]
            )
            .is_empty()
        );
    }

    #[test]
    fn wrong_region_short_trade_name_and_form_mismatch_are_errors() {
        let f = check_name(
            &parts("上海", "蓝", "信息", "个人独资企业"),
            &llc(),
            &words(),
            &[],
        );
        assert_eq!(
            codes(&f),
            [
                "NAME_REGION_INVALID",
                "NAME_TRADE_INVALID",
                "NAME_FORM_MISMATCH"
            ]
        );
        assert_eq!(f[0].pointer, "/name/region");
        let f = check_name(
            &parts("青岛", "崂山区", "旅游", "有限公司"),
            &llc(),
            &words(),
            &[],
        );
        assert_eq!(codes(&f), ["NAME_TRADE_IS_REGION"]);
        let f = check_name(
            &parts("青岛", "AB科技", "信息技术", "有限公司"),
            &llc(),
            &words(),
            &[],
        );
        assert_eq!(codes(&f), ["NAME_TRADE_INVALID"]);
        let sole = vec!["个人独资企业".to_string()];
        let f = check_name(
            &parts("青岛", "海蓝", "餐饮", "有限公司"),
            &sole,
            &words(),
            &[],
        );
        assert_eq!(codes(&f), ["NAME_FORM_MISMATCH"]);
    }

    #[test]
    fn prohibited_words_are_errors_and_restricted_ones_warnings() {
        let f = check_name(
            &parts("青岛", "中国海蓝", "信息技术", "有限公司"),
            &llc(),
            &words(),
            &[],
        );
        assert_eq!(codes(&f), ["NAME_WORD_PROHIBITED"]);
        assert!(f[0].message_zh.contains("中国"));
        let f = check_name(
            &parts("青岛", "海蓝", "第一餐饮", "有限公司"),
            &llc(),
            &words(),
            &[],
        );
        assert_eq!(f[0].pointer, "/name/industry");
        let f = check_name(
            &parts("青岛", "海蓝银行", "咨询", "有限公司"),
            &llc(),
            &words(),
            &[],
        );
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn duplicates_and_similar_names_are_found_in_the_registry() {
        let existing = vec![
            "青岛市海蓝信息技术有限公司".to_string(),
            "海蓝（市北区）餐饮管理有限公司".to_string(),
            "青岛山海贸易有限公司".to_string(),
        ];
        assert_eq!(core_of(&existing[0]), "海蓝信息技术");
        assert_eq!(core_of(&existing[1]), "海蓝餐饮管理");
        let f = check_name(
            &parts("市南区", "海蓝", "信息技术", "有限公司"),
            &llc(),
            &words(),
            &existing,
        );
        assert_eq!(codes(&f), ["NAME_DUPLICATE", "NAME_SIMILAR"]);
        let f = check_name(
            &parts("青岛", "云帆", "信息技术", "有限公司"),
            &llc(),
            &words(),
            &existing,
        );
        assert!(f.is_empty());
    }

    #[test]
    fn region_wordings_map_to_codes() {
        assert_eq!(region_code_of("青岛"), Some("370200"));
        assert_eq!(region_code_of("青岛市崂山区"), Some("370212"));
        assert_eq!(region_code_of("胶州市"), Some("370281"));
        assert_eq!(region_code_of("济南"), None);
    }
}

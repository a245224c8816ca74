//! Validation of an item standard. Every problem is reported at once, each with the field path
//! and a bilingual reason, so an import report or a form can show them all.

use super::ServiceItem;
use super::material::MaterialSource;
use serde::Serialize;
use std::collections::HashSet;

/// One problem of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemIssue {
    /// Field path, e.g. `materials[2].name`.
    pub field: String,
    /// Stable code, e.g. `ITEM_PROMISED_ABOVE_STATUTORY`.
    pub code: &'static str,
    pub reason_zh: String,
    pub reason_en: String,
}

struct Issues(Vec<ItemIssue>);

impl Issues {
    fn add(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.0.push(ItemIssue {
            field: field.into(),
            code,
            reason_zh: zh.into(),
            reason_en: en.into(),
        });
    }

    fn text(&mut self, field: &str, value: &str, max: usize) {
        let n = value.trim().chars().count();
        if n == 0 {
            self.add(
                field,
                "ITEM_FIELD_EMPTY",
                format!("{field} 不能为空"),
                format!("{field} must not be empty"),
            );
        } else if n > max {
            self.add(
                field,
                "ITEM_FIELD_TOO_LONG",
                format!("{field} 不能超过 {max} 个字"),
                format!("{field} is longer than {max} characters"),
            );
        }
    }

    fn code(&mut self, field: &str, value: &str, max: usize, extra: &str) {
        let ok = !value.is_empty()
            && value.len() <= max
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
        if !ok {
            self.add(
                field,
                "ITEM_CODE_INVALID",
                format!(
                    "{field} 须为 1–{max} 位字母、数字{}",
                    if extra.is_empty() { "" } else { "或 - _ ." }
                ),
                format!(
                    "{field} must be 1–{max} letters or digits{}",
                    if extra.is_empty() { "" } else { " or - _ ." }
                ),
            );
        }
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Checks an item standard; `Err` lists every problem.
pub fn check_item(item: &ServiceItem) -> Result<(), Vec<ItemIssue>> {
    let mut v = Issues(vec![]);
    v.code("basic_code", &item.basic_code, 12, "");
    v.code("implementation_code", &item.implementation_code, 36, "-");
    v.code("code", &item.code, 50, "-_.");
    v.text("name", &item.name, 100);
    v.text("main_item", &item.main_item, 100);
    if let Some(s) = &item.sub_item {
        v.text("sub_item", s, 100);
    }
    v.text("implementing_body", &item.implementing_body, 100);
    if !is_slug(&item.domain) {
        v.add(
            "domain",
            "ITEM_FIELD_INVALID",
            "领域须为小写字母标识，如 construction",
            "domain must be a lower-case slug such as construction",
        );
    }
    if !is_slug(&item.department) {
        v.add(
            "department",
            "ITEM_FIELD_INVALID",
            "部门须为部门标识，如 spj",
            "department must be a department slug such as spj",
        );
    }
    if let Some(form) = &item.form
        && let Err(e) = crate::form::Form::compile(form.clone())
    {
        v.add(
            "form",
            "ITEM_FORM_INVALID",
            format!("业务表单定义有误：{}", e.reason_zh()),
            format!("The business form is not valid: {e}"),
        );
    }
    for (i, s) in item.situations.iter().enumerate() {
        if let Some(form) = &s.form
            && let Err(e) = crate::form::Form::compile(form.clone())
        {
            v.add(
                format!("situations[{i}].form"),
                "ITEM_FORM_INVALID",
                format!("情形“{}”的业务表单定义有误：{}", s.name, e.reason_zh()),
                format!("The business form of situation {} is not valid: {e}", s.key),
            );
        }
    }
    for (i, b) in item.rules.iter().enumerate() {
        let field = format!("rules[{i}]");
        if super::item::rule_purpose_zh(&b.purpose).is_none() {
            v.add(
                &field,
                "ITEM_RULE_PURPOSE_INVALID",
                "规则用途须为 acceptance、review、routing、fee 或 auto_approval",
                "A rule's purpose must be acceptance, review, routing, fee or auto_approval",
            );
        } else if item.rules[..i].iter().any(|o| o.purpose == b.purpose) {
            v.add(
                &field,
                "ITEM_RULE_DUPLICATE",
                format!("用途 {} 已绑定规则", b.purpose),
                format!("Purpose {} already has a rule", b.purpose),
            );
        }
        if !super::item::is_rule_key(&b.rule) {
            v.add(
                &field,
                "ITEM_RULE_KEY_INVALID",
                "规则标识须为 1–60 位小写字母、数字或 -",
                "A rule key must be 1–60 lower-case letters, digits or -",
            );
        }
    }
    if item.legal_basis.is_empty() {
        v.add(
            "legal_basis",
            "ITEM_LEGAL_BASIS_MISSING",
            "至少填写一项设定依据",
            "Give at least one legal basis",
        );
    }
    for (i, b) in item.legal_basis.iter().enumerate() {
        v.text(&format!("legal_basis[{i}].title"), &b.title, 200);
    }
    for (i, c) in item.acceptance_conditions.iter().enumerate() {
        v.text(&format!("acceptance_conditions[{i}]"), c, 500);
    }
    if item.statutory_limit_days > 365 {
        v.add(
            "statutory_limit_days",
            "ITEM_LIMIT_INVALID",
            "法定时限不能超过 365 个工作日",
            "The statutory limit cannot exceed 365 working days",
        );
    }
    if item.promised_limit_days > item.statutory_limit_days {
        v.add(
            "promised_limit_days",
            "ITEM_PROMISED_ABOVE_STATUTORY",
            format!(
                "承诺时限（{} 个工作日）不能超过法定时限（{} 个工作日）",
                item.promised_limit_days, item.statutory_limit_days
            ),
            format!(
                "The promised limit ({} working days) exceeds the statutory limit ({})",
                item.promised_limit_days, item.statutory_limit_days
            ),
        );
    }
    if item.onsite_visits > 5 {
        v.add(
            "onsite_visits",
            "ITEM_FIELD_INVALID",
            "到现场次数不能超过 5 次",
            "At most 5 on-site visits",
        );
    }
    if item.fee.charged
        && (item.fee.description.trim().is_empty() || item.fee.basis.trim().is_empty())
    {
        v.add(
            "fee",
            "ITEM_FEE_BASIS_MISSING",
            "收费事项须写明收费标准和收费依据",
            "A charged item needs the amount and its legal basis",
        );
    }
    let mut keys = HashSet::new();
    for (i, m) in item.materials.iter().enumerate() {
        let f = format!("materials[{i}]");
        if !is_slug(&m.key) {
            v.add(
                format!("{f}.key"),
                "ITEM_FIELD_INVALID",
                "材料标识须为小写字母、数字或 -",
                "A material key is a lower-case slug",
            );
        }
        if !keys.insert(m.key.as_str()) {
            v.add(
                format!("{f}.key"),
                "ITEM_DUPLICATE_KEY",
                format!("材料标识 {} 重复", m.key),
                format!("Duplicate material key {}", m.key),
            );
        }
        v.text(&format!("{f}.name"), &m.name, 200);
        match &m.source {
            MaterialSource::SharedData { dataset } => {
                v.text(&format!("{f}.source.dataset"), dataset, 100)
            }
            MaterialSource::ECertificate { cert_type } => {
                v.text(&format!("{f}.source.cert_type"), cert_type, 100)
            }
            _ => {}
        }
    }
    let mut skeys = HashSet::new();
    let mut selected = HashSet::new();
    for (i, s) in item.situations.iter().enumerate() {
        let f = format!("situations[{i}]");
        if !is_slug(&s.key) {
            v.add(
                format!("{f}.key"),
                "ITEM_FIELD_INVALID",
                "情形标识须为小写字母、数字或 -",
                "A situation key is a lower-case slug",
            );
        }
        if !skeys.insert(s.key.as_str()) {
            v.add(
                format!("{f}.key"),
                "ITEM_DUPLICATE_KEY",
                format!("情形标识 {} 重复", s.key),
                format!("Duplicate situation key {}", s.key),
            );
        }
        v.text(&format!("{f}.name"), &s.name, 200);
        for m in &s.materials {
            selected.insert(m.as_str());
            if !keys.contains(m.as_str()) {
                v.add(
                    format!("{f}.materials"),
                    "ITEM_UNKNOWN_MATERIAL",
                    format!("情形引用了不存在的材料 {m}"),
                    format!("The situation refers to an unknown material {m}"),
                );
            }
        }
        if let Some(d) = s.promised_limit_days
            && d > item.promised_limit_days
        {
            v.add(
                format!("{f}.promised_limit_days"),
                "ITEM_PROMISED_ABOVE_STATUTORY",
                "情形的承诺时限只能缩短，不能超过事项承诺时限",
                "A situation may only shorten the promised limit",
            );
        }
    }
    for (i, m) in item.materials.iter().enumerate() {
        if !m.always_required && !selected.contains(m.key.as_str()) {
            v.add(
                format!("materials[{i}]"),
                "ITEM_MATERIAL_UNUSED",
                format!("材料“{}”既非必交，也未被任何情形选用", m.name),
                format!(
                    "Material {} is neither always required nor selected by any situation",
                    m.key
                ),
            );
        }
    }
    if v.0.is_empty() { Ok(()) } else { Err(v.0) }
}

//! What the applicant enters on the smart registration form (智能表单) and its checks.
//!
//! [`check_input`] checks every field on its own (identifiers with their check digits, amounts,
//! dates, lengths) and the contributions: the investors' subscribed amounts (认缴出资额) must add
//! up to the registered capital (注册资本) exactly, counted in fen. It also gives the [`Facts`]
//! the entity-type decision table reads. [`check_requirements`] then checks what the inferred
//! entity type requires ([`Requirements`], the table's output): how many investors, who may be
//! the representative (an officer who runs the company, or an investor), whether officers are
//! needed, the latest contribution date. Every problem is a [`FieldError`] at its JSON pointer.

use super::money::{format_wan, parse_wan};
use super::name::NameParts;
use crate::form::FieldError;
use crate::validate::{IdNumber, Mobile, Uscc};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashSet;

/// Reads an amount given as JSON text or number, keeping its written form.
fn amount_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// The business premises (住所): a Qingdao district and the street address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub detail: String,
}

/// An investor (股东 / 投资人 / 合伙人 / 经营者).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investor {
    /// `natural` (自然人) or `legal` (法人或其他组织).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    /// A natural person's ID number.
    #[serde(default)]
    pub id_number: String,
    /// A legal person's unified social credit code.
    #[serde(default)]
    pub uscc: String,
    /// Subscribed contribution in 万元.
    #[serde(default, deserialize_with = "amount_text")]
    pub amount: String,
    /// 出资方式, e.g. `货币`.
    #[serde(default)]
    pub method: String,
    /// 出资期限 (YYYY-MM-DD).
    #[serde(default)]
    pub due_date: String,
}

/// A person named on the form: the representative, an officer, the designated contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub mobile: String,
    /// Officers: 执行董事, 董事长, 董事, 监事, 经理, 财务负责人.
    #[serde(default)]
    pub position: String,
}

/// The whole form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInput {
    /// `enterprise` (企业) or `individual_business` (个体工商户).
    #[serde(default)]
    pub organisation: String,
    /// `limited` (以出资额为限承担责任) or `unlimited` (承担无限责任).
    #[serde(default)]
    pub liability: String,
    /// The USCC of an existing entity: the registration is then a change (变更).
    #[serde(default)]
    pub existing_uscc: String,
    /// What changes (a situation of the change item), for a change.
    #[serde(default)]
    pub change_item: String,
    #[serde(default)]
    pub name: NameParts,
    /// Codes of the business-scope catalogue.
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub address: Address,
    /// Registered capital (注册资本 / 出资额 / 资金数额) in 万元.
    #[serde(default, deserialize_with = "amount_text")]
    pub capital: String,
    #[serde(default)]
    pub shareholders: Vec<Investor>,
    #[serde(default)]
    pub legal_representative: Person,
    #[serde(default)]
    pub officers: Vec<Person>,
    /// The designated representative or agent (指定代表或者共同委托代理人).
    #[serde(default)]
    pub contact: Person,
    /// The premises are declared by commitment (住所申报承诺制).
    #[serde(default)]
    pub premises_commitment: bool,
}

/// Facts for the entity-type decision table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub organisation: String,
    pub liability: String,
    pub natural_investors: i64,
    pub legal_investors: i64,
    /// Natural persons hold more than half of the capital.
    pub natural_control: bool,
    /// An existing USCC was given (变更).
    pub has_uscc: bool,
    pub premises_commitment: bool,
    pub change_item: String,
}

/// Reads a whole number the decision table gave, written as an integer or a float (`2` or `2.0`).
fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    v.as_i64()
        .or_else(|| {
            v.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom("expected a whole number"))
}

/// What the inferred entity type requires (the decision table's output).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirements {
    pub entity_kind: String,
    pub entity_type: String,
    /// Allowed 组织形式.
    pub name_forms: Vec<String>,
    /// 法定代表人 / 投资人 / 执行事务合伙人 / 经营者.
    pub representative_title: String,
    /// `officers` or `investors`: where the representative must come from.
    pub representative_from: String,
    pub officers_required: bool,
    /// 注册资本 / 出资额 / 资金数额.
    pub capital_label: String,
    #[serde(deserialize_with = "whole")]
    pub max_investors: i64,
    #[serde(deserialize_with = "whole")]
    pub min_investors: i64,
    /// Years from establishment within which contributions are paid (0: no limit).
    #[serde(default, deserialize_with = "whole")]
    pub contribution_years: i64,
}

/// Officer positions.
pub const POSITIONS: [&str; 6] = ["执行董事", "董事长", "董事", "监事", "经理", "财务负责人"];
/// Positions that may be the legal representative of a company (代表公司执行公司事务的董事或者经理).
pub const EXECUTIVE_POSITIONS: [&str; 4] = ["执行董事", "董事长", "董事", "经理"];
/// Forms of contribution (出资方式).
pub const METHODS: [&str; 6] = ["货币", "实物", "知识产权", "土地使用权", "股权", "债权"];
/// Most investors and officers one form takes.
pub const MAX_ROWS: usize = 50;

struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, pointer: String, code: &'static str, zh: String, en: String) {
        self.0.push(FieldError {
            pointer,
            code,
            message_zh: zh,
            message_en: en,
        });
    }

    /// A text of `min..=max` characters without control characters.
    fn text(
        &mut self,
        pointer: &str,
        value: &str,
        (min, max): (usize, usize),
        label: (&str, &str),
    ) {
        let n = value.trim().chars().count();
        if n == 0 && min > 0 {
            self.push(
                pointer.into(),
                "FIELD_REQUIRED",
                format!("请填写“{}”", label.0),
                format!("“{}” is required", label.1),
            );
        } else if !(min..=max).contains(&n) || value.chars().any(char::is_control) {
            self.push(
                pointer.into(),
                "FIELD_LENGTH",
                format!("“{}”须为 {min}–{max} 个字符，不含控制字符", label.0),
                format!(
                    "“{}” must be {min}–{max} characters without control characters",
                    label.1
                ),
            );
        }
    }

    fn validated<T>(
        &mut self,
        pointer: &str,
        r: Result<T, crate::validate::ValidationError>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(pointer.into(), e.code, e.reason_zh, e.reason_en);
                None
            }
        }
    }

    fn id(&mut self, pointer: &str, value: &str, today: NaiveDate) -> Option<IdNumber> {
        if value.trim().is_empty() {
            self.push(
                pointer.into(),
                "FIELD_REQUIRED",
                "请填写身份证号码".into(),
                "The ID number is required".into(),
            );
            return None;
        }
        let id = self.validated(pointer, IdNumber::parse(value))?;
        if id.age_on(today).is_none_or(|a| a < 18) {
            self.push(
                pointer.into(),
                "PERSON_UNDER_AGE",
                "该人员未满 18 周岁，不能担任出资人、法定代表人或高级管理人员".into(),
                "This person is under 18 and cannot be an investor, representative or officer"
                    .into(),
            );
        }
        Some(id)
    }
}

/// Checks the form on its own; the facts for the decision table and every problem found.
pub fn check_input(
    input: &RegistrationInput,
    known_scopes: &dyn Fn(&str) -> bool,
    today: NaiveDate,
) -> (Facts, Vec<FieldError>) {
    let mut e = Errors(vec![]);
    if !matches!(
        input.organisation.as_str(),
        "enterprise" | "individual_business"
    ) {
        e.push(
            "/organisation".into(),
            "FIELD_ENUM",
            "请选择经营组织方式：企业或个体工商户".into(),
            "Choose the organisation: enterprise or individual business".into(),
        );
    }
    if !matches!(input.liability.as_str(), "limited" | "unlimited") {
        e.push(
            "/liability".into(),
            "FIELD_ENUM",
            "请选择投资人承担责任的方式：有限责任或无限责任".into(),
            "Choose the liability: limited or unlimited".into(),
        );
    }
    let has_uscc = !input.existing_uscc.trim().is_empty();
    if has_uscc {
        e.validated("/existing_uscc", Uscc::parse(&input.existing_uscc));
        if input.change_item.trim().is_empty() {
            e.push(
                "/change_item".into(),
                "FIELD_REQUIRED",
                "变更登记请选择变更事项".into(),
                "Choose what changes for a change registration".into(),
            );
        }
    }
    check_scopes(&mut e, &input.scopes, known_scopes);
    let in_qingdao = crate::regions::qingdao_districts()
        .iter()
        .any(|(c, _)| *c == input.address.region);
    if !in_qingdao {
        e.push(
            "/address/region".into(),
            "ADDRESS_REGION_INVALID",
            "住所须在青岛市所辖区（市），请选择区（市）".into(),
            "The premises must be in a district of Qingdao; choose one".into(),
        );
    }
    e.text(
        "/address/detail",
        &input.address.detail,
        (2, 200),
        ("详细地址", "Street address"),
    );
    let capital = parse_wan(&input.capital).filter(|c| *c > 0);
    if capital.is_none() {
        e.push(
            "/capital".into(),
            "AMOUNT_INVALID",
            "注册资本（出资额）须为大于 0 的数字，单位万元，至多 6 位小数，如 100 或 50.5".into(),
            "The capital must be a number above 0 in 10,000 yuan, at most 6 decimals, e.g. 100 or 50.5".into(),
        );
    }
    let (facts_counts, total, natural_total) = check_investors(&mut e, &input.shareholders, today);
    if let (Some(capital), Some(total)) = (capital, total)
        && capital != total
    {
        e.push(
            "/shareholders".into(),
            "CONTRIBUTIONS_MISMATCH",
            format!(
                "出资人认缴出资额合计 {} 万元，与注册资本（出资额）{} 万元不一致，请核对各出资人的出资额",
                format_wan(total),
                format_wan(capital)
            ),
            format!(
                "The investors' contributions add up to {} (10,000 yuan) but the capital is {}; check each contribution",
                format_wan(total),
                format_wan(capital)
            ),
        );
    }
    let rep = &input.legal_representative;
    e.text(
        "/legal_representative/name",
        &rep.name,
        (1, 50),
        ("法定代表人姓名", "Representative's name"),
    );
    e.id("/legal_representative/id_number", &rep.id_number, today);
    e.validated("/legal_representative/mobile", Mobile::parse(&rep.mobile));
    if input.officers.len() > 20 {
        e.push(
            "/officers".into(),
            "FIELD_TOO_MANY",
            "董事、监事和高级管理人员至多 20 人".into(),
            "At most 20 officers".into(),
        );
    }
    for (i, o) in input.officers.iter().enumerate().take(20) {
        let at = |f: &str| format!("/officers/{i}/{f}");
        e.text(&at("name"), &o.name, (1, 50), ("姓名", "Name"));
        e.id(&at("id_number"), &o.id_number, today);
        if !POSITIONS.contains(&o.position.as_str()) {
            e.push(
                at("position"),
                "FIELD_ENUM",
                format!("职务须为：{}", POSITIONS.join("、")),
                "Choose a position from the list".into(),
            );
        }
    }
    let c = &input.contact;
    e.text(
        "/contact/name",
        &c.name,
        (1, 50),
        ("指定代表姓名", "Designated representative's name"),
    );
    e.id("/contact/id_number", &c.id_number, today);
    e.validated("/contact/mobile", Mobile::parse(&c.mobile));
    let facts = Facts {
        organisation: input.organisation.clone(),
        liability: input.liability.clone(),
        natural_investors: facts_counts.0,
        legal_investors: facts_counts.1,
        natural_control: match (natural_total, total) {
            (n, Some(t)) if t > 0 => n.saturating_mul(2) > t,
            _ => facts_counts.1 == 0,
        },
        has_uscc,
        premises_commitment: input.premises_commitment,
        change_item: input.change_item.trim().to_string(),
    };
    (facts, e.0)
}

fn check_scopes(e: &mut Errors, scopes: &[String], known: &dyn Fn(&str) -> bool) {
    if scopes.is_empty() || scopes.len() > 30 {
        e.push(
            "/scopes".into(),
            "SCOPES_COUNT",
            "请从规范表述目录中选择 1–30 项经营范围".into(),
            "Choose 1–30 business-scope items from the catalogue".into(),
        );
    }
    let mut seen = HashSet::new();
    for (i, code) in scopes.iter().enumerate().take(30) {
        if !known(code) {
            e.push(
                format!("/scopes/{i}"),
                "SCOPE_UNKNOWN",
                format!("经营范围条目“{code}”不在规范表述目录中"),
                format!("Business-scope item '{code}' is not in the catalogue"),
            );
        } else if !seen.insert(code.as_str()) {
            e.push(
                format!("/scopes/{i}"),
                "SCOPE_DUPLICATE",
                "同一经营范围条目选择了两次".into(),
                "The same business-scope item is chosen twice".into(),
            );
        }
    }
}

/// Checks the investors; ((natural, legal) counts, the sum of valid amounts — `None` when one is
/// invalid — and the natural persons' sum).
fn check_investors(
    e: &mut Errors,
    list: &[Investor],
    today: NaiveDate,
) -> ((i64, i64), Option<i64>, i64) {
    if list.is_empty() || list.len() > MAX_ROWS {
        e.push(
            "/shareholders".into(),
            "INVESTORS_COUNT",
            format!("请填写 1–{MAX_ROWS} 名出资人"),
            format!("Enter 1–{MAX_ROWS} investors"),
        );
    }
    let (mut natural, mut legal, mut natural_total) = (0i64, 0i64, 0i64);
    let mut total = Some(0i64);
    let mut ids = HashSet::new();
    for (i, s) in list.iter().enumerate().take(MAX_ROWS) {
        let at = |f: &str| format!("/shareholders/{i}/{f}");
        let key = match s.kind.as_str() {
            "natural" => {
                natural += 1;
                e.text(
                    &at("name"),
                    &s.name,
                    (1, 50),
                    ("出资人姓名", "Investor's name"),
                );
                e.id(&at("id_number"), &s.id_number, today)
                    .map(|id| id.to_string())
            }
            "legal" => {
                legal += 1;
                e.text(
                    &at("name"),
                    &s.name,
                    (2, 100),
                    ("出资人名称", "Investor's name"),
                );
                e.validated(&at("uscc"), Uscc::parse(&s.uscc))
                    .map(|u| u.to_string())
            }
            _ => {
                e.push(
                    at("kind"),
                    "FIELD_ENUM",
                    "出资人类型须为自然人或法人".into(),
                    "The investor is a natural or a legal person".into(),
                );
                None
            }
        };
        if let Some(k) = key
            && !ids.insert(k)
        {
            e.push(
                at(if s.kind == "legal" {
                    "uscc"
                } else {
                    "id_number"
                }),
                "INVESTOR_DUPLICATE",
                "同一出资人填写了两次，请合并为一行".into(),
                "The same investor appears twice; merge the rows".into(),
            );
        }
        match parse_wan(&s.amount).filter(|a| *a > 0) {
            Some(a) => {
                total = total.and_then(|t| t.checked_add(a));
                if s.kind == "natural" {
                    natural_total = natural_total.saturating_add(a);
                }
            }
            None => {
                total = None;
                e.push(
                    at("amount"),
                    "AMOUNT_INVALID",
                    "认缴出资额须为大于 0 的数字，单位万元，至多 6 位小数".into(),
                    "The contribution must be a number above 0 in 10,000 yuan, at most 6 decimals"
                        .into(),
                );
            }
        }
        if !METHODS.contains(&s.method.as_str()) {
            e.push(
                at("method"),
                "FIELD_ENUM",
                format!("出资方式须为：{}", METHODS.join("、")),
                "Choose a form of contribution from the list".into(),
            );
        }
        match NaiveDate::parse_from_str(s.due_date.trim(), "%Y-%m-%d") {
            Ok(d) if d >= today => {}
            Ok(_) => e.push(
                at("due_date"),
                "DUE_DATE_PAST",
                "出资期限不能早于今天".into(),
                "The contribution date cannot be in the past".into(),
            ),
            Err(_) => e.push(
                at("due_date"),
                "DATE_INVALID",
                "出资期限须为日期，如 2030-12-31".into(),
                "The contribution date must be a date such as 2030-12-31".into(),
            ),
        }
    }
    ((natural, legal), total, natural_total)
}

/// Checks what the inferred entity type requires.
pub fn check_requirements(
    input: &RegistrationInput,
    req: &Requirements,
    today: NaiveDate,
) -> Vec<FieldError> {
    let mut e = Errors(vec![]);
    let n = i64::try_from(input.shareholders.len()).unwrap_or(i64::MAX);
    if !(req.min_investors..=req.max_investors).contains(&n) {
        e.push(
            "/shareholders".into(),
            "INVESTORS_COUNT",
            format!(
                "{}的出资人须为 {}–{} 名（现有 {n} 名）",
                req.entity_type, req.min_investors, req.max_investors
            ),
            format!(
                "{} needs {}–{} investors ({n} given)",
                req.entity_kind, req.min_investors, req.max_investors
            ),
        );
    }
    let rep_id = input.legal_representative.id_number.trim().to_uppercase();
    let same = |id: &str| !rep_id.is_empty() && id.trim().to_uppercase() == rep_id;
    let title = &req.representative_title;
    match req.representative_from.as_str() {
        "officers" => {
            let ok = input
                .officers
                .iter()
                .any(|o| same(&o.id_number) && EXECUTIVE_POSITIONS.contains(&o.position.as_str()));
            if !ok {
                e.push(
                    "/legal_representative".into(),
                    "REPRESENTATIVE_NOT_OFFICER",
                    format!("{title}须由执行公司事务的董事或者经理担任，请在董事、监事、高级管理人员中填写此人（职务为执行董事、董事长、董事或经理）"),
                    "The legal representative must be a director who runs the company or the manager; list them among the officers with that position".into(),
                );
            }
        }
        _ => {
            let ok = input
                .shareholders
                .iter()
                .any(|s| s.kind == "natural" && same(&s.id_number));
            if !ok {
                e.push(
                    "/legal_representative".into(),
                    "REPRESENTATIVE_NOT_INVESTOR",
                    format!("{title}须为出资人本人，请核对姓名和身份证号码"),
                    format!(
                        "The {} must be one of the investors; check the name and ID number",
                        req.representative_from
                    ),
                );
            }
        }
    }
    if req.officers_required && input.officers.is_empty() {
        e.push(
            "/officers".into(),
            "OFFICERS_REQUIRED",
            "请填写董事、监事和经理等人员".into(),
            "Enter the directors, supervisors and manager".into(),
        );
    }
    if req.contribution_years > 0 {
        let years = u32::try_from(req.contribution_years).unwrap_or(u32::MAX);
        if let Some(limit) = today.checked_add_months(Months::new(years.saturating_mul(12))) {
            for (i, s) in input.shareholders.iter().enumerate().take(MAX_ROWS) {
                if NaiveDate::parse_from_str(s.due_date.trim(), "%Y-%m-%d").is_ok_and(|d| d > limit)
                {
                    e.push(
                        format!("/shareholders/{i}/due_date"),
                        "DUE_DATE_TOO_LATE",
                        format!("认缴出资须自公司成立之日起 {years} 年内缴足（不晚于 {limit}）"),
                        format!("Contributions must be paid within {years} years of establishment (by {limit})"),
                    );
                }
            }
        }
    }
    e.0
}

#[cfg(test)]
mod tests;

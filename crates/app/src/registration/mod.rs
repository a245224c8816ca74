//! Smart company registration (企业登记注册智能表单): from the facts an applicant enters to the
//! plan — entity type, registration business, the item to apply for, name findings, the permits
//! the 许可 scope items trigger, the contributions check — and then the standard documents.
//!
//! The inference is data, not code: the facts go to two decision tables of the rules library
//! (`registration-entity-type`: 主体类型 and 设立/变更; `registration-process`: the item, its
//! situation and the documents), and this module only reads their output. A library without
//! those rules (an install without the demo data) uses the shipped versions of them.
//!
//! - [`catalogue`]: the business-scope catalogue in force and its import.
//! - [`registry`]: existing enterprise names for the duplicate check.
//! - [`documents`]: the PDF documents, stored as the applicant's files with a draft of the item.

pub mod catalogue;
pub mod documents;
pub mod registry;

use crate::{App, AppError};
use catalogue::{ScopeView, name_words};
use serde::Serialize;
use serde_json::{Value, json};
use shenpi_domain::error::ErrorCode;
use shenpi_domain::form::FieldError;
use shenpi_domain::registration::application::{
    Facts, RegistrationInput, Requirements, check_input, check_requirements,
};
use shenpi_domain::registration::money::{format_wan, parse_wan};
use shenpi_domain::registration::name::{Finding, Severity, check_name};
use shenpi_domain::registration::scope::ScopeClass;
use shenpi_domain::rules::{Rule, evaluate};

/// The rule inferring the entity type and the business.
pub const ENTITY_RULE: &str = "registration-entity-type";
/// The rule choosing the item, its situation and the documents.
pub const PROCESS_RULE: &str = "registration-process";

/// Change items (变更事项) the form offers: situation key and name.
pub const CHANGE_ITEMS: [(&str, &str); 7] = [
    ("name", "名称变更"),
    ("premises", "住所变更"),
    ("legal-representative", "法定代表人变更"),
    ("capital-increase", "增加注册资本"),
    ("capital-reduction", "减少注册资本"),
    ("equity-transfer", "股东及股权变更"),
    ("scope", "经营范围变更"),
];

/// The item (and situation) to apply for.
#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub code: String,
    pub name: String,
    pub situation: String,
    pub situation_name: String,
    pub region: String,
    /// The online application page.
    pub apply_url: String,
}

/// A permit the chosen 许可 items trigger, with the items that need it.
#[derive(Debug, Clone, Serialize)]
pub struct PermitView {
    pub permit: String,
    pub department: String,
    pub scopes: Vec<String>,
}

/// The contributions check (出资).
#[derive(Debug, Clone, Serialize)]
pub struct Contributions {
    /// The capital in 万元, when it is a valid amount.
    pub capital: Option<String>,
    /// The sum of the valid contributions in 万元.
    pub total: Option<String>,
    pub adds_up: bool,
}

/// A rule version the plan was decided with.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRef {
    pub key: String,
    /// 0: the shipped version (the library has no such rule).
    pub version: i64,
}

/// A planned document.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedDocument {
    pub kind: String,
    pub title: String,
}

/// What the platform makes of the form (登记方案).
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationPlan {
    /// No field error and an entity type was inferred: documents can be generated.
    pub ready: bool,
    pub entity_kind: String,
    pub entity_type: String,
    /// `establish` or `change`.
    pub business: String,
    pub business_zh: String,
    /// Why no entity type could be inferred, if so.
    pub reason: String,
    pub requirements: Option<Requirements>,
    /// The full proposed name.
    pub name: String,
    pub name_findings: Vec<Finding>,
    pub scopes: Vec<ScopeView>,
    pub permits: Vec<PermitView>,
    pub contributions: Contributions,
    pub item: Option<PlanItem>,
    /// Said when no online item fits (apply at the window).
    pub item_note: String,
    pub documents: Vec<PlannedDocument>,
    pub field_errors: Vec<FieldError>,
    pub rules: Vec<RuleRef>,
    pub catalogue_version: String,
}

/// The Chinese title of a document kind.
pub fn document_title(kind: &str, entity_type: &str, business: &str) -> String {
    let noun = if entity_type.contains("有限责任公司") {
        "公司"
    } else {
        entity_type.split('（').next().unwrap_or(entity_type)
    };
    match kind {
        "application" if business == "change" => format!("{noun}变更登记申请书"),
        "application" => format!("{noun}设立登记申请书"),
        "articles" => "公司章程".into(),
        "shareholder_decision" => "股东决定".into(),
        "shareholders_resolution" => "股东会决议".into(),
        "legal_rep_appointment" => "法定代表人任职文件".into(),
        "designated_representative" => "指定代表或者共同委托代理人授权委托书".into(),
        "partnership_agreement" => "合伙协议".into(),
        other => other.to_string(),
    }
}

/// The shipped version of a registration rule.
fn shipped_rule(key: &str) -> Result<Value, AppError> {
    let all: Vec<Value> = serde_json::from_str(include_str!("../../data/demo_rules.json"))
        .map_err(|e| AppError::Internal(format!("demo rules: {e}")))?;
    all.into_iter()
        .find(|r| r["key"] == key)
        .map(|r| r["document"].clone())
        .ok_or_else(|| AppError::Internal(format!("shipped rule {key} missing")))
}

/// Every text field with its pointer, for the printable-character check.
fn texts(input: &RegistrationInput) -> Vec<(String, &str)> {
    let mut v: Vec<(String, &str)> = vec![
        ("/name/region".into(), &input.name.region),
        ("/name/trade".into(), &input.name.trade),
        ("/name/industry".into(), &input.name.industry),
        ("/name/form".into(), &input.name.form),
        ("/address/detail".into(), &input.address.detail),
        (
            "/legal_representative/name".into(),
            &input.legal_representative.name,
        ),
        ("/contact/name".into(), &input.contact.name),
    ];
    for (i, s) in input.shareholders.iter().enumerate().take(50) {
        v.push((format!("/shareholders/{i}/name"), &s.name));
    }
    for (i, o) in input.officers.iter().enumerate().take(20) {
        v.push((format!("/officers/{i}/name"), &o.name));
    }
    v
}

fn unprintable(input: &RegistrationInput) -> Vec<FieldError> {
    texts(input)
        .into_iter()
        .filter_map(|(pointer, text)| {
            let bad = shenpi_notice::unrenderable_chars(text);
            (!bad.is_empty()).then(|| {
                let list: String = bad.iter().collect();
                FieldError {
                    pointer,
                    code: "TEXT_UNPRINTABLE",
                    message_zh: format!("含有无法印制到文书上的字符：{list}，请改用规范汉字"),
                    message_en: format!(
                        "Contains characters that cannot be printed on the documents: {list}"
                    ),
                }
            })
        })
        .collect()
}

impl App {
    /// Evaluates a registration rule: the library's newest version, else the shipped one.
    async fn registration_rule(
        &self,
        key: &str,
        input: &Value,
    ) -> Result<(Value, RuleRef), AppError> {
        match self.evaluate_rule(key, input).await {
            Ok((r, d)) => Ok((
                d.output,
                RuleRef {
                    key: key.into(),
                    version: r.version,
                },
            )),
            Err(AppError::Rule(e)) if e.code == ErrorCode::RULE_NOT_FOUND => {
                let doc = shipped_rule(key)?;
                let rule = Rule::parse(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
                let d = evaluate(&rule, input).map_err(|e| {
                    AppError::rule(
                        ErrorCode::RULE_EVALUATION_FAILED,
                        json!({"reason_zh": e.reason_zh(), "reason_en": e.to_string()}),
                    )
                })?;
                Ok((
                    d.output,
                    RuleRef {
                        key: key.into(),
                        version: 0,
                    },
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// The plan for `input`, with every field error in it (nothing is stored).
    pub async fn registration_plan(
        &self,
        input: &RegistrationInput,
    ) -> Result<RegistrationPlan, AppError> {
        let today = self.today();
        let catalogue = self.scope_catalogue().await?;
        let known = |code: &str| catalogue.entries.iter().any(|e| e.code == code);
        let (facts, mut errors) = check_input(input, &known, today);
        errors.extend(unprintable(input));
        let (entity, entity_rule) = self.registration_rule(ENTITY_RULE, &json!(facts)).await?;
        let req: Option<Requirements> = serde_json::from_value::<Requirements>(entity.clone())
            .ok()
            .filter(|r| !r.entity_kind.is_empty());
        let text = |k: &str| entity[k].as_str().unwrap_or_default().to_string();
        let mut plan = RegistrationPlan {
            ready: false,
            entity_kind: text("entity_kind"),
            entity_type: text("entity_type"),
            business: text("business"),
            business_zh: text("business_zh"),
            reason: text("reason"),
            requirements: req.clone(),
            name: input.name.full(),
            name_findings: vec![],
            scopes: input
                .scopes
                .iter()
                .filter_map(|c| catalogue.entries.iter().find(|e| &e.code == c))
                .map(ScopeView::from)
                .collect(),
            permits: vec![],
            contributions: contributions(input),
            item: None,
            item_note: String::new(),
            documents: vec![],
            field_errors: vec![],
            rules: vec![entity_rule],
            catalogue_version: catalogue.version.clone(),
        };
        plan.permits = permits(&plan.scopes);
        match &req {
            None => errors.push(FieldError {
                pointer: "/shareholders".into(),
                code: "ENTITY_TYPE_UNDETERMINED",
                message_zh: if plan.reason.is_empty() { "无法确定主体类型".into() } else { plan.reason.clone() },
                message_en: "No entity type fits these facts: an individual business has one natural-person operator, a sole proprietorship one natural-person investor, a partnership at least two partners".into(),
            }),
            Some(req) => {
                errors.extend(check_requirements(input, req, today));
                let existing = self.registered_names(&input.name.trade).await?;
                let words = name_words()?;
                plan.name_findings = check_name(&input.name, &req.name_forms, &words, &existing);
                errors.extend(
                    plan.name_findings
                        .iter()
                        .filter(|f| f.severity == Severity::Error)
                        .map(|f| FieldError {
                            pointer: f.pointer.clone(),
                            code: f.code,
                            message_zh: f.message_zh.clone(),
                            message_en: f.message_en.clone(),
                        }),
                );
                self.choose_item(input, &facts, &mut plan, &mut errors).await?;
            }
        }
        plan.ready = errors.is_empty() && req.is_some();
        plan.field_errors = errors;
        Ok(plan)
    }

    /// Runs the process table and looks the item and situation up in the catalog.
    async fn choose_item(
        &self,
        input: &RegistrationInput,
        facts: &Facts,
        plan: &mut RegistrationPlan,
        errors: &mut Vec<FieldError>,
    ) -> Result<(), AppError> {
        let question = json!({
            "entity_kind": plan.entity_kind,
            "business": plan.business,
            "premises_commitment": facts.premises_commitment,
            "legal_investors": facts.legal_investors,
            "investors": facts.natural_investors + facts.legal_investors,
            "change_item": facts.change_item,
        });
        let (out, rule) = self.registration_rule(PROCESS_RULE, &question).await?;
        plan.rules.push(rule);
        plan.documents = out["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|k| shenpi_notice::registration::KINDS.contains(k))
            .map(|k| PlannedDocument {
                kind: k.to_string(),
                title: document_title(k, &plan.entity_type, &plan.business),
            })
            .collect();
        let code = out["item_code"].as_str().unwrap_or_default();
        let situation = out["situation"].as_str().unwrap_or_default();
        let region = input.address.region.as_str();
        let window = "该登记业务暂未开通网上办理，请携带生成的文书到住所所在区（市）行政审批服务大厅窗口办理";
        if code.is_empty()
            || !shenpi_domain::regions::qingdao_districts()
                .iter()
                .any(|(c, _)| *c == region)
        {
            plan.item_note = if code.is_empty() {
                window.into()
            } else {
                String::new()
            };
            return Ok(());
        }
        let item = match self.catalog_item(code, region).await {
            Ok(i) => i.version.item,
            Err(AppError::Rule(e)) if e.code == ErrorCode::ITEM_NOT_FOUND => {
                plan.item_note = window.into();
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let Some(s) = item.situations.iter().find(|s| s.key == situation) else {
            errors.push(FieldError {
                pointer: "/change_item".into(),
                code: "CHANGE_ITEM_NOT_OFFERED",
                message_zh: format!("“{}”不办理该变更事项，请重新选择变更事项", item.name),
                message_en: format!(
                    "{} does not cover that change; choose another change item",
                    item.code
                ),
            });
            return Ok(());
        };
        plan.item = Some(PlanItem {
            apply_url: format!(
                "/items/{}/apply?region={region}&situation={}",
                item.code, s.key
            ),
            code: item.code.clone(),
            name: item.name.clone(),
            situation: s.key.clone(),
            situation_name: s.name.clone(),
            region: region.to_string(),
        });
        Ok(())
    }

    /// The plan, or `422 FORM_INVALID` with every field error (`details.fields`) and the plan
    /// (`details.plan`) when something must be corrected.
    pub async fn registration_check(
        &self,
        input: &RegistrationInput,
    ) -> Result<RegistrationPlan, AppError> {
        let plan = self.registration_plan(input).await?;
        if plan.field_errors.is_empty() {
            Ok(plan)
        } else {
            Err(AppError::rule(
                ErrorCode::FORM_INVALID,
                json!({"fields": plan.field_errors, "plan": plan}),
            ))
        }
    }
}

fn contributions(input: &RegistrationInput) -> Contributions {
    let capital = parse_wan(&input.capital).filter(|c| *c > 0);
    let amounts: Vec<Option<i64>> = input
        .shareholders
        .iter()
        .map(|s| parse_wan(&s.amount).filter(|a| *a > 0))
        .collect();
    let total = amounts
        .iter()
        .try_fold(0i64, |acc, a| a.and_then(|a| acc.checked_add(a)))
        .filter(|_| !amounts.is_empty());
    Contributions {
        capital: capital.map(format_wan),
        total: total.map(format_wan),
        adds_up: capital.is_some() && capital == total,
    }
}

/// The permits of the 许可 items, one line per permit and department.
fn permits(scopes: &[ScopeView]) -> Vec<PermitView> {
    let mut v: Vec<PermitView> = vec![];
    for s in scopes
        .iter()
        .filter(|s| s.entry.class == ScopeClass::Licensed)
    {
        for p in &s.entry.permits {
            match v
                .iter_mut()
                .find(|x| x.permit == p.name && x.department == p.department)
            {
                Some(x) => x.scopes.push(s.entry.text.clone()),
                None => v.push(PermitView {
                    permit: p.name.clone(),
                    department: p.department.clone(),
                    scopes: vec![s.entry.text.clone()],
                }),
            }
        }
    }
    v
}

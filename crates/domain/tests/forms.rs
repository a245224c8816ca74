//! Forms: the shared data elements, field-level bilingual errors at JSON pointers (repeatable
//! groups included), conditional fields, and definitions refused at compile time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use shenpi_domain::form::{Form, FormDefinition, FormError};
use shenpi_domain::validate::{id_check_char, uscc_check_char};

fn id_number(body: &str) -> String {
    format!("{body}{}", id_check_char(body).unwrap())
}

/// A fictional USCC of 市南区 with its real check characters.
fn uscc() -> String {
    // Registration authority 9 (工商), type 1 (enterprise), region 370202, organisation code.
    let org = "MA3C4D5E";
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = org
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(36).unwrap() * w)
        .sum();
    let ninth = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap(),
    };
    let body = format!("91370202{org}{ninth}");
    format!("{body}{}", uscc_check_char(&body).unwrap())
}

fn company_form() -> FormDefinition {
    serde_json::from_value(json!({
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 4, "maxLength": 50},
                "uscc": {"$ref": "#/$defs/uscc"},
                "address": {"$ref": "#/$defs/address"},
                "capital": {"$ref": "#/$defs/amount"},
                "entity_type": {"enum": ["llc_sole", "llc", "partnership"]},
                "partner_agreement": {"type": "string"},
                "legal_rep": {
                    "type": "object",
                    "properties": {
                        "name": {"$ref": "#/$defs/person_name"},
                        "id_number": {"$ref": "#/$defs/id_number"},
                        "mobile": {"$ref": "#/$defs/mobile"}
                    },
                    "required": ["name", "id_number", "mobile"]
                },
                "shareholders": {
                    "type": "array", "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"$ref": "#/$defs/person_name"},
                            "id_number": {"$ref": "#/$defs/id_number"},
                            "contribution": {"$ref": "#/$defs/amount"},
                            "paid_by": {"$ref": "#/$defs/date"}
                        },
                        "required": ["name", "id_number", "contribution"]
                    }
                }
            },
            "required": ["name", "address", "capital", "entity_type", "legal_rep", "shareholders"],
            "additionalProperties": false,
            "if": {"properties": {"entity_type": {"const": "partnership"}}},
            "then": {"required": ["partner_agreement"]}
        },
        "ui": {
            "order": ["name", "entity_type", "address", "capital", "legal_rep", "shareholders"],
            "fields": {
                "name": {"label_zh": "企业名称", "label_en": "Company name"},
                "shareholders": {"label_zh": "股东（发起人）", "label_en": "Shareholders", "widget": "group"},
                "shareholders/id_number": {"label_zh": "股东身份证号", "label_en": "Shareholder ID number"},
                "partner_agreement": {"label_zh": "合伙协议", "label_en": "Partnership agreement",
                    "widget": "file", "show_if": {"field": "entity_type", "equals": "partnership"}},
                "address/region": {"label_zh": "所在区（市）", "label_en": "District", "widget": "region",
                    "code_list": "region"}
            }
        }
    }))
    .unwrap()
}

fn valid() -> Value {
    json!({
        "name": "青岛示例海洋科技有限公司",
        "uscc": uscc(),
        "address": {"region": "370202", "detail": "香港中路 1 号（演示）"},
        "capital": 1000000,
        "entity_type": "llc",
        "legal_rep": {"name": "张测试", "id_number": id_number("37020219900307123"), "mobile": "13800000000"},
        "shareholders": [
            {"name": "张测试", "id_number": id_number("37020219900307123"), "contribution": 600000, "paid_by": "2046-12-31"},
            {"name": "李示例", "id_number": id_number("37020319850615234"), "contribution": 400000}
        ]
    })
}

#[test]
fn a_valid_application_passes() {
    let form = Form::compile(company_form()).unwrap();
    assert_eq!(form.validate(&valid()), Ok(()));
}

#[test]
fn every_bad_field_gets_its_own_bilingual_error_at_its_pointer() {
    let form = Form::compile(company_form()).unwrap();
    let mut v = valid();
    let bad_id = {
        let good = id_number("37020319850615234");
        let last = if good.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &good[..17])
    };
    v["shareholders"][1]["id_number"] = json!(bad_id);
    v["shareholders"][0]["paid_by"] = json!("2046-13-01");
    v["legal_rep"]["mobile"] = json!("12345");
    v["address"]["region"] = json!("999999");
    v["capital"] = json!(-5);
    v["name"] = json!("<b>");
    v["extra"] = json!(1);
    let errors = form.validate(&v).unwrap_err();
    let at = |p: &str| {
        errors
            .iter()
            .find(|e| e.pointer == p)
            .unwrap_or_else(|| panic!("no error at {p}: {errors:#?}"))
            .clone()
    };
    let e = at("/shareholders/1/id_number");
    assert_eq!(e.code, "ID_NUMBER_CHECK_MISMATCH", "{e:?}");
    assert!(
        e.message_en.starts_with("“Shareholder ID number”"),
        "{}",
        e.message_en
    );
    assert!(
        e.message_zh.starts_with("“股东身份证号”"),
        "{}",
        e.message_zh
    );
    assert!(!e.message_en.is_empty());
    assert_eq!(at("/shareholders/0/paid_by").code, "FIELD_DATE");
    assert_ne!(at("/legal_rep/mobile").code, "FIELD_INVALID");
    assert_ne!(at("/address/region").code, "FIELD_INVALID");
    let e = at("/capital");
    assert_eq!(e.code, "FIELD_TOO_SMALL");
    assert_eq!(e.message_zh, "“金额（元）”不能小于 0");
    let e = at("/name");
    assert_eq!(e.code, "FIELD_TOO_SHORT");
    assert_eq!(e.message_zh, "“企业名称”至少 4 个字符");
    assert_eq!(at("/extra").code, "FIELD_UNKNOWN");
    assert_eq!(errors.len(), 7, "one error per bad field: {errors:#?}");
}

#[test]
fn required_fields_and_conditional_fields() {
    let form = Form::compile(company_form()).unwrap();
    let mut v = valid();
    v.as_object_mut().unwrap().remove("name");
    v["shareholders"][0]
        .as_object_mut()
        .unwrap()
        .remove("id_number");
    v["entity_type"] = json!("partnership");
    let errors = form.validate(&v).unwrap_err();
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        ["/name", "/partner_agreement", "/shareholders/0/id_number"]
    );
    assert!(errors.iter().all(|e| e.code == "FIELD_REQUIRED"));
    assert_eq!(errors[0].message_zh, "请填写“企业名称”");
    assert_eq!(errors[1].message_en, "“Partnership agreement” is required");
    // An empty group is refused too.
    let mut v = valid();
    v["shareholders"] = json!([]);
    let errors = form.validate(&v).unwrap_err();
    assert_eq!(errors[0].pointer, "/shareholders");
    assert_eq!(errors[0].code, "FIELD_TOO_FEW");
}

#[test]
fn bad_definitions_are_refused_when_compiled() {
    let with = |schema: Value| {
        Form::compile(FormDefinition {
            schema,
            ui: Default::default(),
        })
        .unwrap_err()
    };
    assert!(matches!(with(json!({"type": 5})), FormError::Schema(_)));
    assert!(matches!(with(json!([])), FormError::NotAnObject));
    assert!(matches!(
        with(json!({"$schema": "http://json-schema.org/draft-07/schema#"})),
        FormError::WrongDraft(_)
    ));
    let e = with(json!({"properties": {"a": {"$ref": "https://example.com/x.json"}}}));
    assert_eq!(e, FormError::RemoteRef("https://example.com/x.json".into()));
    assert!(e.reason_zh().contains("外部文档"));
    assert!(matches!(
        with(json!({"properties": {"a": {"$ref": "#/$defs/missing"}}})),
        FormError::Schema(_)
    ));
    let mut d = company_form();
    d.ui.fields.insert("nope/x".into(), Default::default());
    assert_eq!(
        Form::compile(d).unwrap_err(),
        FormError::UnknownField("nope/x".into())
    );
}

#[test]
fn a_form_may_override_a_shared_element() {
    let form = Form::compile(FormDefinition {
        schema: json!({
            "$defs": {"mobile": {"type": "string", "pattern": "^1[0-9]{10}$"}},
            "properties": {"phone": {"$ref": "#/$defs/mobile"}}
        }),
        ui: Default::default(),
    })
    .unwrap();
    assert_eq!(form.validate(&json!({"phone": "12000000000"})), Ok(()));
    assert_eq!(
        form.validate(&json!({"phone": "x"})).unwrap_err()[0].code,
        "FIELD_PATTERN"
    );
}

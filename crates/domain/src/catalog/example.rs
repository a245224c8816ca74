//! A small, complete example item (建筑工程施工许可证核发), used by tests, documentation and the
//! import template. The demo catalog itself is data (`shenpi-app`'s demo catalog file).

use super::item::*;
use super::knowledge::{Knowledge, OpinionOutcome, OpinionPhrase, ReviewPoint};
use super::material::{Material, MaterialForm, MaterialSource};

/// The example item.
pub fn example_item() -> ServiceItem {
    let m = |key: &str, name: &str, always: bool, source: MaterialSource| Material {
        key: key.into(),
        name: name.into(),
        originals: 1,
        copies: 0,
        form: MaterialForm::Electronic,
        always_required: always,
        source,
        notes: String::new(),
    };
    ServiceItem {
        basic_code: "000118006000".into(),
        implementation_code: "11370200MB2855918K000118006000".into(),
        code: "000118006000-01".into(),
        name: "建筑工程施工许可证核发".into(),
        main_item: "建筑工程施工许可".into(),
        sub_item: None,
        handling_kind: HandlingKind::New,
        item_type: ItemType::Licensing,
        domain: "construction".into(),
        implementing_body: "行政审批服务局".into(),
        department: "spj".into(),
        district_level: true,
        legal_basis: vec![
            LegalBasis {
                title: "《中华人民共和国建筑法》".into(),
                article: None,
            },
            LegalBasis {
                title: "《建筑工程施工许可管理办法》".into(),
                article: None,
            },
        ],
        acceptance_conditions: vec![
            "已经办理该建筑工程用地批准手续".into(),
            "已经取得建设工程规划许可证".into(),
            "已经确定施工企业".into(),
        ],
        statutory_limit_days: 7,
        promised_limit_days: 3,
        case_type: CaseType::Promised,
        onsite_visits: 0,
        fee: Fee::default(),
        online_level: OnlineLevel::FullyOnline,
        special_procedures: vec![],
        process_steps: vec![
            "申请".into(),
            "受理".into(),
            "审查".into(),
            "决定".into(),
            "送达".into(),
        ],
        materials: vec![
            m(
                "application",
                "建筑工程施工许可申请表",
                true,
                MaterialSource::Upload,
            ),
            m(
                "planning-permit",
                "建设工程规划许可证",
                true,
                MaterialSource::ECertificate {
                    cert_type: "建设工程规划许可证".into(),
                },
            ),
            m("contract", "施工合同", true, MaterialSource::Upload),
            m(
                "safety-commitment",
                "施工安全保障措施承诺书",
                false,
                MaterialSource::Commitment,
            ),
            m(
                "fund-proof",
                "建设资金已经落实承诺书",
                false,
                MaterialSource::Commitment,
            ),
        ],
        situations: vec![
            Situation {
                key: "new-build".into(),
                name: "新建工程".into(),
                description: String::new(),
                materials: vec!["safety-commitment".into(), "fund-proof".into()],
                promised_limit_days: None,
            },
            Situation {
                key: "renovation".into(),
                name: "装饰装修工程".into(),
                description: String::new(),
                materials: vec!["safety-commitment".into()],
                promised_limit_days: Some(2),
            },
        ],
        faq: vec![Faq {
            question: "施工许可证有效期多久？".into(),
            answer: "自领取之日起三个月内应当开工。".into(),
        }],
        service_object: "企业法人".into(),
        default_place: "青岛市政务服务中心".into(),
        default_hours: "工作日 9:00–17:00".into(),
        process_key: None,
        form_key: None,
        form: None,
        rules: vec![],
        knowledge: Knowledge {
            review_points: vec![ReviewPoint {
                step: "审查".into(),
                text: "核对规划许可证与申请工程名称、规模一致".into(),
            }],
            opinion_phrases: vec![OpinionPhrase {
                outcome: OpinionOutcome::Grant,
                text: "经审查，申请材料齐全、符合法定形式，准予行政许可。".into(),
            }],
            templates: vec![],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::check::check_item;

    #[test]
    fn the_example_item_is_valid() {
        check_item(&example_item()).unwrap();
    }

    #[test]
    fn a_situation_selects_its_materials_and_may_shorten_the_limit() {
        let item = example_item();
        let names: Vec<&str> = item
            .materials_for(Some("renovation"))
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "application",
                "planning-permit",
                "contract",
                "safety-commitment"
            ]
        );
        assert_eq!(item.promised_limit_for(Some("renovation")), 2);
        assert_eq!(item.promised_limit_for(Some("new-build")), 3);
        assert_eq!(item.promised_limit_for(None), 3);
    }

    #[test]
    fn zero_material_needs_every_selected_material_from_another_source() {
        let mut item = example_item();
        assert!(!item.is_zero_material(Some("new-build")));
        for m in item.materials.iter_mut() {
            if m.source == MaterialSource::Upload {
                m.source = MaterialSource::SharedData {
                    dataset: "工程建设项目审批数据".into(),
                };
            }
        }
        assert!(item.is_zero_material(Some("new-build")));
    }

    #[test]
    fn a_promised_limit_above_the_statutory_one_is_refused() {
        let mut item = example_item();
        item.promised_limit_days = 8;
        let issues = check_item(&item).unwrap_err();
        assert!(
            issues
                .iter()
                .any(|i| i.code == "ITEM_PROMISED_ABOVE_STATUTORY"
                    && i.field == "promised_limit_days")
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut item = example_item();
        item.code = "bad code!".into();
        item.name = String::new();
        item.situations[0].materials.push("nope".into());
        item.materials.push(item.materials[0].clone());
        item.fee.charged = true;
        let codes: Vec<&str> = check_item(&item)
            .unwrap_err()
            .iter()
            .map(|i| i.code)
            .collect();
        for c in [
            "ITEM_CODE_INVALID",
            "ITEM_FIELD_EMPTY",
            "ITEM_UNKNOWN_MATERIAL",
            "ITEM_DUPLICATE_KEY",
            "ITEM_FEE_BASIS_MISSING",
        ] {
            assert!(codes.contains(&c), "{c} missing from {codes:?}");
        }
    }
}

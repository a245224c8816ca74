//! Items survive export and import unchanged.

use super::*;
use crate::xlsx::{items_from_xlsx, items_to_xlsx, template_xlsx};
use shenpi_domain::catalog::example::example_item;
use shenpi_domain::catalog::item::{
    CaseType, Faq, HandlingKind, LegalBasis, OnlineLevel, SpecialProcedure,
};
use shenpi_domain::catalog::knowledge::{DocTemplate, OpinionOutcome, OpinionPhrase};
use shenpi_domain::catalog::material::{MaterialForm, MaterialSource};

fn round_trip(items: &[ServiceItem]) {
    let bytes = items_to_xlsx(items).unwrap();
    let back = items_from_xlsx(&bytes).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(back, items);
}

/// The example with every optional element filled and other enum values.
fn full_variant() -> ServiceItem {
    let mut item = example_item();
    item.code = "000118006000-02".into();
    item.name = "建筑工程施工许可证变更".into();
    item.sub_item = Some("施工许可证变更".into());
    item.handling_kind = HandlingKind::Change;
    item.case_type = CaseType::Immediate;
    item.online_level = OnlineLevel::Online;
    item.onsite_visits = 1;
    item.district_level = false;
    item.legal_basis.push(LegalBasis {
        title: "《中华人民共和国行政许可法》".into(),
        article: Some("第四十二条".into()),
    });
    item.fee.charged = true;
    item.fee.description = "工本费 10 元".into();
    item.fee.basis = "《关于规范收费的通知》".into();
    item.special_procedures = vec![
        SpecialProcedure {
            name: "专家评审".into(),
            limit_days: 10,
        },
        SpecialProcedure {
            name: "公示".into(),
            limit_days: 5,
        },
    ];
    item.faq.push(Faq {
        question: "能否网上办理？".into(),
        answer: "可以|登录政务服务网".into(),
    });
    item.process_key = Some("licensing-standard".into());
    item.form_key = Some("construction-permit".into());
    item.materials[0].form = MaterialForm::Paper;
    item.materials[0].copies = 2;
    item.materials[0].notes = "须加盖公章\n一式两份".into();
    item.materials[2].source = MaterialSource::SharedData {
        dataset: "工程建设项目审批数据".into(),
    };
    item.materials[2].form = MaterialForm::Either;
    item.situations[0].description = "新建、扩建工程".into();
    item.knowledge.opinion_phrases.push(OpinionPhrase {
        outcome: OpinionOutcome::RefuseToAccept,
        text: "申请事项不属于本机关职权范围，不予受理。".into(),
    });
    item.knowledge.templates.push(DocTemplate {
        name: "受理通知书".into(),
        body: "{{applicant}}：\n\n  你单位申请的{{item}}已受理。\n".into(),
    });
    item
}

#[test]
fn the_template_imports_as_the_example_item() {
    let items = items_from_xlsx(&template_xlsx().unwrap()).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(items, vec![example_item()]);
}

#[test]
fn the_example_item_round_trips_through_xlsx() {
    round_trip(&[example_item()]);
}

#[test]
fn an_item_with_every_optional_element_round_trips() {
    round_trip(&[full_variant()]);
}

#[test]
fn several_items_of_every_type_round_trip_in_order() {
    let items: Vec<ServiceItem> = crate::cells::ITEM_TYPE
        .values
        .iter()
        .enumerate()
        .map(|(i, (t, _))| {
            let mut item = if i % 2 == 0 {
                example_item()
            } else {
                full_variant()
            };
            item.code = format!("item-{i:02}");
            item.item_type = *t;
            item
        })
        .collect();
    round_trip(&items);
}

#[test]
fn an_empty_catalog_round_trips() {
    round_trip(&[]);
}

#[test]
fn export_is_deterministic() {
    assert_eq!(template_xlsx().unwrap(), template_xlsx().unwrap());
}

#[test]
fn identifiers_and_chinese_names_import_alike() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, ITEMS, 0, "item_type", "licensing");
    set(&mut rows, ITEMS, 0, "handling_kind", "new");
    set(&mut rows, ITEMS, 0, "online_level", "fully_online");
    set(&mut rows, ITEMS, 0, "case_type", "promised");
    set(&mut rows, ITEMS, 0, "district_level", "true");
    set(&mut rows, ITEMS, 0, "fee_charged", "0");
    set(&mut rows, MATERIALS, 0, "source_kind", "upload");
    set(&mut rows, MATERIALS, 0, "form", "electronic");
    set(&mut rows, MATERIALS, 0, "always_required", "1");
    set(&mut rows, MATERIALS, 1, "source_kind", "e_certificate");
    set(&mut rows, MATERIALS, 3, "source_kind", "commitment");
    set(&mut rows, MATERIALS, 3, "always_required", "false");
    set(&mut rows, OPINIONS, 0, "outcome", "grant");
    let items = items_from_xlsx(&xlsx_of(&rows)).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(items, vec![example_item()]);
}

#[test]
fn numbers_typed_as_text_and_codes_typed_as_numbers_are_read() {
    let mut item = example_item();
    item.basic_code = "118006000".into();
    let mut rows = rows_of(&[item.clone()]);
    set(&mut rows, ITEMS, 0, "statutory_limit_days", " 7 ");
    let c = SHEETS[ITEMS]
        .columns
        .iter()
        .position(|c| c.key == "basic_code")
        .unwrap();
    rows[ITEMS][0][c] = Value::Number(118006000.0);
    let items = items_from_xlsx(&xlsx_of(&rows)).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(items, vec![item]);
}

#[test]
fn columns_may_be_reordered_renamed_to_chinese_or_extended() {
    // Every sheet rebuilt from the exported rows with reversed columns, Chinese-only headers, an
    // extra column the reader must ignore, and numbers written as text.
    let rows = rows_of(&[example_item()]);
    let mut sheets = vec![];
    for (sheet, rows) in SHEETS.iter().zip(&rows) {
        let mut header: Vec<String> = sheet
            .columns
            .iter()
            .rev()
            .map(|c| c.header.into())
            .collect();
        header.push("备注".into());
        let mut out = vec![header];
        for row in rows {
            let mut cells: Vec<String> = row
                .iter()
                .rev()
                .map(|v| match v {
                    Value::Text(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Empty => String::new(),
                })
                .collect();
            cells.push("内部备注".into());
            out.push(cells);
        }
        sheets.push((sheet.name, out));
    }
    let items = items_from_xlsx(&raw_workbook(&sheets)).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(items, vec![example_item()]);
}

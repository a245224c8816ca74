//! Bad rows are reported where they are, all of them, and nothing is imported.

use super::*;
use crate::report::codes;
use crate::xlsx::items_from_xlsx;
use shenpi_domain::catalog::example::example_item;

fn import(rows: &SheetRows) -> ImportReport {
    items_from_xlsx(&xlsx_of(rows)).unwrap_err()
}

fn two_items() -> Vec<ServiceItem> {
    let mut second = example_item();
    second.code = "000118006000-02".into();
    vec![example_item(), second]
}

#[test]
fn an_item_with_a_promised_limit_above_the_statutory_one_is_reported_on_its_row() {
    let mut items = two_items();
    items[1].promised_limit_days = 10;
    let report = items_from_xlsx(&crate::items_to_xlsx(&items).unwrap()).unwrap_err();
    assert_eq!(
        on_row(&report, "事项", 3),
        vec![("ITEM_PROMISED_ABOVE_STATUTORY", Some("promised_limit_days"))]
    );
    assert_eq!(report.errors.len(), 1, "{report}");
}

#[test]
fn a_file_with_two_bad_rows_reports_both() {
    let mut rows = rows_of(&two_items());
    set(&mut rows, ITEMS, 0, "statutory_limit_days", "七天");
    set(&mut rows, ITEMS, 1, "item_type", "许可");
    let report = import(&rows);
    assert_eq!(
        on_row(&report, "事项", 2),
        vec![(codes::CELL_INVALID, Some("statutory_limit_days"))]
    );
    assert_eq!(
        on_row(&report, "事项", 3),
        vec![(codes::CELL_INVALID, Some("item_type"))]
    );
    assert_eq!(report.errors.len(), 2, "{report}");
}

#[test]
fn every_bad_cell_of_one_row_is_reported() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, ITEMS, 0, "handling_kind", "新建");
    set(&mut rows, ITEMS, 0, "district_level", "也许");
    set(&mut rows, ITEMS, 0, "onsite_visits", "-1");
    set(
        &mut rows,
        ITEMS,
        0,
        "special_procedures",
        "专家评审\n公示|5",
    );
    set(&mut rows, ITEMS, 0, "faq", "没有答案的问题");
    let report = import(&rows);
    let columns: Vec<_> = on_row(&report, "事项", 2)
        .into_iter()
        .map(|(_, c)| c.unwrap())
        .collect();
    assert_eq!(
        columns,
        vec![
            "handling_kind",
            "district_level",
            "onsite_visits",
            "special_procedures",
            "faq"
        ]
    );
}

#[test]
fn an_unknown_enum_value_is_reported_with_the_allowed_values() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, ITEMS, 0, "online_level", "半程网办");
    let report = import(&rows);
    let e = &report.errors[0];
    assert_eq!((e.code, e.row), (codes::CELL_INVALID, 2));
    assert!(e.message_zh.contains("半程网办"), "{}", e.message_zh);
    assert!(
        e.message_zh.contains("fully_online/全程网办"),
        "{}",
        e.message_zh
    );
}

#[test]
fn a_material_row_for_an_unknown_item_is_reported_and_the_rest_still_checked() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, MATERIALS, 2, "item_code", "no-such-item");
    set(&mut rows, SITUATIONS, 1, "promised_limit_days", "9");
    let report = import(&rows);
    assert_eq!(
        on_row(&report, "材料", 4),
        vec![(codes::UNKNOWN_ITEM, Some("item_code"))]
    );
    assert_eq!(
        on_row(&report, "情形", 3),
        vec![("ITEM_PROMISED_ABOVE_STATUTORY", Some("promised_limit_days"))]
    );
}

#[test]
fn duplicate_item_codes_are_reported_on_the_second_row() {
    let mut rows = rows_of(&two_items());
    set(&mut rows, ITEMS, 1, "code", "000118006000-01");
    let report = import(&rows);
    assert_eq!(
        on_row(&report, "事项", 3),
        vec![(codes::DUPLICATE_CODE, Some("code"))]
    );
    assert!(report.errors[0].message_zh.contains("第 2 行"));
}

#[test]
fn an_issue_of_a_material_is_placed_on_the_material_row() {
    let mut item = example_item();
    item.materials[1].source = shenpi_domain::catalog::material::MaterialSource::SharedData {
        dataset: String::new(),
    };
    item.materials[4].key = "Fund Proof".into();
    let report = items_from_xlsx(&crate::items_to_xlsx(&[item]).unwrap()).unwrap_err();
    assert_eq!(
        on_row(&report, "材料", 3),
        vec![("ITEM_FIELD_EMPTY", Some("source_detail"))]
    );
    assert!(
        on_row(&report, "材料", 6).contains(&("ITEM_FIELD_INVALID", Some("key"))),
        "{report}"
    );
}

#[test]
fn a_source_detail_on_an_uploaded_material_is_refused_not_dropped() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, MATERIALS, 0, "source_detail", "营业执照");
    assert_eq!(
        on_row(&import(&rows), "材料", 2),
        vec![(codes::CELL_INVALID, Some("source_detail"))]
    );
}

#[test]
fn a_bad_material_row_does_not_cause_a_second_report_about_its_situation() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, MATERIALS, 4, "copies", "两份");
    let report = import(&rows);
    assert_eq!(report.errors.len(), 1, "{report}");
    assert_eq!(report.errors[0].row, 6);
}

#[test]
fn an_empty_required_cell_is_reported() {
    let mut rows = rows_of(&[example_item()]);
    set(&mut rows, ITEMS, 0, "statutory_limit_days", "");
    set(&mut rows, ITEMS, 0, "case_type", "");
    set(&mut rows, OPINIONS, 0, "text", "");
    let report = import(&rows);
    assert_eq!(
        on_row(&report, "事项", 2),
        vec![
            (codes::CELL_INVALID, Some("statutory_limit_days")),
            (codes::CELL_INVALID, Some("case_type"))
        ]
    );
    assert_eq!(
        on_row(&report, "意见用语", 2),
        vec![(codes::CELL_INVALID, Some("text"))]
    );
}

#[test]
fn a_missing_sheet_and_a_missing_column_are_both_reported() {
    let header = |sheet: &crate::layout::Sheet, skip: &str| {
        vec![
            sheet
                .columns
                .iter()
                .filter(|c| c.key != skip)
                .map(crate::layout::header_text)
                .collect::<Vec<_>>(),
        ]
    };
    let sheets: Vec<(&str, Vec<Vec<String>>)> = SHEETS
        .iter()
        .filter(|s| s.name != "情形")
        .map(|s| {
            (
                s.name,
                header(s, if s.name == "材料" { "form" } else { "" }),
            )
        })
        .collect();
    let report = items_from_xlsx(&raw_workbook(&sheets)).unwrap_err();
    let found: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.sheet.as_str(), e.row, e.code, e.column.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("材料", 1, codes::COLUMN_MISSING, Some("form")),
            ("情形", 0, codes::SHEET_MISSING, None)
        ]
    );
}

#[test]
fn a_cell_over_the_length_limit_is_reported() {
    let mut rows = rows_of(&[example_item()]);
    let long = "长".repeat(crate::MAX_CELL_CHARS + 1);
    set(&mut rows, ITEMS, 0, "default_place", &long);
    let report = import(&rows);
    assert_eq!(
        on_row(&report, "事项", 2),
        vec![(codes::CELL_TOO_LONG, Some("default_place"))]
    );
    assert_eq!(report.errors.len(), 1, "{report}");
}

#[test]
fn a_sheet_over_the_row_limit_is_refused() {
    let mut rows = vec![vec![
        "业务办理项编码 (item_code)".to_owned(),
        "环节".into(),
        "审查要点".into(),
    ]];
    for i in 0..=crate::MAX_ROWS_PER_SHEET {
        rows.push(vec!["x".into(), "审查".into(), format!("要点 {i}")]);
    }
    let mut sheets: Vec<(&str, Vec<Vec<String>>)> = SHEETS
        .iter()
        .map(|s| {
            (
                s.name,
                vec![s.columns.iter().map(crate::layout::header_text).collect()],
            )
        })
        .collect();
    sheets[3].1 = rows;
    let report = items_from_xlsx(&raw_workbook(&sheets)).unwrap_err();
    assert!(report.has(codes::TOO_MANY_ROWS), "{report}");
    assert_eq!(report.errors.len(), 1, "{report}");
}

#[test]
fn a_date_in_a_text_column_is_reported() {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (i, sheet) in SHEETS.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name).unwrap();
        for (c, column) in (0u16..).zip(sheet.columns) {
            ws.write_string(0, c, crate::layout::header_text(column))
                .unwrap();
        }
        for (r, row) in (1u32..).zip(&rows_of(&[example_item()])[i]) {
            for (c, v) in (0u16..).zip(row) {
                match v {
                    Value::Text(s) => ws.write_string(r, c, s).unwrap(),
                    Value::Number(n) => ws.write_number(r, c, *n).unwrap(),
                    Value::Empty => ws,
                };
            }
        }
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 1, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let hours = SHEETS[ITEMS]
        .columns
        .iter()
        .position(|c| c.key == "default_hours")
        .unwrap();
    let ws = book.worksheet_from_name("事项").unwrap();
    ws.write_datetime_with_format(1, hours as u16, &date, &format)
        .unwrap();
    let report = items_from_xlsx(&book.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(
        on_row(&report, "事项", 2),
        vec![(codes::CELL_INVALID, Some("default_hours"))]
    );
}

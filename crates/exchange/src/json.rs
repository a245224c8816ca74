//! The JSON format: an array of items in the domain's serde shape (the same shape the API uses).
//!
//! Problems are reported on sheet [`JSON_SHEET`], row = the item's 1-based position in the array
//! (the line for a syntax error), column = the field path of the item check (e.g.
//! `materials[2].name`).

use crate::MAX_ROWS_PER_SHEET;
use crate::report::{ImportReport, JSON_SHEET, RowError, codes};
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::check::check_item;
use std::collections::HashMap;

/// The items as pretty-printed JSON.
pub fn items_to_json(items: &[ServiceItem]) -> String {
    // Serialising plain data with string keys cannot fail; an empty string would only stand for
    // a serde_json bug.
    serde_json::to_string_pretty(items).unwrap_or_default()
}

/// Reads a JSON array of items. All or nothing: `Err` lists every problem of every item.
pub fn items_from_json(bytes: &[u8]) -> Result<Vec<ServiceItem>, ImportReport> {
    ImportReport::check_size(bytes.len())?;
    let values: Vec<serde_json::Value> = serde_json::from_slice(bytes).map_err(|e| {
        let (line, col) = (e.line(), e.column());
        ImportReport {
            errors: vec![RowError::at(
                JSON_SHEET,
                line,
                None,
                codes::FILE_INVALID,
                format!("文件不是有效的事项 JSON 数组（第 {line} 行第 {col} 列）"),
                format!("The file is not a JSON array of items: {e}"),
            )],
        }
    })?;
    if values.len() > MAX_ROWS_PER_SHEET {
        return Err(ImportReport::file(
            codes::TOO_MANY_ROWS,
            format!("文件超过 {MAX_ROWS_PER_SHEET} 个事项"),
            format!("The file has more than {MAX_ROWS_PER_SHEET} items"),
        ));
    }
    let mut report = ImportReport::default();
    let mut items = Vec::with_capacity(values.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, value) in (1usize..).zip(values) {
        let item: ServiceItem = match serde_json::from_value(value) {
            Ok(item) => item,
            Err(e) => {
                report.errors.push(RowError::at(
                    JSON_SHEET,
                    n,
                    None,
                    codes::CELL_INVALID,
                    format!("第 {n} 个事项的字段缺失或类型不正确：{e}"),
                    format!("Item {n} has a missing or mistyped field: {e}"),
                ));
                continue;
            }
        };
        if let Some(first) = seen.get(&item.code) {
            report.errors.push(RowError::at(
                JSON_SHEET,
                n,
                Some("code"),
                codes::DUPLICATE_CODE,
                format!("业务办理项编码 {} 与第 {first} 个事项重复", item.code),
                format!("The code {} repeats item {first}", item.code),
            ));
        } else {
            seen.insert(item.code.clone(), n);
        }
        for issue in check_item(&item).err().unwrap_or_default() {
            report.errors.push(RowError::at(
                JSON_SHEET,
                n,
                Some(&issue.field),
                issue.code,
                issue.reason_zh,
                issue.reason_en,
            ));
        }
        items.push(item);
    }
    report.into_result(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shenpi_domain::catalog::example::example_item;

    #[test]
    fn json_round_trips_the_example_item() {
        let items = vec![example_item()];
        let json = items_to_json(&items);
        assert!(json.contains("\n  {"), "pretty-printed");
        assert_eq!(items_from_json(json.as_bytes()).unwrap(), items);
    }

    #[test]
    fn a_json_item_with_a_promised_limit_above_the_statutory_one_is_reported_at_its_position() {
        let mut bad = example_item();
        bad.code = "other-01".into();
        bad.promised_limit_days = 30;
        let json = items_to_json(&[example_item(), bad]);
        let report = items_from_json(json.as_bytes()).unwrap_err();
        assert_eq!(report.errors.len(), 1, "{report}");
        let e = &report.errors[0];
        assert_eq!((e.sheet.as_str(), e.row), (JSON_SHEET, 2));
        assert_eq!(e.code, "ITEM_PROMISED_ABOVE_STATUTORY");
        assert_eq!(e.column.as_deref(), Some("promised_limit_days"));
    }

    #[test]
    fn every_bad_json_item_is_reported_not_just_the_first() {
        let mut value = serde_json::to_value(vec![example_item(); 4]).unwrap();
        value[0]["item_type"] = "nonsense".into();
        value[2].as_object_mut().unwrap().remove("name");
        let report = items_from_json(value.to_string().as_bytes()).unwrap_err();
        let rows: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.code)).collect();
        assert_eq!(
            rows,
            vec![
                (1, codes::CELL_INVALID),
                (3, codes::CELL_INVALID),
                (4, codes::DUPLICATE_CODE)
            ]
        );
    }

    #[test]
    fn malformed_json_is_refused_with_its_line() {
        let report = items_from_json(b"[\n  {\"code\": }\n]").unwrap_err();
        assert_eq!(report.errors[0].code, codes::FILE_INVALID);
        assert_eq!(report.errors[0].row, 2);
        for bytes in [&b""[..], b"{}", b"\xff\xfe", b"null"] {
            assert!(items_from_json(bytes).unwrap_err().has(codes::FILE_INVALID));
        }
    }

    #[test]
    fn a_json_file_over_the_size_limit_is_refused_unread() {
        let big = vec![b' '; crate::MAX_IMPORT_BYTES + 1];
        let report = items_from_json(&big).unwrap_err();
        assert!(report.has(codes::FILE_TOO_LARGE));
    }
}

//! The item check ([`check_item`]) on imported items, each issue placed on the row and column it
//! comes from: item-level issues on the item's row of 事项, `materials[i]…` on the material's row of
//! 材料, `situations[i]…` on the situation's row of 情形.
//!
//! An issue that only restates a cell already reported (its row and column, or the limits when a
//! limit cell was bad) or that a left-out row may cause (an unknown or unused material) is dropped.

use super::assemble::Entry;
use crate::layout::{ITEMS, MATERIALS, SITUATIONS};
use crate::report::RowError;
use shenpi_domain::catalog::check::{ItemIssue, check_item};

/// Runs the item check on every entry and adds the placed issues to `errors`.
pub(crate) fn check_entries(entries: &[Entry], errors: &mut Vec<RowError>) {
    let mut found = vec![];
    for entry in entries {
        let Err(issues) = check_item(&entry.item) else {
            continue;
        };
        for issue in &issues {
            if !entry.children_clean
                && matches!(issue.code, "ITEM_UNKNOWN_MATERIAL" | "ITEM_MATERIAL_UNUSED")
            {
                continue;
            }
            let placed = place(entry, issue);
            if !restates(&placed, errors) {
                found.push(placed);
            }
        }
    }
    errors.extend(found);
}

/// Whether a cell problem on the same row already covers this issue.
fn restates(issue: &RowError, errors: &[RowError]) -> bool {
    let limits = issue.code == "ITEM_PROMISED_ABOVE_STATUTORY";
    errors.iter().any(|e| {
        e.sheet == issue.sheet
            && e.row == issue.row
            && (e.column == issue.column
                || limits
                    && e.column
                        .as_deref()
                        .is_some_and(|c| c.ends_with("limit_days")))
    })
}

/// `prefix[i].rest` → `(i, rest)`.
fn indexed<'a>(field: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = field.strip_prefix(prefix)?.strip_prefix('[')?;
    let (i, rest) = rest.split_once(']')?;
    Some((i.parse().ok()?, rest.trim_start_matches('.')))
}

/// Where an issue of an entry's item is in the workbook.
fn place(entry: &Entry, issue: &ItemIssue) -> RowError {
    let field = issue.field.as_str();
    let (sheet, row, column) = if let Some((i, rest)) = indexed(field, "materials") {
        let column = match rest {
            "" => "always_required",
            r if r.starts_with("source") => "source_detail",
            r => r,
        };
        let row = entry.material_rows.get(i).copied().unwrap_or(entry.row);
        (MATERIALS.name, row, column)
    } else if let Some((i, rest)) = indexed(field, "situations") {
        let row = entry.situation_rows.get(i).copied().unwrap_or(entry.row);
        (
            SITUATIONS.name,
            row,
            if rest.is_empty() { "key" } else { rest },
        )
    } else if let Some((_, _)) = indexed(field, "legal_basis") {
        (ITEMS.name, entry.row, "legal_basis")
    } else if let Some((_, _)) = indexed(field, "acceptance_conditions") {
        (ITEMS.name, entry.row, "acceptance_conditions")
    } else if field == "fee" {
        (ITEMS.name, entry.row, "fee_description")
    } else {
        (ITEMS.name, entry.row, field)
    };
    RowError::at(
        sheet,
        row,
        Some(column),
        issue.code,
        issue.reason_zh.clone(),
        issue.reason_en.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_indexed_field_splits_into_index_and_rest() {
        assert_eq!(indexed("materials[2].name", "materials"), Some((2, "name")));
        assert_eq!(indexed("materials[0]", "materials"), Some((0, "")));
        assert_eq!(
            indexed("materials[1].source.dataset", "materials"),
            Some((1, "source.dataset"))
        );
        assert_eq!(indexed("name", "materials"), None);
    }
}

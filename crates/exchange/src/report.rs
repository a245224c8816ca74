//! The import report (导入校验报告): every problem of a file, each pinned to a sheet, a row and a
//! column, with a stable code and a message in Chinese and English.
//!
//! A file is imported whole or not at all, so the report lists *all* problems at once. Row numbers
//! are the 1-based numbers a spreadsheet shows (the header is row 1, the first data row is row 2);
//! row 0 means the whole file or the whole sheet. For JSON the sheet is [`JSON_SHEET`] and the row
//! is the item's 1-based position in the array (or the line of a syntax error).

use serde::Serialize;
use std::fmt;

/// The sheet name used in reports about a JSON file.
pub const JSON_SHEET: &str = "JSON";

/// Stable codes of import problems. Problems of an item standard keep the code of
/// [`shenpi_domain::catalog::check::check_item`] (`ITEM_…`).
pub mod codes {
    /// The file is not a readable .xlsx workbook or JSON document.
    pub const FILE_INVALID: &str = "IMPORT_FILE_INVALID";
    /// The file, or its unpacked content, is over the size limit.
    pub const FILE_TOO_LARGE: &str = "IMPORT_FILE_TOO_LARGE";
    /// A required sheet is missing.
    pub const SHEET_MISSING: &str = "IMPORT_SHEET_MISSING";
    /// A required column header is missing from row 1 of a sheet.
    pub const COLUMN_MISSING: &str = "IMPORT_COLUMN_MISSING";
    /// A sheet has more data rows than allowed.
    pub const TOO_MANY_ROWS: &str = "IMPORT_TOO_MANY_ROWS";
    /// A cell is longer than allowed.
    pub const CELL_TOO_LONG: &str = "IMPORT_CELL_TOO_LONG";
    /// A cell has the wrong type, an unknown value or a malformed line.
    pub const CELL_INVALID: &str = "IMPORT_CELL_INVALID";
    /// A row refers to an item code that no row of 事项 defines.
    pub const UNKNOWN_ITEM: &str = "IMPORT_UNKNOWN_ITEM";
    /// Two items of the file have the same code.
    pub const DUPLICATE_CODE: &str = "IMPORT_DUPLICATE_CODE";

    /// Every import code, for documentation and tests.
    pub const ALL: &[&str] = &[
        FILE_INVALID,
        FILE_TOO_LARGE,
        SHEET_MISSING,
        COLUMN_MISSING,
        TOO_MANY_ROWS,
        CELL_TOO_LONG,
        CELL_INVALID,
        UNKNOWN_ITEM,
        DUPLICATE_CODE,
    ];
}

/// One problem, pinned to where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The sheet (e.g. `事项`, `材料`), [`JSON_SHEET`], or empty for the whole file.
    pub sheet: String,
    /// 1-based spreadsheet row; 0 for the whole file or sheet.
    pub row: usize,
    /// The column key (e.g. `promised_limit_days`), or for JSON the item field path.
    pub column: Option<String>,
    /// Stable code: one of [`codes`] or an `ITEM_…` code of the item check.
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl RowError {
    /// A problem of one row (and maybe one column) of a sheet.
    pub(crate) fn at(
        sheet: &str,
        row: usize,
        column: Option<&str>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        RowError {
            sheet: sheet.to_owned(),
            row,
            column: column.map(str::to_owned),
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// A problem of the whole file.
    pub(crate) fn file(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        RowError::at("", 0, None, code, zh, en)
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.sheet.is_empty() {
            write!(f, "{} ", self.sheet)?;
        }
        if self.row > 0 {
            write!(f, "row {} ", self.row)?;
        }
        if let Some(c) = &self.column {
            write!(f, "[{c}] ")?;
        }
        write!(f, "{}: {}", self.code, self.message_en)
    }
}

/// Why an import was refused: every problem found in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub errors: Vec<RowError>,
}

impl ImportReport {
    /// A report of one whole-file problem.
    pub(crate) fn file(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ImportReport {
            errors: vec![RowError::file(code, zh, en)],
        }
    }

    /// The file-size check shared by every format.
    pub(crate) fn check_size(len: usize) -> Result<(), Self> {
        if len > crate::MAX_IMPORT_BYTES {
            return Err(ImportReport::file(
                codes::FILE_TOO_LARGE,
                format!(
                    "文件大小 {len} 字节，超过上限 {} 字节",
                    crate::MAX_IMPORT_BYTES
                ),
                format!(
                    "The file has {len} bytes, over the limit of {} bytes",
                    crate::MAX_IMPORT_BYTES
                ),
            ));
        }
        Ok(())
    }

    /// Whether any problem has this code.
    pub fn has(&self, code: &str) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// The problems of one sheet row.
    pub fn on_row(&self, sheet: &str, row: usize) -> Vec<&RowError> {
        self.errors
            .iter()
            .filter(|e| e.sheet == sheet && e.row == row)
            .collect()
    }

    /// `Ok(value)` when no problem was found, else the report.
    pub(crate) fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} import problem(s)", self.errors.len())?;
        for e in &self.errors {
            write!(f, "\n- {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportReport {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_codes_are_unique_and_prefixed() {
        let mut seen = std::collections::BTreeSet::new();
        for c in codes::ALL {
            assert!(seen.insert(*c), "duplicate {c}");
            assert!(c.starts_with("IMPORT_"), "{c}");
        }
    }

    #[test]
    fn a_report_prints_one_line_per_problem() {
        let r = ImportReport {
            errors: vec![
                RowError::at("事项", 3, Some("name"), codes::CELL_INVALID, "坏", "bad"),
                RowError::file(codes::FILE_INVALID, "坏", "broken"),
            ],
        };
        assert_eq!(
            r.to_string(),
            "2 import problem(s)\n- 事项 row 3 [name] IMPORT_CELL_INVALID: bad\n- IMPORT_FILE_INVALID: broken"
        );
    }
}

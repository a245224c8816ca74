//! Catalog import and export (事项库导入导出): conversions between a list of
//! [`ServiceItem`](shenpi_domain::catalog::ServiceItem)s and the files the bureau keeps its
//! catalogs in — JSON and Excel .xlsx — with a row-by-row validation report on import.
//!
//! Pure: bytes in, bytes out. No file system, no network, no clock; storing, publishing and
//! versioning the imported items is the catalog use cases' job. An import is all or nothing: a
//! file with any problem yields an [`ImportReport`] listing every problem, each on its sheet, row
//! and column, and no item.
//!
//! # Layout
//! - [`json`]: [`items_to_json`], [`items_from_json`].
//! - [`xlsx`]: [`items_to_xlsx`], [`items_from_xlsx`], [`template_xlsx`].
//! - [`layout`]: the sheets and columns of the workbook (documented in `docs/catalog-xlsx.md`).
//! - [`cells`]: how enums, booleans and one-per-line lists are spelled in a cell.
//! - [`report`]: [`ImportReport`], [`RowError`] and the `IMPORT_…` codes.

pub mod cells;
pub mod json;
pub mod layout;
pub mod report;
pub mod xlsx;

pub use json::{items_from_json, items_to_json};
pub use report::{ImportReport, RowError, codes};
pub use xlsx::{items_from_xlsx, items_to_xlsx, template_xlsx};

/// Largest file accepted for import, in bytes (`IMPORT_FILE_TOO_LARGE`).
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
/// Largest total unpacked size of an .xlsx (a zip), in bytes (`IMPORT_FILE_TOO_LARGE`).
pub const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;
/// Most data rows in one sheet, or items in one JSON file (`IMPORT_TOO_MANY_ROWS`).
pub const MAX_ROWS_PER_SHEET: usize = 20_000;
/// Longest cell, in characters (`IMPORT_CELL_TOO_LONG`).
pub const MAX_CELL_CHARS: usize = 10_000;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The workbook could not be written, e.g. a text over Excel's 32,767-character cell limit.
    #[error("the workbook could not be written: {0}")]
    Xlsx(String),
}

impl From<rust_xlsxwriter::XlsxError> for ExchangeError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExchangeError::Xlsx(e.to_string())
    }
}

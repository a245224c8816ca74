//! The Excel (.xlsx) format: [`items_to_xlsx`], [`items_from_xlsx`] and [`template_xlsx`].
//!
//! # Layout
//! - `read`: bytes to tables (defensive opening, header matching, limits).
//! - `fields`: typed, error-collecting access to one row's cells.
//! - `assemble`: tables to items, rows of other sheets attached by item code.
//! - `issues`: the domain item check, each issue placed on its row.
//! - `values` and `write`: items to cells, and the workbook with notes, drop-downs and 说明.

mod assemble;
mod fields;
mod issues;
mod read;
mod values;
mod write;

#[cfg(test)]
mod tests;

use crate::ExchangeError;
use crate::report::ImportReport;
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::example::example_item;

pub use write::items_to_xlsx;

/// The import template: the layout with header notes, the 说明 sheet, and the example item
/// ([`example_item`]) as the one filled-in row of each sheet.
pub fn template_xlsx() -> Result<Vec<u8>, ExchangeError> {
    items_to_xlsx(&[example_item()])
}

/// Reads a workbook in the layout of [`crate::layout`]. All or nothing: `Err` lists every
/// problem of the file (see [`ImportReport`]); never panics on malformed bytes.
pub fn items_from_xlsx(bytes: &[u8]) -> Result<Vec<ServiceItem>, ImportReport> {
    ImportReport::check_size(bytes.len())?;
    let mut report = ImportReport::default();
    let Some(tables) = read::read_tables(bytes, &mut report) else {
        return Err(report);
    };
    let entries = assemble::assemble(tables, &mut report.errors);
    issues::check_entries(&entries, &mut report.errors);
    report.into_result(entries.into_iter().map(|e| e.item).collect())
}

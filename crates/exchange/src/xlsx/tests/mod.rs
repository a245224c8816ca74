//! Tests of the .xlsx format, with helpers to build workbooks cell by cell.

mod malformed;
mod reports;
mod round_trip;

use super::values::{SheetRows, Value, sheet_rows};
use super::write::write_rows;
use crate::layout::SHEETS;
use crate::report::ImportReport;
use shenpi_domain::catalog::ServiceItem;

/// Sheet indexes in [`SHEETS`].
const ITEMS: usize = 0;
const MATERIALS: usize = 1;
const SITUATIONS: usize = 2;
const OPINIONS: usize = 4;

fn rows_of(items: &[ServiceItem]) -> SheetRows {
    sheet_rows(items)
}

fn xlsx_of(rows: &SheetRows) -> Vec<u8> {
    write_rows(rows).unwrap()
}

/// Sets the cell `key` of data row `row` (0-based: spreadsheet row `row + 2`) of a sheet.
fn set(rows: &mut SheetRows, sheet: usize, row: usize, key: &str, value: &str) {
    let c = SHEETS[sheet]
        .columns
        .iter()
        .position(|c| c.key == key)
        .unwrap_or_else(|| panic!("no column {key}"));
    rows[sheet][row][c] = Value::Text(value.to_owned());
}

/// A workbook of plain string cells: (sheet name, rows).
fn raw_workbook(sheets: &[(&str, Vec<Vec<String>>)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in (0u32..).zip(rows) {
            for (c, cell) in (0u16..).zip(row) {
                ws.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The (code, column) of every problem on one row of a sheet.
fn on_row<'a>(
    report: &'a ImportReport,
    sheet: &str,
    row: usize,
) -> Vec<(&'a str, Option<&'a str>)> {
    report
        .on_row(sheet, row)
        .into_iter()
        .map(|e| (e.code, e.column.as_deref()))
        .collect()
}

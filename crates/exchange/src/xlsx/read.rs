//! Reading a workbook into plain tables: opens the file defensively (size, unpacked size, zip and
//! XML errors), finds each sheet and its header row, and streams cells into rows keyed by column.
//! It knows the layout but not what the values mean; [`super::fields`] and [`super::assemble`] do.
//!
//! Cells are streamed (calamine's cell reader), never loaded as a dense range, so a stray cell at
//! `XFD1048576` costs nothing. Rows past [`crate::MAX_ROWS_PER_SHEET`] and cells longer than
//! [`crate::MAX_CELL_CHARS`] are reported, not kept.

use crate::layout::{Column, SHEETS, Sheet};
use crate::report::{ImportReport, RowError, codes};
use crate::{MAX_CELL_CHARS, MAX_ROWS_PER_SHEET, MAX_UNPACKED_BYTES};
use calamine::{DataRef, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

/// One cell value as the reader saw it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A value of a kind no column takes (a date, an error such as `#N/A`), described in Chinese.
    Invalid(&'static str),
    /// Already reported (too long); the row is not imported.
    Rejected,
}

/// One non-empty data row.
#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based spreadsheet row.
    pub number: usize,
    /// Non-empty cells by column key.
    pub cells: HashMap<&'static str, Cell>,
}

/// Every data sheet in [`SHEETS`] order; `None` where a sheet is missing or unusable.
pub(crate) type Tables = [Option<Table>; SHEETS.len()];

/// One data sheet whose required headers are all present.
#[derive(Debug)]
pub(crate) struct Table {
    pub sheet: &'static Sheet,
    pub rows: Vec<Row>,
}

/// Reads every data sheet of the layout; the problems of a missing or unusable sheet are in
/// `report`. `None` when the file cannot be opened at all.
pub(crate) fn read_tables(bytes: &[u8], report: &mut ImportReport) -> Option<Tables> {
    if let Err(e) = check_unpacked(bytes) {
        report.errors.push(e);
        return None;
    }
    let mut book = match Xlsx::new(Cursor::new(bytes)) {
        Ok(b) => b,
        Err(e) => {
            report.errors.push(not_xlsx(&e.to_string()));
            return None;
        }
    };
    let names = book.sheet_names();
    let errors = &mut report.errors;
    Some(SHEETS.map(|sheet| {
        if names.iter().any(|n| n == sheet.name) {
            return read_sheet(&mut book, sheet, errors);
        }
        errors.push(RowError::at(
            sheet.name,
            0,
            None,
            codes::SHEET_MISSING,
            format!("缺少工作表“{}”", sheet.name),
            format!("The sheet {} is missing", sheet.name),
        ));
        None
    }))
}

fn not_xlsx(detail: &str) -> RowError {
    RowError::file(
        codes::FILE_INVALID,
        "文件无法读取，请上传由模板填写的 Excel（.xlsx）文件",
        format!("The file is not a readable .xlsx workbook ({detail})"),
    )
}

/// Unpacks every zip entry into a sink, stopping past [`MAX_UNPACKED_BYTES`]: bounds the memory
/// and time calamine may spend (a zip bomb), and catches truncated or corrupt entries early.
fn check_unpacked(bytes: &[u8]) -> Result<(), RowError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| not_xlsx(&e.to_string()))?;
        let budget = MAX_UNPACKED_BYTES.saturating_sub(total) + 1;
        let n = std::io::copy(&mut (&mut entry).take(budget), &mut std::io::sink())
            .map_err(|e| not_xlsx(&e.to_string()))?;
        total = total.saturating_add(n);
        if total > MAX_UNPACKED_BYTES {
            return Err(RowError::file(
                codes::FILE_TOO_LARGE,
                format!("文件解压后超过 {} MB", MAX_UNPACKED_BYTES >> 20),
                format!(
                    "The file unpacks to more than {} MiB",
                    MAX_UNPACKED_BYTES >> 20
                ),
            ));
        }
    }
    Ok(())
}

/// What the cell reader yields for one cell: its value, or nothing for an empty cell.
fn convert(value: &DataRef<'_>) -> Option<Cell> {
    let text = |s: &str| (!s.trim().is_empty()).then(|| Cell::Text(s.to_owned()));
    match value {
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Cell::Number(*i as f64)),
        DataRef::Float(f) => Some(Cell::Number(*f)),
        DataRef::Bool(b) => Some(Cell::Bool(*b)),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
            Some(Cell::Invalid("日期或时间"))
        }
        DataRef::Error(_) => Some(Cell::Invalid("错误值")),
        DataRef::Empty => None,
    }
}

/// The text of a header cell.
fn header_text(value: &DataRef<'_>) -> Option<String> {
    match value {
        DataRef::String(s) => Some(s.clone()),
        DataRef::SharedString(s) => Some((*s).to_owned()),
        _ => None,
    }
}

fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    sheet: &'static Sheet,
    errors: &mut Vec<RowError>,
) -> Option<Table> {
    let broken = |detail: String| {
        RowError::at(
            sheet.name,
            0,
            None,
            codes::FILE_INVALID,
            format!("工作表“{}”已损坏，无法读取", sheet.name),
            format!("The sheet {} is corrupt ({detail})", sheet.name),
        )
    };
    let mut reader = match book.worksheet_cells_reader(sheet.name) {
        Ok(r) => r,
        Err(e) => {
            errors.push(broken(e.to_string()));
            return None;
        }
    };
    let mut header: HashMap<u32, &'static Column> = HashMap::new();
    let mut rows: BTreeMap<u32, HashMap<&'static str, Cell>> = BTreeMap::new();
    let mut usable = true;
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                errors.push(broken(e.to_string()));
                return None;
            }
        };
        let (r, c) = cell.get_position();
        if r == 0 {
            if let Some(column) = header_text(cell.get_value()).and_then(|t| sheet.match_header(&t))
            {
                if header.values().any(|h| h.key == column.key) {
                    usable = false;
                    errors.push(RowError::at(
                        sheet.name,
                        1,
                        Some(column.key),
                        codes::CELL_INVALID,
                        format!("列“{}”重复", column.header),
                        format!("The column {} appears twice", column.key),
                    ));
                }
                header.insert(c, column);
            }
            continue;
        }
        let (Some(column), Some(mut value)) = (header.get(&c), convert(cell.get_value())) else {
            continue;
        };
        let number = r as usize + 1;
        if let Cell::Text(s) = &value
            && s.chars().count() > MAX_CELL_CHARS
        {
            errors.push(RowError::at(
                sheet.name,
                number,
                Some(column.key),
                codes::CELL_TOO_LONG,
                format!("“{}”超过 {MAX_CELL_CHARS} 字", column.header),
                format!("{} is longer than {MAX_CELL_CHARS} characters", column.key),
            ));
            value = Cell::Rejected;
        }
        rows.entry(r).or_default().insert(column.key, value);
        if rows.len() > MAX_ROWS_PER_SHEET {
            errors.push(RowError::at(
                sheet.name,
                0,
                None,
                codes::TOO_MANY_ROWS,
                format!("工作表“{}”超过 {MAX_ROWS_PER_SHEET} 行", sheet.name),
                format!(
                    "The sheet {} has more than {MAX_ROWS_PER_SHEET} rows",
                    sheet.name
                ),
            ));
            return None;
        }
    }
    for column in sheet.columns.iter().filter(|c| c.required) {
        if !header.values().any(|h| h.key == column.key) {
            usable = false;
            errors.push(RowError::at(
                sheet.name,
                1,
                Some(column.key),
                codes::COLUMN_MISSING,
                format!("工作表“{}”第 1 行缺少列“{}”", sheet.name, column.header),
                format!("Row 1 of {} lacks the column {}", sheet.name, column.key),
            ));
        }
    }
    usable.then(|| Table {
        sheet,
        rows: rows
            .into_iter()
            .map(|(r, cells)| Row {
                number: r as usize + 1,
                cells,
            })
            .collect(),
    })
}

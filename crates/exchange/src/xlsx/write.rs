//! Writing items as a workbook in the layout of [`crate::layout`]: one sheet per table, bold
//! headers `中文名 (key)` with a Chinese note on each, frozen header row, text-formatted code
//! columns (so Excel keeps leading zeros), drop-downs for enum and 是/否 columns, and the 说明 sheet.
//!
//! The output is deterministic: the document date is fixed, never read from the clock.

use super::values::{SheetRows, Value, sheet_rows};
use crate::ExchangeError;
use crate::layout::{self, Column, GUIDE_SHEET, Kind, SHEETS, Sheet};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format, FormatAlign,
    Note, Workbook, Worksheet,
};
use shenpi_domain::catalog::ServiceItem;

/// The last row that drop-downs cover (0-based), matching the import row limit.
const LAST_ROW: u32 = crate::MAX_ROWS_PER_SHEET as u32;

struct Styles {
    header: Format,
    text: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color("#DDEBF7")
                .set_align(FormatAlign::Top),
            text: Format::new()
                .set_num_format("@")
                .set_align(FormatAlign::Top),
            wrap: Format::new()
                .set_num_format("@")
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }

    /// The column format: everything is text except numbers and drop-downs.
    fn column(&self, kind: Kind) -> Option<&Format> {
        match kind {
            Kind::Text | Kind::Code => Some(&self.text),
            Kind::Body | Kind::Lines => Some(&self.wrap),
            Kind::Number | Kind::Bool | Kind::Enum(_) => None,
        }
    }
}

/// The workbook of these items.
pub fn items_to_xlsx(items: &[ServiceItem]) -> Result<Vec<u8>, ExchangeError> {
    write_rows(&sheet_rows(items))
}

/// The workbook of these rows, one list per sheet in [`SHEETS`] order.
pub(crate) fn write_rows(sheets: &SheetRows) -> Result<Vec<u8>, ExchangeError> {
    let mut book = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title("shenpi 事项库")
            .set_creation_datetime(&fixed),
    );
    let styles = Styles::new();
    for (sheet, rows) in SHEETS.iter().zip(sheets) {
        write_sheet(book.add_worksheet(), sheet, rows, &styles)?;
    }
    write_guide(book.add_worksheet(), &styles)?;
    Ok(book.save_to_buffer()?)
}

fn write_sheet(
    ws: &mut Worksheet,
    sheet: &Sheet,
    rows: &[Vec<Value>],
    styles: &Styles,
) -> Result<(), ExchangeError> {
    ws.set_name(sheet.name)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_row_height(0, 32)?;
    for (c, column) in (0u16..).zip(sheet.columns) {
        ws.write_string_with_format(0, c, layout::header_text(column), &styles.header)?;
        ws.insert_note(0, c, &note(column))?;
        ws.set_column_width(c, width(column))?;
        if let Some(format) = styles.column(column.kind) {
            ws.set_column_format(c, format)?;
        }
        if let Some(validation) = drop_down(column)? {
            ws.add_data_validation(1, c, LAST_ROW, c, &validation)?;
        }
    }
    for (r, row) in (1u32..).zip(rows) {
        for (c, value) in (0u16..).zip(row) {
            match value {
                Value::Text(s) if s.is_empty() => {}
                Value::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Value::Number(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Value::Empty => {}
            }
        }
    }
    Ok(())
}

fn note(column: &Column) -> Note {
    Note::new(format!("{}\n{}", column.header, column.help))
        .set_author("shenpi")
        .add_author_prefix(false)
        .set_width(260)
        .set_height(90)
}

fn width(column: &Column) -> f64 {
    match column.kind {
        Kind::Body | Kind::Lines => 40.0,
        Kind::Number | Kind::Bool => 14.0,
        Kind::Text | Kind::Code | Kind::Enum(_) => 22.0,
    }
}

/// A drop-down of the Chinese names; other spellings (the identifiers) stay allowed, with an
/// information message only.
fn drop_down(column: &Column) -> Result<Option<DataValidation>, ExchangeError> {
    let names: Vec<&str> = match column.kind {
        Kind::Enum(pairs) => pairs().into_iter().map(|(_, zh)| zh).collect(),
        Kind::Bool => vec!["是", "否"],
        _ => return Ok(None),
    };
    let validation = DataValidation::new()
        .allow_list_strings(&names)?
        .set_error_style(DataValidationErrorStyle::Information)
        .set_error_title("取值提示")?
        .set_error_message("建议从下拉列表中选择；也可填写英文标识。")?;
    Ok(Some(validation))
}

/// 说明: how to fill the workbook, then every column with its meaning and allowed values.
fn write_guide(ws: &mut Worksheet, styles: &Styles) -> Result<(), ExchangeError> {
    ws.set_name(GUIDE_SHEET)?;
    let intro = [
        "本工作簿用于导入导出事项库。每个工作表第 1 行为表头（中文名 (英文键)），第 2 行起每行一条数据；列的顺序可以调整，不认识的列会被忽略。",
        "“材料”“情形”“审查要点”“意见用语”“文书模板”各行用“业务办理项编码”关联到“事项”表中的事项。",
        "多值单元格每行一项（单元格内换行：Alt+Enter）。选项列可填中文名或英文标识；是/否列也可填 true/false、1/0。",
        "导入时整份文件要么全部导入，要么全部不导入；所有问题会按工作表、行号和列逐条列出。本工作表在导入时被忽略。",
    ];
    for (r, line) in (0u32..).zip(intro) {
        ws.write_string(r, 0, line)?;
    }
    let top = intro.len() as u32 + 1;
    let headers = ["工作表", "列名", "英文键", "必有列", "说明", "可填值"];
    for (c, h) in (0u16..).zip(headers) {
        ws.write_string_with_format(top, c, h, &styles.header)?;
    }
    let mut r = top + 1;
    for sheet in SHEETS {
        for column in sheet.columns {
            let required = if column.required { "是" } else { "否" };
            let cells = [
                sheet.name,
                column.header,
                column.key,
                required,
                column.help,
                &allowed(column.kind),
            ];
            for (c, text) in (0u16..).zip(cells) {
                ws.write_string(r, c, text)?;
            }
            r += 1;
        }
    }
    for (c, w) in (0u16..).zip([12.0, 18.0, 24.0, 8.0, 60.0, 60.0]) {
        ws.set_column_width(c, w)?;
    }
    Ok(())
}

/// The allowed values of a column kind, for the guide.
pub(crate) fn allowed(kind: Kind) -> String {
    match kind {
        Kind::Enum(pairs) => pairs()
            .iter()
            .map(|(id, zh)| format!("{zh}（{id}）"))
            .collect::<Vec<_>>()
            .join("、"),
        Kind::Bool => "是、否（true/false、1/0）".to_owned(),
        Kind::Number => "不小于 0 的整数".to_owned(),
        Kind::Lines => "每行一项".to_owned(),
        Kind::Text | Kind::Code | Kind::Body => String::new(),
    }
}

//! The workbook layout (表格格式): which sheets exist, their columns in order, each column's
//! Chinese header, English key, kind and help text. The writer, the reader, the 说明 sheet and
//! `docs/catalog-xlsx.md` all follow this one table.
//!
//! Row 1 of every data sheet holds the headers, written `中文名 (key)`; the reader accepts that,
//! the Chinese name alone or the key alone, in any column order. Data starts on row 2.

/// What a column holds, which decides how it is written, read and validated.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text (trimmed on import).
    Text,
    /// An identifier such as a code (trimmed; the column is formatted as text so Excel keeps
    /// leading zeros).
    Code,
    /// Free text kept exactly, line breaks included.
    Body,
    /// One entry per line (trimmed, blank lines dropped).
    Lines,
    /// A whole number of days, copies or visits.
    Number,
    /// 是/否 (or true/false, 1/0).
    Bool,
    /// One of a closed set: (identifier, Chinese name) pairs.
    Enum(fn() -> Vec<(&'static str, &'static str)>),
}

/// One column of a sheet.
#[derive(Debug)]
pub struct Column {
    /// English key, e.g. `promised_limit_days`; reports name columns by it.
    pub key: &'static str,
    /// Chinese header, e.g. 承诺办结时限.
    pub header: &'static str,
    pub kind: Kind,
    /// Whether the header must be present (an optional column may be left out of a file).
    pub required: bool,
    /// What to fill in, in Chinese (the header note and the 说明 sheet).
    pub help: &'static str,
}

/// One data sheet.
#[derive(Debug)]
pub struct Sheet {
    /// The sheet name in the workbook, e.g. 材料.
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl Sheet {
    /// The column with this key.
    pub fn column(&self, key: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// The column a header cell names: `中文名 (key)`, the Chinese name or the key.
    pub fn match_header(&self, cell: &str) -> Option<&'static Column> {
        let cell = cell.trim();
        let key = cell
            .strip_suffix(')')
            .and_then(|s| s.rsplit_once('('))
            .or_else(|| cell.strip_suffix('）').and_then(|s| s.rsplit_once('（')))
            .map(|(_, k)| k.trim());
        let columns = self.columns;
        key.and_then(|k| columns.iter().find(|c| c.key == k))
            .or_else(|| columns.iter().find(|c| c.header == cell || c.key == cell))
    }
}

pub use sheets::{
    GUIDE_SHEET, ITEMS, MATERIALS, OPINIONS, REVIEW_POINTS, SHEETS, SITUATIONS, TEMPLATES,
};

mod sheets;

/// The header text written in row 1.
pub fn header_text(c: &Column) -> String {
    format!("{} ({})", c.header, c.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_found_by_its_full_text_its_chinese_name_or_its_key() {
        let c = |s| ITEMS.match_header(s).map(|c| c.key);
        assert_eq!(
            c("承诺办结时限 (promised_limit_days)"),
            Some("promised_limit_days")
        );
        assert_eq!(
            c("承诺办结时限（promised_limit_days）"),
            Some("promised_limit_days")
        );
        assert_eq!(c(" 承诺办结时限 "), Some("promised_limit_days"));
        assert_eq!(c("promised_limit_days"), Some("promised_limit_days"));
        assert_eq!(c("备注"), None);
    }

    #[test]
    fn keys_and_headers_are_unique_within_a_sheet() {
        for sheet in SHEETS {
            for (i, a) in sheet.columns.iter().enumerate() {
                for b in &sheet.columns[i + 1..] {
                    assert!(a.key != b.key && a.header != b.header, "{}", sheet.name);
                }
            }
        }
    }

    #[test]
    fn the_layout_document_lists_every_sheet_column_and_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/catalog-xlsx.md");
        let doc = std::fs::read_to_string(path).unwrap();
        for sheet in SHEETS {
            assert!(
                doc.contains(&format!("### {} (", sheet.name)),
                "{}",
                sheet.name
            );
            for c in sheet.columns {
                let row = format!(
                    "| {} | `{}` | {} |",
                    c.header,
                    c.key,
                    if c.required { "是" } else { "否" }
                );
                assert!(doc.contains(&row), "{} {}", sheet.name, row);
            }
        }
        for code in crate::codes::ALL {
            assert!(doc.contains(code), "{code}");
        }
    }
}

//! Typed access to the cells of one row. Every getter returns a usable value (a default when the
//! cell is bad), records the problem against the row and column, and clears [`Fields::ok`]; so a
//! whole row is read and all its problems are reported, never just the first.

use super::read::{Cell, Row};
use crate::cells::{self, Vocab};
use crate::layout::Sheet;
use crate::report::{RowError, codes};

/// The cells of one row, with the problems found so far.
pub(crate) struct Fields<'a> {
    sheet: &'static Sheet,
    row: &'a Row,
    errors: &'a mut Vec<RowError>,
    /// False once any cell of the row was bad.
    pub ok: bool,
}

/// A number cell read as a whole number, or why not.
fn whole(cell: &Cell) -> Result<u64, &'static str> {
    match cell {
        Cell::Number(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= u32::MAX as f64 => Ok(*f as u64),
        Cell::Text(s) => s.trim().parse().map_err(|_| "应为不小于 0 的整数"),
        _ => Err("应为不小于 0 的整数"),
    }
}

/// How a number cell reads as text (`12`, not `12.0`).
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

impl<'a> Fields<'a> {
    pub fn new(sheet: &'static Sheet, row: &'a Row, errors: &'a mut Vec<RowError>) -> Self {
        Fields {
            sheet,
            row,
            errors,
            ok: true,
        }
    }

    fn header(&self, key: &str) -> &'static str {
        self.sheet.column(key).map_or("", |c| c.header)
    }

    /// Records a problem of this row in column `key`.
    pub fn fail(&mut self, key: &str, code: &'static str, zh: String, en: String) {
        self.ok = false;
        let e = RowError::at(self.sheet.name, self.row.number, Some(key), code, zh, en);
        self.errors.push(e);
    }

    fn invalid(&mut self, key: &str, why_zh: &str, why_en: &str) {
        let header = self.header(key);
        self.fail(
            key,
            codes::CELL_INVALID,
            format!("“{header}”{why_zh}"),
            format!("{key}: {why_en}"),
        );
    }

    /// The cell as text, untouched; `None` when empty or bad.
    fn raw(&mut self, key: &str) -> Option<String> {
        match self.row.cells.get(key)? {
            Cell::Text(s) => Some(s.clone()),
            Cell::Number(f) => Some(number_text(*f)),
            Cell::Bool(b) => Some(cells::bool_name(*b).to_owned()),
            Cell::Invalid(what) => {
                let zh = format!("不能是{what}，请填写文本");
                self.invalid(key, &zh, "expected text, found a date or an error value");
                None
            }
            Cell::Rejected => {
                self.ok = false;
                None
            }
        }
    }

    /// Trimmed text; empty when the cell is empty.
    pub fn text(&mut self, key: &str) -> String {
        self.raw(key)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }

    /// Text kept as written (line breaks included); empty when the cell is empty.
    pub fn body(&mut self, key: &str) -> String {
        self.raw(key).unwrap_or_default()
    }

    /// Trimmed text, `None` when empty.
    pub fn opt_text(&mut self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|s| !s.is_empty())
    }

    /// Trimmed text that must not be empty.
    pub fn required_text(&mut self, key: &str) -> String {
        let s = self.text(key);
        self.require(key);
        s
    }

    /// Text kept as written that must not be empty.
    pub fn required_body(&mut self, key: &str) -> String {
        let s = self.body(key);
        self.require(key);
        s
    }

    /// Reports an empty cell (a bad cell is reported by the getter).
    fn require(&mut self, key: &str) {
        if !self.row.cells.contains_key(key) {
            self.invalid(key, "不能为空", "must not be empty");
        }
    }

    /// A whole number; `None` when empty.
    pub fn opt_count<T: TryFrom<u64>>(&mut self, key: &str) -> Option<T> {
        let cell = self.row.cells.get(key)?;
        if *cell == Cell::Rejected {
            self.ok = false;
            return None;
        }
        match whole(cell).map(T::try_from) {
            Ok(Ok(v)) => Some(v),
            Ok(Err(_)) => {
                self.invalid(key, "超出允许范围", "is out of range");
                None
            }
            Err(why) => {
                self.invalid(key, why, "must be a whole number ≥ 0");
                None
            }
        }
    }

    /// A whole number; `default` when empty, or a problem when there is no default.
    pub fn count<T: TryFrom<u64> + Default>(&mut self, key: &str, default: Option<T>) -> T {
        if !self.row.cells.contains_key(key) {
            if default.is_none() {
                self.invalid(key, "不能为空", "must not be empty");
            }
            return default.unwrap_or_default();
        }
        self.opt_count(key).unwrap_or_default()
    }

    /// 是/否; a problem when empty or anything else.
    pub fn flag(&mut self, key: &str) -> bool {
        let parsed = match self.row.cells.get(key) {
            Some(Cell::Bool(b)) => Some(*b),
            Some(Cell::Number(f)) if *f == 0.0 || *f == 1.0 => Some(*f == 1.0),
            _ => self.raw(key).and_then(|s| cells::parse_bool(&s)),
        };
        if parsed.is_none() && self.ok_cell(key) {
            self.invalid(key, "应填写 是 或 否", "must be 是/否 (true/false, 1/0)");
        }
        parsed.unwrap_or_default()
    }

    /// One value of a vocabulary; a problem when empty or unknown.
    pub fn choice<T: Copy>(&mut self, key: &str, vocab: &Vocab<T>) -> Option<T> {
        let raw = self.raw(key);
        let parsed = raw.as_deref().and_then(|s| vocab.parse(s));
        if parsed.is_none() && self.ok_cell(key) {
            let allowed = vocab.allowed();
            let (zh, en) = match raw {
                None => (
                    format!("不能为空，可填：{allowed}"),
                    format!("must not be empty; allowed: {allowed}"),
                ),
                Some(v) => (
                    format!("的值“{v}”不在可选范围内，可填：{allowed}"),
                    format!("unknown value \"{v}\"; allowed: {allowed}"),
                ),
            };
            self.invalid(key, &zh, &en);
        }
        parsed
    }

    /// Whether the cell was not already reported (empty counts as not reported).
    fn ok_cell(&self, key: &str) -> bool {
        !matches!(
            self.row.cells.get(key),
            Some(Cell::Invalid(_) | Cell::Rejected)
        )
    }

    /// One entry per non-empty line.
    pub fn lines(&mut self, key: &str) -> Vec<String> {
        self.raw(key).map(|s| cells::lines(&s)).unwrap_or_default()
    }

    /// One entry per non-empty line, each parsed; every bad line is reported.
    pub fn parsed_lines<T>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Result<T, (String, String)>,
    ) -> Vec<T> {
        let mut out = vec![];
        for line in self.lines(key) {
            match parse(&line) {
                Ok(v) => out.push(v),
                Err((zh, en)) => self.fail(key, codes::CELL_INVALID, zh, en),
            }
        }
        out
    }
}

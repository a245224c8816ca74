//! The business-scope catalogue (经营范围规范表述目录): each standard expression (规范表述) has a
//! code, its class — 一般项目 (general: registered, no permit needed) or 许可项目 (needs a permit
//! before operating) — its industry (国民经济行业分类 GB/T 4754-2017 code) and, for 许可 items,
//! the post-registration permits (后置许可) it triggers with the approving department.
//!
//! A catalogue file is JSON (`{"version", "title", "entries": [...]}`, the format of the shipped
//! demo list) or CSV with the header `code,text,class,industry,permits,note`, where `class` is
//! `一般`/`general` or `许可`/`licensed` and `permits` lists `许可证名@部门` separated by `;`.
//! [`parse_catalogue`] checks every row and reports every problem with its row and field; a file
//! with any problem gives no catalogue at all.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The class of an expression (项目类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeClass {
    /// 一般项目: operate once registered.
    General,
    /// 许可项目: operate only with the linked permits.
    Licensed,
}

impl ScopeClass {
    /// `一般` or `许可`.
    pub fn zh(self) -> &'static str {
        match self {
            ScopeClass::General => "一般",
            ScopeClass::Licensed => "许可",
        }
    }

    /// Reads `general`/`一般`/`一般项目` or `licensed`/`许可`/`许可项目`.
    pub fn parse(s: &str) -> Option<ScopeClass> {
        match s.trim() {
            "general" | "一般" | "一般项目" => Some(ScopeClass::General),
            "licensed" | "许可" | "许可项目" => Some(ScopeClass::Licensed),
            _ => None,
        }
    }
}

/// A permit an expression triggers (后置许可).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkedPermit {
    /// The permit, e.g. `食品经营许可证`.
    pub name: String,
    /// The approving department, e.g. `市场监督管理部门`.
    pub department: String,
}

/// One standard expression (规范表述条目).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeEntry {
    /// Stable code of the entry.
    pub code: String,
    /// The standard wording, e.g. `道路货物运输（不含危险货物）`.
    pub text: String,
    pub class: ScopeClass,
    /// GB/T 4754-2017 industry code: a section letter and up to four digits, e.g. `G5430`.
    pub industry: String,
    /// Permits triggered (许可项目 have at least one).
    #[serde(default)]
    pub permits: Vec<LinkedPermit>,
    /// A note, e.g. a filing (备案) a general item needs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A catalogue file: its version label and entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub version: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub source: String,
    pub entries: Vec<ScopeEntry>,
}

/// One problem of an imported file: where (1-based data row; 0 for the file) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    pub row: usize,
    pub field: String,
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

/// The most entries a catalogue may have (the national catalogue has about 2,000).
pub const MAX_ENTRIES: usize = 20_000;

fn problem(row: usize, field: &str, code: &'static str, zh: String, en: String) -> ImportProblem {
    ImportProblem {
        row,
        field: field.to_string(),
        code,
        message_zh: zh,
        message_en: en,
    }
}

fn plain(s: &str, max: usize) -> bool {
    let n = s.chars().count();
    (1..=max).contains(&n) && !s.chars().any(char::is_control)
}

/// Checks one entry; the problems found.
fn check_entry(row: usize, e: &ScopeEntry) -> Vec<ImportProblem> {
    let mut v = vec![];
    let code_ok = !e.code.is_empty()
        && e.code.len() <= 32
        && e.code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if !code_ok {
        v.push(problem(
            row,
            "code",
            "SCOPE_CODE_INVALID",
            "条目代码须为 1–32 位字母、数字或 - _ .".into(),
            "The code must be 1–32 letters, digits or - _ .".into(),
        ));
    }
    if !plain(e.text.trim(), 200) || e.text.trim().chars().count() < 2 {
        v.push(problem(
            row,
            "text",
            "SCOPE_TEXT_INVALID",
            "规范表述须为 2–200 个字符，不含控制字符".into(),
            "The wording must be 2–200 characters without control characters".into(),
        ));
    }
    let mut chars = e.industry.chars();
    let industry_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && e.industry.len() <= 5
        && chars.all(|c| c.is_ascii_digit());
    if !industry_ok {
        v.push(problem(
            row,
            "industry",
            "SCOPE_INDUSTRY_INVALID",
            format!(
                "行业代码“{}”不符合 GB/T 4754：门类字母加至多四位数字，如 G5430",
                e.industry
            ),
            format!(
                "Industry code '{}' is not GB/T 4754: a section letter and up to four digits, e.g. G5430",
                e.industry
            ),
        ));
    }
    if e.class == ScopeClass::Licensed && e.permits.is_empty() {
        v.push(problem(
            row,
            "permits",
            "SCOPE_PERMIT_MISSING",
            "许可项目须列出至少一项对应的许可证及审批部门".into(),
            "A licensed item must name at least one permit and its department".into(),
        ));
    }
    for p in &e.permits {
        if !plain(p.name.trim(), 100) || !plain(p.department.trim(), 100) {
            v.push(problem(
                row,
                "permits",
                "SCOPE_PERMIT_INVALID",
                "许可证名称和审批部门均须为 1–100 个字符".into(),
                "A permit's name and department must each be 1–100 characters".into(),
            ));
        }
    }
    v
}

/// Checks a whole catalogue: every entry, unique codes and wordings, not empty, not too big.
pub fn check_catalogue(c: &Catalogue) -> Vec<ImportProblem> {
    let mut v = vec![];
    if !plain(c.version.trim(), 60) {
        v.push(problem(
            0,
            "version",
            "SCOPE_VERSION_INVALID",
            "目录须有 1–60 个字符的版本号".into(),
            "The catalogue needs a version label of 1–60 characters".into(),
        ));
    }
    if c.entries.is_empty() || c.entries.len() > MAX_ENTRIES {
        v.push(problem(
            0,
            "entries",
            "SCOPE_COUNT_INVALID",
            format!("目录须有 1–{MAX_ENTRIES} 条规范表述"),
            format!("The catalogue must have 1–{MAX_ENTRIES} entries"),
        ));
    }
    let rows: Vec<(usize, &ScopeEntry)> = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (i + 1, e))
        .collect();
    v.extend(check_rows(&rows));
    v
}

/// Checks entries with their data-row numbers: each entry, then unique codes and wordings.
fn check_rows(rows: &[(usize, &ScopeEntry)]) -> Vec<ImportProblem> {
    let mut v = vec![];
    let mut codes = HashSet::new();
    let mut texts = HashSet::new();
    for (row, e) in rows {
        let row = *row;
        v.extend(check_entry(row, e));
        if !codes.insert(e.code.as_str()) {
            v.push(problem(
                row,
                "code",
                "SCOPE_CODE_DUPLICATE",
                format!("条目代码“{}”重复", e.code),
                format!("Code '{}' appears twice", e.code),
            ));
        }
        if !texts.insert(e.text.trim()) {
            v.push(problem(
                row,
                "text",
                "SCOPE_TEXT_DUPLICATE",
                format!("规范表述“{}”重复", e.text.trim()),
                format!("The wording '{}' appears twice", e.text.trim()),
            ));
        }
    }
    v
}

/// The format of a catalogue file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Json,
    Csv,
}

/// Parses and checks a catalogue file; every problem, or the catalogue. `version` names a CSV
/// file's version (a JSON file carries its own; a given `version` overrides it).
pub fn parse_catalogue(
    bytes: &[u8],
    format: FileFormat,
    version: Option<&str>,
) -> Result<Catalogue, Vec<ImportProblem>> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        vec![problem(
            0,
            "file",
            "SCOPE_FILE_ENCODING",
            "文件须为 UTF-8 编码".into(),
            "The file must be UTF-8".into(),
        )]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut c = match format {
        FileFormat::Json => serde_json::from_str::<Catalogue>(text).map_err(|e| {
            vec![problem(
                e.line(),
                "file",
                "SCOPE_FILE_MALFORMED",
                format!(
                    "JSON 格式不正确（第 {} 行第 {} 列）：{e}",
                    e.line(),
                    e.column()
                ),
                format!(
                    "Malformed JSON at line {}, column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )]
        })?,
        FileFormat::Csv => from_csv(text)?,
    };
    if let Some(v) = version {
        c.version = v.trim().to_string();
    }
    for e in &mut c.entries {
        e.text = e.text.trim().to_string();
        e.code = e.code.trim().to_string();
    }
    let problems = check_catalogue(&c);
    if problems.is_empty() {
        Ok(c)
    } else {
        Err(problems)
    }
}

const CSV_HEADER: [&str; 6] = ["code", "text", "class", "industry", "permits", "note"];

fn from_csv(text: &str) -> Result<Catalogue, Vec<ImportProblem>> {
    let rows = csv_rows(text).map_err(|line| {
        vec![problem(
            line,
            "file",
            "SCOPE_FILE_MALFORMED",
            format!("CSV 格式不正确：第 {line} 行的引号未闭合"),
            format!("Malformed CSV: unclosed quote from line {line}"),
        )]
    })?;
    let mut it = rows.into_iter();
    let header: Vec<String> = it.next().unwrap_or_default();
    let header: Vec<&str> = header.iter().map(|h| h.trim()).collect();
    if header.len() < 4 || header.get(..4) != Some(&CSV_HEADER[..4]) {
        return Err(vec![problem(
            0,
            "header",
            "SCOPE_FILE_MALFORMED",
            "CSV 首行须为 code,text,class,industry,permits,note".into(),
            "The CSV header must be code,text,class,industry,permits,note".into(),
        )]);
    }
    let mut entries: Vec<(usize, ScopeEntry)> = vec![];
    let mut problems = vec![];
    for (i, cells) in it.enumerate() {
        let row = i + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |n: usize| cells.get(n).map(|s| s.trim()).unwrap_or("");
        let Some(class) = ScopeClass::parse(cell(2)) else {
            problems.push(problem(
                row,
                "class",
                "SCOPE_CLASS_INVALID",
                format!("项目类别“{}”须为“一般”或“许可”", cell(2)),
                format!(
                    "Class '{}' must be 一般 (general) or 许可 (licensed)",
                    cell(2)
                ),
            ));
            continue;
        };
        let mut permits = vec![];
        for part in cell(4).split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('@') {
                Some((n, d)) => permits.push(LinkedPermit {
                    name: n.trim().to_string(),
                    department: d.trim().to_string(),
                }),
                None => problems.push(problem(
                    row,
                    "permits",
                    "SCOPE_PERMIT_INVALID",
                    format!("许可“{part}”须写作“许可证名称@审批部门”"),
                    format!("Permit '{part}' must be written as name@department"),
                )),
            }
        }
        entries.push((
            row,
            ScopeEntry {
                code: cell(0).to_string(),
                text: cell(1).to_string(),
                class,
                industry: cell(3).to_string(),
                permits,
                note: cell(5).to_string(),
            },
        ));
    }
    if !problems.is_empty() {
        // Rows refused above are not entries; report their problems with those of the others.
        let rows: Vec<(usize, &ScopeEntry)> = entries.iter().map(|(r, e)| (*r, e)).collect();
        problems.extend(check_rows(&rows));
        problems.sort_by_key(|p| p.row);
        return Err(problems);
    }
    Ok(Catalogue {
        version: String::new(),
        title: String::new(),
        source: String::new(),
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    })
}

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into rows of cells.
/// `Err(line)` when a quote opened on `line` is never closed.
fn csv_rows(text: &str) -> Result<Vec<Vec<String>>, usize> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut quote_line = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cell.push(c);
            }
            (false, '"') if cell.is_empty() => {
                quoted = true;
                quote_line = line;
            }
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                line += 1;
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if quoted {
        return Err(quote_line);
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    Ok(rows)
}

/// Entries whose wording or code contains `q` (all when empty), of `class` if given, in
/// catalogue order.
pub fn search<'a>(
    entries: &'a [ScopeEntry],
    q: &str,
    class: Option<ScopeClass>,
) -> Vec<&'a ScopeEntry> {
    let q = q.trim();
    entries
        .iter()
        .filter(|e| class.is_none_or(|c| e.class == c))
        .filter(|e| q.is_empty() || e.text.contains(q) || e.code.eq_ignore_ascii_case(q))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_file_with_quotes_and_permits_is_read() {
        let csv = "code,text,class,industry,permits,note\r\n\
                   G5430,道路货物运输（不含危险货物）,许可,G5430,道路运输经营许可证@交通运输主管部门,\r\n\
                   M7519,\"技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广\",一般,M7519,,\r\n\
                   E4700,建设工程施工,licensed,E4700,\"建筑业企业资质证书@住建部门;安全生产许可证@住建部门\",\"含\"\"总承包\"\"\"\n";
        let c = parse_catalogue(csv.as_bytes(), FileFormat::Csv, Some("2026-01")).unwrap();
        assert_eq!(c.version, "2026-01");
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.entries[0].permits[0].name, "道路运输经营许可证");
        assert_eq!(c.entries[1].class, ScopeClass::General);
        assert_eq!(c.entries[2].permits.len(), 2);
        assert_eq!(c.entries[2].note, "含\"总承包\"");
    }

    #[test]
    fn every_problem_of_a_bad_file_is_listed_and_nothing_is_returned() {
        let csv = "code,text,class,industry,permits,note\n\
                   A1,软件开发,一般,I6511,,\n\
                   A1,软件开发,一般,I6511,,\n\
                   B2,餐饮服务,许可,H6210,,\n\
                   C3,x,其他,zz,,\n\
                   D4,食品销售,许可,F5224,食品经营许可证,\n";
        let problems = parse_catalogue(csv.as_bytes(), FileFormat::Csv, Some("v")).unwrap_err();
        let codes: Vec<(usize, &str)> = problems.iter().map(|p| (p.row, p.code)).collect();
        assert!(codes.contains(&(2, "SCOPE_CODE_DUPLICATE")), "{codes:?}");
        assert!(codes.contains(&(2, "SCOPE_TEXT_DUPLICATE")), "{codes:?}");
        assert!(codes.contains(&(3, "SCOPE_PERMIT_MISSING")), "{codes:?}");
        assert!(codes.contains(&(4, "SCOPE_CLASS_INVALID")), "{codes:?}");
        assert!(codes.contains(&(5, "SCOPE_PERMIT_INVALID")), "{codes:?}");
        assert!(
            problems
                .iter()
                .all(|p| !p.message_zh.is_empty() && !p.message_en.is_empty())
        );
    }

    #[test]
    fn malformed_files_are_refused_with_a_reason() {
        let p = parse_catalogue(b"{\"version\": 1", FileFormat::Json, None).unwrap_err();
        assert_eq!(p[0].code, "SCOPE_FILE_MALFORMED");
        let p = parse_catalogue(b"a,b\n1,2\n", FileFormat::Csv, Some("v")).unwrap_err();
        assert_eq!(p[0].field, "header");
        let p = parse_catalogue(b"\xff\xfe", FileFormat::Csv, Some("v")).unwrap_err();
        assert_eq!(p[0].code, "SCOPE_FILE_ENCODING");
        let p = parse_catalogue(
            "code,text,class,industry\n\"A1,软件".as_bytes(),
            FileFormat::Csv,
            Some("v"),
        )
        .unwrap_err();
        assert_eq!(p[0].row, 2);
    }

    #[test]
    fn search_filters_by_wording_and_class() {
        let e = |code: &str, text: &str, class| ScopeEntry {
            code: code.into(),
            text: text.into(),
            class,
            industry: "F5224".into(),
            permits: vec![],
            note: String::new(),
        };
        let all = vec![
            e("A", "食品销售（仅销售预包装食品）", ScopeClass::General),
            e("B", "食品销售", ScopeClass::Licensed),
            e("C", "软件开发", ScopeClass::General),
        ];
        assert_eq!(search(&all, "食品", None).len(), 2);
        assert_eq!(
            search(&all, "食品", Some(ScopeClass::Licensed))[0].code,
            "B"
        );
        assert_eq!(search(&all, "", Some(ScopeClass::General)).len(), 2);
        assert_eq!(search(&all, "c", None)[0].text, "软件开发");
    }
}

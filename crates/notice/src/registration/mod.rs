//! Registration documents (企业登记文书): 设立（变更）登记申请书, 公司章程, 股东决定 /
//! 股东会决议, 法定代表人任职文件, 指定代表或者共同委托代理人授权委托书 and 合伙协议,
//! generated as PDF from the facts of the smart registration form.
//!
//! Each document comes from a **versioned template** ([`TemplateRef`]: an id such as
//! `reg.articles` and a version): the wording is built in [`templates`] from the caller's
//! [`RegistrationFacts`] into a [`Document`] of plain blocks (headings, paragraphs, field tables,
//! tables), which one typst layout (`document.typ`) prints. The template id and version are
//! printed in every page footer and returned with the PDF, so a document can always be traced to
//! the wording it was made from; changing the wording means adding a new version, never editing a
//! published one. As with notices, caller text is passed as JSON data and never read as markup,
//! and a character no font can print is refused ([`crate::NoticeError::MissingGlyphs`]).

pub mod templates;

use serde::Serialize;

use crate::NoticeError;

/// The typst layout every registration document is printed with.
const LAYOUT: &str = include_str!("document.typ");

/// A template and its version (模板及版本), e.g. `reg.articles` v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TemplateRef {
    pub id: &'static str,
    pub version: u32,
}

/// One block of a document body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A centred chapter heading, e.g. `第一章 总则`.
    Heading { text: String },
    /// A paragraph.
    Para { text: String },
    /// A two-column table of label and value.
    Fields { rows: Vec<(String, String)> },
    /// A table with a header row.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// A laid-out document: only strings, displayed literally by the layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    #[serde(skip)]
    pub template: TemplateRef,
    pub title: String,
    pub subtitle: String,
    pub blocks: Vec<Block>,
    /// Signature lines: (role, name).
    pub signatures: Vec<(String, String)>,
    pub date: String,
    pub footer: String,
}

impl Document {
    /// Every string of the document, for the glyph check.
    pub fn texts(&self) -> Vec<&str> {
        let mut v: Vec<&str> = vec![&self.title, &self.subtitle, &self.date, &self.footer];
        for b in &self.blocks {
            match b {
                Block::Heading { text } | Block::Para { text } => v.push(text),
                Block::Fields { rows } => {
                    for (a, b) in rows {
                        v.push(a);
                        v.push(b);
                    }
                }
                Block::Table { header, rows } => {
                    v.extend(header.iter().map(String::as_str));
                    v.extend(rows.iter().flatten().map(String::as_str));
                }
            }
        }
        for (a, b) in &self.signatures {
            v.push(a);
            v.push(b);
        }
        v
    }
}

/// An investor as the documents print them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvestorLine {
    pub name: String,
    /// `自然人` or `法人`.
    pub kind_zh: String,
    /// ID number or USCC.
    pub identifier: String,
    /// Subscribed amount in 万元, as text.
    pub amount: String,
    /// Share of the capital, e.g. `60%`.
    pub share: String,
    pub method: String,
    pub due_date: String,
}

/// A person as the documents print them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonLine {
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    pub position: String,
}

/// What the documents say (登记事实): plain strings the caller has checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationFacts {
    /// `establish` or `change`.
    pub business: String,
    /// `设立登记` or `变更登记`.
    pub business_zh: String,
    /// The change (变更事项), in Chinese; empty for an establishment.
    pub change_item_zh: String,
    pub entity_type: String,
    pub name: String,
    /// The USCC of the entity changed; empty for an establishment.
    pub uscc: String,
    /// The premises with the district, e.g. `青岛市市南区香港中路1号`.
    pub address: String,
    /// `注册资本`, `出资额` or `资金数额`.
    pub capital_label: String,
    /// In 万元.
    pub capital: String,
    pub scopes_general: Vec<String>,
    pub scopes_licensed: Vec<String>,
    pub investors: Vec<InvestorLine>,
    /// `法定代表人`, `投资人`, `执行事务合伙人`, `经营者`.
    pub representative_title: String,
    pub representative: PersonLine,
    pub officers: Vec<PersonLine>,
    /// The designated representative or agent.
    pub contact: PersonLine,
    /// The day the documents are made.
    pub date: chrono::NaiveDate,
}

/// The document kinds, by the names the decision table uses.
pub const KINDS: [&str; 7] = [
    "application",
    "articles",
    "shareholder_decision",
    "shareholders_resolution",
    "legal_rep_appointment",
    "designated_representative",
    "partnership_agreement",
];

/// Builds the document `kind` with its current template version (`None` for an unknown kind).
pub fn build(kind: &str, facts: &RegistrationFacts) -> Option<Document> {
    templates::build(kind, facts)
}

/// Renders a document as PDF.
pub fn render(doc: &Document) -> Result<Vec<u8>, NoticeError> {
    let mut missing: Vec<char> = Vec::new();
    for t in doc.texts() {
        for c in crate::unrenderable_chars(t) {
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
    }
    if !missing.is_empty() {
        return Err(NoticeError::MissingGlyphs { chars: missing });
    }
    let json = serde_json::to_vec(doc).map_err(|e| NoticeError::Data(e.to_string()))?;
    crate::compile(LAYOUT, json)
}

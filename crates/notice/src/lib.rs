//! Legal case notices (法律文书) of shenpi: rendering to PDF and the electronic seal.
//!
//! - [`render`] lays out a [`NoticeData`] of any [`NoticeKind`] (受理通知书, 一次性补正告知书,
//!   不予受理决定书, 准予/不予行政许可决定书, 特别程序告知书) as an A4 PDF with typst: centred
//!   title, 文号, addressee, body, signature block and the department's red round seal.
//!   Caller text is passed to typst as a JSON data file and displayed as plain strings, so it can
//!   never be read as typst markup.
//! - Text is set in the shipped Noto Serif CJK SC subset (every character of the
//!   通用规范汉字表 and GB 2312, see `fonts/README.md`), with system fonts as fallback. A
//!   character no loaded font has is refused with [`NoticeError::MissingGlyphs`] rather than
//!   printed as a blank box.
//! - [`registration`] prints the company-registration documents (申请书, 章程, 股东决定 …) from
//!   versioned templates with the same layout machinery.
//! - [`certificate`] prints an electronic certificate (电子证照打印版) with its static QR
//!   code, template `cert.v1`.
//! - [`seal`] signs a PDF with a department's [`SealKey`] (SM2 with SM3) by appending a comment
//!   line after `%%EOF`; [`verify`] checks it. The format is described in [`seal`](mod@seal).

pub mod certificate;
mod data;
pub mod registration;
pub mod seal;
mod world;

use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

pub use certificate::{CertificateLayout, render_certificate};
pub use data::{Layout, NoticeData, NoticeKind, RIGHTS_SENTENCE, SpecialProcedure, chinese_date};
pub use seal::{DIST_ID, KeyError, PublicKey, SealKey, Verified, VerifyError, seal, verify};

/// The typst template every notice is laid out with.
const TEMPLATE: &str = include_str!("notice.typ");

/// Why a notice could not be rendered (文书生成错误).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NoticeError {
    /// A field this kind of notice needs is empty or absent.
    #[error("missing field for this notice kind: {0}")]
    MissingField(&'static str),
    /// Some characters have no glyph in any loaded font; they are listed once each, in order.
    #[error("no font has a glyph for: {}", chars.iter().map(|c| format!("U+{:04X}", u32::from(*c))).collect::<Vec<_>>().join(" "))]
    MissingGlyphs {
        /// The characters that cannot be rendered.
        chars: Vec<char>,
    },
    /// The data could not be encoded for the template.
    #[error("encoding the notice data failed: {0}")]
    Data(String),
    /// typst reported errors (a bug of the template, not of the data).
    #[error("typesetting failed: {0}")]
    Typeset(String),
    /// PDF export failed.
    #[error("PDF export failed: {0}")]
    Pdf(String),
}

/// Checks that `data` can be rendered (every field present, every character in a loaded font)
/// without typesetting it: what [`render`] would refuse, at a fraction of its cost.
pub fn check(data: &NoticeData) -> Result<(), NoticeError> {
    check_glyphs(&data.layout()?)
}

/// Renders a notice as a PDF document.
pub fn render(data: &NoticeData) -> Result<Vec<u8>, NoticeError> {
    let layout = data.layout()?;
    check_glyphs(&layout)?;
    let json = serde_json::to_vec(&layout).map_err(|e| NoticeError::Data(e.to_string()))?;
    compile(TEMPLATE, json)
}

/// Compiles a typst `template` reading `json` as `/data.json` into a PDF.
pub(crate) fn compile(template: &str, json: Vec<u8>) -> Result<Vec<u8>, NoticeError> {
    let world = world::NoticeWorld::new(template, json)
        .ok_or_else(|| NoticeError::Typeset("invalid virtual path".to_owned()))?;
    let compiled = typst::compile::<PagedDocument>(&world);
    let result = compiled.output.map_err(|errors| {
        NoticeError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    });
    let pdf = result.and_then(|document| {
        typst_pdf::pdf(&document, &PdfOptions::default()).map_err(|errors| {
            NoticeError::Pdf(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    });
    // Keep typst's memoisation cache from growing across many renders.
    typst::comemo::evict(10);
    pdf
}

/// The characters of `text` that no loaded font can render, once each, in order of appearance.
///
/// The app can call this to refuse such input early; [`render`] runs the same check.
pub fn unrenderable_chars(text: &str) -> Vec<char> {
    let mut missing = Vec::new();
    collect_unrenderable(text, &mut missing);
    missing
}

fn collect_unrenderable(text: &str, missing: &mut Vec<char>) {
    let fonts = world::Fonts::get();
    for c in text.chars() {
        if !c.is_whitespace() && !missing.contains(&c) && !fonts.covers(c) {
            missing.push(c);
        }
    }
}

/// Refuses a layout some character of which cannot be rendered with the loaded fonts.
fn check_glyphs(layout: &Layout) -> Result<(), NoticeError> {
    let mut missing: Vec<char> = Vec::new();
    for text in layout.texts() {
        collect_unrenderable(text, &mut missing);
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(NoticeError::MissingGlyphs { chars: missing })
    }
}

/// The characters of the 通用规范汉字表 (2013), 8105, in table order.
pub fn tongyong_guifan_chars() -> impl Iterator<Item = char> {
    include_str!("../data/tongyong-guifan-8105.txt")
        .lines()
        .filter_map(|line| line.trim().chars().next())
}

//! The printed electronic certificate (电子证照打印版): one A4 page with a border, the type name
//! as title, the holder, the certificate's fields, its validity and version, the issuer and
//! date, a static QR code (扫码核验) that leads to the online verification, and the national
//! identifier.
//!
//! The layout is template `cert.v1`, printed in the footer. As with notices, every caller string
//! is passed to typst as JSON data and displayed as text, never read as markup, and a character
//! no loaded font can print is refused with [`NoticeError::MissingGlyphs`]. The QR code is given
//! as its module matrix and drawn with typst rectangles (a run of dark modules of a row is one
//! rectangle), so the PDF carries it as vector graphics.

use serde::Serialize;

use crate::NoticeError;

/// The typst layout of the printed certificate.
const LAYOUT: &str = include_str!("certificate.typ");

/// The template id and version printed in the footer.
pub const TEMPLATE_ID: &str = "cert.v1";

/// What the printed certificate shows: plain strings the caller has prepared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertificateLayout {
    /// The certificate type's name, e.g. `施工劳务资质备案凭证`.
    pub title: String,
    /// The national identifier (GB/T 36904).
    pub identifier: String,
    pub holder_name: String,
    /// The holder's USCC or ID number.
    pub holder_id: String,
    /// The issuing department.
    pub issuer: String,
    /// `(label, value)` of the type's fields, in order.
    pub fields: Vec<(String, String)>,
    pub valid_from: String,
    /// The last day of validity, or `长期`.
    pub valid_until: String,
    pub version: i64,
    /// The day of issue as printed under the issuer, e.g. `2026年11月28日`.
    pub issued_on: String,
    /// The QR code: its size and row-major module matrix (`true` is dark), no quiet zone.
    pub qr: (usize, Vec<bool>),
    /// The line under the QR code, e.g. `扫码核验`.
    pub qr_caption: String,
    /// Printed prominently when the certificate is not valid, e.g. `本证照已撤销：理由…`.
    pub status_note: Option<String>,
}

/// The JSON the typst layout reads.
#[derive(Serialize)]
struct Data<'a> {
    title: &'a str,
    identifier: &'a str,
    holder_name: &'a str,
    holder_id: &'a str,
    issuer: &'a str,
    fields: Vec<(&'a str, &'a str)>,
    valid_from: &'a str,
    valid_until: &'a str,
    version: String,
    issued_on: &'a str,
    qr: Qr,
    qr_caption: &'a str,
    status_note: Option<&'a str>,
    footer: String,
}

/// The QR code as runs of dark modules: `[row, column, length]`.
#[derive(Serialize)]
struct Qr {
    size: usize,
    runs: Vec<[usize; 3]>,
}

impl CertificateLayout {
    /// Every printed string, for the glyph check.
    pub fn texts(&self) -> Vec<&str> {
        let mut v: Vec<&str> = vec![
            &self.title,
            &self.identifier,
            &self.holder_name,
            &self.holder_id,
            &self.issuer,
            &self.valid_from,
            &self.valid_until,
            &self.issued_on,
            &self.qr_caption,
        ];
        for (a, b) in &self.fields {
            v.push(a);
            v.push(b);
        }
        if let Some(n) = &self.status_note {
            v.push(n);
        }
        v
    }
}

/// The dark runs of each row of a `size`×`size` module matrix.
fn runs(size: usize, modules: &[bool]) -> Result<Vec<[usize; 3]>, NoticeError> {
    if size == 0 || modules.len() != size * size {
        return Err(NoticeError::Data(format!(
            "QR matrix of {} modules is not {size}×{size}",
            modules.len()
        )));
    }
    let mut out = Vec::new();
    for (row, line) in modules.chunks(size).enumerate() {
        let mut col = 0;
        while col < size {
            if line[col] {
                let start = col;
                while col < size && line[col] {
                    col += 1;
                }
                out.push([row, start, col - start]);
            } else {
                col += 1;
            }
        }
    }
    Ok(out)
}

/// Renders the printed certificate as a one-page A4 PDF.
pub fn render_certificate(l: &CertificateLayout) -> Result<Vec<u8>, NoticeError> {
    let mut missing: Vec<char> = Vec::new();
    for t in l.texts() {
        for c in crate::unrenderable_chars(t) {
            if !missing.contains(&c) {
                missing.push(c);
            }
        }
    }
    if !missing.is_empty() {
        return Err(NoticeError::MissingGlyphs { chars: missing });
    }
    let data = Data {
        title: &l.title,
        identifier: &l.identifier,
        holder_name: &l.holder_name,
        holder_id: &l.holder_id,
        issuer: &l.issuer,
        fields: l
            .fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect(),
        valid_from: &l.valid_from,
        valid_until: &l.valid_until,
        version: format!("第 {} 版", l.version),
        issued_on: &l.issued_on,
        qr: Qr {
            size: l.qr.0,
            runs: runs(l.qr.0, &l.qr.1)?,
        },
        qr_caption: &l.qr_caption,
        status_note: l.status_note.as_deref(),
        footer: format!("电子证照打印版 · 模板 {TEMPLATE_ID} · 以扫码核验结果为准"),
    };
    let json = serde_json::to_vec(&data).map_err(|e| NoticeError::Data(e.to_string()))?;
    crate::compile(LAYOUT, json)
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn runs_merge_dark_modules_of_a_row() {
        let m = [true, true, false, false, true, false, true, true, true];
        assert_eq!(runs(3, &m).unwrap(), vec![[0, 0, 2], [1, 1, 1], [2, 0, 3]]);
        assert!(runs(2, &m).is_err());
        assert!(runs(0, &[]).is_err());
    }
}

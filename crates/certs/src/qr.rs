//! QR codes (二维码) for 扫码亮证: error correction level M, as SVG or as a module matrix.

use qrcode::render::svg;
use qrcode::types::QrError as EncodeError;
use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// Width of the quiet zone (空白区) around the code, in modules, as the QR standard requires.
pub const QUIET_ZONE_MODULES: usize = 4;

/// Why a QR code cannot be made.
#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
pub enum QrError {
    /// The text does not fit the largest QR code at level M.
    #[error("the text is too long for a QR code")]
    TooLong,
    /// Another encoding failure.
    #[error("the text cannot be encoded as a QR code")]
    Encode,
}

impl QrError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            QrError::TooLong => "QR_TOO_LONG",
            QrError::Encode => "QR_ENCODE_FAILED",
        }
    }

    /// Message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            QrError::TooLong => "内容过长，无法生成二维码",
            QrError::Encode => "无法生成二维码",
        }
        .to_owned()
    }

    /// Message in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

fn encode(text: &str) -> Result<QrCode, QrError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|error| match error {
        EncodeError::DataTooLong => QrError::TooLong,
        _ => QrError::Encode,
    })
}

/// A standalone SVG document (starting with `<?xml`) of the QR code of `text`, with the quiet
/// zone. One module is one user unit: `width`, `height` and `viewBox` are the module count plus
/// the quiet zones, so a page scales it with CSS (`width: 40mm`) without blurring.
pub fn svg(text: &str) -> Result<String, QrError> {
    Ok(encode(text)?
        .render::<svg::Color>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The module matrix of the QR code of `text`, without quiet zone: its width `n` and `n * n`
/// modules row by row, `true` for dark. Leave [`QUIET_ZONE_MODULES`] light modules around it.
pub fn modules(text: &str) -> Result<(usize, Vec<bool>), QrError> {
    let code = encode(text)?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|color| color == Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

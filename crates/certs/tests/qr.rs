//! Tests of QR code output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_certs::qr::{self, QUIET_ZONE_MODULES, QrError};

#[test]
fn a_120_character_url_fits() {
    let url = format!("https://zwfw.example.gov.cn/verify/{}", "A".repeat(85));
    assert_eq!(url.len(), 120);
    let svg = qr::svg(&url).unwrap();
    assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{svg}");
    assert!(svg.ends_with("</svg>"));
    let (width, modules) = qr::modules(&url).unwrap();
    assert_eq!(modules.len(), width * width);
    assert!(modules.iter().any(|&dark| dark) && modules.iter().any(|&dark| !dark));
    // Finder pattern: the top-left corner module is dark.
    assert!(modules[0]);
    let total = width + 2 * QUIET_ZONE_MODULES;
    assert!(
        svg.contains(&format!("viewBox=\"0 0 {total} {total}\"")),
        "{svg}"
    );
}

#[test]
fn a_real_token_url_fits() {
    // 93 + 69 bytes of token → 216 base64url characters, in a URL.
    let url = format!("https://zwfw.example.gov.cn/v/{}", "x".repeat(216));
    let (width, _) = qr::modules(&url).unwrap();
    assert!(width <= 73, "width {width}");
}

#[test]
fn too_long() {
    let error = qr::svg(&"x".repeat(5000)).unwrap_err();
    assert_eq!(error, QrError::TooLong);
    assert_eq!(error.code(), "QR_TOO_LONG");
}

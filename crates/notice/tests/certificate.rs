//! The printed electronic certificate (电子证照打印版): its text, the QR code drawn from the
//! module matrix, markup printed literally, a status note, and missing glyphs refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{page_count, pdf_text, squash};
use shenpi_notice::NoticeError;
use shenpi_notice::certificate::{CertificateLayout, TEMPLATE_ID, render_certificate};

const URL: &str = "https://shenpi.example.cn/verify?t=eyJhbGciOiJTTTIifQ.c2FtcGxl.c2lnbmF0dXJl";

fn layout() -> CertificateLayout {
    CertificateLayout {
        title: "施工劳务资质备案凭证".into(),
        identifier:
            "1.2.156.3005.2.11100000MB0288171L001.11370202MB1586699W.2026370202000001.001.X".into(),
        holder_name: "青岛海之蓝建筑劳务有限公司".into(),
        holder_id: "91370202MA3C4H8X2K".into(),
        issuer: "青岛市市南区行政审批服务局".into(),
        fields: vec![
            ("统一社会信用代码".into(), "91370202MA3C4H8X2K".into()),
            ("资质类别".into(), "施工劳务".into()),
            ("备案地址".into(), "青岛市市南区香港中路10号".into()),
        ],
        valid_from: "2026-11-28".into(),
        valid_until: "2031-11-27".into(),
        version: 1,
        issued_on: "2026年11月28日".into(),
        qr: shenpi_certs::qr::modules(URL).unwrap(),
        qr_caption: "扫码核验".into(),
        status_note: None,
    }
}

#[test]
fn a_certificate_prints_its_title_holder_fields_identifier_and_qr_caption() {
    let l = layout();
    let pdf = render_certificate(&l).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(page_count(&pdf), 1);
    let Some(text) = pdf_text(&pdf) else { return };
    for needle in [
        l.title.as_str(),
        &l.holder_name,
        &l.holder_id,
        &l.identifier,
        &l.issuer,
        "扫码核验",
        "资质类别",
        "施工劳务",
        "2026-11-28至2031-11-27",
        "第1版",
        "2026年11月28日",
        TEMPLATE_ID,
    ] {
        assert!(
            text.contains(&squash(needle)),
            "{needle:?} not in the PDF text: {text}"
        );
    }
    assert!(!text.contains("已撤销"));
}

#[test]
fn markup_like_input_is_printed_literally() {
    let mut l = layout();
    l.holder_name = "#set page(width: 1cm) 公司".into();
    l.fields
        .push(("*bold*".into(), "<script>alert(1)</script>".into()));
    l.issuer = "$x^2$ [链接](x) #{1+1} \\ @ref".into();
    let pdf = render_certificate(&l).unwrap();
    assert_eq!(page_count(&pdf), 1, "the page setting was not applied");
    let Some(text) = pdf_text(&pdf) else { return };
    for needle in [
        "#setpage(width:1cm)公司",
        "*bold*",
        "<script>alert(1)</script>",
        "$x^2$[链接](x)#{1+1}\\@ref",
    ] {
        assert!(text.contains(needle), "{needle:?} not in: {text}");
    }
}

#[test]
fn a_certificate_no_longer_valid_says_so() {
    let mut l = layout();
    l.status_note = Some("本证照已撤销：以欺骗手段取得备案".into());
    let pdf = render_certificate(&l).unwrap();
    let Some(text) = pdf_text(&pdf) else { return };
    assert!(text.contains("本证照已撤销：以欺骗手段取得备案"), "{text}");
}

#[test]
fn missing_glyphs_and_a_broken_matrix_are_refused() {
    let mut l = layout();
    l.fields.push(("备注".into(), "青岛\u{10FFFD}".into()));
    match render_certificate(&l) {
        Err(NoticeError::MissingGlyphs { chars }) => assert_eq!(chars, ['\u{10FFFD}']),
        other => panic!("{other:?}"),
    }
    let mut l = layout();
    l.qr.1.pop();
    assert!(matches!(render_certificate(&l), Err(NoticeError::Data(_))));
}

#[test]
fn the_printed_qr_code_decodes_to_the_verification_address() {
    let pdf = render_certificate(&layout()).unwrap();
    match common::qr_texts(&pdf) {
        Some(found) => assert_eq!(found, vec![URL.to_owned()]),
        None => eprintln!("SKIPPED QR check: pdftoppm or zbarimg not installed"),
    }
}

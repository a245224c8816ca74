//! Rendering notices: every kind, the printed text, markup injection and missing glyphs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{page_count, pdf_text, sample, squash};
use shenpi_notice::{NoticeError, NoticeKind, RIGHTS_SENTENCE, render, unrenderable_chars};
use std::process::Command;

#[test]
fn every_kind_renders_a_pdf_with_its_text() {
    for kind in NoticeKind::ALL {
        let data = sample(kind);
        let pdf = render(&data).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"), "{kind:?}: not a PDF");
        assert!(page_count(&pdf) >= 1, "{kind:?}: no page");
        let Some(text) = pdf_text(&pdf) else { continue };
        for needle in [
            kind.title(),
            &data.applicant,
            &data.item,
            &data.document_number,
            &data.case_number,
            &data.department,
            "2026年11月28日",
        ] {
            assert!(
                text.contains(&squash(needle)),
                "{kind:?}: {needle:?} not in the PDF text: {text}"
            );
        }
        let refusal = matches!(kind, NoticeKind::RefusalToAccept | NoticeKind::Refusal);
        assert_eq!(
            text.contains(&squash(RIGHTS_SENTENCE)),
            refusal,
            "{kind:?}: rights sentence"
        );
        if refusal {
            assert!(text.contains("六十日内依法申请行政复议"));
            assert!(text.contains("六个月内依法向人民法院提起行政诉讼"));
        }
        match kind {
            NoticeKind::SupplementRequest
            | NoticeKind::RefusalToAccept
            | NoticeKind::Refusal
            | NoticeKind::BundleResult => {
                for (i, line) in data.lines.iter().enumerate() {
                    assert!(
                        text.contains(&format!("{}．{}", i + 1, squash(line))),
                        "{kind:?}: line {line}"
                    );
                }
            }
            NoticeKind::Acceptance => {
                assert!(text.contains("5个工作日"));
                assert!(text.contains("法定办理时限为20个工作日"));
            }
            NoticeKind::SpecialProcedure => {
                assert!(text.contains("专家评审所需时间预计为10个工作日"));
                assert!(text.contains("不计算在行政许可办理期限内"));
            }
            NoticeKind::Grant => assert!(text.contains("决定准予行政许可")),
        }
    }
}

#[test]
fn missing_required_fields_are_refused() {
    let mut data = sample(NoticeKind::SupplementRequest);
    data.lines = vec!["  ".to_owned()];
    assert_eq!(render(&data), Err(NoticeError::MissingField("lines")));
    let mut data = sample(NoticeKind::Acceptance);
    data.promised_days = None;
    assert_eq!(
        render(&data),
        Err(NoticeError::MissingField("promised_days"))
    );
    let mut data = sample(NoticeKind::SpecialProcedure);
    data.special_procedure = None;
    assert_eq!(
        render(&data),
        Err(NoticeError::MissingField("special_procedure"))
    );
}

#[test]
fn typst_markup_in_user_text_is_printed_literally() {
    let mut data = sample(NoticeKind::Refusal);
    data.applicant = "#panic(\"x\")*[evil]*".to_owned();
    data.item = "= 标题 $x^2$ `code` <label> @ref \\ _em_ /* c */".to_owned();
    data.lines = vec![
        "#let x = 1".to_owned(),
        "] #include \"/etc/passwd\" [".to_owned(),
    ];
    data.opinion = "#set page(width: 1pt)".to_owned();
    let pdf = render(&data).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let Some(text) = pdf_text(&pdf) else { return };
    for needle in [
        "#panic(\"x\")*[evil]*：",
        "=标题$x^2$`code`<label>@ref\\_em_/*c*/",
        "1．#letx=1",
        "2．]#include\"/etc/passwd\"[",
        "#setpage(width:1pt)",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} not printed literally: {text}"
        );
    }
}

/// A character no font on this machine has: a private-use or noncharacter code point.
fn unrenderable() -> char {
    ['\u{E000}', '\u{10FFFD}', '\u{FFFF}', '\u{EFFFD}']
        .into_iter()
        .find(|c| unrenderable_chars(&c.to_string()) == vec![*c])
        .expect("every candidate has a glyph on this machine")
}

#[test]
fn characters_without_a_glyph_are_refused_not_dropped() {
    let bad = unrenderable();
    let mut data = sample(NoticeKind::Acceptance);
    data.applicant = format!("张{bad}三{bad}");
    data.item = format!("食品经营许可{bad}");
    assert_eq!(
        render(&data),
        Err(NoticeError::MissingGlyphs { chars: vec![bad] })
    );
    // Rare but standard characters of the 通用规范汉字表 are fine, also outside the BMP.
    data.applicant = "𬌗𬇙𫖯𬘡 䶮".to_owned();
    data.item = "食品经营许可".to_owned();
    assert!(unrenderable_chars(&data.applicant).is_empty());
    assert!(render(&data).is_ok());
}

#[test]
fn notice_data_serialises_in_snake_case() {
    let data = sample(NoticeKind::SupplementRequest);
    let json = serde_json::to_value(&data).unwrap();
    assert_eq!(json["kind"], "supplement_request");
    assert_eq!(json["document_number"], "青审批受字〔2026〕第0001号");
    assert_eq!(json["date"], "2026-11-28");
    let back: shenpi_notice::NoticeData = serde_json::from_value(json).unwrap();
    assert_eq!(back, data);
    let kinds: Vec<String> = NoticeKind::ALL
        .iter()
        .map(|k| serde_json::to_string(k).unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "\"acceptance\"",
            "\"supplement_request\"",
            "\"refusal_to_accept\"",
            "\"grant\"",
            "\"refusal\"",
            "\"special_procedure\"",
            "\"bundle_result\""
        ]
    );
}

#[test]
fn writes_a_sample_for_looking_at() {
    let pdf = render(&sample(NoticeKind::Refusal)).unwrap();
    std::fs::write("/tmp/notice-refusal.pdf", &pdf).unwrap();
    let pdf = render(&sample(NoticeKind::SupplementRequest)).unwrap();
    std::fs::write("/tmp/notice-sample.pdf", &pdf).unwrap();
    match Command::new("pdftoppm")
        .args([
            "-png",
            "-r",
            "60",
            "/tmp/notice-sample.pdf",
            "/tmp/notice-sample",
        ])
        .status()
    {
        Ok(status) => assert!(status.success()),
        Err(_) => eprintln!("SKIPPED PNG: pdftoppm not installed (poppler-utils)"),
    }
}

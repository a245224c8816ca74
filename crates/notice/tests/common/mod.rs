//! Shared test data: a complete notice of each kind, and text extraction with pdftotext.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use shenpi_notice::{NoticeData, NoticeKind, SpecialProcedure};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// A filled-in notice of `kind`.
pub fn sample(kind: NoticeKind) -> NoticeData {
    NoticeData {
        kind,
        document_number: "青审批受字〔2026〕第0001号".to_owned(),
        case_number: "SP-370200-20261128-0001".to_owned(),
        applicant: "青岛海之蓝餐饮管理有限公司".to_owned(),
        item: "食品经营许可（新办）".to_owned(),
        department: "青岛市行政审批服务局".to_owned(),
        date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        received_on: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        accepted_on: Some(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()),
        promised_days: Some(5),
        statutory_days: Some(20),
        lines: vec![
            "营业执照复印件（加盖公章）".to_owned(),
            "法定代表人身份证明".to_owned(),
            "经营场所平面布局图".to_owned(),
        ],
        opinion: "请于补正后通过青岛政务服务网或到市民中心三楼窗口提交。".to_owned(),
        phone: "0532-12345".to_owned(),
        special_procedure: Some(SpecialProcedure {
            kind: "专家评审".to_owned(),
            reason: "经营场所涉及特殊工艺".to_owned(),
            working_days: 10,
        }),
    }
}

/// The text of a PDF with all whitespace removed, or `None` when pdftotext is not installed.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let mut child = match Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(_) => {
            eprintln!("SKIPPED text check: pdftotext not installed (Debian package poppler-utils)");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.chars().filter(|c| !c.is_whitespace()).collect())
}

/// Removes whitespace, to compare with [`pdf_text`].
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Number of pages, counted from the page objects.
pub fn page_count(pdf: &[u8]) -> usize {
    let mut count = 0;
    for needle in [&b"/Type/Page"[..], &b"/Type /Page"[..]] {
        count += pdf
            .windows(needle.len() + 1)
            .filter(|w| &w[..needle.len()] == needle && w[needle.len()] != b's')
            .count();
    }
    count
}

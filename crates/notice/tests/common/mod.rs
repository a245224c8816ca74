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

/// The texts of the QR codes on the first page of a PDF (rendered at 150 dpi with pdftoppm,
/// decoded with zbarimg), or `None` when one of the tools is not installed (Debian packages
/// poppler-utils and zbar-tools).
pub fn qr_texts(pdf: &[u8]) -> Option<Vec<String>> {
    let dir = std::env::temp_dir().join(format!(
        "shenpi-notice-qr-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let prefix = dir.join("page");
    let rendered = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(&prefix)
        .status();
    let out = match rendered {
        Ok(s) if s.success() => Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(dir.join("page.png"))
            .output()
            .ok(),
        Ok(s) => panic!("pdftoppm failed: {s}"),
        Err(_) => None,
    };
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    // zbarimg exits with 4 when it found no code.
    assert!(
        out.status.success() || out.status.code() == Some(4),
        "zbarimg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

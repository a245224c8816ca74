//! Renders and seals a sample 一次性补正告知书 to `/tmp/notice-sample.pdf`, printing timings.
//!
//! `cargo run --release -p shenpi-notice --example sample`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use shenpi_notice::{NoticeData, NoticeKind, SealKey, render, seal, verify};
use std::time::Instant;

fn main() {
    let data = NoticeData {
        kind: NoticeKind::SupplementRequest,
        document_number: "青审批补字〔2026〕第0001号".to_owned(),
        case_number: "SP-370200-20261128-0001".to_owned(),
        applicant: "张三".to_owned(),
        item: "食品经营许可（新办）".to_owned(),
        department: "青岛市行政审批服务局".to_owned(),
        date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        received_on: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        accepted_on: None,
        promised_days: None,
        statutory_days: None,
        lines: vec![
            "营业执照复印件（加盖公章）".to_owned(),
            "法定代表人身份证明".to_owned(),
        ],
        opinion: String::new(),
        phone: "0532-12345".to_owned(),
        special_procedure: None,
    };
    let start = Instant::now();
    let pdf = render(&data).unwrap();
    println!(
        "first render (fonts scanned and parsed): {:?}",
        start.elapsed()
    );
    let runs = 10;
    let start = Instant::now();
    for i in 0..runs {
        let mut data = data.clone();
        data.applicant = format!("申请人{i}");
        render(&data).unwrap();
    }
    println!("later renders: {:?} each", start.elapsed() / runs);
    let key = SealKey::generate().unwrap();
    let start = Instant::now();
    let sealed = seal(&pdf, &key);
    let public = key.public_key();
    verify(&sealed, &|_| Some(public.clone())).unwrap();
    println!("seal + verify: {:?}", start.elapsed());
    std::fs::write("/tmp/notice-sample.pdf", &sealed).unwrap();
    println!("wrote /tmp/notice-sample.pdf ({} bytes)", sealed.len());
}

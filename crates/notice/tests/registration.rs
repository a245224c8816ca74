//! Registration documents: every kind renders to a PDF from its versioned template, a document
//! records its template and version, and a character no font has is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use shenpi_notice::NoticeError;
use shenpi_notice::registration::{
    Block, InvestorLine, KINDS, PersonLine, RegistrationFacts, build, render,
};

fn facts() -> RegistrationFacts {
    let person = |name: &str, position: &str| PersonLine {
        name: name.into(),
        id_number: "370202198506152014".into(),
        mobile: "13800000001".into(),
        position: position.into(),
    };
    RegistrationFacts {
        business: "establish".into(),
        business_zh: "设立登记".into(),
        entity_type: "有限责任公司（自然人投资或控股）".into(),
        name: "青岛海蓝信息技术有限公司".into(),
        address: "青岛市市南区香港中路10号".into(),
        capital_label: "注册资本".into(),
        capital: "100".into(),
        scopes_general: vec!["软件开发".into()],
        scopes_licensed: vec!["餐饮服务".into()],
        investors: vec![
            InvestorLine {
                name: "张海".into(),
                kind_zh: "自然人".into(),
                identifier: "370202198506152014".into(),
                amount: "60".into(),
                share: "60%".into(),
                method: "货币".into(),
                due_date: "2030-12-31".into(),
            },
            InvestorLine {
                name: "王蓝".into(),
                kind_zh: "自然人".into(),
                identifier: "370203198803213027".into(),
                amount: "40".into(),
                share: "40%".into(),
                method: "货币".into(),
                due_date: "2030-12-31".into(),
            },
        ],
        representative_title: "法定代表人".into(),
        representative: person("张海", "执行董事"),
        officers: vec![person("张海", "执行董事"), person("王蓝", "监事")],
        contact: person("王蓝", ""),
        date: NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        ..Default::default()
    }
}

#[test]
fn every_kind_renders_from_its_versioned_template() {
    let f = facts();
    for kind in KINDS {
        let doc = build(kind, &f).unwrap();
        assert!(doc.template.id.starts_with("reg."), "{kind}");
        assert_eq!(doc.template.version, 1);
        assert!(doc.footer.contains(doc.template.id), "{kind}");
        assert!(
            doc.texts()
                .iter()
                .any(|t| t.contains("青岛海蓝信息技术有限公司")),
            "{kind}"
        );
        let pdf = render(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{kind}");
    }
    assert!(build("nope", &f).is_none());
    let articles = build("articles", &f).unwrap();
    let scope = articles
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Para { text } if text.starts_with("第五条") => Some(text.clone()),
            _ => None,
        })
        .unwrap();
    assert!(scope.contains("一般项目：软件开发") && scope.contains("许可项目：餐饮服务"));
}

#[test]
fn markup_in_values_is_printed_as_text_and_missing_glyphs_are_refused() {
    let mut f = facts();
    f.address = "#set page(width: 1cm) *粗体* [链接](x) $x^2$".into();
    let pdf = render(&build("application", &f).unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    f.name = "青岛\u{10FFFD}有限公司".into();
    match render(&build("application", &f).unwrap()) {
        Err(NoticeError::MissingGlyphs { chars }) => assert_eq!(chars, ['\u{10FFFD}']),
        other => panic!("{other:?}"),
    }
}

//! The wording of each registration document, one function per template version (模板).
//!
//! A template is identified by its id and version ([`TemplateRef`]). To change a document's
//! wording, add a new function with the next version and point [`build`] at it; keep the old one
//! while documents made from it may still be checked.

use super::{Block, Document, InvestorLine, PersonLine, RegistrationFacts, TemplateRef};
use crate::data::chinese_date;

/// Footer line: the template and version the document was made from.
fn footer(t: TemplateRef) -> String {
    format!(
        "文书模板 {} 第 {} 版 · shenpi 企业登记智能表单生成",
        t.id, t.version
    )
}

fn doc(
    t: TemplateRef,
    title: String,
    f: &RegistrationFacts,
    blocks: Vec<Block>,
    signatures: Vec<(String, String)>,
) -> Document {
    Document {
        template: t,
        title,
        subtitle: f.name.clone(),
        blocks,
        signatures,
        date: chinese_date(f.date),
        footer: footer(t),
    }
}

fn para(text: impl Into<String>) -> Block {
    Block::Para { text: text.into() }
}

fn heading(text: &str) -> Block {
    Block::Heading { text: text.into() }
}

/// The business scope as registered: 一般项目 and 许可项目 with the standard closing words.
pub fn scope_text(f: &RegistrationFacts) -> String {
    let mut parts = vec![];
    if !f.scopes_general.is_empty() {
        parts.push(format!(
            "一般项目：{}（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
            f.scopes_general.join("；")
        ));
    }
    if !f.scopes_licensed.is_empty() {
        parts.push(format!(
            "许可项目：{}（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）",
            f.scopes_licensed.join("；")
        ));
    }
    parts.join("\n")
}

fn investor_table(list: &[InvestorLine], who: &str) -> Block {
    Block::Table {
        header: vec![
            who.to_string(),
            "类型".into(),
            "证件号码".into(),
            "认缴出资（万元）".into(),
            "比例".into(),
            "出资方式".into(),
            "出资期限".into(),
        ],
        rows: list
            .iter()
            .map(|i| {
                vec![
                    i.name.clone(),
                    i.kind_zh.clone(),
                    i.identifier.clone(),
                    i.amount.clone(),
                    i.share.clone(),
                    i.method.clone(),
                    i.due_date.clone(),
                ]
            })
            .collect(),
    }
}

fn officer_table(list: &[PersonLine]) -> Block {
    Block::Table {
        header: vec!["姓名".into(), "职务".into(), "身份证件号码".into()],
        rows: list
            .iter()
            .map(|o| vec![o.name.clone(), o.position.clone(), o.id_number.clone()])
            .collect(),
    }
}

fn investor_signatures(f: &RegistrationFacts, role: &str) -> Vec<(String, String)> {
    f.investors
        .iter()
        .map(|i| (role.to_string(), i.name.clone()))
        .collect()
}

/// The noun of the applicant form title: 公司, 个人独资企业, 合伙企业, 个体工商户.
fn form_noun(entity_type: &str) -> &str {
    if entity_type.contains("有限责任公司") {
        "公司"
    } else {
        entity_type.split('（').next().unwrap_or(entity_type)
    }
}

/// Builds `kind` with its current version.
pub fn build(kind: &str, f: &RegistrationFacts) -> Option<Document> {
    Some(match kind {
        "application" => application_v1(f),
        "articles" => articles_v1(f),
        "shareholder_decision" => decision_v1(f),
        "shareholders_resolution" => resolution_v1(f),
        "legal_rep_appointment" => appointment_v1(f),
        "designated_representative" => designation_v1(f),
        "partnership_agreement" => partnership_v1(f),
        _ => return None,
    })
}

/// 设立（变更）登记申请书, v1.
pub fn application_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.application",
        version: 1,
    };
    let mut rows = vec![("名称".to_string(), f.name.clone())];
    if !f.uscc.is_empty() {
        rows.push(("统一社会信用代码".into(), f.uscc.clone()));
    }
    rows.push(("登记业务".into(), f.business_zh.clone()));
    if !f.change_item_zh.is_empty() {
        rows.push(("变更事项".into(), f.change_item_zh.clone()));
    }
    rows.extend([
        ("主体类型".into(), f.entity_type.clone()),
        ("住所（经营场所）".into(), f.address.clone()),
        (format!("{}（万元）", f.capital_label), f.capital.clone()),
        (
            f.representative_title.clone(),
            f.representative.name.clone(),
        ),
        ("经营范围".into(), scope_text(f)),
    ]);
    let noun = form_noun(&f.entity_type);
    let title = if f.business == "change" {
        format!("{noun}变更登记申请书")
    } else {
        format!("{noun}设立登记申请书")
    };
    let mut blocks = vec![
        Block::Fields { rows },
        heading("出资情况"),
        investor_table(&f.investors, "出资人"),
    ];
    if !f.officers.is_empty() {
        blocks.push(heading("董事、监事、高级管理人员"));
        blocks.push(officer_table(&f.officers));
    }
    blocks.push(para(
        "本申请人和签字人承诺：提交的申请书和其他申请材料真实、合法、有效，复印件与原件一致，所填写的信息真实、准确、完整；已知悉并遵守市场主体登记管理的有关规定。如有虚假，愿承担相应的法律责任。",
    ));
    let signer = format!("{}签字", f.representative_title);
    doc(
        t,
        title,
        f,
        blocks,
        vec![(signer, f.representative.name.clone())],
    )
}

/// 公司章程, v1: 总则, 经营范围, 注册资本与出资, 组织机构, 法定代表人, 附则.
pub fn articles_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.articles",
        version: 1,
    };
    let single = f.investors.len() == 1;
    let mut blocks = vec![
        heading("第一章 总则"),
        para(
            "第一条 为规范公司的组织和行为，保护公司、股东和债权人的合法权益，根据《中华人民共和国公司法》和有关法律、行政法规的规定，制定本章程。",
        ),
        para(format!("第二条 公司名称：{}。", f.name)),
        para(format!("第三条 公司住所：{}。", f.address)),
        para(format!(
            "第四条 公司类型：{}。公司以其全部财产对公司的债务承担责任，股东以其认缴的出资额为限对公司承担责任。",
            f.entity_type
        )),
        heading("第二章 经营范围"),
        para(format!("第五条 公司经营范围：{}", scope_text(f))),
        heading("第三章 注册资本及股东出资"),
        para(format!("第六条 公司注册资本为人民币{}万元。", f.capital)),
        para(
            "第七条 股东的姓名或者名称、认缴的出资额、出资方式和出资日期如下表。股东应当按期足额缴纳各自认缴的出资额，全体股东认缴的出资额自公司成立之日起五年内缴足。",
        ),
        investor_table(&f.investors, "股东"),
        heading("第四章 组织机构"),
    ];
    if single {
        blocks.push(para("第八条 公司不设股东会。股东作出《中华人民共和国公司法》第五十九条第一款所列事项的决定时，应当采用书面形式，并由股东签名或者盖章后置备于公司。"));
    } else {
        blocks.push(para("第八条 公司股东会由全体股东组成，是公司的权力机构，依照《中华人民共和国公司法》第五十九条的规定行使职权。股东会会议由股东按照出资比例行使表决权。股东会作出修改公司章程、增加或者减少注册资本的决议，以及公司合并、分立、解散或者变更公司形式的决议，应当经代表三分之二以上表决权的股东通过。"));
    }
    blocks.push(para("第九条 公司董事、监事和高级管理人员如下表，其任期、职权依照《中华人民共和国公司法》的规定。"));
    blocks.push(officer_table(&f.officers));
    blocks.extend([
        heading("第五章 法定代表人"),
        para(format!(
            "第十条 公司的法定代表人由代表公司执行公司事务的董事或者经理担任，现由{}（{}）担任。",
            f.representative.name, f.representative.position
        )),
        heading("第六章 附则"),
        para("第十一条 本章程自全体股东签字（盖章）之日起生效。本章程与法律、行政法规不一致的，以法律、行政法规的规定为准。"),
    ]);
    doc(
        t,
        "公司章程".into(),
        f,
        blocks,
        investor_signatures(f, "股东"),
    )
}

fn officer_lines(f: &RegistrationFacts) -> Vec<String> {
    f.officers
        .iter()
        .map(|o| format!("{}担任公司{}", o.name, o.position))
        .collect()
}

fn numbered(lines: Vec<String>) -> Vec<Block> {
    const NUM: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| para(format!("{}、{l}。", NUM.get(i).copied().unwrap_or("…"))))
        .collect()
}

fn decisions(f: &RegistrationFacts) -> Vec<String> {
    let mut v = if f.business == "change" {
        vec![format!(
            "同意公司办理{}（{}）",
            f.business_zh, f.change_item_zh
        )]
    } else {
        vec![
            format!(
                "同意设立{}，注册资本人民币{}万元，住所为{}",
                f.name, f.capital, f.address
            ),
            "通过公司章程".to_string(),
        ]
    };
    v.extend(officer_lines(f));
    v.push(format!("由{}担任公司法定代表人", f.representative.name));
    v.push(format!(
        "指定{}为指定代表，办理公司登记相关事宜",
        f.contact.name
    ));
    v
}

/// 股东决定 (one shareholder), v1.
pub fn decision_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.shareholder-decision",
        version: 1,
    };
    let mut blocks = vec![para(
        "根据《中华人民共和国公司法》及公司章程的规定，公司股东作出如下决定：",
    )];
    blocks.extend(numbered(decisions(f)));
    doc(
        t,
        "股东决定".into(),
        f,
        blocks,
        investor_signatures(f, "股东"),
    )
}

/// 股东会决议 (several shareholders), v1.
pub fn resolution_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.shareholders-resolution",
        version: 1,
    };
    let mut blocks = vec![para(format!(
        "{}股东会会议于{}召开，应到股东{}名，实到股东{}名，代表百分之百表决权。会议的召集、召开和表决程序符合《中华人民共和国公司法》及公司章程的规定。经全体股东一致同意，形成决议如下：",
        f.name,
        chinese_date(f.date),
        f.investors.len(),
        f.investors.len()
    ))];
    blocks.extend(numbered(decisions(f)));
    doc(
        t,
        "股东会决议".into(),
        f,
        blocks,
        investor_signatures(f, "股东"),
    )
}

/// 法定代表人任职文件, v1.
pub fn appointment_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.legal-representative",
        version: 1,
    };
    let how = if f.investors.len() == 1 {
        "股东决定"
    } else {
        "股东会选举"
    };
    let blocks = vec![
        para(format!(
            "经{how}，{}担任{}{}，为公司法定代表人，任期依照公司章程的规定。",
            f.representative.name, f.name, f.representative.position
        )),
        Block::Fields {
            rows: vec![
                ("姓名".into(), f.representative.name.clone()),
                ("身份证件号码".into(), f.representative.id_number.clone()),
                ("职务".into(), f.representative.position.clone()),
                ("移动电话".into(), f.representative.mobile.clone()),
            ],
        },
        para(
            "本人承诺：不存在《中华人民共和国公司法》第一百七十八条规定的不得担任法定代表人的情形，所填信息真实有效。",
        ),
    ];
    let mut signatures = investor_signatures(f, "股东");
    signatures.push(("法定代表人".into(), f.representative.name.clone()));
    doc(t, "法定代表人任职文件".into(), f, blocks, signatures)
}

/// 指定代表或者共同委托代理人授权委托书, v1.
pub fn designation_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.designated-representative",
        version: 1,
    };
    let blocks = vec![
        para(format!(
            "兹指定（委托）{}为{}办理{}的指定代表（委托代理人），委托期限自签署之日起至登记办结之日止。",
            f.contact.name, f.name, f.business_zh
        )),
        Block::Fields {
            rows: vec![
                ("指定代表（委托代理人）".into(), f.contact.name.clone()),
                ("身份证件号码".into(), f.contact.id_number.clone()),
                ("移动电话".into(), f.contact.mobile.clone()),
                (
                    "委托事项".into(),
                    format!(
                        "办理{}；核对登记材料中的复印件并签署核对意见；修改有关表格的填写错误；领取营业执照和有关文书",
                        f.business_zh
                    ),
                ),
            ],
        },
    ];
    let signatures = if f.representative_title == "法定代表人" {
        investor_signatures(f, "股东")
    } else {
        investor_signatures(f, "投资人（合伙人、经营者）")
    };
    doc(
        t,
        "指定代表或者共同委托代理人授权委托书".into(),
        f,
        blocks,
        signatures,
    )
}

/// 合伙协议, v1.
pub fn partnership_v1(f: &RegistrationFacts) -> Document {
    let t = TemplateRef {
        id: "reg.partnership-agreement",
        version: 1,
    };
    let blocks = vec![
        heading("第一章 总则"),
        para(
            "第一条 根据《中华人民共和国合伙企业法》及有关法律、行政法规的规定，经全体合伙人协商一致，订立本协议。",
        ),
        para(format!(
            "第二条 合伙企业名称：{}；主要经营场所：{}。",
            f.name, f.address
        )),
        para(format!("第三条 合伙目的和经营范围：{}", scope_text(f))),
        heading("第二章 合伙人及出资"),
        para(format!(
            "第四条 全体合伙人均为普通合伙人，对合伙企业债务承担无限连带责任。合伙企业出资额为人民币{}万元，各合伙人出资如下表。",
            f.capital
        )),
        investor_table(&f.investors, "合伙人"),
        heading("第三章 利润分配、亏损分担及事务执行"),
        para("第五条 合伙企业的利润分配和亏损分担，按照各合伙人实缴出资比例进行。"),
        para(format!(
            "第六条 全体合伙人委托{}为执行事务合伙人，对外代表合伙企业，执行合伙事务。",
            f.representative.name
        )),
        para(
            "第七条 入伙、退伙以及争议解决等事项，依照《中华人民共和国合伙企业法》的规定执行。本协议经全体合伙人签名后生效。",
        ),
    ];
    doc(
        t,
        "合伙协议".into(),
        f,
        blocks,
        investor_signatures(f, "合伙人"),
    )
}

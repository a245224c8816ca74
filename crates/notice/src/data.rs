//! What a notice says: the notice kind (文书种类) and the case data the caller supplies (文书数据).
//!
//! The wording of each kind is built here, in [`NoticeData::layout`], from fixed legal text
//! (《中华人民共和国行政许可法》) and the caller's data. The result is a [`Layout`]: plain
//! strings only, which the typst template displays as text and never parses as markup.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::NoticeError;

/// Kind of legal notice (文书种类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 受理通知书: the application is accepted (Art. 32).
    Acceptance,
    /// 一次性补正告知书: everything missing, told at once (Art. 32 (4)).
    SupplementRequest,
    /// 不予受理决定书: the application is not accepted, with reasons and rights (Art. 32).
    RefusalToAccept,
    /// 准予行政许可决定书: the licence is granted (Art. 38 (1)).
    Grant,
    /// 不予行政许可决定书: the licence is refused, with reasons and rights (Art. 38 (2)).
    Refusal,
    /// 特别程序告知书: a special procedure whose time does not count in the limit (Art. 45).
    SpecialProcedure,
    /// 联办结果告知书: the results of every item of a bundle (一件事), one line each.
    BundleResult,
}

impl NoticeKind {
    /// Every kind, in procedure order.
    pub const ALL: [NoticeKind; 7] = [
        NoticeKind::Acceptance,
        NoticeKind::SupplementRequest,
        NoticeKind::RefusalToAccept,
        NoticeKind::Grant,
        NoticeKind::Refusal,
        NoticeKind::SpecialProcedure,
        NoticeKind::BundleResult,
    ];

    /// The Chinese title printed at the top of the notice.
    pub fn title(self) -> &'static str {
        match self {
            NoticeKind::Acceptance => "受理通知书",
            NoticeKind::SupplementRequest => "一次性补正告知书",
            NoticeKind::RefusalToAccept => "不予受理决定书",
            NoticeKind::Grant => "准予行政许可决定书",
            NoticeKind::Refusal => "不予行政许可决定书",
            NoticeKind::SpecialProcedure => "特别程序告知书",
            NoticeKind::BundleResult => "联办结果告知书",
        }
    }
}

/// A special procedure (特别程序) whose time is not counted in the limit (Art. 45).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialProcedure {
    /// Kind of procedure, e.g. `专家评审`, `听证`, `检验`.
    pub kind: String,
    /// Why it is needed.
    pub reason: String,
    /// Expected working days.
    pub working_days: u32,
}

/// Everything a notice prints (文书数据). All text is caller data and is printed literally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeData {
    /// Which notice.
    pub kind: NoticeKind,
    /// Document number (文号), e.g. `青审批受字〔2026〕第0001号`.
    pub document_number: String,
    /// Case number (办件编号).
    pub case_number: String,
    /// Applicant (申请人), person or organisation; the addressee.
    pub applicant: String,
    /// Service item applied for (申请事项).
    pub item: String,
    /// Issuing department (受理机关/决定机关), e.g. `青岛市行政审批服务局`; also the seal text.
    pub department: String,
    /// Date of the notice (落款日期).
    pub date: NaiveDate,
    /// Day the application was received (收件日期).
    pub received_on: NaiveDate,
    /// Day the application was accepted (受理日期); the notice date when absent.
    #[serde(default)]
    pub accepted_on: Option<NaiveDate>,
    /// Promised limit in working days (承诺办理时限); required for an acceptance notice.
    #[serde(default)]
    pub promised_days: Option<u32>,
    /// Statutory limit in working days (法定办理时限).
    #[serde(default)]
    pub statutory_days: Option<u32>,
    /// Listed lines: missing materials (补正材料) or reasons (理由), one per line.
    #[serde(default)]
    pub lines: Vec<String>,
    /// Free opinion text (意见), printed as its own paragraph when not empty.
    #[serde(default)]
    pub opinion: String,
    /// Complaint and consultation phone (咨询投诉电话).
    #[serde(default)]
    pub phone: String,
    /// The special procedure; required for a special-procedure notice.
    #[serde(default)]
    pub special_procedure: Option<SpecialProcedure>,
}

/// Prints a date as on a Chinese official document: `2026年11月28日`.
pub fn chinese_date(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// The rights sentence of a refusal (行政复议 within 60 days, 行政诉讼 within 6 months).
pub const RIGHTS_SENTENCE: &str = "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。";

/// The laid-out text of a notice: only strings, displayed literally by the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Title, e.g. `受理通知书`.
    pub title: String,
    /// Document number line.
    pub document_number: String,
    /// Addressee line, e.g. `张三：`.
    pub addressee: String,
    /// Body paragraphs before the list.
    pub before: Vec<String>,
    /// Numbered list lines (without numbers).
    pub list: Vec<String>,
    /// Body paragraphs after the list.
    pub after: Vec<String>,
    /// Department in the signature block and on the seal.
    pub department: String,
    /// Date in the signature block.
    pub date: String,
    /// Small print under the signature: case number and phone.
    pub footer: Vec<String>,
}

impl Layout {
    /// Every string of the layout, for the glyph check.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        [
            self.title.as_str(),
            &self.document_number,
            &self.addressee,
            &self.department,
            &self.date,
        ]
        .into_iter()
        .chain(self.before.iter().map(String::as_str))
        .chain(self.list.iter().map(String::as_str))
        .chain(self.after.iter().map(String::as_str))
        .chain(self.footer.iter().map(String::as_str))
    }
}

impl NoticeData {
    /// Builds the text of the notice, or says which required field is missing.
    pub fn layout(&self) -> Result<Layout, NoticeError> {
        let you = "你（单位）";
        let received = chinese_date(self.received_on);
        let accepted = chinese_date(self.accepted_on.unwrap_or(self.date));
        let item = &self.item;
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        let need_lines = || {
            if lines.is_empty() {
                Err(NoticeError::MissingField("lines"))
            } else {
                Ok(lines.clone())
            }
        };
        let opinion = self.opinion.trim();
        let mut before = Vec::new();
        let mut list = Vec::new();
        let mut after = Vec::new();

        match self.kind {
            NoticeKind::Acceptance => {
                let promised = self
                    .promised_days
                    .ok_or(NoticeError::MissingField("promised_days"))?;
                before.push(format!(
                    "{you}于{received}提出的{item}申请，经审查，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，本机关决定予以受理，受理日期为{accepted}。"
                ));
                let statutory = match self.statutory_days {
                    Some(days) => format!("（法定办理时限为{days}个工作日）"),
                    None => String::new(),
                };
                before.push(format!(
                    "本机关将自受理之日起{promised}个工作日内{statutory}作出决定。依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在上述期限内，本机关将另行书面告知。"
                ));
            }
            NoticeKind::SupplementRequest => {
                before.push(format!(
                    "{you}于{received}提交的{item}申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，现一次性告知需要补正的全部内容如下："
                ));
                list = need_lines()?;
                after.push(
                    "请按上述要求一次性补正全部材料后重新提交。本机关自收到全部补正材料之日起受理，办理时限自受理之日起计算。"
                        .to_owned(),
                );
            }
            NoticeKind::RefusalToAccept => {
                before.push(format!(
                    "{you}于{received}提出的{item}申请，经审查，因下列理由，根据《中华人民共和国行政许可法》第三十二条第一款的规定，本机关决定不予受理："
                ));
                list = need_lines()?;
            }
            NoticeKind::Grant => {
                before.push(format!(
                    "{you}于{received}提出的{item}申请，本机关于{accepted}受理。经审查，该申请符合法定条件、标准。根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"
                ));
            }
            NoticeKind::Refusal => {
                before.push(format!(
                    "{you}于{received}提出的{item}申请，本机关于{accepted}受理。经审查，该申请不符合法定条件、标准，理由如下："
                ));
                list = need_lines()?;
                after.push(
                    "根据《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。"
                        .to_owned(),
                );
            }
            NoticeKind::SpecialProcedure => {
                let special = self
                    .special_procedure
                    .as_ref()
                    .ok_or(NoticeError::MissingField("special_procedure"))?;
                let kind = special.kind.trim();
                let reason = special.reason.trim();
                let days = special.working_days;
                before.push(format!(
                    "{you}于{received}提出的{item}申请，本机关已于{accepted}受理。因{reason}，该申请需要进行{kind}。"
                ));
                before.push(format!(
                    "根据《中华人民共和国行政许可法》第四十五条的规定，{kind}所需时间预计为{days}个工作日，该时间不计算在行政许可办理期限内。{kind}结束后，本机关将继续办理并依法作出决定。"
                ));
            }
            NoticeKind::BundleResult => {
                before.push(format!(
                    "{you}于{received}一次提交的{item}申请，各事项已全部办结，结果如下："
                ));
                list = need_lines()?;
                after.push(
                    "各事项的决定书、证照或接入结果可在“我的办件”中分别查看和下载；对其中任一决定不服的，可依该决定书载明的途径申请行政复议或者提起行政诉讼。"
                        .to_owned(),
                );
            }
        }
        if !opinion.is_empty() {
            after.push(opinion.to_owned());
        }
        match self.kind {
            NoticeKind::RefusalToAccept | NoticeKind::Refusal => {
                after.push(RIGHTS_SENTENCE.to_owned());
            }
            NoticeKind::Grant => after.push(
                "本机关将自作出决定之日起十日内向你（单位）颁发、送达行政许可证件。".to_owned(),
            ),
            _ => {}
        }
        if matches!(
            self.kind,
            NoticeKind::Acceptance
                | NoticeKind::SupplementRequest
                | NoticeKind::SpecialProcedure
                | NoticeKind::BundleResult
        ) {
            after.push("特此通知。".to_owned());
        }

        let mut footer = vec![format!("办件编号：{}", self.case_number.trim())];
        let phone = self.phone.trim();
        if !phone.is_empty() {
            footer.push(format!("咨询投诉电话：{phone}"));
        }

        Ok(Layout {
            title: self.kind.title().to_owned(),
            document_number: self.document_number.trim().to_owned(),
            addressee: format!("{}：", self.applicant.trim()),
            before,
            list,
            after,
            department: self.department.trim().to_owned(),
            date: chinese_date(self.date),
            footer,
        })
    }
}

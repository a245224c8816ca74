//! How one value is spelled in a spreadsheet cell, both ways: enum vocabularies (the snake_case
//! identifier or the Chinese name), booleans (是/否), and the one-per-line list formats
//! (`《名称》 第X条`, `名称|天数`, `问|答`).
//!
//! Writing always produces the Chinese spelling; reading accepts both. Nothing here knows about
//! sheets or rows: a parse failure is `None` or a short bilingual reason for the caller to place.

use shenpi_domain::catalog::item::{
    CaseType, Faq, HandlingKind, ItemType, LegalBasis, OnlineLevel, SpecialProcedure,
};
use shenpi_domain::catalog::knowledge::OpinionOutcome;
use shenpi_domain::catalog::material::{MaterialForm, MaterialSource};

/// A closed set of values with their stable identifier; the Chinese name comes from `zh`.
pub struct Vocab<T: 'static> {
    pub values: &'static [(T, &'static str)],
    pub zh: fn(T) -> &'static str,
}

impl<T: Copy + 'static> Vocab<T> {
    /// The value spelled `s`: its identifier (ASCII case ignored) or its Chinese name.
    pub fn parse(&self, s: &str) -> Option<T> {
        let s = s.trim();
        self.values
            .iter()
            .find(|(v, id)| id.eq_ignore_ascii_case(s) || (self.zh)(*v) == s)
            .map(|(v, _)| *v)
    }

    /// The Chinese name of a value (what the writer puts in a cell).
    pub fn name(&self, v: T) -> &'static str {
        (self.zh)(v)
    }

    /// Every (identifier, Chinese name) pair, in order.
    pub fn pairs(&self) -> Vec<(&'static str, &'static str)> {
        self.values
            .iter()
            .map(|(v, id)| (*id, (self.zh)(*v)))
            .collect()
    }

    /// Allowed spellings for messages, e.g. `new/新设、change/变更`.
    pub fn allowed(&self) -> String {
        self.pairs()
            .iter()
            .map(|(id, zh)| format!("{id}/{zh}"))
            .collect::<Vec<_>>()
            .join("、")
    }
}

pub const ITEM_TYPE: Vocab<ItemType> = Vocab {
    values: &[
        (ItemType::Licensing, "licensing"),
        (ItemType::Penalty, "penalty"),
        (ItemType::Coercion, "coercion"),
        (ItemType::Levy, "levy"),
        (ItemType::Benefit, "benefit"),
        (ItemType::Inspection, "inspection"),
        (ItemType::Confirmation, "confirmation"),
        (ItemType::Award, "award"),
        (ItemType::Adjudication, "adjudication"),
        (ItemType::Filing, "filing"),
        (ItemType::OtherPower, "other_power"),
        (ItemType::PublicService, "public_service"),
    ],
    zh: ItemType::name_zh,
};

pub const HANDLING_KIND: Vocab<HandlingKind> = Vocab {
    values: &[
        (HandlingKind::New, "new"),
        (HandlingKind::Change, "change"),
        (HandlingKind::Renewal, "renewal"),
        (HandlingKind::Cancellation, "cancellation"),
    ],
    zh: HandlingKind::name_zh,
};

pub const CASE_TYPE: Vocab<CaseType> = Vocab {
    values: &[
        (CaseType::Immediate, "immediate"),
        (CaseType::Promised, "promised"),
    ],
    zh: CaseType::name_zh,
};

pub const ONLINE_LEVEL: Vocab<OnlineLevel> = Vocab {
    values: &[
        (OnlineLevel::Offline, "offline"),
        (OnlineLevel::Online, "online"),
        (OnlineLevel::FullyOnline, "fully_online"),
    ],
    zh: OnlineLevel::name_zh,
};

pub const MATERIAL_FORM: Vocab<MaterialForm> = Vocab {
    values: &[
        (MaterialForm::Paper, "paper"),
        (MaterialForm::Electronic, "electronic"),
        (MaterialForm::Either, "either"),
    ],
    zh: MaterialForm::name_zh,
};

pub const OUTCOME: Vocab<OpinionOutcome> = Vocab {
    values: &[
        (OpinionOutcome::Accept, "accept"),
        (OpinionOutcome::RefuseToAccept, "refuse_to_accept"),
        (OpinionOutcome::Supplement, "supplement"),
        (OpinionOutcome::Grant, "grant"),
        (OpinionOutcome::Deny, "deny"),
    ],
    zh: OpinionOutcome::name_zh,
};

/// The kind of a [`MaterialSource`], without its detail (one column each in the sheet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Upload,
    SharedData,
    ECertificate,
    Commitment,
}

impl SourceKind {
    /// The kind and the detail (data set or certificate type) of a source.
    pub fn split(source: &MaterialSource) -> (SourceKind, &str) {
        match source {
            MaterialSource::Upload => (SourceKind::Upload, ""),
            MaterialSource::SharedData { dataset } => (SourceKind::SharedData, dataset),
            MaterialSource::ECertificate { cert_type } => (SourceKind::ECertificate, cert_type),
            MaterialSource::Commitment => (SourceKind::Commitment, ""),
        }
    }

    /// Rebuilds the source; a detail is required for shared data and certificates (the item
    /// check reports it when empty) and refused for the other kinds, where it would be lost.
    pub fn join(self, detail: String) -> Result<MaterialSource, (String, String)> {
        match self {
            SourceKind::SharedData => Ok(MaterialSource::SharedData { dataset: detail }),
            SourceKind::ECertificate => Ok(MaterialSource::ECertificate { cert_type: detail }),
            _ if !detail.is_empty() => Err((
                format!("来源为“{}”时不填来源说明", self.name_zh()),
                "Only shared data and e-certificates take a source detail".to_owned(),
            )),
            SourceKind::Upload => Ok(MaterialSource::Upload),
            SourceKind::Commitment => Ok(MaterialSource::Commitment),
        }
    }

    /// Chinese name (as [`MaterialSource::name_zh`]).
    pub fn name_zh(self) -> &'static str {
        match self {
            SourceKind::Upload => "申请人提交",
            SourceKind::SharedData => "数据共享获取",
            SourceKind::ECertificate => "电子证照调用",
            SourceKind::Commitment => "告知承诺",
        }
    }
}

pub const SOURCE_KIND: Vocab<SourceKind> = Vocab {
    values: &[
        (SourceKind::Upload, "upload"),
        (SourceKind::SharedData, "shared_data"),
        (SourceKind::ECertificate, "e_certificate"),
        (SourceKind::Commitment, "commitment"),
    ],
    zh: SourceKind::name_zh,
};

/// 是 or 否.
pub fn bool_name(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// 是/否/true/false/1/0 (and Y/N), ASCII case ignored.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "是" | "true" | "1" | "y" | "yes" => Some(true),
        "否" | "false" | "0" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// The non-empty lines of a cell, each trimmed (`\r\n` and `\n` both end a line).
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Keys separated by commas (`,` `，` `、`) or whitespace.
pub fn keys(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `《名称》 第X条`, or just `《名称》`.
pub fn basis_line(b: &LegalBasis) -> String {
    match &b.article {
        Some(a) => format!("{} {a}", b.title),
        None => b.title.clone(),
    }
}

/// Splits a legal-basis line after the last `》`; without book-title marks, a last word that
/// starts with 第 is taken as the article.
pub fn parse_basis(line: &str) -> LegalBasis {
    let line = line.trim();
    let (title, article) = match line.rfind('》') {
        Some(i) => line.split_at(i + '》'.len_utf8()),
        None => match line.rsplit_once(char::is_whitespace) {
            Some((t, a)) if a.starts_with('第') => (t, a),
            _ => (line, ""),
        },
    };
    let article = article.trim();
    LegalBasis {
        title: title.trim().to_owned(),
        article: (!article.is_empty()).then(|| article.to_owned()),
    }
}

/// `名称|天数`.
pub fn procedure_line(p: &SpecialProcedure) -> String {
    format!("{}|{}", p.name, p.limit_days)
}

/// Parses `名称|天数` (the last `|` separates the days).
pub fn parse_procedure(line: &str) -> Result<SpecialProcedure, (String, String)> {
    let bad = || {
        (
            format!("特别程序“{line}”应写作 名称|天数，如 专家评审|10"),
            format!("Special procedure \"{line}\" must read name|days, e.g. 专家评审|10"),
        )
    };
    let (name, days) = line.rsplit_once('|').ok_or_else(bad)?;
    let limit_days = days.trim().parse().map_err(|_| bad())?;
    let name = name.trim();
    if name.is_empty() {
        return Err(bad());
    }
    Ok(SpecialProcedure {
        name: name.to_owned(),
        limit_days,
    })
}

/// `问|答`.
pub fn faq_line(f: &Faq) -> String {
    format!("{}|{}", f.question, f.answer)
}

/// Parses `问|答` (the first `|` separates the answer).
pub fn parse_faq(line: &str) -> Result<Faq, (String, String)> {
    match line.split_once('|') {
        Some((q, a)) if !q.trim().is_empty() && !a.trim().is_empty() => Ok(Faq {
            question: q.trim().to_owned(),
            answer: a.trim().to_owned(),
        }),
        _ => Err((
            format!("常见问题“{line}”应写作 问|答"),
            format!("FAQ line \"{line}\" must read question|answer"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn ids_match_serde<T: Copy + Serialize>(v: &Vocab<T>) {
        for (value, id) in v.values {
            assert_eq!(serde_json::to_value(value).unwrap(), *id);
        }
    }

    #[test]
    fn every_identifier_is_the_serde_name_of_its_value() {
        ids_match_serde(&ITEM_TYPE);
        ids_match_serde(&HANDLING_KIND);
        ids_match_serde(&CASE_TYPE);
        ids_match_serde(&ONLINE_LEVEL);
        ids_match_serde(&MATERIAL_FORM);
        ids_match_serde(&OUTCOME);
        for (kind, id) in SOURCE_KIND.values {
            let detail = match kind {
                SourceKind::SharedData | SourceKind::ECertificate => "x",
                _ => "",
            };
            let source = kind.join(detail.into()).unwrap();
            assert_eq!(serde_json::to_value(&source).unwrap()["kind"], *id);
            assert_eq!(source.name_zh(), kind.name_zh());
            assert_eq!(SourceKind::split(&source), (*kind, detail));
        }
    }

    #[test]
    fn an_enum_cell_accepts_the_identifier_or_the_chinese_name() {
        assert_eq!(ITEM_TYPE.parse("licensing"), Some(ItemType::Licensing));
        assert_eq!(ITEM_TYPE.parse(" 行政许可 "), Some(ItemType::Licensing));
        assert_eq!(HANDLING_KIND.parse("New"), Some(HandlingKind::New));
        assert_eq!(HANDLING_KIND.parse("新设"), Some(HandlingKind::New));
        assert_eq!(
            ONLINE_LEVEL.parse("全程网办"),
            Some(OnlineLevel::FullyOnline)
        );
        assert_eq!(
            SOURCE_KIND.parse("电子证照调用"),
            Some(SourceKind::ECertificate)
        );
        assert_eq!(ITEM_TYPE.parse("许可"), None);
    }

    #[test]
    fn booleans_accept_chinese_english_and_digits() {
        for s in ["是", "true", "TRUE", "1"] {
            assert_eq!(parse_bool(s), Some(true), "{s}");
        }
        for s in ["否", "false", "0"] {
            assert_eq!(parse_bool(s), Some(false), "{s}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn a_legal_basis_line_splits_after_the_book_title() {
        let b = parse_basis("《中华人民共和国行政许可法》 第四十二条");
        assert_eq!(b.title, "《中华人民共和国行政许可法》");
        assert_eq!(b.article.as_deref(), Some("第四十二条"));
        assert_eq!(parse_basis("《建筑法》").article, None);
        let bare = parse_basis("建筑法 第八条");
        assert_eq!(
            (bare.title.as_str(), bare.article.as_deref()),
            ("建筑法", Some("第八条"))
        );
        assert_eq!(basis_line(&b), "《中华人民共和国行政许可法》 第四十二条");
    }

    #[test]
    fn special_procedures_and_faq_need_their_separator() {
        let p = parse_procedure("专家评审|10").unwrap();
        assert_eq!((p.name.as_str(), p.limit_days), ("专家评审", 10));
        assert!(parse_procedure("专家评审").is_err());
        assert!(parse_procedure("专家评审|十天").is_err());
        let f = parse_faq("多久？|三天|含公示").unwrap();
        assert_eq!(f.answer, "三天|含公示");
        assert!(parse_faq("没有答案").is_err());
    }

    #[test]
    fn keys_split_on_any_comma() {
        assert_eq!(keys("a, b，c、d"), vec!["a", "b", "c", "d"]);
        assert!(keys(" ").is_empty());
    }
}

//! Turning what a user typed into tantivy queries, without tantivy's query parser.
//!
//! User text never reaches `QueryParser`: the query is cut into segments of letters and digits
//! (punctuation, operators and emoji only separate them) and every clause is a `TermQuery`
//! combined in `BooleanQuery`s. Each *route* below scores one kind of evidence; a document's
//! score is the sum of the routes it matches:
//!
//! | route | field | clauses | boost |
//! | --- | --- | --- | --- |
//! | name words | `name` | any jieba word | 3.0 |
//! | name characters | `name_ngram` | ≥ half of the character bigrams | 2.0 |
//! | pinyin | `name_py` | ≥ 75 % of the letter trigrams | 2.5 typed, 0.6 from Chinese |
//! | initials | `name_initials` | all letter bigrams | 2.0 |
//! | situations / materials / body | jieba fields | any jieba word | 1.5 / 1.0 / 0.5 |
//! | code | `code` | the exact item code | 20.0 |
//!
//! The character route gives typo tolerance (`施工许可正`, `施工许证`); the pinyin route of a
//! Chinese query adds tolerance for homophones typed by a pinyin IME.

use crate::pinyin;
use crate::schema::Fields;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

/// Only the first characters of a query are used: enough for any item name, and a bound on work.
pub(crate) const MAX_QUERY_CHARS: usize = 64;
/// At most this many jieba words of one query become clauses.
const MAX_WORDS: usize = 24;
/// Function words and request verbs that would match nearly every guide text or item name.
const STOPWORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "在", "是", "吗", "呢", "我", "要", "想", "怎么", "如何",
    "怎样", "什么", "哪些", "哪里", "办理", "申请", "需要", "可以",
];

/// One scored kind of evidence on one field: at least `minimum` of `terms` must occur.
/// `label` names the field group reported in `Hit::matched`.
pub(crate) struct Route {
    pub label: &'static str,
    pub field: Field,
    pub terms: Vec<Term>,
    pub minimum: usize,
    pub boost: f32,
}

impl Route {
    fn new(
        label: &'static str,
        field: Field,
        grams: &[String],
        minimum: usize,
        boost: f32,
    ) -> Self {
        let terms = grams
            .iter()
            .map(|g| Term::from_field_text(field, g))
            .collect();
        Self {
            label,
            field,
            terms,
            minimum: minimum.max(1),
            boost,
        }
    }

    /// The tantivy query of this route.
    pub(crate) fn query(&self) -> Box<dyn Query> {
        let should = self
            .terms
            .iter()
            .map(|t| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        let query = BooleanQuery::with_minimum_required_clauses(should, self.minimum);
        Box::new(BoostQuery::new(Box::new(query), self.boost))
    }
}

/// The exact-match filters, as tantivy clauses that select without scoring.
pub(crate) fn filter_clauses(f: &Fields, filters: &crate::Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let pairs = [
        (f.region, &filters.region),
        (f.department, &filters.department),
        (f.domain, &filters.domain),
        (f.online_level, &filters.online_level),
        (f.item_type, &filters.item_type),
    ];
    pairs
        .into_iter()
        // A blank value (an unset form field) does not filter.
        .filter_map(|(field, value)| value.as_deref().map(|v| (field, v.trim())))
        .filter(|(_, value)| !value.is_empty())
        .map(|(field, value)| {
            let term = TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            );
            // Filters select; they must not change the ranking.
            let clause: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(term), 0.0));
            (Occur::Must, clause)
        })
        .collect()
}

/// Normalises a raw query: full-width ASCII to half-width, length bounded.
pub(crate) fn normalise(raw: &str) -> String {
    raw.chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// The scored routes of a normalised query; empty when it holds nothing searchable.
pub(crate) fn routes(f: &Fields, jieba: &mut TextAnalyzer, text: &str) -> Vec<Route> {
    let segments: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    if segments.is_empty() {
        return Vec::new();
    }
    let words = jieba_words(jieba, text);
    let mut out = vec![
        Route::new("name", f.name, &words, 1, 3.0),
        char_ngrams(f.name_ngram, &segments),
    ];
    for (group, typed) in pinyin_groups(&segments) {
        let boost = if typed { 2.5 } else { 0.6 };
        let trigrams = pinyin::letter_ngrams(&group, 3);
        // At least 75 % of the trigrams (all of them when there are three or fewer): one
        // wrong, missing or swapped letter costs two or three trigrams.
        let n = trigrams.len();
        let minimum = if n <= 3 { n } else { (3 * n).div_ceil(4) };
        out.push(Route::new("pinyin", f.name_py, &trigrams, minimum, boost));
        if typed && group.len() <= 16 {
            let bigrams = pinyin::letter_ngrams(&group, 2);
            out.push(Route::new(
                "pinyin",
                f.name_initials,
                &bigrams,
                bigrams.len(),
                2.0,
            ));
        }
    }
    out.push(Route::new("situations", f.situations, &words, 1, 1.5));
    out.push(Route::new("materials", f.materials, &words, 1, 1.0));
    out.push(Route::new("body", f.body, &words, 1, 0.5));
    out.push(Route::new(
        "code",
        f.code,
        &item_codes(text, &segments),
        1,
        20.0,
    ));
    out.retain(|r| !r.terms.is_empty());
    out
}

fn jieba_words(jieba: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut stream = jieba.token_stream(text);
    while let Some(token) = stream.next() {
        let word = &token.text;
        let searchable = word.chars().any(char::is_alphanumeric);
        if searchable && !STOPWORDS.contains(&word.as_str()) && !words.contains(word) {
            words.push(word.clone());
            if words.len() == MAX_WORDS {
                break;
            }
        }
    }
    // Single characters (jieba's leftovers: 办, 证, 许) match most guide texts; the character
    // route already covers them on names. Keep them only when nothing longer is left.
    if words.iter().any(|w| w.chars().nth(1).is_some()) {
        words.retain(|w| w.chars().nth(1).is_some());
    }
    words
}

/// The pinyin groups of a query, each with whether it was typed in Latin letters. Segments that
/// hold Chinese are converted one by one (`施工xuke` → `shigongxuke`, not typed); runs of
/// Latin-only segments are joined, since pinyin is often typed with spaces between syllables
/// (`shi gong xu ke`).
fn pinyin_groups(segments: &[&str]) -> Vec<(String, bool)> {
    let mut groups: Vec<(String, bool)> = Vec::new();
    let mut latin = String::new();
    for segment in segments {
        if segment.bytes().all(|b| b.is_ascii_alphabetic()) {
            latin.push_str(&segment.to_ascii_lowercase());
            continue;
        }
        if !latin.is_empty() {
            groups.push((std::mem::take(&mut latin), true));
        }
        if !segment.is_ascii() {
            groups.push((pinyin::full(segment), false));
        }
    }
    if !latin.is_empty() {
        groups.push((latin, true));
    }
    let mut distinct: Vec<(String, bool)> = Vec::with_capacity(groups.len());
    for group in groups {
        if !group.0.is_empty() && !distinct.iter().any(|d| d.0 == group.0) {
            distinct.push(group);
        }
    }
    distinct
}

/// Character bigrams of the segments that hold Chinese (characters of one- and two-character
/// segments); at least half must match. Single characters of longer segments are left out:
/// 许, 可, 证 match most of the catalog, cost the most and decide nothing.
fn char_ngrams(field: Field, segments: &[&str]) -> Route {
    let mut grams: Vec<String> = Vec::new();
    for segment in segments.iter().filter(|s| !s.is_ascii()) {
        let chars: Vec<char> = segment.chars().flat_map(char::to_lowercase).collect();
        let unigrams = chars.iter().take(if chars.len() <= 2 { 2 } else { 0 });
        let unigrams = unigrams.map(|c| c.to_string());
        let bigrams = chars.windows(2).map(|w| w.iter().collect::<String>());
        for gram in unigrams.chain(bigrams) {
            if !grams.contains(&gram) {
                grams.push(gram);
            }
        }
    }
    Route::new("name", field, &grams, grams.len().div_ceil(2), 2.0)
}

/// The whole query, and each segment holding a digit, as exact item codes.
fn item_codes(text: &str, segments: &[&str]) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    let whole = text.trim();
    if !whole.is_empty() && !whole.contains(char::is_whitespace) {
        codes.push(whole.to_owned());
    }
    for segment in segments {
        if segment.bytes().any(|b| b.is_ascii_digit()) && !codes.iter().any(|c| c == segment) {
            codes.push((*segment).to_owned());
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_segments_are_joined_and_chinese_segments_stand_alone() {
        let groups = pinyin_groups(&["shi", "gong", "施工", "xuke", "5G", "许可bz"]);
        let expected = [("shigong", true), ("xuke", true), ("xukebz", false)];
        let expected: Vec<(String, bool)> =
            expected.iter().map(|(g, t)| (g.to_string(), *t)).collect();
        assert_eq!(groups, expected);
    }

    #[test]
    fn full_width_letters_and_spaces_are_normalised() {
        assert_eq!(normalise("ｓｇｘｋ\u{3000}许可"), "sgxk 许可");
    }

    #[test]
    fn queries_longer_than_the_bound_are_cut() {
        let long = "许".repeat(10_000);
        assert_eq!(normalise(&long).chars().count(), MAX_QUERY_CHARS);
    }
}

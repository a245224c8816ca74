//! The tantivy schema of the catalog index, its tokenizers, and how a [`SearchDoc`] becomes a
//! tantivy document.
//!
//! | field | analysis | used for |
//! | --- | --- | --- |
//! | `key` | raw `code␟region` | replacing one document on upsert |
//! | `code`, `region` | raw, stored | item removal, filters, hits |
//! | `department`, `domain`, `online_level`, `item_type` | raw | exact-match filters |
//! | `name` | jieba words, stored | word matches on the name |
//! | `name_ngram` | character unigrams + bigrams | typo-tolerant name matches |
//! | `name_py` | letter trigrams of the full pinyin | `shigongxuke` |
//! | `name_initials` | letter bigrams of the pinyin initials | `sgxk` |
//! | `situations`, `materials`, `body` | jieba words | the rest of the guide |
//! | `sort_key` | raw fast field: pinyin, name, code, region | listing by name |
//!
//! No field keeps positions: queries are built from terms, never phrases.

use crate::{SearchDoc, pinyin};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, NgramTokenizer, RemoveLongFilter, TextAnalyzer};
use tantivy::{Index, TantivyDocument};

/// Tokenizer names registered on the index.
pub(crate) const ZH: &str = "zh_jieba";
const NGRAM_1_2: &str = "ngram_1_2";
const NGRAM_2: &str = "ngram_2";
const NGRAM_3: &str = "ngram_3";

/// Separator between code and region in the `key` field (ASCII unit separator).
const KEY_SEPARATOR: char = '\u{1f}';

/// Handles to every field of the schema.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub key: Field,
    pub code: Field,
    pub region: Field,
    pub department: Field,
    pub domain: Field,
    pub online_level: Field,
    pub item_type: Field,
    pub name: Field,
    pub name_ngram: Field,
    pub name_py: Field,
    pub name_initials: Field,
    pub situations: Field,
    pub materials: Field,
    pub body: Field,
    pub sort_key: Field,
}

fn analysed(tokenizer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer)
        .set_index_option(IndexRecordOption::WithFreqs);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema and the handles to its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        code: b.add_text_field("code", STRING | STORED),
        region: b.add_text_field("region", STRING | STORED),
        department: b.add_text_field("department", STRING),
        domain: b.add_text_field("domain", STRING),
        online_level: b.add_text_field("online_level", STRING),
        item_type: b.add_text_field("item_type", STRING),
        name: b.add_text_field("name", analysed(ZH, true)),
        name_ngram: b.add_text_field("name_ngram", analysed(NGRAM_1_2, false)),
        name_py: b.add_text_field("name_py", analysed(NGRAM_3, false)),
        name_initials: b.add_text_field("name_initials", analysed(NGRAM_2, false)),
        situations: b.add_text_field("situations", analysed(ZH, false)),
        materials: b.add_text_field("materials", analysed(ZH, false)),
        body: b.add_text_field("body", analysed(ZH, false)),
        sort_key: b.add_text_field("sort_key", STRING | FAST),
    };
    (b.build(), fields)
}

/// Registers the tokenizers the schema names.
pub(crate) fn register_tokenizers(index: &Index) -> tantivy::Result<()> {
    let manager = index.tokenizers();
    manager.register(ZH, jieba_analyzer());
    for (name, min, max) in [(NGRAM_1_2, 1, 2), (NGRAM_2, 2, 2), (NGRAM_3, 3, 3)] {
        let analyzer = TextAnalyzer::builder(NgramTokenizer::new(min, max, false)?)
            .filter(LowerCaser)
            .build();
        manager.register(name, analyzer);
    }
    Ok(())
}

/// Jieba (search mode, so compound words also yield their parts) with lower-casing for the
/// Latin words of guide texts.
pub(crate) fn jieba_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .build()
}

/// The value of the `key` field of one (code, region) pair.
pub(crate) fn key(code: &str, region: &str) -> String {
    format!("{code}{KEY_SEPARATOR}{region}")
}

/// Converts a catalog document into a tantivy document.
pub(crate) fn to_document(f: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    let full_pinyin = pinyin::full(&doc.name);
    d.add_text(f.key, key(&doc.code, &doc.region));
    d.add_text(f.code, &doc.code);
    d.add_text(f.region, &doc.region);
    d.add_text(f.department, &doc.department);
    d.add_text(f.domain, &doc.domain);
    d.add_text(f.online_level, &doc.online_level);
    d.add_text(f.item_type, &doc.item_type);
    d.add_text(f.name, &doc.name);
    d.add_text(f.name_ngram, &doc.name);
    d.add_text(f.name_initials, pinyin::initials(&doc.name));
    for situation in &doc.situations {
        d.add_text(f.situations, situation);
    }
    for material in &doc.materials {
        d.add_text(f.materials, material);
    }
    d.add_text(f.body, &doc.body);
    d.add_text(
        f.sort_key,
        format!(
            "{full_pinyin}\u{0}{}\u{0}{}\u{0}{}",
            doc.name, doc.code, doc.region
        ),
    );
    d.add_text(f.name_py, full_pinyin);
    d
}

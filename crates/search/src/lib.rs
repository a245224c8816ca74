//! Chinese full-text search over the service-item catalog (事项库) of shenpi (审批): item names,
//! situations (情形), materials (材料) and guide texts (办事指南).
//!
//! This crate owns the in-RAM search index and nothing else. It is **never the source of truth**:
//! the store is. The index is rebuilt from the store at start-up ([`SearchIndex::rebuild`]) and
//! updated when an item version is published ([`SearchIndex::upsert`],
//! [`SearchIndex::remove_item`]); losing it loses nothing. It does no I/O, holds no business
//! rules, and must not be asked whether an item exists or what it says — only where to look.
//!
//! What it gives a citizen's search box: jieba word matches, tolerance for one wrong or missing
//! character (character n-grams of the name), pinyin and pinyin initials (`shigongxuke`,
//! `sgxk`), and exact filters by region, department, domain, online level and item type.
//! User text is never handed to tantivy's query parser.
//!
//! # Layout
//! - [`index`]: [`SearchIndex`], the writer and reader around one tantivy index.
//! - `schema`: fields and tokenizers; `query`: from user text to tantivy queries;
//!   `pinyin`: pinyin keys.
//! - [`generate`]: a deterministic synthetic catalog for benchmarks; [`samples`]: about forty
//!   realistic Qingdao items for tests, demos and benchmarks.

pub mod generate;
pub mod index;
mod pinyin;
mod query;
pub mod samples;
mod schema;

pub use generate::generated_catalog;
pub use index::SearchIndex;
pub use samples::sample_catalog;

/// One searchable document: one service item as implemented in one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchDoc {
    /// Handling-item code, unique per item; shared by the item's documents in every region.
    pub code: String,
    /// Region code, e.g. `370202`; `370200` for the city level.
    pub region: String,
    /// Item name, e.g. `建筑工程施工许可证核发`.
    pub name: String,
    /// Responsible department, e.g. `住房和城乡建设局`.
    pub department: String,
    /// Business domain, e.g. `construction`, `company`, `utilities`.
    pub domain: String,
    /// `offline`, `online` or `fully_online`.
    pub online_level: String,
    /// Item type, e.g. `licensing`.
    pub item_type: String,
    /// Situation (情形) names.
    pub situations: Vec<String>,
    /// Material names.
    pub materials: Vec<String>,
    /// Guide text: conditions, legal basis, process, FAQ…
    pub body: String,
}

/// Exact-match filters; `None` or a blank value does not filter. All given filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Region code, e.g. `370202`.
    pub region: Option<String>,
    /// Department name, as indexed.
    pub department: Option<String>,
    /// Business domain, e.g. `utilities`.
    pub domain: Option<String>,
    /// `offline`, `online` or `fully_online`.
    pub online_level: Option<String>,
    /// Item type, e.g. `licensing`.
    pub item_type: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Handling-item code.
    pub code: String,
    /// Region code.
    pub region: String,
    /// Item name.
    pub name: String,
    /// Relevance (higher is better); `0.0` when listing without a query.
    pub score: f32,
    /// Which field groups matched, among `name`, `pinyin`, `situations`, `materials`, `body`,
    /// `code`; empty when listing without a query.
    pub matched: Vec<&'static str>,
}

/// Failures of the index itself; what a user types never causes one.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The search engine failed (out of memory, a bug).
    #[error("search engine failure: {0}")]
    Engine(#[from] tantivy::TantivyError),
    /// A writer panicked while holding the index; rebuild a new index.
    #[error("search index writer poisoned by an earlier panic")]
    Poisoned,
}

#[cfg(test)]
mod tests;

//! [`SearchIndex`]: one in-RAM tantivy index, one writer behind a mutex, one reader shared by
//! every search.
//!
//! Every write commits and reloads the reader before it returns, so a search that starts after a
//! write sees it. Searches never take the writer lock.

use crate::query::{self, Route};
use crate::schema::{self, Fields};
use crate::{Filters, Hit, SearchDoc, SearchError};
use std::collections::HashMap;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher,
    TantivyDocument, Term,
};

/// Indexing threads; the machine has two cores and the catalog is small.
const WRITER_THREADS: usize = 2;
/// Memory budget of the writer, split between its threads (tantivy's minimum is 15 MB each).
const WRITER_MEMORY: usize = WRITER_THREADS * 24_000_000;

/// The catalog search index. `Send + Sync`: share it behind an `Arc` and search from any thread.
pub struct SearchIndex {
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    /// Query-side jieba, cloned per search (cheap: the dictionary is a global).
    jieba: TextAnalyzer,
}

impl SearchIndex {
    /// An empty index. Loads the jieba dictionary now, so the first search is not slow.
    pub fn new() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        schema::register_tokenizers(&index)?;
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let mut jieba = schema::jieba_analyzer();
        jieba.token_stream("事项库").advance();
        Ok(Self {
            fields,
            reader,
            writer: Mutex::new(writer),
            jieba,
        })
    }

    /// Replaces the whole content of the index with `docs` (the last of two documents with the
    /// same code and region wins).
    pub fn rebuild(&self, docs: impl IntoIterator<Item = SearchDoc>) -> Result<(), SearchError> {
        let docs = self.documents(docs);
        self.write(|writer| {
            writer.delete_all_documents()?;
            for (_, doc) in docs {
                writer.add_document(doc)?;
            }
            Ok(())
        })
    }

    /// Adds `docs`, replacing any document with the same code and region.
    pub fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), SearchError> {
        let docs = self.documents(docs);
        let key = self.fields.key;
        self.write(|writer| {
            for (k, doc) in docs {
                writer.delete_term(Term::from_field_text(key, &k));
                writer.add_document(doc)?;
            }
            Ok(())
        })
    }

    /// Removes every region's document of the item with this code.
    pub fn remove_item(&self, code: &str) -> Result<(), SearchError> {
        let term = Term::from_field_text(self.fields.code, code);
        self.write(|writer| {
            writer.delete_term(term);
            Ok(())
        })
    }

    /// Number of documents (item × region) in the index.
    pub fn len(&self) -> usize {
        usize::try_from(self.reader.searcher().num_docs()).unwrap_or(usize::MAX)
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches the catalog. A blank query lists the documents passing `filters`, sorted by the
    /// pinyin of their name; a query with nothing searchable in it (only punctuation, emoji…)
    /// finds nothing. Never fails on what the user typed.
    pub fn search(
        &self,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let total = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let limit = limit.min(total);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses = query::filter_clauses(&self.fields, filters);
        let text = query::normalise(query.trim());
        if text.trim().is_empty() {
            return self.browse(&searcher, clauses, limit);
        }
        let routes = query::routes(&self.fields, &mut self.jieba.clone(), &text);
        if routes.is_empty() {
            return Ok(Vec::new());
        }
        let union = BooleanQuery::union(routes.iter().map(Route::query).collect());
        clauses.push((Occur::Must, Box::new(union)));
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let addresses: Vec<DocAddress> = top.iter().map(|(_, a)| *a).collect();
        let matched = matched_labels(&searcher, &routes, &addresses)?;
        top.into_iter()
            .zip(matched)
            .map(|((score, address), matched)| self.hit(&searcher, address, score, matched))
            .collect()
    }

    fn browse(
        &self,
        searcher: &Searcher,
        filters: Vec<(Occur, Box<dyn Query>)>,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        let query: Box<dyn Query> = if filters.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(filters))
        };
        let by_name = TopDocs::with_limit(limit).order_by_string_fast_field("sort_key", Order::Asc);
        searcher
            .search(&query, &by_name)?
            .into_iter()
            .map(|(_, address)| self.hit(searcher, address, 0.0, Vec::new()))
            .collect()
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        matched: Vec<&'static str>,
    ) -> Result<Hit, SearchError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        Ok(Hit {
            code: text(self.fields.code),
            region: text(self.fields.region),
            name: text(self.fields.name),
            score,
            matched,
        })
    }

    /// Converts outside the writer lock, keeping the last document of each (code, region).
    fn documents(
        &self,
        docs: impl IntoIterator<Item = SearchDoc>,
    ) -> Vec<(String, TantivyDocument)> {
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut out: Vec<(String, TantivyDocument)> = Vec::new();
        for doc in docs {
            let key = schema::key(&doc.code, &doc.region);
            let converted = schema::to_document(&self.fields, &doc);
            match position.get(&key).and_then(|&i| out.get_mut(i)) {
                Some(slot) => slot.1 = converted,
                None => {
                    position.insert(key.clone(), out.len());
                    out.push((key, converted));
                }
            }
        }
        out
    }

    /// Runs `ops` on the writer, commits and reloads the reader; rolls back on failure so a
    /// half-applied batch is never committed later.
    fn write(
        &self,
        ops: impl FnOnce(&mut IndexWriter) -> tantivy::Result<()>,
    ) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(|_| SearchError::Poisoned)?;
        let result = ops(&mut writer).and_then(|()| writer.commit().map(|_| ()));
        if let Err(error) = result {
            // The original error is the one worth reporting.
            let _ = writer.rollback();
            return Err(error.into());
        }
        self.reader.reload()?;
        Ok(())
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("documents", &self.len())
            .finish_non_exhaustive()
    }
}

/// For each hit, the labels of the routes that matched it, read from the posting lists of the
/// routes' terms: one term lookup per segment, then forward seeks through the hits in document
/// order. (Re-running each route's scorer costs more than the search itself.)
fn matched_labels(
    searcher: &Searcher,
    routes: &[Route],
    hits: &[DocAddress],
) -> tantivy::Result<Vec<Vec<&'static str>>> {
    let mut out: Vec<Vec<&'static str>> = vec![Vec::new(); hits.len()];
    let mut order: Vec<(usize, DocAddress)> = hits.iter().copied().enumerate().collect();
    order.sort_by_key(|(_, a)| (a.segment_ord, a.doc_id));
    for segment_hits in order.chunk_by(|a, b| a.1.segment_ord == b.1.segment_ord) {
        let Some((_, first)) = segment_hits.first() else {
            continue;
        };
        let reader = searcher.segment_reader(first.segment_ord);
        for route in routes {
            let inverted = reader.inverted_index(route.field)?;
            let mut counts = vec![0usize; segment_hits.len()];
            for term in &route.terms {
                let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                for (count, (_, address)) in counts.iter_mut().zip(segment_hits) {
                    let mut doc = postings.doc();
                    if doc < address.doc_id {
                        doc = postings.seek(address.doc_id);
                    }
                    if doc == address.doc_id {
                        *count += 1;
                    }
                }
            }
            for (count, (i, _)) in counts.iter().zip(segment_hits) {
                let labels = out.get_mut(*i).filter(|l| !l.contains(&route.label));
                if let Some(labels) = labels.filter(|_| *count >= route.minimum) {
                    labels.push(route.label);
                }
            }
        }
    }
    Ok(out)
}

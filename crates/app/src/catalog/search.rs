//! Catalog search (事项检索): the Chinese full-text index of `shenpi-search`, rebuilt from the
//! store — the source of truth — whenever the catalog changed on this node, the day changed (a
//! scheduled version came into force), or five minutes passed (changes made on other nodes).

use crate::{App, AppError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shenpi_domain::catalog::version::ItemState;
use shenpi_domain::regions::{QINGDAO_CITY, qingdao_districts};
use shenpi_search::{Filters, SearchDoc, SearchIndex};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// How long an index may serve before it is rebuilt anyway (changes from other nodes).
const MAX_AGE_SECONDS: i64 = 300;

/// The index and when it was built.
#[derive(Default)]
pub struct SearchState {
    built: tokio::sync::Mutex<Option<Built>>,
    dirty: AtomicBool,
}

struct Built {
    index: Arc<SearchIndex>,
    for_date: NaiveDate,
    at: DateTime<Utc>,
}

impl SearchState {
    /// The catalog changed: rebuild before the next search.
    pub fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::SeqCst);
    }
}

/// A search hit.
#[derive(Debug, Clone, Serialize)]
pub struct ItemHit {
    pub code: String,
    pub region: String,
    pub name: String,
    pub score: f32,
    /// Which fields matched: name, pinyin, situations, materials, body, code.
    pub matched: Vec<&'static str>,
}

/// Search filters from the caller.
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    pub region: Option<String>,
    pub department: Option<String>,
    pub domain: Option<String>,
    pub online_level: Option<String>,
}

fn search_err(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("search: {e}"))
}

impl App {
    /// The documents of the catalog in force today: one per item and region implementing it.
    async fn search_docs(&self) -> Result<Vec<SearchDoc>, AppError> {
        let departments = self.departments(None).await?;
        let dept_name = |region: &str, slug: &str| {
            departments
                .iter()
                .find(|d| d.id == format!("{region}-{slug}"))
                .map(|d| d.name_zh.clone())
                .unwrap_or_default()
        };
        let mut docs = vec![];
        let regions =
            std::iter::once(QINGDAO_CITY).chain(qingdao_districts().iter().map(|(c, _)| *c));
        for region in regions {
            for e in self.effective_catalog(region).await? {
                if e.version.state != ItemState::Active {
                    continue;
                }
                let i = &e.version.item;
                let mut body = vec![
                    dept_name(region, &i.department),
                    i.implementing_body.clone(),
                    i.main_item.clone(),
                ];
                body.extend(i.acceptance_conditions.iter().cloned());
                body.extend(i.legal_basis.iter().map(|b| b.title.clone()));
                body.extend(i.process_steps.iter().cloned());
                body.extend(
                    i.faq
                        .iter()
                        .flat_map(|f| [f.question.clone(), f.answer.clone()]),
                );
                if let Some(imp) = &e.implementation {
                    body.push(imp.local.place.clone());
                    body.push(imp.local.notes.clone());
                }
                docs.push(SearchDoc {
                    code: i.code.clone(),
                    region: region.to_string(),
                    name: i.name.clone(),
                    department: i.department.clone(),
                    domain: i.domain.clone(),
                    online_level: i.online_level.as_str().to_string(),
                    item_type: serde_json::to_value(i.item_type)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    situations: i.situations.iter().map(|s| s.name.clone()).collect(),
                    materials: i.materials.iter().map(|m| m.name.clone()).collect(),
                    body: body.join("\n"),
                });
            }
        }
        Ok(docs)
    }

    /// The index, rebuilt first when it is stale.
    async fn search_index(&self) -> Result<Arc<SearchIndex>, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let mut built = self.search.built.lock().await;
        let stale = match built.as_ref() {
            None => true,
            Some(b) => {
                self.search.dirty.load(Ordering::SeqCst)
                    || b.for_date != today
                    || (now - b.at).num_seconds() > MAX_AGE_SECONDS
            }
        };
        if stale {
            self.search.dirty.store(false, Ordering::SeqCst);
            let docs = self.search_docs().await?;
            let index = match built.take() {
                Some(b) => b.index,
                None => Arc::new(
                    tokio::task::spawn_blocking(SearchIndex::new)
                        .await
                        .map_err(search_err)?
                        .map_err(search_err)?,
                ),
            };
            let idx = index.clone();
            tokio::task::spawn_blocking(move || idx.rebuild(docs))
                .await
                .map_err(search_err)?
                .map_err(search_err)?;
            *built = Some(Built {
                index,
                for_date: today,
                at: now,
            });
        }
        built
            .as_ref()
            .map(|b| b.index.clone())
            .ok_or_else(|| AppError::Internal("search index missing".into()))
    }

    /// Full-text search of the catalog in force (public): Chinese words, one wrong or missing
    /// character, pinyin and initials; filters by region, department, domain and online level.
    pub async fn search_items(
        &self,
        q: &str,
        filters: &SearchFilters,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<ItemHit>, bool), AppError> {
        if let Some(r) = &filters.region {
            self.check_region(r).await?;
        }
        let per_page = per_page.clamp(1, 50);
        let page = page.clamp(1, 100);
        let limit = usize::try_from(page * per_page + 1).unwrap_or(51);
        let index = self.search_index().await?;
        let f = Filters {
            region: filters.region.clone(),
            department: filters.department.clone(),
            domain: filters.domain.clone(),
            online_level: filters.online_level.clone(),
            item_type: None,
        };
        let q = q.to_string();
        let hits = tokio::task::spawn_blocking(move || index.search(&q, &f, limit))
            .await
            .map_err(search_err)?
            .map_err(search_err)?;
        let skip = usize::try_from((page - 1) * per_page).unwrap_or(0);
        let take = usize::try_from(per_page).unwrap_or(20);
        let more = hits.len() > skip + take;
        let out = hits
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|h| ItemHit {
                code: h.code,
                region: h.region,
                name: h.name,
                score: h.score,
                matched: h.matched,
            })
            .collect();
        Ok((out, more))
    }
}

//! Catalog search benchmark: index build time and single-thread query latency, measured
//! separately on two catalogs with the same mixed workload of Chinese words, typos, pinyin,
//! initials, natural-language questions and filters:
//!
//! 1. the platform's demo catalog (`crates/app/data/demo_catalog.json`), one document per item
//!    and region the way the platform indexes it (the city for every item, plus the ten
//!    districts for district-level items);
//! 2. `generated_catalog(10_000, 42)` alone (no sample documents mixed in).
//!
//! Run: `cargo bench -p shenpi-search --bench search` (plain `std::time::Instant`, no criterion).
//! Target: p99 < 10 ms on 10,000 items.

use serde_json::Value;
use shenpi_search::generate::QINGDAO_REGIONS;
use shenpi_search::{Filters, SearchDoc, SearchIndex, generated_catalog};
use std::error::Error;
use std::time::{Duration, Instant};

const MEASURED_QUERIES: usize = 5_000;
const WARM_UP_QUERIES: usize = 300;

/// The platform's demo catalog: a JSON array of service items.
const DEMO_CATALOG_JSON: &str = include_str!("../../app/data/demo_catalog.json");
/// Every item is implemented by the city…
const CITY: &str = "370200";
/// …and district-level items also by each of the ten districts.
const DISTRICTS: [&str; 10] = [
    "370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281", "370283",
    "370285",
];

const QUERIES: &[(&str, &[&str])] = &[
    (
        "chinese",
        &[
            "施工许可",
            "食品经营",
            "公司注销",
            "排水",
            "燃气",
            "供热",
            "道路挖掘",
            "户外广告",
            "药品零售",
            "特种设备",
            "劳务派遣",
            "不动产登记",
            "营业执照",
            "危险化学品",
            "出租汽车",
            "医疗机构",
            "建筑垃圾",
            "取水许可",
            "民办学校",
            "有线电视",
            "简易注销",
            "清税证明",
        ],
    ),
    (
        "typo",
        &[
            "施工许可正",
            "施工许证",
            "食品经营许",
            "食品经营许课",
            "燃汽经营",
            "城市道挖掘",
            "公司注消登记",
            "排水许可正",
            "药品零收",
            "是品经营",
            "户外广高",
            "特种设被使用",
        ],
    ),
    (
        "pinyin",
        &[
            "shigongxuke",
            "shipinjingying",
            "ranqi",
            "gongsizhuxiao",
            "paishui",
            "gongre",
            "daoluwajue",
            "yaopin",
            "shi gong xu ke",
            "buodongchan",
            "budongchan",
            "laowupaiqian",
        ],
    ),
    (
        "initials",
        &[
            "sgxk", "spjy", "rqjy", "gszx", "ps", "tzsb", "gsslj", "bdcdj",
        ],
    ),
    (
        "mixed",
        &[
            "施工xuke",
            "食品 jingying",
            "燃气jy",
            "公司zhuxiao",
            "000118006000-01",
            "370202",
        ],
    ),
    (
        "question",
        &[
            "怎么办理营业执照",
            "开餐馆需要什么材料",
            "新建房屋要办施工许可证吗",
            "二手房过户怎么办",
            "网约车运输证如何申请",
            "小区停暖怎么申请",
        ],
    ),
    (
        "garbage",
        &[
            "",
            "!!!",
            "\"施工\" AND (许可 OR *)",
            "🍜🏢🏗️",
            "a~2^3 [x TO y]",
        ],
    ),
];

/// One catalog to measure.
struct Catalog {
    label: &'static str,
    docs: Vec<SearchDoc>,
    /// Value of the department filter in the workload, as this catalog indexes departments: the
    /// platform indexes the department slug (`spj`), the generator a Chinese name.
    department: &'static str,
}

/// The demo catalog as the platform indexes it: one document per item and region.
fn demo_catalog() -> Result<Vec<SearchDoc>, Box<dyn Error>> {
    let items: Vec<Value> = serde_json::from_str(DEMO_CATALOG_JSON)?;
    let mut docs = Vec::new();
    for item in &items {
        let city = demo_doc(item);
        let districts: &[&str] = if item["district_level"].as_bool().unwrap_or(false) {
            &DISTRICTS
        } else {
            &[]
        };
        for district in districts {
            docs.push(SearchDoc {
                region: district.to_string(),
                ..city.clone()
            });
        }
        docs.push(city);
    }
    Ok(docs)
}

/// The city-level document of one demo item.
fn demo_doc(item: &Value) -> SearchDoc {
    let mut body = vec![text(item, "implementing_body"), text(item, "main_item")];
    body.extend(texts(&item["acceptance_conditions"]));
    body.extend(fields(&item["legal_basis"], "title"));
    body.extend(texts(&item["process_steps"]));
    for faq in array(&item["faq"]) {
        body.push(text(faq, "question"));
        body.push(text(faq, "answer"));
    }
    SearchDoc {
        code: text(item, "code"),
        region: CITY.to_string(),
        name: text(item, "name"),
        department: text(item, "department"),
        domain: text(item, "domain"),
        online_level: text(item, "online_level"),
        item_type: text(item, "item_type"),
        situations: fields(&item["situations"], "name"),
        materials: fields(&item["materials"], "name"),
        body: body.join("\n"),
    }
}

fn array(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// The string `v[key]`, or "" when missing.
fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

/// The strings of an array of strings.
fn texts(v: &Value) -> Vec<String> {
    array(v)
        .iter()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// The field `key` of each object of an array of objects.
fn fields(v: &Value, key: &str) -> Vec<String> {
    array(v).iter().map(|o| text(o, key)).collect()
}

/// All query texts of the workload, with their category, in a fixed order.
fn query_texts() -> Vec<(&'static str, &'static str)> {
    QUERIES
        .iter()
        .flat_map(|(category, qs)| qs.iter().map(move |q| (*category, *q)))
        .collect()
}

/// The filter mix of the i-th query: none, region, domain + online level, region + department.
fn filters_for(i: usize, department: &str) -> Filters {
    let region = QINGDAO_REGIONS
        .get(i % QINGDAO_REGIONS.len())
        .map(|r| r.to_string());
    match i % 5 {
        0 | 1 => Filters::default(),
        2 => Filters {
            region,
            ..Filters::default()
        },
        3 => Filters {
            domain: Some("utilities".into()),
            online_level: Some("fully_online".into()),
            ..Filters::default()
        },
        _ => Filters {
            region,
            department: Some(department.into()),
            ..Filters::default()
        },
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len() - 1))
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>() / u32::try_from(samples.len().max(1)).unwrap_or(1);
    println!(
        "{label:<10} n={:>5}  p50 {}  p95 {}  p99 {}  max {}  mean {}",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
        ms(samples.last().copied().unwrap_or_default()),
        ms(mean),
    );
}

/// Loads `catalog` into `index`, warms up, runs the measured workload and prints its tables.
fn bench_catalog(index: &SearchIndex, catalog: Catalog) -> Result<(), Box<dyn Error>> {
    println!("\n=== {} ===", catalog.label);
    let doc_count = catalog.docs.len();
    let started = Instant::now();
    index.rebuild(catalog.docs)?;
    println!(
        "rebuild, {doc_count} docs ({} in the index): {}",
        index.len(),
        ms(started.elapsed())
    );

    let texts = query_texts();
    let workload = |i: usize| {
        let (category, query) = texts
            .get(i % texts.len())
            .copied()
            .unwrap_or(("chinese", "施工许可"));
        let filters = filters_for(i / texts.len() + i, catalog.department);
        let limit = if i.is_multiple_of(7) { 50 } else { 10 };
        (category, query, filters, limit)
    };

    for i in 0..WARM_UP_QUERIES {
        let (_, query, filters, limit) = workload(i);
        index.search(query, &filters, limit)?;
    }

    let mut by_category: Vec<(&str, Vec<Duration>)> =
        QUERIES.iter().map(|(c, _)| (*c, Vec::new())).collect();
    let mut all = Vec::with_capacity(MEASURED_QUERIES);
    let mut per_query: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut hits_total = 0usize;
    let run_started = Instant::now();
    for i in 0..MEASURED_QUERIES {
        let (category, query, filters, limit) = workload(i);
        let started = Instant::now();
        let hits = index.search(query, &filters, limit)?;
        let elapsed = started.elapsed();
        hits_total += hits.len();
        all.push(elapsed);
        if let Some((_, v)) = by_category.iter_mut().find(|(c, _)| *c == category) {
            v.push(elapsed);
        }
        match per_query.iter_mut().find(|(q, _)| *q == query) {
            Some((_, v)) => v.push(elapsed),
            None => per_query.push((query, vec![elapsed])),
        }
    }
    let run = run_started.elapsed();
    println!(
        "{MEASURED_QUERIES} queries in {} ({:.0} queries/s, one thread), {:.1} hits/query",
        ms(run),
        MEASURED_QUERIES as f64 / run.as_secs_f64(),
        hits_total as f64 / MEASURED_QUERIES as f64
    );
    report("all", all);
    for (category, samples) in by_category {
        report(category, samples);
    }

    println!("slowest queries by median (all filter mixes):");
    for (_, samples) in per_query.iter_mut() {
        samples.sort_unstable();
    }
    per_query.sort_by_key(|(_, v)| std::cmp::Reverse(percentile(v, 0.5)));
    for (query, samples) in per_query.into_iter().take(6) {
        report(&format!("{query:?}"), samples);
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let index = SearchIndex::new()?;
    println!("SearchIndex::new (loads jieba): {}", ms(started.elapsed()));

    let started = Instant::now();
    let demo = demo_catalog()?;
    println!("demo catalog, parse + docs: {}", ms(started.elapsed()));
    bench_catalog(
        &index,
        Catalog {
            label: "Demo catalog (crates/app/data/demo_catalog.json)",
            docs: demo,
            department: "spj",
        },
    )?;

    let started = Instant::now();
    let generated = generated_catalog(10_000, 42);
    println!("\ngenerated_catalog(10_000, 42): {}", ms(started.elapsed()));
    bench_catalog(
        &index,
        Catalog {
            label: "Generated catalog, generated_catalog(10_000, 42)",
            docs: generated,
            department: "市场监督管理局",
        },
    )?;

    let mut upserts = Vec::new();
    for doc in generated_catalog(20, 7) {
        let started = Instant::now();
        index.upsert(vec![doc])?;
        upserts.push(started.elapsed());
    }
    println!("\nupserts into the generated catalog:");
    report("upsert(1)", upserts);
    Ok(())
}

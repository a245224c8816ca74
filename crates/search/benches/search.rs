//! Catalog search benchmark: index build time and single-thread query latency on the sample
//! catalog plus `generated_catalog(10_000, 42)`, with a mixed workload of Chinese words, typos,
//! pinyin, initials, natural-language questions and filters.
//!
//! Run: `cargo bench -p shenpi-search` (plain `std::time::Instant`, no criterion).
//! Target: p99 < 10 ms on 10,000 items.

use shenpi_search::generate::QINGDAO_REGIONS;
use shenpi_search::{Filters, SearchIndex, generated_catalog, sample_catalog};
use std::error::Error;
use std::time::{Duration, Instant};

const MEASURED_QUERIES: usize = 5_000;
const WARM_UP_QUERIES: usize = 300;

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

fn filters_for(i: usize) -> Filters {
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
            department: Some("市场监督管理局".into()),
            ..Filters::default()
        },
    }
}

/// The i-th query of the workload: (category, text, filters).
fn workload(i: usize) -> (&'static str, &'static str, Filters) {
    let all: Vec<(&str, &str)> = QUERIES
        .iter()
        .flat_map(|(category, qs)| qs.iter().map(move |q| (*category, *q)))
        .collect();
    let (category, query) = all
        .get(i % all.len())
        .copied()
        .unwrap_or(("chinese", "施工许可"));
    (category, query, filters_for(i / all.len() + i))
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

fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let index = SearchIndex::new()?;
    println!("SearchIndex::new (loads jieba): {}", ms(started.elapsed()));

    let samples = sample_catalog();
    let sample_count = samples.len();
    let started = Instant::now();
    index.rebuild(samples)?;
    println!(
        "rebuild, {sample_count} sample docs: {}",
        ms(started.elapsed())
    );

    let mut docs = sample_catalog();
    docs.extend(generated_catalog(10_000, 42));
    let started = Instant::now();
    let generated = generated_catalog(10_000, 42);
    println!("generated_catalog(10_000, 42): {}", ms(started.elapsed()));
    drop(generated);
    let started = Instant::now();
    index.rebuild(docs)?;
    println!("rebuild, {} docs: {}", index.len(), ms(started.elapsed()));

    for i in 0..WARM_UP_QUERIES {
        let (_, query, filters) = workload(i);
        index.search(query, &filters, 10)?;
    }

    let mut by_category: Vec<(&str, Vec<Duration>)> =
        QUERIES.iter().map(|(c, _)| (*c, Vec::new())).collect();
    let mut all = Vec::with_capacity(MEASURED_QUERIES);
    let mut per_query: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut hits_total = 0usize;
    let run_started = Instant::now();
    for i in 0..MEASURED_QUERIES {
        let (category, query, filters) = workload(i);
        let limit = if i % 7 == 0 { 50 } else { 10 };
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
        "\n{MEASURED_QUERIES} queries in {} ({:.0} queries/s, one thread), {:.1} hits/query",
        ms(run),
        MEASURED_QUERIES as f64 / run.as_secs_f64(),
        hits_total as f64 / MEASURED_QUERIES as f64
    );
    report("all", all);
    for (category, samples) in by_category {
        report(category, samples);
    }

    println!("\nslowest queries by median (all filter mixes):");
    for (_, samples) in per_query.iter_mut() {
        samples.sort_unstable();
    }
    per_query.sort_by_key(|(_, v)| std::cmp::Reverse(percentile(v, 0.5)));
    for (query, samples) in per_query.into_iter().take(6) {
        report(&format!("{query:?}"), samples);
    }

    let mut upserts = Vec::new();
    for doc in generated_catalog(20, 7) {
        let started = Instant::now();
        index.upsert(vec![doc])?;
        upserts.push(started.elapsed());
    }
    println!();
    report("upsert(1)", upserts);
    Ok(())
}

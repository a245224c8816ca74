//! Behaviour of [`SearchIndex`] on the sample catalog.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{Filters, Hit, SearchDoc, SearchIndex, generated_catalog, sample_catalog};
use std::sync::{Arc, OnceLock};

/// One shared read-only index over the samples (building it loads jieba once per test binary).
fn samples() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = SearchIndex::new().unwrap();
        index.rebuild(sample_catalog()).unwrap();
        index
    })
}

fn search(query: &str) -> Vec<Hit> {
    samples().search(query, &Filters::default(), 10).unwrap()
}

fn names(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.name.as_str()).collect()
}

fn first(query: &str) -> String {
    let hits = search(query);
    hits.first()
        .map(|h| h.name.clone())
        .unwrap_or_else(|| panic!("{query}: no hit"))
}

fn doc(code: &str, region: &str, name: &str) -> SearchDoc {
    SearchDoc {
        code: code.into(),
        region: region.into(),
        name: name.into(),
        department: "城市管理局".into(),
        domain: "municipal".into(),
        online_level: "online".into(),
        item_type: "licensing".into(),
        ..SearchDoc::default()
    }
}

#[test]
fn a_chinese_word_finds_the_item_by_its_name() {
    assert_eq!(first("施工许可"), "建筑工程施工许可证核发");
    assert_eq!(first("食品经营许可"), "食品经营许可");
    assert_eq!(first("公司注销"), "公司注销登记");
    assert_eq!(first("挖掘城市道路"), "占用挖掘城市道路审批");
}

#[test]
fn a_situation_name_finds_its_item() {
    let hits = search("简易注销");
    assert_eq!(hits[0].name, "公司注销登记");
    assert!(hits[0].matched.contains(&"situations"), "{:?}", hits[0]);
}

#[test]
fn a_material_name_finds_its_item() {
    let hits = search("清税证明");
    assert_eq!(hits[0].name, "公司注销登记");
    assert!(hits[0].matched.contains(&"materials"), "{:?}", hits[0]);
}

#[test]
fn guide_text_finds_an_item_whose_name_does_not_say_it() {
    let hits = search("自来水");
    assert_eq!(hits[0].name, "用水报装");
    assert_eq!(hits[0].matched, vec!["body"]);
}

#[test]
fn a_name_match_ranks_above_a_body_only_match() {
    // 排水 is in the body of 建设工程竣工验收备案 and in the name of the drainage permit.
    let hits = search("排水");
    assert_eq!(hits[0].name, "城镇污水排入排水管网许可");
    let body_only = hits.iter().position(|h| h.name == "建设工程竣工验收备案");
    assert!(body_only.is_some_and(|p| p > 0), "{:?}", names(&hits));
}

#[test]
fn a_query_with_one_wrong_character_still_finds_the_item() {
    assert_eq!(first("施工许可正"), "建筑工程施工许可证核发");
    assert_eq!(first("食品经营许课"), "食品经营许可");
}

#[test]
fn a_query_with_one_missing_character_still_finds_the_item() {
    assert_eq!(first("施工许证"), "建筑工程施工许可证核发");
    assert_eq!(first("食品经营许"), "食品经营许可");
    assert_eq!(first("城市道挖掘"), "占用挖掘城市道路审批");
}

#[test]
fn a_homophone_typed_with_a_pinyin_keyboard_still_finds_the_item() {
    // 是品经营 (shi pin jing ying) for 食品经营.
    assert_eq!(first("是品经营"), "食品经营许可");
    // 燃汽 (ran qi) for 燃气: no character bigram matches, the pinyin does.
    assert_eq!(search("燃汽")[0].name, "燃气报装");
}

#[test]
fn full_pinyin_without_tones_finds_the_item() {
    assert_eq!(first("shigongxuke"), "建筑工程施工许可证核发");
    assert_eq!(first("shipinjingying"), "食品经营许可");
    assert_eq!(first("shi gong xu ke"), "建筑工程施工许可证核发");
    assert_eq!(search("shigongxuke")[0].matched, vec!["pinyin"]);
}

#[test]
fn a_pinyin_query_with_one_wrong_letter_still_finds_the_item() {
    assert_eq!(first("shigongxuek"), "建筑工程施工许可证核发");
    assert_eq!(first("shipinjinying"), "食品经营许可");
}

#[test]
fn pinyin_initials_find_the_item() {
    assert_eq!(first("sgxk"), "建筑工程施工许可证核发");
    assert_eq!(first("SPJYXK"), "食品经营许可");
}

#[test]
fn a_query_mixing_chinese_and_pinyin_finds_the_item() {
    assert_eq!(first("施工xuke"), "建筑工程施工许可证核发");
    assert_eq!(first("食品 jingying"), "食品经营许可");
}

#[test]
fn full_width_pinyin_is_understood() {
    assert_eq!(first("ｓｇｘｋ"), "建筑工程施工许可证核发");
}

#[test]
fn an_item_code_finds_every_region_of_the_item() {
    let hits = search("000118006000-01");
    assert_eq!(hits.len(), 3);
    assert!(hits.iter().all(|h| h.code == "000118006000-01"));
}

#[test]
fn a_region_filter_keeps_only_that_region() {
    let filters = Filters {
        region: Some("370211".into()),
        ..Filters::default()
    };
    let hits = samples().search("施工许可", &filters, 10).unwrap();
    assert_eq!(names(&hits), vec!["建筑工程施工许可证核发"]);
    assert_eq!(hits[0].region, "370211");
}

#[test]
fn department_domain_and_online_level_filters_combine_with_a_query() {
    let filters = Filters {
        department: Some("城市管理局".into()),
        domain: Some("utilities".into()),
        online_level: Some("online".into()),
        ..Filters::default()
    };
    let hits = samples().search("许可", &filters, 10).unwrap();
    let mut found = names(&hits);
    found.sort_unstable();
    assert_eq!(
        found,
        vec!["城镇污水排入排水管网许可", "燃气经营许可证核发"]
    );
}

#[test]
fn a_blank_filter_value_does_not_filter() {
    let filters = Filters {
        region: Some(" ".into()),
        ..Filters::default()
    };
    let hits = samples().search("施工许可", &filters, 10).unwrap();
    assert_eq!(hits, search("施工许可"));
}

#[test]
fn a_filter_with_no_matching_document_finds_nothing() {
    let filters = Filters {
        region: Some("999999".into()),
        ..Filters::default()
    };
    assert!(samples().search("许可", &filters, 10).unwrap().is_empty());
    assert!(samples().search("", &filters, 10).unwrap().is_empty());
}

#[test]
fn an_empty_query_with_filters_lists_matching_items_sorted_by_name() {
    let filters = Filters {
        domain: Some("company".into()),
        ..Filters::default()
    };
    let hits = samples().search("  ", &filters, 10).unwrap();
    // Sorted by pinyin: geti, gongsi bian, gongsi she, gongsi zhu, nongmin.
    assert_eq!(
        names(&hits),
        vec![
            "个体工商户设立登记",
            "公司变更登记",
            "公司设立登记",
            "公司注销登记",
            "农民专业合作社设立登记",
        ]
    );
    assert!(hits.iter().all(|h| h.score == 0.0 && h.matched.is_empty()));
}

#[test]
fn the_limit_bounds_the_number_of_hits() {
    assert_eq!(
        samples()
            .search("许可", &Filters::default(), 3)
            .unwrap()
            .len(),
        3
    );
    assert!(
        samples()
            .search("许可", &Filters::default(), 0)
            .unwrap()
            .is_empty()
    );
    let all = samples()
        .search("", &Filters::default(), usize::MAX)
        .unwrap();
    assert_eq!(all.len(), samples().len());
}

#[test]
fn garbage_queries_never_fail() {
    let long_chinese = "施工许可".repeat(2_500);
    let long_latin = "a".repeat(10_000);
    let long_emoji = "🏗️".repeat(3_000);
    let queries = [
        "",
        " ",
        "\t\n",
        "，。！？",
        "!!!",
        "\"",
        ":",
        "(",
        ")",
        "*",
        "~",
        "^",
        "[",
        "]",
        "+",
        "-",
        "AND",
        "OR",
        "NOT",
        "name:施工",
        "\"施工 许可\"~2",
        "施工^10",
        "(a OR b) AND c",
        "[a TO z]",
        "*施工*",
        "+食品 -药品",
        "\\",
        "\u{0}",
        "🍜🏢",
        "施工🏗许可",
        &long_chinese,
        &long_latin,
        &long_emoji,
        "x",
        "ü",
        "𠀀𠀁",
        "３７０２０２",
        "370202",
    ];
    for query in queries {
        let result = samples().search(query, &Filters::default(), 10);
        assert!(result.is_ok(), "{query:?}: {result:?}");
    }
    assert!(search("!!!").is_empty());
    assert!(search("🍜🏢").is_empty());
    assert_eq!(first("施工🏗许可"), "建筑工程施工许可证核发");
}

#[test]
fn upsert_replaces_the_document_with_the_same_code_and_region() {
    let index = SearchIndex::new().unwrap();
    index
        .upsert(vec![doc("A", "370202", "城市道路挖掘许可")])
        .unwrap();
    index
        .upsert(vec![doc("A", "370202", "户外广告设置许可")])
        .unwrap();
    assert_eq!(index.len(), 1);
    assert!(
        index
            .search("挖掘", &Filters::default(), 10)
            .unwrap()
            .is_empty()
    );
    let hits = index.search("户外广告", &Filters::default(), 10).unwrap();
    assert_eq!(names(&hits), vec!["户外广告设置许可"]);
    index
        .upsert(vec![doc("A", "370203", "户外广告设置许可")])
        .unwrap();
    assert_eq!(index.len(), 2);
}

#[test]
fn remove_item_removes_every_region_of_the_item() {
    let index = SearchIndex::new().unwrap();
    index
        .rebuild(vec![
            doc("A", "370202", "城市道路挖掘许可"),
            doc("A", "370211", "城市道路挖掘许可"),
            doc("B", "370202", "城市道路占用许可"),
        ])
        .unwrap();
    index.remove_item("A").unwrap();
    let hits = index.search("城市道路", &Filters::default(), 10).unwrap();
    assert_eq!(names(&hits), vec!["城市道路占用许可"]);
    assert_eq!(index.len(), 1);
}

#[test]
fn rebuild_replaces_everything_and_keeps_the_last_duplicate() {
    let index = SearchIndex::new().unwrap();
    index.rebuild(sample_catalog()).unwrap();
    index
        .rebuild(vec![
            doc("A", "370202", "城市道路挖掘许可"),
            doc("A", "370202", "城市道路占用许可"),
        ])
        .unwrap();
    assert_eq!(index.len(), 1);
    assert!(
        index
            .search("施工", &Filters::default(), 10)
            .unwrap()
            .is_empty()
    );
    assert!(
        index
            .search("挖掘", &Filters::default(), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        index.search("占用", &Filters::default(), 10).unwrap()[0].name,
        "城市道路占用许可"
    );
}

#[test]
fn an_empty_index_finds_nothing() {
    let index = SearchIndex::new().unwrap();
    assert!(index.is_empty());
    assert!(
        index
            .search("施工许可", &Filters::default(), 10)
            .unwrap()
            .is_empty()
    );
    assert!(
        index
            .search("", &Filters::default(), 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn searches_run_concurrently_with_writes() {
    let index = Arc::new(SearchIndex::new().unwrap());
    index.rebuild(generated_catalog(300, 1)).unwrap();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let index = Arc::clone(&index);
            std::thread::spawn(move || {
                for _ in 0..50 {
                    index.search("燃气经营", &Filters::default(), 10).unwrap();
                }
            })
        })
        .collect();
    for i in 0..10 {
        let code = format!("W{i}");
        index
            .upsert(vec![doc(&code, "370202", "燃气经营许可")])
            .unwrap();
    }
    for reader in readers {
        reader.join().unwrap();
    }
    assert_eq!(index.len(), 310);
}

//! The demo catalog (`crates/app/data/demo_catalog.json`) is valid item-standard data: it
//! deserializes into `ServiceItem`s, every item passes `check_item`, and it covers the items the
//! demo relies on (企业开办, the four construction stages, the 12-in-1 utility bundle, the
//! unattended-approval items, 零材料 items).

#![allow(clippy::unwrap_used)]

use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::check::check_item;
use shenpi_domain::catalog::item::{HandlingKind, ItemType, OnlineLevel};
use std::collections::{HashMap, HashSet};

const CATALOG: &str = include_str!("../../app/data/demo_catalog.json");

fn catalog() -> Vec<ServiceItem> {
    serde_json::from_str(CATALOG).unwrap()
}

fn find<'a>(items: &'a [ServiceItem], needle: &str) -> Vec<&'a ServiceItem> {
    items.iter().filter(|i| i.name.contains(needle)).collect()
}

#[test]
fn the_catalog_is_large_and_spans_domains() {
    let items = catalog();
    assert!(items.len() >= 30, "only {} items", items.len());
    let domains: HashSet<&str> = items.iter().map(|i| i.domain.as_str()).collect();
    assert!(domains.len() >= 6, "only domains {domains:?}");
}

#[test]
fn codes_are_unique() {
    let items = catalog();
    let mut seen = HashMap::new();
    for i in &items {
        if let Some(other) = seen.insert(i.code.as_str(), i.name.as_str()) {
            panic!("code {} used by {} and {}", i.code, other, i.name);
        }
    }
}

#[test]
fn every_item_passes_the_item_check() {
    let items = catalog();
    let mut failures = Vec::new();
    for i in &items {
        if let Err(issues) = check_item(i) {
            for issue in issues {
                failures.push(format!(
                    "{} ({}): {} {} — {}",
                    i.name, i.code, issue.field, issue.code, issue.reason_zh
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_twelve_utility_bundle_items_are_present() {
    let items = catalog();
    let bundle = [
        "建设工程规划许可证核发（市政管线工程）",
        "城市道路挖掘许可",
        "占用城市道路许可",
        "城市绿地占用及树木迁移审批",
        "公路涉路施工许可",
        "供水报装",
        "排水报装",
        "供电报装",
        "燃气报装",
        "供热报装",
        "通信报装",
        "有线电视报装",
    ];
    for needle in bundle {
        assert_eq!(find(&items, needle).len(), 1, "bundle item {needle}");
    }
    for needle in &bundle[5..] {
        let item = find(&items, needle)[0];
        assert_eq!(item.item_type, ItemType::PublicService, "{needle}");
        assert!(item.implementing_body.contains("企业"), "{needle}");
    }
}

#[test]
fn the_required_items_are_present() {
    let items = catalog();
    for needle in [
        "有限责任公司设立登记",
        "有限责任公司变更登记",
        "有限责任公司注销登记",
        "个体工商户",
        "建设用地规划许可证核发",
        "建设工程规划许可证核发",
        "建筑工程施工许可证核发",
        "施工图设计文件审查",
        "竣工联合验收",
        "竣工验收备案",
        "施工劳务资质备案",
        "水土保持方案审批（报告表",
        "民办非企业单位成立登记",
        "社会团体登记证书换发",
    ] {
        assert!(!find(&items, needle).is_empty(), "missing {needle}");
    }
    let food: Vec<HandlingKind> = find(&items, "食品经营许可")
        .iter()
        .map(|i| i.handling_kind)
        .collect();
    for kind in [
        HandlingKind::New,
        HandlingKind::Change,
        HandlingKind::Renewal,
        HandlingKind::Cancellation,
    ] {
        assert!(food.contains(&kind), "食品经营许可 {kind:?} missing");
    }
}

#[test]
fn the_unattended_items_are_fully_online_with_no_visit() {
    let items = catalog();
    for needle in ["施工劳务资质备案", "水土保持方案审批（报告表"] {
        let item = find(&items, needle)[0];
        assert_eq!(item.online_level, OnlineLevel::FullyOnline, "{needle}");
        assert!(item.is_zero_visit(), "{needle}");
    }
}

#[test]
fn every_item_has_a_legal_basis_and_opinion_phrases() {
    let items = catalog();
    for i in &items {
        assert!(!i.legal_basis.is_empty(), "{} has no legal basis", i.name);
        for b in &i.legal_basis {
            assert!(
                b.title.starts_with('《'),
                "{}: legal basis {} is not a cited title",
                i.name,
                b.title
            );
        }
        assert!(
            i.knowledge.opinion_phrases.len() >= 3,
            "{} has {} opinion phrases",
            i.name,
            i.knowledge.opinion_phrases.len()
        );
        assert!(
            !i.knowledge.review_points.is_empty(),
            "{} has no review points",
            i.name
        );
    }
    let with_templates = items
        .iter()
        .filter(|i| !i.knowledge.templates.is_empty())
        .count();
    assert!(
        with_templates >= 10,
        "only {with_templates} items have templates"
    );
}

#[test]
fn most_items_are_implemented_by_districts() {
    let items = catalog();
    let district = items.iter().filter(|i| i.district_level).count();
    assert!(district >= 25, "only {district} district-level items");
}

#[test]
fn some_items_can_be_handled_with_zero_materials() {
    let items = catalog();
    let zero: Vec<&str> = items
        .iter()
        .filter(|i| {
            i.situations
                .iter()
                .any(|s| i.is_zero_material(Some(s.key.as_str())))
        })
        .map(|i| i.name.as_str())
        .collect();
    assert!(zero.len() >= 2, "zero-material items: {zero:?}");
}

#[test]
fn the_file_has_no_unknown_or_misspelt_fields() {
    // Serde ignores unknown fields, so a misspelt key would silently fall back to a default.
    // Re-serializing must give back exactly the file's content.
    let raw: serde_json::Value = serde_json::from_str(CATALOG).unwrap();
    let round_trip = serde_json::to_value(catalog()).unwrap();
    let (raw, round_trip) = (raw.as_array().unwrap(), round_trip.as_array().unwrap());
    assert_eq!(raw.len(), round_trip.len());
    for (a, b) in raw.iter().zip(round_trip) {
        assert_eq!(a, b, "item {} does not round-trip", a["name"]);
    }
}

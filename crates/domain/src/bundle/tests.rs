use super::*;
use crate::catalog::example::example_item;

/// Two catalog items: the example permit (situations new-build / renovation) and a hook-up
/// without situations that shares the material 施工合同.
fn catalog() -> Vec<ServiceItem> {
    let permit = example_item();
    let mut hookup = example_item();
    hookup.code = "HOOKUP-01".into();
    hookup.name = "供水报装".into();
    hookup.situations.clear();
    hookup.materials[0].name = "用水报装申请表".into();
    vec![permit, hookup]
}

fn item(
    code: &str,
    situation: Option<&str>,
    handler: Handler,
    when: Option<(&str, &str)>,
) -> BundleItem {
    BundleItem {
        item_code: code.into(),
        situation: situation.map(str::to_owned),
        handler,
        when: when.map(|(q, v)| Condition {
            question: q.into(),
            value: v.into(),
        }),
    }
}

fn bundle(code: &str, items: Vec<BundleItem>, includes: &[&str]) -> Bundle {
    Bundle {
        code: code.into(),
        name: format!("{code} 联办"),
        description: String::new(),
        questions: vec![Question {
            key: "services".into(),
            text: "需要哪些报装？".into(),
            options: vec![
                ("water".into(), "供水".into()),
                ("gas".into(), "燃气".into()),
            ],
            multiple: true,
        }],
        shared_fields: vec![],
        items,
        includes: includes.iter().map(|s| s.to_string()).collect(),
    }
}

fn good() -> Bundle {
    bundle(
        "hookup",
        vec![
            item(
                "000118006000-01",
                Some("new-build"),
                Handler::Department("spj".into()),
                None,
            ),
            item(
                "HOOKUP-01",
                None,
                Handler::Partner("water".into()),
                Some(("services", "water")),
            ),
        ],
        &[],
    )
}

fn check(b: &Bundle, others: &[Bundle]) -> Vec<Problem> {
    let items = catalog();
    let find = |code: &str| items.iter().find(|i| i.code == code);
    let others = others.to_vec();
    let bundles = move |code: &str| others.iter().find(|b| b.code == code).cloned();
    b.check(&find, &bundles)
}

#[test]
fn a_good_bundle_has_no_problems() {
    assert_eq!(check(&good(), &[]), vec![]);
}

#[test]
fn missing_items_situations_questions_and_duplicates_are_each_named() {
    let mut b = good();
    b.items.push(item(
        "NOPE-01",
        None,
        Handler::Department("spj".into()),
        None,
    ));
    b.items.push(item(
        "000118006000-01",
        Some("demolition"),
        Handler::Department("spj".into()),
        None,
    ));
    b.items.push(item(
        "HOOKUP-01",
        None,
        Handler::Partner("gas".into()),
        Some(("colour", "red")),
    ));
    let problems = check(&b, &[]);
    let at: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
    assert_eq!(
        at,
        ["items[2]", "items[3]", "items[3]", "items[4]", "items[4]"],
        "{problems:?}"
    );
    assert!(problems[0].message_en.contains("NOPE-01"));
    assert!(problems[2].message_zh.contains("demolition"));
    assert!(problems[4].message_en.contains("colour=red"));
    let mut no_situation = good();
    no_situation.items[0].situation = None;
    assert_eq!(
        check(&no_situation, &[])[0].message_en,
        "Item 000118006000-01 needs a situation"
    );
}

#[test]
fn bundles_that_include_each_other_are_a_cycle() {
    let a = bundle("a", vec![], &["b"]);
    let b = bundle("b", vec![], &["c"]);
    let c = bundle("c", vec![], &["a"]);
    let problems = check(&a, &[b.clone(), c.clone()]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message_en.contains("a → b → c → a"),
        "{problems:?}"
    );
    assert!(
        check(&bundle("self", vec![], &["self"]), &[])[0]
            .message_en
            .contains("cycle")
    );
    let missing = check(&bundle("x", vec![], &["ghost"]), &[]);
    assert!(missing[0].message_en.contains("ghost does not exist"));
    // Including without a cycle is fine, and the items of both come once.
    let plus = bundle(
        "hookup+1",
        vec![item(
            "000118006000-01",
            Some("renovation"),
            Handler::Department("spj".into()),
            None,
        )],
        &["hookup"],
    );
    assert_eq!(check(&plus, &[good()]), vec![]);
    let g = good();
    let all = plus.all_items(&|code| (code == "hookup").then(|| g.clone()));
    let codes: Vec<&str> = all.iter().map(|i| i.item_code.as_str()).collect();
    assert_eq!(
        codes,
        ["000118006000-01", "HOOKUP-01"],
        "the included bundle's entry wins"
    );
}

#[test]
fn answers_select_the_conditional_items() {
    let b = good();
    let none = select(&b.items, &Answers::new());
    assert_eq!(none.len(), 1);
    let answers = Answers::from([("services".to_string(), vec!["gas".into(), "water".into()])]);
    assert_eq!(select(&b.items, &answers).len(), 2);
}

#[test]
fn materials_of_the_same_name_are_uploaded_once() {
    let items = catalog();
    let b = good();
    let chosen = vec![(&b.items[0], &items[0]), (&b.items[1], &items[1])];
    let list = combined_materials(&chosen);
    let names: Vec<&str> = list.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["建筑工程施工许可申请表", "施工合同", "用水报装申请表"]
    );
    let contract = &list[1];
    assert_eq!(contract.key, material_key("施工合同"));
    assert_eq!(material_key("施工合同").len(), 9);
    assert_ne!(material_key("施工合同"), material_key("用水报装申请表"));
    assert_eq!(
        contract.used_by,
        vec![
            ("000118006000-01".to_string(), "contract".to_string()),
            ("HOOKUP-01".to_string(), "contract".to_string())
        ]
    );
    assert!(list.iter().all(|m| m.required));
}

#[test]
fn the_combined_status_follows_the_sub_cases() {
    use CaseStatus as S;
    assert_eq!(
        BundleStatus::of(&[S::Submitted, S::Submitted]),
        BundleStatus::Submitted
    );
    assert_eq!(
        BundleStatus::of(&[S::UnderReview, S::Submitted]),
        BundleStatus::InProgress
    );
    assert_eq!(
        BundleStatus::of(&[S::UnderReview, S::ReviewSupplement]),
        BundleStatus::Supplement
    );
    assert_eq!(
        BundleStatus::of(&[S::Granted, S::Closed]),
        BundleStatus::Completed
    );
    assert_eq!(
        BundleStatus::of(&[S::Granted, S::Denied]),
        BundleStatus::PartlyCompleted
    );
    assert_eq!(
        BundleStatus::of(&[S::NotAccepted, S::Withdrawn]),
        BundleStatus::Refused
    );
    assert_eq!(
        BundleStatus::of(&[S::Granted, S::UnderReview]),
        BundleStatus::InProgress
    );
}

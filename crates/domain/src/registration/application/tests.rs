#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const ZHANG: &str = "370202198506152014";
const WANG: &str = "370203198803213027";
const CHILD: &str = "370281201005051063";
const CORP: &str = "91370203MA3QD00153";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn investor(name: &str, id: &str, amount: &str) -> Investor {
    Investor {
        kind: "natural".into(),
        name: name.into(),
        id_number: id.into(),
        uscc: String::new(),
        amount: amount.into(),
        method: "货币".into(),
        due_date: "2030-12-31".into(),
    }
}

fn person(name: &str, id: &str, position: &str) -> Person {
    Person {
        name: name.into(),
        id_number: id.into(),
        mobile: "13800000000".into(),
        position: position.into(),
    }
}

fn llc() -> RegistrationInput {
    RegistrationInput {
        organisation: "enterprise".into(),
        liability: "limited".into(),
        name: NameParts {
            region: "青岛".into(),
            trade: "海蓝".into(),
            industry: "信息技术".into(),
            form: "有限公司".into(),
            region_in_brackets: false,
        },
        scopes: vec!["I6511".into()],
        address: Address {
            region: "370202".into(),
            detail: "香港中路 1 号".into(),
        },
        capital: "100".into(),
        shareholders: vec![investor("张海", ZHANG, "60"), investor("王蓝", WANG, "40")],
        legal_representative: person("张海", ZHANG, ""),
        officers: vec![
            person("张海", ZHANG, "执行董事"),
            person("王蓝", WANG, "监事"),
        ],
        contact: person("王蓝", WANG, ""),
        ..Default::default()
    }
}

fn known(code: &str) -> bool {
    code == "I6511" || code == "H6210"
}

fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
    errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.code))
        .collect()
}

fn company() -> Requirements {
    Requirements {
        entity_kind: "llc_natural".into(),
        entity_type: "有限责任公司（自然人投资或控股）".into(),
        name_forms: vec!["有限公司".into()],
        representative_title: "法定代表人".into(),
        representative_from: "officers".into(),
        officers_required: true,
        capital_label: "注册资本".into(),
        max_investors: 50,
        min_investors: 1,
        contribution_years: 5,
    }
}

#[test]
fn a_complete_form_has_no_errors_and_gives_the_facts() {
    let (facts, errors) = check_input(&llc(), &known, today());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((facts.natural_investors, facts.legal_investors), (2, 0));
    assert!(facts.natural_control && !facts.has_uscc);
    assert!(check_requirements(&llc(), &company(), today()).is_empty());
}

#[test]
fn contributions_that_do_not_add_up_are_refused_with_both_sums() {
    let mut f = llc();
    f.shareholders[1].amount = "30.5".into();
    let (_, errors) = check_input(&f, &known, today());
    assert_eq!(
        codes(&errors),
        [("/shareholders", "CONTRIBUTIONS_MISMATCH")]
    );
    assert!(errors[0].message_zh.contains("90.5") && errors[0].message_zh.contains("100"));
    assert!(errors[0].message_en.contains("90.5"));
    // Exact decimals: 33.333333 + 33.333333 + 33.333334 is 100.
    f.capital = "100".into();
    f.shareholders = vec![
        investor("张海", ZHANG, "33.333333"),
        investor("王蓝", WANG, "33.333333"),
        investor("李青", "370211197909084134", "33.333334"),
    ];
    assert!(check_input(&f, &known, today()).1.is_empty());
}

#[test]
fn every_bad_field_is_reported_at_its_pointer() {
    let mut f = llc();
    f.organisation = "club".into();
    f.scopes = vec!["NOPE".into(), "I6511".into(), "I6511".into()];
    f.address.region = "110101".into();
    f.capital = "-5".into();
    f.shareholders[0].id_number = "370202198506152015".into();
    f.shareholders[1].method = "劳务".into();
    f.shareholders[1].due_date = "2020-01-01".into();
    f.legal_representative.mobile = "12345".into();
    f.officers[1].id_number = CHILD.into();
    f.existing_uscc = "91370203MA3QD00154".into();
    let (_, errors) = check_input(&f, &known, today());
    let got = codes(&errors);
    for want in [
        ("/organisation", "FIELD_ENUM"),
        ("/existing_uscc", "USCC_CHECK_MISMATCH"),
        ("/change_item", "FIELD_REQUIRED"),
        ("/scopes/0", "SCOPE_UNKNOWN"),
        ("/scopes/2", "SCOPE_DUPLICATE"),
        ("/address/region", "ADDRESS_REGION_INVALID"),
        ("/capital", "AMOUNT_INVALID"),
        ("/shareholders/0/id_number", "ID_NUMBER_CHECK_MISMATCH"),
        ("/shareholders/1/method", "FIELD_ENUM"),
        ("/shareholders/1/due_date", "DUE_DATE_PAST"),
        ("/officers/1/id_number", "PERSON_UNDER_AGE"),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
    assert!(
        got.iter()
            .any(|(p, _)| *p == "/legal_representative/mobile")
    );
    assert!(
        errors
            .iter()
            .all(|e| !e.message_zh.is_empty() && !e.message_en.is_empty())
    );
}

#[test]
fn a_legal_person_investor_is_counted_and_checked_by_uscc() {
    let mut f = llc();
    f.shareholders[1] = Investor {
        kind: "legal".into(),
        name: "青岛山海贸易有限公司".into(),
        uscc: CORP.into(),
        ..investor("", "", "40")
    };
    let (facts, errors) = check_input(&f, &known, today());
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((facts.natural_investors, facts.legal_investors), (1, 1));
    assert!(facts.natural_control);
    f.shareholders[0].amount = "40".into();
    f.shareholders[1].amount = "60".into();
    assert!(!check_input(&f, &known, today()).0.natural_control);
}

#[test]
fn the_representative_must_run_the_company_or_be_the_investor() {
    let mut f = llc();
    f.officers[0].position = "监事".into();
    let errors = check_requirements(&f, &company(), today());
    assert_eq!(
        codes(&errors),
        [("/legal_representative", "REPRESENTATIVE_NOT_OFFICER")]
    );
    let sole = Requirements {
        representative_title: "投资人".into(),
        representative_from: "investors".into(),
        officers_required: false,
        max_investors: 1,
        contribution_years: 0,
        ..company()
    };
    let errors = check_requirements(&f, &sole, today());
    assert_eq!(codes(&errors), [("/shareholders", "INVESTORS_COUNT")]);
    f.legal_representative = person("赵某", "370212199211305244", "");
    let errors = check_requirements(&f, &sole, today());
    assert!(codes(&errors).contains(&("/legal_representative", "REPRESENTATIVE_NOT_INVESTOR")));
}

#[test]
fn company_contributions_are_due_within_five_years() {
    let mut f = llc();
    f.shareholders[0].due_date = "2031-03-03".into();
    let errors = check_requirements(&f, &company(), today());
    assert_eq!(
        codes(&errors),
        [("/shareholders/0/due_date", "DUE_DATE_TOO_LATE")]
    );
    f.shareholders[0].due_date = "2031-03-02".into();
    assert!(check_requirements(&f, &company(), today()).is_empty());
}

#[test]
fn amounts_may_come_as_json_numbers() {
    let f: RegistrationInput = serde_json::from_value(serde_json::json!({
        "capital": 100, "shareholders": [{"amount": 60.5}, {"amount": "39.5"}]
    }))
    .unwrap();
    assert_eq!(f.capital, "100");
    assert_eq!(f.shareholders[0].amount, "60.5");
}

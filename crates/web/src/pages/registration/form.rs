//! The registration page's form fields (表单字段) ↔ [`RegistrationInput`]: flat names so that the
//! page works without JavaScript (`sh-{i}-name` for investor rows, `of-{i}-name` for officers,
//! `scope` repeated), and the field errors of the use case put back next to their inputs.

use shenpi_domain::form::FieldError;
use shenpi_domain::registration::application::{Address, Investor, Person, RegistrationInput};
use shenpi_domain::registration::name::NameParts;
use std::collections::{BTreeSet, HashMap};

/// The submitted pairs, in order.
#[derive(Debug, Clone, Default)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of `name` ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Row indices used under `prefix` (`sh`, `of`), sorted.
    pub fn rows(&self, prefix: &str) -> Vec<usize> {
        let p = format!("{prefix}-");
        let set: BTreeSet<usize> = self
            .0
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(&p)?.split('-').next()?.parse().ok())
            .filter(|i| *i < 50)
            .collect();
        set.into_iter().collect()
    }

    /// Every pair except the CSRF token and the action (to carry the form on as hidden inputs).
    pub fn carried(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(k, _)| k != "csrf" && k != "action")
            .cloned()
            .collect()
    }
}

/// One investor row as shown.
#[derive(Debug, Clone, Default)]
pub struct InvestorRow {
    pub i: usize,
    pub kind: String,
    pub name: String,
    pub id: String,
    pub amount: String,
    pub method: String,
    pub due: String,
}

/// One officer row as shown.
#[derive(Debug, Clone, Default)]
pub struct OfficerRow {
    pub i: usize,
    pub name: String,
    pub id: String,
    pub position: String,
}

/// The investor rows entered (blank rows dropped, renumbered from 0).
pub fn investor_rows(f: &Pairs) -> Vec<InvestorRow> {
    f.rows("sh")
        .into_iter()
        .map(|i| {
            let g = |x: &str| f.get(&format!("sh-{i}-{x}")).trim().to_string();
            InvestorRow {
                i,
                kind: g("kind"),
                name: g("name"),
                id: g("id"),
                amount: g("amount"),
                method: g("method"),
                due: g("due"),
            }
        })
        .filter(|r| !(r.name.is_empty() && r.id.is_empty() && r.amount.is_empty()))
        .enumerate()
        .map(|(n, r)| InvestorRow { i: n, ..r })
        .collect()
}

/// The officer rows entered (blank rows dropped, renumbered from 0).
pub fn officer_rows(f: &Pairs) -> Vec<OfficerRow> {
    f.rows("of")
        .into_iter()
        .map(|i| {
            let g = |x: &str| f.get(&format!("of-{i}-{x}")).trim().to_string();
            OfficerRow {
                i,
                name: g("name"),
                id: g("id"),
                position: g("position"),
            }
        })
        .filter(|r| !(r.name.is_empty() && r.id.is_empty()))
        .enumerate()
        .map(|(n, r)| OfficerRow { i: n, ..r })
        .collect()
}

/// The use case's input from the form.
pub fn to_input(f: &Pairs) -> RegistrationInput {
    let t = |k: &str| f.get(k).trim().to_string();
    RegistrationInput {
        organisation: t("organisation"),
        liability: if t("organisation") == "individual_business" && t("liability").is_empty() {
            "unlimited".into()
        } else {
            t("liability")
        },
        existing_uscc: t("existing_uscc"),
        change_item: t("change_item"),
        name: NameParts {
            region: t("name_region"),
            trade: t("name_trade"),
            industry: t("name_industry"),
            form: t("name_form"),
            region_in_brackets: f.get("name_brackets") == "1",
        },
        scopes: f.all("scope"),
        address: Address {
            region: t("address_region"),
            detail: t("address_detail"),
        },
        capital: t("capital"),
        shareholders: investor_rows(f)
            .into_iter()
            .map(|r| Investor {
                uscc: if r.kind == "legal" {
                    r.id.clone()
                } else {
                    String::new()
                },
                id_number: if r.kind == "legal" {
                    String::new()
                } else {
                    r.id.clone()
                },
                kind: r.kind,
                name: r.name,
                amount: r.amount,
                method: r.method,
                due_date: r.due,
            })
            .collect(),
        legal_representative: Person {
            name: t("rep_name"),
            id_number: t("rep_id"),
            mobile: t("rep_mobile"),
            position: String::new(),
        },
        officers: officer_rows(f)
            .into_iter()
            .map(|r| Person {
                name: r.name,
                id_number: r.id,
                mobile: String::new(),
                position: r.position,
            })
            .collect(),
        contact: Person {
            name: t("contact_name"),
            id_number: t("contact_id"),
            mobile: t("contact_mobile"),
            position: String::new(),
        },
        premises_commitment: f.get("premises_commitment") == "1",
    }
}

/// The form field a JSON pointer of the input stands for.
pub fn field_of(pointer: &str) -> String {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let leaf = |x: &str| match x {
        "id_number" | "uscc" => "id".to_string(),
        "due_date" => "due".to_string(),
        other => other.to_string(),
    };
    match parts.as_slice() {
        ["name", p] => format!("name_{p}"),
        ["address", p] => format!("address_{p}"),
        ["scopes", ..] => "scope".into(),
        ["shareholders", i, x] => format!("sh-{i}-{}", leaf(x)),
        ["officers", i, x] => format!("of-{i}-{}", leaf(x)),
        ["legal_representative", x] => format!("rep_{}", leaf(x)),
        ["legal_representative"] => "rep".into(),
        ["contact", x] => format!("contact_{}", leaf(x)),
        [one] => (*one).to_string(),
        _ => pointer.to_string(),
    }
}

/// Field errors by form field (the first per field), in the page's language.
pub fn errors_by_field(errors: &[FieldError], en: bool) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for e in errors {
        m.entry(field_of(&e.pointer)).or_insert_with(|| {
            if en {
                e.message_en.clone()
            } else {
                e.message_zh.clone()
            }
        });
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Pairs {
        Pairs(
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn rows_are_read_renumbered_and_blank_ones_dropped() {
        let f = pairs(&[
            ("sh-0-kind", "natural"),
            ("sh-0-name", "张海"),
            ("sh-0-amount", "60"),
            ("sh-1-kind", "natural"),
            ("sh-3-kind", "legal"),
            ("sh-3-name", "青岛山海贸易有限公司"),
            ("sh-3-id", "91370203MA3QD00153"),
            ("scope", "I6511"),
            ("scope", "H6210"),
        ]);
        let input = to_input(&f);
        assert_eq!(input.shareholders.len(), 2);
        assert_eq!(input.shareholders[1].uscc, "91370203MA3QD00153");
        assert_eq!(input.scopes, ["I6511", "H6210"]);
        assert_eq!(investor_rows(&f)[1].i, 1);
    }

    #[test]
    fn pointers_map_to_form_fields() {
        assert_eq!(field_of("/shareholders/1/id_number"), "sh-1-id");
        assert_eq!(field_of("/shareholders"), "shareholders");
        assert_eq!(field_of("/name/trade"), "name_trade");
        assert_eq!(field_of("/scopes/3"), "scope");
        assert_eq!(field_of("/officers/0/position"), "of-0-position");
        assert_eq!(field_of("/legal_representative"), "rep");
        assert_eq!(field_of("/contact/mobile"), "contact_mobile");
    }
}

//! Tables to items: one [`ServiceItem`] per row of 事项, then every row of the other sheets
//! attached to its item by code. Every row is read even when an earlier one failed, so the report
//! holds every problem; an item is kept (with placeholders) even when its row failed, so that its
//! materials and situations are not also reported as belonging to an unknown item.

use super::fields::Fields;
use super::read::{Table, Tables};
use crate::cells;
use crate::layout::ITEMS;
use crate::report::{RowError, codes};
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::item::{CaseType, Fee, HandlingKind, ItemType, OnlineLevel, Situation};
use shenpi_domain::catalog::knowledge::{
    DocTemplate, Knowledge, OpinionOutcome, OpinionPhrase, ReviewPoint,
};
use shenpi_domain::catalog::material::{Material, MaterialForm, MaterialSource};
use std::collections::HashMap;

/// An item with where its rows are, for placing the problems of the item check.
pub(crate) struct Entry {
    pub item: ServiceItem,
    /// Row of the item in 事项.
    pub row: usize,
    /// Row in 材料 of each of `item.materials`.
    pub material_rows: Vec<usize>,
    /// Row in 情形 of each of `item.situations`.
    pub situation_rows: Vec<usize>,
    /// False when a row of another sheet for this item failed and was left out.
    pub children_clean: bool,
}

struct Items {
    entries: Vec<Entry>,
    by_code: HashMap<String, usize>,
    /// False when 事项 could not be read: other rows cannot be matched to items then.
    known: bool,
}

/// Builds the items of the tables; problems go to `errors`.
pub(crate) fn assemble(tables: Tables, errors: &mut Vec<RowError>) -> Vec<Entry> {
    let [items, materials, situations, reviews, opinions, templates] = tables;
    let mut items = read_items(items.as_ref(), errors);
    attach(
        materials.as_ref(),
        &mut items,
        errors,
        material,
        |e, m, row| {
            e.item.materials.push(m);
            e.material_rows.push(row);
        },
    );
    attach(
        situations.as_ref(),
        &mut items,
        errors,
        situation,
        |e, s, row| {
            e.item.situations.push(s);
            e.situation_rows.push(row);
        },
    );
    attach(reviews.as_ref(), &mut items, errors, review, |e, r, _| {
        e.item.knowledge.review_points.push(r)
    });
    attach(opinions.as_ref(), &mut items, errors, opinion, |e, o, _| {
        e.item.knowledge.opinion_phrases.push(o)
    });
    attach(
        templates.as_ref(),
        &mut items,
        errors,
        template,
        |e, t, _| e.item.knowledge.templates.push(t),
    );
    items.entries
}

fn read_items(table: Option<&Table>, errors: &mut Vec<RowError>) -> Items {
    let mut items = Items {
        entries: vec![],
        by_code: HashMap::new(),
        known: table.is_some(),
    };
    for row in table.map(|t| t.rows.as_slice()).unwrap_or_default() {
        let item = item(&mut Fields::new(&ITEMS, row, errors));
        if let Some(&first) = items.by_code.get(&item.code) {
            let first_row = items.entries.get(first).map_or(0, |e| e.row);
            errors.push(RowError::at(
                ITEMS.name,
                row.number,
                Some("code"),
                codes::DUPLICATE_CODE,
                format!("业务办理项编码 {} 与第 {first_row} 行重复", item.code),
                format!("The code {} repeats row {first_row}", item.code),
            ));
            continue;
        }
        items.by_code.insert(item.code.clone(), items.entries.len());
        items.entries.push(Entry {
            item,
            row: row.number,
            material_rows: vec![],
            situation_rows: vec![],
            children_clean: true,
        });
    }
    items
}

/// Reads every row of a child sheet and gives each good one to its item.
fn attach<T>(
    table: Option<&Table>,
    items: &mut Items,
    errors: &mut Vec<RowError>,
    build: fn(&mut Fields) -> T,
    push: impl Fn(&mut Entry, T, usize),
) {
    let Some(table) = table else { return };
    for row in &table.rows {
        let mut f = Fields::new(table.sheet, row, errors);
        let code = f.text("item_code");
        let value = build(&mut f);
        let ok = f.ok;
        match items
            .by_code
            .get(&code)
            .and_then(|&i| items.entries.get_mut(i))
        {
            Some(entry) if ok => push(entry, value, row.number),
            Some(entry) => entry.children_clean = false,
            None if items.known => errors.push(RowError::at(
                table.sheet.name,
                row.number,
                Some("item_code"),
                codes::UNKNOWN_ITEM,
                format!("“事项”表中没有业务办理项编码为“{code}”的事项"),
                format!("No row of 事项 has the item code \"{code}\""),
            )),
            None => {}
        }
    }
}

fn item(f: &mut Fields) -> ServiceItem {
    ServiceItem {
        code: f.text("code"),
        name: f.text("name"),
        basic_code: f.text("basic_code"),
        implementation_code: f.text("implementation_code"),
        main_item: f.text("main_item"),
        sub_item: f.opt_text("sub_item"),
        handling_kind: f
            .choice("handling_kind", &cells::HANDLING_KIND)
            .unwrap_or(HandlingKind::New),
        item_type: f
            .choice("item_type", &cells::ITEM_TYPE)
            .unwrap_or(ItemType::OtherPower),
        domain: f.text("domain"),
        implementing_body: f.text("implementing_body"),
        department: f.text("department"),
        district_level: f.flag("district_level"),
        legal_basis: f
            .lines("legal_basis")
            .iter()
            .map(|l| cells::parse_basis(l))
            .collect(),
        acceptance_conditions: f.lines("acceptance_conditions"),
        statutory_limit_days: f.count("statutory_limit_days", None),
        promised_limit_days: f.count("promised_limit_days", None),
        case_type: f
            .choice("case_type", &cells::CASE_TYPE)
            .unwrap_or(CaseType::Promised),
        onsite_visits: f.count("onsite_visits", None),
        fee: Fee {
            charged: f.flag("fee_charged"),
            description: f.text("fee_description"),
            basis: f.text("fee_basis"),
        },
        online_level: f
            .choice("online_level", &cells::ONLINE_LEVEL)
            .unwrap_or(OnlineLevel::Offline),
        special_procedures: f.parsed_lines("special_procedures", cells::parse_procedure),
        process_steps: f.lines("process_steps"),
        materials: vec![],
        situations: vec![],
        faq: f.parsed_lines("faq", cells::parse_faq),
        service_object: f.text("service_object"),
        default_place: f.text("default_place"),
        default_hours: f.text("default_hours"),
        process_key: f.opt_text("process_key"),
        form_key: f.opt_text("form_key"),
        form: None,
        rules: vec![],
        knowledge: Knowledge::default(),
    }
}

fn material(f: &mut Fields) -> Material {
    let key = f.text("key");
    let name = f.text("name");
    let originals = f.count("originals", Some(0));
    let copies = f.count("copies", Some(0));
    let form = f
        .choice("form", &cells::MATERIAL_FORM)
        .unwrap_or(MaterialForm::Either);
    let always_required = f.flag("always_required");
    let kind = f.choice("source_kind", &cells::SOURCE_KIND);
    let detail = f.text("source_detail");
    let source = match kind.map(|k| k.join(detail)) {
        Some(Ok(source)) => source,
        Some(Err((zh, en))) => {
            f.fail("source_detail", codes::CELL_INVALID, zh, en);
            MaterialSource::Upload
        }
        None => MaterialSource::Upload,
    };
    Material {
        key,
        name,
        originals,
        copies,
        form,
        always_required,
        source,
        notes: f.body("notes"),
    }
}

fn situation(f: &mut Fields) -> Situation {
    Situation {
        key: f.text("key"),
        name: f.text("name"),
        description: f.body("description"),
        materials: cells::keys(&f.text("materials")),
        promised_limit_days: f.opt_count("promised_limit_days"),
    }
}

fn review(f: &mut Fields) -> ReviewPoint {
    ReviewPoint {
        step: f.required_text("step"),
        text: f.required_body("text"),
    }
}

fn opinion(f: &mut Fields) -> OpinionPhrase {
    OpinionPhrase {
        outcome: f
            .choice("outcome", &cells::OUTCOME)
            .unwrap_or(OpinionOutcome::Accept),
        text: f.required_body("text"),
    }
}

fn template(f: &mut Fields) -> DocTemplate {
    DocTemplate {
        name: f.required_text("name"),
        body: f.required_body("body"),
    }
}

//! Items to cell values, sheet by sheet, in the column order of the layout. The inverse of
//! [`super::assemble`]; the round-trip tests keep the two in step.

use crate::cells::{self, SourceKind};
use crate::layout::{
    ITEMS, MATERIALS, OPINIONS, REVIEW_POINTS, SHEETS, SITUATIONS, Sheet, TEMPLATES,
};
use shenpi_domain::catalog::ServiceItem;
use shenpi_domain::catalog::item::Situation;
use shenpi_domain::catalog::knowledge::{DocTemplate, OpinionPhrase, ReviewPoint};
use shenpi_domain::catalog::material::Material;

/// One cell to write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Number(f64),
    Empty,
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn lines(items: impl IntoIterator<Item = String>) -> Value {
    Value::Text(items.into_iter().collect::<Vec<_>>().join("\n"))
}

/// The rows of every sheet, in [`SHEETS`] order.
pub(crate) type SheetRows = [Vec<Vec<Value>>; SHEETS.len()];

/// The rows of every sheet of these items.
pub(crate) fn sheet_rows(items: &[ServiceItem]) -> SheetRows {
    let item_rows = items
        .iter()
        .map(|i| ITEMS.columns.iter().map(|c| item(i, c.key)).collect())
        .collect();
    [
        item_rows,
        children(items, &MATERIALS, |i| &i.materials, material),
        children(items, &SITUATIONS, |i| &i.situations, situation),
        children(
            items,
            &REVIEW_POINTS,
            |i| &i.knowledge.review_points,
            review,
        ),
        children(items, &OPINIONS, |i| &i.knowledge.opinion_phrases, opinion),
        children(items, &TEMPLATES, |i| &i.knowledge.templates, template),
    ]
}

/// One row per child of every item; the `item_code` column holds the item's code.
fn children<T>(
    items: &[ServiceItem],
    sheet: &Sheet,
    of: fn(&ServiceItem) -> &Vec<T>,
    value: fn(&T, &str) -> Value,
) -> Vec<Vec<Value>> {
    let mut rows = vec![];
    for item in items {
        for child in of(item) {
            let row = sheet.columns.iter().map(|c| match c.key {
                "item_code" => text(&item.code),
                key => value(child, key),
            });
            rows.push(row.collect());
        }
    }
    rows
}

fn item(i: &ServiceItem, key: &str) -> Value {
    match key {
        "code" => text(&i.code),
        "name" => text(&i.name),
        "basic_code" => text(&i.basic_code),
        "implementation_code" => text(&i.implementation_code),
        "main_item" => text(&i.main_item),
        "sub_item" => text(i.sub_item.as_deref().unwrap_or_default()),
        "handling_kind" => text(cells::HANDLING_KIND.name(i.handling_kind)),
        "item_type" => text(cells::ITEM_TYPE.name(i.item_type)),
        "domain" => text(&i.domain),
        "implementing_body" => text(&i.implementing_body),
        "department" => text(&i.department),
        "district_level" => text(cells::bool_name(i.district_level)),
        "legal_basis" => lines(i.legal_basis.iter().map(cells::basis_line)),
        "acceptance_conditions" => lines(i.acceptance_conditions.iter().cloned()),
        "statutory_limit_days" => Value::Number(i.statutory_limit_days.into()),
        "promised_limit_days" => Value::Number(i.promised_limit_days.into()),
        "case_type" => text(cells::CASE_TYPE.name(i.case_type)),
        "onsite_visits" => Value::Number(i.onsite_visits.into()),
        "fee_charged" => text(cells::bool_name(i.fee.charged)),
        "fee_description" => text(&i.fee.description),
        "fee_basis" => text(&i.fee.basis),
        "online_level" => text(cells::ONLINE_LEVEL.name(i.online_level)),
        "special_procedures" => lines(i.special_procedures.iter().map(cells::procedure_line)),
        "process_steps" => lines(i.process_steps.iter().cloned()),
        "service_object" => text(&i.service_object),
        "default_place" => text(&i.default_place),
        "default_hours" => text(&i.default_hours),
        "faq" => lines(i.faq.iter().map(cells::faq_line)),
        "process_key" => text(i.process_key.as_deref().unwrap_or_default()),
        "form_key" => text(i.form_key.as_deref().unwrap_or_default()),
        _ => Value::Empty,
    }
}

fn material(m: &Material, key: &str) -> Value {
    let (kind, detail) = SourceKind::split(&m.source);
    match key {
        "key" => text(&m.key),
        "name" => text(&m.name),
        "originals" => Value::Number(m.originals.into()),
        "copies" => Value::Number(m.copies.into()),
        "form" => text(cells::MATERIAL_FORM.name(m.form)),
        "always_required" => text(cells::bool_name(m.always_required)),
        "source_kind" => text(cells::SOURCE_KIND.name(kind)),
        "source_detail" => text(detail),
        "notes" => text(&m.notes),
        _ => Value::Empty,
    }
}

fn situation(s: &Situation, key: &str) -> Value {
    match key {
        "key" => text(&s.key),
        "name" => text(&s.name),
        "description" => text(&s.description),
        "materials" => text(&s.materials.join(",")),
        "promised_limit_days" => s
            .promised_limit_days
            .map_or(Value::Empty, |d| Value::Number(d.into())),
        _ => Value::Empty,
    }
}

fn review(r: &ReviewPoint, key: &str) -> Value {
    match key {
        "step" => text(&r.step),
        "text" => text(&r.text),
        _ => Value::Empty,
    }
}

fn opinion(o: &OpinionPhrase, key: &str) -> Value {
    match key {
        "outcome" => text(cells::OUTCOME.name(o.outcome)),
        "text" => text(&o.text),
        _ => Value::Empty,
    }
}

fn template(t: &DocTemplate, key: &str) -> Value {
    match key {
        "name" => text(&t.name),
        "body" => text(&t.body),
        _ => Value::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shenpi_domain::catalog::example::example_item;

    #[test]
    fn every_column_of_every_sheet_has_a_value_for_a_full_item() {
        let mut item = example_item();
        item.sub_item = Some("子项".into());
        item.process_key = Some("p".into());
        item.form_key = Some("f".into());
        item.fee.charged = true;
        item.fee.description = "工本费".into();
        item.fee.basis = "依据".into();
        item.special_procedures
            .push(shenpi_domain::catalog::item::SpecialProcedure {
                name: "公示".into(),
                limit_days: 5,
            });
        item.materials[0].notes = "须盖章".into();
        item.materials[0].source = shenpi_domain::catalog::material::MaterialSource::SharedData {
            dataset: "数据".into(),
        };
        item.situations[0].description = "说明".into();
        item.knowledge.templates.push(DocTemplate {
            name: "受理通知书".into(),
            body: "正文".into(),
        });
        let rows = sheet_rows(&[item]);
        for (sheet, rows) in SHEETS.iter().zip(&rows) {
            let first = rows.first().unwrap();
            for (column, value) in sheet.columns.iter().zip(first) {
                if column.key == "promised_limit_days" && sheet.name == "情形" {
                    continue;
                }
                assert_ne!(*value, Value::Empty, "{} {}", sheet.name, column.key);
                assert_ne!(
                    *value,
                    Value::Text(String::new()),
                    "{} {}",
                    sheet.name,
                    column.key
                );
            }
        }
    }
}

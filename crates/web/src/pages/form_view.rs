//! Renders an item's business form (业务表单) from its definition — no hand-written HTML per
//! item — and reads it back from the submitted page. Every value becomes one input named
//! `f:` + its JSON pointer (`f:/legal_rep/mobile`, `f:/staff/0/name`); a multiple choice gives
//! one checkbox per option (`f:/items/#2`). A repeatable group (an array of objects) shows its
//! rows plus one blank row; a blank row is dropped when read back. Values are typed from the
//! schema (numbers, yes/no); what cannot be typed is kept as text so the server-side check
//! names the field.

use serde_json::{Map, Value, json};
use shenpi_domain::form::{self, FieldError, FormDefinition, Widget};

/// The input-name prefix of form values.
pub const PREFIX: &str = "f:";

/// One input (or group) of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldView {
    /// The input name (`f:/pointer`).
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    /// `text`, `textarea`, `number`, `date`, `select`, `radio`, `checkbox` (several options),
    /// `bool` (是/否), `group`, `section` (a nested object's heading).
    pub kind: &'static str,
    pub required: bool,
    /// The current value as text (`"true"`/`"false"` for yes/no).
    pub value: String,
    /// (value, shown text, chosen) for select, radio and checkbox.
    pub options: Vec<(String, String, bool)>,
    /// The field's error message, in the page's language (filled by the caller).
    pub error_zh: String,
    pub error_en: String,
    /// Shown only when another field has a value: (its label, the value).
    pub when: Option<(String, String)>,
    /// The same condition for the page's script: the other field's input name and the value
    /// (as the input carries it: `true`/`false` for yes/no).
    pub when_field: String,
    pub when_value: String,
    /// A group's rows (each a list of fields).
    pub rows: Vec<Vec<FieldView>>,
    /// Nesting depth (0 = top level), for indentation.
    pub depth: usize,
}

struct Ctx<'a> {
    def: &'a FormDefinition,
    /// The schema with the shared data elements merged into its `$defs`.
    root: Value,
}

impl<'a> Ctx<'a> {
    fn new(def: &'a FormDefinition) -> Self {
        let root = match &def.schema {
            Value::Object(m) => {
                form::definition::with_shared_defs(m.clone()).unwrap_or_else(|_| def.schema.clone())
            }
            other => other.clone(),
        };
        Ctx { def, root }
    }

    fn deref<'b>(&'b self, s: &'b Value) -> &'b Value {
        form::definition::resolve(&self.root, s)
    }
}

/// The JSON type a schema asks for: its `type` (the first non-null one of a list), else what
/// its `enum` values are.
fn type_of(s: &Value) -> &'static str {
    let name = match s.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match name {
        Some("object") => "object",
        Some("array") => "array",
        Some("boolean") => "boolean",
        Some("number") => "number",
        Some("integer") => "integer",
        Some(_) => "string",
        None => match s
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            Some(Value::Number(_)) => "number",
            Some(Value::Bool(_)) => "boolean",
            _ => "",
        },
    }
}

fn path_of(pointer: &str) -> String {
    pointer
        .split('/')
        .filter(|p| !p.is_empty() && p.parse::<usize>().is_err())
        .collect::<Vec<_>>()
        .join("/")
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields of `def` with `values` filled in and `errors` attached, in the order of the UI
/// hints, then of the schema.
pub fn fields(def: &FormDefinition, values: &Value, errors: &[FieldError]) -> Vec<FieldView> {
    let ctx = Ctx::new(def);
    let mut out = vec![];
    object_fields(&ctx, &ctx.root, "", values, errors, 0, &mut out);
    out
}

fn object_fields(
    ctx: &Ctx,
    schema: &Value,
    pointer: &str,
    values: &Value,
    errors: &[FieldError],
    depth: usize,
    out: &mut Vec<FieldView>,
) {
    let schema = ctx.deref(schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut names: Vec<&String> = vec![];
    if pointer.is_empty() {
        for o in &ctx.def.ui.order {
            if let Some((k, _)) = props.get_key_value(o.as_str()) {
                names.push(k);
            }
        }
    }
    for k in props.keys() {
        if !names.contains(&k) {
            names.push(k);
        }
    }
    for name in names {
        let Some(sub) = props.get(name.as_str()) else {
            continue;
        };
        let p = format!("{pointer}/{name}");
        let v = values.get(name.as_str()).unwrap_or(&Value::Null);
        out.push(field(
            ctx,
            sub,
            &p,
            v,
            errors,
            required.contains(&name.as_str()),
            depth,
        ));
        let sub = ctx.deref(sub);
        if type_of(sub) == "object" {
            object_fields(ctx, sub, &p, v, errors, depth + 1, out);
        }
    }
}

fn field(
    ctx: &Ctx,
    schema: &Value,
    pointer: &str,
    value: &Value,
    errors: &[FieldError],
    required: bool,
    depth: usize,
) -> FieldView {
    let s = ctx.deref(schema);
    let path = path_of(pointer);
    let hint = ctx.def.ui.fields.get(&path);
    let name = path.rsplit('/').next().unwrap_or_default().to_string();
    let title = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
    let (label_zh, label_en) = match hint {
        Some(h) => (h.label_zh.clone(), h.label_en.clone()),
        None => (
            title("title").unwrap_or_else(|| name.clone()),
            title("x-title-en").unwrap_or(name),
        ),
    };
    let error = errors.iter().find(|e| e.pointer == pointer);
    let ty = type_of(s);
    let enumerated = |v: &Value| -> Vec<String> {
        v.get("enum")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(text_of).collect())
            .unwrap_or_default()
    };
    let mut view = FieldView {
        name: format!("{PREFIX}{pointer}"),
        label_zh,
        label_en,
        kind: "text",
        required,
        value: text_of(value),
        options: vec![],
        error_zh: error.map(|e| e.message_zh.clone()).unwrap_or_default(),
        error_en: error.map(|e| e.message_en.clone()).unwrap_or_default(),
        when: hint.and_then(|h| h.show_if.as_ref()).map(|w| {
            let other = ctx
                .def
                .ui
                .fields
                .get(&w.field)
                .map(|h| h.label_zh.clone())
                .unwrap_or_else(|| w.field.clone());
            let v = match &w.equals {
                Value::Bool(true) => "是".to_string(),
                Value::Bool(false) => "否".to_string(),
                other => text_of(other),
            };
            (other, v)
        }),
        when_field: hint
            .and_then(|h| h.show_if.as_ref())
            .map(|w| format!("{PREFIX}/{}", w.field.trim_start_matches('/')))
            .unwrap_or_default(),
        when_value: hint
            .and_then(|h| h.show_if.as_ref())
            .map(|w| text_of(&w.equals))
            .unwrap_or_default(),
        rows: vec![],
        depth,
    };
    let widget = hint.map(|h| h.widget);
    let options = enumerated(s);
    if !options.is_empty() {
        view.kind = if widget == Some(Widget::Radio) {
            "radio"
        } else {
            "select"
        };
        view.options = options
            .into_iter()
            .map(|o| {
                let chosen = o == view.value;
                (o.clone(), o, chosen)
            })
            .collect();
    } else if ty == "array" {
        let items = ctx.deref(s.get("items").unwrap_or(&Value::Null));
        let item_options = enumerated(items);
        if !item_options.is_empty() {
            view.kind = "checkbox";
            let chosen: Vec<String> = value
                .as_array()
                .map(|a| a.iter().map(text_of).collect())
                .unwrap_or_default();
            view.value = String::new();
            view.options = item_options
                .into_iter()
                .map(|o| {
                    let c = chosen.contains(&o);
                    (o.clone(), o, c)
                })
                .collect();
        } else {
            view.kind = "group";
            view.value = String::new();
            let rows = value.as_array().cloned().unwrap_or_default();
            for (i, row) in rows.iter().chain(std::iter::once(&Value::Null)).enumerate() {
                let mut cells = vec![];
                object_fields(
                    ctx,
                    items,
                    &format!("{pointer}/{i}"),
                    row,
                    errors,
                    depth + 1,
                    &mut cells,
                );
                view.rows.push(cells);
            }
        }
    } else if widget == Some(Widget::Region)
        || s.get("x-code-list").and_then(Value::as_str) == Some("region")
    {
        // The region code list (行政区划): Qingdao and its ten districts and county-level cities.
        view.kind = "select";
        let city = (
            shenpi_domain::regions::QINGDAO_CITY,
            shenpi_domain::regions::name_of(shenpi_domain::regions::QINGDAO_CITY)
                .unwrap_or("青岛市"),
        );
        view.options = std::iter::once(city)
            .chain(shenpi_domain::regions::qingdao_districts().iter().copied())
            .map(|(code, name)| {
                (
                    code.to_string(),
                    format!("{name}（{code}）"),
                    code == view.value,
                )
            })
            .collect();
    } else if ty == "object" {
        view.kind = "section";
    } else if ty == "boolean" {
        view.kind = "bool";
    } else if ty == "number" || ty == "integer" {
        view.kind = "number";
    } else if s.get("format").and_then(Value::as_str) == Some("date") {
        view.kind = "date";
    } else if widget == Some(Widget::Textarea) {
        view.kind = "textarea";
    }
    view
}

/// Reads the form back from the page's text fields (`f:/…`), typed by the schema.
pub fn read(def: &FormDefinition, fields: &std::collections::HashMap<String, String>) -> Value {
    let ctx = Ctx::new(def);
    read_object(&ctx, &ctx.root, "", fields).unwrap_or_else(|| json!({}))
}

fn read_object(
    ctx: &Ctx,
    schema: &Value,
    pointer: &str,
    fields: &std::collections::HashMap<String, String>,
) -> Option<Value> {
    let schema = ctx.deref(schema);
    let props = schema.get("properties").and_then(Value::as_object)?;
    let mut out = Map::new();
    for (name, sub) in props {
        let p = format!("{pointer}/{name}");
        if let Some(v) = read_value(ctx, sub, &p, fields) {
            out.insert(name.clone(), v);
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

fn read_value(
    ctx: &Ctx,
    schema: &Value,
    pointer: &str,
    fields: &std::collections::HashMap<String, String>,
) -> Option<Value> {
    let s = ctx.deref(schema);
    let ty = type_of(s);
    let raw = fields
        .get(&format!("{PREFIX}{pointer}"))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    match ty {
        "object" => read_object(ctx, s, pointer, fields),
        "array" => {
            let items = ctx.deref(s.get("items").unwrap_or(&Value::Null));
            if let Some(options) = items.get("enum").and_then(Value::as_array) {
                let chosen: Vec<Value> = options
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| fields.contains_key(&format!("{PREFIX}{pointer}/#{i}")))
                    .map(|(_, o)| o.clone())
                    .collect();
                return (!chosen.is_empty()).then_some(Value::Array(chosen));
            }
            // The rows sent, by index (a row whose choices were all left open sends nothing
            // and is simply skipped, not the rows after it).
            let prefix = format!("{PREFIX}{pointer}/");
            let indices: std::collections::BTreeSet<usize> = fields
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .filter_map(|rest| rest.split('/').next()?.parse().ok())
                .collect();
            let mut rows = vec![];
            for i in indices {
                if let Some(row) = read_object(ctx, items, &format!("{pointer}/{i}"), fields) {
                    rows.push(row);
                }
            }
            (!rows.is_empty()).then_some(Value::Array(rows))
        }
        "boolean" => raw.map(|v| match v.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(v),
        }),
        "number" | "integer" => raw.map(|v| {
            v.parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| {
                    v.parse::<f64>()
                        .ok()
                        .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                })
                .unwrap_or(Value::String(v))
        }),
        _ => raw.map(Value::String),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn def() -> FormDefinition {
        serde_json::from_value(json!({"schema": {"type": "object", "properties": {
            "capital": {"type": ["number", "null"]},
            "level": {"enum": [1, 2, 3]},
            "people": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "agrees": {"type": "boolean"}}}}
        }}}))
        .unwrap()
    }

    #[test]
    fn values_are_typed_by_the_schema_and_rows_survive_gaps() {
        let fields: HashMap<String, String> = [
            ("f:/capital", "1000000"),
            ("f:/level", "2"),
            ("f:/people/0/name", "张测试"),
            // Row 1 sent nothing (its only choice left open); row 2 must still come through.
            ("f:/people/2/name", "李示例"),
            ("f:/people/2/agrees", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = read(&def(), &fields);
        assert_eq!(v["capital"], 1000000);
        assert_eq!(v["level"], 2);
        assert_eq!(
            v["people"],
            json!([{"name": "张测试"}, {"name": "李示例", "agrees": true}])
        );
        let views = fields_of_def();
        assert_eq!(
            views.iter().find(|f| f.name == "f:/capital").unwrap().kind,
            "number"
        );
    }

    fn fields_of_def() -> Vec<FieldView> {
        fields(&def(), &json!({}), &[])
    }
}

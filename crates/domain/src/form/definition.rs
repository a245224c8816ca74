//! A form definition (表单定义): a JSON Schema (draft 2020-12) for the data and UI hints for the
//! pages (labels in zh and en, field order, widgets, conditional fields, code lists). Compiling
//! it checks the schema, merges the shared data elements into its `$defs`, refuses references to
//! other documents and checks that every UI hint names a field the schema has.

use super::elements::{FORMATS, shared_defs};
use super::errors::{FieldError, escape_segment, field_error};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The only dialect a form may declare in `$schema`.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// How a field is entered (控件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    #[default]
    Text,
    Textarea,
    Number,
    Date,
    Select,
    Radio,
    Checkbox,
    /// An uploaded file (a material).
    File,
    /// A region picker over the code list of regions.
    Region,
    /// A repeatable group (an array of objects, such as shareholders).
    Group,
}

impl Widget {
    fn is_text(&self) -> bool {
        *self == Widget::Text
    }
}

/// Shows a field only when another field has a given value (条件显示).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShowIf {
    /// Path of the other field (`/`-separated property names, e.g. `entity/type`).
    pub field: String,
    pub equals: Value,
}

/// UI hints of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FieldHint {
    pub label_zh: String,
    pub label_en: String,
    /// How the value is entered; a plain text box when left out.
    #[serde(default, skip_serializing_if = "Widget::is_text")]
    pub widget: Widget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<ShowIf>,
    /// A code list the options come from (`region`, `industry`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_list: Option<String>,
    /// Where the field is filled from while it is empty (免填写).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
}

/// The source of a prefilled field: the applicant's own account, or a registry record whose
/// key is in a sibling field (the legal representative's ID number, a shareholder's …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefill {
    /// `applicant`, or a registry: `enterprise`, `person`, `expert`, `project`.
    pub from: String,
    /// For a registry: the sibling field (in the same object or group row) holding the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The field of the record (dotted path, e.g. `name`, `legal_representative`); for
    /// `applicant`: `uscc`, `enterprise_name`, `name`, `id_number` or `mobile`.
    pub field: String,
}

/// The applicant's account fields a form may be prefilled from.
pub const APPLICANT_FIELDS: [&str; 5] = ["uscc", "enterprise_name", "name", "id_number", "mobile"];

/// The UI hints of a form, by field path (`name`, `shareholders/id_number`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct UiHints {
    /// Top-level fields in the order the page shows them; the rest follow in schema order.
    #[serde(default)]
    pub order: Vec<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, FieldHint>,
}

/// A form as stored with an item version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDefinition {
    pub schema: Value,
    #[serde(default)]
    pub ui: UiHints,
}

/// Why a form definition cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the form schema must be a JSON object")]
    NotAnObject,
    #[error("the form declares $schema {0}; forms use JSON Schema draft 2020-12")]
    WrongDraft(String),
    #[error("the form refers to another document ({0}); only local references (#/...) resolve")]
    RemoteRef(String),
    #[error("the form schema does not compile: {0}")]
    Schema(String),
    #[error("the UI hint {0} names no field of the schema")]
    UnknownField(String),
    #[error(
        "the prefill of {0} needs `from` applicant (with a known account field) or a registry with a sibling `key` field"
    )]
    BadPrefill(String),
}

impl FormError {
    /// The reason in Chinese.
    pub fn reason_zh(&self) -> String {
        match self {
            FormError::NotAnObject => "表单定义必须是 JSON 对象".into(),
            FormError::WrongDraft(d) => {
                format!("表单声明的 $schema 为 {d}，平台只支持 JSON Schema 2020-12")
            }
            FormError::RemoteRef(r) => {
                format!("表单引用了外部文档 {r}；只能引用本表单内（#/…）或共享数据元")
            }
            FormError::Schema(e) => format!("表单结构定义无法编译：{e}"),
            FormError::UnknownField(f) => format!("界面提示 {f} 指向的字段在表单中不存在"),
            FormError::BadPrefill(f) => format!(
                "字段 {f} 的预填设置有误：来源须为 applicant（本人账号字段）或共享数据源（并指明同级的键字段）"
            ),
        }
    }
}

/// A compiled form: validates data many times.
pub struct Form {
    definition: FormDefinition,
    schema: Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("definition", &self.definition)
            .finish_non_exhaustive()
    }
}

/// `root` (a form schema) with the shared data elements merged into its `$defs`; the form's own
/// entry of a name wins.
pub fn with_shared_defs(mut root: Map<String, Value>) -> Result<Value, FormError> {
    let mut defs: Map<String, Value> = match shared_defs() {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    match root.remove("$defs") {
        Some(Value::Object(own)) => defs.extend(own),
        Some(_) => return Err(FormError::Schema("$defs must be an object".into())),
        None => {}
    }
    root.insert("$defs".into(), Value::Object(defs));
    Ok(Value::Object(root))
}

/// Follows the local `$ref`s of `s` within `root` (at most 8 in a row); a reference that leads
/// nowhere leaves `s` as it is.
pub fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => match root.pointer(r.trim_start_matches('#')) {
                Some(target) => s = target,
                None => return s,
            },
            None => return s,
        }
    }
    s
}

/// Every `$ref` in `v` that does not start with `#`.
fn remote_ref(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref")
                && !r.starts_with('#')
            {
                return Some(r.clone());
            }
            m.values().find_map(remote_ref)
        }
        Value::Array(a) => a.iter().find_map(remote_ref),
        _ => None,
    }
}

impl Form {
    /// Compiles a definition.
    pub fn compile(definition: FormDefinition) -> Result<Form, FormError> {
        let Value::Object(root) = definition.schema.clone() else {
            return Err(FormError::NotAnObject);
        };
        match root.get("$schema") {
            None => {}
            Some(Value::String(s)) if s.trim_end_matches('#') == DRAFT_2020_12 => {}
            Some(other) => return Err(FormError::WrongDraft(other.to_string())),
        }
        if let Some(r) = remote_ref(&Value::Object(root.clone())) {
            return Err(FormError::RemoteRef(r));
        }
        let schema = with_shared_defs(root)?;
        let mut options = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true);
        for (name, kind) in FORMATS {
            options = options.with_format(name, move |s: &str| kind.validate(s).is_ok());
        }
        let validator = options
            .build(&schema)
            .map_err(|e| FormError::Schema(e.to_string()))?;
        let form = Form {
            definition,
            schema,
            validator,
        };
        for path in form
            .definition
            .ui
            .fields
            .keys()
            .chain(form.definition.ui.order.iter())
        {
            if form.field_schema(path).is_none() {
                return Err(FormError::UnknownField(path.clone()));
            }
        }
        for (path, hint) in &form.definition.ui.fields {
            if let Some(s) = &hint.show_if
                && form.field_schema(&s.field).is_none()
            {
                return Err(FormError::UnknownField(s.field.clone()));
            }
            if let Some(p) = &hint.prefill {
                let ok = match (p.from.as_str(), &p.key) {
                    ("applicant", None) => APPLICANT_FIELDS.contains(&p.field.as_str()),
                    ("enterprise" | "person" | "expert" | "project", Some(key)) => {
                        let sibling = match path.rsplit_once('/') {
                            Some((parent, _)) => format!("{parent}/{key}"),
                            None => key.clone(),
                        };
                        form.field_schema(&sibling).is_some() && !p.field.trim().is_empty()
                    }
                    _ => false,
                };
                if !ok {
                    return Err(FormError::BadPrefill(path.clone()));
                }
            }
        }
        Ok(form)
    }

    /// The definition it was compiled from.
    pub fn definition(&self) -> &FormDefinition {
        &self.definition
    }

    /// Follows a local `$ref` (one level of `#/$defs/...` at a time).
    fn deref<'a>(&'a self, s: &'a Value) -> &'a Value {
        resolve(&self.schema, s)
    }

    /// The schema of the field at `path` (`/`-separated property names; arrays are stepped
    /// through), with references followed.
    pub fn field_schema(&self, path: &str) -> Option<&Value> {
        let mut s = self.deref(&self.schema);
        for name in path.split('/').filter(|p| !p.is_empty()) {
            if s.get("type").and_then(Value::as_str) == Some("array") {
                s = self.deref(s.get("items")?);
            }
            s = self.deref(s.get("properties")?.get(name)?);
        }
        Some(s)
    }

    /// The label of the value at `pointer` in zh and en: its UI hint's, else its schema title
    /// (`title`, `x-title-en`), else its property name.
    fn label(&self, pointer: &str) -> (String, String) {
        let path: Vec<&str> = pointer
            .split('/')
            .filter(|p| !p.is_empty() && p.parse::<usize>().is_err())
            .collect();
        let path = path.join("/");
        if let Some(h) = self.definition.ui.fields.get(&path) {
            return (h.label_zh.clone(), h.label_en.clone());
        }
        let name = path.rsplit('/').next().unwrap_or_default().to_string();
        let schema = self.field_schema(&path);
        let title = |key: &str| {
            schema
                .and_then(|s| s.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        (
            title("title").unwrap_or_else(|| name.clone()),
            title("x-title-en").unwrap_or(name),
        )
    }

    /// Validates `data`: every problem, one error per field, in pointer order.
    pub fn validate(&self, data: &Value) -> Result<(), Vec<FieldError>> {
        let mut errors: Vec<FieldError> = vec![];
        for e in self.validator.iter_errors(data) {
            let pointer = e.instance_path().as_str().to_string();
            let kind = e.kind();
            let target = match kind {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    format!(
                        "{pointer}/{}",
                        escape_segment(property.as_str().unwrap_or_default())
                    )
                }
                _ => pointer.clone(),
            };
            let (zh, en) = self.label(&target);
            let fe = field_error(kind, &pointer, (&zh, &en), e.instance());
            if !errors.iter().any(|x| x.pointer == fe.pointer) {
                errors.push(fe);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            errors.sort_by(|a, b| a.pointer.cmp(&b.pointer));
            Err(errors)
        }
    }
}

//! Field errors (字段校验错误): one per problem, at the JSON pointer of the value, with a stable
//! code and the reason in zh-CN and English. Values of the platform's own kinds (统一社会信用代码,
//! 身份证号, 手机号, 行政区划) carry the specific reason of their validator (a wrong check digit, an
//! unknown region), not just "bad format".

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::Serialize;
use serde_json::Value;

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// JSON pointer of the value (RFC 6901), e.g. `/shareholders/1/id_number`; `""` is the form.
    pub pointer: String,
    /// Stable code, e.g. `FIELD_REQUIRED`, `FIELD_TOO_LONG`, `USCC_CHECK_MISMATCH`.
    pub code: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

/// Escapes one JSON-pointer segment (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn type_name(t: &TypeKind) -> (String, String) {
    let zh = |s: &str| match s {
        "string" => "文本",
        "number" => "数字",
        "integer" => "整数",
        "boolean" => "是/否",
        "array" => "列表",
        "object" => "对象",
        "null" => "空值",
        _ => "值",
    };
    match t {
        TypeKind::Single(j) => {
            let en = j.to_string();
            (zh(&en).to_string(), en)
        }
        TypeKind::Multiple(set) => {
            let en: Vec<String> = set.iter().map(|j| j.to_string()).collect();
            (
                en.iter().map(|s| zh(s)).collect::<Vec<_>>().join("或"),
                en.join(" or "),
            )
        }
    }
}

fn num(v: &Value) -> String {
    v.to_string()
}

/// The error for one schema violation at `pointer`; `label` names the field (its UI label or
/// schema title, else its property name; in zh and en); `value` is the offending value.
pub(crate) fn field_error(
    kind: &ValidationErrorKind,
    pointer: &str,
    (label, label_en): (&str, &str),
    value: &Value,
) -> FieldError {
    use ValidationErrorKind as K;
    let at = |code, zh: String, en: String| FieldError {
        pointer: pointer.to_string(),
        code,
        message_zh: zh,
        message_en: en,
    };
    match kind {
        K::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            FieldError {
                pointer: format!("{pointer}/{}", escape_segment(name)),
                code: "FIELD_REQUIRED",
                message_zh: format!("请填写“{label}”"),
                message_en: format!("“{label_en}” is required"),
            }
        }
        K::Type { kind } => {
            let (zh, en) = type_name(kind);
            at(
                "FIELD_TYPE",
                format!("“{label}”应为{zh}"),
                format!("“{label_en}” must be a {en}"),
            )
        }
        K::MinLength { limit } => at(
            "FIELD_TOO_SHORT",
            format!("“{label}”至少 {limit} 个字符"),
            format!("“{label_en}” needs at least {limit} characters"),
        ),
        K::MaxLength { limit } => at(
            "FIELD_TOO_LONG",
            format!("“{label}”最多 {limit} 个字符"),
            format!("“{label_en}” takes at most {limit} characters"),
        ),
        K::Pattern { .. } => at(
            "FIELD_PATTERN",
            format!("“{label}”的格式不正确"),
            format!("“{label_en}” is not in the expected form"),
        ),
        K::Format { format } => {
            let checked = super::elements::FORMATS
                .iter()
                .find(|(name, _)| name == format)
                .and_then(|(_, kind)| kind.validate(value.as_str().unwrap_or_default()).err());
            match checked {
                Some(e) => at(
                    e.code,
                    format!("“{label}”：{}", e.reason_zh),
                    format!("“{label_en}”: {}", e.reason_en),
                ),
                None if format == "date" => at(
                    "FIELD_DATE",
                    format!("“{label}”应为日期，格式如 2026-11-28"),
                    format!("“{label_en}” must be a date such as 2026-11-28"),
                ),
                None => at(
                    "FIELD_FORMAT",
                    format!("“{label}”的格式不正确（{format}）"),
                    format!("“{label_en}” is not a valid {format}"),
                ),
            }
        }
        K::Enum { .. } | K::Constant { .. } => at(
            "FIELD_NOT_ALLOWED",
            format!("“{label}”请从给定选项中选择"),
            format!("“{label_en}” must be one of the given options"),
        ),
        K::Minimum { limit } | K::ExclusiveMinimum { limit } => at(
            "FIELD_TOO_SMALL",
            format!("“{label}”不能小于 {}", num(limit)),
            format!("“{label_en}” must not be below {}", num(limit)),
        ),
        K::Maximum { limit } | K::ExclusiveMaximum { limit } => at(
            "FIELD_TOO_LARGE",
            format!("“{label}”不能大于 {}", num(limit)),
            format!("“{label_en}” must not exceed {}", num(limit)),
        ),
        K::MinItems { limit } => at(
            "FIELD_TOO_FEW",
            format!("“{label}”至少需要 {limit} 项"),
            format!("“{label_en}” needs at least {limit} entries"),
        ),
        K::MaxItems { limit } => at(
            "FIELD_TOO_MANY",
            format!("“{label}”最多 {limit} 项"),
            format!("“{label_en}” takes at most {limit} entries"),
        ),
        K::UniqueItems => at(
            "FIELD_DUPLICATE",
            format!("“{label}”中有重复项"),
            format!("“{label_en}” has duplicate entries"),
        ),
        K::AdditionalProperties { unexpected } | K::UnevaluatedProperties { unexpected } => {
            let name = unexpected.first().cloned().unwrap_or_default();
            FieldError {
                pointer: format!("{pointer}/{}", escape_segment(&name)),
                code: "FIELD_UNKNOWN",
                message_zh: format!("表单中没有“{name}”这一项"),
                message_en: format!("the form has no field “{name}”"),
            }
        }
        _ => at(
            "FIELD_INVALID",
            format!("“{label}”填写不符合要求"),
            format!("“{label_en}” is not valid"),
        ),
    }
}

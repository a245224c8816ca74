//! Shared data elements (共享数据元): definitions every form reuses instead of redefining them —
//! 统一社会信用代码, 公民身份号码, 手机号码, 行政区划代码, 地址 (region code + detail), 金额 and
//! 日期. They are merged into each form's `$defs` at compile time, so `{"$ref": "#/$defs/uscc"}`
//! works in any form; a form's own `$defs` entry of the same name wins.

use crate::validate::ValueKind;
use serde_json::{Value, json};

/// The `format` names the platform checks with its own validators, and the kind behind each.
pub const FORMATS: [(&str, ValueKind); 4] = [
    ("uscc", ValueKind::Uscc),
    ("id-number", ValueKind::IdNumber),
    ("mobile", ValueKind::Mobile),
    ("region-code", ValueKind::Region),
];

/// The shared elements as a `$defs` object.
pub fn shared_defs() -> Value {
    json!({
        "uscc": {
            "title": "统一社会信用代码", "x-title-en": "Unified social credit code",
            "type": "string", "format": "uscc", "maxLength": 18
        },
        "id_number": {
            "title": "公民身份号码", "x-title-en": "Resident ID number",
            "type": "string", "format": "id-number", "maxLength": 18
        },
        "mobile": {
            "title": "手机号码", "x-title-en": "Mobile number",
            "type": "string", "format": "mobile", "maxLength": 14
        },
        "region_code": {
            "title": "行政区划", "x-title-en": "Region",
            "type": "string", "format": "region-code", "x-code-list": "region"
        },
        "address": {
            "title": "地址", "x-title-en": "Address",
            "type": "object",
            "properties": {
                "region": {"$ref": "#/$defs/region_code"},
                "detail": {"title": "详细地址", "x-title-en": "Street address",
                           "type": "string", "minLength": 2, "maxLength": 200}
            },
            "required": ["region", "detail"],
            "additionalProperties": false
        },
        "amount": {
            "title": "金额（元）", "x-title-en": "Amount (CNY)",
            "type": "number", "minimum": 0, "maximum": 1_000_000_000_000_i64
        },
        "date": {
            "title": "日期", "x-title-en": "Date",
            "type": "string", "format": "date"
        },
        "person_name": {
            "title": "姓名", "x-title-en": "Name",
            "type": "string", "minLength": 1, "maxLength": 50
        }
    })
}

//! The OpenAPI 3 document at `/api/openapi.json`, generated from the route table so it always
//! lists every API route with its access rule.

use crate::guard::Access;
use crate::routes::{Kind, table};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use shenpi_domain::error::ErrorCode;

/// `GET /api/openapi.json`
pub async fn document() -> impl IntoResponse {
    axum::Json(build())
}

/// Builds the document.
pub fn build() -> Value {
    let mut paths = Map::new();
    for spec in table() {
        if spec.kind == Kind::Page {
            continue;
        }
        let mut params = vec![];
        for seg in spec.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
            }
        }
        let (security, access) = match spec.access {
            Access::Public => (json!([]), "public".to_string()),
            Access::Signed(a) => (
                json!([{"bearerAuth": []}]),
                format!(
                    "{} — roles: {}",
                    a.as_str(),
                    a.roles()
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        };
        let mut op = json!({
            "summary": spec.summary,
            "description": format!("Access: {access}"),
            "tags": [tag_of(spec.path)],
            "security": security,
            "parameters": params,
            "responses": {
                "200": {"description": "OK"},
                "4XX": {"description": "Client error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            }
        });
        if let Some(body) = spec.body {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": body()}}});
        }
        let entry = paths
            .entry(spec.path.to_string())
            .or_insert_with(|| json!({}));
        entry[spec.method.as_str().to_lowercase()] = op;
    }
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.code).collect();
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "shenpi 智慧审批平台 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Errors are {code, message_zh, message_en, details} with stable codes. \
                            Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer <token>`."
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message_zh", "message_en", "details"],
                    "properties": {
                        "code": {"type": "string", "enum": codes},
                        "message_zh": {"type": "string"},
                        "message_en": {"type": "string"},
                        "details": {"type": "object"}
                    }
                }
            }
        }
    })
}

fn tag_of(path: &str) -> &'static str {
    if path.starts_with("/api/v1/auth") || path.starts_with("/api/v1/me") {
        "auth"
    } else if path.starts_with("/api/v1/users") || path.starts_with("/api/v1/security") {
        "accounts"
    } else if path.starts_with("/api/v1/audit") {
        "audit"
    } else if path.starts_with("/api/v1/items")
        || path.starts_with("/api/v1/proposals")
        || path.starts_with("/api/v1/catalog")
        || path.starts_with("/api/v1/search")
    {
        "catalog"
    } else if path.starts_with("/api/v1/cases")
        || path.starts_with("/api/v1/materials")
        || path.starts_with("/api/v1/tasks")
        || path.starts_with("/api/v1/processes")
    {
        "cases"
    } else if path.starts_with("/api/v1/calendar") {
        "calendar"
    } else if path.starts_with("/api/v1") {
        "reference"
    } else {
        "operations"
    }
}

/// Request-body schemas.
pub mod schemas {
    use serde_json::{Value, json};

    fn obj(required: &[&str], props: Value) -> Value {
        json!({"type": "object", "required": required, "properties": props})
    }

    pub fn login() -> Value {
        obj(
            &["username", "password"],
            json!({
                "username": {"type": "string"}, "password": {"type": "string"},
                "totp": {"type": "string", "description": "6-digit code, required for administrators"}
            }),
        )
    }
    pub fn register() -> Value {
        obj(
            &[
                "username",
                "password",
                "kind",
                "name",
                "id_number",
                "mobile",
            ],
            json!({
                "username": {"type": "string"}, "password": {"type": "string"},
                "kind": {"type": "string", "enum": ["citizen", "enterprise"]},
                "name": {"type": "string"}, "id_number": {"type": "string"}, "mobile": {"type": "string"},
                "uscc": {"type": "string"}, "enterprise_name": {"type": "string"}
            }),
        )
    }
    pub fn password() -> Value {
        obj(
            &["current_password", "new_password"],
            json!({
                "current_password": {"type": "string"}, "new_password": {"type": "string"}
            }),
        )
    }
    pub fn totp() -> Value {
        obj(&["code"], json!({"code": {"type": "string"}}))
    }
    pub fn new_user() -> Value {
        obj(
            &[
                "username",
                "display_name",
                "password",
                "roles",
                "region_code",
            ],
            json!({
                "username": {"type": "string"}, "display_name": {"type": "string"},
                "password": {"type": "string"},
                "roles": {"type": "array", "items": {"type": "string"}},
                "region_code": {"type": "string"}, "department_id": {"type": "string"},
                "mobile": {"type": "string"}, "id_number": {"type": "string"}
            }),
        )
    }
    pub fn proposal() -> Value {
        obj(
            &["operation", "title", "effective_from"],
            json!({
                "operation": {"type": "string", "enum": ["add", "change", "split", "merge", "suspend", "cancel"]},
                "title": {"type": "string"}, "reason": {"type": "string"},
                "targets": {"type": "array", "items": {"type": "string"}, "description": "codes of existing items"},
                "drafts": {"type": "array", "items": {"type": "object"}, "description": "full item standards (see GET /api/v1/items/{code})"},
                "effective_from": {"type": "string", "format": "date"}
            }),
        )
    }
    pub fn review() -> Value {
        obj(
            &["decision"],
            json!({"decision": {"type": "string", "enum": ["approve", "return"]}, "comment": {"type": "string"}}),
        )
    }
    pub fn override_() -> Value {
        obj(&["reason"], json!({"reason": {"type": "string"}}))
    }
    pub fn calendar_year() -> Value {
        obj(
            &["year", "holidays", "workdays"],
            json!({
                "year": {"type": "integer"},
                "holidays": {"type": "array", "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "from": {"type": "string", "format": "date"},
                    "to": {"type": "string", "format": "date"}}}},
                "workdays": {"type": "array", "items": {"type": "string", "format": "date"}}
            }),
        )
    }
}

//! What a change does, field by field: a structural diff of two item standards (or any JSON).
//! Lists of objects with a `key` are compared by key, other lists by position.

use serde::Serialize;
use serde_json::Value;

/// One changed field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Path, e.g. `materials[business-licence].name`.
    pub path: String,
    /// None when added.
    pub old: Option<Value>,
    /// None when removed.
    pub new: Option<Value>,
}

/// The changes from `old` to `new`.
pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = vec![];
    walk("", old, new, &mut out);
    out
}

fn keyed(list: &[Value]) -> Option<Vec<(&str, &Value)>> {
    list.iter()
        .map(|v| v.get("key").and_then(Value::as_str).map(|k| (k, v)))
        .collect()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = join(path, k);
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(&p, x, y, out),
                    (Some(x), None) => out.push(FieldChange {
                        path: p,
                        old: Some(x.clone()),
                        new: None,
                    }),
                    (None, Some(y)) => out.push(FieldChange {
                        path: p,
                        old: None,
                        new: Some(y.clone()),
                    }),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => match (keyed(a), keyed(b)) {
            (Some(ka), Some(kb)) => {
                for (k, x) in &ka {
                    let p = format!("{path}[{k}]");
                    match kb.iter().find(|(k2, _)| k2 == k) {
                        Some((_, y)) => walk(&p, x, y, out),
                        None => out.push(FieldChange {
                            path: p,
                            old: Some((*x).clone()),
                            new: None,
                        }),
                    }
                }
                for (k, y) in &kb {
                    if !ka.iter().any(|(k2, _)| k2 == k) {
                        out.push(FieldChange {
                            path: format!("{path}[{k}]"),
                            old: None,
                            new: Some((*y).clone()),
                        });
                    }
                }
            }
            _ => {
                let n = a.len().max(b.len());
                for i in 0..n {
                    let p = format!("{path}[{i}]");
                    match (a.get(i), b.get(i)) {
                        (Some(x), Some(y)) => walk(&p, x, y, out),
                        (Some(x), None) => out.push(FieldChange {
                            path: p,
                            old: Some(x.clone()),
                            new: None,
                        }),
                        (None, Some(y)) => out.push(FieldChange {
                            path: p,
                            old: None,
                            new: Some(y.clone()),
                        }),
                        (None, None) => {}
                    }
                }
            }
        },
        (x, y) if x != y => out.push(FieldChange {
            path: path.to_string(),
            old: Some(x.clone()),
            new: Some(y.clone()),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_added_and_removed_fields_are_listed_with_paths() {
        let old = json!({"name": "A", "promised_limit_days": 10, "materials": [{"key": "a", "name": "申请书"}, {"key": "b", "name": "营业执照"}]});
        let new = json!({"name": "A", "promised_limit_days": 5, "materials": [{"key": "b", "name": "营业执照副本"}, {"key": "c", "name": "承诺书"}]});
        let d = diff(&old, &new);
        let paths: Vec<&str> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "materials[a]",
                "materials[b].name",
                "materials[c]",
                "promised_limit_days"
            ]
        );
        assert_eq!(d[3].old, Some(json!(10)));
        assert_eq!(d[3].new, Some(json!(5)));
        assert!(d[0].new.is_none() && d[2].old.is_none());
    }

    #[test]
    fn identical_values_have_no_diff() {
        let v = json!({"a": [1, 2, {"b": null}]});
        assert!(diff(&v, &v).is_empty());
    }
}

//! No re-typing (免填写) and zero materials (免提交).
//!
//! - [`App::prefill_draft`]: fills the empty fields of an applicant's draft from their account
//!   and from the shared-data registries, for the applicant and for the other parties the form
//!   names (legal representative, shareholders …). Which fields, and from where, is the item's
//!   form configuration (`FieldHint::prefill`). The authorised purpose is the applicant's own
//!   open application (the draft) for an item whose form lists the field; it is recorded with
//!   every pull, and nothing is fetched for a field the form does not list.
//! - [`App::fetch_shared_materials`]: at submission, every material whose source is shared data
//!   or an electronic certificate is fetched and attached to the case with its provenance
//!   (data set, record, when, found or not); a commitment (告知承诺) is recorded as signed. The
//!   applicant saw the list on the apply page and confirmed it.

use crate::datasources::{DataPull, Purpose};
use crate::drafts::{DraftContent, DraftView};
use crate::policy::{Action, authorize};
use crate::{App, AppError, Principal, RequestMeta};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shenpi_domain::catalog::item::ServiceItem;
use shenpi_domain::catalog::material::MaterialSource;
use shenpi_domain::mask::mask_name;
use shenpi_domain::registry::{Record, RegistryKind};
use shenpi_store::model::User;
use std::collections::HashMap;

/// A field the prefill filled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilledField {
    /// JSON pointer of the field in the form.
    pub pointer: String,
    pub label: String,
    pub value: Value,
    /// 本人账号, or the data set's name.
    pub source: String,
}

/// A material the platform fetched instead of the applicant (免提交), with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedMaterial {
    pub key: String,
    pub name: String,
    /// 数据共享获取, 电子证照调用 or 告知承诺.
    pub source_zh: String,
    /// The data set or certificate type.
    pub dataset: String,
    pub found: bool,
    /// What was found, in a line (personal names masked).
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn is_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// JSON pointers of the objects at `path` (`/`-separated names; arrays are stepped through).
fn objects_at(v: &Value, path: &[&str], at: String, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                objects_at(item, path, format!("{at}/{i}"), out);
            }
        }
        Value::Object(m) => match path.split_first() {
            None => out.push(at),
            Some((first, rest)) => {
                if let Some(next) = m.get(*first) {
                    objects_at(next, rest, format!("{at}/{first}"), out);
                }
            }
        },
        _ => {}
    }
}

/// The value at a dotted path of a record.
fn record_field(record: &Value, field: &str) -> Option<Value> {
    let mut v = record;
    for part in field.split('.') {
        v = v.get(part)?;
    }
    (!v.is_null()).then(|| v.clone())
}

fn applicant_field(u: &User, field: &str) -> Option<Value> {
    let v = match field {
        "uscc" => u.uscc.clone(),
        "enterprise_name" => u.enterprise_name.clone(),
        "name" => Some(u.display_name.clone()),
        "id_number" => u.id_number.clone(),
        "mobile" => u.mobile.clone(),
        _ => None,
    };
    v.filter(|s| !s.is_empty()).map(Value::String)
}

impl App {
    /// Fills the empty fields of the caller's draft `draft_id` from their account and the
    /// registries, stores the draft, and says what was filled.
    pub async fn prefill_draft(
        &self,
        p: &Principal,
        draft_id: &str,
        meta: &RequestMeta,
    ) -> Result<(DraftView, Vec<FilledField>), AppError> {
        authorize(p, Action::CaseApply, None)?;
        let draft = self.draft(p, draft_id).await?;
        let effective = self
            .catalog_item(&draft.content.item_code, &draft.content.region)
            .await?;
        let item = &effective.version.item;
        let Some(def) = item.form_for(draft.content.situation.as_deref()) else {
            return Ok((draft, vec![]));
        };
        let mut form = match &draft.content.form {
            Value::Object(m) => Value::Object(m.clone()),
            _ => Value::Object(Map::new()),
        };
        let purpose = Purpose {
            case_id: None,
            reason: format!("申请预填（{} 草稿 {}）", item.code, draft.id),
        };
        let mut filled = vec![];
        let mut pulls: Vec<DataPull> = vec![];
        let mut records: HashMap<(RegistryKind, String), Option<Value>> = HashMap::new();
        // The applicant's own fields first: a registry look-up may be keyed by one (the USCC).
        let mut hints: Vec<_> = def
            .ui
            .fields
            .iter()
            .filter_map(|(path, h)| h.prefill.as_ref().map(|p| (path, h, p)))
            .collect();
        hints.sort_by_key(|(_, _, p)| p.from != "applicant");
        for (path, hint, pre) in hints {
            let segments: Vec<&str> = path.split('/').collect();
            let Some((leaf, parent)) = segments.split_last() else {
                continue;
            };
            let mut parents = vec![];
            objects_at(&form, parent, String::new(), &mut parents);
            for at in parents {
                let Some(obj) = form.pointer(&at) else {
                    continue;
                };
                if !is_empty(obj.get(*leaf)) {
                    continue;
                }
                let (value, source) = if pre.from == "applicant" {
                    (applicant_field(&p.user, &pre.field), "本人账号".to_owned())
                } else {
                    let Some(kind) = RegistryKind::parse(&pre.from) else {
                        continue;
                    };
                    let Some(key) = pre.key.as_deref().and_then(|k| text(obj, k)) else {
                        continue;
                    };
                    let Ok(key) = kind.check_key(key) else {
                        continue;
                    };
                    let record = match records.get(&(kind, key.clone())) {
                        Some(r) => r.clone(),
                        None => {
                            let (r, pull) = self.pull(kind, &key, &purpose).await?;
                            pulls.push(pull);
                            records.insert((kind, key.clone()), r.clone());
                            r
                        }
                    };
                    (
                        record.and_then(|r| record_field(&r, &pre.field)),
                        kind.name_zh().to_owned(),
                    )
                };
                let Some(value) = value else { continue };
                if let Some(Value::Object(m)) = form.pointer_mut(&at) {
                    m.insert((*leaf).to_owned(), value.clone());
                    filled.push(FilledField {
                        pointer: format!("{at}/{leaf}"),
                        label: hint.label_zh.clone(),
                        value,
                        source,
                    });
                }
            }
        }
        if !pulls.is_empty() {
            let mut tx = self.store.begin().await?;
            for pull in &pulls {
                tx.append_audit(pull.audit(meta, &draft.content.region, Some(&p.user), &purpose))
                    .await?;
            }
            tx.commit().await?;
        }
        let content = DraftContent {
            form,
            ..draft.content.clone()
        };
        let saved = self.save_draft(p, Some(&draft.id), content).await?;
        Ok((saved, filled))
    }

    /// Fetches the materials of the situation that come from shared data or electronic
    /// certificates, with their provenance, and the pulls behind them.
    pub(crate) async fn fetch_shared_materials(
        &self,
        item: &ServiceItem,
        situation: Option<&str>,
        applicant: &User,
        form: &Value,
        purpose: &Purpose,
    ) -> Result<(Vec<SharedMaterial>, Vec<DataPull>), AppError> {
        let now = self.clock.now();
        let uscc = text(form, "uscc").or(applicant.uscc.as_deref());
        let mut out = vec![];
        let mut pulls = vec![];
        let mut records: HashMap<(RegistryKind, String), Option<Value>> = HashMap::new();
        for m in item.materials_for(situation) {
            let (source_zh, dataset) = match &m.source {
                MaterialSource::Upload => continue,
                MaterialSource::Commitment => {
                    let signed = form.get("commitment") == Some(&Value::Bool(true));
                    out.push(SharedMaterial {
                        key: m.key.clone(),
                        name: m.name.clone(),
                        source_zh: "告知承诺".into(),
                        dataset: String::new(),
                        found: signed,
                        summary: if signed {
                            "申请人已在申请表中签署告知承诺".into()
                        } else {
                            "申请表中未签署告知承诺，由工作人员核实".into()
                        },
                        error: None,
                        at: now,
                    });
                    continue;
                }
                MaterialSource::SharedData { dataset } => ("数据共享获取", dataset.clone()),
                MaterialSource::ECertificate { cert_type } => {
                    // 免证办: a valid certificate of the enterprise or the applicant, from the
                    // platform's certificate library, is the material.
                    let holders: Vec<&str> = uscc
                        .into_iter()
                        .chain(applicant.id_number.as_deref())
                        .collect();
                    if let Some(c) = self.valid_certificate(&holders, cert_type).await? {
                        out.push(SharedMaterial {
                            key: m.key.clone(),
                            name: m.name.clone(),
                            source_zh: "电子证照库".into(),
                            dataset: cert_type.clone(),
                            found: true,
                            summary: format!(
                                "{}：{}，有效（证照标识 {}，有效期至 {}）",
                                c.type_name(),
                                c.record.holder_name,
                                c.record.identifier,
                                c.record.valid_until.as_deref().unwrap_or("长期")
                            ),
                            error: None,
                            at: now,
                        });
                        continue;
                    }
                    ("电子证照调用", cert_type.clone())
                }
            };
            // Which registry serves the data set, and by which key.
            let target: Vec<(RegistryKind, String)> = match RegistryKind::serving(&dataset) {
                Some(RegistryKind::Expert) => form
                    .get("signatures")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .take(50)
                            .filter_map(|s| text(s, "expert_id"))
                            .map(|id| (RegistryKind::Expert, id.to_owned()))
                            .collect()
                    })
                    .unwrap_or_default(),
                Some(RegistryKind::Project) => text(form, "project_code")
                    .map(|c| vec![(RegistryKind::Project, c.to_owned())])
                    .unwrap_or_default(),
                Some(RegistryKind::Enterprise) => uscc
                    .map(|u| vec![(RegistryKind::Enterprise, u.to_owned())])
                    .unwrap_or_default(),
                Some(RegistryKind::Person) => applicant
                    .id_number
                    .clone()
                    .map(|i| vec![(RegistryKind::Person, i)])
                    .unwrap_or_default(),
                None => vec![],
            };
            if target.is_empty() {
                out.push(SharedMaterial {
                    key: m.key.clone(),
                    name: m.name.clone(),
                    source_zh: source_zh.into(),
                    dataset: dataset.clone(),
                    found: false,
                    summary: "该数据源尚未对接或申请表未提供查询依据，由工作人员核查".into(),
                    error: None,
                    at: now,
                });
                continue;
            }
            let mut lines = vec![];
            let mut found = true;
            let mut error = None;
            for (kind, key) in target {
                if kind.check_key(&key).is_err() {
                    found = false;
                    lines.push(format!("{key}：编码无效"));
                    continue;
                }
                let record = match records.get(&(kind, key.clone())) {
                    Some(r) => r.clone(),
                    None => {
                        let (r, pull) = self.pull(kind, &key, purpose).await?;
                        if let Some(e) = &pull.error {
                            error = Some(e.clone());
                        }
                        pulls.push(pull);
                        records.insert((kind, key.clone()), r.clone());
                        r
                    }
                };
                match record.and_then(|r| kind.parse_record(&r).ok()) {
                    Some(r) => lines.push(summary(&r, &dataset)),
                    None => {
                        found = false;
                        lines.push(format!("{key}：未查到"));
                    }
                }
            }
            out.push(SharedMaterial {
                key: m.key.clone(),
                name: m.name.clone(),
                source_zh: source_zh.into(),
                dataset,
                found: found && error.is_none(),
                summary: lines.join("；"),
                error,
                at: now,
            });
        }
        Ok((out, pulls))
    }
}

/// One line on what a record says, for the data set it serves.
fn summary(r: &Record, dataset: &str) -> String {
    match r {
        Record::Enterprise(e) if dataset.contains("人员证书") || dataset.contains("职业技能") =>
        {
            format!("{} 名人员证书", e.staff.len())
        }
        Record::Enterprise(e) if dataset.contains("社会保险") => {
            let insured = e.staff.iter().filter(|s| s.insured_by == e.uscc).count();
            format!("{} 名人员中 {insured} 名在本企业参保", e.staff.len())
        }
        Record::Enterprise(e) if dataset.contains("资质") => {
            let names: Vec<&str> = e.qualifications.iter().map(|q| q.name.as_str()).collect();
            if names.is_empty() {
                "无资质记录".into()
            } else {
                names.join("、")
            }
        }
        Record::Enterprise(e) => format!(
            "{} · {} · {} · 法定代表人 {}",
            e.name,
            e.entity_type,
            e.status,
            mask_name(&e.legal_representative)
        ),
        Record::Person(p) => format!("{} · {}", mask_name(&p.name), p.status),
        Record::Expert(x) => format!(
            "{} · {} · {} 至 {}",
            mask_name(&x.name),
            x.field,
            x.valid_from,
            x.valid_until
        ),
        Record::Project(p) => format!(
            "{} · 用地 {} 平方米 · 土石方 {} 立方米",
            p.name, p.land_area_m2, p.earthwork_m3
        ),
    }
}

/// The materials of a situation the platform fetches, for the apply page: (name, source).
/// Without a situation: every such material of the item, whatever the situation.
pub fn fetched_materials(item: &ServiceItem, situation: Option<&str>) -> Vec<(String, String)> {
    let materials: Vec<_> = match situation {
        Some(_) => item.materials_for(situation),
        None => item.materials.iter().collect(),
    };
    materials
        .into_iter()
        .filter_map(|m| match &m.source {
            MaterialSource::Upload => None,
            MaterialSource::SharedData { dataset } => {
                Some((m.name.clone(), format!("数据共享获取：{dataset}")))
            }
            MaterialSource::ECertificate { cert_type } => {
                Some((m.name.clone(), format!("电子证照调用：{cert_type}")))
            }
            MaterialSource::Commitment => Some((m.name.clone(), "告知承诺".into())),
        })
        .collect()
}

impl App {
    /// A valid certificate of one of `holders` whose type is `wanted` (a catalogue material's
    /// certificate type, e.g. 营业执照 for 营业执照（电子）).
    async fn valid_certificate(
        &self,
        holders: &[&str],
        wanted: &str,
    ) -> Result<Option<crate::certs::Certificate>, AppError> {
        let today = self.today();
        let named = |name: &str| name == wanted || name.split('（').next() == Some(wanted);
        // The types of that name, so that only their valid versions are read, not every
        // certificate the holder has.
        let codes: Vec<&str> = crate::certs::catalogue::cert_types()?
            .iter()
            .filter(|t| named(&t.name))
            .map(|t| t.code.as_str())
            .collect();
        let mut tx = self.store.read().await?;
        for h in holders {
            for rec in tx.valid_certificates_of_holder(h, &codes).await? {
                let c = crate::certs::Certificate::of(rec)?;
                if named(c.type_name())
                    && c.status_on(today) == shenpi_domain::certificate::CertStatus::Valid
                {
                    return Ok(Some(c));
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_are_found_through_groups() {
        let form = json!({"legal_rep": {"id_number": "x"},
            "shareholders": [{"id_number": "a"}, {"id_number": "b"}]});
        let mut out = vec![];
        objects_at(&form, &["shareholders"], String::new(), &mut out);
        assert_eq!(out, ["/shareholders/0", "/shareholders/1"]);
        let mut out = vec![];
        objects_at(&form, &["legal_rep"], String::new(), &mut out);
        assert_eq!(out, ["/legal_rep"]);
        let mut out = vec![];
        objects_at(&form, &[], String::new(), &mut out);
        assert_eq!(out, [""]);
        assert_eq!(record_field(&json!({"a": {"b": 1}}), "a.b"), Some(json!(1)));
        assert_eq!(record_field(&json!({"a": null}), "a"), None);
    }
}

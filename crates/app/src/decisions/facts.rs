//! The facts a case's rules decide on (决策事实): the form, and what the shared-data registries
//! say about the parties it names — pulled here, because rules never fetch data themselves.
//!
//! Which records are pulled follows the form's standard fields: `uscc` (else the applicant's
//! own USCC) → the enterprise registry; `project_code` → the project registry; `signatures`
//! (`[{expert_id, signed_on}]`) → the expert registry. The facts are plain numbers and flags
//! (counts of valid staff, experts invalid on their signing day …) so a rule can state its
//! limits without date arithmetic. A registry that cannot answer sets `source_ok: false`.

use super::super::datasources::{DataPull, Purpose};
use crate::{App, AppError};
use chrono::NaiveDate;
use serde_json::{Value, json};
use shenpi_domain::registry::{Enterprise, Expert, Project, Record, RegistryKind};

/// Facts and the pulls they came from.
pub struct Facts {
    pub value: Value,
    pub pulls: Vec<DataPull>,
}

/// The enterprise facts: registration, qualifications, certified and insured staff.
pub fn enterprise_facts(e: Option<&Enterprise>, today: NaiveDate) -> Value {
    let Some(e) = e else {
        return json!({"found": false, "active": false, "status": "",
            "qualification_days_left": -1,
            "staff": {"technical_leads": 0, "managers": 0, "workers": 0, "expired": 0, "insured_elsewhere": 0}});
    };
    let days_left = e
        .qualifications
        .iter()
        .map(|q| (q.valid_until - today).num_days())
        .min()
        .unwrap_or(-1);
    let valid = |s: &&shenpi_domain::registry::StaffMember| {
        s.certificate_valid_until >= today && s.insured_by == e.uscc
    };
    let count = |role: &str| {
        e.staff
            .iter()
            .filter(|s| s.role == role)
            .filter(valid)
            .count()
    };
    json!({
        "found": true,
        "uscc": e.uscc,
        "name": e.name,
        "status": e.status,
        "active": e.is_active(),
        "entity_type": e.entity_type,
        "qualification_days_left": days_left,
        "staff": {
            "technical_leads": count("技术负责人"),
            "managers": count("施工现场管理人员"),
            "workers": count("技术工人"),
            "expired": e.staff.iter().filter(|s| s.certificate_valid_until < today).count(),
            "insured_elsewhere": e.staff.iter().filter(|s| s.insured_by != e.uscc).count(),
        },
    })
}

/// The project facts, against the applicant enterprise.
pub fn project_facts(p: Option<&Project>, applicant_uscc: Option<&str>) -> Value {
    match p {
        None => json!({"found": false, "owner_matches": false}),
        Some(p) => json!({
            "found": true,
            "code": p.code,
            "name": p.name,
            "owner_matches": applicant_uscc == Some(p.owner_uscc.as_str()),
            "land_area_m2": p.land_area_m2,
            "earthwork_m3": p.earthwork_m3,
        }),
    }
}

/// The expert facts: every signature checked against the registry on its signing day.
pub fn expert_facts(signatures: &[(Option<Expert>, Option<NaiveDate>)], field: &str) -> Value {
    let missing = signatures.iter().filter(|(e, _)| e.is_none()).count();
    let invalid = signatures
        .iter()
        .filter(|(e, day)| match (e, day) {
            (Some(e), Some(d)) => !e.valid_on(*d),
            (Some(_), None) => true,
            (None, _) => false,
        })
        .count();
    let wrong_field = signatures
        .iter()
        .filter(|(e, _)| e.as_ref().is_some_and(|e| !e.field.starts_with(field)))
        .count();
    json!({"count": signatures.len(), "missing": missing, "invalid_on_signing": invalid,
           "wrong_field": wrong_field})
}

fn text<'a>(form: &'a Value, key: &str) -> Option<&'a str> {
    form.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl App {
    /// Pulls what the form names and builds the facts of a case's rules.
    pub(crate) async fn gather_facts(
        &self,
        applicant_uscc: Option<&str>,
        form: &Value,
        purpose: &Purpose,
    ) -> Result<Facts, AppError> {
        let today = self.today();
        let mut pulls = vec![];
        let mut source_ok = true;
        let mut get = async |kind: RegistryKind, key: &str| -> Result<Option<Record>, AppError> {
            if kind.check_key(key).is_err() {
                return Ok(None);
            }
            let (v, pull) = self.pull(kind, key, purpose).await?;
            if pull.error.is_some() {
                source_ok = false;
            }
            pulls.push(pull);
            Ok(v.and_then(|v| kind.parse_record(&v).ok()))
        };
        let uscc = text(form, "uscc").or(applicant_uscc);
        let enterprise = match uscc {
            Some(u) => match get(RegistryKind::Enterprise, u).await? {
                Some(Record::Enterprise(e)) => Some(e),
                _ => None,
            },
            None => None,
        };
        let project = match text(form, "project_code") {
            Some(code) => match get(RegistryKind::Project, code).await? {
                Some(Record::Project(p)) => Some(p),
                _ => None,
            },
            None => None,
        };
        let mut signatures = vec![];
        if let Some(list) = form.get("signatures").and_then(Value::as_array) {
            for s in list.iter().take(50) {
                let day = text(s, "signed_on").and_then(|d| d.parse::<NaiveDate>().ok());
                let expert = match text(s, "expert_id") {
                    Some(id) => match get(RegistryKind::Expert, id).await? {
                        Some(Record::Expert(e)) => Some(e),
                        _ => None,
                    },
                    None => None,
                };
                signatures.push((expert, day));
            }
        }
        let value = json!({
            "today": today.to_string(),
            "source_ok": source_ok,
            "form": form,
            "enterprise": enterprise_facts(enterprise.as_ref(), today),
            "project": project_facts(project.as_ref(), uscc),
            "experts": expert_facts(&signatures, "水土保持"),
        });
        Ok(Facts { value, pulls })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::datasources::demo::{expired_staff_uscc, insured_elsewhere_uscc, records};
    use crate::demo::demo_uscc;

    fn enterprise(uscc: &str) -> Enterprise {
        let v = records()
            .into_iter()
            .find(|r| r.1 == uscc)
            .map(|r| r.4)
            .unwrap();
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn staff_count_only_when_certified_today_and_insured_with_the_enterprise() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let ok = enterprise_facts(Some(&enterprise(&demo_uscc())), today);
        assert_eq!(ok["active"], true);
        assert_eq!(
            ok["staff"],
            json!({"technical_leads": 1, "managers": 2, "workers": 3, "expired": 0, "insured_elsewhere": 0})
        );
        assert!(ok["qualification_days_left"].as_i64().unwrap() > 500);
        let elsewhere = enterprise_facts(Some(&enterprise(&insured_elsewhere_uscc())), today);
        assert_eq!(elsewhere["staff"]["technical_leads"], 0);
        assert_eq!(elsewhere["staff"]["insured_elsewhere"], 1);
        let expired = enterprise_facts(Some(&enterprise(&expired_staff_uscc())), today);
        assert_eq!(expired["staff"]["expired"], 6);
        assert_eq!(expired["staff"]["workers"], 0);
        assert_eq!(enterprise_facts(None, today)["found"], false);
    }

    #[test]
    fn an_expert_counts_as_valid_only_on_a_signing_day_inside_the_qualification() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let e = Expert {
            id: "SB-1".into(),
            name: "专家".into(),
            field: "水土保持".into(),
            qualification: "工程师".into(),
            valid_from: d("2024-01-01").unwrap(),
            valid_until: d("2025-12-31").unwrap(),
        };
        let facts = expert_facts(
            &[
                (Some(e.clone()), d("2025-12-31")),
                (Some(e.clone()), d("2026-01-01")),
                (Some(e), None),
                (None, d("2025-06-01")),
            ],
            "水土保持",
        );
        assert_eq!(
            facts,
            json!({"count": 4, "missing": 1, "invalid_on_signing": 2, "wrong_field": 0})
        );
    }
}

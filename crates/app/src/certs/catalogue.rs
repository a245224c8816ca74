//! The certificate catalogue (证照目录): the types the platform issues, from
//! `data/cert_types.json`, and the codes their GB/T 36904 identifiers are built from — the
//! type code (the defining ministry's USCC and a 3-digit sequence) and the issuing
//! department's USCC. The demo's government USCCs are fictional but valid (real check
//! characters, real region codes).

use std::sync::OnceLock;

use shenpi_domain::certificate::CertType;
use shenpi_domain::regions::{QINGDAO_CITY, name_of};
use shenpi_domain::validate::uscc_check_char;

use crate::AppError;
use crate::demo::gb11714_check;

/// Every certificate type, checked.
pub fn cert_types() -> Result<&'static [CertType], AppError> {
    static TYPES: OnceLock<Result<Vec<CertType>, String>> = OnceLock::new();
    TYPES
        .get_or_init(|| {
            let types: Vec<CertType> =
                serde_json::from_str(include_str!("../../data/cert_types.json"))
                    .map_err(|e| format!("cert_types.json: {e}"))?;
            for t in &types {
                t.check()?;
            }
            Ok(types)
        })
        .as_deref()
        .map_err(|e| AppError::Internal(e.clone()))
}

/// A type by its code.
pub fn cert_type(code: &str) -> Result<Option<&'static CertType>, AppError> {
    Ok(cert_types()?.iter().find(|t| t.code == code))
}

/// The type a grant of `item_code` issues, if any.
pub fn type_for_item(item_code: &str) -> Result<Option<&'static CertType>, AppError> {
    Ok(cert_types()?
        .iter()
        .find(|t| t.items.iter().any(|i| i == item_code)))
}

/// A government body's USCC: `11` (机关), the region code, an organisation code made from
/// `seed`, and the check characters.
fn gov_uscc(region: &str, seed: &str) -> String {
    let digits: u32 = seed
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 1_000_000;
    let org8 = format!("MB{digits:06}");
    let body = format!("11{region}{org8}{}", gb11714_check(&org8));
    let check = uscc_check_char(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// The GB/T 36904 type code of `t`: the defining ministry's USCC (national region 100000) and
/// the type's 3-digit sequence.
pub fn type_code(t: &CertType) -> String {
    format!("{}{}", gov_uscc("100000", &t.ministry), t.seq)
}

/// The issuing department of a type in `region`: (name, USCC).
pub fn issuer(t: &CertType, region: &str) -> (String, String) {
    let dept = shenpi_domain::org::DEMO_DEPARTMENTS
        .iter()
        .find(|(slug, _, _)| *slug == t.department)
        .map_or("行政审批服务局", |(_, zh, _)| *zh);
    let place = match name_of(region) {
        Some(name) if region == QINGDAO_CITY => name.to_owned(),
        Some(name) => format!("青岛市{name}"),
        None => "青岛市".to_owned(),
    };
    (
        format!("{place}{dept}"),
        gov_uscc(region, &format!("{}/{}", region, t.department)),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use shenpi_domain::validate::{CertId, Uscc};

    #[test]
    fn the_catalogue_loads_and_its_codes_make_valid_identifiers() {
        let types = cert_types().unwrap();
        assert!(types.len() >= 6);
        for t in types {
            let code = type_code(t);
            assert_eq!(code.len(), 21);
            Uscc::parse(&code[..18]).unwrap();
            let (name, uscc) = issuer(t, "370202");
            assert!(name.starts_with("青岛市市南区"), "{name}");
            Uscc::parse(&uscc).unwrap();
            let id = CertId::compose(&code, &uscc, "2026370202000001", "001").unwrap();
            assert!(id.is_structured());
        }
        assert_eq!(
            type_for_item("QDJS01001-01").unwrap().unwrap().code,
            "labour-filing"
        );
        assert!(type_for_item("QDQY00101-01").unwrap().is_none());
    }
}

//! Electronic licence identifiers (证照标识, GB/T 36904-2018) and their ISO 7064 MOD 37,36 check
//! character.
//!
//! Two forms are accepted:
//!
//! - **Structured** (the national form), with dots:
//!   `1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>`, where we validate that
//!   - the root is exactly `1.2.156.3005.2` (电子证照根代码);
//!   - `<type>` (证照类型代码) is 21 characters: a valid 18-character USCC of the defining ministry
//!     plus a 3-digit sequence number;
//!   - `<issuer>` (颁发机构代码) is a valid 18-character USCC, or a 6-digit region code (a real
//!     identifier issued in 合肥 uses `340100`); the region code is not looked up, as codes change;
//!   - `<serial>` (流水号) is 1 to 32 digits or capital letters;
//!   - `<version>` (版本号) is 3 digits;
//!   - `<check>` (校验位) is the MOD 37,36 check character of type + issuer + serial + version
//!     concatenated without dots.
//! - **Compact**, without dots: 2 to 64 digits or capital letters whose last character is the
//!   MOD 37,36 check character of the rest. This is for identifiers from systems that do not
//!   follow the national structure; it only guards against typing errors.

use serde::{Deserialize, Serialize};

use super::{Uscc, ValidationError, normalize, string_wrapper};

/// Alphabet of ISO 7064 MOD 37,36, in value order.
const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The root OID of electronic licences (电子证照根代码).
pub const CERT_ID_ROOT: &str = "1.2.156.3005.2";

/// Electronic licence identifier (证照标识), GB/T 36904-2018; see the module documentation for
/// the two accepted forms and what is checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertId {
    value: String,
}

string_wrapper!(CertId);

/// The parts of a structured licence identifier, borrowed from a [`CertId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertIdParts<'a> {
    /// Licence type code (证照类型代码): ministry USCC + 3-digit sequence.
    pub type_code: &'a str,
    /// Issuing authority code (颁发机构代码): a USCC or a 6-digit region code.
    pub issuer_code: &'a str,
    /// Serial number (流水号).
    pub serial: &'a str,
    /// Version (版本号), 3 digits.
    pub version: &'a str,
    /// Check character (校验位).
    pub check: char,
}

impl CertId {
    /// Parses a licence identifier in the structured (dotted) or compact form.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let value = normalize(s);
        if value.contains('.') {
            check_structured(&value)?;
        } else {
            check_compact(&value)?;
        }
        Ok(Self { value })
    }

    /// Builds a structured identifier from its parts, computing the check character. Fails if a
    /// part breaks the structure (see the module documentation).
    pub fn compose(
        type_code: &str,
        issuer_code: &str,
        serial: &str,
        version: &str,
    ) -> Result<Self, ValidationError> {
        let body = format!("{type_code}{issuer_code}{serial}{version}").to_ascii_uppercase();
        let check = mod37_36_check_char(&body).ok_or_else(|| {
            format_error(
                "标识各部分只能包含数字和字母",
                "the parts may only contain digits and letters",
            )
        })?;
        Self::parse(&format!(
            "{CERT_ID_ROOT}.{type_code}.{issuer_code}.{serial}.{version}.{check}"
        ))
    }

    /// Whether this identifier has the national structured form.
    pub fn is_structured(&self) -> bool {
        self.parts().is_some()
    }

    /// The parts of a structured identifier, or `None` for the compact form.
    pub fn parts(&self) -> Option<CertIdParts<'_>> {
        let rest = self.value.strip_prefix(CERT_ID_ROOT)?.strip_prefix('.')?;
        let mut it = rest.split('.');
        let (type_code, issuer_code, serial, version, check) =
            (it.next()?, it.next()?, it.next()?, it.next()?, it.next()?);
        Some(CertIdParts {
            type_code,
            issuer_code,
            serial,
            version,
            check: check.chars().next()?,
        })
    }
}

fn format_error(zh: &str, en: &str) -> ValidationError {
    ValidationError::new(
        "CERT_ID_INVALID_FORMAT",
        format!("证照标识格式不正确：{zh}"),
        format!("The licence identifier is malformed: {en}"),
    )
}

fn mismatch(expected: char, given: char) -> ValidationError {
    ValidationError::new(
        "CERT_ID_CHECK_MISMATCH",
        format!(
            "证照标识校验位不正确：最后一位应为“{expected}”，实际为“{given}”，请检查是否有字符录入错误"
        ),
        format!(
            "The check character of the licence identifier is wrong: the last character should be '{expected}', not '{given}'; look for a typing error"
        ),
    )
}

fn is_alnum_upper(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_compact(value: &str) -> Result<(), ValidationError> {
    let n = value.chars().count();
    if !(2..=64).contains(&n) || !is_alnum_upper(value) {
        return Err(format_error(
            &format!(
                "应为2至64位数字或字母（当前{n}位），或带点分隔的国家标准格式 {CERT_ID_ROOT}.…"
            ),
            &format!(
                "expected 2 to 64 digits or letters (this one has {n}), or the dotted national form {CERT_ID_ROOT}.…"
            ),
        ));
    }
    let (body, last) = value.split_at(n - 1);
    compare_check(body, last)
}

fn compare_check(body: &str, given: &str) -> Result<(), ValidationError> {
    let given = given.chars().next().unwrap_or('?');
    match mod37_36_check_char(body) {
        Some(expected) if expected == given => Ok(()),
        Some(expected) => Err(mismatch(expected, given)),
        None => Err(format_error(
            "只能包含数字和字母",
            "only digits and letters are allowed",
        )),
    }
}

fn check_structured(value: &str) -> Result<(), ValidationError> {
    let Some(rest) = value
        .strip_prefix(CERT_ID_ROOT)
        .and_then(|r| r.strip_prefix('.'))
    else {
        return Err(format_error(
            &format!("应以电子证照根代码 {CERT_ID_ROOT}. 开头"),
            &format!("it must begin with the e-licence root {CERT_ID_ROOT}."),
        ));
    };
    let parts: Vec<&str> = rest.split('.').collect();
    let [type_code, issuer, serial, version, check] = parts[..] else {
        return Err(format_error(
            &format!(
                "根代码后应有5段：证照类型代码.颁发机构代码.流水号.版本号.校验位，当前为{}段",
                parts.len()
            ),
            &format!(
                "after the root come 5 parts, type.issuer.serial.version.check; this one has {}",
                parts.len()
            ),
        ));
    };
    let type_ok = type_code.len() == 21
        && type_code.get(..18).is_some_and(|u| Uscc::parse(u).is_ok())
        && type_code.get(18..).is_some_and(|s| is_digits(s, 3));
    if !type_ok {
        return Err(format_error(
            &format!("证照类型代码“{type_code}”应为21位：18位有效的统一社会信用代码加3位数字序号"),
            &format!(
                "the licence type code '{type_code}' must be 21 characters: a valid 18-character USCC plus a 3-digit number"
            ),
        ));
    }
    if !(is_digits(issuer, 6) || (issuer.len() == 18 && Uscc::parse(issuer).is_ok())) {
        return Err(format_error(
            &format!("颁发机构代码“{issuer}”应为18位有效的统一社会信用代码（或6位行政区划代码）"),
            &format!(
                "the issuer code '{issuer}' must be a valid 18-character USCC (or a 6-digit region code)"
            ),
        ));
    }
    if serial.is_empty() || serial.len() > 32 || !is_alnum_upper(serial) {
        return Err(format_error(
            &format!("流水号“{serial}”应为1至32位数字或字母"),
            &format!("the serial number '{serial}' must be 1 to 32 digits or letters"),
        ));
    }
    if !is_digits(version, 3) {
        return Err(format_error(
            &format!("版本号“{version}”应为3位数字，例如001"),
            &format!("the version '{version}' must be 3 digits, e.g. 001"),
        ));
    }
    if check.len() != 1 || !is_alnum_upper(check) {
        return Err(format_error(
            &format!("校验位“{check}”应为1位数字或字母"),
            &format!("the check character '{check}' must be one digit or letter"),
        ));
    }
    compare_check(&format!("{type_code}{issuer}{serial}{version}"), check)
}

/// The ISO 7064 MOD 37,36 (hybrid) check character of `body` over the alphabet `0-9A-Z`, or
/// `None` if `body` is empty or has another character (lower-case letters are accepted).
pub fn mod37_36_check_char(body: &str) -> Option<char> {
    const M: usize = 36;
    if body.is_empty() {
        return None;
    }
    let mut p = M;
    for c in body.chars() {
        let v = ALPHABET.find(c.to_ascii_uppercase())?;
        p = (p + v) % M;
        if p == 0 {
            p = M;
        }
        p = (2 * p) % (M + 1);
    }
    ALPHABET.chars().nth((M + 1 - p) % M)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real identifiers from DOMAIN.md §2.2 whose check characters were independently verified.
    const REAL: [&str; 3] = [
        "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
        "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
    ];

    #[test]
    fn the_check_char_matches_vectors_computed_by_an_independent_script() {
        // Computed with a separate Python implementation and confirmed with the ISO 7064
        // verification rule (the full string, check included, reduces to 1).
        for (body, check) in [
            ("A", 'H'),
            ("Z", '4'),
            ("0", '2'),
            ("ABCDEF", 'C'),
            ("SHENPI2026", '8'),
            ("shenpi2026", '8'),
        ] {
            assert_eq!(mod37_36_check_char(body), Some(check), "{body}");
        }
        assert_eq!(
            mod37_36_check_char("11100000000013338W03211220000013544541J2430599001"),
            Some('F')
        );
        assert_eq!(mod37_36_check_char("91370200MA3C0000012023001"), Some('L'));
    }

    #[test]
    fn the_check_char_helper_rejects_empty_and_foreign_input() {
        assert_eq!(mod37_36_check_char(""), None);
        assert_eq!(mod37_36_check_char("AB-C"), None);
        assert_eq!(mod37_36_check_char("证照"), None);
    }

    #[test]
    fn real_national_identifiers_are_accepted_and_split_into_parts() {
        for s in REAL {
            assert!(CertId::parse(s).unwrap().is_structured(), "{s}");
        }
        let id = CertId::parse(REAL[0]).unwrap();
        let p = id.parts().unwrap();
        assert_eq!(p.type_code, "11100000000013338W032");
        assert_eq!(p.issuer_code, "11220000013544541J");
        assert_eq!((p.serial, p.version, p.check), ("2430599", "001", 'F'));
    }

    #[test]
    fn every_wrong_check_character_on_a_real_identifier_is_rejected() {
        for s in REAL {
            let (body, check) = s.split_at(s.len() - 1);
            for c in ALPHABET.chars().filter(|c| !check.starts_with(*c)) {
                let e = CertId::parse(&format!("{body}{c}")).unwrap_err();
                assert_eq!(e.code, "CERT_ID_CHECK_MISMATCH");
            }
        }
    }

    #[test]
    fn a_changed_serial_character_is_caught_by_the_check() {
        let s = REAL[0].replace(".2430599.", ".2430598.");
        assert_eq!(
            CertId::parse(&s).unwrap_err().code,
            "CERT_ID_CHECK_MISMATCH"
        );
    }

    #[test]
    fn broken_structure_is_reported_as_a_format_error() {
        let bad = [
            "1.2.156.3005.3.11100000000013338W032.11220000013544541J.2430599.001.F",
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.F",
            "1.2.156.3005.2.11100000000013338W32.11220000013544541J.2430599.001.F",
            "1.2.156.3005.2.11100000000013338X032.11220000013544541J.2430599.001.F",
            "1.2.156.3005.2.11100000000013338W032.11220000013544541K.2430599.001.F",
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J..001.F",
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F",
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.FF",
        ];
        for s in bad {
            assert_eq!(
                CertId::parse(s).unwrap_err().code,
                "CERT_ID_INVALID_FORMAT",
                "{s}"
            );
        }
    }

    #[test]
    fn compose_builds_an_identifier_that_parses() {
        let id = CertId::compose(
            "11100000000013338W032",
            "11220000013544541J",
            "2430599",
            "001",
        )
        .unwrap();
        assert_eq!(id.as_str(), REAL[0]);
        let demo =
            CertId::compose("11100000000013338W032", "370200", "QD2026000001", "001").unwrap();
        assert_eq!(CertId::parse(demo.as_str()).unwrap(), demo);
        assert!(CertId::compose("BAD", "370200", "1", "001").is_err());
    }

    #[test]
    fn the_compact_form_checks_the_last_character() {
        assert_eq!(
            CertId::parse(" shenpi20268 ").unwrap().as_str(),
            "SHENPI20268"
        );
        assert!(!CertId::parse("SHENPI20268").unwrap().is_structured());
        assert_eq!(
            CertId::parse("SHENPI20269").unwrap_err().code,
            "CERT_ID_CHECK_MISMATCH"
        );
    }

    #[test]
    fn the_compact_form_limits_length_and_characters() {
        assert_eq!(
            CertId::parse("H").unwrap_err().code,
            "CERT_ID_INVALID_FORMAT"
        );
        assert_eq!(
            CertId::parse(&"A".repeat(65)).unwrap_err().code,
            "CERT_ID_INVALID_FORMAT"
        );
        assert_eq!(
            CertId::parse("AB-CD").unwrap_err().code,
            "CERT_ID_INVALID_FORMAT"
        );
        assert!(CertId::parse("AH").is_ok());
    }

    #[test]
    fn serde_round_trips_as_a_string() {
        let id: CertId = serde_json::from_str(&format!("\"{}\"", REAL[1])).unwrap();
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            format!("\"{}\"", REAL[1])
        );
    }
}

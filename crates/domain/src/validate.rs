//! Validation of national identifiers (校验): validated wrapper types and their errors.
//!
//! Each type here follows the "parse, don't validate" rule: its only constructor is `parse`, so
//! once a caller holds a [`Uscc`], [`IdNumber`], [`Mobile`], [`RegionCode`] or [`CertId`] the value
//! is known to be well formed. Every type trims surrounding whitespace, upper-cases letters,
//! serializes as its string form and deserializes through `parse`.
//!
//! Failures are a [`ValidationError`] with a stable code and a reason in Chinese and English that
//! says what is wrong and how to fix it. [`validate_kind`] maps the public kind names used by
//! `GET /api/v1/validate/{kind}` onto the parsers.
//!
//! This module knows nothing about storage or HTTP; it only checks the shape of values.

mod cert_id;
mod id_number;
mod mobile;
mod region;
mod uscc;

use std::fmt;

pub use cert_id::{CertId, CertIdParts, mod37_36_check_char};
pub use id_number::{IdNumber, id_check_char};
pub use mobile::Mobile;
pub(crate) use mobile::is_mobile_digits;
pub use region::{RegionCode, RegionLevel};
pub use uscc::{Uscc, uscc_check_char};

/// A value that failed validation (校验失败): a stable code plus reasons in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason_en}")]
pub struct ValidationError {
    /// Stable machine-readable code, e.g. `USCC_CHECK_MISMATCH`. Part of the public API.
    pub code: &'static str,
    /// What is wrong and how to fix it, in Chinese (zh-CN).
    pub reason_zh: String,
    /// What is wrong and how to fix it, in English.
    pub reason_en: String,
}

impl ValidationError {
    /// Builds an error from its code and both reasons.
    pub fn new(
        code: &'static str,
        reason_zh: impl Into<String>,
        reason_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            reason_zh: reason_zh.into(),
            reason_en: reason_en.into(),
        }
    }
}

/// Implements the common string-wrapper surface for a validated type whose first field is the
/// normalized `String` and which has a `parse(&str)` constructor.
macro_rules! string_wrapper {
    ($ty:ident) => {
        impl $ty {
            /// The normalized string form.
            pub fn as_str(&self) -> &str {
                &self.value
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.value)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.value
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::validate::ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::validate::ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.value
            }
        }
    };
}
pub(crate) use string_wrapper;

/// Trims surrounding whitespace and upper-cases ASCII letters: the normal form of every code.
fn normalize(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// The kinds of value the public validation endpoint knows (校验类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// `uscc`: unified social credit code, see [`Uscc`].
    Uscc,
    /// `id-number`: resident ID number, see [`IdNumber`].
    IdNumber,
    /// `mobile`: mainland mobile number, see [`Mobile`].
    Mobile,
    /// `region`: GB/T 2260 region code, see [`RegionCode`].
    Region,
    /// `cert-id`: electronic licence identifier, see [`CertId`].
    CertId,
}

impl ValueKind {
    /// Every kind, in documentation order.
    pub const ALL: [ValueKind; 5] = [
        ValueKind::Uscc,
        ValueKind::IdNumber,
        ValueKind::Mobile,
        ValueKind::Region,
        ValueKind::CertId,
    ];

    /// The public name used in URLs, e.g. `id-number`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Uscc => "uscc",
            ValueKind::IdNumber => "id-number",
            ValueKind::Mobile => "mobile",
            ValueKind::Region => "region",
            ValueKind::CertId => "cert-id",
        }
    }

    /// Looks a kind up by its public name (exact, lower-case).
    pub fn from_name(name: &str) -> Result<Self, UnknownKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| UnknownKind(name.to_owned()))
    }

    /// Validates `value` as this kind; on success returns its normalized form
    /// (trimmed, upper-cased; a mobile number without its `+86`).
    pub fn validate(self, value: &str) -> Result<String, ValidationError> {
        Ok(match self {
            ValueKind::Uscc => Uscc::parse(value)?.into(),
            ValueKind::IdNumber => IdNumber::parse(value)?.into(),
            ValueKind::Mobile => Mobile::parse(value)?.into(),
            ValueKind::Region => RegionCode::parse(value)?.into(),
            ValueKind::CertId => CertId::parse(value)?.into(),
        })
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The validation kind named in a request does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown validation kind `{0}`; expected one of uscc, id-number, mobile, region, cert-id")]
pub struct UnknownKind(pub String);

impl UnknownKind {
    /// Stable public code (see `ErrorCode::VALIDATION_KIND_UNKNOWN`).
    pub const CODE: &'static str = "VALIDATION_KIND_UNKNOWN";
}

/// Validates `value` as the kind named `kind` (`uscc`, `id-number`, `mobile`, `region`,
/// `cert-id`). The outer `Err` means the kind is unknown; the inner result is the validation
/// outcome, with the normalized value on success.
pub fn validate_kind(
    kind: &str,
    value: &str,
) -> Result<Result<String, ValidationError>, UnknownKind> {
    Ok(ValueKind::from_name(kind)?.validate(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_kind_maps_every_public_name_to_its_parser() {
        assert_eq!(
            validate_kind("uscc", " 91350200ma2yj1xr9g ")
                .unwrap()
                .unwrap(),
            "91350200MA2YJ1XR9G"
        );
        assert_eq!(
            validate_kind("id-number", "34052419800101001x")
                .unwrap()
                .unwrap(),
            "34052419800101001X"
        );
        assert_eq!(
            validate_kind("mobile", "+8613812345678").unwrap().unwrap(),
            "13812345678"
        );
        assert_eq!(
            validate_kind("region", "370211").unwrap().unwrap(),
            "370211"
        );
        assert_eq!(
            validate_kind("cert-id", "ABCDEFC").unwrap().unwrap(),
            "ABCDEFC"
        );
    }

    #[test]
    fn validate_kind_reports_the_validation_error_inside() {
        let err = validate_kind("mobile", "12345").unwrap().unwrap_err();
        assert_eq!(err.code, "MOBILE_INVALID");
    }

    #[test]
    fn validate_kind_rejects_an_unknown_kind() {
        assert_eq!(
            validate_kind("passport", "x").unwrap_err(),
            UnknownKind("passport".into())
        );
    }

    #[test]
    fn every_kind_round_trips_through_its_public_name() {
        for k in ValueKind::ALL {
            assert_eq!(ValueKind::from_name(k.as_str()), Ok(k));
        }
    }

    #[test]
    fn validation_error_displays_the_english_reason() {
        let e = ValidationError::new("X", "中文", "english");
        assert_eq!(e.to_string(), "english");
    }
}

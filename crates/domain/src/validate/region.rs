//! Administrative-division codes (行政区划代码, GB/T 2260) checked against the shipped table.

use serde::{Deserialize, Serialize};

use super::{ValidationError, string_wrapper};
use crate::regions;

/// Administrative-division code (行政区划代码), GB/T 2260: 6 digits that exist in the table
/// shipped in [`crate::regions`] (province, city or county level).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode {
    value: String,
    name: &'static str,
}

string_wrapper!(RegionCode);

/// The level of a region in the GB/T 2260 hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// Province-level (省级): code ends in `0000`.
    Province,
    /// Prefecture-level (地级), e.g. a city: code ends in `00`.
    City,
    /// County-level (县级): a district, county or county-level city.
    County,
}

impl RegionCode {
    /// Parses a region code: 6 digits (whitespace trimmed) present in the region table.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let value = s.trim();
        if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(
                "REGION_INVALID_FORMAT",
                format!("行政区划代码“{value}”格式不正确：应为6位数字，例如青岛市为370200"),
                format!(
                    "The region code '{value}' is malformed: it has 6 digits, e.g. 370200 for Qingdao"
                ),
            ));
        }
        match regions::name_of(value) {
            Some(name) => Ok(Self {
                value: value.to_owned(),
                name,
            }),
            None => Err(ValidationError::new(
                "REGION_UNKNOWN",
                format!("行政区划代码“{value}”不存在：请使用现行国家标准 GB/T 2260 中的代码"),
                format!("The region code '{value}' does not exist; use a current GB/T 2260 code"),
            )),
        }
    }

    /// The Chinese name (名称), e.g. `黄岛区` for 370211.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether this is Qingdao city (370200) or one of its 10 districts and county-level cities.
    pub fn is_qingdao(&self) -> bool {
        self.value == regions::QINGDAO_CITY
            || regions::qingdao_districts()
                .iter()
                .any(|(c, _)| *c == self.value)
    }

    /// Province, city or county level, read from the trailing zeros of the code.
    pub fn level(&self) -> RegionLevel {
        if self.value.ends_with("0000") {
            RegionLevel::Province
        } else if self.value.ends_with("00") {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qingdao_district_is_accepted_with_its_name() {
        let r = RegionCode::parse(" 370211 ").unwrap();
        assert_eq!(r.as_str(), "370211");
        assert_eq!(r.name(), "黄岛区");
        assert!(r.is_qingdao());
        assert_eq!(r.level(), RegionLevel::County);
    }

    #[test]
    fn qingdao_city_is_qingdao_but_the_province_is_not() {
        let city = RegionCode::parse("370200").unwrap();
        assert!(city.is_qingdao());
        assert_eq!(city.level(), RegionLevel::City);
        let province = RegionCode::parse("370000").unwrap();
        assert!(!province.is_qingdao());
        assert_eq!(province.level(), RegionLevel::Province);
        assert_eq!(province.name(), "山东省");
    }

    #[test]
    fn a_district_of_another_city_is_not_qingdao() {
        assert!(!RegionCode::parse("370102").unwrap().is_qingdao());
    }

    #[test]
    fn a_well_formed_code_missing_from_the_table_is_unknown() {
        assert_eq!(
            RegionCode::parse("370299").unwrap_err().code,
            "REGION_UNKNOWN"
        );
        assert_eq!(
            RegionCode::parse("999999").unwrap_err().code,
            "REGION_UNKNOWN"
        );
    }

    #[test]
    fn a_code_that_is_not_six_digits_is_malformed() {
        for s in ["37021", "3702111", "37021a", "", "３７０２１１"] {
            assert_eq!(
                RegionCode::parse(s).unwrap_err().code,
                "REGION_INVALID_FORMAT",
                "{s}"
            );
        }
    }

    #[test]
    fn serde_round_trips_as_the_code() {
        let r: RegionCode = serde_json::from_str("\"370212\"").unwrap();
        assert_eq!(r.name(), "崂山区");
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"370212\"");
    }
}

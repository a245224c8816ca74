//! About fifty realistic Qingdao catalog documents (construction permit, food business licence,
//! company registration, utility hook-ups, road excavation…), for tests, demos and benchmarks.
//!
//! They live in `data/samples.tsv`, one document a line: code, region, name, department,
//! domain, online level, item type, situations and materials (each `|`-separated) and the guide
//! text. Texts are paraphrased from public guides; they are illustrations, not legal advice.

use crate::SearchDoc;

const SAMPLES_TSV: &str = include_str!("../data/samples.tsv");

/// The sample documents, in file order.
pub fn sample_catalog() -> Vec<SearchDoc> {
    SAMPLES_TSV
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> SearchDoc {
    let mut columns = line.split('\t');
    let mut next = || columns.next().unwrap_or_default().trim().to_owned();
    let list = |s: String| -> Vec<String> {
        s.split('|')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    SearchDoc {
        code: next(),
        region: next(),
        name: next(),
        department: next(),
        domain: next(),
        online_level: next(),
        item_type: next(),
        situations: list(next()),
        materials: list(next()),
        body: next(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_line_has_all_columns() {
        let docs = sample_catalog();
        assert!(docs.len() >= 40);
        for doc in &docs {
            assert!(!doc.body.is_empty(), "{} has no body", doc.name);
            assert!(!doc.materials.is_empty(), "{} has no materials", doc.name);
            assert_eq!(doc.region.len(), 6, "{}", doc.name);
        }
    }
}

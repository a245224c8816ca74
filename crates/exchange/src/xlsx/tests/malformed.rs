//! Malformed bytes give a report, never a panic.

use crate::report::codes;
use crate::xlsx::{items_from_xlsx, template_xlsx};
use std::io::{Read, Write};

fn refused(bytes: &[u8]) -> Vec<&'static str> {
    let report = items_from_xlsx(bytes).expect_err("malformed bytes must be refused");
    assert!(!report.errors.is_empty());
    report.errors.iter().map(|e| e.code).collect()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(refused(b""), vec![codes::FILE_INVALID]);
}

#[test]
fn random_garbage_is_refused() {
    // A fixed pseudo-random sequence (xorshift), so the test is repeatable.
    let mut x: u32 = 0x9e37_79b9;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    assert_eq!(refused(&bytes), vec![codes::FILE_INVALID]);
    assert_eq!(
        refused(b"PK\x03\x04 not really a zip"),
        vec![codes::FILE_INVALID]
    );
}

#[test]
fn a_zip_that_is_not_a_workbook_is_refused() {
    let bytes = zip_of(&[("readme.txt", b"hello".as_slice())]);
    assert_eq!(refused(&bytes), vec![codes::FILE_INVALID]);
}

/// The unpacked entries of the template.
fn template_entries() -> Vec<(String, Vec<u8>)> {
    let good = template_xlsx().unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(good)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut data = vec![];
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().into_owned(), data)
        })
        .collect()
}

fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

#[test]
fn a_workbook_with_a_broken_sheet_is_refused() {
    // A real workbook whose 事项 sheet XML is cut short (the zip itself is sound).
    let mut entries = template_entries();
    for (name, data) in &mut entries {
        if name == "xl/worksheets/sheet1.xml" {
            data.truncate(data.len() / 2);
        }
    }
    let codes_found = refused(&rezip(&entries));
    assert!(
        codes_found.contains(&codes::FILE_INVALID),
        "{codes_found:?}"
    );
}

/// Bytes that matter to an XML parser or a cell value.
const NOISE: &[u8] = b"<>\"'&;0-9/=";

#[test]
fn a_workbook_with_mangled_xml_never_panics() {
    // Deterministic mutations of the unpacked XML, re-zipped so that checksums hold and the
    // parser itself sees the damage. Any report or import is fine; a panic fails the test.
    let entries = template_entries();
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    for _ in 0..300 {
        let mut mangled = entries.clone();
        let which = rnd() % mangled.len();
        let data = &mut mangled[which].1;
        for _ in 0..=rnd() % 3 {
            if data.is_empty() {
                break;
            }
            let at = rnd() % data.len();
            match rnd() % 4 {
                0 => data[at] = rnd() as u8,
                1 => drop(data.remove(at)),
                2 => data.insert(at, NOISE[rnd() % NOISE.len()]),
                _ => data.truncate(at),
            }
        }
        let _ = items_from_xlsx(&rezip(&mangled));
    }
}

#[test]
fn a_truncated_workbook_is_refused_wherever_it_is_cut() {
    let good = template_xlsx().unwrap();
    for cut in [
        1,
        4,
        100,
        good.len() / 3,
        good.len() / 2,
        good.len() - 22,
        good.len() - 1,
    ] {
        assert_eq!(
            refused(&good[..cut]),
            vec![codes::FILE_INVALID],
            "cut at {cut} of {}",
            good.len()
        );
    }
}

#[test]
fn a_workbook_with_flipped_bytes_is_refused_or_read_without_panic() {
    let good = template_xlsx().unwrap();
    for at in (30..good.len()).step_by(good.len() / 40) {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        // Most flips break a checksum; any outcome but a panic is acceptable.
        let _ = items_from_xlsx(&bad);
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let big = vec![0u8; crate::MAX_IMPORT_BYTES + 1];
    assert_eq!(refused(&big), vec![codes::FILE_TOO_LARGE]);
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked_into_memory() {
    // Highly compressible: ~201 MiB of zeros packs into a few hundred KiB.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    zip.start_file("xl/sharedStrings.xml", options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..=(crate::MAX_UNPACKED_BYTES >> 20) {
        zip.write_all(&chunk).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < crate::MAX_IMPORT_BYTES);
    assert_eq!(refused(&bytes), vec![codes::FILE_TOO_LARGE]);
}

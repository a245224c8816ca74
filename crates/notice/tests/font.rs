//! The shipped font covers the 通用规范汉字表 and the punctuation of official documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shenpi_notice::tongyong_guifan_chars;
use typst::foundations::Bytes;
use typst::text::Font;

static FONT: &[u8] = include_bytes!("../fonts/NotoSerifSC-Regular.subset.otf");

fn shipped() -> Font {
    Font::new(Bytes::new(FONT), 0).expect("the shipped font parses")
}

#[test]
fn the_character_list_has_the_8105_characters_of_the_table() {
    let chars: Vec<char> = tongyong_guifan_chars().collect();
    assert_eq!(chars.len(), 8105);
    let mut unique = chars.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 8105, "duplicates in the list");
    // Table order: level 1 starts with 一乙二十, level 3 ends with 蠼.
    assert_eq!(&chars[..4], &['一', '乙', '二', '十']);
    assert_eq!(chars.last(), Some(&'蠼'));
    assert!(chars.iter().all(|c| !c.is_ascii()));
}

#[test]
fn the_shipped_font_covers_every_character_of_the_table() {
    let font = shipped();
    assert_eq!(font.info().family, "Noto Serif CJK SC");
    let coverage = &font.info().coverage;
    let missing: String = tongyong_guifan_chars()
        .filter(|c| !coverage.contains(u32::from(*c)))
        .collect();
    assert!(missing.is_empty(), "not in the shipped font: {missing}");
}

#[test]
fn the_shipped_font_covers_document_punctuation_and_ascii() {
    let font = shipped();
    let coverage = &font.info().coverage;
    let needed = "：，。、；？！（）《》〔〕【】“”‘’—…·％０１２３ＡＢ　\
                  abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\
                  #[]*_$`\\<>@=(){}\"'-+/:;,.!?~|^&%";
    let missing: String = needed
        .chars()
        .filter(|c| !coverage.contains(u32::from(*c)))
        .collect();
    assert!(missing.is_empty(), "not in the shipped font: {missing}");
}

#[test]
fn the_shipped_font_is_a_small_subset() {
    assert!(FONT.len() < 8 * 1024 * 1024, "font is {} bytes", FONT.len());
}

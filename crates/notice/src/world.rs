//! The minimal typst world (排版环境) the notices compile in: one main source, one JSON data
//! file, the shipped CJK font plus system fonts as fallback, no packages and no other files.
//!
//! Fonts are scanned once per process and kept in a `static OnceLock`; a system font is only
//! read and parsed when typst first asks for it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The shipped font: Noto Serif CJK SC, subset (see `fonts/README.md`).
pub(crate) static SHIPPED_FONT: &[u8] = include_bytes!("../fonts/NotoSerifSC-Regular.subset.otf");

/// Directories scanned for fallback fonts, besides `~/.fonts`.
const SYSTEM_FONT_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// One font of the book, loaded on first use.
struct Slot {
    /// File to read it from; `None` for the shipped font.
    path: Option<PathBuf>,
    /// Index in a collection (`.ttc`).
    index: u32,
    /// The parsed font, once loaded (`None` if loading failed).
    font: OnceLock<Option<Font>>,
}

impl Slot {
    fn get(&self) -> Option<Font> {
        self.font
            .get_or_init(|| {
                let path = self.path.as_ref()?;
                let data = std::fs::read(path).ok()?;
                Font::new(Bytes::new(data), self.index)
            })
            .clone()
    }
}

/// Every font the notices may use, with their metadata.
pub(crate) struct Fonts {
    book: LazyHash<FontBook>,
    slots: Vec<Slot>,
    /// `covers` of each code point of the Basic Multilingual Plane once asked: 0 not yet,
    /// 1 covered, 2 not. Every notice checks every character it prints, and asking each of a
    /// few hundred system fonts in turn costs more than the rest of the check.
    bmp: Box<[AtomicU8]>,
}

impl Fonts {
    /// The process-wide font set, scanned on first call.
    pub(crate) fn get() -> &'static Fonts {
        static FONTS: OnceLock<Fonts> = OnceLock::new();
        FONTS.get_or_init(Fonts::load)
    }

    fn load() -> Fonts {
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        for font in Font::iter(Bytes::new(SHIPPED_FONT)) {
            book.push(font.info().clone());
            slots.push(Slot {
                path: None,
                index: 0,
                font: OnceLock::from(Some(font)),
            });
        }
        let mut dirs: Vec<PathBuf> = SYSTEM_FONT_DIRS.iter().map(PathBuf::from).collect();
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(Path::new(&home).join(".fonts"));
            dirs.push(Path::new(&home).join(".local/share/fonts"));
        }
        let mut files = Vec::new();
        for dir in dirs {
            collect_font_files(&dir, &mut files, 0);
        }
        files.sort();
        for path in files {
            let Ok(data) = std::fs::read(&path) else {
                continue;
            };
            for (index, info) in FontInfo::iter(&data).enumerate() {
                book.push(info);
                slots.push(Slot {
                    path: Some(path.clone()),
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    font: OnceLock::new(),
                });
            }
        }
        Fonts {
            book: LazyHash::new(book),
            slots,
            bmp: (0..=0xFFFF).map(|_| AtomicU8::new(0)).collect(),
        }
    }

    /// Whether some font of the set has a glyph for `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        let Some(slot) = self.bmp.get(c as usize) else {
            return self.asks_every_font(c);
        };
        match slot.load(Ordering::Relaxed) {
            1 => true,
            2 => false,
            _ => {
                let covered = self.asks_every_font(c);
                slot.store(if covered { 1 } else { 2 }, Ordering::Relaxed);
                covered
            }
        }
    }

    fn asks_every_font(&self, c: char) -> bool {
        let mut i = 0;
        while let Some(info) = self.book.info(i) {
            if info.coverage.contains(u32::from(c)) {
                return true;
            }
            i += 1;
        }
        false
    }
}

/// Recursively lists `.ttf`, `.otf` and `.ttc` files under `dir`, ignoring errors.
fn collect_font_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_font_files(&path, out, depth + 1);
        } else {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
                out.push(path);
            }
        }
    }
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One compilation: the template and its JSON data.
pub(crate) struct NoticeWorld {
    fonts: &'static Fonts,
    main_id: FileId,
    data_id: FileId,
    main: Source,
    data: Bytes,
}

impl NoticeWorld {
    /// A world compiling `template`, which reads `data` as `/data.json`.
    pub(crate) fn new(template: &str, data: Vec<u8>) -> Option<NoticeWorld> {
        let main_id = file_id("/main.typ")?;
        let data_id = file_id("/data.json")?;
        Some(NoticeWorld {
            fonts: Fonts::get(),
            main_id,
            data_id,
            main: Source::new(main_id, template.to_owned()),
            data: Bytes::new(data),
        })
    }
}

impl World for NoticeWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main_id {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main_id {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.slots.get(index)?.get()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

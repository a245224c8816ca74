//! Application material files (申请材料文件): what a file really is, judged by its content, not
//! its name. Accepted: PDF, JPEG, PNG and OFD (the Chinese fixed-layout format, a ZIP package
//! holding `OFD.xml`).

use serde::{Deserialize, Serialize};

/// The kinds of file a material may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Ofd,
}

impl FileKind {
    /// The media type to serve it with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Ofd => "application/ofd",
        }
    }
}

/// The kind of a file from its first bytes; `None` for anything else (whatever its name says).
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if bytes.starts_with(b"PK\x03\x04") && is_ofd_package(bytes) {
        Some(FileKind::Ofd)
    } else {
        None
    }
}

/// An OFD package is a ZIP whose entries include `OFD.xml` at the root: look through the local
/// file headers (signature, fixed 30-byte header, name) without unpacking anything.
fn is_ofd_package(bytes: &[u8]) -> bool {
    let mut pos = 0usize;
    for _ in 0..64 {
        let Some(header) = bytes.get(pos..pos + 30) else {
            return false;
        };
        if &header[..4] != b"PK\x03\x04" {
            return false;
        }
        let compressed =
            u32::from_le_bytes([header[18], header[19], header[20], header[21]]) as usize;
        let name_len = u16::from_le_bytes([header[26], header[27]]) as usize;
        let extra_len = u16::from_le_bytes([header[28], header[29]]) as usize;
        let Some(name) = bytes.get(pos + 30..pos + 30 + name_len) else {
            return false;
        };
        if name == b"OFD.xml" {
            return true;
        }
        let flags = u16::from_le_bytes([header[6], header[7]]);
        if flags & 0x08 != 0 {
            // Sizes follow the data (data descriptor): cannot walk further safely.
            return false;
        }
        pos = pos + 30 + name_len + extra_len + compressed;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(name: &str) -> Vec<u8> {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        v.extend_from_slice(&3u32.to_le_bytes()); // compressed size
        v.extend_from_slice(&3u32.to_le_bytes()); // uncompressed size
        v.extend_from_slice(&(name.len() as u16).to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v.extend_from_slice(name.as_bytes());
        v.extend_from_slice(b"abc");
        v
    }

    #[test]
    fn files_are_judged_by_their_content_not_their_name() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(sniff(b"MZ\x90\x00 an exe called report.pdf"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn an_ofd_is_a_zip_with_ofd_xml_and_other_zips_are_refused() {
        let mut two = zip_with("Doc_0/Document.xml");
        two.extend(zip_with("OFD.xml"));
        assert_eq!(sniff(&two), Some(FileKind::Ofd));
        assert_eq!(sniff(&zip_with("word/document.xml")), None);
        assert_eq!(sniff(&zip_with("OFD.xml")[..20]), None);
    }
}

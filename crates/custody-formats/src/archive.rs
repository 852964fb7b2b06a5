//! General-purpose compressed containers custody recognises but does not open: 7z
//! (`37 7A BC AF 27 1C`, then major/minor version) and gzip (`1F 8B 08`, flags, optional
//! original file name). Inspection yields no issues: whether "could not look inside" matters
//! (a 7z-wrapped PyTorch archive was used to slip pickles past scanners) is the caller's call.

use crate::ModelMeta;
use crate::util::{Sink, short};

pub(crate) fn inspect_7z(b: &[u8], meta: &mut ModelMeta, _sink: &mut Sink) {
    if let (Some(major), Some(minor)) = (b.get(6), b.get(7)) {
        meta.format_version = Some(format!("{major}.{minor}"));
    }
}

pub(crate) fn inspect_gzip(b: &[u8], meta: &mut ModelMeta, _sink: &mut Sink) {
    // FNAME: zero-terminated Latin-1, kept when it ends within 4 KiB.
    if let Some(name) = gzip_header(b).name.filter(|n| n.len() < 4096) {
        let name: String = name.iter().map(|&c| c as char).collect();
        meta.set_extra("original_name", short(&name));
    }
}

/// What a gzip member's header holds: the original file name (`FNAME`) and where the deflate
/// data starts. A field that runs off the end leaves it and everything after it `None`.
struct GzipHeader<'a> {
    name: Option<&'a [u8]>,
    body: Option<&'a [u8]>,
}

fn gzip_header(b: &[u8]) -> GzipHeader<'_> {
    let mut g = GzipHeader { name: None, body: None };
    let Some(&flags) = b.get(3) else { return g };
    let mut p = 10usize;
    if flags & 0x04 != 0 {
        // FEXTRA: u16 length + data.
        let Some(n) = crate::util::le_u16(b, p) else { return g };
        p += 2 + usize::from(n);
    }
    // FNAME, then FCOMMENT: zero-terminated.
    for bit in [0x08u8, 0x10] {
        if flags & bit != 0 {
            let Some(end) = b.get(p..).and_then(|rest| memchr::memchr(0, rest)) else { return g };
            if bit == 0x08 {
                g.name = b.get(p..p + end);
            }
            p += end + 1;
        }
    }
    if flags & 0x02 != 0 {
        p += 2; // FHCRC
    }
    g.body = b.get(p..);
    g
}

/// The deflate data of a gzip member (after its header); `None` when the header is truncated.
pub fn gzip_body(b: &[u8]) -> Option<&[u8]> {
    gzip_header(b).body
}

/// Whether `b` starts with a zlib header (deflate, window ≤ 32 KiB, check bits right).
pub fn zlib_header(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] & 0x0F == 8 && b[0] >> 4 <= 7 && (u16::from(b[0]) * 256 + u16::from(b[1])) % 31 == 0
}

/// Compressed or archive formats custody recognises but does not open (beyond 7z and gzip,
/// which are [`crate::Format`]s): bzip2, xz, lz4, zstd, rar, tar, and raw lzma under the
/// extensions joblib writes it with (`ext` lowercase, without the dot).
pub fn other_archive(b: &[u8], ext: &str) -> Option<&'static str> {
    if b.len() >= 4 && b.starts_with(b"BZh") && (b'1'..=b'9').contains(&b[3]) {
        return Some("bzip2");
    }
    if b.starts_with(b"\xFD7zXZ\x00") {
        return Some("xz");
    }
    if b.starts_with(b"\x04\x22\x4D\x18") {
        return Some("lz4");
    }
    if b.starts_with(b"\x28\xB5\x2F\xFD") {
        return Some("zstd");
    }
    if b.starts_with(b"Rar!\x1A\x07") {
        return Some("rar");
    }
    if b.get(257..262) == Some(b"ustar") {
        return Some("tar");
    }
    if b.starts_with(b"\x5D\x00\x00") && matches!(ext, "joblib" | "pkl" | "lzma" | "z") {
        return Some("lzma");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_headers() {
        let gz = b"\x1f\x8b\x08\x18\0\0\0\0\0\x03model.pkl\0comment\0DATA";
        let g = gzip_header(gz);
        assert_eq!((g.name, g.body), (Some(&b"model.pkl"[..]), Some(&b"DATA"[..])));
        assert_eq!(gzip_body(b"\x1f\x8b\x08\x08\0\0\0\0\0\x03unterminated"), None);
        assert_eq!(gzip_body(b"\x1f\x8b"), None);
        assert!(zlib_header(&[0x78, 0x9c]));
        assert!(!zlib_header(b"PK"));
        assert_eq!(other_archive(b"BZh91AY", ""), Some("bzip2"));
        assert_eq!(other_archive(b"\x5D\x00\x00\x80", "joblib"), Some("lzma"));
        assert_eq!(other_archive(b"\x5D\x00\x00\x80", "txt"), None);
    }
}

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
    let Some(&flags) = b.get(3) else { return };
    let mut p = 10usize;
    if flags & 0x04 != 0 {
        // FEXTRA: u16 length + data.
        let Some(n) = crate::util::le_u16(b, p) else { return };
        p += 2 + usize::from(n);
    }
    if flags & 0x08 != 0 {
        // FNAME: zero-terminated Latin-1.
        if let Some(rest) = b.get(p..)
            && let Some(end) = rest.iter().take(4096).position(|&c| c == 0)
        {
            let name: String = rest[..end].iter().map(|&c| c as char).collect();
            meta.set_extra("original_name", short(&name));
        }
    }
}

//! Zip-family containers (PyTorch, TorchScript, Keras 3, npz, plain zip, llamafile) read the
//! way `torch.load` reads them: central directory first, CRCs and flag bits ignored (and
//! reported), every member that holds a pickle analysed whatever its name, nested archives
//! opened to [`crate::MAX_ARCHIVE_DEPTH`], nothing extracted.

use crate::codes;
use crate::ctx::{Ctx, join};
use custody_formats::Format;
use custody_formats::zip::{self, Entry};
use std::borrow::Cow;
use std::collections::HashMap;

/// `torch.save` storages: `<archive>/data/<digits>` (raw tensor bytes, never unpickled).
fn is_storage(name: &str) -> bool {
    let mut parts = name.rsplit('/');
    let last = parts.next().unwrap_or("");
    let dir = parts.next().unwrap_or("");
    dir == "data" && !last.is_empty() && last.bytes().all(|c| c.is_ascii_digit())
}

fn unsafe_name(n: &str) -> bool {
    n.starts_with('/')
        || n.starts_with('\\')
        || n.split(['/', '\\']).any(|c| c == "..")
        || (n.len() >= 2 && n.as_bytes()[1] == b':' && n.as_bytes()[0].is_ascii_alphabetic())
}

/// A pickle file that also carries a zip directory at its end: `torch.load` reads the pickle
/// (it decides by the first bytes), zip-first tools read the archive.
pub(crate) fn pickle_polyglot(ctx: &mut Ctx, b: &[u8], member: Option<&str>, depth: u32) {
    let tail = &b[b.len().saturating_sub(66 << 10)..];
    if memchr::memmem::rfind(tail, b"PK\x05\x06").is_none() {
        return;
    }
    if let Ok(arch) = zip::read(b)
        && !arch.entries.is_empty()
    {
        ctx.add(
            codes::ZIP_POLYGLOT,
            None,
            member,
            Some(0),
            format!("file is both a pickle and a zip archive of {} members", arch.entries.len()),
            "torch.load and pickle read the pickle at the start; zip-first scanners and tools see the archive",
        );
        analyze_archive(ctx, b, &arch, member, depth, Format::Zip);
    }
}

pub(crate) fn analyze(ctx: &mut Ctx, b: &[u8], file_len: u64, member: Option<&str>, depth: u32, fmt: Format) {
    let whole = b.len() as u64 >= file_len;
    if !whole {
        ctx.uninspectable(
            member,
            format!("{} archive larger than the inspected prefix: its directory is at the end", fmt.as_str()),
            format!("{} of {file_len} bytes inspected; members found in the prefix were still analysed", b.len()),
        );
        local_scan(ctx, b, member, depth, fmt);
        return;
    }
    match zip::read(b) {
        Ok(arch) => {
            for i in &arch.issues {
                let m = &i.message;
                if m.contains("local header names it")
                    || m.contains("overlap")
                    || m.contains("compression ratio")
                    || m.contains("uncompressed in total")
                {
                    continue; // checked below, with our own codes
                }
                if i.code == custody_formats::LIMIT {
                    ctx.uninspectable(member, format!("zip: {m}"), "parser limit");
                } else {
                    ctx.add(
                        codes::ZIP_MALFORMED,
                        None,
                        member,
                        i.offset,
                        format!("zip structure: {m}"),
                        "loaders and scanners may disagree about what this archive holds",
                    );
                }
            }
            if arch.prefix > 0 && fmt != Format::Llamafile {
                let prefix = &b[..usize::try_from(arch.prefix).unwrap_or(0).min(b.len())];
                let what = match custody_formats::sniff(prefix) {
                    Some(f) => format!("a {} file", f.as_str()),
                    None => "unidentified data".to_string(),
                };
                ctx.add(
                    codes::ZIP_POLYGLOT,
                    None,
                    member,
                    Some(0),
                    format!("{} bytes of {what} precede the zip archive", arch.prefix),
                    "readers that look at the start (torch.load checks the first bytes) and readers that look at the end see different files",
                );
                if matches!(custody_formats::sniff(prefix), Some(Format::Pickle | Format::TorchLegacy)) {
                    ctx.pickles(prefix, 0, member, true, crate::pickle::MAX_STREAMS);
                }
            }
            analyze_archive(ctx, b, &arch, member, depth, fmt);
        }
        Err(issue) => {
            ctx.inspected = false;
            ctx.add(
                codes::ZIP_MALFORMED,
                None,
                member,
                issue.offset,
                format!("zip central directory unusable: {}", issue.message),
                "members were read from their local headers instead; a loader may see something else",
            );
            local_scan(ctx, b, member, depth, fmt);
        }
    }
}

fn analyze_archive(ctx: &mut Ctx, b: &[u8], arch: &zip::Archive, member: Option<&str>, depth: u32, fmt: Format) {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    let mut total = 0u64;
    let mut ratio_reported = false;
    let mut spans = Vec::new();
    for e in &arch.entries {
        let m = join(member, &e.name);
        let n = seen.entry(e.name.as_str()).or_insert(0);
        *n += 1;
        if *n == 2 {
            ctx.add(
                codes::ZIP_DUPLICATE,
                None,
                Some(&m),
                Some(e.local_header_offset),
                format!("member name `{}` appears more than once", e.name),
                "readers disagree about which copy they use (Python's zipfile takes the last); all copies were analysed",
            );
        }
        if unsafe_name(&e.name) {
            ctx.add(
                codes::ZIP_TRAVERSAL,
                None,
                Some(&m),
                Some(e.local_header_offset),
                format!("member name `{}` is absolute or climbs out of the extraction directory", e.name),
                "extracting this archive writes outside the target directory",
            );
        }
        if e.flags & 0x61 != 0 {
            let what: Vec<&str> = [(0x01, "encrypted"), (0x20, "compressed patched data"), (0x40, "strong encryption")]
                .into_iter()
                .filter(|(bit, _)| e.flags & bit != 0)
                .map(|(_, w)| w)
                .collect();
            ctx.add(
                codes::ZIP_FLAGS,
                None,
                Some(&m),
                Some(e.local_header_offset),
                format!("member `{}` has flag bits {:#06x} ({})", e.name, e.flags, what.join(", ")),
                "torch.load ignores these bits and reads the member, while strict zip readers refuse it: a scanner built on them sees nothing",
            );
        }
        // Local header name vs central directory name.
        if let Some(local) = zip::local_name(b, e)
            && String::from_utf8_lossy(local) != e.name.as_str()
        {
            ctx.add(
                codes::ZIP_NAME_MISMATCH,
                None,
                Some(&m),
                Some(e.local_header_offset),
                format!("member `{}`: the local header calls it `{}`", e.name, String::from_utf8_lossy(local)),
                "readers that walk local headers and readers that use the central directory see different names (CVE-2025-1944)",
            );
        }
        total = total.saturating_add(e.uncompressed_size);
        if e.method != 0
            && e.uncompressed_size > 1 << 20
            && e.uncompressed_size / e.compressed_size.max(1) > 1000
            && !ratio_reported
        {
            ratio_reported = true;
            ctx.add(
                codes::ZIP_BOMB,
                None,
                Some(&m),
                Some(e.local_header_offset),
                format!(
                    "member `{}` declares a compression ratio of {}:1",
                    e.name,
                    e.uncompressed_size / e.compressed_size.max(1)
                ),
                format!("{} bytes packed into {}", e.uncompressed_size, e.compressed_size),
            );
        }
        if let Some(d) = e.data_offset {
            spans.push((e.local_header_offset, d.saturating_add(e.compressed_size), e.name.clone()));
        }
    }
    if total > 1 << 40 {
        ctx.add(
            codes::ZIP_BOMB,
            None,
            member,
            None,
            format!("members declare {total} bytes uncompressed in total"),
            "more than 1 TiB once extracted",
        );
    }
    spans.sort();
    for w in spans.windows(2) {
        if w[1].0 < w[0].1 {
            ctx.add(
                codes::ZIP_BOMB,
                None,
                member,
                Some(w[1].0),
                format!("members `{}` and `{}` overlap", w[0].2, w[1].2),
                "overlapping members are how non-recursive zip bombs multiply their output, and how two names share one payload",
            );
            break;
        }
    }
    let torch = matches!(fmt, Format::PytorchZip | Format::TorchScript);
    for e in arch.entries.iter().take(100_000) {
        if e.is_dir() || (torch && is_storage(&e.name)) {
            continue;
        }
        member_content(ctx, b, e, member, depth, fmt);
    }
}

/// The first bytes of a member (inflated when deflated).
fn peek<'a>(b: &'a [u8], e: &Entry, n: usize) -> Option<Cow<'a, [u8]>> {
    let raw = zip::raw_data(b, e)?;
    match e.method {
        0 => Some(Cow::Borrowed(&raw[..raw.len().min(n)])),
        8 => {
            use miniz_oxide::inflate::decompress_to_vec_with_limit;
            match decompress_to_vec_with_limit(raw, n) {
                Ok(v) => Some(Cow::Owned(v)),
                Err(err) => Some(Cow::Owned(err.output)),
            }
        }
        _ => None,
    }
}

/// A member's whole content, ignoring the encryption flag (as torch does). (data, complete).
fn read<'a>(ctx: &mut Ctx, b: &'a [u8], e: &Entry) -> Result<(Cow<'a, [u8]>, bool), String> {
    let Some(raw) = zip::raw_data(b, e) else { return Err("its data lies outside the file".into()) };
    match e.method {
        0 => Ok((Cow::Borrowed(raw), true)),
        8 => ctx.inflate(raw, false).map(|(v, done)| (Cow::Owned(v), done)),
        m => Err(format!("compression method {m}, which custody does not read")),
    }
}

enum Kind {
    Pickle { legacy: bool },
    Npy,
    KerasConfig,
    Nested,
    Skip,
}

fn member_content(ctx: &mut Ctx, b: &[u8], e: &Entry, parent: Option<&str>, depth: u32, fmt: Format) {
    let m = join(parent, &e.name);
    let lower = e.name.to_ascii_lowercase();
    let pickle_name = lower.ends_with(".pkl") || lower.ends_with(".pickle");
    let Some(head) = peek(b, e, 64 << 10) else {
        if pickle_name || !matches!(fmt, Format::Npz) {
            ctx.uninspectable(
                Some(&m),
                format!("member `{}` uses compression method {}, which custody does not read", e.name, e.method),
                "its content was not analysed",
            );
        }
        return;
    };
    let sniffed = custody_formats::sniff(&head);
    let kind = match sniffed {
        Some(Format::Pickle) => Kind::Pickle { legacy: false },
        Some(Format::TorchLegacy) => Kind::Pickle { legacy: true },
        Some(Format::Npy) => Kind::Npy,
        _ if e.name == "config.json"
            && (fmt == Format::KerasV3 || head.windows(12).any(|w| w == b"\"class_name\"")) =>
        {
            Kind::KerasConfig
        }
        Some(Format::Safetensors | Format::Gguf | Format::Onnx | Format::Hdf5) => Kind::Nested,
        Some(Format::PytorchZip | Format::TorchScript | Format::Npz | Format::KerasV3 | Format::Zip) => Kind::Nested,
        Some(Format::SevenZip | Format::Gzip) => Kind::Nested,
        _ if pickle_name => Kind::Pickle { legacy: false },
        _ => Kind::Skip,
    };
    if let Kind::Skip = kind {
        if e.is_encrypted() && !matches!(fmt, Format::Npz) {
            ctx.uninspectable(Some(&m), format!("member `{}` is encrypted", e.name), "its content could not be read");
        }
        return;
    }
    if let Kind::Pickle { .. } = kind
        && !pickle_name
    {
        ctx.add(
            codes::ZIP_HIDDEN_PICKLE,
            None,
            Some(&m),
            e.data_offset,
            format!("member `{}` holds a pickle under a name that does not say so", e.name),
            "scanners that pick members by extension skip it; loaders that open it by name run it (CVE-2025-1889)",
        );
    }
    let (data, complete) = match read(ctx, b, e) {
        Ok(x) => x,
        Err(why) => {
            ctx.uninspectable(
                Some(&m),
                format!("member `{}` could not be read: {why}", e.name),
                "its content was not analysed",
            );
            return;
        }
    };
    if !complete {
        ctx.uninspectable(
            Some(&m),
            format!("member `{}` inflates to more than {} bytes; only the start was analysed", e.name, data.len()),
            "inflation limit",
        );
        if e.uncompressed_size < data.len() as u64 {
            ctx.add(
                codes::ZIP_BOMB,
                None,
                Some(&m),
                Some(e.local_header_offset),
                format!("member `{}` inflates past its declared size of {} bytes", e.name, e.uncompressed_size),
                "the declared size lies about the content",
            );
        }
    } else if custody_formats::crc32(&data) != e.crc32 {
        ctx.add(
            codes::ZIP_CRC,
            None,
            Some(&m),
            Some(e.local_header_offset),
            format!("member `{}` does not match its CRC-32", e.name),
            "torch.load ignores CRCs, strict zip readers refuse the member: the content was changed after the archive was written, or crafted to blind scanners (CVE-2025-10156)",
        );
    }
    let len = if complete { data.len() as u64 } else { data.len() as u64 + 1 };
    match kind {
        Kind::Pickle { legacy } => {
            ctx.pickles(&data, 0, Some(&m), complete, if legacy { 5 } else { crate::pickle::MAX_STREAMS })
        }
        Kind::Npy => crate::npy::analyze(ctx, &data, complete, Some(&m)),
        Kind::KerasConfig => crate::keras::config_bytes(ctx, &data, Some(&m), false),
        Kind::Nested => {
            if depth + 1 > crate::MAX_ARCHIVE_DEPTH
                && matches!(
                    sniffed,
                    Some(
                        Format::PytorchZip
                            | Format::TorchScript
                            | Format::Npz
                            | Format::KerasV3
                            | Format::Zip
                            | Format::Gzip
                    )
                )
            {
                ctx.uninspectable(Some(&m), "archive nested too deep to open", "archive nesting limit");
            } else {
                let name = e.name.rsplit('/').next().unwrap_or(&e.name);
                crate::dispatch::dispatch(ctx, &data, len, Some(&m), depth + 1, name);
            }
        }
        Kind::Skip => {}
    }
}

/// Walk local headers from the start (no usable central directory, or only a prefix).
fn local_scan(ctx: &mut Ctx, b: &[u8], member: Option<&str>, depth: u32, fmt: Format) {
    for e in zip::local_headers(b).take(100_000) {
        if e.data_offset.is_none() {
            break; // sizes in a data descriptor after the data, or data past the end: cannot read
        }
        if !(e.is_dir() || (matches!(fmt, Format::PytorchZip | Format::TorchScript) && is_storage(&e.name))) {
            member_content(ctx, b, &e, member, depth, fmt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_storage("archive/data/0"));
        assert!(!is_storage("archive/data.pkl"));
        assert!(unsafe_name("../evil.pkl"));
        assert!(unsafe_name("/etc/passwd"));
        assert!(unsafe_name("C:\\x"));
        assert!(!unsafe_name("archive/data.pkl"));
    }
}

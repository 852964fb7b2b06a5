//! A relaxed, total zip reader (central directory first, like `torch.load` and Python's
//! `zipfile`), and the classification of zip-based model formats.
//!
//! - The end-of-central-directory record (`PK\x05\x06`) is searched for in the last
//!   [`limits::ZIP_EOCD_SEARCH`] bytes; ZIP64 (locator `PK\x06\x07`, record `PK\x06\x06`, extra
//!   field `0x0001`) is supported. Bytes before the archive (self-extracting stubs, llamafile's
//!   executable) are detected as Python does (`EOCD position − CD size − CD offset`) and all
//!   offsets are shifted by them (`Archive::prefix`).
//! - Flag bits (encryption, data descriptors) are reported, not refused, and CRCs are only
//!   checked for members this crate actually reads (as torch ignores them, a mismatch is a
//!   signal worth reporting, not a reason to stop).
//! - Checks: central directory inside the file, entries well-formed, each local header where
//!   the central directory says, local and central names equal (a parser differential used to
//!   hide pickles, CVE-2025-1944), member data inside the file, members not overlapping
//!   (overlapping members are the "better zip bomb" technique), declared compression ratio
//!   ≤ [`limits::MAX_ZIP_RATIO`] and total ≤ [`limits::MAX_ZIP_TOTAL`].
//! - Nothing is ever extracted to disk; members are read in place (stored) or inflated into
//!   memory with an output cap ([`limits::MAX_INFLATE`]).
//!
//! Classification by member names (formats.md §6.10: TorchScript > torch.save > Keras 3 > npz):
//! TorchScript = `constants.pkl` and a `code/` path; PyTorch = `data.pkl` plus `data/`,
//! `version` or `byteorder` entries; Keras 3 = `config.json` + `metadata.json` +
//! `model.weights.h5` (or `.npz`); npz = every member `*.npy`; else plain zip.

use crate::util::{Reader, Sink, le_u16, le_u32, le_u64, off, short};
use crate::{Format, Issue, ModelMeta, limits, meta_string, npy};
use std::borrow::Cow;

/// One central-directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name (UTF-8, lossily decoded).
    pub name: String,
    /// 0 stored, 8 deflate, others unsupported here.
    pub method: u16,
    /// General-purpose flags (bit 0 encrypted, bit 3 data descriptor, bit 11 UTF-8).
    pub flags: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// Absolute offset of the local header in the file (prefix already added).
    pub local_header_offset: u64,
    /// Absolute offset of the member's data (after the local header), when the local header
    /// was found and is sane.
    pub data_offset: Option<u64>,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
    pub fn is_encrypted(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// A zip archive's directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archive {
    pub entries: Vec<Entry>,
    /// Bytes before the archive proper (0 for a plain zip).
    pub prefix: u64,
    /// Whether ZIP64 records were used.
    pub zip64: bool,
    /// Problems that did not prevent reading the directory.
    pub issues: Vec<Issue>,
}

fn issue(code: crate::FmtCode, message: impl Into<String>, offset: u64) -> Issue {
    Issue { code, message: message.into(), offset: Some(offset) }
}

/// Find the end-of-central-directory record: the last signature in the trailing window whose
/// comment fits in the file.
fn find_eocd(b: &[u8]) -> Option<usize> {
    if b.len() < 22 {
        return None;
    }
    let lo = b.len().saturating_sub(limits::ZIP_EOCD_SEARCH);
    let mut pos = b.len() - 22;
    loop {
        if b[pos..].starts_with(b"PK\x05\x06") {
            let comment = usize::from(le_u16(b, pos + 20).unwrap_or(u16::MAX));
            if pos + 22 + comment <= b.len() {
                return Some(pos);
            }
        }
        if pos == lo {
            return None;
        }
        pos -= 1;
    }
}

/// Read the central directory. `Err` when there is no usable directory at all.
pub fn read(b: &[u8]) -> Result<Archive, Issue> {
    use crate::{LIMIT, MALFORMED};
    let Some(eocd) = find_eocd(b) else {
        return Err(issue(MALFORMED, "no end-of-central-directory record (truncated or not a zip)", off(b.len())));
    };
    let mut total = u64::from(le_u16(b, eocd + 10).unwrap_or(0));
    let mut cd_size = u64::from(le_u32(b, eocd + 12).unwrap_or(0));
    let mut cd_offset = u64::from(le_u32(b, eocd + 16).unwrap_or(0));
    let mut cd_end_expected = off(eocd);
    let mut zip64 = false;
    if eocd >= 20 && b[eocd - 20..].starts_with(b"PK\x06\x07") {
        zip64 = true;
        // Python's rule: the ZIP64 record sits right before the locator.
        let rec = eocd.checked_sub(20 + 56);
        let declared = le_u64(b, eocd - 20 + 8).and_then(|o| usize::try_from(o).ok());
        let at =
            [rec, declared].into_iter().flatten().find(|&p| b.get(p..).is_some_and(|s| s.starts_with(b"PK\x06\x06")));
        let Some(at) = at else {
            return Err(issue(
                MALFORMED,
                "ZIP64 locator present but no ZIP64 end-of-central-directory record",
                off(eocd - 20),
            ));
        };
        let (Some(t), Some(s), Some(o)) = (le_u64(b, at + 32), le_u64(b, at + 40), le_u64(b, at + 48)) else {
            return Err(issue(MALFORMED, "truncated ZIP64 end-of-central-directory record", off(at)));
        };
        total = t;
        cd_size = s;
        cd_offset = o;
        cd_end_expected = off(at);
    }
    let Some(cd_end) = cd_offset.checked_add(cd_size).filter(|&e| e <= cd_end_expected) else {
        return Err(issue(
            MALFORMED,
            format!("central directory (offset {cd_offset}, size {cd_size}) points outside the archive"),
            off(eocd),
        ));
    };
    let prefix = cd_end_expected - cd_end;
    let mut arch = Archive { prefix, zip64, ..Archive::default() };
    let start = cd_offset + prefix;
    let cd = usize::try_from(start)
        .ok()
        .zip(usize::try_from(cd_end_expected).ok())
        .and_then(|(s, e)| b.get(s..e))
        .unwrap_or_default();
    if total > off(cd.len() / 46) {
        arch.issues.push(issue(
            MALFORMED,
            format!("{total} entries declared but the central directory has room for at most {}", cd.len() / 46),
            start,
        ));
        total = off(cd.len() / 46);
    }
    if total > limits::MAX_ZIP_ENTRIES {
        arch.issues.push(issue(
            LIMIT,
            format!("{total} entries; only the first {} were read", limits::MAX_ZIP_ENTRIES),
            start,
        ));
        total = limits::MAX_ZIP_ENTRIES;
    }
    let mut r = Reader::new(cd);
    for i in 0..total {
        let at = start + off(r.pos());
        match entry(&mut r, prefix) {
            Some(e) => arch.entries.push(e),
            None => {
                arch.issues.push(issue(
                    MALFORMED,
                    format!("central directory entry {i} is malformed or truncated"),
                    at,
                ));
                break;
            }
        }
    }
    check_members(b, &mut arch);
    Ok(arch)
}

fn entry(r: &mut Reader, prefix: u64) -> Option<Entry> {
    if r.take(4)? != b"PK\x01\x02" {
        return None;
    }
    r.skip(4)?; // versions
    let flags = r.u16()?;
    let method = r.u16()?;
    r.skip(4)?; // time, date
    let crc32 = r.u32()?;
    let mut csize = u64::from(r.u32()?);
    let mut usize_ = u64::from(r.u32()?);
    let n = r.u16()?;
    let e = r.u16()?;
    let c = r.u16()?;
    r.skip(8)?; // disk, internal, external attributes
    let mut offset = u64::from(r.u32()?);
    let name = String::from_utf8_lossy(r.take(u64::from(n))?).into_owned();
    let extra = r.take(u64::from(e))?;
    r.skip(u64::from(c))?;
    // ZIP64 extended information: only the fields that are saturated, in this order.
    let mut x = Reader::new(extra);
    while x.remaining() >= 4 {
        let (id, len) = (x.u16()?, x.u16()?);
        let data = x.take(u64::from(len))?;
        if id == 1 {
            let mut d = Reader::new(data);
            if usize_ == 0xFFFF_FFFF {
                usize_ = d.u64()?;
            }
            if csize == 0xFFFF_FFFF {
                csize = d.u64()?;
            }
            if offset == 0xFFFF_FFFF {
                offset = d.u64()?;
            }
        }
    }
    Some(Entry {
        name,
        method,
        flags,
        crc32,
        compressed_size: csize,
        uncompressed_size: usize_,
        local_header_offset: offset.checked_add(prefix)?,
        data_offset: None,
    })
}

fn check_members(b: &[u8], arch: &mut Archive) {
    use crate::{LIMIT, MALFORMED};
    let mut spans = Vec::with_capacity(arch.entries.len());
    let mut total = 0u64;
    let mut ratio_reported = false;
    for e in arch.entries.iter_mut() {
        let lh = e.local_header_offset;
        let name = short(&e.name);
        let local = usize::try_from(lh).ok().and_then(|p| b.get(p..)).filter(|s| s.starts_with(b"PK\x03\x04"));
        let Some(local) = local else {
            arch.issues.push(issue(MALFORMED, format!("member `{name}`: no local header at offset {lh}"), lh));
            continue;
        };
        let (Some(n), Some(x)) = (le_u16(local, 26), le_u16(local, 28)) else {
            arch.issues.push(issue(MALFORMED, format!("member `{name}`: truncated local header"), lh));
            continue;
        };
        let lname = local.get(30..30 + usize::from(n));
        if lname.is_none_or(|l| String::from_utf8_lossy(l) != e.name.as_str()) {
            arch.issues.push(issue(
                MALFORMED,
                format!(
                    "member `{name}`: the local header names it `{}`",
                    short(&String::from_utf8_lossy(lname.unwrap_or_default()))
                ),
                lh,
            ));
        }
        let data = lh + 30 + u64::from(n) + u64::from(x);
        let end = data.checked_add(e.compressed_size);
        match end {
            Some(end) if end <= off(b.len()) => {
                e.data_offset = Some(data);
                spans.push((lh, end, e.name.clone()));
            }
            _ => arch.issues.push(issue(
                MALFORMED,
                format!(
                    "member `{name}`: {} bytes of data at offset {data} run past the end of the file",
                    e.compressed_size
                ),
                lh,
            )),
        }
        total = total.saturating_add(e.uncompressed_size);
        if e.method != 0
            && e.uncompressed_size > 1 << 20
            && e.uncompressed_size / e.compressed_size.max(1) > limits::MAX_ZIP_RATIO
            && !ratio_reported
        {
            ratio_reported = true;
            arch.issues.push(issue(
                LIMIT,
                format!(
                    "member `{name}` declares a compression ratio of {}:1 (possible zip bomb)",
                    e.uncompressed_size / e.compressed_size.max(1)
                ),
                lh,
            ));
        }
    }
    if total > limits::MAX_ZIP_TOTAL {
        arch.issues.push(issue(
            LIMIT,
            format!("members declare {total} bytes uncompressed in total (possible zip bomb)"),
            0,
        ));
    }
    spans.sort();
    for w in spans.windows(2) {
        if w[1].0 < w[0].1 {
            arch.issues.push(issue(
                MALFORMED,
                format!("members `{}` and `{}` overlap (crafted archive or zip bomb)", short(&w[0].2), short(&w[1].2)),
                w[1].0,
            ));
            break;
        }
    }
}

/// The raw (possibly compressed) bytes of a member, in place.
pub fn raw_data<'a>(b: &'a [u8], e: &Entry) -> Option<&'a [u8]> {
    let start = usize::try_from(e.data_offset?).ok()?;
    let end = start.checked_add(usize::try_from(e.compressed_size).ok()?)?;
    b.get(start..end)
}

/// The content of a member: borrowed when stored, inflated (at most `max` bytes) when
/// deflated. `Err` for other methods, encryption, data outside the file, corrupt deflate data,
/// or output over `max` (a `CUS-FMT-002` issue). The CRC is checked when the whole member was
/// read.
pub fn read_member<'a>(b: &'a [u8], e: &Entry, max: usize) -> Result<Cow<'a, [u8]>, Issue> {
    use crate::{LIMIT, MALFORMED};
    let at = e.local_header_offset;
    let name = short(&e.name);
    if e.is_encrypted() {
        return Err(issue(MALFORMED, format!("member `{name}` is encrypted"), at));
    }
    let Some(raw) = raw_data(b, e) else {
        return Err(issue(MALFORMED, format!("member `{name}` has no readable data"), at));
    };
    let out: Cow<[u8]> = match e.method {
        0 => {
            if raw.len() > max {
                return Err(issue(LIMIT, format!("member `{name}` is larger than {max} bytes"), at));
            }
            Cow::Borrowed(raw)
        }
        8 => match inflate(raw, max) {
            Ok((v, true)) => Cow::Owned(v),
            Ok((_, false)) => {
                return Err(issue(LIMIT, format!("member `{name}` inflates to more than {max} bytes"), at));
            }
            Err(m) => return Err(issue(MALFORMED, format!("member `{name}`: {m}"), at)),
        },
        m => return Err(issue(MALFORMED, format!("member `{name}` uses unsupported compression method {m}"), at)),
    };
    if crate::util::crc32(&out) != e.crc32 {
        return Err(issue(MALFORMED, format!("member `{name}`: CRC-32 mismatch"), at));
    }
    Ok(out)
}

/// The first bytes of a member (at most `max`), without requiring the rest to be read.
pub fn read_prefix<'a>(b: &'a [u8], e: &Entry, max: usize) -> Option<Cow<'a, [u8]>> {
    let raw = raw_data(b, e)?;
    if e.is_encrypted() {
        return None;
    }
    match e.method {
        0 => Some(Cow::Borrowed(&raw[..raw.len().min(max)])),
        8 => inflate(raw, max).ok().map(|(v, _)| Cow::Owned(v)),
        _ => None,
    }
}

/// Raw deflate with an output cap: (output, whether the stream ended within the cap).
pub(crate) fn inflate(data: &[u8], max: usize) -> Result<(Vec<u8>, bool), String> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_with_limit};
    match decompress_to_vec_with_limit(data, max) {
        Ok(v) => Ok((v, true)),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Ok((e.output, false)),
        Err(e) => Err(format!("corrupt deflate data ({:?})", e.status)),
    }
}

/// What the member names say.
#[derive(Debug, Default)]
struct Names {
    any: bool,
    constants: bool,
    code: bool,
    data_pkl: bool,
    torch_aux: bool,
    config: bool,
    metadata: bool,
    weights: bool,
    all_npy: bool,
}

impl Names {
    fn new() -> Names {
        Names { all_npy: true, ..Names::default() }
    }
    fn add(&mut self, n: &str) {
        let base = n.rsplit('/').next().unwrap_or(n);
        self.any = true;
        self.constants |= base == "constants.pkl";
        self.code |= n.starts_with("code/") || n.contains("/code/");
        self.data_pkl |= base == "data.pkl";
        self.torch_aux |= n.starts_with("data/") || n.contains("/data/") || base == "version" || base == "byteorder";
        self.config |= n == "config.json";
        self.metadata |= n == "metadata.json";
        self.weights |= n == "model.weights.h5" || n == "model.weights.npz";
        self.all_npy &= n.ends_with(".npy");
    }
    /// `complete`: every member was seen (central directory), else a prefix (local headers).
    fn classify(&self, complete: bool) -> Format {
        if self.constants && self.code {
            Format::TorchScript
        } else if self.data_pkl && (self.torch_aux || !complete) {
            Format::PytorchZip
        } else if self.config && self.metadata && (self.weights || !complete) {
            Format::KerasV3
        } else if self.any && self.all_npy {
            Format::Npz
        } else {
            Format::Zip
        }
    }
}

/// Member names from the local headers at the start of `head` (at most 256; the walk stops
/// after a member whose data is followed by a data descriptor).
fn local_names(head: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for e in local_headers(head).take(256) {
        let last = e.flags & 8 != 0 || e.data_offset.is_none();
        names.push(e.name);
        if last {
            break;
        }
    }
    names
}

/// The fixed part and name of the local header at `at`.
struct LocalHeader<'a> {
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u32,
    uncompressed_size: u32,
    name: &'a [u8],
    /// Offset of the member's data (after the name and extra field).
    data_at: usize,
}

fn local_header(b: &[u8], at: usize) -> Option<LocalHeader<'_>> {
    if !b.get(at..)?.starts_with(b"PK\x03\x04") {
        return None;
    }
    let (n, x) = (usize::from(le_u16(b, at + 26)?), usize::from(le_u16(b, at + 28)?));
    let start = at + 30;
    Some(LocalHeader {
        flags: le_u16(b, at + 6)?,
        method: le_u16(b, at + 8)?,
        crc32: le_u32(b, at + 14)?,
        compressed_size: le_u32(b, at + 18)?,
        uncompressed_size: le_u32(b, at + 22)?,
        name: b.get(start..start + n)?,
        data_at: start + n + x,
    })
}

/// The name a member's local header gives it (raw bytes), when there is a local header where
/// the central directory says.
pub fn local_name<'a>(b: &'a [u8], e: &Entry) -> Option<&'a [u8]> {
    Some(local_header(b, usize::try_from(e.local_header_offset).ok()?)?.name)
}

/// Walk the local headers from the start of `b` (an archive without a usable central
/// directory, or a prefix of one), each as an [`Entry`] with its offsets. A member whose data
/// cannot be located (sizes in a data descriptor or a ZIP64 extra field, or data past the end
/// of `b`) comes with `data_offset: None` and ends the walk; so does anything that is not a
/// local header. Callers bound the count.
pub fn local_headers(b: &[u8]) -> LocalHeaders<'_> {
    LocalHeaders { b, pos: 0, done: false }
}

/// See [`local_headers`].
pub struct LocalHeaders<'a> {
    b: &'a [u8],
    pos: usize,
    done: bool,
}

impl Iterator for LocalHeaders<'_> {
    type Item = Entry;
    fn next(&mut self) -> Option<Entry> {
        if self.done {
            return None;
        }
        let at = self.pos;
        let Some(h) = local_header(self.b, at) else {
            self.done = true;
            return None;
        };
        let sized = !(h.flags & 8 != 0 && h.compressed_size == 0) && h.compressed_size != u32::MAX;
        let end = h.data_at.checked_add(h.compressed_size as usize).filter(|&e| sized && e <= self.b.len());
        match end {
            Some(end) => self.pos = end,
            None => self.done = true,
        }
        Some(Entry {
            name: String::from_utf8_lossy(h.name).into_owned(),
            method: h.method,
            flags: h.flags,
            crc32: h.crc32,
            compressed_size: u64::from(h.compressed_size),
            uncompressed_size: u64::from(h.uncompressed_size),
            local_header_offset: off(at),
            data_offset: end.map(|_| off(h.data_at)),
        })
    }
}

/// Classify a zip from its head: the central directory if the head holds the whole archive,
/// else the local headers visible in it.
pub(crate) fn classify_head(head: &[u8]) -> Format {
    let mut names = Names::new();
    if let Ok(a) = read(head)
        && a.issues.is_empty()
    {
        a.entries.iter().for_each(|e| names.add(&e.name));
        return names.classify(true);
    }
    local_names(head).iter().for_each(|n| names.add(n));
    names.classify(false)
}

pub(crate) fn inspect(b: &[u8], asked: Format, meta: &mut ModelMeta, sink: &mut Sink) -> Format {
    let arch = match read(b) {
        Ok(a) => a,
        Err(i) => {
            sink.push(i.code, i.message, i.offset);
            // Name what the local headers show, so the listing is not empty.
            let mut names = Names::new();
            for n in local_names(b) {
                names.add(&n);
                list_member(meta, &n, sink);
            }
            return if names.any { names.classify(false) } else { asked };
        }
    };
    sink.extend(arch.issues.clone());
    describe(b, &arch, meta, sink)
}

fn list_member(meta: &mut ModelMeta, name: &str, sink: &mut Sink) {
    if meta.members.len() < limits::MAX_MEMBERS {
        meta.members.push(meta_string(name));
    } else if meta.members.len() == limits::MAX_MEMBERS {
        meta.members.push("…".into());
        sink.limit(format!("more than {} members; only the first are listed", limits::MAX_MEMBERS), None);
    }
}

/// Fill `meta` from an archive and return its classification (shared with llamafile).
pub(crate) fn describe(b: &[u8], arch: &Archive, meta: &mut ModelMeta, sink: &mut Sink) -> Format {
    let mut names = Names::new();
    let mut encrypted = 0u64;
    let mut suspicious = 0u64;
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0u64;
    for e in &arch.entries {
        names.add(&e.name);
        list_member(meta, &e.name, sink);
        encrypted += u64::from(e.is_encrypted());
        let n = &e.name;
        suspicious += u64::from(
            n.starts_with('/')
                || n.starts_with('\\')
                || n.split(['/', '\\']).any(|c| c == "..")
                || n.get(1..2) == Some(":"),
        );
        if !seen.insert(n.as_str()) {
            duplicates += 1;
        }
    }
    meta.set_extra("zip.entries", arch.entries.len().to_string());
    if arch.prefix > 0 {
        meta.set_extra("zip.prefix_bytes", arch.prefix.to_string());
    }
    if arch.zip64 {
        meta.set_extra("zip.zip64", "true");
    }
    for (k, v) in
        [("zip.encrypted_members", encrypted), ("zip.unsafe_paths", suspicious), ("zip.duplicate_names", duplicates)]
    {
        if v > 0 {
            meta.set_extra(k, v.to_string());
        }
    }
    if arch.entries.iter().any(|e| e.name == "MAR-INF/MANIFEST.json") {
        meta.set_extra("zip.kind", "torchserve-mar");
    } else if arch.entries.iter().any(|e| e.name == "schema.json") {
        meta.set_extra("zip.kind", "skops");
    }
    let format = names.classify(true);
    match format {
        Format::PytorchZip | Format::TorchScript => torch(b, arch, meta, sink),
        Format::KerasV3 => keras(b, arch, meta, sink),
        Format::Npz => npz(b, arch, meta, sink),
        _ => {}
    }
    format
}

fn find(arch: &Archive, pred: impl Fn(&str) -> bool) -> Option<&Entry> {
    arch.entries.iter().find(|e| pred(&e.name))
}

fn small_text(b: &[u8], e: &Entry, sink: &mut Sink) -> Option<String> {
    match read_member(b, e, 4096) {
        Ok(d) => Some(String::from_utf8_lossy(&d).trim().to_string()),
        Err(i) => {
            sink.push(i.code, i.message, i.offset);
            None
        }
    }
}

fn torch(b: &[u8], arch: &Archive, meta: &mut ModelMeta, sink: &mut Sink) {
    let base = |e: &str| e.rsplit('/').next().unwrap_or(e).to_string();
    if let Some(e) = find(arch, |n| base(n) == "version" && !n.ends_with("/extra/version")) {
        meta.format_version = small_text(b, e, sink).map(|s| meta_string(&s));
    }
    if let Some(e) = find(arch, |n| base(n) == "byteorder")
        && let Some(s) = small_text(b, e, sink)
    {
        meta.set_extra("byteorder", s);
    }
    if let Some(e) = find(arch, |n| base(n) == "data.pkl")
        && let Some(p) = read_prefix(b, e, 2)
        && p.first() == Some(&0x80)
        && let Some(v) = p.get(1)
    {
        meta.set_extra("pickle_protocol", v.to_string());
    }
    let storages = arch.entries.iter().filter(|e| e.name.contains("/data/") || e.name.starts_with("data/")).count();
    meta.set_extra("storages", storages.to_string());
    let code = arch.entries.iter().filter(|e| e.name.contains("/code/") || e.name.starts_with("code/")).count();
    if code > 0 {
        meta.set_extra("code_files", code.to_string());
    }
    let pickles: Vec<&str> =
        arch.entries.iter().filter(|e| e.name.ends_with(".pkl")).map(|e| e.name.as_str()).take(32).collect();
    meta.set_extra("pickles", pickles.join(","));
}

fn json_member(b: &[u8], e: &Entry, sink: &mut Sink) -> Option<serde_json::Value> {
    let data = match read_member(b, e, limits::MAX_INFLATE) {
        Ok(d) => d,
        Err(i) => {
            sink.push(i.code, i.message, i.offset);
            return None;
        }
    };
    match serde_json::from_slice(&data) {
        Ok(v) => Some(v),
        Err(err) => {
            sink.malformed(format!("member `{}` is not JSON: {err}", short(&e.name)), e.local_header_offset);
            None
        }
    }
}

fn keras(b: &[u8], arch: &Archive, meta: &mut ModelMeta, sink: &mut Sink) {
    if let Some(v) = find(arch, |n| n == "metadata.json").and_then(|e| json_member(b, e, sink)) {
        if let Some(k) = v.get("keras_version").and_then(|x| x.as_str()) {
            meta.producer = Some(meta_string(&format!("keras {k}")));
            meta.format_version = Some(meta_string(k));
        }
        if let Some(d) = v.get("date_saved").and_then(|x| x.as_str()) {
            meta.set_extra("date_saved", d);
        }
    }
    if let Some(v) = find(arch, |n| n == "config.json").and_then(|e| json_member(b, e, sink)) {
        keras_config(&v, meta);
    }
}

/// Keras model config (also used for the `model_config` of legacy `.h5`): class, name, layer
/// count, Lambda layers and modules outside Keras (both can run code when loaded).
pub(crate) fn keras_config(v: &serde_json::Value, meta: &mut ModelMeta) {
    if let Some(c) = v.get("class_name").and_then(|x| x.as_str()) {
        meta.architecture = Some(meta_string(c));
    }
    if let Some(n) = v.pointer("/config/name").and_then(|x| x.as_str()) {
        meta.name = Some(meta_string(n));
    }
    if let Some(l) = v.pointer("/config/layers").and_then(|x| x.as_array()) {
        meta.set_extra("layers", l.len().to_string());
    }
    let mut lambdas = 0u64;
    let mut modules = std::collections::BTreeSet::new();
    let mut stack = vec![v];
    let mut visited = 0u32;
    while let Some(x) = stack.pop() {
        visited += 1;
        if visited > 1_000_000 {
            break;
        }
        match x {
            serde_json::Value::Object(o) => {
                if o.get("class_name").and_then(|c| c.as_str()) == Some("Lambda") {
                    lambdas += 1;
                }
                if let Some(m) = o.get("module").and_then(|m| m.as_str())
                    && !m.starts_with("keras")
                    && modules.len() < 32
                {
                    modules.insert(short(m));
                }
                stack.extend(o.values());
            }
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    if lambdas > 0 {
        meta.set_extra("lambda_layers", lambdas.to_string());
    }
    if !modules.is_empty() {
        meta.set_extra("non_keras_modules", modules.into_iter().collect::<Vec<_>>().join(","));
    }
}

fn npz(b: &[u8], arch: &Archive, meta: &mut ModelMeta, sink: &mut Sink) {
    let mut count = 0u64;
    let mut params = Some(0u64);
    let mut broken = false;
    let mut objects = Vec::new();
    for e in arch.entries.iter().take(limits::MAX_NPZ_MEMBERS) {
        // The header is normally well under 4 KiB; look further only when it says so.
        let mut h = read_prefix(b, e, 4096).map(|p| npy::header(&p));
        if let Some(Err(npy::HeaderError::Malformed(_, _))) = &h
            && let Some(p) = read_prefix(b, e, limits::MAX_NPY_HEADER as usize + 12)
        {
            h = Some(npy::header(&p));
        }
        match h {
            Some(Ok(h)) => {
                count += 1;
                let _ = npy::fill_meta(&h, meta);
                crate::util::add_count(&mut params, crate::util::product(&h.shape), &mut broken);
                if h.object && objects.len() < 32 {
                    objects.push(e.name.clone());
                }
            }
            Some(Err(npy::HeaderError::Malformed(m, _))) | Some(Err(npy::HeaderError::Limit(m, _))) => {
                sink.malformed(format!("member `{}`: {m}", short(&e.name)), e.local_header_offset);
            }
            None => sink.malformed(format!("member `{}` could not be read", short(&e.name)), e.local_header_offset),
        }
    }
    if arch.entries.len() > limits::MAX_NPZ_MEMBERS {
        sink.limit(format!("more than {} arrays; only the first were read", limits::MAX_NPZ_MEMBERS), None);
        broken = true;
    }
    meta.tensor_count = Some(count);
    meta.parameter_count = if broken { None } else { params };
    if !objects.is_empty() {
        meta.set_extra("object_members", objects.join(","));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(name: &[u8], flags: u16, data: &[u8], csize: u32) -> Vec<u8> {
        let mut v = b"PK\x03\x04\x14\x00".to_vec();
        v.extend(flags.to_le_bytes());
        v.extend([0u8; 6]); // method 0, time, date
        v.extend(crate::util::crc32(data).to_le_bytes());
        v.extend(csize.to_le_bytes());
        v.extend((data.len() as u32).to_le_bytes());
        v.extend((name.len() as u16).to_le_bytes());
        v.extend([0u8; 2]);
        v.extend(name);
        v.extend(data);
        v
    }

    #[test]
    fn walks_local_headers() {
        let mut b = local(b"a/data.pkl", 0, b"xy", 2);
        b.extend(local(b"b", 8, b"", 0));
        b.extend(local(b"c", 0, b"z", 1));
        let es: Vec<Entry> = local_headers(&b).collect();
        assert_eq!(es.len(), 2, "stops after the member sized by a data descriptor");
        assert_eq!((es[0].name.as_str(), es[0].data_offset, es[0].compressed_size), ("a/data.pkl", Some(40), 2));
        assert_eq!((es[1].name.as_str(), es[1].data_offset), ("b", None));
        assert_eq!(local_names(&b), ["a/data.pkl", "b"]);
        assert_eq!(local_name(&b, &es[1]), Some(&b"b"[..]));
        // Data past the end: listed, not located; a truncated header: nothing.
        let cut = &b[..41];
        assert_eq!(local_headers(cut).map(|e| e.data_offset).collect::<Vec<_>>(), [None]);
        assert_eq!(local_headers(&b[..20]).count(), 0);
        // A non-zero size with a data descriptor is trusted by the walk; the name listing stops.
        let mut d = local(b"x", 8, b"q", 1);
        d.extend(local(b"y", 0, b"", 0));
        assert_eq!(local_headers(&d).count(), 2);
        assert_eq!(local_names(&d), ["x"]);
    }
}

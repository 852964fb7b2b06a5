//! Small, panic-free text helpers shared by the scanners.

use crate::MAX_INPUT_BYTES;

/// The byte at `i`, or 0 past the end.
#[inline]
pub(crate) fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// Bytes that continue an identifier. Non-ASCII bytes count, so identifiers never split a
/// UTF-8 character and every token boundary is a character boundary.
#[inline]
pub(crate) fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// `s[a..b]`, or `""` when the range is not valid.
#[inline]
pub(crate) fn sub(s: &str, a: usize, b: usize) -> &str {
    s.get(a..b).unwrap_or("")
}

/// The input without a leading byte-order mark, cut to [`MAX_INPUT_BYTES`] at a character
/// boundary. Positions are reported relative to this text (a BOM is not a column).
pub(crate) fn clamp(text: &str) -> &str {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.len() <= MAX_INPUT_BYTES {
        return text;
    }
    let mut end = MAX_INPUT_BYTES;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    sub(text, 0, end)
}

/// Lines with the byte offset of their first character; the `\n` (and a `\r` before it) is
/// not part of the line.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = text.get(start..)?;
        let (line, next) = match rest.find('\n') {
            Some(n) => (sub(rest, 0, n), Some(start + n + 1)),
            None => (rest, None),
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        let here = start;
        match next {
            Some(n) => start = n,
            None => done = true,
        }
        Some((here, line))
    })
}

/// Identifier-like words (`[A-Za-z_][A-Za-z0-9_]*`) with their byte offsets.
pub(crate) fn words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = s.as_bytes();
    let mut i = 0usize;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = at(b, i);
            if c.is_ascii_alphabetic() || c == b'_' {
                let prev = if i == 0 { 0 } else { at(b, i - 1) };
                let start = i;
                while i < b.len() && (at(b, i).is_ascii_alphanumeric() || at(b, i) == b'_') {
                    i += 1;
                }
                if prev.is_ascii_digit() || prev >= 0x80 {
                    continue;
                }
                return Some((start, sub(s, start, i)));
            }
            i += 1;
        }
        None
    })
}

/// A host name found inside a string.
#[derive(Debug, Clone)]
pub(crate) struct HostRef<'a> {
    /// Byte offset of the host within the searched string.
    pub start: usize,
    /// Lower-cased host. When the host follows a template placeholder (`{region}-aiplatform…`),
    /// it starts with `*`.
    pub host: String,
    pub port: Option<u16>,
    /// `/…` after host and port, up to a quote, space or bracket (at most 512 bytes).
    pub path: &'a str,
    /// Byte offset of `path` within the searched string.
    pub path_start: usize,
    /// The URL scheme when the host follows `scheme://`.
    pub scheme: Option<&'a str>,
}

fn is_host_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_'
}

fn ends_path(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(c, b'"' | b'\'' | b'`' | b'<' | b'>' | b')' | b',' | b';' | b'\\' | b'{' | b'}' | 0)
}

/// Host names in `s`: runs of host characters that contain a dot (or are `localhost`, or follow
/// `scheme://`), with optional `:port` and `/path`. Linear in `s`.
pub(crate) fn find_hosts(s: &str) -> Vec<HostRef<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        let c = at(b, i);
        let (start, end, wild, host) = if c == b'[' && b.get(i..i + 5) == Some(b"[::1]") {
            let r = (i, i + 5, false, "::1".to_string());
            i += 5;
            r
        } else if is_host_byte(c) {
            let start = i;
            while i < b.len() && is_host_byte(at(b, i)) {
                i += 1;
            }
            let run = sub(s, start, i);
            if run.contains('_') {
                continue;
            }
            let prev = if start == 0 { 0 } else { at(b, start - 1) };
            let lead = run.len() - run.trim_start_matches(['.', '-']).len();
            // a host suffix after a template placeholder, or alone at the start of a string
            // (`"{name}.openai.azure.com"`, `name + ".openai.azure.com"`)
            let wild = lead > 0 && matches!(prev, 0 | b'}' | b'>' | b'*' | b'%' | b')' | b']');
            let trimmed = run.trim_start_matches(['.', '-']).trim_end_matches('.');
            if trimmed.is_empty() || !trimmed.bytes().any(|c| c.is_ascii_alphabetic()) && !is_ipv4(trimmed) {
                continue;
            }
            let host_start = if wild { start } else { start + lead };
            let text = if wild {
                format!("*{}", run.trim_end_matches('.').to_ascii_lowercase())
            } else {
                trimmed.to_ascii_lowercase()
            };
            (host_start, i, wild, text)
        } else {
            i += 1;
            continue;
        };
        let scheme = scheme_before(s, start);
        if !wild && !host.contains('.') && host != "localhost" && host != "::1" && scheme.is_none() {
            continue;
        }
        // port
        let mut j = end;
        let mut port = None;
        if at(b, j) == b':' {
            let ds = j + 1;
            let mut de = ds;
            while de < b.len() && at(b, de).is_ascii_digit() && de - ds < 6 {
                de += 1;
            }
            if de > ds && !at(b, de).is_ascii_alphanumeric() {
                port = sub(s, ds, de).parse::<u16>().ok();
                if port.is_some() {
                    j = de;
                }
            }
        }
        // path
        let mut path = "";
        let path_start = j;
        if at(b, j) == b'/' {
            let ps = j;
            let mut pe = j;
            while pe < b.len() && !ends_path(at(b, pe)) && pe - ps < 512 {
                pe += 1;
            }
            path = sub(s, ps, pe);
        }
        out.push(HostRef { start, host, port, path, path_start, scheme });
    }
    out
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
}

fn scheme_before(s: &str, start: usize) -> Option<&str> {
    let before = sub(s, 0, start);
    let before = before.strip_suffix("://")?;
    let b = before.as_bytes();
    let mut k = b.len();
    while k > 0
        && (at(b, k - 1).is_ascii_alphanumeric() || matches!(at(b, k - 1), b'+' | b'-' | b'.'))
        && b.len() - k < 16
    {
        k -= 1;
    }
    let sch = sub(before, k, before.len());
    if sch.is_empty() { None } else { Some(sch) }
}

/// Basename of a path with either separator.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Lower-cased extension of a basename (without the dot), if any.
pub(crate) fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

/// Bits of Shannon entropy per character.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for c in s.bytes() {
        if let Some(slot) = counts.get_mut(usize::from(c)) {
            *slot += 1;
        }
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}

/// Whether the string is exactly 40 hexadecimal characters (a full git commit id).
pub(crate) fn is_commit_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

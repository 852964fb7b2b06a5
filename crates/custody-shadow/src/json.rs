//! A tolerant JSON tokenizer and walker that keeps byte positions (serde_json does not), for
//! notebooks, `package.json` and JSON configuration. `//` and `/* */` comments are skipped
//! (JSONC). Linear time; nesting deeper than [`MAX_DEPTH`] ends the walk.

use crate::text::{at, sub};

pub(crate) const MAX_DEPTH: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum J {
    LBrace,
    RBrace,
    LBrack,
    RBrack,
    Colon,
    Comma,
    Str,
    Lit,
}

/// A token; for strings `s` is the opening quote and `e` is just past the closing quote (or the
/// end of the line / input when unterminated).
#[derive(Clone, Copy, Debug)]
pub(crate) struct JTok {
    pub k: J,
    pub s: usize,
    pub e: usize,
}

impl JTok {
    /// Content range of a string token.
    pub fn content(&self, src: &str) -> (usize, usize) {
        let closed = self.e > self.s + 1 && at(src.as_bytes(), self.e - 1) == b'"';
        (self.s + 1, if closed { self.e - 1 } else { self.e })
    }
}

pub(crate) fn lex(src: &str) -> Vec<JTok> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < b.len() {
        let c = at(b, i);
        let k = match c {
            b'{' => J::LBrace,
            b'}' => J::RBrace,
            b'[' => J::LBrack,
            b']' => J::RBrack,
            b':' => J::Colon,
            b',' => J::Comma,
            b'"' => {
                let s = i;
                let mut j = i + 1;
                while j < b.len() {
                    match at(b, j) {
                        b'\\' => j += 2,
                        b'"' => {
                            j += 1;
                            break;
                        }
                        b'\n' => break,
                        _ => j += 1,
                    }
                }
                let j = j.min(b.len());
                out.push(JTok { k: J::Str, s, e: j });
                i = j;
                continue;
            }
            b'/' if at(b, i + 1) == b'/' => {
                while i < b.len() && at(b, i) != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if at(b, i + 1) == b'*' => {
                i += 2;
                while i < b.len() && !(at(b, i) == b'*' && at(b, i + 1) == b'/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {
                let s = i;
                while i < b.len()
                    && !matches!(at(b, i), b'{' | b'}' | b'[' | b']' | b':' | b',' | b'"')
                    && !at(b, i).is_ascii_whitespace()
                {
                    i += 1;
                }
                out.push(JTok { k: J::Lit, s, e: i });
                continue;
            }
        };
        out.push(JTok { k, s: i, e: i + 1 });
        i += 1;
    }
    out
}

/// A piece of decoded string text and where it came from: `lit` pieces are copied byte for
/// byte from `raw`; escape pieces map every decoded byte to the escape's backslash.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seg {
    pub dec: usize,
    pub raw: usize,
    pub lit: bool,
}

fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 4)?;
    let s = std::str::from_utf8(s).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Append the decoded content of string token `t` to `out`, recording segments.
pub(crate) fn decode(src: &str, t: &JTok, out: &mut String, segs: &mut Vec<Seg>) {
    let b = src.as_bytes();
    let (cs, ce) = t.content(src);
    let mut i = cs;
    let mut run = cs;
    while i < ce {
        if at(b, i) != b'\\' {
            i += 1;
            continue;
        }
        if i > run {
            segs.push(Seg { dec: out.len(), raw: run, lit: true });
            out.push_str(sub(src, run, i));
        }
        segs.push(Seg { dec: out.len(), raw: i, lit: false });
        let e = at(b, i + 1);
        let mut used = 2;
        match e {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'u' => {
                let hi = hex4(b, i + 2);
                let mut ch = None;
                used = if hi.is_some() { 6 } else { 2 };
                if let Some(h) = hi {
                    if (0xD800..0xDC00).contains(&h) && at(b, i + 6) == b'\\' && at(b, i + 7) == b'u' {
                        if let Some(lo) = hex4(b, i + 8)
                            && (0xDC00..0xE000).contains(&lo)
                        {
                            ch = char::from_u32(0x10000 + ((h - 0xD800) << 10) + (lo - 0xDC00));
                            used = 12;
                        }
                    } else {
                        ch = char::from_u32(h);
                    }
                }
                out.push(ch.unwrap_or('\u{FFFD}'));
            }
            0 => {
                used = 1;
            }
            c if c.is_ascii() => out.push(char::from(c)),
            _ => {
                // backslash before a non-ASCII character: keep both as written
                out.push('\\');
                used = 1;
            }
        }
        i = (i + used).min(ce);
        run = i;
    }
    if ce > run {
        segs.push(Seg { dec: out.len(), raw: run, lit: true });
        out.push_str(sub(src, run, ce));
    }
}

/// Decode a string token to an owned `String` (at most `cap` bytes of content are decoded).
pub(crate) fn string(src: &str, t: &JTok, cap: usize) -> String {
    let (cs, ce) = t.content(src);
    if ce - cs > cap {
        return String::new();
    }
    let mut out = String::new();
    let mut segs = Vec::new();
    decode(src, t, &mut out, &mut segs);
    out
}

/// Map a byte offset in decoded text back to the raw source.
pub(crate) fn map(segs: &[Seg], dec: usize) -> usize {
    let k = segs.partition_point(|s| s.dec <= dec);
    match k.checked_sub(1).and_then(|k| segs.get(k)) {
        Some(s) if s.lit => s.raw + (dec - s.dec),
        Some(s) => s.raw,
        None => segs.first().map_or(0, |s| s.raw),
    }
}

/// Where the walker is: one frame per open object or array.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub obj: bool,
    /// Objects: the key whose value is being read (decoded, at most 256 bytes).
    pub key: Option<String>,
    /// Arrays: index of the current element.
    pub index: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Key,
    Value,
}

impl Frame {
    pub fn key_is(&self, k: &str) -> bool {
        self.key.as_deref() == Some(k)
    }
}

/// Walk the tokens, calling `f(frames, token index, role)` for every key and scalar value.
pub(crate) fn walk(src: &str, toks: &[JTok], mut f: impl FnMut(&[Frame], usize, Role)) {
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    for (i, t) in toks.iter().enumerate() {
        match t.k {
            J::LBrace | J::LBrack => {
                if stack.len() >= MAX_DEPTH {
                    return;
                }
                stack.push(Frame { obj: t.k == J::LBrace, key: None, index: 0 });
                expect_key = t.k == J::LBrace;
            }
            J::RBrace | J::RBrack => {
                stack.pop();
                expect_key = false;
            }
            J::Comma => match stack.last_mut() {
                Some(fr) if fr.obj => expect_key = true,
                Some(fr) => fr.index += 1,
                None => {}
            },
            J::Colon => expect_key = false,
            J::Str if expect_key && stack.last().is_some_and(|fr| fr.obj) => {
                let key = string(src, t, 256);
                if let Some(fr) = stack.last_mut() {
                    fr.key = Some(key);
                }
                expect_key = false;
                f(&stack, i, Role::Key);
            }
            J::Str | J::Lit => f(&stack, i, Role::Value),
        }
    }
}

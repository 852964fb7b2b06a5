//! Small building blocks shared by the parsers: a bounds-checked byte reader, the issue sink,
//! string capping and the two CRCs (CRC-32 for zip, CRC-32C for TFRecord).

use crate::{Issue, limits};

/// A cursor over a byte slice. Every read is bounds-checked and returns `None` past the end;
/// nothing here can panic or allocate.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0, big_endian: false }
    }
    pub(crate) fn at(buf: &'a [u8], pos: usize) -> Reader<'a> {
        Reader { buf, pos: pos.min(buf.len()), big_endian: false }
    }
    pub(crate) fn set_big_endian(&mut self, big: bool) {
        self.big_endian = big;
    }
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let end = self.pos.checked_add(N)?;
        let s = self.buf.get(self.pos..end)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        self.pos = end;
        Some(a)
    }
    pub(crate) fn u8(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }
    pub(crate) fn u16(&mut self) -> Option<u16> {
        let a = self.array::<2>()?;
        Some(if self.big_endian { u16::from_be_bytes(a) } else { u16::from_le_bytes(a) })
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        let a = self.array::<4>()?;
        Some(if self.big_endian { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) })
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let a = self.array::<8>()?;
        Some(if self.big_endian { u64::from_be_bytes(a) } else { u64::from_le_bytes(a) })
    }
    pub(crate) fn i32(&mut self) -> Option<i32> {
        self.u32().map(|v| v as i32)
    }
    pub(crate) fn i64(&mut self) -> Option<i64> {
        self.u64().map(|v| v as i64)
    }
    /// Take `n` bytes (a length from the input: checked against what remains, never allocated).
    pub(crate) fn take(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    pub(crate) fn skip(&mut self, n: u64) -> Option<()> {
        self.take(n).map(|_| ())
    }
}

pub(crate) fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}
pub(crate) fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
pub(crate) fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// Collects issues, at most [`limits::MAX_ISSUES`] of them (then one final limit issue).
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) issues: Vec<Issue>,
    overflowed: bool,
}

impl Sink {
    pub(crate) fn push(&mut self, code: crate::FmtCode, message: String, offset: Option<u64>) {
        if self.issues.len() < limits::MAX_ISSUES {
            self.issues.push(Issue { code, message, offset });
        } else if !self.overflowed {
            self.overflowed = true;
            self.issues.push(Issue {
                code: crate::LIMIT,
                message: format!("more than {} problems; the rest are not listed", limits::MAX_ISSUES),
                offset: None,
            });
        }
    }
    /// CUS-FMT-001: malformed or truncated.
    pub(crate) fn malformed(&mut self, message: impl Into<String>, offset: impl Into<Option<u64>>) {
        self.push(crate::MALFORMED, message.into(), offset.into());
    }
    /// CUS-FMT-002: a parser limit was exceeded; what lies beyond was not inspected.
    pub(crate) fn limit(&mut self, message: impl Into<String>, offset: impl Into<Option<u64>>) {
        self.push(crate::LIMIT, message.into(), offset.into());
    }
    pub(crate) fn extend(&mut self, other: Vec<Issue>) {
        for i in other {
            self.push(i.code, i.message, i.offset);
        }
    }
}

/// `usize` offset as the `u64` issues carry.
pub(crate) fn off(o: usize) -> u64 {
    o as u64
}

/// Cap a string to `max` bytes at a character boundary.
pub(crate) fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Lossy UTF-8 of untrusted bytes, capped (the cap applies to the input bytes).
pub(crate) fn text(b: &[u8], max: usize) -> String {
    let b = &b[..b.len().min(max)];
    String::from_utf8_lossy(b).into_owned()
}

/// A short printable rendering of a value for `extra`: capped and without control characters.
pub(crate) fn short(s: &str) -> String {
    let capped = cap(s, limits::MAX_EXTRA_VALUE);
    capped.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Product of dimensions with overflow checking; `None` on overflow.
pub(crate) fn product(dims: &[u64]) -> Option<u64> {
    dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))
}

/// Add to an optional running total; an overflow makes the total unknown (`None`) for good.
pub(crate) fn add_count(total: &mut Option<u64>, n: Option<u64>, poisoned: &mut bool) {
    if *poisoned {
        return;
    }
    match (total.as_mut(), n) {
        (Some(t), Some(n)) => match t.checked_add(n) {
            Some(v) => *t = v,
            None => {
                *poisoned = true;
                *total = None;
            }
        },
        (None, Some(n)) => *total = Some(n),
        (_, None) => {
            *poisoned = true;
            *total = None;
        }
    }
}

const fn crc_table(poly: u32) -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { poly ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC32_TABLE: [u32; 256] = crc_table(0xEDB8_8320);
static CRC32C_TABLE: [u32; 256] = crc_table(0x82F6_3B78);

fn crc_with(table: &[u32; 256], data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

/// CRC-32 (IEEE, as zip and gzip use it).
pub fn crc32(data: &[u8]) -> u32 {
    crc_with(&CRC32_TABLE, data)
}

/// CRC-32C (Castagnoli, as TFRecord uses it).
pub fn crc32c(data: &[u8]) -> u32 {
    crc_with(&CRC32C_TABLE, data)
}

/// TFRecord's masked CRC-32C: `((crc >> 15) | (crc << 17)) + 0xa282ead8`.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    let c = crc32c(data);
    c.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Find `needle` in `hay`, returning the first index.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn reader_is_bounded() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16(), Some(0x0201));
        assert_eq!(r.u16(), None);
        assert_eq!(r.take(u64::MAX), None);
        assert_eq!(r.u8(), Some(3));
        assert_eq!(r.remaining(), 0);
    }

    #[test]
    fn cap_respects_char_boundaries() {
        assert_eq!(cap("héllo", 2), "h");
        assert_eq!(cap("abc", 10), "abc");
    }
}

//! Recognising pickle streams (never unpickling them).
//!
//! - Protocols 2–5 start with `PROTO` (`0x80`, version); 4 and 5 usually continue with
//!   `FRAME` (`0x95` + u64).
//! - Protocols 0 and 1 have no header: the stream starts with one of `()]}cilp0FGIJKLMNSTUVXdt`.
//! - Legacy `torch.save` (pre-1.6, or `_use_new_zipfile_serialization=False`) starts with the
//!   pickled magic number `0x1950a86a20f9469cfc6c` ([`TORCH_LEGACY_MAGIC`]), then the pickled
//!   protocol version 1001 (`80 02 4d e9 03 2e`).
//!
//! [`sniff`] walks the opcodes of the head (skipping their arguments without interpreting
//! them) and accepts only if every opcode is valid with a well-formed argument and the walk
//! reaches `STOP` or the end of the head. This rejects text that merely starts with `(` or `c`.
//! The security analysis of what a pickle imports and calls is the scanner's job, not this
//! crate's.

use crate::util::{Sink, off};
use crate::{Format, ModelMeta};

/// The first 15 bytes of a legacy `torch.save` file: the pickled magic number.
pub const TORCH_LEGACY_MAGIC: &[u8] =
    &[0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
/// The pickled protocol version (1001) that follows the magic number.
pub const TORCH_LEGACY_PROTOCOL: &[u8] = &[0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e];

enum Arg {
    None,
    Fixed(usize),
    Line,
    TwoLines,
    /// Length prefix of this many bytes (little-endian), then that many bytes.
    Counted(usize),
}

fn arg(op: u8) -> Option<Arg> {
    use Arg::*;
    Some(match op {
        b'(' | b'.' | b'0' | b'1' | b'2' | b'N' | b'Q' | b'R' | b'a' | b'b' | b'd' | b'e' | b'l' | b'o' | b's'
        | b't' | b'u' | b')' | b']' | b'}' => None,
        0x81 | 0x85..=0x89 | 0x8f..=0x94 | 0x97 | 0x98 => None,
        b'F' | b'I' | b'L' | b'P' | b'S' | b'V' | b'g' | b'p' => Line,
        b'c' | b'i' => TwoLines,
        b'K' | b'h' | b'q' | 0x80 | 0x82 => Fixed(1),
        b'M' | 0x83 => Fixed(2),
        b'J' | b'j' | b'r' | 0x84 => Fixed(4),
        b'G' | 0x95 => Fixed(8),
        b'U' | b'C' | 0x8a | 0x8c => Counted(1),
        b'T' | b'X' | b'B' | 0x8b => Counted(4),
        0x8d | 0x8e | 0x96 => Counted(8),
        _ => return Option::None,
    })
}

fn line_ok(op: u8, line: &[u8]) -> bool {
    let printable = |l: &[u8]| l.iter().all(|&b| (0x20..0x7f).contains(&b));
    match op {
        b'I' | b'L' | b'g' | b'p' => {
            let l = line.strip_suffix(b"L").unwrap_or(line);
            let l = l.strip_prefix(b"-").unwrap_or(l);
            !l.is_empty() && l.iter().all(u8::is_ascii_digit)
        }
        b'F' => !line.is_empty() && line.iter().all(|b| b.is_ascii_digit() || b"+-.eEinfa".contains(b)),
        b'S' => line.len() >= 2 && matches!(line[0], b'\'' | b'"') && line.last() == line.first(),
        b'c' | b'i' => !line.is_empty() && line.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'),
        b'P' => printable(line),
        _ => true,
    }
}

enum Walk {
    /// Reached STOP after this many opcodes.
    Stop(usize),
    /// Ran out of input after this many valid opcodes.
    End(usize),
    Invalid,
}

fn walk(b: &[u8], mut pos: usize, max_ops: usize) -> (Walk, bool) {
    let mut ops = 0;
    let mut binary = false;
    while ops < max_ops {
        let Some(&op) = b.get(pos) else { return (Walk::End(ops), binary) };
        let Some(a) = arg(op) else { return (Walk::Invalid, binary) };
        binary |= op >= 0x80
            || matches!(op, b'}' | b']' | b')' | b'q' | b'K' | b'M' | b'J' | b'X' | b'U' | b'T' | b'h' | b'G');
        pos += 1;
        ops += 1;
        match a {
            Arg::None => {}
            Arg::Fixed(n) => pos += n,
            Arg::Line | Arg::TwoLines => {
                let lines = if matches!(a, Arg::TwoLines) { 2 } else { 1 };
                for _ in 0..lines {
                    let Some(nl) = b.get(pos..).and_then(|s| s.iter().position(|&c| c == b'\n')) else {
                        return (Walk::End(ops), binary);
                    };
                    if !line_ok(op, &b[pos..pos + nl]) {
                        return (Walk::Invalid, binary);
                    }
                    pos += nl + 1;
                }
            }
            Arg::Counted(n) => {
                let Some(len) = b.get(pos..pos + n) else { return (Walk::End(ops), binary) };
                let mut v = [0u8; 8];
                v[..n].copy_from_slice(len);
                let len = u64::from_le_bytes(v);
                if n == 4 && op == 0x8b && len > u64::from(u32::MAX) {
                    return (Walk::Invalid, binary);
                }
                pos = match usize::try_from(len).ok().and_then(|l| (pos + n).checked_add(l)) {
                    Some(p) => p,
                    None => return (Walk::End(ops), binary),
                };
            }
        }
        if op == b'.' {
            return (Walk::Stop(ops), binary);
        }
        if pos > b.len() {
            return (Walk::End(ops), binary);
        }
    }
    (Walk::End(ops), binary)
}

/// The pickle protocol if `head` starts like a pickle stream (0 or 1 for the headerless
/// protocols, as far as the opcodes tell), else `None`.
pub fn sniff(head: &[u8]) -> Option<u8> {
    let first = *head.first()?;
    if first == 0x80 {
        let proto = *head.get(1)?;
        if !(2..=5).contains(&proto) {
            return None;
        }
        return match walk(head, 2, 4096).0 {
            Walk::Stop(_) | Walk::End(_) => Some(proto),
            Walk::Invalid => None,
        };
    }
    if !b"()]}cilp0FGIJKLMNSTUVXdt".contains(&first) {
        return None;
    }
    match walk(head, 0, 100_000) {
        (Walk::Stop(n), binary) if n >= 2 => Some(u8::from(binary)),
        (Walk::End(n), binary) if n >= 8 && head.len() >= 64 => Some(u8::from(binary)),
        _ => None,
    }
}

pub(crate) fn inspect(b: &[u8], asked: Format, meta: &mut ModelMeta, sink: &mut Sink) -> Format {
    let head = &b[..b.len().min(crate::limits::SNIFF_LEN)];
    if b.starts_with(TORCH_LEGACY_MAGIC) {
        let rest = &b[TORCH_LEGACY_MAGIC.len()..];
        if rest.starts_with(TORCH_LEGACY_PROTOCOL) {
            meta.format_version = Some("1001".into());
        } else {
            sink.malformed(
                "legacy torch magic number not followed by protocol version 1001",
                off(TORCH_LEGACY_MAGIC.len()),
            );
        }
        meta.set_extra("pickle_protocol", "2");
        return Format::TorchLegacy;
    }
    match sniff(head) {
        Some(p) => {
            meta.format_version = Some(format!("protocol {p}"));
            meta.set_extra("pickle_protocol", p.to_string());
            Format::Pickle
        }
        None => {
            sink.malformed("does not start like a pickle stream", 0);
            asked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_protocols_and_rejects_text() {
        assert_eq!(sniff(b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01."), Some(4));
        assert_eq!(sniff(b"(dp0\nVa\np1\nI1\ns."), Some(0));
        assert_eq!(sniff(b"cos\nsystem\n(S'ls'\ntR."), Some(0));
        assert_eq!(sniff(b"}q\x00X\x01\x00\x00\x00aq\x01K\x01s."), Some(1));
        assert_eq!(sniff(b"(defun foo () 1)"), None);
        assert_eq!(sniff(b"Some text that is not a pickle at all, honestly.\n"), None);
        assert_eq!(sniff(b"\x80\x09"), None);
        assert_eq!(sniff(b"import os\n"), None);
    }
}

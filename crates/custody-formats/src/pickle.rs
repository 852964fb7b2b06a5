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

// ------------------------------------------------------------------------------------------
// The opcode reader: the one table of pickle opcodes (their names and how each argument is
// encoded), shared with custody-modelsec's symbolic machine.

/// The opcode's name in CPython's `pickletools` (`"?"` for bytes that are not opcodes).
pub fn op_name(op: u8) -> &'static str {
    match op {
        b'(' => "MARK",
        b'.' => "STOP",
        b'0' => "POP",
        b'1' => "POP_MARK",
        b'2' => "DUP",
        b'F' => "FLOAT",
        b'I' => "INT",
        b'J' => "BININT",
        b'K' => "BININT1",
        b'L' => "LONG",
        b'M' => "BININT2",
        b'N' => "NONE",
        b'P' => "PERSID",
        b'Q' => "BINPERSID",
        b'R' => "REDUCE",
        b'S' => "STRING",
        b'T' => "BINSTRING",
        b'U' => "SHORT_BINSTRING",
        b'V' => "UNICODE",
        b'X' => "BINUNICODE",
        b'a' => "APPEND",
        b'b' => "BUILD",
        b'c' => "GLOBAL",
        b'd' => "DICT",
        b'}' => "EMPTY_DICT",
        b'e' => "APPENDS",
        b'g' => "GET",
        b'h' => "BINGET",
        b'i' => "INST",
        b'j' => "LONG_BINGET",
        b'l' => "LIST",
        b']' => "EMPTY_LIST",
        b'o' => "OBJ",
        b'p' => "PUT",
        b'q' => "BINPUT",
        b'r' => "LONG_BINPUT",
        b's' => "SETITEM",
        b't' => "TUPLE",
        b')' => "EMPTY_TUPLE",
        b'u' => "SETITEMS",
        b'G' => "BINFLOAT",
        b'B' => "BINBYTES",
        b'C' => "SHORT_BINBYTES",
        0x80 => "PROTO",
        0x81 => "NEWOBJ",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x85 => "TUPLE1",
        0x86 => "TUPLE2",
        0x87 => "TUPLE3",
        0x88 => "NEWTRUE",
        0x89 => "NEWFALSE",
        0x8a => "LONG1",
        0x8b => "LONG4",
        0x8c => "SHORT_BINUNICODE",
        0x8d => "BINUNICODE8",
        0x8e => "BINBYTES8",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x92 => "NEWOBJ_EX",
        0x93 => "STACK_GLOBAL",
        0x94 => "MEMOIZE",
        0x95 => "FRAME",
        0x96 => "BYTEARRAY8",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => "?",
    }
}

/// A decoded opcode argument, borrowed from the input.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    None,
    /// Fixed-size unsigned or signed integer argument.
    Int(i64),
    /// A newline-terminated line (without the newline).
    Line(&'a [u8]),
    /// Two lines (GLOBAL, INST).
    Lines(&'a [u8], &'a [u8]),
    /// Length-prefixed data: (offset of the data in the buffer, length).
    Data(usize, usize),
    /// 8 raw bytes (BINFLOAT, FRAME length is decoded into Int).
    Skip,
}

#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    pub code: u8,
    /// Offset of the opcode byte.
    pub at: usize,
    /// Offset just past its argument.
    pub end: usize,
    pub arg: Arg<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadErr {
    /// The input ends inside the opcode.
    Truncated,
    /// Not an opcode.
    Invalid(u8),
    /// A length the loader rejects (negative, or larger than the address space).
    BadLength,
}

/// Up to 8 little-endian bytes as an unsigned integer (extra bytes are ignored).
pub fn le(b: &[u8]) -> u64 {
    let mut v = [0u8; 8];
    let n = b.len().min(8);
    v[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(v)
}

fn line(b: &[u8], from: usize) -> Result<(&[u8], usize), ReadErr> {
    let rest = b.get(from..).ok_or(ReadErr::Truncated)?;
    match memchr::memchr(b'\n', rest) {
        Some(n) => Ok((&rest[..n], from + n + 1)),
        None => Err(ReadErr::Truncated),
    }
}

fn counted(b: &[u8], at: usize, width: usize, signed: bool) -> Result<Op<'static>, ReadErr> {
    let p = at + 1;
    let raw = b.get(p..p + width).ok_or(ReadErr::Truncated)?;
    let len = le(raw);
    let len = if signed && width == 4 {
        let s = len as u32 as i32;
        if s < 0 {
            return Err(ReadErr::BadLength);
        }
        s as u64
    } else {
        len
    };
    let len = usize::try_from(len).map_err(|_| ReadErr::BadLength)?;
    let start = p + width;
    let end = start.checked_add(len).ok_or(ReadErr::BadLength)?;
    if end > b.len() {
        return Err(ReadErr::Truncated);
    }
    Ok(Op { code: b[at], at, end, arg: Arg::Data(start, len) })
}

fn fixed(b: &[u8], at: usize, width: usize, signed: bool) -> Result<Op<'static>, ReadErr> {
    let raw = b.get(at + 1..at + 1 + width).ok_or(ReadErr::Truncated)?;
    let v = le(raw);
    let v = match (signed, width) {
        (true, 4) => i64::from(v as u32 as i32),
        _ => v as i64,
    };
    Ok(Op { code: b[at], at, end: at + 1 + width, arg: Arg::Int(v) })
}

/// Decode the opcode at `at` and its argument (borrowed), as CPython's `_pickle` reads it.
/// Total: every byte string gives an opcode or a [`ReadErr`].
pub fn read_op(b: &[u8], at: usize) -> Result<Op<'_>, ReadErr> {
    let code = *b.get(at).ok_or(ReadErr::Truncated)?;
    let simple = |end| Ok(Op { code, at, end, arg: Arg::None });
    match code {
        b'('
        | b'.'
        | b'0'
        | b'1'
        | b'2'
        | b'N'
        | b'Q'
        | b'R'
        | b'a'
        | b'b'
        | b'd'
        | b'}'
        | b'e'
        | b'l'
        | b']'
        | b'o'
        | b's'
        | b't'
        | b')'
        | b'u'
        | 0x81
        | 0x85..=0x89
        | 0x8f..=0x94
        | 0x97
        | 0x98 => simple(at + 1),
        b'F' | b'I' | b'L' | b'P' | b'S' | b'V' | b'g' | b'p' => {
            let (l, end) = line(b, at + 1)?;
            Ok(Op { code, at, end, arg: Arg::Line(l) })
        }
        b'c' | b'i' => {
            let (a, mid) = line(b, at + 1)?;
            let (n, end) = line(b, mid)?;
            Ok(Op { code, at, end, arg: Arg::Lines(a, n) })
        }
        b'K' | b'h' | b'q' | 0x80 | 0x82 => fixed(b, at, 1, false),
        b'M' | 0x83 => fixed(b, at, 2, false),
        b'J' => fixed(b, at, 4, true),
        b'j' | b'r' | 0x84 => fixed(b, at, 4, false),
        b'G' => {
            if at + 9 > b.len() {
                return Err(ReadErr::Truncated);
            }
            Ok(Op { code, at, end: at + 9, arg: Arg::Skip })
        }
        0x95 => fixed(b, at, 8, false),
        b'U' | b'C' | 0x8a | 0x8c => counted(b, at, 1, false),
        b'T' | 0x8b => counted(b, at, 4, true),
        b'X' | b'B' => counted(b, at, 4, false),
        0x8d | 0x8e | 0x96 => counted(b, at, 8, false),
        other => Err(ReadErr::Invalid(other)),
    }
}

// ------------------------------------------------------------------------------------------
// Sniffing

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

/// Whether an opcode exists only in the binary protocols (1 and up).
fn binary_op(op: u8) -> bool {
    op >= 0x80 || matches!(op, b'}' | b']' | b')' | b'q' | b'K' | b'M' | b'J' | b'X' | b'U' | b'T' | b'h' | b'G')
}

fn walk(b: &[u8], mut pos: usize, max_ops: usize) -> (Walk, bool) {
    let mut ops = 0;
    let mut binary = false;
    while ops < max_ops {
        let Some(&code) = b.get(pos) else { return (Walk::End(ops), binary) };
        let op = match read_op(b, pos) {
            Ok(op) => op,
            Err(ReadErr::Invalid(_)) => return (Walk::Invalid, binary),
            // The head ends inside this opcode; a first line already there must still be sane.
            Err(ReadErr::Truncated | ReadErr::BadLength) => {
                binary |= binary_op(code);
                let first = b.get(pos + 1..).and_then(|s| s.iter().position(|&c| c == b'\n').map(|n| &s[..n]));
                if matches!(code, b'c' | b'i') && first.is_some_and(|l| !line_ok(code, l)) {
                    return (Walk::Invalid, binary);
                }
                return (Walk::End(ops + 1), binary);
            }
        };
        binary |= binary_op(code);
        ops += 1;
        let lines_ok = match op.arg {
            Arg::Line(l) => line_ok(code, l),
            Arg::Lines(a, n) => line_ok(code, a) && line_ok(code, n),
            _ => true,
        };
        if !lines_ok {
            return (Walk::Invalid, binary);
        }
        if code == b'.' {
            return (Walk::Stop(ops), binary);
        }
        pos = op.end;
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

    #[test]
    fn reads_opcodes() {
        let op = read_op(b"cos\nsystem\n", 0).expect("GLOBAL");
        assert!(matches!(op.arg, Arg::Lines(b"os", b"system")));
        assert_eq!((op_name(op.code), op.end), ("GLOBAL", 11));
        assert!(matches!(read_op(b"J\xff\xff\xff\xff", 0).map(|o| o.arg), Ok(Arg::Int(-1))));
        assert_eq!(read_op(b"T\xff\xff\xff\xff", 0).err(), Some(ReadErr::BadLength));
        assert_eq!(read_op(b"X\x05\x00\x00\x00ab", 0).err(), Some(ReadErr::Truncated));
        assert_eq!(read_op(b"\xff", 0).err(), Some(ReadErr::Invalid(0xff)));
        assert_eq!(read_op(b"", 0).err(), Some(ReadErr::Truncated));
    }
}

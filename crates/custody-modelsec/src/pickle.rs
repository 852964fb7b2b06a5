//! Pickle analysis without unpickling: a zero-copy opcode reader for protocols 0–5 and a
//! symbolic stack-and-memo machine that follows what `pickle.load` (the C implementation) would
//! import and call.
//!
//! - Every opcode of protocols 0–5 is decoded; arguments are borrowed from the input.
//! - The machine keeps a symbolic stack, the mark stack (with CPython's "POP pops a mark"
//!   rule) and the memo, so `STACK_GLOBAL` operands assembled through `PUT`/`GET`/`MEMOIZE`
//!   resolve to the strings the loader would see. Imports: `GLOBAL`, `STACK_GLOBAL`, `INST`
//!   (and `EXT1/2/4`, which cannot be resolved statically). Calls: `REDUCE`, `OBJ`, `INST`,
//!   `NEWOBJ`, `NEWOBJ_EX`, `BUILD` (`__setstate__`), and the container opcodes when they are
//!   applied to something that is not a plain container (they call `append`/`__setitem__`).
//! - Some calls are followed symbolically, so what they reach is judged too:
//!   `builtins.getattr(X, 'a')`, `importlib.import_module('m')`, `__import__`,
//!   `pkgutil.resolve_name`, `operator.attrgetter('a')(X)`, `numpy.core._ufunc_reconstruct`.
//! - Every stream in a buffer is read (concatenated pickles, legacy torch's five). A stream
//!   that breaks still reports what it imported before the break (the "nullifAI" trick: the
//!   loader has already run the payload when it hits the error), and the bytes after the break
//!   are searched for import patterns.
//! - `FRAME` lengths are checked against where opcodes really end; memo reads of unset slots,
//!   memo slots overwritten and non-string `STACK_GLOBAL` operands are findings.
//! - joblib's inline array data after a `NumpyArrayWrapper` `BUILD` is skipped the way joblib
//!   reads it (object arrays are a nested pickle stream and are analysed); the skipped bytes are
//!   byte-scanned for import patterns, because `pickle.load` would parse them as opcodes.
//! - Byte strings that hold a pickle are analysed too, to [`MAX_NESTED`] levels.
//!
//! Limits: opcodes per analysis (the caller's budget), memo entries [`MAX_MEMO`], stack depth
//! [`MAX_STACK`], marks [`MAX_MARKS`], nesting of symbolic values [`MAX_DEPTH`] (deeper values
//! become opaque, so dropping them never recurses deeply), streams per buffer [`MAX_STREAMS`].

mod exec;

use crate::policy::{self, Tier, Verdict};
pub use custody_formats::pickle::op_name;
use custody_formats::pickle::{ReadErr, le, read_op};
use exec::Machine;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

pub const MAX_MEMO: usize = 1 << 20;
pub const MAX_STACK: usize = 1 << 20;
pub const MAX_MARKS: usize = 1 << 16;
pub const MAX_DEPTH: u8 = 24;
pub const MAX_NESTED: u32 = 2;
pub const MAX_STREAMS: usize = 256;
/// Bytes searched for import patterns after a break or in skipped array data, per buffer.
const MAX_RECOVERY_SCAN: usize = 64 << 20;
/// Imports and calls kept per stream in the report.
const MAX_REPORTED: usize = 512;
/// Stream reports kept per analysis.
const MAX_STREAM_REPORTS: usize = 256;
/// Items kept per symbolic tuple / dict (the rest are dropped; nothing needs them).
const MAX_ITEMS: usize = 64;

/// What `custody inspect` shows about the pickles in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PickleReport {
    pub streams: Vec<StreamReport>,
    /// Streams analysed but not listed (over the report cap).
    pub streams_omitted: u64,
}

/// One pickle stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StreamReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Byte offset of the stream in the file (or in the member).
    pub offset: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<u8>,
    pub opcodes: u64,
    /// `complete`, `broken: …`, `truncated`, `limit: …`.
    pub status: String,
    /// Set when this stream sits inside another pickle (bytes value or joblib object array).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nested_in: Option<u64>,
    pub imports: Vec<ImportReport>,
    pub calls: Vec<CallReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Dotted path, e.g. `torch._utils._rebuild_tensor_v2`.
    pub global: String,
    /// `GLOBAL`, `STACK_GLOBAL`, `INST`, or how it was reached (`builtins.getattr`...).
    pub via: String,
    pub offset: u64,
    pub count: u64,
    /// `allowed`, `unknown`, `dangerous`, `critical`.
    pub verdict: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallReport {
    pub target: String,
    pub opcode: &'static str,
    pub offset: u64,
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument: Option<String>,
}

/// A finding the pickle layer produces, before it gets a file location.
#[derive(Debug, Clone)]
pub struct Hit {
    pub code: crate::codes::ModelCode,
    pub severity: Option<custody_core::Severity>,
    pub message: String,
    /// Offset in the analysed buffer.
    pub at: usize,
    pub evidence: String,
}

// ------------------------------------------------------------------------------------------
// Symbolic values

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    Latin1,
    /// Protocol-0 `STRING`: a quoted Python literal.
    Quoted,
    /// Protocol-0 `UNICODE`: raw-unicode-escape.
    RawEscape,
}

#[derive(Debug, Clone)]
struct Glob {
    module: String,
    name: String,
}

#[derive(Debug, Clone)]
struct CallV {
    callee: V,
    args: V,
    depth: u8,
}

#[derive(Debug, Clone)]
struct Items {
    depth: u8,
    v: Vec<V>,
}

#[derive(Debug, Clone)]
struct DictV {
    depth: u8,
    entries: Vec<(V, V)>,
}

#[derive(Debug, Clone)]
enum V {
    Opaque,
    None,
    Bool,
    Int(i64),
    Str {
        at: usize,
        len: usize,
        enc: Enc,
    },
    Bytes,
    Global(Rc<Glob>),
    Call(Rc<CallV>),
    /// `operator.attrgetter('a.b')`: calling it reaches `.a.b` of its argument.
    AttrGetter(Rc<str>),
    Tuple(Rc<Items>),
    List,
    Dict(Rc<DictV>),
    Set,
    PersId,
}

impl V {
    fn depth(&self) -> u8 {
        match self {
            V::Tuple(i) => i.depth,
            V::Dict(d) => d.depth,
            V::Call(c) => c.depth,
            _ => 0,
        }
    }
}

fn tuple(items: Vec<V>) -> V {
    let depth = items.iter().map(V::depth).max().unwrap_or(0).saturating_add(1);
    if depth > MAX_DEPTH {
        return V::Opaque;
    }
    let mut v = items;
    v.truncate(MAX_ITEMS);
    V::Tuple(Rc::new(Items { depth, v }))
}

fn call_v(callee: V, args: V) -> V {
    let depth = callee.depth().max(args.depth()).saturating_add(1);
    if depth > MAX_DEPTH {
        return V::Opaque;
    }
    V::Call(Rc::new(CallV { callee, args, depth }))
}

/// Decode a Python string literal body loosely (protocol-0 STRING).
fn unquote(raw: &[u8]) -> String {
    let inner = match raw {
        [q, body @ .., e] if (*q == b'\'' || *q == b'"') && q == e => body,
        other => other,
    };
    let mut out = String::new();
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c == b'\\' && i + 1 < inner.len() {
            let n = inner[i + 1];
            i += 2;
            match n {
                b'n' => out.push('\n'),
                b't' => out.push('\t'),
                b'r' => out.push('\r'),
                b'\\' => out.push('\\'),
                b'\'' => out.push('\''),
                b'"' => out.push('"'),
                b'x' if i + 2 <= inner.len() => {
                    let h = std::str::from_utf8(&inner[i..i + 2]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                    if let Some(h) = h {
                        out.push(char::from(h));
                        i += 2;
                    }
                }
                other => {
                    out.push('\\');
                    out.push(char::from(other));
                }
            }
        } else {
            out.push(char::from(c));
            i += 1;
        }
    }
    out
}

/// raw-unicode-escape: `\uXXXX` and `\UXXXXXXXX`, everything else Latin-1.
fn raw_unescape(raw: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() && (raw[i + 1] == b'u' || raw[i + 1] == b'U') {
            let w = if raw[i + 1] == b'u' { 4 } else { 8 };
            let hex = raw.get(i + 2..i + 2 + w).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(c) = hex.and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32) {
                out.push(c);
                i += 2 + w;
                continue;
            }
        }
        out.push(char::from(raw[i]));
        i += 1;
    }
    out
}

/// Longest string decoded for names and evidence.
const MAX_TEXT: usize = 4096;

fn text_of(b: &[u8], v: &V) -> Option<String> {
    match v {
        V::Str { at, len, enc } => {
            let raw = b.get(*at..at + (*len).min(MAX_TEXT * 4))?;
            let mut s = match enc {
                Enc::Utf8 => String::from_utf8_lossy(raw).into_owned(),
                Enc::Latin1 => raw.iter().map(|&c| char::from(c)).collect(),
                Enc::Quoted => unquote(raw),
                Enc::RawEscape => raw_unescape(raw),
            };
            if s.len() > MAX_TEXT {
                let mut cut = MAX_TEXT;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
            }
            Some(s)
        }
        _ => None,
    }
}

/// A short, printable rendering for evidence.
pub fn preview(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.chars().count() >= 80 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// The machine

/// How a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum End {
    Stop,
    Broken(usize, String),
    Truncated(usize),
    Limit(usize, String),
}

#[derive(Debug, Default)]
struct ImportAgg {
    module: String,
    name: String,
    via: String,
    at: usize,
    count: u64,
    verdict: Option<Verdict>,
    call: Option<(&'static str, usize, Option<String>)>,
    recovered: bool,
}

#[derive(Debug)]
struct CallAgg {
    target: String,
    op: &'static str,
    at: usize,
    count: u64,
    arg: Option<String>,
}

/// Analysis of one buffer (a file, a zip member, a nested bytes value).
pub struct Scanner<'a> {
    b: &'a [u8],
    /// Opcodes left in the caller's budget.
    pub ops_left: u64,
    pub hits: Vec<Hit>,
    pub streams: Vec<StreamReport>,
    pub streams_omitted: u64,
    /// False when something was not analysed (limit, truncated prefix).
    pub complete: bool,
    /// Whether `b` is the whole input (so an early end is truncation, not a prefix).
    whole: bool,
    nested: u32,
    recovery_left: usize,
    /// Base offset of `b` within the reported buffer (for nested pickles).
    base: usize,
}

struct Stream {
    imports: BTreeMap<String, ImportAgg>,
    calls: BTreeMap<(String, &'static str), CallAgg>,
    nested: Vec<(usize, usize)>,
    memo_overwrite_reported: bool,
    unresolved_reported: bool,
    frame_reported: bool,
    protocol: Option<u8>,
    ops: u64,
}

impl Stream {
    fn new() -> Stream {
        Stream {
            imports: BTreeMap::new(),
            calls: BTreeMap::new(),
            nested: Vec::new(),
            memo_overwrite_reported: false,
            unresolved_reported: false,
            frame_reported: false,
            protocol: None,
            ops: 0,
        }
    }
}

impl<'a> Scanner<'a> {
    pub fn new(b: &'a [u8], ops_left: u64, whole: bool) -> Scanner<'a> {
        Scanner {
            b,
            ops_left,
            hits: Vec::new(),
            streams: Vec::new(),
            streams_omitted: 0,
            complete: true,
            whole,
            nested: 0,
            recovery_left: MAX_RECOVERY_SCAN,
            base: 0,
        }
    }

    fn hit(
        &mut self,
        code: crate::codes::ModelCode,
        sev: Option<custody_core::Severity>,
        message: String,
        at: usize,
        ev: String,
    ) {
        if self.hits.len() < 4096 {
            self.hits.push(Hit { code, severity: sev, message, at: at + self.base, evidence: ev });
        }
    }

    /// Analyse every pickle stream from offset 0. `max_streams` bounds how many are read
    /// (legacy torch has exactly five; the bytes after them are raw storage data).
    pub fn scan_all(&mut self, max_streams: usize) {
        let mut pos = 0usize;
        let mut n = 0usize;
        while n < max_streams.min(MAX_STREAMS) {
            let first = n == 0;
            let (end, stop) = self.stream(pos, None, first);
            n += 1;
            match stop {
                End::Stop => {}
                _ => break,
            }
            pos = end;
            if pos >= self.b.len() || !looks_like_stream(&self.b[pos..]) {
                break;
            }
            if n == 1 && max_streams == MAX_STREAMS {
                self.hit(
                    crate::codes::PKL_MULTI,
                    None,
                    "the file holds more than one pickle stream".into(),
                    pos,
                    format!("second stream starts at offset {:#x}; loaders that read several (legacy torch, joblib, custom code) run each of them", pos + self.base),
                );
            }
        }
    }

    /// Run one stream starting at `start`; returns where it ended and how.
    fn stream(&mut self, start: usize, nested_in: Option<usize>, first: bool) -> (usize, End) {
        let mut st = Stream::new();
        let mut vm = Machine::default();
        let mut pos = start;
        let b = self.b;
        let end = loop {
            if self.ops_left == 0 {
                break End::Limit(pos, "opcode budget exhausted".into());
            }
            let op = match read_op(b, pos) {
                Ok(op) => op,
                Err(ReadErr::Truncated) => break End::Truncated(pos),
                Err(ReadErr::Invalid(c)) => break End::Broken(pos, format!("invalid opcode {c:#04x}")),
                Err(ReadErr::BadLength) => break End::Broken(pos, "length the loader rejects".into()),
            };
            self.ops_left -= 1;
            st.ops += 1;
            if let Some(fe) = vm.frame_end
                && op.at < fe
                && op.end > fe
                && !st.frame_reported
            {
                st.frame_reported = true;
                self.hit(
                    crate::codes::PKL_FRAME,
                    None,
                    format!("{} at offset {:#x} runs past the end of its FRAME", op_name(op.code), op.at + self.base),
                    op.at,
                    format!("frame ends at {:#x}, opcode ends at {:#x}; pickle.load reads across frames, frame-aware tools do not", fe + self.base, op.end + self.base),
                );
            }
            pos = op.end;
            match self.exec(&op, &mut st, &mut vm) {
                Ok(Flow::Next) => {}
                Ok(Flow::Stop) => break End::Stop,
                Ok(Flow::Array { bytes, padded }) => {
                    let mut p = pos;
                    if padded {
                        match b.get(p) {
                            Some(&pad) => p += 1 + usize::from(pad),
                            None => break End::Truncated(pos),
                        }
                    }
                    match p.checked_add(bytes).filter(|&e| e <= b.len()) {
                        Some(e) => {
                            self.recover(pos, e, "array data joblib skips (pickle.load would parse it as opcodes)");
                            pos = e;
                        }
                        None => break End::Truncated(pos),
                    }
                }
                Ok(Flow::Inline) => {
                    if self.nested >= MAX_NESTED {
                        break End::Limit(pos, "nested pickle depth".into());
                    }
                    self.nested += 1;
                    let (e, how) = self.stream(pos, Some(op.at), false);
                    self.nested -= 1;
                    match how {
                        End::Stop => pos = e,
                        other => break other,
                    }
                }
                Err(e) => break e,
            }
        };
        // Nested pickles inside bytes values.
        for (at, len) in std::mem::take(&mut st.nested) {
            self.nested_bytes(at, len);
        }
        let stop_at = match &end {
            End::Stop => pos,
            End::Broken(p, _) | End::Truncated(p) | End::Limit(p, _) => *p,
        };
        let status = match &end {
            End::Stop => "complete".to_string(),
            End::Broken(p, m) => format!("broken at offset {:#x}: {m}", p + self.base),
            End::Truncated(_) => "truncated".to_string(),
            End::Limit(_, m) => format!("limit: {m}"),
        };
        match &end {
            End::Stop => {}
            End::Broken(p, m) => {
                if st.ops > 0 || first {
                    let imported =
                        st.imports.values().filter(|i| i.verdict.is_some_and(|v| v.tier > Tier::Allowed)).count();
                    self.hit(
                        crate::codes::PKL_BROKEN,
                        None,
                        format!("pickle stream breaks at offset {:#x} after {} opcodes ({m})", p + self.base, st.ops),
                        *p,
                        format!("everything before the break runs when the file is loaded; {imported} non-allowlisted imports precede it"),
                    );
                }
                self.recover(*p, b.len(), "bytes after the point where the pickle breaks");
            }
            End::Truncated(p) => {
                if self.whole {
                    self.hit(
                        crate::codes::PKL_BROKEN,
                        None,
                        format!("pickle stream ends without STOP at offset {:#x} (truncated)", p + self.base),
                        *p,
                        format!("{} opcodes read; what came before the end runs when the file is loaded", st.ops),
                    );
                } else {
                    self.complete = false;
                }
            }
            End::Limit(p, m) => {
                self.complete = false;
                self.hit(
                    crate::codes::PKL_LIMIT,
                    None,
                    format!("pickle analysis stopped at offset {:#x}: {m}", p + self.base),
                    *p,
                    format!("{} opcodes analysed; the rest of the stream was not inspected", st.ops),
                );
            }
        }
        self.finish(st, start, nested_in, status);
        (stop_at, end)
    }

    fn finish(&mut self, st: Stream, start: usize, nested_in: Option<usize>, status: String) {
        let nested_note = match nested_in {
            Some(n) => format!(" (in a pickle nested at offset {:#x})", n + self.base),
            None => String::new(),
        };
        for imp in st.imports.values() {
            let Some(v) = imp.verdict else { continue };
            let display = policy::full(&imp.module, &imp.name);
            let code = match v.tier {
                Tier::Allowed => continue,
                Tier::Unknown => crate::codes::PKL_UNKNOWN,
                Tier::High => crate::codes::PKL_DANGEROUS,
                Tier::Critical => crate::codes::PKL_CRITICAL,
            };
            let (called, call_ev) = match &imp.call {
                Some((op, at, arg)) => (
                    " and calls it",
                    format!(
                        "; called by {op} at offset {:#x}{}",
                        at + self.base,
                        arg.as_ref().map(|a| format!(" with '{a}'")).unwrap_or_default()
                    ),
                ),
                None => ("", String::new()),
            };
            let recovered =
                if imp.recovered { " (found by a byte scan where the opcode parser could not follow)" } else { "" };
            let aka = match policy::resolve(&display) {
                Some(r) if r != display => format!(" (which is `{r}`)"),
                _ => String::new(),
            };
            self.hit(
                code,
                None,
                format!("pickle imports `{display}`{aka}{called}: {}", v.why),
                imp.at,
                format!(
                    "{display} reached through {} at offset {:#x}{call_ev}{}{nested_note}{recovered}",
                    imp.via,
                    imp.at + self.base,
                    if imp.count > 1 { format!(" ({} times)", imp.count) } else { String::new() }
                ),
            );
        }
        if self.streams.len() >= MAX_STREAM_REPORTS {
            self.streams_omitted += 1;
            return;
        }
        let base = self.base;
        let imports = st
            .imports
            .values()
            .take(MAX_REPORTED)
            .map(|i| ImportReport {
                global: policy::full(&i.module, &i.name),
                via: i.via.clone(),
                offset: (i.at + base) as u64,
                count: i.count,
                verdict: i.verdict.map_or("unknown", |v| v.tier.as_str()),
            })
            .collect();
        let calls = st
            .calls
            .values()
            .take(MAX_REPORTED)
            .map(|c| CallReport {
                target: c.target.clone(),
                opcode: c.op,
                offset: (c.at + base) as u64,
                count: c.count,
                argument: c.arg.clone(),
            })
            .collect();
        self.streams.push(StreamReport {
            member: None,
            offset: (start + base) as u64,
            protocol: st.protocol,
            opcodes: st.ops,
            status,
            nested_in: nested_in.map(|n| (n + base) as u64),
            imports,
            calls,
        });
    }

    /// A bytes value that holds a pickle: analyse it as its own buffer.
    fn nested_bytes(&mut self, at: usize, len: usize) {
        if self.nested >= MAX_NESTED {
            return;
        }
        let Some(inner) = self.b.get(at..at + len) else { return };
        let mut sub = Scanner::new(inner, self.ops_left, true);
        sub.nested = self.nested + 1;
        sub.base = self.base + at;
        sub.recovery_left = self.recovery_left / 4;
        let legacy = inner.starts_with(custody_formats::pickle::TORCH_LEGACY_MAGIC);
        sub.scan_all(if legacy { 5 } else { MAX_STREAMS });
        self.ops_left = sub.ops_left;
        self.complete &= sub.complete;
        let has = sub.hits.iter().any(|h| h.code != crate::codes::PKL_NESTED);
        self.hit(
            crate::codes::PKL_NESTED,
            None,
            format!("a bytes value at offset {:#x} holds another pickle ({len} bytes)", at + self.base),
            at,
            if has {
                "its findings are reported separately; it runs if anything unpickles it (pickle.loads, torch.load, joblib)".into()
            } else {
                "nothing outside the allowlist in it".into()
            },
        );
        for h in sub.hits {
            if self.hits.len() < 4096 {
                self.hits.push(h);
            }
        }
        for mut s in sub.streams {
            if s.nested_in.is_none() {
                s.nested_in = Some((at + self.base) as u64);
            }
            if self.streams.len() < MAX_STREAM_REPORTS {
                self.streams.push(s);
            } else {
                self.streams_omitted += 1;
            }
        }
    }

    /// Search `[from, to)` for import patterns the opcode parser did not reach.
    fn recover(&mut self, from: usize, to: usize, what: &str) {
        let to = to.min(self.b.len()).min(from.saturating_add(self.recovery_left));
        if from >= to {
            return;
        }
        self.recovery_left -= to - from;
        let found = recover_imports(&self.b[from..to]);
        let mut st = Stream::new();
        for (at, module, name) in found.into_iter().take(256) {
            let v = policy::judge(&module, &name);
            if v.tier < Tier::High {
                continue;
            }
            let key = policy::full(&module, &name);
            let e = st.imports.entry(key).or_default();
            if e.count == 0 {
                *e = ImportAgg {
                    module,
                    name,
                    via: format!("an import pattern in {what}"),
                    at: from + at,
                    count: 0,
                    verdict: Some(v),
                    call: None,
                    recovered: true,
                };
            }
            e.count += 1;
        }
        if !st.imports.is_empty() {
            // Report only the hits, not a stream.
            let n = self.streams.len();
            self.finish(st, from, None, "recovered".into());
            self.streams.truncate(n);
        }
    }

    fn import(&mut self, st: &mut Stream, module: String, name: String, via: &str, at: usize) -> V {
        let key = policy::full(&module, &name);
        let e = st.imports.entry(key).or_default();
        if e.count == 0 {
            e.verdict = Some(policy::judge(&module, &name));
            e.module = module.clone();
            e.name = name.clone();
            e.via = via.to_string();
            e.at = at;
        }
        e.count += 1;
        V::Global(Rc::new(Glob { module, name }))
    }

    fn record_call(&mut self, st: &mut Stream, target: &Glob, op: &'static str, at: usize, arg: Option<String>) {
        let key = policy::full(&target.module, &target.name);
        if let Some(imp) = st.imports.get_mut(&key)
            && imp.call.is_none()
        {
            imp.call = Some((op, at, arg.clone()));
        }
        if st.calls.len() >= MAX_REPORTED && !st.calls.contains_key(&(key.clone(), op)) {
            return;
        }
        let e = st.calls.entry((key.clone(), op)).or_insert(CallAgg { target: key, op, at, count: 0, arg });
        e.count += 1;
    }

    fn first_arg_text(&self, args: &V) -> Option<String> {
        match args {
            V::Tuple(t) => t.v.first().and_then(|a| text_of(self.b, a)).map(|s| preview(&s)),
            _ => None,
        }
    }

    /// A call of `callee` with `args`: record it, follow what we model, return the result.
    fn call(&mut self, st: &mut Stream, callee: V, args: V, op: &'static str, at: usize) -> V {
        let arg_text = self.first_arg_text(&args);
        match &callee {
            V::Global(g) => {
                self.record_call(st, g, op, at, arg_text);
                // Follow aliases (`enum.bltns.getattr` is `builtins.getattr`).
                let path = policy::full(&g.module, &g.name);
                let path = policy::resolve(&path).unwrap_or(path);
                let strs = |s: &Self| -> Vec<Option<String>> {
                    match &args {
                        V::Tuple(t) => t.v.iter().map(|a| text_of(s.b, a)).collect(),
                        _ => Vec::new(),
                    }
                };
                match path.as_str() {
                    "builtins.getattr" => {
                        if let V::Tuple(t) = &args
                            && let (Some(obj), Some(attr)) = (t.v.first(), t.v.get(1).and_then(|a| text_of(self.b, a)))
                            && let Some((m, n)) = self.target_of(obj)
                        {
                            let name = if n.is_empty() { attr } else { format!("{n}.{attr}") };
                            return self.import(st, m, name, "builtins.getattr", at);
                        }
                    }
                    "importlib.import_module" | "builtins.__import__" => {
                        if let Some(Some(m)) = strs(self).first() {
                            return self.import(st, m.clone(), String::new(), &path, at);
                        }
                    }
                    "pkgutil.resolve_name" => {
                        if let Some(Some(s)) = strs(self).first() {
                            let (m, n) = match s.split_once(':') {
                                Some((m, n)) => (m.to_string(), n.to_string()),
                                None => match s.rsplit_once('.') {
                                    Some((m, n)) => (m.to_string(), n.to_string()),
                                    None => (s.clone(), String::new()),
                                },
                            };
                            return self.import(st, m, n, "pkgutil.resolve_name", at);
                        }
                    }
                    "numpy.core._ufunc_reconstruct" | "numpy._core._ufunc_reconstruct" => {
                        if let [Some(m), Some(n), ..] = strs(self).as_slice() {
                            return self.import(st, m.clone(), n.clone(), &path, at);
                        }
                    }
                    "operator.attrgetter" | "_operator.attrgetter" => {
                        if let Some(Some(a)) = strs(self).first() {
                            return V::AttrGetter(Rc::from(a.as_str()));
                        }
                    }
                    _ => {}
                }
                call_v(callee, args)
            }
            V::AttrGetter(attr) => {
                if let V::Tuple(t) = &args
                    && let Some((m, n)) = t.v.first().and_then(|o| self.target_of(o))
                {
                    let name = if n.is_empty() { attr.to_string() } else { format!("{n}.{attr}") };
                    return self.import(st, m, name, "operator.attrgetter", at);
                }
                call_v(callee, args)
            }
            _ => {
                if !st.unresolved_reported {
                    st.unresolved_reported = true;
                    self.hit(
                        crate::codes::PKL_UNKNOWN,
                        None,
                        format!("{op} at offset {:#x} calls something that cannot be resolved statically", at + self.base),
                        at,
                        "the callable is not an imported global (it comes from a call result, a persistent id or the memo)".into(),
                    );
                }
                call_v(callee, args)
            }
        }
    }

    /// The (module, name) a value stands for, when it is a global or a module object.
    fn target_of(&self, v: &V) -> Option<(String, String)> {
        match v {
            V::Global(g) => Some((g.module.clone(), g.name.clone())),
            _ => None,
        }
    }

    /// Container opcodes applied to something that is not a plain container call methods on it.
    fn mutate(&mut self, st: &mut Stream, target: &V, method: &'static str, op: &'static str, at: usize) {
        match target {
            V::List | V::Dict(_) | V::Set | V::Opaque => {}
            V::Global(g) => {
                let display = policy::full(&g.module, &g.name);
                self.hit(
                    crate::codes::PKL_TAMPER,
                    None,
                    format!("{op} at offset {:#x} modifies `{display}` itself (a module-level object or class)", at + self.base),
                    at,
                    format!("{display}.{method} is called on the imported object; this changes the interpreter's state for everything loaded later"),
                );
            }
            V::Call(c) => {
                if let V::Global(g) = &c.callee
                    && policy::judge(&g.module, &g.name).tier > Tier::Allowed
                {
                    let t = Glob { module: g.module.clone(), name: format!("{}.{method}", g.name) };
                    self.record_call(st, &t, op, at, None);
                }
            }
            _ => {}
        }
    }
}

/// What the main loop does after an opcode.
enum Flow {
    Next,
    Stop,
    /// joblib array data follows: (optionally a padding-length byte and padding, then) bytes.
    Array {
        bytes: usize,
        padded: bool,
    },
    /// A nested stream starts here (joblib object array).
    Inline,
}

/// Where joblib's array data after a `NumpyArrayWrapper` BUILD ends.
fn joblib_array(b: &[u8], state: &V) -> Flow {
    let V::Dict(d) = state else { return Flow::Next };
    let get = |key: &str| d.entries.iter().find(|(k, _)| text_of(b, k).as_deref() == Some(key)).map(|(_, v)| v);
    let shape: Option<Vec<i64>> = match get("shape") {
        Some(V::Tuple(t)) => t.v.iter().map(|x| if let V::Int(i) = x { Some(*i) } else { None }).collect(),
        _ => None,
    };
    let descr = match get("dtype") {
        Some(V::Call(c)) => match &c.args {
            V::Tuple(t) => t.v.first().and_then(|x| text_of(b, x)),
            _ => None,
        },
        _ => None,
    };
    let (Some(shape), Some(descr)) = (shape, descr) else { return Flow::Next };
    let d = descr.trim_start_matches(['<', '>', '|', '=']);
    if d.starts_with('O') {
        return Flow::Inline;
    }
    let digits: String = d.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    let item: Option<u64> = match digits.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) if d.starts_with('?') => Some(1),
        Err(_) => None,
    };
    let Some(item) = item else { return Flow::Next };
    let mut count = 1u64;
    for s in shape {
        let Ok(s) = u64::try_from(s) else { return Flow::Next };
        count = count.saturating_mul(s);
    }
    let bytes = usize::try_from(count.saturating_mul(item)).unwrap_or(usize::MAX);
    // A padding-length byte and the padding come first when the writer recorded an alignment.
    let padded = matches!(get("numpy_array_alignment_bytes"), Some(V::Int(_)));
    Flow::Array { bytes, padded }
}

/// Whether bytes start a pickle stream with a PROTO header.
pub fn looks_like_pickle(b: &[u8]) -> bool {
    b.len() >= 4
        && b[0] == 0x80
        && (2..=5).contains(&b[1])
        && (b.last() == Some(&b'.') || b.starts_with(custody_formats::pickle::TORCH_LEGACY_MAGIC))
}

/// Whether another stream starts at `rest`.
fn looks_like_stream(rest: &[u8]) -> bool {
    if rest.first() == Some(&0x80) {
        return rest.get(1).is_some_and(|p| (2..=5).contains(p));
    }
    custody_formats::pickle::sniff(&rest[..rest.len().min(64 << 10)]).is_some()
}

fn ident(s: &[u8], dotted: bool) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && (s[0].is_ascii_alphabetic() || s[0] == b'_')
        && s.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || (dotted && c == b'.'))
}

/// Byte patterns of imports: `c<module>\n<name>\n` (GLOBAL/INST) and two short strings then
/// `STACK_GLOBAL` (with optional memo opcodes between). Returns (offset, module, name).
pub fn recover_imports(b: &[u8]) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for p in memchr::memchr2_iter(b'c', b'i', b) {
        if out.len() >= 1024 {
            break;
        }
        let Some((m, mid)) = short_line(b, p + 1) else { continue };
        if !ident(m, true) {
            continue;
        }
        let Some((n, _)) = short_line(b, mid) else { continue };
        if ident(n, true) {
            out.push((p, String::from_utf8_lossy(m).into_owned(), String::from_utf8_lossy(n).into_owned()));
        }
    }
    // STACK_GLOBAL: look backwards from each 0x93 for two string opcodes.
    for p in memchr::memchr_iter(0x93, b) {
        if out.len() >= 2048 {
            break;
        }
        if let Some((m, n, start)) = strings_before(b, p) {
            out.push((start, m, n));
        }
    }
    out
}

/// The two string operands that end right before `end` (optionally each followed by a memo op).
fn strings_before(b: &[u8], end: usize) -> Option<(String, String, usize)> {
    let (n, mid) = string_ending_at(b, end)?;
    let (m, start) = string_ending_at(b, mid)?;
    Some((m, n, start))
}

/// A line of at most 256 bytes starting at `from`.
fn short_line(b: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let rest = b.get(from..)?;
    let n = memchr::memchr(b'\n', &rest[..rest.len().min(257)])?;
    Some((&rest[..n], from + n + 1))
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

fn string_ending_at(b: &[u8], end: usize) -> Option<(String, usize)> {
    // Skip one memo opcode: MEMOIZE (1 byte), BINPUT (2), LONG_BINPUT (5).
    let mut candidates = vec![end];
    if end >= 1 && b[end - 1] == 0x94 {
        candidates.push(end - 1);
    }
    if end >= 2 && b[end - 2] == b'q' {
        candidates.push(end - 2);
    }
    if end >= 5 && b[end - 5] == b'r' {
        candidates.push(end - 5);
    }
    for e in candidates {
        // The string is a run of identifier bytes ending at `e`.
        let run = b[..e].iter().rev().take(256).take_while(|&&c| is_ident_byte(c)).count();
        for len in 1..=run {
            // SHORT_BINUNICODE: 0x8c len s
            if e >= len + 2 && b[e - len - 2] == 0x8c && usize::from(b[e - len - 1]) == len {
                let s = &b[e - len..e];
                if ident(s, true) {
                    return Some((String::from_utf8_lossy(s).into_owned(), e - len - 2));
                }
            }
            // BINUNICODE: 'X' u32 s
            if e >= len + 5 && b[e - len - 5] == b'X' && le(&b[e - len - 4..e - len]) == len as u64 {
                let s = &b[e - len..e];
                if ident(s, true) {
                    return Some((String::from_utf8_lossy(s).into_owned(), e - len - 5));
                }
            }
        }
    }
    None
}

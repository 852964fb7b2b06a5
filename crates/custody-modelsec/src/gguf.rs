//! GGUF: header counts and lengths that overflow or exceed limits (the shapes of the
//! llama.cpp/gguf parser memory-safety bugs, reported by custody-formats' total parser), and
//! every chat template in the metadata (`tokenizer.chat_template` and the named
//! `tokenizer.chat_template.<name>` variants), analysed as Jinja syntax trees.

use crate::codes;
use crate::ctx::Ctx;
use custody_core::Severity;
use custody_formats::Format;

struct R<'a> {
    b: &'a [u8],
    pos: usize,
    big: bool,
    v1: bool,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len())?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        let a: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(if self.big { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) })
    }
    fn u64(&mut self) -> Option<u64> {
        let a: [u8; 8] = self.take(8)?.try_into().ok()?;
        Some(if self.big { u64::from_be_bytes(a) } else { u64::from_le_bytes(a) })
    }
    fn count(&mut self) -> Option<u64> {
        if self.v1 { self.u32().map(u64::from) } else { self.u64() }
    }
    fn string(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.count()?).ok()?;
        self.take(n)
    }
    fn skip(&mut self, t: u32, depth: u32) -> Option<()> {
        let fixed = match t {
            0 | 1 | 7 => 1,
            2 | 3 => 2,
            4..=6 => 4,
            10..=12 => 8,
            8 => {
                self.string()?;
                return Some(());
            }
            9 => {
                if depth > 8 {
                    return None;
                }
                let et = self.u32()?;
                let n = self.count()?;
                if n > (self.b.len() - self.pos) as u64 {
                    return None; // every element takes at least one byte
                }
                match et {
                    8 | 9 => {
                        for _ in 0..n {
                            self.skip(et, depth + 1)?;
                        }
                    }
                    _ => {
                        let size = match et {
                            0 | 1 | 7 => 1u64,
                            2 | 3 => 2,
                            4..=6 => 4,
                            10..=12 => 8,
                            _ => return None,
                        };
                        self.take(usize::try_from(n.checked_mul(size)?).ok()?)?;
                    }
                }
                return Some(());
            }
            _ => return None,
        };
        self.take(fixed).map(|_| ())
    }
}

/// (key, template text, offset of the text) for every chat template in the metadata.
fn templates(b: &[u8]) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    if !b.starts_with(b"GGUF") {
        return out;
    }
    let mut r = R { b, pos: 4, big: false, v1: false };
    let Some(raw) = r.u32() else { return out };
    r.big = raw & 0xFFFF == 0 && raw != 0;
    let version = if r.big { raw.swap_bytes() } else { raw };
    r.v1 = version == 1;
    let (Some(_tensors), Some(kv)) = (r.count(), r.count()) else { return out };
    for _ in 0..kv.min(1_000_000) {
        let Some(key) = r.string() else { break };
        let Some(t) = r.u32() else { break };
        let key = String::from_utf8_lossy(key);
        if t == 8 && (key == "tokenizer.chat_template" || key.starts_with("tokenizer.chat_template.")) {
            let at = r.pos;
            let Some(s) = r.string() else { break };
            if out.len() < 64 {
                out.push((key.into_owned(), String::from_utf8_lossy(s).into_owned(), at));
            }
        } else if r.skip(t, 0).is_none() {
            break;
        }
    }
    out
}

pub(crate) fn analyze(ctx: &mut Ctx, b: &[u8], file_len: u64, member: Option<&str>) {
    let whole = b.len() as u64 >= file_len;
    let ins = custody_formats::inspect_prefix_as(b, Format::Gguf, file_len);
    for i in &ins.issues {
        if !whole && i.offset.is_none_or(|o| o.saturating_add(1024) >= b.len() as u64) {
            ctx.uninspectable(
                member,
                format!("GGUF metadata continues past the inspected prefix ({} bytes)", b.len()),
                i.message.clone(),
            );
            continue;
        }
        let m = i.message.to_ascii_lowercase();
        let severe = i.code == custody_formats::LIMIT
            || ["count", "length", "overflow", "dimension", "dims", "nested"].iter().any(|w| m.contains(w));
        ctx.add(
            codes::GGUF_HEADER,
            if severe { None } else { Some(Severity::Medium) },
            member,
            i.offset,
            format!("GGUF header: {}", i.message),
            "out-of-range counts and lengths are how crafted GGUF files corrupt memory in native loaders",
        );
    }
    for (key, text, at) in templates(b) {
        let m = crate::ctx::join(member, &key);
        crate::jinja::template(ctx, &text, Some(&m), Some(at as u64));
    }
}

//! safetensors: the format has no code, so what matters is a header that loaders and other
//! tools read differently: an absurd header size, tensors that overlap or point outside the
//! data buffer (aliasing, out-of-bounds reads in native readers), bytes after the last tensor
//! (a polyglot can hide a pickle or a zip there; they are analysed), and `__metadata__` that
//! carries code or huge values.

use crate::codes;
use crate::ctx::Ctx;
use custody_core::Severity;
use serde_json::Value;

const MAX_HEADER: u64 = 100_000_000;
/// Metadata values longer than this are reported.
const HUGE_VALUE: usize = 64 << 10;

const CODE_MARKERS: &[&str] = &[
    "import os",
    "import subprocess",
    "__import__",
    "os.system",
    "subprocess.",
    "eval(",
    "exec(",
    "base64.b64decode",
    "pickle.loads",
    "<script",
    "{{",
    "{%",
    "__class__",
    "__globals__",
    "powershell",
    "/bin/sh",
    "curl ",
    "wget ",
];

pub(crate) fn analyze(ctx: &mut Ctx, b: &[u8], file_len: u64, member: Option<&str>, depth: u32) {
    let Some(n) = b.get(..8).and_then(|s| <[u8; 8]>::try_from(s).ok()).map(u64::from_le_bytes) else { return };
    if n.saturating_add(8) > file_len {
        // Not a safetensors file anyone can load, and not one we can read: whatever follows the
        // length field is unaccounted for, so it is never reported as clean.
        ctx.uninspectable(
            member,
            format!("safetensors header length {n} is larger than the file ({file_len} bytes)"),
            "loaders refuse it and naive readers allocate what it says; the header and data cannot be located",
        );
        return;
    }
    if n > MAX_HEADER {
        ctx.add(
            codes::ST_HEADER,
            None,
            member,
            Some(0),
            format!("safetensors header length {n} is larger than the {MAX_HEADER}-byte limit"),
            "loaders refuse it, while naive readers allocate what it says",
        );
        return;
    }
    let hend = 8 + n as usize;
    let Some(header) = b.get(8..hend) else {
        ctx.uninspectable(member, "safetensors header extends past the inspected prefix", format!("{n} header bytes"));
        return;
    };
    let Ok(Value::Object(h)) = serde_json::from_slice::<Value>(header) else {
        ctx.add(
            codes::ST_HEADER,
            None,
            member,
            Some(8),
            "safetensors header is not a JSON object",
            "loaders refuse the file; other tools may read it differently",
        );
        return;
    };
    let buffer = file_len - hend as u64;
    let mut ranges: Vec<(u64, u64, String)> = Vec::new();
    for (name, v) in &h {
        if name == "__metadata__" {
            metadata(ctx, v, member);
            continue;
        }
        let offs: Option<Vec<u64>> =
            v.get("data_offsets").and_then(Value::as_array).and_then(|a| a.iter().map(Value::as_u64).collect());
        let Some([begin, end]) = offs.as_deref().map(|o| <[u64; 2]>::try_from(o).ok()).unwrap_or(None) else {
            continue;
        };
        if end < begin || end > buffer {
            ctx.add(
                codes::ST_OFFSETS,
                None,
                member,
                Some(8),
                format!(
                    "tensor `{}` has data_offsets [{begin}, {end}) outside the {buffer}-byte data buffer",
                    crate::pickle::preview(name)
                ),
                "native readers that trust offsets read out of bounds",
            );
            continue;
        }
        ranges.push((begin, end, name.clone()));
    }
    ranges.sort();
    let mut max_end = 0u64;
    let mut overlap_reported = false;
    let mut prev: Option<&(u64, u64, String)> = None;
    for r in &ranges {
        if let Some(p) = prev
            && r.0 < p.1
            && r.1 > r.0
            && !overlap_reported
        {
            overlap_reported = true;
            ctx.add(
                codes::ST_OFFSETS,
                None,
                member,
                Some(hend as u64 + r.0),
                format!("tensors `{}` and `{}` overlap", crate::pickle::preview(&p.2), crate::pickle::preview(&r.2)),
                "two tensors share bytes: changing one changes the other, and the file is not what the reference writer produces",
            );
        }
        max_end = max_end.max(r.1);
        prev = Some(r);
    }
    if max_end < buffer {
        let trailing = buffer - max_end;
        let at = hend as u64 + max_end;
        let tail = usize::try_from(at).ok().and_then(|a| b.get(a..));
        let inner = tail.and_then(|t| custody_formats::sniff(&t[..t.len().min(64 << 10)]));
        let polyglot = matches!(inner, Some(f) if f != custody_formats::Format::Safetensors);
        ctx.add(
            codes::ST_TRAILING,
            if polyglot { Some(Severity::High) } else { None },
            member,
            Some(at),
            format!("{trailing} bytes follow the last tensor"),
            match inner {
                Some(f) if polyglot => format!("they are a {} file (polyglot); it was analysed too", f.as_str()),
                _ => "data no tensor claims: room for a hidden payload".to_string(),
            },
        );
        if polyglot
            && depth < crate::MAX_ARCHIVE_DEPTH
            && let Some(t) = tail
        {
            let m = crate::ctx::join(member, &format!("(trailing data at {at:#x})"));
            crate::dispatch::dispatch(ctx, t, t.len() as u64, Some(&m), depth + 1, "");
        }
    }
}

fn metadata(ctx: &mut Ctx, v: &Value, member: Option<&str>) {
    let Some(o) = v.as_object() else { return };
    for (k, val) in o {
        let s = match val {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let lower = s.to_ascii_lowercase();
        if let Some(marker) = CODE_MARKERS.iter().find(|m| lower.contains(*m)) {
            ctx.add(
                codes::ST_METADATA,
                Some(Severity::High),
                member,
                Some(8),
                format!("safetensors metadata `{}` holds code-like text", crate::pickle::preview(k)),
                format!(
                    "contains `{marker}`: metadata is shown in UIs and read by tools, and can carry injection payloads"
                ),
            );
        } else if s.len() > HUGE_VALUE {
            ctx.add(
                codes::ST_METADATA,
                None,
                member,
                Some(8),
                format!("safetensors metadata `{}` is {} bytes long", crate::pickle::preview(k), s.len()),
                "metadata is meant for short strings; large values hide data",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::codes;

    fn st(n: u64, rest: &[u8]) -> Vec<u8> {
        [n.to_le_bytes().as_slice(), rest].concat()
    }

    #[test]
    fn header_length_beyond_the_file_is_uninspectable_not_medium() {
        for n in [3, 1 << 20, 1 << 40, u64::MAX - 7, u64::MAX] {
            let b = st(n, b"{}");
            let a = crate::analyze("m.safetensors", &b, b.len() as u64);
            assert!(!a.inspected, "{n}: {:?}", a.findings);
            assert!(a.findings.iter().any(|f| f.code == codes::ZIP_UNINSPECTABLE), "{n}: {:?}", a.findings);
            assert!(!a.findings.iter().any(|f| f.code == codes::ST_HEADER), "{n}: {:?}", a.findings);
        }
        // Exactly the file: inspected, clean.
        let b = st(2, b"{}");
        let a = crate::analyze("m.safetensors", &b, b.len() as u64);
        assert!(a.inspected && a.findings.is_empty(), "{:?}", a.findings);
        // Within the file but past the bytes we were given: still uninspectable.
        let a = crate::analyze("m.safetensors", &b[..9], b.len() as u64);
        assert!(!a.inspected, "{:?}", a.findings);
    }
}

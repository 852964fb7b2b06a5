//! OpenVINO IR: `model.xml` whose root element is `<net name="…" version="10|11">` (weights in
//! the companion `model.bin`, which has no signature). The XML is not parsed as a tree: the
//! root tag's attributes, `<layer … type="Const">` elements with their
//! `<data element_type="…" shape="…">` (the weights: count, dtypes, element total) and the
//! `rt_info` version entries are found by a linear scan. Nothing is resolved or fetched
//! (no entities, no DTDs).

use crate::util::{Sink, find};
use crate::{ModelMeta, meta_string};

/// Skip a BOM, whitespace, `<?xml …?>` and comments; then the root must be `<net`.
pub(crate) fn sniff(head: &[u8]) -> bool {
    root_start(head).is_some()
}

fn root_start(b: &[u8]) -> Option<usize> {
    let mut p = if b.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    for _ in 0..64 {
        while b.get(p).is_some_and(u8::is_ascii_whitespace) {
            p += 1;
        }
        let rest = b.get(p..)?;
        if rest.starts_with(b"<?") {
            p += find(rest, b"?>")? + 2;
        } else if rest.starts_with(b"<!--") {
            p += find(rest, b"-->")? + 3;
        } else if rest.starts_with(b"<net") && rest.get(4).is_some_and(|c| c.is_ascii_whitespace() || *c == b'>') {
            return Some(p);
        } else {
            return None;
        }
    }
    None
}

/// The value of `name="…"` inside one tag's text.
fn attr(tag: &[u8], name: &str) -> Option<String> {
    let mut pat = Vec::with_capacity(name.len() + 3);
    pat.push(b' ');
    pat.extend_from_slice(name.as_bytes());
    pat.extend_from_slice(b"=\"");
    let s = find(tag, &pat)? + pat.len();
    let e = tag[s..].iter().position(|&c| c == b'"')?;
    Some(String::from_utf8_lossy(&tag[s..s + e]).into_owned())
}

/// The text of the tag starting at `p` (up to `>`).
fn tag_at(b: &[u8], p: usize) -> &[u8] {
    let end = b[p..].iter().take(64 * 1024).position(|&c| c == b'>').map_or(b.len().min(p + 64 * 1024), |e| p + e);
    &b[p..end]
}

fn element_type(t: &str) -> String {
    t.to_ascii_uppercase()
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    let Some(p) = root_start(b) else {
        sink.malformed("root element is not <net>", 0);
        return;
    };
    let root = tag_at(b, p);
    meta.name = attr(root, "name").map(|n| meta_string(&n));
    meta.format_version = attr(root, "version").map(|v| meta_string(&v));
    let mut layers = 0u64;
    let mut consts = 0u64;
    let mut params = Some(0u64);
    let mut broken = false;
    let mut pos = p;
    while let Some(i) = find(&b[pos..], b"<layer ") {
        let at = pos + i;
        let tag = tag_at(b, at);
        layers += 1;
        if attr(tag, "type").as_deref() == Some("Const")
            && let Some(d) = find(&b[at..b.len().min(at + 64 * 1024)], b"<data ").map(|d| at + d)
        {
            let data = tag_at(b, d);
            consts += 1;
            meta.add_dtype(&element_type(&attr(data, "element_type").unwrap_or_default()));
            let dims: Option<Vec<u64>> = attr(data, "shape")
                .map(|s| {
                    if s.is_empty() { Some(Vec::new()) } else { s.split(',').map(|x| x.trim().parse().ok()).collect() }
                })
                .unwrap_or(None);
            crate::util::add_count(&mut params, dims.as_deref().and_then(crate::util::product), &mut broken);
        }
        pos = at + tag.len().max(1);
    }
    meta.tensor_count = Some(consts);
    meta.parameter_count = if broken { None } else { params };
    meta.set_extra("layers", layers.to_string());
    meta.quantization =
        meta.dominant_quantized(|d| matches!(d, "I8" | "U8" | "I4" | "U4" | "NF4" | "F8E4M3" | "F8E5M2"));
    for (key, label) in [("<Runtime_version value=\"", "openvino"), ("<MO_version value=\"", "mo")] {
        if let Some(i) = find(b, key.as_bytes()) {
            let s = i + key.len();
            if let Some(e) = b[s..].iter().take(256).position(|&c| c == b'"') {
                let v = String::from_utf8_lossy(&b[s..s + e]).into_owned();
                if label == "openvino" {
                    meta.producer = Some(meta_string(&format!("OpenVINO {v}")));
                } else {
                    meta.set_extra("mo_version", v);
                }
            }
        }
    }
}

//! safetensors (Hugging Face).
//!
//! Layout: `u64 LE N` (header length), `N` bytes of UTF-8 JSON (may be right-padded with
//! spaces so the data starts 8-aligned), then one byte buffer holding every tensor. The header
//! maps tensor names to `{"dtype", "shape", "data_offsets": [begin, end)}` (offsets relative to
//! the buffer) plus an optional `"__metadata__"` object of string → string.
//!
//! Checks: `N` ≤ [`limits::MAX_SAFETENSORS_HEADER`] (the reference loader's limit) and
//! `8 + N` ≤ file size; the JSON parses, is an object without duplicate keys; every entry is
//! well-typed; `end ≥ begin`, every range lies inside the buffer, sorted ranges are contiguous
//! from 0 without holes or overlaps and end exactly at the end of the file (trailing bytes would
//! be a polyglot); each range's length equals `numel × dtype size` for known dtypes. Parameter
//! count is Σ numel with overflow checking.

use crate::util::{Sink, le_u64, off};
use crate::{ModelMeta, limits, meta_string};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// Known dtypes and their size in bits.
fn dtype_bits(d: &str) -> Option<u64> {
    Some(match d {
        "BOOL" | "U8" | "I8" | "F8_E4M3" | "F8_E5M2" | "F8_E8M0" | "F8_E4M3FNUZ" | "F8_E5M2FNUZ" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        _ => return None,
    })
}

fn is_quant_dtype(d: &str) -> bool {
    matches!(d, "I8" | "U8" | "F4" | "F6_E2M3" | "F6_E3M2") || d.starts_with("F8_")
}

/// Header length, `{` at byte 8, then `"` or `}` after whitespace, and (as far as the head
/// goes) no control bytes in the header text.
pub(crate) fn sniff(head: &[u8]) -> bool {
    let Some(n) = le_u64(head, 0) else { return false };
    if !(2..(1u64 << 40)).contains(&n) || head.get(8) != Some(&b'{') {
        return false;
    }
    let end = usize::try_from(n.saturating_add(8)).unwrap_or(usize::MAX).min(head.len());
    let text = &head[8..end];
    let after = text[1..].iter().find(|b| !b.is_ascii_whitespace());
    if !matches!(after, Some(b'"') | Some(b'}') | None) {
        return false;
    }
    // Up to the end of the JSON object (or of the head), only text.
    let (mut depth, mut in_str, mut esc) = (0u32, false, false);
    for &b in text {
        if b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t') {
            return false;
        }
        match (in_str, esc, b) {
            (true, true, _) => esc = false,
            (true, false, b'\\') => esc = true,
            (true, false, b'"') => in_str = false,
            (false, _, b'"') => in_str = true,
            (false, _, b'{' | b'[') => depth += 1,
            (false, _, b'}' | b']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return true;
                }
            }
            _ => {}
        }
    }
    true
}

/// The header's top-level entries in file order, so duplicates can be seen.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Entries, A::Error> {
                let mut v = Vec::new();
                while let Some((k, val)) = m.next_entry::<String, Value>()? {
                    v.push((k, val));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// Evident modalities from tensor names (shared with GGUF and ONNX).
pub(crate) fn modalities_from_name(name: &str, meta: &mut ModelMeta) {
    const VISION: &[&str] = &[
        "vision_tower",
        "vision_model",
        "visual.",
        "vision_encoder",
        "image_encoder",
        "multi_modal_projector",
        "mm_projector",
        "v.blk.",
        "v.patch_embd",
    ];
    const AUDIO: &[&str] = &["audio_tower", "audio_model", "audio_encoder", "a.blk."];
    const TEXT: &[&str] = &["lm_head", "embed_tokens", "token_embd", "tok_embeddings", "word_embeddings"];
    for (list, m) in [(VISION, "vision"), (AUDIO, "audio"), (TEXT, "text")] {
        if !meta.modalities.contains(m) && list.iter().any(|p| name.contains(p)) {
            meta.modalities.insert(m.to_string());
        }
    }
}

pub(crate) fn inspect(bytes: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    inspect_len(bytes, off(bytes.len()), meta, sink);
}

/// As [`inspect`], where `bytes` may be a prefix of a file of `file_len` bytes: tensor offsets
/// are checked against the whole file; the header must lie within the prefix.
pub(crate) fn inspect_len(bytes: &[u8], file_len: u64, meta: &mut ModelMeta, sink: &mut Sink) {
    let Some(n) = le_u64(bytes, 0) else {
        sink.malformed("file is shorter than the 8-byte header length", 0);
        return;
    };
    if n > limits::MAX_SAFETENSORS_HEADER {
        sink.limit(format!("header length {n} exceeds the limit of {} bytes", limits::MAX_SAFETENSORS_HEADER), 0);
        return;
    }
    let size = file_len;
    if n.saturating_add(8) > size {
        sink.malformed(format!("header length {n} runs past the end of the file ({size} bytes)"), 0);
        return;
    }
    if n.saturating_add(8) > off(bytes.len()) {
        sink.limit(format!("header of {n} bytes is larger than the {} bytes inspected", bytes.len()), 0);
        return;
    }
    // n ≤ 100 MB and 8 + n ≤ len, so these conversions and slices are in range.
    let hend = 8 + n as usize;
    let header = &bytes[8..hend];
    let entries = match serde_json::from_slice::<Entries>(header) {
        Ok(e) => e.0,
        Err(e) => {
            sink.malformed(format!("header is not a JSON object: {e}"), 8);
            return;
        }
    };
    let buffer_len = size - 8 - n;
    let mut seen = std::collections::HashSet::new();
    let mut ranges: Vec<(u64, u64, usize)> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut params = Some(0u64);
    let mut unknown = std::collections::BTreeSet::new();
    let mut qweight = false;
    for (name, value) in &entries {
        if !seen.insert(name.as_str()) {
            sink.malformed(format!("duplicate key `{}` in the header", crate::util::short(name)), 8);
            continue;
        }
        if name == "__metadata__" {
            read_metadata(value, meta, sink);
            continue;
        }
        let shown = crate::util::short(name);
        let Some(obj) = value.as_object() else {
            sink.malformed(format!("tensor `{shown}` is not an object"), 8);
            continue;
        };
        let Some(dtype) = obj.get("dtype").and_then(Value::as_str) else {
            sink.malformed(format!("tensor `{shown}` has no string dtype"), 8);
            continue;
        };
        let shape: Option<Vec<u64>> =
            obj.get("shape").and_then(Value::as_array).and_then(|a| a.iter().map(Value::as_u64).collect());
        let Some(shape) = shape else {
            sink.malformed(format!("tensor `{shown}` has no shape of non-negative integers"), 8);
            continue;
        };
        let offsets: Option<Vec<u64>> =
            obj.get("data_offsets").and_then(Value::as_array).and_then(|a| a.iter().map(Value::as_u64).collect());
        let (begin, end) = match offsets.as_deref() {
            Some([b, e]) => (*b, *e),
            _ => {
                sink.malformed(format!("tensor `{shown}` has no [begin, end] data_offsets"), 8);
                continue;
            }
        };
        meta.add_dtype(dtype);
        modalities_from_name(name, meta);
        qweight |= name.ends_with(".qweight") || name.ends_with(".qzeros");
        let numel = crate::util::product(&shape);
        if numel.is_none() {
            sink.malformed(format!("tensor `{shown}`: element count overflows"), 8);
        }
        params = match (params, numel) {
            (Some(p), Some(e)) => p.checked_add(e),
            _ => None,
        };
        if end < begin {
            sink.malformed(format!("tensor `{shown}`: data_offsets end {end} is before begin {begin}"), 8);
            continue;
        }
        if end > buffer_len {
            sink.malformed(
                format!(
                    "tensor `{shown}`: data_offsets [{begin}, {end}) lie outside the {buffer_len}-byte data buffer"
                ),
                8,
            );
            continue;
        }
        match dtype_bits(dtype) {
            Some(bits) => {
                let need = numel.and_then(|e| e.checked_mul(bits)).map(|b| b.div_ceil(8));
                if need.is_some_and(|need| need != end - begin) {
                    sink.malformed(
                        format!(
                            "tensor `{shown}`: {} bytes of data for dtype {dtype} and shape {shape:?} (expected {})",
                            end - begin,
                            need.unwrap_or(0)
                        ),
                        8,
                    );
                }
            }
            None => {
                if unknown.len() < 16 {
                    unknown.insert(crate::util::cap(dtype, 32));
                }
            }
        }
        names.push(name);
        ranges.push((begin, end, names.len() - 1));
    }
    meta.tensor_count = Some(names.len() as u64);
    if params.is_none() {
        sink.malformed("parameter count overflows u64", 8);
    }
    meta.parameter_count = params;
    if !unknown.is_empty() {
        meta.set_extra("unknown_dtypes", unknown.into_iter().collect::<Vec<_>>().join(","));
    }
    check_coverage(&mut ranges, &names, buffer_len, hend, sink);
    meta.quantization = if qweight { Some("gptq-or-awq".to_string()) } else { meta.dominant_quantized(is_quant_dtype) };
}

fn check_coverage(
    ranges: &mut [(u64, u64, usize)],
    names: &[&str],
    buffer_len: u64,
    data_start: usize,
    sink: &mut Sink,
) {
    ranges.sort_unstable();
    let mut expected = 0u64;
    for &(begin, end, i) in ranges.iter() {
        let name = crate::util::short(names.get(i).copied().unwrap_or(""));
        if begin > expected {
            sink.malformed(
                format!("hole in the data buffer: bytes [{expected}, {begin}) belong to no tensor (before `{name}`)"),
                off(data_start) + expected,
            );
        } else if begin < expected {
            sink.malformed(
                format!("tensor `{name}` at [{begin}, {end}) overlaps the previous tensor"),
                off(data_start) + begin,
            );
        }
        expected = expected.max(end);
    }
    if expected < buffer_len {
        sink.malformed(
            format!("{} trailing bytes after the last tensor", buffer_len - expected),
            off(data_start) + expected,
        );
    }
}

fn read_metadata(value: &Value, meta: &mut ModelMeta, sink: &mut Sink) {
    let Some(obj) = value.as_object() else {
        sink.malformed("__metadata__ is not an object", 8);
        return;
    };
    let mut kept = 0;
    // Sorted, so the result does not depend on serde_json's `preserve_order` feature.
    let mut items: Vec<(&String, &Value)> = obj.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in items {
        let Some(s) = v.as_str() else {
            sink.malformed(format!("__metadata__ value for `{}` is not a string", crate::util::short(k)), 8);
            continue;
        };
        match k.as_str() {
            "format" => meta.producer = Some(meta_string(s)),
            "modelspec.architecture" => meta.architecture = Some(meta_string(s)),
            "modelspec.title" => meta.name = Some(meta_string(s)),
            "modelspec.license" | "license" => meta.license = Some(meta_string(s)),
            "ss_sd_model_name" | "base_model" => ModelMeta::push_unique(&mut meta.base_models, s),
            _ => {}
        }
        if kept < limits::MAX_EXTRA_ENTRIES {
            meta.set_extra(format!("metadata.{}", crate::util::cap(k, 128)), s);
            kept += 1;
        }
    }
}

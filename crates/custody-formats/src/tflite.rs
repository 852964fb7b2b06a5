//! TensorFlow Lite / LiteRT (`schema.fbs`): a FlatBuffer whose file identifier `TFL3` sits at
//! offset 4 (bytes 0–3 are the root table offset).
//!
//! Read: Model 0 `version`, 1 `operator_codes` (OperatorCode 1 `custom_code`, 3 `builtin_code`),
//! 2 `subgraphs` (SubGraph 0 `tensors`: Tensor 0 `shape`, 1 `type`, 2 `buffer`, 3 `name`;
//! 4 `name`), 3 `description`, 4 `buffers` (Buffer 0 `data`, 2 `size`), 6 `metadata`
//! (Metadata 0 `name`, 1 `buffer`). Constant tensors (those whose buffer holds data) are the
//! weights: their count, dtypes and element total. Custom operators are listed in
//! `custom_domains` (as `tflite:<name>`) and `extra["custom_ops"]`. Work is bounded by
//! [`limits::MAX_FLATBUFFER_ITEMS`] elements visited in total.

use crate::flatbuf::Table;
use crate::util::Sink;
use crate::{ModelMeta, limits, meta_string};

pub(crate) fn sniff(head: &[u8]) -> bool {
    head.get(4..8) == Some(b"TFL3") && crate::util::le_u32(head, 0).is_some_and(|o| (8..(1 << 31)).contains(&o))
}

fn dtype_name(t: u8) -> String {
    match t {
        0 => "FLOAT32",
        1 => "FLOAT16",
        2 => "INT32",
        3 => "UINT8",
        4 => "INT64",
        5 => "STRING",
        6 => "BOOL",
        7 => "INT16",
        8 => "COMPLEX64",
        9 => "INT8",
        10 => "FLOAT64",
        11 => "COMPLEX128",
        12 => "UINT64",
        13 => "RESOURCE",
        14 => "VARIANT",
        15 => "UINT32",
        16 => "UINT16",
        17 => "INT4",
        18 => "BFLOAT16",
        _ => return format!("type_{t}"),
    }
    .to_string()
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    if b.get(4..8) != Some(b"TFL3") {
        sink.malformed("no TFL3 identifier at offset 4", 4);
        return;
    }
    let Some(model) = Table::root(b, 0) else {
        sink.malformed("root table offset points outside the file", 0);
        return;
    };
    let mut left = limits::MAX_FLATBUFFER_ITEMS as usize;
    let mut reported = false;
    let mut spend = |n: usize, sink: &mut Sink| -> bool {
        if n > left {
            if !reported {
                reported = true;
                sink.limit(
                    format!(
                        "more than {} flatbuffer elements; the rest was not inspected",
                        limits::MAX_FLATBUFFER_ITEMS
                    ),
                    None,
                );
            }
            left = 0;
            return false;
        }
        left -= n;
        true
    };
    if let Some(v) = model.u32(0) {
        meta.format_version = Some(v.to_string());
    }
    if let Some(d) = model.str(3).filter(|d| !d.is_empty()) {
        meta.producer = Some(meta_string(&d));
    }
    // Buffer sizes, to tell weights (constant tensors) from activations.
    let buffers = model.vector(4, 4);
    let has_data = |i: u32| -> bool {
        buffers
            .and_then(|v| v.table(i as usize))
            .is_some_and(|t| t.bytes(0).is_some_and(|d| !d.is_empty()) || t.u64(2).is_some_and(|s| s > 0))
    };
    let mut custom = Vec::new();
    if let Some(ops) = model.vector(1, 4)
        && spend(ops.len, sink)
    {
        for op in ops.tables().flatten() {
            if let Some(c) = op.str(1).filter(|c| !c.is_empty())
                && custom.len() < 64
                && !custom.contains(&c)
            {
                ModelMeta::push_unique(&mut meta.custom_domains, &format!("tflite:{c}"));
                custom.push(c);
            }
        }
    }
    if !custom.is_empty() {
        meta.set_extra("custom_ops", custom.join(","));
    }
    let mut weights = 0u64;
    let mut params = Some(0u64);
    let mut broken = false;
    let mut subgraphs = 0u64;
    if let Some(sgs) = model.vector(2, 4) {
        if spend(sgs.len, sink) {
            for sg in sgs.tables().flatten() {
                subgraphs += 1;
                let Some(tensors) = sg.vector(0, 4) else { continue };
                if !spend(tensors.len, sink) {
                    break;
                }
                for t in tensors.tables().flatten() {
                    let Some(buf) = t.u32(2).filter(|&i| i > 0) else { continue };
                    if !has_data(buf) {
                        continue;
                    }
                    weights += 1;
                    meta.add_dtype(&dtype_name(t.u8(1).unwrap_or(0)));
                    let shape = t.vector(0, 4);
                    if !spend(shape.map_or(0, |s| s.len), sink) {
                        broken = true;
                        break;
                    }
                    let dims: Option<Vec<u64>> = shape
                        .map(|s| (0..s.len).map(|k| s.i32(k).and_then(|d| u64::try_from(d).ok())).collect())
                        .unwrap_or(Some(Vec::new()));
                    crate::util::add_count(&mut params, dims.as_deref().and_then(crate::util::product), &mut broken);
                }
            }
        }
    } else {
        sink.malformed("model has no subgraphs", None);
    }
    meta.set_extra("subgraphs", subgraphs.to_string());
    meta.tensor_count = Some(weights);
    meta.parameter_count = if broken { None } else { params };
    meta.quantization = meta.dominant_quantized(|d| matches!(d, "INT8" | "UINT8" | "INT4" | "INT16"));
    if let Some(md) = model.vector(6, 4) {
        let mut names = Vec::new();
        for m in md.tables().take(64).flatten() {
            let Some(name) = m.str(0) else { continue };
            if name == "min_runtime_version" {
                let text = m
                    .u32(1)
                    .and_then(|i| buffers.and_then(|v| v.table(i as usize)))
                    .and_then(|t| t.bytes(0))
                    .map(|d| String::from_utf8_lossy(d).trim_end_matches('\0').to_string());
                if let Some(t) = text {
                    meta.set_extra("min_runtime_version", t);
                }
            }
            names.push(name);
        }
        if !names.is_empty() {
            meta.set_extra("metadata", names.join(","));
        }
    }
}

//! ONNX `ModelProto` (onnx/onnx `onnx.proto`), decoded from the protobuf wire format by hand.
//!
//! Fields read: ModelProto 1 `ir_version`, 2 `producer_name`, 3 `producer_version`, 4 `domain`,
//! 5 `model_version`, 6 `doc_string`, 7 `graph`, 8 `opset_import` (1 domain, 2 version),
//! 14 `metadata_props` (1 key, 2 value), 20 `training_info` (1 initialization, 2 algorithm
//! graphs), 25 `functions` (7 node). GraphProto 1 `node`, 2 `name`, 5 `initializer`,
//! 11 `input`, 12 `output` (ValueInfoProto 1 name), 15 `sparse_initializer` (1 values).
//! NodeProto 4 `op_type`, 7 `domain`, 5 `attribute` (AttributeProto 5 `t`, 6 `g`,
//! 10 `tensors`, 11 `graphs`: subgraphs are walked too). TensorProto 1 `dims`, 2 `data_type`,
//! 13 `external_data` (key/value; `location` values are kept verbatim), 9 `raw_data` (stepped
//! over, never read).
//!
//! Limits: nested messages deeper than [`limits::MAX_PROTO_DEPTH`] are skipped with a
//! `CUS-FMT-002`; the first wire-level error (truncated varint, wrong wire type for a known
//! field, length past the end) stops the walk with a `CUS-FMT-001`.

use crate::proto::{Field, Fields, ProtoError, repeated_varints};
use crate::util::{Sink, off, short};
use crate::{ModelMeta, limits, meta_string, safetensors};
use std::collections::BTreeSet;

/// TensorProto.DataType names.
fn dtype_name(t: u64) -> String {
    match t {
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        17 => "FLOAT8E4M3FN",
        18 => "FLOAT8E4M3FNUZ",
        19 => "FLOAT8E5M2",
        20 => "FLOAT8E5M2FNUZ",
        21 => "UINT4",
        22 => "INT4",
        23 => "FLOAT4E2M1",
        24 => "FLOAT8E8M0",
        25 => "UINT2",
        26 => "INT2",
        0 => "UNDEFINED",
        _ => return format!("type_{t}"),
    }
    .to_string()
}

fn is_quant_dtype(d: &str) -> bool {
    matches!(d, "UINT8" | "INT8" | "UINT4" | "INT4" | "UINT2" | "INT2" | "FLOAT4E2M1") || d.starts_with("FLOAT8")
}

/// Standard operator domains (everything else is custom).
fn standard_domain(d: &str) -> bool {
    matches!(d, "" | "ai.onnx" | "ai.onnx.ml")
}

/// ModelProto fields and whether each is length-delimited.
fn model_field(num: u64) -> Option<bool> {
    match num {
        1 | 5 => Some(false),
        2 | 3 | 4 | 6 | 7 | 8 | 14 | 20 | 25 | 26 => Some(true),
        _ => None,
    }
}

/// ir_version first, then only ModelProto fields with the right wire types (strings valid
/// UTF-8), including a `graph` or `opset_import`. A field cut off by the end of the head is fine.
pub(crate) fn sniff(head: &[u8]) -> bool {
    use crate::proto::varint;
    let mut pos = 0;
    let mut first = true;
    let mut structural = false;
    while pos < head.len() {
        let Ok((tag, p)) = varint(head, pos) else { return false };
        let (num, wire) = (tag >> 3, tag & 7);
        let Some(delimited) = model_field(num) else { return false };
        if delimited != (wire == 2) || (!delimited && wire != 0) {
            return false;
        }
        if first && num != 1 {
            return false;
        }
        structural |= matches!(num, 7 | 8);
        if wire == 0 {
            let Ok((v, q)) = varint(head, p) else { return structural };
            if first && !(1..=30).contains(&v) {
                return false;
            }
            pos = q;
        } else {
            let Ok((len, q)) = varint(head, p) else { return structural };
            let end = usize::try_from(len).ok().and_then(|l| q.checked_add(l));
            match end.and_then(|e| head.get(q..e)) {
                Some(s) => {
                    if matches!(num, 2 | 3 | 4 | 6) && std::str::from_utf8(s).is_err() {
                        return false;
                    }
                    pos = q + s.len();
                }
                None => return structural,
            }
        }
        first = false;
    }
    structural
}

struct Walk<'m> {
    meta: &'m mut ModelMeta,
    sink: &'m mut Sink,
    nodes: u64,
    initializers: u64,
    params: Option<u64>,
    params_broken: bool,
    ops: BTreeSet<String>,
    custom_ops: BTreeSet<String>,
    depth_reported: bool,
    negative_dim: bool,
}

pub(crate) fn inspect(bytes: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    let mut w = Walk {
        meta,
        sink,
        nodes: 0,
        initializers: 0,
        params: Some(0),
        params_broken: false,
        ops: BTreeSet::new(),
        custom_ops: BTreeSet::new(),
        depth_reported: false,
        negative_dim: false,
    };
    let result = w.model(bytes);
    if let Err(e) = result {
        w.sink.malformed(format!("protobuf: {}", e.message), off(e.at));
    }
    w.finish();
}

impl Walk<'_> {
    fn deeper(&mut self, depth: u32, at: usize) -> bool {
        if depth > limits::MAX_PROTO_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                self.sink.limit(
                    format!("messages nested deeper than {}; the deeper ones were skipped", limits::MAX_PROTO_DEPTH),
                    off(at),
                );
            }
            return false;
        }
        true
    }

    fn model(&mut self, buf: &[u8]) -> Result<(), ProtoError> {
        let mut producer = (None, None);
        let mut domain = None;
        let mut graph_name = None;
        let mut saw_ir = false;
        let mut props = 0usize;
        for f in Fields::new(buf, 0) {
            let f = f?;
            match f.num {
                1 => {
                    saw_ir = true;
                    self.meta.format_version = Some(f.varint("ir_version")?.to_string());
                }
                2 => producer.0 = Some(f.string("producer_name")?),
                3 => producer.1 = Some(f.string("producer_version")?),
                4 => domain = Some(f.string("domain")?),
                5 => {
                    let v = f.varint("model_version")?;
                    self.meta.set_extra("model_version", v.to_string());
                }
                6 => {
                    let s = f.string("doc_string")?;
                    self.meta.set_extra("doc_string", s);
                }
                7 => graph_name = self.graph(f.bytes("graph")?, f.value_at, 1, true)?,
                8 => {
                    let (mut d, mut v) = (String::new(), 0i64);
                    for g in Fields::new(f.bytes("opset_import")?, f.value_at) {
                        let g = g?;
                        match g.num {
                            1 => d = g.string("opset domain")?,
                            2 => v = g.varint("opset version")? as i64,
                            _ => {}
                        }
                    }
                    if self.meta.opsets.len() < limits::MAX_LIST {
                        self.meta.opsets.push((d, v));
                    }
                }
                14 => {
                    let (k, v) = key_value(&f, "metadata_props")?;
                    if k == "license" {
                        self.meta.license = Some(meta_string(&v));
                    }
                    if props < limits::MAX_EXTRA_ENTRIES {
                        props += 1;
                        self.meta.set_extra(format!("metadata.{}", crate::util::cap(&k, 128)), v);
                    }
                }
                20 => {
                    for g in Fields::new(f.bytes("training_info")?, f.value_at) {
                        let g = g?;
                        if matches!(g.num, 1 | 2) && self.deeper(2, g.at) {
                            self.graph(g.bytes("training graph")?, g.value_at, 2, false)?;
                        }
                    }
                }
                25 => {
                    for g in Fields::new(f.bytes("functions")?, f.value_at) {
                        let g = g?;
                        if g.num == 7 {
                            self.node(g.bytes("function node")?, g.value_at, 2)?;
                        }
                    }
                }
                _ => {}
            }
        }
        if !saw_ir {
            self.sink.malformed("no ir_version: not an ONNX model", 0);
        }
        let producer = match producer {
            (Some(n), Some(v)) if !v.is_empty() => Some(format!("{n} {v}")),
            (Some(n), _) => Some(n),
            (None, Some(v)) => Some(v),
            (None, None) => None,
        };
        self.meta.producer = producer.filter(|p| !p.is_empty()).map(|p| meta_string(&p));
        self.meta.name = graph_name.clone().filter(|n| !n.is_empty());
        if let Some(d) = domain.filter(|d| !d.is_empty()) {
            self.meta.set_extra("domain", &d);
            self.meta.architecture = Some(meta_string(&d));
        } else {
            self.meta.architecture = graph_name.filter(|n| !n.is_empty());
        }
        Ok(())
    }

    /// Returns the graph's name.
    fn graph(&mut self, buf: &[u8], base: usize, depth: u32, top: bool) -> Result<Option<String>, ProtoError> {
        if !self.deeper(depth, base) {
            return Ok(None);
        }
        let mut name = None;
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        for f in Fields::new(buf, base) {
            let f = f?;
            match f.num {
                1 => self.node(f.bytes("node")?, f.value_at, depth + 1)?,
                2 => name = Some(f.string("graph name")?),
                5 => self.tensor(f.bytes("initializer")?, f.value_at, depth + 1, true)?,
                15 => {
                    for g in Fields::new(f.bytes("sparse_initializer")?, f.value_at) {
                        let g = g?;
                        if g.num == 1 {
                            self.tensor(g.bytes("sparse values")?, g.value_at, depth + 2, true)?;
                        }
                    }
                }
                11 | 12 if top => {
                    let mut n = String::new();
                    for g in Fields::new(f.bytes("value_info")?, f.value_at) {
                        let g = g?;
                        if g.num == 1 {
                            n = g.string("value_info name")?;
                        }
                    }
                    self.modality_from_input(&n);
                    let list = if f.num == 11 { &mut inputs } else { &mut outputs };
                    if list.len() < 32 {
                        list.push(n);
                    }
                }
                _ => {}
            }
        }
        if top {
            if !inputs.is_empty() {
                self.meta.set_extra("graph.inputs", inputs.join(","));
            }
            if !outputs.is_empty() {
                self.meta.set_extra("graph.outputs", outputs.join(","));
            }
        }
        Ok(name)
    }

    fn modality_from_input(&mut self, n: &str) {
        let m = match n {
            "input_ids" | "tokens" | "text" => "text",
            "pixel_values" | "images" | "image" => "vision",
            "input_features" | "input_values" | "audio" | "audio_values" => "audio",
            _ => return,
        };
        self.meta.modalities.insert(m.to_string());
    }

    fn node(&mut self, buf: &[u8], base: usize, depth: u32) -> Result<(), ProtoError> {
        if !self.deeper(depth, base) {
            return Ok(());
        }
        self.nodes += 1;
        let mut op = String::new();
        let mut domain = String::new();
        for f in Fields::new(buf, base) {
            let f = f?;
            match f.num {
                4 => op = f.string("op_type")?,
                7 => domain = f.string("node domain")?,
                5 => self.attribute(f.bytes("attribute")?, f.value_at, depth + 1)?,
                _ => {}
            }
        }
        if self.ops.len() < 4096 {
            self.ops.insert(crate::util::cap(&op, 128));
        }
        if !standard_domain(&domain) {
            ModelMeta::push_unique(&mut self.meta.custom_domains, &domain);
            if self.custom_ops.len() < 64 {
                self.custom_ops.insert(format!("{}::{}", short(&domain), short(&op)));
            }
        }
        Ok(())
    }

    fn attribute(&mut self, buf: &[u8], base: usize, depth: u32) -> Result<(), ProtoError> {
        if !self.deeper(depth, base) {
            return Ok(());
        }
        for f in Fields::new(buf, base) {
            let f = f?;
            match f.num {
                5 | 10 => self.tensor(f.bytes("attribute tensor")?, f.value_at, depth + 1, false)?,
                6 | 11 => {
                    self.graph(f.bytes("subgraph")?, f.value_at, depth + 1, false)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `initializer`: count it (dtype, parameters); always collect external data locations.
    fn tensor(&mut self, buf: &[u8], base: usize, depth: u32, initializer: bool) -> Result<(), ProtoError> {
        if !self.deeper(depth, base) {
            return Ok(());
        }
        let mut dims = Vec::new();
        let mut dtype = 0;
        for f in Fields::new(buf, base) {
            let f = f?;
            match f.num {
                1 => repeated_varints(&f, &mut dims, 64)?,
                2 => dtype = f.varint("data_type")?,
                8 if initializer => safetensors::modalities_from_name(&f.string("tensor name")?, self.meta),
                13 => {
                    let (k, v) = key_value(&f, "external_data")?;
                    if k == "location" {
                        ModelMeta::push_unique(&mut self.meta.external_data, &v);
                    }
                }
                _ => {}
            }
        }
        if !initializer {
            return Ok(());
        }
        self.initializers += 1;
        self.meta.add_dtype(&dtype_name(dtype));
        if dims.iter().any(|&d| d > i64::MAX as u64) {
            if !self.negative_dim {
                self.negative_dim = true;
                self.sink.malformed("an initializer has a negative dimension", off(base));
            }
            self.params_broken = true;
        }
        let numel = crate::util::product(&dims);
        crate::util::add_count(&mut self.params, numel, &mut self.params_broken);
        Ok(())
    }

    fn finish(self) {
        let meta = self.meta;
        meta.tensor_count = Some(self.initializers);
        meta.parameter_count = if self.params_broken { None } else { self.params };
        meta.set_extra("graph.nodes", self.nodes.to_string());
        if !self.custom_ops.is_empty() {
            meta.set_extra("custom_ops", self.custom_ops.into_iter().collect::<Vec<_>>().join(","));
        }
        let has = |o: &str| self.ops.contains(o);
        meta.quantization = if has("MatMulNBits") {
            Some("MatMulNBits".into())
        } else if has("QuantizeLinear") || has("DequantizeLinear") {
            Some("QDQ".into())
        } else if self.ops.iter().any(|o| o.starts_with("QLinear") || o == "MatMulInteger" || o == "ConvInteger") {
            Some("QOperator".into())
        } else {
            meta.dominant_quantized(is_quant_dtype)
        };
    }
}

fn key_value(f: &Field, what: &str) -> Result<(String, String), ProtoError> {
    let (mut k, mut v) = (String::new(), String::new());
    for g in Fields::new(f.bytes(what)?, f.value_at) {
        let g = g?;
        match g.num {
            1 => k = g.string("key")?,
            2 => v = g.string("value")?,
            _ => {}
        }
    }
    Ok((k, v))
}

//! Writers of tiny, valid, deterministic files of each format (feature `fixtures`; always
//! available to this crate's tests). Same input, same bytes: no clock, no randomness, fixed zip
//! timestamps (1980-01-01), tensor data filled with a fixed pattern.
//!
//! Checked once by hand against the reference implementations (not in CI, which has no
//! Python ML stack): [`safetensors`] loads with `safetensors.numpy`, [`gguf`] / [`gguf_with`]
//! (v2, v3, big-endian) with `gguf.GGUFReader`, [`onnx`] passes `onnx.checker.check_model` and
//! runs in `onnx.reference`, [`npy`] / [`npz`] load with `numpy.load`, [`zip`] archives pass
//! `zipfile.testzip`, [`parquet`] opens with `pyarrow.parquet`, [`arrow_stream`] /
//! [`arrow_file`] with `pyarrow.ipc`, [`tflite`] parses with the `tflite` schema bindings,
//! [`torch_state_dict_pickle`] and [`torch_legacy`] unpickle (with stub globals). The other
//! writers produce the structure custody's readers and sniffers rely on and are documented as
//! such (e.g. [`keras_v3`]'s weights member is an HDF5 signature stub, not a loadable HDF5
//! file; [`pytorch_zip`] follows `torch.save`'s layout but was not loaded with torch here).

use crate::util::crc32;

/// Deterministic tensor bytes: `(i * 31 + 7) mod 256`.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i.wrapping_mul(31).wrapping_add(7) % 256) as u8).collect()
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

// ------------------------------------------------------------------------------------------
// safetensors

/// Bytes per element of a safetensors dtype (sub-byte dtypes are rounded per tensor).
fn st_bits(dtype: &str) -> u64 {
    match dtype {
        "BOOL" | "U8" | "I8" | "F8_E4M3" | "F8_E5M2" | "F8_E8M0" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        _ => 8,
    }
}

/// A safetensors file with `tensors` (name, dtype, shape) laid out contiguously in order, and
/// `metadata` as `__metadata__` (omitted when empty). The header is space-padded so the data
/// starts 8-aligned, as the reference writer does.
pub fn safetensors(tensors: &[(&str, &str, &[u64])], metadata: &[(&str, &str)]) -> Vec<u8> {
    let mut entries = Vec::new();
    if !metadata.is_empty() {
        let m: Vec<String> = metadata.iter().map(|(k, v)| format!("{}:{}", json_str(k), json_str(v))).collect();
        entries.push(format!("\"__metadata__\":{{{}}}", m.join(",")));
    }
    let mut offset = 0u64;
    for (name, dtype, shape) in tensors {
        let numel: u64 = shape.iter().product();
        let size = (numel * st_bits(dtype)).div_ceil(8);
        let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
        entries.push(format!(
            "{}:{{\"dtype\":{},\"shape\":[{}],\"data_offsets\":[{},{}]}}",
            json_str(name),
            json_str(dtype),
            dims.join(","),
            offset,
            offset + size
        ));
        offset += size;
    }
    let mut header = format!("{{{}}}", entries.join(",")).into_bytes();
    while (8 + header.len()) % 8 != 0 {
        header.push(b' ');
    }
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&header);
    out.extend_from_slice(&pattern(offset as usize));
    out
}

// ------------------------------------------------------------------------------------------
// GGUF

/// A GGUF metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum GgufValue {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    Str(String),
    /// Element type id (0..=12) and the elements (all of that type).
    Array(u32, Vec<GgufValue>),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl GgufValue {
    /// The GGUF type id.
    pub fn type_id(&self) -> u32 {
        match self {
            GgufValue::U8(_) => 0,
            GgufValue::I8(_) => 1,
            GgufValue::U16(_) => 2,
            GgufValue::I16(_) => 3,
            GgufValue::U32(_) => 4,
            GgufValue::I32(_) => 5,
            GgufValue::F32(_) => 6,
            GgufValue::Bool(_) => 7,
            GgufValue::Str(_) => 8,
            GgufValue::Array(..) => 9,
            GgufValue::U64(_) => 10,
            GgufValue::I64(_) => 11,
            GgufValue::F64(_) => 12,
        }
    }
    /// A string value.
    pub fn str(s: &str) -> GgufValue {
        GgufValue::Str(s.to_string())
    }
    /// An array of strings.
    pub fn strings(items: &[&str]) -> GgufValue {
        GgufValue::Array(8, items.iter().map(|s| GgufValue::str(s)).collect())
    }
}

struct W {
    out: Vec<u8>,
    big: bool,
    v1: bool,
}

impl W {
    fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&if self.big { v.to_be_bytes() } else { v.to_le_bytes() });
    }
    fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&if self.big { v.to_be_bytes() } else { v.to_le_bytes() });
    }
    fn count(&mut self, v: u64) {
        if self.v1 { self.u32(v as u32) } else { self.u64(v) }
    }
    fn string(&mut self, s: &str) {
        self.count(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }
    fn value(&mut self, v: &GgufValue) {
        let big = self.big;
        let b2 = |x: u16| if big { x.to_be_bytes() } else { x.to_le_bytes() };
        match v {
            GgufValue::U8(x) => self.out.push(*x),
            GgufValue::I8(x) => self.out.push(*x as u8),
            GgufValue::U16(x) => self.out.extend_from_slice(&b2(*x)),
            GgufValue::I16(x) => self.out.extend_from_slice(&b2(*x as u16)),
            GgufValue::U32(x) => self.u32(*x),
            GgufValue::I32(x) => self.u32(*x as u32),
            GgufValue::F32(x) => self.u32(x.to_bits()),
            GgufValue::Bool(x) => self.out.push(u8::from(*x)),
            GgufValue::Str(s) => self.string(s),
            GgufValue::Array(t, items) => {
                self.u32(*t);
                self.count(items.len() as u64);
                for i in items {
                    self.value(i);
                }
            }
            GgufValue::U64(x) => self.u64(*x),
            GgufValue::I64(x) => self.u64(*x as u64),
            GgufValue::F64(x) => self.u64(x.to_bits()),
        }
    }
}

/// A GGUF v3 little-endian file with `kv` metadata and `tensors` (name, ggml type, dims),
/// data zero-filled at `general.alignment` (default 32).
pub fn gguf(kv: &[(&str, GgufValue)], tensors: &[(&str, u32, &[u64])]) -> Vec<u8> {
    gguf_with(3, false, kv, tensors)
}

/// GGUF with an explicit version (1–3) and byte order.
pub fn gguf_with(version: u32, big_endian: bool, kv: &[(&str, GgufValue)], tensors: &[(&str, u32, &[u64])]) -> Vec<u8> {
    let mut w = W { out: b"GGUF".to_vec(), big: big_endian, v1: version == 1 };
    w.u32(version);
    w.count(tensors.len() as u64);
    w.count(kv.len() as u64);
    let mut alignment = 32u64;
    for (k, v) in kv {
        if let (&"general.alignment", GgufValue::U32(a)) = (k, v) {
            alignment = u64::from(*a);
        }
        w.string(k);
        w.u32(v.type_id());
        w.value(v);
    }
    let mut offset = 0u64;
    let mut sizes = Vec::new();
    for (name, t, dims) in tensors {
        w.string(name);
        w.u32(dims.len() as u32);
        for d in *dims {
            w.count(*d);
        }
        w.u32(*t);
        w.u64(offset);
        let (blck, size) = crate::gguf::type_size(*t).unwrap_or((1, 1));
        let bytes = dims.iter().product::<u64>() / blck * size;
        sizes.push(bytes);
        offset += bytes.div_ceil(alignment) * alignment;
    }
    while !(w.out.len() as u64).is_multiple_of(alignment) {
        w.out.push(0);
    }
    for s in sizes {
        let padded = s.div_ceil(alignment) * alignment;
        w.out.extend(std::iter::repeat_n(0u8, padded as usize));
    }
    w.out
}

// ------------------------------------------------------------------------------------------
// protobuf

/// Protobuf wire-format encoding helpers (for ONNX and other fixtures, and malformed inputs).
pub mod pb {
    /// Append a varint.
    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    /// Append a field tag.
    pub fn tag(out: &mut Vec<u8>, field: u64, wire: u8) {
        varint(out, (field << 3) | u64::from(wire));
    }
    /// Append a varint field.
    pub fn uint(out: &mut Vec<u8>, field: u64, v: u64) {
        tag(out, field, 0);
        varint(out, v);
    }
    /// Append a length-delimited field.
    pub fn bytes(out: &mut Vec<u8>, field: u64, b: &[u8]) {
        tag(out, field, 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    /// Append a string field.
    pub fn string(out: &mut Vec<u8>, field: u64, s: &str) {
        bytes(out, field, s.as_bytes());
    }
    /// Append a message field built by `f`.
    pub fn message(out: &mut Vec<u8>, field: u64, f: impl FnOnce(&mut Vec<u8>)) {
        let mut m = Vec::new();
        f(&mut m);
        bytes(out, field, &m);
    }
}

// ------------------------------------------------------------------------------------------
// ONNX

/// An ONNX graph for [`onnx`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnnxGraph {
    pub name: String,
    pub nodes: Vec<OnnxNode>,
    pub initializers: Vec<OnnxInitializer>,
    /// (name, elem type, dims) of graph inputs and outputs.
    pub inputs: Vec<(String, i32, Vec<i64>)>,
    pub outputs: Vec<(String, i32, Vec<i64>)>,
}

/// An ONNX node; `subgraph` becomes a graph attribute named `body`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnnxNode {
    pub name: String,
    pub op_type: String,
    pub domain: String,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub subgraph: Option<Box<OnnxGraph>>,
}

/// An initializer: raw data (the fixed pattern) or external data at `external_location`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnnxInitializer {
    pub name: String,
    /// TensorProto.DataType (1 FLOAT, 7 INT64, 10 FLOAT16, ...).
    pub data_type: i32,
    pub dims: Vec<i64>,
    pub external_location: Option<String>,
}

/// An ONNX model for [`onnx`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnnxModel {
    pub ir_version: u64,
    pub producer_name: String,
    pub producer_version: String,
    pub domain: String,
    pub model_version: u64,
    pub opsets: Vec<(String, i64)>,
    pub metadata: Vec<(String, String)>,
    pub graph: OnnxGraph,
}

impl OnnxModel {
    /// `y = MatMul(x[1,4], W[4,2])`, IR 9, opset 17, producer `custody-fixtures 0.1`.
    pub fn example() -> OnnxModel {
        OnnxModel {
            ir_version: 9,
            producer_name: "custody-fixtures".into(),
            producer_version: "0.1".into(),
            domain: String::new(),
            model_version: 1,
            opsets: vec![(String::new(), 17)],
            metadata: vec![("license".into(), "apache-2.0".into())],
            graph: OnnxGraph {
                name: "tiny_matmul".into(),
                nodes: vec![OnnxNode {
                    name: "matmul".into(),
                    op_type: "MatMul".into(),
                    inputs: vec!["x".into(), "W".into()],
                    outputs: vec!["y".into()],
                    ..OnnxNode::default()
                }],
                initializers: vec![OnnxInitializer {
                    name: "W".into(),
                    data_type: 1,
                    dims: vec![4, 2],
                    external_location: None,
                }],
                inputs: vec![("x".into(), 1, vec![1, 4])],
                outputs: vec![("y".into(), 1, vec![1, 2])],
            },
        }
    }
}

fn onnx_elem_size(t: i32) -> u64 {
    match t {
        2 | 3 | 9 => 1,
        4 | 5 | 10 | 16 => 2,
        1 | 6 | 12 => 4,
        7 | 11 | 13 | 14 => 8,
        15 => 16,
        _ => 1,
    }
}

fn onnx_graph(out: &mut Vec<u8>, g: &OnnxGraph) {
    use pb::*;
    for n in &g.nodes {
        message(out, 1, |m| {
            for i in &n.inputs {
                string(m, 1, i);
            }
            for o in &n.outputs {
                string(m, 2, o);
            }
            if !n.name.is_empty() {
                string(m, 3, &n.name);
            }
            string(m, 4, &n.op_type);
            if let Some(sub) = &n.subgraph {
                message(m, 5, |a| {
                    string(a, 1, "body");
                    message(a, 6, |s| onnx_graph(s, sub));
                    uint(a, 20, 5); // AttributeType GRAPH
                });
            }
            if !n.domain.is_empty() {
                string(m, 7, &n.domain);
            }
        });
    }
    string(out, 2, &g.name);
    for t in &g.initializers {
        message(out, 5, |m| {
            for d in &t.dims {
                uint(m, 1, *d as u64);
            }
            uint(m, 2, t.data_type as u64);
            string(m, 8, &t.name);
            match &t.external_location {
                None => {
                    let n: i64 = t.dims.iter().product();
                    bytes(m, 9, &pattern((n as u64 * onnx_elem_size(t.data_type)) as usize));
                }
                Some(loc) => {
                    message(m, 13, |e| {
                        string(e, 1, "location");
                        string(e, 2, loc);
                    });
                    message(m, 13, |e| {
                        string(e, 1, "offset");
                        string(e, 2, "0");
                    });
                    uint(m, 14, 1); // EXTERNAL
                }
            }
        });
    }
    let value_info = |out: &mut Vec<u8>, field: u64, (name, elem, dims): &(String, i32, Vec<i64>)| {
        message(out, field, |v| {
            string(v, 1, name);
            message(v, 2, |t| {
                message(t, 1, |tt| {
                    uint(tt, 1, *elem as u64);
                    message(tt, 2, |s| {
                        for d in dims {
                            message(s, 1, |dim| uint(dim, 1, *d as u64));
                        }
                    });
                });
            });
        });
    };
    for i in &g.inputs {
        value_info(out, 11, i);
    }
    for o in &g.outputs {
        value_info(out, 12, o);
    }
}

/// Encode an ONNX `ModelProto`.
pub fn onnx(model: &OnnxModel) -> Vec<u8> {
    use pb::*;
    let mut out = Vec::new();
    uint(&mut out, 1, model.ir_version);
    string(&mut out, 2, &model.producer_name);
    string(&mut out, 3, &model.producer_version);
    if !model.domain.is_empty() {
        string(&mut out, 4, &model.domain);
    }
    uint(&mut out, 5, model.model_version);
    message(&mut out, 7, |g| onnx_graph(g, &model.graph));
    for (d, v) in &model.opsets {
        message(&mut out, 8, |o| {
            if !d.is_empty() {
                string(o, 1, d);
            }
            uint(o, 2, *v as u64);
        });
    }
    for (k, v) in &model.metadata {
        message(&mut out, 14, |e| {
            string(e, 1, k);
            string(e, 2, v);
        });
    }
    out
}

// ------------------------------------------------------------------------------------------
// NumPy

/// A `.npy` v1.0 file: header dict padded so the data starts 64-aligned, then `data`.
pub fn npy(descr: &str, shape: &[u64], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    let shape_s = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_s}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// A `.npy` of `descr` (`<f4`, `<i8`, `|u1`...) and `shape` with pattern data of the right size.
pub fn npy_filled(descr: &str, shape: &[u64]) -> Vec<u8> {
    let size = crate::npy::dtype(descr).1.unwrap_or(1);
    npy(descr, shape, &pattern((shape.iter().product::<u64>() * size) as usize))
}

/// An object-dtype `.npy` (`|O`): its data is a pickle (protocol 2) of a list of small ints.
/// `numpy.load(..., allow_pickle=True)` returns that list; loading object arrays runs pickle.
pub fn npy_object(items: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 0x02, b']', b'q', 0x00, b'('];
    for i in items {
        p.extend_from_slice(&[b'K', *i]);
    }
    p.extend_from_slice(b"e.");
    npy("|O", &[items.len() as u64], &p)
}

// ------------------------------------------------------------------------------------------
// zip

/// A zip member for [`zip`].
#[derive(Debug, Clone, Copy)]
pub struct ZipMember<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    /// Deflate (level 6) instead of storing.
    pub deflate: bool,
}

/// A zip archive (local headers, central directory, end record), timestamps 1980-01-01 00:00,
/// correct CRC-32, UTF-8 flag for non-ASCII names.
pub fn zip(members: &[ZipMember]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for m in members {
        let offset = out.len() as u32;
        let body = if m.deflate { miniz_oxide::deflate::compress_to_vec(m.data, 6) } else { m.data.to_vec() };
        let method: u16 = if m.deflate { 8 } else { 0 };
        let flags: u16 = if m.name.is_ascii() { 0 } else { 0x0800 };
        let crc = crc32(m.data);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&(if m.deflate { 20u16 } else { 10u16 }).to_le_bytes());
            v.extend_from_slice(&flags.to_le_bytes());
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x0021u16.to_le_bytes()); // date 1980-01-01
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(body.len() as u32).to_le_bytes());
            v.extend_from_slice(&(m.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(m.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(m.name.as_bytes());
        out.extend_from_slice(&body);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        common(&mut central);
        central.extend_from_slice(&[0; 8]); // comment len, disk, internal, external (part)
        central.extend_from_slice(&[0; 2]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(m.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A zip of stored (uncompressed) members.
pub fn zip_stored(members: &[(&str, &[u8])]) -> Vec<u8> {
    let m: Vec<ZipMember> = members.iter().map(|(name, data)| ZipMember { name, data, deflate: false }).collect();
    zip(&m)
}

// ------------------------------------------------------------------------------------------
// pickle and PyTorch

fn binunicode(p: &mut Vec<u8>, s: &str) {
    p.push(b'X');
    p.extend_from_slice(&(s.len() as u32).to_le_bytes());
    p.extend_from_slice(s.as_bytes());
}

/// A protocol-2 pickle of a `collections.OrderedDict` mapping each name to a float32 CPU tensor
/// (`torch._utils._rebuild_tensor_v2` over a `torch.FloatStorage` persistent id
/// `('storage', FloatStorage, key, 'cpu', numel)`, key = the tensor's index), as `torch.save`
/// writes `data.pkl`. With `legacy`, the persistent id has the legacy 6th element (`None`).
pub fn torch_state_dict_pickle(tensors: &[(&str, &[u64])], legacy: bool) -> Vec<u8> {
    let mut p = vec![0x80, 0x02];
    p.extend_from_slice(b"ccollections\nOrderedDict\nq\x00)Rq\x01");
    let mut memo = 2u8;
    let mut put = |p: &mut Vec<u8>| {
        p.extend_from_slice(&[b'q', memo]);
        memo = memo.wrapping_add(1);
    };
    for (i, (name, shape)) in tensors.iter().enumerate() {
        let numel: u64 = shape.iter().product();
        binunicode(&mut p, name);
        put(&mut p);
        p.extend_from_slice(b"ctorch._utils\n_rebuild_tensor_v2\n");
        put(&mut p);
        p.push(b'(');
        p.push(b'(');
        binunicode(&mut p, "storage");
        p.extend_from_slice(b"ctorch\nFloatStorage\n");
        put(&mut p);
        binunicode(&mut p, &i.to_string());
        binunicode(&mut p, "cpu");
        p.push(b'J');
        p.extend_from_slice(&(numel as u32).to_le_bytes());
        if legacy {
            p.push(b'N');
        }
        p.push(b't');
        p.push(b'Q'); // BINPERSID
        p.extend_from_slice(&[b'K', 0]); // storage offset
        p.push(b'(');
        for d in *shape {
            p.push(b'J');
            p.extend_from_slice(&(*d as u32).to_le_bytes());
        }
        p.push(b't');
        // Contiguous strides.
        p.push(b'(');
        let mut stride = 1u64;
        let mut strides: Vec<u64> = shape
            .iter()
            .rev()
            .map(|d| {
                let s = stride;
                stride *= d;
                s
            })
            .collect();
        strides.reverse();
        for s in strides {
            p.push(b'J');
            p.extend_from_slice(&(s as u32).to_le_bytes());
        }
        p.push(b't');
        p.push(0x89); // requires_grad False
        p.extend_from_slice(b"ccollections\nOrderedDict\n)R");
        p.push(b't');
        p.push(b'R');
        put(&mut p);
        p.push(b's');
    }
    p.push(b'.');
    p
}

/// A `torch.save`-style zip (stored members under `archive/`): `data.pkl` (see
/// [`torch_state_dict_pickle`]), `byteorder`, `data/<i>` (float32 pattern data), `version`.
pub fn pytorch_zip(archive: &str, tensors: &[(&str, &[u64])]) -> Vec<u8> {
    let pkl = torch_state_dict_pickle(tensors, false);
    let datas: Vec<Vec<u8>> = tensors.iter().map(|(_, s)| pattern((s.iter().product::<u64>() * 4) as usize)).collect();
    let names: Vec<String> = (0..tensors.len()).map(|i| format!("{archive}/data/{i}")).collect();
    let mut members: Vec<(String, &[u8])> =
        vec![(format!("{archive}/data.pkl"), &pkl), (format!("{archive}/byteorder"), b"little")];
    for (n, d) in names.iter().zip(&datas) {
        members.push((n.clone(), d));
    }
    members.push((format!("{archive}/version"), b"3\n"));
    let refs: Vec<(&str, &[u8])> = members.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    zip_stored(&refs)
}

/// A TorchScript-shaped zip: [`pytorch_zip`]'s members plus `constants.pkl` (an empty tuple)
/// and `code/__torch__/model.py`. Structure only: not loadable with `torch.jit.load`.
pub fn torchscript_zip(archive: &str) -> Vec<u8> {
    let pkl = torch_state_dict_pickle(&[], false);
    let code = b"class Model(Module):\n  __parameters__ = []\n  def forward(self: __torch__.Model, x: Tensor) -> Tensor:\n    return x\n";
    zip_stored(&[
        (&format!("{archive}/data.pkl"), &pkl),
        (&format!("{archive}/code/__torch__/model.py"), code),
        (&format!("{archive}/constants.pkl"), b"\x80\x02).".as_slice()),
        (&format!("{archive}/version"), b"3\n"),
    ])
}

/// A legacy (pre-1.6) `torch.save` file: magic number, protocol 1001, sys info, the state dict
/// (legacy persistent ids), the storage keys, then each storage as `u64 numel` + float32 data.
pub fn torch_legacy(tensors: &[(&str, &[u64])]) -> Vec<u8> {
    let mut out = crate::pickle::TORCH_LEGACY_MAGIC.to_vec();
    out.extend_from_slice(crate::pickle::TORCH_LEGACY_PROTOCOL);
    // {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}
    out.extend_from_slice(&[0x80, 0x02, b'}', b'q', 0, b'(']);
    binunicode(&mut out, "protocol_version");
    out.extend_from_slice(&[b'M', 0xe9, 0x03]);
    binunicode(&mut out, "little_endian");
    out.push(0x88);
    binunicode(&mut out, "type_sizes");
    out.extend_from_slice(&[b'}', b'q', 1, b'(']);
    for (k, v) in [("short", 2u8), ("int", 4), ("long", 4)] {
        binunicode(&mut out, k);
        out.extend_from_slice(&[b'K', v]);
    }
    out.extend_from_slice(b"uuq\x02.");
    out.extend_from_slice(&torch_state_dict_pickle(tensors, true));
    // Storage keys.
    out.extend_from_slice(&[0x80, 0x02, b']', b'q', 0, b'(']);
    for i in 0..tensors.len() {
        binunicode(&mut out, &i.to_string());
    }
    out.extend_from_slice(b"e.");
    for (_, shape) in tensors {
        let numel: u64 = shape.iter().product();
        out.extend_from_slice(&numel.to_le_bytes());
        out.extend_from_slice(&pattern((numel * 4) as usize));
    }
    out
}

/// Pickles of `{'a': 1}`: protocol 2, protocol 4 (with a FRAME) and protocol 0 (text).
pub fn pickles() -> [Vec<u8>; 3] {
    let p2 = b"\x80\x02}q\x00X\x01\x00\x00\x00aq\x01K\x01s.".to_vec();
    let body = b"}\x94\x8c\x01a\x94K\x01s.";
    let mut p4 = vec![0x80, 0x04, 0x95];
    p4.extend_from_slice(&(body.len() as u64).to_le_bytes());
    p4.extend_from_slice(body);
    let p0 = b"(dp0\nVa\np1\nI1\ns.".to_vec();
    [p2, p4, p0]
}

// ------------------------------------------------------------------------------------------
// Keras, HDF5, npz

/// An HDF5 signature followed by a zeroed version-0 superblock stub (48 bytes): enough for
/// sniffing, not a readable HDF5 file.
pub fn hdf5_stub() -> Vec<u8> {
    let mut v = b"\x89HDF\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0u8; 40]);
    v
}

/// A Keras 3 `.keras` zip: `metadata.json`, `config.json` (a `Sequential`/`Functional`-style
/// config with the given layer classes) and `model.weights.h5` ([`hdf5_stub`]). With
/// `deflate_config`, `config.json` is deflated.
pub fn keras_v3(class_name: &str, keras_version: &str, layers: &[&str], deflate_config: bool) -> Vec<u8> {
    let metadata =
        format!("{{\"keras_version\": {}, \"date_saved\": \"2026-01-01@00:00:00\"}}", json_str(keras_version));
    let layers: Vec<String> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "{{\"module\": \"keras.layers\", \"class_name\": {}, \"config\": {{\"name\": \"layer_{i}\"}}, \"registered_name\": null}}",
                json_str(l)
            )
        })
        .collect();
    let config = format!(
        "{{\"module\": \"keras\", \"class_name\": {}, \"config\": {{\"name\": \"tiny\", \"layers\": [{}]}}, \"registered_name\": null}}",
        json_str(class_name),
        layers.join(", ")
    );
    let h5 = hdf5_stub();
    zip(&[
        ZipMember { name: "metadata.json", data: metadata.as_bytes(), deflate: false },
        ZipMember { name: "config.json", data: config.as_bytes(), deflate: deflate_config },
        ZipMember { name: "model.weights.h5", data: &h5, deflate: false },
    ])
}

/// An `.npz`: each array stored as `<name>.npy`.
pub fn npz(arrays: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let names: Vec<String> = arrays.iter().map(|(n, _)| format!("{n}.npy")).collect();
    let m: Vec<ZipMember> =
        names.iter().zip(arrays).map(|(name, (_, data))| ZipMember { name, data, deflate }).collect();
    zip(&m)
}

// ------------------------------------------------------------------------------------------
// Parquet (Thrift compact protocol)

fn zz(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// A valid Parquet file with no row groups and one required INT64 column per name
/// (`num_rows` 0, `created_by` "custody-fixtures", key/value metadata as given).
pub fn parquet(columns: &[&str], kv: &[(&str, &str)]) -> Vec<u8> {
    let mut f = Vec::new();
    let bin = |f: &mut Vec<u8>, s: &str| {
        pb::varint(f, s.len() as u64);
        f.extend_from_slice(s.as_bytes());
    };
    let list_header = |f: &mut Vec<u8>, n: usize, t: u8| {
        if n < 15 {
            f.push(((n as u8) << 4) | t);
        } else {
            f.push(0xF0 | t);
            pb::varint(f, n as u64);
        }
    };
    // 1: version i32 = 1
    f.push(0x15);
    pb::varint(&mut f, zz(1));
    // 2: schema list<struct>
    f.push(0x19);
    list_header(&mut f, columns.len() + 1, 12);
    // root: 4 name, 5 num_children
    f.push(0x48);
    bin(&mut f, "schema");
    f.push(0x15);
    pb::varint(&mut f, zz(columns.len() as i64));
    f.push(0);
    for c in columns {
        f.push(0x15); // 1 type = INT64 (2)
        pb::varint(&mut f, zz(2));
        f.push(0x25); // 3 repetition_type = REQUIRED (0)
        pb::varint(&mut f, zz(0));
        f.push(0x18); // 4 name
        bin(&mut f, c);
        f.push(0);
    }
    // 3: num_rows i64 = 0
    f.push(0x16);
    pb::varint(&mut f, 0);
    // 4: row_groups list<struct> = []
    f.push(0x19);
    list_header(&mut f, 0, 12);
    // 5: key_value_metadata
    if !kv.is_empty() {
        f.push(0x19);
        list_header(&mut f, kv.len(), 12);
        for (k, v) in kv {
            f.push(0x18);
            bin(&mut f, k);
            f.push(0x18);
            bin(&mut f, v);
            f.push(0);
        }
    }
    // 6: created_by
    f.push(0x18);
    bin(&mut f, "custody-fixtures");
    f.push(0);
    let mut out = b"PAR1".to_vec();
    out.extend_from_slice(&f);
    out.extend_from_slice(&(f.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}

// ------------------------------------------------------------------------------------------
// FlatBuffers (TFLite, Arrow)

/// A FlatBuffer value for the tiny builder below.
#[derive(Debug, Clone)]
enum Fb {
    U8(u8),
    I16(i16),
    U32(u32),
    I32(i32),
    I64(i64),
    Str(String),
    Table(Vec<Option<Fb>>),
    Tables(Vec<Vec<Option<Fb>>>),
    I32s(Vec<i32>),
    U8s(Vec<u8>),
}

fn align(out: &mut Vec<u8>, n: usize) {
    while !out.len().is_multiple_of(n) {
        out.push(0);
    }
}

/// Write a table (vtable first, then the table, then what it references); returns its position.
fn fb_table(out: &mut Vec<u8>, fields: &[Option<Fb>]) -> usize {
    // Inline layout: scalars by size, references as u32.
    let size = |f: &Fb| match f {
        Fb::U8(_) => 1,
        Fb::I16(_) => 2,
        Fb::I64(_) => 8,
        _ => 4,
    };
    let mut offsets = Vec::new();
    let mut inline = 4usize; // soffset
    for f in fields {
        match f {
            Some(f) => {
                let s = size(f);
                inline = inline.div_ceil(s) * s;
                offsets.push(inline as u16);
                inline += s;
            }
            None => offsets.push(0),
        }
    }
    let table_size = inline.div_ceil(8) * 8;
    align(out, 4);
    let vt = out.len();
    out.extend_from_slice(&((4 + 2 * fields.len()) as u16).to_le_bytes());
    out.extend_from_slice(&(table_size as u16).to_le_bytes());
    for o in &offsets {
        out.extend_from_slice(&o.to_le_bytes());
    }
    align(out, 8);
    let table = out.len();
    out.extend_from_slice(&((table - vt) as i32).to_le_bytes());
    out.resize(table + table_size, 0);
    let mut pending = Vec::new();
    for (f, o) in fields.iter().zip(&offsets) {
        let Some(f) = f else { continue };
        let at = table + usize::from(*o);
        match f {
            Fb::U8(v) => out[at] = *v,
            Fb::I16(v) => out[at..at + 2].copy_from_slice(&v.to_le_bytes()),
            Fb::U32(v) => out[at..at + 4].copy_from_slice(&v.to_le_bytes()),
            Fb::I32(v) => out[at..at + 4].copy_from_slice(&v.to_le_bytes()),
            Fb::I64(v) => out[at..at + 8].copy_from_slice(&v.to_le_bytes()),
            other => pending.push((at, other.clone())),
        }
    }
    for (at, f) in pending {
        let target = fb_child(out, &f);
        out[at..at + 4].copy_from_slice(&((target - at) as u32).to_le_bytes());
    }
    table
}

/// Write a referenced object; returns the position the reference must point at.
fn fb_child(out: &mut Vec<u8>, f: &Fb) -> usize {
    match f {
        Fb::Str(s) => {
            align(out, 4);
            let p = out.len();
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
            out.push(0);
            p
        }
        Fb::I32s(v) => {
            align(out, 4);
            let p = out.len();
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            for x in v {
                out.extend_from_slice(&x.to_le_bytes());
            }
            p
        }
        Fb::U8s(v) => {
            align(out, 4);
            let p = out.len();
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            out.extend_from_slice(v);
            p
        }
        Fb::Table(fields) => fb_table(out, fields),
        Fb::Tables(items) => {
            align(out, 4);
            let p = out.len();
            out.extend_from_slice(&(items.len() as u32).to_le_bytes());
            let slots = out.len();
            out.resize(slots + 4 * items.len(), 0);
            for (k, t) in items.iter().enumerate() {
                let target = fb_table(out, t);
                let at = slots + 4 * k;
                out[at..at + 4].copy_from_slice(&((target - at) as u32).to_le_bytes());
            }
            p
        }
        _ => 0,
    }
}

/// A finished buffer: root offset at 0, the 4-byte identifier at 4 when given, root table after.
fn fb_root(ident: Option<&[u8; 4]>, root: &[Option<Fb>]) -> Vec<u8> {
    let mut out = vec![0u8; if ident.is_some() { 8 } else { 4 }];
    if let Some(i) = ident {
        out[4..8].copy_from_slice(i);
    }
    let t = fb_table(&mut out, root);
    out[0..4].copy_from_slice(&(t as u32).to_le_bytes());
    out
}

/// A TFLite model: one subgraph with an input tensor and one float32 weight tensor of
/// `weight_shape` (backed by a buffer), an optional custom operator code, `description`.
/// Structure only (no operators): enough for custody's reader, not for an interpreter.
pub fn tflite(weight_shape: &[i32], custom_op: Option<&str>, description: &str) -> Vec<u8> {
    let numel: i32 = weight_shape.iter().product();
    let tensor = |shape: Vec<i32>, buffer: u32, name: &str| {
        vec![Some(Fb::I32s(shape)), Some(Fb::U8(0)), Some(Fb::U32(buffer)), Some(Fb::Str(name.into()))]
    };
    let subgraph = vec![
        Some(Fb::Tables(vec![tensor(vec![1, 4], 0, "input"), tensor(weight_shape.to_vec(), 1, "weights")])),
        Some(Fb::I32s(vec![0])),
        Some(Fb::I32s(vec![])),
        None,
        Some(Fb::Str("main".into())),
    ];
    let mut opcodes = vec![vec![Some(Fb::U8(9)), None, Some(Fb::I32(1)), Some(Fb::I32(9))]];
    if let Some(c) = custom_op {
        opcodes.push(vec![Some(Fb::U8(32)), Some(Fb::Str(c.into())), Some(Fb::I32(1)), Some(Fb::I32(32))]);
    }
    let buffers = vec![vec![], vec![Some(Fb::U8s(pattern((numel.max(0) * 4) as usize)))]];
    fb_root(
        Some(b"TFL3"),
        &[
            Some(Fb::U32(3)),
            Some(Fb::Tables(opcodes)),
            Some(Fb::Tables(vec![subgraph])),
            Some(Fb::Str(description.into())),
            Some(Fb::Tables(buffers)),
        ],
    )
}

fn arrow_schema(columns: &[&str]) -> Vec<Option<Fb>> {
    let fields = columns
        .iter()
        .map(|c| {
            vec![
                Some(Fb::Str((*c).into())),
                Some(Fb::U8(1)),
                Some(Fb::U8(2)), // Type.Int
                Some(Fb::Table(vec![Some(Fb::I32(64)), Some(Fb::U8(1))])),
                None,
                Some(Fb::Tables(vec![])),
            ]
        })
        .collect();
    let kv = vec![vec![Some(Fb::Str("huggingface".into())), Some(Fb::Str("{}".into()))]];
    vec![Some(Fb::I16(0)), Some(Fb::Tables(fields)), Some(Fb::Tables(kv))]
}

/// An Arrow IPC stream holding only a schema message (Int64 columns, `huggingface` metadata)
/// and the end-of-stream marker.
pub fn arrow_stream(columns: &[&str]) -> Vec<u8> {
    let mut m =
        fb_root(None, &[Some(Fb::I16(4)), Some(Fb::U8(1)), Some(Fb::Table(arrow_schema(columns))), Some(Fb::I64(0))]);
    align(&mut m, 8);
    let mut out = b"\xFF\xFF\xFF\xFF".to_vec();
    out.extend_from_slice(&(m.len() as u32).to_le_bytes());
    out.extend_from_slice(&m);
    out.extend_from_slice(b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00");
    out
}

/// An Arrow IPC file: magic, the stream's schema message, footer (schema, no batches), magic.
pub fn arrow_file(columns: &[&str]) -> Vec<u8> {
    let mut out = b"ARROW1\0\0".to_vec();
    out.extend_from_slice(&arrow_stream(columns));
    let mut f = fb_root(
        None,
        &[Some(Fb::I16(4)), Some(Fb::Table(arrow_schema(columns))), Some(Fb::Tables(vec![])), Some(Fb::Tables(vec![]))],
    );
    align(&mut f, 8);
    out.extend_from_slice(&f);
    out.extend_from_slice(&(f.len() as u32).to_le_bytes());
    out.extend_from_slice(b"ARROW1");
    out
}

// ------------------------------------------------------------------------------------------
// Small containers and text formats

/// TFRecord records with correct masked CRC-32C.
pub fn tfrecord(records: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        let len = (r.len() as u64).to_le_bytes();
        out.extend_from_slice(&len);
        out.extend_from_slice(&crate::util::masked_crc32c(&len).to_le_bytes());
        out.extend_from_slice(r);
        out.extend_from_slice(&crate::util::masked_crc32c(r).to_le_bytes());
    }
    out
}

/// A `tf.train.Example` with one int64 feature per name.
pub fn tf_example(features: &[&str]) -> Vec<u8> {
    let mut ex = Vec::new();
    pb::message(&mut ex, 1, |fs| {
        for f in features {
            pb::message(fs, 1, |e| {
                pb::string(e, 1, f);
                pb::message(e, 2, |feat| pb::message(feat, 3, |il| pb::uint(il, 1, 1)));
            });
        }
    });
    ex
}

/// A FAISS `IndexFlatL2` with `n` vectors of dimension `d` (pattern floats).
pub fn faiss_flat(d: i32, n: i64) -> Vec<u8> {
    let mut out = b"IxF2".to_vec();
    out.extend_from_slice(&d.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(1i64 << 20).to_le_bytes());
    out.extend_from_slice(&(1i64 << 20).to_le_bytes());
    out.push(1);
    out.extend_from_slice(&1i32.to_le_bytes());
    let count = (d as u64) * (n as u64);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&pattern((count * 4) as usize));
    out
}

/// A 7z signature header (version 0.4) with zeroed start header: recognisable, not extractable.
pub fn seven_zip_stub() -> Vec<u8> {
    let mut v = b"7z\xBC\xAF\x27\x1C\x00\x04".to_vec();
    v.extend_from_slice(&[0u8; 24]);
    v
}

/// A valid gzip member (stored deflate blocks) of `data`, recording `name`.
pub fn gzip(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1F, 0x8B, 0x08, 0x08, 0, 0, 0, 0, 0, 0xFF];
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// A Jupyter notebook (nbformat 4.5) with one markdown and one code cell.
pub fn notebook() -> Vec<u8> {
    br##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Tiny"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["import torch"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
              "language_info": {"name": "python"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##
    .to_vec()
}

/// An OpenVINO IR v11 `model.xml` with a Parameter, a Const (f32 `shape`) and a MatMul.
pub fn openvino_xml(name: &str, shape: &[u64]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    let size: u64 = shape.iter().product::<u64>() * 4;
    format!(
        r#"<?xml version="1.0"?>
<net name="{name}" version="11">
	<layers>
		<layer id="0" name="x" type="Parameter" version="opset1">
			<data shape="1,4" element_type="f32" />
		</layer>
		<layer id="1" name="W" type="Const" version="opset1">
			<data element_type="f32" shape="{}" offset="0" size="{size}" />
		</layer>
		<layer id="2" name="y" type="MatMul" version="opset1" />
	</layers>
	<rt_info>
		<Runtime_version value="2025.1.0" />
	</rt_info>
</net>
"#,
        dims.join(",")
    )
    .into_bytes()
}

/// A llamafile-shaped file: an APE shell header, padding, then a zip whose stored
/// `model.gguf` member holds `gguf` and whose `.args` names it.
pub fn llamafile(gguf: &[u8]) -> Vec<u8> {
    let mut out = b"MZqFpD='\n\x00\x00".to_vec();
    out.extend_from_slice(b"\n' <<'justine'\nllamafile\njustine\n");
    out.resize(4096, 0);
    let z = zip_stored(&[(".args", b"-m\nmodel.gguf\n"), ("model.gguf", gguf)]);
    // Offsets inside the zip are relative to its start; readers detect the prefix.
    out.extend_from_slice(&z);
    out
}

/// A Core ML `.mlmodel` protobuf: specification version, a description with one input, one
/// output and metadata (author, licence, coremltools version), and a `neuralNetwork` field.
pub fn coreml(spec_version: u64, license: &str) -> Vec<u8> {
    use pb::*;
    let mut out = Vec::new();
    uint(&mut out, 1, spec_version);
    message(&mut out, 2, |d| {
        message(d, 1, |i| string(i, 1, "image"));
        message(d, 10, |o| string(o, 1, "label"));
        message(d, 100, |m| {
            string(m, 1, "tiny classifier");
            string(m, 3, "custody");
            string(m, 4, license);
            message(m, 100, |e| {
                string(e, 1, "com.github.apple.coremltools.version");
                string(e, 2, "8.0");
            });
        });
    });
    message(&mut out, 500, |n| message(n, 1, |l| string(l, 1, "dense")));
    out
}

/// A TensorFlow `saved_model.pb`: schema version 1, one meta graph tagged `serve` with
/// tensorflow version, a `serving_default` signature and nodes with the given ops.
pub fn saved_model_pb(ops: &[&str]) -> Vec<u8> {
    use pb::*;
    let mut out = Vec::new();
    uint(&mut out, 1, 1);
    message(&mut out, 2, |mg| {
        message(mg, 1, |mi| {
            string(mi, 4, "serve");
            string(mi, 5, "2.16.1");
        });
        message(mg, 2, |g| {
            for (i, op) in ops.iter().enumerate() {
                message(g, 1, |n| {
                    string(n, 1, &format!("node_{i}"));
                    string(n, 2, op);
                });
            }
            message(g, 4, |v| uint(v, 1, 1700));
        });
        message(mg, 5, |s| {
            string(s, 1, "serving_default");
            message(s, 2, |_| {});
        });
    });
    out
}

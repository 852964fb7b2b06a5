//! GGUF (ggml-org/ggml `docs/gguf.md`), versions 1–3, little- and big-endian.
//!
//! Layout: magic `GGUF` (bytes `47 47 55 46`, in either byte order), `u32 version`,
//! `tensor_count`, `metadata_kv_count`, the key/value pairs (`string key; u32 type; value`),
//! the tensor infos (`string name; u32 n_dims; dims[n_dims]; u32 ggml_type; u64 offset`),
//! padding to `general.alignment` (default 32), then the tensor data. Version 1 uses `u32` for
//! counts, string lengths, array lengths and dims; versions 2 and 3 use `u64`. A file whose
//! version has zero low 16 bits is big-endian (gguf-py's rule) and is read byte-swapped.
//!
//! Value types: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string,
//! 9 array (`u32 elem type; count; elems`, nestable), 10 u64, 11 i64, 12 f64.
//!
//! Limits: [`limits::MAX_GGUF_KV`], [`limits::MAX_GGUF_TENSORS`], [`limits::MAX_GGUF_STRING`],
//! [`limits::MAX_GGUF_ARRAY`], [`limits::MAX_GGUF_DEPTH`] (nested arrays) and
//! [`limits::MAX_GGUF_DIMS`]. Counts are also checked against the bytes left (each element
//! takes at least its minimal encoded size), so no loop runs longer than the input allows.
//! Checks: tensor offsets are multiples of the alignment and every tensor's data (for ggml types
//! whose size is known) ends inside the file.

use crate::util::{Reader, Sink, off, short};
use crate::{ModelMeta, limits, meta_string, safetensors};
use std::collections::BTreeMap;

/// Name of a ggml tensor type (`"Q4_K"`), `None` if unknown.
pub fn ggml_type_name(t: u32) -> Option<&'static str> {
    type_info(t).map(|i| i.0)
}

/// (name, block size in elements, bytes per block).
fn type_info(t: u32) -> Option<(&'static str, u64, u64)> {
    Some(match t {
        0 => ("F32", 1, 4),
        1 => ("F16", 1, 2),
        2 => ("Q4_0", 32, 18),
        3 => ("Q4_1", 32, 20),
        6 => ("Q5_0", 32, 22),
        7 => ("Q5_1", 32, 24),
        8 => ("Q8_0", 32, 34),
        9 => ("Q8_1", 32, 40),
        10 => ("Q2_K", 256, 84),
        11 => ("Q3_K", 256, 110),
        12 => ("Q4_K", 256, 144),
        13 => ("Q5_K", 256, 176),
        14 => ("Q6_K", 256, 210),
        15 => ("Q8_K", 256, 292),
        16 => ("IQ2_XXS", 256, 66),
        17 => ("IQ2_XS", 256, 74),
        18 => ("IQ3_XXS", 256, 98),
        19 => ("IQ1_S", 256, 50),
        20 => ("IQ4_NL", 32, 18),
        21 => ("IQ3_S", 256, 110),
        22 => ("IQ2_S", 256, 82),
        23 => ("IQ4_XS", 256, 136),
        24 => ("I8", 1, 1),
        25 => ("I16", 1, 2),
        26 => ("I32", 1, 4),
        27 => ("I64", 1, 8),
        28 => ("F64", 1, 8),
        29 => ("IQ1_M", 256, 56),
        30 => ("BF16", 1, 2),
        34 => ("TQ1_0", 256, 54),
        35 => ("TQ2_0", 256, 66),
        39 => ("MXFP4", 32, 17),
        40 => ("NVFP4", 64, 36),
        41 => ("Q1_0", 128, 18),
        _ => return None,
    })
}

/// (block size, bytes per block) of a ggml type, for writers and size checks.
pub(crate) fn type_size(t: u32) -> Option<(u64, u64)> {
    type_info(t).map(|i| (i.1, i.2))
}

/// Name of a `general.file_type` value (llama.cpp's `LLAMA_FTYPE_*` without `MOSTLY_`).
pub fn gguf_file_type_name(ft: u32) -> Option<&'static str> {
    Some(match ft {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        4 => "Q4_1_SOME_F16",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        39 => "NVFP4",
        40 => "Q1_0",
        _ => return None,
    })
}

/// A value we keep (only for keys we use); everything else is skipped without allocating.
#[derive(Debug)]
enum Val<'a> {
    U(u64),
    I(i64),
    F(f64),
    B(bool),
    S(&'a [u8]),
    /// String elements of an array we wanted (capped); other arrays are `Skipped`.
    Strs(Vec<&'a [u8]>),
    Skipped,
}

impl Val<'_> {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            Val::U(v) => Some(v),
            Val::I(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
    fn render(&self) -> Option<String> {
        Some(match self {
            Val::U(v) => v.to_string(),
            Val::I(v) => v.to_string(),
            Val::F(v) => v.to_string(),
            Val::B(v) => v.to_string(),
            Val::S(s) => String::from_utf8_lossy(s).into_owned(),
            Val::Strs(v) => v.iter().map(|s| String::from_utf8_lossy(s)).collect::<Vec<_>>().join(","),
            Val::Skipped => return None,
        })
    }
}

enum Stop {
    Malformed(String, usize),
    Limit(String, usize),
}

struct Parser<'a> {
    r: Reader<'a>,
    v1: bool,
}

impl<'a> Parser<'a> {
    fn eof(&self, what: &str) -> Stop {
        Stop::Malformed(format!("file ends inside {what}"), self.r.pos())
    }
    fn count(&mut self, what: &str) -> Result<u64, Stop> {
        let v = if self.v1 { self.r.u32().map(u64::from) } else { self.r.u64() };
        v.ok_or_else(|| self.eof(what))
    }
    fn string(&mut self, what: &str) -> Result<&'a [u8], Stop> {
        let at = self.r.pos();
        let len = self.count(what)?;
        if len > limits::MAX_GGUF_STRING {
            return Err(Stop::Limit(
                format!("{what}: string length {len} exceeds the limit of {} bytes", limits::MAX_GGUF_STRING),
                at,
            ));
        }
        self.r
            .take(len)
            .ok_or_else(|| Stop::Malformed(format!("{what}: string length {len} runs past the end of the file"), at))
    }
    /// Read (`want`) or skip a value of type `t`.
    fn value(&mut self, t: u32, depth: u32, want: bool, what: &str) -> Result<Val<'a>, Stop> {
        let at = self.r.pos();
        let e = |p: &Self| p.eof(what);
        Ok(match t {
            0 => Val::U(self.r.u8().ok_or_else(|| e(self))?.into()),
            1 => Val::I((self.r.u8().ok_or_else(|| e(self))? as i8).into()),
            2 => Val::U(self.r.u16().ok_or_else(|| e(self))?.into()),
            3 => Val::I((self.r.u16().ok_or_else(|| e(self))? as i16).into()),
            4 => Val::U(self.r.u32().ok_or_else(|| e(self))?.into()),
            5 => Val::I(self.r.i32().ok_or_else(|| e(self))?.into()),
            6 => Val::F(f32::from_bits(self.r.u32().ok_or_else(|| e(self))?).into()),
            7 => {
                let b = self.r.u8().ok_or_else(|| e(self))?;
                if b > 1 {
                    return Err(Stop::Malformed(format!("{what}: bool value {b} is neither 0 nor 1"), at));
                }
                Val::B(b == 1)
            }
            8 => Val::S(self.string(what)?),
            9 => self.array(depth, want, what)?,
            10 => Val::U(self.r.u64().ok_or_else(|| e(self))?),
            11 => Val::I(self.r.i64().ok_or_else(|| e(self))?),
            12 => Val::F(f64::from_bits(self.r.u64().ok_or_else(|| e(self))?)),
            _ => return Err(Stop::Malformed(format!("{what}: unknown value type {t}"), at)),
        })
    }
    fn array(&mut self, depth: u32, want: bool, what: &str) -> Result<Val<'a>, Stop> {
        let at = self.r.pos();
        if depth >= limits::MAX_GGUF_DEPTH {
            return Err(Stop::Limit(format!("{what}: arrays nested deeper than {}", limits::MAX_GGUF_DEPTH), at));
        }
        let et = self.r.u32().ok_or_else(|| self.eof(what))?;
        let n = self.count(what)?;
        if n > limits::MAX_GGUF_ARRAY {
            return Err(Stop::Limit(
                format!("{what}: array length {n} exceeds the limit of {}", limits::MAX_GGUF_ARRAY),
                at,
            ));
        }
        let fixed = match et {
            0 | 1 | 7 => Some(1u64),
            2 | 3 => Some(2),
            4..=6 => Some(4),
            10..=12 => Some(8),
            8 | 9 => None,
            _ => return Err(Stop::Malformed(format!("{what}: unknown array element type {et}"), at)),
        };
        // The smallest an element can be: fixed size, a string's length field, an array's header.
        let min = fixed.unwrap_or(if et == 8 {
            if self.v1 { 4 } else { 8 }
        } else if self.v1 {
            8
        } else {
            12
        });
        if n.saturating_mul(min) > off(self.r.remaining()) {
            return Err(Stop::Malformed(format!("{what}: array of {n} elements runs past the end of the file"), at));
        }
        if let Some(size) = fixed {
            // n * size ≤ remaining was just checked.
            self.r.skip(n * size).ok_or_else(|| self.eof(what))?;
            return Ok(Val::Skipped);
        }
        let mut kept = Vec::new();
        for _ in 0..n {
            if et == 8 {
                let s = self.string(what)?;
                if want && kept.len() < limits::MAX_LIST {
                    kept.push(s);
                }
            } else {
                self.value(9, depth + 1, false, what)?;
            }
        }
        Ok(if want && et == 8 { Val::Strs(kept) } else { Val::Skipped })
    }
}

/// Keys whose arrays we keep.
fn wanted_array(key: &str) -> bool {
    matches!(key, "general.datasets" | "general.tags" | "general.languages")
}

/// Keys shown in `extra` verbatim (capped).
fn extra_key(key: &str) -> bool {
    const GENERAL: &[&str] = &[
        "general.type",
        "general.basename",
        "general.finetune",
        "general.size_label",
        "general.version",
        "general.author",
        "general.organization",
        "general.quantized_by",
        "general.quantization_version",
        "general.url",
        "general.repo_url",
        "general.uuid",
        "general.license.name",
        "general.license.link",
        "general.tags",
        "general.languages",
        "general.source.url",
        "general.source.repo_url",
        "general.alignment",
        "tokenizer.ggml.model",
        "tokenizer.ggml.pre",
    ];
    const ARCH: &[&str] = &[
        ".context_length",
        ".embedding_length",
        ".block_count",
        ".expert_count",
        ".expert_used_count",
        ".attention.head_count",
        ".attention.head_count_kv",
        ".vocab_size",
    ];
    GENERAL.contains(&key) || (!key.starts_with("general.") && ARCH.iter().any(|s| key.ends_with(s)))
}

pub(crate) fn inspect(bytes: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    inspect_len_body(bytes, off(bytes.len()), meta, sink);
}

/// As [`inspect`], where `bytes` may be a prefix of a file of `file_len` bytes.
pub(crate) fn inspect_len(bytes: &[u8], file_len: u64, meta: &mut ModelMeta, sink: &mut Sink) {
    inspect_len_body(bytes, file_len, meta, sink);
}

fn inspect_len_body(bytes: &[u8], file_len: u64, meta: &mut ModelMeta, sink: &mut Sink) {
    if let Err(stop) = parse(bytes, file_len, meta) {
        match stop {
            Stop::Malformed(m, at) => sink.malformed(m, off(at)),
            Stop::Limit(m, at) => sink.limit(m, off(at)),
        }
    }
}

#[derive(Default)]
struct Indexed {
    name: Option<String>,
    repo_url: Option<String>,
    organization: Option<String>,
}

fn parse(bytes: &[u8], file_len: u64, meta: &mut ModelMeta) -> Result<(), Stop> {
    if !bytes.starts_with(b"GGUF") {
        return Err(Stop::Malformed("no GGUF magic".into(), 0));
    }
    let mut p = Parser { r: Reader::at(bytes, 4), v1: false };
    let raw = p.r.u32().ok_or_else(|| p.eof("the header"))?;
    let big = raw & 0xFFFF == 0 && raw != 0;
    let version = if big { raw.swap_bytes() } else { raw };
    p.r.set_big_endian(big);
    if !(1..=3).contains(&version) {
        return Err(Stop::Malformed(format!("unsupported GGUF version {version}"), 4));
    }
    p.v1 = version == 1;
    meta.format_version = Some(if big { format!("{version} (big-endian)") } else { version.to_string() });
    let tensor_count = p.count("the header")?;
    let kv_count = p.count("the header")?;
    if kv_count > limits::MAX_GGUF_KV {
        return Err(Stop::Limit(
            format!("metadata count {kv_count} exceeds the limit of {}", limits::MAX_GGUF_KV),
            p.r.pos(),
        ));
    }
    if tensor_count > limits::MAX_GGUF_TENSORS {
        return Err(Stop::Limit(
            format!("tensor count {tensor_count} exceeds the limit of {}", limits::MAX_GGUF_TENSORS),
            p.r.pos(),
        ));
    }
    // A key/value pair takes at least a key length, one key byte, a type and a 1-byte value.
    let min_kv = if p.v1 { 4 + 1 + 4 + 1 } else { 8 + 1 + 4 + 1 };
    if kv_count.saturating_mul(min_kv) > off(p.r.remaining()) {
        return Err(Stop::Malformed(
            format!("metadata count {kv_count} cannot fit in the {} bytes left", p.r.remaining()),
            p.r.pos(),
        ));
    }
    let mut alignment = 32u64;
    let mut extras = 0usize;
    let mut base: BTreeMap<u64, Indexed> = BTreeMap::new();
    let mut datasets: BTreeMap<u64, Indexed> = BTreeMap::new();
    let mut templates = Vec::new();
    for _ in 0..kv_count {
        let key_bytes = p.string("a metadata key")?;
        let key = String::from_utf8_lossy(key_bytes).into_owned();
        let what = format!("metadata `{}`", short(&key));
        let at = p.r.pos();
        let t = p.r.u32().ok_or_else(|| p.eof(&what))?;
        let v = p.value(t, 0, wanted_array(&key), &what)?;
        let s = || v.render().map(|s| meta_string(&s));
        match key.as_str() {
            "general.architecture" => meta.architecture = s(),
            "general.name" => meta.name = s(),
            "general.license" => meta.license = s(),
            "general.file_type" => {
                if let Some(ft) = v.as_u64() {
                    meta.set_extra("general.file_type", ft.to_string());
                    meta.quantization = u32::try_from(ft)
                        .ok()
                        .and_then(gguf_file_type_name)
                        .map(str::to_string)
                        .or_else(|| Some(format!("file_type {ft}")));
                }
            }
            "general.alignment" => match v.as_u64() {
                Some(a) if a > 0 && a % 8 == 0 && a <= 1 << 30 => alignment = a,
                _ => {
                    return Err(Stop::Malformed("general.alignment is not a non-zero multiple of 8".into(), at));
                }
            },
            "general.datasets" => {
                if let Val::Strs(list) = &v {
                    for d in list {
                        ModelMeta::push_unique(&mut meta.datasets, &String::from_utf8_lossy(d));
                    }
                }
            }
            "tokenizer.chat_template" => {
                if let Val::S(b) = v {
                    meta.set_chat_template(&String::from_utf8_lossy(b));
                }
            }
            "clip.has_vision_encoder" if matches!(v, Val::B(true)) => {
                meta.modalities.insert("vision".into());
            }
            "clip.has_audio_encoder" if matches!(v, Val::B(true)) => {
                meta.modalities.insert("audio".into());
            }
            _ => {}
        }
        if let Some(name) = key.strip_prefix("tokenizer.chat_template.")
            && templates.len() < 64
        {
            templates.push(crate::util::cap(name, 64));
        }
        if key.starts_with("clip.vision.") {
            meta.modalities.insert("vision".into());
        }
        if key.starts_with("clip.audio.") {
            meta.modalities.insert("audio".into());
        }
        if key.starts_with("tokenizer.ggml.") {
            meta.modalities.insert("text".into());
        }
        for (prefix, map) in [("general.base_model.", &mut base), ("general.dataset.", &mut datasets)] {
            if let Some(rest) = key.strip_prefix(prefix)
                && let Some((n, field)) = rest.split_once('.')
                && let (Ok(n), Some(val)) = (n.parse::<u64>(), s())
                && (map.len() < limits::MAX_LIST || map.contains_key(&n))
            {
                let e = map.entry(n).or_default();
                match field {
                    "name" => e.name = Some(val),
                    "repo_url" => e.repo_url = Some(val),
                    "organization" => e.organization = Some(val),
                    _ => {}
                }
            }
        }
        if extra_key(&key)
            && extras < limits::MAX_EXTRA_ENTRIES
            && let Some(val) = v.render()
        {
            meta.set_extra(key.clone(), val);
            extras += 1;
        }
    }
    if !templates.is_empty() {
        meta.set_extra("chat_template_names", templates.join(","));
    }
    for (_, b) in base {
        if let Some(id) = hub_id(&b) {
            ModelMeta::push_unique(&mut meta.base_models, &id);
        }
    }
    for (_, d) in datasets {
        if let Some(id) = hub_id(&d) {
            ModelMeta::push_unique(&mut meta.datasets, &id);
        }
    }
    tensors(&mut p, file_len, tensor_count, alignment, meta)
}

/// `org/name` from a Hugging Face repo URL, else the URL, else the name.
fn hub_id(e: &Indexed) -> Option<String> {
    if let Some(u) = &e.repo_url {
        let id = u.strip_prefix("https://huggingface.co/").unwrap_or(u).trim_end_matches('/');
        return Some(id.to_string());
    }
    match (&e.organization, &e.name) {
        (_, None) => None,
        (Some(o), Some(n)) => Some(format!("{o}/{n}")),
        (None, Some(n)) => Some(n.clone()),
    }
}

fn tensors(p: &mut Parser, file_len: u64, count: u64, alignment: u64, meta: &mut ModelMeta) -> Result<(), Stop> {
    // name length + n_dims + type + offset, at least.
    let min = if p.v1 { 4 + 4 + 4 + 8 } else { 8 + 4 + 4 + 8 };
    if count.saturating_mul(min) > off(p.r.remaining()) {
        return Err(Stop::Malformed(
            format!("tensor count {count} cannot fit in the {} bytes left", p.r.remaining()),
            p.r.pos(),
        ));
    }
    let mut params = Some(0u64);
    let mut data_end = 0u64;
    let mut last_name = String::new();
    let mut misaligned = None;
    for _ in 0..count {
        let name_bytes = p.string("a tensor name")?;
        let name = String::from_utf8_lossy(name_bytes);
        let what = format!("tensor `{}`", short(&name));
        let at = p.r.pos();
        let n_dims = p.r.u32().ok_or_else(|| p.eof(&what))?;
        if n_dims > limits::MAX_GGUF_DIMS {
            return Err(Stop::Malformed(format!("{what}: {n_dims} dimensions (at most 4)"), at));
        }
        let mut dims = [1u64; 4];
        for d in dims.iter_mut().take(n_dims as usize) {
            *d = p.count(&what)?;
        }
        let t = p.r.u32().ok_or_else(|| p.eof(&what))?;
        let offset = p.r.u64().ok_or_else(|| p.eof(&what))?;
        match ggml_type_name(t) {
            Some(n) => meta.add_dtype(n),
            None => meta.add_dtype(&format!("type_{t}")),
        }
        safetensors::modalities_from_name(&name, meta);
        let numel = crate::util::product(&dims);
        params = match (params, numel) {
            (Some(a), Some(b)) => a.checked_add(b),
            _ => None,
        };
        if offset % alignment != 0 && misaligned.is_none() {
            misaligned = Some((what.clone(), offset));
        }
        if let (Some((blck, size)), Some(numel)) = (type_size(t), numel) {
            if dims[0] % blck != 0 {
                return Err(Stop::Malformed(
                    format!("{what}: row length {} is not a multiple of the block size {blck}", dims[0]),
                    at,
                ));
            }
            let end = (numel / blck).checked_mul(size).and_then(|n| n.checked_add(offset));
            match end {
                Some(end) if end > data_end => {
                    data_end = end;
                    last_name = what;
                }
                Some(_) => {}
                None => return Err(Stop::Malformed(format!("{what}: data size overflows"), at)),
            }
        }
    }
    meta.tensor_count = Some(count);
    meta.parameter_count = params;
    if meta.quantization.is_none() {
        meta.quantization = meta.dominant_quantized(|d| {
            !matches!(d, "F32" | "F16" | "BF16" | "F64") && !d.starts_with('I') || d.starts_with("IQ")
        });
    }
    if let Some((what, o)) = misaligned {
        return Err(Stop::Malformed(
            format!("{what}: offset {o} is not a multiple of the alignment {alignment}"),
            p.r.pos(),
        ));
    }
    let infos_end = off(p.r.pos());
    let data_start = infos_end.div_ceil(alignment).saturating_mul(alignment);
    let size = file_len;
    if count > 0 && data_start.saturating_add(data_end) > size {
        return Err(Stop::Malformed(
            format!(
                "tensor data ends at byte {} ({last_name}) but the file has {size} bytes (truncated?)",
                data_start.saturating_add(data_end)
            ),
            p.r.pos(),
        ));
    }
    if params.is_none() {
        return Err(Stop::Malformed("parameter count overflows u64".into(), p.r.pos()));
    }
    Ok(())
}

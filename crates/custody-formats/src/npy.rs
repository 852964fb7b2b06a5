//! NumPy `.npy` (numpy `lib/format.py`).
//!
//! Layout: `\x93NUMPY`, major, minor; version 1.x: `u16 LE` header length at 8, header at 10;
//! 2.x and 3.x: `u32 LE` at 8, header at 12 (3.x is UTF-8, earlier Latin-1). The header is a
//! Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, padded with
//! spaces and ended by `\n`; the data follows. A `descr` containing `O` (object) means the data
//! is a pickle: `extra["object_dtype"] = "true"` (loading it runs arbitrary code).
//!
//! Limits: header length ≤ [`limits::MAX_NPY_HEADER`]; the data must be at least
//! `numel × itemsize` bytes for plain dtypes (else truncated).

use crate::pylit::{self, Py};
use crate::util::{Sink, le_u16, le_u32, off};
use crate::{ModelMeta, limits};

/// What a `.npy` header says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub(crate) version: (u8, u8),
    pub(crate) descr: String,
    pub(crate) structured: bool,
    pub(crate) object: bool,
    pub(crate) fortran: bool,
    pub(crate) shape: Vec<u64>,
    pub(crate) data_start: usize,
}

pub(crate) enum HeaderError {
    Malformed(String, usize),
    Limit(String, usize),
}

/// Parse the magic and header (only the first `data_start` bytes are needed).
pub(crate) fn header(b: &[u8]) -> Result<Header, HeaderError> {
    use HeaderError::*;
    if !b.starts_with(b"\x93NUMPY") {
        return Err(Malformed("no NumPy magic".into(), 0));
    }
    let (Some(&major), Some(&minor)) = (b.get(6), b.get(7)) else {
        return Err(Malformed("file ends inside the version".into(), 6));
    };
    let (len, start) = match major {
        1 => (le_u16(b, 8).map(u64::from), 10usize),
        2 | 3 => (le_u32(b, 8).map(u64::from), 12),
        _ => return Err(Malformed(format!("unsupported .npy version {major}.{minor}"), 6)),
    };
    let Some(len) = len else {
        return Err(Malformed("file ends inside the header length".into(), 8));
    };
    if len > limits::MAX_NPY_HEADER {
        return Err(Limit(format!("header length {len} exceeds the limit of {}", limits::MAX_NPY_HEADER), 8));
    }
    let end = start + len as usize;
    let Some(raw) = b.get(start..end) else {
        return Err(Malformed(format!("header length {len} runs past the end of the file"), 8));
    };
    let text: String =
        if major == 3 { String::from_utf8_lossy(raw).into_owned() } else { raw.iter().map(|&c| c as char).collect() };
    let dict = pylit::parse(text.trim_end())
        .map_err(|e| Malformed(format!("header is not a Python dict literal: {e}"), start))?;
    let (Some(descr), Some(Py::Bool(fortran)), Some(shape)) =
        (dict.get("descr"), dict.get("fortran_order"), dict.get("shape"))
    else {
        return Err(Malformed("header lacks descr, fortran_order or shape".into(), start));
    };
    let shape = match shape {
        Py::Tuple(items) | Py::List(items) => items
            .iter()
            .map(|i| match i {
                Py::Int(n) => u64::try_from(*n).ok(),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>(),
        _ => None,
    };
    let Some(shape) = shape else {
        return Err(Malformed("shape is not a tuple of non-negative integers".into(), start));
    };
    let (descr_s, structured, object) = match descr {
        Py::Str(s) => (s.clone(), false, s.contains('O')),
        other => ("structured".to_string(), true, has_object(other, 0)),
    };
    Ok(Header {
        version: (major, minor),
        descr: descr_s,
        structured,
        object,
        fortran: *fortran,
        shape,
        data_start: end,
    })
}

fn has_object(v: &Py, depth: u32) -> bool {
    if depth > limits::MAX_LITERAL_DEPTH {
        return false;
    }
    match v {
        Py::Str(s) => s.contains('O'),
        Py::Tuple(i) | Py::List(i) => i.iter().any(|x| has_object(x, depth + 1)),
        Py::Dict(i) => i.iter().any(|(k, x)| has_object(k, depth + 1) || has_object(x, depth + 1)),
        _ => false,
    }
}

/// A readable dtype name and the item size in bytes, when known.
pub(crate) fn dtype(descr: &str) -> (String, Option<u64>) {
    let d = descr.trim_start_matches(['<', '>', '|', '=']);
    let (kind, rest) = d.split_at(d.chars().next().map_or(0, char::len_utf8));
    let n: Option<u64> = rest.parse().ok();
    let named = |name: &str, size: u64| (name.to_string(), Some(size));
    match (kind, n) {
        ("b", Some(1)) | ("?", _) => named("bool", 1),
        ("f", Some(2)) => named("float16", 2),
        ("f", Some(4)) => named("float32", 4),
        ("f", Some(8)) => named("float64", 8),
        ("i", Some(1)) => named("int8", 1),
        ("i", Some(2)) => named("int16", 2),
        ("i", Some(4)) => named("int32", 4),
        ("i", Some(8)) => named("int64", 8),
        ("u", Some(1)) => named("uint8", 1),
        ("u", Some(2)) => named("uint16", 2),
        ("u", Some(4)) => named("uint32", 4),
        ("u", Some(8)) => named("uint64", 8),
        ("c", Some(8)) => named("complex64", 8),
        ("c", Some(16)) => named("complex128", 16),
        ("O", _) => ("object".to_string(), None),
        ("S" | "a" | "V", Some(n)) => (d.to_string(), Some(n)),
        ("U", Some(n)) => (d.to_string(), n.checked_mul(4)),
        ("f" | "i" | "u" | "c" | "b", Some(n)) => (d.to_string(), Some(n)),
        ("M" | "m", _) => (d.to_string(), Some(8)),
        _ => (d.to_string(), None),
    }
}

pub(crate) fn fill_meta(h: &Header, meta: &mut ModelMeta) -> Option<u64> {
    let (name, size) = if h.structured { ("structured".to_string(), None) } else { dtype(&h.descr) };
    meta.add_dtype(&name);
    if h.object {
        meta.set_extra("object_dtype", "true");
    }
    let numel = crate::util::product(&h.shape);
    if h.object { None } else { numel.and_then(|n| size.and_then(|s| n.checked_mul(s))) }
}

pub(crate) fn inspect(bytes: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    let h = match header(bytes) {
        Ok(h) => h,
        Err(HeaderError::Malformed(m, at)) => return sink.malformed(m, off(at)),
        Err(HeaderError::Limit(m, at)) => return sink.limit(m, off(at)),
    };
    meta.format_version = Some(format!("{}.{}", h.version.0, h.version.1));
    meta.tensor_count = Some(1);
    meta.parameter_count = crate::util::product(&h.shape);
    meta.set_extra("descr", &h.descr);
    meta.set_extra("shape", format!("{:?}", h.shape));
    meta.set_extra("fortran_order", h.fortran.to_string());
    let need = fill_meta(&h, meta);
    let have = off(bytes.len().saturating_sub(h.data_start));
    if let Some(need) = need
        && have < need
    {
        sink.malformed(
            format!("{have} bytes of data, but dtype and shape need {need} (truncated?)"),
            off(h.data_start),
        );
    }
    if meta.parameter_count.is_none() {
        sink.malformed("element count overflows u64", 8);
    }
}

//! AI model and data file formats: identify them from their bytes and read their metadata
//! without loading weights.
//!
//! Everything here is **pure, total and inert**: functions take bytes (callers memory-map) or
//! text and return data. They never panic, never execute, import, evaluate or render what they
//! read, never touch the file system, and bound every allocation (see [`limits`]). Problems in
//! the input become [`Issue`]s with the rule codes `CUS-FMT-001` (malformed or truncated) and
//! `CUS-FMT-002` (a parser limit was exceeded), declared with every `CUS-FMT-*` code in [`FmtCode`].
//!
//! - [`sniff`]: the format from the first bytes (content only, never the name).
//! - [`format_for_extension`] / [`extension_matches`]: what a file name claims, and whether the
//!   content is an acceptable thing to find under it (false means "the extension lies").
//! - [`inspect`]: sniff, then parse the whole file's structure into [`ModelMeta`]; it touches
//!   headers, metadata and protobuf/flatbuffer structure only, skipping tensor payloads.
//! - [`inspect_as`]: parse as a format known from elsewhere (Core ML `.mlmodel` and TensorFlow
//!   `.pb` have no reliable signature, so [`sniff`] never claims them).
//! - [`hf`], [`mlflow`], [`ollama`]: the text side files that describe models.
//! - [`zip`]: the relaxed central-directory reader (for the scanner to reach archive members).
//! - `fixtures` (feature `fixtures`): deterministic writers of tiny valid files of each format.
//!
//! Sniffing order (after formats.md §6.10): zip family (`PK`) → GGUF → NumPy → HDF5 (at 0, 512,
//! 1024, …) → APE/llamafile → 7z → gzip → Parquet → Arrow/Feather → TFLite (`TFL3`@4) → FAISS
//! fourcc → safetensors (structural) → legacy torch magic pickle → pickle → notebook JSON →
//! OpenVINO `<net>` XML → TFRecord (CRC-verified) → ONNX (protobuf structure).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

mod archive;
mod arrow;
mod coreml;
mod faiss;
mod flatbuf;
mod gguf;
mod hdf5;
pub mod hf;
pub mod limits;
mod llamafile;
pub mod mlflow;
mod notebook;
mod npy;
pub mod ollama;
mod onnx;
mod openvino;
mod parquet;
pub mod pickle;
pub mod proto;
mod pylit;
mod safetensors;
mod sniff;
mod tf;
mod tflite;
mod tfrecord;
mod util;
mod yaml;
pub use yaml::to_json as yaml_to_json;
pub mod zip;

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;

pub use archive::{gzip_body, other_archive, zlib_header};
pub use gguf::{ggml_type_name, gguf_file_type_name};
pub use sniff::{detect, sniff};
pub use util::{crc32, crc32c, masked_crc32c};

/// Rule code: malformed or truncated model or data file.
pub const MALFORMED: FmtCode = FmtCode::Malformed;
/// Rule code: file exceeds a parser limit.
pub const LIMIT: FmtCode = FmtCode::Limit;

custody_core::rules! {
    /// Codes of reading a model or data file's format.
    pub enum FmtCode {
        Malformed = "CUS-FMT-001", Medium, "Malformed or truncated model or data file",
            "A header that does not parse cannot be inventoried, hashed meaningfully per tensor, or trusted; loaders may behave unpredictably on it.",
            "Re-download the file from its source and compare its hash with the published one.";
        Limit = "CUS-FMT-002", Medium, "File exceeds a parser limit",
            "custody enforces limits on header sizes, counts and depth so hostile files cannot exhaust memory; what lies beyond the limit was not inspected.",
            "Inspect the file with a dedicated tool; if it is legitimate, report the limit as too low.";
        Uninspectable = "CUS-FMT-003", Medium, "Archive or compressed file custody cannot inspect",
            "A model packed in a format custody cannot open (7z, gzip) might hold anything; it is never reported as clean.",
            "Unpack it and scan the content, or get the model in an inspectable format.";
        NotFullyInspected = "CUS-FMT-004", High, "Model file not fully inspected",
            "custody could not analyse all of this model file (a pickle longer than the inspection window, an archive directory beyond it, a limit, content it cannot open), so code that runs when the file is loaded may be in the part not analysed; `custody inspect` refuses such a file as not known to be safe.",
            "Run `custody inspect FILE` to see why; get the model in a format custody checks fully (safetensors, GGUF), or accept the risk deliberately.";
        Empty = "CUS-FMT-005", Medium, "Empty model file",
            "A model file with no bytes is no model: a download or copy failed or was truncated, and whatever loads it fails or falls back to something else.",
            "Re-download the file from its source and compare its hash with the published one, or remove it.";
    }
}

/// A model or data file format custody recognises. Serialised kebab-case (`pytorch-zip`); the
/// same string is [`Format::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Safetensors,
    Gguf,
    Onnx,
    /// `torch.save` (≥ 1.6) zip archive.
    PytorchZip,
    /// `torch.save` legacy (pre-1.6) concatenated pickles starting with the magic number.
    TorchLegacy,
    /// `torch.jit.save` zip archive (code + constants).
    TorchScript,
    Pickle,
    Npy,
    Npz,
    KerasV3,
    Hdf5,
    /// TensorFlow `saved_model.pb` (or a frozen GraphDef): only via the extension.
    TfSavedModelPb,
    TfLite,
    /// Core ML `.mlmodel` protobuf: only via the extension.
    CoreMl,
    OpenVinoIr,
    Llamafile,
    Parquet,
    /// Arrow IPC file format (and Feather v1/v2).
    ArrowIpc,
    /// Arrow IPC streaming format (as Hugging Face `datasets` writes `.arrow`).
    ArrowStream,
    TfRecord,
    Faiss,
    SevenZip,
    Zip,
    Gzip,
    Notebook,
}

impl Format {
    /// Every format, in declaration order.
    pub const ALL: [Format; 25] = [
        Format::Safetensors,
        Format::Gguf,
        Format::Onnx,
        Format::PytorchZip,
        Format::TorchLegacy,
        Format::TorchScript,
        Format::Pickle,
        Format::Npy,
        Format::Npz,
        Format::KerasV3,
        Format::Hdf5,
        Format::TfSavedModelPb,
        Format::TfLite,
        Format::CoreMl,
        Format::OpenVinoIr,
        Format::Llamafile,
        Format::Parquet,
        Format::ArrowIpc,
        Format::ArrowStream,
        Format::TfRecord,
        Format::Faiss,
        Format::SevenZip,
        Format::Zip,
        Format::Gzip,
        Format::Notebook,
    ];

    /// The kebab-case name (the serde form).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Safetensors => "safetensors",
            Format::Gguf => "gguf",
            Format::Onnx => "onnx",
            Format::PytorchZip => "pytorch-zip",
            Format::TorchLegacy => "torch-legacy",
            Format::TorchScript => "torch-script",
            Format::Pickle => "pickle",
            Format::Npy => "npy",
            Format::Npz => "npz",
            Format::KerasV3 => "keras-v3",
            Format::Hdf5 => "hdf5",
            Format::TfSavedModelPb => "tf-saved-model-pb",
            Format::TfLite => "tf-lite",
            Format::CoreMl => "core-ml",
            Format::OpenVinoIr => "open-vino-ir",
            Format::Llamafile => "llamafile",
            Format::Parquet => "parquet",
            Format::ArrowIpc => "arrow-ipc",
            Format::ArrowStream => "arrow-stream",
            Format::TfRecord => "tf-record",
            Format::Faiss => "faiss",
            Format::SevenZip => "seven-zip",
            Format::Zip => "zip",
            Format::Gzip => "gzip",
            Format::Notebook => "notebook",
        }
    }

    /// Typical extensions, lowercase, without the dot.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Format::Safetensors => &["safetensors"],
            Format::Gguf => &["gguf"],
            Format::Onnx => &["onnx"],
            Format::PytorchZip => &["pt", "pth", "bin", "ckpt"],
            Format::TorchLegacy => &["pt", "pth", "bin", "ckpt"],
            Format::TorchScript => &["pt", "pth", "torchscript", "ptl"],
            Format::Pickle => &["pkl", "pickle", "joblib", "dill"],
            Format::Npy => &["npy"],
            Format::Npz => &["npz"],
            Format::KerasV3 => &["keras"],
            Format::Hdf5 => &["h5", "hdf5", "hdf"],
            Format::TfSavedModelPb => &["pb"],
            Format::TfLite => &["tflite", "lite"],
            Format::CoreMl => &["mlmodel"],
            Format::OpenVinoIr => &["xml"],
            Format::Llamafile => &["llamafile"],
            Format::Parquet => &["parquet", "pq"],
            Format::ArrowIpc => &["arrow", "feather", "ipc"],
            Format::ArrowStream => &["arrow", "arrows"],
            Format::TfRecord => &["tfrecord", "tfrecords"],
            Format::Faiss => &["faiss", "index"],
            Format::SevenZip => &["7z"],
            Format::Zip => &["zip"],
            Format::Gzip => &["gz"],
            Format::Notebook => &["ipynb"],
        }
    }

    /// Whether files of this format are (or commonly hold) models. Pickle, NumPy and HDF5 are
    /// both model and dataset formats.
    /// Formats whose directory or footer is at the end of the file (zip family, Parquet, Arrow
    /// files, HDF5 superblocks may be anywhere): a prefix of such a file says nothing reliable.
    pub fn directory_at_end(self) -> bool {
        matches!(
            self,
            Format::PytorchZip
                | Format::TorchScript
                | Format::Npz
                | Format::KerasV3
                | Format::Zip
                | Format::Llamafile
                | Format::Parquet
                | Format::ArrowIpc
                | Format::Hdf5
        )
    }

    pub fn is_model(self) -> bool {
        matches!(
            self,
            Format::Safetensors
                | Format::Gguf
                | Format::Onnx
                | Format::PytorchZip
                | Format::TorchLegacy
                | Format::TorchScript
                | Format::Pickle
                | Format::Npz
                | Format::KerasV3
                | Format::Hdf5
                | Format::TfSavedModelPb
                | Format::TfLite
                | Format::CoreMl
                | Format::OpenVinoIr
                | Format::Llamafile
        )
    }

    /// Whether files of this format are (or commonly hold) datasets, embeddings or indexes.
    pub fn is_dataset(self) -> bool {
        matches!(
            self,
            Format::Pickle
                | Format::Npy
                | Format::Npz
                | Format::Hdf5
                | Format::Parquet
                | Format::ArrowIpc
                | Format::ArrowStream
                | Format::TfRecord
                | Format::Faiss
        )
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn norm_ext(ext: &str) -> String {
    ext.trim_start_matches('.').to_ascii_lowercase()
}

/// The format a file's extension claims (lowercase, without the dot; a leading dot and upper
/// case are tolerated), if it claims exactly one. Ambiguous extensions (`pt`, `pth`, `bin`,
/// `ckpt`: zip, legacy or TorchScript; `xml`, `json`, `index`, `lite`...) return `None`: use
/// [`extension_matches`] to judge content found under them.
pub fn format_for_extension(ext: &str) -> Option<Format> {
    Some(match norm_ext(ext).as_str() {
        "safetensors" => Format::Safetensors,
        "gguf" => Format::Gguf,
        "onnx" => Format::Onnx,
        "torchscript" => Format::TorchScript,
        "pkl" | "pickle" | "joblib" | "dill" => Format::Pickle,
        "npy" => Format::Npy,
        "npz" => Format::Npz,
        "keras" => Format::KerasV3,
        "h5" | "hdf5" | "hdf" => Format::Hdf5,
        "pb" => Format::TfSavedModelPb,
        "tflite" => Format::TfLite,
        "mlmodel" => Format::CoreMl,
        "llamafile" => Format::Llamafile,
        "parquet" | "pq" => Format::Parquet,
        "arrow" | "feather" => Format::ArrowIpc,
        "arrows" => Format::ArrowStream,
        "tfrecord" | "tfrecords" => Format::TfRecord,
        "faiss" => Format::Faiss,
        "7z" => Format::SevenZip,
        "zip" => Format::Zip,
        "gz" => Format::Gzip,
        "ipynb" => Format::Notebook,
        _ => return None,
    })
}

/// Formats acceptable under `ext`; `None` for an extension we make no claim about.
fn acceptable(ext: &str) -> Option<&'static [Format]> {
    use Format::*;
    const TORCH: &[Format] = &[PytorchZip, TorchScript, TorchLegacy, Pickle, Zip];
    Some(match ext {
        "safetensors" => &[Safetensors],
        "gguf" => &[Gguf],
        "onnx" => &[Onnx],
        "pt" | "pth" | "ckpt" | "ptl" => TORCH,
        // `.bin` is also what llama.cpp called GGUF files for a while.
        "bin" => &[PytorchZip, TorchScript, TorchLegacy, Pickle, Zip, Gguf],
        "torchscript" => &[TorchScript, PytorchZip],
        "pkl" | "pickle" | "dill" => &[Pickle, TorchLegacy, PytorchZip],
        // joblib files are pickles, optionally compressed (gzip is the one we recognise).
        "joblib" => &[Pickle, Gzip],
        "npy" => &[Npy],
        "npz" => &[Npz, Zip],
        "keras" => &[KerasV3, Zip, Hdf5],
        "h5" | "hdf5" | "hdf" => &[Hdf5],
        "pb" => &[TfSavedModelPb],
        "tflite" | "lite" => &[TfLite],
        "mlmodel" => &[CoreMl],
        "xml" => &[OpenVinoIr],
        "llamafile" => &[Llamafile],
        "parquet" | "pq" => &[Parquet],
        "arrow" | "ipc" | "arrows" => &[ArrowIpc, ArrowStream],
        "feather" => &[ArrowIpc],
        "tfrecord" | "tfrecords" => &[TfRecord, Gzip],
        "faiss" => &[Faiss],
        "7z" => &[SevenZip],
        "zip" => &[Zip, PytorchZip, TorchScript, KerasV3, Npz],
        "gz" | "tgz" => &[Gzip],
        "ipynb" => &[Notebook],
        // Plain text, documents and pictures: no model or data format belongs there.
        "json" => &[Notebook],
        "txt" | "md" | "rst" | "csv" | "tsv" | "jsonl" | "ndjson" | "yaml" | "yml" | "toml" | "ini" | "cfg" | "py"
        | "js" | "ts" | "html" | "htm" | "css" | "svg" | "png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp" | "ico"
        | "pdf" | "wav" | "mp3" | "mp4" => &[],
        _ => return None,
    })
}

/// Whether content of format `actual` is an acceptable thing to find under extension `ext`
/// (lowercase, without the dot). `false` means the extension lies: a pickle under
/// `.safetensors`, a zip under `.gguf`, a 7z archive under `.pt`, a pickle under `.png`.
/// Extensions custody makes no claim about (`dat`, `exe`, none at all...) accept anything.
pub fn extension_matches(ext: &str, actual: Format) -> bool {
    match acceptable(&norm_ext(ext)) {
        Some(list) => list.contains(&actual),
        None => true,
    }
}

/// Metadata extracted from a model or data file (or from its side files).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelMeta {
    pub format_version: Option<String>,
    pub tensor_count: Option<u64>,
    pub parameter_count: Option<u64>,
    /// dtype name → number of tensors.
    pub dtypes: BTreeMap<String, u64>,
    /// GGUF file type name ("Q4_K_M"), a quantisation method, or the dominant quantised dtype.
    pub quantization: Option<String>,
    /// GGUF `general.architecture`, ONNX domain or graph name, Keras class, HF `architectures[0]`.
    pub architecture: Option<String>,
    pub name: Option<String>,
    /// ONNX producer name + version, Keras version, safetensors `__metadata__["format"]`...
    pub producer: Option<String>,
    /// ONNX `opset_import` (domain, version); the empty domain is `ai.onnx`.
    pub opsets: Vec<(String, i64)>,
    /// "text", "vision", "audio" when evident.
    pub modalities: BTreeSet<String>,
    pub license: Option<String>,
    pub base_models: Vec<String>,
    pub datasets: Vec<String>,
    /// Embedded chat template text, capped at [`limits::MAX_CHAT_TEMPLATE`].
    pub chat_template: Option<String>,
    /// ONNX external-data `location` values, verbatim, de-duplicated, in order of appearance.
    pub external_data: Vec<String>,
    /// ONNX node (and TFLite custom op) domains other than "", "ai.onnx", "ai.onnx.ml".
    pub custom_domains: Vec<String>,
    /// Archive member names, capped at [`limits::MAX_MEMBERS`] (then an issue).
    pub members: Vec<String>,
    /// Other facts worth showing, small.
    pub extra: BTreeMap<String, String>,
}

impl ModelMeta {
    pub(crate) fn set_extra(&mut self, key: impl Into<String>, value: impl AsRef<str>) {
        self.extra.insert(key.into(), util::short(value.as_ref()));
    }
    pub(crate) fn set_chat_template(&mut self, t: &str) {
        if t.len() > limits::MAX_CHAT_TEMPLATE {
            self.extra.insert("chat_template_truncated".into(), "true".into());
        }
        self.chat_template = Some(util::cap(t, limits::MAX_CHAT_TEMPLATE));
    }
    pub(crate) fn push_unique(list: &mut Vec<String>, v: &str) {
        if list.len() < limits::MAX_LIST && !list.iter().any(|x| x == v) {
            list.push(util::cap(v, limits::MAX_META_STRING));
        }
    }
    pub(crate) fn add_dtype(&mut self, dtype: &str) {
        *self.dtypes.entry(util::cap(dtype, 64)).or_insert(0) += 1;
    }
    /// The most common dtype when it is a quantised one (per `is_quant`).
    pub(crate) fn dominant_quantized(&self, is_quant: impl Fn(&str) -> bool) -> Option<String> {
        let (name, _) = self.dtypes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
        is_quant(name).then(|| name.clone())
    }
}

pub(crate) fn meta_string(s: &str) -> String {
    util::cap(s, limits::MAX_META_STRING)
}

/// A problem found in a file: `CUS-FMT-001` (malformed or truncated) or `CUS-FMT-002` (limit
/// exceeded), a message, and the byte offset where it was seen when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: FmtCode,
    pub message: String,
    pub offset: Option<u64>,
}

/// What [`inspect`] found: the format (`None`: not recognised), its metadata and problems.
/// For `SevenZip` and `Gzip` the metadata is (nearly) empty and there are no issues: whether
/// "could not look inside" matters is the caller's decision.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Inspection {
    pub format: Option<Format>,
    pub meta: ModelMeta,
    pub issues: Vec<Issue>,
}

/// Sniff, then parse the file's bytes. Touches headers, metadata and structure only (raw
/// tensor payloads are skipped without being read), so a memory-mapped multi-GB file costs
/// little. Total: never panics; allocation is bounded regardless of input.
///
/// For the zip family the central directory decides the format (so `inspect` may refine what
/// [`sniff`] guessed from local headers); a zip-based llamafile reports `Llamafile`.
pub fn inspect(bytes: &[u8]) -> Inspection {
    let head = &bytes[..bytes.len().min(limits::SNIFF_LEN)];
    match sniff(head).or_else(|| hdf5::find_signature(bytes).map(|_| Format::Hdf5)) {
        Some(f) => inspect_as(bytes, f),
        None => Inspection::default(),
    }
}

/// Like [`inspect_as`] when `bytes` is only the first part of a file of `file_len` bytes (the
/// caller streamed the file and kept a bounded prefix). safetensors and GGUF check tensor
/// offsets against `file_len`; for other formats, issues that only say the prefix ended early
/// (at or within 1 KiB of its end) are dropped, and `extra["inspected_bytes"]` records how
/// much was parsed.
pub fn inspect_prefix_as(bytes: &[u8], format: Format, file_len: u64) -> Inspection {
    let whole = file_len <= bytes.len() as u64;
    if whole {
        return inspect_as(bytes, format);
    }
    let mut meta = ModelMeta::default();
    let mut sink = util::Sink::default();
    let mut ins = match format {
        Format::Safetensors => {
            safetensors::inspect_len(bytes, file_len, &mut meta, &mut sink);
            Inspection { format: Some(format), meta, issues: sink.issues }
        }
        Format::Gguf => {
            gguf::inspect_len(bytes, file_len, &mut meta, &mut sink);
            Inspection { format: Some(format), meta, issues: sink.issues }
        }
        _ => {
            let mut i = inspect_as(bytes, format);
            let end = bytes.len() as u64;
            i.issues.retain(|x| x.offset.is_none_or(|o| o.saturating_add(1024) < end));
            i
        }
    };
    ins.meta.extra.insert("inspected_bytes".into(), bytes.len().to_string());
    ins
}

/// Parse `bytes` as `format` (known from the extension, a directory layout, or [`sniff`]).
/// If the bytes are not that format the issues say so (`CUS-FMT-001`). The zip family refines
/// the format from the central directory (`Zip` may come back as `PytorchZip`, and so on).
pub fn inspect_as(bytes: &[u8], format: Format) -> Inspection {
    let mut sink = util::Sink::default();
    let mut meta = ModelMeta::default();
    let mut format = format;
    match format {
        Format::Safetensors => safetensors::inspect(bytes, &mut meta, &mut sink),
        Format::Gguf => gguf::inspect(bytes, &mut meta, &mut sink),
        Format::Onnx => onnx::inspect(bytes, &mut meta, &mut sink),
        Format::PytorchZip | Format::TorchScript | Format::Npz | Format::KerasV3 | Format::Zip => {
            format = zip::inspect(bytes, format, &mut meta, &mut sink)
        }
        Format::TorchLegacy | Format::Pickle => format = pickle::inspect(bytes, format, &mut meta, &mut sink),
        Format::Npy => npy::inspect(bytes, &mut meta, &mut sink),
        Format::Hdf5 => hdf5::inspect(bytes, &mut meta, &mut sink),
        Format::TfSavedModelPb => tf::inspect(bytes, &mut meta, &mut sink),
        Format::TfLite => tflite::inspect(bytes, &mut meta, &mut sink),
        Format::CoreMl => coreml::inspect(bytes, &mut meta, &mut sink),
        Format::OpenVinoIr => openvino::inspect(bytes, &mut meta, &mut sink),
        Format::Llamafile => llamafile::inspect(bytes, &mut meta, &mut sink),
        Format::Parquet => parquet::inspect(bytes, &mut meta, &mut sink),
        Format::ArrowIpc | Format::ArrowStream => format = arrow::inspect(bytes, format, &mut meta, &mut sink),
        Format::TfRecord => tfrecord::inspect(bytes, &mut meta, &mut sink),
        Format::Faiss => faiss::inspect(bytes, &mut meta, &mut sink),
        Format::SevenZip => archive::inspect_7z(bytes, &mut meta, &mut sink),
        Format::Gzip => archive::inspect_gzip(bytes, &mut meta, &mut sink),
        Format::Notebook => notebook::inspect(bytes, &mut meta, &mut sink),
    }
    Inspection { format: Some(format), meta, issues: sink.issues }
}

#[cfg(test)]
mod tests;

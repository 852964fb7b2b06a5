//! Content sniffing: which format the first bytes of a file are. See the crate docs for the
//! order; every test is cheap (fixed offsets, a bounded structural walk of at most the head).

use crate::{
    Format, arrow, faiss, hdf5, limits, llamafile, notebook, onnx, openvino, pickle, safetensors, tflite, tfrecord, zip,
};

/// Identify a format from the first bytes of a file (callers pass up to the first
/// [`limits::SNIFF_LEN`] bytes; the slice may be shorter than the file). Content only, never the
/// name. Core ML and TensorFlow `.pb` are never returned (no reliable signature: use
/// [`crate::format_for_extension`] and [`crate::inspect_as`]).
///
/// Zip-family files are classified from the central directory when the slice holds the whole
/// archive, otherwise from the local headers visible in it (a best guess that
/// [`crate::inspect`] refines). Any Actually-Portable-Executable (`MZqFpD='`...) is reported as
/// `Llamafile`.
pub fn sniff(head: &[u8]) -> Option<Format> {
    let head = &head[..head.len().min(limits::SNIFF_LEN)];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(zip::classify_head(head));
    }
    if head.starts_with(b"GGUF") {
        return Some(Format::Gguf);
    }
    if head.starts_with(b"\x93NUMPY") {
        return Some(Format::Npy);
    }
    if hdf5::find_signature(head).is_some() {
        return Some(Format::Hdf5);
    }
    if llamafile::is_ape(head) {
        return Some(Format::Llamafile);
    }
    if head.starts_with(b"7z\xBC\xAF\x27\x1C") {
        return Some(Format::SevenZip);
    }
    if head.starts_with(b"\x1F\x8B\x08") {
        return Some(Format::Gzip);
    }
    if head.starts_with(b"PAR1") {
        return Some(Format::Parquet);
    }
    if let Some(f) = arrow::sniff(head) {
        return Some(f);
    }
    if tflite::sniff(head) {
        return Some(Format::TfLite);
    }
    if faiss::sniff(head) {
        return Some(Format::Faiss);
    }
    if safetensors::sniff(head) {
        return Some(Format::Safetensors);
    }
    if head.starts_with(pickle::TORCH_LEGACY_MAGIC) {
        return Some(Format::TorchLegacy);
    }
    if pickle::sniff(head).is_some() {
        return Some(Format::Pickle);
    }
    if notebook::sniff(head) {
        return Some(Format::Notebook);
    }
    if openvino::sniff(head) {
        return Some(Format::OpenVinoIr);
    }
    if tfrecord::sniff(head) {
        return Some(Format::TfRecord);
    }
    if onnx::sniff(head) {
        return Some(Format::Onnx);
    }
    None
}

/// Extensions pickles are saved under (joblib, torch and plain `pickle.dump`).
const PICKLE_EXTS: &[&str] = &["pkl", "pickle", "joblib", "dill", "pt", "pth", "bin", "ckpt", "dat", "data", "p"];

/// What a loader would take `b` (a whole file or a prefix) for, for a security analysis: the
/// content first ([`sniff`] of the head, an HDF5 signature anywhere in `b`, and a pickle that
/// starts like one even where the head does not sniff as a whole stream), then the extension
/// for the formats without a signature (TensorFlow `pb`, `onnx`, `safetensors`). `ext` is
/// lowercase, without the dot.
pub fn detect(b: &[u8], ext: &str) -> Option<Format> {
    let head = &b[..b.len().min(limits::SNIFF_LEN)];
    let mut fmt = sniff(head).or_else(|| hdf5::find_signature(b).map(|_| Format::Hdf5)).or_else(|| {
        // A pickle that breaks early (nullifAI) or carries joblib array data inline does not
        // sniff as a whole stream: a PROTO header, or a pickle extension and a first opcode
        // that can start a protocol 0/1 stream, is enough to analyse it.
        let proto = head.len() >= 3 && head[0] == 0x80 && (2..=5).contains(&head[1]);
        let ext_hint = PICKLE_EXTS.contains(&ext) && head.first().is_some_and(|c| b"(cil]}".contains(c));
        (proto || ext_hint).then_some(Format::Pickle)
    });
    // Formats without a signature: the extension decides (a SavedModel can look like ONNX).
    match (ext, fmt) {
        ("pb", None | Some(Format::Onnx)) if !head.is_empty() => fmt = Some(Format::TfSavedModelPb),
        ("onnx", None) => fmt = Some(Format::Onnx),
        ("safetensors", None) if head.len() >= 8 => fmt = Some(Format::Safetensors),
        _ => {}
    }
    fmt
}

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

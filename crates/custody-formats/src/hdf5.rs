//! HDF5 (Keras 2 `.h5`, Keras 3 `*.weights.h5`, generic scientific data).
//!
//! The signature `89 48 44 46 0D 0A 1A 0A` sits at offset 0 or, after a user block, at 512,
//! 1024, 2048, … (powers of two); the superblock version byte follows it. HDF5 is not parsed
//! (that needs a full HDF5 implementation); for legacy Keras files the root attributes
//! `keras_version` and `model_config` (a JSON string) are usually stored near the start, so the
//! first [`SCAN`] bytes are searched for them: this is a heuristic, reported in `extra`.

use crate::util::{Sink, find, off};
use crate::{ModelMeta, meta_string};

const SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";
/// Bytes searched for Keras attributes.
const SCAN: usize = 4 * 1024 * 1024;

/// Offset of the HDF5 signature (0, 512, 1024, … within `b`).
pub(crate) fn find_signature(b: &[u8]) -> Option<usize> {
    let mut at = 0usize;
    loop {
        if b.get(at..)?.starts_with(SIGNATURE) {
            return Some(at);
        }
        at = if at == 0 { 512 } else { at.checked_mul(2)? };
        if at.checked_add(SIGNATURE.len())? > b.len() {
            return None;
        }
    }
}

pub(crate) fn inspect(b: &[u8], meta: &mut ModelMeta, sink: &mut Sink) {
    let Some(at) = find_signature(b) else {
        sink.malformed("no HDF5 signature at 0, 512, 1024, …", 0);
        return;
    };
    match b.get(at + 8) {
        Some(v) => meta.format_version = Some(format!("superblock {v}")),
        None => sink.malformed("file ends after the HDF5 signature", off(at)),
    }
    if at > 0 {
        meta.set_extra("user_block_bytes", at.to_string());
    }
    let window = &b[..b.len().min(SCAN)];
    if find(window, b"keras_version").is_some() || find(window, b"model_config").is_some() {
        meta.set_extra("keras", "true");
        if let Some(p) = find(window, b"{\"class_name\": \"") {
            let rest = &window[p + 16..];
            let end = rest.iter().take(256).position(|&c| c == b'"');
            if let Some(end) = end {
                meta.architecture = Some(meta_string(&String::from_utf8_lossy(&rest[..end])));
            }
        }
        let lambdas = window.windows(22).filter(|w| w == b"\"class_name\": \"Lambda\"").count();
        if lambdas > 0 {
            meta.set_extra("lambda_layers", lambdas.to_string());
        }
    }
}

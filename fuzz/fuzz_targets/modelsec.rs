//! custody-modelsec must be total and bounded on any input: no panic, no hang, bounded
//! findings. The first byte picks the name hint (the extension matters for formats without a
//! signature) and whether the rest is the whole file or a prefix of a larger one.
//!     cargo fuzz run -s none modelsec
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 16] = [
    "model.pkl",
    "pytorch_model.bin",
    "model.pt",
    "model.joblib",
    "weights.npy",
    "arrays.npz",
    "model.keras",
    "model.h5",
    "saved_model.pb",
    "model.onnx",
    "model.gguf",
    "model.safetensors",
    "tokenizer_config.json",
    "chat_template.jinja",
    "model.7z",
    "data",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let file_len = if selector & 0x80 != 0 { rest.len() as u64 * 3 + 1 } else { rest.len() as u64 };
    let a = custody_modelsec::analyze(name, rest, file_len);
    assert!(a.findings.len() <= custody_modelsec::MAX_FINDINGS + 1);
});

//! Model-file security analysis: find code execution and tampering in pickle, PyTorch, NumPy,
//! joblib, Keras, TensorFlow, ONNX, GGUF and safetensors files **without loading them**.
//!
//! [`analyze`] is pure (no IO), total (never panics, whatever the bytes) and bounded (opcode,
//! memo, stack, nesting, inflation and finding budgets). It sniffs the content (never trusting
//! the extension, except for the formats that have no signature), parses containers the way
//! the loaders do (central directory first like `torch.load`, ignoring CRCs and flag bits), and
//! returns [`custody_core::Finding`]s with stable rule codes (`CUS-PKL-*`, `CUS-ZIP-*`,
//! `CUS-NPY-*`, `CUS-KER-*`, `CUS-TF-*`, `CUS-ONX-*`, `CUS-GGUF-*`, `CUS-JJA-*`, `CUS-ST-*`; see
//! [`codes`]), each located by path, archive member and byte offset (or template line:column).
//! With a `member` (`archive/data.pkl`, nested as `outer.zip!inner.pt!archive/data.pkl`, or a
//! GGUF key such as `tokenizer.chat_template`), the offset is within that member's content.
//!
//! Structural problems that `custody_formats` already reports (`CUS-FMT-*`) are not repeated
//! here; callers that want both call `custody_formats::inspect_*` as well.
//!
//! Cost: headers only for safetensors/GGUF/ONNX; a linear pass over each pickle (a PyTorch
//! `data.pkl` of a few MB takes milliseconds); zip members are read in place or inflated with
//! a cap. Nothing is ever written, extracted, imported, executed or rendered.

pub mod codes;
mod ctx;
mod dispatch;
mod file;
mod gguf;
mod jinja;
mod keras;
mod npy;
mod onnx;
pub mod pickle;
pub mod policy;
mod safetensors;
mod tf;
mod zipsec;

#[cfg(feature = "fixtures")]
pub mod fixtures;

pub use ctx::MAX_FINDINGS;
pub use file::{EXTENSION_ONLY, Examined, examine, merge, parse_as};
pub use jinja::{format_label, is_template_source};
pub use pickle::{CallReport, ImportReport, PickleReport, StreamReport};

use custody_core::Finding;
use custody_formats::Format;
use serde::Serialize;

/// Opcodes analysed per file (all streams, members and nested pickles together).
pub const MAX_OPCODES: u64 = 50_000_000;
/// Bytes inflated per file (zip members, zlib/gzip joblib files).
pub const MAX_INFLATE_TOTAL: u64 = 1 << 30;
/// Bytes inflated per member or compressed file.
pub const MAX_INFLATE_MEMBER: usize = 256 << 20;
/// Archives nested in archives that are opened.
pub const MAX_ARCHIVE_DEPTH: u32 = 2;

/// The result of analysing one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Analysis {
    /// What the content is (`None`: not a format custody recognises). zlib/gzip-compressed
    /// joblib files report the format of the decompressed content.
    pub format: Option<Format>,
    pub findings: Vec<Finding>,
    /// False when part of the file could not be inspected (7z, gzip of an archive, encrypted or
    /// unsupported zip members, a prefix of a format whose directory is at the end, a limit):
    /// such a file is never "clean", and a `CUS-ZIP-001` or `CUS-PKL-008` finding says why.
    pub inspected: bool,
    /// The imports and calls of every pickle stream seen (for `custody inspect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickle: Option<PickleReport>,
}

impl Analysis {
    /// The highest severity among the findings.
    pub fn max_severity(&self) -> Option<custody_core::Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// How much of a model file `custody inspect` and `custody scan` read for the security
/// analysis: files up to this size are read whole (a zip's directory is at its end), larger
/// ones up to it, and what could not be cleared within it is reported as not fully inspected.
/// One number for both, so they clear the same files.
pub const ANALYSIS_LIMIT: u64 = 256 << 20;

/// Analyse one file. `path` is used for locations and, for the formats without a signature
/// (TensorFlow `.pb`, chat templates in `tokenizer_config.json` or `*.jinja`), as a hint;
/// `bytes` is the file or a prefix of it, `file_len` the whole file's length (a prefix makes
/// formats that keep their directory at the end uninspectable, and pickles cut by the prefix
/// incomplete, rather than malformed).
pub fn analyze(path: &str, bytes: &[u8], file_len: u64) -> Analysis {
    let mut ctx = ctx::Ctx::new(path);
    let file_len = file_len.max(bytes.len() as u64);
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let format = dispatch::dispatch(&mut ctx, bytes, file_len, None, 0, name);
    ctx.finish(format)
}

/// Name hints the fuzz target chooses from (the extension matters for formats without a
/// signature).
const FUZZ_NAMES: [&str; 16] = [
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

/// One fuzz case, decoded the same way by the fuzz target and by the regression test that
/// replays its crashes: the first byte picks the name hint and whether the rest is a whole file
/// or the prefix of a larger one. Runs [`analyze`] and checks its bounds.
#[doc(hidden)]
pub fn fuzz_one(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let name = FUZZ_NAMES[usize::from(selector) % FUZZ_NAMES.len()];
    let file_len = if selector & 0x80 != 0 { rest.len() as u64 * 3 + 1 } else { rest.len() as u64 };
    let a = analyze(name, rest, file_len);
    assert!(a.findings.len() <= MAX_FINDINGS + 1);
}

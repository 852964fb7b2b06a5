//! Every limit the parsers enforce, in one place. Exceeding one yields a `CUS-FMT-002` issue
//! ("what lies beyond was not inspected"); input that contradicts itself or ends early yields
//! `CUS-FMT-001`. Loops over input-declared counts are additionally bounded by the bytes left,
//! and no allocation is ever sized by an untrusted length that was not checked against both the
//! remaining input and one of these limits.

/// How many leading bytes [`crate::sniff`] looks at (callers pass at most this much).
pub const SNIFF_LEN: usize = 64 * 1024;

/// Issues kept per inspection; one more says that the rest were dropped.
pub const MAX_ISSUES: usize = 64;

/// Longest string kept in a [`crate::ModelMeta`] field (name, architecture, licence, ...).
pub const MAX_META_STRING: usize = 4 * 1024;
/// Longest value kept in [`crate::ModelMeta::extra`].
pub const MAX_EXTRA_VALUE: usize = 1024;
/// Entries kept in [`crate::ModelMeta::extra`] that come from free-form input (metadata maps).
pub const MAX_EXTRA_ENTRIES: usize = 128;
/// Longest chat template kept (bytes); longer ones are cut and `extra["chat_template_truncated"]` is set.
pub const MAX_CHAT_TEMPLATE: usize = 1024 * 1024;
/// Archive member names listed in [`crate::ModelMeta::members`].
pub const MAX_MEMBERS: usize = 10_000;
/// Values kept in list fields such as `external_data`, `custom_domains`, `base_models`, `datasets`.
pub const MAX_LIST: usize = 10_000;

/// safetensors: largest header (the reference implementation's `MAX_HEADER_SIZE`).
pub const MAX_SAFETENSORS_HEADER: u64 = 100_000_000;

/// GGUF: metadata key/value pairs.
pub const MAX_GGUF_KV: u64 = 1_000_000;
/// GGUF: tensor infos.
pub const MAX_GGUF_TENSORS: u64 = 10_000_000;
/// GGUF: one string (keys, values, array elements).
pub const MAX_GGUF_STRING: u64 = 64 * 1024 * 1024;
/// GGUF: elements of one array.
pub const MAX_GGUF_ARRAY: u64 = 64 * 1024 * 1024;
/// GGUF: arrays nested in arrays.
pub const MAX_GGUF_DEPTH: u32 = 8;
/// GGUF: dimensions of one tensor (ggml's `GGML_MAX_DIMS`).
pub const MAX_GGUF_DIMS: u32 = 4;

/// Protobuf (ONNX, Core ML, TensorFlow): nested messages (subgraphs nest).
pub const MAX_PROTO_DEPTH: u32 = 64;

/// NumPy `.npy`: header length.
pub const MAX_NPY_HEADER: u64 = 1024 * 1024;
/// Python/YAML literal nesting.
pub const MAX_LITERAL_DEPTH: u32 = 32;

/// Zip: the end-of-central-directory record is searched for in this many trailing bytes
/// (22-byte record + 65535-byte comment).
pub const ZIP_EOCD_SEARCH: usize = 22 + 65_535;
/// Zip: central-directory entries read (each takes at least 46 bytes of input as well).
pub const MAX_ZIP_ENTRIES: u64 = 100_000;
/// Zip: `.npy` members of an `.npz` whose headers are read.
pub const MAX_NPZ_MEMBERS: usize = 10_000;
/// Zip: largest output of inflating one member we read (`config.json`, npy headers...).
pub const MAX_INFLATE: usize = 16 * 1024 * 1024;
/// Zip: declared compression ratio above which a member is reported as a possible zip bomb.
pub const MAX_ZIP_RATIO: u64 = 1_000;
/// Zip: declared total uncompressed size above which the archive is reported (1 TiB).
pub const MAX_ZIP_TOTAL: u64 = 1 << 40;

/// JSON documents parsed into a tree (Hugging Face configs; Keras configs are bounded by
/// [`MAX_INFLATE`]).
pub const MAX_JSON: usize = 16 * 1024 * 1024;
/// Notebooks (parsed into a few typed fields; cell sources and outputs are skipped, not kept).
pub const MAX_NOTEBOOK: usize = 256 * 1024 * 1024;
/// Model/dataset card YAML front matter.
pub const MAX_FRONT_MATTER: usize = 256 * 1024;
/// Text files parsed whole (MLmodel, Modelfile).
pub const MAX_TEXT: usize = 16 * 1024 * 1024;

/// TFRecord: records walked (headers only; the rest is counted as "at least").
pub const MAX_TFRECORD_RECORDS: u64 = 10_000;
/// FlatBuffers (TFLite, Arrow): vector elements visited.
pub const MAX_FLATBUFFER_ITEMS: u32 = 1_000_000;
/// Parquet footer (Thrift) size read.
pub const MAX_PARQUET_FOOTER: u64 = 64 * 1024 * 1024;

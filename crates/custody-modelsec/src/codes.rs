//! The rule codes this crate emits (documented in `custody_core::RULES`).

pub const PKL_CRITICAL: &str = "CUS-PKL-001";
pub const PKL_DANGEROUS: &str = "CUS-PKL-002";
pub const PKL_UNKNOWN: &str = "CUS-PKL-003";
pub const PKL_BROKEN: &str = "CUS-PKL-004";
pub const PKL_FRAME: &str = "CUS-PKL-005";
pub const PKL_MEMO: &str = "CUS-PKL-006";
pub const PKL_TAMPER: &str = "CUS-PKL-007";
pub const PKL_LIMIT: &str = "CUS-PKL-008";
pub const PKL_NESTED: &str = "CUS-PKL-009";
pub const PKL_MULTI: &str = "CUS-PKL-010";

pub const ZIP_UNINSPECTABLE: &str = "CUS-ZIP-001";
pub const ZIP_NAME_MISMATCH: &str = "CUS-ZIP-002";
pub const ZIP_CRC: &str = "CUS-ZIP-003";
pub const ZIP_FLAGS: &str = "CUS-ZIP-004";
pub const ZIP_TRAVERSAL: &str = "CUS-ZIP-005";
pub const ZIP_BOMB: &str = "CUS-ZIP-006";
pub const ZIP_MALFORMED: &str = "CUS-ZIP-007";
pub const ZIP_DUPLICATE: &str = "CUS-ZIP-008";
pub const ZIP_HIDDEN_PICKLE: &str = "CUS-ZIP-009";
pub const ZIP_POLYGLOT: &str = "CUS-ZIP-010";

pub const NPY_OBJECT: &str = "CUS-NPY-001";

pub const KER_LAMBDA: &str = "CUS-KER-001";
pub const KER_MODULE: &str = "CUS-KER-002";
pub const KER_GADGET: &str = "CUS-KER-003";
pub const KER_CUSTOM: &str = "CUS-KER-004";
pub const KER_H5: &str = "CUS-KER-005";

pub const TF_PYTHON: &str = "CUS-TF-001";
pub const TF_FILE: &str = "CUS-TF-002";
pub const TF_PATH: &str = "CUS-TF-003";

pub const ONX_PATH: &str = "CUS-ONX-001";
pub const ONX_DOMAIN: &str = "CUS-ONX-002";

pub const GGUF_HEADER: &str = "CUS-GGUF-001";

pub const JJA_DUNDER: &str = "CUS-JJA-001";
pub const JJA_GADGET: &str = "CUS-JJA-002";
pub const JJA_TRIGGER: &str = "CUS-JJA-003";
pub const JJA_UNPARSED: &str = "CUS-JJA-004";
pub const JJA_LEXICAL: &str = "CUS-JJA-005";

pub const ST_HEADER: &str = "CUS-ST-001";
pub const ST_OFFSETS: &str = "CUS-ST-002";
pub const ST_TRAILING: &str = "CUS-ST-003";
pub const ST_METADATA: &str = "CUS-ST-004";

/// Every code above, in order.
pub const ALL: &[&str] = &[
    PKL_CRITICAL,
    PKL_DANGEROUS,
    PKL_UNKNOWN,
    PKL_BROKEN,
    PKL_FRAME,
    PKL_MEMO,
    PKL_TAMPER,
    PKL_LIMIT,
    PKL_NESTED,
    PKL_MULTI,
    ZIP_UNINSPECTABLE,
    ZIP_NAME_MISMATCH,
    ZIP_CRC,
    ZIP_FLAGS,
    ZIP_TRAVERSAL,
    ZIP_BOMB,
    ZIP_MALFORMED,
    ZIP_DUPLICATE,
    ZIP_HIDDEN_PICKLE,
    ZIP_POLYGLOT,
    NPY_OBJECT,
    KER_LAMBDA,
    KER_MODULE,
    KER_GADGET,
    KER_CUSTOM,
    KER_H5,
    TF_PYTHON,
    TF_FILE,
    TF_PATH,
    ONX_PATH,
    ONX_DOMAIN,
    GGUF_HEADER,
    JJA_DUNDER,
    JJA_GADGET,
    JJA_TRIGGER,
    JJA_UNPARSED,
    JJA_LEXICAL,
    ST_HEADER,
    ST_OFFSETS,
    ST_TRAILING,
    ST_METADATA,
];

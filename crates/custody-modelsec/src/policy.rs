//! What a pickle may import: allowlist first, then a graded denylist, then "unknown".
//!
//! A global is judged by its full dotted path (`module.qualname`, module aliases normalised:
//! `__builtin__`/`__builtins__` → `builtins`, `copy_reg` → `copyreg`). Order:
//!
//! 1. [`ALLOW`] (exact names) and [`ALLOW_CLASSES`] (CamelCase classes under a module prefix):
//!    the reconstructors and classes that PyTorch, NumPy, scikit-learn, joblib and the Hugging
//!    Face training stack really put in checkpoints. Nothing else is trusted.
//! 2. [`DENY`]: a dotted prefix matches the path itself or anything under it (`os` covers
//!    `os.system` and `os.path.join`; `asyncio` covers `asyncio.unix_events.…`, the
//!    CVE-2025-10157 class). Each entry has a tier and a reason in our words.
//! 3. Attribute paths are walked component by component: a dunder (`__globals__`,
//!    `__builtins__`, `__subclasses__`) or a dangerous module reached through an allowed one
//!    (`numpy.core._internal.sys`, `shutil.os.system`) takes the severity of what it reaches.
//! 4. Any other `builtins` member is high (the module is full of gadgets); anything else is
//!    unknown (medium): an allowlist policy must not call what it does not know "safe".
//!
//! The lists were written from the gadget classes in research/supply-chain.md §2.4–2.5 and
//! Appendix A (modelscan, picklescan, fickling, ModelAudit data), merged and regraded.

/// How bad importing (and calling) a global is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Known to be what ML checkpoints use.
    Allowed,
    /// Not known: loading it imports code nobody vetted.
    Unknown,
    /// Reaches the network, the file system or process state, or is a building block of gadget chains.
    High,
    /// Runs code: shell commands, `eval`/`exec`, arbitrary imports, native libraries, debuggers.
    Critical,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Allowed => "allowed",
            Tier::Unknown => "unknown",
            Tier::High => "dangerous",
            Tier::Critical => "critical",
        }
    }
}

/// A judgement and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub tier: Tier,
    pub why: &'static str,
}

const RUNS_COMMANDS: &str = "runs shell commands or processes";
const EVALS: &str = "evaluates or compiles Python code";
const IMPORTS: &str = "imports arbitrary modules or resolves arbitrary names";
const ATTRS: &str = "reaches arbitrary attributes (the basis of gadget chains)";
const NATIVE: &str = "loads native libraries or calls C functions";
const INSTALLS: &str = "installs or builds packages, which runs their code";
const DEBUG_RUN: &str = "debugger, profiler or test helper that runs a code string";
const NESTED: &str = "deserialises further data (a nested pickle, YAML or model), which can run code";
const NETWORK: &str = "opens network connections";
const FILES: &str = "reads, writes or deletes files";
const PROCESS: &str = "changes interpreter or process state";
const TORCH_CODE: &str = "PyTorch internal that compiles, evaluates or downloads code";
const SCANNER: &str = "refers to a model scanner (an attempt to disable or fool it)";
const STAGING: &str = "decoding or wrapping helper used to stage multi-step payloads";

/// (dotted prefix, tier, why). The first matching entry with the highest tier wins.
const DENY: &[(&str, Tier, &str)] = {
    use Tier::{Critical as C, High as H};
    &[
        // Code evaluation and imports through builtins.
        ("builtins.eval", C, EVALS),
        ("builtins.exec", C, EVALS),
        ("builtins.execfile", C, EVALS),
        ("builtins.compile", C, EVALS),
        ("builtins.__import__", C, IMPORTS),
        ("builtins.getattr", C, ATTRS),
        ("builtins.setattr", C, ATTRS),
        ("builtins.delattr", H, ATTRS),
        ("builtins.globals", C, ATTRS),
        ("builtins.locals", C, ATTRS),
        ("builtins.vars", C, ATTRS),
        ("builtins.apply", C, EVALS),
        ("builtins.breakpoint", C, DEBUG_RUN),
        ("builtins.help", C, RUNS_COMMANDS),
        ("builtins.input", H, PROCESS),
        ("builtins.open", H, FILES),
        ("builtins.file", H, FILES),
        ("builtins.reload", C, IMPORTS),
        // Processes and the operating system.
        ("os", C, RUNS_COMMANDS),
        ("nt", C, RUNS_COMMANDS),
        ("posix", C, RUNS_COMMANDS),
        ("subprocess", C, RUNS_COMMANDS),
        ("_posixsubprocess", C, RUNS_COMMANDS),
        ("_winapi", C, RUNS_COMMANDS),
        ("pty", C, RUNS_COMMANDS),
        ("commands", C, RUNS_COMMANDS),
        ("popen2", C, RUNS_COMMANDS),
        ("pipes", C, RUNS_COMMANDS),
        ("pexpect", C, RUNS_COMMANDS),
        ("asyncio", C, RUNS_COMMANDS),
        ("multiprocessing", C, RUNS_COMMANDS),
        ("concurrent.futures.process", C, RUNS_COMMANDS),
        ("platform.popen", C, RUNS_COMMANDS),
        ("platform._syscmd_file", C, RUNS_COMMANDS),
        ("platform._syscmd_ver", C, RUNS_COMMANDS),
        ("platform", H, PROCESS),
        ("mailcap", C, RUNS_COMMANDS),
        ("uuid", C, RUNS_COMMANDS),
        ("_osx_support", C, RUNS_COMMANDS),
        ("_aix_support", C, RUNS_COMMANDS),
        ("_pyrepl", C, RUNS_COMMANDS),
        ("imaplib.IMAP4_stream", C, RUNS_COMMANDS),
        ("webbrowser", H, RUNS_COMMANDS),
        ("sys", C, PROCESS),
        ("atexit", C, PROCESS),
        ("signal", H, PROCESS),
        ("_signal", H, PROCESS),
        ("threading", H, PROCESS),
        ("_thread", H, PROCESS),
        ("gc", H, ATTRS),
        ("inspect", H, ATTRS),
        ("resource", H, PROCESS),
        ("fcntl", H, PROCESS),
        ("termios", H, PROCESS),
        ("winreg", H, PROCESS),
        ("_winreg", H, PROCESS),
        ("msvcrt", H, PROCESS),
        ("win32api", C, RUNS_COMMANDS),
        ("win32com", C, RUNS_COMMANDS),
        // Evaluation, compilation, imports.
        ("runpy", C, EVALS),
        ("code", C, EVALS),
        ("codeop", C, EVALS),
        ("py_compile", H, EVALS),
        ("compileall", H, EVALS),
        ("marshal", C, EVALS),
        ("types.CodeType", C, EVALS),
        ("types.FunctionType", C, EVALS),
        ("types.LambdaType", C, EVALS),
        ("types.MethodType", C, EVALS),
        ("types.ModuleType", H, IMPORTS),
        ("types", H, ATTRS),
        ("_interpreters", C, EVALS),
        ("_xxsubinterpreters", C, EVALS),
        ("interpreters", C, EVALS),
        ("concurrent.interpreters", C, EVALS),
        ("importlib", C, IMPORTS),
        ("imp", C, IMPORTS),
        ("zipimport", C, IMPORTS),
        ("pkgutil", C, IMPORTS),
        ("site", H, IMPORTS),
        ("operator.attrgetter", C, ATTRS),
        ("operator.methodcaller", C, ATTRS),
        ("operator.itemgetter", C, ATTRS),
        ("operator", H, ATTRS),
        ("_operator.attrgetter", C, ATTRS),
        ("_operator.methodcaller", C, ATTRS),
        ("_operator.itemgetter", C, ATTRS),
        ("_operator", H, ATTRS),
        ("functools", H, STAGING),
        ("string.Formatter", H, ATTRS),
        // Native code.
        ("ctypes", C, NATIVE),
        ("_ctypes", C, NATIVE),
        ("cffi", C, NATIVE),
        ("numpy.ctypeslib", C, NATIVE),
        // Package installation.
        ("pip", C, INSTALLS),
        ("ensurepip", C, INSTALLS),
        ("setuptools", C, INSTALLS),
        ("distutils", C, INSTALLS),
        ("venv", C, INSTALLS),
        ("virtualenv", C, INSTALLS),
        ("numpy.distutils", C, INSTALLS),
        ("numpy.f2py", C, INSTALLS),
        // Debuggers, profilers, test helpers that run code strings.
        ("cProfile", C, DEBUG_RUN),
        ("profile", C, DEBUG_RUN),
        ("pdb", C, DEBUG_RUN),
        ("bdb", C, DEBUG_RUN),
        ("trace", C, DEBUG_RUN),
        ("timeit", C, DEBUG_RUN),
        ("doctest", C, DEBUG_RUN),
        ("pydoc", C, DEBUG_RUN),
        ("idlelib", C, DEBUG_RUN),
        ("lib2to3", C, DEBUG_RUN),
        ("test", C, DEBUG_RUN),
        ("unittest", H, DEBUG_RUN),
        ("numpy.testing", C, DEBUG_RUN),
        ("sklearn.utils._testing", C, DEBUG_RUN),
        ("tkinter", H, PROCESS),
        // Nested deserialisation.
        ("pickle", C, NESTED),
        ("_pickle", C, NESTED),
        ("cPickle", C, NESTED),
        ("pickletools", H, NESTED),
        ("dill", C, NESTED),
        ("cloudpickle", C, NESTED),
        ("shelve", C, NESTED),
        ("jsonpickle", C, NESTED),
        ("yaml.load", C, NESTED),
        ("yaml.unsafe_load", C, NESTED),
        ("yaml.full_load", C, NESTED),
        ("yaml.load_all", C, NESTED),
        ("yaml.unsafe_load_all", C, NESTED),
        ("yaml.UnsafeLoader", C, NESTED),
        ("yaml", H, NESTED),
        ("joblib.load", C, NESTED),
        ("joblib.numpy_pickle.load", C, NESTED),
        ("joblib.numpy_pickle.NumpyUnpickler", C, NESTED),
        ("sklearn.externals", C, NESTED),
        ("pandas.read_pickle", C, NESTED),
        ("pandas.io.pickle", C, NESTED),
        ("numpy.load", H, NESTED),
        ("numpy.lib.npyio", H, NESTED),
        ("numpy.lib.format.read_array", H, NESTED),
        ("keras.models.load_model", C, NESTED),
        ("keras.saving.load_model", C, NESTED),
        ("tensorflow.keras.models.load_model", C, NESTED),
        ("copyreg.add_extension", H, IMPORTS),
        ("copyreg", H, IMPORTS),
        // PyTorch internals.
        ("torch._C", C, TORCH_CODE),
        ("torch.hub", C, TORCH_CODE),
        ("torch.load", C, NESTED),
        ("torch.serialization.load", C, NESTED),
        ("torch.serialization._load", C, NESTED),
        ("torch.serialization._legacy_load", C, NESTED),
        ("torch.storage._load_from_bytes", H, NESTED),
        ("torch.jit", C, TORCH_CODE),
        ("torch._dynamo", C, TORCH_CODE),
        ("torch._inductor", C, TORCH_CODE),
        ("torch.compile", C, TORCH_CODE),
        ("torch._export", C, TORCH_CODE),
        ("torch.export", C, TORCH_CODE),
        ("torch.package", C, TORCH_CODE),
        ("torch.library", C, TORCH_CODE),
        ("torch.fx.experimental.symbolic_shapes", C, TORCH_CODE),
        ("torch.fx.graph_module", H, TORCH_CODE),
        ("torch.utils.collect_env", C, RUNS_COMMANDS),
        ("torch.utils.bottleneck", C, DEBUG_RUN),
        ("torch.utils._config_module", C, TORCH_CODE),
        ("torch.utils.cpp_extension", C, INSTALLS),
        ("torch.utils.data.datapipes.utils.decoder", C, NESTED),
        ("torch.distributed.rpc", C, NETWORK),
        ("torch.distributed.elastic", C, RUNS_COMMANDS),
        ("torch.ops", H, TORCH_CODE),
        ("torch.classes", H, TORCH_CODE),
        // Network.
        ("socket", C, NETWORK),
        ("_socket", C, NETWORK),
        ("socketserver", H, NETWORK),
        ("ssl", H, NETWORK),
        ("_ssl", H, NETWORK),
        ("http", H, NETWORK),
        ("httplib", H, NETWORK),
        ("urllib", H, NETWORK),
        ("urllib2", H, NETWORK),
        ("urllib3", H, NETWORK),
        ("requests", H, NETWORK),
        ("httpx", H, NETWORK),
        ("aiohttp", H, NETWORK),
        ("ftplib", H, NETWORK),
        ("smtplib", H, NETWORK),
        ("smtpd", H, NETWORK),
        ("poplib", H, NETWORK),
        ("imaplib", H, NETWORK),
        ("nntplib", H, NETWORK),
        ("telnetlib", H, NETWORK),
        ("xmlrpc", H, NETWORK),
        ("xmlrpclib", H, NETWORK),
        ("asynchat", H, NETWORK),
        ("asyncore", H, NETWORK),
        ("select", H, NETWORK),
        ("selectors", H, NETWORK),
        // Files.
        ("shutil", H, FILES),
        ("io.open", H, FILES),
        ("io.FileIO", H, FILES),
        ("io.open_code", H, FILES),
        ("_io.open", H, FILES),
        ("_io.FileIO", H, FILES),
        ("codecs.open", H, FILES),
        ("fileinput", H, FILES),
        ("tempfile", H, FILES),
        ("glob", H, FILES),
        ("filecmp", H, FILES),
        ("zipfile", H, FILES),
        ("tarfile", H, FILES),
        ("mmap", H, FILES),
        ("sqlite3", H, FILES),
        ("_sqlite3", H, FILES),
        ("dbm", H, FILES),
        ("logging.config", C, EVALS),
        ("logging.FileHandler", H, FILES),
        ("logging.handlers", H, NETWORK),
        ("linecache", H, FILES),
        // Payload staging.
        ("base64", H, STAGING),
        ("binascii", H, STAGING),
        ("codecs", H, STAGING),
        ("zlib", H, STAGING),
        ("bz2", H, STAGING),
        ("lzma", H, STAGING),
        ("gzip", H, STAGING),
        // Scanners.
        ("picklescan", C, SCANNER),
        ("modelscan", C, SCANNER),
        ("fickling", C, SCANNER),
        ("modelaudit", C, SCANNER),
        ("modelaudit_picklescan", C, SCANNER),
    ]
};

/// Exact globals that checkpoints use and that are inert to construct.
const ALLOW: &[(&str, &[&str])] = &[
    ("collections", &["OrderedDict", "defaultdict", "deque", "Counter"]),
    (
        "builtins",
        &[
            "set",
            "frozenset",
            "slice",
            "complex",
            "bytearray",
            "list",
            "dict",
            "tuple",
            "int",
            "float",
            "str",
            "bytes",
            "bool",
            "range",
            "object",
            "long",
            "unicode",
        ],
    ),
    ("copyreg", &["_reconstructor"]),
    ("_codecs", &["encode"]),
    (
        "torch",
        &[
            "Size",
            "device",
            "Tensor",
            "FloatStorage",
            "DoubleStorage",
            "HalfStorage",
            "BFloat16Storage",
            "LongStorage",
            "IntStorage",
            "ShortStorage",
            "CharStorage",
            "ByteStorage",
            "BoolStorage",
            "ComplexFloatStorage",
            "ComplexDoubleStorage",
            "QInt8Storage",
            "QUInt8Storage",
            "QInt32Storage",
            "QUInt4x2Storage",
            "QUInt2x4Storage",
            "UntypedStorage",
            "float32",
            "float",
            "float64",
            "double",
            "float16",
            "half",
            "bfloat16",
            "int8",
            "int16",
            "short",
            "int32",
            "int",
            "int64",
            "long",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "bool",
            "complex32",
            "complex64",
            "complex128",
            "cfloat",
            "cdouble",
            "qint8",
            "quint8",
            "qint32",
            "float8_e4m3fn",
            "float8_e5m2",
            "float8_e4m3fnuz",
            "float8_e5m2fnuz",
            "strided",
            "sparse_coo",
            "sparse_csr",
            "sparse_csc",
            "sparse_bsr",
            "sparse_bsc",
            "contiguous_format",
            "channels_last",
            "channels_last_3d",
            "preserve_format",
            "per_tensor_affine",
            "per_channel_affine",
            "per_tensor_symmetric",
            "per_channel_symmetric",
            "per_channel_affine_float_qparams",
        ],
    ),
    ("torch.storage", &["UntypedStorage", "TypedStorage"]),
    (
        "torch._utils",
        &[
            "_rebuild_tensor",
            "_rebuild_tensor_v2",
            "_rebuild_tensor_v3",
            "_rebuild_parameter",
            "_rebuild_parameter_with_state",
            "_rebuild_qtensor",
            "_rebuild_sparse_tensor",
            "_rebuild_nested_tensor",
            "_rebuild_device_tensor_from_numpy",
            "_rebuild_meta_tensor_no_storage",
            "_rebuild_wrapper_subclass",
        ],
    ),
    ("torch._tensor", &["_rebuild_from_type", "_rebuild_from_type_v2"]),
    ("torch.nn.parameter", &["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]),
    ("torch.serialization", &["_get_layout"]),
    // TorchScript archives' pickles (read by TorchScript's restricted unpickler).
    (
        "torch.jit._pickle",
        &[
            "build_intlist",
            "build_floatlist",
            "build_boollist",
            "build_doublelist",
            "build_tensorlist",
            "build_tensor_from_id",
            "restore_type_tag",
        ],
    ),
    (
        "numpy",
        &[
            "ndarray",
            "dtype",
            "matrix",
            "bool_",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "float16",
            "float32",
            "float64",
            "longdouble",
            "complex64",
            "complex128",
            "str_",
            "bytes_",
            "object_",
            "void",
            "datetime64",
            "timedelta64",
        ],
    ),
    ("numpy.core.multiarray", &["_reconstruct", "scalar"]),
    ("numpy._core.multiarray", &["_reconstruct", "scalar"]),
    ("numpy.core.numeric", &["_frombuffer"]),
    ("numpy._core.numeric", &["_frombuffer"]),
    ("numpy.random._pickle", &["__randomstate_ctor", "__bit_generator_ctor", "__generator_ctor"]),
    ("numpy.random", &["__RandomState_ctor"]),
    ("numpy.ma.core", &["_mareconstruct", "MaskedArray"]),
    ("joblib.numpy_pickle", &["NumpyArrayWrapper"]),
    ("joblib.numpy_pickle_compat", &["NDArrayWrapper", "ZNDArrayWrapper"]),
    ("datetime", &["datetime", "date", "time", "timedelta", "timezone"]),
    ("decimal", &["Decimal"]),
    ("fractions", &["Fraction"]),
    ("uuid", &["UUID", "SafeUUID"]),
    ("pathlib", &["Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath", "PureWindowsPath"]),
    ("argparse", &["Namespace"]),
    ("types", &["SimpleNamespace"]),
    ("transformers.training_args", &["TrainingArguments", "OptimizerNames"]),
    ("transformers.training_args_seq2seq", &["Seq2SeqTrainingArguments"]),
    ("transformers.trainer_utils", &["IntervalStrategy", "SchedulerType", "HubStrategy", "SaveStrategy"]),
    ("transformers.debug_utils", &["DebugOption"]),
    ("transformers.trainer_pt_utils", &["AcceleratorConfig"]),
    ("accelerate.state", &["PartialState", "AcceleratorState"]),
];

/// Module prefixes under which CamelCase class names (no dots, no dunders) are allowed:
/// constructing them runs no code beyond setting attributes.
const ALLOW_CLASSES: &[&str] = &[
    "torch.nn.modules",
    "torch.optim",
    "numpy.dtypes",
    "numpy.random._mt19937",
    "numpy.random._pcg64",
    "numpy.random._philox",
    "numpy.random._sfc64",
    "numpy.random.mtrand",
    "numpy.random._generator",
    "numpy.random.bit_generator",
    "sklearn",
    "accelerate.utils.dataclasses",
];

/// Module names that are dangerous wherever they appear in an attribute path.
const REACHED: &[&str] = &[
    "os",
    "nt",
    "posix",
    "sys",
    "subprocess",
    "builtins",
    "importlib",
    "runpy",
    "ctypes",
    "pickle",
    "socket",
    "shutil",
    "pty",
    "marshal",
];

pub fn normalize_module(m: &str) -> &str {
    match m {
        "__builtin__" | "__builtins__" => "builtins",
        "copy_reg" => "copyreg",
        _ => m,
    }
}

fn is_dunder(s: &str) -> bool {
    s.len() > 4 && s.starts_with("__") && s.ends_with("__")
}

fn is_class_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && !s.contains('.')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix || (path.len() > prefix.len() && path.starts_with(prefix) && path.as_bytes()[prefix.len()] == b'.')
}

/// The full dotted path of a global (`name` may be empty for a module object).
pub fn full(module: &str, name: &str) -> String {
    let m = normalize_module(module);
    if name.is_empty() {
        m.to_string()
    } else if m.is_empty() {
        name.to_string()
    } else {
        format!("{m}.{name}")
    }
}

/// Modules whose plain names are NumPy ufuncs (C functions, reached through
/// `numpy.core._ufunc_reconstruct` when a pickle holds one).
const UFUNC_MODULES: &[&str] =
    &["numpy.core._multiarray_umath", "numpy._core._multiarray_umath", "numpy.core.umath", "numpy._core.umath"];

fn plain_name(s: &str) -> bool {
    !s.is_empty() && !s.contains('.') && !is_dunder(s) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn allowed(module: &str, name: &str) -> bool {
    let m = normalize_module(module);
    if ALLOW.iter().any(|(am, names)| *am == m && names.contains(&name)) {
        return true;
    }
    // TorchScript types (`__torch__.…`) are compiled from the archive's own code/ by
    // TorchScript, not imported from Python.
    if (m == "__torch__" || m.starts_with("__torch__.")) && name.split('.').all(plain_name) {
        return true;
    }
    if UFUNC_MODULES.contains(&m) && plain_name(name) {
        return true;
    }
    is_class_name(name)
        && !m.split('.').any(|c| c.starts_with("_testing") || c == "externals")
        && ALLOW_CLASSES.iter().any(|p| under(m, p))
}

fn deny(path: &str) -> Option<Verdict> {
    let mut best: Option<Verdict> = None;
    for (p, tier, why) in DENY {
        if under(path, p) && best.is_none_or(|b| *tier > b.tier) {
            best = Some(Verdict { tier: *tier, why });
        }
    }
    best
}

/// Judge `module` + `name` (name may be a dotted attribute path, or empty for a module).
pub fn judge(module: &str, name: &str) -> Verdict {
    if allowed(module, name) {
        return Verdict { tier: Tier::Allowed, why: "known ML reconstructor or class" };
    }
    let path = full(module, name);
    let mut v = deny(&path).unwrap_or(Verdict { tier: Tier::Unknown, why: "not on the ML allowlist" });
    // Walk the attribute path: dunders and dangerous modules reached through others.
    let comps: Vec<&str> = path.split('.').collect();
    for (i, c) in comps.iter().enumerate() {
        if is_dunder(c) && !(i == 0 && *c == "__main__") {
            if v.tier < Tier::Critical {
                v = Verdict {
                    tier: Tier::Critical,
                    why: "reaches a special (dunder) attribute such as __globals__ or __builtins__",
                };
            }
        } else if i > 0 && REACHED.contains(c) {
            let rest = comps[i..].join(".");
            if let Some(r) = deny(&rest)
                && r.tier > v.tier
            {
                v = r;
            }
        }
    }
    let m = normalize_module(module);
    if m == "builtins" && v.tier < Tier::High {
        v = Verdict { tier: Tier::High, why: "builtins member outside the known-safe set" };
    }
    if m == "__main__" && v.tier == Tier::Unknown {
        v.why = "refers to code in the loading program's main script";
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grading() {
        assert_eq!(judge("torch._utils", "_rebuild_tensor_v2").tier, Tier::Allowed);
        assert_eq!(judge("collections", "OrderedDict").tier, Tier::Allowed);
        assert_eq!(judge("__builtin__", "set").tier, Tier::Allowed);
        assert_eq!(judge("torch.nn.modules.linear", "Linear").tier, Tier::Allowed);
        assert_eq!(judge("sklearn.linear_model._logistic", "LogisticRegression").tier, Tier::Allowed);
        assert_eq!(judge("numpy.random._pickle", "__randomstate_ctor").tier, Tier::Allowed);
        assert_eq!(judge("posix", "system").tier, Tier::Critical);
        assert_eq!(judge("os", "").tier, Tier::Critical);
        assert_eq!(judge("__builtin__", "eval").tier, Tier::Critical);
        assert_eq!(judge("builtins", "print").tier, Tier::High);
        assert_eq!(judge("asyncio.unix_events", "_UnixSubprocessTransport").tier, Tier::Critical);
        assert_eq!(judge("pkgutil", "resolve_name").tier, Tier::Critical);
        assert_eq!(judge("numpy", "core._internal.sys").tier, Tier::Critical);
        assert_eq!(judge("shutil", "os.system").tier, Tier::Critical);
        assert_eq!(judge("numpy", "__builtins__").tier, Tier::Critical);
        assert_eq!(judge("torch.serialization", "load").tier, Tier::Critical);
        assert_eq!(judge("torch", "load").tier, Tier::Critical);
        assert_eq!(judge("webbrowser", "open").tier, Tier::High);
        assert_eq!(judge("mymodule", "Thing").tier, Tier::Unknown);
        assert_eq!(judge("__main__", "Net").tier, Tier::Unknown);
        assert_eq!(judge("osx_helpers", "thing").tier, Tier::Unknown);
        assert_eq!(judge("sklearn.utils._testing", "AssertRunPythonScript").tier, Tier::Critical);
        assert_eq!(judge("uuid", "UUID").tier, Tier::Allowed);
        assert_eq!(judge("uuid", "_get_command_stdout").tier, Tier::Critical);
        assert_eq!(judge("__torch__.torch.nn.modules.linear", "Linear").tier, Tier::Allowed);
        assert_eq!(judge("__torch__", "Model").tier, Tier::Allowed);
        assert_eq!(judge("__torch__", "__globals__").tier, Tier::Critical);
        assert_eq!(judge("torch.jit._pickle", "restore_type_tag").tier, Tier::Allowed);
        assert_eq!(judge("torch.jit", "load").tier, Tier::Critical);
        assert_eq!(judge("numpy.core._multiarray_umath", "log1p").tier, Tier::Allowed);
    }
}

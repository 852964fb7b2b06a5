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
//!    Before that, [`resolve`] rewrites the path through [`ALIASES`], the modules that stdlib
//!    modules import under other (often private) names: `random._os.system` is `os.system`,
//!    `enum.bltns.exec` is `builtins.exec`, and the resolved name is graded too (the worse of the
//!    two verdicts wins, so resolving never makes a name look safer).
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
const DOWNLOADS: &str = "downloads files from the network (fetches a second-stage payload)";
const FILE_IO: &str = "reads or writes files at a path the pickle chooses (plants or leaks files)";
const EVAL_EXPR: &str = "evaluates an expression string, which falls back to Python eval (code execution)";

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
        ("_imp", C, IMPORTS),
        ("_frozen_importlib", C, IMPORTS),
        ("_frozen_importlib_external", C, IMPORTS),
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
        // File reads and writes through NumPy.
        ("numpy.save", H, FILE_IO),
        ("numpy.savez", H, FILE_IO),
        ("numpy.savez_compressed", H, FILE_IO),
        ("numpy.savetxt", H, FILE_IO),
        ("numpy.loadtxt", H, FILE_IO),
        ("numpy.genfromtxt", H, FILE_IO),
        ("numpy.fromfile", H, FILE_IO),
        ("numpy.fromregex", H, FILE_IO),
        ("numpy.memmap", H, FILE_IO),
        ("numpy.core.memmap", H, FILE_IO),
        ("numpy._core.memmap", H, FILE_IO),
        ("numpy.core.records.fromfile", H, FILE_IO),
        ("numpy._core.records.fromfile", H, FILE_IO),
        ("numpy.rec.fromfile", H, FILE_IO),
        ("numpy.core.multiarray.fromfile", H, FILE_IO),
        ("numpy._core.multiarray.fromfile", H, FILE_IO),
        ("numpy.lib.format.open_memmap", H, FILE_IO),
        ("numpy.lib.format.write_array", H, FILE_IO),
        ("numpy.ndarray.tofile", H, FILE_IO),
        ("numpy.ndarray.dump", H, FILE_IO),
        // Downloads.
        ("keras.utils.get_file", H, DOWNLOADS),
        ("keras.utils.data_utils.get_file", H, DOWNLOADS),
        ("keras.utils.file_utils.get_file", H, DOWNLOADS),
        ("keras.src.utils.file_utils.get_file", H, DOWNLOADS),
        ("keras.src.utils.data_utils.get_file", H, DOWNLOADS),
        ("tensorflow.keras.utils.get_file", H, DOWNLOADS),
        ("tensorflow.python.keras.utils.data_utils.get_file", H, DOWNLOADS),
        ("tf_keras.utils.get_file", H, DOWNLOADS),
        ("huggingface_hub.hf_hub_download", H, DOWNLOADS),
        ("huggingface_hub.snapshot_download", H, DOWNLOADS),
        ("huggingface_hub.file_download", H, DOWNLOADS),
        ("huggingface_hub._snapshot_download", H, DOWNLOADS),
        ("huggingface_hub.hf_api", H, NETWORK),
        ("huggingface_hub.HfApi", H, NETWORK),
        ("huggingface_hub.upload_file", H, NETWORK),
        ("huggingface_hub.upload_folder", H, NETWORK),
        ("huggingface_hub.HfFileSystem", H, NETWORK),
        ("huggingface_hub.hf_file_system", H, NETWORK),
        ("torchvision.datasets.utils.download_url", H, DOWNLOADS),
        ("torchvision.datasets.utils.download_and_extract_archive", H, DOWNLOADS),
        ("torchvision.datasets.utils.download_file_from_google_drive", H, DOWNLOADS),
        ("wget", H, DOWNLOADS),
        ("gdown", H, DOWNLOADS),
        // Expression evaluators (strings become Python code).
        ("sympy.sympify", C, EVAL_EXPR),
        ("sympy.core.sympify", C, EVAL_EXPR),
        ("sympy.S", C, EVAL_EXPR),
        ("sympy.parse_expr", C, EVAL_EXPR),
        ("sympy.parsing", C, EVAL_EXPR),
        ("sympy.lambdify", C, EVAL_EXPR),
        ("sympy.utilities.lambdify", C, EVAL_EXPR),
        ("pandas.eval", C, EVAL_EXPR),
        ("pandas.core.computation", C, EVAL_EXPR),
        ("pandas.DataFrame.eval", C, EVAL_EXPR),
        ("pandas.DataFrame.query", C, EVAL_EXPR),
        ("pandas.core.frame.DataFrame.eval", C, EVAL_EXPR),
        ("pandas.core.frame.DataFrame.query", C, EVAL_EXPR),
        ("numexpr.evaluate", C, EVAL_EXPR),
        ("numexpr.re_evaluate", C, EVAL_EXPR),
        ("numexpr.NumExpr", C, EVAL_EXPR),
        ("numexpr.necompiler", C, EVAL_EXPR),
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

/// Methods of classes that are themselves allowed (or harmless to construct) but that touch
/// the file system: (modules, classes, methods, tier, why). `pathlib.Path` is on the allowlist
/// (checkpoints store paths), `pathlib.Path.write_text` is a file write.
struct ClassMethods {
    modules: &'static [&'static str],
    classes: &'static [&'static str],
    methods: &'static [&'static str],
    tier: Tier,
    why: &'static str,
}

const CLASS_METHODS: &[ClassMethods] = &[ClassMethods {
    modules: &["pathlib", "pathlib._local", "pathlib._abc"],
    classes: &["Path", "PosixPath", "WindowsPath", "PathBase"],
    methods: &[
        "write_text",
        "write_bytes",
        "read_text",
        "read_bytes",
        "open",
        "touch",
        "mkdir",
        "unlink",
        "rmdir",
        "rename",
        "replace",
        "symlink_to",
        "hardlink_to",
        "link_to",
        "chmod",
        "lchmod",
        "copy",
        "copytree",
        "move",
        "delete",
        "rmtree",
    ],
    tier: Tier::High,
    why: FILE_IO,
}];

/// Modules that stdlib modules import under their own or other names, as (module, [(attribute,
/// module it is)]). A pickle's dotted name is a chain of attribute lookups, so
/// `random._os.system` reaches `os.system` without naming `os`. Taken from CPython's standard
/// library (module attributes that are modules, for the modules the denylist grades); names a
/// module imports under its own name that [`REACHED`] already catches (`shutil.os`) are listed
/// where they are common in gadget write-ups.
pub const ALIASES: &[(&str, &[(&str, &str)])] = &[
    ("_compression", &[("io", "io")]),
    ("_pyio", &[("codecs", "codecs"), ("io", "io")]),
    ("argparse", &[("_os", "os"), ("_sys", "sys")]),
    ("asyncio.base_events", &[("functools", "functools"), ("ssl", "ssl"), ("threading", "threading")]),
    ("asyncio.base_tasks", &[("linecache", "linecache")]),
    ("asyncio.coroutines", &[("inspect", "inspect"), ("types", "types")]),
    ("asyncio.events", &[("threading", "threading")]),
    ("asyncio.format_helpers", &[("functools", "functools"), ("inspect", "inspect")]),
    ("asyncio.mixins", &[("threading", "threading")]),
    ("asyncio.runners", &[("functools", "functools"), ("signal", "signal"), ("threading", "threading")]),
    ("asyncio.selector_events", &[("functools", "functools"), ("selectors", "selectors"), ("ssl", "ssl")]),
    ("asyncio.sslproto", &[("ssl", "ssl")]),
    ("asyncio.tasks", &[("functools", "functools"), ("inspect", "inspect"), ("types", "types")]),
    ("asyncio.threads", &[("functools", "functools")]),
    (
        "asyncio.unix_events",
        &[("io", "io"), ("selectors", "selectors"), ("signal", "signal"), ("threading", "threading")],
    ),
    ("asyncore", &[("select", "select")]),
    ("bz2", &[("io", "io")]),
    ("cProfile", &[("io", "io")]),
    ("cgi", &[("tempfile", "tempfile")]),
    ("cgitb", &[("inspect", "inspect"), ("linecache", "linecache"), ("tempfile", "tempfile")]),
    ("codecs", &[("builtins", "builtins"), ("sys", "sys")]),
    ("collections", &[("_sys", "sys")]),
    ("concurrent.futures._base", &[("threading", "threading"), ("types", "types")]),
    ("configparser", &[("functools", "functools"), ("io", "io")]),
    ("crypt", &[("_sys", "sys")]),
    ("ctypes", &[("_os", "os"), ("_sys", "sys"), ("_types", "types")]),
    ("curses", &[("_os", "os"), ("_sys", "sys")]),
    ("dataclasses", &[("_thread", "_thread"), ("functools", "functools"), ("inspect", "inspect"), ("types", "types")]),
    ("dbm", &[("io", "io")]),
    ("dis", &[("io", "io"), ("types", "types")]),
    ("distutils.archive_util", &[("zipfile", "zipfile")]),
    ("distutils.filelist", &[("functools", "functools")]),
    ("distutils.util", &[("functools", "functools")]),
    ("doctest", &[("inspect", "inspect"), ("linecache", "linecache"), ("pdb", "pdb")]),
    ("email._encoded_words", &[("base64", "base64"), ("functools", "functools")]),
    ("encodings", &[("codecs", "codecs")]),
    ("encodings.utf_8", &[("codecs", "codecs")]),
    ("enum", &[("bltns", "builtins"), ("sys", "sys")]),
    ("fileinput", &[("io", "io")]),
    ("fnmatch", &[("functools", "functools")]),
    ("fractions", &[("operator", "operator")]),
    ("ftplib", &[("ssl", "ssl")]),
    ("getpass", &[("io", "io")]),
    ("gettext", &[("operator", "operator")]),
    ("glob", &[("os", "os"), ("sys", "sys")]),
    ("gzip", &[("io", "io"), ("zlib", "zlib")]),
    ("imaplib", &[("ssl", "ssl")]),
    ("imp", &[("machinery", "importlib.machinery"), ("types", "types"), ("util", "importlib.util")]),
    (
        "importlib",
        &[
            ("_bootstrap", "importlib._bootstrap"),
            ("_bootstrap_external", "importlib._bootstrap_external"),
            ("_imp", "_imp"),
            ("machinery", "importlib.machinery"),
            ("util", "importlib.util"),
        ],
    ),
    ("importlib._abc", &[("_bootstrap", "importlib._bootstrap")]),
    (
        "importlib._bootstrap",
        &[("_bootstrap_external", "importlib._bootstrap_external"), ("_imp", "_imp"), ("_thread", "_thread")],
    ),
    (
        "importlib._bootstrap_external",
        &[("_bootstrap", "importlib._bootstrap"), ("_imp", "_imp"), ("_io", "io"), ("_os", "posix")],
    ),
    (
        "importlib.abc",
        &[
            ("_bootstrap_external", "importlib._bootstrap_external"),
            ("_frozen_importlib", "importlib._bootstrap"),
            ("_frozen_importlib_external", "importlib._bootstrap_external"),
            ("machinery", "importlib.machinery"),
        ],
    ),
    ("importlib.metadata", &[("functools", "functools"), ("operator", "operator"), ("zipfile", "zipfile")]),
    ("importlib.metadata._functools", &[("functools", "functools"), ("types", "types")]),
    ("importlib.resources._common", &[("functools", "functools"), ("tempfile", "tempfile"), ("types", "types")]),
    ("importlib.resources._legacy", &[("functools", "functools"), ("types", "types")]),
    ("importlib.resources.abc", &[("io", "io")]),
    ("importlib.resources.readers", &[("operator", "operator"), ("zipfile", "zipfile")]),
    ("importlib.util", &[("_imp", "_imp"), ("functools", "functools"), ("types", "types")]),
    (
        "inspect",
        &[
            ("builtins", "builtins"),
            ("functools", "functools"),
            ("importlib", "importlib"),
            ("linecache", "linecache"),
            ("os", "os"),
            ("sys", "sys"),
            ("types", "types"),
        ],
    ),
    ("io", &[("_io", "io")]),
    ("ipaddress", &[("functools", "functools")]),
    ("json", &[("codecs", "codecs")]),
    ("linecache", &[("functools", "functools")]),
    ("locale", &[("functools", "functools")]),
    ("logging", &[("atexit", "atexit"), ("io", "io"), ("os", "os"), ("sys", "sys"), ("threading", "threading")]),
    ("lzma", &[("io", "io")]),
    ("mailbox", &[("io", "io")]),
    ("modulefinder", &[("io", "io")]),
    ("multiprocessing.context", &[("threading", "threading")]),
    ("multiprocessing.process", &[("signal", "signal"), ("threading", "threading")]),
    ("multiprocessing.reduction", &[("copyreg", "copyreg"), ("functools", "functools"), ("io", "io")]),
    ("nntplib", &[("ssl", "ssl")]),
    ("ntpath", &[("os", "os"), ("sys", "sys")]),
    ("os", &[("path", "posixpath")]),
    ("pathlib", &[("functools", "functools"), ("io", "io"), ("os", "os"), ("sys", "sys")]),
    (
        "pdb",
        &[
            ("code", "code"),
            ("functools", "functools"),
            ("glob", "glob"),
            ("inspect", "inspect"),
            ("io", "io"),
            ("linecache", "linecache"),
            ("signal", "signal"),
        ],
    ),
    ("pickle", &[("codecs", "codecs"), ("io", "io"), ("sys", "sys")]),
    ("pickletools", &[("codecs", "codecs"), ("io", "io")]),
    ("pipes", &[("tempfile", "tempfile")]),
    ("platform", &[("functools", "functools"), ("os", "os"), ("sys", "sys")]),
    ("plistlib", &[("codecs", "codecs")]),
    ("poplib", &[("ssl", "ssl")]),
    ("posixpath", &[("os", "os"), ("sys", "sys")]),
    ("pprint", &[("_sys", "sys"), ("_types", "types")]),
    ("profile", &[("io", "io")]),
    ("pydoc", &[("inspect", "inspect"), ("io", "io"), ("platform", "platform")]),
    ("queue", &[("threading", "threading"), ("types", "types")]),
    ("random", &[("_os", "os")]),
    ("re", &[("copyreg", "copyreg"), ("functools", "functools")]),
    ("rlcompleter", &[("atexit", "atexit"), ("inspect", "inspect")]),
    ("runpy", &[("io", "io")]),
    ("sched", &[("threading", "threading")]),
    ("secrets", &[("base64", "base64")]),
    ("selectors", &[("select", "select")]),
    ("shutil", &[("os", "os"), ("sys", "sys")]),
    ("site", &[("io", "io")]),
    ("smtplib", &[("base64", "base64"), ("io", "io"), ("ssl", "ssl")]),
    ("socket", &[("_socket", "_socket"), ("io", "io"), ("selectors", "selectors")]),
    ("socketserver", &[("selectors", "selectors"), ("threading", "threading")]),
    ("ssl", &[("_socket", "socket"), ("base64", "base64")]),
    (
        "subprocess",
        &[
            ("builtins", "builtins"),
            ("io", "io"),
            ("os", "os"),
            ("select", "select"),
            ("selectors", "selectors"),
            ("signal", "signal"),
            ("sys", "sys"),
            ("threading", "threading"),
            ("types", "types"),
        ],
    ),
    ("tarfile", &[("io", "io"), ("os", "os"), ("shutil", "shutil"), ("sys", "sys")]),
    ("telnetlib", &[("selectors", "selectors")]),
    (
        "tempfile",
        &[
            ("_functools", "functools"),
            ("_io", "io"),
            ("_os", "os"),
            ("_shutil", "shutil"),
            ("_sys", "sys"),
            ("_thread", "_thread"),
            ("_types", "types"),
        ],
    ),
    ("threading", &[("_os", "os"), ("_sys", "sys"), ("functools", "functools")]),
    ("timeit", &[("gc", "gc")]),
    ("tokenize", &[("functools", "functools")]),
    (
        "trace",
        &[("gc", "gc"), ("inspect", "inspect"), ("io", "io"), ("linecache", "linecache"), ("threading", "threading")],
    ),
    ("traceback", &[("linecache", "linecache")]),
    ("tracemalloc", &[("linecache", "linecache")]),
    ("typing", &[("functools", "functools"), ("operator", "operator"), ("sys", "sys"), ("types", "types")]),
    ("unittest.case", &[("functools", "functools"), ("types", "types")]),
    ("unittest.loader", &[("functools", "functools"), ("types", "types")]),
    ("unittest.result", &[("io", "io")]),
    ("unittest.signals", &[("signal", "signal")]),
    ("urllib.parse", &[("functools", "functools"), ("types", "types")]),
    ("uuid", &[("platform", "platform")]),
    ("venv", &[("types", "types")]),
    ("webbrowser", &[("threading", "threading")]),
    ("zipapp", &[("zipfile", "zipfile")]),
    (
        "zipfile",
        &[
            ("importlib", "importlib"),
            ("io", "io"),
            ("os", "os"),
            ("shutil", "shutil"),
            ("sys", "sys"),
            ("threading", "threading"),
            ("zlib", "zlib"),
        ],
    ),
    (
        "zipimport",
        &[
            ("_bootstrap", "importlib._bootstrap"),
            ("_bootstrap_external", "importlib._bootstrap_external"),
            ("_imp", "_imp"),
            ("_io", "io"),
        ],
    ),
];

fn alias(module: &str, attr: &str) -> Option<&'static str> {
    ALIASES.iter().find(|(m, _)| *m == module)?.1.iter().find(|(a, _)| *a == attr).map(|(_, t)| *t)
}

/// The object a dotted path really reaches, following [`ALIASES`]: `random._os.system` →
/// `os.system`, `enum.bltns.exec` → `builtins.exec`. `None` when no alias is on the path.
/// Linear in the number of components (each is looked up once).
pub fn resolve(path: &str) -> Option<String> {
    let mut comps = path.split('.');
    let mut cur = normalize_module(comps.next()?).to_string();
    let mut changed = false;
    for c in comps {
        if let Some(t) = alias(&cur, c) {
            cur.clear();
            cur.push_str(t);
            changed = true;
        } else {
            cur.push('.');
            cur.push_str(c);
        }
    }
    changed.then_some(cur)
}

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
    for ClassMethods { modules, classes, methods, tier, why } in CLASS_METHODS {
        let hit = modules.iter().any(|m| {
            path.strip_prefix(m).and_then(|r| r.strip_prefix('.')).and_then(|r| r.split_once('.')).is_some_and(
                |(class, rest)| classes.contains(&class) && methods.contains(&rest.split('.').next().unwrap_or(rest)),
            )
        });
        if hit && best.is_none_or(|b| *tier > b.tier) {
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
    let mut v = grade(&path);
    if let Some(r) = resolve(&path) {
        // What the alias reaches is graded like its real name: an allowed object stays
        // "unknown" (reaching it through another module's import is not what checkpoints do).
        let allowed_target = r.match_indices('.').any(|(i, _)| allowed(&r[..i], &r[i + 1..]));
        let rv = if allowed_target { v } else { grade(&r) };
        if rv.tier > v.tier {
            v = rv;
        }
    }
    let m = normalize_module(module);
    if m == "__main__" && v.tier == Tier::Unknown {
        v.why = "refers to code in the loading program's main script";
    }
    v
}

/// Grade a full dotted path against the denylist, walking its components.
fn grade(path: &str) -> Verdict {
    let mut v = deny(path).unwrap_or(Verdict { tier: Tier::Unknown, why: "not on the ML allowlist" });
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
    if under(path, "builtins") && v.tier < Tier::High {
        v = Verdict { tier: Tier::High, why: "builtins member outside the known-safe set" };
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

    /// A name reached through another module's import of a dangerous module is graded exactly
    /// like the name it reaches, however the module and attribute path are split.
    #[test]
    fn aliases_grade_like_their_target() {
        for (module, name, target_m, target_n) in [
            ("random", "_os.system", "os", "system"),
            ("random._os", "system", "os", "system"),
            ("enum", "bltns.exec", "builtins", "exec"),
            ("enum", "bltns.eval", "builtins", "eval"),
            ("enum", "bltns.open", "builtins", "open"),
            ("enum", "bltns.print", "builtins", "print"),
            ("enum", "bltns", "builtins", ""),
            ("collections", "_sys.modules", "sys", "modules"),
            ("argparse", "_os.system", "os", "system"),
            ("argparse", "_sys.exit", "sys", "exit"),
            ("tempfile", "_os.popen", "os", "popen"),
            ("tempfile", "_shutil.rmtree", "shutil", "rmtree"),
            ("threading", "_os.system", "os", "system"),
            ("ssl", "_socket.socket", "socket", "socket"),
            ("shutil", "os.system", "os", "system"),
            ("pathlib", "os.system", "os", "system"),
            ("typing", "sys.modules", "sys", "modules"),
            ("importlib.util", "_imp.create_dynamic", "_imp", "create_dynamic"),
            ("importlib.abc", "_frozen_importlib.__import__", "importlib._bootstrap", "__import__"),
            ("importlib._bootstrap_external", "_os.system", "posix", "system"),
            ("os.path", "os.system", "os", "system"),
            ("os", "path.os.system", "os", "system"),
            ("tempfile", "_functools.partial", "functools", "partial"),
        ] {
            let want = judge(target_m, target_n).tier;
            assert!(want >= Tier::High, "{target_m}.{target_n}");
            assert_eq!(judge(module, name).tier, want, "{module}.{name}");
        }
        assert_eq!(resolve("random._os.system").as_deref(), Some("os.system"));
        assert_eq!(resolve("enum.bltns.exec").as_deref(), Some("builtins.exec"));
        assert_eq!(resolve("os.path.os.path.os.system").as_deref(), Some("os.system"));
        assert_eq!(resolve("__builtin__.set"), None);
        assert_eq!(resolve("collections.OrderedDict"), None);
        assert_eq!(resolve(""), None);
        assert_eq!(resolve("."), None);
        // Resolving never makes a name look safer, and allowed names stay allowed.
        assert_eq!(judge("os", "path.join").tier, Tier::Critical);
        assert_eq!(judge("collections", "OrderedDict").tier, Tier::Allowed);
        assert_eq!(judge("numpy.core.multiarray", "_reconstruct").tier, Tier::Allowed);
        assert_eq!(judge("random", "Random").tier, Tier::Unknown);
        assert_eq!(judge("enum", "Enum").tier, Tier::Unknown);
        // Private names that are not module aliases are not guessed at.
        assert_eq!(judge("random", "_inst.random").tier, Tier::Unknown);
        // An allowed object reached through an alias is not trusted, nor made worse.
        assert_eq!(judge("enum", "bltns.set").tier, Tier::Unknown);
        // Every alias target is a module the denylist grades (or os.path's posixpath).
        for (m, list) in ALIASES {
            assert!(!m.is_empty());
            for (a, t) in *list {
                assert!(!a.contains('.') && !t.is_empty(), "{m}.{a}");
            }
        }
    }

    #[test]
    fn file_download_and_evaluator_gadgets() {
        for (m, n) in [
            ("pathlib", "Path.write_text"),
            ("pathlib", "Path.write_bytes"),
            ("pathlib", "PosixPath.read_text"),
            ("pathlib", "WindowsPath.unlink"),
            ("pathlib._local", "Path.write_text"),
            ("numpy", "save"),
            ("numpy", "savetxt"),
            ("numpy", "fromfile"),
            ("numpy", "memmap"),
            ("numpy", "loadtxt"),
            ("numpy.core.memmap", "memmap"),
            ("keras.utils", "get_file"),
            ("keras.src.utils.file_utils", "get_file"),
            ("tensorflow.keras.utils", "get_file"),
            ("huggingface_hub", "hf_hub_download"),
            ("huggingface_hub.file_download", "hf_hub_download"),
            ("huggingface_hub", "snapshot_download"),
        ] {
            let v = judge(m, n);
            assert_eq!(v.tier, Tier::High, "{m}.{n}");
            assert!(v.why.contains("file") || v.why.contains("download"), "{m}.{n}: {}", v.why);
        }
        for (m, n) in [
            ("sympy", "sympify"),
            ("sympy.core.sympify", "sympify"),
            ("sympy.parsing.sympy_parser", "parse_expr"),
            ("pandas", "eval"),
            ("pandas.core.computation.eval", "eval"),
            ("pandas", "DataFrame.query"),
            ("numexpr", "evaluate"),
            ("numexpr.necompiler", "evaluate"),
        ] {
            let v = judge(m, n);
            assert_eq!(v.tier, Tier::Critical, "{m}.{n}");
            assert_eq!(v.why, EVAL_EXPR);
        }
        assert_eq!(judge("requests", "get").tier, Tier::High);
        // The classes themselves, and harmless methods, are unchanged.
        assert_eq!(judge("pathlib", "Path").tier, Tier::Allowed);
        assert_eq!(judge("pathlib", "PosixPath").tier, Tier::Allowed);
        assert_eq!(judge("pathlib", "Path.joinpath").tier, Tier::Unknown);
        assert_eq!(judge("pathlib", "Path.write_textual").tier, Tier::Unknown);
        assert_eq!(judge("numpy", "ndarray").tier, Tier::Allowed);
        assert_eq!(judge("numpy", "saved_thing").tier, Tier::Unknown);
        assert_eq!(judge("sympy", "Symbol").tier, Tier::Unknown);
        assert_eq!(judge("pandas", "DataFrame").tier, Tier::Unknown);
    }
}

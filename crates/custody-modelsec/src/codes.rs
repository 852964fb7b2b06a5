//! The rule codes this crate emits, each with its documentation: adding a rule is adding its
//! line here (code, default severity, title, why it matters, what to do), a sample in
//! `fixtures` and an expectation in `tests/rules.rs`.

pub use ModelCode::*;

custody_core::rules! {
    /// Codes of the model-file security analysis. The variants read like the constants they
    /// are (`codes::PKL_CRITICAL`).
    #[allow(non_camel_case_types)]
    pub enum ModelCode {
        PKL_CRITICAL = "CUS-PKL-001", Critical, "Pickle imports or calls a code-execution gadget",
            "Loading the file (pickle.load, torch.load, joblib.load, numpy.load with allow_pickle) imports and calls this global, which runs commands, evaluates code, imports arbitrary modules, loads native code or starts a debugger: whoever made the file runs code on your machine (5.2.3-1).",
            "Do not load the file. Get the model in a format without code (safetensors, GGUF, ONNX), or from a source you trust, and compare hashes.";
        PKL_DANGEROUS = "CUS-PKL-002", High, "Pickle imports a dangerous global",
            "The global reaches the network, the file system, process state or attributes of arbitrary objects; ML checkpoints never need it, and it is a building block of payloads.",
            "Do not load the file; if you must, load it with an allowlisting unpickler (torch.load(weights_only=True)) in a sandbox, and ask the publisher why it is there.";
        PKL_UNKNOWN = "CUS-PKL-003", Medium, "Pickle imports a global outside the ML allowlist",
            "custody only trusts the reconstructors that PyTorch, NumPy, scikit-learn and joblib really use; anything else (custom classes, unresolvable calls, copyreg extension codes) runs code nobody vetted when the file is loaded.",
            "Check that the named module is code you have and trust; prefer weights-only formats, or load with an allowlist that names it explicitly.";
        PKL_BROKEN = "CUS-PKL-004", Medium, "Pickle stream is malformed or truncated",
            "pickle.load runs every opcode before the point where a stream breaks, so a payload followed by garbage executes and then raises an error (the nullifAI trick); what came before the break is reported, and the bytes after it were searched for imports.",
            "Treat the file as hostile unless it is a known-truncated download; re-download it and compare its hash with the published one.";
        PKL_FRAME = "CUS-PKL-005", High, "Pickle FRAME lengths disagree with the opcodes",
            "Protocol-4 frames that end inside an opcode, start inside another frame or claim more data than exists make frame-aware readers and pickle.load see different opcodes: a known way to hide a GLOBAL and REDUCE from scanners.",
            "Do not load the file. Regenerate it with a standard pickler if it is yours.";
        PKL_MEMO = "CUS-PKL-006", High, "Pickle memo tricks",
            "Reads of memo slots that were never written, memo slots overwritten, or STACK_GLOBAL operands that are not strings are how payloads swap the module and name a scanner sees for the ones the loader uses; no standard pickler produces them.",
            "Do not load the file.";
        PKL_TAMPER = "CUS-PKL-007", Critical, "Pickle modifies a module, class or special attribute",
            "BUILD, SETITEM or APPEND applied to an imported module or class (or state with dunder keys) rewrites interpreter state: an allowlisted function can be replaced by a dangerous one before it is called.",
            "Do not load the file.";
        PKL_LIMIT = "CUS-PKL-008", Medium, "Pickle analysis limit reached",
            "custody bounds opcodes, memo size, stack depth and nesting so hostile files cannot exhaust it; what lies beyond the limit was not inspected, so the file is not known to be safe.",
            "Inspect the file another way (a sandboxed load with an allowlisting unpickler) or convert it to a weights-only format.";
        PKL_NESTED = "CUS-PKL-009", Low, "Pickle embedded in a bytes value of another pickle",
            "A pickle inside a pickle runs when something calls pickle.loads, torch.load or joblib on it: a staging technique that hides the payload from scanners that read only the outer stream. Its own findings are reported separately.",
            "Check what in the outer pickle unpickles the nested one; treat any finding inside it like a finding in the outer file.";
        PKL_MULTI = "CUS-PKL-010", Low, "More than one pickle stream in a file",
            "pickle.load reads only the first stream, but legacy torch, joblib and custom loaders read several; every stream was analysed. A second stream in a plain pickle is unusual and can hide a payload from tools that stop at the first STOP.",
            "Confirm the producer writes several streams on purpose; otherwise treat the extra streams as tampering.";
        ZIP_UNINSPECTABLE = "CUS-ZIP-001", Medium, "Model content custody could not inspect",
            "A 7z, gzip, bzip2, xz or tar wrapper, an encrypted or unsupported zip member, a prefix of a large archive whose directory is at the end, or a safetensors file whose header length is beyond the file might hold anything; it is never reported as clean (nullifAI used 7z to slip pickles past scanners).",
            "Unpack or convert the model and scan the result, or get it in a format custody can open.";
        ZIP_NAME_MISMATCH = "CUS-ZIP-002", High, "Zip local header and central directory disagree on a name",
            "Readers that walk local headers and readers that trust the central directory (torch.load) see different member names, so a scanner can check one file while the loader runs another (CVE-2025-1944).",
            "Do not load the archive; re-create it with a standard zip writer if it is yours.";
        ZIP_CRC = "CUS-ZIP-003", Medium, "Zip member fails its CRC check",
            "torch.load ignores CRCs while strict readers refuse the member: the content changed after the archive was written, or was crafted to make scanners give up (CVE-2025-10156).",
            "Re-download the file and compare its hash with the published one.";
        ZIP_FLAGS = "CUS-ZIP-004", Medium, "Zip member with encryption or patch flag bits",
            "torch.load reads members whatever these flag bits say, while Python's zipfile refuses them: scanners built on it skip the content (CVE-2025-1945). Model archives are never encrypted.",
            "Do not load the archive; re-create it without the flags if it is yours.";
        ZIP_TRAVERSAL = "CUS-ZIP-005", High, "Zip member name escapes the extraction directory",
            "An absolute name or one with `..` components writes outside the target directory when the archive is extracted (path traversal, zip slip).",
            "Do not extract the archive; rename the members if it is yours.";
        ZIP_BOMB = "CUS-ZIP-006", High, "Zip bomb",
            "An extreme declared compression ratio, an enormous total size, overlapping members or content that inflates past its declared size exhausts memory or disk in whatever extracts it.",
            "Do not extract the archive.";
        ZIP_MALFORMED = "CUS-ZIP-007", Medium, "Malformed zip structure",
            "A broken or contradictory central directory makes loaders and scanners disagree about what the archive holds; custody read the members it could find from their local headers.",
            "Re-download the file; re-create the archive with a standard writer if it is yours.";
        ZIP_DUPLICATE = "CUS-ZIP-008", Medium, "Duplicate member names in a zip",
            "Readers disagree about which copy of a duplicated name they use (Python takes the last), so a scanner and a loader can see different content; all copies were analysed.",
            "Re-create the archive with unique names.";
        ZIP_HIDDEN_PICKLE = "CUS-ZIP-009", Medium, "Pickle in a zip member whose name does not say so",
            "Scanners that pick members by extension skip a pickle stored under another name, while the loader opens it by name and runs it (CVE-2025-1889).",
            "Find out why the member holds a pickle; treat its pickle findings like any other.";
        ZIP_POLYGLOT = "CUS-ZIP-010", High, "Polyglot file: two formats in one",
            "Data before a zip archive, or a zip directory after a pickle, makes readers that look at the start (torch.load decides by the first bytes) and readers that look at the end see different files; both were analysed.",
            "Do not load the file; get a clean copy from the publisher.";
        NPY_OBJECT = "CUS-NPY-001", Medium, "NumPy object array holds a pickle",
            "The data of an object-dtype .npy (also inside .npz) is a pickle that numpy.load(allow_pickle=True) runs; the payload was analysed and its findings are reported separately.",
            "Load with allow_pickle=False, or convert the data to a plain numeric dtype.";
        KER_LAMBDA = "CUS-KER-001", High, "Keras Lambda layer",
            "A Lambda layer stores Python bytecode in the model; loading it with safe_mode=False, or with a Keras version that ignores safe_mode, runs that code (CVE-2024-3660).",
            "Replace the Lambda layer with a registered custom layer whose code you control, and keep safe_mode on.";
        KER_MODULE = "CUS-KER-002", High, "Keras config imports a module outside Keras",
            "Deserialising an object whose `module` lies outside Keras imports that module and fetches a name from it, even with safe_mode (CVE-2025-1550): a config can name os.system or any other function.",
            "Do not load the model; if the module is your own code, register the object and load with custom_objects.";
        KER_GADGET = "CUS-KER-003", Critical, "Keras config uses a safe_mode bypass gadget",
            "Keras-internal functions and classes such as enable_unsafe_deserialization, get_file, load_model or TorchModuleWrapper turn safe_mode off, write files or unpickle data while the model loads (CVE-2025-8747, -9906, -49655).",
            "Do not load the model; upgrade Keras and get the model from a trusted source.";
        KER_CUSTOM = "CUS-KER-004", Medium, "Keras config uses a custom object",
            "A custom layer, loss or function is code from a module outside Keras that runs when the model loads; it is only as safe as that module.",
            "Make sure the named module is code you have reviewed, and pass it explicitly through custom_objects.";
        KER_H5 = "CUS-KER-005", High, "Legacy HDF5 Keras model with Lambda layers",
            "A Lambda layer in an .h5 model runs its stored bytecode when the model is loaded (legacy loaders ignore safe_mode, CVE-2025-9905); found by a byte search of the model config, so confidence is lower.",
            "Re-save the model in the .keras format without Lambda layers, or load it only in a sandbox.";
        TF_PYTHON = "CUS-TF-001", Critical, "TensorFlow graph runs Python functions",
            "PyFunc, EagerPyFunc and related ops call Python functions when the graph runs; a SavedModel that uses them executes code from the loading process or its environment.",
            "Do not serve the model; rebuild it without py_function / numpy_function.";
        TF_FILE = "CUS-TF-002", High, "TensorFlow graph reads or writes files",
            "ReadFile, WriteFile, MatchingFiles, ImmutableConst and print/debug ops writing to file URLs give a served model access to the server's file system.",
            "Check why the graph touches files; serve it only in a sandbox without access to secrets.";
        TF_PATH = "CUS-TF-003", High, "TensorFlow graph saves to an absolute or escaping path",
            "String constants that are absolute paths or contain `..`, in a graph with save, restore or write ops, let the model overwrite or read files outside its directory.",
            "Rebuild the graph so file names come from inputs, not constants; serve it in a sandbox.";
        ONX_PATH = "CUS-ONX-001", High, "ONNX external data path escapes the model directory",
            "External tensor data is opened relative to the model; an absolute path or one with `..` makes the runtime read (or tools write) arbitrary files (CVE-2022-25882, CVE-2024-27318).",
            "Keep external data next to the model with plain relative names; do not load the model as is.";
        ONX_DOMAIN = "CUS-ONX-002", Medium, "ONNX operators from a custom domain",
            "Operators outside the standard domains need a custom-operator library registered by the loading program: native code the model depends on.",
            "Make sure the operator library is one you trust; prefer models that use standard operators only.";
        GGUF_HEADER = "CUS-GGUF-001", High, "GGUF header counts or lengths out of range",
            "Counts, string and array lengths or tensor dimensions that overflow or exceed what the file holds are how crafted GGUF files corrupt memory in native loaders.",
            "Do not load the file; re-download it and compare its hash with the published one.";
        JJA_DUNDER = "CUS-JJA-001", Critical, "Chat template reaches Python internals",
            "Attribute or item access to dunder names (__class__, __globals__, __subclasses__, __builtins__...) in a Jinja chat template is server-side template injection: rendering it with a non-sandboxed engine runs code (CVE-2024-34359).",
            "Do not serve the model with this template; replace it with the upstream template of the base model.";
        JJA_GADGET = "CUS-JJA-002", High, "Chat template uses template-injection gadgets",
            "Attributes of template globals (cycler, joiner, namespace, lipsum, self), popen/system-style attributes, references to os or eval, computed attr filters, include/import, or huge ranges have no place in a chat template.",
            "Replace the template with the upstream one, and render templates in a sandboxed environment.";
        JJA_TRIGGER = "CUS-JJA-003", High, "Chat template hides instructions behind a trigger",
            "A condition that compares message content with a literal and then injects fixed text is an inference-time backdoor: the model behaves normally until the trigger phrase appears.",
            "Compare the template with the base model's and remove the conditional text.";
        JJA_UNPARSED = "CUS-JJA-004", Low, "Chat template could not be parsed",
            "The template does not parse as Jinja (after removing Hugging Face's generation tags), so it was only searched as text; the engine that renders it may accept it differently.",
            "Check the template by hand, or replace it with the upstream one.";
        JJA_LEXICAL = "CUS-JJA-005", High, "Template-injection pattern in an unparsable chat template",
            "A text search of a template that did not parse found dunder names, attr filters or command-execution calls; without a syntax tree the match is less certain.",
            "Read the template, and replace it with the upstream one.";
        ST_HEADER = "CUS-ST-001", Medium, "safetensors header size or structure is invalid",
            "A header length beyond the reference limit, or a header that is not a JSON object, is refused by loaders but can exhaust memory in naive readers. A length beyond the file itself leaves nothing that can be located and is reported as uninspectable (CUS-ZIP-001).",
            "Re-download the file; re-save it with the safetensors library if it is yours.";
        ST_OFFSETS = "CUS-ST-002", High, "safetensors tensors overlap or point outside the data",
            "Offsets outside the data buffer make native readers read out of bounds; overlapping tensors alias each other's bytes. The reference writer produces neither.",
            "Do not load the file with readers that trust offsets; get a clean copy.";
        ST_TRAILING = "CUS-ST-003", Medium, "Bytes after the last safetensors tensor",
            "Data no tensor claims can hide a payload, or make the file a polyglot that another loader reads as pickle or zip (then the severity is high and the payload was analysed).",
            "Re-save the file with the safetensors library and compare hashes with the publisher's.";
        ST_METADATA = "CUS-ST-004", Medium, "Suspicious safetensors metadata",
            "Metadata values with code, template or shell syntax (high) or of enormous size are injection payloads for tools and UIs that display or evaluate metadata.",
            "Strip or rewrite the metadata, and find out who put it there.";
    }
}

/// Every code above, in order.
pub const ALL: &[ModelCode] = ModelCode::ALL;

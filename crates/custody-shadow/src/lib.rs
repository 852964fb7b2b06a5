//! Shadow-AI detection: where does a code base use AI, whether or not anyone declared it?
//!
//! Pure functions over text, no IO: the caller reads files and passes their path (used only to
//! pick the language or format) and content. Every function is total: it never panics, whatever
//! the input, and runs in time linear in the input.
//!
//! # What is detected
//!
//! | [`HitKind`] | where | what |
//! |---|---|---|
//! | `Sdk` | [`scan_code`], [`scan_notebook`] | imports of AI SDKs and frameworks (Python `import`/`from`, `importlib`; JS/TS `import`/`require`/`export … from`/dynamic `import()`; Java/Kotlin `import`; Go `import`; Rust `use`/`extern crate` and `name::` paths; C# `using`), and `boto3.client("bedrock-runtime")` |
//! | `Dependency` | [`scan_manifest`], notebooks' `%pip install`, config `pip install` / `npm install` lines, container images | declared AI packages |
//! | `Endpoint` | string literals in code, values in config | AI API hosts, managed vector stores, LLM observability services, local inference servers (loopback + conventional port) |
//! | `EnvVar` | string literals and `process.env.X` in code, keys/values/references in config | AI-specific environment variable names |
//! | `ModelId` | string literals in code, values in config, Ollama `Modelfile` `FROM` | model identifiers, attributed to the model's vendor |
//! | `HubDownload` | calls in code | models and datasets fetched from the Hugging Face Hub (and `torch.hub.load`), with revision pinning |
//! | `Credential` | anywhere in the text | provider API keys, reported masked ([`mask`]) |
//! | `PathLiteral` | string literals in code | relative (and absolute) paths to model weights, datasets and prompt files, and local directories passed to `from_pretrained` |
//!
//! `Hit::name` is the evidence: the package (for `Sdk` and `Dependency` alike in the
//! ecosystem's manifest spelling, so imported-but-undeclared packages can be found by comparing
//! the two), host, variable, model id, repo id, masked credential or path. `Hit::line` and
//! `Hit::column` are 1-based and point at the first character of that evidence (inside the
//! quotes for literals); columns count characters, not bytes; lines are separated by `\n`; a
//! leading byte-order mark is ignored.
//!
//! # Confidence
//!
//! Every hit is lexical evidence, not proof of use at run time. `detail` carries the context
//! (import statement, accessor such as `os.getenv`, manifest section, loader call, credential
//! kind) and says "low confidence" where the evidence is weak: ambiguous module names, local
//! servers on generic ports. `category` of a `ModelId` is the family's usual deployment
//! (API-only families `remote-inference`, open-weight families `local-inference`); a Llama id
//! sent to a hosted API is still `local-inference`.
//!
//! # Decisions on false positives
//!
//! - **Comments never count, except for credentials.** Imports, endpoints, env vars, model ids
//!   and paths are taken from code and string literals only; a tokenizer per language drops
//!   comments. Python docstrings (and other bare string statements) count as comments. A key
//!   pasted into a comment is still a leaked key, so credentials are searched in the whole text.
//! - **Strings are not code.** `"import openai"` or `"require('openai')"` inside a string
//!   literal is not an import.
//! - **Identifiers alone never count.** `reopenai`, `openai_compatible_url` or a variable
//!   named `bert` produce nothing; only imports, literals and `env.X` accessors (JS/TS
//!   `process.env.X`, `import.meta.env.X`) do. Import names are matched exactly or as
//!   dotted/slashed prefixes (`openai` matches `openai.types`, not `openai_helpers` or
//!   `reopenai`).
//! - **Environment variables** are names from the table (exact or by provider prefix such as
//!   `OPENAI_*`, `AZURE_OPENAI_*`, `HF_HUB_*`) or names ending in `KEY`/`TOKEN`/`SECRET` whose
//!   `_`-separated segments name a provider (`VITE_OPENAI_API_KEY`). In code they count as a
//!   string literal that is or contains the name (`os.getenv("X")`, `System.getenv("X")`,
//!   `env!("X")`, an error message naming it); `detail` names the accessor when there is one.
//!   Generic names (`MODEL_NAME`, `AWS_*`, `GOOGLE_CLOUD_PROJECT`) are not AI-specific.
//! - **Model ids must look like model ids.** Shapes are anchored on the whole literal
//!   (`"gpt-4o"`, `"claude-3-5-sonnet-20241022"`, `"llama3.1:8b"`), so `"robert"`,
//!   `"command"`, `"3.5"` or `"v1.2"` never match. Shapes that are also words or too short
//!   (`"mistral"`, `"claude"`, `"gemini"`, `"o1"`, `"sonar"`, `"phi3"`) count only where a
//!   model is expected (`model=`, `model:`, a `*_MODEL` key, `GenerativeModel(...)`, the
//!   default of `getenv("X_MODEL", …)`). The provider is the model's vendor, from the id itself,
//!   never from other lines of the file; `name:tag` ids of Ollama families are `ollama`,
//!   Bedrock ids (`anthropic.claude-…-v1:0`) are `aws-bedrock`, namespaced ids
//!   (`meta-llama/Llama-3.1-8B`, `openai/gpt-4o`) take the vendor of the part after `/`.
//! - **English-word packages** (`cohere`, `replicate`, `together`) count only as real import
//!   statements or manifest entries. Ambiguous module names (`whisper`, `guidance`, `phoenix`,
//!   the `llm` crate) are reported with "low confidence" in `detail`; `agents` counts only with
//!   `from agents import Agent/Runner/…`; `boto3` (import or dependency) counts only through a
//!   Bedrock client (`boto3.client("bedrock-runtime")`, reported there).
//! - **npm** `ai` is the Vercel AI SDK only as the exact package (`"ai"`, `"ai/rsc"`), never
//!   `aix`, `ai-utils` or `@foo/ai`. Scoped families (`@langchain/*`, `@ai-sdk/*`,
//!   `@huggingface/*`) match by scope, exact entries first. Relative, URL, `node:` and asset
//!   (`.svg`, `.css`, …) specifiers are ignored.
//! - **Go** `/vN` suffixes and sub-packages match their module (`…/openai-go/v3/option`), a
//!   longer module name does not (`…/openai-go-extras`). **Java/Kotlin, C#, NuGet** match
//!   package / namespace / id prefixes on `.` boundaries, longest first. C# `using var x = …`
//!   and `using (…)` are not directives. **Rust** `use`, `extern crate` and the first
//!   `name::…` path of a table crate count (not for the ambiguous `llm`); `crate::`, `self::`,
//!   `std::` never do.
//! - **Endpoints**: documentation hosts (`platform.openai.com`, `docs.anthropic.com`,
//!   `huggingface.co/docs/…`) are not endpoints; hosts are matched whole
//!   (`api.openai.com.evil.example` is not OpenAI). A host after a template placeholder
//!   (`f"https://{res}.openai.azure.com"`) is reported as `*.openai.azure.com`. Loopback servers
//!   count on port 11434 (Ollama, any host) and on 1234, 1337, 4891, 8000, 8080 only with an
//!   OpenAI-style `/v1` path (8000/8080: no provider, low confidence). A `plain http` note is
//!   added for non-TLS remote URLs.
//! - **Hub downloads** come from loader calls (`from_pretrained`, `hf_hub_download`,
//!   `snapshot_download`, `hf_hub_url`, `load_dataset`, `pipeline` with a task name or
//!   `model=`, `SentenceTransformer`, `CrossEncoder`, transformers.js, Rust `hf-hub`
//!   `Repo::…`, `torch.hub.load`), Hugging Face `…/resolve/<rev>/…` URLs and `hf_hub:` ids. An
//!   argument starting with `./`, `../`, `/`, `~`, with more than one `/`, naming a file, or
//!   whose first segment is a usual local directory (`models/…`, `checkpoints/…`) is a
//!   `PathLiteral`, not a download. `pinned` is `Some(true)` only for a 40-hex commit id,
//!   `Some(false)` for a branch or tag (`"main"`, `"v1.0"`) or no revision, `None` when the
//!   revision is not a literal (it cannot be known statically).
//! - **Path literals** need a file name with an AI asset extension (weights, serialized
//!   models, datasets, `.prompt`/`.prompty`); generic text and template extensions (`.txt`,
//!   `.md`, `.jinja`, `.j2`, `.yaml`) only when the path mentions "prompt", since Jinja and YAML
//!   files are mostly not prompts. Globs, URLs, bare extensions (`".gguf"`) and MIME types do not
//!   count. Absolute paths count and say so in `detail`.
//! - **Credentials** need the provider's prefix, the right length and character set, a clean
//!   boundary, and a random-looking body: placeholders (`sk-...`, `sk-xxxx…`, `YOUR_API_KEY`,
//!   bodies containing `your`, `example`, `test`, …), runs of one character, alphabet or digit
//!   sequences and low-entropy bodies are ignored; `${VAR}` references never match a shape.
//!   `sk-` keys are OpenAI when they carry OpenAI's marker or the classic 48-character shape,
//!   another vendor when its name is on the same line (`deepseek`, `moonshot`, `dashscope`),
//!   and otherwise have no provider. AWS access key ids are reported only in files that mention
//!   Bedrock. Providers without a reliable key shape (Cohere, Mistral, Together, Pinecone…)
//!   are reported only when a random-looking literal is assigned to their variable
//!   (`COHERE_API_KEY=…`, `cohere_api_key="…"`). The raw value never appears in a hit, nor in
//!   its `Debug` or serialised output: `name` is [`mask`]ed and `detail` names the kind.
//! - **Minified lines**: lines longer than [`MAX_LINE_BYTES`] are skipped by every per-literal
//!   and per-line check (they are mostly vendored bundles); imports and credentials are still
//!   found on them.
//!
//! # Limits
//!
//! Detection is lexical, not semantic: no type or data-flow analysis, so a model id held in a
//! variable, a URL built at run time, or a package imported under a computed name is missed,
//! and an SDK imported but never used is still reported. The tokenizers are simplified: JSX
//! text containing an apostrophe, Kotlin/C# string templates with nested quotes and other rare
//! constructs can hide or expose a literal on that line (damage never spreads past the line
//! for single-line literals). Manifests are read line by line (TOML, INI, requirements) or with
//! a tolerant JSON/XML scan; computed versions, property references and `setup.py` are not
//! understood. Notebooks must be nbformat 4 (`cells[].source`). At most [`MAX_HITS`] hits are
//! returned per input (the earliest by position; each kind is first capped at [`MAX_HITS`]),
//! and inputs beyond [`MAX_INPUT_BYTES`] are scanned up to that size.

mod code;
mod config;
mod hits;
mod json;
mod lex;
mod literal;
mod manifest;
mod notebook;
mod resolve;
mod secrets;
mod tables;
mod text;

#[cfg(test)]
mod tests;

/// The `category` values of a [`Hit`].
pub mod category {
    /// A hosted model API (OpenAI, Anthropic, Bedrock, …) or a gateway in front of one.
    pub const REMOTE: &str = "remote-inference";
    /// Models run in-process or on a local server (transformers, llama.cpp, Ollama, ONNX).
    pub const LOCAL: &str = "local-inference";
    /// Agent and LLM-application frameworks (LangChain, LlamaIndex, Semantic Kernel, MCP).
    pub const ORCHESTRATION: &str = "orchestration";
    /// Vector databases and similarity search.
    pub const VECTOR_STORE: &str = "vector-store";
    /// Tracing, evaluation, experiment tracking and guardrails for AI systems.
    pub const OBSERVABILITY: &str = "observability";
    /// Training and classic ML frameworks.
    pub const TRAINING: &str = "training";
    /// Model and dataset hubs (Hugging Face Hub, Ollama registry).
    pub const MODEL_HUB: &str = "model-hub";
    /// AI asset files referenced by path.
    pub const FILE: &str = "file";
    /// All categories.
    pub const ALL: &[&str] = &[REMOTE, LOCAL, ORCHESTRATION, VECTOR_STORE, OBSERVABILITY, TRAINING, MODEL_HUB, FILE];
}

/// At most this many hits are returned for one input.
pub const MAX_HITS: usize = 10_000;
/// Lines longer than this (minified bundles) are skipped by per-line and per-literal checks;
/// imports and credentials are still found on them.
pub const MAX_LINE_BYTES: usize = 100 * 1024;
/// Inputs are scanned up to this many bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// A source language, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    Python,
    JavaScript,
    TypeScript,
    Java,
    Kotlin,
    Go,
    Rust,
    CSharp,
}

/// The language of a source file by its extension: `.py .pyi .js .mjs .cjs .jsx .ts .tsx .mts
/// .cts .java .kt .kts .go .rs .cs` (case-insensitive).
pub fn language_of(path: &str) -> Option<Language> {
    let ext = text::extension(text::basename(path))?;
    Some(match ext.as_str() {
        "py" | "pyi" | "pyw" => Language::Python,
        "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
        "ts" | "tsx" | "mts" | "cts" => Language::TypeScript,
        "java" => Language::Java,
        "kt" | "kts" => Language::Kotlin,
        "go" => Language::Go,
        "rs" => Language::Rust,
        "cs" => Language::CSharp,
        _ => return None,
    })
}

/// What kind of evidence a [`Hit`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HitKind {
    Sdk,
    Dependency,
    Endpoint,
    EnvVar,
    ModelId,
    HubDownload,
    Credential,
    PathLiteral,
}

/// One piece of evidence of AI use.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    pub kind: HitKind,
    /// Stable lower-case provider / vendor id (`"openai"`, `"anthropic"`, `"google"`,
    /// `"huggingface"`, `"aws-bedrock"`, `"azure-openai"`, `"ollama"`, …), or `None` when the
    /// evidence does not point at one vendor (frameworks, generic runtimes, unknown servers).
    pub provider: Option<String>,
    /// One of [`category::ALL`].
    pub category: &'static str,
    /// The evidence: package, host, variable, model id, repo id, masked credential or path.
    pub name: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// `HubDownload` only: `Some(true)` when a 40-hex commit is pinned, `Some(false)` for a
    /// branch or tag name or no revision, `None` when the revision is not a literal. `None` for
    /// every other kind.
    pub pinned: Option<bool>,
    /// Context: the import statement, manifest section, loader call, credential kind, variable
    /// accessor, confidence notes.
    pub detail: Option<String>,
}

/// Scan source code; the language comes from [`language_of`] (other paths give no hits).
pub fn scan_code(path: &str, text: &str) -> Vec<Hit> {
    let Some(lang) = language_of(path) else { return Vec::new() };
    let text = text::clamp(text);
    let mut sink = hits::Sink::default();
    secrets::scan(text, 0, &mut sink);
    code::scan(lang, text, &mut sink);
    sink.finish(text)
}

/// Whether `path` is a dependency manifest [`scan_manifest`] understands: `requirements*.txt`
/// (also `*requirements*.txt`/`.in` and `.txt` files in a `requirements/` directory),
/// `constraints*.txt`, `pyproject.toml`, `Pipfile`, `setup.cfg`, `package.json`, `go.mod`,
/// `Cargo.toml`, `pom.xml`, `build.gradle`, `build.gradle.kts`, `*.versions.toml` (Gradle
/// version catalogs), `*.csproj`, `*.fsproj`, `*.vbproj`, `Directory.Packages.props`,
/// `packages.config`.
pub fn is_manifest(path: &str) -> bool {
    manifest::kind_of(path).is_some()
}

/// Declared AI dependencies in a manifest ([`is_manifest`]); `Dependency` hits whose `name` is
/// the package in its ecosystem's spelling (PyPI names normalised, Go modules without `/vN`,
/// Cargo renames resolved, Maven `group:artifact`) and whose `detail` is the manifest section.
pub fn scan_manifest(path: &str, text: &str) -> Vec<Hit> {
    let text = text::clamp(text);
    let Some(kind) = manifest::kind_of(path) else { return Vec::new() };
    let mut sink = hits::Sink::default();
    manifest::scan(kind, text, &mut sink);
    sink.finish(text)
}

/// Whether `path` is a Jupyter notebook (`.ipynb`).
pub fn is_notebook(path: &str) -> bool {
    text::extension(text::basename(path)).is_some_and(|e| e == "ipynb")
}

/// Scan a Jupyter notebook (nbformat 4 JSON). Code cells are scanned as Python (notebooks whose
/// kernel language is something else are only searched for credentials); `%pip`/`!pip install`
/// lines give `Dependency` hits. Line and column are positions **in the `.ipynb` file**: the
/// line where the JSON string holding that source line sits, and the character column inside
/// it (escape sequences such as `\"` counted as written in the file). `detail` of code-cell
/// hits ends with `cell N` (1-based index in `cells`). Credentials are searched in the whole
/// file, outputs included.
pub fn scan_notebook(path: &str, text: &str) -> Vec<Hit> {
    let _ = path;
    let text = text::clamp(text);
    let mut sink = hits::Sink::default();
    secrets::scan(text, 0, &mut sink);
    notebook::scan(text, &mut sink);
    sink.finish(text)
}

/// Whether `path` is a configuration file [`scan_config`] has a dedicated reader for: `.env`,
/// `.env.*`, `*.env`, `*.yaml`, `*.yml`, `*.json`, `*.jsonc`, `*.toml`, `*.ini`, `*.cfg`,
/// `*.conf`, `*.properties`, `Dockerfile`, `Dockerfile.*`, `*.dockerfile`, `Containerfile`,
/// `Modelfile`.
pub fn is_config(path: &str) -> bool {
    config::flavor_of(path).is_some()
}

/// Scan configuration: endpoint hosts, AI environment variable names (as `KEY=`, `KEY:`,
/// `name: KEY`, `${KEY}`), credentials (shapes anywhere, and literal values of credential
/// variables), model ids in values, container images and `pip install`/`npm install` commands
/// (`Dependency`), and Ollama `Modelfile` `FROM`/`ADAPTER`. Unknown paths are read as
/// `KEY=value` / `key: value` lines (or JSON when the text starts with `{` or `[`).
pub fn scan_config(path: &str, text: &str) -> Vec<Hit> {
    let text = text::clamp(text);
    let mut sink = hits::Sink::default();
    secrets::scan(text, 0, &mut sink);
    config::scan(path, text, &mut sink);
    sink.finish(text)
}

/// Credentials only, in any text.
pub fn scan_credentials(text: &str) -> Vec<Hit> {
    let text = text::clamp(text);
    let mut sink = hits::Sink::default();
    secrets::scan(text, 0, &mut sink);
    sink.finish(text)
}

/// Pick the scanner(s) for `path`: notebook, then manifest (plus the config reader for JSON,
/// TOML and INI manifests), then source code, then configuration; any other file is searched
/// for credentials only.
pub fn scan_file(path: &str, text: &str) -> Vec<Hit> {
    if is_notebook(path) {
        return scan_notebook(path, text);
    }
    if is_manifest(path) {
        let mut hits = scan_manifest(path, text);
        if is_config(path) {
            hits.extend(scan_config(path, text));
        } else {
            hits.extend(scan_credentials(text));
        }
        hits.sort_by_key(|h| (h.line, h.column, h.kind));
        hits.truncate(MAX_HITS);
        return hits;
    }
    if language_of(path).is_some() {
        return scan_code(path, text);
    }
    if is_config(path) {
        return scan_config(path, text);
    }
    scan_credentials(text)
}

/// Mask a secret for display: a recognised prefix (`sk-proj-`, `sk-ant-`, `hf_`, `AIza`,
/// `gsk_`, …) is kept, then `…`, then the last 4 characters: `"sk-proj-…wxyz"`. Without a known
/// prefix only the last 4 characters are kept, and only when at least 12 others are hidden;
/// short secrets become `"…"`. Never more than 4 trailing characters are shown.
pub fn mask(secret: &str) -> String {
    secrets::mask(secret)
}

//! Source code: token-level passes over the output of [`crate::lex`].

use crate::category::{FILE, MODEL_HUB, REMOTE};
use crate::hits::{Raw, Sink};
use crate::lex::{K, Tok, lex};
use crate::literal::{self, RepoArg};
use crate::resolve;
use crate::secrets;
use crate::tables::{HF_TASKS, LOADERS, Loader, Rule, Sdk};
use crate::text::{is_commit_sha, sub};
use crate::{HitKind, Language, MAX_LINE_BYTES};

/// Tokens scanned forward from one construct (import list, call arguments) at most.
const WINDOW: usize = 256;

/// Scan `text` as `lang` into `sink`; offsets are bytes into `text`.
pub(crate) fn scan(lang: Language, text: &str, sink: &mut Sink) {
    let toks = lex(lang, text);
    let cx = Cx::new(lang, text, &toks);
    cx.imports(sink);
    let handled = cx.hub_calls(sink);
    cx.literals(sink, &handled);
    cx.env_idents(sink);
    cx.assigned_credentials(sink);
    if lang == Language::Python {
        cx.bedrock_clients(sink);
    }
}

struct Cx<'a> {
    lang: Language,
    src: &'a str,
    t: &'a [Tok],
    /// Byte ranges of lines longer than [`MAX_LINE_BYTES`].
    long: Vec<(usize, usize)>,
    /// Bracket depth before each token.
    depth: Vec<u32>,
}

fn long_lines(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (start, line) in crate::text::lines(src) {
        if line.len() > MAX_LINE_BYTES {
            out.push((start, start + line.len()));
        }
    }
    out
}

impl<'a> Cx<'a> {
    fn new(lang: Language, src: &'a str, t: &'a [Tok]) -> Cx<'a> {
        let mut depth = Vec::with_capacity(t.len());
        let mut d: u32 = 0;
        for tok in t {
            depth.push(d);
            if tok.k == K::Punct {
                match src.as_bytes().get(tok.s as usize) {
                    Some(b'(' | b'[' | b'{') => d = d.saturating_add(1),
                    Some(b')' | b']' | b'}') => d = d.saturating_sub(1),
                    _ => {}
                }
            }
        }
        Cx { lang, src, t, long: long_lines(src), depth }
    }

    fn tok(&self, i: usize) -> Option<&Tok> {
        self.t.get(i)
    }
    fn txt(&self, i: usize) -> &'a str {
        self.t.get(i).map_or("", |t| sub(self.src, t.s as usize, t.e as usize))
    }
    fn inner(&self, i: usize) -> &'a str {
        self.t.get(i).map_or("", |t| sub(self.src, t.is as usize, t.ie as usize))
    }
    fn kind(&self, i: usize) -> Option<K> {
        self.t.get(i).map(|t| t.k)
    }
    fn is_p(&self, i: usize, c: u8) -> bool {
        self.t.get(i).is_some_and(|t| t.k == K::Punct && self.src.as_bytes().get(t.s as usize) == Some(&c))
    }
    fn is_id(&self, i: usize, w: &str) -> bool {
        self.kind(i) == Some(K::Ident) && self.txt(i) == w
    }
    fn is_str(&self, i: usize) -> bool {
        self.kind(i) == Some(K::Str)
    }
    fn nl(&self, i: usize) -> bool {
        self.t.get(i).is_none_or(|t| t.nl)
    }
    fn prev_is_p(&self, i: usize, c: u8) -> bool {
        i > 0 && self.is_p(i - 1, c)
    }
    fn is_long(&self, i: usize) -> bool {
        let Some(t) = self.t.get(i) else { return false };
        let off = t.s as usize;
        let k = self.long.partition_point(|(s, _)| *s <= off);
        k > 0 && self.long.get(k - 1).is_some_and(|(s, e)| off >= *s && off <= *e)
    }
    fn off(&self, i: usize) -> usize {
        self.t.get(i).map_or(0, |t| t.s as usize)
    }
    fn inner_off(&self, i: usize) -> usize {
        self.t.get(i).map_or(0, |t| t.is as usize)
    }
    /// Two adjacent `:` tokens at `i`, `i+1`.
    fn is_path_sep(&self, i: usize) -> bool {
        self.is_p(i, b':')
            && self.is_p(i + 1, b':')
            && self.tok(i).zip(self.tok(i + 1)).is_some_and(|(a, b)| a.e == b.s)
    }

    /// A dotted (or `::`-separated for Rust) name starting at token `i`: returns the name, and
    /// the index after it. `star`: accept a final `.*`.
    fn dotted(&self, i: usize, star: bool) -> Option<(String, usize)> {
        if self.kind(i) != Some(K::Ident) {
            return None;
        }
        let mut name = self.txt(i).to_string();
        let mut j = i + 1;
        let mut segs = 1;
        while segs < 64 && self.is_p(j, b'.') && !self.nl(j + 1) {
            if self.kind(j + 1) == Some(K::Ident) {
                name.push('.');
                name.push_str(self.txt(j + 1));
                j += 2;
                segs += 1;
            } else if star && self.is_p(j + 1, b'*') {
                j += 2;
                break;
            } else {
                break;
            }
        }
        Some((name, j))
    }

    // --------------------------------------------------------------------------------------------
    // imports

    fn imports(&self, sink: &mut Sink) {
        match self.lang {
            Language::Python => self.py_imports(sink),
            Language::JavaScript | Language::TypeScript => self.js_imports(sink),
            Language::Java | Language::Kotlin => self.jvm_imports(sink),
            Language::Go => self.go_imports(sink),
            Language::Rust => self.rust_imports(sink),
            Language::CSharp => self.cs_usings(sink),
        }
    }

    fn push_sdk(&self, sink: &mut Sink, i: usize, sdk: &Sdk, name: String, detail: String) {
        let detail = if sdk.rule == Rule::Ambiguous {
            format!("{detail} (ambiguous module name, low confidence)")
        } else {
            detail
        };
        let off = if self.is_str(i) { self.inner_off(i) } else { self.off(i) };
        sink.push(Raw::new(off, HitKind::Sdk, sdk.provider(), sdk.cat, name).detail(detail));
    }

    fn py_imports(&self, sink: &mut Sink) {
        let mut i = 0;
        while i < self.t.len() {
            if sink.full(HitKind::Sdk) {
                return;
            }
            if self.kind(i) != Some(K::Ident) || self.prev_is_p(i, b'.') {
                i += 1;
                continue;
            }
            match self.txt(i) {
                "from" => {
                    let Some((module, j)) = self.dotted(i + 1, false) else {
                        i += 1;
                        continue;
                    };
                    if !self.is_id(j, "import") {
                        i += 1;
                        continue;
                    }
                    let mut k = j + 1;
                    let paren = self.is_p(k, b'(');
                    if paren {
                        k += 1;
                    }
                    let mut names: Vec<&str> = Vec::new();
                    while k < self.t.len() && k - j < WINDOW {
                        if (!paren && self.nl(k)) || self.is_p(k, b')') || self.is_p(k, b';') {
                            break;
                        }
                        if self.kind(k) == Some(K::Ident) && self.txt(k) != "as" && !self.is_id(k.wrapping_sub(1), "as")
                        {
                            names.push(self.txt(k));
                        }
                        k += 1;
                    }
                    let shown = if names.len() > 4 {
                        format!("{}, …", names.get(..4).unwrap_or(&[]).join(", "))
                    } else {
                        names.join(", ")
                    };
                    self.py_emit(sink, i + 1, &module, &names, format!("from {module} import {shown}"));
                    i = k;
                }
                "import" => {
                    let mut k = i + 1;
                    while !self.nl(k) {
                        let Some((module, j)) = self.dotted(k, false) else { break };
                        self.py_emit(sink, k, &module, &[], format!("import {module}"));
                        k = j;
                        if self.is_id(k, "as") {
                            k += 2;
                        }
                        if self.is_p(k, b',') && !self.nl(k) {
                            k += 1;
                            continue;
                        }
                        break;
                    }
                    i = k.max(i + 1);
                }
                "import_module" | "__import__" if self.is_p(i + 1, b'(') && self.is_str(i + 2) => {
                    let module = self.inner(i + 2);
                    if !module.starts_with('.') {
                        self.py_emit(sink, i + 2, module, &[], format!("dynamic import of \"{module}\""));
                    }
                    i += 3;
                }
                _ => i += 1,
            }
        }
    }

    fn py_emit(&self, sink: &mut Sink, at: usize, module: &str, names: &[&str], detail: String) {
        let base = resolve::python_module(module);
        let mut emitted: Vec<&'static str> = Vec::new();
        for n in names {
            let full = format!("{module}.{n}");
            if let Some((sdk, pkg)) = resolve::python_module(&full)
                && base.as_ref().is_none_or(|(b, _)| b.pkg != sdk.pkg)
                && !emitted.contains(&sdk.pkg)
                && self.py_allowed(sdk, names)
            {
                emitted.push(sdk.pkg);
                self.push_sdk(sink, at, sdk, pkg, detail.clone());
            }
        }
        if emitted.is_empty()
            && let Some((sdk, pkg)) = base
            && self.py_allowed(sdk, names)
        {
            self.push_sdk(sink, at, sdk, pkg, detail);
        }
    }

    fn py_allowed(&self, sdk: &Sdk, names: &[&str]) -> bool {
        match sdk.rule {
            Rule::Plain | Rule::Ambiguous => true,
            Rule::NeedsNames(needed) => names.iter().any(|n| needed.contains(n)),
            Rule::NeedsBedrock => false,
        }
    }

    fn js_imports(&self, sink: &mut Sink) {
        for i in 0..self.t.len() {
            if sink.full(HitKind::Sdk) {
                return;
            }
            if self.kind(i) != Some(K::Ident) || self.prev_is_p(i, b'.') {
                continue;
            }
            let spec_at = match self.txt(i) {
                "from" if self.is_str(i + 1) => Some((i + 1, "from")),
                "import" if self.is_str(i + 1) => Some((i + 1, "import")),
                "import" if self.is_p(i + 1, b'(') && self.is_str(i + 2) => Some((i + 2, "import()")),
                "require" if self.is_p(i + 1, b'(') && self.is_str(i + 2) => Some((i + 2, "require")),
                _ => None,
            };
            let Some((s, how)) = spec_at else { continue };
            if self.tok(s).is_some_and(|t| t.interp) && self.inner(s).contains("${") {
                continue;
            }
            let spec = self.inner(s);
            let Some(pkg) = resolve::npm_package_of(spec) else { continue };
            if let Some(sdk) = resolve::npm(&pkg) {
                let detail = match how {
                    "require" => format!("require(\"{spec}\")"),
                    "import()" => format!("import(\"{spec}\")"),
                    _ => format!("import … from \"{spec}\""),
                };
                self.push_sdk(sink, s, sdk, pkg, detail);
            }
        }
    }

    fn jvm_imports(&self, sink: &mut Sink) {
        for i in 0..self.t.len() {
            if sink.full(HitKind::Sdk) {
                return;
            }
            if !self.is_id(i, "import") || !(i == 0 || self.nl(i) || self.prev_is_p(i, b';')) {
                continue;
            }
            let mut k = i + 1;
            if self.is_id(k, "static") {
                k += 1;
            }
            let Some((path, _)) = self.dotted(k, true) else { continue };
            if let Some(sdk) = resolve::maven_import(&path) {
                self.push_sdk(sink, k, sdk, resolve::maven_display(sdk), format!("import {path}"));
            }
        }
    }

    fn go_imports(&self, sink: &mut Sink) {
        let mut i = 0;
        while i < self.t.len() {
            if sink.full(HitKind::Sdk) {
                return;
            }
            if !self.is_id(i, "import") || self.prev_is_p(i, b'.') {
                i += 1;
                continue;
            }
            let mut k = i + 1;
            if self.is_p(k, b'(') {
                k += 1;
                while k < self.t.len() && !self.is_p(k, b')') {
                    if self.is_str(k) {
                        self.go_emit(sink, k);
                    }
                    k += 1;
                }
            } else {
                if self.kind(k) == Some(K::Ident) || self.is_p(k, b'.') || self.is_p(k, b'_') {
                    k += 1;
                }
                if self.is_str(k) {
                    self.go_emit(sink, k);
                }
            }
            i = k.max(i + 1);
        }
    }

    fn go_emit(&self, sink: &mut Sink, k: usize) {
        let path = self.inner(k);
        if let Some(sdk) = resolve::go_import(path) {
            self.push_sdk(sink, k, sdk, sdk.pkg.to_string(), format!("import \"{path}\""));
        }
    }

    fn rust_imports(&self, sink: &mut Sink) {
        let mut seen: Vec<&'static str> = Vec::new();
        for i in 0..self.t.len() {
            if sink.full(HitKind::Sdk) {
                return;
            }
            if self.kind(i) != Some(K::Ident) {
                continue;
            }
            let root = if self.is_id(i, "use") && !self.prev_is_p(i, b'.') {
                let mut k = i + 1;
                if self.is_path_sep(k) {
                    k += 2;
                }
                (self.kind(k) == Some(K::Ident)).then_some((k, "use"))
            } else if self.is_id(i, "extern") && self.is_id(i + 1, "crate") && self.kind(i + 2) == Some(K::Ident) {
                Some((i + 2, "extern crate"))
            } else if self.is_path_sep(i + 1)
                && !(i > 0 && (self.is_p(i - 1, b':') || self.is_p(i - 1, b'.') || self.is_id(i - 1, "use")))
            {
                Some((i, "path"))
            } else {
                None
            };
            let Some((k, how)) = root else { continue };
            let lib = self.txt(k);
            if matches!(lib, "crate" | "self" | "super" | "std" | "core" | "alloc") {
                continue;
            }
            let Some(sdk) = resolve::rust_lib(lib) else { continue };
            if how == "path" && (sdk.rule == Rule::Ambiguous || seen.contains(&sdk.pkg)) {
                continue;
            }
            seen.push(sdk.pkg);
            let detail = match how {
                "use" => format!("use {lib}::…"),
                "extern crate" => format!("extern crate {lib}"),
                _ => format!("path {lib}::…"),
            };
            self.push_sdk(sink, k, sdk, sdk.pkg.to_string(), detail);
        }
    }

    fn cs_usings(&self, sink: &mut Sink) {
        for i in 0..self.t.len() {
            if sink.full(HitKind::Sdk) {
                return;
            }
            if !self.is_id(i, "using") || self.prev_is_p(i, b'.') {
                continue;
            }
            let mut k = i + 1;
            if self.is_id(k, "static") {
                k += 1;
            }
            if self.kind(k) == Some(K::Ident) && self.is_p(k + 1, b'=') {
                k += 2;
            }
            let Some((ns, j)) = self.dotted(k, false) else { continue };
            if !self.is_p(j, b';') {
                continue;
            }
            if let Some(sdk) = resolve::dotnet_namespace(&ns) {
                self.push_sdk(sink, k, sdk, sdk.pkg.to_string(), format!("using {ns};"));
            }
        }
    }

    // --------------------------------------------------------------------------------------------
    // hub downloads

    /// Arguments of the call whose `(` is at `open`: (first token, end token exclusive,
    /// keyword name).
    fn args(&self, open: usize) -> Vec<(usize, usize, Option<&'a str>)> {
        let mut out = Vec::new();
        let mut depth = 0u32;
        let mut start = open + 1;
        let mut k = open + 1;
        while k < self.t.len() && k - open < WINDOW {
            if self.kind(k) == Some(K::Punct) {
                match self.src.as_bytes().get(self.off(k)) {
                    Some(b'(' | b'[' | b'{') => depth += 1,
                    Some(b')' | b']' | b'}') => {
                        if depth == 0 {
                            if k > start {
                                out.push(self.arg(start, k));
                            }
                            return out;
                        }
                        depth -= 1;
                    }
                    Some(b',') if depth == 0 => {
                        out.push(self.arg(start, k));
                        start = k + 1;
                    }
                    _ => {}
                }
            }
            k += 1;
        }
        out
    }

    fn arg(&self, s: usize, e: usize) -> (usize, usize, Option<&'a str>) {
        let kw = self.kind(s) == Some(K::Ident) && self.is_p(s + 1, b'=') && !self.is_p(s + 2, b'=') && s + 2 < e;
        if kw { (s + 2, e, Some(self.txt(s))) } else { (s, e, None) }
    }

    /// Hub loader calls; returns a per-token flag for literals already reported.
    fn hub_calls(&self, sink: &mut Sink) -> Vec<bool> {
        let mut handled = vec![false; self.t.len()];
        if !matches!(self.lang, Language::Python | Language::JavaScript | Language::TypeScript | Language::Rust) {
            return handled;
        }
        for i in 0..self.t.len() {
            if sink.full(HitKind::HubDownload) {
                break;
            }
            if self.kind(i) != Some(K::Ident) || !self.is_p(i + 1, b'(') || self.is_long(i) {
                continue;
            }
            let name = self.txt(i);
            if self.lang == Language::Rust {
                if i >= 3 && self.is_id(i - 3, "Repo") && self.is_path_sep(i - 2) {
                    let rev_pos = match name {
                        "model" | "new" | "dataset" => None,
                        "with_revision" => Some(2),
                        _ => continue,
                    };
                    let args = self.args(i + 1);
                    let loader = Loader { name: "Repo", repo_pos: 0, repo_kws: &[], dataset: name == "dataset" };
                    let rev = rev_pos.map(|p| args.get(p).map(|a| a.0));
                    self.hub_emit(sink, &mut handled, &loader, &format!("hf-hub Repo::{name}"), &args, rev);
                }
                continue;
            }
            if name == "load" && i >= 2 && self.is_p(i - 1, b'.') && self.is_id(i - 2, "hub") {
                self.torch_hub(sink, &mut handled, i);
                continue;
            }
            let Some(loader) = LOADERS.iter().find(|l| l.name == name) else { continue };
            let args = self.args(i + 1);
            if loader.name == "pipeline" && !self.pipeline_ok(&args) {
                continue;
            }
            let rev = self.revision(&args);
            self.hub_emit(sink, &mut handled, loader, loader.name, &args, rev);
        }
        handled
    }

    /// `pipeline(...)` is trusted with a `model=` argument, or with a task name first.
    fn pipeline_ok(&self, args: &[(usize, usize, Option<&str>)]) -> bool {
        if args.iter().any(|a| a.2 == Some("model")) {
            return true;
        }
        args.iter().find(|a| a.2.is_none()).is_some_and(|a| self.is_str(a.0) && HF_TASKS.contains(&self.inner(a.0)))
    }

    /// The revision argument: `None` absent, `Some(tok)` present (tok = first token of value).
    fn revision(&self, args: &[(usize, usize, Option<&str>)]) -> Option<Option<usize>> {
        for a in args {
            if matches!(a.2, Some("revision" | "commit_hash")) {
                return Some(Some(a.0));
            }
            // JS options object: { revision: "…" }
            if self.is_p(a.0, b'{') {
                let mut k = a.0 + 1;
                while k + 2 < a.1 {
                    let key = (self.kind(k) == Some(K::Ident) && self.txt(k) == "revision")
                        || (self.is_str(k) && self.inner(k) == "revision");
                    if key && self.is_p(k + 1, b':') {
                        return Some(Some(k + 2));
                    }
                    k += 1;
                }
            }
        }
        None
    }

    fn hub_emit(
        &self,
        sink: &mut Sink,
        handled: &mut [bool],
        loader: &Loader,
        label: &str,
        args: &[(usize, usize, Option<&str>)],
        rev: Option<Option<usize>>,
    ) {
        let repo_arg = args
            .iter()
            .find(|a| a.2.is_some_and(|k| loader.repo_kws.contains(&k)))
            .or_else(|| args.iter().filter(|a| a.2.is_none()).nth(loader.repo_pos));
        let Some(&(r, _, _)) = repo_arg else { return };
        if !self.is_str(r) || (self.tok(r).is_some_and(|t| t.interp) && self.inner(r).contains('{')) {
            return;
        }
        let repo = self.inner(r);
        let off = self.inner_off(r);
        match literal::repo_arg(repo, loader.dataset) {
            RepoArg::Hub { legacy } => {
                let (pinned, rev_note) = match rev {
                    None => (Some(false), "no revision".to_string()),
                    Some(Some(k)) if self.is_str(k) => {
                        let v = self.inner(k);
                        (Some(is_commit_sha(v)), format!("revision \"{v}\""))
                    }
                    Some(_) => (None, "revision not a literal".to_string()),
                };
                let mut detail = format!("{label}, {rev_note}");
                if loader.dataset {
                    detail.push_str(", dataset");
                }
                if legacy {
                    detail.push_str(", id without namespace");
                }
                sink.push(
                    Raw::new(off, HitKind::HubDownload, Some("huggingface"), MODEL_HUB, repo.to_string())
                        .pinned(pinned)
                        .detail(detail),
                );
            }
            RepoArg::Path => {
                sink.push(
                    Raw::new(off, HitKind::PathLiteral, None, FILE, repo.to_string())
                        .detail(format!("{label} argument (local path)")),
                );
            }
            RepoArg::Skip => return,
        }
        if let Some(h) = handled.get_mut(r) {
            *h = true;
        }
    }

    /// `torch.hub.load("owner/repo[:ref]", "model")`.
    fn torch_hub(&self, sink: &mut Sink, handled: &mut [bool], i: usize) {
        let args = self.args(i + 1);
        if args.iter().any(|a| a.2 == Some("source") && self.is_str(a.0) && self.inner(a.0) == "local") {
            return;
        }
        let Some(&(r, _, _)) =
            args.iter().find(|a| a.2 == Some("repo_or_dir")).or_else(|| args.iter().find(|a| a.2.is_none()))
        else {
            return;
        };
        if !self.is_str(r) {
            return;
        }
        let spec = self.inner(r);
        let (repo, git_ref) = match spec.split_once(':') {
            Some((a, b)) => (a, Some(b)),
            None => (spec, None),
        };
        match literal::repo_arg(repo, false) {
            RepoArg::Hub { legacy: false } => {
                let pinned = git_ref.is_some_and(is_commit_sha);
                let note = git_ref.map_or("no ref".to_string(), |g| format!("ref \"{g}\""));
                sink.push(
                    Raw::new(self.inner_off(r), HitKind::HubDownload, Some("pytorch-hub"), MODEL_HUB, repo.to_string())
                        .pinned(Some(pinned))
                        .detail(format!("torch.hub.load (GitHub), {note}")),
                );
                if let Some(h) = handled.get_mut(r) {
                    *h = true;
                }
            }
            RepoArg::Path => {
                sink.push(
                    Raw::new(self.inner_off(r), HitKind::PathLiteral, None, FILE, spec.to_string())
                        .detail("torch.hub.load argument (local path)"),
                );
                if let Some(h) = handled.get_mut(r) {
                    *h = true;
                }
            }
            _ => {}
        }
    }

    // --------------------------------------------------------------------------------------------
    // literals

    /// A Python string that is a statement on its own (docstring or commented-out block).
    fn bare_string(&self, i: usize) -> bool {
        if self.lang != Language::Python || self.depth.get(i).copied().unwrap_or(0) != 0 {
            return false;
        }
        let starts = i == 0 || self.nl(i) || self.prev_is_p(i, b';') || self.prev_is_p(i, b':');
        let ends = i + 1 >= self.t.len() || self.nl(i + 1) || self.is_p(i + 1, b';');
        starts && ends
    }

    /// Whether the literal at `i` sits where a model is expected.
    fn model_context(&self, i: usize) -> bool {
        if i == 0 {
            return false;
        }
        let keyish = |k: &str| {
            let l = k.to_ascii_lowercase();
            l.contains("model")
                || matches!(
                    l.as_str(),
                    "engine" | "deployment" | "deployment_name" | "deployment_id" | "azure_deployment" | "llm"
                )
        };
        let p = i - 1;
        if (self.is_p(p, b'=') && !(p > 0 && matches!(self.src.as_bytes().get(self.off(p - 1)), Some(b'=' | b'!'))))
            || self.is_p(p, b':')
        {
            if p == 0 {
                return false;
            }
            let key = p - 1;
            return match self.kind(key) {
                Some(K::Ident) => keyish(self.txt(key)),
                Some(K::Str) => keyish(self.inner(key)),
                _ => false,
            };
        }
        if self.is_p(p, b'(') && p > 0 && self.kind(p - 1) == Some(K::Ident) {
            return self.txt(p - 1).to_ascii_lowercase().contains("model");
        }
        if self.is_p(p, b',') && p > 0 && self.is_str(p - 1) {
            return self.inner(p - 1).to_ascii_uppercase().contains("MODEL");
        }
        false
    }

    /// How a literal at `i` is read as an environment variable name (`os.getenv`,
    /// `process.env`, `env!`…), or "string literal".
    fn reader(&self, i: usize) -> String {
        if i < 2 || !(self.is_p(i - 1, b'(') || self.is_p(i - 1, b'[')) {
            return "string literal".to_string();
        }
        let mut k = i - 2;
        let mut macro_bang = false;
        if self.is_p(k, b'!') && k > 0 {
            macro_bang = true;
            k -= 1;
        }
        if self.kind(k) != Some(K::Ident) {
            return "string literal".to_string();
        }
        let last = self.txt(k);
        let mut start = k;
        let mut n = 1;
        while n < 4 && start >= 2 {
            if self.is_p(start - 1, b'.') && self.kind(start - 2) == Some(K::Ident) {
                start -= 2;
            } else if start >= 3 && self.is_path_sep(start - 2) && self.kind(start - 3) == Some(K::Ident) {
                start -= 3;
            } else {
                break;
            }
            n += 1;
        }
        let readers = [
            "getenv",
            "Getenv",
            "LookupEnv",
            "environ",
            "get",
            "var",
            "var_os",
            "env",
            "option_env",
            "GetEnvironmentVariable",
            "setdefault",
            "Setenv",
            "putenv",
            "getProperty",
        ];
        let chain: String = sub(self.src, self.off(start), self.t.get(k).map_or(0, |t| t.e as usize))
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let env_like = readers.contains(&last)
            && (last != "get" || chain.to_ascii_lowercase().contains("env"))
            && (last != "var" || chain.contains("env"));
        if env_like || macro_bang && matches!(last, "env" | "option_env") {
            if macro_bang { format!("{chain}!") } else { chain }
        } else {
            "string literal".to_string()
        }
    }

    fn literals(&self, sink: &mut Sink, handled: &[bool]) {
        for i in 0..self.t.len() {
            let Some(t) = self.tok(i) else { break };
            if t.k != K::Str || handled.get(i).copied().unwrap_or(false) || self.is_long(i) || self.bare_string(i) {
                continue;
            }
            let s = self.inner(i);
            if s.is_empty() {
                continue;
            }
            let off = t.is as usize;
            literal::endpoints(s, off, sink);
            let templated = t.interp && s.contains('{');
            if let Some(repo) = literal::hf_hub_prefixed(s) {
                sink.push(
                    Raw::new(off, HitKind::HubDownload, Some("huggingface"), MODEL_HUB, repo.to_string())
                        .pinned(Some(false))
                        .detail("hf_hub: model reference, no revision"),
                );
                continue;
            }
            if !templated {
                literal::push_model(s, off, self.model_context(i), sink);
                literal::push_path(s, off, sink);
            }
            if s.len() <= 256 {
                let detail = self.reader(i);
                literal::env_mentions(s, off, &detail, sink);
            }
        }
    }

    /// `process.env.X`, `import.meta.env.X`, `Bun.env.X` (JS/TS).
    fn env_idents(&self, sink: &mut Sink) {
        if !matches!(self.lang, Language::JavaScript | Language::TypeScript) {
            return;
        }
        for i in 2..self.t.len() {
            if self.kind(i) == Some(K::Ident) && self.is_p(i - 1, b'.') && self.is_id(i - 2, "env") && !self.is_long(i)
            {
                let name = self.txt(i);
                if let Some(info) = literal::env_lookup(name) {
                    let owner = if i >= 4 && self.is_p(i - 3, b'.') { self.txt(i - 4) } else { "" };
                    let detail = match owner {
                        "meta" => "import.meta.env".to_string(),
                        "" => "env".to_string(),
                        o => format!("{o}.env"),
                    };
                    sink.push(
                        Raw::new(self.off(i), HitKind::EnvVar, info.provider, info.cat, name.to_string())
                            .detail(detail),
                    );
                }
            }
        }
    }

    /// `OPENAI_API_KEY = "…"`, `cohere_api_key="…"`, `os.environ["COHERE_API_KEY"] = "…"`,
    /// `{"apiKey"…}` is not enough: the key must name a provider credential.
    fn assigned_credentials(&self, sink: &mut Sink) {
        for i in 2..self.t.len() {
            if !self.is_str(i) || self.is_long(i) {
                continue;
            }
            let p = i - 1;
            let assign = (self.is_p(p, b'=') && !matches!(self.src.as_bytes().get(self.off(p - 1)), Some(b'=' | b'!')))
                || self.is_p(p, b':');
            if !assign {
                continue;
            }
            let key = match self.kind(p - 1) {
                Some(K::Ident) => self.txt(p - 1),
                Some(K::Str) => self.inner(p - 1),
                Some(K::Punct) if self.is_p(p - 1, b']') && p >= 2 && self.is_str(p - 2) => self.inner(p - 2),
                _ => continue,
            };
            if let Some(info) = literal::secret_key(key) {
                secrets::assigned(self.inner(i), self.inner_off(i), info.provider, info.cat, key, sink);
            }
        }
    }

    /// `boto3.client("bedrock-runtime")` and friends: the AWS SDK used for Bedrock.
    fn bedrock_clients(&self, sink: &mut Sink) {
        for i in 2..self.t.len() {
            if !self.is_str(i) {
                continue;
            }
            let service = self.inner(i);
            if !matches!(service, "bedrock-runtime" | "bedrock" | "bedrock-agent-runtime" | "bedrock-agent") {
                continue;
            }
            let direct = self.is_p(i - 1, b'(') && (self.is_id(i - 2, "client") || self.is_id(i - 2, "resource"));
            let kw = i >= 3 && self.is_p(i - 1, b'=') && self.is_id(i - 2, "service_name");
            if direct || kw {
                sink.push(
                    Raw::new(self.inner_off(i), HitKind::Sdk, Some("aws-bedrock"), REMOTE, "boto3".to_string())
                        .detail(format!("boto3 client(\"{service}\")")),
                );
            }
        }
    }
}

//! Classifying literal text: endpoint hosts, model ids, AI asset paths, environment variable
//! names, Hugging Face repo ids. Shared by the code, config and notebook scanners.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::RegexSet;

use crate::HitKind;
use crate::category::{FILE, LOCAL, MODEL_HUB};
use crate::hits::{Raw, Sink};
use crate::tables::{
    ASSET_EXTS, AssetExt, DATASET_BUILDERS, ENV_SEGMENTS, ENV_VARS, EnvVar, HF_DOC_PATHS, HOSTS, Host, LOCAL_DIRS,
    LOCAL_PORTS, LOOPBACK, MODELS, SECRET_KEYS, opt,
};
use crate::text::{basename, extension, find_hosts, is_commit_sha, words};

// ------------------------------------------------------------------------------------------------
// endpoints

/// The host rule for a lower-cased host (`*`-prefixed when it follows a template placeholder).
static EXACT_HOSTS: LazyLock<HashMap<&'static str, &'static Host>> =
    LazyLock::new(|| HOSTS.iter().filter(|h| !h.pat.contains('*')).map(|h| (h.pat, h)).collect());
static WILD_HOSTS: LazyLock<Vec<(&'static str, &'static str, &'static Host)>> =
    LazyLock::new(|| HOSTS.iter().filter_map(|h| h.pat.split_once('*').map(|(pre, post)| (pre, post, h))).collect());

pub(crate) fn match_host(host: &str) -> Option<&'static Host> {
    if let Some(h) = EXACT_HOSTS.get(host) {
        return Some(h);
    }
    if host.len() < 6 || !host.contains('.') {
        return None;
    }
    let mut best: Option<&'static Host> = None;
    for &(pre, post, h) in WILD_HOSTS.iter() {
        let ok = if let Some(rest) = host.strip_prefix('*') {
            pre.is_empty() && rest.ends_with(post) && rest.len() >= post.len()
        } else {
            host.len() > pre.len() + post.len() && host.starts_with(pre) && host.ends_with(post)
        };
        if ok && best.is_none_or(|b| h.pat.len() > b.pat.len()) {
            best = Some(h);
        }
    }
    best
}

fn is_hf_host(host: &str) -> bool {
    host == "huggingface.co" || host == "hf.co"
}

/// Endpoint hits (and Hugging Face `resolve` URLs as hub downloads) in `s`, which starts at
/// byte `base` of the scanned text.
pub(crate) fn endpoints(s: &str, base: usize, sink: &mut Sink) {
    for h in find_hosts(s) {
        if sink.full(HitKind::Endpoint) {
            return;
        }
        let off = base + h.start;
        if let Some(port) = h.port
            && let Some(lp) = LOCAL_PORTS.iter().find(|p| p.port == port)
        {
            let loopback = LOOPBACK.contains(&h.host.as_str());
            let fits = if lp.needs_v1 { loopback && h.path.starts_with("/v1") } else { true };
            if fits {
                let name =
                    if h.host.contains(':') { format!("[{}]:{port}", h.host) } else { format!("{}:{port}", h.host) };
                sink.push(Raw::new(off, HitKind::Endpoint, opt(lp.provider), LOCAL, name).detail(lp.label));
                continue;
            }
        }
        let Some(rule) = match_host(&h.host) else { continue };
        if is_hf_host(&h.host) && HF_DOC_PATHS.iter().any(|p| h.path.starts_with(p)) {
            continue;
        }
        let mut detail = rule.label.to_string();
        if h.scheme == Some("http") {
            detail.push_str("; plain http");
        }
        sink.push(Raw::new(off, HitKind::Endpoint, opt(rule.provider), rule.cat, h.host.clone()).detail(detail));
        if is_hf_host(&h.host) {
            resolve_url(h.path, base + h.path_start, sink);
        }
    }
}

/// `/org/name/resolve/<rev>/file`, `/datasets/org/name/resolve/<rev>/file`.
fn resolve_url(path: &str, off: usize, sink: &mut Sink) {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').take(8).collect();
    let (dataset, segs) = match segs.first() {
        Some(&"datasets") => (true, segs.get(1..).unwrap_or(&[])),
        Some(&"spaces") => return,
        _ => (false, &segs[..]),
    };
    let Some(pos) = segs.iter().position(|s| *s == "resolve" || *s == "blob") else { return };
    if !(1..=2).contains(&pos) {
        return;
    }
    let repo = segs.get(..pos).unwrap_or(&[]).join("/");
    let Some(rev) = segs.get(pos + 1) else { return };
    let pinned = is_commit_sha(rev);
    let what = if dataset { "dataset file URL" } else { "model file URL" };
    sink.push(
        Raw::new(off + 1, HitKind::HubDownload, Some("huggingface"), MODEL_HUB, repo)
            .pinned(Some(pinned))
            .detail(format!("{what}, revision \"{rev}\"")),
    );
}

// ------------------------------------------------------------------------------------------------
// model ids

static MODEL_SET: LazyLock<Option<RegexSet>> =
    LazyLock::new(|| RegexSet::new(MODELS.iter().map(|m| format!("(?i)^(?:{})$", m.re))).ok());

/// Whether every model shape compiled (checked by the tests).
#[cfg(test)]
pub(crate) fn models_compiled() -> bool {
    MODEL_SET.is_some()
}

/// A recognised model id.
#[derive(Debug, Clone)]
pub(crate) struct ModelMatch {
    pub provider: Option<&'static str>,
    pub cat: &'static str,
    pub label: String,
}

fn shape(s: &str, context: bool) -> Option<usize> {
    let set = MODEL_SET.as_ref()?;
    set.matches(s).iter().find(|&i| MODELS.get(i).is_some_and(|m| !m.context || context))
}

fn id_chars(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The model a literal names. `context`: the literal is where a model is expected.
pub(crate) fn model_id(s: &str, context: bool) -> Option<ModelMatch> {
    if s.is_empty() || s.len() > 100 || s.contains(char::is_whitespace) {
        return None;
    }
    if let Some(i) = shape(s, context)
        && let Some(m) = MODELS.get(i)
    {
        return Some(ModelMatch { provider: opt(m.provider), cat: m.cat, label: m.label.to_string() });
    }
    // namespaced ids: "meta-llama/Llama-3.1-8B-Instruct", "openai/gpt-4o" (routers, litellm)
    let (ns, tail) = s.split_once('/')?;
    if tail.contains('/') || !id_chars(ns) || LOCAL_DIRS.contains(&ns.to_ascii_lowercase().as_str()) {
        return None;
    }
    let tail_ok = tail.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b':'));
    if !tail_ok || tail.is_empty() {
        return None;
    }
    if let Some(i) = shape(tail, context)
        && let Some(m) = MODELS.get(i)
    {
        return Some(ModelMatch {
            provider: opt(m.provider),
            cat: m.cat,
            label: format!("{} (namespaced id)", m.label),
        });
    }
    if context && id_chars(tail) {
        return Some(ModelMatch { provider: None, cat: LOCAL, label: "namespaced model id".to_string() });
    }
    None
}

/// Push a `ModelId` hit for `s` at `off` if it is one.
pub(crate) fn push_model(s: &str, off: usize, context: bool, sink: &mut Sink) {
    if let Some(m) = model_id(s, context) {
        sink.push(Raw::new(off, HitKind::ModelId, m.provider, m.cat, s.to_string()).detail(m.label));
    }
}

// ------------------------------------------------------------------------------------------------
// asset paths

/// The AI asset a path literal points at, if any.
pub(crate) fn asset_path(s: &str) -> Option<&'static AssetExt> {
    if s.len() < 3 || s.len() > 512 || s.contains("://") {
        return None;
    }
    if s.bytes().any(|c| c.is_ascii_whitespace() || matches!(c, b'*' | b'?' | b'<' | b'>' | b'|' | b'"' | b'\'' | b'`'))
    {
        return None;
    }
    let base = basename(s);
    let (stem, _) = base.rsplit_once('.')?;
    if !stem.bytes().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let ext = extension(base)?;
    let a = ASSET_EXTS.iter().find(|a| a.ext == ext)?;
    if a.prompt_only && !s.to_ascii_lowercase().contains("prompt") {
        return None;
    }
    Some(a)
}

pub(crate) fn is_absolute(s: &str) -> bool {
    let b = s.as_bytes();
    s.starts_with('/') || s.starts_with('~') || s.starts_with('\\') || (b.len() > 2 && b.get(1) == Some(&b':'))
}

/// Push a `PathLiteral` hit for `s` at `off` if it names an AI asset.
pub(crate) fn push_path(s: &str, off: usize, sink: &mut Sink) {
    if let Some(a) = asset_path(s) {
        let detail = if is_absolute(s) { format!("{} (absolute path)", a.label) } else { a.label.to_string() };
        sink.push(Raw::new(off, HitKind::PathLiteral, None, FILE, s.to_string()).detail(detail));
    }
}

// ------------------------------------------------------------------------------------------------
// hub repo ids

/// What a loader argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RepoArg {
    /// A Hub repo id; `legacy`: a namespace-less id such as `bert-base-uncased`.
    Hub { legacy: bool },
    /// A local file or directory.
    Path,
    /// Neither (a URL, a template, a dataset builder name…).
    Skip,
}

/// Classify the repo argument of a hub loader.
pub(crate) fn repo_arg(s: &str, dataset: bool) -> RepoArg {
    if s.is_empty() || s.len() > 200 || s.contains("://") || s.contains(char::is_whitespace) || s.contains('{') {
        return RepoArg::Skip;
    }
    if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." || is_absolute(s) || s.contains('\\') {
        return RepoArg::Path;
    }
    let segs: Vec<&str> = s.split('/').collect();
    if segs.len() > 2 || s.ends_with('/') {
        return RepoArg::Path;
    }
    if let [ns, name] = segs[..] {
        if !id_chars(ns) || !id_chars(name) {
            return RepoArg::Skip;
        }
        if LOCAL_DIRS.contains(&ns.to_ascii_lowercase().as_str()) {
            return RepoArg::Path;
        }
        return RepoArg::Hub { legacy: false };
    }
    if asset_path(s).is_some() || extension(s).is_some_and(|e| matches!(e.as_str(), "json" | "yaml" | "yml" | "py")) {
        return RepoArg::Path;
    }
    if !id_chars(s) {
        return RepoArg::Skip;
    }
    if dataset {
        return if DATASET_BUILDERS.contains(&s) { RepoArg::Skip } else { RepoArg::Hub { legacy: true } };
    }
    if s.bytes().any(|c| c.is_ascii_digit() || c == b'-') { RepoArg::Hub { legacy: true } } else { RepoArg::Path }
}

// ------------------------------------------------------------------------------------------------
// environment variables

/// What an AI environment variable name means.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EnvInfo {
    pub provider: Option<&'static str>,
    pub cat: &'static str,
    pub secret: bool,
}

static ENV_EXACT: LazyLock<HashMap<&'static str, &'static EnvVar>> =
    LazyLock::new(|| ENV_VARS.iter().filter(|v| !v.name.ends_with('*')).map(|v| (v.name, v)).collect());

fn secret_suffix(name: &str) -> bool {
    let last = name.rsplit('_').next().unwrap_or(name);
    matches!(last, "KEY" | "TOKEN" | "SECRET" | "APIKEY" | "PASSWORD")
}

/// The meaning of an upper-case environment variable name, if it is an AI one.
pub(crate) fn env_lookup(name: &str) -> Option<EnvInfo> {
    if name.len() < 4 || name.len() > 100 || !name.bytes().next().is_some_and(|c| c.is_ascii_uppercase()) {
        return None;
    }
    if !name.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_') {
        return None;
    }
    if let Some(v) = ENV_EXACT.get(name) {
        return Some(EnvInfo { provider: opt(v.provider), cat: v.cat, secret: v.secret });
    }
    let mut best: Option<&'static EnvVar> = None;
    for v in ENV_VARS {
        if let Some(prefix) = v.name.strip_suffix('*')
            && name.len() > prefix.len()
            && name.starts_with(prefix)
            && best.is_none_or(|b| v.name.len() > b.name.len())
        {
            best = Some(v);
        }
    }
    if let Some(v) = best {
        return Some(EnvInfo { provider: opt(v.provider), cat: v.cat, secret: secret_suffix(name) });
    }
    if !secret_suffix(name) {
        return None;
    }
    let segs: Vec<&str> = name.split('_').collect();
    for (words, provider, cat) in ENV_SEGMENTS {
        if segs.windows(words.len()).any(|w| w == *words) {
            return Some(EnvInfo { provider: opt(provider), cat, secret: true });
        }
    }
    None
}

/// The credential meaning of a key / keyword-argument name in any case (`OPENAI_API_KEY`,
/// `openai_api_key`, `cohere_api_key`), if its value is a credential.
pub(crate) fn secret_key(name: &str) -> Option<EnvInfo> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, p, c)) = SECRET_KEYS.iter().find(|(k, _, _)| *k == lower) {
        return Some(EnvInfo { provider: opt(p), cat: c, secret: true });
    }
    env_lookup(&name.to_ascii_uppercase()).filter(|i| i.secret)
}

/// `EnvVar` hits for AI variable names mentioned in `s` (whole upper-case words).
pub(crate) fn env_mentions(s: &str, base: usize, detail: &str, sink: &mut Sink) {
    for (o, w) in words(s) {
        if let Some(info) = env_lookup(w) {
            sink.push(Raw::new(base + o, HitKind::EnvVar, info.provider, info.cat, w.to_string()).detail(detail));
        }
    }
}

/// A Hugging Face repo reference written as `hf_hub:org/name` / `hf-hub:org/name` (timm,
/// open_clip).
pub(crate) fn hf_hub_prefixed(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("hf_hub:").or_else(|| s.strip_prefix("hf-hub:"))?;
    let (ns, name) = rest.split_once('/')?;
    (id_chars(ns) && id_chars(name)).then_some(rest)
}

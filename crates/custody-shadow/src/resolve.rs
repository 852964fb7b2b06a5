//! Looking names up in the SDK tables: imports (by language) and manifest package names (by
//! ecosystem). Where several entries match, the most specific (longest) one wins; exact
//! entries beat families.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::tables::{CARGO, GO, MAVEN, NPM, NUGET, PYPI_ALIASES, PYTHON, Rule, Sdk};

/// Python entries by the first segment of their module, plus the family entries.
struct PyIndex {
    by_first: HashMap<&'static str, Vec<(&'static str, &'static Sdk)>>,
    families: Vec<(&'static str, &'static Sdk)>,
    by_pkg: HashMap<&'static str, &'static Sdk>,
    pkg_families: Vec<(&'static str, &'static Sdk)>,
    aliases: HashMap<&'static str, &'static str>,
}

static PY: LazyLock<PyIndex> = LazyLock::new(|| {
    let mut by_first: HashMap<&'static str, Vec<(&'static str, &'static Sdk)>> = HashMap::new();
    let mut families = Vec::new();
    let mut by_pkg = HashMap::new();
    let mut pkg_families = Vec::new();
    for sdk in PYTHON {
        if let Some(prefix) = sdk.pkg.strip_suffix('*') {
            pkg_families.push((prefix, sdk));
        }
        for code in sdk.code {
            if let Some(prefix) = code.strip_suffix('*') {
                families.push((prefix, sdk));
            } else {
                let first = code.split('.').next().unwrap_or(code);
                by_first.entry(first).or_default().push((*code, sdk));
            }
        }
        if !sdk.is_family() {
            by_pkg.insert(sdk.pkg, sdk);
        }
    }
    PyIndex { by_first, families, by_pkg, pkg_families, aliases: PYPI_ALIASES.iter().copied().collect() }
});

/// The entry a Python module belongs to, and the package name to report.
pub(crate) fn python_module(module: &str) -> Option<(&'static Sdk, String)> {
    let first = module.split('.').next().unwrap_or(module);
    let mut best: Option<(usize, &'static Sdk)> = None;
    if let Some(list) = PY.by_first.get(first) {
        for (code, sdk) in list {
            let hit = module == *code || (module.starts_with(code) && module.as_bytes().get(code.len()) == Some(&b'.'));
            if hit && best.is_none_or(|(s, _)| code.len() + 1000 > s) {
                best = Some((code.len() + 1000, sdk));
            }
        }
    }
    if best.is_none() {
        for (prefix, sdk) in &PY.families {
            if first.len() > prefix.len() && first.starts_with(prefix) && best.is_none_or(|(s, _)| prefix.len() > s) {
                best = Some((prefix.len(), sdk));
            }
        }
    }
    let (_, sdk) = best?;
    let name = if sdk.is_family() { first.replace('_', "-") } else { sdk.pkg.to_string() };
    Some((sdk, name))
}

/// PEP 503 normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
pub(crate) fn normalize_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The entry for a PyPI distribution name (already normalised). AWS SDKs are not reported
/// from manifests (they are AI only with a Bedrock client).
pub(crate) fn pypi(dist: &str) -> Option<&'static Sdk> {
    let canonical = PY.aliases.get(dist).copied().unwrap_or(dist);
    let sdk = PY.by_pkg.get(canonical).copied().or_else(|| {
        PY.pkg_families
            .iter()
            .find(|(prefix, _)| canonical.len() > prefix.len() && canonical.starts_with(prefix))
            .map(|(_, s)| *s)
    })?;
    (sdk.rule != Rule::NeedsBedrock).then_some(sdk)
}

static NPM_EXACT: LazyLock<HashMap<&'static str, &'static Sdk>> =
    LazyLock::new(|| NPM.iter().filter(|s| !s.is_family()).map(|s| (s.pkg, s)).collect());

/// The entry for an npm package name.
pub(crate) fn npm(pkg: &str) -> Option<&'static Sdk> {
    NPM_EXACT.get(pkg).copied().or_else(|| {
        NPM.iter().filter(|s| s.is_family()).find(|s| {
            let prefix = s.pkg.trim_end_matches('*');
            pkg.len() > prefix.len() && pkg.starts_with(prefix)
        })
    })
}

const ASSET_SUFFIXES: &[&str] = &[
    ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".css", ".scss", ".sass", ".less", ".json", ".md",
    ".txt", ".html", ".woff", ".woff2", ".ttf", ".mp3", ".mp4", ".wasm",
];

/// The npm package an import specifier names: `@scope/name` or `name` (sub-paths and
/// `@version` removed, `npm:` prefix accepted). Relative, absolute, URL, `node:` and asset
/// specifiers give `None`.
pub(crate) fn npm_package_of(spec: &str) -> Option<String> {
    let spec = spec.trim();
    let spec = spec.strip_prefix("npm:").unwrap_or(spec);
    if spec.is_empty()
        || spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('#')
        || spec.starts_with('~')
        || spec.contains("://")
        || spec.contains(':')
        || spec.contains(char::is_whitespace)
    {
        return None;
    }
    let lower = spec.to_ascii_lowercase();
    if ASSET_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return None;
    }
    let mut parts = spec.split('/');
    let first = parts.next()?;
    let name = if first.starts_with('@') {
        let second = parts.next()?;
        let second = second.split('@').next().unwrap_or(second);
        if first.len() < 2 || second.is_empty() {
            return None;
        }
        format!("{first}/{second}")
    } else {
        let first = first.split('@').next().unwrap_or(first);
        if first.is_empty() {
            return None;
        }
        first.to_string()
    };
    Some(name)
}

/// Whether `code` is `path` or a dotted/slashed prefix of it.
fn prefix_of(code: &str, path: &str, sep: u8) -> bool {
    path == code || (path.starts_with(code) && path.as_bytes().get(code.len()) == Some(&sep))
}

/// The entry a Java/Kotlin import (`com.openai.client.OpenAIClient`) belongs to.
pub(crate) fn maven_import(path: &str) -> Option<&'static Sdk> {
    let mut best: Option<(usize, &'static Sdk)> = None;
    for sdk in MAVEN {
        for code in sdk.code {
            if prefix_of(code, path, b'.') && best.is_none_or(|(s, _)| code.len() > s) {
                best = Some((code.len(), sdk));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// The name to report for an import matched to a Maven entry: `group:artifact` when the entry
/// names one artifact, the group alone for families.
pub(crate) fn maven_display(sdk: &Sdk) -> String {
    let pkg = sdk.pkg.trim_end_matches('*');
    match pkg.split_once(':') {
        Some((g, a)) if a.is_empty() || a.contains('*') || a.ends_with('-') => g.to_string(),
        _ => pkg.to_string(),
    }
}

/// Glob with `*` (any run of characters), linear enough for table-sized patterns.
pub(crate) fn glob(pat: &str, s: &str) -> bool {
    let mut parts = pat.split('*');
    let Some(first) = parts.next() else { return pat == s };
    if !s.starts_with(first) {
        return false;
    }
    let mut rest = &s[first.len()..];
    let pieces: Vec<&str> = parts.collect();
    if pieces.is_empty() {
        return rest.is_empty();
    }
    for (n, piece) in pieces.iter().enumerate() {
        let last = n + 1 == pieces.len();
        if last {
            return rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(p) => rest = &rest[p + piece.len()..],
            None => return false,
        }
    }
    true
}

/// The entry for Maven coordinates.
pub(crate) fn maven_coord(group: &str, artifact: &str) -> Option<&'static Sdk> {
    let mut best: Option<(usize, &'static Sdk)> = None;
    for sdk in MAVEN {
        let Some((g, a)) = sdk.pkg.split_once(':') else { continue };
        if g == group && glob(a, artifact) {
            let score = a.len() - a.matches('*').count();
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, sdk));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// Go module path without a trailing `/vN` major-version element.
pub(crate) fn strip_go_major(path: &str) -> &str {
    if let Some((head, last)) = path.rsplit_once('/')
        && last.len() >= 2
        && last.starts_with('v')
        && last[1..].bytes().all(|c| c.is_ascii_digit())
    {
        return head;
    }
    path
}

/// The entry a Go import path belongs to.
pub(crate) fn go_import(path: &str) -> Option<&'static Sdk> {
    let mut best: Option<(usize, &'static Sdk)> = None;
    for sdk in GO {
        let codes: &[&str] = if sdk.code.is_empty() { std::slice::from_ref(&sdk.pkg) } else { sdk.code };
        for code in codes {
            if prefix_of(code, path, b'/') && best.is_none_or(|(s, _)| code.len() > s) {
                best = Some((code.len(), sdk));
            }
        }
    }
    best.map(|(_, s)| s)
}

/// The entry for a go.mod requirement.
pub(crate) fn go_module(path: &str) -> Option<&'static Sdk> {
    let path = strip_go_major(path);
    let mut best: Option<(usize, &'static Sdk)> = None;
    for sdk in GO {
        if prefix_of(sdk.pkg, path, b'/') && best.is_none_or(|(s, _)| sdk.pkg.len() > s) {
            best = Some((sdk.pkg.len(), sdk));
        }
    }
    best.map(|(_, s)| s)
}

/// The entry whose Rust library name is `lib`.
pub(crate) fn rust_lib(lib: &str) -> Option<&'static Sdk> {
    CARGO.iter().find(|s| s.code.contains(&lib))
}

/// The entry for a crate name (`-` and `_` are the same on crates.io).
pub(crate) fn crate_name(name: &str) -> Option<&'static Sdk> {
    let norm = name.replace('_', "-");
    CARGO.iter().find(|s| s.pkg == norm)
}

/// The entry for a NuGet package id (case-insensitive, prefix on `.` boundaries).
pub(crate) fn nuget(id: &str) -> Option<&'static Sdk> {
    let id = id.to_ascii_lowercase();
    let mut best: Option<(usize, &'static Sdk)> = None;
    for sdk in NUGET {
        let p = sdk.pkg.to_ascii_lowercase();
        if prefix_of(&p, &id, b'.') && best.is_none_or(|(s, _)| p.len() > s) {
            best = Some((p.len(), sdk));
        }
    }
    best.map(|(_, s)| s)
}

/// The entry a C# namespace (`using X.Y;`) belongs to.
pub(crate) fn dotnet_namespace(ns: &str) -> Option<&'static Sdk> {
    let mut best: Option<(usize, &'static Sdk)> = None;
    for sdk in NUGET {
        for code in sdk.code {
            if prefix_of(code, ns, b'.') && best.is_none_or(|(s, _)| code.len() > s) {
                best = Some((code.len(), sdk));
            }
        }
    }
    best.map(|(_, s)| s)
}

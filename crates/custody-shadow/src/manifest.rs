//! Dependency manifests → `Dependency` hits. Each format is read by a small line- or
//! token-oriented reader that keeps positions; none of them evaluates anything.

use crate::hits::{Raw, Sink};
use crate::json::{self, Role};
use crate::lex::{K, lex};
use crate::resolve::{self, normalize_pypi};
use crate::tables::Sdk;
use crate::text::{at, basename, lines, sub};
use crate::{HitKind, Language};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MKind {
    Requirements,
    Pyproject,
    Pipfile,
    SetupCfg,
    PackageJson,
    GoMod,
    CargoToml,
    Pom,
    Gradle,
    GradleKts,
    VersionCatalog,
    MsBuild,
    PackagesConfig,
}

pub(crate) fn kind_of(path: &str) -> Option<MKind> {
    let name = basename(path).to_ascii_lowercase();
    let parent = path.rsplit(['/', '\\']).nth(1).unwrap_or("").to_ascii_lowercase();
    Some(match name.as_str() {
        "pyproject.toml" => MKind::Pyproject,
        "pipfile" => MKind::Pipfile,
        "setup.cfg" => MKind::SetupCfg,
        "package.json" => MKind::PackageJson,
        "go.mod" => MKind::GoMod,
        "cargo.toml" => MKind::CargoToml,
        "pom.xml" => MKind::Pom,
        "build.gradle" => MKind::Gradle,
        "build.gradle.kts" => MKind::GradleKts,
        "packages.config" => MKind::PackagesConfig,
        "directory.packages.props" | "directory.build.props" => MKind::MsBuild,
        n if n.ends_with(".versions.toml") => MKind::VersionCatalog,
        n if n.ends_with(".csproj") || n.ends_with(".fsproj") || n.ends_with(".vbproj") => MKind::MsBuild,
        n if (n.ends_with(".txt") || n.ends_with(".in"))
            && (n.contains("requirements") || n.starts_with("constraints") || parent == "requirements") =>
        {
            MKind::Requirements
        }
        _ => return None,
    })
}

pub(crate) fn scan(kind: MKind, text: &str, sink: &mut Sink) {
    match kind {
        MKind::Requirements => requirements(text, sink),
        MKind::Pyproject => pyproject(text, sink),
        MKind::Pipfile => pipfile(text, sink),
        MKind::SetupCfg => setup_cfg(text, sink),
        MKind::PackageJson => package_json(text, sink),
        MKind::GoMod => go_mod(text, sink),
        MKind::CargoToml => cargo_toml(text, sink),
        MKind::Pom => pom(text, sink),
        MKind::Gradle => gradle(text, Language::JavaScript, sink),
        MKind::GradleKts => gradle(text, Language::Kotlin, sink),
        MKind::VersionCatalog => version_catalog(text, sink),
        MKind::MsBuild | MKind::PackagesConfig => msbuild(text, sink),
    }
}

fn push(sink: &mut Sink, off: usize, sdk: &Sdk, name: String, detail: String) {
    sink.push(Raw::new(off, HitKind::Dependency, sdk.provider(), sdk.cat, name).detail(detail));
}

// ------------------------------------------------------------------------------------------------
// Python

/// The distribution name at the start of a PEP 508 requirement: (offset in `s`, name).
fn pep508_name(s: &str) -> Option<(usize, &str)> {
    let lead = s.len() - s.trim_start().len();
    let b = s.as_bytes();
    let start = lead;
    if !at(b, start).is_ascii_alphanumeric() {
        return None;
    }
    let mut e = start;
    while e < b.len() && (at(b, e).is_ascii_alphanumeric() || matches!(at(b, e), b'.' | b'_' | b'-')) {
        e += 1;
    }
    let name = sub(s, start, e).trim_end_matches(['.', '-', '_']);
    if name.is_empty() { None } else { Some((start, name)) }
}

/// A PyPI requirement string at `off` → a hit if the distribution is an AI one.
fn python_req(s: &str, off: usize, detail: &str, sink: &mut Sink) {
    let Some((o, name)) = pep508_name(s) else { return };
    let norm = normalize_pypi(name);
    if let Some(sdk) = resolve::pypi(&norm) {
        push(sink, off + o, sdk, norm, detail.to_string());
    }
}

fn requirements(text: &str, sink: &mut Sink) {
    for (start, line) in lines(text) {
        let t = line.trim_start();
        let lead = line.len() - t.len();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('-') {
            if (t.starts_with("-e") || t.starts_with("--editable"))
                && let Some(p) = t.find("#egg=")
            {
                let egg = sub(t, p + 5, t.len());
                python_req(egg, start + lead + p + 5, "requirements (editable)", sink);
            }
            continue;
        }
        if t.contains("://") && !t.contains(" @ ") && !t.contains("@ ") {
            if let Some(p) = t.find("#egg=") {
                python_req(sub(t, p + 5, t.len()), start + lead + p + 5, "requirements (URL)", sink);
            }
            continue;
        }
        python_req(t, start + lead, "requirements", sink);
    }
}

/// `line` without a `#` comment (quotes respected).
fn strip_hash(line: &str) -> &str {
    let b = line.as_bytes();
    let mut q = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = at(b, i);
        if q != 0 {
            if c == b'\\' && q == b'"' {
                i += 2;
                continue;
            }
            if c == q {
                q = 0;
            }
        } else if c == b'"' || c == b'\'' {
            q = c;
        } else if c == b'#' {
            return sub(line, 0, i);
        }
        i += 1;
    }
    line
}

/// `[a.b."c"]` / `[[a.b]]` → `a.b.c`.
fn toml_header(t: &str) -> Option<String> {
    let t = t.trim();
    let inner =
        t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")).or_else(|| t.strip_prefix('[')?.strip_suffix(']'))?;
    Some(inner.chars().filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'').collect())
}

/// `key = value` on a TOML/INI line: (key offset, key, value offset, value). Quoted keys are
/// unquoted; dotted keys keep their dots.
fn kv<'a>(line: &'a str, seps: &[u8]) -> Option<(usize, &'a str, usize, &'a str)> {
    let b = line.as_bytes();
    let mut i = line.len() - line.trim_start().len();
    let (ks, ke, after) = if matches!(at(b, i), b'"' | b'\'') {
        let q = at(b, i);
        let s = i + 1;
        let mut e = s;
        while e < b.len() && at(b, e) != q {
            e += 1;
        }
        (s, e, e + 1)
    } else {
        let s = i;
        while i < b.len() && (at(b, i).is_ascii_alphanumeric() || matches!(at(b, i), b'_' | b'-' | b'.')) {
            i += 1;
        }
        (s, i, i)
    };
    if ke <= ks {
        return None;
    }
    let mut j = after;
    while matches!(at(b, j), b' ' | b'\t') {
        j += 1;
    }
    if !seps.contains(&at(b, j)) {
        return None;
    }
    j += 1;
    while matches!(at(b, j), b' ' | b'\t') {
        j += 1;
    }
    Some((ks, sub(line, ks, ke), j, sub(line, j, line.len())))
}

/// Quoted strings in `s` (offset `base`), tracking `[`/`]` depth outside strings; returns the
/// depth change.
fn toml_strings(s: &str, base: usize, mut f: impl FnMut(usize, &str)) -> i32 {
    let b = s.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        match at(b, i) {
            q @ (b'"' | b'\'') => {
                let cs = i + 1;
                let mut j = cs;
                while j < b.len() && at(b, j) != q {
                    if q == b'"' && at(b, j) == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let j = j.min(b.len());
                f(base + cs, sub(s, cs, j));
                i = j + 1;
                continue;
            }
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'#' => break,
            _ => {}
        }
        i += 1;
    }
    depth
}

fn pyproject(text: &str, sink: &mut Sink) {
    let mut section = String::new();
    let mut array: Option<(i32, String)> = None;
    for (start, raw) in lines(text) {
        let line = strip_hash(raw);
        if let Some((depth, label)) = array.as_mut() {
            let label2 = label.clone();
            *depth += toml_strings(line, start, |o, s| python_req(s, o, &label2, sink));
            if *depth <= 0 {
                array = None;
            }
            continue;
        }
        if line.trim_start().starts_with('[') {
            if let Some(h) = toml_header(line) {
                section = h;
            }
            continue;
        }
        let Some((ko, key, vo, value)) = kv(line, b"=") else { continue };
        let poetry = section == "tool.poetry.dependencies"
            || section == "tool.poetry.dev-dependencies"
            || (section.starts_with("tool.poetry.group.") && section.ends_with(".dependencies"));
        if poetry {
            if key != "python" {
                python_req(key, start + ko, &format!("[{section}]"), sink);
            }
            continue;
        }
        let label = match section.as_str() {
            "project" if key == "dependencies" => Some("[project] dependencies".to_string()),
            "project.optional-dependencies" => Some(format!("[project.optional-dependencies] {key}")),
            "dependency-groups" => Some(format!("[dependency-groups] {key}")),
            "tool.uv" if matches!(key, "dev-dependencies" | "constraint-dependencies" | "override-dependencies") => {
                Some(format!("[tool.uv] {key}"))
            }
            "tool.pdm.dev-dependencies" => Some(format!("[tool.pdm.dev-dependencies] {key}")),
            s if s.starts_with("tool.hatch.envs.") && matches!(key, "dependencies" | "extra-dependencies") => {
                Some(format!("[{s}] {key}"))
            }
            _ => None,
        };
        if let Some(label) = label
            && value.starts_with('[')
        {
            let depth = toml_strings(value, start + vo, |o, s| python_req(s, o, &label, sink));
            if depth > 0 {
                array = Some((depth, label));
            }
        }
    }
}

fn pipfile(text: &str, sink: &mut Sink) {
    let mut section = String::new();
    for (start, raw) in lines(text) {
        let line = strip_hash(raw);
        if line.trim_start().starts_with('[') {
            if let Some(h) = toml_header(line) {
                section = h;
            }
            continue;
        }
        if section != "packages" && section != "dev-packages" {
            continue;
        }
        if let Some((ko, key, _, _)) = kv(line, b"=") {
            python_req(key, start + ko, &format!("[{section}]"), sink);
        }
    }
}

fn setup_cfg(text: &str, sink: &mut Sink) {
    let mut section = String::new();
    let mut cont: Option<String> = None;
    for (start, raw) in lines(text) {
        let t = raw.trim();
        if t.starts_with('[') {
            section = t.trim_matches(['[', ']']).trim().to_string();
            cont = None;
            continue;
        }
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if indented && let Some(label) = &cont {
            let lead = raw.len() - raw.trim_start().len();
            python_req(raw.trim_start(), start + lead, label, sink);
            continue;
        }
        cont = None;
        let Some((_, key, vo, value)) = kv(raw, b"=:") else { continue };
        let label = if section == "options" && key == "install_requires" {
            Some("[options] install_requires".to_string())
        } else if section == "options.extras_require" {
            Some(format!("[options.extras_require] {key}"))
        } else {
            None
        };
        if let Some(label) = label {
            if !value.trim().is_empty() {
                python_req(value, start + vo, &label, sink);
            }
            cont = Some(label);
        }
    }
}

// ------------------------------------------------------------------------------------------------
// npm

const NPM_SECTIONS: &[&str] = &["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

fn package_json(text: &str, sink: &mut Sink) {
    let toks = json::lex(text);
    json::walk(text, &toks, |frames, i, role| {
        let [top, sec] = frames else { return };
        let Some(section) = top.key.as_deref().filter(|k| NPM_SECTIONS.contains(k)) else { return };
        if !sec.obj {
            return;
        }
        let Some(t) = toks.get(i) else { return };
        let (cs, _) = t.content(text);
        let s = json::string(text, t, 512);
        let (name, off) = match role {
            Role::Key => (s.clone(), cs),
            Role::Value => match s.strip_prefix("npm:") {
                Some(real) => (real.to_string(), cs + 4),
                None => return,
            },
        };
        let Some(pkg) = resolve::npm_package_of(&name) else { return };
        if let Some(sdk) = resolve::npm(&pkg) {
            push(sink, off, sdk, pkg, section.to_string());
        }
    });
}

// ------------------------------------------------------------------------------------------------
// Go

fn go_mod(text: &str, sink: &mut Sink) {
    let mut block = false;
    for (start, raw) in lines(text) {
        let (code, comment) = match raw.find("//") {
            Some(p) => (sub(raw, 0, p), sub(raw, p, raw.len())),
            None => (raw, ""),
        };
        let t = code.trim();
        let lead = code.len() - code.trim_start().len();
        let (path_off, rest) = if block {
            if t.starts_with(')') {
                block = false;
                continue;
            }
            (lead, t)
        } else if let Some(r) = t.strip_prefix("require") {
            let r2 = r.trim_start();
            if r2.starts_with('(') {
                block = true;
                continue;
            }
            (lead + 7 + (r.len() - r2.len()), r2)
        } else {
            continue;
        };
        let word = rest.split_whitespace().next().unwrap_or("");
        let (word, q) = match word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
            Some(w) => (w, 1),
            None => (word, 0),
        };
        if word.is_empty() {
            continue;
        }
        if let Some(sdk) = resolve::go_module(word) {
            let detail = if comment.contains("indirect") { "require (indirect)" } else { "require" };
            push(sink, start + path_off + q, sdk, sdk.pkg.to_string(), format!("{detail} {word}"));
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Cargo

fn cargo_dep_section(h: &str) -> bool {
    matches!(h, "dependencies" | "dev-dependencies" | "build-dependencies" | "workspace.dependencies")
        || (h.starts_with("target.")
            && (h.ends_with(".dependencies") || h.ends_with(".dev-dependencies") || h.ends_with(".build-dependencies")))
}

/// `package = "x"` inside an inline table value.
fn inline_str<'v>(value: &'v str, field: &str) -> Option<(usize, &'v str)> {
    let mut from = 0;
    while let Some(p) = value.get(from..).and_then(|r| r.find(field)) {
        let p = from + p;
        from = p + field.len();
        let before = if p == 0 { b' ' } else { at(value.as_bytes(), p - 1) };
        if before.is_ascii_alphanumeric() || before == b'_' || before == b'-' {
            continue;
        }
        let rest = sub(value, p + field.len(), value.len());
        let r = rest.trim_start();
        let Some(r) = r.strip_prefix('=') else { continue };
        let r2 = r.trim_start();
        let q = r2.chars().next()?;
        if q != '"' && q != '\'' {
            continue;
        }
        let cs = value.len() - r2.len() + 1;
        let body = sub(value, cs, value.len());
        let e = body.find(q)?;
        return Some((cs, sub(body, 0, e)));
    }
    None
}

fn cargo_toml(text: &str, sink: &mut Sink) {
    let mut in_deps = false;
    let mut section = String::new();
    // `[dependencies.foo]`: (name, offset, section), emitted at the next header or the end
    let mut pending: Option<(String, usize, String)> = None;
    let flush = |p: &mut Option<(String, usize, String)>, sink: &mut Sink| {
        if let Some((name, off, sec)) = p.take()
            && let Some(sdk) = resolve::crate_name(&name)
        {
            push(sink, off, sdk, sdk.pkg.to_string(), format!("[{sec}]"));
        }
    };
    for (start, raw) in lines(text) {
        let line = strip_hash(raw);
        let t = line.trim_start();
        if t.starts_with('[') {
            flush(&mut pending, sink);
            let Some(h) = toml_header(line) else { continue };
            in_deps = cargo_dep_section(&h);
            section = h.clone();
            if !in_deps
                && let Some(p) = h.rfind("dependencies.")
                && cargo_dep_section(sub(&h, 0, p + "dependencies".len()))
            {
                let name = sub(&h, p + "dependencies.".len(), h.len()).to_string();
                let off = line.find(name.as_str()).map_or(start, |o| start + o);
                pending = Some((name, off, sub(&h, 0, p + "dependencies".len()).to_string()));
            }
            continue;
        }
        if let Some((name, _, _)) = pending.as_mut() {
            if let Some((_, "package", _, value)) = kv(line, b"=")
                && let Some(real) = value.trim().strip_prefix('"').and_then(|r| r.split('"').next())
            {
                *name = real.to_string();
            }
            continue;
        }
        if !in_deps {
            continue;
        }
        let Some((ko, key, vo, value)) = kv(line, b"=") else { continue };
        let dep = key.split('.').next().unwrap_or(key);
        let (name, off) = match inline_str(value, "package") {
            Some((o, real)) => (real.to_string(), start + vo + o),
            None => (dep.to_string(), start + ko),
        };
        if let Some(sdk) = resolve::crate_name(&name) {
            let detail = if name != dep { format!("[{section}] {dep} (renamed)") } else { format!("[{section}]") };
            push(sink, off, sdk, sdk.pkg.to_string(), detail);
        }
    }
    flush(&mut pending, sink);
}

// ------------------------------------------------------------------------------------------------
// Maven, Gradle

/// `text` with `<!-- … -->` comments blanked (same length, newlines kept).
fn blank_xml_comments(text: &str) -> String {
    let mut b = text.as_bytes().to_vec();
    let mut from = 0;
    while let Some(p) = text.get(from..).and_then(|r| r.find("<!--")) {
        let s = from + p;
        let e = text.get(s + 4..).and_then(|r| r.find("-->")).map_or(text.len(), |q| s + 4 + q + 3);
        for c in b.get_mut(s..e).unwrap_or(&mut []) {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        from = e;
    }
    String::from_utf8(b).unwrap_or_else(|_| text.to_string())
}

/// Text of `<tag>…</tag>` inside `block`: (offset in block, trimmed text).
fn xml_child<'b>(block: &'b str, tag: &str) -> Option<(usize, &'b str)> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let s = block.find(&open)? + open.len();
    let e = s + block.get(s..)?.find(&close)?;
    let raw = sub(block, s, e);
    let lead = raw.len() - raw.trim_start().len();
    Some((s + lead, raw.trim()))
}

fn pom(text: &str, sink: &mut Sink) {
    let clean = blank_xml_comments(text);
    let mut from = 0;
    while let Some(p) = clean.get(from..).and_then(|r| r.find("<dependency>")) {
        let s = from + p;
        let Some(q) = clean.get(s..).and_then(|r| r.find("</dependency>")) else { break };
        let e = s + q;
        let block = sub(&clean, s, e);
        from = e + 1;
        let (Some((_, g)), Some((ao, a))) = (xml_child(block, "groupId"), xml_child(block, "artifactId")) else {
            continue;
        };
        if let Some(sdk) = resolve::maven_coord(g, a) {
            push(sink, s + ao, sdk, format!("{g}:{a}"), "<dependency>".to_string());
        }
    }
}

fn coordinate(s: &str) -> Option<(&str, &str)> {
    let s = s.split('@').next().unwrap_or(s);
    let mut parts = s.split(':');
    let g = parts.next()?;
    let a = parts.next()?;
    let ok = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
    (ok(g) && ok(a)).then_some((g, a))
}

fn gradle(text: &str, lang: Language, sink: &mut Sink) {
    let toks = lex(lang, text);
    let txt = |i: usize| toks.get(i).map_or("", |t| sub(text, t.s as usize, t.e as usize));
    let inner = |i: usize| toks.get(i).map_or("", |t| sub(text, t.is as usize, t.ie as usize));
    let is = |i: usize, k: K| toks.get(i).is_some_and(|t| t.k == k);
    let punct = |i: usize, c: &str| is(i, K::Punct) && txt(i) == c;
    for i in 0..toks.len() {
        if !is(i, K::Str) {
            continue;
        }
        let Some(t) = toks.get(i) else { break };
        // configuration name: `implementation 'g:a:v'` or `implementation("g:a:v")`
        let conf = if i >= 2 && punct(i - 1, "(") && is(i - 2, K::Ident) {
            txt(i - 2)
        } else if i >= 1 && is(i - 1, K::Ident) {
            txt(i - 1)
        } else {
            "gradle"
        };
        if let Some((g, a)) = coordinate(inner(i))
            && let Some(sdk) = resolve::maven_coord(g, a)
        {
            push(sink, t.is as usize + g.len() + 1, sdk, format!("{g}:{a}"), conf.to_string());
            continue;
        }
        // map notation: group: 'g', name: 'a'  /  group = "g", name = "a"
        if i >= 2 && (punct(i - 1, ":") || punct(i - 1, "=")) && is(i - 2, K::Ident) && txt(i - 2) == "group" {
            let g = inner(i);
            for k in i + 1..(i + 12).min(toks.len()) {
                if is(k, K::Ident) && txt(k) == "name" && (punct(k + 1, ":") || punct(k + 1, "=")) && is(k + 2, K::Str)
                {
                    let a = inner(k + 2);
                    if let Some(sdk) = resolve::maven_coord(g, a) {
                        let off = toks.get(k + 2).map_or(0, |t| t.is as usize);
                        push(sink, off, sdk, format!("{g}:{a}"), "gradle".to_string());
                    }
                    break;
                }
            }
        }
    }
}

fn version_catalog(text: &str, sink: &mut Sink) {
    let mut section = String::new();
    for (start, raw) in lines(text) {
        let line = strip_hash(raw);
        if line.trim_start().starts_with('[') {
            if let Some(h) = toml_header(line) {
                section = h;
            }
            continue;
        }
        if section != "libraries" {
            continue;
        }
        let Some((_, key, vo, value)) = kv(line, b"=") else { continue };
        let found = if let Some((o, m)) = inline_str(value, "module") {
            coordinate(m).map(|(g, a)| (o + g.len() + 1, g.to_string(), a.to_string()))
        } else if let (Some((_, g)), Some((o, a))) = (inline_str(value, "group"), inline_str(value, "name")) {
            Some((o, g.to_string(), a.to_string()))
        } else if let Some(v) = value.trim().strip_prefix('"').and_then(|v| v.split('"').next()) {
            coordinate(v).map(|(g, a)| (1 + g.len() + 1, g.to_string(), a.to_string()))
        } else {
            None
        };
        if let Some((o, g, a)) = found
            && let Some(sdk) = resolve::maven_coord(&g, &a)
        {
            push(sink, start + vo + o, sdk, format!("{g}:{a}"), format!("[libraries] {key}"));
        }
    }
}

// ------------------------------------------------------------------------------------------------
// .NET

fn msbuild(text: &str, sink: &mut Sink) {
    let clean = blank_xml_comments(text);
    for (tag, attrs) in [
        ("<PackageReference", &["Include", "Update"][..]),
        ("<PackageVersion", &["Include", "Update"][..]),
        ("<package ", &["id"][..]),
    ] {
        let mut from = 0;
        while let Some(p) = clean.get(from..).and_then(|r| r.find(tag)) {
            let s = from + p;
            from = s + tag.len();
            // the tag ends at the next `>`, looked for in a bounded window only
            let window_end = (s + 1024).min(clean.len());
            let region_end = clean.as_bytes().get(s..window_end).and_then(|w| w.iter().position(|&c| c == b'>'));
            let region = sub(&clean, s, region_end.map_or(window_end, |q| s + q));
            for attr in attrs {
                let Some((o, id)) = inline_str(region, attr) else { continue };
                if let Some(sdk) = resolve::nuget(id) {
                    let what = tag.trim_start_matches('<').trim();
                    push(sink, s + o, sdk, id.to_string(), what.to_string());
                }
                break;
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// install commands (Dockerfile RUN, CI scripts, notebook magics)

/// `pip install …` / `npm install …` and friends in `line` (at `base`) → `Dependency` hits.
/// Returns the ecosystem (`true` = PyPI) of an install command that continues on the next line
/// (the line ends with `\`).
pub(crate) fn install_commands(line: &str, base: usize, context: &str, sink: &mut Sink) -> Option<bool> {
    const PY: &[&str] =
        &["pip install", "pip3 install", "uv pip install", "uv add", "poetry add", "conda install", "mamba install"];
    const JS: &[&str] = &["npm install", "npm i ", "npm add", "yarn add", "pnpm add", "pnpm install", "bun add"];
    let mut continues = None;
    for (cmds, py) in [(PY, true), (JS, false)] {
        for cmd in cmds {
            let mut from = 0;
            while let Some(p) = line.get(from..).and_then(|r| r.find(cmd)) {
                let s = from + p;
                from = s + cmd.len();
                let before = if s == 0 { b' ' } else { at(line.as_bytes(), s - 1) };
                if before.is_ascii_alphanumeric() || before == b'_' || before == b'-' {
                    continue;
                }
                let label = format!("{} ({context})", cmd.trim());
                if install_words(sub(line, from, line.len()), base + from, py, &label, sink) {
                    continues = Some(py);
                }
            }
        }
    }
    continues
}

/// Package words of an install command starting at `rest` (at `base`); returns whether the
/// command continues on the next line.
pub(crate) fn install_words(rest: &str, base: usize, py: bool, label: &str, sink: &mut Sink) -> bool {
    const VALUE_FLAGS: &[&str] = &[
        "-r",
        "-c",
        "-e",
        "-i",
        "-t",
        "--index-url",
        "--extra-index-url",
        "--target",
        "--requirement",
        "--constraint",
        "-f",
        "--find-links",
    ];
    let mut skip_next = false;
    let mut pos = 0usize;
    let mut last = "";
    // at most 64 words per command, so repeated commands on one line stay linear
    for word in rest.split([' ', '\t']).take(64) {
        let woff = pos;
        pos += word.len() + 1;
        if word.is_empty() {
            continue;
        }
        last = word;
        if matches!(word, "&&" | "||" | ";" | "|") || word.starts_with('#') {
            return false;
        }
        if word == "\\" {
            continue;
        }
        if skip_next {
            skip_next = false;
            continue;
        }
        if word.starts_with('-') {
            skip_next = VALUE_FLAGS.contains(&word);
            continue;
        }
        let stop = word.ends_with(';') || word.ends_with("&&");
        let w = word.trim_end_matches([';', '&']).trim_matches(['"', '\'']);
        let q = usize::from(word.starts_with(['"', '\'']));
        if py {
            if !(w.starts_with('.') || w.contains('/') || w.contains("://"))
                && let Some((o, name)) = pep508_name(w)
            {
                let norm = normalize_pypi(name);
                if let Some(sdk) = resolve::pypi(&norm) {
                    push(sink, base + woff + q + o, sdk, norm, label.to_string());
                }
            }
        } else if let Some(pkg) = resolve::npm_package_of(w)
            && let Some(sdk) = resolve::npm(&pkg)
        {
            push(sink, base + woff + q, sdk, pkg, label.to_string());
        }
        if stop {
            return false;
        }
    }
    last == "\\"
}

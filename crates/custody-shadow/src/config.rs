//! Configuration files: `.env`, YAML (Compose, Kubernetes, CI), JSON, TOML, INI, Dockerfiles
//! and Ollama Modelfiles. Read line by line (JSON token by token); comments are skipped.

use crate::category::{FILE, LOCAL};
use crate::hits::{Raw, Sink};
use crate::json::{self, Role};
use crate::literal::{self, env_lookup, secret_key};
use crate::manifest::{install_commands, install_words};
use crate::secrets;
use crate::tables::{IMAGES, opt};
use crate::text::{at, basename, extension, lines, sub, words};
use crate::{HitKind, MAX_LINE_BYTES};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Env,
    Yaml,
    Json,
    Toml,
    Ini,
    Docker,
    Modelfile,
}

pub(crate) fn flavor_of(path: &str) -> Option<Flavor> {
    let name = basename(path).to_ascii_lowercase();
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return Some(Flavor::Env);
    }
    if name == "dockerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
        || name == "containerfile"
    {
        return Some(Flavor::Docker);
    }
    if name == "modelfile" || name.starts_with("modelfile.") || name.ends_with(".modelfile") {
        return Some(Flavor::Modelfile);
    }
    match extension(&name)?.as_str() {
        "yaml" | "yml" => Some(Flavor::Yaml),
        "json" | "jsonc" | "json5" => Some(Flavor::Json),
        "toml" => Some(Flavor::Toml),
        "ini" | "cfg" | "conf" | "properties" => Some(Flavor::Ini),
        _ => None,
    }
}

pub(crate) fn scan(path: &str, text: &str, sink: &mut Sink) {
    let flavor = flavor_of(path)
        .unwrap_or_else(|| if text.trim_start().starts_with(['{', '[']) { Flavor::Json } else { Flavor::Env });
    match flavor {
        Flavor::Json => json_config(text, sink),
        Flavor::Modelfile => modelfile(text, sink),
        _ => line_config(flavor, text, sink),
    }
}

/// Whether a key expects a model id as its value.
fn model_key(key: &str) -> bool {
    let l = key.to_ascii_lowercase();
    l.contains("model")
        || matches!(
            l.as_str(),
            "engine" | "deployment" | "deployment_name" | "deployment_id" | "azure_deployment" | "llm"
        )
}

/// The part of a line before its comment.
fn strip_comment(line: &str, flavor: Flavor) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || (flavor == Flavor::Ini && t.starts_with(';')) {
        return "";
    }
    let b = line.as_bytes();
    let mut q = 0u8;
    for (i, &c) in b.iter().enumerate() {
        if q != 0 {
            if c == q {
                q = 0;
            }
        } else if c == b'"' || c == b'\'' {
            q = c;
        } else if c == b'#' && i > 0 && at(b, i - 1).is_ascii_whitespace() {
            return sub(line, 0, i);
        }
    }
    line
}

/// `value` without surrounding quotes, and the offset of the unquoted text within `value`.
fn unquote(value: &str) -> (usize, &str) {
    let v = value.trim_end();
    let v = v.strip_suffix(',').unwrap_or(v).trim_end();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            let inner = inner.strip_suffix(q).unwrap_or(inner);
            return (1, inner);
        }
    }
    (0, v)
}

/// `key: value` / `key = value` / `export KEY=value` / `- KEY=value` / `"key": value`.
fn key_value(line: &str) -> Option<(usize, &str, usize, &str)> {
    let b = line.as_bytes();
    let mut i = line.len() - line.trim_start().len();
    if line.get(i..).is_some_and(|r| r.starts_with("- ")) {
        i += 2;
        while at(b, i) == b' ' {
            i += 1;
        }
    }
    if line.get(i..).is_some_and(|r| r.starts_with("export ")) {
        i += 7;
    }
    let (ks, ke, mut j) = if matches!(at(b, i), b'"' | b'\'') {
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
    if ke <= ks || ke - ks > 200 {
        return None;
    }
    while matches!(at(b, j), b' ' | b'\t') {
        j += 1;
    }
    match at(b, j) {
        b'=' => {}
        b':' if matches!(at(b, j + 1), b' ' | b'\t' | 0 | b'"' | b'\'') => {}
        _ => return None,
    }
    j += 1;
    while matches!(at(b, j), b' ' | b'\t') {
        j += 1;
    }
    Some((ks, sub(line, ks, ke), j, sub(line, j, line.len())))
}

/// Quoted strings on a line: (offset of content, content).
fn quoted(line: &str) -> Vec<(usize, &str)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let q = at(b, i);
        if q == b'"' || q == b'\'' {
            let s = i + 1;
            let mut e = s;
            while e < b.len() && at(b, e) != q {
                e += 1;
            }
            if e < b.len() {
                out.push((s, sub(line, s, e)));
            }
            i = e + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// Shared handling of one `key = value` pair; `ko`/`vo` are offsets from `line_base`.
fn pair(line_base: usize, ko: usize, key: &str, vo: usize, value: &str, sink: &mut Sink) {
    // the key itself as an AI variable, in any case (`openai_api_key:`)
    let upper = key.to_ascii_uppercase();
    if key != upper
        && let Some(info) = env_lookup(&upper)
    {
        sink.push(
            Raw::new(line_base + ko, HitKind::EnvVar, info.provider, info.cat, key.to_string()).detail("setting key"),
        );
    }
    let (qo, v) = unquote(value);
    let voff = line_base + vo + qo;
    if let Some(info) = secret_key(key)
        && !v.starts_with('$')
    {
        secrets::assigned(v, voff, info.provider, info.cat, key, sink);
    }
    literal::push_model(v, voff, model_key(key), sink);
    if key.eq_ignore_ascii_case("image") {
        image(v, voff, sink);
    }
}

fn line_config(flavor: Flavor, text: &str, sink: &mut Sink) {
    let mut install_cont: Option<bool> = None;
    for (start, raw) in lines(text) {
        if raw.len() > MAX_LINE_BYTES {
            install_cont = None;
            continue;
        }
        let line = strip_comment(raw, flavor);
        if line.trim().is_empty() {
            continue;
        }
        // a `RUN pip install \` continued on this line
        if let Some(py) = install_cont.take()
            && install_words(
                line,
                start,
                py,
                if py { "pip install (continued)" } else { "npm install (continued)" },
                sink,
            )
        {
            install_cont = Some(py);
        }
        // environment variable names anywhere: `KEY=`, `name: KEY`, `${KEY}`, `$KEY`
        for (o, w) in words(line) {
            if let Some(info) = env_lookup(w) {
                let prev = if o == 0 { 0 } else { at(line.as_bytes(), o - 1) };
                let detail = if prev == b'$' || prev == b'{' { "reference" } else { "name" };
                sink.push(Raw::new(start + o, HitKind::EnvVar, info.provider, info.cat, w.to_string()).detail(detail));
            }
        }
        literal::endpoints(line, start, sink);
        if let Some(py) = install_commands(line, start, "config", sink) {
            install_cont = Some(py);
        }
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if flavor == Flavor::Docker {
            let (instr, rest) = trimmed.split_once([' ', '\t']).unwrap_or((trimmed, ""));
            let ro = line.len() - rest.len();
            match instr.to_ascii_uppercase().as_str() {
                "FROM" => {
                    let mut o = ro;
                    for w in rest.split_whitespace() {
                        let wo = rest.find(w).map_or(o, |p| ro + p);
                        o = wo;
                        if w.starts_with("--") {
                            continue;
                        }
                        image(w, start + wo, sink);
                        break;
                    }
                    continue;
                }
                "ENV" | "ARG" | "LABEL" => {
                    docker_env(rest, start + ro, sink);
                    continue;
                }
                _ => {}
            }
        }
        if let Some((ko, key, vo, value)) = key_value(line) {
            pair(start, ko, key, vo, value, sink);
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            let io = lead + 2 + (item.len() - item.trim_start().len());
            let (qo, v) = unquote(item.trim_start());
            literal::push_model(v, start + io + qo, false, sink);
        }
        for (qo, q) in quoted(line) {
            literal::push_model(q, start + qo, false, sink);
        }
    }
}

/// Dockerfile `ENV A=1 B=2` / `ENV A 1` / `ARG A=1`.
fn docker_env(rest: &str, base: usize, sink: &mut Sink) {
    if let Some((k, v)) = rest.split_once([' ', '\t'])
        && !k.contains('=')
    {
        let vo = rest.len() - v.trim_start().len();
        pair(base, 0, k, vo, v.trim_start(), sink);
        return;
    }
    let mut pos = 0;
    for part in rest.split(' ') {
        let po = pos;
        pos += part.len() + 1;
        if let Some((k, v)) = part.split_once('=') {
            pair(base, po, k, po + k.len() + 1, v, sink);
        }
    }
}

/// A container image reference → `Dependency` if it is an AI image.
fn image(reference: &str, off: usize, sink: &mut Sink) {
    let r = reference.trim().trim_matches(['"', '\'']);
    if r.is_empty() || r.contains('$') {
        return;
    }
    let r = r.split('@').next().unwrap_or(r);
    let (path, _tag) = match r.rfind('/') {
        Some(slash) => match sub(r, slash, r.len()).find(':') {
            Some(c) => (sub(r, 0, slash + c), Some(sub(r, slash + c + 1, r.len()))),
            None => (r, None),
        },
        None => r.split_once(':').map_or((r, None), |(a, b)| (a, Some(b))),
    };
    let lower = path.to_ascii_lowercase();
    let repo = lower.strip_prefix("docker.io/library/").or_else(|| lower.strip_prefix("docker.io/")).unwrap_or(&lower);
    let found = IMAGES.iter().find(|i| match i.repo.strip_suffix('*') {
        Some(prefix) => repo.starts_with(prefix) && repo.len() > prefix.len(),
        None => i.repo == repo,
    });
    if let Some(i) = found {
        sink.push(
            Raw::new(off, HitKind::Dependency, opt(i.provider), i.cat, repo.to_string())
                .detail(format!("container image {r}")),
        );
    }
}

fn json_config(text: &str, sink: &mut Sink) {
    let toks = json::lex(text);
    json::walk(text, &toks, |frames, i, role| {
        let Some(t) = toks.get(i) else { return };
        if t.k != json::J::Str {
            return;
        }
        let (cs, ce) = t.content(text);
        if ce - cs > 4096 {
            return;
        }
        let raw = sub(text, cs, ce);
        match role {
            Role::Key => {
                let key = json::string(text, t, 256);
                let upper = key.to_ascii_uppercase();
                if let Some(info) = env_lookup(&upper) {
                    sink.push(Raw::new(cs, HitKind::EnvVar, info.provider, info.cat, key).detail("setting key"));
                }
            }
            Role::Value => {
                let key = frames.last().and_then(|f| f.key.as_deref()).unwrap_or("");
                let value = json::string(text, t, 4096);
                literal::endpoints(raw, cs, sink);
                literal::env_mentions(raw, cs, "value", sink);
                if let Some(info) = secret_key(key) {
                    secrets::assigned(&value, cs, info.provider, info.cat, key, sink);
                }
                literal::push_model(&value, cs, model_key(key), sink);
                if key == "image" {
                    image(&value, cs, sink);
                }
                if matches!(key, "run" | "command" | "script" | "postCreateCommand") {
                    let _ = install_commands(raw, cs, "config", sink);
                }
            }
        }
    });
}

/// Ollama `Modelfile`: `FROM <model or path>`, `ADAPTER <path>`.
fn modelfile(text: &str, sink: &mut Sink) {
    for (start, raw) in lines(text) {
        let t = raw.trim_start();
        let Some((instr, rest)) = t.split_once([' ', '\t']) else { continue };
        let arg = rest.trim();
        if arg.is_empty() {
            continue;
        }
        let off = start + raw.len() - rest.trim_start().len();
        match instr.to_ascii_uppercase().as_str() {
            "FROM" => {
                let local = arg.starts_with("./")
                    || arg.starts_with("../")
                    || literal::is_absolute(arg)
                    || literal::asset_path(arg).is_some();
                if local {
                    sink.push(
                        Raw::new(off, HitKind::PathLiteral, None, FILE, arg.to_string()).detail("Modelfile FROM"),
                    );
                } else {
                    let family = literal::model_id(arg, true).map_or_else(String::new, |m| format!(" ({})", m.label));
                    sink.push(
                        Raw::new(off, HitKind::ModelId, Some("ollama"), LOCAL, arg.to_string())
                            .detail(format!("Modelfile FROM{family}")),
                    );
                }
            }
            "ADAPTER" => {
                sink.push(Raw::new(off, HitKind::PathLiteral, None, FILE, arg.to_string()).detail("Modelfile ADAPTER"));
            }
            _ => {}
        }
    }
}

//! Connections: code → the asset files it loads (path literals resolved against the tree),
//! code → external AI services and hub downloads, adapter → base model, model → base model and
//! → training datasets.

use crate::{Asset, AssetKind, CodeUse, Edge};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Normalises `a/./b/../c` to `a/c`; `None` if it climbs above the root.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The asset a path literal in `from` refers to: relative to the file's directory, then to the
/// root; a path inside a directory asset resolves to that directory.
fn resolve<'a>(from: &str, literal: &str, by_path: &BTreeMap<&str, &'a Asset>) -> Option<&'a Asset> {
    let lit = literal.trim_start_matches("./");
    if literal.starts_with('/') || lit.is_empty() {
        return None;
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let candidates = [normalise(&format!("{dir}/{lit}")), normalise(lit)];
    for c in candidates.into_iter().flatten() {
        if let Some(a) = by_path.get(c.as_str()) {
            return Some(a);
        }
        // Inside a directory asset.
        let mut p = c.as_str();
        while let Some((up, _)) = p.rsplit_once('/') {
            if let Some(a) = by_path.get(up).filter(|a| !a.members.is_empty()) {
                return Some(a);
            }
            p = up;
        }
    }
    None
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

pub fn edges(assets: &[Asset], uses: &[CodeUse]) -> Vec<Edge> {
    let by_path: BTreeMap<&str, &Asset> = assets.iter().map(|a| (a.path.as_str(), a)).collect();
    let mut out: BTreeSet<Edge> = BTreeSet::new();
    let edge = |s: &str, t: &str, k: &str| Edge { source: s.to_string(), target: t.to_string(), kind: k.to_string() };
    for u in uses {
        match u.kind.as_str() {
            "path-literal" => {
                if let Some(a) = resolve(&u.path, &u.name, &by_path) {
                    out.insert(edge(&u.path, &a.path, "loads"));
                }
            }
            "hub-download" => {
                // A from_pretrained("./models/x") with a local path is a load, not a download.
                match resolve(&u.path, &u.name, &by_path) {
                    Some(a) => out.insert(edge(&u.path, &a.path, "loads")),
                    None => out.insert(edge(&u.path, &format!("hub:{}", u.name), "downloads")),
                };
            }
            "sdk" | "endpoint" | "model-id" | "env-var" if u.category == "remote-inference" => {
                if let Some(p) = &u.provider {
                    out.insert(edge(&u.path, &format!("service:{p}"), "calls"));
                }
            }
            _ => {}
        }
    }
    // Local names of directory assets, to link hub ids to what is on disk (`org/name` → `…/name`).
    let local = |id: &str, kind: Option<AssetKind>| -> Option<&Asset> {
        let id = id.trim_end_matches('/');
        if let Some(a) = by_path.get(id.trim_start_matches("./")) {
            return Some(a);
        }
        let tail = id.rsplit('/').next().unwrap_or(id);
        assets.iter().find(|a| {
            !a.members.is_empty() && a.path.rsplit('/').next() == Some(tail) && kind.is_none_or(|k| a.kind == k)
        })
    };
    for a in assets.iter().filter(|a| a.part_of.is_none()) {
        let kind = if a.kind == AssetKind::Adapter { "adapts" } else { "fine-tuned-from" };
        for b in strings(&a.meta, "base_models") {
            match local(&b, None).filter(|l| l.path != a.path) {
                Some(l) => out.insert(edge(&a.path, &l.path, kind)),
                None => out.insert(edge(&a.path, &format!("hub:{b}"), kind)),
            };
        }
        for d in strings(&a.meta, "datasets") {
            match local(&d, Some(AssetKind::Dataset)) {
                Some(l) => out.insert(edge(&a.path, &l.path, "trained-on")),
                None => out.insert(edge(&a.path, &format!("hub-dataset:{d}"), "trained-on")),
            };
        }
    }
    out.into_iter().collect()
}

/// An external AI service, with everything that shows it is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub provider: String,
    pub categories: BTreeSet<String>,
    pub hosts: BTreeSet<String>,
    pub packages: BTreeSet<String>,
    pub env_vars: BTreeSet<String>,
    pub models: BTreeSet<String>,
    /// Files that use it.
    pub files: BTreeSet<String>,
}

/// External AI services by provider: uses in the `remote-inference` category (a call leaves
/// the organisation). Local frameworks (transformers, onnxruntime) are libraries, not services.
pub fn services(uses: &[CodeUse]) -> Vec<Service> {
    let mut by: BTreeMap<&str, Service> = BTreeMap::new();
    for u in uses {
        let Some(p) = u.provider.as_deref() else { continue };
        if u.kind == "path-literal" || u.kind == "credential" || u.category != "remote-inference" {
            continue;
        }
        let s = by.entry(p).or_insert_with(|| Service {
            provider: p.to_string(),
            categories: BTreeSet::new(),
            hosts: BTreeSet::new(),
            packages: BTreeSet::new(),
            env_vars: BTreeSet::new(),
            models: BTreeSet::new(),
            files: BTreeSet::new(),
        });
        s.categories.insert(u.category.clone());
        s.files.insert(u.path.clone());
        let bucket = match u.kind.as_str() {
            "endpoint" => &mut s.hosts,
            "sdk" | "dependency" => &mut s.packages,
            "env-var" => &mut s.env_vars,
            "model-id" | "hub-download" => &mut s.models,
            _ => continue,
        };
        bucket.insert(u.name.clone());
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_paths() {
        assert_eq!(normalise("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalise("../x"), None);
        assert_eq!(normalise("./m/x.gguf").as_deref(), Some("m/x.gguf"));
    }
}

//! Registered vs found: shadow AI (found, no system declares it) and missing (declared, not
//! found); and what changed since the previous scan.

use crate::{Asset, Service};
use custody_core::{Finding, Location};
use globset::{Glob, GlobMatcher};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What one system declares it uses.
#[derive(Debug, Clone)]
pub struct Registration {
    pub system: String,
    /// Globs relative to the scan root, or `sha256:<hex>`.
    pub assets: Vec<String>,
    /// Provider ids or hostnames.
    pub services: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciliation {
    /// Asset path → systems that declare it.
    pub registered: BTreeMap<String, Vec<String>>,
    pub shadow_assets: Vec<String>,
    pub shadow_services: Vec<String>,
    /// (system, pattern) that matched nothing.
    pub missing: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

fn matcher(p: &str) -> Option<GlobMatcher> {
    Glob::new(p.trim_start_matches("./")).ok().map(|g| g.compile_matcher())
}

/// Asset paths are relative to the scan root; so are the registration globs (callers rebase
/// globs written relative to custody.toml).
pub fn reconcile(assets: &[Asset], services: &[Service], regs: &[Registration]) -> Reconciliation {
    let mut r = Reconciliation::default();
    let top: Vec<&Asset> = assets.iter().filter(|a| a.part_of.is_none()).collect();
    let mut used_patterns: BTreeSet<(usize, usize)> = BTreeSet::new();
    for a in &top {
        let mut systems = Vec::new();
        for (ri, reg) in regs.iter().enumerate() {
            for (pi, p) in reg.assets.iter().enumerate() {
                let hit = match p.strip_prefix("sha256:") {
                    Some(h) => h.eq_ignore_ascii_case(&a.sha256),
                    None => matcher(p).is_some_and(|m| {
                        m.is_match(&a.path)
                            || a.members.iter().any(|x| m.is_match(x))
                            || m.is_match(format!("{}/", a.path))
                    }),
                };
                if hit {
                    used_patterns.insert((ri, pi));
                    if !systems.contains(&reg.system) {
                        systems.push(reg.system.clone());
                    }
                }
            }
        }
        if systems.is_empty() {
            r.shadow_assets.push(a.path.clone());
            r.findings.push(
                Finding::new(
                    "CUS-INV-001",
                    format!("{} `{}` ({}) is not registered to any system", a.kind.as_str(), a.path, a.format),
                    Location::file(a.path.clone()),
                )
                .with_evidence(format!("sha256:{}", a.sha256)),
            );
        } else {
            r.registered.insert(a.path.clone(), systems);
        }
    }
    for s in services {
        let mut found = false;
        for (ri, reg) in regs.iter().enumerate() {
            for (pi, p) in reg.services.iter().enumerate() {
                if p.eq_ignore_ascii_case(&s.provider) || s.hosts.iter().any(|h| h.eq_ignore_ascii_case(p)) {
                    used_patterns.insert((ri, usize::MAX - pi));
                    found = true;
                }
            }
        }
        if !found {
            r.shadow_services.push(s.provider.clone());
            let file = s.files.iter().next().cloned().unwrap_or_default();
            r.findings.push(
                Finding::new(
                    "CUS-INV-001",
                    format!(
                        "AI service `{}` is used in {} file(s) but not registered to any system",
                        s.provider,
                        s.files.len()
                    ),
                    Location::file(file),
                )
                .with_evidence(s.hosts.iter().chain(s.packages.iter()).cloned().collect::<Vec<_>>().join(", ")),
            );
        }
    }
    for (ri, reg) in regs.iter().enumerate() {
        for (pi, p) in reg.assets.iter().enumerate() {
            if !used_patterns.contains(&(ri, pi)) {
                r.missing.push((reg.system.clone(), p.clone()));
                r.findings.push(Finding::new(
                    "CUS-INV-002",
                    format!("system `{}` declares asset `{p}`, which the scan did not find", reg.system),
                    Location::file("custody.toml"),
                ));
            }
        }
        for (pi, p) in reg.services.iter().enumerate() {
            if !used_patterns.contains(&(ri, usize::MAX - pi)) {
                r.missing.push((reg.system.clone(), p.clone()));
                r.findings.push(Finding::new(
                    "CUS-INV-002",
                    format!("system `{}` declares service `{p}`, which no scanned code uses", reg.system),
                    Location::file("custody.toml"),
                ));
            }
        }
    }
    r
}

/// What changed between two scans, by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub new: Vec<String>,
    pub removed: Vec<String>,
    pub modified: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.removed.is_empty() && self.modified.is_empty()
    }
}

/// `before` and `after` are (path, sha256) of top-level assets.
pub fn diff(before: &[(String, String)], after: &[(String, String)]) -> Diff {
    let b: BTreeMap<&str, &str> = before.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
    let a: BTreeMap<&str, &str> = after.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
    let mut d = Diff::default();
    for (p, h) in &a {
        match b.get(p) {
            None => d.new.push(p.to_string()),
            Some(old) if old != h => d.modified.push(p.to_string()),
            _ => {}
        }
    }
    d.removed = b.keys().filter(|p| !a.contains_key(*p)).map(|p| p.to_string()).collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AssetKind;

    fn asset(path: &str, sha: &str) -> Asset {
        Asset {
            path: path.into(),
            kind: AssetKind::Model,
            format: "gguf".into(),
            size: 1,
            sha256: sha.into(),
            meta: serde_json::Value::Null,
            members: vec![],
            part_of: None,
        }
    }

    #[test]
    fn shadow_missing_and_registered() {
        let assets = vec![asset("models/a.gguf", "aa"), asset("models/b.gguf", "bb"), asset("x/c.onnx", "cc")];
        let regs = vec![
            Registration {
                system: "s1".into(),
                assets: vec!["models/a.gguf".into(), "gone/**".into()],
                services: vec!["openai".into()],
            },
            Registration { system: "s2".into(), assets: vec!["sha256:CC".into()], services: vec![] },
        ];
        let svc = |p: &str| Service {
            provider: p.into(),
            categories: Default::default(),
            hosts: Default::default(),
            packages: Default::default(),
            env_vars: Default::default(),
            models: Default::default(),
            files: ["app.py".to_string()].into_iter().collect(),
        };
        let r = reconcile(&assets, &[svc("openai"), svc("anthropic")], &regs);
        assert_eq!(r.shadow_assets, vec!["models/b.gguf"]);
        assert_eq!(r.shadow_services, vec!["anthropic"]);
        assert_eq!(r.missing, vec![("s1".to_string(), "gone/**".to_string())]);
        assert_eq!(r.registered.get("x/c.onnx"), Some(&vec!["s2".to_string()]));
        assert_eq!(r.findings.iter().filter(|f| f.code == "CUS-INV-001").count(), 2);
    }

    #[test]
    fn diffs_by_path_and_digest() {
        let s = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let d = diff(&s(&[("a", "1"), ("b", "2"), ("c", "3")]), &s(&[("a", "1"), ("b", "9"), ("d", "4")]));
        assert_eq!(d, Diff { new: vec!["d".into()], removed: vec!["c".into()], modified: vec!["b".into()] });
        assert!(diff(&s(&[("a", "1")]), &s(&[("a", "1")])).is_empty());
    }
}

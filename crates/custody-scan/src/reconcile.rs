//! Registered vs found: shadow AI (found, no system declares it) and missing (declared, not
//! found); and what changed since the previous scan.

use crate::codes::InvCode;
use crate::{Asset, Service};
use custody_core::ownership::{Found, FoundService, Ownership};
use custody_core::{Finding, Location, System};
use serde::Serialize;
use std::collections::BTreeMap;

/// Who owns what a scan found ([`Ownership`], kept with the scan) and the findings it makes:
/// CUS-INV-001 for shadow AI, CUS-INV-002 for declarations that matched nothing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reconciliation {
    pub ownership: Ownership,
    pub findings: Vec<Finding>,
}

/// Asset paths are relative to the scan root, which lies at `root_in_project` in the project
/// (`""`: the project root; `None`: outside it). Systems' globs are relative to the project root;
/// [`custody_core::ownership::reconcile`] rebases the paths before it matches them.
pub fn reconcile(
    assets: &[Asset],
    services: &[Service],
    systems: &[System],
    root_in_project: Option<&str>,
) -> Reconciliation {
    let found: Vec<Found<'_>> =
        assets.iter().map(|a| Found { path: &a.path, sha256: &a.sha256, part_of: a.part_of.as_deref() }).collect();
    let members: BTreeMap<&str, &[String]> = assets.iter().map(|a| (a.path.as_str(), a.members.as_slice())).collect();
    let members = |p: &str| members.get(p).map_or_else(Vec::new, |m| m.to_vec());
    let hosts: Vec<Vec<String>> = services.iter().map(|s| s.hosts.iter().cloned().collect()).collect();
    let found_services: Vec<FoundService<'_>> =
        services.iter().zip(&hosts).map(|(s, hosts)| FoundService { provider: &s.provider, hosts }).collect();
    let ownership = custody_core::ownership::reconcile(&found, &members, &found_services, root_in_project, systems);
    let mut findings = Vec::new();
    for a in assets.iter().filter(|a| a.part_of.is_none()) {
        if ownership.systems_of(&a.path).is_empty() {
            findings.push(
                Finding::new(
                    InvCode::Unregistered,
                    format!("{} `{}` ({}) is not registered to any system", a.kind.as_str(), a.path, a.format),
                    Location::file(a.path.clone()),
                )
                .with_evidence(format!("sha256:{}", a.sha256)),
            );
        }
    }
    for s in services.iter().filter(|s| ownership.shadow_services.contains(&s.provider)) {
        let file = s.files.iter().next().cloned().unwrap_or_default();
        findings.push(
            Finding::new(
                InvCode::Unregistered,
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
    for m in &ownership.missing {
        let message = if m.service {
            format!("system `{}` declares service `{}`, which no scanned code uses", m.system, m.entry)
        } else {
            format!("system `{}` declares asset `{}`, which the scan did not find", m.system, m.entry)
        };
        findings.push(Finding::new(InvCode::Missing, message, Location::file("custody.toml")));
    }
    Reconciliation { ownership, findings }
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
        let cc = "cc".repeat(32);
        let assets = vec![asset("models/a.gguf", "aa"), asset("models/b.gguf", "bb"), asset("x/c.onnx", &cc)];
        let sys = |name: &str, assets: &[&str], services: &[&str]| System {
            name: name.into(),
            assets: assets.iter().map(|a| custody_core::AssetRef::parse(a).expect("valid")).collect(),
            services: services.iter().map(|s| s.to_string()).collect(),
            ..System::default()
        };
        let systems = vec![
            sys("s1", &["models/a.gguf", "gone/**"], &["openai"]),
            sys("s2", &[&format!("sha256:{}", cc.to_uppercase())], &[]),
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
        let r = reconcile(&assets, &[svc("openai"), svc("anthropic")], &systems, Some(""));
        let o = &r.ownership;
        assert_eq!(o.shadow_assets().collect::<Vec<_>>(), ["models/b.gguf"]);
        assert_eq!(o.shadow_services, ["anthropic"]);
        assert_eq!(
            o.missing.iter().map(|m| (m.system.as_str(), m.entry.as_str())).collect::<Vec<_>>(),
            [("s1", "gone/**")]
        );
        assert_eq!(o.systems_of("x/c.onnx"), ["s2"]);
        assert_eq!(r.findings.iter().filter(|f| f.code == InvCode::Unregistered).count(), 2);
    }

    #[test]
    fn a_star_does_not_cross_a_slash() {
        let assets = vec![asset("models/sub/a.gguf", "aa")];
        let systems = vec![System {
            name: "s".into(),
            assets: vec![custody_core::AssetRef::parse("models/*").expect("valid")],
            ..System::default()
        }];
        let r = reconcile(&assets, &[], &systems, Some(""));
        assert_eq!(r.ownership.shadow_assets().collect::<Vec<_>>(), ["models/sub/a.gguf"]);
    }

    #[test]
    fn diffs_by_path_and_digest() {
        let s = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let d = diff(&s(&[("a", "1"), ("b", "2"), ("c", "3")]), &s(&[("a", "1"), ("b", "9"), ("d", "4")]));
        assert_eq!(d, Diff { new: vec!["d".into()], removed: vec!["c".into()], modified: vec!["b".into()] });
        assert!(diff(&s(&[("a", "1")]), &s(&[("a", "1")])).is_empty());
    }
}

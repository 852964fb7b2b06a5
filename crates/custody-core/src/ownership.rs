//! Which system owns an asset: the one answer every command uses.
//!
//! A system's `assets` in custody.toml are parsed once, into [`AssetRef`]s: a digest
//! (`sha256:HEX`, compared without regard to case) or a glob over paths relative to the project
//! root (the directory of custody.toml). There is one glob engine: `*` and `?` stay within a path
//! segment, `**` crosses segments, and a pattern without wildcards that names a directory also
//! claims what is inside it. [`crate::System::claims`] is the question; [`reconcile`] answers it
//! for everything one scan found, and its answer ([`Ownership`]) is kept with the scan.

use crate::System;
use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeSet;
use std::fmt;

/// One entry of a system's `assets`: a digest or a path glob.
#[derive(Clone)]
pub struct AssetRef {
    /// As written in custody.toml.
    source: String,
    kind: RefKind,
}

#[derive(Clone)]
enum RefKind {
    /// Lower-case hex SHA-256.
    Digest(String),
    Glob {
        matcher: GlobMatcher,
        /// The pattern without a leading `./`, when it has no wildcard (it may name a directory).
        literal: Option<String>,
    },
}

const GLOB_META: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

impl AssetRef {
    /// Parses one `assets` entry. The error (`asset `ENTRY`: why`) has no location; the config
    /// parser adds file, line and column.
    pub fn parse(s: &str) -> Result<AssetRef, String> {
        if let Some(hex) = s.strip_prefix("sha256:") {
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("asset `{s}`: a digest is `sha256:` and 64 hexadecimal digits"));
            }
            return Ok(AssetRef { source: s.to_string(), kind: RefKind::Digest(hex.to_ascii_lowercase()) });
        }
        let p = s.trim_start_matches("./");
        if p.is_empty() {
            return Err(format!("asset `{s}`: empty; give a path glob relative to custody.toml or sha256:HEX"));
        }
        if p.starts_with('/') {
            return Err(format!(
                "asset `{s}`: globs are relative to the directory of custody.toml; remove the leading /"
            ));
        }
        let glob = GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("asset `{s}`: invalid glob: {}", e.kind()))?;
        let literal = (!p.contains(GLOB_META)).then(|| p.trim_end_matches('/').to_string());
        Ok(AssetRef { source: s.to_string(), kind: RefKind::Glob { matcher: glob.compile_matcher(), literal } })
    }

    /// The entry as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_digest(&self) -> bool {
        matches!(self.kind, RefKind::Digest(_))
    }

    /// Does this entry claim the asset at `path` (relative to the project root) with SHA-256
    /// `digest` (hex)?
    pub fn claims(&self, path: &str, digest: &str) -> bool {
        match &self.kind {
            RefKind::Digest(h) => h.eq_ignore_ascii_case(digest),
            RefKind::Glob { matcher, literal } => {
                let path = path.trim_start_matches("./");
                matcher.is_match(path)
                    || literal.as_deref().is_some_and(|l| path.strip_prefix(l).is_some_and(|r| r.starts_with('/')))
            }
        }
    }

    /// Does this entry claim an asset known only by its digest (one outside the project)?
    pub fn claims_digest(&self, digest: &str) -> bool {
        matches!(&self.kind, RefKind::Digest(h) if h.eq_ignore_ascii_case(digest))
    }
}

impl PartialEq for AssetRef {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}
impl Eq for AssetRef {}

/// Shown as the string it was written as (threat bases and fingerprints format lists of them).
impl fmt::Debug for AssetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.source, f)
    }
}

impl fmt::Display for AssetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for AssetRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for AssetRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AssetRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<&str> for AssetRef {
    type Error = String;
    fn try_from(s: &str) -> Result<Self, String> {
        AssetRef::parse(s)
    }
}

/// Does one of `refs` claim the asset at `path` (relative to the project root) with `digest`?
/// [`System::claims`] and every copy of a system's facts answer through this.
pub fn any_claims(refs: &[AssetRef], path: &str, digest: &str) -> bool {
    refs.iter().any(|r| r.claims(path, digest))
}

/// `path` (relative to the scan root) relative to the project root, given where the scan root
/// lies in the project (`""`: the project root; `None`: outside the project).
pub fn in_project(root_in_project: Option<&str>, path: &str) -> Option<String> {
    let base = root_in_project?.trim_matches('/');
    let path = path.trim_start_matches("./");
    Some(match (base, path) {
        ("", p) => p.to_string(),
        (b, "." | "") => b.to_string(),
        (b, p) => format!("{b}/{p}"),
    })
}

/// What one scan found, owned: the systems that claim each asset, the directory asset a file is
/// part of, the services no system declares and the declarations that matched nothing.
/// Decided when the scan runs and kept with it (`custody assess` reads it; nothing re-parses the
/// scan's display text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// Where the scan root lies, relative to the project root (`""`: the project root itself).
    /// `None` when it is outside the project: then only digests can claim its assets.
    pub root_in_project: Option<String>,
    /// Every asset of the scan, by path relative to the scan root, in path order.
    pub assets: Vec<Owned>,
    /// Providers used in code that no system declares.
    pub shadow_services: Vec<String>,
    /// What systems declare that matched nothing in the scan, system by system in declaration
    /// order: its asset entries, then its services.
    pub missing: Vec<Missing>,
}

/// A declaration in custody.toml that matched nothing in the scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Missing {
    pub system: String,
    /// The `assets` or `services` entry as written.
    pub entry: String,
    /// True for a `services` entry no scanned code uses.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service: bool,
}

/// One asset's owners.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owned {
    /// Relative to the scan root.
    pub path: String,
    /// Systems that claim it (empty for a member of a directory asset: the directory is owned).
    pub systems: Vec<String>,
    /// The directory asset this file is part of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
}

impl Ownership {
    /// The entry of the asset at `path`.
    pub fn get(&self, path: &str) -> Option<&Owned> {
        self.assets.binary_search_by(|o| o.path.as_str().cmp(path)).ok().and_then(|i| self.assets.get(i))
    }

    /// Systems that claim the asset at `path` itself.
    pub fn systems_of(&self, path: &str) -> &[String] {
        self.get(path).map_or(&[], |o| o.systems.as_slice())
    }

    /// Systems that own the asset at `path`: its own claimants, or its directory's.
    pub fn owners_of(&self, path: &str) -> &[String] {
        match self.get(path) {
            Some(Owned { part_of: Some(dir), .. }) => self.systems_of(dir),
            Some(o) => &o.systems,
            None => &[],
        }
    }

    /// Top-level assets no system claims (shadow AI), in path order.
    pub fn shadow_assets(&self) -> impl Iterator<Item = &str> {
        self.assets.iter().filter(|o| o.part_of.is_none() && o.systems.is_empty()).map(|o| o.path.as_str())
    }
}

/// An asset as a scan found it.
#[derive(Debug, Clone, Copy)]
pub struct Found<'a> {
    /// Relative to the scan root.
    pub path: &'a str,
    pub sha256: &'a str,
    /// The directory asset it belongs to.
    pub part_of: Option<&'a str>,
}

/// A service as a scan found it in code.
#[derive(Debug, Clone, Copy)]
pub struct FoundService<'a> {
    pub provider: &'a str,
    pub hosts: &'a [String],
}

impl System {
    /// Does this system claim the asset at `path` (relative to the project root, the directory
    /// of custody.toml) with SHA-256 `digest`? The one answer to "which system owns this asset".
    pub fn claims(&self, path: &str, digest: &str) -> bool {
        any_claims(&self.assets, path, digest)
    }

    /// Does this system declare the service `provider`, reached at `hosts`?
    pub fn declares_service(&self, provider: &str, hosts: &[String]) -> bool {
        self.services.iter().any(|p| declares(p, provider, hosts))
    }
}

fn declares(entry: &str, provider: &str, hosts: &[String]) -> bool {
    entry.eq_ignore_ascii_case(provider) || hosts.iter().any(|h| h.eq_ignore_ascii_case(entry))
}

/// Who owns what a scan found. A directory asset is claimed by a system that claims it or any
/// file in it (`members`: every file under it, asset or not, relative to the scan root); a file
/// that is part of a directory asset is owned through it. `root_in_project` is where the scan
/// root lies in the project: paths are rebased onto the project root before they are matched.
pub fn reconcile(
    found: &[Found<'_>],
    members: &dyn Fn(&str) -> Vec<String>,
    services: &[FoundService<'_>],
    root_in_project: Option<&str>,
    systems: &[System],
) -> Ownership {
    let mut used: BTreeSet<(usize, usize)> = BTreeSet::new();
    let claims = |r: &AssetRef, path: &str, sha: &str| match in_project(root_in_project, path) {
        Some(p) => r.claims(&p, sha),
        None => r.claims_digest(sha),
    };
    let mut assets: Vec<Owned> = found
        .iter()
        .map(|a| {
            let mut owners = Vec::new();
            if a.part_of.is_none() {
                let inside = members(a.path);
                for (si, s) in systems.iter().enumerate() {
                    for (ri, r) in s.assets.iter().enumerate() {
                        // Members are matched by path; their digests are not the directory's.
                        if claims(r, a.path, a.sha256) || inside.iter().any(|m| !r.is_digest() && claims(r, m, "")) {
                            used.insert((si, ri));
                            if !owners.contains(&s.name) {
                                owners.push(s.name.clone());
                            }
                        }
                    }
                }
            }
            Owned { path: a.path.to_string(), systems: owners, part_of: a.part_of.map(str::to_string) }
        })
        .collect();
    assets.sort_by(|a, b| a.path.cmp(&b.path));
    let mut used_services: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut shadow_services = Vec::new();
    for f in services {
        let mut found = false;
        for (si, s) in systems.iter().enumerate() {
            for (pi, p) in s.services.iter().enumerate() {
                if declares(p, f.provider, f.hosts) {
                    used_services.insert((si, pi));
                    found = true;
                }
            }
        }
        if !found {
            shadow_services.push(f.provider.to_string());
        }
    }
    let mut missing = Vec::new();
    for (si, s) in systems.iter().enumerate() {
        for (ri, r) in s.assets.iter().enumerate() {
            if !used.contains(&(si, ri)) {
                missing.push(Missing { system: s.name.clone(), entry: r.as_str().to_string(), service: false });
            }
        }
        for (pi, p) in s.services.iter().enumerate() {
            if !used_services.contains(&(si, pi)) {
                missing.push(Missing { system: s.name.clone(), entry: p.clone(), service: true });
            }
        }
    }
    Ownership { root_in_project: root_in_project.map(str::to_string), assets, shadow_services, missing }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> AssetRef {
        AssetRef::parse(s).expect("valid")
    }

    #[test]
    fn one_glob_engine() {
        assert!(r("fraud-scoring/data/**").claims("fraud-scoring/data/t.jsonl", ""));
        assert!(r("./data/*.jsonl").claims("data/t.jsonl", ""));
        assert!(!r("data/*.jsonl").claims("data/x/t.jsonl", ""), "* does not cross /");
        assert!(r("data/**/*.jsonl").claims("data/x/t.jsonl", ""), "** does");
        assert!(r("**").claims("a/b", ""));
        assert!(r("models/base").claims("models/base/model.safetensors", ""), "a named directory claims its files");
        assert!(!r("models/**").claims("data/t.jsonl", ""));
        assert!(!r("models/ba").claims("models/base", ""));
        assert!(!r("models/*").claims("models/base/x.gguf", ""), "* does not claim what is inside a directory");
        assert!(r("data/*.jsonl").claims("data/é.jsonl", ""));
        assert!(r("data/*.jsonl").claims("data/日本.jsonl", ""));
        assert!(r("data/??.jsonl").claims("data/é.jsonl", ""), "globset: ? is one byte of UTF-8");
    }

    #[test]
    fn digests_ignore_case_and_must_be_whole() {
        let hex = "ab".repeat(32);
        assert!(r(&format!("sha256:{}", hex.to_uppercase())).claims("anything", &hex));
        assert!(r(&format!("sha256:{hex}")).claims("anything", &hex.to_uppercase()));
        assert!(!r(&format!("sha256:{hex}")).claims(&format!("sha256:{hex}"), "00"));
        assert!(AssetRef::parse("sha256:abc").is_err());
        assert!(AssetRef::parse("sha256:").is_err());
    }

    #[test]
    fn invalid_globs_are_refused() {
        for bad in ["data/[.jsonl", "", "./", "/abs/**", "{a,b"] {
            assert!(AssetRef::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rebasing_onto_the_project_root() {
        assert_eq!(in_project(Some(""), "a/b").as_deref(), Some("a/b"));
        assert_eq!(in_project(Some("app"), "models/m.gguf").as_deref(), Some("app/models/m.gguf"));
        assert_eq!(in_project(Some("app"), ".").as_deref(), Some("app"));
        assert_eq!(in_project(None, "a"), None);
    }

    fn system(name: &str, assets: &[&str], services: &[&str]) -> System {
        System {
            name: name.into(),
            assets: assets.iter().map(|a| r(a)).collect(),
            services: services.iter().map(|s| s.to_string()).collect(),
            ..System::default()
        }
    }

    #[test]
    fn reconciles_directories_members_services_and_subdirectories() {
        let cc = "cc".repeat(32);
        let found = [
            Found { path: "models/base", sha256: "d1", part_of: None },
            Found { path: "models/base/w.safetensors", sha256: "d2", part_of: Some("models/base") },
            Found { path: "models/b.gguf", sha256: "bb", part_of: None },
            Found { path: "x/c.onnx", sha256: &cc, part_of: None },
        ];
        let members = |p: &str| {
            if p == "models/base" { vec!["models/base/config.json".to_string()] } else { Vec::new() }
        };
        let systems = [
            system("s1", &["app/models/base/*.json", "app/gone/**"], &["openai"]),
            system("s2", &[&format!("sha256:{}", cc.to_uppercase())], &[]),
        ];
        let hosts = vec!["api.openai.com".to_string()];
        let services =
            [FoundService { provider: "openai", hosts: &hosts }, FoundService { provider: "anthropic", hosts: &[] }];
        let o = reconcile(&found, &members, &services, Some("app"), &systems);
        assert_eq!(o.systems_of("models/base"), ["s1"]);
        assert!(o.systems_of("models/base/w.safetensors").is_empty());
        assert_eq!(o.owners_of("models/base/w.safetensors"), ["s1"]);
        assert_eq!(o.systems_of("x/c.onnx"), ["s2"]);
        assert_eq!(o.shadow_assets().collect::<Vec<_>>(), ["models/b.gguf"]);
        assert_eq!(o.shadow_services, ["anthropic"]);
        assert_eq!(o.missing, [Missing { system: "s1".into(), entry: "app/gone/**".into(), service: false }]);
        // Scanned from outside the project, only digests claim.
        let o = reconcile(&found, &members, &services, None, &systems);
        assert!(o.systems_of("models/base").is_empty());
        assert_eq!(o.systems_of("x/c.onnx"), ["s2"]);
    }
}

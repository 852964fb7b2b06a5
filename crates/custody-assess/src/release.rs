//! Release versioning and refusals (`custody release`, and the release part of `custody gate`),
//! pure over facts the binary gathers once.
//!
//! A system's version is the set of asset digests it ships: its top-level assets in the latest
//! scan, as the scan's ownership says. A changed (or new) model or dataset makes a new major
//! version, any other change a minor one, no change keeps the number. A release is refused
//! without a clean scan of what ships (no critical or high finding), a successful `custody
//! verify` of every model component logged after the scan, a security evaluation of that version,
//! and, for a major version, a notice to its users.

use crate::input::AssetFact;
use custody_core::{Finding, IntegrityKind, Outcome, Severity};
use std::fmt;
use std::path::Path;

/// An integrity event as the audit log ordered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedIntegrity {
    /// The audit entry that logged it.
    pub seq: u64,
    pub kind: IntegrityKind,
    /// The model path as the command was given it (absolute, or relative to the scan root).
    pub subject: String,
    pub outcome: Outcome,
}

/// An asset as a release record lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasedAsset {
    pub path: String,
    pub sha256: String,
    pub kind: String,
}

/// A recorded release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Release {
    /// The record id: the latest release of a system has the highest.
    pub id: i64,
    pub system: String,
    /// `MAJOR.MINOR`, as recorded.
    pub version: Option<String>,
    /// The version digest ([`version_digest`]) of what it shipped.
    pub digest: Option<String>,
    pub assets: Vec<ReleasedAsset>,
}

/// What the audit log and the records say about releases, gathered once for every system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseLog {
    /// The latest audit entry that logged the scan (or a repeat of it); `None`: no entry did,
    /// and no verification counts as after it.
    pub scan_seq: Option<u64>,
    pub integrity: Vec<LoggedIntegrity>,
    pub releases: Vec<Release>,
}

impl ReleaseLog {
    /// The system's latest release.
    pub fn previous(&self, system: &str) -> Option<&Release> {
        self.releases.iter().filter(|r| r.system == system).max_by_key(|r| r.id)
    }

    /// A successful verification of the model at `path` (relative to `root`) logged after the
    /// scan. Order comes from the audit log, not from clocks.
    pub fn verified_since_scan(&self, root: &str, path: &str) -> bool {
        let Some(scan_seq) = self.scan_seq else { return false };
        let abs = Path::new(root).join(path);
        self.integrity.iter().any(|e| {
            e.seq > scan_seq
                && e.kind == IntegrityKind::Verify
                && e.outcome == Outcome::Ok
                && (Path::new(&e.subject) == abs || e.subject == path)
        })
    }
}

/// The latest scan, as the release rules read it.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseFacts<'a> {
    /// The scan root (absolute).
    pub root: &'a str,
    /// Every asset of the scan, with the systems that claim it and the directory it is part of.
    pub assets: &'a [AssetFact],
    pub findings: &'a [Finding],
    pub log: &'a ReleaseLog,
}

/// What a release asks for besides the facts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// A security evaluation report is given.
    pub evaluated: bool,
    /// The notice to users, if any.
    pub notice: Option<&'a str>,
}

/// Why a release is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A critical or high finding on (or inside) a shipped asset.
    Finding(Finding),
    /// A model component without a successful `custody verify` since the latest scan.
    Unverified { path: String },
    /// No security evaluation of this version.
    NoEvaluation { version: String },
    /// A major version without a notice to its users.
    NoNotice { version: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Finding(x) => write!(f, "{} {} on {}: {}", x.severity, x.code, x.location, x.message),
            Refusal::Unverified { path } => {
                write!(f, "{path} has no successful `custody verify` since the latest scan")
            }
            Refusal::NoEvaluation { version } => {
                write!(f, "no security evaluation given for version {version} (--evaluation REPORT)")
            }
            Refusal::NoNotice { version } => {
                write!(f, "version {version} changes a model or dataset: give the user notice with --notice")
            }
        }
    }
}

/// The system ships nothing the latest scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingShipped {
    pub system: String,
}

impl fmt::Display for NothingShipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "system `{}` registers no asset the latest scan found", self.system)
    }
}

impl std::error::Error for NothingShipped {}

/// What releasing a system now would ship, its version, and why it would be refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// `MAJOR.MINOR`.
    pub number: String,
    pub digest: String,
    /// A changed or new model or dataset (or a first release).
    pub major: bool,
    pub previous_digest: Option<String>,
    pub previous_version: Option<String>,
    pub shipped: Vec<AssetFact>,
    pub refusals: Vec<Refusal>,
}

/// The system's top-level assets (directory assets stand for their files).
pub fn shipped<'a>(assets: &'a [AssetFact], system: &str) -> impl Iterator<Item = &'a AssetFact> {
    assets.iter().filter(move |a| a.part_of.is_none() && a.systems.iter().any(|s| s == system))
}

/// The version digest: SHA-256 over the sorted `<sha256>  <path>` lines of what ships.
pub fn version_digest<'a>(assets: impl IntoIterator<Item = &'a AssetFact>) -> String {
    use sha2::{Digest, Sha256};
    let mut lines: Vec<String> = assets.into_iter().map(|a| format!("{}  {}", a.sha256, a.path)).collect();
    lines.sort();
    custody_core::hex::encode(&Sha256::digest(lines.join("\n").as_bytes()))
}

/// `(major, minor)` of a recorded version; what does not parse counts as 0.
fn parse_version(v: Option<&str>) -> (u64, u64) {
    v.and_then(|v| v.split_once('.'))
        .map(|(x, y)| (x.parse::<u64>().unwrap_or(0), y.parse::<u64>().unwrap_or(0)))
        .unwrap_or((0, 0))
}

/// Releasing `system` now: its version and every reason it would be refused.
pub fn candidate(facts: &ReleaseFacts<'_>, system: &str, request: Request<'_>) -> Result<Candidate, NothingShipped> {
    let shipped: Vec<&AssetFact> = shipped(facts.assets, system).collect();
    if shipped.is_empty() {
        return Err(NothingShipped { system: system.to_string() });
    }
    let digest = version_digest(shipped.iter().copied());
    let previous = facts.log.previous(system);
    let prev_assets: &[ReleasedAsset] = previous.map_or(&[], |r| r.assets.as_slice());
    // A changed (or new) model or dataset makes a major version; other changes a minor one.
    let major = previous.is_none()
        || shipped.iter().any(|s| {
            (s.is_model() || s.is_dataset()) && !prev_assets.iter().any(|p| p.path == s.path && p.sha256 == s.sha256)
        });
    let previous_digest = previous.and_then(|r| r.digest.clone());
    let previous_version = previous.and_then(|r| r.version.clone());
    let (prev_major, prev_minor) = parse_version(previous_version.as_deref());
    let number = if previous_digest.as_deref() == Some(digest.as_str()) {
        format!("{prev_major}.{prev_minor}")
    } else if major {
        format!("{}.0", prev_major + 1)
    } else {
        format!("{prev_major}.{}", prev_minor + 1)
    };

    let mut refusals = Vec::new();
    // 1. A clean scan: no critical or high finding on what ships.
    for f in facts.findings.iter().filter(|f| f.severity >= Severity::High) {
        if shipped.iter().any(|s| f.location.path == s.path || f.location.path.starts_with(&format!("{}/", s.path))) {
            refusals.push(Refusal::Finding(f.clone()));
        }
    }
    // 2. Every model component signed and verified at its current content.
    for m in shipped.iter().filter(|s| s.is_model()) {
        if !facts.log.verified_since_scan(facts.root, &m.path) {
            refusals.push(Refusal::Unverified { path: m.path.clone() });
        }
    }
    // 3. A security evaluation of this exact version.
    if !request.evaluated {
        refusals.push(Refusal::NoEvaluation { version: number.clone() });
    }
    // 4. Users are told in advance about a new major version.
    if major && request.notice.is_none_or(|n| n.trim().is_empty()) {
        refusals.push(Refusal::NoNotice { version: number.clone() });
    }
    Ok(Candidate {
        number,
        digest,
        major,
        previous_digest,
        previous_version,
        shipped: shipped.into_iter().cloned().collect(),
        refusals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_core::Location;

    const ROOT: &str = "/proj";

    fn asset(path: &str, sha: &str, kind: &str, system: &str) -> AssetFact {
        AssetFact {
            path: path.into(),
            kind: custody_core::AssetKind::parse(kind).expect("kind"),
            sha256: sha.into(),
            systems: vec![system.into()],
            ..AssetFact::default()
        }
    }

    fn assets() -> Vec<AssetFact> {
        vec![
            asset("models/m.safetensors", "aa", "model", "bot"),
            asset("prompts/p.txt", "bb", "prompt", "bot"),
            asset("other/x.gguf", "cc", "model", "other"),
            AssetFact { part_of: Some("models".into()), ..asset("models/dir/w.bin", "dd", "model", "bot") },
        ]
    }

    fn verify(seq: u64, subject: &str, outcome: Outcome) -> LoggedIntegrity {
        LoggedIntegrity { seq, kind: IntegrityKind::Verify, subject: subject.into(), outcome }
    }

    /// A log where the scan was entry 10 and the bot's model was verified after it.
    fn log() -> ReleaseLog {
        ReleaseLog {
            scan_seq: Some(10),
            integrity: vec![verify(11, "models/m.safetensors", Outcome::Ok)],
            releases: Vec::new(),
        }
    }

    fn released(id: i64, version: &str, of: &[AssetFact]) -> Release {
        let of: Vec<&AssetFact> = shipped(of, "bot").collect();
        Release {
            id,
            system: "bot".into(),
            version: Some(version.into()),
            digest: Some(version_digest(of.iter().copied())),
            assets: of
                .iter()
                .map(|a| ReleasedAsset {
                    path: a.path.clone(),
                    sha256: a.sha256.clone(),
                    kind: a.kind.as_str().to_string(),
                })
                .collect(),
        }
    }

    fn run(assets: &[AssetFact], findings: &[Finding], log: &ReleaseLog, request: Request<'_>) -> Candidate {
        let facts = ReleaseFacts { root: ROOT, assets, findings, log };
        candidate(&facts, "bot", request).expect("bot ships assets")
    }

    const FULL: Request<'static> = Request { evaluated: true, notice: Some("new model") };

    #[test]
    fn ships_top_level_assets_of_the_system_only() {
        let a = assets();
        let paths: Vec<&str> = shipped(&a, "bot").map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["models/m.safetensors", "prompts/p.txt"]);
    }

    #[test]
    fn nothing_shipped_is_an_error() {
        let a = assets();
        let log = log();
        let facts = ReleaseFacts { root: ROOT, assets: &a, findings: &[], log: &log };
        let err = candidate(&facts, "nobody", FULL).expect_err("nothing shipped");
        assert_eq!(err.to_string(), "system `nobody` registers no asset the latest scan found");
    }

    #[test]
    fn version_digest_ignores_order_and_sees_content() {
        let a = assets();
        let d = version_digest(&a[..2]);
        assert_eq!(d, version_digest([&a[1], &a[0]]));
        assert_eq!(d.len(), 64);
        let mut changed = a.clone();
        changed[0].sha256 = "ee".into();
        assert_ne!(d, version_digest(&changed[..2]));
    }

    #[test]
    fn first_release_is_major_1_0_and_clean_when_everything_is_given() {
        let c = run(&assets(), &[], &log(), FULL);
        assert_eq!((c.number.as_str(), c.major), ("1.0", true));
        assert_eq!((c.previous_digest, c.previous_version), (None, None));
        assert_eq!(c.shipped.len(), 2);
        assert_eq!(c.refusals, []);
    }

    #[test]
    fn unchanged_assets_keep_the_version_number() {
        let a = assets();
        let mut log = log();
        log.releases = vec![released(1, "1.0", &a), released(5, "2.3", &a)];
        let c = run(&a, &[], &log, Request { evaluated: true, notice: None });
        assert_eq!((c.number.as_str(), c.major), ("2.3", false));
        assert_eq!(c.previous_version.as_deref(), Some("2.3"));
        assert_eq!(c.previous_digest.as_deref(), Some(c.digest.as_str()));
        assert_eq!(c.refusals, []);
    }

    #[test]
    fn a_changed_model_or_dataset_makes_a_major_version() {
        let before = assets();
        let mut log = log();
        log.releases = vec![released(1, "1.4", &before)];
        for kind in ["model", "adapter", "dataset"] {
            let mut after = before.clone();
            after[0].kind = custody_core::AssetKind::parse(kind).expect("kind");
            after[0].sha256 = "ff".into();
            let c = run(&after, &[], &log, FULL);
            assert_eq!((c.number.as_str(), c.major), ("2.0", true), "{kind}");
        }
    }

    #[test]
    fn another_change_makes_a_minor_version() {
        let before = assets();
        let mut log = log();
        log.releases = vec![released(1, "1.4", &before)];
        let mut after = before.clone();
        after[1].sha256 = "ff".into();
        let c = run(&after, &[], &log, Request { evaluated: true, notice: None });
        assert_eq!((c.number.as_str(), c.major), ("1.5", false));
        assert_eq!(c.refusals, [], "a minor version needs no notice");
    }

    #[test]
    fn the_latest_release_of_the_system_counts() {
        let a = assets();
        let mut log = log();
        let mut other = released(9, "7.0", &a);
        other.system = "other".into();
        log.releases = vec![released(3, "1.1", &a), released(2, "4.0", &[]), other];
        assert_eq!(log.previous("bot").map(|r| r.id), Some(3));
        assert_eq!(run(&a, &[], &log, FULL).number, "1.1");
    }

    #[test]
    fn an_unreadable_previous_version_counts_as_0_0() {
        let before = assets();
        let mut log = log();
        let mut prev = released(1, "banana", &before);
        prev.digest = None;
        log.releases = vec![prev];
        let c = run(&before, &[], &log, FULL);
        assert_eq!((c.number.as_str(), c.major), ("0.1", false));
    }

    #[test]
    fn a_high_finding_on_or_inside_a_shipped_asset_refuses() {
        let mut a = assets();
        a[0].path = "models".into();
        let mut log = log();
        log.integrity = vec![verify(11, "models", Outcome::Ok)];
        let f = |sev, path: &str| {
            Finding::new(custody_scan::RULES.get("CUS-PKL-001").expect("registered"), "bad", Location::file(path))
                .with_severity(sev)
        };
        let findings = [
            f(Severity::Critical, "models/w.bin"),
            f(Severity::High, "prompts/p.txt"),
            f(Severity::Medium, "models/w.bin"),
            f(Severity::High, "modelsx/w.bin"),
            f(Severity::Critical, "other/x.gguf"),
        ];
        let c = run(&a, &findings, &log, FULL);
        assert_eq!(c.refusals, [Refusal::Finding(findings[0].clone()), Refusal::Finding(findings[1].clone())]);
        assert_eq!(c.refusals[0].to_string(), format!("critical CUS-PKL-001 on {}: bad", findings[0].location));
    }

    #[test]
    fn a_model_needs_a_successful_verify_after_the_scan() {
        let a = assets();
        let unverified = vec![Refusal::Unverified { path: "models/m.safetensors".into() }];
        for (why, integrity, scan_seq) in [
            ("none", vec![], Some(10)),
            ("before the scan", vec![verify(9, "models/m.safetensors", Outcome::Ok)], Some(10)),
            ("failed", vec![verify(11, "models/m.safetensors", Outcome::Failed)], Some(10)),
            ("another file", vec![verify(11, "models/other.safetensors", Outcome::Ok)], Some(10)),
            ("scan not logged", vec![verify(11, "models/m.safetensors", Outcome::Ok)], None),
            (
                "a signature, not a verification",
                vec![LoggedIntegrity {
                    seq: 11,
                    kind: IntegrityKind::Sign,
                    subject: "models/m.safetensors".into(),
                    outcome: Outcome::Ok,
                }],
                Some(10),
            ),
        ] {
            let log = ReleaseLog { scan_seq, integrity, releases: Vec::new() };
            assert_eq!(run(&a, &[], &log, FULL).refusals, unverified, "{why}");
        }
        let by_absolute =
            ReleaseLog { integrity: vec![verify(11, "/proj/models/m.safetensors", Outcome::Ok)], ..log() };
        assert_eq!(run(&a, &[], &by_absolute, FULL).refusals, []);
        assert_eq!(
            unverified[0].to_string(),
            "models/m.safetensors has no successful `custody verify` since the latest scan"
        );
    }

    #[test]
    fn no_evaluation_refuses() {
        let c = run(&assets(), &[], &log(), Request { evaluated: false, notice: Some("n") });
        assert_eq!(c.refusals, [Refusal::NoEvaluation { version: "1.0".into() }]);
        assert_eq!(c.refusals[0].to_string(), "no security evaluation given for version 1.0 (--evaluation REPORT)");
    }

    #[test]
    fn a_major_version_needs_a_notice() {
        for notice in [None, Some(""), Some("  \n")] {
            let c = run(&assets(), &[], &log(), Request { evaluated: true, notice });
            assert_eq!(c.refusals, [Refusal::NoNotice { version: "1.0".into() }], "{notice:?}");
        }
        assert_eq!(
            Refusal::NoNotice { version: "2.0".into() }.to_string(),
            "version 2.0 changes a model or dataset: give the user notice with --notice"
        );
    }
}

//! What an assessment looks at: plain data the binary gathers from the store, custody.toml and
//! the scanned tree. Nothing here reads anything; every field is a fact someone recorded.

use custody_core::records::{Approval, Dataset, Evidence, Training};
use custody_core::{AssetRef, Exposure, Finding, Role};
use serde::{Deserialize, Serialize};

/// Everything [`crate::assess`] needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssessInput {
    pub organisation: String,
    /// The roles the organisation declares.
    pub roles: Vec<Role>,
    pub systems: Vec<SystemFacts>,
    /// The latest scan, if any.
    pub scan: Option<ScanFacts>,
    pub datasets: Vec<Recorded<Dataset>>,
    pub approvals: Vec<Recorded<Approval>>,
    pub evidence: Vec<Recorded<Evidence>>,
    pub training: Vec<Recorded<Training>>,
    pub integrity: IntegrityFacts,
    pub audit: AuditFacts,
    /// Vulnerability disclosure policies found in the scanned tree (SECURITY.md, security.txt).
    pub disclosure: Vec<FileFact>,
    /// Poorly documented third-party components and whether each carries a justification.
    #[serde(default)]
    pub components: Vec<ComponentFact>,
    /// Threats derived per system (`custody threats`) and their treatment state.
    #[serde(default)]
    pub threats: Vec<ThreatFact>,
}

/// A component that needs a written justification (5.2.3-2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentFact {
    pub component: String,
    pub reasons: Vec<String>,
    /// The justification record, when there is one.
    pub record: Option<i64>,
}

/// A threat that applies to a system, and its treatment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreatFact {
    pub system: String,
    pub threat: String,
    /// Treated, stale (the system changed since the treatment was recorded) or untreated.
    pub state: crate::threats::ThreatState,
    pub record: Option<i64>,
}

/// How old evidence may be before it no longer counts as current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// A scan older than this (days) is stale: automatic evidence from it downgrades met → partial.
    pub max_scan_age_days: u32,
    /// Attested evidence, signatures and training completions older than this (days) are stale.
    pub max_evidence_age_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { max_scan_age_days: 7, max_evidence_age_days: 365 }
    }
}

/// A declared AI system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemFacts {
    pub name: String,
    pub exposure: Exposure,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub intended_use: String,
    /// Registration globs (relative to custody.toml) or `sha256:<hex>`, as custody.toml parsed
    /// them.
    #[serde(default)]
    pub assets: Vec<AssetRef>,
    #[serde(default)]
    pub services: Vec<String>,
}

impl SystemFacts {
    /// Does the system claim the asset at `path` (relative to the project root) with `digest`?
    /// The same answer as [`custody_core::System::claims`].
    pub fn claims(&self, path: &str, digest: &str) -> bool {
        custody_core::ownership::any_claims(&self.assets, path, digest)
    }
}

/// The latest scan: what was found, where, and which systems claim it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanFacts {
    pub id: i64,
    pub root: String,
    pub started_at: String,
    /// Audit entry that logged the scan.
    pub audit_seq: Option<u64>,
    /// Every asset, directory assets and their member files (members have `part_of`).
    pub assets: Vec<AssetFact>,
    pub findings: Vec<Finding>,
    pub services: Vec<ServiceFact>,
    /// Libraries (SDKs and frameworks) seen in code and manifests.
    pub libraries: Vec<LibraryFact>,
    /// Top-level asset paths no system registers.
    pub shadow_assets: Vec<String>,
    /// Providers used in code that no system registers.
    pub shadow_services: Vec<String>,
    /// (system, pattern) declared in custody.toml that matched nothing.
    pub missing: Vec<(String, String)>,
    pub edges: Vec<EdgeFact>,
}

impl ScanFacts {
    /// Top-level assets (not members of a directory asset).
    pub fn top_assets(&self) -> impl Iterator<Item = &AssetFact> {
        self.assets.iter().filter(|a| a.part_of.is_none())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssetFact {
    pub path: String,
    pub kind: custody_core::AssetKind,
    pub format: String,
    pub size: u64,
    pub sha256: String,
    #[serde(default)]
    pub meta: serde_json::Value,
    /// The directory asset this file belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_of: Option<String>,
    /// Systems that register it.
    #[serde(default)]
    pub systems: Vec<String>,
}

impl AssetFact {
    pub fn is_model(&self) -> bool {
        matches!(self.kind, custody_core::AssetKind::Model | custody_core::AssetKind::Adapter)
    }
    pub fn is_dataset(&self) -> bool {
        self.kind == custody_core::AssetKind::Dataset
    }
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.get(key).and_then(serde_json::Value::as_str)
    }
}

/// An external AI service used in code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceFact {
    pub provider: String,
    pub hosts: Vec<String>,
    pub models: Vec<String>,
    pub packages: Vec<String>,
    /// (path, line) of each use.
    pub occurrences: Vec<(String, u32)>,
    pub systems: Vec<String>,
}

/// A library seen in code or a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryFact {
    pub name: String,
    /// `pypi`, `npm`, `maven`, `golang`, `cargo`, `nuget`, or `generic`.
    pub ecosystem: String,
    pub provider: Option<String>,
    pub occurrences: Vec<(String, u32)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EdgeFact {
    pub source: String,
    pub target: String,
    pub kind: String,
}

/// A record as stored, with where it sits in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded<T> {
    pub id: i64,
    pub key: String,
    pub at: String,
    pub actor: String,
    pub role: Option<custody_core::Role>,
    pub audit_seq: u64,
    pub record: T,
}

/// Signatures, verifications, snapshots and restores as the store recorded them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityFacts {
    pub events: Vec<IntegrityEvent>,
    pub snapshots: Vec<SnapshotFact>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityEvent {
    pub kind: custody_core::IntegrityKind,
    /// The model path, relative to the scan root when it lies under it.
    pub subject: String,
    pub outcome: custody_core::Outcome,
    pub at: String,
    pub root_digest: Option<String>,
    pub snapshot: Option<String>,
}

impl IntegrityEvent {
    pub fn ok(&self) -> bool {
        self.outcome == custody_core::Outcome::Ok
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotFact {
    pub name: String,
    pub created_at: String,
    /// Where the model was, relative to the scan root when it lies under it.
    pub source: String,
    pub root_digest: String,
    pub files: u64,
    pub total_bytes: u64,
}

/// What `custody audit verify` says about the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFacts {
    /// False when the store has no audit log (no key yet).
    pub available: bool,
    /// Every check passed.
    pub ok: bool,
    pub problems: Vec<String>,
    pub entries: u64,
    pub checkpoints: u64,
    /// Entries that logged custody.toml changes.
    pub config_entries: Vec<u64>,
}

/// A file found in the scanned tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFact {
    pub path: String,
    pub sha256: String,
}

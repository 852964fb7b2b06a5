//! What an assessment answers: per applicable provision a status, the evidence behind it and
//! what would close the gap; totals per role, principle and system.

use custody_core::applicability::Reason;
use custody_core::{Modality, Phase, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The state of one provision. Ordered from worst to best, so `min` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Gap,
    Partial,
    Met,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Gap, Status::Partial, Status::Met, Status::NotApplicable];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Partial => "partial",
            Status::Gap => "gap",
            Status::NotApplicable => "not-applicable",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::Partial => "Partial",
            Status::Gap => "Gap",
            Status::NotApplicable => "Not applicable",
        }
    }
    /// Worse of two statuses, `NotApplicable` counting as best.
    pub fn worst(self, other: Status) -> Status {
        self.min(other)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a status was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// From facts custody holds (scans, signatures, snapshots, records, the audit log).
    Automatic,
    /// From evidence people attached (`custody evidence add`).
    Attested,
    /// Nothing found either way.
    None,
}

/// One piece of evidence behind (or against) a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// `scan`, `asset`, `finding`, `audit-log`, `audit-entry`, `record`, `file`, `url`,
    /// `signature`, `snapshot`, `config`.
    pub kind: String,
    /// What it is: a path, a record key, `scan 3`, `entry 12`.
    pub reference: String,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<u64>,
    /// True when this evidence counts against the provision.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub against: bool,
}

impl EvidenceItem {
    pub fn new(kind: &str, reference: impl Into<String>, detail: impl Into<String>) -> EvidenceItem {
        EvidenceItem {
            kind: kind.into(),
            reference: reference.into(),
            detail: detail.into(),
            sha256: None,
            at: None,
            audit_seq: None,
            against: false,
        }
    }
    pub fn sha(mut self, s: &str) -> Self {
        self.sha256 = Some(s.to_string());
        self
    }
    pub fn at(mut self, t: &str) -> Self {
        self.at = Some(t.to_string());
        self
    }
    pub fn seq(mut self, s: u64) -> Self {
        self.audit_seq = Some(s);
        self
    }
    pub fn against(mut self) -> Self {
        self.against = true;
        self
    }
}

/// A system's own status for a provision whose rule looks at each system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStatus {
    pub status: Status,
    pub detail: String,
}

/// One applicable provision, assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvisionResult {
    pub id: String,
    pub principle: u8,
    pub phase: Phase,
    pub modality: Modality,
    pub summary: String,
    /// Held roles that bring it; empty for organisation-wide provisions.
    pub roles: Vec<Role>,
    pub reasons: Vec<Reason>,
    pub status: Status,
    pub basis: Basis,
    /// Why this status, in words.
    pub rationale: String,
    pub evidence: Vec<EvidenceItem>,
    /// What would close the gap: the command to run or the record to add. None when met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close: Option<String>,
    /// Per-system status, for provisions whose rule looks at each system.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub systems: BTreeMap<String, SystemStatus>,
    /// True when custody decides this provision from its own facts.
    pub automated: bool,
}

impl ProvisionResult {
    /// The status for one system: its own when the rule looks at systems, else the overall one.
    pub fn status_for(&self, system: &str) -> Status {
        self.systems.get(system).map_or(self.status, |s| s.status)
    }
    pub fn is_shall_gap(&self) -> bool {
        self.modality == Modality::Shall && self.status == Status::Gap
    }
}

/// Counts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub applicable: usize,
    pub met: usize,
    pub partial: usize,
    pub gap: usize,
    pub not_applicable: usize,
    pub shall_gaps: usize,
}

impl Totals {
    pub fn add(&mut self, status: Status, modality: Modality) {
        self.applicable += 1;
        match status {
            Status::Met => self.met += 1,
            Status::Partial => self.partial += 1,
            Status::Gap => {
                self.gap += 1;
                if modality == Modality::Shall {
                    self.shall_gaps += 1;
                }
            }
            Status::NotApplicable => self.not_applicable += 1,
        }
    }
    pub fn count(&self, s: Status) -> usize {
        match s {
            Status::Met => self.met,
            Status::Partial => self.partial,
            Status::Gap => self.gap,
            Status::NotApplicable => self.not_applicable,
        }
    }
    /// Share met (partial counts half) of the provisions that apply, 0–100.
    pub fn progress(&self) -> u32 {
        let base = self.applicable - self.not_applicable;
        if base == 0 {
            return 100;
        }
        ((self.met * 200 + self.partial * 100) / (base * 2)) as u32
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleView {
    /// None: organisation-wide provisions.
    pub role: Option<Role>,
    pub title: String,
    pub totals: Totals,
    /// Provision ids, catalogue order.
    pub provisions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipleView {
    pub number: u8,
    pub clause: String,
    pub title: String,
    pub phase: Phase,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemView {
    pub name: String,
    pub exposure: String,
    pub totals: Totals,
    /// Provisions where this system's status differs from the overall one or is its own.
    pub own: Vec<(String, SystemStatus)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSummary {
    pub id: i64,
    pub root: String,
    pub started_at: String,
    pub age_days: Option<i64>,
    pub stale: bool,
    pub assets: usize,
    pub findings: usize,
    pub shadow: usize,
}

/// The answer: for the roles held, which provisions are met, by what evidence, what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub schema: String,
    pub standard: String,
    pub organisation: String,
    pub roles: Vec<Role>,
    pub assessed_at: String,
    pub scan: Option<ScanSummary>,
    pub audit_ok: bool,
    /// Provisions of the catalogue custody evidences by itself.
    pub automated_provisions: usize,
    /// Provisions that bind none of the roles held (not listed).
    pub not_binding: usize,
    pub totals: Totals,
    pub by_role: Vec<RoleView>,
    pub by_principle: Vec<PrincipleView>,
    pub systems: Vec<SystemView>,
    /// Every applicable provision, catalogue order.
    pub provisions: Vec<ProvisionResult>,
}

impl Assessment {
    pub fn provision(&self, id: &str) -> Option<&ProvisionResult> {
        self.provisions.iter().find(|p| p.id == id)
    }
    /// Gaps and partials, shall before should, gaps before partials, then catalogue order.
    pub fn open_items(&self) -> Vec<&ProvisionResult> {
        let mut v: Vec<&ProvisionResult> =
            self.provisions.iter().filter(|p| matches!(p.status, Status::Gap | Status::Partial)).collect();
        v.sort_by_key(|p| (p.modality, p.status));
        v
    }
}

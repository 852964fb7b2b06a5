//! The ETSI EN 304 223 provision catalogue, in our own words, embedded at build time from
//! `catalog/provisions.toml` at the workspace root.

use crate::role::Party;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

/// The catalogue source, compiled into every binary.
pub const CATALOG_TOML: &str = include_str!("../../../catalog/provisions.toml");

/// Lifecycle phase of a principle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Design,
    Development,
    Deployment,
    Maintenance,
    EndOfLife,
}

impl Phase {
    pub const ALL: [Phase; 5] =
        [Phase::Design, Phase::Development, Phase::Deployment, Phase::Maintenance, Phase::EndOfLife];
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Design => "design",
            Phase::Development => "development",
            Phase::Deployment => "deployment",
            Phase::Maintenance => "maintenance",
            Phase::EndOfLife => "end-of-life",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Phase::Design => "Secure design",
            Phase::Development => "Secure development",
            Phase::Deployment => "Secure deployment",
            Phase::Maintenance => "Secure maintenance",
            Phase::EndOfLife => "Secure end of life",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a provision is required (`shall`) or recommended (`should`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    Shall,
    Should,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Shall => "shall",
            Modality::Should => "should",
        }
    }
}

impl fmt::Display for Modality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kinds of artefact that can evidence a provision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Document,
    Record,
    Log,
    Config,
    Hash,
    TestReport,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Document => "document",
            EvidenceKind::Record => "record",
            EvidenceKind::Log => "log",
            EvidenceKind::Config => "config",
            EvidenceKind::Hash => "hash",
            EvidenceKind::TestReport => "test-report",
        }
    }
}

/// A custody capability that can produce evidence for a provision by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    Inventory,
    ModelScan,
    Signing,
    Snapshot,
    Provenance,
    Approval,
    Justification,
    ThreatModel,
    ReleaseGate,
    AuditLog,
    Training,
    Disposal,
    Gateway,
    Monitoring,
    Report,
}

/// A provision id such as `5.2.4-1.2`: clause `5.2.4`, provision `1`, sub-provision `2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProvisionId {
    text: String,
    clause: [u8; 3],
    number: u16,
    sub: Option<u16>,
}

impl ProvisionId {
    /// Parses `5.P.Q-n` or `5.P.Q-n.m` (all parts positive decimal numbers, no leading zeros).
    pub fn parse(s: &str) -> Result<ProvisionId, String> {
        let bad = || format!("`{s}` is not a provision id; expected the form 5.P.Q-n or 5.P.Q-n.m, e.g. 5.2.4-1.2");
        let (clause, rest) = s.split_once('-').ok_or_else(bad)?;
        let parts: Vec<&str> = clause.split('.').collect();
        if parts.len() != 3 || parts[0] != "5" {
            return Err(bad());
        }
        let num = |p: &str| -> Result<u16, String> {
            if p.is_empty() || p.len() > 3 || p.starts_with('0') || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<u16>().map_err(|_| bad())
        };
        let p = num(parts[1])?;
        let q = num(parts[2])?;
        if !(1..=9).contains(&p) || !(1..=9).contains(&q) {
            return Err(bad());
        }
        let (number, sub) = match rest.split_once('.') {
            Some((n, m)) => (num(n)?, Some(num(m)?)),
            None => (num(rest)?, None),
        };
        Ok(ProvisionId { text: s.to_string(), clause: [5, p as u8, q as u8], number, sub })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The clause of the principle, e.g. `5.2.4`.
    pub fn clause(&self) -> String {
        let [a, b, c] = self.clause;
        format!("{a}.{b}.{c}")
    }

    pub fn is_sub_provision(&self) -> bool {
        self.sub.is_some()
    }

    /// Sort key in document order.
    pub fn sort_key(&self) -> ([u8; 3], u16, u16) {
        (self.clause, self.number, self.sub.unwrap_or(0))
    }
}

impl TryFrom<String> for ProvisionId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        ProvisionId::parse(&s)
    }
}

impl From<ProvisionId> for String {
    fn from(id: ProvisionId) -> String {
        id.text
    }
}

impl fmt::Display for ProvisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One of the 13 principles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principle {
    pub number: u8,
    pub clause: String,
    pub title: String,
    pub phase: Phase,
    pub summary: String,
}

/// One of the 72 provisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    pub id: ProvisionId,
    /// The equivalent provision of the UK Code of Practice.
    pub uk: String,
    pub modality: Modality,
    /// Parties the provision obliges.
    pub obliged: Vec<Party>,
    /// Parties the provision names as involved or as recipients, without obliging them.
    #[serde(default)]
    pub informed: Vec<Party>,
    pub summary: String,
    pub evidence: Vec<EvidenceKind>,
    #[serde(default)]
    pub evidence_examples: Vec<String>,
    /// Capabilities of custody that produce evidence for this provision automatically.
    #[serde(default)]
    pub automation: Vec<Capability>,
    /// When an obliged party is bound only under a condition, the condition.
    #[serde(default)]
    pub conditions: BTreeMap<Party, String>,
}

impl Provision {
    pub fn obliges(&self, party: Party) -> bool {
        self.obliged.contains(&party)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    version: String,
    #[serde(default)]
    last_modified: Option<String>,
    principle: Vec<Principle>,
    provision: Vec<Provision>,
}

/// The whole catalogue, in document order.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub version: String,
    /// When our rendition of the catalogue last changed (RFC 3339); used as OSCAL last-modified
    /// so catalogue exports are byte-stable.
    pub last_modified: String,
    pub principles: Vec<Principle>,
    pub provisions: Vec<Provision>,
}

/// Filters for listing provisions; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub party: Option<Party>,
    pub phase: Option<Phase>,
    pub principle: Option<u8>,
    pub modality: Option<Modality>,
}

impl Catalog {
    /// The catalogue embedded in this build. The data is checked by this crate's tests, so a
    /// failure here is a build defect, never a property of user input.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            #[allow(clippy::expect_used)]
            Catalog::from_toml(CATALOG_TOML).expect("embedded catalogue is valid (tested)")
        })
    }

    /// Parses and checks a catalogue: ids well formed and unique, every provision's clause is
    /// a principle, principles numbered 1..=n in order, obliged lists non-empty.
    pub fn from_toml(text: &str) -> Result<Catalog, String> {
        let file: CatalogFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (i, p) in file.principle.iter().enumerate() {
            if usize::from(p.number) != i + 1 {
                return Err(format!("principle {} is out of order (expected {})", p.number, i + 1));
            }
        }
        let clauses: BTreeSet<&str> = file.principle.iter().map(|p| p.clause.as_str()).collect();
        if clauses.len() != file.principle.len() {
            return Err("two principles share a clause".into());
        }
        let mut seen = BTreeSet::new();
        let mut last = None;
        for p in &file.provision {
            if !seen.insert(p.id.as_str().to_string()) {
                return Err(format!("duplicate provision id {}", p.id));
            }
            if !clauses.contains(p.id.clause().as_str()) {
                return Err(format!("provision {} has no principle {}", p.id, p.id.clause()));
            }
            if p.obliged.is_empty() {
                return Err(format!("provision {} obliges nobody", p.id));
            }
            if p.summary.trim().is_empty() {
                return Err(format!("provision {} has no summary", p.id));
            }
            for party in p.conditions.keys() {
                if !p.obliges(*party) {
                    return Err(format!("provision {} has a condition for {party}, which it does not oblige", p.id));
                }
            }
            let key = p.id.sort_key();
            if last.is_some_and(|l| l >= key) {
                return Err(format!("provision {} is out of document order", p.id));
            }
            last = Some(key);
        }
        Ok(Catalog {
            version: file.version,
            last_modified: file.last_modified.unwrap_or_else(|| "2026-11-30T00:00:00Z".into()),
            principles: file.principle,
            provisions: file.provision,
        })
    }

    pub fn provision(&self, id: &str) -> Option<&Provision> {
        self.provisions.iter().find(|p| p.id.as_str() == id)
    }

    /// The principle a provision belongs to.
    pub fn principle_of(&self, p: &Provision) -> &Principle {
        let clause = p.id.clause();
        // Checked in `from_toml`: every provision's clause is a principle.
        self.principles.iter().find(|pr| pr.clause == clause).unwrap_or(&self.principles[0])
    }

    pub fn principle(&self, number: u8) -> Option<&Principle> {
        self.principles.iter().find(|p| p.number == number)
    }

    pub fn filter<'a>(&'a self, f: &'a Filter) -> impl Iterator<Item = &'a Provision> + 'a {
        self.provisions.iter().filter(move |p| {
            let pr = self.principle_of(p);
            f.party.is_none_or(|party| p.obliges(party))
                && f.phase.is_none_or(|ph| pr.phase == ph)
                && f.principle.is_none_or(|n| pr.number == n)
                && f.modality.is_none_or(|m| p.modality == m)
        })
    }

    /// Provisions custody can evidence by itself.
    pub fn automated_count(&self) -> usize {
        self.provisions.iter().filter(|p| !p.automation.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(c: &Catalog, party: Party, m: Modality) -> usize {
        c.provisions.iter().filter(|p| p.obliges(party) && p.modality == m).count()
    }

    #[test]
    fn catalogue_has_72_provisions_49_shall_23_should() {
        let c = Catalog::embedded();
        assert_eq!(c.provisions.len(), 72);
        let shall = c.provisions.iter().filter(|p| p.modality == Modality::Shall).count();
        assert_eq!(shall, 49);
        assert_eq!(c.provisions.len() - shall, 23);
        let subs = c.provisions.iter().filter(|p| p.id.is_sub_provision()).count();
        assert_eq!((72 - subs, subs), (51, 21));
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let c = Catalog::embedded();
        let ids: BTreeSet<&str> = c.provisions.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), 72);
        for id in ids {
            let re_ok = {
                let (clause, rest) = id.split_once('-').unwrap_or(("", ""));
                clause.len() == 5
                    && clause.starts_with("5.")
                    && rest.split('.').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            assert!(re_ok, "{id}");
        }
        for bad in ["5.2.4", "5.2.4-", "5.2.4-01", "6.1.1-1", "5.2-1", "5.2.4-1.", "5.2.4-1.2.3", "5.0.1-1", "5.1.1-x"]
        {
            assert!(ProvisionId::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn thirteen_principles_over_five_phases() {
        let c = Catalog::embedded();
        assert_eq!(c.principles.len(), 13);
        let per_phase: Vec<usize> =
            Phase::ALL.iter().map(|ph| c.principles.iter().filter(|p| p.phase == *ph).count()).collect();
        assert_eq!(per_phase, vec![4, 5, 1, 2, 1]);
        // Per principle: provisions (shall, should), as in etsi-catalog.md §2.
        let expected =
            [(4, 1), (8, 1), (5, 2), (1, 4), (6, 1), (5, 1), (6, 0), (3, 3), (2, 4), (4, 1), (2, 2), (1, 3), (2, 0)];
        for (pr, (shall, should)) in c.principles.iter().zip(expected) {
            let f = Filter { principle: Some(pr.number), ..Filter::default() };
            let got: Vec<&Provision> = c.filter(&f).collect();
            let s = got.iter().filter(|p| p.modality == Modality::Shall).count();
            assert_eq!((s, got.len() - s), (shall, should), "principle {}", pr.number);
        }
    }

    #[test]
    fn per_role_counts_match_the_research_note() {
        // etsi-catalog.md §7: provisions whose text obliges the role (shall, should).
        let c = Catalog::embedded();
        let cases = [
            (Party::Developer, 35, 18),
            (Party::SystemOperator, 33, 11),
            (Party::DataCustodian, 6, 0),
            (Party::EndUser, 1, 0),
            (Party::Organisation, 4, 2),
            (Party::AffectedEntity, 0, 0),
        ];
        for (party, shall, should) in cases {
            assert_eq!(
                (count(c, party, Modality::Shall), count(c, party, Modality::Should)),
                (shall, should),
                "{party}"
            );
        }
        // Counting the organisation-wide provisions for a role too: D 59 (39/20), SO 50 (37/13), DC 12 (10/2).
        for (role, total) in [(Party::Developer, 59), (Party::SystemOperator, 50), (Party::DataCustodian, 12)] {
            let n = c.provisions.iter().filter(|p| p.obliges(role) || p.obliges(Party::Organisation)).count();
            assert_eq!(n, total, "{role}");
        }
    }

    #[test]
    fn every_provision_has_evidence_kinds_and_examples() {
        for p in &Catalog::embedded().provisions {
            assert!(!p.evidence.is_empty(), "{}", p.id);
            assert!(!p.evidence_examples.is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn malformed_catalogues_are_rejected() {
        let good = CATALOG_TOML;
        assert!(Catalog::from_toml(good).is_ok());
        let dup = format!(
            "{good}\n[[provision]]\nid = \"5.1.1-1\"\nuk = \"1.1\"\nmodality = \"shall\"\nobliged = [\"organisation\"]\nsummary = \"x\"\nevidence = [\"record\"]\n"
        );
        assert!(Catalog::from_toml(&dup).unwrap_err().contains("duplicate"));
        let orphan = format!(
            "{good}\n[[provision]]\nid = \"5.6.1-1\"\nuk = \"14.1\"\nmodality = \"shall\"\nobliged = [\"developer\"]\nsummary = \"x\"\nevidence = [\"record\"]\n"
        );
        assert!(Catalog::from_toml(&orphan).unwrap_err().contains("no principle"));
    }

    #[test]
    fn filters_combine() {
        let c = Catalog::embedded();
        let f = Filter {
            party: Some(Party::DataCustodian),
            modality: Some(Modality::Shall),
            phase: Some(Phase::Development),
            principle: None,
        };
        let ids: Vec<&str> = c.filter(&f).map(|p| p.id.as_str()).collect();
        assert_eq!(ids, vec!["5.2.1-1", "5.2.1-2", "5.2.1-4", "5.2.1-4.1"]);
    }
}

//! Every rule holds on one input and does not on another; the catalogue's `automation` field
//! matches the rules.

use crate::fixtures::{NOW, sample};
use crate::input::*;
use crate::model::*;
use crate::rules::RULES;
use crate::{GatePolicy, Policy, assess, gate};
use custody_core::records::{Evidence, Sensitivity};
use custody_core::{Catalog, Exposure, Finding, Location, Role, Severity};
use std::collections::BTreeSet;

fn run(input: &AssessInput) -> Assessment {
    assess(Catalog::embedded(), input, NOW, &Policy::default())
}

fn status(input: &AssessInput, id: &str) -> Status {
    run(input).provision(id).map(|p| p.status).unwrap_or_else(|| panic!("{id} does not apply"))
}

fn scan(i: &mut AssessInput) -> &mut ScanFacts {
    i.scan.as_mut().expect("sample has a scan")
}

fn finding(code: &str, sev: Severity, path: &str) -> Finding {
    let code = custody_scan::RULES.code(code);
    assert!(code.rule().is_some(), "{code} is no rule");
    Finding { code, severity: sev, message: "test finding".into(), location: Location::file(path), evidence: None }
}

#[test]
fn catalogue_automation_matches_the_rules() {
    let c = Catalog::embedded();
    let automated: BTreeSet<&str> =
        c.provisions.iter().filter(|p| !p.automation.is_empty()).map(|p| p.id.as_str()).collect();
    let ruled: BTreeSet<&str> = RULES.iter().map(|r| r.provision).collect();
    assert_eq!(automated, ruled);
    assert_eq!(c.automated_count(), RULES.len());
    assert_eq!(RULES.len(), 22);
    for r in RULES {
        let p = c.provision(r.provision).expect("rule for a real provision");
        assert_eq!(p.automation, r.capabilities, "{}", r.provision);
    }
    // Catalogue order, so listings of the rules read like the standard.
    let keys: Vec<_> = RULES.iter().map(|r| c.provision(r.provision).map(|p| p.id.sort_key())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn sample_assessment_is_deterministic_and_ordered() {
    let a = run(&sample());
    assert_eq!(a, run(&sample()));
    assert_eq!(a.roles, vec![Role::Developer, Role::SystemOperator, Role::DataCustodian]);
    assert_eq!(a.provisions.len() + a.not_binding, 72);
    assert_eq!(a.totals.applicable, a.provisions.len());
    let open = a.open_items();
    let first_should = open.iter().position(|p| p.modality == custody_core::Modality::Should).unwrap_or(open.len());
    assert!(open[..first_should].iter().all(|p| p.modality == custody_core::Modality::Shall));
    assert!(open.first().is_some_and(|p| p.status == Status::Gap));
    // Every non-met provision says how to close it; met ones do not.
    for p in &a.provisions {
        match p.status {
            Status::Gap | Status::Partial => assert!(p.close.is_some(), "{} has no close", p.id),
            _ => assert!(p.close.is_none(), "{}", p.id),
        }
    }
}

// 5.1.1-*: training ------------------------------------------------------------------------------

#[test]
fn training_rules() {
    let i = sample();
    for id in ["5.1.1-1", "5.1.1-1.1", "5.1.1-2", "5.1.1-2.2"] {
        assert_eq!(status(&i, id), Status::Met, "{id}");
    }
    let mut none = sample();
    none.training.clear();
    for id in ["5.1.1-1", "5.1.1-1.1", "5.1.1-2", "5.1.1-2.2"] {
        assert_eq!(status(&none, id), Status::Gap, "{id}");
    }
    let mut overdue = sample();
    overdue.training[0].record.expires = Some("2026-11-15".into());
    assert_eq!(status(&overdue, "5.1.1-1"), Status::Partial);
    assert_eq!(status(&overdue, "5.1.1-2"), Status::Partial);
    assert_eq!(status(&overdue, "5.1.1-2.2"), Status::Partial);
    let mut old = sample();
    old.training[0].record.completed = "2025-06-01".into();
    old.training[0].record.expires = None;
    assert_eq!(status(&old, "5.1.1-1"), Status::Partial, "not revisited within the evidence age");
    let mut unfitted = sample();
    unfitted.training[0].record.staff_role = " ".into();
    assert_eq!(status(&unfitted, "5.1.1-1.1"), Status::Partial);
    let mut cashier = sample();
    cashier.training[0].record.staff_role = "cashier".into();
    cashier.training[0].record.module = "phishing basics".into();
    assert_eq!(status(&cashier, "5.1.1-2.2"), Status::Gap);
    let mut no_dev = sample();
    no_dev.roles = vec![Role::SystemOperator];
    assert_eq!(status(&no_dev, "5.1.1-2.2"), Status::NotApplicable);
}

// 5.1.2-3 and 5.2.4-3: audit trail ---------------------------------------------------------------

#[test]
fn audit_trail_rules() {
    let i = sample();
    assert_eq!(status(&i, "5.1.2-3"), Status::Met);
    assert_eq!(status(&i, "5.2.4-3"), Status::Met);
    let mut broken = sample();
    broken.audit.ok = false;
    broken.audit.problems = vec!["entry 3: its content no longer matches".into()];
    assert_eq!(status(&broken, "5.1.2-3"), Status::Gap);
    assert_eq!(status(&broken, "5.2.4-3"), Status::Gap);
    let mut unlogged = sample();
    scan(&mut unlogged).audit_seq = None;
    assert_eq!(status(&unlogged, "5.1.2-3"), Status::Partial);
    assert_eq!(status(&unlogged, "5.2.4-3"), Status::Partial);
    let mut no_log = sample();
    no_log.audit = AuditFacts::default();
    assert_eq!(status(&no_log, "5.2.4-3"), Status::Gap);
    // Attested evidence cannot lift a log that does not verify.
    broken.evidence.push(Recorded {
        id: 9,
        key: "5.1.2-3#2".into(),
        at: "2026-11-30T00:00:00Z".into(),
        actor: "x".into(),
        role: None,
        audit_seq: 11,
        record: Evidence {
            provision: "5.1.2-3".into(),
            file: None,
            url: Some("https://wiki.example/registry".into()),
            note: "model registry".into(),
        },
    });
    assert_eq!(status(&broken, "5.1.2-3"), Status::Gap);
}

// 5.1.2-5: approvals -----------------------------------------------------------------------------

#[test]
fn approval_rule() {
    let i = sample();
    assert_eq!(status(&i, "5.1.2-5"), Status::Met);
    // Personal data behind a public system with an approval that does not address it.
    let mut public = sample();
    public.systems[0].exposure = Exposure::Public;
    public.approvals[0].record.addresses_sensitive_data = false;
    let a = run(&public);
    let p = a.provision("5.1.2-5").expect("applies");
    assert_eq!(p.status, Status::Gap);
    assert_eq!(p.status_for("fraud-scoring"), Status::Gap);
    assert_eq!(p.status_for("support-assistant"), Status::Met);
    // Internal use without any approval: partial.
    let mut unapproved = sample();
    unapproved.approvals.clear();
    assert_eq!(status(&unapproved, "5.1.2-5"), Status::Partial);
    unapproved.systems[0].exposure = Exposure::ExternalApi;
    assert_eq!(status(&unapproved, "5.1.2-5"), Status::Gap);
    // A file that changed since the approval voids it.
    let mut changed = sample();
    scan(&mut changed).assets[1].sha256 = "0".repeat(64);
    assert_eq!(status(&changed, "5.1.2-5"), Status::Partial);
    // Non-personal data behind a public system needs no sensitive-data clause.
    let mut public_ok = sample();
    public_ok.systems[0].exposure = Exposure::Public;
    public_ok.datasets[0].record.sensitivity = Sensitivity::Internal;
    public_ok.approvals[0].record.addresses_sensitive_data = false;
    assert_eq!(status(&public_ok, "5.1.2-5"), Status::Met);
    // Nothing used: not applicable.
    let mut nothing = sample();
    nothing.datasets.clear();
    scan(&mut nothing).assets.retain(|a| !a.is_dataset());
    assert_eq!(status(&nothing, "5.1.2-5"), Status::NotApplicable);
}

// 5.2.1-*: inventory, tracking, known-good state --------------------------------------------------

#[test]
fn inventory_rule() {
    let i = sample();
    assert_eq!(status(&i, "5.2.1-1"), Status::Partial, "shadow AI in the sample");
    let mut clean = sample();
    scan(&mut clean).shadow_assets.clear();
    scan(&mut clean).shadow_services.clear();
    assert_eq!(status(&clean, "5.2.1-1"), Status::Met);
    let mut stale = clean.clone();
    scan(&mut stale).started_at = "2026-11-20T09:00:00Z".into();
    assert_eq!(status(&stale, "5.2.1-1"), Status::Partial);
    let mut missing = clean.clone();
    scan(&mut missing).missing = vec![("support-assistant".into(), "support-assistant/prompts/**".into())];
    let a = run(&missing);
    let p = a.provision("5.2.1-1").expect("applies");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(p.status_for("fraud-scoring"), Status::Met);
    let mut none = sample();
    none.scan = None;
    assert_eq!(status(&none, "5.2.1-1"), Status::Gap);
    // Shadow AI with no system declared: the way out starts with declaring one.
    let close = |i: &AssessInput| run(i).provision("5.2.1-1").and_then(|p| p.close.clone()).unwrap_or_default();
    assert!(!close(&i).contains("custody system add"), "{}", close(&i));
    let mut no_systems = sample();
    no_systems.systems.clear();
    assert!(close(&no_systems).starts_with("custody system add"), "{}", close(&no_systems));
}

#[test]
fn tracking_rule() {
    let i = sample();
    assert_eq!(status(&i, "5.2.1-2"), Status::Met);
    let mut unhashed = sample();
    scan(&mut unhashed).assets[0].sha256 = String::new();
    assert_eq!(status(&unhashed, "5.2.1-2"), Status::Partial);
    let mut broken = sample();
    broken.audit.ok = false;
    assert_eq!(status(&broken, "5.2.1-2"), Status::Gap);
    let mut stale = sample();
    scan(&mut stale).started_at = "2026-11-01T00:00:00Z".into();
    assert_eq!(status(&stale, "5.2.1-2"), Status::Partial);
}

fn snapshot(source: &str) -> SnapshotFact {
    SnapshotFact {
        name: format!("{source}-v1"),
        created_at: "2026-11-21T00:00:00Z".into(),
        source: source.into(),
        root_digest: "2".repeat(64),
        files: 2,
        total_bytes: 9,
    }
}

#[test]
fn known_good_rule() {
    let i = sample();
    assert_eq!(status(&i, "5.2.1-3.1"), Status::Partial, "only the ONNX scorer is snapshotted");
    let mut all = sample();
    all.integrity.snapshots.push(snapshot("fraud-scoring/models"));
    assert_eq!(status(&all, "5.2.1-3.1"), Status::Met, "a snapshot of a directory covers what is in it");
    let mut none = sample();
    none.integrity.snapshots.clear();
    assert_eq!(status(&none, "5.2.1-3.1"), Status::Gap);
    let mut no_models = sample();
    for a in &mut scan(&mut no_models).assets {
        a.systems.clear();
    }
    assert_eq!(status(&no_models, "5.2.1-3.1"), Status::NotApplicable);
}

// 5.2.2-4: disclosure policy ---------------------------------------------------------------------

#[test]
fn disclosure_rule() {
    let i = sample();
    assert_eq!(status(&i, "5.2.2-4"), Status::Met);
    let mut none = sample();
    none.disclosure.clear();
    assert_eq!(status(&none, "5.2.2-4"), Status::Gap);
    none.evidence.push(Recorded {
        id: 8,
        key: "5.2.2-4#2".into(),
        at: "2026-11-30T00:00:00Z".into(),
        actor: "x".into(),
        role: None,
        audit_seq: 10,
        record: Evidence {
            provision: "5.2.2-4".into(),
            file: None,
            url: Some("https://acme.example/.well-known/security.txt".into()),
            note: String::new(),
        },
    });
    let a = run(&none);
    let p = a.provision("5.2.2-4").expect("applies");
    assert_eq!((p.status, p.basis), (Status::Met, Basis::Attested));
}

// 5.2.3-*: model-file findings ---------------------------------------------------------------------

#[test]
fn supply_chain_rules() {
    let i = sample();
    assert_eq!(status(&i, "5.2.3-1"), Status::Met);
    assert_eq!(status(&i, "5.2.3-3"), Status::Met);
    let mut critical = sample();
    scan(&mut critical).findings.push(finding(
        "CUS-PKL-001",
        Severity::Critical,
        "fraud-scoring/models/fraud-scorer.onnx",
    ));
    let a = run(&critical);
    assert_eq!(
        a.provision("5.2.3-1").map(|p| (p.status, p.status_for("support-assistant"))),
        Some((Status::Gap, Status::Met))
    );
    assert_eq!(a.provision("5.2.3-3").map(|p| p.status), Some(Status::Gap));
    let mut medium = sample();
    scan(&mut medium).findings.push(finding("CUS-ONX-002", Severity::Medium, "fraud-scoring/models/fraud-scorer.onnx"));
    assert_eq!(status(&medium, "5.2.3-1"), Status::Partial);
    assert_eq!(status(&medium, "5.2.3-3"), Status::Met, "only critical/high block depending on a model");
    let mut unpinned = sample();
    scan(&mut unpinned).findings.push(finding("CUS-HUB-001", Severity::Medium, "fraud-scoring/train.py"));
    assert_eq!(status(&unpinned, "5.2.3-1"), Status::Partial);
    // Findings that are not about model files do not count.
    let mut other = sample();
    scan(&mut other).findings.push(finding("CUS-SEC-001", Severity::High, "support-assistant/app.py"));
    assert_eq!(status(&other, "5.2.3-1"), Status::Met);
    let mut no_models = sample();
    scan(&mut no_models).assets.retain(|a| !a.is_model());
    assert_eq!(status(&no_models, "5.2.3-3"), Status::NotApplicable);
}

// 5.2.4-1.2: signatures --------------------------------------------------------------------------

fn sign(subject: &str, kind: &str, ok: bool, at: &str) -> IntegrityEvent {
    IntegrityEvent {
        kind: custody_core::IntegrityKind::parse(kind).expect("kind"),
        subject: subject.into(),
        outcome: custody_core::Outcome::of(ok),
        at: at.into(),
        root_digest: None,
        snapshot: None,
    }
}

#[test]
fn signing_rule() {
    let i = sample();
    assert_eq!(status(&i, "5.2.4-1.2"), Status::Partial);
    let mut all = sample();
    all.integrity.events.push(sign("fraud-scoring/models/base", "sign", true, "2026-11-21T00:00:00Z"));
    all.integrity.events.push(sign("fraud-scoring/models/fraud-adapter", "sign", true, "2026-11-21T00:00:00Z"));
    assert_eq!(status(&all, "5.2.4-1.2"), Status::Met);
    let mut failed = all.clone();
    failed.integrity.events.push(sign("fraud-scoring/models/base", "verify", false, "2026-11-22T00:00:00Z"));
    assert_eq!(status(&failed, "5.2.4-1.2"), Status::Partial, "the latest verification failed");
    let mut old = sample();
    old.integrity.events = vec![sign("fraud-scoring", "sign", true, "2025-01-01T00:00:00Z")];
    assert_eq!(status(&old, "5.2.4-1.2"), Status::Partial, "stale signature");
    let mut none = sample();
    none.integrity.events.clear();
    assert_eq!(status(&none, "5.2.4-1.2"), Status::Gap);
}

// 5.2.4-2 / 5.2.4-2.1: provenance ------------------------------------------------------------------

#[test]
fn provenance_rules() {
    let i = sample();
    assert_eq!(status(&i, "5.2.4-2"), Status::Met);
    assert_eq!(status(&i, "5.2.4-2.1"), Status::Met);
    let mut unrecorded = sample();
    unrecorded.datasets.clear();
    assert_eq!(status(&unrecorded, "5.2.4-2"), Status::Gap);
    assert_eq!(status(&unrecorded, "5.2.4-2.1"), Status::Gap);
    let mut no_source = sample();
    no_source.datasets[0].record.sources.clear();
    assert_eq!(status(&no_source, "5.2.4-2.1"), Status::Gap);
    // A second, unrecorded dataset asset: partial.
    let mut extra = sample();
    scan(&mut extra).assets.push(AssetFact {
        path: "fraud-scoring/data/more.csv".into(),
        kind: custody_core::AssetKind::Dataset,
        format: "csv".into(),
        size: 1,
        sha256: "3".repeat(64),
        systems: vec!["fraud-scoring".into()],
        ..AssetFact::default()
    });
    let a = run(&extra);
    assert_eq!(
        a.provision("5.2.4-2").map(|p| (p.status, p.status_for("fraud-scoring"))),
        Some((Status::Partial, Status::Partial))
    );
    let mut nothing = sample();
    nothing.datasets.clear();
    scan(&mut nothing).assets.retain(|a| !a.is_dataset());
    scan(&mut nothing).edges.retain(|e| e.kind != "trained-on");
    assert_eq!(status(&nothing, "5.2.4-2.1"), Status::NotApplicable);
}

// Attested evidence, staleness and recorded non-applicability ------------------------------------

#[test]
fn attested_evidence() {
    // 5.1.3-4 has no automatic rule: only attested evidence decides it.
    let attest = |mut i: AssessInput| {
        i.evidence[0].record.provision = "5.1.3-4".into();
        i
    };
    let i = attest(sample());
    let a = run(&i);
    let p = a.provision("5.1.3-4").expect("applies");
    assert_eq!((p.status, p.basis), (Status::Met, Basis::Attested));
    assert_eq!(p.evidence[0].audit_seq, Some(6));
    let mut stale = attest(sample());
    stale.evidence[0].at = "2025-01-01T00:00:00Z".into();
    assert_eq!(status(&stale, "5.1.3-4"), Status::Partial);
    let mut na = attest(sample());
    na.evidence[0].record.note = "Not-applicable: we host no models of our own".into();
    let a = run(&na);
    let p = a.provision("5.1.3-4").expect("applies");
    assert_eq!(p.status, Status::NotApplicable);
    assert!(p.rationale.contains("we host no models"), "{}", p.rationale);
    assert_eq!(status(&i, "5.2.2-5"), Status::Gap, "nothing recorded");
    // 5.2.2-2 binds once a system is exposed.
    assert_eq!(status(&i, "5.2.2-2"), Status::Gap);
    let mut internal = sample();
    internal.systems[1].exposure = Exposure::Internal;
    assert_eq!(status(&internal, "5.2.2-2"), Status::NotApplicable);
}

#[test]
fn views_per_role_principle_and_system() {
    let a = run(&sample());
    assert_eq!(a.by_role.len(), 4, "three roles and organisation-wide");
    assert_eq!(a.by_principle.len(), 13);
    let sum: usize = a.by_principle.iter().map(|p| p.totals.applicable).sum();
    assert_eq!(sum, a.totals.applicable);
    assert_eq!(a.systems.len(), 2);
    let fraud = &a.systems[0];
    assert!(fraud.own.iter().any(|(id, _)| id == "5.2.4-1.2"));
    assert_eq!(a.automated_provisions, 22);
}

#[test]
fn gate_decisions() {
    let i = sample();
    let a = run(&i);
    let g = gate(&a, &i, &GatePolicy::default());
    assert!(!g.pass);
    assert!(g.reasons.iter().any(|r| r.kind == "shall-gap"));
    assert!(g.reasons.iter().any(|r| r.kind == "finding" && r.severity == Some(Severity::High)));
    // Only provisions that are met, findings off: passes.
    let only =
        GatePolicy { fail_on: None, provisions: vec!["5.2.1-2".into(), "5.1.2-3".into()], ..GatePolicy::default() };
    let g = gate(&a, &i, &only);
    assert!(g.pass, "{:?}", g.reasons);
    assert_eq!(g.checked_provisions, 2);
    // Critical threshold: the high findings do not count.
    let crit =
        GatePolicy { fail_on: Some(Severity::Critical), provisions: vec!["5.2.1-2".into()], ..GatePolicy::default() };
    assert!(gate(&a, &i, &crit).pass);
    // Audit log that does not verify fails the gate even when everything else passes.
    let mut broken = sample();
    broken.audit.ok = false;
    let b = run(&broken);
    let g =
        gate(&b, &broken, &GatePolicy { fail_on: None, provisions: vec!["5.1.3-1".into()], ..GatePolicy::default() });
    assert!(!g.pass);
    assert_eq!(g.reasons[0].kind, "audit");
    // Ignored provisions do not fail it.
    let ignore_all: Vec<String> = a.provisions.iter().map(|p| p.id.clone()).collect();
    let g = gate(&a, &i, &GatePolicy { fail_on: None, ignore: ignore_all, ..GatePolicy::default() });
    assert!(g.pass);
}

#[test]
fn threat_model_rules() {
    let mut i = sample();
    assert_eq!(status(&i, "5.1.3-1"), Status::Met);
    assert_eq!(status(&i, "5.1.3-1.1"), Status::Met);
    assert_eq!(status(&i, "5.1.3-1.3"), Status::Met);
    i.threats[0].state = crate::threats::ThreatState::Stale;
    assert_eq!(status(&i, "5.1.3-1"), Status::Partial);
    assert_eq!(status(&i, "5.1.3-1.1"), Status::Partial);
    for t in &mut i.threats {
        t.state = crate::threats::ThreatState::Untreated;
        t.record = None;
    }
    assert_eq!(status(&i, "5.1.3-1"), Status::Gap);
    assert_eq!(status(&i, "5.1.3-1.1"), Status::Gap);
    i.threats.clear();
    i.evidence.retain(|e| e.record.provision != "5.1.3-1");
    assert_eq!(status(&i, "5.1.3-1"), Status::Gap);
}

#[test]
fn justification_rules() {
    let mut i = sample();
    assert_eq!(status(&i, "5.2.3-2"), Status::Met);
    assert_eq!(status(&i, "5.2.3-2.1"), Status::Met);
    // Complete justifications: the notice can be rendered, publishing it is still to attest.
    assert_eq!(status(&i, "5.2.3-2.2"), Status::Partial);
    i.components[0].record = None;
    assert_eq!(status(&i, "5.2.3-2"), Status::Gap);
    assert_eq!(status(&i, "5.2.3-2.2"), Status::Gap);
    i.components.clear();
    assert_eq!(status(&i, "5.2.3-2"), Status::Met, "nothing poorly documented: nothing to justify");
    i.scan = None;
    assert_eq!(status(&i, "5.2.3-2"), Status::Gap, "without a scan custody cannot tell");
}

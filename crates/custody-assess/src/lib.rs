//! The compliance assessment of custody: for the roles an organisation holds, each applicable
//! provision of ETSI EN 304 223 gets a status (met, partial, gap, not applicable), the evidence
//! behind it and what would close it.
//!
//! Pure: [`assess`] is a function of the catalogue, an [`AssessInput`] (plain facts the binary
//! gathers from the store, custody.toml and the scanned tree), the time and a [`Policy`]. No IO,
//! no clock; the same input gives the same assessment.
//!
//! - automatic rules ([`rules::RULES`]) decide provisions from facts custody holds;
//! - attested evidence (`custody evidence add`) decides the rest, and can lift an automatic
//!   status unless a fact counts against it (a *hard* result);
//! - stale evidence (a scan older than `max_scan_age_days`, attested evidence older than
//!   `max_evidence_age_days`) downgrades met to partial;
//! - evidence whose note starts `not-applicable:` records why a provision does not apply.

pub mod clock;
pub mod components;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod gate;
pub mod input;
pub mod model;
pub mod release;
pub mod rules;
pub mod threats;

pub use gate::{GatePolicy, GateReason, GateResult, gate, release_reasons};
pub use input::*;
pub use model::*;

use custody_core::{Catalog, Exposure, Modality, Provision, System, applicable};
use std::collections::BTreeMap;

/// The schema name of [`Assessment`] as JSON.
pub const SCHEMA: &str = "custody.assessment/v1";

/// Attested evidence for a provision, as a status.
fn attested(
    p: &Provision,
    input: &AssessInput,
    now: &str,
    policy: &Policy,
) -> Option<(Status, String, Vec<EvidenceItem>)> {
    let recs: Vec<&Recorded<custody_core::records::Evidence>> =
        input.evidence.iter().filter(|r| r.record.provision == p.id.as_str()).collect();
    if recs.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    let mut na: Option<String> = None;
    let mut fresh = 0;
    for r in &recs {
        let e = &r.record;
        let (kind, reference, sha) = match (&e.file, &e.url) {
            (Some(f), _) => ("file", f.path.clone(), Some(f.sha256.clone())),
            (None, Some(u)) => ("url", u.clone(), None),
            (None, None) => ("record", r.key.clone(), None),
        };
        let age = clock::days_between(&r.at, now);
        let stale = age.is_some_and(|d| d > i64::from(policy.max_evidence_age_days));
        let mut item = EvidenceItem::new(
            kind,
            reference,
            if stale { format!("{} (stale: recorded {} days ago)", e.note, age.unwrap_or(0)) } else { e.note.clone() },
        )
        .at(&r.at)
        .seq(r.audit_seq);
        item.sha256 = sha;
        items.push(item);
        let note = e.note.trim();
        let lower = note.to_lowercase();
        if let Some(reason) = ["not-applicable:", "not applicable:", "n/a:"]
            .iter()
            .find_map(|pre| lower.starts_with(pre).then(|| note[pre.len()..].trim().to_string()))
        {
            na = Some(reason);
        } else if !stale {
            fresh += 1;
        }
    }
    if let Some(reason) = na {
        return Some((Status::NotApplicable, format!("recorded as not applicable: {reason}"), items));
    }
    if fresh > 0 {
        Some((Status::Met, format!("{fresh} piece(s) of attested evidence, current"), items))
    } else {
        Some((Status::Partial, format!("attested evidence is older than {} days", policy.max_evidence_age_days), items))
    }
}

/// Not applicable because of what the organisation declared (not counted as automation).
fn declared_not_applicable(p: &Provision, input: &AssessInput) -> Option<String> {
    match p.id.as_str() {
        "5.2.2-2" if input.systems.iter().all(|s| s.exposure == Exposure::Internal) => {
            Some("no declared system is offered to outside parties through an API".into())
        }
        _ => None,
    }
}

fn attest_close(p: &Provision) -> String {
    format!(
        "custody evidence add {} --file PATH (or --url URL) --note \"…\"; for example: {}",
        p.id,
        p.evidence_examples.join("; ")
    )
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Gap => 0,
        Status::Partial => 1,
        Status::Met => 2,
        Status::NotApplicable => 3,
    }
}

/// Assesses every provision that binds the roles `input` declares.
pub fn assess(catalog: &Catalog, input: &AssessInput, now: &str, policy: &Policy) -> Assessment {
    let systems: Vec<System> = input
        .systems
        .iter()
        .map(|s| System {
            name: s.name.clone(),
            description: s.description.clone(),
            intended_use: s.intended_use.clone(),
            exposure: s.exposure,
            assets: s.assets.clone(),
            services: s.services.clone(),
        })
        .collect();
    let ctx = rules::Ctx { input, now, policy };
    let scan_age = input.scan.as_ref().and_then(|s| clock::days_between(&s.started_at, now));
    let scan_stale = scan_age.is_some_and(|d| d > i64::from(policy.max_scan_age_days));
    let apps = applicable(catalog, &input.roles, &systems);
    let mut results = Vec::new();
    for app in &apps {
        let p = app.provision;
        let rule = rules::rule(p.id.as_str());
        let mut auto = rule.map(|r| {
            let mut a = (r.eval)(&ctx);
            if r.uses_scan && scan_stale && a.status == Status::Met {
                a.status = Status::Partial;
                a.rationale.push_str(&format!(
                    " — but the latest scan is {} days old (limit {})",
                    scan_age.unwrap_or(0),
                    policy.max_scan_age_days
                ));
                a.close = Some("custody scan".into());
                for s in a.systems.values_mut() {
                    if s.status == Status::Met {
                        s.status = Status::Partial;
                    }
                }
            }
            a
        });
        if auto.is_none()
            && let Some(reason) = declared_not_applicable(p, input)
        {
            auto = Some(rules::Auto {
                status: Status::NotApplicable,
                rationale: reason,
                evidence: Vec::new(),
                close: None,
                hard: false,
                systems: BTreeMap::new(),
            });
        }
        let att = attested(p, input, now, policy);
        let (status, basis, rationale, mut evidence, close, systems) = match (auto, att) {
            (Some(a), Some((s, why, items))) if !a.hard && rank(s) > rank(a.status) => {
                let mut ev = items;
                ev.extend(a.evidence);
                let close = if s == Status::Met || s == Status::NotApplicable { None } else { Some(attest_close(p)) };
                (s, Basis::Attested, format!("{why} (automatic check: {})", a.rationale), ev, close, BTreeMap::new())
            }
            (Some(a), att) => {
                let mut ev = a.evidence;
                if let Some((_, _, items)) = att {
                    ev.extend(items);
                }
                let close = if a.status == Status::Met || a.status == Status::NotApplicable { None } else { a.close };
                (a.status, Basis::Automatic, a.rationale, ev, close, a.systems)
            }
            (None, Some((s, why, items))) => {
                let close = if s == Status::Met || s == Status::NotApplicable { None } else { Some(attest_close(p)) };
                (s, Basis::Attested, why, items, close, BTreeMap::new())
            }
            (None, None) => (
                Status::Gap,
                Basis::None,
                "no evidence recorded; custody cannot check this provision by itself".to_string(),
                Vec::new(),
                Some(attest_close(p)),
                BTreeMap::new(),
            ),
        };
        evidence.dedup();
        let pr = catalog.principle_of(p);
        results.push(ProvisionResult {
            id: p.id.as_str().to_string(),
            principle: pr.number,
            phase: pr.phase,
            modality: p.modality,
            summary: p.summary.clone(),
            roles: app.roles(),
            reasons: app.reasons.clone(),
            status,
            basis,
            rationale,
            evidence,
            close,
            systems,
            automated: rule.is_some(),
        });
    }
    views(catalog, input, now, scan_age, scan_stale, results, apps.len())
}

fn views(
    catalog: &Catalog,
    input: &AssessInput,
    now: &str,
    scan_age: Option<i64>,
    scan_stale: bool,
    results: Vec<ProvisionResult>,
    applicable_count: usize,
) -> Assessment {
    let mut totals = Totals::default();
    for r in &results {
        totals.add(r.status, r.modality);
    }
    let mut roles = input.roles.clone();
    roles.sort();
    roles.dedup();
    let mut by_role = Vec::new();
    for role in roles.iter().map(|r| Some(*r)).chain(std::iter::once(None)) {
        let mine: Vec<&ProvisionResult> = results
            .iter()
            .filter(|r| match role {
                Some(role) => r.roles.contains(&role),
                None => r.roles.is_empty(),
            })
            .collect();
        let mut t = Totals::default();
        for r in &mine {
            t.add(r.status, r.modality);
        }
        by_role.push(RoleView {
            role,
            title: role.map_or("Organisation-wide".to_string(), |r| r.title().to_string()),
            totals: t,
            provisions: mine.iter().map(|r| r.id.clone()).collect(),
        });
    }
    let by_principle = catalog
        .principles
        .iter()
        .map(|pr| {
            let mut t = Totals::default();
            for r in results.iter().filter(|r| r.principle == pr.number) {
                t.add(r.status, r.modality);
            }
            PrincipleView {
                number: pr.number,
                clause: pr.clause.clone(),
                title: pr.title.clone(),
                phase: pr.phase,
                totals: t,
            }
        })
        .collect();
    let systems = input
        .systems
        .iter()
        .map(|s| {
            let mut t = Totals::default();
            let mut own = Vec::new();
            for r in &results {
                t.add(r.status_for(&s.name), r.modality);
                if let Some(st) = r.systems.get(&s.name) {
                    own.push((r.id.clone(), st.clone()));
                }
            }
            SystemView { name: s.name.clone(), exposure: s.exposure.as_str().to_string(), totals: t, own }
        })
        .collect();
    let scan = input.scan.as_ref().map(|s| ScanSummary {
        id: s.id,
        root: s.root.clone(),
        started_at: s.started_at.clone(),
        age_days: scan_age,
        stale: scan_stale,
        assets: s.top_assets().count(),
        findings: s.findings.len(),
        shadow: s.shadow_assets.len() + s.shadow_services.len(),
    });
    Assessment {
        schema: SCHEMA.to_string(),
        standard: catalog.version.clone(),
        organisation: input.organisation.clone(),
        roles,
        assessed_at: now.to_string(),
        scan,
        audit_ok: input.audit.available && input.audit.ok,
        automated_provisions: catalog.automated_count(),
        not_binding: catalog.provisions.len() - applicable_count,
        totals,
        by_role,
        by_principle,
        systems,
        provisions: results,
    }
}

/// Shall-provisions first, then should; used for listings that put what binds hardest on top.
pub fn modality_rank(m: Modality) -> u8 {
    match m {
        Modality::Shall => 0,
        Modality::Should => 1,
    }
}

#[cfg(test)]
mod tests;

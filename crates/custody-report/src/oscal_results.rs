//! OSCAL assessment results (one result per assessment: an observation per applicable provision
//! carrying its evidence, a finding per provision with a status) and a profile that selects the
//! provisions binding the roles held. Control ids are those of [`crate::oscal::catalog`].

use crate::oscal::{NS, OSCAL_VERSION};
use crate::report::Meta;
use crate::stable_uuid;
use custody_assess::{Assessment, Basis, Status};
use custody_core::Catalog;
use serde_json::{Value, json};

fn prop(name: &str, value: &str) -> Value {
    json!({ "name": name, "ns": NS, "value": value })
}

fn control_id(id: &str) -> String {
    format!("p{id}")
}

/// A non-empty string, as OSCAL wants for every text field.
fn text(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() { fallback.to_string() } else { s.to_string() }
}

/// The profile: the catalogue's controls that bind the roles held. `catalog_href` points at the
/// catalogue document (`custody catalog --format oscal`).
pub fn profile(c: &Catalog, a: &Assessment, catalog_href: &str) -> Value {
    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
    let ids: Vec<String> = a.provisions.iter().map(|p| control_id(&p.id)).collect();
    let mut doc = json!({
        "profile": {
            "uuid": stable_uuid(&format!("custody/oscal/profile/{}/{}", c.version, roles.join("+"))),
            "metadata": {
                "title": format!("ETSI {}: provisions for {} ({})", c.version, text(&a.organisation, "the organisation"), roles.join(", ")),
                "last-modified": c.last_modified,
                "version": c.version,
                "oscal-version": OSCAL_VERSION,
                "props": roles.iter().map(|r| prop("role-held", r)).collect::<Vec<_>>(),
            },
            "imports": [{ "href": catalog_href, "include-controls": [{ "with-ids": ids }] }],
            "merge": { "as-is": true },
        }
    });
    if roles.is_empty()
        && let Some(m) = doc.pointer_mut("/profile/metadata").and_then(Value::as_object_mut)
    {
        m.remove("props");
    }
    doc
}

/// The assessment as OSCAL assessment-results.
pub fn assessment_results(c: &Catalog, a: &Assessment, meta: Meta<'_>) -> Value {
    let seed = format!("custody/oscal/ar/{}/{}", a.organisation, a.assessed_at);
    let tool_uuid = stable_uuid(&format!("{seed}/tool"));
    let party_uuid = stable_uuid(&format!("{seed}/party"));
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for p in &a.provisions {
        let obs_uuid = stable_uuid(&format!("{seed}/observation/{}", p.id));
        let methods = match p.basis {
            Basis::Automatic => vec!["TEST"],
            Basis::Attested => vec!["EXAMINE"],
            Basis::None => vec!["UNKNOWN"],
        };
        let mut obs = json!({
            "uuid": obs_uuid,
            "title": format!("Evidence for {}", p.id),
            "description": text(&p.rationale, "no evidence"),
            "props": [prop("custody-status", p.status.as_str()), prop("basis", match p.basis { Basis::Automatic => "automatic", Basis::Attested => "attested", Basis::None => "none" })],
            "methods": methods,
            "types": ["control-objective"],
            "origins": [{ "actors": [{ "type": "tool", "actor-uuid": tool_uuid }] }],
            "collected": a.assessed_at,
        });
        let evidence: Vec<Value> = p
            .evidence
            .iter()
            .map(|e| {
                let mut d = format!("{} {}: {}", e.kind, e.reference, e.detail);
                if let Some(s) = &e.sha256 {
                    d.push_str(&format!(" (sha256:{s})"));
                }
                if let Some(s) = e.audit_seq {
                    d.push_str(&format!(" (audit entry {s})"));
                }
                if e.against {
                    d.push_str(" [counts against]");
                }
                let mut v = json!({ "description": text(&d, "evidence") });
                if e.kind == "url" && e.reference.contains("://") && !e.reference.chars().any(char::is_whitespace) {
                    v["href"] = json!(e.reference);
                }
                v
            })
            .collect();
        if !evidence.is_empty() {
            obs["relevant-evidence"] = json!(evidence);
        }
        observations.push(obs);
        if p.status == Status::NotApplicable {
            continue;
        }
        let (state, reason) = match p.status {
            Status::Met => ("satisfied", "pass"),
            Status::Gap => ("not-satisfied", "fail"),
            _ => ("not-satisfied", "other"),
        };
        let mut desc = text(&p.rationale, "assessed");
        if let Some(close) = &p.close {
            desc.push_str(&format!(" To close: {close}"));
        }
        let mut finding = json!({
            "uuid": stable_uuid(&format!("{seed}/finding/{}", p.id)),
            "title": format!("{} ({}): {}", p.id, p.modality, p.status),
            "description": desc,
            "props": [prop("custody-status", p.status.as_str()), prop("modality", p.modality.as_str())],
            "target": {
                "type": "statement-id",
                "target-id": format!("{}_smt", control_id(&p.id)),
                "status": { "state": state, "reason": reason },
            },
            "related-observations": [{ "observation-uuid": obs_uuid }],
        });
        if !p.roles.is_empty()
            && let Some(props) = finding["props"].as_array_mut()
        {
            props.extend(p.roles.iter().map(|r| prop("role", r.as_str())));
        }
        findings.push(finding);
    }
    let include: Vec<Value> = a.provisions.iter().map(|p| json!({ "control-id": control_id(&p.id) })).collect();
    let start = a
        .scan
        .as_ref()
        .map(|s| s.started_at.clone())
        .filter(|s| s.as_str() <= a.assessed_at.as_str())
        .unwrap_or_else(|| a.assessed_at.clone());
    let t = &a.totals;
    let mut result = json!({
        "uuid": stable_uuid(&format!("{seed}/result")),
        "title": format!("custody assessment at {}", a.assessed_at),
        "description": format!(
            "ETSI {} for the roles held: {} provisions apply; {} met, {} partial, {} gap, {} not applicable ({} shall-provisions with a gap).",
            c.version, t.applicable, t.met, t.partial, t.gap, t.not_applicable, t.shall_gaps
        ),
        "start": start,
        "end": a.assessed_at,
        "reviewed-controls": { "control-selections": [{ "include-controls": include }] },
        "observations": observations,
        "findings": findings,
    });
    result["local-definitions"] = json!({
        "components": [{
            "uuid": tool_uuid,
            "type": "software",
            "title": meta.tool,
            "description": format!("{} {}: evidence rules for ETSI {}", meta.tool, meta.short_version(), c.version),
            "status": { "state": "operational" },
        }],
    });
    if include.is_empty() {
        result["reviewed-controls"] = json!({ "control-selections": [{ "include-all": {} }] });
    }
    for key in ["observations", "findings"] {
        if result[key].as_array().is_some_and(Vec::is_empty)
            && let Some(m) = result.as_object_mut()
        {
            m.remove(key);
        }
    }
    let roles: Vec<Value> = a.roles.iter().map(|r| prop("role-held", r.as_str())).collect();
    let mut metadata = json!({
        "title": format!("ETSI {} assessment of {}", c.version, text(&a.organisation, "the organisation")),
        "last-modified": a.assessed_at,
        "version": a.assessed_at,
        "oscal-version": OSCAL_VERSION,
        "parties": [{ "uuid": party_uuid, "type": "organization", "name": text(&a.organisation, "organisation") }],
    });
    if !roles.is_empty() {
        metadata["props"] = json!(roles);
    }
    json!({
        "assessment-results": {
            "uuid": stable_uuid(&seed),
            "metadata": metadata,
            "import-ap": { "href": "#custody-automated-assessment" },
            "results": [result],
        }
    })
}

//! SARIF 2.1.0 of an assessment: the findings (as [`crate::sarif::document`] renders them) plus
//! one result per open provision (a gap or a partial), located at custody.toml, so code scanning
//! shows compliance gaps next to the findings.

use crate::sarif;
use custody_assess::{Assessment, GateResult, ProvisionResult, Status};
use custody_core::{Catalog, Finding, Modality};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn rule_id(id: &str) -> String {
    format!("ETSI-{id}")
}

fn gap_rule(c: &Catalog, p: &ProvisionResult) -> Value {
    let title = c.provision(&p.id).map_or(p.summary.clone(), |x| x.summary.clone());
    let level = if p.modality == Modality::Shall { "error" } else { "warning" };
    let examples = c.provision(&p.id).map(|x| x.evidence_examples.join("; ")).unwrap_or_default();
    json!({
        "id": rule_id(&p.id),
        "name": format!("EtsiEn304223Provision{}", p.id.replace(['.', '-'], "_")),
        "shortDescription": { "text": format!("ETSI EN 304 223 {} ({})", p.id, p.modality) },
        "fullDescription": { "text": title },
        "help": { "text": format!("Evidence that satisfies it: {examples}."), "markdown": format!("**Evidence that satisfies it:** {examples}.") },
        "defaultConfiguration": { "level": level },
        "properties": {
            "tags": ["security", "compliance", "etsi-en-304-223", p.modality.as_str()],
            "precision": "high",
            "problem.severity": level,
            "security-severity": if p.modality == Modality::Shall { "7.0" } else { "4.0" },
        },
    })
}

fn gap_result(p: &ProvisionResult, index: usize, config_uri: &str) -> Value {
    let level = match (p.modality, p.status) {
        (Modality::Shall, Status::Gap) => "error",
        (Modality::Shall, _) | (Modality::Should, Status::Gap) => "warning",
        _ => "note",
    };
    let mut text = format!("{} ({}) is {}: {}", p.id, p.modality, p.status, p.rationale);
    if let Some(c) = &p.close {
        text.push_str(&format!(" To close: {c}"));
    }
    let h = Sha256::digest(format!("{}\0{}", p.id, p.status).as_bytes());
    let fp = custody_core::hex::encode(&h[..h.len().min(8)]);
    json!({
        "ruleId": rule_id(&p.id),
        "ruleIndex": index,
        "level": level,
        "kind": "fail",
        "message": { "text": text },
        "locations": [{ "physicalLocation": { "artifactLocation": { "uri": config_uri, "uriBaseId": "%SRCROOT%" }, "region": { "startLine": 1 } } }],
        "partialFingerprints": { "primaryLocationLineHash": format!("{fp}:1") },
        "properties": { "etsi-provision": p.id, "status": p.status.as_str(), "roles": p.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
    })
}

/// Findings plus the open provisions in `open`, as one run.
fn with_gaps(
    c: &Catalog,
    tool: &str,
    version: &str,
    category: &str,
    findings: &[Finding],
    open: &[&ProvisionResult],
    config_uri: &str,
) -> Value {
    let mut doc = sarif::document(tool, version, category, findings);
    let run = &mut doc["runs"][0];
    let base = run["tool"]["driver"]["rules"].as_array().map_or(0, Vec::len);
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for (i, p) in open.iter().enumerate() {
        rules.push(gap_rule(c, p));
        results.push(gap_result(p, base + i, config_uri));
    }
    if let Some(r) = run["tool"]["driver"]["rules"].as_array_mut() {
        r.extend(rules);
    }
    if let Some(r) = run["results"].as_array_mut() {
        r.extend(results);
    }
    doc
}

/// The whole assessment: every finding and every gap or partial provision.
pub fn assessment(
    c: &Catalog,
    a: &Assessment,
    findings: &[Finding],
    tool: &str,
    version: &str,
    config_uri: &str,
) -> Value {
    let open = a.open_items();
    with_gaps(c, tool, version, "custody/assess", findings, &open, config_uri)
}

/// What made the gate fail: findings at or above its threshold and the shall-gaps it counted.
pub fn gate(
    c: &Catalog,
    a: &Assessment,
    g: &GateResult,
    findings: &[Finding],
    tool: &str,
    version: &str,
    config_uri: &str,
) -> Value {
    let threshold = g.policy.fail_on;
    let hits: Vec<Finding> = findings.iter().filter(|f| threshold.is_some_and(|t| f.severity >= t)).cloned().collect();
    let open: Vec<&ProvisionResult> = a
        .provisions
        .iter()
        .filter(|p| g.reasons.iter().any(|r| r.kind == "shall-gap" && r.provision.as_deref() == Some(p.id.as_str())))
        .collect();
    with_gaps(c, tool, version, "custody/gate", &hits, &open, config_uri)
}

//! `custody gate`: the pass/fail answer for CI. It fails when a shall-provision that binds a
//! held role is a gap, when a finding is at or above the threshold, or when the audit log does
//! not verify.

use crate::input::AssessInput;
use crate::model::{Assessment, Status};
use custody_core::{Modality, Severity};
use serde::{Deserialize, Serialize};

/// What the gate checks (custody.toml `[gate]`, overridden by flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatePolicy {
    /// Fail when a finding is at or above this severity; None: findings never fail the gate.
    pub fail_on: Option<Severity>,
    /// Only these provisions can fail the gate (empty: every shall-provision that applies).
    pub provisions: Vec<String>,
    /// Provisions that never fail the gate (accepted risks).
    pub ignore: Vec<String>,
    /// Fail when the audit log does not verify.
    pub require_audit: bool,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy { fail_on: Some(Severity::High), provisions: Vec::new(), ignore: Vec::new(), require_audit: true }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateReason {
    /// `shall-gap`, `finding`, `audit`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateResult {
    pub schema: &'static str,
    pub pass: bool,
    pub policy: GatePolicy,
    /// Shall-provisions the gate looked at.
    pub checked_provisions: usize,
    pub reasons: Vec<GateReason>,
}

/// Decides the gate from an assessment and the findings of the latest scan.
pub fn gate(a: &Assessment, input: &AssessInput, policy: &GatePolicy) -> GateResult {
    let mut reasons = Vec::new();
    let mut checked = 0;
    for p in &a.provisions {
        if p.modality != Modality::Shall || policy.ignore.contains(&p.id) {
            continue;
        }
        if !policy.provisions.is_empty() && !policy.provisions.contains(&p.id) {
            continue;
        }
        checked += 1;
        if p.status == Status::Gap {
            reasons.push(GateReason {
                kind: "shall-gap".into(),
                provision: Some(p.id.clone()),
                severity: None,
                code: None,
                location: None,
                message: format!("{} (shall) is a gap: {}", p.id, p.rationale),
                close: p.close.clone(),
            });
        }
    }
    if let (Some(t), Some(scan)) = (policy.fail_on, &input.scan) {
        let mut hits: Vec<&custody_core::Finding> = scan.findings.iter().filter(|f| f.severity >= t).collect();
        hits.sort_by(|x, y| y.severity.cmp(&x.severity).then_with(|| x.location.cmp(&y.location)));
        for f in hits {
            reasons.push(GateReason {
                kind: "finding".into(),
                provision: None,
                severity: Some(f.severity),
                code: Some(f.code.to_string()),
                location: Some(f.location.to_string()),
                message: format!("{} {} at {}: {}", f.severity, f.code, f.location, f.message),
                close: Some(f.remediation().to_string()),
            });
        }
    }
    if policy.require_audit && !(input.audit.available && input.audit.ok) {
        let why = if input.audit.available {
            format!("the audit log does not verify: {}", input.audit.problems.first().map_or("", String::as_str))
        } else {
            "the store has no audit log".to_string()
        };
        reasons.push(GateReason {
            kind: "audit".into(),
            provision: None,
            severity: None,
            code: None,
            location: None,
            message: why,
            close: Some("custody audit verify".into()),
        });
    }
    // In the order a reader needs them: the audit log, findings (worst first), then shall-gaps.
    reasons.sort_by_key(|r| match r.kind.as_str() {
        "audit" => 0,
        "finding" => 1,
        _ => 2,
    });
    GateResult {
        schema: "custody.gate/v1",
        pass: reasons.is_empty(),
        policy: policy.clone(),
        checked_provisions: checked,
        reasons,
    }
}

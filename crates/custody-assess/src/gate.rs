//! `custody gate`: the pass/fail answer for CI. It fails when a shall-provision that binds a
//! held role is a gap, when a finding is at or above the threshold, when the audit log does
//! not verify, or when a system ships assets that changed since its last release and releasing
//! them would be refused ([`release_reasons`]).

use crate::input::{AssessInput, SystemFacts};
use crate::model::{Assessment, Status};
use crate::release::{self, NothingShipped, ReleaseFacts, Request};
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
    /// `shall-gap`, `finding`, `audit`, `release`.
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

impl GateResult {
    /// Adds reasons found after [`gate`] decided (they follow its reasons); any fails the gate.
    pub fn fail_with(&mut self, reasons: Vec<GateReason>) {
        if !reasons.is_empty() {
            self.pass = false;
            self.reasons.extend(reasons);
        }
    }
}

/// Systems whose shipped assets differ from their last release and whose release (as the gate
/// sees it: no evaluation, no notice given) would be refused, in the order of `systems`. A system
/// never released passes; a system that ships nothing the scan found is an error, as it is for
/// `custody release`.
pub fn release_reasons(systems: &[SystemFacts], facts: &ReleaseFacts<'_>) -> Vec<GateReason> {
    // A gate reason under 5.2.5-1 (security testing before release).
    let reason = |message: String, close: String| GateReason {
        kind: "release".into(),
        provision: Some("5.2.5-1".into()),
        severity: None,
        code: None,
        location: None,
        message,
        close: Some(close),
    };
    let mut reasons = Vec::new();
    for sys in systems {
        let c = match release::candidate(facts, &sys.name, Request::default()) {
            Ok(c) => c,
            // A system declared before its assets exist has nothing to release yet; one that was
            // released and now ships nothing has dropped what it released.
            Err(NothingShipped { .. }) => {
                if let Some(prev) = facts.log.previous(&sys.name) {
                    reasons.push(reason(
                        format!(
                            "{} ships none of the assets of released version {}: the latest scan found none it registers",
                            sys.name,
                            prev.version.as_deref().unwrap_or("?")
                        ),
                        format!(
                            "custody scan, and check the system's assets in custody.toml; or custody decommission {}",
                            sys.name
                        ),
                    ));
                }
                continue;
            }
        };
        let Some(prev) = c.previous_digest.as_deref() else { continue };
        if prev != c.digest && !c.refusals.is_empty() {
            let refusals: Vec<String> = c.refusals.iter().map(ToString::to_string).collect();
            reasons.push(reason(
                format!(
                    "{} ships assets that differ from released version {}, and releasing them would be refused: {}",
                    sys.name,
                    c.previous_version.as_deref().unwrap_or("?"),
                    refusals.join("; ")
                ),
                format!("custody release {} --evaluation REPORT --notice TEXT", sys.name),
            ));
        }
    }
    reasons
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::AssetFact;
    use crate::release::{Release, ReleaseLog, ReleasedAsset, version_digest};

    fn system(name: &str) -> SystemFacts {
        SystemFacts { name: name.into(), ..SystemFacts::default() }
    }

    fn model(sha: &str) -> AssetFact {
        AssetFact {
            path: "m.gguf".into(),
            kind: custody_core::AssetKind::Model,
            sha256: sha.into(),
            systems: vec!["bot".into()],
            ..AssetFact::default()
        }
    }

    fn released_as(a: &AssetFact) -> ReleaseLog {
        ReleaseLog {
            scan_seq: Some(1),
            integrity: Vec::new(),
            releases: vec![Release {
                id: 1,
                system: "bot".into(),
                version: Some("1.0".into()),
                digest: Some(version_digest([a])),
                assets: vec![ReleasedAsset {
                    path: a.path.clone(),
                    sha256: a.sha256.clone(),
                    kind: a.kind.as_str().to_string(),
                }],
            }],
        }
    }

    fn reasons(assets: &[AssetFact], log: &ReleaseLog) -> Vec<GateReason> {
        release_reasons(&[system("bot")], &ReleaseFacts { root: "/p", assets, findings: &[], log })
    }

    #[test]
    fn a_never_released_system_passes() {
        assert_eq!(reasons(&[model("aa")], &ReleaseLog::default()), vec![]);
    }

    #[test]
    fn an_unchanged_release_passes() {
        let a = model("aa");
        assert_eq!(reasons(std::slice::from_ref(&a), &released_as(&a)), vec![]);
    }

    #[test]
    fn changed_assets_whose_release_would_be_refused_fail() {
        let log = released_as(&model("aa"));
        let r = reasons(&[model("bb")], &log);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].kind, "release");
        assert_eq!(r[0].provision.as_deref(), Some("5.2.5-1"));
        assert_eq!(
            r[0].message,
            "bot ships assets that differ from released version 1.0, and releasing them would be refused: \
             m.gguf has no successful `custody verify` since the latest scan; no security evaluation given for \
             version 2.0 (--evaluation REPORT); version 2.0 changes a model or dataset: give the user notice with --notice"
        );
        assert_eq!(r[0].close.as_deref(), Some("custody release bot --evaluation REPORT --notice TEXT"));
    }

    #[test]
    fn a_system_that_ships_nothing_fails_only_if_it_was_released() {
        let a = model("aa");
        let log = released_as(&a);
        let facts = ReleaseFacts { root: "/p", assets: std::slice::from_ref(&a), findings: &[], log: &log };
        assert_eq!(
            release_reasons(&[system("bot"), system("empty")], &facts),
            Vec::new(),
            "never released: nothing to say"
        );
        let none = ReleaseFacts { root: "/p", assets: &[], findings: &[], log: &log };
        let r = release_reasons(&[system("bot")], &none);
        assert_eq!(r.len(), 1);
        assert!(r[0].message.starts_with("bot ships none of the assets of released version 1.0"), "{}", r[0].message);
    }

    #[test]
    fn release_reasons_fail_the_gate_after_its_own() {
        let mut result = GateResult {
            schema: "custody.gate/v1",
            pass: true,
            policy: GatePolicy::default(),
            checked_provisions: 0,
            reasons: Vec::new(),
        };
        result.fail_with(Vec::new());
        assert!(result.pass);
        let log = released_as(&model("aa"));
        result.fail_with(reasons(&[model("bb")], &log));
        assert!(!result.pass);
        assert_eq!(result.reasons.len(), 1);
    }
}

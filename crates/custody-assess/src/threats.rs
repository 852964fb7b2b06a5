//! Threats per system (5.1.3-1, 5.1.3-1.1): the facts about a system that the threat catalogue
//! (`custody_core::threats`) derives from, a digest of what they rest on (its assets' digests, its
//! configuration, the datasets it uses), and each derived threat's treatment state. Pure over
//! facts the binary gathers once.

use crate::input::AssetFact;
use custody_core::records::Dataset;
use custody_core::threats::{self, SystemFacts, Threat};
use custody_core::{AiUse, Exposure, Finding, Ownership, Role, System};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// Whether a derived threat has a current treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThreatState {
    /// No treatment recorded.
    #[default]
    Untreated,
    /// A treatment recorded before what the derivation rests on last changed.
    Stale,
    /// A treatment recorded for the system as it is.
    Treated,
}

impl ThreatState {
    pub fn as_str(self) -> &'static str {
        match self {
            ThreatState::Untreated => "untreated",
            ThreatState::Stale => "stale",
            ThreatState::Treated => "treated",
        }
    }
}

impl fmt::Display for ThreatState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The latest scan, as the threat derivation reads it.
#[derive(Debug, Clone, Copy)]
pub struct ThreatScan<'a> {
    pub assets: &'a [AssetFact],
    pub findings: &'a [Finding],
    pub uses: &'a [AiUse],
    /// Who owns what the scan found (a directory's files are owned through it).
    pub ownership: &'a Ownership,
}

/// A recorded treatment (`custody threats record`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Treatment {
    pub id: i64,
    /// `<system>/<threat id>`.
    pub key: String,
    /// The basis digest the treatment was recorded against.
    pub basis: Option<String>,
}

/// One derived threat of a system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreatRow {
    pub threat: &'static Threat,
    /// The facts that make it apply.
    pub why: String,
    pub state: ThreatState,
    /// The treatment record, if any.
    pub record: Option<i64>,
}

/// A system's derived threats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemThreats {
    pub system: String,
    pub rows: Vec<ThreatRow>,
}

/// Findings that make a model file unsafe or uninspectable.
fn unsafe_model_finding(code: &str) -> bool {
    code.starts_with("CUS-PKL") || code == "CUS-FMT-003" || code.starts_with("CUS-KER") || code.starts_with("CUS-TF")
}

/// A base model named like a hub repository (`org/name`), not a local path.
fn third_party(base: &str) -> bool {
    base.contains('/') && !base.starts_with('.') && !base.starts_with("models/")
}

/// Facts about one system, and a digest of what they rest on (its assets' digests, its
/// configuration, the datasets it uses). Dataset files are recorded relative to the project
/// root.
pub fn facts(
    sys: &System,
    roles: &[Role],
    scan: Option<&ThreatScan<'_>>,
    datasets: &[Dataset],
) -> (SystemFacts, String) {
    use sha2::{Digest, Sha256};
    let developer = roles.contains(&Role::Developer);
    let mut f = SystemFacts { exposed: sys.exposure != Exposure::Internal, ..SystemFacts::default() };
    let mut basis = vec![format!("{:?}|{:?}|{:?}", sys.exposure, sys.assets, sys.services)];
    f.uses_llm_service = !sys.services.is_empty();
    if let Some(s) = scan {
        let mut modalities = BTreeSet::new();
        for a in s.assets.iter().filter(|a| s.ownership.owners_of(&a.path).contains(&sys.name)) {
            basis.push(format!("{} {}", a.path, a.sha256));
            match a.kind.as_str() {
                "model" | "adapter" => f.has_models = true,
                "prompt" | "chat-template" => f.has_chat_template_or_prompts = true,
                "vector-store" => f.retrieval = true,
                _ => {}
            }
            if a.meta.get("chat_template").is_some_and(|c| c.as_bool() == Some(true) || c.is_string()) {
                f.has_chat_template_or_prompts = true;
            }
            if a.meta
                .get("base_models")
                .and_then(Value::as_array)
                .is_some_and(|b| b.iter().any(|x| x.as_str().is_some_and(third_party)))
            {
                f.third_party_models = true;
            }
            if a.kind == custody_core::AssetKind::Adapter || (a.is_dataset() && developer) {
                f.trains_models |= developer;
            }
            for m in a.meta.get("modalities").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
            {
                if m != "text" {
                    modalities.insert(m.to_string());
                }
            }
            if s.findings.iter().any(|x| {
                (x.location.path == a.path || x.location.path.starts_with(&format!("{}/", a.path)))
                    && unsafe_model_finding(x.code.as_str())
            }) {
                f.unsafe_model_findings = true;
            }
        }
        f.extra_modalities = modalities.into_iter().collect();
        // Organisation-wide signals from code (code is not mapped to systems).
        f.retrieval |= s.uses.iter().any(|u| u.category == "vector-store");
        f.agent_framework = s.uses.iter().any(|u| u.category == "orchestration");
        f.unpinned_downloads = s.findings.iter().any(|x| x.code.as_str() == "CUS-HUB-001");
    }
    for d in datasets {
        if d.files.iter().any(|x| sys.claims(&x.path, &x.sha256)) {
            basis.push(format!("dataset {} {:?}", d.name, d.files));
            f.personal_training_data |= d.sensitivity.is_personal();
            f.trains_models |= developer;
        }
    }
    basis.sort();
    (f, custody_core::hex::encode(&Sha256::digest(basis.join("\n").as_bytes())))
}

/// The state of `threat` for `system`: its treatment, and whether it was recorded against the
/// system as it is (`basis`).
pub fn state<'t>(
    treatments: &'t [Treatment],
    system: &str,
    threat: &str,
    basis: &str,
) -> (ThreatState, Option<&'t Treatment>) {
    let key = format!("{system}/{threat}");
    let rec = treatments.iter().find(|r| r.key == key);
    let state = match rec {
        None => ThreatState::Untreated,
        Some(r) if r.basis.as_deref() != Some(basis) => ThreatState::Stale,
        Some(_) => ThreatState::Treated,
    };
    (state, rec)
}

/// Every system's derived threats with their state, in the order of `systems`.
pub fn derive_all(
    systems: &[&System],
    roles: &[Role],
    scan: Option<&ThreatScan<'_>>,
    datasets: &[Dataset],
    treatments: &[Treatment],
) -> Vec<SystemThreats> {
    systems
        .iter()
        .map(|sys| {
            let (f, basis) = facts(sys, roles, scan, datasets);
            let rows = threats::derive(&f)
                .into_iter()
                .map(|(threat, why)| {
                    let (state, rec) = state(treatments, &sys.name, threat.id, &basis);
                    ThreatRow { threat, why, state, record: rec.map(|r| r.id) }
                })
                .collect();
            SystemThreats { system: sys.name.clone(), rows }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_core::ownership::{Found, reconcile};
    use custody_core::records::{DataFile, Sensitivity};
    use custody_core::{AssetRef, Location};
    use serde_json::json;

    fn system(name: &str, globs: &[&str]) -> System {
        System {
            name: name.into(),
            assets: globs.iter().map(|g| AssetRef::parse(g).expect("valid glob")).collect(),
            ..System::default()
        }
    }

    fn asset(path: &str, kind: &str, meta: Value) -> AssetFact {
        AssetFact {
            path: path.into(),
            kind: custody_core::AssetKind::parse(kind).expect("kind"),
            sha256: format!("{:0>64}", path.len()),
            meta,
            ..AssetFact::default()
        }
    }

    fn owned(assets: &[AssetFact], systems: &[System]) -> Ownership {
        let found: Vec<Found<'_>> =
            assets.iter().map(|a| Found { path: &a.path, sha256: &a.sha256, part_of: a.part_of.as_deref() }).collect();
        reconcile(&found, &|_: &str| Vec::new(), &[], Some(""), systems)
    }

    fn facts_of(
        sys: &System,
        roles: &[Role],
        assets: &[AssetFact],
        findings: &[Finding],
        uses: &[AiUse],
    ) -> SystemFacts {
        let own = owned(assets, std::slice::from_ref(sys));
        let scan = ThreatScan { assets, findings, uses, ownership: &own };
        facts(sys, roles, Some(&scan), &[]).0
    }

    fn ai_use(category: &str) -> AiUse {
        AiUse {
            path: "app.py".into(),
            line: 1,
            column: 1,
            kind: "sdk".into(),
            provider: None,
            category: category.into(),
            name: "x".into(),
            detail: None,
            pinned: None,
        }
    }

    #[test]
    fn configuration_alone_gives_exposure_and_services() {
        let mut sys = system("bot", &[]);
        let (f, _) = facts(&sys, &[], None, &[]);
        assert!(!f.exposed && !f.uses_llm_service);
        sys.exposure = Exposure::Public;
        sys.services = vec!["openai".into()];
        let (f, _) = facts(&sys, &[], None, &[]);
        assert!(f.exposed && f.uses_llm_service);
    }

    #[test]
    fn asset_kinds_and_metadata_of_owned_assets_count() {
        let sys = system("bot", &["m/**", "p.txt", "v"]);
        let assets = [
            asset("m/a.gguf", "model", json!({"modalities": ["text", "vision"], "base_models": ["org/base"]})),
            asset("p.txt", "prompt", json!({})),
            asset("v", "vector-store", json!({})),
            asset("other.gguf", "model", json!({"modalities": ["audio"]})),
        ];
        let f = facts_of(&sys, &[], &assets, &[], &[]);
        assert!(f.has_models && f.has_chat_template_or_prompts && f.retrieval && f.third_party_models);
        assert_eq!(f.extra_modalities, ["vision"], "not another system's audio model");
    }

    #[test]
    fn a_chat_template_in_metadata_counts_as_prompts() {
        let sys = system("bot", &["a.gguf"]);
        for meta in [json!({"chat_template": true}), json!({"chat_template": "{{ x }}"})] {
            assert!(facts_of(&sys, &[], &[asset("a.gguf", "model", meta)], &[], &[]).has_chat_template_or_prompts);
        }
        let f = facts_of(&sys, &[], &[asset("a.gguf", "model", json!({"chat_template": false}))], &[], &[]);
        assert!(!f.has_chat_template_or_prompts);
    }

    #[test]
    fn local_base_models_are_not_third_party() {
        let sys = system("bot", &["a.gguf"]);
        for base in ["./base", "models/base", "base"] {
            let a = asset("a.gguf", "model", json!({"base_models": [base]}));
            assert!(!facts_of(&sys, &[], &[a], &[], &[]).third_party_models, "{base}");
        }
    }

    #[test]
    fn a_developer_with_an_adapter_or_dataset_trains_models() {
        let sys = system("bot", &["*"]);
        for kind in ["adapter", "dataset"] {
            let a = [asset("x", kind, json!({}))];
            assert!(facts_of(&sys, &[Role::Developer], &a, &[], &[]).trains_models, "{kind}");
            assert!(!facts_of(&sys, &[Role::SystemOperator], &a, &[], &[]).trains_models, "{kind}");
        }
    }

    #[test]
    fn unsafe_findings_on_or_inside_an_owned_asset_count() {
        let sys = system("bot", &["m"]);
        let a = [asset("m", "model", json!({}))];
        let f = |code: &str, path: &str| {
            Finding::new(custody_scan::RULES.get(code).expect("a registered code"), "x", Location::file(path))
        };
        for code in ["CUS-PKL-001", "CUS-FMT-003", "CUS-KER-001", "CUS-TF-001"] {
            assert!(facts_of(&sys, &[], &a, &[f(code, "m/x")], &[]).unsafe_model_findings, "{code}");
        }
        assert!(!facts_of(&sys, &[], &a, &[f("CUS-FMT-001", "m")], &[]).unsafe_model_findings);
        assert!(!facts_of(&sys, &[], &a, &[f("CUS-PKL-001", "mx")], &[]).unsafe_model_findings);
    }

    #[test]
    fn code_signals_are_organisation_wide() {
        let sys = system("bot", &[]);
        let hub = Finding::new(custody_scan::TextCode::UnpinnedDownload, "x", Location::file("t.py"));
        let f = facts_of(&sys, &[], &[], &[hub], &[ai_use("vector-store"), ai_use("orchestration")]);
        assert!(f.retrieval && f.agent_framework && f.unpinned_downloads);
    }

    #[test]
    fn claimed_datasets_bring_personal_data_and_training() {
        let sys = system("bot", &["data/**"]);
        let ds = |path: &str| Dataset {
            name: "d".into(),
            sources: Vec::new(),
            licence: None,
            sensitivity: Sensitivity::Personal,
            owner: None,
            files: vec![DataFile { path: path.into(), sha256: "0".repeat(64) }],
            description: String::new(),
        };
        let (f, basis) = facts(&sys, &[Role::Developer], None, &[ds("data/a.csv")]);
        assert!(f.personal_training_data && f.trains_models);
        let (g, other) = facts(&sys, &[Role::Developer], None, &[ds("elsewhere.csv")]);
        assert!(!g.personal_training_data && !g.trains_models);
        assert_ne!(basis, other);
    }

    #[test]
    fn the_basis_changes_with_an_owned_asset_only() {
        let sys = system("bot", &["a.gguf"]);
        let basis = |assets: &[AssetFact]| {
            let own = owned(assets, std::slice::from_ref(&sys));
            facts(&sys, &[], Some(&ThreatScan { assets, findings: &[], uses: &[], ownership: &own }), &[]).1
        };
        let a = asset("a.gguf", "model", json!({}));
        let b = asset("b.gguf", "model", json!({}));
        let before = basis(&[a.clone(), b.clone()]);
        assert_eq!(before, basis(&[b.clone(), a.clone()]), "order does not matter");
        let mut b2 = b.clone();
        b2.sha256 = "f".repeat(64);
        assert_eq!(before, basis(&[a.clone(), b2]), "another system's asset does not matter");
        let mut a2 = a;
        a2.sha256 = "f".repeat(64);
        assert_ne!(before, basis(&[a2, b]));
    }

    #[test]
    fn treatment_state_follows_the_basis() {
        let t = |basis: Option<&str>| Treatment { id: 7, key: "bot/evasion".into(), basis: basis.map(str::to_string) };
        assert_eq!(state(&[], "bot", "evasion", "b1").0, ThreatState::Untreated);
        let current = [t(Some("b1"))];
        assert_eq!(state(&current, "bot", "evasion", "b1"), (ThreatState::Treated, Some(&current[0])));
        assert_eq!(state(&current, "bot", "evasion", "b2").0, ThreatState::Stale);
        assert_eq!(state(&[t(None)], "bot", "evasion", "b1").0, ThreatState::Stale);
        assert_eq!(state(&current, "bot2", "evasion", "b1").0, ThreatState::Untreated);
    }

    #[test]
    fn derive_all_rows_carry_threat_why_state_and_record() {
        let mut sys = system("bot", &["a.gguf"]);
        sys.exposure = Exposure::Public;
        let assets = [asset("a.gguf", "model", json!({}))];
        let own = owned(&assets, std::slice::from_ref(&sys));
        let scan = ThreatScan { assets: &assets, findings: &[], uses: &[], ownership: &own };
        let basis = facts(&sys, &[], Some(&scan), &[]).1;
        let treatments = [Treatment { id: 3, key: "bot/evasion".into(), basis: Some(basis) }];
        let got = derive_all(&[&sys], &[], Some(&scan), &[], &treatments);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].system, "bot");
        let evasion = got[0].rows.iter().find(|r| r.threat.id == "evasion").expect("own models bring evasion");
        assert_eq!((evasion.state, evasion.record), (ThreatState::Treated, Some(3)));
        assert!(got[0].rows.iter().filter(|r| r.threat.id != "evasion").all(|r| r.state == ThreatState::Untreated));
        assert_eq!(serde_json::to_value(ThreatState::Stale).ok(), Some(json!("stale")));
    }
}

//! Poorly documented third-party components (5.2.3-2): models without a licence or model card,
//! hub downloads without a pinned revision, files custody could not inspect. Each needs a written
//! justification (`custody justify`); the assessment reads them as [`crate::ComponentFact`]s.

use crate::input::AssetFact;
use custody_core::{AiUse, Finding};
use serde_json::Value;
use std::collections::BTreeMap;

/// A component that needs a justification, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weak {
    /// An asset path, `hub:<repo id>`, or the path of a file custody could not inspect.
    pub component: String,
    pub reasons: Vec<String>,
}

/// Findings that say a file could not be inspected.
const UNINSPECTED: [&str; 2] = ["CUS-FMT-003", "CUS-FMT-001"];

/// A directory asset that lists weight files: its files are judged with it.
fn lists_weights(a: &AssetFact) -> bool {
    a.format.contains('-') && a.meta.get("weights").is_some()
}

/// Poorly documented components in a scan, in component order.
pub fn weak_components(assets: &[AssetFact], uses: &[AiUse], findings: &[Finding]) -> Vec<Weak> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let dirs: Vec<String> = assets.iter().filter(|a| lists_weights(a)).map(|a| format!("{}/", a.path)).collect();
    for a in assets.iter().filter(|a| a.is_model()) {
        if dirs.iter().any(|d| a.path.starts_with(d.as_str())) {
            continue;
        }
        let mut why = Vec::new();
        let licence = a.meta.get("license").and_then(Value::as_str).is_some()
            || a.meta.pointer("/card/license").and_then(Value::as_str).is_some();
        if !licence {
            why.push("no licence".to_string());
        }
        if a.meta.get("model_card").and_then(Value::as_bool) == Some(false) {
            why.push("no model card".to_string());
        }
        if !why.is_empty() {
            out.entry(a.path.clone()).or_default().extend(why);
        }
    }
    for u in uses.iter().filter(|u| u.kind == "hub-download" && u.pinned == Some(false)) {
        out.entry(format!("hub:{}", u.name)).or_default().push(format!("revision not pinned ({}:{})", u.path, u.line));
    }
    for f in findings.iter().filter(|f| UNINSPECTED.contains(&f.code.as_str())) {
        out.entry(f.location.path.clone()).or_default().push(format!("could not be inspected ({})", f.code));
    }
    out.into_iter()
        .map(|(component, mut reasons)| {
            reasons.dedup();
            Weak { component, reasons }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_core::Location;
    use serde_json::json;

    fn model(path: &str, meta: Value) -> AssetFact {
        AssetFact {
            path: path.into(),
            kind: custody_core::AssetKind::Model,
            format: "gguf".into(),
            meta,
            ..AssetFact::default()
        }
    }

    fn weak(assets: &[AssetFact], uses: &[AiUse], findings: &[Finding]) -> Vec<(String, Vec<String>)> {
        weak_components(assets, uses, findings).into_iter().map(|w| (w.component, w.reasons)).collect()
    }

    #[test]
    fn a_model_without_a_licence_is_weak() {
        let got = weak(&[model("a.gguf", json!({}))], &[], &[]);
        assert_eq!(got, [("a.gguf".to_string(), vec!["no licence".to_string()])]);
    }

    #[test]
    fn a_licence_in_the_metadata_or_the_card_is_enough() {
        let assets = [
            model("a.gguf", json!({"license": "mit"})),
            model("b.gguf", json!({"card": {"license": "apache-2.0"}})),
            model("c.gguf", json!({"license": 3})),
        ];
        assert_eq!(weak(&assets, &[], &[]), [("c.gguf".to_string(), vec!["no licence".to_string()])]);
    }

    #[test]
    fn a_missing_model_card_is_weak() {
        let assets = [model("a.gguf", json!({"license": "mit", "model_card": false}))];
        assert_eq!(weak(&assets, &[], &[]), [("a.gguf".to_string(), vec!["no model card".to_string()])]);
        let with_card = [model("a.gguf", json!({"license": "mit", "model_card": true}))];
        assert_eq!(weak(&with_card, &[], &[]), []);
    }

    #[test]
    fn only_models_and_adapters_are_judged() {
        let mut adapter = model("lora", json!({}));
        adapter.kind = custody_core::AssetKind::Adapter;
        let mut data = model("d.parquet", json!({}));
        data.kind = custody_core::AssetKind::Dataset;
        assert_eq!(weak(&[adapter, data], &[], &[]), [("lora".to_string(), vec!["no licence".to_string()])]);
    }

    #[test]
    fn files_of_a_model_directory_are_judged_with_it() {
        let mut dir = model("m", json!({"license": "mit", "weights": ["m/w.safetensors"]}));
        dir.format = "hf-model".into();
        let inside = model("m/w.safetensors", json!({}));
        let beside = model("m2/w.safetensors", json!({}));
        let got = weak(&[dir, inside, beside], &[], &[]);
        assert_eq!(got, [("m2/w.safetensors".to_string(), vec!["no licence".to_string()])]);
    }

    #[test]
    fn unpinned_hub_downloads_are_weak() {
        let u = |name: &str, pinned| AiUse {
            path: "train.py".into(),
            line: 3,
            column: 1,
            kind: "hub-download".into(),
            provider: Some("huggingface".into()),
            category: "hub".into(),
            name: name.into(),
            detail: None,
            pinned,
        };
        let got = weak(&[], &[u("org/a", Some(false)), u("org/b", Some(true)), u("org/c", None)], &[]);
        assert_eq!(got, [("hub:org/a".to_string(), vec!["revision not pinned (train.py:3)".to_string()])]);
    }

    #[test]
    fn uninspectable_files_are_weak_and_reasons_are_not_repeated() {
        let f = |code: &str, path: &str| {
            Finding::new(custody_scan::RULES.get(code).expect("a registered code"), "x", Location::file(path))
        };
        let findings =
            [f("CUS-FMT-001", "x.bin"), f("CUS-FMT-001", "x.bin"), f("CUS-FMT-003", "y.pt"), f("CUS-PKL-001", "z")];
        let got = weak(&[], &[], &findings);
        assert_eq!(
            got,
            [
                ("x.bin".to_string(), vec!["could not be inspected (CUS-FMT-001)".to_string()]),
                ("y.pt".to_string(), vec!["could not be inspected (CUS-FMT-003)".to_string()]),
            ]
        );
    }
}

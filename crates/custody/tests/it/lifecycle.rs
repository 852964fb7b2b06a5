//! `custody release` and `custody decommission` end to end.

use crate::common;
use common::{code, custody, text};

use custody_formats::fixtures::{self, OnnxModel};
use std::path::Path;

fn setup(root: &Path) {
    std::fs::write(
        root.join("custody.toml"),
        "[organisation]\nname = \"T\"\nroles = [\"developer\", \"system-operator\", \"data-custodian\"]\n\n[[system]]\nname = \"app\"\nexposure = \"internal\"\nassets = [\"models/**\"]\n",
    )
    .expect("config");
    std::fs::create_dir_all(root.join("models")).expect("mkdir");
    std::fs::write(root.join("models/scorer.onnx"), fixtures::onnx(&OnnxModel::example())).expect("model");
    std::fs::write(root.join("eval.md"), "red-team report v1").expect("eval");
    assert_eq!(code(&custody(root, &["init", "--quiet"])), 0);
    assert_eq!(code(&custody(root, &["keygen", "--quiet"])), 0);
}

#[test]
fn a_release_needs_a_clean_scan_a_verified_signature_and_an_evaluation() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    setup(root);
    assert_eq!(code(&custody(root, &["scan", "--quiet"])), 0);
    let r = custody(root, &["release", "app"]);
    assert_eq!(code(&r), 1, "{}", text(&r.stdout));
    let t = text(&r.stdout);
    assert!(
        t.contains("REFUSED") && t.contains("custody verify") && t.contains("--evaluation") && t.contains("--notice"),
        "{t}"
    );
    let s = custody(root, &["sign", "models/scorer.onnx", "--private-key", "signing-key.pem", "--quiet"]);
    assert_eq!(code(&s), 0, "{}", text(&s.stderr));
    let v = custody(root, &["verify", "models/scorer.onnx", "--public-key", "signing-key.pub", "--quiet"]);
    assert_eq!(code(&v), 0, "{}", text(&v.stderr));
    let ok = custody(
        root,
        &["release", "app", "--evaluation", "eval.md", "--notice", "New fraud scorer", "--format", "json"],
    );
    assert_eq!(code(&ok), 0, "{}", text(&ok.stdout));
    let j: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("json");
    assert_eq!(j["release"]["version"], "1.0");
    assert_eq!(j["recorded"], true);
    let release_reasons = |root: &Path| -> usize {
        let g = custody(root, &["gate", "--no-findings", "--format", "json"]);
        let j: serde_json::Value = serde_json::from_slice(&g.stdout).expect("json");
        j["reasons"].as_array().map_or(0, |r| r.iter().filter(|x| x["kind"] == "release").count())
    };
    assert_eq!(release_reasons(root), 0, "what ships is what was released");
    // A changed model is a new major version, and needs fresh verification.
    std::fs::write(
        root.join("models/scorer.onnx"),
        fixtures::onnx(&OnnxModel { model_version: 2, ..OnnxModel::example() }),
    )
    .expect("model");
    assert_eq!(code(&custody(root, &["scan", "--quiet"])), 0);
    let again = custody(root, &["release", "app", "--evaluation", "eval.md", "--notice", "v2", "--format", "json"]);
    assert_eq!(code(&again), 1);
    let j: serde_json::Value = serde_json::from_slice(&again.stdout).expect("json");
    assert_eq!(j["release"]["version"], "2.0");
    let a = custody(root, &["audit", "verify"]);
    assert_eq!(code(&a), 0, "{}", text(&a.stdout));
    // The gate fails while the changed model is shipped without a release.
    let g = custody(root, &["gate", "--no-findings", "--format", "json"]);
    let j: serde_json::Value = serde_json::from_slice(&g.stdout).expect("json");
    let release_reasons: Vec<&serde_json::Value> =
        j["reasons"].as_array().expect("reasons").iter().filter(|r| r["kind"] == "release").collect();
    assert_eq!(release_reasons.len(), 1, "{j}");
    assert!(release_reasons[0]["message"].as_str().unwrap_or("").contains("differ from released version 1.0"));
}

#[test]
fn decommission_needs_the_files_gone_and_a_custodian() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    setup(root);
    assert_eq!(code(&custody(root, &["scan", "--quiet"])), 0);
    let d = custody(root, &["decommission", "app"]);
    assert_eq!(code(&d), 1);
    assert!(text(&d.stdout).contains("models/scorer.onnx") && text(&d.stdout).contains("still present"));
    let e = custody(root, &["decommission", "app", "--confirm"]);
    assert_eq!(code(&e), 2, "a disposal needs --as data-custodian");
    let early = custody(root, &["decommission", "app", "--confirm", "--as", "data-custodian", "--format", "json"]);
    assert_eq!(code(&early), 1);
    let j: serde_json::Value = serde_json::from_slice(&early.stdout).expect("json");
    assert_eq!(j["recorded"], false, "nothing is recorded while files remain");
    std::fs::remove_dir_all(root.join("models")).expect("rm");
    let done = custody(root, &["decommission", "app", "--confirm", "--as", "data-custodian", "--format", "json"]);
    assert_eq!(code(&done), 0, "{}", text(&done.stdout));
    let j: serde_json::Value = serde_json::from_slice(&done.stdout).expect("json");
    assert_eq!(j["recorded"], true);
}

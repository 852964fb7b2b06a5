//! `custody inspect FILE` and `custody scan` report the same findings for the same file: every
//! file of the committed model-file corpus is inspected alone and scanned in one tree, and the
//! findings about the file's content must be equal (code, severity, message, place, evidence).
//! Scan's inventory findings (registration, shadow AI) are about the project, not the file.

use crate::common::{custody, text};
use std::collections::BTreeMap;
use std::path::Path;

type Key = (String, String, String, Option<u64>, Option<String>);

fn keys(findings: &serde_json::Value, path: &str) -> Vec<Key> {
    let mut v: Vec<Key> = findings
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|f| f["location"]["path"].as_str() == Some(path))
        .filter(|f| !f["code"].as_str().unwrap_or_default().starts_with("CUS-INV-"))
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
                f["location"]["offset"].as_u64(),
                f["evidence"].as_str().map(str::to_string),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn inspect_and_scan_report_the_same_findings_for_every_corpus_file() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../custody-modelsec/tests/corpus");
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("custody.toml"), "[organisation]\nname = \"T\"\nroles = [\"developer\"]\n")
        .expect("config");
    let mut names = Vec::new();
    for class in ["benign", "malicious", "suspicious"] {
        for e in std::fs::read_dir(corpus.join(class)).expect("corpus") {
            let p = e.expect("entry").path();
            if !p.is_file() {
                continue;
            }
            let name = format!("{class}-{}", p.file_name().expect("name").to_string_lossy());
            std::fs::copy(&p, root.join(&name)).expect("copy");
            names.push(name);
        }
    }
    names.sort();
    assert!(names.len() > 100, "the corpus is there: {}", names.len());
    assert_eq!(custody(root, &["init", "--yes", "--quiet"]).status.code(), Some(0));
    let scan = custody(root, &["scan", "--format", "json"]);
    let scan: serde_json::Value = serde_json::from_slice(&scan.stdout).expect("scan JSON");
    let mut differ: BTreeMap<String, (Vec<Key>, Vec<Key>)> = BTreeMap::new();
    for name in &names {
        let o = custody(root, &["inspect", name, "--format", "json", "--allow-uninspectable", "--fail-on", "critical"]);
        let inspected: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}{}", text(&o.stdout), text(&o.stderr)));
        let a = keys(&inspected["findings"], name);
        let b = keys(&scan["findings"], name);
        if a != b {
            differ.insert(name.clone(), (a, b));
        }
    }
    assert!(differ.is_empty(), "{} of {} files differ (inspect, scan): {differ:#?}", differ.len(), names.len());
}

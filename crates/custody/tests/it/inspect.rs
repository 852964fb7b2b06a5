//! `custody inspect FILE` end to end: formats, exit codes, SARIF shape.

use custody_modelsec::fixtures::{Kind, samples};
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common;
use common::{custody, text};

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn write_sample(dir: &Path, name: &str) -> PathBuf {
    let s = samples().into_iter().find(|s| s.name == name).expect("sample");
    let p = dir.join(s.name);
    std::fs::write(&p, &s.bytes).expect("write");
    p
}

#[test]
fn malicious_file_fails_with_the_finding() {
    let d = tempfile::tempdir().expect("tempdir");
    write_sample(d.path(), "pytorch_zip_payload.pt");
    let o = custody(d.path(), &["inspect", "pytorch_zip_payload.pt"]);
    assert_eq!(code(&o), 1, "{}{}", text(&o.stdout), text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("CUS-PKL-001") && out.contains("posix.system"), "{out}");
    assert!(out.contains("pytorch_zip_payload.pt!archive/data.pkl@2"), "{out}");
    assert!(out.contains("call   posix.system by REDUCE"), "{out}");
}

#[test]
fn benign_checkpoint_passes() {
    let d = tempfile::tempdir().expect("tempdir");
    for name in
        ["pytorch_state_dict.pt", "sklearn_logreg.joblib", "chatml.gguf", "model.safetensors", "torch_legacy.pt"]
    {
        write_sample(d.path(), name);
        let o = custody(d.path(), &["inspect", name]);
        assert_eq!(code(&o), 0, "{name}: {}{}", text(&o.stdout), text(&o.stderr));
        assert!(text(&o.stdout).contains("No findings."), "{name}: {}", text(&o.stdout));
    }
}

#[test]
fn uninspectable_exits_2_unless_allowed() {
    let d = tempfile::tempdir().expect("tempdir");
    write_sample(d.path(), "nullifai_7z.pt");
    let o = custody(d.path(), &["inspect", "nullifai_7z.pt"]);
    assert_eq!(code(&o), 2, "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stderr).contains("--allow-uninspectable"), "{}", text(&o.stderr));
    let o = custody(d.path(), &["inspect", "nullifai_7z.pt", "--allow-uninspectable"]);
    assert_eq!(code(&o), 0, "{}{}", text(&o.stdout), text(&o.stderr));
}

#[test]
fn fail_on_sets_the_threshold() {
    let d = tempfile::tempdir().expect("tempdir");
    write_sample(d.path(), "webbrowser_open.pkl");
    assert_eq!(code(&custody(d.path(), &["inspect", "webbrowser_open.pkl"])), 1);
    assert_eq!(code(&custody(d.path(), &["inspect", "webbrowser_open.pkl", "--fail-on", "critical"])), 0);
    write_sample(d.path(), "unknown_global.pkl");
    assert_eq!(code(&custody(d.path(), &["inspect", "unknown_global.pkl"])), 0);
    assert_eq!(code(&custody(d.path(), &["inspect", "unknown_global.pkl", "--fail-on", "medium"])), 1);
    let o = custody(d.path(), &["inspect", "unknown_global.pkl", "--fail-on", "severe"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn json_output() {
    let d = tempfile::tempdir().expect("tempdir");
    write_sample(d.path(), "memo_stack_global.pkl");
    let o = custody(d.path(), &["inspect", "memo_stack_global.pkl", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["schema"], "custody.inspect/v1");
    assert_eq!(v["format"], "pickle");
    assert_eq!(v["inspected"], true);
    assert_eq!(v["max_severity"], "critical");
    assert!(v["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "CUS-PKL-001")));
    let imports = &v["pickle"]["streams"][0]["imports"];
    assert!(imports.as_array().is_some_and(|i| i.iter().any(|i| i["global"] == "posix.system")), "{imports}");
}

#[test]
fn sarif_output_is_complete_for_code_scanning() {
    let d = tempfile::tempdir().expect("tempdir");
    for s in samples().into_iter().filter(|s| s.kind == Kind::Malicious).take(40) {
        std::fs::write(d.path().join(s.name), &s.bytes).expect("write");
        let o = custody(
            d.path(),
            &["inspect", s.name, "--format", "sarif", "--allow-uninspectable", "--fail-on", "critical"],
        );
        assert!(matches!(code(&o), 0 | 1), "{}: {}", s.name, text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif json");
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules: Vec<&str> =
            run["tool"]["driver"]["rules"].as_array().expect("rules").iter().filter_map(|r| r["id"].as_str()).collect();
        let results = run["results"].as_array().expect("results");
        assert!(!results.is_empty(), "{}", s.name);
        for r in results {
            let id = r["ruleId"].as_str().expect("ruleId");
            assert!(rules.contains(&id), "{}: {id} not in rules", s.name);
            assert_eq!(rules[r["ruleIndex"].as_u64().expect("index") as usize], id);
            assert!(matches!(r["level"].as_str(), Some("error" | "warning" | "note")));
            assert!(!r["message"]["text"].as_str().unwrap_or("").is_empty());
            let loc = &r["locations"][0]["physicalLocation"];
            assert_eq!(loc["artifactLocation"]["uri"], s.name);
            assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
            assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
        }
    }
}

#[test]
fn not_a_file_and_missing_file_are_errors() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = custody(d.path(), &["inspect", "."]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("not a file"), "{}", text(&o.stderr));
    let o = custody(d.path(), &["inspect", "missing.pt"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn large_zip_is_read_as_a_prefix_and_not_fully_inspected() {
    let d = tempfile::tempdir().expect("tempdir");
    let s = samples().into_iter().find(|s| s.name == "pytorch_state_dict.pt").expect("sample");
    // A sparse file: the real archive at the start, then 300 MiB of holes.
    let p = d.path().join("big.pt");
    std::fs::write(&p, &s.bytes).expect("write");
    let f = std::fs::OpenOptions::new().write(true).open(&p).expect("open");
    f.set_len(300 << 20).expect("extend");
    let o = custody(d.path(), &["inspect", "big.pt", "--format", "json"]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["inspected"], false);
    assert_eq!(v["bytes_read"], 256u64 << 20);
}

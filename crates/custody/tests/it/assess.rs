//! `custody assess`, `custody gate` and `custody report` end to end on a small project: statuses
//! follow what is recorded, the gate's exit codes, every report format, determinism under a
//! fixed clock, and a tampered audit log failing the gate.

use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

use crate::common;
use common::{custody, custody_at, ok, text};

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", text(&o.stdout), text(&o.stderr)))
}

fn project(root: &Path) {
    std::fs::write(
        root.join("custody.toml"),
        "[organisation]\nname = \"T & <Co>\"\nroles = [\"developer\", \"data-custodian\"]\n\n[[system]]\nname = \"chat\"\nexposure = \"public\"\nintended_use = \"answer questions\"\nassets = [\"data/**\", \"models/**\"]\n",
    )
    .expect("config");
    std::fs::create_dir_all(root.join("data")).expect("mkdir");
    std::fs::create_dir_all(root.join("models")).expect("mkdir");
    std::fs::write(root.join("data/train.jsonl"), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n").expect("data");
    let model = custody_formats::fixtures::safetensors(&[("w", "F32", &[2, 2])], &[]);
    std::fs::write(root.join("models/tiny.safetensors"), model).expect("model");
    ok(&custody(root, &["init", "--quiet"]));
    ok(&custody(root, &["scan", "--quiet"]));
}

fn provision<'a>(a: &'a Value, id: &str) -> &'a Value {
    a["provisions"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("{id} not assessed"))
}

fn status(root: &Path, id: &str) -> String {
    let a = json(&custody(root, &["assess", "--format", "json"]));
    provision(&a, id)["status"].as_str().unwrap_or_default().to_string()
}

#[test]
fn statuses_follow_the_records() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let a = json(&custody(root, &["assess", "--format", "json"]));
    assert_eq!(a["schema"], "custody.assessment/v1");
    assert_eq!(a["automated_provisions"], 22);
    assert_eq!(a["audit_ok"], true);
    assert_eq!(provision(&a, "5.2.1-1")["status"], "met", "everything found is registered");
    assert_eq!(provision(&a, "5.2.1-2")["status"], "met");
    assert_eq!(provision(&a, "5.2.2-4")["status"], "gap");
    assert_eq!(provision(&a, "5.2.4-2")["status"], "gap", "training data without provenance");
    assert_eq!(provision(&a, "5.1.1-1")["status"], "gap");
    assert_eq!(provision(&a, "5.2.4-1.2")["status"], "gap", "the registered model is not signed");
    assert!(
        provision(&a, "5.2.4-1.2")["close"]
            .as_str()
            .is_some_and(|c| c.contains("custody sign models/tiny.safetensors"))
    );
    // Records close gaps.
    std::fs::write(root.join("SECURITY.md"), "Report vulnerabilities to security@example.org\n").expect("policy");
    ok(&custody(
        root,
        &[
            "data",
            "add",
            "train",
            "--source",
            "https://example.org/dump",
            "--acquired",
            "2026-10-01T09:00:00Z",
            "--method",
            "scraped",
            "--sensitivity",
            "personal",
            "--file",
            "data/train.jsonl",
            "--as",
            "developer",
        ],
    ));
    ok(&custody(
        root,
        &[
            "training",
            "add",
            "--person",
            "Ana",
            "--staff-role",
            "ML engineer",
            "--module",
            "Secure AI development",
            "--completed",
            "2026-10-01",
            "--expires",
            "2027-10-01",
        ],
    ));
    let a = json(&custody(root, &["assess", "--format", "json"]));
    for id in ["5.2.2-4", "5.2.4-2", "5.2.4-2.1", "5.1.1-1", "5.1.1-2.2"] {
        assert_eq!(provision(&a, id)["status"], "met", "{id}: {}", provision(&a, id)["rationale"]);
    }
    // Personal data behind a public system without a custodian approval: a hard gap.
    assert_eq!(provision(&a, "5.1.2-5")["status"], "gap");
    ok(&custody(
        root,
        &[
            "approve",
            "train",
            "--system",
            "chat",
            "--scope",
            "answers",
            "--addresses-sensitive-data",
            "--as",
            "data-custodian",
        ],
    ));
    assert_eq!(status(root, "5.1.2-5"), "met");
    // Attested evidence, and a recorded reason for non-applicability.
    std::fs::write(root.join("tm.md"), "threat model").expect("tm");
    ok(&custody(root, &["evidence", "add", "5.1.3-4", "--file", "tm.md", "--note", "periodic risk review"]));
    assert_eq!(status(root, "5.1.3-4"), "met");
    // 5.1.3-1 is decided from the derived threats: a document cannot lift untreated ones.
    ok(&custody(root, &["evidence", "add", "5.1.3-1", "--file", "tm.md", "--note", "AI threat model"]));
    assert_ne!(status(root, "5.1.3-1"), "met");
    ok(&custody(
        root,
        &[
            "evidence",
            "add",
            "5.2.2-3",
            "--url",
            "https://wiki.example.org/no-training",
            "--note",
            "not-applicable: we do not train models",
        ],
    ));
    assert_eq!(status(root, "5.2.2-3"), "not-applicable");
    // A week later the scan is stale: what it proves is only partial.
    let later = custody_at(root, "2026-12-20T12:00:00Z", &["assess", "--format", "json"]);
    assert_eq!(provision(&json(&later), "5.2.1-1")["status"], "partial");
    // Per system.
    let s = json(&custody(root, &["assess", "--system", "chat", "--format", "json"]));
    assert_eq!(s["system"]["name"], "chat");
    let e = custody(root, &["assess", "--system", "nope"]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e.stderr).contains("declared systems: chat"), "{}", text(&e.stderr));
}

#[test]
fn assess_table_puts_shall_gaps_first_and_says_how_to_close() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let out = ok(&custody(root, &["assess"]));
    assert!(out.contains("custody checks 22 of 72 provisions by itself"), "{out}");
    let first_should = out.find(" should ").unwrap_or(usize::MAX);
    let last_shall = out.rfind(" shall ").unwrap_or(0);
    assert!(last_shall < first_should, "shall before should:\n{out}");
    assert!(out.contains("close: custody training add"), "{out}");
    assert!(out.contains("Developer") && out.contains("Data Custodian") && out.contains("Organisation-wide"));
}

#[test]
fn gate_exit_codes_and_formats() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let g = custody(root, &["gate"]);
    assert_eq!(g.status.code(), Some(1));
    let out = text(&g.stdout);
    assert!(out.starts_with("GATE FAILED"), "{out}");
    assert!(out.lines().count() <= 24, "one screen:\n{out}");
    let j = json(&custody(root, &["gate", "--format", "json"]));
    assert_eq!(j["pass"], false);
    assert!(j["reasons"].as_array().is_some_and(|r| r.iter().any(|x| x["kind"] == "shall-gap")));
    let s = custody(root, &["gate", "--format", "sarif"]);
    assert_eq!(s.status.code(), Some(1));
    assert_eq!(json(&s)["version"], "2.1.0");
    // Only provisions that are met, and no findings: passes.
    let cfg = std::fs::read_to_string(root.join("custody.toml")).expect("read");
    std::fs::write(
        root.join("custody.toml"),
        format!("{cfg}\n[gate]\nfail_on = \"none\"\nprovisions = [\"5.2.1-1\", \"5.2.1-2\"]\n"),
    )
    .expect("write");
    ok(&custody(root, &["scan", "--quiet"]));
    let g = custody(root, &["gate"]);
    assert_eq!(g.status.code(), Some(0), "{}", text(&g.stdout));
    assert!(text(&g.stdout).starts_with("GATE PASSED"));
    // A finding at or above the threshold fails it again.
    // An AI service used in code that no system registers: a high finding (shadow AI).
    std::fs::write(root.join("app.py"), "import openai\nclient = openai.OpenAI()\n").expect("code");
    ok(&custody(root, &["scan", "--quiet"]));
    let g = custody(root, &["gate", "--fail-on", "high"]);
    assert_eq!(g.status.code(), Some(1), "{}", text(&g.stdout));
    assert!(text(&g.stdout).contains("CUS-"), "{}", text(&g.stdout));
    assert_eq!(custody(root, &["gate", "--no-findings"]).status.code(), Some(0));
    // An edited audit log fails the gate whatever else passes.
    let db = Connection::open(root.join(".custody/custody.db")).expect("db");
    db.execute("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 0", []).expect("tamper");
    drop(db);
    let g = custody(root, &["gate", "--no-findings"]);
    assert_eq!(g.status.code(), Some(1));
    assert!(text(&g.stdout).contains("audit log does not verify"), "{}", text(&g.stdout));
}

#[test]
fn bad_gate_config_is_located() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let cfg = std::fs::read_to_string(root.join("custody.toml")).expect("read");
    std::fs::write(root.join("custody.toml"), format!("{cfg}\n[gate]\nfail_on = \"severe\"\n")).expect("write");
    let e = custody(root, &["gate"]);
    assert_eq!(e.status.code(), Some(2));
    assert!(
        text(&e.stderr).contains("custody.toml:") && text(&e.stderr).contains("critical, none"),
        "{}",
        text(&e.stderr)
    );
}

#[test]
fn every_report_format_is_written_and_deterministic() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    for (format, check) in [
        ("html", "<!DOCTYPE html>"),
        ("markdown", "# ETSI"),
        ("json", "\"custody.report/v1\""),
        ("oscal", "\"assessment-results\""),
        ("oscal-profile", "\"profile\""),
        ("cyclonedx", "\"bomFormat\": \"CycloneDX\""),
        ("spdx", "\"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\""),
        ("sarif", "\"version\": \"2.1.0\""),
    ] {
        let a = ok(&custody(root, &["report", "--format", format]));
        let b = ok(&custody(root, &["report", "--format", format]));
        assert_eq!(a, b, "{format} is not deterministic");
        assert!(a.contains(check), "{format}: {}", &a[..a.len().min(300)]);
        if format != "html" && format != "markdown" {
            serde_json::from_str::<Value>(&a).unwrap_or_else(|e| panic!("{format}: {e}"));
        }
    }
    let html = ok(&custody(root, &["report", "--format", "html"]));
    assert!(html.contains("T &amp; &lt;Co&gt;") && !html.contains("<Co>"), "escaped organisation");
    let out = root.join("bom.json");
    ok(&custody(
        root,
        &["report", "--format", "cyclonedx", "--cyclonedx-version", "1.7", "--out", out.to_str().unwrap_or("bom.json")],
    ));
    let bom: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    assert_eq!(bom["specVersion"], "1.7");
    assert!(bom["components"].as_array().is_some_and(|c| c.iter().any(|x| x["type"] == "machine-learning-model")));
}

#[test]
fn assess_without_a_scan_still_answers() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("custody.toml"), "[organisation]\nname = \"T\"\nroles = [\"system-operator\"]\n")
        .expect("config");
    ok(&custody(root, &["init", "--quiet"]));
    let a = json(&custody(root, &["assess", "--format", "json"]));
    assert_eq!(provision(&a, "5.2.1-1")["status"], "gap");
    assert_eq!(provision(&a, "5.2.1-1")["close"], "custody scan");
    assert!(a["scan"].is_null());
    assert_eq!(custody(root, &["gate"]).status.code(), Some(1));
}

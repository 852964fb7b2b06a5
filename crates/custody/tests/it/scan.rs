//! `custody scan`, `graph` and `register` end to end on trees built from fixture writers.

use crate::common;
use common::{custody, text};
use std::process::Output;

use custody_formats::fixtures::{self, GgufValue as V, OnnxModel};
use serde_json::Value;
use std::path::Path;

fn ok_json(o: &Output) -> Value {
    assert!(o.status.code() == Some(0), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("json")
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

const OPENAI_KEY: &str = "sk-proj-Q7fZx2LmN9pRtV4wYb8KcD1eGh3JkS6uA0oPqXzT5nMvB";

/// A small AI project: an app calling OpenAI, a registered model, an unregistered one.
fn project(root: &Path) {
    write(
        root,
        "custody.toml",
        b"[organisation]\nname = \"T\"\nroles = [\"developer\"]\n\n[[system]]\nname = \"app\"\nexposure = \"public\"\nassets = [\"models/registered.onnx\"]\nservices = [\"openai\"]\n",
    );
    write(root, "app/main.py", format!("from openai import OpenAI\nclient = OpenAI(api_key=\"{OPENAI_KEY}\")\nsession = load('../models/registered.onnx')\n").as_bytes());
    write(root, "models/registered.onnx", &fixtures::onnx(&OnnxModel::example()));
    write(
        root,
        "scripts/ask.sh",
        b"#!/bin/sh\ncurl https://api.openai.com/v1/chat/completions -H \"Authorization: Bearer $OPENAI_API_KEY\"\n",
    );
    let gguf = fixtures::gguf(&[("general.architecture", V::str("llama"))], &[("w", 0, &[4, 4])]);
    write(root, "models/stray.gguf", &gguf);
    let init = custody(root, &["init", "--quiet"]);
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
}

fn scan(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    ok_json(&custody(root, &args))
}

fn codes(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (f["code"].as_str().unwrap_or("").to_string(), f["location"]["path"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

#[test]
fn shadow_ai_registered_assets_and_masked_credentials() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let v = scan(root, &[]);
    assert_eq!(v["schema"], "custody.scan/v1");
    assert_eq!(v["shadow"]["assets"], serde_json::json!(["models/stray.gguf"]));
    assert_eq!(v["shadow"]["services"], serde_json::json!([]));
    assert_eq!(v["registered"]["models/registered.onnx"], serde_json::json!(["app"]));
    let c = codes(&v);
    assert!(c.contains(&("CUS-INV-001".into(), "models/stray.gguf".into())), "{c:?}");
    assert!(c.contains(&("CUS-SEC-001".into(), "app/main.py".into())), "{c:?}");
    // The key is reported masked and never output or stored in clear.
    let out = v.to_string();
    assert!(!out.contains(OPENAI_KEY));
    assert!(out.contains("sk-proj-"), "the masked key keeps its prefix");
    let db = std::fs::read(root.join(".custody/custody.db")).expect("db");
    let wal = std::fs::read(root.join(".custody/custody.db-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(!bytes.windows(OPENAI_KEY.len()).any(|w| w == OPENAI_KEY.as_bytes()), "raw key stored");
    }
    // Metadata without loading: the GGUF's architecture, the ONNX's producer.
    let assets = v["assets"].as_array().expect("assets");
    let stray = assets.iter().find(|a| a["path"] == "models/stray.gguf").expect("stray");
    assert_eq!(stray["meta"]["architecture"], "llama");
    assert_eq!(stray["format"], "gguf");
    assert_eq!(stray["sha256"].as_str().map(str::len), Some(64));
    // Connection: the app loads the registered model and calls OpenAI.
    let edges = v["edges"].as_array().expect("edges");
    let has = |s: &str, t: &str, k: &str| edges.iter().any(|e| e["source"] == s && e["target"] == t && e["kind"] == k);
    assert!(has("app/main.py", "models/registered.onnx", "loads"), "{edges:?}");
    assert!(has("app/main.py", "service:openai", "calls"), "{edges:?}");
    // Shell scripts count: curl to an AI endpoint (a real miss found by the cdxgen comparison).
    assert!(has("scripts/ask.sh", "service:openai", "calls"), "{edges:?}");
    // --fail-on turns findings into a policy failure.
    assert_eq!(custody(root, &["scan", "--quiet", "--fail-on", "high"]).status.code(), Some(1));
    assert_eq!(custody(root, &["scan", "--quiet", "--fail-on", "critical"]).status.code(), Some(0));
}

#[test]
fn rescans_use_the_cache_and_report_changes() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let first = scan(root, &[]);
    assert!(first["stats"]["hashed_bytes"].as_u64().unwrap_or(0) > 0);
    let again = scan(root, &[]);
    assert_eq!(again["stats"]["hashed_bytes"], 0, "an unchanged tree is not read again");
    assert_eq!(again["stats"]["cached_files"], again["stats"]["files"]);
    assert_eq!(again["assets"], first["assets"], "cached results are the same results");
    assert_eq!(again["changes"]["new"], serde_json::json!([]));
    // Modify one model, add one, remove one.
    let gguf = fixtures::gguf(&[("general.architecture", V::str("mistral"))], &[("w", 0, &[4, 4])]);
    write(root, "models/stray.gguf", &gguf);
    write(root, "models/new.safetensors", &fixtures::safetensors(&[("w", "F16", &[2, 2])], &[]));
    std::fs::remove_file(root.join("models/registered.onnx")).expect("rm");
    let after = scan(root, &[]);
    assert_eq!(after["changes"]["modified"], serde_json::json!(["models/stray.gguf"]));
    assert_eq!(after["changes"]["new"], serde_json::json!(["models/new.safetensors"]));
    assert_eq!(after["changes"]["removed"], serde_json::json!(["models/registered.onnx"]));
    let c = codes(&after);
    assert!(c.iter().any(|(code, _)| code == "CUS-INV-002"), "the registered model is now missing: {c:?}");
    // --rehash reads everything again.
    let re = scan(root, &["--rehash"]);
    assert_eq!(re["stats"]["cached_files"], 0);
}

#[test]
fn content_decides_and_lying_extensions_are_findings() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, "custody.toml", b"[organisation]\nname = \"T\"\nroles = [\"developer\"]\n");
    assert_eq!(custody(root, &["init", "--quiet"]).status.code(), Some(0));
    let [p2, _, _] = fixtures::pickles();
    write(root, "m/model.safetensors", &p2);
    write(root, "m/picture.png", &p2);
    write(root, "m/broken.gguf", b"not a gguf at all, just text pretending");
    write(root, "m/packed.pt", b"7z\xbc\xaf\x27\x1c\x00\x04 rest of a 7z archive");
    write(root, "m/noext", &fixtures::safetensors(&[("w", "F32", &[2])], &[]));
    write(root, "m/path.pth", b"/usr/lib/python3/dist-packages\n");
    let v = scan(root, &[]);
    let c = codes(&v);
    for (code, path) in [
        ("CUS-CLS-001", "m/model.safetensors"),
        ("CUS-CLS-001", "m/picture.png"),
        ("CUS-FMT-001", "m/broken.gguf"),
        ("CUS-FMT-003", "m/packed.pt"),
    ] {
        assert!(c.contains(&(code.to_string(), path.to_string())), "{code} {path}: {c:?}");
    }
    let assets = v["assets"].as_array().expect("assets");
    let fmt = |p: &str| assets.iter().find(|a| a["path"] == p).map(|a| a["format"].clone());
    assert_eq!(fmt("m/model.safetensors"), Some(Value::from("pickle")), "content wins over the name");
    assert_eq!(fmt("m/noext"), Some(Value::from("safetensors")));
    assert_eq!(fmt("m/path.pth"), None, "a Python path file is not a model");
}

#[test]
fn links_names_and_ignored_paths() {
    let dir = tempfile::tempdir().expect("tmp");
    let outside = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, "custody.toml", b"[organisation]\nname = \"T\"\nroles = [\"developer\"]\n");
    assert_eq!(custody(root, &["init", "--quiet"]).status.code(), Some(0));
    let gguf = fixtures::gguf(&[], &[]);
    write(outside.path(), "secret.gguf", &gguf);
    std::os::unix::fs::symlink(outside.path().join("secret.gguf"), root.join("escape.gguf")).expect("link");
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("broken")).expect("link");
    std::os::unix::fs::symlink(root.join("loop-b"), root.join("loop-a")).expect("link");
    std::os::unix::fs::symlink(root.join("loop-a"), root.join("loop-b")).expect("link");
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"weights-\xff.gguf");
    std::fs::write(root.join(odd), &gguf).expect("odd name");
    write(root, ".gitignore", b"ignored/\n");
    write(root, "ignored/hidden.gguf", &gguf);
    write(root, "skipme/x.gguf", &gguf);
    let v = scan(root, &[]);
    let c = codes(&v);
    for (code, path) in [("CUS-WALK-003", "escape.gguf"), ("CUS-WALK-002", "broken"), ("CUS-WALK-004", "loop-a")] {
        assert!(c.contains(&(code.to_string(), path.to_string())), "{code} {path}: {c:?}");
    }
    assert!(c.iter().any(|(code, p)| code == "CUS-WALK-006" && p.starts_with("weights-")), "{c:?}");
    let paths: Vec<&str> = v["assets"].as_array().expect("a").iter().filter_map(|a| a["path"].as_str()).collect();
    assert!(paths.contains(&"ignored/hidden.gguf"), "git-ignored paths are scanned by default: {paths:?}");
    assert!(!paths.contains(&"escape.gguf"), "links out of the root are not followed");
    let v = scan(root, &["--exclude", "skipme/**"]);
    let paths: Vec<&str> = v["assets"].as_array().expect("a").iter().filter_map(|a| a["path"].as_str()).collect();
    assert!(!paths.contains(&"skipme/x.gguf") && paths.contains(&"ignored/hidden.gguf"), "{paths:?}");
    let v = scan(root, &["--respect-gitignore", "--exclude", "skipme/**"]);
    let paths: Vec<&str> = v["assets"].as_array().expect("a").iter().filter_map(|a| a["path"].as_str()).collect();
    assert!(!paths.contains(&"ignored/hidden.gguf") && !paths.contains(&"skipme/x.gguf"), "{paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("weights-")));
}

#[test]
fn graph_and_register() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let e = custody(root, &["graph"]);
    assert_eq!(e.status.code(), Some(2), "no scan yet");
    scan(root, &[]);
    let g = ok_json(&custody(root, &["graph", "--format", "json"]));
    assert_eq!(g["schema"], "custody.graph/v1");
    let nodes = g["nodes"].as_array().expect("nodes");
    assert!(nodes.iter().any(|n| n["id"] == "service:openai" && n["kind"] == "service"));
    let dot = custody(root, &["graph"]);
    let dot = text(&dot.stdout);
    assert!(dot.starts_with("digraph custody {") && dot.contains("\"app/main.py\" -> \"service:openai\""), "{dot}");
    // Registering the stray model removes it from shadow AI and keeps the file's comments.
    let before = std::fs::read_to_string(root.join("custody.toml")).expect("cfg");
    let r = custody(root, &["register", "app", "--asset", "models/stray.gguf"]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    let after = std::fs::read_to_string(root.join("custody.toml")).expect("cfg");
    assert!(after.starts_with(&before[..before.find("[[system]]").unwrap_or(0)]));
    let v = scan(root, &[]);
    assert_eq!(v["shadow"]["assets"], serde_json::json!([]));
    let e = custody(root, &["register", "nope", "--asset", "x"]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e.stderr).contains("declared systems: app"), "{}", text(&e.stderr));
}

#[test]
fn scan_refuses_a_missing_root_and_a_missing_store() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, "custody.toml", b"[organisation]\nname = \"T\"\nroles = [\"developer\"]\n");
    let e = custody(root, &["scan"]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e.stderr).contains("custody init"), "{}", text(&e.stderr));
    assert_eq!(custody(root, &["init", "--quiet"]).status.code(), Some(0));
    let e = custody(root, &["scan", "does-not-exist"]);
    assert_eq!(e.status.code(), Some(2));
}

#[test]
fn rules_are_documented_in_docs_rules_md() {
    let dir = tempfile::tempdir().expect("tmp");
    let md = custody(dir.path(), &["rules", "--format", "markdown"]);
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md")).unwrap_or_default();
    assert_eq!(
        text(&md.stdout),
        committed,
        "docs/rules.md is stale: regenerate with `custody rules --format markdown > docs/rules.md`"
    );
    let one = custody(dir.path(), &["rules", "cus-sec-001"]);
    assert!(text(&one.stdout).contains("CUS-SEC-001"));
    assert_eq!(custody(dir.path(), &["rules", "CUS-NOPE-001"]).status.code(), Some(2));
}

#[test]
fn an_unchanged_tree_is_a_repeat_and_a_change_is_not() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let first = custody(root, &["scan"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let again = custody(root, &["scan"]);
    let t = text(&again.stdout);
    assert!(t.contains("; 0 B read and hashed"), "{t}");
    assert!(t.contains("models/stray.gguf"), "the repeat still shows the shadow model: {t}");
    // The repeat is recorded and shares the first scan's data: graph and JSON still work.
    let g = ok_json(&custody(root, &["graph", "--format", "json"]));
    assert!(!g["edges"].as_array().expect("edges").is_empty());
    let db = rusqlite::Connection::open(root.join(".custody/custody.db")).expect("db");
    let (n, repeats): (i64, i64) =
        db.query_row("SELECT count(*), count(same_as) FROM scan", [], |r| Ok((r.get(0)?, r.get(1)?))).expect("count");
    assert_eq!((n, repeats), (2, 1));
    // A touched file (same content, new mtime) is not a repeat; nor is a changed registration.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let p = root.join("app/main.py");
    let body = std::fs::read(&p).expect("read");
    std::fs::write(&p, body).expect("touch");
    let third = custody(root, &["scan"]);
    let t = text(&third.stdout);
    assert!(!t.contains("; 0 B read and hashed"), "the touched file is read again: {t}");
    let repeats: i64 = db.query_row("SELECT count(same_as) FROM scan", [], |r| r.get(0)).expect("count");
    assert_eq!(repeats, 1, "a touched file forces a real scan");
    assert_eq!(custody(root, &["register", "app", "--service", "anthropic"]).status.code(), Some(0));
    custody(root, &["scan"]);
    let repeats: i64 = db.query_row("SELECT count(same_as) FROM scan", [], |r| r.get(0)).expect("count");
    assert_eq!(repeats, 1, "a changed registration forces a real scan");
    custody(root, &["scan"]);
    let repeats: i64 = db.query_row("SELECT count(same_as) FROM scan", [], |r| r.get(0)).expect("count");
    assert_eq!(repeats, 2);
}

//! "Which system owns this asset" has one answer: scan, assess, gate, release and threats agree
//! on it, whatever the glob, the digest's case, the directory scanned or the file name.

use crate::common;
use common::{code, custody, fails, json, ok, text};

use custody_formats::fixtures::{self, OnnxModel};
use serde_json::Value;
use std::path::Path;

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

/// A project whose one system `app` declares `assets`, with `files` (path, bytes) in it.
fn project(root: &Path, assets: &[&str], files: &[(&str, Vec<u8>)]) {
    config(root, assets);
    for (p, b) in files {
        write(root, p, b);
    }
    ok(&custody(root, &["init", "--quiet"]));
}

fn config(root: &Path, assets: &[&str]) {
    let list: Vec<String> = assets.iter().map(|a| format!("{a:?}")).collect();
    write(
        root,
        "custody.toml",
        format!(
            "[organisation]\nname = \"T\"\nroles = [\"developer\", \"system-operator\", \"data-custodian\"]\n\n[[system]]\nname = \"app\"\nexposure = \"internal\"\nassets = [{}]\n",
            list.join(", ")
        )
        .as_bytes(),
    );
}

fn model(version: u64) -> Vec<u8> {
    fixtures::onnx(&OnnxModel { model_version: version, ..OnnxModel::example() })
}

fn jsonl() -> Vec<u8> {
    (0..8).map(|i| format!("{{\"text\": \"example {i}\", \"label\": {}}}\n", i % 2)).collect::<String>().into_bytes()
}

/// Scan (JSON): the paths the scan says `app` registers, and its shadow assets.
fn scan(root: &Path, args: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut all = vec!["scan", "--format", "json"];
    all.extend_from_slice(args);
    let v = json(&custody(root, &all));
    let registered = v["registered"]
        .as_object()
        .expect("registered")
        .iter()
        .filter(|(_, s)| s.as_array().is_some_and(|s| s.iter().any(|x| x == "app")))
        .map(|(p, _)| p.clone())
        .collect();
    let shadow = v["shadow"]["assets"]
        .as_array()
        .expect("shadow")
        .iter()
        .filter_map(|p| p.as_str())
        .map(str::to_string)
        .collect();
    (registered, shadow)
}

/// What `custody release app --dry-run` would ship (paths relative to the scan root).
fn shipped(root: &Path) -> Vec<String> {
    let r = custody(root, &["release", "app", "--dry-run", "--format", "json"]);
    assert!(matches!(code(&r), 0 | 1), "stdout: {}\nstderr: {}", text(&r.stdout), text(&r.stderr));
    let v: Value = serde_json::from_slice(&r.stdout).expect("json");
    v["release"]["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .filter_map(|a| a[0].as_str())
        .map(str::to_string)
        .collect()
}

/// `custody threats --format json` (exit 1 while threats are untreated).
fn threats(root: &Path) -> Value {
    let o = custody(root, &["threats", "--format", "json"]);
    assert!(matches!(code(&o), 0 | 1), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("json")
}

/// Shadow AI as `custody assess` counts it.
fn assessed_shadow(root: &Path) -> u64 {
    json(&custody(root, &["assess", "--format", "json"]))["scan"]["shadow"].as_u64().expect("shadow")
}

#[test]
fn a_star_does_not_cross_a_slash_in_scan_assess_or_release() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, &["models/*"], &[("models/top.onnx", model(1)), ("models/sub/nested.onnx", model(2))]);
    let (registered, shadow) = scan(root, &[]);
    assert_eq!(registered, ["models/top.onnx"], "scan");
    assert_eq!(shadow, ["models/sub/nested.onnx"], "scan");
    assert_eq!(assessed_shadow(root), 1, "assess agrees with the scan");
    assert_eq!(shipped(root), ["models/top.onnx"], "release agrees with the scan");
}

#[test]
fn digests_are_compared_without_regard_to_case_everywhere() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, &["nothing/**"], &[("models/m.onnx", model(1))]);
    let v = json(&custody(root, &["scan", "--format", "json"]));
    let sha = v["assets"][0]["sha256"].as_str().expect("sha").to_string();
    config(root, &[&format!("sha256:{}", sha.to_uppercase())]);
    let (registered, shadow) = scan(root, &[]);
    assert_eq!((registered.as_slice(), shadow.len()), (["models/m.onnx".to_string()].as_slice(), 0), "scan");
    assert_eq!(assessed_shadow(root), 0, "assess");
    assert_eq!(shipped(root), ["models/m.onnx"], "release");
    let t = threats(root);
    let ids: Vec<&str> =
        t["systems"][0]["threats"].as_array().expect("threats").iter().filter_map(|x| x["id"].as_str()).collect();
    let lower = tempfile::tempdir().expect("tmp");
    project(lower.path(), &[&format!("sha256:{sha}")], &[("models/m.onnx", model(1))]);
    ok(&custody(lower.path(), &["scan", "--quiet"]));
    let t2 = threats(lower.path());
    let ids2: Vec<&str> =
        t2["systems"][0]["threats"].as_array().expect("threats").iter().filter_map(|x| x["id"].as_str()).collect();
    assert_eq!(ids, ids2, "threats derive the same from an upper- or lower-case digest");
    assert!(ids.contains(&"evasion"), "threats see the system's model: {ids:?}");
}

#[test]
fn a_subdirectory_scan_is_rebased_onto_the_project_root() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, &["svc/models/*.onnx"], &[("svc/models/m.onnx", model(1)), ("svc/stray.onnx", model(2))]);
    let (registered, shadow) = scan(root, &["svc"]);
    assert_eq!(registered, ["models/m.onnx"], "scan (paths relative to the scanned directory)");
    assert_eq!(shadow, ["stray.onnx"]);
    assert_eq!(assessed_shadow(root), 1, "assess");
    assert_eq!(shipped(root), ["models/m.onnx"], "release rebases too");
    let t = threats(root);
    assert!(t.to_string().contains("\"evasion\""), "threats see the system's model: {t}");
}

#[test]
fn non_ascii_file_names_never_panic() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, &["data/*.jsonl"], &[("data/é.jsonl", jsonl()), ("data/日本.jsonl", jsonl())]);
    let (registered, shadow) = scan(root, &[]);
    assert_eq!(registered, ["data/é.jsonl", "data/日本.jsonl"]);
    assert!(shadow.is_empty());
    for args in [&["threats"][..], &["assess"], &["gate", "--no-findings"], &["release", "app", "--dry-run"]] {
        let o = custody(root, args);
        assert!(matches!(code(&o), 0 | 1), "{args:?}: stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    }
    assert_eq!(assessed_shadow(root), 0);
}

#[test]
fn an_invalid_glob_is_a_located_configuration_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(
        root,
        "custody.toml",
        b"[organisation]\nname = \"T\"\nroles = [\"developer\"]\n\n[[system]]\nname = \"app\"\nexposure = \"internal\"\nassets = [\"models/**\",\n  \"data/[.jsonl\"]\n",
    );
    let e = fails(&custody(root, &["applicable"]), 2);
    assert!(e.contains("custody.toml:9:3") && e.contains("data/[.jsonl"), "{e}");
}

#[test]
fn assess_reads_the_scan_s_ownership_not_its_display_and_recomputes_it_for_an_older_scan() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(
        root,
        &["models/registered.onnx"],
        &[("models/registered.onnx", model(1)), ("models/stray.onnx", model(2))],
    );
    ok(&custody(root, &["scan", "--quiet"]));
    assert_eq!(assessed_shadow(root), 1);
    let db = root.join(".custody/custody.db");
    // The table the scan shows is a display cache: assess must not read it.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("UPDATE scan SET summary_json = '{}'", []).expect("blank the display");
    drop(conn);
    assert_eq!(assessed_shadow(root), 1, "ownership comes from the scan's typed data");
    // Back to a store version 6 left, with a scan recorded before ownership was kept.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch("ALTER TABLE scan DROP COLUMN ownership_json; DELETE FROM schema_migration WHERE version = 7;")
        .expect("downgrade");
    drop(conn);
    // Read-only commands refuse an older store; any writing command upgrades it.
    let e = fails(&custody(root, &["assess"]), 2);
    assert!(e.contains("older"), "{e}");
    ok(&custody(root, &["register", "app", "--asset", "models/registered.*"]));
    assert!(root.join(".custody/custody.db.pre-v6.bak").is_file(), "upgraded from version 6");
    let v = json(&custody(root, &["assess", "--format", "json"]));
    assert_eq!(v["scan"]["shadow"], 1, "recomputed from the scan's assets and custody.toml: {}", v["scan"]);
    let p = v["provisions"].as_array().expect("provisions").iter().find(|p| p["id"] == "5.2.1-1").expect("5.2.1-1");
    assert!(p.to_string().contains("models/stray.onnx"), "{p}");
    assert_eq!(shipped(root), ["models/registered.onnx"], "release recomputes the same");
}

//! Nothing lost (issue 10): what the scanner cannot read or clear is reported, never skipped in
//! silence, and the incremental cache cannot be fooled by setting a file's mtime back.

use crate::common;
use common::{custody, ok, text};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn ok_json(o: &Output) -> Value {
    assert!(o.status.code() == Some(0), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("json")
}

fn project(root: &Path) {
    std::fs::write(root.join("custody.toml"), "[organisation]\nname = \"T\"\nroles = [\"developer\"]\n").expect("toml");
    ok(&custody(root, &["init", "--quiet"]));
}

fn scan(root: &Path) -> Value {
    ok_json(&custody(root, &["scan", "--format", "json"]))
}

fn sha_of(v: &Value, path: &str) -> String {
    v["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .find(|a| a["path"] == path)
        .and_then(|a| a["sha256"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_in_place_edit_with_mtime_set_back_is_seen() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let good = custody_formats::fixtures::safetensors(&[("w", "F32", &[4])], &[]);
    let path = root.join("model.safetensors");
    std::fs::write(&path, &good).expect("write");
    let first = scan(root);
    let before = sha_of(&first, "model.safetensors");
    assert_eq!(before.len(), 64);
    let mtime = std::fs::metadata(&path).expect("meta").modified().expect("mtime");
    // Same size, different bytes (the last tensor byte), mtime put back as it was.
    let mut evil = good.clone();
    let last = evil.len() - 1;
    evil[last] ^= 0xff;
    std::thread::sleep(std::time::Duration::from_millis(20));
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).expect("open");
        f.seek(SeekFrom::Start(last as u64)).expect("seek");
        f.write_all(&evil[last..]).expect("edit");
        f.set_modified(mtime).expect("set mtime back");
    }
    let m = std::fs::metadata(&path).expect("meta");
    assert_eq!(
        (m.len(), m.modified().expect("mtime")),
        (good.len() as u64, mtime),
        "the edit is invisible to size+mtime"
    );
    let after = scan(root);
    let now = sha_of(&after, "model.safetensors");
    assert_ne!(now, before, "the stale digest was kept");
    assert_eq!(after["changes"]["modified"], serde_json::json!(["model.safetensors"]));
    assert_eq!(after["stats"]["hashed_bytes"], good.len(), "the model was read again: {}", after["stats"]);
    // And an untouched tree still comes from the cache.
    let again = scan(root);
    assert_eq!(again["stats"]["hashed_bytes"], 0);
    assert_eq!(sha_of(&again, "model.safetensors"), now);
}
fn findings_at<'a>(v: &'a Value, path: &str) -> Vec<&'a str> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"] == path)
        .filter_map(|f| f["code"].as_str())
        .collect()
}

/// `os.system('id')` behind a BINBYTES8 blob of `blob` bytes, as a sparse file: nothing like
/// `blob` bytes is written to disk.
fn pickle_behind_a_blob(path: &Path, blob: u64) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::File::create(path).expect("create");
    f.write_all(b"\x80\x04\x8e").expect("header");
    f.write_all(&blob.to_le_bytes()).expect("length");
    f.seek(SeekFrom::Current(i64::try_from(blob).expect("fits"))).expect("seek past the hole");
    f.write_all(b"0cos\nsystem\n(S'id'\ntR.").expect("gadget");
}

#[test]
fn what_inspect_cannot_clear_scan_reports() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    // Registered, so the only finding that can fail the scan is about its content.
    std::fs::write(
        root.join("custody.toml"),
        "[organisation]\nname = \"T\"\nroles = [\"developer\"]\n\n[[system]]\nname = \"s\"\nexposure = \"internal\"\nassets = [\"model.pkl\"]\n",
    )
    .expect("toml");
    ok(&custody(root, &["init", "--quiet"]));
    pickle_behind_a_blob(&root.join("model.pkl"), 300 << 20);
    let i = custody(root, &["inspect", "model.pkl"]);
    assert_eq!(i.status.code(), Some(2), "inspect refuses it: {}", text(&i.stderr));
    let v = scan(root);
    let f = v["findings"].as_array().expect("findings");
    let hit = f.iter().find(|f| f["code"] == "CUS-FMT-004" && f["location"]["path"] == "model.pkl");
    assert!(hit.is_some_and(|h| h["severity"] == "high"), "scan reports it as not fully inspected: {f:?}");
    assert_eq!(custody(root, &["scan", "--quiet", "--fail-on", "high"]).status.code(), Some(1), "--fail-on catches it");
    let g: Value = serde_json::from_slice(&custody(root, &["gate", "--format", "json"]).stdout).expect("gate json");
    let reasons = g["reasons"].as_array().expect("reasons");
    assert!(
        reasons.iter().any(|r| r["code"] == "CUS-FMT-004" && r["location"] == "model.pkl"),
        "the gate names it: {reasons:?}"
    );
    // A small pickle with the same call is read whole: the gadget itself is the finding.
    pickle_behind_a_blob(&root.join("model.pkl"), 16);
    let v = scan(root);
    let codes = findings_at(&v, "model.pkl");
    assert!(codes.contains(&"CUS-PKL-001") && !codes.contains(&"CUS-FMT-004"), "{codes:?}");
}

/// Runs custody, killing it if it has not finished in 60 s (a FIFO opened for reading blocks).
fn custody_bounded(root: &Path, args: &[&str]) -> Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(args)
        .current_dir(root)
        .env("CUSTODY_NOW", common::NOW)
        .env("CUSTODY_ACTOR", "ana")
        .env_remove("CUSTODY_CONFIG")
        .env_remove("CUSTODY_DB")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run custody");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("custody blocked on a special file");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn fifos_and_empty_models_are_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    std::fs::create_dir_all(root.join("m")).expect("mkdir");
    let made = std::process::Command::new("mkfifo").arg(root.join("m/pipe.pt")).status().expect("mkfifo");
    assert!(made.success());
    std::fs::write(root.join("m/empty.pt"), b"").expect("empty");
    std::fs::write(root.join("m/empty.safetensors"), b"").expect("empty");
    std::fs::write(root.join("m/empty.txt"), b"").expect("empty");
    for extra in [&[][..], &["--respect-gitignore"][..]] {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        let v = ok_json(&custody_bounded(root, &args));
        assert_eq!(findings_at(&v, "m/pipe.pt"), ["CUS-WALK-007"], "{extra:?}");
        assert_eq!(findings_at(&v, "m/empty.pt"), ["CUS-FMT-005"], "{extra:?}");
        assert!(findings_at(&v, "m/empty.safetensors").contains(&"CUS-FMT-005"), "{extra:?}");
        assert!(!findings_at(&v, "m/empty.safetensors").contains(&"CUS-FMT-001"), "one finding says it");
        assert!(findings_at(&v, "m/empty.txt").is_empty(), "an empty text file is nothing to report");
    }
}

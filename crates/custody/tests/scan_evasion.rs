//! Nothing lost (issue 10): what the scanner cannot read or clear is reported, never skipped in
//! silence, and the incremental cache cannot be fooled by setting a file's mtime back.

mod common;
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

//! keygen, sign, verify, snapshot, restore, diff end to end: exit codes, reports, bad input,
//! incremental re-signing, byte-exact restore, and the evidence rows in the store.

use rusqlite::Connection;
use std::path::Path;
use std::process::Output;

use crate::common;
use common::{custody, text};

fn code(o: &Output, want: i32) -> (String, String) {
    assert_eq!(o.status.code(), Some(want), "stdout: {}\nstderr: {}", text(&o.stdout), text(&o.stderr));
    (text(&o.stdout), text(&o.stderr))
}

fn json(o: &Output, want: i32) -> serde_json::Value {
    serde_json::from_str(&code(o, want).0).expect("JSON")
}

/// A model directory: a weight file over two shards of 1000 bytes, config, nested file, empty file.
fn model(dir: &Path) {
    let m = dir.join("model");
    std::fs::create_dir_all(m.join("sub")).expect("mkdir");
    std::fs::write(m.join("weights.bin"), (0..2500u32).map(|i| (i % 251) as u8).collect::<Vec<_>>()).expect("w");
    std::fs::write(m.join("config.json"), b"{\"a\": 1}\n").expect("w");
    std::fs::write(m.join("sub/tokenizer.json"), b"{}").expect("w");
    std::fs::write(m.join("empty"), b"").expect("w");
}

fn keygen(dir: &Path) {
    code(&custody(dir, &["keygen"]), 0);
}

#[test]
fn sign_and_verify_report_each_change_with_exit_1() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    model(dir);
    keygen(dir);
    let (_, err) = code(&custody(dir, &["keygen"]), 2);
    assert!(err.contains("exists already") && err.contains("--force"), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("signing-key.pem")).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let s = json(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem", "--format", "json"]), 0);
    assert_eq!(s["schema"], "custody.sign/v1");
    assert_eq!(s["files"], 4);
    assert!(dir.join("model/model.sig").is_file());
    let v = json(&custody(dir, &["verify", "model", "--public-key", "signing-key.pub", "--format", "json"]), 0);
    assert_eq!(v["verified"], true);
    assert_eq!(v["root_digest"], s["root_digest"]);

    // Shards of 1000 bytes in a signature outside the model.
    code(
        &custody(
            dir,
            &["sign", "model", "--private-key", "signing-key.pem", "--shard-size", "1000", "--signature", "s.sig"],
        ),
        0,
    );
    let mut w = std::fs::read(dir.join("model/weights.bin")).expect("r");
    w[1500] ^= 0xff;
    std::fs::write(dir.join("model/weights.bin"), &w).expect("w");
    std::fs::write(dir.join("model/sub/extra.txt"), b"x").expect("w");
    std::fs::remove_file(dir.join("model/config.json")).expect("rm");
    let v = json(
        &custody(
            dir,
            &["verify", "model", "--public-key", "signing-key.pub", "--signature", "s.sig", "--format", "json"],
        ),
        1,
    );
    assert_eq!(v["verified"], false);
    assert_eq!(v["signature_valid"], true);
    let diffs = v["differences"].as_array().expect("list");
    let got: Vec<(String, String)> = diffs
        .iter()
        .map(|d| (d["path"].as_str().unwrap_or("").into(), d["change"].as_str().unwrap_or("").into()))
        .collect();
    assert!(got.contains(&("config.json".into(), "removed".into())), "{got:?}");
    assert!(got.contains(&("weights.bin".into(), "modified".into())), "{got:?}");
    assert!(got.iter().any(|(p, c)| p.ends_with("extra.txt") && c == "added"), "{got:?}");
    let wd = diffs.iter().find(|d| d["path"] == "weights.bin").expect("weights");
    assert_eq!(wd["shards"], serde_json::json!([{"start": 1000, "end": 2000, "change": "modified"}]));
    let (out, _) = code(&custody(dir, &["verify", "model", "--public-key", "signing-key.pub"]), 1);
    assert!(out.contains("FAILED") && out.contains("modified") && out.contains("weights.bin"), "{out}");
}

#[test]
fn bad_signature_files_and_keys_get_clear_errors() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    model(dir);
    keygen(dir);
    code(&custody(dir, &["keygen", "--private-key", "other.pem", "--public-key", "other.pub"]), 0);
    let (_, e) = code(&custody(dir, &["verify", "model", "--public-key", "signing-key.pub"]), 2);
    assert!(e.contains("no signature file") && e.contains("hint:"), "{e}");
    code(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem", "--signature", "good.sig"]), 0);
    let good = std::fs::read(dir.join("good.sig")).expect("read");
    std::fs::write(dir.join("trunc.sig"), &good[..good.len() / 2]).expect("w");
    let (_, e) =
        code(&custody(dir, &["verify", "model", "--signature", "trunc.sig", "--public-key", "signing-key.pub"]), 2);
    assert!(e.contains("truncated") && e.contains("hint:"), "{e}");
    std::fs::write(dir.join("junk.sig"), b"not json at all").expect("w");
    let (_, e) =
        code(&custody(dir, &["verify", "model", "--signature", "junk.sig", "--public-key", "signing-key.pub"]), 2);
    assert!(e.contains("not a valid model signature"), "{e}");
    std::fs::write(dir.join("empty.sig"), b"").expect("w");
    code(&custody(dir, &["verify", "model", "--signature", "empty.sig", "--public-key", "signing-key.pub"]), 2);
    // Wrong key: a verification failure, not an error.
    let (out, _) = code(&custody(dir, &["verify", "model", "--signature", "good.sig", "--public-key", "other.pub"]), 1);
    assert!(out.contains("key mismatch"), "{out}");
    // A private key where the public key belongs.
    let (_, e) =
        code(&custody(dir, &["verify", "model", "--signature", "good.sig", "--public-key", "signing-key.pem"]), 2);
    assert!(e.contains("private key"), "{e}");
    // A missing private key when signing writes nothing.
    let (_, e) = code(&custody(dir, &["sign", "model", "--private-key", "nope.pem", "--signature", "x.sig"]), 2);
    assert!(e.contains("nope.pem"), "{e}");
    assert!(!dir.join("x.sig").exists());
    // Keyless Sigstore bundles are refused as unsupported.
    let mut b: serde_json::Value = serde_json::from_slice(&good).expect("json");
    b["verificationMaterial"] =
        serde_json::json!({"certificate": {"rawBytes": "AAAA"}, "tlogEntries": [{"logIndex": "1"}]});
    std::fs::write(dir.join("keyless.sig"), b.to_string()).expect("w");
    let (_, e) =
        code(&custody(dir, &["verify", "model", "--signature", "keyless.sig", "--public-key", "signing-key.pub"]), 2);
    assert!(e.contains("keyless"), "{e}");
    // Nothing left behind: no temporaries next to the signature.
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn re_signing_reuses_unchanged_files_and_never_a_changed_one() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    model(dir);
    keygen(dir);
    // Files written in the last 2 s are not cached (a same-tick write would not show).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let a = json(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem", "--format", "json"]), 0);
    assert_eq!(a["files_hashed"], 4);
    let b = json(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem", "--format", "json"]), 0);
    assert_eq!(b["files_reused"], 4, "{b}");
    assert_eq!(b["files_hashed"], 0);
    assert_eq!(a["root_digest"], b["root_digest"]);

    // Same size, and the old mtime put back: the ctime still changed, so it is hashed again.
    let p = dir.join("model/config.json");
    let mtime = std::fs::metadata(&p).expect("meta").modified().expect("mtime");
    std::fs::write(&p, b"{\"a\": 2}\n").expect("w");
    std::fs::File::options().write(true).open(&p).expect("open").set_modified(mtime).expect("set mtime");
    let c = json(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem", "--format", "json"]), 0);
    assert_eq!(c["files_reused"], 3, "{c}");
    assert_eq!(c["files_hashed"], 1);
    assert_ne!(c["root_digest"], b["root_digest"]);
    code(&custody(dir, &["verify", "model", "--public-key", "signing-key.pub"]), 0);
    let full = json(
        &custody(dir, &["sign", "model", "--private-key", "signing-key.pem", "--no-cache", "--format", "json"]),
        0,
    );
    assert_eq!(full["root_digest"], c["root_digest"]);
    assert_eq!(full["files_hashed"], 4);

    // Another key's signature is not trusted as a cache.
    code(&custody(dir, &["keygen", "--private-key", "other.pem", "--public-key", "other.pub"]), 0);
    let o = json(&custody(dir, &["sign", "model", "--private-key", "other.pem", "--format", "json"]), 0);
    assert_eq!(o["files_reused"], 0, "{o}");
    code(&custody(dir, &["verify", "model", "--public-key", "other.pub"]), 0);
}

fn init(dir: &Path) {
    code(&custody(dir, &["init", "--org", "Acme", "--role", "developer", "--yes"]), 0);
}

fn read_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    // The sidecar cache of a signature is not part of the model.
    common::tree(root).into_iter().filter(|(rel, _)| !rel.ends_with(".cache.json")).collect()
}

#[test]
fn snapshot_restore_and_diff() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    init(dir);
    model(dir);
    keygen(dir);
    code(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem"]), 0);
    let before = read_tree(&dir.join("model"));
    let s = json(
        &custody(dir, &["snapshot", "model", "--name", "good", "--public-key", "signing-key.pub", "--format", "json"]),
        0,
    );
    assert_eq!(s["stored"], true);
    assert_eq!(s["files"], 4);
    assert!(dir.join(".custody/objects").is_dir());
    // The same content again is stored once.
    let s2 = json(
        &custody(dir, &["snapshot", "model", "--name", "again", "--public-key", "signing-key.pub", "--format", "json"]),
        0,
    );
    assert_eq!(s2["new_objects"], 0, "{s2}");
    let (_, e) = code(&custody(dir, &["snapshot", "model", "--name", "good", "--public-key", "signing-key.pub"]), 2);
    assert!(e.contains("exists already"), "{e}");

    code(&custody(dir, &["diff", "good", "model"]), 0);
    std::fs::write(dir.join("model/config.json"), b"{\"a\": 666}\n").expect("w");
    std::fs::write(dir.join("model/new.txt"), b"n").expect("w");
    let df = json(&custody(dir, &["diff", "good", "model", "--format", "json"]), 1);
    assert_eq!(df["same"], false);
    assert_eq!(df["differences"].as_array().map(Vec::len), Some(2), "{df}");
    // A drifted model does not become a snapshot.
    let (out, _) = code(&custody(dir, &["snapshot", "model", "--name", "bad", "--public-key", "signing-key.pub"]), 1);
    assert!(out.contains("FAILED"), "{out}");

    // Restore: byte-exact, signature included, verified.
    let r = json(&custody(dir, &["restore", "good", "restored", "--format", "json"]), 0);
    assert_eq!(r["restored"], true);
    assert!(read_tree(&dir.join("restored")) == before, "restored tree differs");
    code(&custody(dir, &["verify", "restored", "--public-key", "signing-key.pub"]), 0);
    // An existing, non-empty target is refused, and kept.
    let (_, e) = code(&custody(dir, &["restore", "good", "model"]), 2);
    assert!(e.contains("exists and is not empty") && e.contains("--force"), "{e}");
    assert!(dir.join("model/new.txt").is_file());
    code(&custody(dir, &["restore", "good", "model", "--force"]), 0);
    assert!(read_tree(&dir.join("model")) == before, "restored tree differs");
    // An empty directory is a fine target.
    std::fs::create_dir(dir.join("emptydir")).expect("mkdir");
    code(&custody(dir, &["restore", "good", "emptydir"]), 0);

    // A corrupted object is caught; the target is not created.
    let objects = dir.join(".custody/objects");
    let obj = std::fs::read_dir(&objects)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "tmp" && e.path().is_dir())
        .flat_map(|e| std::fs::read_dir(e.path()).expect("ls").filter_map(|x| x.ok()))
        .map(|e| e.path())
        .find(|p| std::fs::metadata(p).map(|m| m.len() > 0).unwrap_or(false))
        .expect("an object");
    std::fs::write(&obj, b"corrupt").expect("w");
    let (_, e) = code(&custody(dir, &["restore", "good", "other"]), 2);
    assert!(e.contains("corrupt"), "{e}");
    assert!(!dir.join("other").exists());
    let (_, e) = code(&custody(dir, &["restore", "nope", "x"]), 2);
    assert!(e.contains("no snapshot called `nope`") && e.contains("good"), "{e}");

    // Evidence: snapshots and every event are rows in the store.
    let db = Connection::open(dir.join(".custody/custody.db")).expect("db");
    let snaps: i64 = db.query_row("SELECT count(*) FROM snapshot", [], |r| r.get(0)).expect("q");
    assert_eq!(snaps, 2);
    let files: i64 = db.query_row("SELECT count(*) FROM snapshot_file", [], |r| r.get(0)).expect("q");
    assert_eq!(files, 8);
    let mut st = db.prepare("SELECT kind || ':' || outcome FROM attest_event ORDER BY id").expect("prep");
    let events: Vec<String> = st.query_map([], |r| r.get(0)).expect("q").filter_map(|r| r.ok()).collect();
    assert_eq!(
        events,
        [
            "sign:ok",
            "snapshot:ok",
            "snapshot:ok",
            "diff:ok",
            "diff:failed",
            "snapshot:failed",
            "restore:ok",
            "verify:ok",
            "restore:ok",
            "restore:ok"
        ]
    );
}

#[test]
fn snapshot_with_a_private_key_signs_what_it_stores_and_objects_can_live_elsewhere() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    init(dir);
    model(dir);
    keygen(dir);
    code(
        &custody(
            dir,
            &[
                "snapshot",
                "model",
                "--name",
                "v1",
                "--private-key",
                "signing-key.pem",
                "--objects",
                "vault",
                "--ignore",
                "empty",
            ],
        ),
        0,
    );
    assert!(dir.join("vault").is_dir());
    assert!(!dir.join("model/model.sig").exists(), "nothing is written into the model");
    code(&custody(dir, &["restore", "v1", "copy"]), 0);
    assert!(!dir.join("copy/empty").exists(), "ignored paths are not part of the snapshot");
    assert_eq!(
        std::fs::read(dir.join("copy/weights.bin")).expect("r"),
        std::fs::read(dir.join("model/weights.bin")).expect("r")
    );
    // snapshot needs a store.
    let bare = tempfile::tempdir().expect("tmp");
    model(bare.path());
    let (_, e) = code(
        &custody(
            bare.path(),
            &["snapshot", "model", "--name", "x", "--private-key", &dir.join("signing-key.pem").to_string_lossy()],
        ),
        2,
    );
    assert!(e.contains("custody init"), "{e}");
}

/// init, a signed model and a snapshot `good` of it.
fn snapshotted(dir: &Path) {
    init(dir);
    model(dir);
    keygen(dir);
    code(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem"]), 0);
    code(&custody(dir, &["snapshot", "model", "--name", "good", "--public-key", "signing-key.pub"]), 0);
}

fn refused(dir: &Path, target: &str, what: &str) -> String {
    let (_, e) = code(&custody(dir, &["restore", "good", target, "--force"]), 2);
    assert!(e.contains("error:") && e.contains("hint:") && e.contains(what), "{target}: {e}");
    e
}

#[test]
fn restore_force_never_replaces_the_store_the_project_or_what_is_not_a_copy_of_the_model() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    snapshotted(dir);
    let abs = dir.canonicalize().expect("canon");
    // The store, its object store, the project root (however named), custody.toml.
    refused(dir, ".custody", "custody.db");
    refused(dir, ".custody/objects", "object store");
    refused(dir, ".", "name the directory");
    refused(dir, &abs.to_string_lossy(), "custody.toml");
    refused(dir, &abs.parent().expect("parent").to_string_lossy(), "keeps");
    refused(dir, "custody.toml", "custody.toml");
    assert!(dir.join(".custody/custody.db").is_file() && dir.join(".custody/audit.key").is_file());
    assert!(dir.join("custody.toml").is_file());
    code(&custody(dir, &["audit", "verify"]), 0);
    // Devices, links, files, directories that are not a copy of the model: left as they were.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        refused(dir, "/dev/null", "not a directory");
        assert!(std::fs::symlink_metadata("/dev/null").expect("meta").file_type().is_char_device());
        std::os::unix::fs::symlink(dir.join("model"), dir.join("link")).expect("link");
        refused(dir, "link", "symbolic link");
        assert!(std::fs::symlink_metadata(dir.join("link")).expect("meta").file_type().is_symlink());
    }
    std::fs::write(dir.join("notes.txt"), b"mine").expect("w");
    refused(dir, "notes.txt", "is a file");
    assert_eq!(std::fs::read(dir.join("notes.txt")).expect("r"), b"mine");
    std::fs::create_dir(dir.join("thesis")).expect("mkdir");
    std::fs::write(dir.join("thesis/chapter1.tex"), b"words").expect("w");
    std::fs::write(dir.join("thesis/config.json"), b"{}").expect("w");
    refused(dir, "thesis", "chapter1.tex");
    assert_eq!(std::fs::read(dir.join("thesis/chapter1.tex")).expect("r"), b"words");

    // What --force does replace: an earlier restore (extra files and all), the snapshot's own
    // source, and a directory holding only the snapshot's files.
    let before = read_tree(&dir.join("model"));
    code(&custody(dir, &["restore", "good", "restored"]), 0);
    std::fs::write(dir.join("restored/injected.pkl"), b"x").expect("w");
    code(&custody(dir, &["restore", "good", "restored", "--force"]), 0);
    assert!(read_tree(&dir.join("restored")) == before, "restored tree differs");
    std::fs::write(dir.join("model/config.json"), b"{\"a\": 2}\n").expect("w");
    code(&custody(dir, &["restore", "good", "model", "--force"]), 0);
    assert!(read_tree(&dir.join("model")) == before, "restored tree differs");
    std::fs::create_dir(dir.join("copy")).expect("mkdir");
    std::fs::write(dir.join("copy/config.json"), b"drifted").expect("w");
    code(&custody(dir, &["restore", "good", "copy", "--force"]), 0);
    assert!(read_tree(&dir.join("copy")) == before, "restored tree differs");
    // Nothing of custody's left beside the targets.
    let left: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".custody")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn snapshot_names_are_checked_before_anything_is_written() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    init(dir);
    model(dir);
    keygen(dir);
    code(&custody(dir, &["sign", "model", "--private-key", "signing-key.pem"]), 0);
    let long = "n".repeat(129);
    for name in ["", "  ", "a/b", "tab\there", "bell\u{7}", &long] {
        let (_, e) = code(&custody(dir, &["snapshot", "model", "--name", name, "--public-key", "signing-key.pub"]), 2);
        assert!(e.contains("invalid snapshot name") && e.contains("hint:"), "{name:?}: {e}");
        assert!(!e.contains("CHECK") && !e.contains("constraint"), "{e}");
    }
    assert!(!dir.join(".custody/objects").exists(), "nothing written");
    let db = Connection::open(dir.join(".custody/custody.db")).expect("db");
    let n: i64 = db.query_row("SELECT count(*) FROM snapshot", [], |r| r.get(0)).expect("q");
    assert_eq!(n, 0);
    let n: i64 =
        db.query_row("SELECT count(*) FROM attest_event WHERE kind = 'snapshot'", [], |r| r.get(0)).expect("q");
    assert_eq!(n, 0);
}

#[test]
fn threads_beyond_a_few_per_cpu_are_refused_before_any_work() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    model(dir);
    for args in [
        ["verify", "model", "--public-key", "k.pub", "--threads", "100000"],
        ["sign", "model", "--private-key", "k.pem", "--threads", "100000"],
        ["scan", "model", "--threads", "100000", "--format", "json"],
        ["restore", "good", "t", "--threads", "0", "--force"],
    ] {
        let (_, e) = code(&custody(dir, &args), 2);
        assert!(e.contains("--threads") && (e.contains("at most") || e.contains("at least 1")), "{args:?}: {e}");
    }
    assert!(!dir.join("model/model.sig").exists());
}

#[test]
fn leftovers_of_killed_runs_are_removed_by_the_next_run_but_never_a_running_ones() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    snapshotted(dir);
    // What a killed restore into `restored` leaves: an unlocked claim and its staging copy.
    std::fs::write(dir.join(".restored.custody-lock-4000000001-0"), b"restored").expect("w");
    std::fs::create_dir(dir.join(".restored.custody-restore-4000000001-0")).expect("mkdir");
    std::fs::write(dir.join(".restored.custody-restore-4000000001-0/weights.bin"), vec![0u8; 4096]).expect("w");
    // A restore running in another process: it holds its lock.
    let live_lock = dir.join(".other.custody-lock-4000000002-0");
    std::fs::write(&live_lock, b"other").expect("w");
    let held = std::fs::File::options().read(true).write(true).open(&live_lock).expect("open");
    held.lock().expect("lock");
    std::fs::create_dir(dir.join(".other.custody-restore-4000000002-0")).expect("mkdir");
    // Not custody's (no lock file): never touched.
    std::fs::create_dir(dir.join(".x.custody-restore-9-9")).expect("mkdir");

    let r = custody(dir, &["restore", "good", "restored"]);
    let (_, err) = code(&r, 0);
    assert!(err.contains("removed") && err.contains("interrupted restores"), "{err}");
    assert!(!dir.join(".restored.custody-restore-4000000001-0").exists());
    assert!(!dir.join(".restored.custody-lock-4000000001-0").exists());
    assert!(dir.join(".other.custody-restore-4000000002-0").is_dir(), "a running restore keeps its staging");
    assert!(live_lock.is_file());
    assert!(dir.join(".x.custody-restore-9-9").is_dir());

    // The same for the object store's partial objects.
    let tmp = dir.join(".custody/objects/tmp");
    std::fs::write(tmp.join("lock-4000000003-0"), b"").expect("w");
    std::fs::create_dir(tmp.join("run-4000000003-0")).expect("mkdir");
    std::fs::write(tmp.join("run-4000000003-0/0123"), vec![0u8; 8192]).expect("w");
    let live = tmp.join("lock-4000000004-0");
    std::fs::write(&live, b"").expect("w");
    let held2 = std::fs::File::options().read(true).write(true).open(&live).expect("open");
    held2.lock().expect("lock");
    std::fs::create_dir(tmp.join("run-4000000004-0")).expect("mkdir");
    std::fs::write(tmp.join("run-4000000004-0/0456"), b"in flight").expect("w");
    let (_, err) =
        code(&custody(dir, &["snapshot", "model", "--name", "again", "--private-key", "signing-key.pem"]), 0);
    assert!(err.contains("interrupted snapshots"), "{err}");
    assert!(!tmp.join("run-4000000003-0").exists() && !tmp.join("lock-4000000003-0").exists());
    assert!(tmp.join("run-4000000004-0/0456").is_file(), "a running snapshot keeps its partial objects");
    drop((held, held2));
    // Once they have ended, the next runs remove theirs too.
    code(&custody(dir, &["restore", "good", "restored", "--force"]), 0);
    assert!(!dir.join(".other.custody-restore-4000000002-0").exists());
    code(&custody(dir, &["snapshot", "model", "--name", "third", "--private-key", "signing-key.pem"]), 0);
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("ls").filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `--db` names the same store custody.toml does, so it must keep who acts: sign, verify,
/// snapshot, restore and diff log `--actor` and `--as` either way.
#[test]
fn the_actor_and_role_are_logged_whichever_way_the_store_is_named() {
    let d = tempfile::tempdir().expect("tmp");
    let dir = d.path();
    init(dir);
    model(dir);
    keygen(dir);
    let db = dir.join(".custody/custody.db");
    let db = db.to_str().expect("utf-8");
    let with = |args: &[&str]| {
        let mut a = vec!["--db", db, "--actor", "bob", "--as", "developer"];
        a.extend_from_slice(args);
        custody(dir, &a)
    };
    code(&with(&["sign", "model", "--private-key", "signing-key.pem"]), 0);
    code(&with(&["verify", "model", "--public-key", "signing-key.pub"]), 0);
    code(&with(&["snapshot", "model", "--name", "v1", "--public-key", "signing-key.pub"]), 0);
    code(&with(&["restore", "v1", "restored"]), 0);
    code(&with(&["diff", "v1", "restored"]), 0);
    let c = Connection::open(dir.join(".custody/custody.db")).expect("db");
    let rows: Vec<(String, String, Option<String>)> = c
        .prepare(
            "SELECT kind, actor, role FROM audit_entry WHERE kind LIKE 'integrity.%' OR kind = 'snapshot' ORDER BY seq",
        )
        .and_then(|mut st| st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
        .expect("rows");
    assert_eq!(rows.len(), 6, "{rows:?}");
    for (kind, actor, role) in &rows {
        assert_eq!((actor.as_str(), role.as_deref()), ("bob", Some("developer")), "{kind}");
    }
}

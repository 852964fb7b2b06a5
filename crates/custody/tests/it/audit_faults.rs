//! The audit log under attack and under load, end to end: laundering through the database,
//! rollback and truncation (caught by audit.checkpoint, a witness or a checkpoint kept
//! elsewhere), a deleted key, many writers with `audit verify` and `gate` alongside, an auditor
//! with read access only, clocks, and the store location from the environment.

use crate::common;
use common::{NOW, custody, fails, ok, text};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CONFIG: &str = "[organisation]\nname = \"T\"\nroles = [\"developer\", \"data-custodian\"]\n\n[[system]]\nname = \"chat\"\nexposure = \"public\"\n";

fn project(root: &Path, extra: &str) {
    std::fs::write(root.join("custody.toml"), format!("{CONFIG}{extra}")).expect("config");
    ok(&custody(root, &["init", "--quiet"]));
    ok(&custody(root, &["evidence", "add", "5.2.2-4", "--url", "https://t.example/vdp"]));
}

fn db(root: &Path) -> PathBuf {
    root.join(".custody/custody.db")
}

fn evidence(root: &Path, n: usize) -> Output {
    custody(root, &["evidence", "add", "5.2.2-4", "--url", &format!("https://t.example/{n}")])
}

fn verify(root: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let o = custody(root, &args);
    (o.status.code().unwrap_or(-1), format!("{}{}", text(&o.stdout), text(&o.stderr)))
}

fn entry_count(root: &Path) -> i64 {
    let c = Connection::open(db(root)).expect("db");
    c.query_row("SELECT count(*) FROM audit_entry", [], |r| r.get(0)).expect("count")
}

/// An entry that looks exactly like one custody writes (its stored leaf hash is right), added
/// with write access to the database but without the key.
fn forge_entry(root: &Path) {
    let c = Connection::open(db(root)).expect("db");
    let seq: i64 = c.query_row("SELECT max(seq) + 1 FROM audit_entry", [], |r| r.get(0)).expect("seq");
    let e = custody_audit::Entry {
        seq: u64::try_from(seq).expect("seq"),
        actor: "ana".into(),
        role: None,
        at: NOW.into(),
        kind: "organisation.changed".into(),
        payload: serde_json::json!({"organisation": "T", "changes": [["system-retired", "chat", ""]]}),
        attachment_sha256: None,
        recorded_at: None,
    };
    let leaf = e.leaf_hash().expect("leaf");
    c.execute(
        "INSERT INTO audit_entry (seq, at, actor, role, kind, payload_json, attachment_sha256, leaf_hash) VALUES (?1, ?2, ?3, NULL, ?4, ?5, NULL, ?6)",
        rusqlite::params![seq, e.at, e.actor, e.kind, e.payload.to_string(), leaf.to_vec()],
    )
    .expect("insert");
}

#[test]
fn entries_added_without_the_key_are_reported_and_never_sealed() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "");
    // A copy opened with --db has no key beside it: custody writes nothing into it.
    let copy = root.join("copy.db");
    std::fs::copy(db(root), &copy).expect("copy");
    let e = fails(
        &custody(root, &["--db", &copy.to_string_lossy(), "evidence", "add", "5.2.2-4", "--url", "https://x.example"]),
        2,
    );
    assert!(e.contains("signing key") && e.contains("missing"), "{e}");
    // So the launderer writes the entry into the database directly.
    forge_entry(root);
    let before = entry_count(root);
    // The owner's next commands, reads and writes alike, never seal it.
    ok(&custody(root, &["evidence", "list"]));
    let _ = custody(root, &["assess"]);
    let e = fails(&evidence(root, 1), 2);
    assert!(e.contains("after the last signed checkpoint") && e.contains("audit accept"), "{e}");
    assert_eq!(entry_count(root), before, "nothing was written on top");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("1 entry after the store's last signed checkpoint"), "{out}");
    let g = custody(root, &["gate", "--format", "json"]);
    assert_eq!(g.status.code(), Some(1));
    assert!(text(&g.stdout).contains("does not verify"), "{}", text(&g.stdout));
    // Someone who reviewed it accepts it, on the record; then the log verifies again.
    fails(&custody(root, &["audit", "accept", "2", "--reason", "reviewed"]), 2);
    let a = ok(&custody(root, &["audit", "accept", "1", "--reason", "restored from the ops runbook"]));
    assert!(a.contains("accepted 1 unsealed entry"), "{a}");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 0, "{out}");
    let log = ok(&custody(root, &["audit", "log", "--format", "json"]));
    assert!(log.contains("audit.accept") && log.contains("restored from the ops runbook"), "{log}");
    ok(&evidence(root, 2));
}

#[test]
fn rollback_and_truncation_are_detected() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    let witness = dir.path().join("witness.checkpoint");
    project(root, "\n[audit]\nwitnesses = [\"file:witness.checkpoint\"]\n");
    assert!(witness.is_file(), "the witness received the checkpoint");
    let old = dir.path().join("old.db");
    std::fs::copy(db(root), &old).expect("copy");
    ok(&evidence(root, 1));
    let kept = dir.path().join("kept.checkpoint");
    std::fs::write(&kept, ok(&custody(root, &["audit", "checkpoint"]))).expect("kept");
    ok(&evidence(root, 2));
    assert_eq!(verify(root, &[]).0, 0);
    let pristine = std::fs::read(db(root)).expect("read");

    // 1. An older copy of the store is put back.
    std::fs::copy(&old, db(root)).expect("roll back");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ROLLBACK"), "{out}");
    let e = fails(&evidence(root, 3), 2);
    assert!(e.contains("rolled back"), "{e}");

    // 2. The last entry is deleted with its record and its checkpoint: the database alone is
    // consistent again, the checkpoint kept beside the key is not.
    std::fs::write(db(root), &pristine).expect("restore");
    let c = Connection::open(db(root)).expect("db");
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM record WHERE audit_seq = (SELECT max(seq) FROM audit_entry);
         DELETE FROM audit_checkpoint WHERE size = (SELECT max(size) FROM audit_checkpoint);
         DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry);",
    )
    .expect("truncate");
    drop(c);
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ROLLBACK") && out.contains("audit.checkpoint"), "{out}");

    // 3. Whoever can also rewrite audit.checkpoint rolls it back too: the witness still knows.
    std::fs::remove_file(root.join(".custody/audit.checkpoint")).expect("rm");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ROLLBACK") && out.contains("witness"), "{out}");

    // 4. Without a witness only a checkpoint kept elsewhere catches it.
    std::fs::write(root.join("custody.toml"), CONFIG).expect("no witness");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 0, "undetectable without anything kept outside; said so: {out}");
    assert!(out.contains("no checkpoint is kept outside the store"), "{out}");
    let (code, out) = verify(root, &["--checkpoint", &kept.to_string_lossy()]);
    assert_eq!(code, 0, "the kept checkpoint is older than the truncation: {out}");
    std::fs::write(&kept, std::fs::read(&witness).expect("w")).expect("newer");
    let (code, out) = verify(root, &["--checkpoint", &kept.to_string_lossy()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ROLLBACK"), "{out}");
}

#[test]
fn a_git_witness_gets_a_commit_per_write() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().join("p");
    let repo = dir.path().join("w");
    std::fs::create_dir_all(&root).expect("mkdir");
    let git = |args: &[&str]| Command::new("git").arg("-C").arg(&repo).args(args).output().expect("git");
    std::fs::create_dir_all(&repo).expect("mkdir");
    assert!(git(&["init", "--quiet"]).status.success());
    project(&root, "\n[audit]\nwitnesses = [\"git:../w\"]\n");
    ok(&evidence(&root, 1));
    let log = text(&git(&["log", "--format=%s"]).stdout);
    assert_eq!(log.lines().count(), 3, "init, two evidence records: {log}");
    assert!(log.lines().next().unwrap_or("").starts_with("checkpoint custody.invalid/audit/t 3"), "{log}");
    let (code, out) = verify(&root, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_deleted_key_stops_writes_not_reads() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "");
    std::fs::remove_file(root.join(".custody/audit.key")).expect("rm key");
    let before = entry_count(root);
    let config = std::fs::read(root.join("custody.toml")).expect("config");
    for args in [
        vec!["register", "chat", "--asset", "models/**"],
        vec!["evidence", "add", "5.2.2-4", "--url", "https://t.example/x"],
        vec!["scan", "--quiet"],
        vec![
            "threats",
            "record",
            "prompt-injection",
            "--system",
            "chat",
            "--owner",
            "o",
            "--treatment",
            "t",
            "--residual",
            "low",
        ],
    ] {
        let o = custody(root, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?} wrote without the key: {}", text(&o.stdout));
        let e = text(&o.stderr);
        assert!(e.contains("audit.key") && e.contains("hint:"), "{args:?}: {e}");
    }
    assert_eq!(entry_count(root), before);
    assert_eq!(std::fs::read(root.join("custody.toml")).expect("config"), config, "an unlogged registration");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 0, "the log itself is intact: {out}");
    ok(&custody(root, &["evidence", "list"]));
}

/// Runs custody with a long lock timeout (many writers queue for the store).
fn busy(dir: &Path, args: &[String]) -> std::process::Child {
    common::command(dir, NOW, args)
        .env("CUSTODY_BUSY_TIMEOUT_MS", "60000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

#[test]
fn many_writers_with_verify_and_gate_alongside() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "\n[gate]\nfail_on = \"none\"\n");
    let mut urls = vec!["https://t.example/vdp".to_string()];
    for round in 0..6 {
        let mut writers = Vec::new();
        for i in 0..8 {
            let url = format!("https://t.example/{round}/{i}");
            urls.push(url.clone());
            let args: Vec<String> = if i % 4 == 3 {
                [
                    "training",
                    "add",
                    "--person",
                    &format!("p{round}{i}"),
                    "--staff-role",
                    "r",
                    "--module",
                    "m",
                    "--completed",
                    "2026-10-01",
                ]
                .map(String::from)
                .to_vec()
            } else {
                ["evidence", "add", "5.2.2-4", "--url", &url].map(String::from).to_vec()
            };
            if i % 4 == 3 {
                urls.pop();
            }
            writers.push(busy(root, &args));
        }
        let mut readers = Vec::new();
        for i in 0..4 {
            let args: Vec<String> = if i % 2 == 0 {
                vec!["audit".into(), "verify".into()]
            } else {
                vec!["gate".into(), "--format".into(), "json".into()]
            };
            readers.push((args.clone(), busy(root, &args)));
        }
        for w in writers {
            let o = w.wait_with_output().expect("wait");
            assert_eq!(o.status.code(), Some(0), "a writer failed: {}", text(&o.stderr));
        }
        for (args, r) in readers {
            let o = r.wait_with_output().expect("wait");
            let out = text(&o.stdout);
            assert!(
                !out.contains("TAMPERING") && !out.contains("does not verify"),
                "{args:?} raised a false alarm: {out}"
            );
            if args[0] == "audit" {
                assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
            }
        }
    }
    let list = ok(&custody(root, &["evidence", "list", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&list).expect("json");
    let mut got: Vec<String> = v["evidence"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["record"]["url"].as_str().map(str::to_string))
        .collect();
    got.sort();
    urls.sort();
    assert_eq!(got, urls, "every record present exactly once");
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn an_auditor_with_read_access_only_can_verify() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "");
    let set_mode = |p: &Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    let before = std::fs::read(db(root)).expect("read");
    for f in std::fs::read_dir(root.join(".custody")).expect("ls") {
        set_mode(&f.expect("entry").path(), 0o444);
    }
    set_mode(&root.join(".custody"), 0o555);
    set_mode(root, 0o755);
    // Root ignores file modes: act as `nobody` then.
    let is_root = Command::new("id").arg("-u").output().map(|o| text(&o.stdout).trim() == "0").unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_custody")]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_custody"))
    };
    let o = cmd
        .args(["audit", "verify"])
        .current_dir(root)
        .env("CUSTODY_NOW", NOW)
        .env_remove("CUSTODY_DB")
        .env_remove("CUSTODY_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    set_mode(&root.join(".custody"), 0o755);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).contains("OK:"), "{}", text(&o.stdout));
    assert_eq!(std::fs::read(db(root)).expect("read"), before, "read-only verification changed the store");
}

#[test]
fn clocks_going_backwards_and_injected_times_are_warned_about() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "");
    ok(&common::custody_at(
        root,
        "1900-01-01T00:00:00Z",
        &["evidence", "add", "5.2.2-4", "--url", "https://t.example/old"],
    ));
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 0, "a warning, not tampering: {out}");
    assert!(out.contains("earlier than an entry before it") && out.contains("1900-01-01T00:00:00Z"), "{out}");
    assert!(out.contains("injected time far from when they were written"), "{out}");
    let log: serde_json::Value =
        serde_json::from_str(&ok(&custody(root, &["audit", "log", "--format", "json"]))).expect("json");
    let last = log["entries"].as_array().and_then(|a| a.last()).expect("entry");
    assert_eq!(last["at"], "1900-01-01T00:00:00Z");
    assert!(last["recorded_at"].as_str().is_some_and(|w| w.starts_with("20")), "{last}");
}

#[test]
fn the_store_location_from_the_environment_and_the_config() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "");
    // Empty variables count as unset.
    let o = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(["evidence", "list"])
        .current_dir(root)
        .env("CUSTODY_DB", "")
        .env("CUSTODY_CONFIG", "")
        .env("CUSTODY_NOW", NOW)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("t.example/vdp"));
    // A URL in [store] path is a location, not a path under the config directory.
    std::fs::write(root.join("custody.toml"), format!("{CONFIG}\n[store]\npath = \"postgres://db.example/custody\"\n"))
        .expect("config");
    let e = fails(&custody(root, &["evidence", "list"]), 2);
    assert!(e.contains("`postgres` is not available"), "{e}");
    assert!(!e.contains(&root.display().to_string()), "{e}");
}

#[test]
fn the_key_is_rotated_on_the_record_and_the_log_still_verifies() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "\n[audit]\nwitnesses = [\"file:witness.checkpoint\"]\n");
    let old_key = std::fs::read(root.join(".custody/audit.key")).expect("key");
    let r = ok(&custody(root, &["audit", "rotate-key", "--reason", "Bob left the team"]));
    assert!(r.contains("rotated the audit key"), "{r}");
    assert_ne!(std::fs::read(root.join(".custody/audit.key")).expect("key"), old_key);
    assert!(!root.join(".custody/audit.key.next").exists());
    ok(&evidence(root, 1));
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 0, "{out}");
    // The rotation's checkpoint carries both keys, later ones the new key only.
    let c = Connection::open(db(root)).expect("db");
    let notes: Vec<String> = c
        .prepare("SELECT note FROM audit_checkpoint ORDER BY size")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .expect("notes");
    let sigs = |n: &str| n.lines().filter(|l| l.starts_with('\u{2014}')).count();
    assert_eq!(notes.iter().map(|n| sigs(n)).collect::<Vec<_>>(), vec![1, 1, 2, 1]);
    // The export names both keys with the sizes they sign.
    let ex: serde_json::Value = serde_json::from_str(&ok(&custody(root, &["audit", "export"]))).expect("json");
    assert_eq!(ex["key_history"].as_array().map(Vec::len), Some(2), "{}", ex["key_history"]);
    // The old key can no longer sign: a checkpoint it makes for a later size is refused.
    drop(c);
    let old = custody_audit::SigningKey::parse(String::from_utf8_lossy(&old_key).trim()).expect("old key");
    let c = Connection::open(db(root)).expect("db");
    let (size, root_hash): (i64, String) = c
        .query_row("SELECT size, note FROM audit_checkpoint ORDER BY size DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map(|(s, n): (i64, String)| (s, n.lines().nth(2).unwrap_or_default().to_string()))
        .expect("latest");
    let body_root = custody_audit::parse_checkpoint_body(&format!("o\n{size}\n{root_hash}\n")).expect("root").root;
    let forged = old.sign_checkpoint(old.name(), u64::try_from(size).expect("size"), &body_root).expect("sign");
    c.execute("UPDATE audit_checkpoint SET note = ?1 WHERE size = ?2", rusqlite::params![forged, size]).expect("forge");
    drop(c);
    let (code, out) = verify(root, &[]);
    assert_eq!(code, 1, "a retired key signed a later checkpoint: {out}");
}

/// A small deterministic generator for kill delays (no dependency, same sequence every run).
fn lcg(state: &mut u64) -> u64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *state >> 33
}

#[test]
fn writers_killed_at_random_points_leave_a_log_that_verifies() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root, "");
    std::fs::create_dir_all(root.join("models")).expect("mkdir");
    for i in 0..40 {
        std::fs::write(root.join(format!("models/m{i}.gguf")), vec![b'x'; 64 * 1024]).expect("model");
        std::fs::write(root.join(format!("app{i}.py")), "import openai\nclient = openai.OpenAI()\n").expect("code");
    }
    let mut seed = 0x5eed_u64;
    let mut recorded = Vec::new();
    for i in 0..24 {
        let url = format!("https://t.example/killed/{i}");
        let args: Vec<String> = match i % 3 {
            0 => vec!["scan".into(), "--quiet".into(), "--rehash".into()],
            _ => ["evidence", "add", "5.2.2-4", "--url", &url].map(String::from).to_vec(),
        };
        let mut child = busy(root, &args);
        std::thread::sleep(std::time::Duration::from_micros(lcg(&mut seed) % 40_000));
        let _ = child.kill(); // SIGKILL; it may have finished already
        let o = child.wait_with_output().expect("wait");
        eprintln!("iteration {i}: {args:?} ended with {:?}", o.status.code());
        if o.status.code() == Some(0) && args[0] == "evidence" {
            recorded.push(url);
        }
        let (code, out) = verify(root, &[]);
        assert_eq!(code, 0, "after killing {args:?} (iteration {i}): {out}");
    }
    // Every record a command reported is there, and the store still takes writes.
    let list = ok(&custody(root, &["evidence", "list", "--format", "json"]));
    for url in &recorded {
        assert!(list.contains(url.as_str()), "{url} was reported recorded but is missing");
    }
    ok(&evidence(root, 99));
    assert_eq!(verify(root, &[]).0, 0);
}

/// A C2SP tlog-witness on loopback for one log: it learns the log's key from the store's key
/// file, keeps the latest tree it cosigned, answers 409 with its size when `old` differs, 422
/// when the consistency proof fails, and cosigns (type 0x04) otherwise.
fn tlog_witness(log_key_file: PathBuf) -> (String, String, std::sync::Arc<std::sync::Mutex<u64>>) {
    use ed25519_dalek::Signer as _;
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/w", listener.local_addr().expect("addr"));
    let sk = ed25519_dalek::SigningKey::from_bytes(&[42u8; 32]);
    let vkey = custody_audit::CosignerKey::vkey_text("witness.test", &sk.verifying_key().to_bytes());
    let cosigner = custody_audit::CosignerKey::parse(&vkey).expect("cosigner");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(0u64));
    let state = seen.clone();
    std::thread::spawn(move || {
        let mut root = custody_audit::empty_root();
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let (mut request_line, mut len) = (String::new(), 0usize);
            reader.read_line(&mut request_line).expect("request line");
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).expect("header");
                if h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().expect("length");
                }
            }
            let mut body = vec![0u8; len];
            reader.read_exact(&mut body).expect("body");
            let body = String::from_utf8(body).expect("utf-8");
            let respond = |stream: &mut std::net::TcpStream, status: &str, text: &str| {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            };
            assert!(request_line.starts_with("POST /w/add-checkpoint "), "{request_line}");
            let (head, note) = body.split_once("\n\n").expect("blank line");
            let mut lines = head.lines();
            let old: u64 = lines.next().and_then(|l| l.strip_prefix("old ")).expect("old").parse().expect("size");
            let proof: Vec<custody_audit::Hash> = lines
                .map(|l| {
                    let b = base64_decode(l);
                    <[u8; 32]>::try_from(b.as_slice()).expect("hash")
                })
                .collect();
            let key_text = std::fs::read_to_string(&log_key_file).expect("log key");
            let log = custody_audit::SigningKey::parse(key_text.trim()).expect("key").verifier();
            let Ok(cp) = custody_audit::verify_checkpoint(note, &log) else {
                respond(&mut stream, "403 Forbidden", "");
                continue;
            };
            let mut size = state.lock().expect("lock");
            if old != *size {
                respond(&mut stream, "409 Conflict", &format!("{}\n", *size));
                continue;
            }
            if cp.size < old || (old > 0 && !custody_audit::verify_consistency(old, cp.size, &root, &cp.root, &proof)) {
                respond(&mut stream, "422 Unprocessable Entity", "");
                continue;
            }
            *size = cp.size;
            root = cp.root;
            let body_text = &note[..note.rfind("\n\n").expect("sig") + 1];
            let time = 1_700_000_000;
            let sig = sk.sign(custody_audit::cosigned_message(body_text, time).as_bytes()).to_bytes();
            respond(&mut stream, "200 OK", &cosigner.line(time, &sig));
        }
    });
    (url, vkey, seen)
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        acc = (acc << 6) | A.iter().position(|a| *a == c).expect("base64") as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn an_http_tlog_witness_cosigns_every_checkpoint_and_catches_a_rollback() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    let (url, vkey, seen) = tlog_witness(root.join(".custody/audit.key"));
    project(root, &format!("\n[audit]\nwitnesses = [\"{url} key={vkey}\"]\n"));
    let old = dir.path().join("old.db");
    std::fs::copy(db(root), &old).expect("copy");
    ok(&evidence(root, 1));
    ok(&evidence(root, 2));
    assert_eq!(*seen.lock().expect("lock"), u64::try_from(entry_count(root)).expect("n"), "it saw every checkpoint");
    let kept: Vec<_> = std::fs::read_dir(root.join(".custody"))
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("audit.witnessed-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let cosigned = std::fs::read_to_string(root.join(".custody").join(&kept[0])).expect("read");
    assert!(cosigned.contains("\u{2014} witness.test "), "{cosigned}");
    assert_eq!(verify(root, &[]).0, 0);
    // Someone who can write the store and everything beside it rolls it all back; the witness,
    // elsewhere, has seen more.
    std::fs::copy(&old, db(root)).expect("roll back");
    for f in ["audit.checkpoint", kept[0].as_str()] {
        std::fs::remove_file(root.join(".custody").join(f)).expect("rm");
    }
    let o = custody(root, &["audit", "witness"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("ROLLBACK: the witness has seen"), "{}", text(&o.stderr));
    // A misconfigured witness is a clear config error.
    std::fs::write(root.join("custody.toml"), format!("{CONFIG}\n[audit]\nwitnesses = [\"{url}\"]\n")).expect("cfg");
    let e = fails(&custody(root, &["evidence", "list"]), 2);
    assert!(e.contains("needs its cosigning key"), "{e}");
}

//! The audit log and records end to end, and tamper detection: every direct edit of the
//! database (edit, delete, reorder, insert; entries, records, scans, checkpoints) is caught by
//! `custody audit verify`.

use crate::common;
use common::{custody, ok, text};

use rusqlite::Connection;
use std::path::Path;

fn project(root: &Path) {
    std::fs::write(
        root.join("custody.toml"),
        "[organisation]\nname = \"T\"\nroles = [\"developer\", \"data-custodian\"]\n\n[[system]]\nname = \"chat\"\nexposure = \"public\"\nassets = [\"data/**\"]\n",
    )
    .expect("config");
    std::fs::create_dir_all(root.join("data")).expect("mkdir");
    std::fs::write(root.join("data/train.jsonl"), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n").expect("data");
    std::fs::write(root.join("policy.pdf"), b"%PDF-1.4 policy").expect("policy");
    // An unregistered, malformed model: the scan has findings to tamper with.
    std::fs::write(root.join("stray.gguf"), b"not really a gguf").expect("stray");
    ok(&custody(root, &["init", "--quiet"]));
    ok(&custody(root, &["scan", "--quiet"]));
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
            "--licence",
            "CC-BY-4.0",
            "--sensitivity",
            "personal",
            "--owner",
            "ml",
            "--file",
            "data/train.jsonl",
            "--as",
            "data-custodian",
        ],
    ));
    ok(&custody(root, &["evidence", "add", "5.2.2-4", "--file", "policy.pdf", "--note", "VDP"]));
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
            "AI threats",
            "--completed",
            "2026-10-01",
            "--expires",
            "2027-10-01",
        ],
    ));
}

fn verify(root: &Path) -> (i32, String) {
    let o = custody(root, &["audit", "verify"]);
    (o.status.code().unwrap_or(-1), text(&o.stdout))
}

#[test]
fn records_round_trip_and_are_logged() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    let listed = custody(root, &["data", "list", "--format", "json"]);
    assert_eq!(listed.status.code(), Some(1), "a conflict is a policy failure");
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let ds = &list["datasets"][0];
    assert_eq!(ds["dataset"]["sources"][0]["url"], "https://example.org/dump");
    assert_eq!(ds["recorded"]["actor"], "ana");
    assert_eq!(ds["recorded"]["role"], "data-custodian");
    // Personal data behind a public system without an approval that addresses it: a conflict.
    let conflicts = ds["conflicts"].as_array().expect("conflicts");
    assert!(conflicts.iter().any(|c| c.as_str().unwrap_or("").contains("5.1.2-5")), "{conflicts:?}");
    assert_eq!(custody(root, &["data", "list"]).status.code(), Some(1));
    // A developer may not approve; a custodian may, and then the conflict is gone.
    let e = custody(root, &["approve", "train", "--system", "chat", "--scope", "fine-tuning", "--as", "developer"]);
    assert_eq!(e.status.code(), Some(2));
    assert!(text(&e.stderr).contains("data-custodian"), "{}", text(&e.stderr));
    ok(&custody(
        root,
        &[
            "approve",
            "train",
            "--system",
            "chat",
            "--scope",
            "fine-tuning",
            "--addresses-sensitive-data",
            "--as",
            "data-custodian",
        ],
    ));
    assert_eq!(custody(root, &["data", "list"]).status.code(), Some(0));
    // Changing an approved file voids it.
    std::fs::write(root.join("data/train.jsonl"), "{\"a\":9}\n{\"a\":2}\n{\"a\":3}\n").expect("edit");
    let l = text(&custody(root, &["data", "list"]).stdout);
    assert!(l.contains("changed (or is gone) since it was approved"), "{l}");
    // Bad input changes nothing.
    let before = verify(root).1;
    for bad in [
        vec!["data", "add", "x", "--source", "not a url", "--acquired", "2026-10-01T09:00:00Z", "--as", "developer"],
        vec!["data", "add", "x", "--source", "https://a.example", "--acquired", "yesterday", "--as", "developer"],
        vec!["data", "add", "x", "--file", "missing.csv", "--as", "developer"],
        vec!["approve", "nope", "--system", "chat", "--scope", "s", "--as", "data-custodian"],
        vec!["evidence", "add", "9.9.9-1", "--url", "https://a.example"],
        vec!["training", "add", "--person", "B", "--staff-role", "r", "--module", "m", "--completed", "2026-13-01"],
    ] {
        let o = custody(root, &bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", text(&o.stderr));
    }
    assert_eq!(verify(root).1, before, "a refused record changed the log");
    let v = verify(root);
    assert_eq!(v.0, 0, "{}", v.1);
    // Proofs and the export.
    let p: serde_json::Value = serde_json::from_str(&ok(&custody(root, &["audit", "prove", "1"]))).expect("json");
    assert_eq!(p["index"], 1);
    assert!(p["checkpoint"].as_str().unwrap_or("").contains("custody.invalid/audit/t"));
    let c: serde_json::Value =
        serde_json::from_str(&ok(&custody(root, &["audit", "consistency", "2", "4"]))).expect("json");
    assert_eq!(c["old_size"], 2);
    let ex: serde_json::Value = serde_json::from_str(&ok(&custody(root, &["audit", "export"]))).expect("json");
    assert_eq!(ex["format"], "custody-audit-export/v1");
}

/// Each tampering, applied to a fresh copy of the same store, must make `audit verify` fail.
#[test]
fn every_direct_edit_of_the_database_is_detected() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    project(root);
    assert_eq!(verify(root).0, 0);
    let db = root.join(".custody/custody.db");
    // Fold the WAL into the main file so copies are complete.
    Connection::open(&db).expect("db").execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("checkpoint");
    let pristine = std::fs::read(&db).expect("read");
    let cases: &[(&str, &str)] = &[
        (
            "edit an entry",
            "UPDATE audit_entry SET payload_json = replace(payload_json, 'scraped', 'licensed') WHERE kind = 'record.dataset'",
        ),
        (
            "edit an entry and its leaf",
            "UPDATE audit_entry SET actor = 'mallory', leaf_hash = zeroblob(32) WHERE seq = 1",
        ),
        ("delete an entry", "DELETE FROM audit_entry WHERE seq = 2"),
        ("delete the last entry", "DELETE FROM audit_entry WHERE seq = (SELECT max(seq) FROM audit_entry)"),
        (
            "reorder two entries",
            "UPDATE audit_entry SET seq = CASE seq WHEN 1 THEN 2 WHEN 2 THEN 1 END + 1000 WHERE seq IN (1, 2); UPDATE audit_entry SET seq = seq - 1000 WHERE seq >= 1000",
        ),
        (
            "insert an entry",
            "INSERT INTO audit_entry (seq, at, actor, role, kind, payload_json, leaf_hash) SELECT max(seq) + 1, 'x', 'mallory', NULL, 'scan', '{}', zeroblob(32) FROM audit_entry",
        ),
        (
            "edit a record",
            "UPDATE record SET payload_json = replace(payload_json, 'CC-BY-4.0', 'MIT') WHERE kind = 'dataset'",
        ),
        ("delete a record", "DELETE FROM record WHERE kind = 'training'"),
        ("edit a scan finding", "UPDATE scan_finding SET message = 'nothing to see' WHERE seq = 0"),
        (
            "edit which system owns an asset",
            "UPDATE scan SET ownership_json = replace(ownership_json, '\"chat\"', '\"other\"') WHERE ownership_json LIKE '%\"chat\"%'",
        ),
        (
            "delete an asset location",
            "DELETE FROM asset_location WHERE rowid = (SELECT min(rowid) FROM asset_location)",
        ),
        (
            "forge a checkpoint",
            "UPDATE audit_checkpoint SET note = replace(note, 'custody', 'kustody') WHERE size = (SELECT max(size) FROM audit_checkpoint)",
        ),
        (
            "drop the latest checkpoint",
            "DELETE FROM audit_checkpoint WHERE size = (SELECT max(size) FROM audit_checkpoint)",
        ),
    ];
    for (what, sql) in cases {
        std::fs::write(&db, &pristine).expect("restore");
        let _ = std::fs::remove_file(root.join(".custody/custody.db-wal"));
        // An attacker is not bound by custody's foreign keys.
        let c = Connection::open(&db).expect("db");
        c.execute_batch("PRAGMA foreign_keys = OFF;").expect("pragma");
        c.execute_batch(sql).unwrap_or_else(|e| panic!("{what}: {e}"));
        let changed: i64 = c.query_row("SELECT total_changes()", [], |r| r.get(0)).expect("changes");
        assert!(changed > 0, "{what}: the SQL changed nothing, so the case proves nothing");
        drop(c);
        let (code, out) = verify(root);
        assert_eq!(code, 1, "{what} was not detected:\n{out}");
        assert!(out.contains("problem"), "{what}: {out}");
    }
    std::fs::write(&db, &pristine).expect("restore");
    assert_eq!(verify(root).0, 0, "the pristine copy verifies");
}

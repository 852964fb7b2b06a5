//! Snapshots and integrity events: stored whole, read back, never replaced; an upgrade from
//! version 3 adds the tables.

mod common;

use custody_store::{AttestEvent, OpenOptions, SnapshotFileRow, SnapshotRecord, SqliteStore, Store, StoreError};

fn record(name: &str) -> SnapshotRecord {
    SnapshotRecord {
        name: name.into(),
        created_at: "2026-11-30T12:00:00Z".into(),
        source: "/models/m".into(),
        objects_dir: "/store/objects".into(),
        single_file: false,
        serialization: "files/sha256".into(),
        root_digest: "ab".repeat(32),
        bundle: b"{\"mediaType\":\"x\"}".to_vec(),
        trust_kind: "public-key".into(),
        trust_pem: "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n".into(),
        signature_name: Some("model.sig".into()),
        total_bytes: 3,
        files: vec![
            SnapshotFileRow { path: "b/w.bin".into(), size: 3, mode: 0o644, object: "cd".repeat(32) },
            SnapshotFileRow { path: "a.json".into(), size: 0, mode: 0o755, object: "ef".repeat(32) },
        ],
    }
}

#[test]
fn snapshots_round_trip_and_names_are_used_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = common::store_at(&dir.path().join("c.db"));
    let id = s.record_snapshot(&record("v1")).expect("record");
    let got = s.snapshot("v1").expect("read").expect("present");
    assert_eq!(got.id, id);
    assert_eq!(got.file_count, 2);
    let mut want = record("v1");
    want.files.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(got.record, want);
    assert!(s.snapshot("v2").expect("read").is_none());
    let e = s.record_snapshot(&record("v1")).expect_err("refused");
    assert!(matches!(e, StoreError::Other { .. }) && e.to_string().contains("exists already"), "{e}");
    s.record_snapshot(&record("v2")).expect("second");
    let all = s.snapshots().expect("list");
    assert_eq!(all.iter().map(|x| x.record.name.as_str()).collect::<Vec<_>>(), ["v1", "v2"]);
    assert!(all.iter().all(|x| x.record.files.is_empty() && x.file_count == 2));
}

#[test]
fn events_are_appended_and_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = common::store_at(&dir.path().join("c.db"));
    let ev = |kind: &str, outcome: &str| AttestEvent {
        at: "2026-11-30T12:00:00Z".into(),
        kind: custody_core::IntegrityKind::parse(kind).expect("kind"),
        subject: "/m".into(),
        snapshot: None,
        outcome: custody_core::Outcome::parse(outcome).expect("outcome"),
        root_digest: None,
        detail_json: "{}".into(),
    };
    s.record_attest_event(&ev("verify", "failed")).expect("record");
    s.record_attest_event(&ev("restore", "ok")).expect("record");
    let got = s.attest_events().expect("read");
    assert_eq!(got, [ev("verify", "failed"), ev("restore", "ok")]);
}

#[test]
fn a_version_3_store_is_upgraded_with_the_snapshot_tables() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("c.db");
    drop(SqliteStore::create_at_version(&p, 3).expect("v3"));
    let mut s = SqliteStore::open(&p, &OpenOptions::default()).expect("upgrade");
    common::sealed(&mut s);
    assert!(s.schema_version().expect("v") >= 4);
    s.record_snapshot(&record("v1")).expect("record");
    assert!(dir.path().join("c.db.pre-v3.bak").is_file());
}

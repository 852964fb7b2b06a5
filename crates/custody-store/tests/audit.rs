//! The audit log's write rules against tampering through SQLite itself (entries appended with
//! raw SQL, an older copy of the file put back) and read-only opening. What every backend must
//! do through the `Store` trait is the conformance suite (`tests/conformance.rs`).

mod common;

use custody_store::{Location, OpenOptions, RecordKey, SqliteStore, Store, StoreError, Writer};
use serde_json::json;

fn add(s: &mut dyn Store, key: &str) -> Result<custody_store::StoredRecord, StoreError> {
    s.add_record("evidence", RecordKey::Replace(key), &json!({"n": key}), None, "2026-11-30T12:00:00Z")
}

fn entries(s: &dyn Store) -> usize {
    s.audit_entries().expect("entries").len()
}

#[test]
fn entries_added_without_the_key_are_never_sealed_until_accepted() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("c.db");
    let mut s = common::store_at(&p);
    add(&mut s, "a").expect("add");
    // Someone with write access to the database but not to the key appends an entry that
    // looks like custody's (a copy opened with --db and copied back does the same).
    {
        let mut forger = SqliteStore::open(&p, &OpenOptions::default()).expect("open");
        forger
            .set_writer(Writer { key: Some(custody_audit::SigningKey::generate("x").expect("k")), ..common::writer() });
        assert!(matches!(add(&mut forger, "forged"), Err(StoreError::AuditTampered { .. })), "another key is refused");
        let c = rusqlite::Connection::open(&p).expect("raw");
        let (at, leaf): (String, Vec<u8>) = c
            .query_row("SELECT at, leaf_hash FROM audit_entry WHERE seq = 0", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("row");
        c.execute(
            "INSERT INTO audit_entry (seq, at, actor, role, kind, payload_json, attachment_sha256, leaf_hash) VALUES (1, ?1, 'mallory', NULL, 'record.evidence', '{}', NULL, ?2)",
            rusqlite::params![at, leaf],
        )
        .expect("insert");
    }
    // The owner's next write refuses to sign over it, and writes nothing.
    match add(&mut s, "b") {
        Err(StoreError::AuditUnsealed { from: 1, count: 1, .. }) => {}
        other => panic!("expected AuditUnsealed, got {other:?}"),
    }
    assert_eq!(entries(&s), 2);
    assert_eq!(s.audit_checkpoints().expect("cps").last().map(|(n, _)| *n), Some(1));
    // Accepting needs the reviewed count; then the log is sealed again, with an entry saying so.
    assert!(s.accept_unsealed(2, "reviewed", "2026-11-30T12:00:00Z").is_err());
    let seq = s.accept_unsealed(1, "reviewed: my own interrupted scan", "2026-11-30T12:00:00Z").expect("accept");
    assert_eq!(seq, 2);
    let (e, _) = &s.audit_entries().expect("entries")[2];
    assert_eq!(e.kind, "audit.accept");
    assert_eq!(e.payload, json!({"from": 1, "count": 1, "reason": "reviewed: my own interrupted scan"}));
    add(&mut s, "b").expect("writes go on");
}

#[test]
fn a_rolled_back_log_is_not_written_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("c.db");
    let mut s = common::store_at(&p);
    add(&mut s, "a").expect("add");
    drop(s); // closing checkpoints the WAL into the file, so a plain copy is complete
    let old = dir.path().join("old.db");
    std::fs::copy(&p, &old).expect("copy");
    let mut s = common::store_at(&p);
    add(&mut s, "b").expect("add");
    let kept = s.audit_checkpoints().expect("cps").pop().expect("cp").1;
    drop(s);
    // The older copy is put back; the checkpoint kept outside the database remembers more.
    std::fs::copy(&old, &p).expect("roll back");
    let mut s = SqliteStore::open(&p, &OpenOptions::default()).expect("open");
    s.set_writer(Writer { known_checkpoint: Some(kept.clone()), ..common::writer() });
    match add(&mut s, "c") {
        Err(StoreError::AuditTampered { detail, .. }) => assert!(detail.contains("rolled back"), "{detail}"),
        other => panic!("expected AuditTampered, got {other:?}"),
    }
    assert_eq!(entries(&s), 1);
}

#[test]
fn read_only_opening_creates_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("touch");
    assert!(matches!(
        custody_store::open_read_only(&Location::Sqlite(empty.clone()), &OpenOptions::default()),
        Err(StoreError::Foreign { .. })
    ));
    assert_eq!(std::fs::metadata(&empty).expect("meta").len(), 0, "no tables were created");
    assert!(matches!(
        custody_store::open_read_only(&Location::Sqlite(dir.path().join("none.db")), &OpenOptions::default()),
        Err(StoreError::Missing { .. })
    ));
    let p = dir.path().join("c.db");
    let mut s = common::store_at(&p);
    add(&mut s, "a").expect("add");
    drop(s);
    let before = std::fs::read(&p).expect("read");
    let ro = custody_store::open_read_only(&Location::Sqlite(p.clone()), &OpenOptions::default()).expect("open");
    assert_eq!(ro.audit_view().expect("view").entries.len(), 1);
    drop(ro);
    assert_eq!(std::fs::read(&p).expect("read"), before);
}

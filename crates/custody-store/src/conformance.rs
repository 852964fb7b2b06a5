//! The backend conformance suite: what every [`Store`] backend must do, written against the
//! trait only. SQLite runs it in `tests/conformance.rs`; the PostgreSQL backend will run the
//! same functions. Each takes an `open` that gives a new handle to one fresh, empty store (a
//! new connection each call, so concurrency is real), acting as the given [`Writer`].
//!
//! Tampering through the backend's own storage (raw SQL edits, rollbacks) is backend-specific
//! and tested beside each backend.

use crate::{RecordKey, Store, StoreError, Writer};
use custody_audit::{KeySchedule, SigningKey, verify_log_with};
use serde_json::json;

/// A handle opener: a new connection to the store under test, acting as `writer`.
pub type Open<'a> = &'a (dyn Fn(Writer) -> Box<dyn Store> + Sync);

const AT: &str = "2026-11-30T12:00:00Z";

/// The audit key every conformance store is sealed with.
pub fn key() -> SigningKey {
    SigningKey::from_seed("custody.invalid/audit/conformance", &[3u8; 32]).unwrap_or_else(|e| panic!("key: {e}"))
}

/// A writer with the conformance key, acting as `name`.
pub fn writer(name: &str) -> Writer {
    Writer { actor: crate::Actor { name: name.into(), role: None }, key: Some(key()), ..Writer::default() }
}

fn init(open: Open<'_>) -> Box<dyn Store> {
    let s = open(writer("ana"));
    if s.audit_vkey().ok().flatten().is_none() {
        s.set_audit_vkey(&key().verifier().to_string()).unwrap_or_else(|e| panic!("vkey: {e}"));
    }
    s
}

fn ok<T>(r: Result<T, StoreError>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Records are append-only: a second version supersedes the first, both stay, in order.
pub fn records_round_trip_and_supersede(open: Open<'_>) {
    let s = init(open);
    let a = ok(s.add_record("dataset", RecordKey::Replace("d"), &json!({"v": 1}), None, AT), "add");
    let b = ok(s.add_record("dataset", RecordKey::Replace("d"), &json!({"v": 2}), Some(&"ab".repeat(32)), AT), "add");
    let current = ok(s.records("dataset"), "records");
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].payload, json!({"v": 2}));
    assert_eq!(current[0].actor, "ana");
    let all = ok(s.all_records(), "all");
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), vec![a.id, b.id]);
    assert_eq!(all[0].superseded_by, Some(b.id));
    let (e, _) = ok(s.audit_entry(b.audit_seq), "entry").unwrap_or_else(|| panic!("entry {}", b.audit_seq));
    assert_eq!(e.payload["supersedes"], json!(a.id));
    assert_eq!(e.attachment_sha256.as_deref(), Some("ab".repeat(32).as_str()));
}

/// Each write appends its entry and a checkpoint over it in one transaction; the log verifies.
pub fn every_write_is_sealed_in_its_transaction(open: Open<'_>) {
    let s = init(open);
    for k in ["a", "b", "c"] {
        ok(s.add_record("evidence", RecordKey::Replace(k), &json!({}), None, AT), "add");
    }
    ok(s.log_event("config.register", &json!({"system": "x"}), None, AT), "log");
    let view = ok(s.audit_view(), "view");
    assert_eq!(view.entries.len(), 4);
    assert_eq!(view.checkpoints.iter().map(|(n, _)| *n).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    let notes: Vec<String> = view.checkpoints.into_iter().map(|(_, n)| n).collect();
    let report =
        verify_log_with(view.entries.into_iter().map(|(e, _)| e), &notes, &KeySchedule::single(&key().verifier()));
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.unanchored_entries(), 0);
}

/// A writer without the key writes nothing; another key is refused.
pub fn nothing_is_written_without_the_key(open: Open<'_>) {
    drop(init(open));
    let s = open(Writer { key: None, ..writer("ana") });
    assert!(matches!(
        s.add_record("evidence", RecordKey::Replace("a"), &json!({}), None, AT),
        Err(StoreError::AuditKeyMissing { .. })
    ));
    let other = SigningKey::generate("custody.invalid/audit/conformance").unwrap_or_else(|e| panic!("{e}"));
    let s2 = open(Writer { key: Some(other), ..writer("mallory") });
    assert!(matches!(
        s2.add_record("evidence", RecordKey::Replace("a"), &json!({}), None, AT),
        Err(StoreError::AuditTampered { .. })
    ));
    assert_eq!(ok(s.audit_size(), "size"), 0);
    assert!(ok(s.records("evidence"), "records").is_empty());
}

/// `Next` keys from many handles at once are all different and all current; `New` is taken
/// once.
pub fn unique_keys_are_decided_inside_the_transaction(open: Open<'_>) {
    drop(init(open));
    let keys: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                scope.spawn(move || {
                    let s = open(writer(&format!("w{i}")));
                    ok(s.add_record("evidence", RecordKey::Next("5.2.2-4"), &json!({"i": i}), None, AT), "add").key
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| panic!("writer thread"))).collect()
    });
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 8, "{keys:?}");
    let s = open(writer("ana"));
    assert_eq!(ok(s.records("evidence"), "records").len(), 8, "none superseded");
    ok(s.add_record("release", RecordKey::New("sys@1.0.0"), &json!({}), None, AT), "first");
    assert!(matches!(
        s.add_record("release", RecordKey::New("sys@1.0.0"), &json!({}), None, AT),
        Err(StoreError::Taken { .. })
    ));
}

/// The targeted queries give what reading the whole log gives.
pub fn targeted_audit_queries_agree_with_the_whole_log(open: Open<'_>) {
    let s = init(open);
    ok(s.add_record("dataset", RecordKey::Replace("d"), &json!({}), None, AT), "add");
    ok(s.log_event("config.register", &json!({}), None, AT), "log");
    ok(s.add_record("evidence", RecordKey::Replace("e"), &json!({}), None, AT), "add");
    let all = ok(s.audit_entries(), "entries");
    assert_eq!(ok(s.audit_size(), "size"), all.len() as u64);
    assert_eq!(ok(s.audit_leaves(), "leaves"), all.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>());
    assert_eq!(ok(s.audit_entry(1), "entry"), Some(all[1].clone()));
    assert_eq!(ok(s.audit_entry(99), "entry"), None);
    let kind = ok(s.audit_entries_of_kind("config.register"), "kind");
    assert_eq!(kind, vec![all[1].clone()]);
}

/// Rotating the key is an entry whose checkpoint both keys sign; later writes use the new key.
pub fn the_key_rotates_on_the_record(open: Open<'_>) {
    let s = init(open);
    ok(s.add_record("evidence", RecordKey::Replace("a"), &json!({}), None, AT), "add");
    let next = SigningKey::from_seed("custody.invalid/audit/conformance", &[4u8; 32]).unwrap_or_else(|e| panic!("{e}"));
    let seq = ok(s.rotate_audit_key(&next, "scheduled", AT), "rotate");
    assert_eq!(ok(s.audit_vkey(), "vkey"), Some(next.verifier().to_string()));
    // The old key may no longer write; the new one may.
    let old = open(writer("ana"));
    assert!(old.add_record("evidence", RecordKey::Replace("b"), &json!({}), None, AT).is_err());
    let new = open(Writer { key: Some(next.clone()), ..writer("ana") });
    ok(new.add_record("evidence", RecordKey::Replace("b"), &json!({}), None, AT), "add after rotation");
    let view = ok(new.audit_view(), "view");
    let notes: Vec<String> = view.checkpoints.into_iter().map(|(_, n)| n).collect();
    let keys = KeySchedule::rotated(&key().verifier(), &[(seq + 1, next.verifier())]);
    let report = verify_log_with(view.entries.into_iter().map(|(e, _)| e), &notes, &keys);
    assert!(report.is_ok(), "{:?}", report.problems);
}

/// Who acts travels with each handle: handles for two actors on one store, used from two
/// threads at once, each log their own actor; the store itself is `Send + Sync`.
pub fn each_handle_writes_as_its_own_actor(open: Open<'_>) {
    fn shareable<T: Send + Sync + ?Sized>(_: &T) {}
    let base = init(open);
    shareable(base.as_ref());
    let handles = [base.with_writer(writer("ana")), base.with_writer(writer("bob"))];
    std::thread::scope(|scope| {
        for h in &handles {
            scope.spawn(move || {
                for i in 0..5 {
                    let key = format!("{}-{i}", h.actor().name);
                    ok(h.add_record("evidence", RecordKey::Replace(&key), &json!({}), None, AT), "add");
                }
            });
        }
    });
    let records = ok(base.records("evidence"), "records");
    assert_eq!(records.len(), 10);
    for r in &records {
        assert!(r.key.starts_with(&format!("{}-", r.actor)), "{} written by {}", r.key, r.actor);
    }
    for (e, _) in ok(base.audit_entries(), "entries") {
        let key = e.payload["key"].as_str().unwrap_or_default().to_string();
        assert!(key.starts_with(&format!("{}-", e.actor)), "entry {} by {}", key, e.actor);
    }
}

//! Verifying the audit log: pure functions over one consistent [`AuditView`] of a store and
//! the checkpoints kept outside it. `custody audit verify` and `custody gate` render what
//! [`check`] finds; the store's writes use [`key_schedule`] to know the log's keys.

use crate::AuditView;
use custody_audit::{Entry, KeySchedule, Problem, VerifierKey};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The log's current verifier key, as stored.
pub fn current_key(vkey: Option<&str>) -> Result<VerifierKey, String> {
    let text = vkey.ok_or("this store has no audit log key yet (run `custody init` to create it)")?;
    VerifierKey::parse(text).map_err(|e| format!("the stored audit verifier key is unusable: {e}"))
}

fn plural_y(n: u64) -> &'static str {
    if n == 1 { "y" } else { "ies" }
}

/// The kind of the entry that rotates the log's key (written by the store).
pub const ROTATION: &str = "audit.key-rotation";

/// Which key signs which checkpoint sizes, from the stored (current) verifier key and the log's
/// `audit.key-rotation` entries. The one place that reads rotations.
pub fn key_schedule(vkey: Option<&str>, entries: &[(Entry, Vec<u8>)]) -> Result<KeySchedule, String> {
    let parse = |what: &str, t: &str| VerifierKey::parse(t).map_err(|e| format!("{what} is not a verifier key: {e}"));
    let current = current_key(vkey)?;
    let mut first: Option<VerifierKey> = None;
    let mut rotations = Vec::new();
    let mut expected_old: Option<String> = None;
    for (e, _) in entries.iter().filter(|(e, _)| e.kind == ROTATION) {
        let field = |k: &str| e.payload.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
        let (old, new) = (field("old"), field("new"));
        if let Some(want) = &expected_old
            && *want != old
        {
            return Err(format!("audit entry {} rotates from a key that was not the log's key then", e.seq));
        }
        first.get_or_insert(parse(&format!("entry {}'s old key", e.seq), &old)?);
        rotations.push((e.seq + 1, parse(&format!("entry {}'s new key", e.seq), &new)?));
        expected_old = Some(new);
    }
    if let Some(last) = expected_old
        && last != current.to_string()
    {
        return Err("the stored audit key is not the one the log's last key rotation names".into());
    }
    Ok(match first {
        None => KeySchedule::single(&current),
        Some(f) => KeySchedule::rotated(&f, &rotations),
    })
}

/// What `custody audit verify` found.
pub struct Checked {
    /// Tampering or damage, in words (empty: the log verifies).
    pub problems: Vec<String>,
    /// Worth a look but not proof of tampering: times going backwards, injected clocks.
    pub warnings: Vec<String>,
    pub report: custody_audit::Report,
}

/// Every check `custody audit verify` makes, over one consistent view of the store and the
/// checkpoints held outside it (source, note).
pub fn check(view: &AuditView, outside: &[(String, String)]) -> Result<Checked, String> {
    let entries = &view.entries;
    let mut problems = Vec::new();
    // Which key signs which sizes, from the log's own rotation entries (themselves sealed).
    let keys = match key_schedule(view.vkey.as_deref(), entries) {
        Ok(k) => k,
        Err(message) => {
            problems.push(message);
            KeySchedule::single(&current_key(view.vkey.as_deref())?)
        }
    };
    // 1. Each entry still hashes to the leaf logged when it was written.
    for (e, stored) in entries {
        match e.leaf_hash() {
            Ok(h) if h.as_slice() == stored.as_slice() => {}
            Ok(_) => problems.push(format!(
                "entry {}: its content no longer matches the leaf hash logged when it was written",
                e.seq
            )),
            Err(err) => problems.push(format!("entry {}: no canonical form ({err})", e.seq)),
        }
    }
    // 2. The tree, the sequence and every signed checkpoint: the store's, then those kept
    // outside it.
    let inside = view.checkpoints.len();
    let mut notes: Vec<String> = view.checkpoints.iter().map(|(_, n)| n.clone()).collect();
    notes.extend(outside.iter().map(|(_, n)| n.clone()));
    let source = |i: usize| outside.get(i.wrapping_sub(inside)).map(|(s, _)| s.as_str());
    let report = custody_audit::verify_log_with(entries.iter().map(|(e, _)| e.clone()), &notes, &keys);
    for p in &report.problems {
        problems.push(match p {
            Problem::BadCheckpoint { checkpoint, error } => match source(*checkpoint) {
                Some(s) => format!("the checkpoint in {s} is not one of this log's: {error}"),
                None => format!("checkpoint {checkpoint}: {error}"),
            },
            Problem::OriginMismatch { checkpoint, expected, found } => {
                format!("checkpoint {} names log `{found}`, not `{expected}`", source(*checkpoint).unwrap_or("in the store"))
            }
            Problem::Sequence { position, expected, found } => {
                format!("at position {position} the log has entry {found} where {expected} was due: an entry was deleted, inserted or moved")
            }
            Problem::NotCanonical { seq, error } => format!("entry {seq}: no canonical form ({error})"),
            Problem::RootMismatch { checkpoint, size, first_suspect } => match source(*checkpoint) {
                Some(s) => format!(
                    "ROLLBACK OR FORK: the checkpoint in {s} signed {size} entries whose tree this log no longer has (an entry from {first_suspect} on differs)"
                ),
                None => format!(
                    "checkpoint {checkpoint} signed {size} entries whose tree no longer matches: an entry from {first_suspect} to {} was changed, removed, inserted or reordered",
                    size.saturating_sub(1)
                ),
            },
            Problem::Truncated { checkpoint, size, log_size } => match source(*checkpoint) {
                Some(s) => format!(
                    "ROLLBACK: the checkpoint in {s} signed {size} entries but the log has {log_size}: the store was rolled back or truncated"
                ),
                None => format!("checkpoint {checkpoint} signed {size} entries but the log has {log_size}: entries were deleted"),
            },
        });
    }
    // Custody seals every entry in the transaction that writes it, so the store's own latest
    // checkpoint covers the whole log: entries past it were added without the key (or its
    // checkpoint was deleted).
    let failed: HashSet<usize> = report
        .problems
        .iter()
        .filter_map(|p| match p {
            Problem::BadCheckpoint { checkpoint, .. }
            | Problem::OriginMismatch { checkpoint, .. }
            | Problem::RootMismatch { checkpoint, .. }
            | Problem::Truncated { checkpoint, .. } => Some(*checkpoint),
            _ => None,
        })
        .collect();
    let sealed_inside = view.checkpoints[..inside]
        .iter()
        .enumerate()
        .filter(|(i, _)| !failed.contains(i))
        .filter_map(|(_, (_, note))| keys.verify(note).ok().map(|c| c.size))
        .max()
        .unwrap_or(0);
    let unanchored = report.entries.saturating_sub(sealed_inside);
    if unanchored > 0 {
        problems.push(format!(
            "{unanchored} entr{} after the store's last signed checkpoint (entries {sealed_inside} to {}): appended without custody's key, or that checkpoint was deleted; review them with `custody audit log`, then `custody audit accept {unanchored} --reason TEXT` if they are genuine",
            plural_y(unanchored),
            report.entries.saturating_sub(1)
        ));
    }
    // 3. Records and scans agree with what the log says about them.
    let by_seq: HashMap<u64, &Entry> = entries.iter().map(|(e, _)| (e.seq, e)).collect();
    let logged: HashSet<u64> = view.records.iter().map(|r| r.audit_seq).collect();
    for r in &view.records {
        match by_seq.get(&r.audit_seq) {
            None => problems.push(format!(
                "record {} ({} `{}`) points at audit entry {}, which is missing",
                r.id, r.kind, r.key, r.audit_seq
            )),
            Some(e) => {
                let same = e.kind == format!("record.{}", r.kind)
                    && e.payload.get("key").and_then(Value::as_str) == Some(r.key.as_str())
                    && e.payload.get("record") == Some(&r.payload)
                    && e.actor == r.actor
                    && e.at == r.at;
                if !same {
                    problems.push(format!(
                        "record {} ({} `{}`) differs from what audit entry {} logged",
                        r.id, r.kind, r.key, e.seq
                    ));
                }
            }
        }
    }
    let digests: HashMap<i64, &crate::ScanDigest> = view.scan_digests.iter().map(|d| (d.id, d)).collect();
    for (e, _) in entries {
        if e.kind.starts_with("record.") && !logged.contains(&e.seq) {
            problems.push(format!("entry {} logged a {} that is no longer in the records", e.seq, e.kind));
        }
        if e.kind == "scan"
            && let Some(id) = e.payload.get("scan").and_then(Value::as_i64)
        {
            let want = e.payload.get("content_sha256").and_then(Value::as_str);
            let found = digests.get(&id).copied();
            match found.and_then(|d| d.content.as_deref()) {
                None => problems.push(format!("scan {id} (logged by entry {}) is missing", e.seq)),
                Some(d) if Some(d) != want => {
                    problems.push(format!("scan {id}: its assets or findings differ from what entry {} logged", e.seq))
                }
                Some(_) => {}
            }
            // Entries written before ownership was logged have no `ownership_sha256`.
            if let Some(logged) = e.payload.get("ownership_sha256").filter(|v| !v.is_null())
                && found.is_some_and(|d| d.content.is_some())
                && found.and_then(|d| d.ownership.as_deref()) != logged.as_str()
            {
                problems
                    .push(format!("scan {id}: which systems own its assets differs from what entry {} logged", e.seq));
            }
        }
    }
    Ok(Checked { problems, warnings: clock_warnings(entries), report })
}

/// Times that go backwards, and entries whose time was injected far from when they were
/// written. Neither proves tampering (clocks are set back, tests fix the time), so they warn.
fn clock_warnings(entries: &[(Entry, Vec<u8>)]) -> Vec<String> {
    use time::OffsetDateTime;
    let parse = |t: &str| custody_core::time::parse_time("", t).ok();
    let mut warnings = Vec::new();
    let mut latest: Option<(OffsetDateTime, u64)> = None;
    let (mut backwards, mut first_backwards) = (0u64, None);
    let (mut injected, mut first_injected) = (0u64, None);
    for (e, _) in entries {
        let Some(at) = parse(&e.at) else {
            warnings.push(format!("entry {}: time `{}` is not RFC 3339", e.seq, e.at));
            continue;
        };
        match latest {
            Some((t, seq)) if at < t => {
                backwards += 1;
                first_backwards.get_or_insert((e.seq, e.at.clone(), seq));
            }
            Some((t, _)) if at == t => {}
            _ => latest = Some((at, e.seq)),
        }
        if let Some(w) = e.recorded_at.as_deref().and_then(parse)
            && (w - at).abs() > time::Duration::minutes(5)
        {
            injected += 1;
            first_injected.get_or_insert((e.seq, e.at.clone(), e.recorded_at.clone().unwrap_or_default()));
        }
    }
    if let Some((seq, at, before)) = first_backwards {
        warnings.push(format!(
            "{backwards} entr{} earlier than an entry before {} (first: entry {seq} at {at}, after entry {before}): the clock went backwards or times were injected",
            plural_y(backwards),
            if backwards == 1 { "it" } else { "them" }
        ));
    }
    if let Some((seq, at, wall)) = first_injected {
        warnings.push(format!(
            "{injected} entr{} carry an injected time far from when they were written (first: entry {seq} says {at}, written {wall})",
            plural_y(injected)
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoredRecord;
    use custody_audit::{Frontier, SigningKey};
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::from_seed("custody.invalid/audit/t", &[5u8; 32]).expect("key")
    }

    /// A view of `n` record entries, each sealed by a checkpoint, with their records.
    fn view(n: u64) -> AuditView {
        let k = key();
        let mut f = Frontier::new();
        let mut v = AuditView { vkey: Some(k.verifier().to_string()), ..AuditView::default() };
        for seq in 0..n {
            let payload = json!({"key": format!("k{seq}"), "record": {"n": seq}, "supersedes": null});
            let e = Entry {
                seq,
                actor: "ana".into(),
                role: None,
                at: format!("2026-11-30T12:00:{:02}Z", seq % 60),
                kind: "record.evidence".into(),
                payload,
                attachment_sha256: None,
                recorded_at: None,
            };
            let leaf = e.leaf_hash().expect("leaf");
            f.push(leaf);
            v.records.push(StoredRecord {
                id: i64::try_from(seq).expect("id") + 1,
                kind: "evidence".into(),
                key: format!("k{seq}"),
                payload: json!({"n": seq}),
                actor: "ana".into(),
                role: None,
                at: e.at.clone(),
                audit_seq: seq,
                superseded_by: None,
            });
            v.entries.push((e, leaf.to_vec()));
            v.checkpoints.push((f.size(), k.sign_checkpoint(k.name(), f.size(), &f.root()).expect("sign")));
        }
        v
    }

    #[test]
    fn a_sealed_log_with_matching_records_verifies() {
        let c = check(&view(4), &[]).expect("check");
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.report.entries, 4);
    }

    #[test]
    fn an_edited_record_and_an_unsealed_entry_are_problems() {
        let mut v = view(3);
        v.records[1].payload = json!({"n": 99});
        v.checkpoints.pop();
        let c = check(&v, &[]).expect("check");
        assert!(c.problems.iter().any(|p| p.contains("record 2") && p.contains("differs")), "{:?}", c.problems);
        assert!(
            c.problems.iter().any(|p| p.contains("1 entry after the store's last signed checkpoint")),
            "{:?}",
            c.problems
        );
    }

    #[test]
    fn a_checkpoint_kept_outside_that_signed_more_is_a_rollback() {
        let longer = view(5);
        let outside = vec![("audit.checkpoint".to_string(), longer.checkpoints[4].1.clone())];
        let c = check(&view(3), &outside).expect("check");
        assert!(
            c.problems
                .iter()
                .any(|p| p.starts_with("ROLLBACK") && p.contains("audit.checkpoint") && p.contains("5 entries")),
            "{:?}",
            c.problems
        );
        let shorter = vec![("w".to_string(), view(2).checkpoints[1].1.clone())];
        assert!(check(&view(3), &shorter).expect("check").problems.is_empty());
    }

    #[test]
    fn times_going_backwards_and_injected_times_warn() {
        let mut v = view(3);
        v.entries[2].0.at = "1900-01-01T00:00:00Z".into();
        v.entries[1].0.recorded_at = Some("2026-12-07T10:00:00Z".into());
        let c = check(&v, &[]).expect("check");
        assert!(c.warnings.iter().any(|w| w.contains("earlier than an entry before it")), "{:?}", c.warnings);
        assert!(c.warnings.iter().any(|w| w.contains("injected time")), "{:?}", c.warnings);
    }

    #[test]
    fn rotations_make_a_schedule_and_a_broken_chain_is_refused() {
        let k1 = key();
        let k2 = SigningKey::from_seed(k1.name(), &[6u8; 32]).expect("key");
        let k3 = SigningKey::from_seed(k1.name(), &[7u8; 32]).expect("key");
        let rot = |seq: u64, old: &SigningKey, new: &SigningKey| {
            (
                Entry {
                    seq,
                    actor: "ana".into(),
                    role: None,
                    at: "2026-11-30T12:00:00Z".into(),
                    kind: ROTATION.into(),
                    payload: json!({"old": old.verifier().to_string(), "new": new.verifier().to_string()}),
                    attachment_sha256: None,
                    recorded_at: None,
                },
                Vec::new(),
            )
        };
        let chain = [rot(3, &k1, &k2), rot(7, &k2, &k3)];
        let s = key_schedule(Some(&k3.verifier().to_string()), &chain).expect("schedule");
        let ranges: Vec<(u64, Option<u64>)> = s.ranges().map(|(a, b, _)| (a, b)).collect();
        assert_eq!(ranges, vec![(0, Some(4)), (4, Some(8)), (8, None)]);
        assert!(key_schedule(Some(&k2.verifier().to_string()), &chain).is_err(), "stored key is not the last");
        let broken = [rot(3, &k1, &k2), rot(7, &k1, &k3)];
        assert!(key_schedule(Some(&k3.verifier().to_string()), &broken).is_err(), "rotates from a retired key");
    }
}

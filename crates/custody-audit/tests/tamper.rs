//! verify_log catches every edit, deletion, reordering and insertion of checkpointed entries,
//! and says where.

use custody_audit::{
    Entry, Frontier, Problem, SigningKey, canonical_bytes, leaf_hash, root, verify_checkpoint, verify_log,
};
use serde_json::json;

const ORIGIN: &str = "custody.test/audit";

fn key() -> SigningKey {
    SigningKey::from_seed(ORIGIN, &[1u8; 32]).expect("valid key name")
}

fn entry(seq: u64) -> Entry {
    Entry {
        seq,
        actor: format!("user{}", seq % 3),
        role: if seq.is_multiple_of(2) { Some("data-custodian".into()) } else { None },
        at: format!("2025-03-01T10:{:02}:00Z", seq % 60),
        kind: ["scan", "data.add", "approval", "snapshot"][(seq % 4) as usize].into(),
        payload: json!({"n": seq, "path": format!("models/m{seq}.safetensors"), "score": seq as f64 / 8.0, "tags": ["a", "ü"]}),
        attachment_sha256: if seq.is_multiple_of(5) { Some(format!("{seq:064x}")) } else { None },
        recorded_at: if seq.is_multiple_of(7) { Some(format!("2026-12-07T10:{:02}:00Z", seq % 60)) } else { None },
    }
}

/// A log of `n` entries with a checkpoint after every append (as the store is meant to do).
fn log(n: u64) -> (Vec<Entry>, Vec<String>) {
    let sk = key();
    let entries: Vec<Entry> = (0..n).map(entry).collect();
    let mut f = Frontier::new();
    let mut cps = Vec::new();
    for e in &entries {
        f.push(leaf_hash(&canonical_bytes(e).expect("canonical")));
        cps.push(sk.sign_checkpoint(ORIGIN, f.size(), &f.root()).expect("signed"));
    }
    (entries, cps)
}

/// Only some checkpoints, to exercise `first_suspect`.
fn sparse(cps: &[String], sizes: &[u64]) -> Vec<String> {
    sizes.iter().map(|s| cps[*s as usize - 1].clone()).collect()
}

const N: u64 = 12;

#[test]
fn an_untouched_log_verifies() {
    let (entries, cps) = log(N);
    let r = verify_log(entries.clone(), &cps, &key().verifier());
    assert!(r.is_ok(), "{:?}", r.problems);
    assert_eq!((r.entries, r.checkpoints, r.checkpoints_verified), (N, N as usize, N as usize));
    assert_eq!(r.verified_size, Some(N));
    assert_eq!(r.unanchored_entries(), 0);
    assert_eq!(r.origin.as_deref(), Some(ORIGIN));
    let leaves: Vec<_> = entries.iter().map(|e| e.leaf_hash().unwrap()).collect();
    assert_eq!(r.root, root(&leaves));
    assert_eq!(r.frontier.root(), r.root);
    // The empty log with a checkpoint of size 0.
    let empty = key().sign_checkpoint(ORIGIN, 0, &root(&[])).unwrap();
    assert!(verify_log(Vec::new(), &[empty], &key().verifier()).is_ok());
}

fn first_root_mismatch(p: &[Problem]) -> Option<(usize, u64, u64)> {
    p.iter().find_map(|p| match p {
        Problem::RootMismatch { checkpoint, size, first_suspect } => Some((*checkpoint, *size, *first_suspect)),
        _ => None,
    })
}

#[test]
fn editing_any_field_of_any_entry_is_detected_at_the_next_checkpoint() {
    // (Ed25519 verification is slow in debug builds: the runs below check few signatures.)
    let (entries, cps) = log(N);
    type Edit = (&'static str, fn(&mut Entry));
    let edits: Vec<Edit> = vec![
        ("actor", |e| e.actor.push('x')),
        ("role", |e| e.role = if e.role.is_some() { None } else { Some("developer".into()) }),
        ("at", |e| e.at = e.at.replace("10:", "11:")),
        ("kind", |e| e.kind = "decommission".into()),
        ("payload value", |e| e.payload["n"] = json!(999)),
        ("payload member added", |e| e.payload["extra"] = json!(null)),
        ("payload float", |e| e.payload["score"] = json!(e.payload["score"].as_f64().unwrap() + 1e-9)),
        ("attachment", |e| e.attachment_sha256 = Some("ff".repeat(32))),
    ];
    let sparse_cps = sparse(&cps, &[4, 8, 12]);
    for seq in 0..N {
        for (i, (what, edit)) in edits.iter().enumerate() {
            let mut tampered = entries.clone();
            edit(&mut tampered[seq as usize]);
            // Sparse checkpoints: the suspect range is between the last good one and the bad one.
            let r = verify_log(tampered.clone(), &sparse_cps, &key().verifier());
            assert!(!r.is_ok(), "{what} of {seq} not detected");
            let (_, size, suspect) = first_root_mismatch(&r.problems).unwrap();
            assert!(suspect <= seq && seq < size, "{what} of {seq}: [{suspect}, {size})");
            assert_eq!((suspect, size), (seq / 4 * 4, (seq / 4 + 1) * 4));
            // A checkpoint after every entry pins the entry (one edit kind per entry here).
            if i == seq as usize % edits.len() {
                let r = verify_log(tampered, &cps, &key().verifier());
                assert_eq!(first_root_mismatch(&r.problems), Some((seq as usize, seq + 1, seq)), "{what} of {seq}");
                assert_eq!(r.checkpoints_verified, seq as usize);
            }
        }
    }
}

#[test]
fn flipping_any_byte_of_a_stored_entry_is_detected() {
    // A store keeps canonical bytes; one changed byte either no longer parses as a canonical
    // entry (caught when reading) or parses to a different entry (caught by verify_log).
    let (entries, cps) = log(N);
    // The newest checkpoint covers everything (and one signature check per run keeps this fast).
    let cps = &cps[N as usize - 1..];
    let vk = key().verifier();
    for seq in [0u64, N - 1] {
        let bytes = canonical_bytes(&entries[seq as usize]).unwrap();
        for pos in 0..bytes.len() {
            for mask in [0x01u8] {
                let mut b = bytes.clone();
                b[pos] ^= mask;
                let Ok(e) = Entry::from_canonical_bytes(&b) else { continue };
                let mut tampered = entries.clone();
                tampered[seq as usize] = e;
                let r = verify_log(tampered, cps, &vk);
                assert!(!r.is_ok(), "entry {seq} byte {pos} ^ {mask:#x} not detected");
            }
        }
    }
}

#[test]
fn deleting_an_entry_is_detected() {
    let (entries, cps) = log(N);
    for k in 0..N as usize {
        let mut tampered = entries.clone();
        tampered.remove(k);
        let r = verify_log(tampered, &cps, &key().verifier());
        assert!(!r.is_ok());
        if k + 1 < N as usize {
            assert_eq!(
                r.first_divergence(),
                Some(&Problem::Sequence { position: k as u64, expected: k as u64, found: k as u64 + 1 })
            );
            assert_eq!(
                r.problems.iter().filter(|p| matches!(p, Problem::Sequence { .. })).count(),
                1,
                "one deletion, one sequence problem"
            );
            assert_eq!(first_root_mismatch(&r.problems).map(|m| m.1), Some(k as u64 + 1));
        }
        // The log is one shorter than the last checkpoint.
        assert!(r.problems.contains(&Problem::Truncated { checkpoint: N as usize - 1, size: N, log_size: N - 1 }));
    }
}

#[test]
fn deleting_and_renumbering_is_detected() {
    // A careful attacker deletes entry 4 and renumbers the rest so `seq` has no gap.
    let (entries, cps) = log(N);
    let mut tampered = entries.clone();
    tampered.remove(4);
    for (i, e) in tampered.iter_mut().enumerate() {
        e.seq = i as u64;
    }
    let r = verify_log(tampered, &cps, &key().verifier());
    assert!(!r.problems.iter().any(|p| matches!(p, Problem::Sequence { .. })));
    assert_eq!(first_root_mismatch(&r.problems), Some((4, 5, 4)));
}

#[test]
fn swapping_two_entries_is_detected() {
    const M: u64 = 8;
    let (entries, cps) = log(M);
    let cps = sparse(&cps, &[2, 4, 6, 8]);
    for i in 0..M as usize {
        for j in i + 1..M as usize {
            let want = Some((i / 2, (i as u64 / 2 + 1) * 2, i as u64 / 2 * 2));
            // Rows swapped in place.
            let mut tampered = entries.clone();
            tampered.swap(i, j);
            let r = verify_log(tampered.clone(), &cps, &key().verifier());
            assert_eq!(
                r.first_divergence(),
                Some(&Problem::Sequence { position: i as u64, expected: i as u64, found: j as u64 })
            );
            assert_eq!(first_root_mismatch(&r.problems), want, "{i}<->{j}");
            // Contents swapped but seq kept (the attacker renumbers too).
            let (si, sj) = (tampered[i].seq, tampered[j].seq);
            tampered[i].seq = sj;
            tampered[j].seq = si;
            let r = verify_log(tampered, &cps, &key().verifier());
            assert!(!r.problems.iter().any(|p| matches!(p, Problem::Sequence { .. })));
            assert_eq!(first_root_mismatch(&r.problems), want, "{i}<->{j}");
        }
    }
}

#[test]
fn inserting_an_entry_is_detected() {
    let (entries, cps) = log(N);
    for k in 0..N as usize {
        let mut forged = entry(k as u64);
        forged.actor = "mallory".into();
        // Inserted with a duplicate seq.
        let mut tampered = entries.clone();
        tampered.insert(k, forged.clone());
        let r = verify_log(tampered.clone(), &sparse(&cps, &[4, 8, 12]), &key().verifier());
        assert!(r.problems.contains(&Problem::Sequence {
            position: k as u64 + 1,
            expected: k as u64 + 1,
            found: k as u64
        }));
        assert_eq!(first_root_mismatch(&r.problems).map(|m| m.1), Some((k as u64 / 4 + 1) * 4), "insert at {k}");
        // Inserted and everything after renumbered.
        for (i, e) in tampered.iter_mut().enumerate() {
            e.seq = i as u64;
        }
        let r = verify_log(tampered, &cps, &key().verifier());
        assert!(!r.problems.iter().any(|p| matches!(p, Problem::Sequence { .. })));
        assert_eq!(first_root_mismatch(&r.problems), Some((k, k as u64 + 1, k as u64)), "insert at {k}");
    }
}

#[test]
fn an_appended_entry_after_the_last_checkpoint_is_only_unanchored() {
    // Appending is what a log does: without a newer checkpoint it is not an error, but the
    // report says how many entries no signature covers yet.
    let (mut entries, cps) = log(N);
    entries.push(entry(N));
    let r = verify_log(entries, &cps, &key().verifier());
    assert!(r.is_ok());
    assert_eq!(r.unanchored_entries(), 1);
}

#[test]
fn rolling_back_the_tail_needs_a_checkpoint_kept_elsewhere() {
    // Deleting the newest entry *and* its checkpoint from the database leaves a consistent,
    // shorter log; only a checkpoint held outside the database (exported, witnessed) shows it.
    let (entries, cps) = log(N);
    let r = verify_log(entries[..N as usize - 1].to_vec(), &cps[..N as usize - 1], &key().verifier());
    assert!(r.is_ok());
    let mut with_external = cps[..N as usize - 1].to_vec();
    with_external.push(cps[N as usize - 1].clone());
    let r = verify_log(entries[..N as usize - 1].to_vec(), &with_external, &key().verifier());
    assert_eq!(r.problems, vec![Problem::Truncated { checkpoint: N as usize - 1, size: N, log_size: N - 1 }]);
}

#[test]
fn checkpoint_problems_are_reported() {
    let (entries, cps) = log(N);
    let vk = key().verifier();
    // Signed by another key.
    let intruder = SigningKey::from_seed(ORIGIN, &[2u8; 32]).unwrap();
    let mut bad = cps.clone();
    bad[3] = intruder.sign_checkpoint(ORIGIN, 4, &[0u8; 32]).unwrap();
    let r = verify_log(entries.clone(), &bad, &vk);
    assert!(matches!(r.first_divergence(), Some(Problem::BadCheckpoint { checkpoint: 3, .. })));
    assert_eq!(r.checkpoints_verified, N as usize - 1);
    // A fork: our key signed a different tree of size 5 (split view).
    let mut forked = entries.clone();
    forked[2].actor = "fork".into();
    let leaves: Vec<_> = forked[..5].iter().map(|e| e.leaf_hash().unwrap()).collect();
    let mut with_fork = cps.clone();
    with_fork.push(key().sign_checkpoint(ORIGIN, 5, &root(&leaves)).unwrap());
    let r = verify_log(entries.clone(), &with_fork, &vk);
    assert_eq!(r.problems, vec![Problem::RootMismatch { checkpoint: N as usize, size: 5, first_suspect: 4 }]);
    // Another origin.
    let mut other_origin = cps.clone();
    let cp = verify_checkpoint(&cps[1], &vk).unwrap();
    let renamed = SigningKey::from_seed(ORIGIN, &[1u8; 32]).unwrap();
    other_origin[1] = renamed.sign_checkpoint("custody.test/other", cp.size, &cp.root).unwrap();
    let r = verify_log(entries.clone(), &other_origin, &vk);
    assert!(matches!(r.first_divergence(), Some(Problem::OriginMismatch { checkpoint: 1, .. })));
    // Garbage.
    let r = verify_log(entries, &["garbage".to_owned()], &vk);
    assert!(matches!(r.first_divergence(), Some(Problem::BadCheckpoint { checkpoint: 0, .. })));
}

#[test]
fn an_entry_without_canonical_form_is_reported() {
    let (mut entries, cps) = log(N);
    entries[6].payload = json!({"big": u64::MAX});
    let r = verify_log(entries, &cps, &key().verifier());
    assert!(matches!(r.first_divergence(), Some(Problem::NotCanonical { seq: 6, .. })));
    assert_eq!(first_root_mismatch(&r.problems), Some((6, 7, 6)));
}

//! Whole-log verification: recompute every leaf and the tree, check every checkpoint.

use crate::entry::{Entry, canonical_bytes};
use crate::frontier::Frontier;
use crate::jcs::CanonicalError;
use crate::merkle::{Hash, empty_root, leaf_hash};
use crate::note::{NoteError, VerifierKey, verify_checkpoint};
use std::collections::BTreeMap;

/// At most this many problems are listed in a [`Report`]; the rest are counted.
pub const MAX_PROBLEMS: usize = 1000;

/// One way the log differs from what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Checkpoint number `checkpoint` (index into the slice given) is malformed or its
    /// signature does not verify with the log key.
    BadCheckpoint { checkpoint: usize, error: NoteError },
    /// Checkpoint `checkpoint` names another log than the first valid checkpoint did.
    OriginMismatch { checkpoint: usize, expected: String, found: String },
    /// The entry at leaf position `position` carries `seq` `found` where `expected` was due: an
    /// entry was deleted, inserted or moved. After a mismatch the expectation continues from
    /// `found + 1`, so one deletion gives one problem.
    Sequence { position: u64, expected: u64, found: u64 },
    /// The entry with this `seq` has no canonical form (it cannot have been logged like that).
    NotCanonical { seq: u64, error: CanonicalError },
    /// The recomputed root of the first `size` entries differs from the root checkpoint
    /// `checkpoint` signed: at least one entry with `first_suspect ≤ seq < size` was changed,
    /// removed, inserted or reordered (`first_suspect` is the size of the largest checkpoint
    /// below it that still matched, or 0).
    RootMismatch { checkpoint: usize, size: u64, first_suspect: u64 },
    /// Checkpoint `checkpoint` signed `size` entries but the log has only `log_size`: entries
    /// were deleted from the end.
    Truncated { checkpoint: usize, size: u64, log_size: u64 },
}

/// The outcome of [`verify_log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Entries read.
    pub entries: u64,
    /// Recomputed Merkle root over all entries read.
    pub root: Hash,
    /// The recomputed right edge, e.g. to compare with a stored one.
    pub frontier: Frontier,
    /// Checkpoints given.
    pub checkpoints: usize,
    /// Checkpoints whose signature verified and whose root equals the recomputed root.
    pub checkpoints_verified: usize,
    /// Size of the largest verified checkpoint (entries from there on are not yet covered by a
    /// signature).
    pub verified_size: Option<u64>,
    /// Origin of the first valid checkpoint.
    pub origin: Option<String>,
    /// Problems in this order: checkpoint problems found before reading entries
    /// ([`Problem::BadCheckpoint`], [`Problem::OriginMismatch`]), then in log order.
    pub problems: Vec<Problem>,
    /// Problems beyond [`MAX_PROBLEMS`], counted only.
    pub problems_omitted: u64,
}

impl Report {
    /// No problem found. (With no checkpoint at all nothing is proven: see
    /// [`Report::verified_size`].)
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty() && self.problems_omitted == 0
    }

    /// The first problem, if any.
    pub fn first_divergence(&self) -> Option<&Problem> {
        self.problems.first()
    }

    /// Entries after the largest verified checkpoint.
    pub fn unanchored_entries(&self) -> u64 {
        self.entries - self.verified_size.unwrap_or(0).min(self.entries)
    }

    fn add(&mut self, p: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.problems_omitted += 1;
        }
    }
}

/// Which key signs the checkpoints of which sizes. A log starts with one key; rotating it to
/// another (custody's `audit.key-rotation` entry, at leaf `r`) makes the checkpoint of size
/// `r + 1` carry both keys' signatures and hands every later size to the new key.
#[derive(Debug, Clone)]
pub struct KeySchedule {
    /// (first size, last size, key), in order; the last key's range is open.
    keys: Vec<(u64, u64, VerifierKey)>,
}

impl KeySchedule {
    /// One key for every size.
    pub fn single(key: &VerifierKey) -> KeySchedule {
        KeySchedule { keys: vec![(0, u64::MAX, key.clone())] }
    }

    /// `first` signs sizes up to the first rotation; each rotation `(size, new key)` hands the
    /// sizes from `size` on (its own checkpoint is signed by both) to the new key. Rotations
    /// must come in increasing size.
    pub fn rotated(first: &VerifierKey, rotations: &[(u64, VerifierKey)]) -> KeySchedule {
        let mut keys = Vec::with_capacity(rotations.len() + 1);
        let mut from = 0;
        let mut key = first.clone();
        for (size, next) in rotations {
            keys.push((from, *size, key));
            from = *size;
            key = next.clone();
        }
        keys.push((from, u64::MAX, key));
        KeySchedule { keys }
    }

    /// The keys with the sizes they may sign: (first size, last size or `None` for open, key).
    pub fn ranges(&self) -> impl Iterator<Item = (u64, Option<u64>, &VerifierKey)> {
        self.keys.iter().map(|(a, b, k)| (*a, (*b != u64::MAX).then_some(*b), k))
    }

    /// Verifies a checkpoint note with a key that may sign its size.
    pub fn verify(&self, note: &str) -> Result<crate::note::Checkpoint, NoteError> {
        // The size decides the key; it is read unverified only to choose, then verified.
        let size =
            note.rfind("\n\n").and_then(|i| crate::note::parse_checkpoint_body(&note[..i + 1]).ok()).map(|c| c.size);
        let mut first_err = None;
        for (from, to, key) in &self.keys {
            if size.is_some_and(|s| s < *from || s > *to) {
                continue;
            }
            match verify_checkpoint(note, key) {
                Ok(cp) => return Ok(cp),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or(NoteError::NoSignatureBlock))
    }
}

/// [`verify_log_with`] with one key for the whole log.
pub fn verify_log<I>(entries: I, checkpoints: &[String], key: &VerifierKey) -> Report
where
    I: IntoIterator<Item = Entry>,
{
    verify_log_with(entries, checkpoints, &KeySchedule::single(key))
}

/// Recomputes every leaf from the entries (in leaf order, `seq` 0, 1, 2, …) and the tree
/// incrementally (memory O(log n) plus the checkpoints), then checks each checkpoint note: its
/// signature by the key `keys` names for its size, its origin (all the same), and its root against the recomputed root at
/// its size. Any edit, deletion, insertion or reordering of entries covered by a checkpoint
/// shows as a problem; deleting entries past a checkpoint's size shows as
/// [`Problem::Truncated`]. Entries after the last checkpoint are only as safe as the next one
/// (see [`Report::unanchored_entries`]).
pub fn verify_log_with<I>(entries: I, checkpoints: &[String], keys: &KeySchedule) -> Report
where
    I: IntoIterator<Item = Entry>,
{
    let mut report = Report {
        entries: 0,
        root: empty_root(),
        frontier: Frontier::new(),
        checkpoints: checkpoints.len(),
        checkpoints_verified: 0,
        verified_size: None,
        origin: None,
        problems: Vec::new(),
        problems_omitted: 0,
    };
    // size → [(checkpoint index, signed root)]
    let mut pending: BTreeMap<u64, Vec<(usize, Hash)>> = BTreeMap::new();
    for (i, note) in checkpoints.iter().enumerate() {
        match keys.verify(note) {
            Err(error) => report.add(Problem::BadCheckpoint { checkpoint: i, error }),
            Ok(cp) => {
                match &report.origin {
                    None => report.origin = Some(cp.origin.clone()),
                    Some(o) if *o != cp.origin => report.add(Problem::OriginMismatch {
                        checkpoint: i,
                        expected: o.clone(),
                        found: cp.origin.clone(),
                    }),
                    Some(_) => {}
                }
                pending.entry(cp.size).or_default().push((i, cp.root));
            }
        }
    }

    let mut frontier = Frontier::new();
    let mut last_good = 0u64;
    check_size(&mut report, &mut pending, &frontier, &mut last_good);
    let mut expected = 0u64;
    for entry in entries {
        let position = frontier.size();
        if entry.seq != expected {
            report.add(Problem::Sequence { position, expected, found: entry.seq });
        }
        expected = entry.seq.saturating_add(1);
        let leaf = match canonical_bytes(&entry) {
            Ok(bytes) => leaf_hash(&bytes),
            Err(error) => {
                report.add(Problem::NotCanonical { seq: entry.seq, error });
                // No honest log holds such an entry; any stand-in makes later roots differ.
                [0xff; 32]
            }
        };
        frontier.push(leaf);
        check_size(&mut report, &mut pending, &frontier, &mut last_good);
    }
    let log_size = frontier.size();
    for (size, cps) in pending {
        for (checkpoint, _) in cps {
            report.add(Problem::Truncated { checkpoint, size, log_size });
        }
    }
    report.entries = log_size;
    report.root = frontier.root();
    report.frontier = frontier;
    report
}

/// Checks the checkpoints signed at the frontier's current size, if any.
fn check_size(
    report: &mut Report,
    pending: &mut BTreeMap<u64, Vec<(usize, Hash)>>,
    frontier: &Frontier,
    last_good: &mut u64,
) {
    let size = frontier.size();
    let Some(cps) = pending.remove(&size) else { return };
    let root = frontier.root();
    // The suspect range starts at the last good checkpoint *below* this size (two checkpoints
    // of one size with different roots are a fork: the entries before it are not in doubt).
    let first_suspect = *last_good;
    for (checkpoint, signed) in cps {
        if signed == root {
            report.checkpoints_verified += 1;
            report.verified_size = Some(size);
            *last_good = size;
        } else {
            report.add(Problem::RootMismatch { checkpoint, size, first_suspect });
        }
    }
}

//! The maths of custody's tamper-evident audit log. Pure: no IO, no SQL, no clock, no
//! terminal; the store and the binary do those.
//!
//! # Pieces
//!
//! - [`Entry`] and [`canonical_bytes`]: an entry as RFC 8785 (JCS) canonical JSON, the Merkle
//!   leaf input. [`jcs::canonicalize`] is the JCS encoder itself.
//! - RFC 6962 / RFC 9162 Merkle trees: [`leaf_hash`] `= SHA-256(0x00 ‖ data)`, [`node_hash`]
//!   `= SHA-256(0x01 ‖ l ‖ r)`, [`root`], [`inclusion_proof`] / [`verify_inclusion`],
//!   [`consistency_proof`] / [`verify_consistency`].
//! - [`Frontier`]: the right edge of the tree, to append and get the root in O(log n) memory.
//! - C2SP signed notes and tlog checkpoints with Ed25519: [`SigningKey`], [`VerifierKey`],
//!   [`checkpoint_body`], [`verify_checkpoint`], [`open_note`].
//! - [`verify_log`]: recompute everything and check every checkpoint; a [`Report`] lists
//!   problems, first divergence first.
//! - [`Export`]: the JSON an investigator gets (`custody audit export`).
//!
//! # How the store is meant to use it
//!
//! - Create one key at `custody init`: `SigningKey::generate(origin)` with the key name equal to
//!   the checkpoint origin (e.g. `custody/<organisation>`); keep `to_text()` secret (0600) and
//!   publish `verifier().to_string()`.
//! - Append, in the same transaction as the change: build the [`Entry`] with `seq` = current
//!   size, compute `canonical_bytes` (refuse the change if it fails: put integers that may
//!   exceed 2^53 in the payload as strings), store the canonical bytes as the entry (and any columns derived
//!   from them), push `leaf_hash(bytes)` onto the stored [`Frontier`] (`to_bytes`/`from_bytes`),
//!   and store `sign_checkpoint(origin, frontier.size(), &frontier.root())`. Signing a
//!   checkpoint per transaction costs microseconds and leaves nothing unsigned.
//! - Verify: stream the stored entries in `seq` order (rebuild each with
//!   [`Entry::from_canonical_bytes`]) into [`verify_log`] with all stored checkpoints **plus
//!   any kept outside the database** (exported, witnessed): checkpoints inside the database
//!   prove that rows were not edited, but whoever can write the database could also drop the
//!   newest rows together with their checkpoints; only a checkpoint held elsewhere catches that.
//! - Prove: `custody audit prove N` → [`inclusion_proof`] of leaf N at a checkpoint's size;
//!   `custody audit consistency OLD NEW` → [`consistency_proof`] between two checkpoint sizes.
//!   Both need the leaf hashes of the first `size` entries (32 bytes each).
//!
//! # Export JSON (`custody audit export`), format `custody-audit-export/v1`
//!
//! Checked by `scripts/interop-audit-proofs.py` (an independent Python implementation). All
//! byte strings are standard base64 with padding (RFC 4648 §4); hashes are 32 bytes.
//!
//! ```json
//! {
//!   "format": "custody-audit-export/v1",
//!   "vkey": "custody/acme+1a2b3c4d+AQ…",
//!   "entries": ["<base64 of canonical_bytes(entry 0)>", "<… entry 1>", "…"],
//!   "checkpoints": ["custody/acme\n5\n<base64 root>\n\n— custody/acme <base64 sig>\n", "…"],
//!   "inclusion_proofs": [
//!     {"index": 3, "tree_size": 5, "leaf_hash": "<b64>", "root": "<b64>", "proof": ["<b64>", "…"]}
//!   ],
//!   "consistency_proofs": [
//!     {"old_size": 5, "new_size": 8, "old_root": "<b64>", "new_root": "<b64>", "proof": ["<b64>"]}
//!   ]
//! }
//! ```
//!
//! - `entries[i]` is the canonical entry with `seq` i; its leaf hash is
//!   `SHA-256(0x00 ‖ entries[i])`. The verifier also checks each is canonical JCS of an object
//!   with exactly the members `actor, at, attachment_sha256, kind, payload, role, seq`, plus
//!   `recorded_at` (a string: the wall clock when `at` was injected) on some entries.
//! - `checkpoints`: signed notes as stored, oldest first; each must verify with `vkey`, share
//!   one origin, have `size ≤ len(entries)` and the root of the first `size` entries.
//! - every proof must verify (RFC 9162 §2.1.3.2 / §2.1.4.2), `leaf_hash` must be the hash of
//!   `entries[index]`, roots must equal the recomputed roots, and each tree size must be that
//!   of a checkpoint in the export (a proof is only as good as the signed root it leads to).
//! - Build it with [`Export::build`]; `serde_json::to_string_pretty(&export)` gives this shape.
//!   Unknown members are ignored by the verifier.

mod b64;
pub mod cosign;
pub mod entry;
pub mod export;
pub mod frontier;
pub mod jcs;
pub mod merkle;
pub mod note;
pub mod verify;

pub use cosign::{CosignerKey, cosigned_message};
pub use entry::{Entry, EntryError, canonical_bytes};
pub use export::{ConsistencyProof, EXPORT_FORMAT, Export, InclusionProof, KeyRange};
pub use frontier::{Frontier, FrontierError};
pub use jcs::CanonicalError;
pub use merkle::{
    Hash, ProofError, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root, verify_consistency,
    verify_inclusion,
};
pub use note::{
    Checkpoint, NoteError, SigningKey, VerifierKey, checkpoint_body, open_note, parse_checkpoint_body,
    verify_checkpoint,
};
pub use verify::{KeySchedule, Problem, Report, verify_log, verify_log_with};

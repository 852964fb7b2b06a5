//! The investigator export: entries, checkpoints and proofs in one JSON document that an
//! independent verifier (`scripts/interop-audit-proofs.py`) checks. The shape is documented in
//! the crate docs.

use crate::b64;
use crate::merkle::{Hash, ProofError, consistency_proof, inclusion_proof, leaf_hash, root};
use crate::verify::KeySchedule;
use serde::{Deserialize, Serialize};

/// Value of [`Export::format`].
pub const EXPORT_FORMAT: &str = "custody-audit-export/v1";

/// The whole export. Byte strings are standard padded base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// The log's verifier key (`<name>+<key ID>+<base64 key>`); after a rotation, the current
    /// one.
    pub vkey: String,
    /// Present only when the key was rotated: every key with the checkpoint sizes it signs
    /// (`to_size` absent for the current key). A checkpoint must verify with a key whose range
    /// holds its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_history: Option<Vec<KeyRange>>,
    /// The canonical bytes of every entry ([`crate::canonical_bytes`]), in leaf order
    /// (`entries[i]` has `seq` i).
    #[serde(with = "b64::bytes_list")]
    pub entries: Vec<Vec<u8>>,
    /// Signed checkpoint notes, oldest first.
    pub checkpoints: Vec<String>,
    /// Inclusion proofs, each against the tree of a checkpoint's size.
    pub inclusion_proofs: Vec<InclusionProof>,
    /// Consistency proofs between checkpoint sizes.
    pub consistency_proofs: Vec<ConsistencyProof>,
}

/// A key of the log and the checkpoint sizes it signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRange {
    pub vkey: String,
    pub from_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_size: Option<u64>,
}

/// Leaf `index` is in the tree of `tree_size` leaves whose root is `root`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub index: u64,
    pub tree_size: u64,
    #[serde(with = "b64::hash")]
    pub leaf_hash: Hash,
    #[serde(with = "b64::hash")]
    pub root: Hash,
    #[serde(with = "b64::hashes")]
    pub proof: Vec<Hash>,
}

/// The tree of `new_size` leaves (root `new_root`) extends the tree of `old_size` leaves (root
/// `old_root`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    #[serde(with = "b64::hash")]
    pub old_root: Hash,
    #[serde(with = "b64::hash")]
    pub new_root: Hash,
    #[serde(with = "b64::hashes")]
    pub proof: Vec<Hash>,
}

impl Export {
    /// Builds an export from the entries' canonical bytes (leaf order), the checkpoint notes,
    /// and the proofs wanted: `inclusion` as `(index, tree_size)` pairs, `consistency` as
    /// `(old_size, new_size)` pairs. Ask for proofs at checkpoint sizes: the independent
    /// verifier accepts a proof only when its tree sizes and roots are those of a signed
    /// checkpoint in the same export. Nothing is verified here (an export of a damaged log must
    /// still be possible); it only fails on impossible proof requests.
    pub fn build(
        keys: &KeySchedule,
        entries: Vec<Vec<u8>>,
        checkpoints: Vec<String>,
        inclusion: &[(u64, u64)],
        consistency: &[(u64, u64)],
    ) -> Result<Export, ProofError> {
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let prefix = |size: u64| -> Result<&[Hash], ProofError> {
            usize::try_from(size)
                .ok()
                .and_then(|n| leaves.get(..n))
                .ok_or(ProofError::SizeOutOfRange { size, log_size: leaves.len() as u64 })
        };
        let mut inclusion_proofs = Vec::with_capacity(inclusion.len());
        for &(index, tree_size) in inclusion {
            let tree = prefix(tree_size)?;
            let proof = inclusion_proof(tree, index)?;
            let leaf = usize::try_from(index)
                .ok()
                .and_then(|i| tree.get(i))
                .copied()
                .ok_or(ProofError::IndexOutOfRange { index, size: tree_size })?;
            inclusion_proofs.push(InclusionProof { index, tree_size, leaf_hash: leaf, root: root(tree), proof });
        }
        let mut consistency_proofs = Vec::with_capacity(consistency.len());
        for &(old_size, new_size) in consistency {
            let new = prefix(new_size)?;
            let proof = consistency_proof(new, old_size)?;
            let old = prefix(old_size)?;
            consistency_proofs.push(ConsistencyProof {
                old_size,
                new_size,
                old_root: root(old),
                new_root: root(new),
                proof,
            });
        }
        let ranges: Vec<KeyRange> =
            keys.ranges().map(|(from_size, to_size, k)| KeyRange { vkey: k.to_string(), from_size, to_size }).collect();
        Ok(Export {
            format: EXPORT_FORMAT.to_owned(),
            vkey: ranges.last().map(|r| r.vkey.clone()).unwrap_or_default(),
            key_history: (ranges.len() > 1).then_some(ranges),
            entries,
            checkpoints,
            inclusion_proofs,
            consistency_proofs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{SigningKey, verify_checkpoint};
    use crate::{verify_consistency, verify_inclusion};

    fn sample() -> (SigningKey, Export) {
        let key = SigningKey::from_seed("o", &[3; 32]).unwrap();
        let entries: Vec<Vec<u8>> = (0u8..5).map(|i| vec![b'{', i, b'}']).collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let cps = vec![key.sign_checkpoint("o", 3, &root(&leaves[..3])).unwrap()];
        let ex =
            Export::build(&KeySchedule::single(&key.verifier()), entries, cps, &[(1, 3), (4, 5)], &[(3, 5), (2, 2)])
                .unwrap();
        (key, ex)
    }

    #[test]
    fn shape_and_round_trip() {
        let (key, ex) = sample();
        let v: serde_json::Value = serde_json::to_value(&ex).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["format", "vkey", "entries", "checkpoints", "inclusion_proofs", "consistency_proofs"]);
        assert_eq!(v["format"], EXPORT_FORMAT);
        assert_eq!(v["entries"][0], "ewB9");
        let ip = v["inclusion_proofs"][0].as_object().unwrap();
        assert_eq!(
            ip.keys().map(String::as_str).collect::<Vec<_>>(),
            ["index", "tree_size", "leaf_hash", "root", "proof"]
        );
        let cp = v["consistency_proofs"][0].as_object().unwrap();
        assert_eq!(
            cp.keys().map(String::as_str).collect::<Vec<_>>(),
            ["old_size", "new_size", "old_root", "new_root", "proof"]
        );
        let back: Export = serde_json::from_value(v).unwrap();
        assert_eq!(back, ex);
        // The proofs verify, and the first one leads to the signed root.
        let p = &ex.inclusion_proofs[0];
        assert!(verify_inclusion(&p.leaf_hash, p.index, p.tree_size, &p.proof, &p.root));
        assert_eq!(verify_checkpoint(&ex.checkpoints[0], &key.verifier()).unwrap().root, p.root);
        let c = &ex.consistency_proofs[0];
        assert!(verify_consistency(c.old_size, c.new_size, &c.old_root, &c.new_root, &c.proof));
    }

    #[test]
    fn impossible_requests_fail() {
        let key = SigningKey::from_seed("o", &[3; 32]).unwrap().verifier();
        let entries = vec![b"a".to_vec(), b"b".to_vec()];
        for (inc, con) in [
            (vec![(2, 2)], vec![]),
            (vec![(0, 3)], vec![]),
            (vec![(0, u64::MAX)], vec![]),
            (vec![], vec![(0, 2)]),
            (vec![], vec![(2, 1)]),
            (vec![], vec![(1, 3)]),
        ] {
            assert!(
                Export::build(&KeySchedule::single(&key), entries.clone(), vec![], &inc, &con).is_err(),
                "{inc:?} {con:?}"
            );
        }
        assert!(serde_json::from_str::<Export>(r#"{"format":"x","vkey":"k","entries":["!"],"checkpoints":[],"inclusion_proofs":[],"consistency_proofs":[]}"#).is_err());
    }
}

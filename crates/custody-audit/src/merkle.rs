//! RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs.
//!
//! `MTH({}) = SHA-256()`, `MTH({d}) = SHA-256(0x00 ‖ d)`, and for n > 1
//! `MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))` with k the largest power of two
//! smaller than n. Functions here take *leaf hashes* (already `leaf_hash`ed), so the caller
//! hashes each entry once.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// Why a proof cannot be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} is larger than the log ({log_size} entries)")]
    SizeOutOfRange { size: u64, log_size: u64 },
    #[error("a consistency proof needs 0 < old size ≤ new size (got {old_size} → {new_size})")]
    BadConsistencySizes { old_size: u64, new_size: u64 },
}

/// `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The Merkle Tree Hash of the leaves (RFC 9162 §2.1.1). O(n) hashing, O(log n) stack.
pub fn root(leaf_hashes: &[Hash]) -> Hash {
    if leaf_hashes.is_empty() { empty_root() } else { mth(leaf_hashes) }
}

/// Largest power of two smaller than `n`, for `n ≥ 2`.
fn split(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH of a non-empty slice.
fn mth(d: &[Hash]) -> Hash {
    match d {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = split(d.len());
            node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

fn to_index(value: u64, len: usize) -> Option<usize> {
    usize::try_from(value).ok().filter(|v| *v <= len)
}

/// The audit path of leaf `index` in the tree over `leaf_hashes` (RFC 9162 §2.1.3.1, `PATH`),
/// deepest sibling first.
pub fn inclusion_proof(leaf_hashes: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    let size = leaf_hashes.len() as u64;
    let m = match to_index(index, leaf_hashes.len()) {
        Some(m) if m < leaf_hashes.len() => m,
        _ => return Err(ProofError::IndexOutOfRange { index, size }),
    };
    let mut proof = Vec::new();
    path(m, leaf_hashes, &mut proof);
    Ok(proof)
}

fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
    if d.len() <= 1 {
        return;
    }
    let k = split(d.len());
    if m < k {
        path(m, &d[..k], out);
        out.push(mth(&d[k..]));
    } else {
        path(m - k, &d[k..], out);
        out.push(mth(&d[..k]));
    }
}

/// The consistency proof from the tree of the first `old_size` leaves to the tree over all of
/// `leaf_hashes` (RFC 9162 §2.1.4.1, `PROOF(m, D[n]) = SUBPROOF(m, D[n], true)`). Empty when
/// `old_size` equals the number of leaves. `old_size` 0 is refused: a proof from the empty tree
/// proves nothing and [`verify_consistency`] rejects it.
pub fn consistency_proof(leaf_hashes: &[Hash], old_size: u64) -> Result<Vec<Hash>, ProofError> {
    let new_size = leaf_hashes.len() as u64;
    let m = match to_index(old_size, leaf_hashes.len()) {
        Some(m) if m > 0 => m,
        _ => return Err(ProofError::BadConsistencySizes { old_size, new_size }),
    };
    let mut proof = Vec::new();
    subproof(m, leaf_hashes, true, &mut proof);
    Ok(proof)
}

fn subproof(m: usize, d: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    if m == d.len() {
        if !complete {
            out.push(mth(d));
        }
        return;
    }
    // Here 0 < m < n, so n ≥ 2.
    let k = split(d.len());
    if m <= k {
        subproof(m, &d[..k], complete, out);
        out.push(mth(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(mth(&d[..k]));
    }
}

/// Shifts `fnode` and `snode` right at least once, until `fnode` is odd or zero.
fn climb(fnode: &mut u64, snode: &mut u64) {
    loop {
        *fnode >>= 1;
        *snode >>= 1;
        if *fnode & 1 == 1 || *fnode == 0 {
            break;
        }
    }
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf_hash: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                climb(&mut fnode, &mut snode);
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// Verifies a consistency proof between two tree heads (RFC 9162 §2.1.4.2). A proof from size 0
/// is rejected (it is meaningless); equal sizes need an empty proof and equal roots.
pub fn verify_consistency(old_size: u64, new_size: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if new_size < old_size || old_size == 0 {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    let (seed, rest) = match proof.split_first() {
        None => return false,
        // For a power-of-two old size the old root itself starts the path (RFC 9162 omits it).
        Some(_) if old_size.is_power_of_two() => (*old_root, proof),
        Some((first, rest)) => (*first, rest),
    };
    let (mut fnode, mut snode) = (old_size - 1, new_size - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (seed, seed);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                climb(&mut fnode, &mut snode);
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && fr == *old_root && sr == *new_root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_largest_power_of_two_below() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1 << 20, 1 << 19), ((1 << 20) + 1, 1 << 20)] {
            assert_eq!(split(n), k, "n = {n}");
        }
    }

    #[test]
    fn out_of_range_requests_are_errors() {
        let leaves = [leaf_hash(b"a"), leaf_hash(b"b")];
        assert!(inclusion_proof(&leaves, 2).is_err());
        assert!(inclusion_proof(&[], 0).is_err());
        assert!(inclusion_proof(&leaves, u64::MAX).is_err());
        assert!(consistency_proof(&leaves, 0).is_err());
        assert!(consistency_proof(&leaves, 3).is_err());
        assert_eq!(consistency_proof(&leaves, 2), Ok(vec![]));
    }
}

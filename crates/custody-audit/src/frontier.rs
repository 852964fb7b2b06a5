//! The right edge of a Merkle tree (a "compact range" from 0): enough to append leaves and
//! compute the root without keeping the leaves.

use crate::b64;
use crate::merkle::{Hash, empty_root, node_hash};
use serde::{Deserialize, Serialize};

/// The roots of the perfect subtrees that make up a tree of `size` leaves, largest first: one
/// per set bit of `size`, so at most 64 hashes. Appending is O(log n) amortised O(1) hashes,
/// the root O(log n).
///
/// Stored either as JSON (`{"size": 5, "hashes": ["<base64>", "<base64>"]}`) through serde, or
/// as bytes with [`Frontier::to_bytes`] (8-byte big-endian size, then the hashes). Both forms
/// are checked when read back: the number of hashes must equal the number of set bits of size.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "FrontierRepr", into = "FrontierRepr")]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

/// Why stored frontier bytes or JSON were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontierError {
    #[error("frontier of size {size} needs {want} hashes, found {found}")]
    WrongHashCount { size: u64, want: u32, found: usize },
    #[error("frontier bytes are {0} long: want 8 + 32·k")]
    BadLength(usize),
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf hash (`leaf_hash(canonical_bytes(entry))`).
    pub fn push(&mut self, leaf_hash: Hash) {
        let mut h = leaf_hash;
        let mut s = self.size;
        // Every trailing one bit of the old size is a perfect subtree of the same height as
        // the one being carried: merge them.
        while s & 1 == 1 {
            match self.hashes.pop() {
                Some(left) => h = node_hash(&left, &h),
                None => break, // unreachable while the invariant holds
            }
            s >>= 1;
        }
        self.hashes.push(h);
        self.size += 1;
    }

    /// The Merkle Tree Hash of all leaves appended so far; `SHA-256("")` when empty.
    pub fn root(&self) -> Hash {
        let mut it = self.hashes.iter().rev();
        match it.next() {
            None => empty_root(),
            Some(last) => it.fold(*last, |acc, left| node_hash(left, &acc)),
        }
    }

    /// The perfect subtree roots, largest (leftmost) first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// 8-byte big-endian size followed by the hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.hashes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for h in &self.hashes {
            out.extend_from_slice(h);
        }
        out
    }

    /// Reads [`Frontier::to_bytes`] output back, checking its shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Frontier, FrontierError> {
        let (size, rest) = bytes.split_first_chunk::<8>().ok_or(FrontierError::BadLength(bytes.len()))?;
        let (chunks, tail) = rest.as_chunks::<32>();
        if !tail.is_empty() {
            return Err(FrontierError::BadLength(bytes.len()));
        }
        Frontier::from_parts(u64::from_be_bytes(*size), chunks.to_vec())
    }

    fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Frontier, FrontierError> {
        if hashes.len() != size.count_ones() as usize {
            return Err(FrontierError::WrongHashCount { size, want: size.count_ones(), found: hashes.len() });
        }
        Ok(Frontier { size, hashes })
    }
}

#[derive(Serialize, Deserialize)]
struct FrontierRepr {
    size: u64,
    #[serde(with = "b64::hashes")]
    hashes: Vec<Hash>,
}

impl TryFrom<FrontierRepr> for Frontier {
    type Error = FrontierError;
    fn try_from(r: FrontierRepr) -> Result<Frontier, FrontierError> {
        Frontier::from_parts(r.size, r.hashes)
    }
}

impl From<Frontier> for FrontierRepr {
    fn from(f: Frontier) -> FrontierRepr {
        FrontierRepr { size: f.size, hashes: f.hashes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{leaf_hash, root};

    #[test]
    fn matches_root_at_every_size_up_to_300() {
        let leaves: Vec<Hash> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        assert_eq!(f.root(), root(&[]));
        for (i, l) in leaves.iter().enumerate() {
            f.push(*l);
            assert_eq!(f.size(), i as u64 + 1);
            assert_eq!(f.hashes().len(), f.size().count_ones() as usize);
            assert_eq!(f.root(), root(&leaves[..=i]), "size {}", i + 1);
        }
    }

    #[test]
    fn bytes_and_json_round_trip_and_are_checked() {
        let mut f = Frontier::new();
        for i in 0u8..13 {
            f.push(leaf_hash(&[i]));
        }
        let bytes = f.to_bytes();
        assert_eq!(bytes.len(), 8 + 3 * 32);
        assert_eq!(Frontier::from_bytes(&bytes), Ok(f.clone()));
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Frontier>(&json).unwrap(), f);

        assert!(Frontier::from_bytes(&bytes[..7]).is_err());
        assert!(Frontier::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Frontier::from_bytes(&bytes[..8 + 64]).is_err());
        let mut wrong_size = bytes.clone();
        wrong_size[7] = 14; // 0b1110 also has 3 bits set: shape-valid, different tree
        assert!(Frontier::from_bytes(&wrong_size).is_ok());
        wrong_size[7] = 15;
        assert!(Frontier::from_bytes(&wrong_size).is_err());
        assert!(serde_json::from_str::<Frontier>(r#"{"size":1,"hashes":[]}"#).is_err());
        assert!(serde_json::from_str::<Frontier>(r#"{"size":1,"hashes":["AAAA"]}"#).is_err());
        assert_eq!(serde_json::from_str::<Frontier>(r#"{"size":0,"hashes":[]}"#).unwrap(), Frontier::new());
    }
}

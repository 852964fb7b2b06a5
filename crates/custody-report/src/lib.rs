//! custody's outputs in standard and human formats. Pure functions from domain data to text:
//! no IO, no clock (callers pass times in), so every output is deterministic.

pub mod cyclonedx;
pub mod html;
pub mod markdown;
pub mod oscal;
pub mod oscal_results;
pub mod report;
pub mod sarif;
pub mod sarif_assess;
pub mod spdx;

#[cfg(test)]
mod export_tests;

use sha2::{Digest, Sha256};

/// A version-4-shaped UUID derived from `seed`: the same seed gives the same id in every run, so
/// exports diff cleanly, while the id still validates wherever a v4 UUID is required.
pub fn stable_uuid(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_uuids_are_v4_and_distinct() {
        let a = super::stable_uuid("a");
        assert_eq!(a, super::stable_uuid("a"));
        assert_ne!(a, super::stable_uuid("b"));
        let u = uuid::Uuid::parse_str(&a).expect("uuid");
        assert_eq!(u.get_version_num(), 4);
        assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
    }
}

//! Standard base64 (RFC 4648 §4, padded, canonical) and serde helpers for it.

use crate::merkle::Hash;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Strict decode: padding required, no whitespace, no non-zero trailing bits.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

pub(crate) fn decode_hash(text: &str) -> Option<Hash> {
    decode(text).and_then(|v| Hash::try_from(v.as_slice()).ok())
}

fn hash_error<E: serde::de::Error>(text: &str) -> E {
    E::custom(format!("not a base64 SHA-256 hash: {text:?}"))
}

pub(crate) mod hash {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(h))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let text = String::deserialize(d)?;
        decode_hash(&text).ok_or_else(|| hash_error(&text))
    }
}

pub(crate) mod hashes {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(hs: &[Hash], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hs.iter().map(|h| encode(h)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Hash>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts.iter().map(|t| decode_hash(t).ok_or_else(|| hash_error(t))).collect()
    }
}

pub(crate) mod bytes_list {
    use super::*;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(items: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(items.iter().map(|b| encode(b)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts.iter().map(|t| decode(t).ok_or_else(|| serde::de::Error::custom(format!("not base64: {t:?}")))).collect()
    }
}

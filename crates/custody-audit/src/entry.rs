//! Audit log entries and their canonical encoding (the Merkle leaf input).

use crate::jcs::{self, CanonicalError};
use crate::merkle::{Hash, leaf_hash};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One audit log entry: a state change in custody.
///
/// `seq` is the entry's 0-based position in the log, which is also its Merkle leaf index: the
/// first entry has `seq` 0. [`crate::verify_log`] insists on `0, 1, 2, …` without gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Leaf index, from 0.
    pub seq: u64,
    /// Who acted (a user or service name).
    pub actor: String,
    /// The role acted as (`developer`, `system-operator`, `data-custodian`), if any.
    pub role: Option<String>,
    /// When, as RFC 3339 text (custody's clock; this crate has none and does not parse it).
    pub at: String,
    /// What happened (`scan`, `data.add`, `approval`, …).
    pub kind: String,
    /// Details; canonicalised with RFC 8785, so member order does not matter.
    pub payload: Value,
    /// Lower-case hex SHA-256 of an attached file, if any.
    pub attachment_sha256: Option<String>,
    /// The wall clock when the entry was written, present only when `at` was injected (custody's
    /// `CUSTODY_NOW`): a backdated entry keeps saying when it was really made. Absent from the
    /// canonical form when `None`, so entries without it hash as they always did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
}

impl Entry {
    /// The entry as a JSON object with the seven members (`role` and `attachment_sha256` are
    /// `null` when absent), plus `recorded_at` when it is set.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("seq".into(), Value::from(self.seq));
        m.insert("actor".into(), Value::from(self.actor.clone()));
        m.insert("role".into(), self.role.clone().map_or(Value::Null, Value::from));
        m.insert("at".into(), Value::from(self.at.clone()));
        m.insert("kind".into(), Value::from(self.kind.clone()));
        m.insert("payload".into(), self.payload.clone());
        m.insert("attachment_sha256".into(), self.attachment_sha256.clone().map_or(Value::Null, Value::from));
        if let Some(w) = &self.recorded_at {
            m.insert("recorded_at".into(), Value::from(w.clone()));
        }
        Value::Object(m)
    }

    /// Parses canonical bytes back into an entry, and refuses bytes that are not exactly the
    /// canonical encoding of what they parse to (extra members, other key order, whitespace,
    /// non-canonical numbers or escapes). A store that keeps the canonical bytes can rebuild
    /// entries with this and feed them to [`crate::verify_log`].
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Entry, EntryError> {
        let entry: Entry = serde_json::from_slice(bytes).map_err(|e| EntryError::Json(e.to_string()))?;
        let again = canonical_bytes(&entry)?;
        if again != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }

    /// `leaf_hash(canonical_bytes(self))`.
    pub fn leaf_hash(&self) -> Result<Hash, CanonicalError> {
        Ok(leaf_hash(&canonical_bytes(self)?))
    }
}

/// Why canonical bytes do not give back an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("not an audit entry: {0}")]
    Json(String),
    #[error("bytes are not in canonical form")]
    NotCanonical,
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
}

/// The RFC 8785 (JCS) encoding of the entry as a JSON object with the members `actor`, `at`,
/// `attachment_sha256`, `kind`, `payload`, `recorded_at` (only when set), `role`, `seq` (in that,
/// the canonical, order); absent `role` and `attachment_sha256` are `null`. These bytes are the Merkle leaf input: the leaf hash is
/// `SHA-256(0x00 ‖ canonical_bytes)`.
///
/// Fails only on payloads JCS cannot encode without changing them (an integer above 2^53 that
/// is not the canonical text of a double, e.g. `u64::MAX`; nesting deeper than
/// [`jcs::MAX_DEPTH`]), and on such a `seq` (from 2^53 + 1 on), which no log reaches.
pub fn canonical_bytes(entry: &Entry) -> Result<Vec<u8>, CanonicalError> {
    jcs::canonicalize(&entry.to_value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry() -> Entry {
        Entry {
            seq: 7,
            actor: "alice".into(),
            role: Some("data-custodian".into()),
            at: "2025-01-02T03:04:05Z".into(),
            kind: "data.approve".into(),
            payload: json!({"dataset": "reviews", "b": [1, 2.5], "a": "é"}),
            attachment_sha256: None,
            recorded_at: None,
        }
    }

    #[test]
    fn canonical_form_is_sorted_compact_and_stable() {
        let bytes = canonical_bytes(&entry()).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"actor":"alice","at":"2025-01-02T03:04:05Z","attachment_sha256":null,"kind":"data.approve","payload":{"a":"é","b":[1,2.5],"dataset":"reviews"},"role":"data-custodian","seq":7}"#
        );
        assert_eq!(Entry::from_canonical_bytes(&bytes).unwrap(), entry());
    }

    #[test]
    fn non_canonical_bytes_are_refused() {
        let bytes = canonical_bytes(&entry()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        for bad in [
            text.replace(',', ", "),
            text.replace("\"seq\":7", "\"seq\":7.0"),
            text.replace("{\"actor\":\"alice\",", "{\"extra\":1,\"actor\":\"alice\","),
            text.replace("\"é\"", "\"\\u00e9\""),
            text.replace(
                r#""actor":"alice","at":"2025-01-02T03:04:05Z","#,
                r#""at":"2025-01-02T03:04:05Z","actor":"alice","#,
            ),
        ] {
            assert_ne!(bad, text);
            assert!(Entry::from_canonical_bytes(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(Entry::from_canonical_bytes(b"not json").is_err());
        assert!(Entry::from_canonical_bytes(b"{}").is_err());
    }

    #[test]
    fn every_field_changes_the_leaf() {
        let base = entry().leaf_hash().unwrap();
        let mut variants = Vec::new();
        let mut e = entry();
        e.seq = 8;
        variants.push(e);
        let mut e = entry();
        e.actor = "bob".into();
        variants.push(e);
        let mut e = entry();
        e.role = None;
        variants.push(e);
        let mut e = entry();
        e.at = "2025-01-02T03:04:06Z".into();
        variants.push(e);
        let mut e = entry();
        e.kind = "data.add".into();
        variants.push(e);
        let mut e = entry();
        e.payload = json!({"dataset": "reviews", "b": [1, 2.5], "a": "e"});
        variants.push(e);
        let mut e = entry();
        e.attachment_sha256 = Some("00".repeat(32));
        variants.push(e);
        let mut e = entry();
        e.recorded_at = Some("2026-12-07T00:00:00Z".into());
        variants.push(e);
        for v in variants {
            assert_ne!(v.leaf_hash().unwrap(), base, "{v:?}");
        }
    }

    #[test]
    fn inexact_payload_numbers_are_refused() {
        let mut e = entry();
        e.payload = json!({"mtime_ns": u64::MAX});
        assert!(matches!(canonical_bytes(&e), Err(CanonicalError::InexactInteger(_))));
    }
}

//! The audit log inside the store: every state change appends an entry in the same transaction
//! as the change (callers pass their transaction). Hashing and signing live in `custody-audit`;
//! this file only reads and writes rows.

use crate::{AssetRow, Result, StoreError};
use custody_audit::Entry;
use custody_core::Finding;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};
use std::path::Path;

/// Who is acting, and in which role, for the entries a store appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Option<custody_core::Role>,
}

impl Default for Actor {
    fn default() -> Self {
        let name =
            std::env::var("CUSTODY_ACTOR").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".into());
        // The binary refuses a bad --actor / CUSTODY_ACTOR before it gets here; a bad $USER is
        // recorded in visible form, never with control characters, and bounded.
        let name = match custody_core::text::check_actor(&name) {
            Ok(()) => name,
            Err(_) => custody_core::text::escape_controls(&name)
                .chars()
                .take(custody_core::text::MAX_ACTOR_LEN)
                .collect::<String>(),
        };
        let name = if name.trim().is_empty() { "unknown".to_string() } else { name };
        Actor { name, role: None }
    }
}

fn other(path: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::Other { path: path.to_path_buf(), detail: detail.into() }
}

/// Appends one entry; returns its sequence number.
pub(crate) fn append(
    conn: &Connection,
    path: &Path,
    actor: &Actor,
    at: &str,
    kind: &str,
    payload: Value,
    attachment_sha256: Option<&str>,
) -> Result<u64> {
    let map = |e: rusqlite::Error| other(path, e.to_string());
    let next: i64 =
        conn.query_row("SELECT coalesce(max(seq) + 1, 0) FROM audit_entry", [], |r| r.get(0)).map_err(map)?;
    let seq = u64::try_from(next).map_err(|_| other(path, "audit sequence overflow"))?;
    let entry = Entry {
        seq,
        actor: actor.name.clone(),
        role: actor.role.map(|r| r.as_str().to_string()),
        at: at.to_string(),
        kind: kind.to_string(),
        payload,
        attachment_sha256: attachment_sha256.map(str::to_string),
    };
    let leaf = entry.leaf_hash().map_err(|e| other(path, format!("audit entry has no canonical form: {e}")))?;
    conn.execute(
        "INSERT INTO audit_entry (seq, at, actor, role, kind, payload_json, attachment_sha256, leaf_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            next,
            entry.at,
            entry.actor,
            entry.role,
            entry.kind,
            entry.payload.to_string(),
            entry.attachment_sha256,
            leaf.to_vec()
        ],
    )
    .map_err(map)?;
    Ok(seq)
}

/// Every entry in order, with the leaf hash stored when it was appended.
pub(crate) fn entries(conn: &Connection, path: &Path) -> Result<Vec<(Entry, Vec<u8>)>> {
    let map = |e: rusqlite::Error| other(path, e.to_string());
    let mut st = conn
        .prepare("SELECT seq, at, actor, role, kind, payload_json, attachment_sha256, leaf_hash FROM audit_entry ORDER BY seq")
        .map_err(map)?;
    let rows = st
        .query_map([], |r| {
            let payload: String = r.get(5)?;
            Ok((
                Entry {
                    seq: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(u64::MAX),
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    role: r.get(3)?,
                    kind: r.get(4)?,
                    // A payload that no longer parses was edited: keep the text so the leaf
                    // no longer matches, instead of failing the read.
                    payload: serde_json::from_str(&payload).unwrap_or(Value::String(payload)),
                    attachment_sha256: r.get(6)?,
                },
                r.get::<_, Vec<u8>>(7)?,
            ))
        })
        .map_err(map)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(map)?;
    Ok(rows)
}

pub(crate) fn checkpoints(conn: &Connection, path: &Path) -> Result<Vec<(u64, String)>> {
    let map = |e: rusqlite::Error| other(path, e.to_string());
    let mut st = conn.prepare("SELECT size, note FROM audit_checkpoint ORDER BY size").map_err(map)?;
    let rows = st
        .query_map([], |r| Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?)))
        .map_err(map)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(map)?;
    Ok(rows)
}

pub(crate) fn vkey(conn: &Connection, path: &Path) -> Result<Option<String>> {
    conn.query_row("SELECT vkey FROM audit_key WHERE id = 1", [], |r| r.get(0))
        .optional()
        .map_err(|e| other(path, e.to_string()))
}

/// A digest of a scan's content (its asset locations and findings), logged with the scan so an
/// edit of those rows is detected by `custody audit verify`.
pub fn scan_digest(assets: &[AssetRow], findings: &[Finding]) -> String {
    // Locations only: an asset's kind and format are facts about content shared across scans.
    let mut a: Vec<(&str, &str)> = assets.iter().map(|x| (x.path.as_str(), x.sha256.as_str())).collect();
    a.sort();
    let f: Vec<Value> = findings
        .iter()
        .map(|x| {
            json!([
                x.code,
                x.severity.as_str(),
                x.location.path,
                x.location.line,
                x.location.offset,
                x.message,
                x.evidence
            ])
        })
        .collect();
    let text = serde_json::to_vec(&json!([a, f])).unwrap_or_default();
    hex_sha256(&text)
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

//! The audit log inside the store: every state change appends an entry in the same transaction
//! as the change (callers pass their transaction). Hashing and signing live in `custody-audit`;
//! this file only reads and writes rows.

use crate::{AssetRow, Result, StoreError};
use custody_audit::{Entry, Frontier, SigningKey, verify_checkpoint};
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

/// Everything a write carries besides its data: who acts, the key that seals the log, the
/// checkpoint kept outside the database that the log must extend, and the wall clock when the
/// time of the write was injected.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    pub actor: Actor,
    /// Signs a checkpoint inside every transaction that appends. Without it nothing is written:
    /// a log that cannot be sealed would report tampering forever after.
    pub key: Option<SigningKey>,
    /// The latest checkpoint known outside the database (a signed note): the log must still
    /// hold the tree it signed, or the database was rolled back or truncated.
    pub known_checkpoint: Option<String>,
    /// The wall clock, recorded beside an injected `at` (RFC 3339).
    pub recorded_at: Option<String>,
}

fn other(path: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::Other { path: path.to_path_buf(), detail: detail.into() }
}

fn tampered(path: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::AuditTampered { path: path.to_path_buf(), detail: detail.into() }
}

/// The appends of one write transaction, sealed by a checkpoint before it commits.
///
/// The first append checks that the log as found is exactly what the last signed checkpoint
/// covers (and extends the checkpoint kept outside the database): entries that no checkpoint
/// covers were added without the key, and custody never signs over them. After the last append,
/// [`Seal::finish`] signs a checkpoint for the new size in the same transaction, so every entry
/// custody writes is sealed the moment it exists, whoever else writes at the same time.
pub(crate) struct Seal<'w> {
    writer: &'w Writer,
    path: &'w Path,
    /// The tree so far, once checked.
    frontier: Option<Frontier>,
    /// Unsealed entries the user has reviewed and accepts (see `accept_unsealed`).
    accept: Option<u64>,
}

impl<'w> Seal<'w> {
    pub(crate) fn new(writer: &'w Writer, path: &'w Path) -> Seal<'w> {
        Seal { writer, path, frontier: None, accept: None }
    }

    /// A seal that also signs over exactly `count` unsealed entries found at the end of the log.
    pub(crate) fn accepting(writer: &'w Writer, path: &'w Path, count: u64) -> Seal<'w> {
        Seal { writer, path, frontier: None, accept: Some(count) }
    }

    fn key(&self) -> Result<&'w SigningKey> {
        self.writer.key.as_ref().ok_or_else(|| StoreError::AuditKeyMissing { path: self.path.to_path_buf() })
    }

    /// Checks the log as found and returns its tree.
    fn ready(&mut self, conn: &Connection) -> Result<&mut Frontier> {
        if self.frontier.is_none() {
            let f = self.check(conn)?;
            self.frontier = Some(f);
        }
        self.frontier.as_mut().ok_or_else(|| other(self.path, "audit tree unavailable"))
    }

    fn check(&self, conn: &Connection) -> Result<Frontier> {
        let path = self.path;
        let map = |e: rusqlite::Error| other(path, e.to_string());
        let key = self.key()?;
        let vkey = key.verifier();
        match self::vkey(conn, path)? {
            Some(v) if v == vkey.to_string() => {}
            Some(_) => {
                return Err(tampered(path, "the signing key given does not match the log's verifier key"));
            }
            None => return Err(tampered(path, "the log has no verifier key")),
        }
        let latest: Option<(i64, String)> = conn
            .query_row("SELECT size, note FROM audit_checkpoint ORDER BY size DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(map)?;
        let mut wanted: Vec<(u64, custody_audit::Hash, &str)> = Vec::new();
        let signed = match &latest {
            None => 0,
            Some((size, note)) => {
                let cp = verify_checkpoint(note, &vkey)
                    .map_err(|e| tampered(path, format!("the latest checkpoint does not verify: {e}")))?;
                if i64::try_from(cp.size).ok() != Some(*size) {
                    return Err(tampered(path, format!("checkpoint row {size} holds a checkpoint of {}", cp.size)));
                }
                wanted.push((cp.size, cp.root, "the latest checkpoint in the database"));
                cp.size
            }
        };
        if let Some(note) = &self.writer.known_checkpoint {
            // Kept from before a key rotation, it carries the key that was in force then.
            let rotations = entries_where(conn, path, Some(crate::verify::ROTATION))?;
            let keys =
                crate::verify::key_schedule(Some(&vkey.to_string()), &rotations).map_err(|e| tampered(path, e))?;
            let cp = keys.verify(note).map_err(|e| {
                tampered(path, format!("the checkpoint kept outside the database does not verify: {e}"))
            })?;
            wanted.push((cp.size, cp.root, "the checkpoint kept outside the database"));
        }
        let mut frontier = Frontier::new();
        let check_at = |f: &Frontier, wanted: &[(u64, custody_audit::Hash, &str)]| -> Result<()> {
            for (size, root, what) in wanted {
                if *size == f.size() && *root != f.root() {
                    return Err(tampered(
                        path,
                        format!("the first {size} entries no longer have the tree that {what} signed"),
                    ));
                }
            }
            Ok(())
        };
        check_at(&frontier, &wanted)?;
        let mut st = conn.prepare("SELECT seq, leaf_hash FROM audit_entry ORDER BY seq").map_err(map)?;
        let mut rows = st.query([]).map_err(map)?;
        while let Some(r) = rows.next().map_err(map)? {
            let seq: i64 = r.get(0).map_err(map)?;
            if u64::try_from(seq).ok() != Some(frontier.size()) {
                return Err(tampered(path, format!("entry {seq} stands where entry {} was due", frontier.size())));
            }
            let leaf: Vec<u8> = r.get(1).map_err(map)?;
            let leaf = <[u8; 32]>::try_from(leaf.as_slice())
                .map_err(|_| tampered(path, format!("entry {seq} has a malformed leaf hash")))?;
            frontier.push(leaf);
            check_at(&frontier, &wanted)?;
        }
        let size = frontier.size();
        for (s, _, what) in &wanted {
            if *s > size {
                return Err(tampered(
                    path,
                    format!("{what} signed {s} entries but the log has {size}: it was rolled back or truncated"),
                ));
            }
        }
        let unsealed = size - signed;
        match self.accept {
            Some(n) if n == unsealed => {}
            Some(n) => {
                return Err(tampered(
                    path,
                    format!("{unsealed} entries are unsealed, not the {n} reviewed; nothing was accepted"),
                ));
            }
            None if unsealed > 0 => {
                return Err(StoreError::AuditUnsealed { path: path.to_path_buf(), from: signed, count: unsealed });
            }
            None => {}
        }
        Ok(frontier)
    }

    /// Appends one entry; returns its sequence number.
    pub(crate) fn append(
        &mut self,
        conn: &Connection,
        at: &str,
        kind: &str,
        payload: Value,
        attachment_sha256: Option<&str>,
    ) -> Result<u64> {
        let path = self.path;
        let writer = self.writer;
        let frontier = self.ready(conn)?;
        let seq = frontier.size();
        let entry = Entry {
            seq,
            actor: writer.actor.name.clone(),
            role: writer.actor.role.map(|r| r.as_str().to_string()),
            at: at.to_string(),
            kind: kind.to_string(),
            payload,
            attachment_sha256: attachment_sha256.map(str::to_string),
            recorded_at: writer.recorded_at.clone(),
        };
        let leaf = entry.leaf_hash().map_err(|e| other(path, format!("audit entry has no canonical form: {e}")))?;
        let next = i64::try_from(seq).map_err(|_| other(path, "audit sequence overflow"))?;
        conn.execute(
            "INSERT INTO audit_entry (seq, at, actor, role, kind, payload_json, attachment_sha256, leaf_hash, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                next,
                entry.at,
                entry.actor,
                entry.role,
                entry.kind,
                entry.payload.to_string(),
                entry.attachment_sha256,
                leaf.to_vec(),
                entry.recorded_at
            ],
        )
        .map_err(|e| other(path, e.to_string()))?;
        frontier.push(leaf);
        Ok(seq)
    }

    /// Signs and stores a checkpoint over everything appended (nothing when nothing was, except
    /// for an acceptance, which seals what it accepted). Returns the new size.
    pub(crate) fn finish(self, conn: &Connection, at: &str) -> Result<Option<u64>> {
        self.finish_cosigned(conn, at, None)
    }

    /// As [`Seal::finish`], with the checkpoint also signed by `cosigner` (the new key of a
    /// rotation).
    pub(crate) fn finish_cosigned(
        mut self,
        conn: &Connection,
        at: &str,
        cosigner: Option<&SigningKey>,
    ) -> Result<Option<u64>> {
        if self.accept.is_some() {
            self.ready(conn)?;
        }
        let Some(frontier) = &self.frontier else { return Ok(None) };
        let key = self.key()?;
        let size = frontier.size();
        let mut note = key
            .sign_checkpoint(key.name(), size, &frontier.root())
            .map_err(|e| other(self.path, format!("cannot sign the checkpoint: {e}")))?;
        if let Some(c) = cosigner {
            note = c.cosign(&note).map_err(|e| other(self.path, format!("cannot cosign the checkpoint: {e}")))?;
        }
        conn.execute(
            "INSERT INTO audit_checkpoint (size, note, at) VALUES (?1, ?2, ?3)",
            params![i64::try_from(size).map_err(|_| other(self.path, "audit size overflow"))?, note, at],
        )
        .map_err(|e| other(self.path, e.to_string()))?;
        Ok(Some(size))
    }
}

/// Every entry in order, with the leaf hash stored when it was appended.
pub(crate) fn entries(conn: &Connection, path: &Path) -> Result<Vec<(Entry, Vec<u8>)>> {
    entries_where(conn, path, None)
}

/// Entries of one kind (or all), in order; or the one entry `seq`.
pub(crate) fn entries_where(conn: &Connection, path: &Path, kind: Option<&str>) -> Result<Vec<(Entry, Vec<u8>)>> {
    entries_query(conn, path, kind, None)
}

pub(crate) fn entries_query(
    conn: &Connection,
    path: &Path,
    kind: Option<&str>,
    seq: Option<i64>,
) -> Result<Vec<(Entry, Vec<u8>)>> {
    let map = |e: rusqlite::Error| other(path, e.to_string());
    let mut st = conn
        .prepare(
            "SELECT seq, at, actor, role, kind, payload_json, attachment_sha256, leaf_hash, recorded_at FROM audit_entry
             WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR seq = ?2) ORDER BY seq",
        )
        .map_err(map)?;
    let rows = st
        .query_map(params![kind, seq], |r| {
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
                    recorded_at: r.get(8)?,
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
    custody_core::hex::encode(&Sha256::digest(bytes))
}

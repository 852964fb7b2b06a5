use super::*;

impl SqliteStore {
    pub(super) fn record_snapshot(&self, snap: &SnapshotRecord) -> Result<i64> {
        self.write(&snap.created_at, |tx, seal, m| {
            let taken: bool = tx
                .query_row("SELECT EXISTS (SELECT 1 FROM snapshot WHERE name = ?1)", params![snap.name], |r| r.get(0))
                .map_err(m)?;
            if taken {
                return Err(StoreError::Other {
                    path: self.path.clone(),
                    detail: format!(
                        "a snapshot called `{}` exists already; snapshots are never replaced, choose another name",
                        snap.name
                    ),
                });
            }
            tx.execute(
                "INSERT INTO snapshot (name, created_at, source, objects_dir, single_file, serialization, root_digest, bundle,
                                       trust_kind, trust_pem, signature_name, file_count, total_bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    snap.name,
                    snap.created_at,
                    snap.source,
                    snap.objects_dir,
                    snap.single_file,
                    snap.serialization,
                    snap.root_digest,
                    snap.bundle,
                    snap.trust_kind,
                    snap.trust_pem,
                    snap.signature_name,
                    to_i64(snap.files.len() as u64),
                    to_i64(snap.total_bytes)
                ],
            )
            .map_err(m)?;
            let id = tx.last_insert_rowid();
            {
                let mut put = tx
                    .prepare_cached(
                        "INSERT INTO snapshot_file (snapshot_id, path, size, mode, object) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .map_err(m)?;
                for f in &snap.files {
                    put.execute(params![id, f.path, to_i64(f.size), f.mode, f.object]).map_err(m)?;
                }
            }
            // The manifest of the snapshot (paths and objects) is what the log commits to.
            let mut files: Vec<(&str, &str, u64)> =
                snap.files.iter().map(|f| (f.path.as_str(), f.object.as_str(), f.size)).collect();
            files.sort();
            let manifest = crate::audit::hex_sha256(&serde_json::to_vec(&files).unwrap_or_default());
            seal.append(
                tx,
                &snap.created_at,
                "snapshot",
                serde_json::json!({
                    "snapshot": id,
                    "name": snap.name,
                    "source": snap.source,
                    "root_digest": snap.root_digest,
                    "files": snap.files.len(),
                    "files_sha256": manifest,
                    "bundle_sha256": crate::audit::hex_sha256(&snap.bundle),
                }),
                None,
            )?;
            Ok(id)
        })
    }

    pub(super) fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let Some(mut snap) = conn
            .query_row(&format!("{SNAPSHOT_COLUMNS} WHERE name = ?1"), params![name], snapshot_row)
            .optional()
            .map_err(m)?
        else {
            return Ok(None);
        };
        let mut st = conn
            .prepare("SELECT path, size, mode, object FROM snapshot_file WHERE snapshot_id = ?1 ORDER BY path")
            .map_err(m)?;
        snap.record.files = st
            .query_map(params![snap.id], |r| {
                Ok(SnapshotFileRow {
                    path: r.get(0)?,
                    size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    mode: r.get(2)?,
                    object: r.get(3)?,
                })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(Some(snap))
    }

    pub(super) fn snapshots(&self) -> Result<Vec<StoredSnapshot>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn.prepare(&format!("{SNAPSHOT_COLUMNS} ORDER BY id")).map_err(m)?;
        let rows = st.query_map([], snapshot_row).map_err(m)?.collect::<std::result::Result<Vec<_>, _>>().map_err(m)?;
        Ok(rows)
    }

    pub(super) fn record_attest_event(&self, e: &AttestEvent) -> Result<i64> {
        self.write(&e.at, |tx, seal, m| {
            tx.execute(
                "INSERT INTO attest_event (at, kind, subject, snapshot, outcome, root_digest, detail_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![e.at, e.kind.as_str(), e.subject, e.snapshot, e.outcome.as_str(), e.root_digest, e.detail_json],
            )
            .map_err(m)?;
            let id = tx.last_insert_rowid();
            let detail: serde_json::Value = serde_json::from_str(&e.detail_json).unwrap_or(serde_json::Value::Null);
            seal.append(
                tx,
                &e.at,
                &format!("integrity.{}", e.kind),
                serde_json::json!({
                    "event": id,
                    "subject": e.subject,
                    "snapshot": e.snapshot,
                    "outcome": e.outcome.as_str(),
                    "root_digest": e.root_digest,
                    "detail": detail,
                }),
                None,
            )?;
            Ok(id)
        })
    }

    pub(super) fn attest_events(&self) -> Result<Vec<AttestEvent>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn
            .prepare(
                "SELECT at, kind, subject, snapshot, outcome, root_digest, detail_json FROM attest_event ORDER BY id",
            )
            .map_err(m)?;
        let rows = st
            .query_map([], |r| {
                // The columns' CHECK constraints admit only these names; anything else was
                // written behind custody's back and reads as a conversion error.
                let typed = |i: usize, e: String| {
                    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
                };
                Ok(AttestEvent {
                    at: r.get(0)?,
                    kind: custody_core::IntegrityKind::parse(&r.get::<_, String>(1)?).map_err(|e| typed(1, e))?,
                    subject: r.get(2)?,
                    snapshot: r.get(3)?,
                    outcome: custody_core::Outcome::parse(&r.get::<_, String>(4)?).map_err(|e| typed(4, e))?,
                    root_digest: r.get(5)?,
                    detail_json: r.get(6)?,
                })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(rows)
    }
}

const SNAPSHOT_COLUMNS: &str =
    "SELECT id, name, created_at, source, objects_dir, single_file, serialization, root_digest,
    bundle, trust_kind, trust_pem, signature_name, file_count, total_bytes FROM snapshot";

fn snapshot_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredSnapshot> {
    Ok(StoredSnapshot {
        id: r.get(0)?,
        file_count: u64::try_from(r.get::<_, i64>(12)?).unwrap_or(0),
        record: SnapshotRecord {
            name: r.get(1)?,
            created_at: r.get(2)?,
            source: r.get(3)?,
            objects_dir: r.get(4)?,
            single_file: r.get(5)?,
            serialization: r.get(6)?,
            root_digest: r.get(7)?,
            bundle: r.get(8)?,
            trust_kind: r.get(9)?,
            trust_pem: r.get(10)?,
            signature_name: r.get(11)?,
            total_bytes: u64::try_from(r.get::<_, i64>(13)?).unwrap_or(0),
            files: Vec::new(),
        },
    })
}

use super::*;

impl SqliteStore {
    pub(super) fn add_record(
        &self,
        kind: &str,
        key: RecordKey<'_>,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<crate::StoredRecord> {
        let path = self.path.clone();
        self.write(at, |tx, seal, m| {
            let current = |k: &str| -> Result<Option<i64>> {
                tx.query_row(
                    "SELECT id FROM record WHERE kind = ?1 AND key = ?2 AND superseded_by IS NULL",
                    params![kind, k],
                    |r| r.get(0),
                )
                .optional()
                .map_err(m)
            };
            // The key is decided here, inside the transaction that writes it, so two writers can
            // never both take the same one.
            let (key, previous) = match key {
                RecordKey::Replace(k) => (k.to_string(), current(k)?),
                RecordKey::New(k) => {
                    if current(k)?.is_some() {
                        return Err(StoreError::Taken { path: path.clone(), what: format!("{kind} `{k}`") });
                    }
                    (k.to_string(), None)
                }
                RecordKey::Next(prefix) => {
                    let used: i64 = tx
                        .query_row("SELECT count(DISTINCT key) FROM record WHERE kind = ?1", params![kind], |r| r.get(0))
                        .map_err(m)?;
                    let mut n = used + 1;
                    loop {
                        let k = format!("{prefix}#{n}");
                        if current(&k)?.is_none() {
                            break (k, None);
                        }
                        n += 1;
                    }
                }
            };
            let seq = seal.append(
                tx,
                at,
                &format!("record.{kind}"),
                serde_json::json!({ "key": key, "record": payload, "supersedes": previous }),
                attachment_sha256,
            )?;
            let actor = &self.writer.actor;
            let role = actor.role;
            tx.execute(
                "INSERT INTO record (kind, key, payload_json, actor, role, at, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![kind, key, payload.to_string(), actor.name, role.map(Role::as_str), at, to_i64(seq)],
            )
            .map_err(m)?;
            let id = tx.last_insert_rowid();
            if let Some(p) = previous {
                tx.execute("UPDATE record SET superseded_by = ?1 WHERE id = ?2", params![id, p]).map_err(m)?;
            }
            Ok(crate::StoredRecord {
                id,
                kind: kind.to_string(),
                key,
                payload: payload.clone(),
                actor: actor.name.clone(),
                role,
                at: at.to_string(),
                audit_seq: seq,
                superseded_by: None,
            })
        })
    }

    pub(super) fn records(&self, kind: &str) -> Result<Vec<crate::StoredRecord>> {
        self.query_records(&*self.db()?, "WHERE kind = ?1 AND superseded_by IS NULL ORDER BY key", Some(kind))
    }

    pub(super) fn all_records(&self) -> Result<Vec<crate::StoredRecord>> {
        self.query_records(&*self.db()?, "ORDER BY id", None)
    }

    pub(super) fn query_records(
        &self,
        conn: &Connection,
        clause: &str,
        kind: Option<&str>,
    ) -> Result<Vec<crate::StoredRecord>> {
        let m = |e| self.map(e);
        let sql = format!(
            "SELECT id, kind, key, payload_json, actor, role, at, audit_seq, superseded_by FROM record {clause}"
        );
        let mut st = conn.prepare(&sql).map_err(m)?;
        let map_row =
            |r: &rusqlite::Row<'_>| {
                let payload: String = r.get(3)?;
                Ok(crate::StoredRecord {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    key: r.get(2)?,
                    payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
                    actor: r.get(4)?,
                    // Written from a typed role; anything else was edited behind custody's back.
                    role: r.get::<_, Option<String>>(5)?.map(|t| Role::parse(&t)).transpose().map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into())
                    })?,
                    at: r.get(6)?,
                    audit_seq: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(u64::MAX),
                    superseded_by: r.get(8)?,
                })
            };
        let rows = match kind {
            Some(k) => st.query_map(params![k], map_row).map_err(m)?.collect::<std::result::Result<Vec<_>, _>>(),
            None => st.query_map([], map_row).map_err(m)?.collect::<std::result::Result<Vec<_>, _>>(),
        }
        .map_err(m)?;
        Ok(rows)
    }
}

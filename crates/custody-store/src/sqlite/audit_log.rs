use super::*;

impl SqliteStore {
    pub(super) fn log_event(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<u64> {
        self.write(at, |tx, seal, _| {
            let seq = seal.append(tx, at, kind, payload.clone(), attachment_sha256)?;
            Ok(seq)
        })
    }

    pub(super) fn audit_entries(&self) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>> {
        let conn = self.db()?;
        crate::audit::entries(&conn, &self.path)
    }

    pub(super) fn audit_entry(&self, seq: u64) -> Result<Option<(custody_audit::Entry, Vec<u8>)>> {
        let conn = self.db()?;
        let Ok(seq) = i64::try_from(seq) else { return Ok(None) };
        Ok(crate::audit::entries_query(&conn, &self.path, None, Some(seq))?.pop())
    }

    pub(super) fn audit_size(&self) -> Result<u64> {
        let conn = self.db()?;
        let n: i64 = conn.query_row("SELECT count(*) FROM audit_entry", [], |r| r.get(0)).map_err(|e| self.map(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub(super) fn audit_leaves(&self) -> Result<Vec<Vec<u8>>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn.prepare("SELECT leaf_hash FROM audit_entry ORDER BY seq").map_err(m)?;
        let rows = st.query_map([], |r| r.get(0)).map_err(m)?.collect::<std::result::Result<Vec<_>, _>>().map_err(m)?;
        Ok(rows)
    }

    pub(super) fn audit_entries_of_kind(&self, kind: &str) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>> {
        let conn = self.db()?;
        crate::audit::entries_where(&conn, &self.path, Some(kind))
    }

    pub(super) fn audit_checkpoints(&self) -> Result<Vec<(u64, String)>> {
        let conn = self.db()?;
        crate::audit::checkpoints(&conn, &self.path)
    }

    pub(super) fn accept_unsealed(&self, count: u64, reason: &str, at: &str) -> Result<u64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::accepting(&self.writer, &path, count);
        let first: i64 =
            tx.query_row("SELECT coalesce(max(seq) + 1, 0) FROM audit_entry", [], |r| r.get(0)).map_err(m)?;
        let from = u64::try_from(first).unwrap_or(0).saturating_sub(count);
        let seq = seal.append(
            &tx,
            at,
            "audit.accept",
            serde_json::json!({ "from": from, "count": count, "reason": reason }),
            None,
        )?;
        seal.finish(&tx, at)?;
        tx.commit().map_err(m)?;
        Ok(seq)
    }

    pub(super) fn rotate_audit_key(&self, new_key: &custody_audit::SigningKey, reason: &str, at: &str) -> Result<u64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e| map_err(&path, busy, e);
        let old =
            self.writer.key.as_ref().ok_or_else(|| StoreError::AuditKeyMissing { path: path.clone() })?.verifier();
        let new = new_key.verifier();
        if new.name() != old.name() {
            return Err(self.err_other("the new key must have the log's name (its checkpoint origin)"));
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
        let seq = seal.append(
            &tx,
            at,
            "audit.key-rotation",
            serde_json::json!({ "old": old.to_string(), "new": new.to_string(), "reason": reason }),
            None,
        )?;
        seal.finish_cosigned(&tx, at, Some(new_key))?;
        tx.execute("UPDATE audit_key SET vkey = ?1 WHERE id = 1", params![new.to_string()]).map_err(m)?;
        tx.commit().map_err(m)?;
        Ok(seq)
    }

    pub(super) fn audit_view(&self) -> Result<crate::AuditView> {
        let conn = self.db()?;
        // One read transaction: in WAL mode it sees one snapshot of the database, whatever
        // writers commit meanwhile.
        let tx = conn.unchecked_transaction().map_err(|e| self.map(e))?;
        let entries = crate::audit::entries(&tx, &self.path)?;
        let mut scan_digests = Vec::new();
        for (e, _) in &entries {
            if e.kind == "scan"
                && let Some(id) = e.payload.get("scan").and_then(serde_json::Value::as_i64)
            {
                let ownership: Option<String> = tx
                    .query_row("SELECT ownership_json FROM scan WHERE id = ?1", params![id], |r| r.get(0))
                    .optional()
                    .map_err(|e| self.map(e))?
                    .flatten();
                scan_digests.push(crate::ScanDigest {
                    id,
                    content: self.scan_digest_on(&tx, id)?,
                    ownership: ownership.map(|o| crate::audit::hex_sha256(o.as_bytes())),
                });
            }
        }
        let view = crate::AuditView {
            vkey: crate::audit::vkey(&tx, &self.path)?,
            checkpoints: crate::audit::checkpoints(&tx, &self.path)?,
            records: self.query_records(&tx, "ORDER BY id", None)?,
            entries,
            scan_digests,
        };
        tx.commit().map_err(|e| self.map(e))?;
        Ok(view)
    }

    pub(super) fn audit_vkey(&self) -> Result<Option<String>> {
        let conn = self.db()?;
        crate::audit::vkey(&conn, &self.path)
    }

    pub(super) fn set_audit_vkey(&self, vkey: &str) -> Result<()> {
        let conn = self.db()?;
        match crate::audit::vkey(&conn, &self.path)? {
            Some(v) if v == vkey => Ok(()),
            Some(_) => Err(StoreError::Other {
                path: self.path.clone(),
                detail: "the audit log already has a different verifier key; custody never replaces it".into(),
            }),
            None => {
                conn.execute("INSERT INTO audit_key (id, vkey) VALUES (1, ?1)", params![vkey])
                    .map_err(|e| self.map(e))?;
                Ok(())
            }
        }
    }
}

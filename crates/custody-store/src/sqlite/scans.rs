use super::*;

impl SqliteStore {
    pub(super) fn record_scan(
        &self,
        scan: &ScanRecord<'_>,
        cache: &mut dyn Iterator<Item = FileCacheRow>,
    ) -> Result<i64> {
        self.write(&scan.started_at, |tx, seal, m| {
            let uses_blob = encode_uses(&scan.uses);
            let ownership = scan.ownership.as_ref().map(|o| serde_json::to_string(o).unwrap_or_default());
            tx.execute(
                "INSERT INTO scan (root, started_at, duration_ms, stats_json, summary_json, uses_blob, ownership_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    scan.root,
                    scan.started_at,
                    to_i64(scan.duration_ms),
                    scan.stats_json,
                    scan.summary_json,
                    uses_blob,
                    ownership
                ],
            )
            .map_err(m)?;
            let id = tx.last_insert_rowid();
            {
                let mut put_asset = tx
                    .prepare_cached(
                        "INSERT INTO asset (sha256, kind, format, size, meta_json, first_scan_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (sha256) DO NOTHING",
                    )
                    .map_err(m)?;
                let mut put_loc = tx
                    .prepare_cached("INSERT OR REPLACE INTO asset_location (scan_id, path, sha256) VALUES (?1, ?2, ?3)")
                    .map_err(m)?;
                for a in &scan.assets {
                    put_asset.execute(params![a.sha256, a.kind.as_str(), a.format, to_i64(a.size), a.meta_json, id]).map_err(m)?;
                    put_loc.execute(params![id, a.path, a.sha256]).map_err(m)?;
                }
                let mut put_f = tx
                    .prepare_cached(
                        "INSERT INTO scan_finding (scan_id, seq, code, severity, message, path, member, offset, line, col, evidence)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    )
                    .map_err(m)?;
                for (seq, f) in scan.findings.iter().enumerate() {
                    let l = &f.location;
                    put_f
                        .execute(params![
                            id,
                            to_i64(seq as u64),
                            f.code.as_str(),
                            f.severity.as_str(),
                            f.message,
                            l.path,
                            l.member,
                            l.offset.map(to_i64),
                            l.line,
                            l.column,
                            f.evidence
                        ])
                        .map_err(m)?;
                }
                let mut put_e = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO scan_edge (scan_id, source, target, kind) VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(m)?;
                for e in &scan.edges {
                    put_e.execute(params![id, e.source, e.target, e.kind]).map_err(m)?;
                }
                let (index_blob, results_blob) = encode_cache(cache);
                tx.execute(
                    "INSERT OR REPLACE INTO file_cache (root, index_blob, results_blob) VALUES (?1, ?2, ?3)",
                    params![scan.root, index_blob, results_blob],
                )
                .map_err(m)?;
            }
            seal.append(
                tx,
                &scan.started_at,
                "scan",
                serde_json::json!({
                    "scan": id,
                    "root": scan.root,
                    "assets": scan.assets.len(),
                    "findings": scan.findings.len(),
                    "content_sha256": crate::audit::scan_digest(&scan.assets, &scan.findings),
                    // Which systems claim which asset is a fact of the scan too: logged so an edit
                    // of it is caught.
                    "ownership_sha256": ownership.as_deref().map(|o| crate::audit::hex_sha256(o.as_bytes())),
                }),
                None,
            )?;
            Ok(id)
        })
    }

    pub(super) fn file_cache(&self, root: &str) -> Result<Vec<FileCacheRow>> {
        let conn = self.db()?;
        let blobs: Option<(Vec<u8>, Vec<u8>)> = conn
            .query_row("SELECT index_blob, results_blob FROM file_cache WHERE root = ?1", params![root], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| self.map(e))?;
        let Some((index, results)) = blobs else { return Ok(Vec::new()) };
        // A cache that does not decode is dropped (the next scan reads everything again).
        Ok(decode_cache(&index, Some(&results)).unwrap_or_default())
    }

    pub(super) fn latest_scan(&self, root: Option<&str>) -> Result<Option<StoredScan>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let head = conn
            .query_row(
                "SELECT s.id, s.root, s.started_at, s.duration_ms, s.stats_json, d.uses_blob, d.id, s.summary_json,
                        d.ownership_json
                 FROM scan s JOIN scan d ON d.id = coalesce(s.same_as, s.id)
                 WHERE ?1 IS NULL OR s.root = ?1 ORDER BY s.id DESC LIMIT 1",
                params![root],
                |r| {
                    Ok((
                        (r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?),
                        (r.get::<_, String>(4)?, r.get::<_, i64>(6)?, r.get::<_, String>(7)?),
                        (r.get::<_, Vec<u8>>(5)?, r.get::<_, Option<String>>(8)?),
                    ))
                },
            )
            .optional()
            .map_err(m)?;
        let Some(((id, root, started_at, duration_ms), (stats_json, data_id, summary_json), (uses_blob, ownership))) =
            head
        else {
            return Ok(None);
        };
        let ownership = match ownership {
            None => None,
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("the ownership of scan {data_id} does not decode: {e}"),
            })?),
        };
        let uses = decode_uses(&uses_blob).ok_or_else(|| StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!("the uses of scan {id} do not decode"),
        })?;
        let (assets, findings) = self.scan_rows(&conn, data_id)?;
        let mut st = conn
            .prepare("SELECT source, target, kind FROM scan_edge WHERE scan_id = ?1 ORDER BY source, target, kind")
            .map_err(m)?;
        let edges = st
            .query_map(params![data_id], |r| Ok(EdgeRow { source: r.get(0)?, target: r.get(1)?, kind: r.get(2)? }))
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        let duration_ms = u64::try_from(duration_ms).unwrap_or(0);
        Ok(Some(StoredScan {
            id,
            record: ScanRecord {
                root,
                started_at,
                duration_ms,
                stats_json,
                summary_json,
                ownership,
                assets,
                findings: findings.into(),
                uses: uses.into(),
                edges,
            },
        }))
    }

    pub(super) fn scan_head(&self, root: Option<&str>) -> Result<Option<ScanHead>> {
        let conn = self.db()?;
        conn.query_row(
            "SELECT id, coalesce(same_as, id), root, started_at, stats_json, summary_json FROM scan
                 WHERE ?1 IS NULL OR root = ?1 ORDER BY id DESC LIMIT 1",
            params![root],
            |r| {
                Ok(ScanHead {
                    id: r.get(0)?,
                    data_id: r.get(1)?,
                    root: r.get(2)?,
                    started_at: r.get(3)?,
                    stats_json: r.get(4)?,
                    summary_json: r.get(5)?,
                })
            },
        )
        .optional()
        .map_err(|e| self.map(e))
    }

    pub(super) fn asset_locations(&self, scan_id: i64) -> Result<Vec<(String, String)>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st =
            conn.prepare("SELECT path, sha256 FROM asset_location WHERE scan_id = ?1 ORDER BY path").map_err(m)?;
        let rows = st
            .query_map(params![scan_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(rows)
    }

    pub(super) fn file_cache_index(&self, root: &str) -> Result<Vec<FileIdentity>> {
        let conn = self.db()?;
        let blob: Option<Vec<u8>> = conn
            .query_row("SELECT index_blob FROM file_cache WHERE root = ?1", params![root], |r| r.get(0))
            .optional()
            .map_err(|e| self.map(e))?;
        let rows = blob.and_then(|b| decode_cache(&b, None)).unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| FileIdentity {
                path: r.path,
                size: r.size,
                mtime_ns: r.mtime_ns,
                inode: r.inode,
                ctime_ns: r.ctime_ns,
            })
            .collect())
    }

    pub(super) fn record_unchanged_scan(
        &self,
        same_as: i64,
        started_at: &str,
        duration_ms: u64,
        stats_json: &str,
        summary_json: &str,
    ) -> Result<i64> {
        self.write(started_at, |tx, seal, m| {
            // The data lives with the scan that first recorded it; point at that one.
            let n = tx
                .execute(
                    "INSERT INTO scan (root, started_at, duration_ms, stats_json, summary_json, same_as, uses_blob)
                     SELECT root, ?2, ?3, ?4, ?5, coalesce(same_as, id), x'' FROM scan WHERE id = ?1",
                    params![same_as, started_at, to_i64(duration_ms), stats_json, summary_json],
                )
                .map_err(m)?;
            if n != 1 {
                return Err(StoreError::Other {
                    path: self.path.clone(),
                    detail: format!("no scan {same_as} to repeat"),
                });
            }
            let id = tx.last_insert_rowid();
            seal.append(tx, started_at, "scan.unchanged", serde_json::json!({ "scan": id, "same_as": same_as }), None)?;
            Ok(id)
        })
    }

    pub(super) fn stored_scan_digest(&self, scan_id: i64) -> Result<Option<String>> {
        let conn = self.db()?;
        self.scan_digest_on(&conn, scan_id)
    }

    /// A scan's asset locations and findings, as recorded.
    pub(super) fn scan_rows(&self, conn: &Connection, scan_id: i64) -> Result<(Vec<AssetRow>, Vec<Finding>)> {
        let m = |e| self.map(e);
        let mut st = conn
            .prepare(
                "SELECT l.path, l.sha256, a.kind, a.format, a.size, a.meta_json FROM asset_location l JOIN asset a USING (sha256)
                 WHERE l.scan_id = ?1 ORDER BY l.path",
            )
            .map_err(m)?;
        let assets = st
            .query_map(params![scan_id], |r| {
                Ok(AssetRow {
                    path: r.get(0)?,
                    sha256: r.get(1)?,
                    kind: custody_core::AssetKind::parse(&r.get::<_, String>(2)?).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
                    })?,
                    format: r.get(3)?,
                    size: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
                    meta_json: r.get(5)?,
                })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        let mut st = conn
            .prepare("SELECT code, severity, message, path, member, offset, line, col, evidence FROM scan_finding WHERE scan_id = ?1 ORDER BY seq")
            .map_err(m)?;
        let findings = st
            .query_map(params![scan_id], |r| {
                Ok(Finding {
                    // Text in the database; a known code comes back typed, an unknown one as text
                    // with the severity it was recorded with.
                    code: custody_scan::RULES.code(&r.get::<_, String>(0)?),
                    severity: Severity::parse(&r.get::<_, String>(1)?).unwrap_or(Severity::High),
                    message: r.get(2)?,
                    location: Location {
                        path: r.get(3)?,
                        member: r.get(4)?,
                        offset: r.get::<_, Option<i64>>(5)?.and_then(|o| u64::try_from(o).ok()),
                        line: r.get(6)?,
                        column: r.get(7)?,
                    },
                    evidence: r.get(8)?,
                })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok((assets, findings))
    }

    /// A scan's content digest from its stored rows, on a connection the caller holds.
    pub(super) fn scan_digest_on(&self, conn: &Connection, scan_id: i64) -> Result<Option<String>> {
        let exists: bool = conn
            .query_row("SELECT EXISTS (SELECT 1 FROM scan WHERE id = ?1)", params![scan_id], |r| r.get(0))
            .map_err(|e| self.map(e))?;
        if !exists {
            return Ok(None);
        }
        let (assets, findings) = self.scan_rows(conn, scan_id)?;
        Ok(Some(crate::audit::scan_digest(&assets, &findings)))
    }
}

/// The file cache of a root as two deflated JSON blobs: identities, and results in the same order.
/// Rows are consumed one at a time and their results streamed into the compressor.
fn encode_cache(rows: &mut dyn Iterator<Item = FileCacheRow>) -> (Vec<u8>, Vec<u8>) {
    use std::io::Write;
    let mut index: Vec<(String, u64, i64, u64, Option<i64>)> = Vec::new();
    let mut results = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writes into a Vec cannot fail.
    let _ = results.write_all(b"[");
    for (i, r) in rows.enumerate() {
        if i > 0 {
            let _ = results.write_all(b",");
        }
        let valid = serde_json::from_str::<&serde_json::value::RawValue>(&r.result_json).is_ok();
        let _ = results.write_all(if valid { r.result_json.as_bytes() } else { b"null" });
        index.push((r.path, r.size, r.mtime_ns, r.inode, r.ctime_ns));
    }
    let _ = results.write_all(b"]");
    let results = results.finish().unwrap_or_default();
    let index_json = serde_json::to_vec(&index).unwrap_or_else(|_| b"[]".to_vec());
    (miniz_oxide::deflate::compress_to_vec(&index_json, 1), results)
}

/// One file of the cache index: `[path, size, mtime_ns, inode, ctime_ns]`, or the four-element
/// rows stores written before ctime was recorded (read with no ctime, so they never match).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum IndexRow {
    WithCtime(String, u64, i64, u64, Option<i64>),
    Old(String, u64, i64, u64),
}

/// Decodes a cache; with `results` absent the rows carry empty results.
fn decode_cache(index: &[u8], results: Option<&[u8]>) -> Option<Vec<FileCacheRow>> {
    let index_json = miniz_oxide::inflate::decompress_to_vec_with_limit(index, MAX_USES_JSON).ok()?;
    let index: Vec<IndexRow> = serde_json::from_slice(&index_json).ok()?;
    let texts: Vec<String> = match results {
        Some(r) => {
            let json = miniz_oxide::inflate::decompress_to_vec_with_limit(r, MAX_USES_JSON).ok()?;
            let raw: Vec<&serde_json::value::RawValue> = serde_json::from_slice(&json).ok()?;
            if raw.len() != index.len() {
                return None;
            }
            raw.into_iter().map(|v| v.get().to_string()).collect()
        }
        None => vec![String::new(); index.len()],
    };
    Some(
        index
            .into_iter()
            .zip(texts)
            .map(|(row, result_json)| {
                let (path, size, mtime_ns, inode, ctime_ns) = match row {
                    IndexRow::WithCtime(p, s, m, i, c) => (p, s, m, i, c),
                    IndexRow::Old(p, s, m, i) => (p, s, m, i, None),
                };
                FileCacheRow { path, size, mtime_ns, inode, ctime_ns, result_json }
            })
            .collect(),
    )
}

/// One use as a compact JSON tuple.
type UseTuple = (String, u32, u32, String, Option<String>, String, String, Option<String>, Option<bool>);
type UseTupleRef<'a> = (&'a str, u32, u32, &'a str, Option<&'a str>, &'a str, &'a str, Option<&'a str>, Option<bool>);

/// Largest decoded uses blob accepted (a corrupt or hostile store must not exhaust memory).
const MAX_USES_JSON: usize = 1 << 30;

fn encode_uses(uses: &[UseRow]) -> Vec<u8> {
    let tuples: Vec<UseTupleRef> = uses
        .iter()
        .map(|u| {
            (
                u.path.as_str(),
                u.line,
                u.column,
                u.kind.as_str(),
                u.provider.as_deref(),
                u.category.as_str(),
                u.name.as_str(),
                u.detail.as_deref(),
                u.pinned,
            )
        })
        .collect();
    let json = serde_json::to_vec(&tuples).unwrap_or_else(|_| b"[]".to_vec());
    miniz_oxide::deflate::compress_to_vec(&json, 1)
}

fn decode_uses(blob: &[u8]) -> Option<Vec<UseRow>> {
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(blob, MAX_USES_JSON).ok()?;
    let tuples: Vec<UseTuple> = serde_json::from_slice(&json).ok()?;
    Some(
        tuples
            .into_iter()
            .map(|(path, line, column, kind, provider, category, name, detail, pinned)| UseRow {
                path,
                line,
                column,
                kind,
                provider,
                category,
                name,
                detail,
                pinned,
            })
            .collect(),
    )
}

#[cfg(test)]
mod cache_tests {
    use super::*;

    #[test]
    fn caches_written_before_ctime_decode_without_it() {
        let old = serde_json::to_vec(&[("a.pt", 9u64, 5i64, 7u64)]).expect("json");
        let results = {
            use std::io::Write;
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            let _ = e.write_all(b"[{}]");
            e.finish().expect("deflate")
        };
        let rows = decode_cache(&miniz_oxide::deflate::compress_to_vec(&old, 1), Some(&results)).expect("decodes");
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].size, rows[0].mtime_ns, rows[0].inode, rows[0].ctime_ns), (9, 5, 7, None));
        let row = FileCacheRow { ctime_ns: Some(11), ..rows[0].clone() };
        let (index, results) = encode_cache(&mut std::iter::once(row.clone()));
        assert_eq!(decode_cache(&index, Some(&results)), Some(vec![row]));
    }
}

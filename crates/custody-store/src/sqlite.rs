//! The embedded SQLite backend: WAL journal, foreign keys on, a busy timeout, full fsync.

use crate::migrate::{LATEST_VERSION, MIGRATIONS, checksum};
use crate::{
    AssetRow, ConfigChange, EdgeRow, FileCacheRow, FileIdentity, Result, ScanHead, ScanRecord, Store, StoreError,
    StoredOrganisation, StoredScan, StoredSystem, UseRow,
};
use crate::{AttestEvent, RecordKey, SnapshotFileRow, SnapshotRecord, StoredSnapshot};
use custody_core::{Exposure, Role, System};
use custody_core::{Finding, Location, Severity};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// `PRAGMA application_id` of every custody store ("CUST"), so custody never mistakes another
/// program's database for its own.
const APPLICATION_ID: i64 = 0x4355_5354;

/// How to open a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long to wait for another process's lock before giving up with [`StoreError::Locked`].
    pub busy_timeout: Duration,
    /// Before upgrading an existing store, copy it to `<path>.pre-v<N>.bak`.
    pub backup_before_upgrade: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { busy_timeout: Duration::from_secs(5), backup_before_upgrade: true }
    }
}

/// What opening did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A new store was created.
    Created,
    /// An existing store was opened; `upgraded_from` is its version before migrations ran.
    Existing { upgraded_from: Option<u32> },
}

pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
    busy_ms: u64,
    writer: crate::audit::Writer,
}

enum State {
    Empty,
    Custody,
}

impl SqliteStore {
    /// Opens an existing store and brings its schema up to date.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let store = SqliteStore::connect(path, opts, false)?;
        match store.state()? {
            State::Custody => {}
            State::Empty => {
                return Err(StoreError::Foreign {
                    path: path.to_path_buf(),
                    detail: "the database is empty (was it created by `custody init`?)".into(),
                });
            }
        }
        let mut store = store;
        store.migrate(LATEST_VERSION, opts)?;
        Ok(store)
    }

    /// Opens the store, creating it (and its directory) if there is none. An existing file is
    /// never truncated or recreated: it must be a custody store, or an empty file.
    pub fn open_or_create(path: &Path, opts: &OpenOptions) -> Result<(SqliteStore, Opened)> {
        let existed = path.exists();
        if let Some(dir) = path.parent().filter(|d| !existed && !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Io { path: dir.to_path_buf(), detail: e.to_string() })?;
        }
        let mut store = SqliteStore::connect(path, opts, !existed)?;
        let how = match store.state()? {
            State::Empty => {
                store.migrate(LATEST_VERSION, opts)?;
                Opened::Created
            }
            State::Custody => {
                let before = store.schema_version()?;
                store.migrate(LATEST_VERSION, opts)?;
                let upgraded_from = (before < LATEST_VERSION).then_some(before);
                Opened::Existing { upgraded_from }
            }
        };
        Ok((store, how))
    }

    /// Opens an existing store for reading only: no file is created, nothing is migrated or
    /// written, so read access to the database is enough. When SQLite cannot create the WAL
    /// index beside a read-only database it is opened as immutable (no other process can be
    /// writing it then: nobody has write access).
    pub fn open_read_only(path: &Path, opts: &OpenOptions) -> Result<SqliteStore> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let busy_ms = u64::try_from(opts.busy_timeout.as_millis()).unwrap_or(u64::MAX);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let attempt = |uri: &str| -> Result<SqliteStore> {
            let m = |e| map_err(path, busy_ms, e);
            let conn = Connection::open_with_flags(uri, flags).map_err(m)?;
            conn.busy_timeout(opts.busy_timeout).map_err(m)?;
            conn.pragma_query_value(None, "schema_version", |r| r.get::<_, i64>(0)).map_err(m)?;
            Ok(SqliteStore::wrap(conn, path, busy_ms))
        };
        let uri = |extra: &str| {
            // Percent-encode what a URI path cannot hold as it is.
            let mut u = String::from("file:");
            for b in path.as_os_str().as_encoded_bytes() {
                match b {
                    b'%' | b'?' | b'#' => u.push_str(&format!("%{b:02X}")),
                    _ => u.push(char::from(*b)),
                }
            }
            format!("{u}?mode=ro{extra}")
        };
        let store = match attempt(&uri("")) {
            Ok(s) => s,
            Err(StoreError::Io { .. }) => attempt(&uri("&immutable=1"))?,
            Err(e) => return Err(e),
        };
        match store.state()? {
            State::Custody => {}
            State::Empty => {
                return Err(StoreError::Foreign {
                    path: path.to_path_buf(),
                    detail: "the database is empty (was it created by `custody init`?)".into(),
                });
            }
        }
        let applied = store.applied(&*store.db()?)?;
        for (version, sum) in &applied {
            match MIGRATIONS.iter().find(|(v, _, _)| v == version) {
                None => {
                    return Err(StoreError::TooNew {
                        path: path.to_path_buf(),
                        found: *version,
                        supported: LATEST_VERSION,
                    });
                }
                Some((_, _, sql)) if checksum(sql) != *sum => {
                    return Err(StoreError::MigrationChanged { path: path.to_path_buf(), version: *version });
                }
                Some(_) => {}
            }
        }
        let version = applied.iter().map(|(v, _)| *v).max().unwrap_or(0);
        if version < LATEST_VERSION {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: format!(
                    "its schema is v{version}, older than this custody's v{LATEST_VERSION}; any writing command (with write access) upgrades it"
                ),
            });
        }
        Ok(store)
    }

    /// Creates a store at an older schema version. For upgrade tests only.
    #[doc(hidden)]
    pub fn create_at_version(path: &Path, version: u32) -> Result<SqliteStore> {
        let opts = OpenOptions::default();
        let mut store = SqliteStore::connect(path, &opts, true)?;
        match store.state()? {
            State::Empty => store.migrate(version, &opts)?,
            State::Custody => return Err(store.err_other("store exists already")),
        }
        Ok(store)
    }

    fn connect(path: &Path, opts: &OpenOptions, create: bool) -> Result<SqliteStore> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let busy_ms = u64::try_from(opts.busy_timeout.as_millis()).unwrap_or(u64::MAX);
        let m = |e| map_err(path, busy_ms, e);
        let conn = Connection::open_with_flags(path, flags).map_err(m)?;
        conn.busy_timeout(opts.busy_timeout).map_err(m)?;
        // Reading the header is the first thing that notices a file that is not SQLite.
        conn.pragma_query_value(None, "schema_version", |r| r.get::<_, i64>(0)).map_err(m)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(m)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(m)?;
        // A scan writes tens of thousands of finding rows in one transaction: a 16 MiB page
        // cache keeps that from spilling mid-transaction without costing much memory.
        conn.pragma_update(None, "cache_size", -16_384).map_err(m)?;
        Ok(SqliteStore::wrap(conn, path, busy_ms))
    }

    fn wrap(conn: Connection, path: &Path, busy_ms: u64) -> SqliteStore {
        SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
            busy_ms,
            writer: crate::audit::Writer::default(),
        }
    }

    /// The connection, for one operation. Handles made by [`Store::with_writer`] share it, so
    /// one process's threads take turns; other processes are ordered by SQLite's own locks.
    fn db(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| self.err_other("a thread panicked while using the store; reopen it"))
    }

    /// The same store acting as `writer` (for tests and single-actor tools that hold the
    /// concrete type).
    pub fn set_writer(&mut self, writer: crate::audit::Writer) {
        self.writer = writer;
    }

    fn state(&self) -> Result<State> {
        let conn = self.db()?;
        let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(|e| self.map(e))?;
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.map(e))?;
        match (app_id, tables) {
            (APPLICATION_ID, _) => Ok(State::Custody),
            (0, 0) => Ok(State::Empty),
            (0, n) => Err(StoreError::Foreign {
                path: self.path.clone(),
                detail: format!("it holds {n} tables of another program"),
            }),
            (other, _) => Err(StoreError::Foreign {
                path: self.path.clone(),
                detail: format!("its application id is {other:#x}"),
            }),
        }
    }

    /// Applies every pending migration up to `target`, each in its own transaction.
    fn migrate(&mut self, target: u32, opts: &OpenOptions) -> Result<()> {
        let mut conn = self.db()?;
        let applied = self.applied(&conn)?;
        for (version, sum) in &applied {
            match MIGRATIONS.iter().find(|(v, _, _)| v == version) {
                None => {
                    return Err(StoreError::TooNew {
                        path: self.path.clone(),
                        found: *version,
                        supported: LATEST_VERSION,
                    });
                }
                Some((_, _, sql)) if checksum(sql) != *sum => {
                    return Err(StoreError::MigrationChanged { path: self.path.clone(), version: *version });
                }
                Some(_) => {}
            }
        }
        let current = applied.iter().map(|(v, _)| *v).max().unwrap_or(0);
        if current >= target {
            return Ok(());
        }
        if current > 0 {
            conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| self.map(e))?;
            if opts.backup_before_upgrade {
                self.backup(&conn, current)?;
            }
        }
        for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current && *v <= target) {
            let path = self.path.clone();
            let busy = self.busy_ms;
            let tx =
                conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| map_err(&path, busy, e))?;
            if *version == 1 {
                tx.execute_batch(&format!(
                    "PRAGMA application_id = {APPLICATION_ID};
                     CREATE TABLE schema_migration (
                         version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                         checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
                     ) STRICT;"
                ))
                .map_err(|e| map_err(&path, busy, e))?;
            }
            tx.execute_batch(sql).map_err(|e| map_err(&path, busy, e))?;
            tx.execute(
                "INSERT INTO schema_migration (version, name, checksum) VALUES (?1, ?2, ?3)",
                params![version, name, checksum(sql)],
            )
            .map_err(|e| map_err(&path, busy, e))?;
            tx.commit().map_err(|e| map_err(&path, busy, e))?;
        }
        // WAL is a property of the file; set it once the store exists.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| self.map(e))?;
        Ok(())
    }

    fn applied(&self, conn: &Connection) -> Result<Vec<(u32, String)>> {
        let exists: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migration')",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.map(e))?;
        if !exists {
            return Ok(Vec::new());
        }
        let mut stmt =
            conn.prepare("SELECT version, checksum FROM schema_migration ORDER BY version").map_err(|e| self.map(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.map(e))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.map(e))?;
        Ok(rows)
    }

    /// A consistent copy of the store before it is upgraded from `version`.
    fn backup(&self, conn: &Connection, version: u32) -> Result<()> {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".pre-v{version}.bak"));
        let target = PathBuf::from(name);
        if target.exists() {
            return Ok(());
        }
        let target_str = target.to_string_lossy().into_owned();
        conn.execute("VACUUM INTO ?1", params![target_str]).map_err(|e| self.map(e))?;
        Ok(())
    }

    fn query_records(&self, conn: &Connection, clause: &str, kind: Option<&str>) -> Result<Vec<crate::StoredRecord>> {
        let m = |e| self.map(e);
        let sql = format!(
            "SELECT id, kind, key, payload_json, actor, role, at, audit_seq, superseded_by FROM record {clause}"
        );
        let mut st = conn.prepare(&sql).map_err(m)?;
        let map_row = |r: &rusqlite::Row<'_>| {
            let payload: String = r.get(3)?;
            Ok(crate::StoredRecord {
                id: r.get(0)?,
                kind: r.get(1)?,
                key: r.get(2)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
                actor: r.get(4)?,
                role: r.get(5)?,
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

    /// A scan's asset locations and findings, as recorded.
    fn scan_rows(&self, conn: &Connection, scan_id: i64) -> Result<(Vec<AssetRow>, Vec<Finding>)> {
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
                    kind: r.get(2)?,
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
                // Text in the database; a known code comes back typed, an unknown one as text
                // with the severity it was recorded with.
                Ok(Finding {
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

    fn map(&self, e: rusqlite::Error) -> StoreError {
        map_err(&self.path, self.busy_ms, e)
    }

    fn err_other(&self, detail: &str) -> StoreError {
        StoreError::Other { path: self.path.clone(), detail: detail.into() }
    }
}

fn map_err(path: &Path, busy_ms: u64, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path, waited_ms: busy_ms },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path, detail: e.to_string() }
        }
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::PermissionDenied
            | ErrorCode::ReadOnly
            | ErrorCode::DiskFull
            | ErrorCode::SystemIoFailure,
        ) => StoreError::Io { path, detail: e.to_string() },
        _ => StoreError::Other { path, detail: e.to_string() },
    }
}

fn exposure_of(s: &str) -> Exposure {
    // The column has a CHECK constraint; anything else cannot be stored.
    Exposure::parse(s).unwrap_or(Exposure::Public)
}

impl Store for SqliteStore {
    fn record_snapshot(&self, snap: &SnapshotRecord) -> Result<i64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e: rusqlite::Error| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
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
            &tx,
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
        seal.finish(&tx, &snap.created_at)?;
        tx.commit().map_err(m)?;
        Ok(id)
    }

    fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>> {
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

    fn snapshots(&self) -> Result<Vec<StoredSnapshot>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn.prepare(&format!("{SNAPSHOT_COLUMNS} ORDER BY id")).map_err(m)?;
        let rows = st.query_map([], snapshot_row).map_err(m)?.collect::<std::result::Result<Vec<_>, _>>().map_err(m)?;
        Ok(rows)
    }

    fn record_attest_event(&self, e: &AttestEvent) -> Result<i64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |err| map_err(&path, busy, err);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
        tx.execute(
            "INSERT INTO attest_event (at, kind, subject, snapshot, outcome, root_digest, detail_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![e.at, e.kind.as_str(), e.subject, e.snapshot, e.outcome.as_str(), e.root_digest, e.detail_json],
        )
        .map_err(m)?;
        let id = tx.last_insert_rowid();
        let detail: serde_json::Value = serde_json::from_str(&e.detail_json).unwrap_or(serde_json::Value::Null);
        seal.append(
            &tx,
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
        seal.finish(&tx, &e.at)?;
        tx.commit().map_err(m)?;
        Ok(id)
    }

    fn attest_events(&self) -> Result<Vec<AttestEvent>> {
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

    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn location(&self) -> crate::Location {
        crate::Location::Sqlite(self.path.clone())
    }

    fn schema_version(&self) -> Result<u32> {
        Ok(self.applied(&*self.db()?)?.iter().map(|(v, _)| *v).max().unwrap_or(0))
    }

    fn record_organisation(
        &self,
        name: &str,
        roles: &[Role],
        systems: &[System],
        at: &str,
    ) -> Result<Vec<ConfigChange>> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e: rusqlite::Error| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
        let mut changes = Vec::new();
        let mut change = |kind: &str, subject: &str, detail: String| {
            changes.push(ConfigChange { at: at.to_string(), kind: kind.into(), subject: subject.into(), detail });
        };

        let old_name: Option<String> =
            tx.query_row("SELECT name FROM organisation WHERE id = 1", [], |r| r.get(0)).optional().map_err(m)?;
        match old_name {
            Some(old) if old == name => {}
            Some(old) => change("organisation-renamed", name, format!("was {old}")),
            None => {}
        }
        tx.execute(
            "INSERT INTO organisation (id, name, updated_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
             WHERE organisation.name <> excluded.name",
            params![name, at],
        )
        .map_err(m)?;

        let old_roles: Vec<String> = {
            let mut st = tx.prepare("SELECT role FROM organisation_role ORDER BY role").map_err(m)?;
            st.query_map([], |r| r.get(0)).map_err(m)?.collect::<std::result::Result<_, _>>().map_err(m)?
        };
        for r in roles {
            if !old_roles.iter().any(|o| o == r.as_str()) {
                tx.execute("INSERT INTO organisation_role (role, since) VALUES (?1, ?2)", params![r.as_str(), at])
                    .map_err(m)?;
                change("role-added", r.as_str(), String::new());
            }
        }
        for o in &old_roles {
            if !roles.iter().any(|r| r.as_str() == o) {
                tx.execute("DELETE FROM organisation_role WHERE role = ?1", params![o]).map_err(m)?;
                change("role-removed", o, String::new());
            }
        }

        type Row = (String, String, String, Option<String>);
        let old_systems: Vec<(String, Row)> = {
            let mut st = tx
                .prepare("SELECT name, description, intended_use, exposure, retired_at FROM system ORDER BY name")
                .map_err(m)?;
            st.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))
                .map_err(m)?
                .collect::<std::result::Result<_, _>>()
                .map_err(m)?
        };
        for s in systems {
            let old = old_systems.iter().find(|(n, _)| *n == s.name).map(|(_, row)| row);
            match old {
                None => {
                    tx.execute(
                        "INSERT INTO system (name, description, intended_use, exposure, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                        params![s.name, s.description, s.intended_use, s.exposure.as_str(), at],
                    )
                    .map_err(m)?;
                    change("system-added", &s.name, s.exposure.as_str().to_string());
                }
                Some((desc, use_, exp, retired)) => {
                    let mut fields = Vec::new();
                    if *desc != s.description {
                        fields.push("description");
                    }
                    if *use_ != s.intended_use {
                        fields.push("intended_use");
                    }
                    if exp != s.exposure.as_str() {
                        fields.push("exposure");
                    }
                    if retired.is_some() {
                        change("system-restored", &s.name, String::new());
                    }
                    if !fields.is_empty() {
                        change("system-changed", &s.name, fields.join(", "));
                    }
                    if retired.is_some() || !fields.is_empty() {
                        tx.execute(
                            "UPDATE system SET description = ?2, intended_use = ?3, exposure = ?4, updated_at = ?5, retired_at = NULL WHERE name = ?1",
                            params![s.name, s.description, s.intended_use, s.exposure.as_str(), at],
                        )
                        .map_err(m)?;
                    }
                }
            }
        }
        for (n, (_, _, _, retired)) in &old_systems {
            if retired.is_none() && !systems.iter().any(|s| s.name == *n) {
                tx.execute("UPDATE system SET retired_at = ?2, updated_at = ?2 WHERE name = ?1", params![n, at])
                    .map_err(m)?;
                change("system-retired", n, String::new());
            }
        }
        for c in &changes {
            tx.execute(
                "INSERT INTO config_change (at, kind, subject, detail) VALUES (?1, ?2, ?3, ?4)",
                params![c.at, c.kind, c.subject, c.detail],
            )
            .map_err(m)?;
        }
        if !changes.is_empty() {
            let list: Vec<serde_json::Value> =
                changes.iter().map(|c| serde_json::json!([c.kind, c.subject, c.detail])).collect();
            seal.append(
                &tx,
                at,
                "organisation.changed",
                serde_json::json!({ "organisation": name, "changes": list }),
                None,
            )?;
        }
        seal.finish(&tx, at)?;
        tx.commit().map_err(m)?;
        Ok(changes)
    }

    fn organisation(&self) -> Result<Option<StoredOrganisation>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let Some(name): Option<String> =
            conn.query_row("SELECT name FROM organisation WHERE id = 1", [], |r| r.get(0)).optional().map_err(m)?
        else {
            return Ok(None);
        };
        let mut st = conn.prepare("SELECT role FROM organisation_role").map_err(m)?;
        let mut roles: Vec<Role> = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(m)?
            .filter_map(|r| r.ok().and_then(|s| Role::parse(&s).ok()))
            .collect();
        roles.sort();
        let mut st = conn
            .prepare(
                "SELECT name, description, intended_use, exposure, created_at, retired_at FROM system ORDER BY name",
            )
            .map_err(m)?;
        let systems = st
            .query_map([], |r| {
                Ok(StoredSystem {
                    system: System {
                        name: r.get(0)?,
                        description: r.get(1)?,
                        intended_use: r.get(2)?,
                        exposure: exposure_of(&r.get::<_, String>(3)?),
                        ..System::default()
                    },
                    created_at: r.get(4)?,
                    retired_at: r.get(5)?,
                })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(Some(StoredOrganisation { name, roles, systems }))
    }

    fn config_history(&self) -> Result<Vec<ConfigChange>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn.prepare("SELECT at, kind, subject, detail FROM config_change ORDER BY id").map_err(m)?;
        let rows = st
            .query_map([], |r| {
                Ok(ConfigChange { at: r.get(0)?, kind: r.get(1)?, subject: r.get(2)?, detail: r.get(3)? })
            })
            .map_err(m)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(m)?;
        Ok(rows)
    }

    fn record_scan(&self, scan: &ScanRecord<'_>, cache: &mut dyn Iterator<Item = FileCacheRow>) -> Result<i64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e: rusqlite::Error| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
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
                put_asset.execute(params![a.sha256, a.kind, a.format, to_i64(a.size), a.meta_json, id]).map_err(m)?;
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
            &tx,
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
        seal.finish(&tx, &scan.started_at)?;
        tx.commit().map_err(m)?;
        Ok(id)
    }

    fn file_cache(&self, root: &str) -> Result<Vec<FileCacheRow>> {
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

    fn latest_scan(&self, root: Option<&str>) -> Result<Option<StoredScan>> {
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

    fn scan_head(&self, root: Option<&str>) -> Result<Option<ScanHead>> {
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

    fn asset_locations(&self, scan_id: i64) -> Result<Vec<(String, String)>> {
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

    fn file_cache_index(&self, root: &str) -> Result<Vec<FileIdentity>> {
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

    fn record_unchanged_scan(
        &self,
        same_as: i64,
        started_at: &str,
        duration_ms: u64,
        stats_json: &str,
        summary_json: &str,
    ) -> Result<i64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
        // The data lives with the scan that first recorded it; point at that one.
        let n = tx
            .execute(
                "INSERT INTO scan (root, started_at, duration_ms, stats_json, summary_json, same_as, uses_blob)
                 SELECT root, ?2, ?3, ?4, ?5, coalesce(same_as, id), x'' FROM scan WHERE id = ?1",
                params![same_as, started_at, to_i64(duration_ms), stats_json, summary_json],
            )
            .map_err(m)?;
        if n != 1 {
            return Err(StoreError::Other { path: self.path.clone(), detail: format!("no scan {same_as} to repeat") });
        }
        let id = tx.last_insert_rowid();
        seal.append(&tx, started_at, "scan.unchanged", serde_json::json!({ "scan": id, "same_as": same_as }), None)?;
        seal.finish(&tx, started_at)?;
        tx.commit().map_err(m)?;
        Ok(id)
    }

    fn with_writer(&self, writer: crate::audit::Writer) -> Box<dyn Store> {
        Box::new(SqliteStore { conn: Arc::clone(&self.conn), path: self.path.clone(), busy_ms: self.busy_ms, writer })
    }

    fn actor(&self) -> &crate::audit::Actor {
        &self.writer.actor
    }

    fn log_event(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<u64> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
        let seq = seal.append(&tx, at, kind, payload.clone(), attachment_sha256)?;
        seal.finish(&tx, at)?;
        tx.commit().map_err(m)?;
        Ok(seq)
    }

    fn add_record(
        &self,
        kind: &str,
        key: RecordKey<'_>,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<crate::StoredRecord> {
        let mut conn = self.db()?;
        let path = self.path.clone();
        let busy = self.busy_ms;
        let m = |e| map_err(&path, busy, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &path);
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
            &tx,
            at,
            &format!("record.{kind}"),
            serde_json::json!({ "key": key, "record": payload, "supersedes": previous }),
            attachment_sha256,
        )?;
        let actor = &self.writer.actor;
        let role = actor.role.map(|r| r.as_str().to_string());
        tx.execute(
            "INSERT INTO record (kind, key, payload_json, actor, role, at, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![kind, key, payload.to_string(), actor.name, role, at, to_i64(seq)],
        )
        .map_err(m)?;
        let id = tx.last_insert_rowid();
        if let Some(p) = previous {
            tx.execute("UPDATE record SET superseded_by = ?1 WHERE id = ?2", params![id, p]).map_err(m)?;
        }
        seal.finish(&tx, at)?;
        tx.commit().map_err(m)?;
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
    }

    fn records(&self, kind: &str) -> Result<Vec<crate::StoredRecord>> {
        self.query_records(&*self.db()?, "WHERE kind = ?1 AND superseded_by IS NULL ORDER BY key", Some(kind))
    }

    fn all_records(&self) -> Result<Vec<crate::StoredRecord>> {
        self.query_records(&*self.db()?, "ORDER BY id", None)
    }

    fn audit_entries(&self) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>> {
        let conn = self.db()?;
        crate::audit::entries(&conn, &self.path)
    }

    fn audit_entry(&self, seq: u64) -> Result<Option<(custody_audit::Entry, Vec<u8>)>> {
        let conn = self.db()?;
        let Ok(seq) = i64::try_from(seq) else { return Ok(None) };
        Ok(crate::audit::entries_query(&conn, &self.path, None, Some(seq))?.pop())
    }

    fn audit_size(&self) -> Result<u64> {
        let conn = self.db()?;
        let n: i64 = conn.query_row("SELECT count(*) FROM audit_entry", [], |r| r.get(0)).map_err(|e| self.map(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn audit_leaves(&self) -> Result<Vec<Vec<u8>>> {
        let conn = self.db()?;
        let m = |e| self.map(e);
        let mut st = conn.prepare("SELECT leaf_hash FROM audit_entry ORDER BY seq").map_err(m)?;
        let rows = st.query_map([], |r| r.get(0)).map_err(m)?.collect::<std::result::Result<Vec<_>, _>>().map_err(m)?;
        Ok(rows)
    }

    fn audit_entries_of_kind(&self, kind: &str) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>> {
        let conn = self.db()?;
        crate::audit::entries_where(&conn, &self.path, Some(kind))
    }

    fn audit_checkpoints(&self) -> Result<Vec<(u64, String)>> {
        let conn = self.db()?;
        crate::audit::checkpoints(&conn, &self.path)
    }

    fn accept_unsealed(&self, count: u64, reason: &str, at: &str) -> Result<u64> {
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

    fn rotate_audit_key(&self, new_key: &custody_audit::SigningKey, reason: &str, at: &str) -> Result<u64> {
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

    fn audit_view(&self) -> Result<crate::AuditView> {
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

    fn audit_vkey(&self) -> Result<Option<String>> {
        let conn = self.db()?;
        crate::audit::vkey(&conn, &self.path)
    }

    fn set_audit_vkey(&self, vkey: &str) -> Result<()> {
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

    fn stored_scan_digest(&self, scan_id: i64) -> Result<Option<String>> {
        let conn = self.db()?;
        self.scan_digest_on(&conn, scan_id)
    }
}

impl SqliteStore {
    /// A scan's content digest from its stored rows, on a connection the caller holds.
    fn scan_digest_on(&self, conn: &Connection, scan_id: i64) -> Result<Option<String>> {
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

/// Sizes and counts are u64 in custody and i64 in SQLite; nothing real exceeds i64::MAX.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
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

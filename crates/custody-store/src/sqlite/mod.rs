//! The embedded SQLite backend: WAL journal, foreign keys on, a busy timeout, full fsync.
//!
//! This file opens, migrates and shares the connection; the operations live by table group
//! (`organisation`, `scans`, `snapshots`, `records`, `audit_log`) as inherent methods that the
//! `Store` implementation below hands each call to.

mod audit_log;
mod organisation;
mod records;
mod scans;
mod snapshots;

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
        store.must_be_custody()?;
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
        store.must_be_custody()?;
        let version = store.checked_version(&store.applied(&*store.db()?)?)?;
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
        let current = self.checked_version(&applied)?;
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

    /// Refuses a database that is not (yet) a custody store.
    fn must_be_custody(&self) -> Result<()> {
        match self.state()? {
            State::Custody => Ok(()),
            State::Empty => Err(StoreError::Foreign {
                path: self.path.clone(),
                detail: "the database is empty (was it created by `custody init`?)".into(),
            }),
        }
    }

    /// The schema version the applied migrations reach, after checking each is one this custody
    /// knows, unchanged.
    fn checked_version(&self, applied: &[(u32, String)]) -> Result<u32> {
        for (version, sum) in applied {
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
        Ok(applied.iter().map(|(v, _)| *v).max().unwrap_or(0))
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

    /// Runs `f` in one IMMEDIATE write transaction whose appends to the audit log are sealed by a
    /// checkpoint signed before it commits: the change, its entry and its checkpoint commit
    /// together or not at all. Every write goes through here, so none can forget the seal.
    fn write<T>(
        &self,
        at: &str,
        f: impl FnOnce(
            &rusqlite::Transaction<'_>,
            &mut crate::audit::Seal<'_>,
            &dyn Fn(rusqlite::Error) -> StoreError,
        ) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.db()?;
        let m = |e| map_err(&self.path, self.busy_ms, e);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(m)?;
        let mut seal = crate::audit::Seal::new(&self.writer, &self.path);
        let out = f(&tx, &mut seal, &m)?;
        seal.finish(&tx, at)?;
        tx.commit().map_err(m)?;
        Ok(out)
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

impl Store for SqliteStore {
    fn record_snapshot(&self, snap: &SnapshotRecord) -> Result<i64> {
        Self::record_snapshot(self, snap)
    }

    fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>> {
        Self::snapshot(self, name)
    }

    fn snapshots(&self) -> Result<Vec<StoredSnapshot>> {
        Self::snapshots(self)
    }

    fn record_attest_event(&self, e: &AttestEvent) -> Result<i64> {
        Self::record_attest_event(self, e)
    }

    fn attest_events(&self) -> Result<Vec<AttestEvent>> {
        Self::attest_events(self)
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
        Self::record_organisation(self, name, roles, systems, at)
    }

    fn organisation(&self) -> Result<Option<StoredOrganisation>> {
        Self::organisation(self)
    }

    fn config_history(&self) -> Result<Vec<ConfigChange>> {
        Self::config_history(self)
    }

    fn record_scan(&self, scan: &ScanRecord<'_>, cache: &mut dyn Iterator<Item = FileCacheRow>) -> Result<i64> {
        Self::record_scan(self, scan, cache)
    }

    fn file_cache(&self, root: &str) -> Result<Vec<FileCacheRow>> {
        Self::file_cache(self, root)
    }

    fn latest_scan(&self, root: Option<&str>) -> Result<Option<StoredScan>> {
        Self::latest_scan(self, root)
    }

    fn scan_head(&self, root: Option<&str>) -> Result<Option<ScanHead>> {
        Self::scan_head(self, root)
    }

    fn asset_locations(&self, scan_id: i64) -> Result<Vec<(String, String)>> {
        Self::asset_locations(self, scan_id)
    }

    fn file_cache_index(&self, root: &str) -> Result<Vec<FileIdentity>> {
        Self::file_cache_index(self, root)
    }

    fn record_unchanged_scan(
        &self,
        same_as: i64,
        started_at: &str,
        duration_ms: u64,
        stats_json: &str,
        summary_json: &str,
    ) -> Result<i64> {
        Self::record_unchanged_scan(self, same_as, started_at, duration_ms, stats_json, summary_json)
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
        Self::log_event(self, kind, payload, attachment_sha256, at)
    }

    fn add_record(
        &self,
        kind: &str,
        key: RecordKey<'_>,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<crate::StoredRecord> {
        Self::add_record(self, kind, key, payload, attachment_sha256, at)
    }

    fn records(&self, kind: &str) -> Result<Vec<crate::StoredRecord>> {
        Self::records(self, kind)
    }

    fn all_records(&self) -> Result<Vec<crate::StoredRecord>> {
        Self::all_records(self)
    }

    fn audit_entries(&self) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>> {
        Self::audit_entries(self)
    }

    fn audit_entry(&self, seq: u64) -> Result<Option<(custody_audit::Entry, Vec<u8>)>> {
        Self::audit_entry(self, seq)
    }

    fn audit_size(&self) -> Result<u64> {
        Self::audit_size(self)
    }

    fn audit_leaves(&self) -> Result<Vec<Vec<u8>>> {
        Self::audit_leaves(self)
    }

    fn audit_entries_of_kind(&self, kind: &str) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>> {
        Self::audit_entries_of_kind(self, kind)
    }

    fn audit_checkpoints(&self) -> Result<Vec<(u64, String)>> {
        Self::audit_checkpoints(self)
    }

    fn accept_unsealed(&self, count: u64, reason: &str, at: &str) -> Result<u64> {
        Self::accept_unsealed(self, count, reason, at)
    }

    fn rotate_audit_key(&self, new_key: &custody_audit::SigningKey, reason: &str, at: &str) -> Result<u64> {
        Self::rotate_audit_key(self, new_key, reason, at)
    }

    fn audit_view(&self) -> Result<crate::AuditView> {
        Self::audit_view(self)
    }

    fn audit_vkey(&self) -> Result<Option<String>> {
        Self::audit_vkey(self)
    }

    fn set_audit_vkey(&self, vkey: &str) -> Result<()> {
        Self::set_audit_vkey(self, vkey)
    }

    fn stored_scan_digest(&self, scan_id: i64) -> Result<Option<String>> {
        Self::stored_scan_digest(self, scan_id)
    }
}

/// Sizes and counts are u64 in custody and i64 in SQLite; nothing real exceeds i64::MAX.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

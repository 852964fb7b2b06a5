//! The evidence store. Only this crate knows SQL.
//!
//! [`Store`] is what the rest of custody sees; [`SqliteStore`] is the embedded default. A
//! PostgreSQL backend will implement the same trait and pass the same tests, so nothing
//! SQLite-specific (types, errors, pragmas, file paths) leaves this crate.

mod audit;
#[cfg(feature = "conformance")]
pub mod conformance;
mod migrate;
mod sqlite;
pub mod verify;

pub use audit::{Actor, Writer, hex_sha256, scan_digest};
pub use migrate::{LATEST_VERSION, MIGRATIONS};
pub use sqlite::{OpenOptions, Opened, SqliteStore};

use custody_core::{Finding, Role, System};
use std::borrow::Cow;
use std::path::PathBuf;

/// What can go wrong with a store. Every variant says what happened in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no custody store at {path}")]
    Missing { path: PathBuf },
    #[error("the store {path} is locked by another process (waited {waited_ms} ms)")]
    Locked { path: PathBuf, waited_ms: u64 },
    #[error("the store {path} is corrupt or not a database: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path} is a database but not a custody store: {detail}")]
    Foreign { path: PathBuf, detail: String },
    #[error("the store {path} has schema version {found}, newer than this custody understands ({supported})")]
    TooNew { path: PathBuf, found: u32, supported: u32 },
    #[error("migration {version} already applied to {path} differs from the one built into custody")]
    MigrationChanged { path: PathBuf, version: u32 },
    #[error("cannot open {path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("store backend `{scheme}` is not available in this build")]
    UnsupportedBackend { scheme: String },
    #[error(
        "nothing was written to {path}: the audit log's signing key was not given, and custody never writes what it cannot seal"
    )]
    AuditKeyMissing { path: PathBuf },
    #[error("nothing was written to {path}: its audit log has {count} entr{} after the last signed checkpoint (from entry {from}), added without custody's key or by an interrupted command; custody never signs over them", if *count == 1 { "y" } else { "ies" })]
    AuditUnsealed { path: PathBuf, from: u64, count: u64 },
    #[error("nothing was written to {path}: its audit log does not verify ({detail})")]
    AuditTampered { path: PathBuf, detail: String },
    #[error("{what} was recorded in {path} by someone else meanwhile; nothing was written")]
    Taken { path: PathBuf, what: String },
    #[error("the store {path} is read-only here: {detail}")]
    ReadOnly { path: PathBuf, detail: String },
    #[error("store error on {path}: {detail}")]
    Other { path: PathBuf, detail: String },
}

impl StoreError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            StoreError::Missing { .. } => {
                Some("run `custody init` to create it, or pass --db to point at an existing store")
            }
            StoreError::Locked { .. } => Some("wait for the other custody process to finish, then retry"),
            StoreError::Corrupt { .. } => Some(
                "custody did not modify the file; restore it from a backup (custody keeps `*.pre-v*.bak` copies before upgrades)",
            ),
            StoreError::Foreign { .. } => {
                Some("point --db or [store] path at a custody store; custody never writes into other databases")
            }
            StoreError::TooNew { .. } => Some("upgrade custody to a version that knows this schema"),
            StoreError::MigrationChanged { .. } => {
                Some("this build of custody does not match the one that created the store")
            }
            StoreError::UnsupportedBackend { .. } => {
                Some("use a SQLite path (the default); PostgreSQL support is planned")
            }
            StoreError::AuditKeyMissing { .. } => Some(
                "restore audit.key (beside the store) from its backup; read-only commands (assess, report, audit verify) still work; see docs/audit.md",
            ),
            StoreError::AuditUnsealed { .. } => Some(
                "run `custody audit verify` and review the entries it lists; if they are genuine, `custody audit accept COUNT --reason TEXT` seals them with an entry that says so",
            ),
            StoreError::AuditTampered { .. } => {
                Some("run `custody audit verify` for the details; restore the store from a backup that verifies")
            }
            StoreError::Taken { .. } => Some("run the command again; it picks the next free name"),
            StoreError::ReadOnly { .. } => Some(
                "read-only commands work with read access; writing needs write access to the store and its directory",
            ),
            StoreError::Io { .. } | StoreError::Other { .. } => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A system as the store keeps it: retired systems stay, with the time they were retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSystem {
    pub system: System,
    pub created_at: String,
    pub retired_at: Option<String>,
}

/// The organisation as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrganisation {
    pub name: String,
    pub roles: Vec<Role>,
    pub systems: Vec<StoredSystem>,
}

/// One recorded change to the declared organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigChange {
    pub at: String,
    pub kind: String,
    pub subject: String,
    pub detail: String,
}

/// One file's cached scan result, valid while size, mtime and inode are unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCacheRow {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    /// Status-change time in nanoseconds (`st_ctime`): it moves on every write and cannot be set
    /// back by the file's owner. `None` in rows cached by a custody that did not record it (they
    /// never match a file, so the file is read again).
    pub ctime_ns: Option<i64>,
    /// Opaque to the store: the scanner's serialised result for the file.
    pub result_json: String,
}

/// An AI asset seen at a path in a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub path: String,
    pub sha256: String,
    pub kind: custody_core::AssetKind,
    pub format: String,
    pub size: u64,
    pub meta_json: String,
}

/// A use of AI in code or configuration.
pub type UseRow = custody_core::AiUse;

/// A connection between two inventory nodes (paths, `service:<provider>`, `hub:<repo id>`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeRow {
    pub source: String,
    pub target: String,
    pub kind: String,
}

/// Everything one scan found. Borrows what the caller already holds (a large scan has hundreds
/// of thousands of uses); reading back gives owned data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanRecord<'a> {
    pub root: String,
    pub started_at: String,
    pub duration_ms: u64,
    /// Counts and totals, as the scanner reports them.
    pub stats_json: String,
    /// What the scan command displays, so an unchanged re-scan can show it without re-reading.
    pub summary_json: String,
    /// Which system owns each asset, as the scan decided it. `None` for scans recorded before
    /// store version 7 (readers recompute it from the assets and custody.toml).
    pub ownership: Option<custody_core::Ownership>,
    pub assets: Vec<AssetRow>,
    pub findings: Cow<'a, [Finding]>,
    pub uses: Cow<'a, [UseRow]>,
    pub edges: Vec<EdgeRow>,
}

/// The identity of a cached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileIdentity {
    pub path: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    /// As [`FileCacheRow::ctime_ns`].
    pub ctime_ns: Option<i64>,
}

/// A scan's row without its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanHead {
    pub id: i64,
    /// The scan that holds the data (itself, or the scan an unchanged re-scan repeats).
    pub data_id: i64,
    pub root: String,
    pub started_at: String,
    pub stats_json: String,
    pub summary_json: String,
}

/// A recorded scan, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredScan {
    pub id: i64,
    pub record: ScanRecord<'static>,
}

/// One file of a snapshot: its content is the object named `object` (SHA-256 hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFileRow {
    pub path: String,
    pub size: u64,
    pub mode: u32,
    pub object: String,
}

/// A known-good snapshot of a model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotRecord {
    pub name: String,
    pub created_at: String,
    /// Where the model was when it was snapshotted.
    pub source: String,
    /// The object store holding the content.
    pub objects_dir: String,
    pub single_file: bool,
    /// How the manifest was made (`files/sha256`, `shards/sha256/1000000000`, …).
    pub serialization: String,
    /// The statement subject (SHA-256 hex over the manifest's digests).
    pub root_digest: String,
    /// The signature file, byte for byte.
    pub bundle: Vec<u8>,
    /// `public-key` or `ca`.
    pub trust_kind: String,
    /// The public key or CA certificates (PEM) the bundle verifies with.
    pub trust_pem: String,
    /// The signature's path inside the model, when it was there.
    pub signature_name: Option<String>,
    pub total_bytes: u64,
    /// Empty when listed by [`Store::snapshots`].
    pub files: Vec<SnapshotFileRow>,
}

/// A recorded snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSnapshot {
    pub id: i64,
    pub file_count: u64,
    pub record: SnapshotRecord,
}

/// One integrity event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestEvent {
    pub at: String,
    pub kind: custody_core::IntegrityKind,
    /// The model path (or restore target).
    pub subject: String,
    pub snapshot: Option<String>,
    pub outcome: custody_core::Outcome,
    pub root_digest: Option<String>,
    /// What happened, as JSON (counts, differences, the reason of a failure).
    pub detail_json: String,
}

/// An accountability record (dataset, approval, evidence, training, …) as stored: append-only,
/// the current version of a (kind, key) is the one not superseded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub payload: serde_json::Value,
    pub actor: String,
    pub role: Option<Role>,
    pub at: String,
    /// The audit entry that logged it.
    pub audit_seq: u64,
    pub superseded_by: Option<i64>,
}

/// Which key a new record takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKey<'a> {
    /// This key; a current record with it is superseded (a new version).
    Replace(&'a str),
    /// This key, which must be free: refused with [`StoreError::Taken`] if a current record
    /// has it (e.g. a release number another process took meanwhile).
    New(&'a str),
    /// `<prefix>#<n>` with the next free `n`, chosen inside the writing transaction.
    Next(&'a str),
}

/// Everything `custody audit verify` compares, read in one transaction so a writer working at
/// the same time cannot make it see half a change.
#[derive(Debug, Clone, Default)]
pub struct AuditView {
    pub vkey: Option<String>,
    /// Every entry in order, with the leaf hash stored when it was appended.
    pub entries: Vec<(custody_audit::Entry, Vec<u8>)>,
    /// Signed checkpoints, by size.
    pub checkpoints: Vec<(u64, String)>,
    /// Every record row, superseded ones included, by id.
    pub records: Vec<StoredRecord>,
    /// For each scan a `scan` entry names: what its stored rows hash to now.
    pub scan_digests: Vec<ScanDigest>,
}

/// A recorded scan's content as it hashes now, to compare with what its audit entry logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanDigest {
    pub id: i64,
    /// [`scan_digest`] of its assets and findings; `None` when the scan is gone.
    pub content: Option<String>,
    /// SHA-256 of its stored ownership (which systems claim what); `None` when it has none.
    pub ownership: Option<String>,
}

/// What custody needs from a store.
pub trait Store: Send + Sync {
    /// Where the store is, for messages.
    fn describe(&self) -> String;
    /// Where the store is, and where custody keeps its other files.
    fn location(&self) -> Location;
    /// The schema version in use.
    fn schema_version(&self) -> Result<u32>;
    /// Records the declared organisation, roles and systems as of `at` (RFC 3339). Changes are
    /// appended to the history; systems no longer declared are retired, never deleted.
    /// Returns the changes made (empty when nothing changed).
    fn record_organisation(
        &self,
        name: &str,
        roles: &[Role],
        systems: &[System],
        at: &str,
    ) -> Result<Vec<ConfigChange>>;
    /// The organisation as recorded, if any.
    fn organisation(&self) -> Result<Option<StoredOrganisation>>;
    /// Every recorded change, oldest first.
    fn config_history(&self) -> Result<Vec<ConfigChange>>;

    /// Records a scan and replaces the file cache of its root, in one transaction. Returns the
    /// scan id.
    /// `cache` is consumed as it is written, so a caller can produce rows lazily (a large tree's
    /// cache does not have to exist in memory twice).
    fn record_scan(&self, scan: &ScanRecord<'_>, cache: &mut dyn Iterator<Item = FileCacheRow>) -> Result<i64>;
    /// The file cache of a scan root.
    fn file_cache(&self, root: &str) -> Result<Vec<FileCacheRow>>;
    /// The latest scan of `root`, or of any root when `root` is `None`.
    fn latest_scan(&self, root: Option<&str>) -> Result<Option<StoredScan>>;

    /// Records a known-good snapshot and its files, in one transaction. Names are unique: a
    /// second snapshot with a used name is refused ([`StoreError::Other`]). Returns its id.
    fn record_snapshot(&self, snapshot: &SnapshotRecord) -> Result<i64>;
    /// The snapshot called `name`, with its files (in path order).
    fn snapshot(&self, name: &str) -> Result<Option<StoredSnapshot>>;
    /// Every snapshot without its files, oldest first.
    fn snapshots(&self) -> Result<Vec<StoredSnapshot>>;
    /// Appends a signing, verification, snapshot, restore or diff event. Returns its id.
    fn record_attest_event(&self, event: &AttestEvent) -> Result<i64>;
    /// Every integrity event, oldest first.
    fn attest_events(&self) -> Result<Vec<AttestEvent>>;
    /// The latest scan's row only (cheap).
    fn scan_head(&self, root: Option<&str>) -> Result<Option<ScanHead>>;
    /// (path, sha256) of every asset a scan saw.
    fn asset_locations(&self, scan_id: i64) -> Result<Vec<(String, String)>>;
    /// Identities of the cached files of a root, without the cached results.
    fn file_cache_index(&self, root: &str) -> Result<Vec<FileIdentity>>;
    /// Records a re-scan that found nothing changed since scan `same_as` (whose data it shares).
    fn record_unchanged_scan(
        &self,
        same_as: i64,
        started_at: &str,
        duration_ms: u64,
        stats_json: &str,
        summary_json: &str,
    ) -> Result<i64>;

    /// A handle to the same store (sharing its connection) whose writes are made by `writer`:
    /// who acts, in which role, with which audit key. Who acts travels with the handle, never as
    /// state changed on a shared store, so many actors can write through one store at once.
    fn with_writer(&self, writer: Writer) -> Box<dyn Store>;
    /// Who acts.
    fn actor(&self) -> &Actor;
    /// Appends an audit entry for a state change that lives outside the store (custody.toml
    /// edits, files written by restore). Returns its sequence number.
    fn log_event(
        &self,
        kind: &str,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<u64>;
    /// Appends a record and its audit entry, in one transaction; the key is decided inside it
    /// (see [`RecordKey`]).
    fn add_record(
        &self,
        kind: &str,
        key: RecordKey<'_>,
        payload: &serde_json::Value,
        attachment_sha256: Option<&str>,
        at: &str,
    ) -> Result<StoredRecord>;
    /// Current records of a kind (not superseded), by key.
    fn records(&self, kind: &str) -> Result<Vec<StoredRecord>>;
    /// Every record row of every kind, superseded ones included, by id.
    fn all_records(&self) -> Result<Vec<StoredRecord>>;
    /// The audit log: every entry in order, with the leaf hash stored when it was appended.
    fn audit_entries(&self) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>>;
    /// Signed checkpoints, by size.
    fn audit_checkpoints(&self) -> Result<Vec<(u64, String)>>;
    /// One entry with its stored leaf hash.
    fn audit_entry(&self, seq: u64) -> Result<Option<(custody_audit::Entry, Vec<u8>)>>;
    /// The number of entries, without reading them.
    fn audit_size(&self) -> Result<u64>;
    /// The leaf hashes stored with the entries, in order (32 bytes each; what proofs need).
    fn audit_leaves(&self) -> Result<Vec<Vec<u8>>>;
    /// The entries of one kind, in order (e.g. the key rotations), with their leaf hashes.
    fn audit_entries_of_kind(&self, kind: &str) -> Result<Vec<(custody_audit::Entry, Vec<u8>)>>;
    /// Seals exactly `count` entries found after the last signed checkpoint, which a person has
    /// reviewed, by appending an `audit.accept` entry that names them and the reason. Refused
    /// if the count differs (the log changed since the review). Returns the entry's sequence.
    fn accept_unsealed(&self, count: u64, reason: &str, at: &str) -> Result<u64>;
    /// Rotates the log's key: appends an `audit.key-rotation` entry naming the old and the new
    /// verifier key, seals it with a checkpoint signed by both, and makes `new_key` the log's
    /// key, in one transaction. This handle keeps writing with the key it was given: write on
    /// through a handle made with the new key. Returns the entry's sequence number.
    fn rotate_audit_key(&self, new_key: &custody_audit::SigningKey, reason: &str, at: &str) -> Result<u64>;
    /// What `custody audit verify` compares, read in one transaction.
    fn audit_view(&self) -> Result<AuditView>;
    /// The log's verifier key, once set.
    fn audit_vkey(&self) -> Result<Option<String>>;
    /// Sets the verifier key; refuses to replace a different one (that would let anyone re-sign
    /// an edited log).
    fn set_audit_vkey(&self, vkey: &str) -> Result<()>;
    /// Recomputes a scan's content digest from its stored rows (see [`scan_digest`]).
    fn stored_scan_digest(&self, scan_id: i64) -> Result<Option<String>>;
}

/// Where a store lives, parsed once: the backend and what custody keeps beside it (the audit
/// key, the checkpoint kept outside the database, the snapshot object store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite database file; custody's other files live in its directory.
    Sqlite(PathBuf),
}

impl Location {
    /// Parses a location: `sqlite:PATH`, a plain path, or a URL whose scheme names a backend
    /// (`postgres://…` is refused with [`StoreError::UnsupportedBackend`] until it exists).
    pub fn parse(location: &str) -> Result<Location> {
        if let Some(rest) = location.strip_prefix("sqlite:") {
            return Ok(Location::Sqlite(PathBuf::from(rest.trim_start_matches("//"))));
        }
        if let Some((scheme, _)) = location.split_once("://") {
            return Err(StoreError::UnsupportedBackend { scheme: scheme.to_string() });
        }
        Ok(Location::Sqlite(PathBuf::from(location)))
    }

    /// Whether a configured value is a location in its own right (a URL or `sqlite:`), not a
    /// path to resolve against the configuration's directory.
    pub fn is_absolute_location(value: &str) -> bool {
        value.contains("://") || value.starts_with("sqlite:")
    }

    /// Whether the store exists already.
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(p) => p.exists(),
        }
    }

    /// The directory custody keeps the store's other files in.
    pub fn dir(&self) -> PathBuf {
        match self {
            Location::Sqlite(p) => {
                p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new(".")).to_path_buf()
            }
        }
    }

    /// The audit log's Ed25519 signing key (mode 0600).
    pub fn audit_key(&self) -> PathBuf {
        self.dir().join("audit.key")
    }

    /// The next signing key during a key rotation, until the store has taken it.
    pub fn audit_key_next(&self) -> PathBuf {
        self.dir().join("audit.key.next")
    }

    /// The latest checkpoint, kept outside the database.
    pub fn audit_checkpoint(&self) -> PathBuf {
        self.dir().join("audit.checkpoint")
    }

    /// The lock that orders updates of the files kept outside the database.
    pub fn audit_lock(&self) -> PathBuf {
        self.dir().join("audit.lock")
    }

    /// The latest checkpoint a witness cosigned, kept beside the store under the witness's
    /// name.
    pub fn witnessed(&self, witness: &str) -> PathBuf {
        self.dir().join(format!("audit.witnessed-{witness}"))
    }

    /// The default snapshot object store.
    pub fn objects(&self) -> PathBuf {
        self.dir().join("objects")
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Opens the store at `location`; it must exist.
pub fn open(location: &Location, opts: &OpenOptions) -> Result<Box<dyn Store>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(SqliteStore::open(path, opts)?)),
    }
}

/// Opens the store at `location` for reading only: nothing is created, migrated or written, so
/// read access is enough (an auditor's). A store whose schema is older than this custody is
/// refused with a hint to let a writing command upgrade it.
pub fn open_read_only(location: &Location, opts: &OpenOptions) -> Result<Box<dyn Store>> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(SqliteStore::open_read_only(path, opts)?)),
    }
}

/// Opens the store at `location`, creating it if there is none. Never truncates or recreates an
/// existing database.
pub fn open_or_create(location: &Location, opts: &OpenOptions) -> Result<(Box<dyn Store>, Opened)> {
    match location {
        Location::Sqlite(path) => {
            let (s, how) = SqliteStore::open_or_create(path, opts)?;
            Ok((Box::new(s), how))
        }
    }
}

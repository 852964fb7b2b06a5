//! The evidence store. Only this crate knows SQL.
//!
//! [`Store`] is what the rest of custody sees; [`SqliteStore`] is the embedded default. A
//! PostgreSQL backend will implement the same trait and pass the same tests, so nothing
//! SQLite-specific (types, errors, pragmas, file paths) leaves this crate.

mod migrate;
mod sqlite;

pub use migrate::{LATEST_VERSION, MIGRATIONS};
pub use sqlite::{OpenOptions, Opened, SqliteStore};

use custody_core::{Role, System};
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
    #[error(
        "the store {path} has schema version {found}, newer than this custody understands ({supported})"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "migration {version} already applied to {path} differs from the one built into custody"
    )]
    MigrationChanged { path: PathBuf, version: u32 },
    #[error("cannot open {path}: {detail}")]
    Io { path: PathBuf, detail: String },
    #[error("store backend `{scheme}` is not available in this build")]
    UnsupportedBackend { scheme: String },
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
            StoreError::Locked { .. } => {
                Some("wait for the other custody process to finish, then retry")
            }
            StoreError::Corrupt { .. } => Some(
                "custody did not modify the file; restore it from a backup (custody keeps `*.pre-v*.bak` copies before upgrades)",
            ),
            StoreError::Foreign { .. } => Some(
                "point --db or [store] path at a custody store; custody never writes into other databases",
            ),
            StoreError::TooNew { .. } => {
                Some("upgrade custody to a version that knows this schema")
            }
            StoreError::MigrationChanged { .. } => {
                Some("this build of custody does not match the one that created the store")
            }
            StoreError::UnsupportedBackend { .. } => {
                Some("use a SQLite path (the default); PostgreSQL support is planned")
            }
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

/// What custody needs from a store.
pub trait Store {
    /// Where the store is, for messages.
    fn describe(&self) -> String;
    /// The schema version in use.
    fn schema_version(&self) -> Result<u32>;
    /// Records the declared organisation, roles and systems as of `at` (RFC 3339). Changes are
    /// appended to the history; systems no longer declared are retired, never deleted.
    /// Returns the changes made (empty when nothing changed).
    fn record_organisation(
        &mut self,
        name: &str,
        roles: &[Role],
        systems: &[System],
        at: &str,
    ) -> Result<Vec<ConfigChange>>;
    /// The organisation as recorded, if any.
    fn organisation(&self) -> Result<Option<StoredOrganisation>>;
    /// Every recorded change, oldest first.
    fn config_history(&self) -> Result<Vec<ConfigChange>>;
}

/// Opens the store at `location`: a path to a SQLite file, or `sqlite:PATH`. Other schemes are
/// refused with [`StoreError::UnsupportedBackend`].
pub fn open(location: &str, opts: &OpenOptions) -> Result<Box<dyn Store>> {
    match backend_of(location)? {
        Backend::Sqlite(path) => Ok(Box::new(SqliteStore::open(&path, opts)?)),
    }
}

/// Opens the store at `location`, creating it if there is none. Never truncates or recreates an
/// existing database.
pub fn open_or_create(location: &str, opts: &OpenOptions) -> Result<(Box<dyn Store>, Opened)> {
    match backend_of(location)? {
        Backend::Sqlite(path) => {
            let (s, how) = SqliteStore::open_or_create(&path, opts)?;
            Ok((Box::new(s), how))
        }
    }
}

enum Backend {
    Sqlite(PathBuf),
}

fn backend_of(location: &str) -> Result<Backend> {
    if let Some(rest) = location.strip_prefix("sqlite:") {
        return Ok(Backend::Sqlite(PathBuf::from(
            rest.trim_start_matches("//"),
        )));
    }
    if let Some((scheme, _)) = location.split_once("://") {
        return Err(StoreError::UnsupportedBackend {
            scheme: scheme.to_string(),
        });
    }
    Ok(Backend::Sqlite(PathBuf::from(location)))
}

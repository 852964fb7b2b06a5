//! Finding and reading `custody.toml`, and the store it names.

use crate::failure::Failure;
use custody_cli::GlobalArgs;
use custody_core::Config;
use custody_core::config::MAX_CONFIG_BYTES;
use custody_store::Location;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "custody.toml";

pub struct Workspace {
    pub config_path: PathBuf,
    pub config: Config,
}

pub fn root_of(config_path: &Path) -> &Path {
    match config_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// An environment variable's value; empty counts as unset (`CUSTODY_DB= custody …`).
pub fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `--config` (or `CUSTODY_CONFIG`), or custody.toml in the current directory or the nearest
/// parent.
pub fn locate(g: &GlobalArgs) -> Result<PathBuf, Failure> {
    if let Some(p) = &g.config {
        if p.as_os_str().is_empty() {
            return Err(Failure::with_hint("--config is empty", "give the path of a custody.toml"));
        }
        return Ok(p.clone());
    }
    if let Some(p) = env_nonempty("CUSTODY_CONFIG") {
        return Ok(PathBuf::from(p));
    }
    let cwd = std::env::current_dir().map_err(|e| Failure::new(format!("cannot read the current directory: {e}")))?;
    cwd.ancestors().map(|d| d.join(CONFIG_FILE)).find(|p| p.is_file()).ok_or_else(|| {
        Failure::with_hint(
            format!("no {CONFIG_FILE} in {} or any parent directory", cwd.display()),
            "run `custody init` first, or pass --config PATH",
        )
    })
}

/// Reads and checks a configuration file: bounded size, UTF-8, valid.
pub fn read_config(path: &Path) -> Result<Config, Failure> {
    let f = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::with_hint(
                format!("{} does not exist", path.display()),
                "run `custody init` first, or pass --config PATH",
            )
        } else {
            Failure::io("read", path, &e)
        }
    })?;
    let mut bytes = Vec::new();
    f.take(MAX_CONFIG_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| Failure::io("read", path, &e))?;
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(Failure::new(format!(
            "{} is larger than {MAX_CONFIG_BYTES} bytes; it is not a custody configuration",
            path.display()
        )));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col_bytes(e.as_bytes(), e.utf8_error().valid_up_to());
        Failure::with_hint(format!("{}:{line}:{col}: not valid UTF-8", path.display()), "save the file as UTF-8")
    })?;
    Ok(Config::parse(&text, &path.display().to_string())?)
}

fn line_col_bytes(b: &[u8], offset: usize) -> (usize, usize) {
    let before = &b[..offset.min(b.len())];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&c| c != b'\n').count() + 1;
    (line, col)
}

pub fn load(g: &GlobalArgs) -> Result<Workspace, Failure> {
    let config_path = locate(g)?;
    let config = read_config(&config_path)?;
    Ok(Workspace { config_path, config })
}

/// `--db` (or `CUSTODY_DB`), or the configured location; a configured path is relative to the
/// directory of custody.toml, a URL (`postgres://…`) is taken as it is.
pub fn store_location(g: &GlobalArgs, config_path: &Path, config: &Config) -> Result<Location, Failure> {
    if let Some(db) = explicit_db(g)? {
        return Ok(db);
    }
    let configured = config.store.path.as_str();
    if Location::is_absolute_location(configured) {
        return Ok(Location::parse(configured)?);
    }
    let p = Path::new(configured);
    Ok(Location::Sqlite(if p.is_absolute() { p.to_path_buf() } else { root_of(config_path).join(p) }))
}

/// `--db`, else a non-empty `CUSTODY_DB`.
pub fn explicit_db(g: &GlobalArgs) -> Result<Option<Location>, Failure> {
    let given = match &g.db {
        Some(db) if db.is_empty() => {
            return Err(Failure::with_hint("--db is empty", "give a store location, or leave --db out"));
        }
        Some(db) => Some(db.clone()),
        None => env_nonempty("CUSTODY_DB"),
    };
    Ok(given.map(|d| Location::parse(&d)).transpose()?)
}

/// The witnesses of `[audit]`, with the file each keeps its checkpoint in: a `file:` or `git:`
/// path resolved against the directory of custody.toml; for an HTTP witness, the latest
/// checkpoint it cosigned, kept beside the store at `location`.
pub fn witnesses(ws: &Workspace, location: &Location) -> Vec<(custody_core::config::Witness, PathBuf)> {
    use custody_core::config::Witness;
    ws.config
        .audit
        .witnesses
        .iter()
        .filter_map(|w| Witness::parse(w).ok())
        .map(|w| {
            let full = match &w {
                Witness::File(p) => root_of(&ws.config_path).join(p),
                Witness::Git(p) => root_of(&ws.config_path).join(p).join("custody-audit.checkpoint"),
                Witness::Http { url, .. } => location.witnessed(&crate::seal::slug(url)),
            };
            (w, full)
        })
        .collect()
}

/// Store options; `CUSTODY_BUSY_TIMEOUT_MS` sets how long to wait for another process's lock.
pub fn open_options() -> custody_store::OpenOptions {
    let mut o = custody_store::OpenOptions::default();
    if let Some(ms) = std::env::var("CUSTODY_BUSY_TIMEOUT_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        o.busy_timeout = std::time::Duration::from_millis(ms);
    }
    o
}

/// Opens the store named by `--db` or custody.toml for writing; it must exist. The actor for
/// audit entries is `--actor` (else $CUSTODY_ACTOR, else $USER) acting as `--as`; the audit key
/// beside the store seals every write, and the checkpoint kept beside it must still be in the
/// log.
pub fn open_store(g: &GlobalArgs, ws: &Workspace) -> Result<Box<dyn custody_store::Store>, Failure> {
    let location = store_location(g, &ws.config_path, &ws.config)?;
    open_store_at(g, &location, &ws.config.organisation.name)
}

/// Opens the store at `location` for writing, as [`open_store`] does.
pub fn open_store_at(
    g: &GlobalArgs,
    location: &Location,
    organisation: &str,
) -> Result<Box<dyn custody_store::Store>, Failure> {
    let store = custody_store::open(location, &open_options())?;
    writer_for(g, store.as_ref(), location, organisation)
}

/// A handle to `store` that writes as this command: who acts (`--actor`, `--as`), the audit
/// key, the checkpoint kept outside the database, the wall clock beside an injected time.
pub fn writer_for(
    g: &GlobalArgs,
    store: &dyn custody_store::Store,
    location: &Location,
    organisation: &str,
) -> Result<Box<dyn custody_store::Store>, Failure> {
    let key = crate::seal::signing_key(store, location, organisation)?;
    Ok(store.with_writer(custody_store::Writer {
        actor: actor(g),
        key: Some(key),
        known_checkpoint: crate::seal::kept_checkpoint(location)?,
        recorded_at: crate::clock::wall_clock_if_injected(),
    }))
}

/// Opens the store for writing when `write`, else for reading only.
pub fn open_store_for(g: &GlobalArgs, ws: &Workspace, write: bool) -> Result<Box<dyn custody_store::Store>, Failure> {
    if write { open_store(g, ws) } else { open_store_read(g, ws) }
}

/// Opens the store named by `--db` or custody.toml for reading only: read access is enough,
/// and nothing is created or changed.
pub fn open_store_read(g: &GlobalArgs, ws: &Workspace) -> Result<Box<dyn custody_store::Store>, Failure> {
    let location = store_location(g, &ws.config_path, &ws.config)?;
    Ok(custody_store::open_read_only(&location, &open_options())?)
}

pub fn actor(g: &GlobalArgs) -> custody_store::Actor {
    let mut a = custody_store::Actor::default();
    if let Some(n) = &g.actor {
        a.name = n.clone();
    }
    a.role = g.acting_as;
    a
}

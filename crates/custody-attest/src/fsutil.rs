//! Crash-safe writes: a temporary file beside the target, fsync, rename, fsync the directory.
//! A crash or a full disk leaves the old file or the new one, never half of one.

use crate::error::{AttestError, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A name for a temporary sibling of `path`, unique within this process.
pub fn temp_sibling(path: &Path, tag: &str) -> PathBuf {
    let dir = parent_of(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{tag}-{}-{n}", std::process::id()))
}

pub fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Makes a directory's entries durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(|e| AttestError::io("sync", dir, e))
}

/// Writes `bytes` to `path` atomically; `mode` sets unix permissions of a new file.
pub fn atomic_write(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    let tmp = temp_sibling(path, "tmp");
    let result = (|| {
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(m);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut f = o.open(&tmp).map_err(|e| AttestError::io("create", &tmp, e))?;
        f.write_all(bytes).map_err(|e| AttestError::io("write", &tmp, e))?;
        f.sync_all().map_err(|e| AttestError::io("write", &tmp, e))?;
        drop(f);
        fs::rename(&tmp, path).map_err(|e| AttestError::io("write", path, e))?;
        sync_dir(parent_of(path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads a whole file of at most `limit` bytes.
pub fn read_limited(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = File::open(path).map_err(|e| AttestError::io("read", path, e))?;
    let mut v = Vec::new();
    f.take(limit + 1).read_to_end(&mut v).map_err(|e| AttestError::io("read", path, e))?;
    if v.len() as u64 > limit {
        return Err(AttestError::Invalid(format!(
            "{} is larger than {limit} bytes; it is not a {what}",
            path.display()
        )));
    }
    Ok(v)
}

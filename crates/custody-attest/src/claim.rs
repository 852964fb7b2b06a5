//! Custody's own temporary paths, and how a later run recognises the ones a killed run left.
//!
//! A run that needs temporaries in a directory first *claims* a name there: it creates
//! `<prefix>new-<pid>-<n>` (`create_new`, so never someone else's file), writes a short note into
//! it, takes an exclusive lock on it ([`File::try_lock`]) and renames it to
//! `<prefix>lock-<pid>-<n>`. It holds the lock for as long as it runs; the kernel drops the lock
//! when the process ends, however it ends (SIGKILL included). Its temporaries are named
//! `<prefix><kind>-<pid>-<n>`. The lock file is removed last.
//!
//! A later run removes temporaries only through a claim whose lock it can take: the owner is
//! gone. A lock someone holds means a run in progress, and its paths are left alone; a path with
//! custody's pattern but no lock file is not provably custody's leftover and is left alone too.
//! Nothing outside the names built here is ever removed.

use crate::error::{AttestError, Result};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static SEQ: AtomicU64 = AtomicU64::new(0);

pub(crate) const LOCK: &str = "lock";
const NEW: &str = "new";
/// The longest note a claim carries (a file name).
const MAX_NOTE: u64 = 4096;

/// A claimed name: `dir/<prefix><kind>-<id>` are this run's temporaries.
#[derive(Debug)]
pub(crate) struct Claim {
    dir: PathBuf,
    prefix: String,
    id: String,
    lock_path: PathBuf,
    lock: Option<File>,
}

impl Claim {
    /// Claims a new name in `dir` (which must exist), recording `note` in the lock file.
    pub(crate) fn new(dir: &Path, prefix: &str, note: &[u8]) -> Result<Claim> {
        let pid = std::process::id();
        let mut last = None;
        for _ in 0..64 {
            let id = format!("{pid}-{}", SEQ.fetch_add(1, Ordering::Relaxed));
            let born = dir.join(format!("{prefix}{NEW}-{id}"));
            let lock_path = dir.join(format!("{prefix}{LOCK}-{id}"));
            let mut f = match OpenOptions::new().read(true).write(true).create_new(true).open(&born) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(AttestError::io("create", &born, e)),
            };
            let taken = (|| {
                f.write_all(note).map_err(|e| AttestError::io("write", &born, e))?;
                match f.try_lock() {
                    Ok(()) => {}
                    // A cleaner holds it for a moment: take another name.
                    Err(TryLockError::WouldBlock) => return Ok(false),
                    Err(TryLockError::Error(e)) => return Err(AttestError::io("lock", &born, e)),
                }
                // A leftover of a dead process that had this pid: take another name.
                if fs::symlink_metadata(&lock_path).is_ok() {
                    return Ok(false);
                }
                match fs::rename(&born, &lock_path) {
                    Ok(()) => Ok(true),
                    // A cleaner removed it before the lock was taken: take another name.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(AttestError::io("create", &lock_path, e)),
                }
            })();
            match taken {
                Ok(true) => {
                    let claim =
                        Claim { dir: dir.to_path_buf(), prefix: prefix.to_string(), id, lock_path, lock: Some(f) };
                    // Stale temporaries under this id (a dead process with the same pid whose
                    // lock file is gone) are not ours to use.
                    if [crate::snapshot::STAGED, crate::snapshot::OLD, crate::snapshot::RUN]
                        .iter()
                        .any(|k| fs::symlink_metadata(claim.path(k)).is_ok())
                    {
                        last = Some(claim.path(LOCK));
                        continue;
                    }
                    return Ok(claim);
                }
                Ok(false) => {
                    let _ = fs::remove_file(&born);
                    last = Some(born);
                }
                Err(e) => {
                    let _ = fs::remove_file(&born);
                    return Err(e);
                }
            }
        }
        Err(AttestError::Invalid(format!(
            "cannot claim a temporary name in {} (last tried {})",
            dir.display(),
            last.unwrap_or_default().display()
        )))
    }

    /// This run's temporary of `kind`.
    pub(crate) fn path(&self, kind: &str) -> PathBuf {
        self.dir.join(format!("{}{kind}-{}", self.prefix, self.id))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Removed while still locked, so no cleaner ever sees it unlocked.
        let _ = fs::remove_file(&self.lock_path);
        drop(self.lock.take());
    }
}

/// The claim of a run that has ended without removing it (its lock was free), held locked by
/// this process until dropped, when its lock file is removed.
#[derive(Debug)]
pub(crate) struct Dead {
    pub(crate) claim: Claim,
    pub(crate) note: Vec<u8>,
}

/// `<prefix><kind>-<digits>-<digits>` → (prefix, kind, id).
fn parse(name: &str) -> Option<(&str, &str, &str)> {
    let mut it = name.rsplitn(3, '-');
    let n = it.next()?;
    let pid = it.next()?;
    let rest = it.next()?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(n) || !digits(pid) {
        return None;
    }
    let id_start = name.len() - n.len() - pid.len() - 1;
    for kind in [LOCK, NEW] {
        if let Some(prefix) = rest.strip_suffix(kind) {
            return Some((prefix, kind, &name[id_start..]));
        }
    }
    None
}

/// The claims in `dir` whose prefix `ours` accepts and whose owner is gone. Half-made claims
/// (`new-`) of dead runs are removed on the way.
pub(crate) fn dead_claims(dir: &Path, ours: impl Fn(&str) -> bool) -> Result<(Vec<Dead>, u64)> {
    let entries = match fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(AttestError::io("read", dir, e)),
    };
    let mut dead = Vec::new();
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| AttestError::io("read", dir, e))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        let Some((prefix, kind, id)) = parse(&name) else { continue };
        if !ours(prefix) {
            continue;
        }
        let path = entry.path();
        // Only regular files are lock files; never follow a link.
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file()) {
            continue;
        }
        let Ok(mut f) = OpenOptions::new().read(true).write(true).open(&path) else { continue };
        match f.try_lock() {
            Ok(()) => {}
            Err(_) => continue,
        }
        if kind == NEW {
            if fs::remove_file(&path).is_ok() {
                removed += 1;
            }
            continue;
        }
        let mut note = Vec::new();
        if (&mut f).take(MAX_NOTE).read_to_end(&mut note).is_err() {
            continue;
        }
        dead.push(Dead {
            claim: Claim {
                dir: dir.to_path_buf(),
                prefix: prefix.to_string(),
                id: id.to_string(),
                lock_path: path,
                lock: Some(f),
            },
            note,
        });
    }
    Ok((dead, removed))
}

/// Bytes under `path` (not following links); 0 when it is gone.
pub(crate) fn size_of(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                Err(_) => {}
            }
        }
    }
    total
}

/// Removes a file, link or directory tree (never following a link); whether something was there.
pub(crate) fn remove(path: &Path) -> bool {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path).is_ok(),
        Ok(_) => fs::remove_file(path).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_only_when_they_are_ours() {
        assert_eq!(parse(".m.custody-lock-12-0"), Some((".m.custody-", "lock", "12-0")));
        assert_eq!(parse("new-7-3"), Some(("", "new", "7-3")));
        assert_eq!(parse(".m.custody-restore-12-0"), None);
        assert_eq!(parse("lock-x-0"), None);
        assert_eq!(parse("lock-1"), None);
        assert_eq!(parse("weights-lock-1-2-"), None);
    }

    #[test]
    fn a_held_claim_is_not_dead_and_a_dropped_one_leaves_nothing() {
        let d = tempfile::tempdir().expect("tmp");
        let c = Claim::new(d.path(), "p.", b"note").expect("claim");
        let (dead, _) = dead_claims(d.path(), |p| p == "p.").expect("sweep");
        assert!(dead.is_empty(), "a live claim is never dead");
        assert!(c.path("run").ends_with(format!("p.run-{}", c.id)));
        drop(c);
        assert_eq!(fs::read_dir(d.path()).expect("ls").count(), 0);
    }
}

//! The audit log's files outside the database, and its witnesses.
//!
//! Beside the store live `audit.key` (the Ed25519 signing key, mode 0600, created with the
//! store) and `audit.checkpoint` (the latest checkpoint custody signed, written atomically after
//! every command that wrote). The store signs a checkpoint inside every writing transaction
//! (`custody_store::Writer`); this module gives it the key and the checkpoint kept outside, and
//! afterwards keeps `audit.checkpoint` and the configured witnesses up to date.
//!
//! What each catches: the signed checkpoints in the database catch any edit, insertion,
//! deletion or reordering of entries they cover. `audit.checkpoint` catches a rollback or
//! truncation of the database by someone who cannot also write that file; a witness catches it
//! even from someone who can write both (the witness is elsewhere). See docs/audit.md.

use crate::failure::Failure;
use crate::fsutil::atomic_write;
use custody_audit::SigningKey;
use custody_core::config::Witness;
use custody_store::{Location, Store};
use std::path::{Path, PathBuf};

/// The log's origin line: names this log in checkpoints.
pub fn origin(org: &str) -> String {
    let slug: String =
        org.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("custody.invalid/audit/{}", slug.trim_matches('-'))
}

/// A file-name-safe form of a witness URL.
pub fn slug(url: &str) -> String {
    let s: String = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .take(100)
        .collect();
    s.trim_matches('_').to_string()
}

/// The signing key for a write. Created only for a new log (no verifier key, no entries);
/// a log whose key file is gone is never written again without it: every later entry would be
/// unsealed.
pub fn signing_key(store: &dyn Store, location: &Location, org: &str) -> Result<SigningKey, Failure> {
    let path = location.audit_key();
    finish_rotation(store, &path, &location.audit_key_next())?;
    let existing = match std::fs::read_to_string(&path) {
        Ok(t) => Some(SigningKey::parse(t.trim()).map_err(|e| {
            Failure::with_hint(
                format!("{} is not a custody audit key: {e}", path.display()),
                "restore the key file from its backup (docs/audit.md)",
            )
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::io("read", &path, &e)),
    };
    match (store.audit_vkey()?, existing) {
        (Some(v), Some(k)) if v == k.verifier().to_string() => Ok(k),
        (Some(_), Some(_)) => Err(Failure::with_hint(
            format!("{} does not match the audit log's verifier key", path.display()),
            "use the key created with this store; custody never replaces a log's key",
        )),
        (Some(_), None) => Err(Failure::with_hint(
            format!(
                "the audit log's signing key {} is missing, so nothing can be written: entries custody cannot seal would look like tampering forever",
                path.display()
            ),
            "restore audit.key from its backup (docs/audit.md: keys); read-only commands (assess, report, audit verify) still work",
        )),
        (None, existing) => {
            if !store.audit_checkpoints()?.is_empty() || store.audit_size()? > 0 {
                return Err(Failure::with_hint(
                    "the audit log has entries but no verifier key: it was tampered with",
                    "restore the store from a backup that `custody audit verify` accepts",
                ));
            }
            let k = match existing {
                Some(k) => k,
                None => {
                    // The key is named after the log's origin, as the signed-note spec asks; the
                    // origin stays that name even if the organisation is renamed later.
                    let k = SigningKey::generate(&origin(org))
                        .map_err(|e| Failure::new(format!("cannot create an audit key: {e}")))?;
                    write_private(&path, k.to_text().as_bytes())?;
                    k
                }
            };
            store.set_audit_vkey(&k.verifier().to_string())?;
            Ok(k)
        }
    }
}

/// A rotation interrupted after the store took the new key but before `audit.key.next` replaced
/// `audit.key`: finish it.
fn finish_rotation(store: &dyn Store, key: &Path, next: &Path) -> Result<(), Failure> {
    let Ok(text) = std::fs::read_to_string(next) else { return Ok(()) };
    let Ok(k) = SigningKey::parse(text.trim()) else { return Ok(()) };
    if store.audit_vkey()?.as_deref() == Some(k.verifier().to_string().as_str()) {
        std::fs::rename(next, key).map_err(|e| Failure::io("rename", next, &e))?;
    }
    Ok(())
}

/// Rotates the log's key: a new key is written to `audit.key.next`, the store seals the
/// rotation with a checkpoint signed by the old and the new key and takes the new one, then the
/// new key replaces `audit.key` (the old key is deleted: it signs nothing any more). Returns
/// the rotation entry's sequence number and the new verifier key.
pub fn rotate_key(store: &dyn Store, location: &Location, reason: &str, at: &str) -> Result<(u64, String), Failure> {
    let (key, next) = (location.audit_key(), location.audit_key_next());
    let old = SigningKey::parse(std::fs::read_to_string(&key).map_err(|e| Failure::io("read", &key, &e))?.trim())
        .map_err(|e| Failure::new(format!("{} is not a custody audit key: {e}", key.display())))?;
    let new = SigningKey::generate(old.name()).map_err(|e| Failure::new(format!("cannot create an audit key: {e}")))?;
    write_private(&next, new.to_text().as_bytes())?;
    let seq = match store.rotate_audit_key(&new, reason, at) {
        Ok(seq) => seq,
        Err(e) => {
            let _ = std::fs::remove_file(&next);
            return Err(e.into());
        }
    };
    std::fs::rename(&next, &key).map_err(|e| Failure::io("rename", &next, &e))?;
    Ok((seq, new.verifier().to_string()))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    atomic_write(path, bytes).map_err(|e| Failure::io("write", path, &e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| Failure::io("protect", path, &e))
}

/// The checkpoint kept in `audit.checkpoint`, if there is one.
pub fn kept_checkpoint(location: &Location) -> Result<Option<String>, Failure> {
    read_note(&location.audit_checkpoint())
}

fn read_note(path: &Path) -> Result<Option<String>, Failure> {
    match std::fs::read(path) {
        Ok(b) if b.len() > 64 * 1024 => {
            Err(Failure::new(format!("{} is too large to be a checkpoint", path.display())))
        }
        Ok(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| Failure::new(format!("{} is not a checkpoint (not UTF-8)", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::io("read", path, &e)),
    }
}

/// Every checkpoint held outside the database that `custody audit verify` checks the log
/// against: `audit.checkpoint`, then each witness, then `extra` files. (source, note).
pub fn outside_checkpoints(
    location: &Location,
    witnesses: &[(Witness, PathBuf)],
    extra: &[PathBuf],
) -> Result<Vec<(String, String)>, Failure> {
    let mut out = Vec::new();
    let state = location.audit_checkpoint();
    if let Some(n) = read_note(&state)? {
        out.push((state.display().to_string(), n));
    }
    for (_, file) in witnesses {
        if let Some(n) = read_note(file)? {
            out.push((format!("witness {}", file.display()), n));
        }
    }
    for p in extra {
        let n = read_note(p)?.ok_or_else(|| Failure::new(format!("{} does not exist", p.display())))?;
        out.push((p.display().to_string(), n));
    }
    Ok(out)
}

/// Replaces the checkpoint in `file` by `note` if `note` is newer and consistent with it
/// (`consistent(old_size, old_root)` says whether the log still has that tree). Holds
/// `lock` meanwhile, so concurrent commands never move the file backwards. Returns whether
/// it wrote.
fn advance(
    file: &Path,
    lock: &Path,
    note: &str,
    keys: &custody_audit::KeySchedule,
    consistent: &dyn Fn(u64, &custody_audit::Hash) -> bool,
) -> Result<bool, Failure> {
    let new = keys.verify(note).map_err(|e| Failure::new(format!("the new checkpoint: {e}")))?;
    let guard = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock)
        .map_err(|e| Failure::io("open", lock, &e))?;
    guard.lock().map_err(|e| Failure::io("lock", lock, &e))?;
    if let Some(old) = read_note(file)? {
        match keys.verify(&old) {
            Ok(cp) if cp.size >= new.size => return Ok(false),
            Ok(cp) if !consistent(cp.size, &cp.root) => {
                return Err(Failure::with_hint(
                    format!(
                        "{} holds a checkpoint of {} entries that this log no longer extends: it was rolled back or forked",
                        file.display(),
                        cp.size
                    ),
                    "run `custody audit verify`; the file was left as it was",
                ));
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Failure::with_hint(
                    format!("{} is not a checkpoint of this log: {e}", file.display()),
                    "the file was left as it was; remove it only if you know where it came from",
                ));
            }
        }
    }
    atomic_write(file, note.as_bytes()).map_err(|e| Failure::io("write", file, &e))?;
    Ok(true)
}

/// After a command that wrote: keep the latest checkpoint in `audit.checkpoint` and send it to
/// the witnesses. Problems are returned as warnings: the command's work is done and sealed.
pub fn publish(store: &dyn Store, location: &Location, witnesses: &[(Witness, PathBuf)]) -> Vec<String> {
    let mut warnings = Vec::new();
    let result = (|| -> Result<(), Failure> {
        let Some(vkey) = store.audit_vkey()? else { return Ok(()) };
        let Some((_, note)) = store.audit_checkpoints()?.pop() else { return Ok(()) };
        let keys = custody_store::verify::key_schedule(
            Some(&vkey),
            &store.audit_entries_of_kind(custody_store::verify::ROTATION)?,
        )
        .map_err(Failure::new)?;
        let leaves: Vec<custody_audit::Hash> =
            store.audit_leaves()?.iter().filter_map(|l| <[u8; 32]>::try_from(l.as_slice()).ok()).collect();
        let consistent = |size: u64, root: &custody_audit::Hash| {
            usize::try_from(size).ok().and_then(|s| leaves.get(..s)).is_some_and(|p| custody_audit::root(p) == *root)
        };
        let lock = location.audit_lock();
        if let Err(Failure::Error { message, .. }) =
            advance(&location.audit_checkpoint(), &lock, &note, &keys, &consistent)
        {
            warnings.push(message);
        }
        for (w, file) in witnesses {
            if let Witness::Http { url, key } = w {
                match submit(url, key, &note, &leaves) {
                    Ok(cosigned) => {
                        if let Err(Failure::Error { message, .. }) = advance(file, &lock, &cosigned, &keys, &consistent)
                        {
                            warnings.push(format!("witness {url}: {message}"));
                        }
                    }
                    Err(message) => warnings.push(format!("witness {url}: {message}")),
                }
                continue;
            }
            match advance(file, &path_with_suffix(file, ".lock"), &note, &keys, &consistent) {
                Ok(true) => {
                    if let Witness::Git(_) = w
                        && let Err(e) = git_commit(file, &note)
                    {
                        warnings.push(format!("witness {}: {e}", file.display()));
                    }
                }
                Ok(false) => {}
                Err(Failure::Error { message, .. }) => warnings.push(format!("witness: {message}")),
                Err(Failure::BrokenPipe) => {}
            }
        }
        Ok(())
    })();
    if let Err(Failure::Error { message, .. }) = result {
        warnings.push(message);
    }
    warnings
}

/// Submits `note` to a tlog-witness: first as if it had seen nothing, then, when it names the
/// size it has seen, with a consistency proof from that size. Returns the note with the
/// witness's verified cosignature added. A witness that has seen a larger or different tree is
/// reported as a rollback.
fn submit(url: &str, key: &str, note: &str, leaves: &[custody_audit::Hash]) -> Result<String, String> {
    let cosigner = custody_audit::CosignerKey::parse(key).map_err(|e| format!("its key in [audit] witnesses: {e}"))?;
    let split = note.rfind("\n\n").ok_or("the checkpoint is not a signed note")?;
    let body = &note[..split + 1];
    let size = custody_audit::parse_checkpoint_body(body).map_err(|e| e.to_string())?.size;
    let mut old = 0u64;
    for _ in 0..3 {
        let proof = if old == 0 {
            Vec::new()
        } else {
            let tree = usize::try_from(size)
                .ok()
                .and_then(|s| leaves.get(..s))
                .ok_or("the log is shorter than its checkpoint")?;
            custody_audit::consistency_proof(tree, old).map_err(|e| e.to_string())?
        };
        match custody_witness::add_checkpoint(url, old, &proof, note, std::time::Duration::from_secs(10))
            .map_err(|e| e.to_string())?
        {
            custody_witness::Added::Cosigned(lines) => {
                cosigner.verify(body, &lines).map_err(|e| format!("its cosignature: {e}"))?;
                return Ok(format!("{note}{lines}"));
            }
            custody_witness::Added::Conflict(seen) if seen > size => {
                return Err(format!(
                    "ROLLBACK: the witness has seen {seen} entries of this log, the store has {size}; run `custody audit verify`"
                ));
            }
            custody_witness::Added::Conflict(seen) if seen == old => {
                return Err(format!("the witness keeps asking for size {seen}"));
            }
            custody_witness::Added::Conflict(seen) => old = seen,
        }
    }
    Err("the witness did not settle on a size".into())
}

fn path_with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Commits the checkpoint file in its witness repository (git must be installed; the repository
/// must exist). The commit message is the checkpoint's first two lines.
fn git_commit(file: &Path, note: &str) -> Result<(), String> {
    let repo = file.parent().unwrap_or(Path::new("."));
    let run = |args: &[&str]| -> Result<(), String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(repo)
            .args(["-c", "user.name=custody", "-c", "user.email=custody@localhost", "-c", "commit.gpgsign=false"])
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
        }
    };
    let subject: Vec<&str> = note.lines().take(2).collect();
    run(&["add", "--", "custody-audit.checkpoint"])?;
    run(&["commit", "--quiet", "-m", &format!("checkpoint {}", subject.join(" "))])
}

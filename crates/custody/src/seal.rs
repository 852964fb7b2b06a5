//! Signing checkpoints of the audit log. The Ed25519 key lives next to the store
//! (`audit.key`, mode 0600), created with the store; the store keeps the verifier key. After
//! every command that changed the store, a checkpoint (C2SP signed note) for the new size is
//! signed and stored.

use crate::failure::Failure;
use crate::fsutil::atomic_write;
use custody_audit::{Frontier, SigningKey};
use custody_store::Store;
use std::path::{Path, PathBuf};

/// The log's origin line: names this log in checkpoints.
pub fn origin(org: &str) -> String {
    let slug: String =
        org.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("custody.invalid/audit/{}", slug.trim_matches('-'))
}

/// Where the signing key of the store at `location` lives.
pub fn key_path(location: &str) -> PathBuf {
    let db = Path::new(location.strip_prefix("sqlite:").unwrap_or(location));
    db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("audit.key")
}

/// Makes sure the store has a verifier key and a matching signing key exists; creates both for a
/// new log. Returns the signing key when available (a log whose key file is gone can still be
/// verified, not extended with checkpoints).
pub fn ensure_key(store: &mut dyn Store, location: &str, org: &str) -> Result<Option<SigningKey>, Failure> {
    let path = key_path(location);
    let existing = match std::fs::read_to_string(&path) {
        Ok(t) => Some(SigningKey::parse(t.trim()).map_err(|e| {
            Failure::with_hint(
                format!("{} is not a custody audit key: {e}", path.display()),
                "restore the key file from backup",
            )
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Failure::io("read", &path, &e)),
    };
    match (store.audit_vkey()?, existing) {
        (Some(v), Some(k)) if v == k.verifier().to_string() => Ok(Some(k)),
        (Some(_), Some(_)) => Err(Failure::with_hint(
            format!("{} does not match the audit log's verifier key", path.display()),
            "use the key created with this store; custody never replaces a log's key",
        )),
        (Some(_), None) => Ok(None),
        (None, Some(k)) => {
            store.set_audit_vkey(&k.verifier().to_string())?;
            Ok(Some(k))
        }
        (None, None) => {
            // The key is named after the log's origin, as the signed-note spec asks; the origin
            // stays that name even if the organisation is renamed later.
            let k = SigningKey::generate(&origin(org))
                .map_err(|e| Failure::new(format!("cannot create an audit key: {e}")))?;
            write_private(&path, k.to_text().as_bytes())?;
            store.set_audit_vkey(&k.verifier().to_string())?;
            Ok(Some(k))
        }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    atomic_write(path, bytes).map_err(|e| Failure::io("write", path, &e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| Failure::io("protect", path, &e))
}

/// Signs and stores a checkpoint for the log's current size, if it grew since the last one.
pub fn checkpoint(store: &mut dyn Store, location: &str, org: &str, at: &str) -> Result<Option<u64>, Failure> {
    let Some(key) = ensure_key(store, location, org)? else { return Ok(None) };
    let entries = store.audit_entries()?;
    let size = entries.len() as u64;
    let last = store.audit_checkpoints()?.last().map(|(s, _)| *s);
    if size == 0 || last == Some(size) {
        return Ok(None);
    }
    // The leaf hashes stored when each entry was appended: a checkpoint commits to the log as
    // written, and `custody audit verify` recomputes them.
    let mut f = Frontier::new();
    for (e, stored) in &entries {
        let leaf = <[u8; 32]>::try_from(stored.as_slice())
            .map_err(|_| Failure::new(format!("audit entry {} has a malformed leaf hash", e.seq)))?;
        f.push(leaf);
    }
    let note = key
        .sign_checkpoint(key.name(), size, &f.root())
        .map_err(|e| Failure::new(format!("cannot sign the checkpoint: {e}")))?;
    store.add_audit_checkpoint(size, &note, at)?;
    Ok(Some(size))
}

//! What can go wrong. A verification *failure* (a bad signature, a modified file) is not an
//! error: it is the outcome in a [`crate::VerifyReport`]. Errors are for input custody cannot
//! use at all (a truncated signature file, an unreadable key, a full disk).

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("no space left on the device while writing {}", path.display())]
    DiskFull { path: PathBuf },
    #[error("{} changed while it was being hashed", path.display())]
    Changed { path: PathBuf },
    #[error("{} is a symbolic link", path.display())]
    Symlink { path: PathBuf },
    #[error("{} is neither a regular file nor a directory", path.display())]
    Special { path: PathBuf },
    #[error("the name of {} is not valid UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{} holds no files to sign", path.display())]
    Empty { path: PathBuf },
    #[error("{what} is not a valid model signature: {detail}")]
    Malformed { what: String, detail: String },
    #[error("{0}")]
    Unsupported(String),
    #[error("{what}: {detail}")]
    Key { what: String, detail: String },
    #[error("certificate {what}: {detail}")]
    Certificate { what: String, detail: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{} exists and is not empty", path.display())]
    TargetExists { path: PathBuf },
    #[error("refusing to restore to {}: {why}", path.display())]
    Protected { path: PathBuf, why: String },
    #[error("refusing to replace {}: {why}", path.display())]
    NotReplaceable { path: PathBuf, why: String },
    #[error("invalid snapshot name {name:?}: {why}")]
    BadName { name: String, why: String },
    #[error("object {sha256} is missing from or corrupt in the object store {}", dir.display())]
    ObjectCorrupt { sha256: String, dir: PathBuf },
}

impl AttestError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        let h = match self {
            AttestError::Io { source, .. } => match source.kind() {
                io::ErrorKind::NotFound => "check the path",
                io::ErrorKind::PermissionDenied => "check the file's permissions",
                _ => return None,
            },
            AttestError::DiskFull { .. } => {
                "free space, or put the object store on another volume with --objects DIR; nothing was left half-written"
            }
            AttestError::Changed { .. } => {
                "another process is writing the model; wait until it has finished and run the command again"
            }
            AttestError::Symlink { .. } => {
                "model signing does not follow links: replace the link with the file, or --ignore it"
            }
            AttestError::Special { .. } => "remove it from the model directory, or --ignore it",
            AttestError::NotUtf8 { .. } => "rename the file: manifest names are UTF-8",
            AttestError::Empty { .. } => "point at a model file or a directory that holds files",
            AttestError::Malformed { .. } => {
                "the file is truncated, corrupt or not an OpenSSF model signature (Sigstore bundle v0.3 with a DSSE envelope); sign the model again"
            }
            AttestError::Unsupported(_) => return None,
            AttestError::Key { .. } => {
                "use a PEM ECDSA P-256 key: `custody keygen` writes one (PKCS#8 private key, SubjectPublicKeyInfo public key)"
            }
            AttestError::Certificate { .. } => "give PEM or DER X.509 certificates",
            AttestError::Invalid(_) => return None,
            AttestError::TargetExists { .. } => {
                "choose a new or empty directory, or pass --force to replace it (it is only replaced after the restored copy verifies)"
            }
            AttestError::Protected { .. } => {
                "custody never replaces its store, its object store, custody.toml or a directory holding them; restore into a new directory. Nothing was changed"
            }
            AttestError::NotReplaceable { .. } => {
                "--force replaces only a directory that holds an earlier restore or a copy of this snapshot's model (see docs/snapshots.md); restore into a new directory, or move it away first. Nothing was changed"
            }
            AttestError::BadName { .. } => {
                "use 1 to 128 characters without `/`, `\\` or control characters, e.g. --name model-v1"
            }
            AttestError::ObjectCorrupt { .. } => {
                "the object store was modified or lost files; restore it from a backup, or snapshot the model again from a verified copy"
            }
        };
        Some(h.to_string())
    }

    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: io::Error) -> AttestError {
        let path = path.into();
        if is_disk_full(&source) {
            return AttestError::DiskFull { path };
        }
        AttestError::Io { what, path, source }
    }

    pub(crate) fn malformed(what: impl Into<String>, detail: impl Into<String>) -> AttestError {
        AttestError::Malformed { what: what.into(), detail: detail.into() }
    }
}

fn is_disk_full(e: &io::Error) -> bool {
    // ENOSPC (28) and EDQUOT (122 on Linux) mean the same thing to a user.
    e.kind() == io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
}

pub type Result<T> = std::result::Result<T, AttestError>;

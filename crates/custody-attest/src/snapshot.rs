//! Known-good snapshots: a content-addressed object store (objects named by the SHA-256 of
//! their bytes, identical content stored once, every object written to a temporary name,
//! fsynced and renamed) and byte-exact restore into a staging directory that is renamed into
//! place only after it verifies.

use crate::error::{AttestError, Result};
use crate::fsutil;
use crate::hashing::{self, FileEntry, HashStats, Hasher};
use crate::hex;
use crate::manifest::{HashAlg, Manifest, Method, check_relative_path, shard_ranges};
use crate::verify::verify_ignores;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Relative POSIX path (`.` for a single-file model).
    pub path: String,
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
    /// SHA-256 of the content: the object's name.
    pub object: String,
}

/// What ingesting did.
#[derive(Debug, Clone, Default)]
pub struct IngestStats {
    pub files: u64,
    pub bytes: u64,
    /// Objects written now (the rest were in the store already).
    pub new_objects: u64,
    pub new_bytes: u64,
}

/// A directory of objects: `<dir>/<2 hex>/<64 hex>`, temporaries in `<dir>/tmp/`.
#[derive(Debug, Clone)]
pub struct ObjectStore {
    dir: PathBuf,
}

impl ObjectStore {
    pub fn open_or_create(dir: &Path) -> Result<ObjectStore> {
        fs::create_dir_all(dir.join("tmp")).map_err(|e| AttestError::io("create the object store", dir, e))?;
        Ok(ObjectStore { dir: dir.to_path_buf() })
    }

    /// Opens an existing store without creating anything.
    pub fn open(dir: &Path) -> Result<ObjectStore> {
        if !dir.is_dir() {
            return Err(AttestError::io(
                "open the object store",
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory"),
            ));
        }
        Ok(ObjectStore { dir: dir.to_path_buf() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, sha256_hex: &str) -> PathBuf {
        self.dir.join(sha256_hex.get(..2).unwrap_or("xx")).join(sha256_hex)
    }

    pub fn contains(&self, sha256_hex: &str) -> bool {
        self.path_of(sha256_hex).is_file()
    }

    /// Copies `f` into the store while hashing it, and checks that what was read has the
    /// digests `expected` (the verified manifest's resources of this file): a file that
    /// changed after verification is never stored as known-good.
    fn ingest(&self, f: &FileEntry, expected: &HashMap<&str, &[u8]>, m: &Manifest) -> Result<(String, bool)> {
        let tmp = self.dir.join("tmp").join(format!(
            "{}-{}",
            std::process::id(),
            hex::encode(&Sha256::digest(f.rel.as_bytes()))[..16].to_owned()
        ));
        let result = (|| {
            let mut src = File::open(&f.path).map_err(|e| AttestError::io("read", &f.path, e))?;
            let mut dst = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)
                .map_err(|e| AttestError::io("write", &tmp, e))?;
            let mut whole = Sha256::new();
            let ranges = match m.serialization.method {
                Method::Files => vec![(0, f.stat.size)],
                Method::Shards { shard_size } => shard_ranges(f.stat.size, shard_size),
            };
            let mut buf = vec![0u8; hashing::CHUNK];
            let mut pos = 0u64;
            for (start, end) in ranges {
                let mut h = Hasher::new(m.serialization.hash);
                while pos < end {
                    let want = usize::try_from(end - pos).unwrap_or(usize::MAX).min(buf.len());
                    let n = match src.read(&mut buf[..want]) {
                        Ok(0) => return Err(AttestError::Changed { path: f.path.clone() }),
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(AttestError::io("read", &f.path, e)),
                    };
                    h.update(&buf[..n]);
                    whole.update(&buf[..n]);
                    dst.write_all(&buf[..n]).map_err(|e| AttestError::io("write", &tmp, e))?;
                    pos += n as u64;
                }
                let name = match m.serialization.method {
                    Method::Files => f.rel.clone(),
                    Method::Shards { .. } => crate::manifest::shard_name(&f.rel, start, end),
                };
                if expected.get(name.as_str()).is_none_or(|d| *d != h.finish().as_slice()) {
                    return Err(AttestError::Changed { path: f.path.clone() });
                }
            }
            let mut probe = [0u8; 1];
            if src.read(&mut probe).map_err(|e| AttestError::io("read", &f.path, e))? != 0 {
                return Err(AttestError::Changed { path: f.path.clone() });
            }
            dst.sync_all().map_err(|e| AttestError::io("write", &tmp, e))?;
            drop(dst);
            let sha = hex::encode(&whole.finalize());
            let fin = self.path_of(&sha);
            if fin.is_file() {
                let _ = fs::remove_file(&tmp);
                return Ok((sha, false));
            }
            let sub = fsutil::parent_of(&fin).to_path_buf();
            fs::create_dir_all(&sub).map_err(|e| AttestError::io("write", &sub, e))?;
            fs::rename(&tmp, &fin).map_err(|e| AttestError::io("write", &fin, e))?;
            fsutil::sync_dir(&sub)?;
            Ok((sha, true))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Writes object `sha` to a new file `dest`, checking its digest on the way.
    fn copy_out(&self, sha: &str, dest: &Path, mode: u32) -> Result<u64> {
        let src_path = self.path_of(sha);
        let corrupt = || AttestError::ObjectCorrupt { sha256: sha.to_string(), dir: self.dir.clone() };
        let mut src = File::open(&src_path).map_err(|_| corrupt())?;
        let mut o = OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        let mut dst = o.open(dest).map_err(|e| AttestError::io("write", dest, e))?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; hashing::CHUNK];
        let mut n_total = 0u64;
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(AttestError::io("read", &src_path, e)),
            };
            h.update(&buf[..n]);
            dst.write_all(&buf[..n]).map_err(|e| AttestError::io("write", dest, e))?;
            n_total += n as u64;
        }
        if hex::encode(&h.finalize()) != sha {
            return Err(corrupt());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            dst.set_permissions(fs::Permissions::from_mode(mode & 0o7777))
                .map_err(|e| AttestError::io("write", dest, e))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        dst.sync_all().map_err(|e| AttestError::io("write", dest, e))?;
        Ok(n_total)
    }
}

/// Stores the content of `model` (already verified against `m`) in `objects`, checking every
/// byte again against the manifest while copying. Returns the files of the snapshot.
pub fn ingest(
    model: &Path,
    m: &Manifest,
    signature_rel: Option<&str>,
    objects: &ObjectStore,
    threads: usize,
) -> Result<(Vec<SnapshotFile>, IngestStats)> {
    let found = hashing::enumerate(model, &verify_ignores(m, signature_rel))?;
    let mut expected: HashMap<&str, &[u8]> = HashMap::new();
    for r in &m.resources {
        expected.insert(r.name.as_str(), r.digest.as_slice());
    }
    let listed: std::collections::BTreeSet<&str> = m.files().into_iter().collect();
    let present: std::collections::BTreeSet<&str> = found.files.iter().map(|f| f.rel.as_str()).collect();
    // Empty files have no shard and so are absent from shard manifests; they are kept anyway.
    let extra = present.iter().find(|p| !listed.contains(*p) && !is_empty_file(&found.files, p));
    if let Some(p) = extra.or_else(|| listed.iter().find(|p| !present.contains(*p))) {
        return Err(AttestError::Changed { path: model.join(p) });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| AttestError::Invalid(format!("cannot start worker threads: {e}")))?;
    let fast = m.serialization.method == Method::Files && m.serialization.hash == HashAlg::Sha256;
    let results: Vec<(SnapshotFile, bool)> = pool.install(|| {
        found
            .files
            .par_iter()
            .map(|f| {
                // Files/SHA-256: the verified digest is the object's name; stored content is
                // not copied again.
                if fast && let Some(d) = expected.get(f.rel.as_str()) {
                    let sha = hex::encode(d);
                    if objects.contains(&sha) {
                        return Ok((
                            SnapshotFile { path: f.rel.clone(), size: f.stat.size, mode: f.stat.mode, object: sha },
                            false,
                        ));
                    }
                }
                // An empty file in a shard manifest has no shard, so nothing to compare.
                let (sha, new) = objects.ingest(f, &expected, m)?;
                Ok((SnapshotFile { path: f.rel.clone(), size: f.stat.size, mode: f.stat.mode, object: sha }, new))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut stats = IngestStats::default();
    let mut files = Vec::with_capacity(results.len());
    for (f, new) in results {
        stats.files += 1;
        stats.bytes += f.size;
        if new {
            stats.new_objects += 1;
            stats.new_bytes += f.size;
        }
        files.push(f);
    }
    Ok((files, stats))
}

fn is_empty_file(files: &[FileEntry], rel: &str) -> bool {
    files.iter().any(|f| f.rel == rel && f.stat.size == 0)
}

/// Whether `target` may be restored into: absent, or an empty directory; otherwise only with
/// `force`.
pub fn check_target(target: &Path, force: bool) -> Result<()> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AttestError::io("read", target, e)),
        Ok(meta) => {
            let empty_dir =
                meta.is_dir() && fs::read_dir(target).map_err(|e| AttestError::io("read", target, e))?.next().is_none();
            if empty_dir || force { Ok(()) } else { Err(AttestError::TargetExists { path: target.to_path_buf() }) }
        }
    }
}

/// Writes the snapshot's files into a new staging directory beside `target` (a staging file
/// for a single-file model) and returns its path. Nothing at `target` is touched.
pub fn stage(
    files: &[SnapshotFile],
    objects: &ObjectStore,
    target: &Path,
    single_file: bool,
) -> Result<(PathBuf, HashStats)> {
    let parent = fsutil::parent_of(target).to_path_buf();
    fs::create_dir_all(&parent).map_err(|e| AttestError::io("create", &parent, e))?;
    let staging = fsutil::temp_sibling(target, "restore");
    let mut stats = HashStats::default();
    let result = (|| {
        if single_file {
            let [f] = files else {
                return Err(AttestError::Invalid("a single-file snapshot must hold exactly one file".into()));
            };
            stats.bytes += objects.copy_out(&f.object, &staging, f.mode)?;
            stats.files = 1;
            return Ok(());
        }
        fs::create_dir(&staging).map_err(|e| AttestError::io("create", &staging, e))?;
        let mut dirs = std::collections::BTreeSet::new();
        for f in files {
            check_relative_path(&f.path).map_err(AttestError::Invalid)?;
            let dest = staging.join(&f.path);
            let d = fsutil::parent_of(&dest).to_path_buf();
            if dirs.insert(d.clone()) {
                fs::create_dir_all(&d).map_err(|e| AttestError::io("create", &d, e))?;
            }
            stats.bytes += objects.copy_out(&f.object, &dest, f.mode)?;
            stats.files += 1;
        }
        for d in dirs.iter().rev() {
            fsutil::sync_dir(d)?;
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok((staging, stats)),
        Err(e) => {
            discard(&staging);
            Err(e)
        }
    }
}

/// Removes a staging directory (or file).
pub fn discard(staging: &Path) {
    if staging.is_dir() {
        let _ = fs::remove_dir_all(staging);
    } else {
        let _ = fs::remove_file(staging);
    }
}

/// Moves a verified staging directory to `target`. An existing target (allowed by
/// [`check_target`]) is moved aside first and removed only after the rename succeeded.
pub fn commit(staging: &Path, target: &Path, force: bool) -> Result<()> {
    check_target(target, force)?;
    let mut old = None;
    if let Ok(meta) = fs::symlink_metadata(target) {
        if meta.is_dir() && fs::read_dir(target).map(|mut r| r.next().is_none()).unwrap_or(false) {
            fs::remove_dir(target).map_err(|e| AttestError::io("replace", target, e))?;
        } else {
            let aside = fsutil::temp_sibling(target, "old");
            fs::rename(target, &aside).map_err(|e| AttestError::io("replace", target, e))?;
            old = Some(aside);
        }
    }
    if let Err(e) = fs::rename(staging, target) {
        if let Some(a) = &old {
            let _ = fs::rename(a, target);
        }
        return Err(AttestError::io("write", target, e));
    }
    fsutil::sync_dir(fsutil::parent_of(target))?;
    if let Some(a) = old {
        discard(&a);
    }
    Ok(())
}

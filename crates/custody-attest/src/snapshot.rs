//! Known-good snapshots: a content-addressed object store (objects named by the SHA-256 of
//! their bytes, identical content stored once, every object written to a temporary name,
//! fsynced and renamed) and byte-exact restore into a staging directory that is renamed into
//! place only after it verifies.
//!
//! Temporaries are claimed names (see [`crate::claim`]): a killed snapshot's partial objects and
//! a killed restore's staging copy are removed by the next run of the same command, and a run in
//! progress never loses its own. What `--force` may replace is decided by [`check_target`].

use crate::claim::{self, Claim};
use crate::error::{AttestError, Result};
use crate::fsutil;
use crate::hashing::{self, FileEntry, HashStats, Hasher};
use crate::manifest::{HashAlg, Manifest, Method, check_relative_path, shard_ranges};
use crate::verify::verify_ignores;
use custody_core::hex;
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
    fn ingest(
        &self,
        f: &FileEntry,
        expected: &HashMap<&str, &[u8]>,
        m: &Manifest,
        run: &Path,
    ) -> Result<(String, bool)> {
        let tmp = run.join(hex::encode(&Sha256::digest(f.rel.as_bytes())));
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

    /// Removes what killed snapshots left in `tmp/`: the run directories of runs whose lock is
    /// free (see [`crate::claim`]). A snapshot in progress holds its lock and keeps its files.
    pub fn clean_leftovers(&self) -> Result<Swept> {
        let tmp = self.dir.join("tmp");
        let (dead, removed) = claim::dead_claims(&tmp, str::is_empty)?;
        let mut swept = Swept { removed, ..Swept::default() };
        for d in dead {
            let run = d.claim.path(RUN);
            let bytes = claim::size_of(&run);
            if claim::remove(&run) {
                swept.removed += 1;
                swept.bytes += bytes;
            }
        }
        Ok(swept)
    }

    /// Claims a directory for this run's partial objects.
    fn begin(&self) -> Result<(Claim, PathBuf)> {
        let tmp = self.dir.join("tmp");
        fs::create_dir_all(&tmp).map_err(|e| AttestError::io("create the object store", &tmp, e))?;
        let c = Claim::new(&tmp, "", b"")?;
        let run = c.path(RUN);
        fs::create_dir(&run).map_err(|e| AttestError::io("create", &run, e))?;
        Ok((c, run))
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
    let (claim, run) = objects.begin()?;
    let fast = m.serialization.method == Method::Files && m.serialization.hash == HashAlg::Sha256;
    let results: Result<Vec<(SnapshotFile, bool)>> = pool.install(|| {
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
                let (sha, new) = objects.ingest(f, &expected, m, &run)?;
                Ok((SnapshotFile { path: f.rel.clone(), size: f.stat.size, mode: f.stat.mode, object: sha }, new))
            })
            .collect::<Result<Vec<_>>>()
    });
    claim::remove(&run);
    drop(claim);
    let results = results?;
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

/// The longest snapshot name, in characters.
pub const MAX_NAME_CHARS: usize = 128;

/// Checks a snapshot name before anything is written: 1 to [`MAX_NAME_CHARS`] characters, no
/// control characters, no `/` or `\`, not only spaces.
pub fn check_name(name: &str) -> Result<()> {
    let bad = |why: &str| Err(AttestError::BadName { name: name.to_string(), why: why.to_string() });
    if name.trim().is_empty() {
        return bad("it is empty");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return bad(&format!("it is longer than {MAX_NAME_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return bad("it contains a control character");
    }
    if name.contains(['/', '\\']) {
        return bad("it contains `/` or `\\`");
    }
    Ok(())
}

/// What a restore left behind and a later run removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Temporaries removed (staging copies, replaced copies, partial-object directories, locks).
    pub removed: u64,
    pub bytes: u64,
    /// Targets that a restore killed mid-replacement had moved aside and that were put back.
    pub put_back: Vec<PathBuf>,
}

/// Paths a restore must never replace, and where the store knows a copy of a model is.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Never replaced, nor any directory that contains one: the store database and its key,
    /// custody.toml and the directory that holds it.
    pub keep: Vec<PathBuf>,
    /// Never replaced, nor anything inside them, nor a directory holding them: object stores.
    pub keep_inside: Vec<PathBuf>,
    /// Canonical paths the store records as copies of a model: the snapshot's source and the
    /// targets of earlier successful restores.
    pub known: Vec<PathBuf>,
}

/// What [`check_target`] needs to know about the restore.
#[derive(Debug, Clone, Copy)]
pub struct TargetRules<'a> {
    pub force: bool,
    pub guard: &'a Guard,
    /// The snapshot's files.
    pub files: &'a [SnapshotFile],
    /// The snapshot's signature file inside the model, if it has one.
    pub signature_name: Option<&'a str>,
    pub single_file: bool,
}

/// What is at the target now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Nothing,
    EmptyDir,
    /// A copy of the model, replaced under `--force`.
    Copy,
}

/// `path` absolute and with links resolved as far as it exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => abs,
    }
}

/// Whether `target` may be restored into, and what is there. Never: custody's store, its object
/// stores, custody.toml or a directory holding any of them (see [`Guard`]). Otherwise: a path
/// that does not exist, or an empty directory; with `force` also a *copy of the model*:
///
/// - for a directory snapshot, a real directory (not a link) that the store records as the
///   snapshot's source or an earlier restore's target, or whose every file is a file of the
///   snapshot (or its signature and the signature's `.cache.json`), so nothing unknown is lost;
/// - for a single-file snapshot, a regular file the store records as the snapshot's source or an
///   earlier restore's target.
///
/// Links, devices, FIFOs, sockets and anything else are refused, as is a directory holding a
/// `custody.toml` or a `.custody` directory anywhere inside it.
pub fn check_target(target: &Path, rules: &TargetRules<'_>) -> Result<Existing> {
    let refuse = |why: &str| Err(AttestError::NotReplaceable { path: target.to_path_buf(), why: why.to_string() });
    if target.file_name().is_none() {
        return Err(AttestError::Protected {
            path: target.to_path_buf(),
            why: "name the directory to restore into itself, not `.`, `..` or `/`".into(),
        });
    }
    let meta = match fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(AttestError::io("read", target, e)),
        Ok(m) => Some(m),
    };
    let is_link = meta.as_ref().is_some_and(|m| m.file_type().is_symlink());
    // A link is judged as the link itself: its parent resolved, its own name kept.
    let t = if is_link {
        resolved(fsutil::parent_of(target)).join(target.file_name().unwrap_or_default())
    } else {
        resolved(target)
    };
    check_protected(target, &t, rules.guard)?;
    let Some(meta) = meta else { return Ok(Existing::Nothing) };
    let ft = meta.file_type();
    if ft.is_dir() && fs::read_dir(target).map_err(|e| AttestError::io("read", target, e))?.next().is_none() {
        return Ok(Existing::EmptyDir);
    }
    if !rules.force {
        return Err(AttestError::TargetExists { path: target.to_path_buf() });
    }
    if ft.is_symlink() {
        return refuse("it is a symbolic link; --force never replaces a link or what it points to");
    }
    let known = rules.guard.known.contains(&t);
    if rules.single_file {
        if !ft.is_file() {
            return refuse("the snapshot is a single file and this is not a regular file");
        }
        if !known {
            return refuse("the store does not record this file as the snapshot's source or an earlier restore");
        }
        return Ok(Existing::Copy);
    }
    if !ft.is_dir() {
        return refuse(if ft.is_file() {
            "it is a file, and the snapshot is a directory"
        } else {
            "it is not a directory (a device, FIFO or socket)"
        });
    }
    match scan_copy(target, rules, known)? {
        None => Ok(Existing::Copy),
        Some(why) => refuse(&why),
    }
}

fn check_protected(target: &Path, t: &Path, guard: &Guard) -> Result<()> {
    for k in &guard.keep {
        let k = resolved(k);
        if k.starts_with(t) {
            return Err(AttestError::Protected {
                path: target.to_path_buf(),
                why: if k == t {
                    format!("it is {}, which custody keeps", k.display())
                } else {
                    format!("it holds {}, which custody keeps", k.display())
                },
            });
        }
    }
    for d in &guard.keep_inside {
        let d = resolved(d);
        if t.starts_with(&d) || d.starts_with(t) {
            return Err(AttestError::Protected {
                path: target.to_path_buf(),
                why: format!("it is, holds or lies inside the object store {}", d.display()),
            });
        }
    }
    Ok(())
}

/// Walks a directory `--force` would replace; `Some(why)` when it is not a copy of the model.
/// Without `known`, the walk stops at the first file the snapshot does not hold.
fn scan_copy(dir: &Path, rules: &TargetRules<'_>, known: bool) -> Result<Option<String>> {
    let listed: std::collections::HashSet<&str> = rules.files.iter().map(|f| f.path.as_str()).collect();
    let sidecar = rules.signature_name.map(|s| format!("{s}.cache.json"));
    let mut matched = 0usize;
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        for e in fs::read_dir(&d).map_err(|e| AttestError::io("read", &d, e))? {
            let e = e.map_err(|e| AttestError::io("read", &d, e))?;
            let name = e.file_name();
            let name_str = name.to_string_lossy();
            if name_str == "custody.toml" || name_str == ".custody" {
                return Ok(Some(format!("it holds {}, another custody project's", e.path().display())));
            }
            let r = if rel.is_empty() { name_str.to_string() } else { format!("{rel}/{name_str}") };
            let ft = e.file_type().map_err(|x| AttestError::io("read", e.path(), x))?;
            if ft.is_dir() {
                stack.push((e.path(), r));
                continue;
            }
            if known {
                continue;
            }
            let ours = name.to_str().is_some()
                && (listed.contains(r.as_str())
                    || rules.signature_name == Some(r.as_str())
                    || sidecar.as_deref() == Some(r.as_str()));
            if !ft.is_file() || !ours {
                return Ok(Some(format!(
                    "it holds {}, which is not part of the snapshot, and the store does not record the directory as the snapshot's source or an earlier restore",
                    e.path().display()
                )));
            }
            if listed.contains(r.as_str()) {
                matched += 1;
            }
        }
    }
    if !known && matched == 0 {
        return Ok(Some("it holds none of the snapshot's files".into()));
    }
    Ok(None)
}

/// The claim prefix of restores into `target`: `.<name>.custody-` (the name cut to 100 bytes).
fn restore_prefix(target: &Path) -> String {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.custody-", &name[..end])
}

pub(crate) const STAGED: &str = "restore";
pub(crate) const OLD: &str = "old";
pub(crate) const RUN: &str = "run";

#[cfg(unix)]
fn name_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.file_name().map(|n| n.as_bytes().to_vec()).unwrap_or_default()
}
#[cfg(not(unix))]
fn name_bytes(p: &Path) -> Vec<u8> {
    p.file_name().map(|n| n.to_string_lossy().into_owned().into_bytes()).unwrap_or_default()
}
#[cfg(unix)]
fn name_of(b: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let p = PathBuf::from(std::ffi::OsStr::from_bytes(b));
    let mut c = p.components();
    matches!((c.next(), c.next()), (Some(std::path::Component::Normal(_)), None)).then_some(p)
}
#[cfg(not(unix))]
fn name_of(b: &[u8]) -> Option<PathBuf> {
    let p = PathBuf::from(std::str::from_utf8(b).ok()?);
    let mut c = p.components();
    matches!((c.next(), c.next()), (Some(std::path::Component::Normal(_)), None)).then_some(p)
}

/// Settles the temporaries of a restore claim: the replaced copy goes back to the target when
/// the target is missing (the restore was killed between the two renames), else it is removed;
/// the staging copy is removed.
fn settle(claim: &Claim, dir: &Path, target_name: Option<&Path>, swept: &mut Swept) {
    let old = claim.path(OLD);
    if fs::symlink_metadata(&old).is_ok() {
        let target = target_name.map(|n| dir.join(n));
        match target {
            Some(t) if fs::symlink_metadata(&t).is_err() && fs::rename(&old, &t).is_ok() => {
                let _ = fsutil::sync_dir(dir);
                swept.put_back.push(t);
            }
            // Without the target's name the replaced copy is kept: it may be all there is.
            None => {}
            Some(_) => {
                let bytes = claim::size_of(&old);
                if claim::remove(&old) {
                    swept.removed += 1;
                    swept.bytes += bytes;
                }
            }
        }
    }
    let staged = claim.path(STAGED);
    let bytes = claim::size_of(&staged);
    if claim::remove(&staged) {
        swept.removed += 1;
        swept.bytes += bytes;
    }
}

/// Removes what killed restores left in the directory `target` is in: staging copies, and
/// replaced copies (put back when their target is missing). Only paths of custody's claims
/// whose lock is free are touched (see [`crate::claim`]); a restore in progress keeps its own.
pub fn clean_restore_leftovers(target: &Path) -> Result<Swept> {
    let dir = fsutil::parent_of(target).to_path_buf();
    let (dead, removed) = claim::dead_claims(&dir, |p| p.starts_with('.') && p.ends_with(".custody-"))?;
    let mut swept = Swept { removed, ..Swept::default() };
    for d in dead {
        let name = name_of(&d.note);
        settle(&d.claim, &dir, name.as_deref(), &mut swept);
    }
    Ok(swept)
}

/// A restored copy waiting to be verified and committed. Dropping it removes the copy (and, if
/// a commit was interrupted, puts the replaced target back).
#[derive(Debug)]
pub struct Staged {
    claim: Claim,
    target: PathBuf,
    pub stats: HashStats,
}

impl Staged {
    /// The staging directory (a staging file for a single-file model), beside the target.
    pub fn path(&self) -> PathBuf {
        self.claim.path(STAGED)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let dir = fsutil::parent_of(&self.target).to_path_buf();
        let name = self.target.file_name().map(PathBuf::from);
        settle(&self.claim, &dir, name.as_deref(), &mut Swept::default());
    }
}

/// Writes the snapshot's files into a new staging directory beside `target` (a staging file
/// for a single-file model). Nothing at `target` is touched.
pub fn stage(files: &[SnapshotFile], objects: &ObjectStore, target: &Path, single_file: bool) -> Result<Staged> {
    let parent = fsutil::parent_of(target).to_path_buf();
    fs::create_dir_all(&parent).map_err(|e| AttestError::io("create", &parent, e))?;
    let claim = Claim::new(&parent, &restore_prefix(target), &name_bytes(target))?;
    let mut staged = Staged { claim, target: target.to_path_buf(), stats: HashStats::default() };
    let staging = staged.path();
    let stats = &mut staged.stats;
    if single_file {
        let [f] = files else {
            return Err(AttestError::Invalid("a single-file snapshot must hold exactly one file".into()));
        };
        stats.bytes += objects.copy_out(&f.object, &staging, f.mode)?;
        stats.files = 1;
        return Ok(staged);
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
    Ok(staged)
}

/// Swaps `a` and `b` atomically where the system can (Linux `renameat2(RENAME_EXCHANGE)`);
/// `Ok(false)` where it cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e)
            if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS || e == rustix::io::Errno::OPNOTSUPP =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Moves a verified staged copy to `target`, checking it again first ([`check_target`]). An
/// existing target is swapped out in one atomic exchange where the system allows, else moved
/// aside, the new copy moved in, and the old one put back if that fails. The replaced copy is
/// removed only once the new one is in place; a crash in between leaves a claim the next
/// restore settles.
pub fn commit(staged: Staged, target: &Path, rules: &TargetRules<'_>) -> Result<()> {
    commit_with(staged, target, rules, true)
}

/// [`commit`], with the atomic exchange left out when `try_exchange` is false (to test the
/// fallback on systems that have it).
fn commit_with(staged: Staged, target: &Path, rules: &TargetRules<'_>, try_exchange: bool) -> Result<()> {
    let existing = check_target(target, rules)?;
    let from = staged.path();
    let parent = fsutil::parent_of(target).to_path_buf();
    match existing {
        Existing::Nothing => {
            fs::rename(&from, target).map_err(|e| AttestError::io("write", target, e))?;
        }
        Existing::EmptyDir | Existing::Copy => {
            if try_exchange && exchange(&from, target).map_err(|e| AttestError::io("replace", target, e))? {
                // `from` now holds the replaced copy; dropping `staged` removes it.
            } else if rules.single_file && existing == Existing::Copy {
                // rename(2) replaces a file atomically.
                fs::rename(&from, target).map_err(|e| AttestError::io("replace", target, e))?;
            } else {
                let aside = staged.claim.path(OLD);
                fs::rename(target, &aside).map_err(|e| AttestError::io("replace", target, e))?;
                if let Err(e) = fs::rename(&from, target) {
                    // Put back now; if even that fails, dropping `staged` (or, after a crash,
                    // the next restore here) tries again.
                    let _ = fs::rename(&aside, target);
                    return Err(AttestError::io("write", target, e));
                }
            }
        }
    }
    fsutil::sync_dir(&parent)?;
    drop(staged);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> SnapshotFile {
        SnapshotFile { path: path.into(), size: 1, mode: 0o644, object: "00".repeat(32) }
    }

    fn rules<'a>(guard: &'a Guard, files: &'a [SnapshotFile], force: bool) -> TargetRules<'a> {
        TargetRules { force, guard, files, signature_name: Some("model.sig"), single_file: false }
    }

    #[test]
    fn snapshot_names_are_checked() {
        for ok in ["good", "model v1.2", "été-2026", &"x".repeat(MAX_NAME_CHARS)] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("   ", "empty"),
            (&"x".repeat(MAX_NAME_CHARS + 1), "longer"),
            ("a\nb", "control"),
            ("a\u{7}", "control"),
            ("a/b", "`/`"),
            ("a\\b", "`/`"),
        ] {
            let e = check_name(bad).expect_err(bad);
            assert!(e.to_string().contains(why) && e.hint().is_some(), "{bad:?}: {e}");
        }
    }

    #[test]
    fn force_replaces_only_a_copy_of_the_model() {
        let d = tempfile::tempdir().expect("tmp");
        let root = d.path().canonicalize().expect("canon");
        let files = [file("weights.bin"), file("sub/config.json")];
        let store = root.join(".custody");
        fs::create_dir_all(store.join("objects/ab")).expect("mkdir");
        fs::write(store.join("custody.db"), b"db").expect("w");
        fs::write(root.join("custody.toml"), b"").expect("w");
        let guard = Guard {
            keep: vec![store.join("custody.db"), root.join("custody.toml"), root.clone()],
            keep_inside: vec![store.join("objects")],
            known: vec![root.join("known")],
        };
        let force = rules(&guard, &files, true);
        let protected = |p: &Path| matches!(check_target(p, &force), Err(AttestError::Protected { .. }));
        // The store, the database, the object store and inside it, the project root, its parent.
        assert!(protected(&store));
        assert!(protected(&store.join("custody.db")));
        assert!(protected(&store.join("objects")));
        assert!(protected(&store.join("objects/ab")));
        assert!(protected(&store.join("objects/new")), "not even a new directory inside it");
        assert!(protected(&root));
        assert!(protected(root.parent().expect("parent")));
        assert!(protected(Path::new("/")));
        assert!(protected(&root.join("sub/..")));
        assert!(protected(&root.join("custody.toml")));

        let refused = |p: &Path| matches!(check_target(p, &force), Err(AttestError::NotReplaceable { .. }));
        // A directory with a file the snapshot does not hold.
        let other = root.join("other");
        fs::create_dir_all(other.join("sub")).expect("mkdir");
        fs::write(other.join("weights.bin"), b"w").expect("w");
        fs::write(other.join("notes.txt"), b"mine").expect("w");
        assert!(refused(&other));
        // The same without it: every file is the snapshot's (the signature too).
        fs::remove_file(other.join("notes.txt")).expect("rm");
        fs::write(other.join("sub/config.json"), b"{}").expect("w");
        fs::write(other.join("model.sig"), b"{}").expect("w");
        assert_eq!(check_target(&other, &force).expect("a copy"), Existing::Copy);
        // ... unless it holds another custody project.
        fs::create_dir(other.join("sub/.custody")).expect("mkdir");
        assert!(refused(&other));
        // A directory the store knows, with anything in it; but never holding a custody.toml.
        let known = root.join("known");
        fs::create_dir(&known).expect("mkdir");
        fs::write(known.join("anything"), b"x").expect("w");
        assert_eq!(check_target(&known, &force).expect("known"), Existing::Copy);
        fs::write(known.join("custody.toml"), b"").expect("w");
        assert!(refused(&known));
        // Without --force only absent or empty.
        assert!(matches!(check_target(&other, &rules(&guard, &files, false)), Err(AttestError::TargetExists { .. })));
        fs::create_dir(root.join("empty")).expect("mkdir");
        assert_eq!(check_target(&root.join("empty"), &force).expect("empty"), Existing::EmptyDir);
        assert_eq!(check_target(&root.join("absent"), &force).expect("absent"), Existing::Nothing);
        // Files, links and devices: never.
        fs::write(root.join("a-file"), b"x").expect("w");
        assert!(refused(&root.join("a-file")));
        #[cfg(unix)]
        {
            let link = root.join("link");
            std::os::unix::fs::symlink(&known, &link).expect("link");
            let g2 = Guard { known: vec![link.clone(), known.clone()], ..guard.clone() };
            assert!(matches!(check_target(&link, &rules(&g2, &files, true)), Err(AttestError::NotReplaceable { .. })));
            assert!(refused(Path::new("/dev/null")));
        }
        // A single-file snapshot replaces only a regular file the store knows.
        let one = [file("model.gguf")];
        fs::write(root.join("model.gguf"), b"x").expect("w");
        let g3 = Guard { known: vec![root.join("model.gguf")], ..guard.clone() };
        let single = TargetRules { single_file: true, ..rules(&g3, &one, true) };
        assert_eq!(check_target(&root.join("model.gguf"), &single).expect("known file"), Existing::Copy);
        assert!(matches!(check_target(&root.join("a-file"), &single), Err(AttestError::NotReplaceable { .. })));
        assert!(matches!(check_target(&other, &single), Err(AttestError::NotReplaceable { .. })));
    }

    /// Writes what a restore into `dir/target` killed by SIGKILL leaves: an unlocked claim, the
    /// staging copy and (when `aside`) the replaced copy.
    fn dead_restore(dir: &Path, target: &str, id: &str, aside: bool) {
        let p = format!(".{target}.custody-");
        fs::write(dir.join(format!("{p}lock-{id}")), target.as_bytes()).expect("w");
        fs::create_dir_all(dir.join(format!("{p}restore-{id}/sub"))).expect("mkdir");
        fs::write(dir.join(format!("{p}restore-{id}/sub/w.bin")), vec![7u8; 1000]).expect("w");
        if aside {
            fs::create_dir(dir.join(format!("{p}old-{id}"))).expect("mkdir");
            fs::write(dir.join(format!("{p}old-{id}/old.bin")), b"old").expect("w");
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .expect("ls")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn leftovers_of_dead_restores_go_and_a_live_restore_keeps_its_own() {
        let d = tempfile::tempdir().expect("tmp");
        let dir = d.path();
        fs::create_dir(dir.join("model")).expect("mkdir");
        dead_restore(dir, "model", "4000000001-0", false);
        // Killed between the two renames: the target is missing, its old copy aside.
        dead_restore(dir, "gone", "4000000002-3", true);
        // Killed after the new copy was in place: the old copy is removed.
        fs::create_dir(dir.join("done")).expect("mkdir");
        dead_restore(dir, "done", "4000000003-0", true);
        // Not custody's, or not provably a leftover: untouched.
        for foreign in [".model.custody-restore-1-1", ".model.restore-1-0", "model.custody-lock-x", ".x.custody-lock-1"]
        {
            fs::create_dir(dir.join(foreign)).expect("mkdir");
        }
        // A restore in progress (this process holds its claim).
        let live = Claim::new(dir, &restore_prefix(&dir.join("model")), b"model").expect("claim");
        fs::create_dir(live.path(STAGED)).expect("mkdir");

        let swept = clean_restore_leftovers(&dir.join("model")).expect("sweep");
        assert_eq!(swept.put_back, vec![dir.join("gone")]);
        assert!(swept.bytes >= 3000, "{swept:?}");
        assert_eq!(fs::read(dir.join("gone/old.bin")).expect("put back"), b"old");
        assert!(live.path(STAGED).is_dir(), "a live restore's staging is never removed");
        let mut want = vec![
            ".model.custody-restore-1-1".to_string(),
            ".model.restore-1-0".into(),
            ".x.custody-lock-1".into(),
            "done".into(),
            "gone".into(),
            "model".into(),
            "model.custody-lock-x".into(),
            live.path(claim::LOCK).file_name().expect("n").to_string_lossy().into(),
            live.path(STAGED).file_name().expect("n").to_string_lossy().into(),
        ];
        want.sort();
        assert_eq!(names(dir), want);
        // Once it has ended, its claim is gone with it.
        drop(live);
        assert_eq!(clean_restore_leftovers(&dir.join("model")).expect("sweep"), Swept::default());
    }

    #[test]
    fn partial_objects_of_dead_snapshots_go_and_a_live_snapshot_keeps_its_own() {
        let d = tempfile::tempdir().expect("tmp");
        let objects = ObjectStore::open_or_create(d.path()).expect("store");
        let tmp = d.path().join("tmp");
        fs::write(tmp.join("lock-4000000001-0"), b"").expect("w");
        fs::create_dir(tmp.join("run-4000000001-0")).expect("mkdir");
        fs::write(tmp.join("run-4000000001-0/partial"), vec![1u8; 5000]).expect("w");
        fs::write(tmp.join("new-4000000001-1"), b"").expect("w");
        fs::write(tmp.join("123-00112233"), b"not provably ours").expect("w");
        let (live, run) = objects.begin().expect("begin");
        fs::write(run.join("partial"), b"in progress").expect("w");
        let swept = objects.clean_leftovers().expect("sweep");
        assert_eq!((swept.removed, swept.bytes), (2, 5000), "{swept:?}");
        assert!(run.join("partial").is_file());
        assert!(tmp.join("123-00112233").is_file());
        assert!(!tmp.join("run-4000000001-0").exists() && !tmp.join("lock-4000000001-0").exists());
        drop(live);
    }

    /// An object store holding `content` under `path`s; returns the store and the snapshot files.
    fn store_with(dir: &Path, content: &[(&str, &[u8])]) -> (ObjectStore, Vec<SnapshotFile>) {
        let objects = ObjectStore::open_or_create(&dir.join("objects")).expect("store");
        let mut files = Vec::new();
        for (path, bytes) in content {
            let sha = hex::encode(&Sha256::digest(bytes));
            let p = objects.path_of(&sha);
            fs::create_dir_all(fsutil::parent_of(&p)).expect("mkdir");
            fs::write(&p, bytes).expect("w");
            files.push(SnapshotFile { path: path.to_string(), size: bytes.len() as u64, mode: 0o644, object: sha });
        }
        (objects, files)
    }

    #[test]
    fn commit_swaps_the_copy_in_and_leaves_nothing_beside_it() {
        let d = tempfile::tempdir().expect("tmp");
        let root = d.path().canonicalize().expect("canon");
        let (objects, files) = store_with(&root, &[("w.bin", b"new weights"), ("sub/c.json", b"{}")]);
        let target = root.join("deploy");
        let guard = Guard { known: vec![target.clone()], ..Guard::default() };
        let r = TargetRules { force: true, guard: &guard, files: &files, signature_name: None, single_file: false };
        // Into nothing, into an empty directory, over a known copy with extra files.
        for before in [None, Some(false), Some(true)] {
            let _ = fs::remove_dir_all(&target);
            match before {
                None => {}
                Some(false) => fs::create_dir(&target).expect("mkdir"),
                Some(true) => {
                    fs::create_dir(&target).expect("mkdir");
                    fs::write(target.join("w.bin"), b"old").expect("w");
                    fs::write(target.join("injected.pkl"), b"x").expect("w");
                }
            }
            let staged = stage(&files, &objects, &target, false).expect("stage");
            commit(staged, &target, &r).expect("commit");
            assert_eq!(fs::read(target.join("w.bin")).expect("r"), b"new weights");
            assert!(!target.join("injected.pkl").exists());
            assert_eq!(names(&root), ["deploy", "objects"], "{before:?}");
        }
        // Without the atomic exchange: moved aside, moved in, the old copy removed.
        fs::write(target.join("injected.pkl"), b"x").expect("w");
        let staged = stage(&files, &objects, &target, false).expect("stage");
        commit_with(staged, &target, &r, false).expect("commit");
        assert!(!target.join("injected.pkl").exists());
        assert_eq!(names(&root), ["deploy", "objects"]);
        // A dropped staged copy (verification failed) leaves nothing and touches nothing.
        let staged = stage(&files, &objects, &target, false).expect("stage");
        assert!(staged.path().is_dir());
        drop(staged);
        assert_eq!(names(&root), ["deploy", "objects"]);
        // A single file over a known file, and over an empty directory.
        let (objects1, one) = store_with(&root.join("o1"), &[(".", b"gguf bytes")]);
        let file = root.join("model.gguf");
        let g1 = Guard { known: vec![file.clone()], ..Guard::default() };
        let r1 = TargetRules { force: true, guard: &g1, files: &one, signature_name: None, single_file: true };
        fs::write(&file, b"tampered").expect("w");
        commit(stage(&one, &objects1, &file, true).expect("stage"), &file, &r1).expect("commit");
        assert_eq!(fs::read(&file).expect("r"), b"gguf bytes");
        let empty = root.join("empty");
        fs::create_dir(&empty).expect("mkdir");
        commit(stage(&one, &objects1, &empty, true).expect("stage"), &empty, &r1).expect("commit");
        assert_eq!(fs::read(&empty).expect("r"), b"gguf bytes");
        assert_eq!(names(&root), ["deploy", "empty", "model.gguf", "o1", "objects"]);
    }
}
